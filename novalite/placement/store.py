"""The placement store: providers, inventories, allocations, candidates and atomic claims.

Capacity of one resource class on one provider is, as in Placement,
``(total - reserved) * allocation_ratio``; a request of ``amount`` fits when
``min_unit <= amount <= max_unit``, ``amount % step_size == 0`` and
``used + amount <= capacity``.

Concurrency: every write to a provider's inventory or allocations first bumps the
provider's ``generation`` with ``UPDATE ... SET generation = generation + 1``. That
statement takes the provider row's write lock (PostgreSQL, MariaDB) or the database
write lock (SQLite) before anything is read, so the capacity check and the insert of
the allocations that follow see every claim committed before them and no claim can
commit between them. Two schedulers racing for the last slot therefore never both
win, whichever process or database they run on; a deadlock or lock timeout reported
by the database is retried. The generation also tells readers (the scheduler's host
cache) which providers changed since they last looked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.placement.models import Allocation, Inventory, ResourceProvider

LOG = logging.getLogger(__name__)

VCPU = "VCPU"
MEMORY_MB = "MEMORY_MB"
DISK_GB = "DISK_GB"
RESOURCE_CLASSES = (VCPU, MEMORY_MB, DISK_GB)

INVENTORY_FIELDS = ("total", "reserved", "min_unit", "max_unit", "step_size",
                    "allocation_ratio")

_RETRIES = 10
_CHUNK = 500
_RETRYABLE = ("deadlock", "database is locked", "could not serialize", "lock wait timeout")

T = TypeVar("T")


class _Refused(Exception):
    """Raised inside a claim's transaction to roll it back when the resources do not fit."""


def default_allocation_ratio(resource_class: str) -> float:
    return {
        VCPU: CONF.cpu_allocation_ratio,
        MEMORY_MB: CONF.ram_allocation_ratio,
        DISK_GB: CONF.disk_allocation_ratio,
    }.get(resource_class, 1.0)


def capacity(inventory: Mapping[str, Any]) -> float:
    return (inventory["total"] - inventory["reserved"]) * inventory["allocation_ratio"]


def fits(inventory: Mapping[str, Any] | None, used: int, amount: int) -> bool:
    """Whether ``amount`` more of a class fits an inventory already ``used`` this much."""
    if inventory is None:
        return False
    if amount < inventory["min_unit"] or amount > inventory["max_unit"]:
        return False
    if amount % inventory["step_size"]:
        return False
    return used + amount <= capacity(inventory)


def _normalize_inventory(resource_class: str, values: Mapping[str, Any]) -> dict[str, Any]:
    if "total" not in values:
        raise exception.Invalid(reason=f"inventory of {resource_class} has no total")
    total = int(values["total"])
    record = {
        "total": total,
        "reserved": int(values.get("reserved") or 0),
        "min_unit": int(values.get("min_unit") or 1),
        "max_unit": int(values.get("max_unit") or max(total, 1)),
        "step_size": int(values.get("step_size") or 1),
        "allocation_ratio": float(values.get("allocation_ratio")
                                  or default_allocation_ratio(resource_class)),
    }
    if total < 0 or record["reserved"] < 0 or record["min_unit"] < 1 or record["step_size"] < 1:
        raise exception.Invalid(reason=f"inventory of {resource_class} is out of range")
    return record


def _clean_resources(resources: Mapping[str, Any]) -> dict[str, int]:
    cleaned = {}
    for resource_class, amount in resources.items():
        amount = int(amount)
        if amount < 0:
            raise exception.Invalid(reason=f"negative amount of {resource_class}")
        if amount:
            cleaned[str(resource_class)] = amount
    return cleaned


def _retrying(fn: Callable[[], T]) -> T:
    """Run one transaction, again when the database reports a deadlock or lock timeout."""
    for attempt in range(_RETRIES):
        try:
            return fn()
        except DBAPIError as exc:
            if attempt + 1 == _RETRIES or not any(
                    marker in str(exc.orig).lower() for marker in _RETRYABLE):
                raise
            LOG.debug("placement write conflict, retrying: %s", exc.orig)
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _bump(session: Session, provider_uuid: str) -> int:
    """Take the provider's write lock by bumping its generation; return its row id."""
    result = session.execute(
        update(ResourceProvider).where(ResourceProvider.uuid == provider_uuid)
        .values(generation=ResourceProvider.generation + 1))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise exception.ResourceProviderNotFound(uuid=provider_uuid)
    return session.execute(select(ResourceProvider.id).where(
        ResourceProvider.uuid == provider_uuid)).scalar_one()


def _bump_ids(session: Session, provider_ids: Iterable[int]) -> None:
    for provider_id in sorted(set(provider_ids)):  # one order everywhere: no deadlocks
        session.execute(update(ResourceProvider).where(ResourceProvider.id == provider_id)
                        .values(generation=ResourceProvider.generation + 1))


def _inventories(session: Session, provider_id: int) -> dict[str, dict[str, Any]]:
    rows = session.execute(select(Inventory).where(
        Inventory.resource_provider_id == provider_id)).scalars()
    return {row.resource_class: {f: getattr(row, f) for f in INVENTORY_FIELDS} for row in rows}


def _usages(session: Session, provider_id: int,
            exclude_consumer: str | None = None) -> dict[str, int]:
    query = (select(Allocation.resource_class, func.sum(Allocation.used))
             .where(Allocation.resource_provider_id == provider_id)
             .group_by(Allocation.resource_class))
    if exclude_consumer is not None:
        query = query.where(Allocation.consumer_id != exclude_consumer)
    return {rc: int(used or 0) for rc, used in session.execute(query)}


# --- providers and inventories ----------------------------------------------------------

def set_inventory(provider_uuid: str, name: str, host: str,
                  inventories: Mapping[str, Mapping[str, Any]], *,
                  availability_zone: str | None = None, hypervisor_type: str | None = None,
                  hypervisor_version: int | None = None,
                  supported_instances: list[list[str | None]] | None = None,
                  traits: list[str] | None = None) -> int:
    """Create or update a compute node's provider and replace its inventories.

    ``inventories`` maps a resource class to ``total`` and optionally ``reserved``,
    ``min_unit``, ``max_unit`` (default total), ``step_size`` and ``allocation_ratio``
    (default the ``[DEFAULT] *_allocation_ratio`` option); classes left out are removed.
    Returns the provider's new generation.
    """
    records = {rc: _normalize_inventory(rc, values) for rc, values in inventories.items()}
    attributes = {"name": name, "host": host, "availability_zone": availability_zone,
                  "hypervisor_type": hypervisor_type, "hypervisor_version": hypervisor_version,
                  "supported_instances": supported_instances, "traits": traits}

    def write() -> int:
        with db_api.session_scope() as session:
            result = session.execute(
                update(ResourceProvider).where(ResourceProvider.uuid == provider_uuid)
                .values(generation=ResourceProvider.generation + 1, **attributes))
            if not result.rowcount:  # type: ignore[attr-defined]
                session.add(ResourceProvider(uuid=provider_uuid, generation=0, **attributes))
                session.flush()
            provider = session.execute(select(ResourceProvider).where(
                ResourceProvider.uuid == provider_uuid)).scalar_one()
            existing = {row.resource_class: row for row in session.execute(
                select(Inventory).where(Inventory.resource_provider_id == provider.id)).scalars()}
            for rc, row in existing.items():
                if rc not in records:
                    session.delete(row)
            for rc, record in records.items():
                row = existing.get(rc)
                if row is None:
                    session.add(Inventory(resource_provider_id=provider.id, resource_class=rc,
                                          **record))
                else:
                    for field, value in record.items():
                        setattr(row, field, value)
            return provider.generation

    def write_once_created() -> int:
        try:
            return write()
        except IntegrityError:  # another writer created the provider first
            return write()

    return _retrying(write_once_created)


def delete_provider(provider_uuid: str, force: bool = False) -> None:
    """Remove a provider; refused while it has allocations unless ``force``."""
    with db_api.session_scope() as session:
        provider_id = _bump(session, provider_uuid)
        if not force and session.execute(select(Allocation.id).where(
                Allocation.resource_provider_id == provider_id).limit(1)).first():
            raise exception.ResourceProviderInUse(uuid=provider_uuid)
        session.execute(delete(Allocation).where(Allocation.resource_provider_id == provider_id))
        session.execute(delete(Inventory).where(Inventory.resource_provider_id == provider_id))
        session.execute(delete(ResourceProvider).where(ResourceProvider.id == provider_id))


def provider_generations() -> dict[str, int]:
    """Every provider's current generation: the cheap "what changed?" query."""
    with db_api.session_scope() as session:
        return dict(session.execute(  # type: ignore[arg-type]
            select(ResourceProvider.uuid, ResourceProvider.generation)).all())


_SUMMARY_COLUMNS = ("uuid", "name", "host", "generation", "availability_zone",
                    "hypervisor_type", "hypervisor_version", "supported_instances", "traits")


def provider_summaries(provider_uuids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Providers with their inventories and usages (all of them when no uuids given).

    Each summary: the provider's columns (id, uuid, name, host, generation,
    availability_zone, hypervisor_type, hypervisor_version, supported_instances,
    traits), ``inventories`` {class: {total, reserved, min_unit, max_unit, step_size,
    allocation_ratio}} and ``usages`` {class: used}.
    """
    if provider_uuids is None:
        return _summaries(None)
    wanted = list(provider_uuids)
    summaries: list[dict[str, Any]] = []
    for start in range(0, len(wanted), _CHUNK):
        summaries.extend(_summaries(wanted[start:start + _CHUNK]))
    return summaries


def _summaries(uuids: list[str] | None) -> list[dict[str, Any]]:
    columns = [getattr(ResourceProvider, c) for c in _SUMMARY_COLUMNS]
    providers = select(ResourceProvider.id, *columns)
    inventories = select(Inventory.resource_provider_id, Inventory.resource_class,
                         *[getattr(Inventory, f) for f in INVENTORY_FIELDS])
    usages = (select(Allocation.resource_provider_id, Allocation.resource_class,
                     func.sum(Allocation.used))
              .group_by(Allocation.resource_provider_id, Allocation.resource_class))
    if uuids is not None:
        if not uuids:
            return []
        ids = select(ResourceProvider.id).where(ResourceProvider.uuid.in_(uuids))
        providers = providers.where(ResourceProvider.uuid.in_(uuids))
        inventories = inventories.where(Inventory.resource_provider_id.in_(ids))
        usages = usages.where(Allocation.resource_provider_id.in_(ids))
    by_id: dict[int, dict[str, Any]] = {}
    with db_api.session_scope() as session:
        for row in session.execute(providers):
            summary = dict(zip(_SUMMARY_COLUMNS, row[1:], strict=True))
            summary["id"] = row[0]
            summary["inventories"] = {}
            summary["usages"] = {}
            by_id[row[0]] = summary
        for row in session.execute(inventories):
            summary = by_id.get(row[0])
            if summary is not None:
                summary["inventories"][row[1]] = dict(zip(INVENTORY_FIELDS, row[2:], strict=True))
        for provider_id, rc, used in session.execute(usages):
            summary = by_id.get(provider_id)
            if summary is not None:
                summary["usages"][rc] = int(used or 0)
    return list(by_id.values())


def get_provider(provider_uuid: str) -> dict[str, Any]:
    found = provider_summaries([provider_uuid])
    if not found:
        raise exception.ResourceProviderNotFound(uuid=provider_uuid)
    return found[0]


def summary_fits(summary: Mapping[str, Any], resources: Mapping[str, int]) -> bool:
    inventories = summary["inventories"]
    usages = summary["usages"]
    return all(fits(inventories.get(rc), usages.get(rc, 0), amount)
               for rc, amount in resources.items())


def allocation_request(provider_uuid: str, resources: Mapping[str, int]) -> dict[str, Any]:
    """The placement-style allocation request that would claim ``resources`` there."""
    return {"allocations": {provider_uuid: {"resources": dict(resources)}}}


def allocation_candidates(resources: Mapping[str, int]) -> list[dict[str, Any]]:
    """Providers with room for ``resources`` right now (not claimed; see ``claim``).

    Each candidate: ``allocation_request`` ({"allocations": {uuid: {"resources": ...}}})
    and ``provider_summary`` (see ``provider_summaries``).
    """
    wanted = _clean_resources(resources)
    return [{"allocation_request": allocation_request(summary["uuid"], wanted),
             "provider_summary": summary}
            for summary in provider_summaries() if summary_fits(summary, wanted)]


def usages(provider_uuid: str) -> dict[str, int]:
    """What is used of each inventoried class on a provider (0 when nothing is)."""
    with db_api.session_scope() as session:
        provider_id = session.execute(select(ResourceProvider.id).where(
            ResourceProvider.uuid == provider_uuid)).scalar_one_or_none()
        if provider_id is None:
            raise exception.ResourceProviderNotFound(uuid=provider_uuid)
        used = dict.fromkeys(_inventories(session, provider_id), 0)
        used.update(_usages(session, provider_id))
        return used


# --- allocations --------------------------------------------------------------------------

def claim(consumer_uuid: str, provider_uuid: str, resources: Mapping[str, int]) -> bool:
    """Allocate ``resources`` on a provider to a consumer, atomically; False if they don't fit.

    The consumer's earlier allocations on that provider are replaced (a resize on the
    same host claims its new size). Raises ResourceProviderNotFound for an unknown
    provider.
    """
    wanted = _clean_resources(resources)

    def attempt() -> bool:
        try:
            with db_api.session_scope() as session:
                provider_id = _bump(session, provider_uuid)
                inventories = _inventories(session, provider_id)
                used = _usages(session, provider_id, exclude_consumer=consumer_uuid)
                for rc, amount in wanted.items():
                    if not fits(inventories.get(rc), used.get(rc, 0), amount):
                        raise _Refused(rc)
                session.execute(delete(Allocation).where(
                    Allocation.consumer_id == consumer_uuid,
                    Allocation.resource_provider_id == provider_id))
                session.add_all(Allocation(resource_provider_id=provider_id,
                                           consumer_id=consumer_uuid, resource_class=rc,
                                           used=amount) for rc, amount in wanted.items())
                return True
        except _Refused as refused:
            LOG.debug("claim of %s for %s on %s refused: not enough %s", wanted,
                      consumer_uuid, provider_uuid, refused)
            return False

    return _retrying(attempt)


def get_allocations(consumer_uuid: str) -> dict[str, dict[str, Any]]:
    """``{provider_uuid: {"resources": {class: used}, "generation": n}}`` of a consumer."""
    query = (select(ResourceProvider.uuid, ResourceProvider.generation,
                    Allocation.resource_class, Allocation.used)
             .join(ResourceProvider, ResourceProvider.id == Allocation.resource_provider_id)
             .where(Allocation.consumer_id == consumer_uuid))
    found: dict[str, dict[str, Any]] = {}
    with db_api.session_scope() as session:
        for uuid, generation, rc, used in session.execute(query):
            entry = found.setdefault(uuid, {"resources": {}, "generation": generation})
            entry["resources"][rc] = used
    return found


def remove_allocations(consumer_uuid: str) -> bool:
    """Drop everything a consumer holds; True if it held anything."""

    def attempt() -> bool:
        with db_api.session_scope() as session:
            provider_ids = list(session.execute(
                select(Allocation.resource_provider_id).distinct()
                .where(Allocation.consumer_id == consumer_uuid)).scalars())
            if not provider_ids:
                return False
            _bump_ids(session, provider_ids)
            session.execute(delete(Allocation).where(Allocation.consumer_id == consumer_uuid))
            return True

    return _retrying(attempt)


def move_allocations(source_consumer: str, target_consumer: str) -> bool:
    """Hand every allocation of one consumer to another (instance <-> migration record).

    The target's own allocations are replaced. True if the source held anything.
    """

    def attempt() -> bool:
        with db_api.session_scope() as session:
            provider_ids = list(session.execute(
                select(Allocation.resource_provider_id).distinct()
                .where(Allocation.consumer_id.in_([source_consumer, target_consumer])))
                .scalars())
            if not provider_ids:
                return False
            _bump_ids(session, provider_ids)
            session.execute(delete(Allocation).where(Allocation.consumer_id == target_consumer))
            moved = session.execute(
                update(Allocation).where(Allocation.consumer_id == source_consumer)
                .values(consumer_id=target_consumer))
            return bool(moved.rowcount)  # type: ignore[attr-defined]

    return _retrying(attempt)
