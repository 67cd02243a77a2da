"""Default policy rules of the network API (Neutron's rule names under ``network:``).

Visibility (which networks, ports ... a project sees at all) is decided in code and
in SQL, as Neutron does; these rules say who may act. Targets carry ``project_id`` =
the owner of the resource acted on (for subnets and fixed addresses: the network's
owner, Neutron's "network owner").
"""

from oslo_policy import policy

from novalite.common.policy import ADMIN, ADMIN_OR_PROJECT_MEMBER, register_rules

ADMIN_OR_READER = f"({ADMIN}) or role:reader"

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
    ("delete_port", ADMIN_OR_PROJECT_MEMBER, "Delete a port."),
    ("get_security_group", ADMIN_OR_READER, "Show or list security groups."),
    ("create_security_group", ADMIN_OR_PROJECT_MEMBER, "Create a security group."),
    ("update_security_group", ADMIN_OR_PROJECT_MEMBER, "Update a security group."),
    ("delete_security_group", ADMIN_OR_PROJECT_MEMBER, "Delete a security group."),
    ("get_security_group_rule", ADMIN_OR_READER, "Show or list security group rules."),
    ("create_security_group_rule", ADMIN_OR_PROJECT_MEMBER, "Add a security group rule."),
    ("delete_security_group_rule", ADMIN_OR_PROJECT_MEMBER, "Delete a security group rule."),
    ("get_quota", f"({ADMIN}) or (role:reader and project_id:%(project_id)s)",
     "Show a project's quotas."),
    ("update_quota", ADMIN, "Change a project's quotas."),
    ("delete_quota", ADMIN, "Reset a project's quotas to the defaults."),
]

RULES = [policy.RuleDefault(f"network:{name}", check, description=description)
         for name, check, description in _RULES]


def register() -> None:
    register_rules(RULES)
