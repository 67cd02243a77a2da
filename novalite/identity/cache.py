"""Small per-process caches of what every token validation needs and rarely changes.

Roles with their implications and the catalog are read once and kept for
``TTL`` seconds; this process's own writes through the identity API drop them at
once (``invalidate``). Another process sees a change within ``TTL`` seconds.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select

from novalite.db import api as db_api
from novalite.identity import endpoint_filter, models

TTL = 5.0

_lock = threading.Lock()
_roles: tuple[float, dict[str, str], dict[str, list[str]]] | None = None
_catalog: tuple[float, list[dict[str, Any]]] | None = None
_project_endpoints: dict[str, tuple[float, frozenset[str] | None]] = {}


def invalidate() -> None:
    global _roles, _catalog
    with _lock:
        _roles = None
        _catalog = None
        _project_endpoints.clear()


def _endpoint_filter(project_id: str) -> frozenset[str] | None:
    """The endpoints OS-EP-FILTER associates with the project; None when it has none
    (then it sees every endpoint)."""
    cached = _project_endpoints.get(project_id)
    if cached is not None and time.monotonic() - cached[0] < TTL:
        return cached[1]
    with db_api.session_scope() as session:
        ids = endpoint_filter.endpoint_ids_for_project(session, project_id)
    found = frozenset(ids) if ids else None
    with _lock:
        if len(_project_endpoints) > 10000:
            _project_endpoints.clear()
        _project_endpoints[project_id] = (time.monotonic(), found)
    return found


def _role_tables() -> tuple[dict[str, str], dict[str, list[str]]]:
    global _roles
    cached = _roles
    if cached is not None and time.monotonic() - cached[0] < TTL:
        return cached[1], cached[2]
    with db_api.session_scope() as session:
        names = {row.id: row.name for row in session.execute(
            select(models.Role.id, models.Role.name))}
        implied: dict[str, list[str]] = {}
        for prior, implied_id in session.execute(
                select(models.ImpliedRole.prior_role_id, models.ImpliedRole.implied_role_id)):
            implied.setdefault(prior, []).append(implied_id)
    with _lock:
        _roles = (time.monotonic(), names, implied)
    return names, implied


def expand_roles(direct: dict[str, str]) -> list[dict[str, str]]:
    """``{id: name}`` of direct roles → the token's role list, implied roles added."""
    names, implied = _role_tables()
    result = dict(direct)
    pending = list(direct)
    while pending:
        for implied_id in implied.get(pending.pop(), ()):
            if implied_id not in result and implied_id in names:
                result[implied_id] = names[implied_id]
                pending.append(implied_id)
    return [{"id": role_id, "name": name} for role_id, name in result.items()]


def _raw_catalog() -> list[dict[str, Any]]:
    global _catalog
    cached = _catalog
    if cached is not None and time.monotonic() - cached[0] < TTL:
        return cached[1]
    services: dict[str, dict[str, Any]] = {}
    with db_api.session_scope() as session:
        # Every enabled service, those without (enabled) endpoints too, as Keystone lists
        rows = session.execute(
            select(models.CatalogService, models.Endpoint)
            .outerjoin(models.Endpoint, (models.Endpoint.service_id == models.CatalogService.id)
                       & models.Endpoint.enabled.is_(True))
            .where(models.CatalogService.enabled.is_(True))
            .order_by(models.CatalogService.type, models.Endpoint.interface))
        for service, endpoint in rows:
            entry = services.setdefault(service.id, {
                "id": service.id, "type": service.type, "name": service.name,
                "endpoints": []})
            if endpoint is None:
                continue
            entry["endpoints"].append({
                "id": endpoint.id, "interface": endpoint.interface,
                "region": endpoint.region_id, "region_id": endpoint.region_id,
                "url": endpoint.url})
    catalog = list(services.values())
    with _lock:
        _catalog = (time.monotonic(), catalog)
    return catalog


_TEMPLATES = ("$(project_id)s", "%(project_id)s", "$(tenant_id)s", "%(tenant_id)s")


def substitute(url: str, project_id: str | None) -> str | None:
    """The URL with its project templates filled in; None if it needs a project and has none."""
    if not any(template in url for template in _TEMPLATES):
        return url
    if not project_id:
        return None
    for template in _TEMPLATES:
        url = url.replace(template, project_id)
    return url


def catalog(project_id: str | None) -> list[dict[str, Any]]:
    """The service catalog for a token scoped to ``project_id`` (None: domain or system),
    filtered by the project's endpoint associations when it has some."""
    only = _endpoint_filter(project_id) if project_id else None
    result = []
    for service in _raw_catalog():
        endpoints = []
        for endpoint in service["endpoints"]:
            if only is not None and endpoint["id"] not in only:
                continue
            url = substitute(endpoint["url"], project_id)
            if url is not None:
                endpoints.append({**endpoint, "url": url})
        # kept with no endpoint left, as Keystone does (its bug 1436704)
        result.append({**service, "endpoints": endpoints})
    return result
