"""Quotas (``os-quota-sets``), limits, availability zones, extensions and services: the
small resources the clients read around volumes."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.conf import CONF
from novalite.db.base import utcnow
from novalite.volume.api import common, schemas
from novalite.volume.store import quotas, types


def _quota_set(project: str, limits: dict[str, int],
               used: dict[str, int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": project}
    for resource, limit in limits.items():
        body[resource] = limit if used is None else {
            "limit": limit, "in_use": used.get(resource, 0), "reserved": 0, "allocated": 0}
    return {"quota_set": body}


def show(request: wsgi.Request, project: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "volume_extension:quotas:show", project)
    usage = common.parse_bool(request.GET.get("usage", False), "usage")
    return wsgi.json_response(_quota_set(project, quotas.get_limits(project),
                                         quotas.usage(project) if usage else None))


def defaults(request: wsgi.Request, project: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:quotas:show", project)
    return wsgi.json_response(_quota_set(project, quotas.defaults()))


def update(request: wsgi.Request, project: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:quotas:update", project)
    body = common.body_of(request)
    common.validate(schemas.QUOTA_UPDATE, body)
    values = {}
    for key, value in body["quota_set"].items():
        if key in ("tenant_id", "id"):
            continue
        if key not in quotas.RESOURCES:
            raise common.invalid_input(f"Bad key(s) in quota set: {key}")
        values[key] = int(value)
    return wsgi.json_response(_quota_set(project, quotas.update(project, values)))


def delete(request: wsgi.Request, project: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:quotas:delete", project)
    quotas.delete_project(project)
    return wsgi.empty_response(200)


def limits(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "limits_extension:used_limits")
    project = common.project_id(request)
    if request.GET.get("project_id") and ctxt.is_admin:
        project = request.GET["project_id"]
    limit = quotas.get_limits(project)
    used = quotas.usage(project)
    return wsgi.json_response({"limits": {"rate": [], "absolute": {
        "maxTotalVolumes": limit["volumes"], "maxTotalSnapshots": limit["snapshots"],
        "maxTotalVolumeGigabytes": limit["gigabytes"], "maxTotalBackups": limit["backups"],
        "maxTotalBackupGigabytes": limit["backup_gigabytes"],
        "totalVolumesUsed": used["volumes"], "totalSnapshotsUsed": used["snapshots"],
        "totalGigabytesUsed": used["gigabytes"], "totalBackupsUsed": 0,
        "totalBackupGigabytesUsed": 0}}})


def availability_zones(request: wsgi.Request) -> webob.Response:
    request.context  # noqa: B018 - a token is needed
    return wsgi.json_response({"availabilityZoneInfo": [
        {"zoneName": CONF.volume.storage_availability_zone, "zoneState": {"available": True}}]})


_EXTENSIONS = (
    ("os-availability-zone", "AvailabilityZones"), ("os-extended-snapshot-attributes",
                                                   "ExtendedSnapshotAttributes"),
    ("os-quota-sets", "Quotas"), ("os-types-manage", "TypesManage"),
    ("os-types-extra-specs", "TypesExtraSpecs"), ("os-volume-actions", "VolumeActions"),
    ("os-vol-host-attr", "VolumeHostAttribute"), ("os-vol-image-meta", "VolumeImageMetadata"),
    ("os-vol-mig-status-attr", "VolumeMigStatusAttribute"),
    ("os-vol-tenant-attr", "VolumeTenantAttribute"), ("os-admin-actions", "AdminActions"),
    ("os-volume-type-access", "VolumeTypeAccess"), ("os-used-limits", "UsedLimits"),
)


def extensions(request: wsgi.Request) -> webob.Response:
    request.context  # noqa: B018 - a token is needed
    return wsgi.json_response({"extensions": [
        {"alias": alias, "name": name, "description": f"{name} support.", "links": [],
         "updated": "2012-06-19T00:00:00+00:00"} for alias, name in _EXTENSIONS]})


def services(request: wsgi.Request) -> webob.Response:
    common.authorize(request.context, "volume_extension:services:index")
    now = common.isotime(utcnow())
    found = [{"binary": "cinder-scheduler", "host": CONF.host}]
    found += [{"binary": "cinder-volume", "host": f"{CONF.host}@{name}"}
              for name in types.backends()]
    return wsgi.json_response({"services": [
        {**service, "zone": CONF.volume.storage_availability_zone, "status": "enabled",
         "state": "up", "updated_at": now, "disabled_reason": None} for service in found]})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-quota-sets/{project}", show),
    wsgi.Route("GET", "/os-quota-sets/{project}/defaults", defaults),
    wsgi.Route("PUT", "/os-quota-sets/{project}", update),
    wsgi.Route("DELETE", "/os-quota-sets/{project}", delete),
    wsgi.Route("GET", "/limits", limits),
    wsgi.Route("GET", "/os-availability-zone", availability_zones),
    wsgi.Route("GET", "/extensions", extensions),
    wsgi.Route("GET", "/os-services", services),
)
