"""Unified limits as services read them: a resource's limit for a project is the
project's own limit if it has one, else the registered (default) limit, else none.

Services share identity's database (as they share its Fernet keys for token
validation), so they read the limits here rather than over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from novalite.db import api as db_api
from novalite.identity import models

MODEL = {"name": "flat",
         "description": "Limit enforcement and validation does not take project hierarchy "
                        "into consideration."}


def project_limits(service_type: str, project_id: str | None, resource_names: Iterable[str],
                   region_id: str | None = None) -> dict[str, int | None]:
    """``{resource name: limit}`` for ``project_id`` (None: the registered defaults) of
    the enabled services of ``service_type``; None for a resource with no registered
    limit. A registered limit of ``region_id`` wins over one without a region."""
    names = list(resource_names)
    found: dict[str, int | None] = dict.fromkeys(names)
    with db_api.session_scope() as session:
        service_ids = list(session.scalars(select(models.CatalogService.id).where(
            models.CatalogService.type == service_type,
            models.CatalogService.enabled.is_(True))))
        registered: dict[str, models.RegisteredLimit] = {}
        for limit in session.scalars(select(models.RegisteredLimit).where(
                models.RegisteredLimit.service_id.in_(service_ids),
                models.RegisteredLimit.resource_name.in_(names))
                .order_by(models.RegisteredLimit.id)):
            if limit.region_id not in (None, region_id):
                continue
            current = registered.get(limit.resource_name)
            if current is None or (current.region_id is None and limit.region_id is not None):
                registered[limit.resource_name] = limit
        for name, limit in registered.items():
            found[name] = limit.default_limit
        if project_id is not None and registered:
            by_id = {limit.id: name for name, limit in registered.items()}
            for row in session.scalars(select(models.Limit).where(
                    models.Limit.project_id == project_id,
                    models.Limit.registered_limit_id.in_(list(by_id)))):
                found[by_id[row.registered_limit_id]] = row.resource_limit
    return found
