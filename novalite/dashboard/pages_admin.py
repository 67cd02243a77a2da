"""Admin pages: hypervisors, services; and the project's quotas with usage, and its
usage over the last days as a chart (an SVG drawn here: no script)."""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.common import exception
from novalite.dashboard.app import Route, Ui

USAGE_DAYS = 14


def _admin_only(ui: Ui, rule: str) -> None:
    if not ui.can(rule):
        raise exception.Forbidden(message="This page is for administrators.")


def hypervisors(ui: Ui) -> webob.Response:
    _admin_only(ui, "os_compute_api:os-hypervisors:list-detail")
    listed = ui.api.compute.get_json("/os-hypervisors/detail").get("hypervisors", [])
    return ui.render("hypervisors.html", hypervisors=listed)


def services(ui: Ui) -> webob.Response:
    _admin_only(ui, "os_compute_api:os-services:list")
    listed = ui.api.compute.get_json("/os-services").get("services", [])
    return ui.render("services.html", services=listed)


def usage_series(ui: Ui, project_id: str, days: int = USAGE_DAYS,
                 today: datetime.date | None = None) -> list[dict[str, Any]]:
    """One entry a day, oldest first: the vCPU hours and RAM GiB hours the project used."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    series = []
    for back in range(days - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        start = datetime.datetime.combine(day, datetime.time())
        end = start + datetime.timedelta(days=1)
        body = ui.api.compute.get_json(f"/os-simple-tenant-usage/{project_id}", params={
            "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "end": end.strftime("%Y-%m-%dT%H:%M:%S")})
        usage = body.get("tenant_usage") or {}
        series.append({"day": day.isoformat(),
                       "vcpu_hours": float(usage.get("total_vcpus_usage") or 0),
                       "ram_gib_hours": float(usage.get("total_memory_mb_usage") or 0) / 1024})
    return series


def chart(series: list[dict[str, Any]], key: str, width: int = 560,
          height: int = 160) -> dict[str, Any]:
    """Bars of ``series[key]`` in an SVG's coordinates."""
    top = max([entry[key] for entry in series] + [1e-9])
    step = width / max(len(series), 1)
    bars = []
    for index, entry in enumerate(series):
        tall = (entry[key] / top) * (height - 20) if top > 0 else 0
        bars.append({"x": round(index * step + 2, 1), "y": round(height - tall, 1),
                     "w": round(step - 4, 1), "h": round(tall, 1),
                     "label": f"{entry['day']}: {entry[key]:.3g}"})
    return {"bars": bars, "width": width, "height": height, "top": f"{top:.3g}"}


def quotas(ui: Ui) -> webob.Response:
    project_id = ui.ctxt.project_id or ""
    if ui.can("os_compute_api:os-quota-sets:update"):
        project_id = ui.field("project_id", 64) or project_id
    quota = ui.api.compute.get_json(f"/os-quota-sets/{project_id}/detail")["quota_set"]
    rows = [(name, value) for name, value in sorted(quota.items())
            if isinstance(value, dict)]
    series = usage_series(ui, project_id)
    return ui.render("quotas.html", project_id=project_id, rows=rows, series=series,
                     vcpu_chart=chart(series, "vcpu_hours"),
                     ram_chart=chart(series, "ram_gib_hours"))


ROUTES = [
    Route("GET", "/admin/hypervisors", hypervisors),
    Route("GET", "/admin/services", services),
    Route("GET", "/quotas", quotas),
]
