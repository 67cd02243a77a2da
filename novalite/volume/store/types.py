"""Volume types: ``__DEFAULT__`` and one per enabled backend (extra spec
``volume_backend_name``), plus those an admin creates; a type's backend is its
``volume_backend_name``, or the first enabled backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.volume.models import Volume, VolumeType, VolumeTypeExtraSpec, VolumeTypeProject
from novalite.volume.store.base import new_id

DEFAULT_TYPE = "__DEFAULT__"
BACKEND_SPEC = "volume_backend_name"


class VolumeTypeNotFound(exception.NotFound):
    msg_fmt = "Volume type %(volume_type_id)s could not be found."


class VolumeTypeNotFoundByName(exception.NotFound):
    msg_fmt = "Volume type with name %(volume_type_name)s could not be found."


class VolumeTypeExists(exception.Conflict):
    msg_fmt = "Volume Type %(id)s already exists."


class VolumeTypeInUse(exception.Invalid):
    msg_fmt = ("Volume Type %(volume_type_id)s deletion is not allowed with volumes present "
               "with the type.")


def _view(session: Session, row: VolumeType) -> dict[str, Any]:
    specs = {spec.key: spec.value for spec in session.scalars(
        select(VolumeTypeExtraSpec).where(VolumeTypeExtraSpec.volume_type_id == row.id))}
    projects = sorted(session.scalars(select(VolumeTypeProject.project_id).where(
        VolumeTypeProject.volume_type_id == row.id)))
    return {"id": row.id, "name": row.name, "description": row.description,
            "is_public": row.is_public, "extra_specs": specs, "projects": projects,
            "created_at": row.created_at, "updated_at": row.updated_at}


def backends() -> list[str]:
    return [name.strip() for name in CONF.volume.enabled_backends if name.strip()]


def backend_of(volume_type: dict[str, Any] | None) -> str:
    """The backend a volume of ``volume_type`` goes to."""
    wanted = (volume_type or {}).get("extra_specs", {}).get(BACKEND_SPEC)
    enabled = backends()
    if wanted:
        if wanted not in enabled:
            raise exception.Invalid(message=f"No valid backend was found. No weighed "
                                            f"backends available: backend {wanted} is not "
                                            "enabled")
        return str(wanted)
    return enabled[0]


def ensure_default_types() -> None:
    """``[volume] default_volume_type`` and a type per enabled backend, if missing."""
    wanted: list[tuple[str, str, dict[str, str]]] = [
        (CONF.volume.default_volume_type, "Default Volume Type", {})]
    wanted += [(name, f"Volumes of the {name} backend", {BACKEND_SPEC: name})
               for name in backends()]
    for name, description, specs in wanted:
        try:
            with db_api.session_scope() as session:
                if session.scalars(select(VolumeType).where(VolumeType.name == name)).first():
                    continue
                type_id = new_id()
                session.add(VolumeType(id=type_id, name=name, description=description,
                                       is_public=True))
                session.flush()
                for key, value in specs.items():
                    session.add(VolumeTypeExtraSpec(volume_type_id=type_id, key=key,
                                                    value=value))
        except IntegrityError:
            continue  # another service process made it meanwhile


def _visible(query: Any, project_id: str | None, is_admin: bool) -> Any:
    if is_admin:
        return query
    shared = select(VolumeTypeProject.volume_type_id).where(
        VolumeTypeProject.project_id == (project_id or ""))
    return query.where(or_(VolumeType.is_public.is_(True), VolumeType.id.in_(shared)))


def get_type(type_id: str, project_id: str | None = None, is_admin: bool = True
             ) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = session.scalars(_visible(select(VolumeType).where(VolumeType.id == type_id),
                                       project_id, is_admin)).first()
        if row is None:
            raise VolumeTypeNotFound(volume_type_id=type_id)
        return _view(session, row)


def find_type(name_or_id: str, project_id: str | None = None, is_admin: bool = True
              ) -> dict[str, Any]:
    """A type by id, else by name (what a volume create's ``volume_type`` may be)."""
    with db_api.session_scope() as session:
        row = session.scalars(_visible(select(VolumeType).where(
            or_(VolumeType.id == name_or_id, VolumeType.name == name_or_id)),
            project_id, is_admin).order_by(VolumeType.id != name_or_id)).first()
        if row is None:
            raise VolumeTypeNotFoundByName(volume_type_name=name_or_id)
        return _view(session, row)


def default_type() -> dict[str, Any]:
    return find_type(CONF.volume.default_volume_type)


def list_types(project_id: str | None, is_admin: bool, is_public: bool | None = None
               ) -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        query = _visible(select(VolumeType), project_id, is_admin)
        if is_public is not None:
            query = query.where(VolumeType.is_public.is_(is_public))
        return [_view(session, row) for row in session.scalars(query.order_by(VolumeType.name))]


def create_type(name: str, description: str | None, is_public: bool,
                extra_specs: dict[str, str]) -> dict[str, Any]:
    try:
        with db_api.session_scope() as session:
            type_id = new_id()
            session.add(VolumeType(id=type_id, name=name, description=description,
                                   is_public=is_public))
            session.flush()
            for key, value in extra_specs.items():
                session.add(VolumeTypeExtraSpec(volume_type_id=type_id, key=key, value=value))
            session.flush()
            return _view(session, session.get(VolumeType, type_id))  # type: ignore[arg-type]
    except IntegrityError:
        raise VolumeTypeExists(id=name) from None


def update_type(type_id: str, values: dict[str, Any]) -> dict[str, Any]:
    try:
        with db_api.session_scope() as session:
            row = session.get(VolumeType, type_id)
            if row is None:
                raise VolumeTypeNotFound(volume_type_id=type_id)
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return _view(session, row)
    except IntegrityError:
        raise VolumeTypeExists(id=values.get("name")) from None


def delete_type(type_id: str) -> None:
    with db_api.session_scope() as session:
        row = session.get(VolumeType, type_id)
        if row is None:
            raise VolumeTypeNotFound(volume_type_id=type_id)
        if row.name == CONF.volume.default_volume_type:
            raise exception.Invalid(message="Default volume type can not be deleted.")
        if session.scalars(select(Volume.id).where(Volume.volume_type_id == type_id)).first():
            raise VolumeTypeInUse(volume_type_id=type_id)
        session.delete(row)


def set_extra_specs(type_id: str, specs: dict[str, str]) -> dict[str, str]:
    with db_api.session_scope() as session:
        if session.get(VolumeType, type_id) is None:
            raise VolumeTypeNotFound(volume_type_id=type_id)
        for key, value in specs.items():
            row = session.get(VolumeTypeExtraSpec, (type_id, key))
            if row is None:
                session.add(VolumeTypeExtraSpec(volume_type_id=type_id, key=key, value=value))
            else:
                row.value = value
        session.flush()
        return {spec.key: spec.value for spec in session.scalars(
            select(VolumeTypeExtraSpec).where(VolumeTypeExtraSpec.volume_type_id == type_id))}


def delete_extra_spec(type_id: str, key: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(delete(VolumeTypeExtraSpec).where(
            VolumeTypeExtraSpec.volume_type_id == type_id, VolumeTypeExtraSpec.key == key))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def add_project_access(type_id: str, project_id: str) -> None:
    with db_api.session_scope() as session:
        if session.get(VolumeType, type_id) is None:
            raise VolumeTypeNotFound(volume_type_id=type_id)
        if session.get(VolumeTypeProject, (type_id, project_id)) is None:
            session.add(VolumeTypeProject(volume_type_id=type_id, project_id=project_id))


def remove_project_access(type_id: str, project_id: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(delete(VolumeTypeProject).where(
            VolumeTypeProject.volume_type_id == type_id,
            VolumeTypeProject.project_id == project_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
