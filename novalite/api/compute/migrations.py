"""``GET /os-migrations``: every resize, migration, live migration and evacuation (admin),
with Nova's fields per microversion: ``migration_type`` and links of in-progress live
migrations from 2.23; ``uuid``, paging (``limit``, ``marker`` by uuid), ``changes-since``
and strict queries from 2.59; ``changes-before`` from 2.66; ``user_id`` / ``project_id``
(fields and filters) from 2.80. Hidden records are never listed."""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.api.compute import common
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import instance_migrations

LIVE_IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")
FIELDS = ("created_at", "dest_compute", "dest_host", "dest_node", "id", "instance_uuid",
          "new_instance_type_id", "old_instance_type_id", "source_compute", "source_node",
          "status", "updated_at")
FILTERS = ("host", "status", "instance_uuid", "source_compute", "migration_type")


def _time(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def view(request: Request, migration: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {key: migration.get(key) for key in FIELDS}
    shown["created_at"] = _time(migration.get("created_at"))
    shown["updated_at"] = _time(migration.get("updated_at"))
    if common.at_least(request, "2.23"):
        shown["migration_type"] = migration["migration_type"]
        if (migration["migration_type"] == "live-migration"
                and migration["status"] in LIVE_IN_PROGRESS):
            shown["links"] = common.links(
                request, f"servers/{migration['instance_uuid']}/migrations",
                str(migration["id"]))
    if common.at_least(request, "2.59"):
        shown["uuid"] = migration["uuid"]
    if common.at_least(request, "2.80"):
        shown["user_id"] = migration.get("user_id")
        shown["project_id"] = migration.get("project_id")
    return shown


def _allowed(request: Request) -> set[str]:
    allowed = set(FILTERS)
    if common.at_least(request, "2.59"):
        allowed |= {"limit", "marker", "changes-since"}
    if common.at_least(request, "2.66"):
        allowed.add("changes-before")
    if common.at_least(request, "2.80"):
        allowed |= {"user_id", "project_id"}
    return allowed


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-migrations:index")
    allowed = _allowed(request)
    if common.at_least(request, "2.59"):
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            raise exception.ValidationError(
                message="Invalid input for query parameters. Additional properties are "
                        f"not allowed ('{unknown[0]}' was unexpected)")
    filters: dict[str, Any] = {key: request.GET.getall(key) for key in allowed
                               if key in FILTERS + ("user_id", "project_id")
                               and key in request.GET}
    if "host" in filters:
        filters["host"] = filters["host"][-1]
    filters["hidden"] = False
    found = instance_migrations.list_migrations(filters)
    since = before = None
    if "changes-since" in allowed and "changes-since" in request.GET:
        since = common.parse_isotime(request.GET["changes-since"], "changes-since")
    if "changes-before" in allowed and "changes-before" in request.GET:
        before = common.parse_isotime(request.GET["changes-before"], "changes-before")
        if since is not None and before < since:
            raise exception.Invalid(message="The value of changes-since must be less than "
                                            "or equal to changes-before.")

    def changed(migration: dict[str, Any]) -> datetime.datetime:
        return migration.get("updated_at") or migration["created_at"]

    found = [m for m in found if (since is None or changed(m) >= since)
             and (before is None or changed(m) <= before)]
    body: dict[str, Any] = {}
    if common.at_least(request, "2.59"):
        limit, marker = common.page_params(request)
        if marker is not None:
            uuids = [m["uuid"] for m in found]
            if marker not in uuids:
                raise exception.Invalid(message=f"Marker {marker} could not be found.")
            found = found[uuids.index(marker) + 1:]
        more = len(found) > limit
        found = found[:limit]
        if more and found:
            body["migrations_links"] = common.next_link(request, "os-migrations",
                                                        found[-1]["uuid"])
    body = {"migrations": [view(request, m) for m in found], **body}
    return wsgi.json_response(body)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-migrations", index),
)
