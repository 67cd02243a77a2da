"""Network quotas: Neutron's defaults, per-project overrides, and usage counted from
the resources' tables.

The check before a create counts and then inserts in separate transactions, so two
racing creates may both pass at the limit (Neutron's no-lock driver behaves alike)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from novalite.db import api as db_api
from novalite.network import exceptions as exc
from novalite.network.models import (
    FloatingIP,
    Network,
    NetworkQuota,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)

UNLIMITED = -1
DEFAULT_QUOTAS = {"network": 100, "subnet": 100, "port": 500, "security_group": 10,
                  "security_group_rule": 100, "router": 10, "floatingip": 50,
                  "rbac_policy": 10, "subnetpool": -1}
# What novalite has tables for; the others are always used 0.
_COUNTED: dict[str, Any] = {"network": Network, "subnet": Subnet, "port": Port,
                            "security_group": SecurityGroup,
                            "security_group_rule": SecurityGroupRule, "router": Router,
                            "floatingip": FloatingIP}


def get_quotas(project_id: str) -> dict[str, int]:
    """The effective limit of every resource for ``project_id``."""
    limits = dict(DEFAULT_QUOTAS)
    with db_api.session_scope() as session:
        for row in session.scalars(sa.select(NetworkQuota).where(
                NetworkQuota.project_id == project_id)):
            if row.resource in limits:
                limits[row.resource] = row.hard_limit
    return limits


def list_quotas() -> list[dict[str, Any]]:
    """``{"project_id", <limits>}`` of every project with an override, as Neutron lists."""
    with db_api.session_scope() as session:
        projects = sorted(set(session.scalars(sa.select(NetworkQuota.project_id))))
    return [{"project_id": project_id, **get_quotas(project_id)} for project_id in projects]


def update_quotas(project_id: str, values: dict[str, int]) -> dict[str, int]:
    with db_api.session_scope() as session:
        rows = {row.resource: row for row in session.scalars(sa.select(NetworkQuota).where(
            NetworkQuota.project_id == project_id))}
        for resource, limit in values.items():
            if resource in rows:
                rows[resource].hard_limit = limit
            else:
                session.add(NetworkQuota(project_id=project_id, resource=resource,
                                         hard_limit=limit))
    return get_quotas(project_id)


def delete_quotas(project_id: str) -> bool:
    """Back to the defaults; False when the project had no override."""
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(NetworkQuota).where(
            NetworkQuota.project_id == project_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def usage(project_id: str) -> dict[str, int]:
    used = dict.fromkeys(DEFAULT_QUOTAS, 0)
    with db_api.session_scope() as session:
        for resource, model in _COUNTED.items():
            used[resource] = int(session.scalar(sa.select(sa.func.count()).select_from(model)
                                                .where(model.project_id == project_id)) or 0)
    return used


def check_quota(project_id: str, resource: str, wanted: int = 1) -> None:
    """``OverQuota`` (409) when ``wanted`` more of ``resource`` would pass the limit."""
    limit = get_quotas(project_id)[resource]
    if limit == UNLIMITED:
        return
    model = _COUNTED[resource]
    with db_api.session_scope() as session:
        used = int(session.scalar(sa.select(sa.func.count()).select_from(model)
                                  .where(model.project_id == project_id)) or 0)
    if used + wanted > limit:
        raise exc.OverQuota(overs=[resource])
