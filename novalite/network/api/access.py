"""Who sees what: a project sees its own resources, shared and external networks (and
their subnets), and the ports on its own networks; admin sees everything. A resource the
caller may not see is answered 404, exactly like one that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.network import exceptions as exc
from novalite.network import store


def can_see_network(ctxt: RequestContext, network: dict[str, Any]) -> bool:
    """Own, shared and external networks (every project may route to those)."""
    return (ctxt.is_admin or network["shared"] or network.get("router_external", False)
            or network["project_id"] == ctxt.project_id)


def load_network(ctxt: RequestContext, network_id: str) -> dict[str, Any]:
    network = store.get_network(network_id) if is_uuid(network_id) else None
    if network is None or not can_see_network(ctxt, network):
        raise exc.NetworkNotFound(net_id=network_id)
    return network


def load_subnet(ctxt: RequestContext, subnet_id: str) -> dict[str, Any]:
    subnet = store.get_subnet(subnet_id) if is_uuid(subnet_id) else None
    if subnet is None:
        raise exc.SubnetNotFound(subnet_id=subnet_id)
    if ctxt.is_admin or subnet["project_id"] == ctxt.project_id:
        return subnet
    network = store.get_network(subnet["network_id"])
    if network is None or not can_see_network(ctxt, network):
        raise exc.SubnetNotFound(subnet_id=subnet_id)
    return subnet


def _owned(ctxt: RequestContext, row: dict[str, Any] | None,
           parent: Callable[[dict[str, Any]], dict[str, Any] | None],
           not_found: Callable[[], Exception]) -> dict[str, Any]:
    """``row`` when the caller is admin, owns it, or owns its ``parent``; else 404."""
    if row is None:
        raise not_found()
    if ctxt.is_admin or row["project_id"] == ctxt.project_id:
        return row
    owner = parent(row)
    if owner is None or owner["project_id"] != ctxt.project_id:
        raise not_found()
    return row


def load_port(ctxt: RequestContext, port_id: str) -> dict[str, Any]:
    return _owned(ctxt, store.get_port(port_id) if is_uuid(port_id) else None,
                  lambda port: store.get_network(port["network_id"]),
                  lambda: exc.PortNotFound(port_id=port_id))


def load_security_group(ctxt: RequestContext, group_id: str) -> dict[str, Any]:
    group = store.get_security_group(group_id) if is_uuid(group_id) else None
    if group is None or not (ctxt.is_admin or group["project_id"] == ctxt.project_id):
        raise exc.SecurityGroupNotFound(id=group_id)
    return group


def load_security_group_rule(ctxt: RequestContext, rule_id: str) -> dict[str, Any]:
    return _owned(ctxt, store.get_security_group_rule(rule_id) if is_uuid(rule_id) else None,
                  lambda rule: store.get_security_group(rule["security_group_id"]),
                  lambda: exc.SecurityGroupRuleNotFound(id=rule_id))


def load_router(ctxt: RequestContext, router_id: str) -> dict[str, Any]:
    router = store.get_router(router_id) if is_uuid(router_id) else None
    if router is None or not (ctxt.is_admin or router["project_id"] == ctxt.project_id):
        raise exc.RouterNotFound(router_id=router_id)
    return router


def load_floatingip(ctxt: RequestContext, fip_id: str) -> dict[str, Any]:
    fip = store.get_floatingip(fip_id) if is_uuid(fip_id) else None
    if fip is None or not (ctxt.is_admin or fip["project_id"] == ctxt.project_id):
        raise exc.FloatingIPNotFound(floatingip_id=fip_id)
    return fip
