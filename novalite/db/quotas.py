"""Quota limits per project (``[quota]`` defaults and the ``default`` quota class,
per-project overrides), quota classes, and usage.

``check_and_reserve`` is the atomic check server create runs *inside* the
transaction that inserts the instances: it serializes every such transaction of
one project (a locked per-project row on PostgreSQL/MariaDB, a write transaction
on SQLite) and counts usage from the instances table after taking that lock, so
concurrent creates can never exceed the limit.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db.compute_models import (
    Instance,
    InstanceGroup,
    KeyPair,
    Quota,
    QuotaClass,
    QuotaLock,
)

RESOURCES = ("instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups",
             "server_group_members")
UNLIMITED = -1
# Quotas Nova still stores and shows to the microversions that have them (the network
# ones before 2.36, the injected file ones before 2.57); novalite does not enforce them.
LEGACY_DEFAULTS = {"fixed_ips": -1, "floating_ips": 10, "security_groups": 10,
                   "security_group_rules": 20, "injected_files": 5,
                   "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255}


DEFAULT_CLASS = "default"


def _class_rows(session: Session, class_name: str) -> dict[str, int]:
    return {row.resource: row.hard_limit for row in session.scalars(
        select(QuotaClass).where(QuotaClass.class_name == class_name))}


def get_class(class_name: str, session: Session | None = None) -> dict[str, int]:
    """A quota class's limits, enforced and legacy: its own values, else the defaults
    (``[quota]`` and the legacy defaults, with the ``default`` class's values)."""
    if session is None:
        with db_api.session_scope() as own:
            return get_class(class_name, own)
    limits = {resource: int(getattr(CONF.quota, resource)) for resource in RESOURCES}
    limits.update(LEGACY_DEFAULTS)
    names = [DEFAULT_CLASS] if class_name == DEFAULT_CLASS else [DEFAULT_CLASS, class_name]
    for name in names:
        limits.update({resource: limit for resource, limit in
                       _class_rows(session, name).items() if resource in limits})
    return limits


def update_class(class_name: str, values: dict[str, int]) -> dict[str, int]:
    """Store a quota class's limits; returns the class's limits."""
    with db_api.session_scope() as session:
        rows = {row.resource: row for row in session.scalars(
            select(QuotaClass).where(QuotaClass.class_name == class_name))}
        for resource, limit in values.items():
            if resource in rows:
                rows[resource].hard_limit = int(limit)
            else:
                session.add(QuotaClass(class_name=class_name, resource=resource,
                                       hard_limit=int(limit)))
        session.flush()
        return get_class(class_name, session)


def defaults(session: Session | None = None) -> dict[str, int]:
    """The default limit of every enforced resource: ``[quota]``, overridden by the
    ``default`` quota class."""
    limits = get_class(DEFAULT_CLASS, session)
    return {resource: limits[resource] for resource in RESOURCES}


def legacy_defaults() -> dict[str, int]:
    limits = get_class(DEFAULT_CLASS)
    return {resource: limits[resource] for resource in LEGACY_DEFAULTS}


def get_limits(project_id: str, session: Session | None = None) -> dict[str, int]:
    """The effective limit of every resource for ``project_id`` (-1 = unlimited)."""
    if session is None:
        with db_api.session_scope() as own:
            return get_limits(project_id, own)
    limits = defaults(session)
    for row in session.scalars(select(Quota).where(Quota.project_id == project_id)):
        if row.resource in limits:
            limits[row.resource] = row.hard_limit
    return limits


def get_legacy_limits(project_id: str) -> dict[str, int]:
    """The legacy quotas (``LEGACY_DEFAULTS``) with ``project_id``'s stored values."""
    limits = legacy_defaults()
    with db_api.session_scope() as session:
        for row in session.scalars(select(Quota).where(Quota.project_id == project_id,
                                                       Quota.resource.in_(limits))):
            limits[row.resource] = row.hard_limit
    return limits


def update(project_id: str, values: dict[str, int]) -> dict[str, int]:
    """Store limits (enforced and legacy ones); returns the enforced limits."""
    unknown = set(values) - set(RESOURCES) - set(LEGACY_DEFAULTS)
    if unknown:
        raise exception.Invalid(reason=f"unknown quota resources {', '.join(sorted(unknown))}")
    with db_api.session_scope() as session:
        rows = {row.resource: row for row in session.scalars(
            select(Quota).where(Quota.project_id == project_id))}
        for resource, limit in values.items():
            if resource in rows:
                rows[resource].hard_limit = int(limit)
            else:
                session.add(Quota(project_id=project_id, resource=resource,
                                  hard_limit=int(limit)))
        session.flush()
        return get_limits(project_id, session)


def delete_project(project_id: str) -> None:
    """Forget a project's overrides: it is back on the defaults."""
    with db_api.session_scope() as session:
        session.execute(delete(Quota).where(Quota.project_id == project_id))


def _instance_usage(session: Session, project_id: str, lock: bool = False
                    ) -> dict[str, int]:
    query = select(Instance.vcpus, Instance.memory_mb).where(
        Instance.project_id == project_id, Instance.deleted.is_(False))
    if lock and session.get_bind().dialect.name == "mysql":
        # A locking read sees the newest committed rows; a plain read in REPEATABLE READ
        # could see the snapshot of an earlier statement of this transaction.
        query = query.with_for_update(read=True)
    rows = session.execute(query).all()
    return {"instances": len(rows), "cores": sum(row[0] for row in rows),
            "ram": sum(row[1] for row in rows)}


def usage(project_id: str, user_id: str | None = None) -> dict[str, int]:
    """What ``project_id`` uses now (``key_pairs`` counts ``user_id``'s key pairs)."""
    with db_api.session_scope() as session:
        used = _instance_usage(session, project_id)
        used["key_pairs"] = session.scalar(select(func.count(KeyPair.id)).where(
            KeyPair.user_id == user_id)) if user_id else 0
        used["server_groups"] = int(session.scalar(select(func.count(InstanceGroup.id)).where(
            InstanceGroup.project_id == project_id)) or 0)
    for resource in RESOURCES:
        used.setdefault(resource, 0)
    return used


def lock_project(session: Session, project_id: str) -> None:
    """Serialize the quota-checked writes of ``project_id`` until ``session`` ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # every SQLite transaction already begins IMMEDIATE, in turn (novalite.db.api):
        # the reservation runs alone
        return
    # Make sure the project's lock row exists, from a connection of its own: creating it
    # here would make a concurrent first reservation wait on (or deadlock with) this
    # transaction's locks. A racing creator simply loses the insert.
    lock_table = QuotaLock.__table__
    with db_api.get_engine().connect() as connection:
        exists = connection.execute(select(lock_table.c.project_id).where(
            lock_table.c.project_id == project_id)).first()
        connection.rollback()
    if exists is None:
        try:
            with db_api.get_engine().begin() as connection:
                connection.execute(lock_table.insert().values(project_id=project_id))
        except IntegrityError:
            pass
    session.scalars(select(QuotaLock).where(QuotaLock.project_id == project_id)
                    .with_for_update()).one()


def check_and_reserve(session: Session, project_id: str, user_id: str | None,
                      instances: int, cores: int, ram: int,
                      limits: dict[str, int] | None = None) -> dict[str, int]:
    """Lock ``project_id``'s quota and raise ``OverQuota`` unless the request fits.

    Call it in the session that then inserts the instance rows, before any other
    write; the lock is held until that session commits or rolls back. ``limits``
    (unified limits, read by the caller) replace the stored ones. Returns the usage
    counted (before the request).
    """
    lock_project(session, project_id)
    if limits is None:
        limits = get_limits(project_id, session)
    used = _instance_usage(session, project_id, lock=True)
    requested = {"instances": instances, "cores": cores, "ram": ram}
    over = [resource for resource, amount in requested.items()
            if limits[resource] != UNLIMITED and amount > 0
            and used[resource] + amount > limits[resource]]
    if over:
        raise exception.OverQuota(
            message="Quota exceeded for {0}: Requested {1}, but already used {2} of {3} "
                    "{0}".format(", ".join(over), ", ".join(str(requested[r]) for r in over),
                                 ", ".join(str(used[r]) for r in over),
                                 ", ".join(str(limits[r]) for r in over)),
            overs=over)
    return used


def check_deltas(project_id: str, user_id: str | None, cores: int, ram: int) -> None:
    """``OverQuota`` unless ``project_id`` may grow by ``cores`` and ``ram`` (a resize to
    a bigger flavor, a revert to one); nothing is reserved."""
    if cores <= 0 and ram <= 0:
        return
    with db_api.session_scope() as session:
        check_and_reserve(session, project_id, user_id, 0, max(cores, 0), max(ram, 0))
