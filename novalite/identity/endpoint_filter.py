"""Which endpoints a project sees (OS-EP-FILTER): those associated with it directly or
through endpoint groups; a project with no association sees them all."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.identity import models


def matches(filters: dict[str, str], endpoint: models.Endpoint) -> bool:
    """An endpoint group's filters (service_id, region_id, interface) hold for it."""
    return all(getattr(endpoint, key) == value for key, value in filters.items())


def group_endpoints(session: Session, group: models.EndpointGroup) -> list[models.Endpoint]:
    filters = json.loads(group.filters)
    return [e for e in session.scalars(select(models.Endpoint).order_by(models.Endpoint.id))
            if matches(filters, e)]


def endpoint_ids_for_project(session: Session, project_id: str) -> set[str]:
    """The endpoints ``project_id`` is associated with, directly or through groups."""
    ids = set(session.scalars(select(models.ProjectEndpoint.endpoint_id).filter_by(
        project_id=project_id)))
    groups = session.scalars(select(models.EndpointGroup).join(
        models.ProjectEndpointGroup,
        models.ProjectEndpointGroup.endpoint_group_id == models.EndpointGroup.id)
        .where(models.ProjectEndpointGroup.project_id == project_id)).all()
    for group in groups:
        ids.update(e.id for e in group_endpoints(session, group))
    return ids
