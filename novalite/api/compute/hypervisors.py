"""``/os-hypervisors``: the compute nodes, from placement's resource providers and the
compute services' rows (fields per microversion up to 2.88)."""

from __future__ import annotations

import json
import re
from typing import Any

import webob

from novalite.api.compute import common
from novalite.common import exception, policy, wsgi
from novalite.common import instance_states as states
from novalite.common.wsgi import Request
from novalite.db import instances, service_store
from novalite.placement import client as placement


def _services() -> dict[str, dict[str, Any]]:
    return {row["host"]: row for row in service_store.list_services(binary="novalite-compute")}


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


def counters(node: dict[str, Any]) -> dict[str, int]:
    """The resource tracker's figures for a node, as Nova computes them: its totals from
    placement's inventories, the used ones from the instances on it (plus what the
    inventory reserves for the host), running_vms and current_workload from them too."""
    inventories = node["inventories"]

    def inventory(rc: str, field: str) -> int:
        return int((inventories.get(rc) or {}).get(field) or 0)

    on_node = [i for i in instances.list_instances(None, {"host": node["host"],
                                                          "node": node["name"],
                                                          "deleted": False})
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


def _view(request: Request, node: dict[str, Any], service: dict[str, Any] | None,
          detailed: bool, with_servers: bool) -> dict[str, Any]:
    uuid_ids = common.at_least(request, "2.53")
    body: dict[str, Any] = {
        "id": node["uuid"] if uuid_ids else node["id"],
        "hypervisor_hostname": node["name"],
        "state": service["state"] if service else "down",
        "status": "disabled" if service and service["disabled"] else "enabled"}
    if detailed:
        body.update({
            "hypervisor_type": node.get("hypervisor_type") or "fake",
            "hypervisor_version": node.get("hypervisor_version") or 0,
            "host_ip": "127.0.0.1",
            "service": {"id": (service["uuid"] if uuid_ids else service["id"])
                        if service else None,
                        "host": node["host"],
                        "disabled_reason": service["disabled_reason"] if service else None}})
        if common.at_least(request, "2.88"):
            body["uptime"] = None
        else:
            body.update(counters(node))
            body["cpu_info"] = _cpu_info(request, node)
    if with_servers:
        servers = instances.list_instances(None, {"host": node["host"], "node": node["name"]})
        if servers:
            body["servers"] = [{"name": s["display_name"], "uuid": s["uuid"]}
                               for s in servers]
    return body


def _nodes(request: Request) -> list[dict[str, Any]]:
    nodes = sorted(placement.provider_summaries(), key=lambda n: n["name"])
    for index_, node in enumerate(nodes, start=1):
        node.setdefault("id", index_)
    return nodes


def _list(request: Request, detailed: bool) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-hypervisors:list-detail"
                     if detailed else "os_compute_api:os-hypervisors:list")
    nodes = _nodes(request)
    pattern = request.GET.get("hypervisor_hostname_pattern")
    if pattern is not None:
        nodes = [n for n in nodes if re.search(re.escape(pattern), n["name"])]
        if not nodes:
            raise exception.NotFound(message=f"No hypervisor matching '{pattern}' could be "
                                             "found.")
    with_servers = common.at_least(request, "2.53") and common.parse_bool(
        request.GET.get("with_servers", False), "with_servers")
    limit = None
    if common.at_least(request, "2.33"):
        limit, marker = common.page_params(request)
        if marker:
            ids = [str(n["uuid"] if common.at_least(request, "2.53") else n["id"])
                   for n in nodes]
            if marker not in ids:
                raise exception.Invalid(message=f"marker [{marker}] not found")
            nodes = nodes[ids.index(marker) + 1:]
        nodes = nodes[:limit]
    services = _services()
    body: dict[str, Any] = {"hypervisors": [
        _view(request, n, services.get(n["host"]), detailed, with_servers) for n in nodes]}
    if limit and len(nodes) == limit:
        last = nodes[-1]["uuid"] if common.at_least(request, "2.53") else nodes[-1]["id"]
        body["hypervisors_links"] = common.next_link(
            request, "os-hypervisors/detail" if detailed else "os-hypervisors", str(last))
    return wsgi.json_response(body)


def index(request: Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: Request, hypervisor_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-hypervisors:show")
    key = "uuid" if common.at_least(request, "2.53") else "id"
    for node in _nodes(request):
        if str(node[key]) == hypervisor_id:
            with_servers = common.at_least(request, "2.53") and common.parse_bool(
                request.GET.get("with_servers", False), "with_servers")
            service = _services().get(node["host"])
            return wsgi.json_response({"hypervisor": _view(request, node, service, True,
                                                           with_servers)})
    raise exception.NotFound(message=f"Hypervisor with ID '{hypervisor_id}' could not be found.")


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-hypervisors", index),
    wsgi.Route("GET", "/os-hypervisors/detail", detail),
    wsgi.Route("GET", "/os-hypervisors/{hypervisor_id}", show),
)
