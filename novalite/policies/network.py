"""Default policy rules of the network API (Neutron's rule names under ``network:``).

Visibility (which networks, ports ... a project sees at all) is decided in code and
in SQL, as Neutron does; these rules say who may act. Targets carry ``project_id`` =
the owner of the resource acted on (for subnets and fixed addresses: the network's
owner, Neutron's "network owner").
"""

from oslo_policy import policy

from novalite.common.policy import (
    ADMIN,
    ADMIN_OR_PROJECT_MEMBER,
    ADMIN_OR_PROJECT_READER,
    register_rules,
)

ADMIN_OR_READER = f"({ADMIN}) or role:reader"
ADMIN_OR_SERVICE = f"({ADMIN}) or role:service"
TAGGED = ("networks", "subnets", "ports", "security_groups", "routers", "floatingips")

_RULES = [
    ("get_network", ADMIN_OR_READER, "Show or list networks the caller may see."),
    ("create_network", ADMIN_OR_PROJECT_MEMBER, "Create a network."),
    ("create_network:shared", ADMIN, "Create a network shared with every project."),
    ("create_network:router:external", ADMIN, "Create an external network."),
    ("update_network", ADMIN_OR_PROJECT_MEMBER, "Update a network."),
    ("update_network:shared", ADMIN, "Share or unshare a network."),
    ("update_network:router:external", ADMIN, "Make a network external."),
    ("delete_network", ADMIN_OR_PROJECT_MEMBER, "Delete a network."),
    ("get_subnet", ADMIN_OR_READER, "Show or list subnets."),
    ("create_subnet", ADMIN_OR_PROJECT_MEMBER, "Create a subnet on one's own network."),
    ("update_subnet", ADMIN_OR_PROJECT_MEMBER, "Update a subnet of one's own network."),
    ("delete_subnet", ADMIN_OR_PROJECT_MEMBER, "Delete a subnet of one's own network."),
    ("get_port", ADMIN_OR_READER, "Show or list ports."),
    ("create_port", ADMIN_OR_PROJECT_MEMBER, "Create a port (also on a shared network)."),
    ("create_port:fixed_ips:ip_address", ADMIN_OR_PROJECT_MEMBER,
     "Ask for a given address (target: the network's owner)."),
    ("create_port:mac_address", ADMIN, "Give a port a chosen MAC address."),
    ("create_port:binding:host_id", ADMIN, "Bind a port to a host."),
    ("create_port:binding:profile", ADMIN, "Set a port's binding profile."),
    ("update_port", ADMIN_OR_PROJECT_MEMBER, "Update a port."),
    ("update_port:fixed_ips:ip_address", ADMIN_OR_PROJECT_MEMBER,
     "Ask for a given address (target: the network's owner)."),
    ("update_port:mac_address", ADMIN, "Change a port's MAC address."),
    ("update_port:binding:host_id", ADMIN, "Bind a port to a host."),
    ("update_port:binding:profile", ADMIN, "Set a port's binding profile."),
    ("create_port:port_security_enabled", ADMIN_OR_PROJECT_MEMBER,
     "Turn a new port's security off (target: the network's owner)."),
    ("update_port:port_security_enabled", ADMIN_OR_PROJECT_MEMBER,
     "Turn a port's security on or off (target: the network's owner)."),
    ("delete_port", ADMIN_OR_PROJECT_MEMBER, "Delete a port."),
    ("get_security_group", ADMIN_OR_READER, "Show or list security groups."),
    ("create_security_group", ADMIN_OR_PROJECT_MEMBER, "Create a security group."),
    ("update_security_group", ADMIN_OR_PROJECT_MEMBER, "Update a security group."),
    ("delete_security_group", ADMIN_OR_PROJECT_MEMBER, "Delete a security group."),
    ("get_security_group_rule", ADMIN_OR_READER, "Show or list security group rules."),
    ("create_security_group_rule", ADMIN_OR_PROJECT_MEMBER, "Add a security group rule."),
    ("delete_security_group_rule", ADMIN_OR_PROJECT_MEMBER, "Delete a security group rule."),
    ("get_router", ADMIN_OR_READER, "Show or list routers."),
    ("create_router", ADMIN_OR_PROJECT_MEMBER, "Create a router."),
    ("create_router:external_gateway_info:network_id", ADMIN_OR_PROJECT_MEMBER,
     "Give a new router a gateway on an external network."),
    ("create_router:external_gateway_info:enable_snat", ADMIN,
     "Choose whether a new router's gateway masquerades its subnets."),
    ("create_router:external_gateway_info:external_fixed_ips", ADMIN,
     "Choose a new router's external address."),
    ("update_router", ADMIN_OR_PROJECT_MEMBER, "Update a router."),
    ("update_router:external_gateway_info:network_id", ADMIN_OR_PROJECT_MEMBER,
     "Set or clear a router's gateway."),
    ("update_router:external_gateway_info:enable_snat", ADMIN,
     "Turn a router's SNAT on or off."),
    ("update_router:external_gateway_info:external_fixed_ips", ADMIN,
     "Choose a router's external address."),
    ("delete_router", ADMIN_OR_PROJECT_MEMBER, "Delete a router."),
    ("add_router_interface", ADMIN_OR_PROJECT_MEMBER, "Attach a subnet or port to a router."),
    ("remove_router_interface", ADMIN_OR_PROJECT_MEMBER,
     "Detach a subnet or port from a router."),
    ("get_floatingip", ADMIN_OR_READER, "Show or list floating IPs."),
    ("create_floatingip", ADMIN_OR_PROJECT_MEMBER, "Allocate a floating IP."),
    ("create_floatingip:floating_ip_address", ADMIN, "Allocate a chosen floating address."),
    ("update_floatingip", ADMIN_OR_PROJECT_MEMBER, "Associate or disassociate a floating IP."),
    ("delete_floatingip", ADMIN_OR_PROJECT_MEMBER, "Release a floating IP."),
    ("get_floatingip_pool", ADMIN_OR_READER, "List the floating IP pools."),
    ("get_agent", ADMIN, "Show or list agents."),
    ("update_agent", ADMIN, "Enable, disable or describe an agent."),
    ("delete_agent", ADMIN, "Delete an agent."),
    ("report_agent_state", ADMIN_OR_SERVICE,
     "Report a host's data plane agent (novalite's stand-in for Neutron's RPC report)."),
    ("get_availability_zone", ADMIN_OR_READER, "List the network availability zones."),
    *[rule for collection in TAGGED for rule in (
        (f"get_{collection}_tags", ADMIN_OR_PROJECT_READER,
         f"Read the tags of {collection} (target: the resource's owner)."),
        (f"create_{collection}_tags", ADMIN_OR_PROJECT_MEMBER, f"Add tags to {collection}."),
        (f"update_{collection}_tags", ADMIN_OR_PROJECT_MEMBER,
         f"Set or add tags of {collection}."),
        (f"delete_{collection}_tags", ADMIN_OR_PROJECT_MEMBER,
         f"Remove tags of {collection}."))],
    ("get_quota", f"({ADMIN}) or (role:reader and project_id:%(project_id)s)",
     "Show a project's quotas."),
    ("update_quota", ADMIN, "Change a project's quotas."),
    ("delete_quota", ADMIN, "Reset a project's quotas to the defaults."),
]

RULES = [policy.RuleDefault(f"network:{name}", check, description=description)
         for name, check, description in _RULES]


def register() -> None:
    register_rules(RULES)
