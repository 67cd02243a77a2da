"""Migration records (Nova's migrations table): one per resize, cold or live migration
and evacuation of an instance, read and written by the API process and the conductor.

Every function returns plain dicts with ``old_flavor``/``new_flavor`` decoded from JSON
(``novalite.objects.Migration.from_db`` turns them into objects).
"""

from __future__ import annotations

import datetime
import json
import uuid as uuidlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.db.compute_models import Migration

_JSON_COLUMNS = ("old_flavor", "new_flavor")
_COLUMNS = tuple(column.name for column in Migration.__table__.columns)


class MigrationNotFound(exception.NotFound):
    msg_fmt = "Migration %(migration_id)s could not be found."


class MigrationNotFoundByStatus(MigrationNotFound):
    msg_fmt = "Migration not found for instance %(instance_id)s with status %(status)s."


def _to_dict(row: Migration) -> dict[str, Any]:
    values = {column: getattr(row, column) for column in _COLUMNS}
    for key in _JSON_COLUMNS:
        values[key] = json.loads(values[key]) if values[key] else None
    return values


def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"not migration fields: {', '.join(sorted(unknown))}")
    row = dict(values)
    for key in _JSON_COLUMNS:
        if row.get(key) is not None and not isinstance(row[key], str):
            row[key] = json.dumps(row[key])
    return row


def create(values: dict[str, Any]) -> dict[str, Any]:
    """A new record (``uuid`` generated when absent)."""
    row_values = _row_values(values)
    row_values.setdefault("uuid", str(uuidlib.uuid4()))
    row_values.setdefault("hidden", False)
    row_values.setdefault("cross_cell_move", False)
    row_values.setdefault("deleted", False)
    with db_api.session_scope() as session:
        row = Migration(**row_values)
        session.add(row)
        session.flush()
        return _to_dict(row)


def get(migration_id: int) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = session.get(Migration, migration_id)
        if row is None or row.deleted:
            raise MigrationNotFound(migration_id=migration_id)
        return _to_dict(row)


def get_by_instance_and_status(instance_uuid: str, *statuses: str) -> dict[str, Any]:
    """The newest migration of an instance in one of ``statuses``."""
    with db_api.session_scope() as session:
        row = session.scalars(select(Migration).where(
            Migration.instance_uuid == instance_uuid, Migration.status.in_(statuses),
            Migration.deleted.is_(False)).order_by(Migration.id.desc())).first()
        if row is None:
            raise MigrationNotFoundByStatus(instance_id=instance_uuid,
                                            status="/".join(statuses))
        return _to_dict(row)


def update(migration_id: int, values: dict[str, Any]) -> dict[str, Any]:
    row_values = _row_values(values)
    row_values.setdefault("updated_at", utcnow())
    with db_api.session_scope() as session:
        row = session.get(Migration, migration_id)
        if row is None:
            raise MigrationNotFound(migration_id=migration_id)
        for key, value in row_values.items():
            setattr(row, key, value)
        session.flush()
        return _to_dict(row)


def _filtered(query: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    for key in ("instance_uuid", "status", "migration_type", "source_compute",
                "dest_compute", "project_id", "user_id"):
        value = filters.get(key)
        if value is None:
            continue
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        query = query.where(getattr(Migration, key).in_(values))
    host = filters.get("host")
    if host is not None:
        query = query.where(or_(Migration.source_compute == host,
                                Migration.dest_compute == host))
    if "hidden" in filters:
        query = query.where(Migration.hidden.is_(bool(filters["hidden"])))
    return query


def list_migrations(filters: dict[str, Any] | None = None,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """Migrations matching ``filters`` (``instance_uuid``, ``status``,
    ``migration_type``, ``source_compute``, ``dest_compute``, ``host`` (either end),
    ``project_id``, ``user_id``, ``hidden``; a value or a list), newest first."""
    query = _filtered(select(Migration).where(Migration.deleted.is_(False)), filters or {})
    query = query.order_by(Migration.created_at.desc(), Migration.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with db_api.session_scope() as session:
        return [_to_dict(row) for row in session.scalars(query)]


def unconfirmed(older_than: datetime.datetime, hosts: Iterable[str] | None = None
                ) -> list[dict[str, Any]]:
    """Resizes and cold migrations ``finished`` (waiting for a confirm) before
    ``older_than``; only those whose destination is in ``hosts`` when given."""
    query = select(Migration).where(Migration.status == "finished",
                                    Migration.deleted.is_(False),
                                    Migration.updated_at < older_than)
    if hosts is not None:
        query = query.where(Migration.dest_compute.in_(list(hosts)))
    with db_api.session_scope() as session:
        return [_to_dict(row) for row in session.scalars(query.order_by(Migration.id))]
