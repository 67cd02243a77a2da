"""Tags of the resources with standard attributes, and the ``tags`` list filters.

A change of a resource's tags is a change of the resource: its ``revision_number``
goes up and ``updated_at`` moves, as in Neutron. Tags come back sorted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network.models import (
    FloatingIP,
    Network,
    Port,
    ResourceTag,
    Router,
    SecurityGroup,
    Subnet,
)

#: collection name → table of the resources that carry tags
TAGGED: dict[str, Any] = {"networks": Network, "subnets": Subnet, "ports": Port,
                          "security_groups": SecurityGroup, "routers": Router,
                          "floatingips": FloatingIP}
#: the list filters on tags (a value lists tags separated by commas)
FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


def tags_by_id(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {resource_id: [] for resource_id in ids}
    if ids:
        for resource_id, tag in session.execute(
                sa.select(ResourceTag.resource_id, ResourceTag.tag)
                .where(ResourceTag.resource_id.in_(list(ids)))
                .order_by(ResourceTag.tag)):
            result[resource_id].append(tag)
    return result


def delete_all(session: Session, resource_id: str) -> None:
    session.execute(sa.delete(ResourceTag).where(ResourceTag.resource_id == resource_id))


def conditions(id_column: Any, filters: dict[str, list[str]]) -> list[Any]:
    """SQL conditions for Neutron's four tag filters on the resources' ``id_column``."""
    result: list[Any] = []

    def having(tags: Iterable[str]) -> Any:
        return sa.select(ResourceTag.resource_id).where(ResourceTag.tag.in_(list(tags)))

    for key, tags in filters.items():
        if not tags:
            continue
        if key == "tags":
            result.extend(id_column.in_(having([tag])) for tag in tags)
        elif key == "tags-any":
            result.append(id_column.in_(having(tags)))
        elif key == "not-tags":
            result.append(sa.not_(sa.and_(*(id_column.in_(having([tag])) for tag in tags))))
        elif key == "not-tags-any":
            result.append(id_column.notin_(having(tags)))
    return result


def _touch(session: Session, resource_type: str, resource_id: str) -> bool:
    model = TAGGED[resource_type]
    row = session.get(model, resource_id)
    if row is None:
        return False
    row.revision_number = (row.revision_number or 0) + 1
    row.updated_at = utcnow()
    return True


def _current(session: Session, resource_id: str) -> list[str]:
    return tags_by_id(session, [resource_id])[resource_id]


def _insert(session: Session, resource_type: str, resource_id: str, tag: str) -> None:
    try:
        with session.begin_nested():
            session.add(ResourceTag(resource_id=resource_id, tag=tag,
                                    resource_type=resource_type))
    except sqlalchemy.exc.IntegrityError:
        pass  # a concurrent add of the same tag: it is there, as asked


def get_tags(resource_id: str) -> list[str]:
    with db_api.session_scope() as session:
        return _current(session, resource_id)


def replace_tags(resource_type: str, resource_id: str, tags: Sequence[str]) -> list[str]:
    with db_api.session_scope() as session:
        _touch(session, resource_type, resource_id)
        wanted = set(tags)
        present = set(_current(session, resource_id))
        if present - wanted:
            session.execute(sa.delete(ResourceTag).where(
                ResourceTag.resource_id == resource_id,
                ResourceTag.tag.in_(sorted(present - wanted))))
        for tag in sorted(wanted - present):
            _insert(session, resource_type, resource_id, tag)
        session.flush()
        return _current(session, resource_id)


def add_tags(resource_type: str, resource_id: str, tags: Sequence[str]) -> list[str]:
    with db_api.session_scope() as session:
        present = set(_current(session, resource_id))
        new = sorted(set(tags) - present)
        if new:
            _touch(session, resource_type, resource_id)
        for tag in new:
            _insert(session, resource_type, resource_id, tag)
        session.flush()
        return _current(session, resource_id)


def remove_tag(resource_type: str, resource_id: str, tag: str) -> bool:
    """False when the resource had no such tag."""
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(ResourceTag).where(
            ResourceTag.resource_id == resource_id, ResourceTag.tag == tag))
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        _touch(session, resource_type, resource_id)
        return True


def remove_all_tags(resource_type: str, resource_id: str) -> None:
    with db_api.session_scope() as session:
        if _current(session, resource_id):
            _touch(session, resource_type, resource_id)
        delete_all(session, resource_id)
