"""Database access for the image service: rows in, plain dicts out.

Images are returned as dicts holding the core columns plus ``properties`` (a dict of
the free-form string properties) and ``tags`` (a sorted list). Listing applies
Glance's visibility rules in SQL and pages with a keyset on the sort keys, so a page
costs the same however many images there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.image.models import Image, ImageMember, ImageProperty, ImageTag

CORE_COLUMNS = ("id", "name", "status", "visibility", "protected", "os_hidden", "owner",
                "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value",
                "disk_format", "container_format", "min_disk", "min_ram", "created_at",
                "updated_at")
MEMBER_STATUSES = ("pending", "accepted", "rejected")

# Sort expressions: nullable columns are coalesced so that NULLs order the same way
# on SQLite, PostgreSQL and MariaDB and the keyset comparison stays consistent.
_SORT_COLUMNS: dict[str, Any] = {
    "name": sa.func.coalesce(Image.name, ""),
    "status": Image.status,
    "container_format": sa.func.coalesce(Image.container_format, ""),
    "disk_format": sa.func.coalesce(Image.disk_format, ""),
    "size": sa.func.coalesce(Image.size, -1),
    "id": Image.id,
    "created_at": Image.created_at,
    "updated_at": Image.updated_at,
    "min_disk": Image.min_disk,
    "min_ram": Image.min_ram,
    "visibility": Image.visibility,
    "owner": sa.func.coalesce(Image.owner, ""),
}
SORT_KEYS = frozenset(_SORT_COLUMNS)


class MarkerNotFound(Exception):
    pass


def _to_dict(row: Image) -> dict[str, Any]:
    image = {column: getattr(row, column) for column in CORE_COLUMNS}
    image["properties"] = {prop.name: prop.value for prop in row.properties}
    image["tags"] = sorted(tag.value for tag in row.tags)
    return image


def create(values: dict[str, Any], properties: dict[str, str], tags: Sequence[str]
           ) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        row = Image(**values, created_at=now, updated_at=now)
        row.properties = [ImageProperty(name=k, value=v) for k, v in properties.items()]
        row.tags = [ImageTag(value=tag) for tag in dict.fromkeys(tags)]
        session.add(row)
        session.flush()
        return _to_dict(row)


def get(image_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Image, image_id)
        return _to_dict(row) if row is not None else None


def update(image_id: str, values: dict[str, Any], properties: dict[str, str] | None = None,
           tags: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Set core ``values``; replace all properties and tags when given."""
    with db_api.session_scope() as session:
        row = session.get(Image, image_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        if properties is not None:
            current = {prop.name: prop for prop in row.properties}
            for name in set(current) - set(properties):
                row.properties.remove(current[name])
            for name, value in properties.items():
                if name in current:
                    current[name].value = value
                else:
                    row.properties.append(ImageProperty(name=name, value=value))
        if tags is not None:
            wanted = dict.fromkeys(tags)
            for tag in [t for t in row.tags if t.value not in wanted]:
                row.tags.remove(tag)
            have = {t.value for t in row.tags}
            row.tags.extend(ImageTag(value=v) for v in wanted if v not in have)
        row.updated_at = utcnow()
        session.flush()
        return _to_dict(row)


def compare_and_set(image_id: str, from_statuses: Sequence[str], values: dict[str, Any]
                    ) -> bool:
    """Update only if the image is still in one of ``from_statuses`` (atomic)."""
    with db_api.session_scope() as session:
        result = session.execute(
            sa.update(Image).where(Image.id == image_id, Image.status.in_(from_statuses))
            .values(**values, updated_at=utcnow()))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def usage(owner: str) -> dict[str, Any]:
    """The owner's images: how many, their stored bytes, and the ids of those uploading
    (staged, not imported yet)."""
    with db_api.session_scope() as session:
        row = session.execute(
            sa.select(sa.func.count(Image.id), sa.func.coalesce(sa.func.sum(Image.size), 0))
            .where(Image.owner == owner)).one()
        count, size = row[0] or 0, row[1] or 0
        uploading = list(session.execute(
            sa.select(Image.id).where(Image.owner == owner, Image.status == "uploading")
        ).scalars())
    return {"count": int(count), "size": int(size), "uploading": uploading}


def delete(image_id: str) -> bool:
    with db_api.session_scope() as session:
        for model in (ImageMember, ImageTag, ImageProperty):
            session.execute(sa.delete(model).where(model.image_id == image_id))
        result = session.execute(sa.delete(Image).where(Image.id == image_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def add_tag(image_id: str, tag: str) -> None:
    with db_api.session_scope() as session:
        if session.get(ImageTag, (image_id, tag)) is None:
            session.add(ImageTag(image_id=image_id, value=tag))
        session.execute(sa.update(Image).where(Image.id == image_id)
                        .values(updated_at=utcnow()))


def delete_tag(image_id: str, tag: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(ImageTag).where(
            ImageTag.image_id == image_id, ImageTag.value == tag))
        session.execute(sa.update(Image).where(Image.id == image_id)
                        .values(updated_at=utcnow()))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _member_dict(row: ImageMember) -> dict[str, Any]:
    return {"image_id": row.image_id, "member": row.member, "status": row.status,
            "created_at": row.created_at, "updated_at": row.updated_at}


def get_member(image_id: str, member: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(ImageMember, (image_id, member))
        return _member_dict(row) if row is not None else None


def list_members(image_id: str) -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        rows = session.scalars(sa.select(ImageMember).where(ImageMember.image_id == image_id)
                               .order_by(ImageMember.created_at, ImageMember.member))
        return [_member_dict(row) for row in rows]


def add_member(image_id: str, member: str) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        row = ImageMember(image_id=image_id, member=member, status="pending", created_at=now,
                          updated_at=now)
        session.add(row)
        session.flush()
        return _member_dict(row)


def update_member(image_id: str, member: str, status: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(ImageMember, (image_id, member))
        if row is None:
            return None
        row.status = status
        row.updated_at = utcnow()
        session.flush()
        return _member_dict(row)


def delete_member(image_id: str, member: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(ImageMember).where(
            ImageMember.image_id == image_id, ImageMember.member == member))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _visibility_clause(project_id: str | None, is_admin: bool, visibility: str | None,
                       member_statuses: Sequence[str]) -> Any:
    """Glance's listing rules for who sees which images."""
    if is_admin:
        if visibility == "all":
            return sa.true()
        if visibility is not None:
            return Image.visibility == visibility
        return sa.or_(Image.owner == project_id, Image.visibility != "community")
    shared_with_me = Image.id.in_(sa.select(ImageMember.image_id).where(
        ImageMember.member == project_id, ImageMember.status.in_(member_statuses)))
    mine = Image.owner == project_id
    shared = sa.and_(Image.visibility == "shared", shared_with_me)
    if visibility is None:
        return sa.or_(mine, Image.visibility == "public", shared)
    if visibility == "all":
        return sa.or_(mine, Image.visibility.in_(("public", "community")), shared)
    if visibility in ("public", "community"):
        return Image.visibility == visibility
    if visibility == "private":
        return sa.and_(Image.visibility == "private", mine)
    return sa.and_(Image.visibility == "shared", sa.or_(mine, shared_with_me))


def list_images(project_id: str | None, is_admin: bool, *, visibility: str | None = None,
                member_statuses: Sequence[str] = ("accepted",),
                filters: Sequence[Any] = (), tags: Sequence[str] = (),
                properties: dict[str, str] | None = None,
                sort: Sequence[tuple[str, str]] = (("created_at", "desc"),),
                limit: int = 25, marker: str | None = None) -> list[dict[str, Any]]:
    """One page of the images ``project_id`` may list. ``filters`` are SQL clauses."""
    query = sa.select(Image).where(
        _visibility_clause(project_id, is_admin, visibility, member_statuses), *filters)
    for tag in tags:
        query = query.where(Image.id.in_(sa.select(ImageTag.image_id).where(
            ImageTag.value == tag)))
    for name, value in (properties or {}).items():
        query = query.where(Image.id.in_(sa.select(ImageProperty.image_id).where(
            ImageProperty.name == name, ImageProperty.value == value)))
    keys = list(sort)
    if "id" not in [key for key, _ in keys]:
        keys.append(("id", keys[-1][1] if keys else "desc"))
    with db_api.session_scope() as session:
        if marker is not None:
            query = query.where(_after_marker(session, keys, marker))
        order = [_SORT_COLUMNS[key].asc() if direction == "asc" else _SORT_COLUMNS[key].desc()
                 for key, direction in keys]
        rows = session.scalars(query.order_by(*order).limit(limit)).all()
        return [_to_dict(row) for row in rows]


def _after_marker(session: Session, keys: Sequence[tuple[str, str]], marker: str) -> Any:
    columns = [_SORT_COLUMNS[key] for key, _ in keys]
    values = session.execute(sa.select(*columns).where(Image.id == marker)).first()
    if values is None:
        raise MarkerNotFound(marker)
    alternatives = []
    for index, (_key, direction) in enumerate(keys):
        equal = [columns[i] == values[i] for i in range(index)]
        column, value = columns[index], values[index]
        beyond = column > value if direction == "asc" else column < value
        alternatives.append(sa.and_(*equal, beyond))
    return sa.or_(*alternatives)


def time_filter(column: str, operator: str, value: datetime.datetime) -> Any:
    attribute = getattr(Image, column)
    return {"gt": attribute > value, "gte": attribute >= value, "lt": attribute < value,
            "lte": attribute <= value, "eq": attribute == value,
            "neq": attribute != value}[operator]


def column(name: str) -> Any:
    return getattr(Image, name)
