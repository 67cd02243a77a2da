"""``/os-hypervisors``: the compute nodes, from placement's resource providers and the
compute services' rows, field by field as Nova's hypervisors.py gives them.

Microversions: 2.28 ``cpu_info`` as an object; 2.33 paging (``limit``, ``marker``,
``hypervisors_links``); 2.53 uuid ids, ``hypervisor_hostname_pattern`` and
``with_servers`` replacing the ``/search`` and ``/servers`` routes, strict query
parameters; 2.75 ``servers`` present (empty) whenever asked for; 2.88 the resource
fields, ``/statistics`` and ``/uptime`` gone, ``uptime`` in the detail view (asked of
the compute node).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import oslo_messaging as messaging
import webob

from novalite.api.compute import common
from novalite.api.compute.servers import compute_api
from novalite.common import exception, policy, wsgi
from novalite.common import instance_states as states
from novalite.common.uuidutils import is_uuid
from novalite.common.wsgi import Request
from novalite.db import instances, service_store
from novalite.placement import client as placement

LOG = logging.getLogger(__name__)
_RESOURCE_FIELDS = ("vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
                    "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload",
                    "running_vms", "disk_available_least")


def _authorize(request: Request, action: str) -> None:
    policy.authorize(request.context, f"os_compute_api:os-hypervisors:{action}", {})


def _services() -> dict[str, dict[str, Any]]:
    return {row["host"]: row for row in service_store.list_services(binary="novalite-compute")}


def _nodes() -> list[dict[str, Any]]:
    """Every compute node that has a compute service, oldest first (Nova skips a node
    whose service was deleted)."""
    services = _services()
    return sorted((dict(node) for node in placement.provider_summaries()
                   if node["host"] in services), key=lambda node: int(node["id"]))


def _cpu_info(request: Request, node: dict[str, Any]) -> Any:
    """The driver's JSON text; decoded into an object from 2.28, as Nova does."""
    raw = node.get("cpu_info") or "{}"
    if not common.at_least(request, "2.28"):
        return raw
    try:
        decoded = json.loads(raw)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


# Nova's compute/stats.py: the task states that make an instance count as work in progress
WORKLOAD_TASK_STATES = frozenset({
    states.SCHEDULING, states.BLOCK_DEVICE_MAPPING, states.NETWORKING, states.SPAWNING,
    *states.REBUILD_STATES, *states.RESIZE_STATES, states.IMAGE_SNAPSHOT,
    states.IMAGE_BACKUP, states.UNSHELVING, states.SHELVING, states.SHELVING_OFFLOADING,
    states.SHELVING_IMAGE_PENDING_UPLOAD, states.SHELVING_IMAGE_UPLOADING})
_NOT_ON_HOST = (states.DELETED, states.SHELVED_OFFLOADED)


def counters(node: dict[str, Any], guests: list[dict[str, Any]] | None = None
             ) -> dict[str, int]:
    """The resource tracker's figures for a node, as Nova computes them: its totals from
    placement's inventories, the used ones from the instances on it (plus what the
    inventory reserves for the host), running_vms and current_workload from them too."""
    inventories = node["inventories"]

    def inventory(rc: str, field: str) -> int:
        return int((inventories.get(rc) or {}).get(field) or 0)

    on_node = [i for i in (guests if guests is not None else _guests(node))
               if i["vm_state"] not in _NOT_ON_HOST]
    vcpus_used = inventory("VCPU", "reserved") + sum(i["vcpus"] or 0 for i in on_node)
    memory_used = inventory("MEMORY_MB", "reserved") + sum(i["memory_mb"] or 0
                                                           for i in on_node)
    disk_used = inventory("DISK_GB", "reserved") + sum(
        (i["root_gb"] or 0) + (i["ephemeral_gb"] or 0) for i in on_node)
    memory, disk = inventory("MEMORY_MB", "total"), inventory("DISK_GB", "total")
    return {
        "vcpus": inventory("VCPU", "total"), "memory_mb": memory, "local_gb": disk,
        "vcpus_used": vcpus_used, "memory_mb_used": memory_used, "local_gb_used": disk_used,
        "free_ram_mb": memory - memory_used, "free_disk_gb": disk - disk_used,
        "current_workload": sum(1 for i in on_node if i["task_state"] in WORKLOAD_TASK_STATES),
        "running_vms": len(on_node), "disk_available_least": disk - disk_used}


def _guests(node: dict[str, Any]) -> list[dict[str, Any]]:
    return instances.list_instances(None, {"host": node["host"], "node": node["name"],
                                           "deleted": False})


def _uptime(request: Request, host: str) -> str | None:
    """The compute node's ``uptime``, or None when it cannot tell (down, too old)."""
    try:
        return compute_api().get_host_uptime(request.context, host)
    except (exception.NovaliteException, messaging.MessagingException) as error:
        LOG.info("no uptime from %s: %s", host, error)
        return None


def _view(request: Request, node: dict[str, Any], service: dict[str, Any], detailed: bool,
          with_servers: bool = False, guests: list[dict[str, Any]] | None = None
          ) -> dict[str, Any]:
    uuid_ids = common.at_least(request, "2.53")
    body: dict[str, Any] = {
        "id": node["uuid"] if uuid_ids else node["id"],
        "hypervisor_hostname": node["name"],
        "state": service["state"],
        "status": "disabled" if service["disabled"] else "enabled"}
    if detailed:
        body.update({
            "hypervisor_type": node.get("hypervisor_type") or "fake",
            "hypervisor_version": node.get("hypervisor_version") or 0,
            "host_ip": "127.0.0.1",
            "service": {"id": service["uuid"] if uuid_ids else service["id"],
                        "host": node["host"],
                        "disabled_reason": service["disabled_reason"]}})
        if common.at_least(request, "2.88"):
            body["uptime"] = _uptime(request, node["host"])
        else:
            body.update(counters(node, guests))
            body["cpu_info"] = _cpu_info(request, node)
    if with_servers:
        servers = guests if guests is not None else _guests(node)
        if servers or common.at_least(request, "2.75"):
            body["servers"] = [{"name": s["display_name"], "uuid": s["uuid"]}
                               for s in servers]
    return body


def _with_servers(request: Request) -> bool:
    return common.at_least(request, "2.53") and common.parse_bool(
        request.GET.get("with_servers", False), "with_servers")


def _strict_query(request: Request, allowed: set[str]) -> None:
    """From 2.53 an unknown query parameter is a 400, as Nova's query schemas say."""
    if not common.at_least(request, "2.53"):
        return
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise exception.ValidationError(
            message=f"Invalid input for query parameters {unknown[0]}. Additional "
                    "properties are not allowed")


def _matching(pattern: str) -> list[dict[str, Any]]:
    nodes = [n for n in _nodes() if re.search(re.escape(pattern), n["name"])]
    if not nodes:
        raise exception.NotFound(message=f"No hypervisor matching '{pattern}' could be "
                                         "found.")
    return nodes


def _list(request: Request, detailed: bool) -> webob.Response:
    _authorize(request, "list-detail" if detailed else "list")
    _strict_query(request, {"limit", "marker", "hypervisor_hostname_pattern", "with_servers"})
    uuid_ids = common.at_least(request, "2.53")
    pattern = request.GET.get("hypervisor_hostname_pattern") if uuid_ids else None
    with_servers = _with_servers(request)
    limit = None
    if pattern is not None:
        if "limit" in request.GET or request.GET.get("marker"):
            raise exception.Invalid(message="Paging over hypervisors with the "
                                            "hypervisor_hostname_pattern query parameter is "
                                            "not supported.")
        nodes = _matching(pattern)
    else:
        nodes = _nodes()
        if common.at_least(request, "2.33"):
            limit, marker = common.page_params(request)
            if marker:
                ids = [str(n["uuid"] if uuid_ids else n["id"]) for n in nodes]
                if marker not in ids:
                    raise exception.Invalid(message=f"marker [{marker}] not found")
                nodes = nodes[ids.index(marker) + 1:]
            nodes = nodes[:limit]
    services = _services()
    body: dict[str, Any] = {"hypervisors": [
        _view(request, n, services[n["host"]], detailed, with_servers) for n in nodes]}
    if limit and len(nodes) == limit:
        last = nodes[-1]["uuid"] if uuid_ids else nodes[-1]["id"]
        body["hypervisors_links"] = common.next_link(
            request, "os-hypervisors/detail" if detailed else "os-hypervisors", str(last))
    return wsgi.json_response(body)


def index(request: Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: Request) -> webob.Response:
    return _list(request, detailed=True)


def _find(request: Request, hypervisor_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The node and its service; 400 for a non-uuid from 2.53, 404 otherwise."""
    missing = exception.NotFound(message=f"Hypervisor with ID '{hypervisor_id}' could not "
                                         "be found.")
    if common.at_least(request, "2.53"):
        if not is_uuid(hypervisor_id):
            raise exception.Invalid(message=f"Invalid uuid {hypervisor_id}")
        key = "uuid"
    elif not (hypervisor_id.isascii() and hypervisor_id.isdigit()):
        raise missing
    else:
        key = "id"
    wanted = str(uuid.UUID(hypervisor_id)) if key == "uuid" else str(int(hypervisor_id))
    services = _services()
    for node in _nodes():
        if str(node[key]) == wanted:
            return node, services[node["host"]]
    raise missing


def show(request: Request, hypervisor_id: str) -> webob.Response:
    _authorize(request, "show")
    _strict_query(request, {"with_servers"})
    node, service = _find(request, hypervisor_id)
    return wsgi.json_response({"hypervisor": _view(request, node, service, True,
                                                   _with_servers(request))})


def uptime(request: Request, hypervisor_id: str) -> webob.Response:
    common.require_version(request, maximum="2.87")
    _authorize(request, "uptime")
    node, service = _find(request, hypervisor_id)
    text = compute_api().get_host_uptime(request.context, node["host"])
    body = _view(request, node, service, False)
    body["uptime"] = text
    return wsgi.json_response({"hypervisor": body})


def search(request: Request, pattern: str) -> webob.Response:
    common.require_version(request, maximum="2.52")
    _authorize(request, "search")
    services = _services()
    return wsgi.json_response({"hypervisors": [
        _view(request, node, services[node["host"]], False) for node in _matching(pattern)]})


def servers(request: Request, pattern: str) -> webob.Response:
    common.require_version(request, maximum="2.52")
    _authorize(request, "servers")
    services = _services()
    return wsgi.json_response({"hypervisors": [
        _view(request, node, services[node["host"]], False, with_servers=True)
        for node in _matching(pattern)]})


def statistics(request: Request) -> webob.Response:
    common.require_version(request, maximum="2.87")
    _authorize(request, "statistics")
    nodes = _nodes()
    totals = dict.fromkeys(_RESOURCE_FIELDS, 0)
    for node in nodes:
        for key, value in counters(node).items():
            totals[key] += value
    return wsgi.json_response({"hypervisor_statistics": {"count": len(nodes), **totals}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-hypervisors", index),
    wsgi.Route("GET", "/os-hypervisors/detail", detail),
    wsgi.Route("GET", "/os-hypervisors/statistics", statistics),
    wsgi.Route("GET", "/os-hypervisors/{hypervisor_id}", show),
    wsgi.Route("GET", "/os-hypervisors/{hypervisor_id}/uptime", uptime),
    wsgi.Route("GET", "/os-hypervisors/{pattern}/search", search),
    wsgi.Route("GET", "/os-hypervisors/{pattern}/servers", servers),
)
