"""``GET /limits``: the absolute limits of a project and what it uses."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.common import policy, wsgi
from novalite.common.wsgi import Request
from novalite.compute import quotas as compute_quotas
from novalite.db import quotas


def index(request: Request) -> webob.Response:
    ctxt = request.context
    policy.authorize(ctxt, "os_compute_api:limits")
    project_id = ctxt.project_id or ""
    requested = request.GET.get("tenant_id")
    if requested and requested != project_id and policy.check(
            ctxt, "os_compute_api:limits:other_project", {"project_id": requested}):
        project_id = requested  # others' limits for admins; anyone else sees their own
    limits = compute_quotas.limits(project_id)
    used = quotas.usage(project_id, ctxt.user_id)
    absolute: dict[str, Any] = {
        "maxServerMeta": limits["metadata_items"], "maxTotalCores": limits["cores"],
        "maxTotalInstances": limits["instances"], "maxTotalKeypairs": limits["key_pairs"],
        "maxTotalRAMSize": limits["ram"], "maxServerGroups": limits["server_groups"],
        "maxServerGroupMembers": limits["server_group_members"],
        "totalCoresUsed": used["cores"], "totalInstancesUsed": used["instances"],
        "totalRAMUsed": used["ram"], "totalServerGroupsUsed": 0}
    if not common.at_least(request, "2.57"):
        absolute.update({"maxPersonality": 5, "maxPersonalitySize": 10240})
    if not common.at_least(request, "2.39"):
        absolute["maxImageMeta"] = limits["metadata_items"]
    if not common.at_least(request, "2.36"):
        absolute.update({"maxSecurityGroups": 10, "maxSecurityGroupRules": 20,
                         "maxTotalFloatingIps": 10, "totalFloatingIpsUsed": 0,
                         "totalSecurityGroupsUsed": 0})
    return wsgi.json_response({"limits": {"absolute": absolute, "rate": []}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/limits", index),
)
