"""``/servers/{id}/os-interface``: list, show, attach (a network, a port, an address) and
detach a server's ports, as Nova's ``attach_interfaces.py``."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.compute import network, states
from novalite.compute.rpcapi import ComputeAPI
from novalite.db import instances as instance_db

_RULE = "os_compute_api:os-attach-interfaces"
# vm_states in which Nova lets a port be attached or detached
_ATTACHABLE = (states.ACTIVE, states.PAUSED, states.STOPPED)


def register(router: wsgi.Router) -> None:
    base = "/servers/{server_id}/os-interface"
    router.add("GET", base, index)
    router.add("POST", base, create)
    router.add("GET", base + "/{port_id}", show)
    router.add("DELETE", base + "/{port_id}", delete)


def _view(request: Request, vif: dict[str, Any]) -> dict[str, Any]:
    network = vif.get("network") or {}
    body: dict[str, Any] = {
        "net_id": network.get("id"), "port_id": vif["id"], "mac_addr": vif.get("address"),
        "port_state": "ACTIVE" if vif.get("active", True) else "DOWN",
        "fixed_ips": [{"subnet_id": subnet.get("id"), "ip_address": ip["address"]}
                      for subnet in network.get("subnets", ()) for ip in subnet.get("ips", ())]}
    if common.version(request) >= (2, 70):
        body["tag"] = vif.get("tag")
    return body


def index(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:list")
    return wsgi.json_response({"interfaceAttachments": [
        _view(request, vif) for vif in instance.get("network_info") or ()]})


def show(request: Request, server_id: str, port_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:show")
    for vif in instance.get("network_info") or ():
        if vif["id"] == port_id:
            return wsgi.json_response({"interfaceAttachment": _view(request, vif)})
    raise exception.NotFound(message=f"Port {port_id} is not attached")


def _check_state(request: Request, instance: dict[str, Any], action: str) -> None:
    """409 unless the server is unlocked (or the caller an admin), idle, in a state ports
    can be changed in, and on a host."""
    if instance.get("locked") and not request.context.is_admin:
        raise exception.InstanceIsLocked(instance_uuid=instance["uuid"])
    if instance["vm_state"] not in _ATTACHABLE or instance.get("task_state"):
        raise exception.InstanceInvalidState(
            message=f"Cannot '{action}' instance {instance['uuid']} while it is in "
                    f"vm_state {instance['vm_state']}")
    if not instance.get("host"):
        raise exception.InstanceInvalidState(
            message=f"Instance {instance['uuid']} is not on a host")


def create(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:create")
    body = request.json_body_dict()
    attachment = body.get("interfaceAttachment")
    if not isinstance(attachment, dict):
        raise exception.ValidationError(
            message="Invalid input for field/attribute interfaceAttachment.")
    net_id, port_id = attachment.get("net_id"), attachment.get("port_id")
    fixed_ips = attachment.get("fixed_ips") or []
    if net_id and port_id:
        raise exception.Invalid(message="Must not input both network_id and port_id")
    if fixed_ips and not net_id:
        raise exception.Invalid(message="Must input network_id when request IP address")
    if not isinstance(fixed_ips, list) or len(fixed_ips) > 1 or not all(
            isinstance(ip, dict) and isinstance(ip.get("ip_address"), str) for ip in fixed_ips):
        raise exception.ValidationError(
            message="Invalid input for field/attribute fixed_ips.")
    _check_state(request, instance, "attach_interface")
    if not net_id and not port_id:
        requested = network.validate_requested_networks(request.context, "auto")
        if requested == "none":
            raise exception.Invalid(message="No network is available to attach to")
        net_id = requested[0]["network_id"]
    else:
        network.validate_requested_networks(
            request.context, [{"uuid": net_id} if net_id else {"port": port_id}])
    # the compute node records its event under this action, as in Nova
    instance_db.action_start(request.context, instance["uuid"], "attach_interface")
    vif = ComputeAPI().attach_interface(
        request.context, instance, net_id, port_id,
        fixed_ips[0]["ip_address"] if fixed_ips else None)
    return wsgi.json_response({"interfaceAttachment": _view(request, vif)})


def delete(request: Request, server_id: str, port_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:delete")
    _check_state(request, instance, "detach_interface")
    if not any(vif["id"] == port_id for vif in instance.get("network_info") or ()):
        raise exception.NotFound(message=f"Port {port_id} is not attached")
    instance_db.action_start(request.context, instance["uuid"], "detach_interface")
    ComputeAPI().detach_interface(request.context, instance, port_id)
    return webob.Response(status=202)
