"""``/os-instance_usage_audit_log``: the state of the instance usage audit of the last
completed month on every compute host (Nova's instance_usage_audit_log.py).

novalite's computes run no usage audit (Nova's ``[DEFAULT] instance_usage_audit`` is off
by default too), so no host has a task log: every compute host is "not run".
"""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import service_store
from novalite.db.base import utcnow


def last_completed_month(before: datetime.datetime | None = None
                         ) -> tuple[datetime.datetime, datetime.datetime]:
    """The audit period (a month, Nova's ``instance_usage_audit_period`` default) that
    ended last before ``before`` (now)."""
    now = before or utcnow()
    end = datetime.datetime(now.year, now.month, 1)
    if end >= now:
        end = datetime.datetime(now.year - (now.month == 1), (now.month - 2) % 12 + 1, 1)
    begin = datetime.datetime(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1)
    return begin, end


def _log(before: datetime.datetime | None = None) -> dict[str, Any]:
    begin, end = last_completed_month(before)
    hosts = sorted({service["host"] for service in
                    service_store.list_services(binary="novalite-compute")})
    done = 0
    status = "ALL" if done == len(hosts) else f"{done} of {len(hosts)}"
    return {"period_beginning": str(begin), "period_ending": str(end),
            "num_hosts": len(hosts), "num_hosts_done": done, "num_hosts_running": 0,
            "num_hosts_not_run": len(hosts), "hosts_not_run": hosts, "total_instances": 0,
            "total_errors": 0, "overall_status": f"{status} hosts done. 0 errors.", "log": {}}


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-instance-usage-audit-log:list", {})
    return wsgi.json_response({"instance_usage_audit_logs": _log()})


def show(request: Request, before: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-instance-usage-audit-log:show", {})
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in before else "%Y-%m-%d %H:%M:%S"
    try:
        moment = datetime.datetime.strptime(before, fmt)
    except ValueError:
        raise exception.Invalid(message=f"Invalid timestamp for date {before}") from None
    return wsgi.json_response({"instance_usage_audit_log": _log(moment)})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-instance_usage_audit_log", index),
    wsgi.Route("GET", "/os-instance_usage_audit_log/{before}", show),
)
