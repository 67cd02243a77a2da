"""Flavor records: CRUD, extra specs, private-flavor access, the default flavors."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.db import api as db_api
from novalite.db.compute_models import Flavor, FlavorExtraSpec, FlavorProject

DEFAULT_FLAVORS = (
    {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 128, "root_gb": 1},
    {"flavorid": "2", "name": "m1.small", "vcpus": 1, "memory_mb": 256, "root_gb": 2},
    {"flavorid": "3", "name": "m1.medium", "vcpus": 2, "memory_mb": 512, "root_gb": 5},
)

SORT_KEYS = {"flavorid": Flavor.flavorid, "id": Flavor.flavorid, "name": Flavor.name,
             "memory_mb": Flavor.memory_mb, "vcpus": Flavor.vcpus, "root_gb": Flavor.root_gb,
             "ephemeral_gb": Flavor.ephemeral_gb, "swap": Flavor.swap,
             "rxtx_factor": Flavor.rxtx_factor, "created_at": Flavor.created_at,
             "description": Flavor.description}


def _to_dict(row: Flavor, extra_specs: dict[str, str]) -> dict[str, Any]:
    values = {column: getattr(row, column) for column in (
        "id", "flavorid", "name", "memory_mb", "vcpus", "root_gb", "ephemeral_gb", "swap",
        "rxtx_factor", "is_public", "disabled", "description", "created_at", "updated_at")}
    values["extra_specs"] = extra_specs
    return values


def _specs(session: Session, flavor_ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {fid: {} for fid in flavor_ids}
    if flavor_ids:
        for spec in session.scalars(select(FlavorExtraSpec).where(
                FlavorExtraSpec.flavor_id.in_(flavor_ids))):
            found[spec.flavor_id][spec.key] = spec.value
    return found


def _visible(session: Session, row: Flavor, ctxt: RequestContext | None) -> bool:
    if ctxt is None or ctxt.is_admin or row.is_public:
        return True
    return session.scalars(select(FlavorProject.id).where(
        FlavorProject.flavor_id == row.id,
        FlavorProject.project_id == ctxt.project_id)).first() is not None


def _find(session: Session, flavorid: str, ctxt: RequestContext | None = None) -> Flavor:
    row = session.scalars(select(Flavor).where(Flavor.flavorid == flavorid)).first()
    if row is None or not _visible(session, row, ctxt):
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def get(flavorid: str, ctxt: RequestContext | None = None) -> dict[str, Any]:
    """The flavor with API id ``flavorid``; private ones only for admins and granted projects."""
    with db_api.session_scope() as session:
        row = _find(session, flavorid, ctxt)
        return _to_dict(row, _specs(session, [row.id])[row.id])


def list_flavors(ctxt: RequestContext | None = None, is_public: bool | None = True,
                 min_memory_mb: int | None = None, min_root_gb: int | None = None,
                 name: str | None = None, sort_key: str = "flavorid", sort_dir: str = "asc",
                 limit: int | None = None, marker: str | None = None) -> list[dict[str, Any]]:
    """Flavors visible to ``ctxt``, Nova's way.

    Admins: ``is_public`` True = public only, False = private only, None = all.
    Others always get the public flavors plus the private ones shared with their project.
    """
    query = select(Flavor).where(Flavor.disabled.is_(False))
    if min_memory_mb is not None:
        query = query.where(Flavor.memory_mb >= min_memory_mb)
    if min_root_gb is not None:
        query = query.where(Flavor.root_gb >= min_root_gb)
    if name is not None:
        query = query.where(Flavor.name == name)
    admin = ctxt is None or ctxt.is_admin
    if admin and is_public is not None:
        query = query.where(Flavor.is_public.is_(is_public))
    elif not admin:
        shared = select(FlavorProject.flavor_id).where(
            FlavorProject.project_id == (ctxt.project_id if ctxt else None))
        query = query.where(Flavor.is_public.is_(True) | Flavor.id.in_(shared))
    column = SORT_KEYS.get(sort_key)
    if column is None:
        raise exception.Invalid(reason=f"Invalid sort_key {sort_key}")
    order = column.desc() if sort_dir == "desc" else column.asc()
    query = query.order_by(order, Flavor.flavorid.asc())
    with db_api.session_scope() as session:
        rows = list(session.scalars(query))
        if marker is not None:
            ids = [row.flavorid for row in rows]
            if marker not in ids:
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            rows = rows[ids.index(marker) + 1:]
        if limit is not None:
            rows = rows[:limit]
        specs = _specs(session, [row.id for row in rows])
        return [_to_dict(row, specs[row.id]) for row in rows]


def create(name: str, memory_mb: int, vcpus: int, root_gb: int, flavorid: str | None = None,
           ephemeral_gb: int = 0, swap: int = 0, rxtx_factor: float = 1.0,
           is_public: bool = True, description: str | None = None) -> dict[str, Any]:
    flavorid = flavorid or str(uuid.uuid4())
    try:
        with db_api.session_scope() as session:
            for field, value, column in (("name", name, Flavor.name),
                                         ("ID", flavorid, Flavor.flavorid)):
                if session.scalars(select(Flavor.id).where(column == value)).first():
                    raise exception.FlavorExists(field=field, value=value)
            row = Flavor(flavorid=flavorid, name=name, memory_mb=memory_mb, vcpus=vcpus,
                         root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap=swap,
                         rxtx_factor=rxtx_factor, is_public=is_public, disabled=False,
                         description=description)
            session.add(row)
            session.flush()
            return _to_dict(row, {})
    except IntegrityError:  # a concurrent create with the same name or id won the race
        raise exception.FlavorExists(field="name", value=name) from None


def ensure_default_flavors() -> None:
    """Create m1.tiny/m1.small/m1.medium (ids 1-3) unless they exist; safe to call repeatedly."""
    for values in DEFAULT_FLAVORS:
        with db_api.session_scope() as session:
            exists = session.scalars(select(Flavor.id).where(
                (Flavor.flavorid == values["flavorid"]) | (Flavor.name == values["name"]))
            ).first()
        if exists is None:
            with contextlib.suppress(exception.FlavorExists):  # created meanwhile elsewhere
                create(**values)


def delete_flavor(flavorid: str) -> None:
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        session.execute(delete(FlavorExtraSpec).where(FlavorExtraSpec.flavor_id == row.id))
        session.execute(delete(FlavorProject).where(FlavorProject.flavor_id == row.id))
        session.delete(row)


def update_description(flavorid: str, description: str | None) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        row.description = description
        session.flush()
        return _to_dict(row, _specs(session, [row.id])[row.id])


def get_extra_specs(flavorid: str, ctxt: RequestContext | None = None) -> dict[str, str]:
    with db_api.session_scope() as session:
        row = _find(session, flavorid, ctxt)
        return _specs(session, [row.id])[row.id]


def update_extra_specs(flavorid: str, specs: dict[str, str]) -> dict[str, str]:
    """Add or replace the given keys; returns the keys given."""
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        current = {spec.key: spec for spec in session.scalars(
            select(FlavorExtraSpec).where(FlavorExtraSpec.flavor_id == row.id))}
        for key, value in specs.items():
            if key in current:
                current[key].value = value
            else:
                session.add(FlavorExtraSpec(flavor_id=row.id, key=key, value=value))
    return dict(specs)


def delete_extra_spec(flavorid: str, key: str) -> None:
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        result = session.execute(delete(FlavorExtraSpec).where(
            FlavorExtraSpec.flavor_id == row.id, FlavorExtraSpec.key == key))
        if not result.rowcount:
            raise exception.FlavorExtraSpecNotFound(flavor_id=flavorid, key=key)


def list_access(flavorid: str) -> list[str]:
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        return sorted(session.scalars(select(FlavorProject.project_id).where(
            FlavorProject.flavor_id == row.id)))


def add_access(flavorid: str, project_id: str) -> list[str]:
    try:
        with db_api.session_scope() as session:
            row = _find(session, flavorid)
            if session.scalars(select(FlavorProject.id).where(
                    FlavorProject.flavor_id == row.id,
                    FlavorProject.project_id == project_id)).first():
                raise exception.FlavorAccessExists(flavor_id=flavorid, project_id=project_id)
            session.add(FlavorProject(flavor_id=row.id, project_id=project_id))
    except IntegrityError:
        raise exception.FlavorAccessExists(flavor_id=flavorid, project_id=project_id) from None
    return list_access(flavorid)


def remove_access(flavorid: str, project_id: str) -> list[str]:
    with db_api.session_scope() as session:
        row = _find(session, flavorid)
        result = session.execute(delete(FlavorProject).where(
            FlavorProject.flavor_id == row.id, FlavorProject.project_id == project_id))
        if not result.rowcount:
            raise exception.FlavorAccessNotFound(flavor_id=flavorid, project_id=project_id)
    return list_access(flavorid)
