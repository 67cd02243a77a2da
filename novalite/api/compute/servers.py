"""``/servers``: create, list (and detail), show, update, delete."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import servers as schemas
from novalite.api.compute.views import servers as views
from novalite.common import exception, policy, rpc, wsgi
from novalite.common.wsgi import Request
from novalite.compute import network
from novalite.compute.api import API
from novalite.compute.boot_request import BootRequest
from novalite.conf import CONF
from novalite.db import block_devices, instances
from novalite.policies import servers as server_policies

server_policies.register()

# Query parameters of GET /servers (the rest are a 400 from 2.75 on).
_USER_FILTERS = {"name", "status", "image", "flavor", "changes-since", "changes-before",
                 "tags", "tags-any", "not-tags", "not-tags-any", "locked",
                 "availability_zone", "key_name", "description", "ip", "ip6", "reservation_id",
                 "deleted", "limit", "marker", "sort_key", "sort_dir", "all_tenants",
                 "user_id", "uuid", "created_at", "launched_at", "terminated_at",
                 "config_drive", "access_ip_v4", "access_ip_v6", "progress"}
_ADMIN_FILTERS = {"host", "node", "project_id", "tenant_id", "vm_state", "task_state",
                  "power_state", "hostname", "kernel_id", "ramdisk_id", "launch_index",
                  "root_device_name", "user_data", "terminated_at", "image_ref"}


def compute_api() -> API:
    """The compute API bound to the current RPC transport (rebuilt if it was replaced)."""
    global _API
    transport = rpc.get_transport()
    if _API is None or _API[0] is not transport:
        _API = (transport, API())
    return _API[1]


_API: tuple[object, API] | None = None


def get_instance(request: Request, server_id: str, action: str | None = None
                 ) -> dict[str, Any]:
    """The caller's instance (404 for another project's), then its policy check."""
    instance = instances.get(request.context, server_id)
    if action is not None:
        policy.authorize(request.context, action, {"project_id": instance["project_id"],
                                                   "user_id": instance["user_id"]})
    return instance


# --- list -----------------------------------------------------------------------------

def _list_filters(request: Request) -> tuple[dict[str, Any], bool]:
    ctxt = request.context
    allowed = set(_USER_FILTERS)
    admin = policy.check(ctxt, "os_compute_api:servers:allow_all_filters")
    if admin:
        allowed |= _ADMIN_FILTERS
    filters: dict[str, Any] = {}
    for key in request.GET:
        values = request.GET.getall(key)
        if key not in _USER_FILTERS | _ADMIN_FILTERS:
            if common.at_least(request, "2.75"):
                raise exception.ValidationError(
                    message=f"Invalid input for query parameters {key}. Additional "
                            "properties are not allowed")
            continue
        if key not in allowed:
            continue  # admin-only filters are ignored for others, as in Nova
        filters[key] = values if len(values) > 1 else values[0]
    all_tenants = False
    if "all_tenants" in filters:
        raw = filters.pop("all_tenants")
        all_tenants = raw in ("", None) or common.parse_bool(raw, "all_tenants")
        if all_tenants:
            policy.authorize(ctxt, "os_compute_api:servers:detail:get_all_tenants")
    tenant = filters.pop("tenant_id", None) or filters.get("project_id")
    if tenant:
        filters["project_id"] = tenant
        all_tenants = True if admin else all_tenants
    if "image" in filters:
        filters["image_ref"] = filters.pop("image")
    if "flavor" in filters:
        filters["instance_type_id"] = filters.pop("flavor")
    if "deleted" in filters:
        deleted = common.parse_bool(filters.pop("deleted"), "deleted")
        if deleted and admin:
            filters["deleted"] = True
    for key in ("changes-since", "changes-before"):
        if key in filters:
            filters[key] = common.parse_isotime(filters[key], key)
    for key in ("tags", "tags-any", "not-tags", "not-tags-any"):
        if key in filters:
            filters[key] = [tag for tag in str(filters[key]).split(",") if tag]
    if "locked" in filters:
        filters["locked"] = common.parse_bool(filters["locked"], "locked")
    for key in ("ip", "ip6", "description", "created_at", "launched_at", "terminated_at",
                "config_drive", "access_ip_v4", "access_ip_v6", "progress", "user_data",
                "hostname", "kernel_id", "ramdisk_id", "root_device_name", "sort_key",
                "sort_dir", "limit", "marker"):
        filters.pop(key, None)
    return filters, all_tenants


def _list(request: Request, detailed: bool) -> webob.Response:
    ctxt = request.context
    policy.authorize(ctxt, "os_compute_api:servers:detail" if detailed
                     else "os_compute_api:servers:index")
    filters, all_tenants = _list_filters(request)
    limit, marker = common.page_params(request)
    sort_keys = request.GET.getall("sort_key") or None
    sort_dirs = request.GET.getall("sort_dir") or None
    found = instances.list_instances(ctxt, filters, sort_keys=sort_keys, sort_dirs=sort_dirs,
                                     limit=limit, marker=marker, all_tenants=all_tenants)
    host_status = views.HostStatus()
    groups = network.security_groups_by_server(ctxt, found) if detailed else {}
    volumes = block_devices.list_for_instances(i["uuid"] for i in found) if detailed else {}
    servers = [views.show(request, i, host_status, in_list=True, security_groups=groups,
                          volumes=volumes)
               if detailed
               else views.basic(request, i) for i in found]
    body: dict[str, Any] = {"servers": servers}
    if limit and len(found) == limit:
        path = "servers/detail" if detailed else "servers"
        body["servers_links"] = common.next_link(request, path, found[-1]["uuid"])
    return wsgi.json_response(body)


def index(request: Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:servers:show")
    return wsgi.json_response({"server": views.show(request, instance)})


# --- create ---------------------------------------------------------------------------

def _image_id(server: dict[str, Any]) -> str | None:
    image_ref = server.get("imageRef")
    if image_ref:
        return str(image_ref).rstrip("/").rsplit("/", 1)[-1]
    for bdm in server.get("block_device_mapping_v2") or ():
        if bdm.get("source_type") == "image" and bdm.get("destination_type", "local") == "local":
            return str(bdm.get("uuid") or "") or None
    return None


def _count(value: Any, name: str) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise exception.ValidationError(
            message=f"Invalid input for field/attribute {name}. Value: {value}.") from None
    if count < 1:
        raise exception.ValidationError(
            message=f"Invalid input for field/attribute {name}. Value: {value}. "
                    f"{value} is less than the minimum of 1")
    return count


def _user_data(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise exception.ValidationError(
            message="Invalid input for field/attribute user_data. Value: <hidden>. "
                    "'user_data' is not valid base64") from None
    return value


def _availability_zone(request: Request, zone: str | None
                       ) -> tuple[str | None, list[str], list[str]]:
    """``zone`` or ``zone:host[:node]`` (admin) → the zone, forced hosts and nodes."""
    if not zone:
        return None, [], []
    zone_name, _, rest = zone.partition(":")
    hosts: list[str] = []
    nodes: list[str] = []
    if rest:
        policy.authorize(request.context, "os_compute_api:servers:create:forced_host")
        host, _, node = rest.partition(":")
        hosts = [host] if host else []
        nodes = [node] if node else []
    return zone_name or None, hosts, nodes


def create(request: Request) -> webob.Response:
    """Parse and validate, build one BootRequest, hand it to the compute API, render."""
    ctxt = request.context
    body = request.json_body_dict()
    validation.validate(schemas.create(common.version(request)), body)
    server = body["server"]
    policy.authorize(ctxt, "os_compute_api:servers:create")
    min_count = _count(server.get("min_count", 1), "min_count")
    max_count = _count(server.get("max_count", min_count), "max_count")
    if min_count > max_count:
        raise exception.Invalid(message="min_count must be <= max_count")
    if server.get("block_device_mapping"):
        raise exception.Invalid(message="block_device_mapping (v1) is not supported; "
                                        "use block_device_mapping_v2.")
    zone, force_hosts, force_nodes = _availability_zone(request, server.get("availability_zone"))
    if "host" in server or "hypervisor_hostname" in server:
        policy.authorize(ctxt, "os_compute_api:servers:create:forced_host")
        if server.get("host"):
            force_hosts = [server["host"]]
        if server.get("hypervisor_hostname"):
            force_nodes = [server["hypervisor_hostname"]]
    config_drive = server.get("config_drive")
    boot = BootRequest(
        name=server["name"], flavor_ref=str(server["flavorRef"]), image_ref=_image_id(server),
        min_count=min_count, max_count=max_count, key_name=server.get("key_name"),
        user_data=_user_data(server.get("user_data")), metadata=server.get("metadata") or {},
        availability_zone=zone, force_hosts=force_hosts, force_nodes=force_nodes,
        description=server.get("description"), hostname=server.get("hostname"),
        config_drive=config_drive not in (None, False, "", "false", "False"),
        tags=server.get("tags") or [], access_ip_v4=server.get("accessIPv4"),
        access_ip_v6=server.get("accessIPv6"), networks=server.get("networks"),
        security_groups=[group["name"] for group in server.get("security_groups") or ()],
        block_device_mapping_v2=server.get("block_device_mapping_v2") or [],
        scheduler_hints=dict(body.get("os:scheduler_hints")
                             or body.get("OS-SCH-HNT:scheduler_hints") or {}))
    created, reservation_id = compute_api().create(ctxt, boot)
    if common.parse_bool(server.get("return_reservation_id", False), "return_reservation_id"):
        return wsgi.json_response({"reservation_id": reservation_id}, status=202)
    first = created[0]
    links = common.links(request, "servers", first["uuid"])
    result = {"id": first["uuid"], "links": links, "OS-DCF:diskConfig": "MANUAL",
              "security_groups": [{"name": group["name"]}
                                  for group in server.get("security_groups") or ()]
              or [{"name": "default"}],
              "adminPass": server.get("adminPass") or secrets.token_urlsafe(9)}
    return wsgi.json_response({"server": result}, status=202,
                              headers={"Location": links[0]["href"]})


# --- update / delete ------------------------------------------------------------------

def update(request: Request, server_id: str) -> webob.Response:
    body = request.json_body_dict()
    validation.validate(schemas.update(common.version(request)), body)
    instance = get_instance(request, server_id, "os_compute_api:servers:update")
    changes: dict[str, Any] = {}
    server = body["server"]
    field_map = {"name": "display_name", "description": "display_description",
                 "accessIPv4": "access_ip_v4", "accessIPv6": "access_ip_v6",
                 "hostname": "hostname"}
    for field, column in field_map.items():
        if field in server:
            changes[column] = server[field]
    if changes:
        instance = instances.update(request.context, instance["uuid"], changes)
    return wsgi.json_response({"server": views.show(request, instance)})


def delete(request: Request, server_id: str) -> webob.Response:
    """With ``[DEFAULT] reclaim_instance_interval`` a soft delete (SOFT_DELETED, restorable)
    unless the server never launched, as Nova does."""
    instance = get_instance(request, server_id, "os_compute_api:servers:delete")
    if CONF.reclaim_instance_interval:
        try:
            compute_api().soft_delete(request.context, instance)
        except exception.InstanceInvalidState:
            compute_api().delete(request.context, instance)
    else:
        compute_api().delete(request.context, instance)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers", index),
    wsgi.Route("GET", "/servers/detail", detail),
    wsgi.Route("POST", "/servers", create),
    wsgi.Route("GET", "/servers/{server_id}", show),
    wsgi.Route("PUT", "/servers/{server_id}", update),
    wsgi.Route("DELETE", "/servers/{server_id}", delete),
)
