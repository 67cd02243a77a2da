"""First-start content of the network service: the shared default network.

``ensure_default_network`` is idempotent: it creates the network named
``[network] default_network_name`` (shared, owned by the given project) and a subnet of
``[network] default_network_cidr`` when missing, and leaves them alone otherwise. This
is what ``server create --nic auto`` lands on.
"""

from __future__ import annotations

import logging
from typing import Any

from novalite.conf import CONF
from novalite.network import ipam, store

LOG = logging.getLogger(__name__)


def ensure_default_network(project_id: str) -> dict[str, Any]:
    """The default network (with its ``subnets`` ids), made if missing."""
    name = CONF.network.default_network_name
    network = store.find_network_by_name(name, project_id)
    if network is None:
        network = store.create_network({"name": name, "project_id": project_id,
                                        "shared": True, "admin_state_up": True,
                                        "description": "Default network of this cloud"})
        LOG.info("Created the shared default network %s (%s)", name, network["id"])
    if not network["subnets"]:
        cidr = ipam.parse_cidr(CONF.network.default_network_cidr)
        gateway = ipam.default_gateway(cidr)
        subnet = store.create_subnet({
            "network_id": network["id"], "project_id": project_id, "name": f"{name}-subnet",
            "cidr": str(cidr), "gateway_ip": gateway, "ip_version": 4, "enable_dhcp": True,
            "allocation_pools": ipam.default_pools(cidr, gateway), "dns_nameservers": []})
        network["subnets"] = [subnet["id"]]
        LOG.info("Created subnet %s of the default network", cidr)
    return network
