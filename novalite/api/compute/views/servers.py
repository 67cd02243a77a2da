"""Server bodies, field by field as Nova's ``views/servers.py`` gives them per microversion
(``doc/api_samples/servers/v2.100/server-get-resp.json`` and the reference's §1.3)."""

from __future__ import annotations

import hashlib
from typing import Any

from novalite.api.compute import common
from novalite.common import policy
from novalite.common.wsgi import Request
from novalite.compute import network
from novalite.conf import CONF
from novalite.db import block_devices, server_groups

# Statuses that show a ``progress`` field (Nova's _progress_statuses).
_PROGRESS_STATUSES = {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"}


def _naive_iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def host_id(instance: dict[str, Any]) -> str:
    host = instance.get("host")
    if not host:
        return ""
    return hashlib.sha224((instance["project_id"] + host).encode()).hexdigest()


def basic(request: Request, instance: dict[str, Any]) -> dict[str, Any]:
    return {"id": instance["uuid"], "name": instance["display_name"],
            "links": common.links(request, "servers", instance["uuid"])}


def _image(request: Request, instance: dict[str, Any]) -> Any:
    image_id = instance.get("image_ref")
    if not image_id:
        return ""
    body: dict[str, Any] = {"id": image_id, "links": [
        {"rel": "bookmark", "href": common.links(request, "images", image_id)[1]["href"]}]}
    if common.at_least(request, "2.98"):
        system = instance.get("system_metadata") or {}
        body["properties"] = {key[len("image_"):]: value for key, value in system.items()
                              if key.startswith("image_")}
    return body


def _flavor(request: Request, instance: dict[str, Any], show_extra_specs: bool) -> Any:
    flavor = instance.get("flavor") or {}
    if not common.at_least(request, "2.47"):
        flavor_id = instance.get("instance_type_id") or flavor.get("flavorid")
        return {"id": flavor_id, "links": [
            {"rel": "bookmark", "href": common.links(request, "flavors", flavor_id)[1]["href"]}]}
    body: dict[str, Any] = {
        "vcpus": flavor.get("vcpus", instance.get("vcpus")),
        "ram": flavor.get("memory_mb", instance.get("memory_mb")),
        "disk": flavor.get("root_gb", instance.get("root_gb")),
        "ephemeral": flavor.get("ephemeral_gb", instance.get("ephemeral_gb", 0)),
        "swap": flavor.get("swap", 0),
        "original_name": flavor.get("name")}
    if show_extra_specs:
        body["extra_specs"] = flavor.get("extra_specs") or {}
    return body


def _fault(instance: dict[str, Any], is_admin: bool) -> dict[str, Any] | None:
    fault = instance.get("fault")
    if not fault:
        return None
    body = {"code": fault["code"], "created": common.isotime(fault["created_at"]),
            "message": fault["message"]}
    if is_admin and fault.get("details"):
        body["details"] = fault["details"]
    return body


class HostStatus:
    """``host_status`` (2.16) of a host, looked up once per request."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, host: str | None) -> str:
        if not host:
            return ""
        if host not in self._cache:
            from novalite.db import service_store

            rows = service_store.list_services(binary="novalite-compute", host=host)
            if not rows:
                self._cache[host] = "UNKNOWN"
            elif rows[0]["state"] != "up":
                self._cache[host] = "DOWN"
            elif rows[0]["disabled"]:
                self._cache[host] = "MAINTENANCE"
            else:
                self._cache[host] = "UP"
        return self._cache[host]


def volumes_attached(request: Request, mappings: list[dict[str, Any]]
                     ) -> list[dict[str, Any]]:
    """``os-extended-volumes:volumes_attached``: each volume's id, and from 2.3 whether
    it goes with the server."""
    with_delete = common.at_least(request, "2.3")
    return [{"id": bdm["volume_id"], **({"delete_on_termination": bool(
        bdm["delete_on_termination"])} if with_delete else {})}
        for bdm in mappings if bdm.get("volume_id")]


def show(request: Request, instance: dict[str, Any], host_status: HostStatus | None = None,
         in_list: bool = False,
         security_groups: dict[str, list[dict[str, str]]] | None = None,
         volumes: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """``security_groups``: the lookup of ``network.security_groups_by_server`` for a
    list, ``volumes`` that of ``block_devices.list_for_instances``; a single server's
    are looked up here."""
    ctxt = request.context
    is_admin = policy.check(ctxt, "os_compute_api:os-extended-server-attributes",
                            {"project_id": instance["project_id"]})
    status = instance["status"]
    body = basic(request, instance)
    body.update({
        "status": status,
        "tenant_id": instance["project_id"],
        "user_id": instance["user_id"],
        "metadata": instance.get("metadata") or {},
        "hostId": host_id(instance),
        "image": _image(request, instance),
        "flavor": _flavor(request, instance, policy.check(
            ctxt, "os_compute_api:os-flavor-extra-specs:index",
            {"project_id": instance["project_id"]})),
        "created": common.isotime(instance["created_at"]),
        "updated": common.isotime(instance["updated_at"] or instance["created_at"]),
        "addresses": network.addresses(instance.get("network_info") or []),
        "accessIPv4": instance.get("access_ip_v4") or "",
        "accessIPv6": instance.get("access_ip_v6") or "",
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": instance.get("availability_zone") or "",
        "config_drive": instance.get("config_drive") or "",
        "key_name": instance.get("key_name"),
        "OS-SRV-USG:launched_at": _naive_iso(instance.get("launched_at")),
        "OS-SRV-USG:terminated_at": _naive_iso(instance.get("terminated_at")),
        "OS-EXT-STS:vm_state": instance["vm_state"],
        "OS-EXT-STS:task_state": instance["task_state"],
        "OS-EXT-STS:power_state": instance["power_state"],
        "os-extended-volumes:volumes_attached": volumes_attached(
            request, (volumes if volumes is not None else block_devices.list_for_instances(
                [instance["uuid"]])).get(instance["uuid"]) or []),
    })
    if security_groups is None:
        security_groups = network.security_groups_by_server(ctxt, [instance])
    if security_groups.get(instance["uuid"]):
        body["security_groups"] = security_groups[instance["uuid"]]
    if status in _PROGRESS_STATUSES:
        body["progress"] = instance.get("progress") or 0
    if status in ("ERROR", "DELETED"):
        fault = _fault(instance, is_admin)
        if fault:
            body["fault"] = fault
    if is_admin:
        body["OS-EXT-SRV-ATTR:host"] = instance.get("host")
        body["OS-EXT-SRV-ATTR:instance_name"] = CONF.instance_name_template % int(
            instance["id"])
        body["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.get("node")
        if common.at_least(request, "2.3"):
            body.update({
                "OS-EXT-SRV-ATTR:kernel_id": instance.get("kernel_id") or "",
                "OS-EXT-SRV-ATTR:launch_index": instance.get("launch_index") or 0,
                "OS-EXT-SRV-ATTR:ramdisk_id": instance.get("ramdisk_id") or "",
                "OS-EXT-SRV-ATTR:reservation_id": instance.get("reservation_id"),
                "OS-EXT-SRV-ATTR:root_device_name": instance.get("root_device_name"),
                "OS-EXT-SRV-ATTR:user_data": instance.get("user_data")})
    if (is_admin or common.at_least(request, "2.90")) and common.at_least(request, "2.3"):
        body["OS-EXT-SRV-ATTR:hostname"] = instance.get("hostname")
    if common.at_least(request, "2.9"):
        body["locked"] = bool(instance.get("locked"))
    if common.at_least(request, "2.16") and is_admin:
        body["host_status"] = (host_status or HostStatus())(instance.get("host"))
    if common.at_least(request, "2.19"):
        body["description"] = instance.get("display_description")
    if common.at_least(request, "2.26"):
        body["tags"] = instance.get("tags") or []
    if common.at_least(request, "2.63"):
        body["trusted_image_certificates"] = None
    if common.at_least(request, "2.71") and not in_list:
        group = server_groups.groups_of([instance["uuid"]]).get(instance["uuid"])
        body["server_groups"] = [group] if group else []
    if common.at_least(request, "2.73"):
        body["locked_reason"] = instance.get("locked_reason")
    if common.at_least(request, "2.96"):
        body["pinned_availability_zone"] = (instance.get("system_metadata") or {}).get(
            "requested_availability_zone")
    if common.at_least(request, "2.100"):
        hints = (instance.get("system_metadata") or {}).get("scheduler_hints") or {}
        # the hints are kept as lists of strings (as Nova's request spec); one value
        # shows as that value (the group hint is a single uuid in Nova's schema)
        body["scheduler_hints"] = {key: value[0] if isinstance(value, list) and
                                   len(value) == 1 else value
                                   for key, value in hints.items()}
    return body
