"""``/os-simple-tenant-usage``: the hours, vCPU, RAM and disk hours each project's
instances used in a period (``start``, ``end``; Nova's simple_tenant_usage.py).

Every project (admin) or one (its readers too); ``detailed=1`` lists each server's
usage; paging by instance (``limit``, ``marker``, ``tenant_usages_links``) from 2.40;
unknown query parameters are a 400 from 2.75.
"""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.api.compute import common
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.conf import CONF
from novalite.db import usage
from novalite.db.base import utcnow

_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


def _time(value: datetime.datetime | None) -> str | None:
    """Nova's JSON form of a naive timestamp (always with microseconds)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def _parse(text: str | None) -> datetime.datetime:
    if not text:
        return utcnow()
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise exception.Invalid(message="Invalid datetime string: Datetime is in invalid format")


def _period(request: Request) -> tuple[datetime.datetime, datetime.datetime]:
    start = _parse(request.GET.get("start"))
    stop = _parse(request.GET.get("end"))
    if not start < stop:
        raise exception.Invalid(message="Invalid start time. The start time cannot occur "
                                        "after the end time.")
    return start, min(stop, utcnow())


def _strict(request: Request, allowed: set[str]) -> None:
    if common.at_least(request, "2.40"):
        allowed = allowed | {"limit", "marker"}
    if common.at_least(request, "2.75"):
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            raise exception.ValidationError(
                message=f"Invalid input for query parameters {unknown[0]}. Additional "
                        "properties are not allowed")


def _hours(instance: dict[str, Any], start: datetime.datetime,
           stop: datetime.datetime) -> float:
    launched, terminated = instance["launched_at"], instance["terminated_at"]
    if launched is None or launched > stop or (terminated is not None and terminated < start):
        return 0
    end = min(stop, terminated) if terminated is not None else stop
    return (end - max(launched, start)).total_seconds() / 3600.0


def _usages(request: Request, start: datetime.datetime, stop: datetime.datetime,
            project_id: str | None, detailed: bool
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    limit, marker = (common.page_params(request) if common.at_least(request, "2.40")
                     else (CONF.api.max_limit, None))
    found = usage.active_by_window(start, stop, project_id, limit=limit, marker=marker)
    summaries: dict[str, dict[str, Any]] = {}
    servers: list[dict[str, Any]] = []
    now = utcnow()
    for instance in found:
        flavor = instance["flavor"]
        hours = _hours(instance, start, stop)
        ended = instance["terminated_at"]
        info = {
            "hours": hours, "flavor": flavor.get("name") or "",
            "instance_id": instance["uuid"], "name": instance["display_name"],
            "tenant_id": instance["project_id"],
            "memory_mb": flavor.get("memory_mb", instance["memory_mb"]),
            "local_gb": flavor.get("root_gb", instance["root_gb"])
            + flavor.get("ephemeral_gb", instance["ephemeral_gb"]),
            "vcpus": flavor.get("vcpus", instance["vcpus"]),
            "started_at": _time(instance["launched_at"]), "ended_at": _time(ended),
            "state": "terminated" if ended else instance["vm_state"],
            "uptime": int(((ended or now) - instance["launched_at"]).total_seconds())}
        summary = summaries.setdefault(instance["project_id"], {
            "tenant_id": instance["project_id"], "total_local_gb_usage": 0,
            "total_vcpus_usage": 0, "total_memory_mb_usage": 0, "total_hours": 0,
            "start": _time(start), "stop": _time(stop),
            **({"server_usages": []} if detailed else {})})
        summary["total_local_gb_usage"] += info["local_gb"] * hours
        summary["total_vcpus_usage"] += info["vcpus"] * hours
        summary["total_memory_mb_usage"] += info["memory_mb"] * hours
        summary["total_hours"] += hours
        servers.append(info)
        if detailed:
            summary["server_usages"].append(info)
    return list(summaries.values()), servers


def _links(request: Request, servers: list[dict[str, Any]], path: str) -> Any:
    limit, _ = common.page_params(request)
    if common.at_least(request, "2.40") and servers and len(servers) == limit:
        return common.next_link(request, path, servers[-1]["instance_id"])
    return None


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-simple-tenant-usage:list")
    _strict(request, {"start", "end", "detailed"})
    start, stop = _period(request)
    detailed = request.GET.get("detailed", "0") == "1"
    summaries, servers = _usages(request, start, stop, None, detailed)
    body: dict[str, Any] = {"tenant_usages": summaries}
    links = _links(request, servers, "os-simple-tenant-usage")
    if links:
        body["tenant_usages_links"] = links
    return wsgi.json_response(body)


def show(request: Request, project_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-simple-tenant-usage:show",
                     {"project_id": project_id})
    _strict(request, {"start", "end"})
    start, stop = _period(request)
    summaries, servers = _usages(request, start, stop, project_id, True)
    body: dict[str, Any] = {"tenant_usage": summaries[0] if summaries else {}}
    links = _links(request, servers, f"os-simple-tenant-usage/{project_id}")
    if links:
        body["tenant_usage_links"] = links
    return wsgi.json_response(body)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-simple-tenant-usage", index),
    wsgi.Route("GET", "/os-simple-tenant-usage/{project_id}", show),
)
