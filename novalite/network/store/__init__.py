"""Database operations of the network service, one module per resource as its API is
split; callers use ``from novalite.network import store`` and ``store.<operation>``."""

from __future__ import annotations

from novalite.network.store.base import new_id
from novalite.network.store.networks import (
    NETWORK_COLUMNS,
    create_network,
    delete_network,
    find_network_by_name,
    get_network,
    list_networks,
    update_network,
)
from novalite.network.store.ports import (
    MAC_ATTEMPTS,
    PORT_COLUMNS,
    count_allocations,
    create_port,
    delete_port,
    get_port,
    list_ports,
    set_port_status,
    update_port,
)
from novalite.network.store.security_groups import (
    DEFAULT_GROUP,
    GROUP_COLUMNS,
    RULE_COLUMNS,
    create_security_group,
    create_security_group_rule,
    delete_security_group,
    delete_security_group_rule,
    ensure_default_security_group,
    get_security_group,
    get_security_group_rule,
    list_security_group_rules,
    list_security_groups,
    update_security_group,
)
from novalite.network.store.subnets import (
    SUBNET_COLUMNS,
    create_subnet,
    delete_subnet,
    get_subnet,
    list_subnets,
    update_subnet,
)

__all__ = [
    "DEFAULT_GROUP",
    "GROUP_COLUMNS",
    "MAC_ATTEMPTS",
    "NETWORK_COLUMNS",
    "PORT_COLUMNS",
    "RULE_COLUMNS",
    "SUBNET_COLUMNS",
    "count_allocations",
    "create_network",
    "create_port",
    "create_security_group",
    "create_security_group_rule",
    "create_subnet",
    "delete_network",
    "delete_port",
    "delete_security_group",
    "delete_security_group_rule",
    "delete_subnet",
    "ensure_default_security_group",
    "find_network_by_name",
    "get_network",
    "get_port",
    "get_security_group",
    "get_security_group_rule",
    "get_subnet",
    "list_networks",
    "list_ports",
    "list_security_group_rules",
    "list_security_groups",
    "list_subnets",
    "new_id",
    "set_port_status",
    "update_network",
    "update_port",
    "update_security_group",
    "update_subnet",
]
