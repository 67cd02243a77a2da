"""Server groups (``os-server-groups``): records, members and the two quotas they count.

A group has one policy (affinity, anti-affinity, soft-affinity, soft-anti-affinity)
and, for anti-affinity, optional rules (``max_server_per_host``). Members are added
by the server create that names the group in its ``group`` hint, in the transaction
that inserts the instances (``add_members``), so the ``server_group_members`` quota
cannot be overrun by concurrent creates. Deleted instances are no longer members.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db import quotas
from novalite.db.compute_models import Instance, InstanceGroup, InstanceGroupMember


def _members(session: Session, group_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    """group id -> [(instance uuid, host)] of the members not deleted, oldest first."""
    found: dict[int, list[tuple[str, str | None]]] = {group_id: [] for group_id in group_ids}
    if not group_ids:
        return found
    query = (select(InstanceGroupMember.group_id, Instance.uuid, Instance.host)
             .join(Instance, Instance.uuid == InstanceGroupMember.instance_uuid)
             .where(InstanceGroupMember.group_id.in_(group_ids), Instance.deleted.is_(False))
             .order_by(InstanceGroupMember.id))
    for group_id, instance_uuid, host in session.execute(query):
        found[group_id].append((instance_uuid, host))
    return found


def _to_dict(row: InstanceGroup, members: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {"id": row.id, "uuid": row.uuid, "name": row.name, "project_id": row.project_id,
            "user_id": row.user_id, "policy": row.policy,
            "rules": json.loads(row.rules) if row.rules else {},
            "members": [uuid for uuid, _ in members],
            "member_hosts": {uuid: host for uuid, host in members if host},
            "created_at": row.created_at, "updated_at": row.updated_at}


def _count(session: Session, project_id: str) -> int:
    return int(session.scalar(select(func.count(InstanceGroup.id)).where(
        InstanceGroup.project_id == project_id)) or 0)


def count(project_id: str) -> int:
    """The project's server groups (the ``server_groups`` quota's usage)."""
    with db_api.session_scope() as session:
        return _count(session, project_id)


def create(project_id: str, user_id: str, name: str | None, policy: str,
           rules: dict[str, int] | None = None) -> dict[str, Any]:
    """A new group; 403 when the project is at its ``server_groups`` quota."""
    with db_api.session_scope() as session:
        quotas.lock_project(session, project_id)
        limit = quotas.get_limits(project_id, session)["server_groups"]
        if limit != quotas.UNLIMITED and _count(session, project_id) + 1 > limit:
            raise exception.OverQuota(message="Quota exceeded, too many server groups.")
        row = InstanceGroup(uuid=str(uuidlib.uuid4()), name=name, project_id=project_id,
                            user_id=user_id, policy=policy,
                            rules=json.dumps(rules) if rules else None)
        session.add(row)
        session.flush()
        return _to_dict(row, [])


def _find(session: Session, group_uuid: str) -> InstanceGroup:
    row = session.scalars(select(InstanceGroup).where(InstanceGroup.uuid == group_uuid)).first()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return row


def get(group_uuid: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = _find(session, group_uuid)
        return _to_dict(row, _members(session, [row.id])[row.id])


def list_groups(project_id: str | None = None, limit: int | None = None,
                offset: int = 0) -> list[dict[str, Any]]:
    """The groups of ``project_id`` (every project's with None), oldest first."""
    query = select(InstanceGroup).order_by(InstanceGroup.id)
    if project_id is not None:
        query = query.where(InstanceGroup.project_id == project_id)
    query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with db_api.session_scope() as session:
        rows = list(session.scalars(query))
        members = _members(session, [row.id for row in rows])
        return [_to_dict(row, members[row.id]) for row in rows]


def delete(group_uuid: str) -> None:
    with db_api.session_scope() as session:
        session.delete(_find(session, group_uuid))


def groups_of(instance_uuids: list[str]) -> dict[str, str]:
    """instance uuid -> the uuid of the group it belongs to (at most one each)."""
    if not instance_uuids:
        return {}
    query = (select(InstanceGroupMember.instance_uuid, InstanceGroup.uuid)
             .join(InstanceGroup, InstanceGroup.id == InstanceGroupMember.group_id)
             .where(InstanceGroupMember.instance_uuid.in_(instance_uuids)))
    with db_api.session_scope() as session:
        return {str(instance): str(group) for instance, group in session.execute(query)}


def add_members(session: Session, group_uuid: str, user_id: str, project_id: str,
                instance_uuids: list[str]) -> None:
    """Make the new instances members, inside the transaction that inserts them (after
    the quota lock): 403 when the user's members of the group would pass
    ``server_group_members`` (counted per user, as Nova does)."""
    group = _find(session, group_uuid)
    limit = quotas.get_limits(project_id, session)["server_group_members"]
    if limit != quotas.UNLIMITED:
        used = int(session.scalar(
            select(func.count(InstanceGroupMember.id))
            .join(Instance, Instance.uuid == InstanceGroupMember.instance_uuid)
            .where(InstanceGroupMember.group_id == group.id, Instance.deleted.is_(False),
                   Instance.user_id == user_id)) or 0)
        if used + len(instance_uuids) > limit:
            raise exception.OverQuota(message="Quota exceeded, too many servers in group")
    for instance_uuid in instance_uuids:
        session.add(InstanceGroupMember(group_id=group.id, instance_uuid=instance_uuid))
    session.flush()
