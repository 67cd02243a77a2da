"""Console authorization tokens: made in the API process, checked for the proxies by
the conductor, deleted with their instance's console, purged once expired.

A token is a random UUID handed to the user once; the table keeps only its SHA-256,
so neither a database dump nor the message bus (proxies send the hash) gives a
usable token.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import delete, select

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.db.compute_models import ConsoleAuthToken as TokenRow
from novalite.objects.console_auth_token import ConsoleAuthToken, hash_token


def _to_object(row: TokenRow) -> ConsoleAuthToken:
    token = ConsoleAuthToken(
        id=row.id, token_hash=row.token_hash, console_type=row.console_type, host=row.host,
        port=row.port, internal_access_path=row.internal_access_path,
        instance_uuid=row.instance_uuid, access_url_base=row.access_url_base,
        expires=row.expires)
    token.obj_reset_changes()
    return token


def authorize(connection: ConsoleAuthToken, ttl: int) -> ConsoleAuthToken:
    """Store a new token for ``connection`` (where the console is), valid ``ttl``
    seconds; the stored record with ``token`` set (the only time it is known)."""
    token = str(uuid.uuid4())
    row = TokenRow(token_hash=hash_token(token), console_type=connection.console_type,
                   host=connection.host, port=connection.port,
                   internal_access_path=connection.internal_access_path,
                   instance_uuid=connection.instance_uuid,
                   access_url_base=connection.access_url_base,
                   expires=utcnow() + datetime.timedelta(seconds=ttl))
    with db_api.session_scope() as session:
        session.add(row)
        session.flush()
        authorized = _to_object(row)
    authorized.token = token
    return authorized


def validate(token_hash: str, now: datetime.datetime | None = None) -> ConsoleAuthToken | None:
    """The unexpired record of a token hash, None if there is none."""
    with db_api.session_scope() as session:
        row = session.scalars(select(TokenRow).where(
            TokenRow.token_hash == token_hash,
            TokenRow.expires > (now or utcnow()))).first()
        return _to_object(row) if row is not None else None


def get_by_token(token: str) -> ConsoleAuthToken | None:
    return validate(hash_token(token))


def delete_for_instance(instance_uuid: str, console_type: str | None = None,
                        port: int | None = None) -> int:
    """Delete an instance's tokens (only those of one console type and port, if
    given); how many went."""
    query = delete(TokenRow).where(TokenRow.instance_uuid == instance_uuid)
    if console_type is not None:
        query = query.where(TokenRow.console_type == console_type)
    if port is not None:
        query = query.where(TokenRow.port == port)
    with db_api.session_scope() as session:
        result: Any = session.execute(query)
        return int(result.rowcount or 0)


def purge_expired(now: datetime.datetime | None = None) -> int:
    with db_api.session_scope() as session:
        result: Any = session.execute(delete(TokenRow).where(
            TokenRow.expires <= (now or utcnow())))
        return int(result.rowcount or 0)
