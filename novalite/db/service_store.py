"""Service rows: heartbeats, listing, enable/disable/force-down, and the up/down verdict."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.db.models import Service
from novalite.objects.service import SERVICE_VERSION


def report(host: str, binary: str, topic: str | None, version: int = 0) -> None:
    """Record a heartbeat, creating the row the first time the service reports."""
    now = utcnow()
    with db_api.session_scope() as session:
        result = session.execute(
            update(Service)
            .where(Service.host == host, Service.binary == binary)
            .values(report_count=Service.report_count + 1, last_seen_up=now, updated_at=now,
                    topic=topic, version=version))
        if result.rowcount:
            return
    try:
        with db_api.session_scope() as session:
            session.add(Service(uuid=str(uuid.uuid4()), host=host, binary=binary, topic=topic,
                                report_count=1, last_seen_up=now, updated_at=now,
                                version=version))
    except IntegrityError:  # another worker of the same service created it first
        report(host, binary, topic, version)


def is_up(service: Service | dict[str, Any], now: datetime.datetime | None = None) -> bool:
    get = service.get if isinstance(service, dict) else lambda key: getattr(service, key)
    if get("forced_down"):
        return False
    last = get("last_seen_up") or get("updated_at") or get("created_at")
    if last is None:
        return False
    elapsed = ((now or utcnow()) - last).total_seconds()
    return abs(elapsed) <= CONF.service_down_time


def to_dict(service: Service) -> dict[str, Any]:
    values = {column: getattr(service, column) for column in (
        "id", "uuid", "host", "binary", "topic", "report_count", "disabled", "disabled_reason",
        "forced_down", "last_seen_up", "created_at", "updated_at", "version")}
    values["state"] = "up" if is_up(service) else "down"
    return values


def list_services(binary: str | None = None, host: str | None = None) -> list[dict[str, Any]]:
    query = select(Service).order_by(Service.id)
    if binary:
        query = query.where(Service.binary == binary)
    if host:
        query = query.where(Service.host == host)
    with db_api.session_scope() as session:
        return [to_dict(row) for row in session.scalars(query)]


def _find(session: Any, service_id: str) -> Service:
    key = str(service_id)
    condition = Service.id == int(key) if key.isdigit() else Service.uuid == key
    row = session.scalars(select(Service).where(condition)).first()
    if row is None:
        raise exception.ServiceNotFound(service_id=service_id)
    return row


def get(service_id: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        return to_dict(_find(session, service_id))


def set_state(service_id: str, **values: Any) -> dict[str, Any]:
    """Change ``disabled``, ``disabled_reason`` or ``forced_down``."""
    allowed = {"disabled", "disabled_reason", "forced_down"}
    unknown = set(values) - allowed
    if unknown:
        raise exception.Invalid(reason=f"cannot change {', '.join(sorted(unknown))}")
    with db_api.session_scope() as session:
        row = _find(session, service_id)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def delete(service_id: str) -> None:
    with db_api.session_scope() as session:
        session.delete(_find(session, service_id))


def minimum_version(binary: str) -> int:
    """The lowest service version among the records of ``binary`` (Nova's
    ``Service.get_minimum_version``); this code's version when there is none."""
    with db_api.session_scope() as session:
        lowest = session.scalar(select(func.min(Service.version)).where(
            Service.binary == binary))
    return SERVICE_VERSION if lowest is None else int(lowest)


class DBReporter:
    """Heartbeat for services that own a database connection (api, conductor, scheduler)."""

    def report(self, host: str, binary: str, topic: str | None) -> None:
        report(host, binary, topic, version=SERVICE_VERSION)
