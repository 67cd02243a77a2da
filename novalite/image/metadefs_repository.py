"""Database access for metadata definitions: namespaces (with their objects, properties,
tags and resource type associations in one JSON document) and resource types.

The default catalogue (``metadefs_catalog``) is loaded the first time metadefs are
read from a database without resource types; resource types are never deleted, so it
is loaded once.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.image import metadefs_catalog
from novalite.image.models import MetadefNamespace, MetadefResourceType

T = TypeVar("T")
COLUMNS = ("namespace", "display_name", "description", "visibility", "protected", "owner",
           "created_at", "updated_at")
SECTIONS = ("objects", "properties", "tags", "resource_type_associations")


class Duplicate(Exception):
    pass


def isotime(value: datetime.datetime | None = None) -> str:
    return (value or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")


def empty_document() -> dict[str, Any]:
    return {section: {} for section in SECTIONS}


def _to_dict(row: MetadefNamespace) -> dict[str, Any]:
    namespace = {column: getattr(row, column) for column in COLUMNS}
    document = empty_document()
    document.update(copy.deepcopy(row.document or {}))
    namespace["document"] = document
    return namespace


def ensure_catalog() -> None:
    """The default catalogue, into a database that has no resource types yet."""
    with db_api.session_scope() as session:
        if session.execute(sa.select(sa.func.count(MetadefResourceType.name))).scalar():
            return
        now = utcnow()
        for name in metadefs_catalog.RESOURCE_TYPES:
            session.add(MetadefResourceType(name=name, protected=True, created_at=now,
                                            updated_at=now))
        stamp = isotime(now)
        for entry in metadefs_catalog.NAMESPACES:
            if session.get(MetadefNamespace, entry["namespace"]) is not None:
                continue
            document = empty_document()
            for association in entry.get("resource_type_associations", ()):
                document["resource_type_associations"][association["name"]] = {
                    "prefix": association.get("prefix"),
                    "properties_target": association.get("properties_target"),
                    "created_at": stamp, "updated_at": stamp}
            document["properties"] = copy.deepcopy(entry.get("properties", {}))
            for item in entry.get("objects", ()):
                document["objects"][item["name"]] = {
                    "description": item.get("description"), "required": [],
                    "properties": copy.deepcopy(item.get("properties", {})),
                    "created_at": stamp, "updated_at": stamp}
            session.add(MetadefNamespace(
                namespace=entry["namespace"], display_name=entry.get("display_name"),
                description=entry.get("description"), visibility="public", protected=True,
                owner="admin", document=document, created_at=now, updated_at=now))
        try:
            session.flush()
        except sqlalchemy.exc.IntegrityError:   # another worker loaded it first
            session.rollback()


def list_namespaces(project_id: str | None, is_admin: bool) -> list[dict[str, Any]]:
    """Every namespace the caller may see (public ones, its project's, all for admins),
    by name."""
    with db_api.session_scope() as session:
        query = sa.select(MetadefNamespace).order_by(MetadefNamespace.namespace)
        if not is_admin:
            query = query.where(sa.or_(MetadefNamespace.visibility == "public",
                                       MetadefNamespace.owner == (project_id or "")))
        return [_to_dict(row) for row in session.execute(query).scalars()]


def get_namespace(name: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(MetadefNamespace, name)
        return _to_dict(row) if row is not None else None


def create_namespace(values: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    try:
        with db_api.session_scope() as session:
            if session.get(MetadefNamespace, values["namespace"]) is not None:
                raise Duplicate(values["namespace"])
            row = MetadefNamespace(**values, document=document, created_at=now,
                                   updated_at=now)
            session.add(row)
            session.flush()
            return _to_dict(row)
    except sqlalchemy.exc.IntegrityError:
        raise Duplicate(values["namespace"]) from None


def update_namespace(name: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """Changes the namespace's own fields; a new ``namespace`` renames it."""
    try:
        with db_api.session_scope() as session:
            row = session.execute(sa.select(MetadefNamespace).where(
                MetadefNamespace.namespace == name).with_for_update()).scalar_one_or_none()
            if row is None:
                return None
            new_name = values.get("namespace", name)
            if new_name != name and session.get(MetadefNamespace, new_name) is not None:
                raise Duplicate(new_name)
            for key, value in values.items():
                setattr(row, key, value)   # the primary key too: an UPDATE renames it
            row.updated_at = utcnow()
            session.flush()
            return _to_dict(row)
    except sqlalchemy.exc.IntegrityError:
        raise Duplicate(values.get("namespace", name)) from None


def delete_namespace(name: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(MetadefNamespace).where(
            MetadefNamespace.namespace == name))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def change_document(name: str, change: Callable[[dict[str, Any]], T]) -> T:
    """Runs ``change`` on the namespace's document with the row locked and stores what it
    left; raises KeyError when the namespace is gone. Exceptions ``change`` raises
    leave the document as it was."""
    with db_api.session_scope() as session:
        row = session.execute(sa.select(MetadefNamespace).where(
            MetadefNamespace.namespace == name).with_for_update()).scalar_one_or_none()
        if row is None:
            raise KeyError(name)
        document = empty_document()
        document.update(copy.deepcopy(row.document or {}))
        result = change(document)
        row.document = document
        row.updated_at = utcnow()
        session.flush()
        return result


def list_resource_types() -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        rows = session.execute(sa.select(MetadefResourceType).order_by(
            MetadefResourceType.name)).scalars()
        return [{"name": row.name, "created_at": row.created_at,
                 "updated_at": row.updated_at} for row in rows]


def ensure_resource_type(name: str) -> None:
    """A resource type an association names comes into being with it, as in Glance."""
    try:
        with db_api.session_scope() as session:
            if session.get(MetadefResourceType, name) is None:
                now = utcnow()
                session.add(MetadefResourceType(name=name, protected=False, created_at=now,
                                                updated_at=now))
    except sqlalchemy.exc.IntegrityError:
        pass
