"""Role assignments as Keystone lists them: direct ones of users and groups, or the
*effective* ones a token would carry (group assignments expanded to each member,
implied roles added).

Targets are ``("project", id)``, ``("domain", id)`` or ``("system", "all")``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.identity import models


@dataclasses.dataclass(frozen=True)
class Assignment:
    actor_type: str  # "user" or "group"
    actor_id: str
    target_type: str  # "project", "domain" or "system"
    target_id: str
    role_id: str
    via_group: str | None = None  # effective: the group the user holds it through
    prior_role: str | None = None  # effective: the assigned role that implies this one


@dataclasses.dataclass(frozen=True)
class Filters:
    user_id: str | None = None
    group_id: str | None = None
    role_id: str | None = None
    target_type: str | None = None
    target_id: str | None = None


def _direct(session: Session, filters: Filters, with_users: bool, with_groups: bool,
            role_filter: bool) -> list[Assignment]:
    found: list[Assignment] = []
    tables: list[tuple[str, Any, Any]] = []
    if with_users:
        tables.append(("user", models.RoleAssignment, models.RoleAssignment.user_id))
    if with_groups:
        tables.append(("group", models.GroupRoleAssignment,
                       models.GroupRoleAssignment.group_id))
    for actor_type, model, actor in tables:
        query = select(actor, model.target_type, model.target_id, model.role_id)
        if actor_type == "user" and filters.user_id is not None:
            query = query.where(actor == filters.user_id)
        if actor_type == "group" and filters.group_id is not None:
            query = query.where(actor == filters.group_id)
        if filters.target_type is not None:
            query = query.where(model.target_type == filters.target_type)
        if filters.target_id is not None:
            query = query.where(model.target_id == filters.target_id)
        if role_filter and filters.role_id is not None:
            query = query.where(model.role_id == filters.role_id)
        found.extend(Assignment(actor_type, *row) for row in session.execute(
            query.order_by(actor, model.target_type, model.target_id, model.role_id)))
    return found


def _members(session: Session, group_ids: set[str], user_id: str | None
             ) -> dict[str, list[str]]:
    if not group_ids:
        return {}
    query = select(models.GroupMembership.group_id, models.GroupMembership.user_id).where(
        models.GroupMembership.group_id.in_(group_ids))
    if user_id is not None:
        query = query.where(models.GroupMembership.user_id == user_id)
    members: dict[str, list[str]] = {}
    for group_id, member in session.execute(query.order_by(models.GroupMembership.user_id)):
        members.setdefault(group_id, []).append(member)
    return members


def _implications(session: Session) -> dict[str, list[str]]:
    implied: dict[str, list[str]] = {}
    for prior, implied_id in session.execute(
            select(models.ImpliedRole.prior_role_id, models.ImpliedRole.implied_role_id)):
        implied.setdefault(prior, []).append(implied_id)
    return implied


def list_assignments(session: Session, filters: Filters, effective: bool = False
                     ) -> list[Assignment]:
    """Direct assignments matching ``filters``; ``effective``: users' assignments only,
    with group ones expanded and implied roles added (``role_id`` then filters the
    expanded roles, as Keystone does)."""
    if not effective:
        return _direct(session, filters, with_users=filters.group_id is None,
                       with_groups=filters.user_id is None, role_filter=True)
    direct = _direct(session, filters, with_users=True, with_groups=True, role_filter=False)
    members = _members(session, {a.actor_id for a in direct if a.actor_type == "group"},
                       filters.user_id)
    expanded: list[Assignment] = []
    for assignment in direct:
        if assignment.actor_type == "user":
            expanded.append(assignment)
            continue
        expanded.extend(dataclasses.replace(assignment, actor_type="user", actor_id=user_id,
                                            via_group=assignment.actor_id)
                        for user_id in members.get(assignment.actor_id, ()))
    implied = _implications(session)
    result: list[Assignment] = []
    seen: set[tuple[str, str, str, str]] = set()
    for assignment in expanded:
        pending = [assignment]
        while pending:
            current = pending.pop(0)
            key = (current.actor_id, current.target_type, current.target_id, current.role_id)
            if key in seen:
                continue
            seen.add(key)
            result.append(current)
            pending.extend(dataclasses.replace(current, role_id=role_id,
                                               prior_role=current.role_id)
                           for role_id in implied.get(current.role_id, ()))
    if filters.role_id is not None:
        result = [a for a in result if a.role_id == filters.role_id]
    return result


def effective_role_ids(session: Session, user_id: str, target_type: str, target_id: str
                       ) -> set[str]:
    """Every role ``user_id`` holds on the target, through groups and implications."""
    return {a.role_id for a in list_assignments(
        session, Filters(user_id=user_id, target_type=target_type, target_id=target_id),
        effective=True)}
