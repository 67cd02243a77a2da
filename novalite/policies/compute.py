"""Default policy rules of the Compute API (Nova's names and defaults)."""

from __future__ import annotations

from novalite.common import policy

ADMIN = policy.ADMIN
READER = policy.ADMIN_OR_PROJECT_READER
MEMBER = policy.ADMIN_OR_PROJECT_MEMBER
OWNER = policy.ADMIN_OR_OWNER
MEMBER_OWNER = f"({ADMIN}) or (role:member and user_id:%(user_id)s)"


PROJECT_MEMBER = policy.PROJECT_MEMBER

_rule = policy.rule


RULES = [
    _rule("os_compute_api:os-flavor-manage:create", ADMIN, "Create a flavor"),
    _rule("os_compute_api:os-flavor-manage:update", ADMIN, "Update a flavor's description"),
    _rule("os_compute_api:os-flavor-manage:delete", ADMIN, "Delete a flavor"),
    _rule("os_compute_api:os-flavor-extra-specs:index", READER, "List flavor extra specs"),
    _rule("os_compute_api:os-flavor-extra-specs:show", READER, "Show a flavor extra spec"),
    _rule("os_compute_api:os-flavor-extra-specs:create", ADMIN, "Create flavor extra specs"),
    _rule("os_compute_api:os-flavor-extra-specs:update", ADMIN, "Update a flavor extra spec"),
    _rule("os_compute_api:os-flavor-extra-specs:delete", ADMIN, "Delete a flavor extra spec"),
    _rule("os_compute_api:os-flavor-access", ADMIN, "List the projects of a private flavor"),
    _rule("os_compute_api:os-flavor-access:add_tenant_access", ADMIN, "Share a flavor"),
    _rule("os_compute_api:os-flavor-access:remove_tenant_access", ADMIN, "Unshare a flavor"),
    _rule("os_compute_api:os-keypairs:index", OWNER, "List key pairs"),
    _rule("os_compute_api:os-keypairs:show", OWNER, "Show a key pair"),
    _rule("os_compute_api:os-keypairs:create", MEMBER_OWNER, "Create or import a key pair"),
    _rule("os_compute_api:os-keypairs:delete", MEMBER_OWNER, "Delete a key pair"),
    _rule("os_compute_api:os-quota-sets:show", READER, "Show a project's quotas"),
    _rule("os_compute_api:os-quota-sets:defaults", policy.ANY_AUTHENTICATED,
          "Show the default quotas"),
    _rule("os_compute_api:os-quota-sets:detail", READER, "Show quotas with usage"),
    _rule("os_compute_api:os-quota-sets:update", ADMIN, "Update a project's quotas"),
    _rule("os_compute_api:os-quota-sets:delete", ADMIN, "Revert a project's quotas"),
    _rule("os_compute_api:os-quota-class-sets:show", ADMIN, "Show a quota class"),
    _rule("os_compute_api:os-quota-class-sets:update", ADMIN,
          "Update a quota class (the default class: every project's defaults)"),
    _rule("os_compute_api:limits", policy.ANY_AUTHENTICATED, "Show rate and absolute limits"),
    _rule("os_compute_api:extensions", policy.ANY_AUTHENTICATED, "List API extensions"),
    _rule("os_compute_api:images", policy.ANY_AUTHENTICATED,
          "Use the image proxy (the image service checks the caller's token)"),
    *[_rule(f"os_compute_api:image-metadata:{action}", policy.ANY_AUTHENTICATED,
            f"Image metadata through the proxy: {action} (the image service decides)")
      for action in ("index", "show", "create", "update", "update_all", "delete")],
    _rule("os_compute_api:limits:other_project", ADMIN, "Show another project's limits"),
    _rule("os_compute_api:os-services:list", ADMIN, "List services"),
    _rule("os_compute_api:os-services:update", ADMIN, "Enable, disable or force down"),
    _rule("os_compute_api:os-services:delete", ADMIN, "Delete a service"),
    _rule("os_compute_api:os-availability-zone:list", policy.ANY_AUTHENTICATED,
          "List availability zones"),
    _rule("os_compute_api:os-availability-zone:detail", ADMIN,
          "List availability zones with their hosts"),
    _rule("os_compute_api:os-server-groups:create", PROJECT_MEMBER, "Create a server group"),
    _rule("os_compute_api:os-server-groups:delete", MEMBER, "Delete a server group"),
    _rule("os_compute_api:os-server-groups:index", READER, "List server groups"),
    _rule("os_compute_api:os-server-groups:index:all_projects", ADMIN,
          "List the server groups of every project"),
    _rule("os_compute_api:os-server-groups:show", READER, "Show a server group"),
    *[_rule(f"os_compute_api:os-aggregates:{action}", ADMIN, description)
      for action, description in (
          ("index", "List host aggregates"), ("create", "Create a host aggregate"),
          ("show", "Show a host aggregate"), ("update", "Rename or rezone an aggregate"),
          ("delete", "Delete a host aggregate"), ("add_host", "Add a host to an aggregate"),
          ("remove_host", "Remove a host from an aggregate"),
          ("set_metadata", "Set the metadata of an aggregate"))],
    *[_rule(f"os_compute_api:os-hosts:{action}", ADMIN, description)
      for action, description in (
          ("list", "List hosts (before 2.43)"), ("show", "Show a host's resources"),
          ("update", "Enable a host or put it in maintenance"), ("start", "Start a host"),
          ("shutdown", "Shut a host down"), ("reboot", "Reboot a host"))],
    _rule("os_compute_api:os-simple-tenant-usage:list", ADMIN,
          "List the usage of every project"),
    _rule("os_compute_api:os-simple-tenant-usage:show", READER, "Show a project's usage"),
    _rule("os_compute_api:os-instance-usage-audit-log:list", ADMIN,
          "Show the instance usage audit of the last period"),
    _rule("os_compute_api:os-instance-usage-audit-log:show", ADMIN,
          "Show the instance usage audit of the period before a time"),
]


def register() -> None:
    policy.register_rules(RULES)


register()
