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
    _rule("os_compute_api:os-hypervisors:statistics", ADMIN,
          "Show the hypervisors' statistics (before 2.88)"),
    _rule("os_compute_api:os-hypervisors:uptime", ADMIN,
          "Show a hypervisor's uptime (before 2.88)"),
    _rule("os_compute_api:os-hypervisors:search", ADMIN,
          "Search hypervisors by name (before 2.53)"),
    _rule("os_compute_api:os-hypervisors:servers", ADMIN,
          "List the servers of hypervisors (before 2.53)"),
]


def register() -> None:
    policy.register_rules(RULES)


register()
