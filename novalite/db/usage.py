"""What ``os-simple-tenant-usage`` reads: the instances (deleted ones too) that ran in a
period, as Nova's ``instance_get_active_by_window_joined`` selects them."""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import or_, select, tuple_

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.compute_models import Instance

_COLUMNS = ("uuid", "display_name", "project_id", "flavor", "vcpus", "memory_mb", "root_gb",
            "ephemeral_gb", "launched_at", "terminated_at", "vm_state")


def active_by_window(begin: datetime.datetime, end: datetime.datetime,
                     project_id: str | None = None, limit: int | None = None,
                     marker: str | None = None) -> list[dict[str, Any]]:
    """Instances launched before ``end`` and not terminated before ``begin``, by project
    and uuid; ``marker`` is the last instance uuid of the page before (400 if unknown)."""
    query = select(*(getattr(Instance, c) for c in _COLUMNS)).where(
        or_(Instance.terminated_at.is_(None), Instance.terminated_at > begin),
        Instance.launched_at < end)
    if project_id is not None:
        query = query.where(Instance.project_id == project_id)
    with db_api.session_scope() as session:
        if marker is not None:
            last = session.execute(select(Instance.project_id, Instance.uuid).where(
                Instance.uuid == marker)).first()
            if last is None:
                raise exception.Invalid(message=f"Marker {marker} could not be found.")
            query = query.where(tuple_(Instance.project_id, Instance.uuid) > tuple(last))
        query = query.order_by(Instance.project_id, Instance.uuid)
        if limit is not None:
            query = query.limit(limit)
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in session.execute(query)]
    for row in rows:
        row["flavor"] = json.loads(row["flavor"]) if row["flavor"] else {}
    return rows
