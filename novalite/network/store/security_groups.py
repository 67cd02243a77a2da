"""Security groups and their rules, and each project's ``default`` group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network.models import (
    DefaultSecurityGroup,
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id

GROUP_COLUMNS = ("id", "project_id", "name", "description", "revision_number", "created_at",
                 "updated_at")
RULE_COLUMNS = ("id", "security_group_id", "project_id", "description", "direction",
                "ethertype", "protocol", "port_range_min", "port_range_max",
                "remote_ip_prefix", "remote_group_id", "revision_number", "created_at",
                "updated_at")
DEFAULT_GROUP = "default"


def _rule_dict(row: SecurityGroupRule, default_groups: Iterable[str] = ()) -> dict[str, Any]:
    rule = {column: getattr(row, column) for column in RULE_COLUMNS}
    rule["belongs_to_default_sg"] = row.security_group_id in set(default_groups)
    return rule


def _default_ids(session: Session, group_ids: Sequence[str]) -> set[str]:
    if not group_ids:
        return set()
    return set(session.scalars(sa.select(DefaultSecurityGroup.security_group_id).where(
        DefaultSecurityGroup.security_group_id.in_(group_ids))))


def _group_dicts(session: Session, rows: Sequence[SecurityGroup]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    defaults = _default_ids(session, ids)
    rules: dict[str, list[dict[str, Any]]] = {group_id: [] for group_id in ids}
    if ids:
        for rule in session.scalars(sa.select(SecurityGroupRule).where(
                SecurityGroupRule.security_group_id.in_(ids))
                .order_by(SecurityGroupRule.created_at, SecurityGroupRule.id)):
            rules[rule.security_group_id].append(_rule_dict(rule, defaults))
    tags = tag_store.tags_by_id(session, ids)
    result = []
    for row in rows:
        group = {column: getattr(row, column) for column in GROUP_COLUMNS}
        group["security_group_rules"] = rules[row.id]
        group["is_default"] = row.id in defaults
        group["tags"] = tags[row.id]
        result.append(group)
    return result


def _add_rule(session: Session, group: SecurityGroup, **values: Any) -> SecurityGroupRule:
    now = utcnow()
    row = SecurityGroupRule(id=new_id(), security_group_id=group.id,
                            project_id=group.project_id, created_at=now, updated_at=now,
                            **{"description": "", "ethertype": "IPv4", **values})
    session.add(row)
    return row


def _insert_group(session: Session, project_id: str, name: str, description: str
                  ) -> SecurityGroup:
    now = utcnow()
    row = SecurityGroup(id=new_id(), project_id=project_id, name=name,
                        description=description, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    for ethertype in ("IPv4", "IPv6"):
        _add_rule(session, row, direction="egress", ethertype=ethertype)
    return row


def ensure_default_security_group(project_id: str) -> str:
    """The project's ``default`` group, created on first use (egress anywhere, ingress
    from members of the same group, for IPv4 and IPv6), as Neutron does. Safe against
    concurrent callers."""
    with db_api.session_scope() as session:
        existing = session.get(DefaultSecurityGroup, project_id)
        if existing is not None:
            return existing.security_group_id
    try:
        with db_api.session_scope() as session:
            group = _insert_group(session, project_id, DEFAULT_GROUP, "Default security group")
            for ethertype in ("IPv4", "IPv6"):
                _add_rule(session, group, direction="ingress", ethertype=ethertype,
                          remote_group_id=group.id)
            session.add(DefaultSecurityGroup(project_id=project_id,
                                             security_group_id=group.id))
            session.flush()
            return group.id
    except sqlalchemy.exc.IntegrityError:
        with db_api.session_scope() as session:
            existing = session.get(DefaultSecurityGroup, project_id)
            assert existing is not None
            return existing.security_group_id


def create_security_group(project_id: str, name: str, description: str) -> dict[str, Any]:
    """A new group that allows all egress (IPv4 and IPv6), as Neutron's new groups do."""
    with db_api.session_scope() as session:
        row = _insert_group(session, project_id, name, description)
        session.flush()
        return _group_dicts(session, [row])[0]


def get_security_group(group_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        return _group_dicts(session, [row])[0] if row is not None else None


def list_security_groups(project_id: str | None, is_admin: bool,
                         filters: dict[str, list[Any]] | None = None,
                         tag_filters: dict[str, list[str]] | None = None
                         ) -> list[dict[str, Any]]:
    query = sa.select(SecurityGroup)
    if not is_admin:
        query = query.where(SecurityGroup.project_id == project_id)
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(SecurityGroup, key), values))
    for condition in tag_store.conditions(SecurityGroup.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(SecurityGroup.created_at,
                                              SecurityGroup.id)).all()
        return _group_dicts(session, rows)


def update_security_group(group_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        row.revision_number = (row.revision_number or 0) + 1
        row.updated_at = utcnow()
        session.flush()
        return _group_dicts(session, [row])[0]


def delete_security_group(group_id: str, allow_default: bool = False) -> bool:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        if row is None:
            return False
        if not allow_default and session.scalar(sa.select(DefaultSecurityGroup.project_id)
                                                .where(DefaultSecurityGroup.security_group_id
                                                       == group_id)):
            raise exc.SecurityGroupCannotRemoveDefault()
        in_use = session.scalar(sa.select(sa.func.count()).select_from(PortSecurityGroup)
                                .where(PortSecurityGroup.security_group_id == group_id))
        if in_use:
            raise exc.SecurityGroupInUse(id=group_id, reason="in use")
        session.execute(sa.delete(DefaultSecurityGroup).where(
            DefaultSecurityGroup.security_group_id == group_id))
        session.execute(sa.delete(SecurityGroupRule).where(sa.or_(
            SecurityGroupRule.security_group_id == group_id,
            SecurityGroupRule.remote_group_id == group_id)))
        tag_store.delete_all(session, group_id)
        session.delete(row)
        return True


_RULE_IDENTITY = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
                  "remote_ip_prefix", "remote_group_id")


def create_security_group_rule(group_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Add a rule; ``SecurityGroupRuleExists`` when an identical one is there. The group
    row is locked so two identical concurrent creates cannot both pass the check."""
    with db_api.session_scope() as session:
        group = session.scalars(sa.select(SecurityGroup).where(SecurityGroup.id == group_id)
                                .with_for_update()).first()
        if group is None:
            raise exc.SecurityGroupNotFound(id=group_id)
        for rule in session.scalars(sa.select(SecurityGroupRule).where(
                SecurityGroupRule.security_group_id == group_id)):
            if all(getattr(rule, key) == values.get(key) for key in _RULE_IDENTITY):
                raise exc.SecurityGroupRuleExists(rule_id=rule.id)
        row = _add_rule(session, group, **values)
        group.revision_number = (group.revision_number or 0) + 1
        session.flush()
        return _rule_dict(row, _default_ids(session, [group_id]))


def get_security_group_rule(rule_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroupRule, rule_id)
        if row is None:
            return None
        return _rule_dict(row, _default_ids(session, [row.security_group_id]))


def list_security_group_rules(project_id: str | None, is_admin: bool,
                              filters: dict[str, list[Any]] | None = None
                              ) -> list[dict[str, Any]]:
    query = sa.select(SecurityGroupRule)
    if not is_admin:
        mine = sa.select(SecurityGroup.id).where(SecurityGroup.project_id == project_id)
        query = query.where(sa.or_(SecurityGroupRule.project_id == project_id,
                                   SecurityGroupRule.security_group_id.in_(mine)))
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(SecurityGroupRule, key), values))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(SecurityGroupRule.created_at,
                                              SecurityGroupRule.id)).all()
        defaults = _default_ids(session, list({row.security_group_id for row in rows}))
        return [_rule_dict(row, defaults) for row in rows]


def delete_security_group_rule(rule_id: str) -> bool:
    with db_api.session_scope() as session:
        rule = session.get(SecurityGroupRule, rule_id)
        if rule is None:
            return False
        group = session.get(SecurityGroup, rule.security_group_id)
        if group is not None:
            group.revision_number = (group.revision_number or 0) + 1
        session.delete(rule)
        return True
