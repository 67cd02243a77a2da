"""Agents: each host's data plane reports itself (one row per agent type and host) and
its heartbeat; whether it is alive is the API's reading of that heartbeat."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network.models import Agent
from novalite.network.store.base import column_in, new_id

AGENT_COLUMNS = ("id", "agent_type", "binary", "topic", "host", "availability_zone",
                 "admin_state_up", "description", "configurations", "resources_synced",
                 "created_at", "started_at", "heartbeat_timestamp")


def _agent_dict(row: Agent) -> dict[str, Any]:
    agent = {column: getattr(row, column) for column in AGENT_COLUMNS}
    agent["configurations"] = dict(row.configurations or {})
    return agent


def report_state(values: dict[str, Any], start_flag: bool = False) -> dict[str, Any]:
    """Record a report of ``values["agent_type"]`` on ``values["host"]``: the heartbeat is
    now; a first report (or one with ``start_flag``, a restarted agent) sets
    ``started_at``. Two first reports racing end in one row."""
    for _ in range(2):
        now = utcnow()
        with db_api.session_scope() as session:
            row = session.scalars(sa.select(Agent).where(
                Agent.agent_type == values["agent_type"],
                Agent.host == values["host"])).first()
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)
                row.heartbeat_timestamp = now
                if start_flag:
                    row.started_at = now
                session.flush()
                return _agent_dict(row)
        try:
            with db_api.session_scope() as session:
                row = Agent(id=new_id(), created_at=now, started_at=now,
                            heartbeat_timestamp=now, admin_state_up=True, **values)
                session.add(row)
                session.flush()
                return _agent_dict(row)
        except sqlalchemy.exc.IntegrityError:
            continue  # another report made it meanwhile: update that one
    raise AssertionError("unreachable")


def get_agent(agent_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Agent, agent_id)
        return _agent_dict(row) if row is not None else None


def list_agents(filters: dict[str, list[Any]] | None = None) -> list[dict[str, Any]]:
    query = sa.select(Agent)
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(Agent, key), values))
    with db_api.session_scope() as session:
        return [_agent_dict(row) for row in session.scalars(
            query.order_by(Agent.host, Agent.agent_type))]


def update_agent(agent_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Agent, agent_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return _agent_dict(row)


def delete_agent(agent_id: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(Agent).where(Agent.id == agent_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
