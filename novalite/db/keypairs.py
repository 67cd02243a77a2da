"""Key pair records, owned by a user; creation counts against ``[quota] key_pairs``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db import quotas
from novalite.db.compute_models import KeyPair


def _to_dict(row: KeyPair) -> dict[str, Any]:
    return {column: getattr(row, column) for column in (
        "id", "name", "user_id", "fingerprint", "public_key", "type", "created_at",
        "updated_at")}


def create(user_id: str, name: str, public_key: str, fingerprint: str, key_type: str = "ssh",
           project_id: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """Store a key pair; 409 if the user has one of that name, 403 over quota (``limit``,
    default: the project's stored key_pairs quota)."""
    if limit is None:
        limit = quotas.get_limits(project_id)["key_pairs"] if project_id else quotas.UNLIMITED
    try:
        with db_api.session_scope() as session:
            if session.scalars(select(KeyPair.id).where(
                    KeyPair.user_id == user_id, KeyPair.name == name)).first():
                raise exception.KeyPairExists(key_name=name)
            if limit != quotas.UNLIMITED:
                count = session.scalar(select(func.count(KeyPair.id)).where(
                    KeyPair.user_id == user_id))
                if count >= limit:
                    raise exception.OverQuota(message="Quota exceeded, too many key pairs.")
            row = KeyPair(user_id=user_id, name=name, public_key=public_key,
                          fingerprint=fingerprint, type=key_type)
            session.add(row)
            session.flush()
            return _to_dict(row)
    except IntegrityError:
        raise exception.KeyPairExists(key_name=name) from None


def get(user_id: str, name: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = session.scalars(select(KeyPair).where(
            KeyPair.user_id == user_id, KeyPair.name == name)).first()
        if row is None:
            raise exception.KeypairNotFound(name=name, user_id=user_id)
        return _to_dict(row)


def list_keypairs(user_id: str, limit: int | None = None,
                  marker: str | None = None) -> list[dict[str, Any]]:
    """The user's key pairs by name; ``marker`` is the last name seen."""
    query = select(KeyPair).where(KeyPair.user_id == user_id).order_by(KeyPair.name)
    with db_api.session_scope() as session:
        if marker is not None:
            if session.scalars(select(KeyPair.id).where(
                    KeyPair.user_id == user_id, KeyPair.name == marker)).first() is None:
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            query = query.where(KeyPair.name > marker)
        if limit is not None:
            query = query.limit(limit)
        return [_to_dict(row) for row in session.scalars(query)]


def delete(user_id: str, name: str) -> None:
    with db_api.session_scope() as session:
        row = session.scalars(select(KeyPair).where(
            KeyPair.user_id == user_id, KeyPair.name == name)).first()
        if row is None:
            raise exception.KeypairNotFound(name=name, user_id=user_id)
        session.delete(row)
