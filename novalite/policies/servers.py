"""Default policy rules of servers and their sub-resources (Nova's defaults)."""

from __future__ import annotations

from novalite.common import policy
from novalite.common.policy import ADMIN

READER = policy.ADMIN_OR_PROJECT_READER
MEMBER = policy.ADMIN_OR_PROJECT_MEMBER


_rule = policy.rule


RULES = [
    _rule("os_compute_api:servers:index", READER, "List servers"),
    _rule("os_compute_api:servers:detail", READER, "List servers with details"),
    _rule("os_compute_api:servers:index:get_all_tenants", ADMIN, "List every project's servers"),
    _rule("os_compute_api:servers:detail:get_all_tenants", ADMIN,
          "List every project's servers with details"),
    _rule("os_compute_api:servers:allow_all_filters", ADMIN, "Use admin-only list filters"),
    _rule("os_compute_api:servers:show", READER, "Show a server"),
    _rule("os_compute_api:servers:create", MEMBER, "Create a server"),
    _rule("os_compute_api:servers:create:forced_host", ADMIN, "Create on a chosen host"),
    _rule("os_compute_api:servers:update", MEMBER, "Update a server"),
    _rule("os_compute_api:servers:delete", MEMBER, "Delete a server"),
    _rule("os_compute_api:servers:reboot", MEMBER, "Reboot a server"),
    _rule("os_compute_api:servers:start", MEMBER, "Start a server"),
    _rule("os_compute_api:servers:stop", MEMBER, "Stop a server"),
    _rule("os_compute_api:os-extended-server-attributes", ADMIN,
          "See the host and hypervisor attributes of a server"),
    _rule("os_compute_api:os-pause-server:pause", MEMBER, "Pause a server"),
    _rule("os_compute_api:os-pause-server:unpause", MEMBER, "Unpause a server"),
    _rule("os_compute_api:os-suspend-server:suspend", MEMBER, "Suspend a server"),
    _rule("os_compute_api:os-suspend-server:resume", MEMBER, "Resume a server"),
    _rule("os_compute_api:os-lock-server:lock", MEMBER, "Lock a server"),
    _rule("os_compute_api:os-lock-server:unlock", MEMBER, "Unlock a server"),
    _rule("os_compute_api:os-lock-server:unlock:unlock_override", ADMIN,
          "Unlock a server locked by an administrator"),
    _rule("os_compute_api:os-deferred-delete:force", MEMBER, "Force-delete a server"),
    _rule("os_compute_api:os-console-output", MEMBER, "Read a server's console log"),
    _rule("os_compute_api:os-shelve:unshelve", MEMBER, "Unshelve a shelved server"),
    _rule("os_compute_api:os-shelve:unshelve_to_host", ADMIN,
          "Unshelve a shelved-offloaded server onto a chosen host (2.91)"),
    _rule("os_compute_api:os-shelve:shelve", MEMBER, "Shelve a server"),
    _rule("os_compute_api:os-shelve:shelve_offload", ADMIN, "Offload a shelved server"),
    _rule("os_compute_api:servers:create_image", MEMBER, "Snapshot a server (createImage)"),
    _rule("os_compute_api:servers:create_image:allow_volume_backed", MEMBER,
          "Snapshot a volume-backed server"),
    _rule("os_compute_api:os-create-backup", MEMBER, "Back up a server (createBackup)"),
    _rule("os_compute_api:servers:rebuild", MEMBER, "Rebuild a server"),
    _rule("os_compute_api:servers:rebuild:trusted_certs", MEMBER,
          "Rebuild a server with trusted image certificates"),
    _rule("os_compute_api:servers:resize", MEMBER, "Resize a server"),
    _rule("os_compute_api:servers:confirm_resize", MEMBER, "Confirm a server's resize"),
    _rule("os_compute_api:servers:revert_resize", MEMBER, "Revert a server's resize"),
    _rule("os_compute_api:os-migrate-server:migrate", ADMIN, "Cold-migrate a server"),
    _rule("os_compute_api:os-migrate-server:migrate:host", ADMIN,
          "Cold-migrate a server to a chosen host (2.56)"),
    _rule("os_compute_api:os-migrate-server:migrate_live", ADMIN, "Live-migrate a server"),
    _rule("os_compute_api:os-evacuate", ADMIN, "Evacuate a server from a down host"),
    _rule("os_compute_api:os-rescue", MEMBER, "Rescue a server"),
    _rule("os_compute_api:os-unrescue", MEMBER, "Unrescue a server"),
    _rule("os_compute_api:os-admin-actions:reset_state", ADMIN, "Reset a server's state"),
    _rule("os_compute_api:os-admin-actions:inject_network_info", ADMIN,
          "Inject network information into a server"),
    _rule("os_compute_api:servers:trigger_crash_dump", MEMBER,
          "Trigger a crash dump in a server (2.17)"),
    _rule("os_compute_api:os-admin-password", MEMBER, "Change a server's admin password"),
    _rule("os_compute_api:os-deferred-delete:restore", MEMBER,
          "Restore a soft-deleted server"),
    _rule("os_compute_api:os-security-groups:add", MEMBER, "Add a security group to a server"),
    _rule("os_compute_api:os-security-groups:remove", MEMBER,
          "Remove a security group from a server"),
    _rule("os_compute_api:os-floating-ips:add", MEMBER,
          "Associate a floating IP with a server (to 2.43)"),
    _rule("os_compute_api:os-floating-ips:remove", MEMBER,
          "Disassociate a floating IP from a server (to 2.43)"),
    _rule("os_compute_api:os-server-diagnostics", ADMIN, "Show a server's diagnostics"),
    _rule("os_compute_api:os-remote-consoles", MEMBER, "Get a remote console URL"),
    _rule("os_compute_api:os-console-auth-tokens", ADMIN,
          "Show the connection a console token stands for"),
    _rule("os_compute_api:os-instance-actions:list", READER, "List a server's actions"),
    _rule("os_compute_api:os-instance-actions:show", READER, "Show a server action"),
    _rule("os_compute_api:os-instance-actions:events", ADMIN, "See action events of others"),
    _rule("os_compute_api:os-instance-actions:events:details", ADMIN,
          "See the details of action events"),
    _rule("os_compute_api:server-metadata:index", READER, "List server metadata"),
    _rule("os_compute_api:server-metadata:show", READER, "Show a server metadata item"),
    _rule("os_compute_api:server-metadata:create", MEMBER, "Add server metadata"),
    _rule("os_compute_api:server-metadata:update", MEMBER, "Set a server metadata item"),
    _rule("os_compute_api:server-metadata:update_all", MEMBER, "Replace server metadata"),
    _rule("os_compute_api:server-metadata:delete", MEMBER, "Delete a server metadata item"),
    _rule("os_compute_api:os-attach-interfaces:list", READER, "List a server's ports"),
    _rule("os_compute_api:os-attach-interfaces:show", READER, "Show a server's port"),
    _rule("os_compute_api:os-attach-interfaces:create", MEMBER, "Attach a port to a server"),
    _rule("os_compute_api:os-attach-interfaces:delete", MEMBER, "Detach a port from a server"),
    _rule("os_compute_api:os-server-tags:index", READER, "List server tags"),
    _rule("os_compute_api:os-server-tags:show", READER, "Check a server tag"),
    _rule("os_compute_api:os-server-tags:update", MEMBER, "Add a server tag"),
    _rule("os_compute_api:os-server-tags:update_all", MEMBER, "Replace server tags"),
    _rule("os_compute_api:os-server-tags:delete", MEMBER, "Delete a server tag"),
    _rule("os_compute_api:os-server-tags:delete_all", MEMBER, "Delete all server tags"),
    _rule("os_compute_api:os-hypervisors:list", ADMIN, "List hypervisors"),
    _rule("os_compute_api:os-hypervisors:list-detail", ADMIN, "List hypervisors with details"),
    _rule("os_compute_api:os-hypervisors:show", ADMIN, "Show a hypervisor"),
]


def register() -> None:
    policy.register_rules(RULES)


register()
