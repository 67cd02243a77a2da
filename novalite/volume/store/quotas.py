"""Volume quotas per project: ``[volume] quota_*`` defaults, per-project overrides,
usage counted from the volumes and snapshots, and the atomic check a create runs in
the transaction that inserts its row (a locked per-project row on PostgreSQL and
MariaDB; SQLite transactions already run one at a time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.volume.models import Snapshot, Volume, VolumeQuota, VolumeQuotaLock

UNLIMITED = -1
#: resource → its [volume] option
RESOURCES = {"volumes": "quota_volumes", "snapshots": "quota_snapshots",
             "gigabytes": "quota_gigabytes", "backups": "quota_backups",
             "backup_gigabytes": "quota_backup_gigabytes", "groups": "quota_groups",
             "per_volume_gigabytes": "per_volume_size_limit"}
ENFORCED = ("volumes", "snapshots", "gigabytes")


class QuotaError(exception.NovaliteException):
    """Cinder's quota errors: 413, the error's name leading the fault message (Cinder's
    FaultWrapper writes "<exception>: <explanation>" for them), retry after 0 s."""

    code = 413

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.message = f"{type(self).__name__}: {self.message}"
        self.args = (self.message,)


class VolumeLimitExceeded(QuotaError):
    msg_fmt = "Maximum number of volumes allowed (%(allowed)d) exceeded for quota '%(name)s'."


class SnapshotLimitExceeded(QuotaError):
    msg_fmt = "Maximum number of snapshots allowed (%(allowed)d) exceeded"


class VolumeSizeExceedsAvailableQuota(QuotaError):
    msg_fmt = ("Requested volume or snapshot exceeds allowed %(name)s quota. Requested "
               "%(requested)sG, quota is %(quota)sG and %(consumed)sG has been consumed.")


class VolumeSizeExceedsLimit(QuotaError):
    msg_fmt = "Requested volume size %(size)dG is larger than maximum allowed limit %(limit)dG."


def defaults() -> dict[str, int]:
    return {resource: int(getattr(CONF.volume, option))
            for resource, option in RESOURCES.items()}


def get_limits(project_id: str, session: Session | None = None) -> dict[str, int]:
    if session is None:
        with db_api.session_scope() as own:
            return get_limits(project_id, own)
    limits = defaults()
    for row in session.scalars(select(VolumeQuota).where(VolumeQuota.project_id == project_id)):
        if row.resource in limits:
            limits[row.resource] = row.hard_limit
    return limits


def update(project_id: str, values: dict[str, int]) -> dict[str, int]:
    with db_api.session_scope() as session:
        rows = {row.resource: row for row in session.scalars(
            select(VolumeQuota).where(VolumeQuota.project_id == project_id))}
        for resource, limit in values.items():
            if resource in rows:
                rows[resource].hard_limit = int(limit)
            else:
                session.add(VolumeQuota(project_id=project_id, resource=resource,
                                        hard_limit=int(limit)))
        session.flush()
        return get_limits(project_id, session)


def delete_project(project_id: str) -> None:
    with db_api.session_scope() as session:
        session.execute(delete(VolumeQuota).where(VolumeQuota.project_id == project_id))


def usage(project_id: str, session: Session | None = None) -> dict[str, int]:
    """What ``project_id`` uses now: volumes, snapshots and their gigabytes."""
    if session is None:
        with db_api.session_scope() as own:
            return usage(project_id, own)
    volumes, volume_gb = session.execute(
        select(func.count(Volume.id), func.coalesce(func.sum(Volume.size), 0))
        .where(Volume.project_id == project_id)).one()
    snapshots, snapshot_gb = session.execute(
        select(func.count(Snapshot.id), func.coalesce(func.sum(Snapshot.size), 0))
        .where(Snapshot.project_id == project_id)).one()
    return {"volumes": int(volumes), "snapshots": int(snapshots),
            "gigabytes": int(volume_gb) + int(snapshot_gb), "backups": 0,
            "backup_gigabytes": 0, "groups": 0, "per_volume_gigabytes": 0}


def _lock_project(session: Session, project_id: str) -> None:
    if session.get_bind().dialect.name == "sqlite":
        return  # every SQLite transaction begins IMMEDIATE, one at a time
    with db_api.get_engine().connect() as connection:
        exists = connection.execute(select(VolumeQuotaLock.project_id).where(
            VolumeQuotaLock.project_id == project_id)).first()
        connection.rollback()
    if exists is None:
        try:
            with db_api.get_engine().begin() as connection:
                connection.execute(insert(VolumeQuotaLock).values(project_id=project_id))
        except IntegrityError:
            pass  # a concurrent first reservation made it
    session.scalars(select(VolumeQuotaLock).where(VolumeQuotaLock.project_id == project_id)
                    .with_for_update()).one()


def check_and_reserve(session: Session, project_id: str, volumes: int = 0,
                      snapshots: int = 0, gigabytes: int = 0) -> None:
    """Lock the project's quota and raise Cinder's quota error unless the request fits
    (``gigabytes`` counts against ``per_volume_gigabytes`` too, for a volume)."""
    _lock_project(session, project_id)
    limits = get_limits(project_id, session)
    per_volume = limits["per_volume_gigabytes"]
    if volumes and per_volume != UNLIMITED and gigabytes > per_volume:
        raise VolumeSizeExceedsLimit(size=gigabytes, limit=per_volume)
    used = usage(project_id, session)
    if volumes and limits["volumes"] != UNLIMITED and used["volumes"] + volumes > limits[
            "volumes"]:
        raise VolumeLimitExceeded(allowed=limits["volumes"], name="volumes")
    if snapshots and limits["snapshots"] != UNLIMITED and (
            used["snapshots"] + snapshots > limits["snapshots"]):
        raise SnapshotLimitExceeded(allowed=limits["snapshots"])
    if gigabytes and limits["gigabytes"] != UNLIMITED and (
            used["gigabytes"] + gigabytes > limits["gigabytes"]):
        raise VolumeSizeExceedsAvailableQuota(name="gigabytes", requested=gigabytes,
                                              quota=limits["gigabytes"],
                                              consumed=used["gigabytes"])
