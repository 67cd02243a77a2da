"""The Fernet token provider: issue and validate tokens, build the ``{"token": ...}`` body.

A token is a Fernet message (AES-CBC + HMAC with the primary key of the key
repository, see ``fernet``) whose payload is a msgpack list::

    [version, user_id, methods_bitmask, scope_kind, scope_id,
     expires_at_us, issued_at_us, [audit_id_bytes, ...](, application_credential_id)]

(the ninth item only in tokens issued for an application credential)

UUID-shaped ids travel as 16 bytes, times as integer microseconds since the
epoch. Nothing secret is in the payload, but it cannot be read or forged
without the keys. Validation decrypts, checks the expiry, and then reads the
database in three indexed queries (the user with its revocations, the scope, the
user's roles on it directly and through its groups), so a disabled or deleted user,
project or domain, a revoked token, a removed role or group membership shows at once.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import os
import uuid
from typing import Any

import msgpack
from cryptography.fernet import InvalidToken
from sqlalchemy import and_, bindparam, delete, exists, or_, select, union

from novalite.common import exception
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.identity import app_credentials, cache, fernet, models

PAYLOAD_VERSION = 1

METHODS = ("password", "token", "application_credential", "totp", "external")

UNSCOPED, PROJECT, DOMAIN, SYSTEM = 0, 1, 2, 3

_EPOCH = datetime.datetime(1970, 1, 1)


@dataclasses.dataclass
class TokenPayload:
    user_id: str
    methods: list[str]
    expires_at: datetime.datetime
    issued_at: datetime.datetime
    audit_ids: list[str]
    project_id: str | None = None
    domain_id: str | None = None
    system: bool = False
    application_credential_id: str | None = None


def _pack_id(value: str | None) -> bytes | str | None:
    if value is not None and len(value) == 32:
        try:
            raw = uuid.UUID(hex=value)
        except ValueError:
            return value
        if raw.hex == value:
            return raw.bytes
    return value


def _unpack_id(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return uuid.UUID(bytes=value).hex
    return value


def _to_us(value: datetime.datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_us(value: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=value)


def new_audit_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")


def _audit_bytes(audit_id: str) -> bytes:
    return base64.urlsafe_b64decode(audit_id + "=" * (-len(audit_id) % 4))


def encode(payload: TokenPayload) -> str:
    mask = 0
    for method in payload.methods:
        if method in METHODS:
            mask |= 1 << METHODS.index(method)
    if payload.project_id:
        kind, scope = PROJECT, payload.project_id
    elif payload.domain_id:
        kind, scope = DOMAIN, payload.domain_id
    elif payload.system:
        kind, scope = SYSTEM, "all"
    else:
        kind, scope = UNSCOPED, None
    items = [PAYLOAD_VERSION, _pack_id(payload.user_id), mask, kind, _pack_id(scope),
             _to_us(payload.expires_at), _to_us(payload.issued_at),
             [_audit_bytes(audit) for audit in payload.audit_ids]]
    if payload.application_credential_id:
        items.append(_pack_id(payload.application_credential_id))
    data = msgpack.packb(items, use_bin_type=True)
    return fernet.load_keys().encrypt(data).decode().rstrip("=")


def decode(token_id: str) -> TokenPayload:
    """The payload of an authentic token (expired or not); ``NotAuthenticated`` otherwise."""
    if not token_id or not isinstance(token_id, str) or len(token_id) > 1024:
        raise exception.NotAuthenticated()
    try:
        keys = fernet.load_keys()
    except exception.ConfigurationError:
        raise exception.NotAuthenticated() from None
    try:
        raw = keys.decrypt((token_id + "=" * (-len(token_id) % 4)).encode())
        data = msgpack.unpackb(raw, raw=False)
        version, user_id, mask, kind, scope, expires_us, issued_us, audits = data[:8]
        if version != PAYLOAD_VERSION or len(data) not in (8, 9):
            raise ValueError("unknown payload version")
        return TokenPayload(
            user_id=str(_unpack_id(user_id)),
            methods=[m for i, m in enumerate(METHODS) if mask & (1 << i)],
            project_id=_unpack_id(scope) if kind == PROJECT else None,
            domain_id=_unpack_id(scope) if kind == DOMAIN else None,
            system=kind == SYSTEM,
            expires_at=_from_us(expires_us), issued_at=_from_us(issued_us),
            audit_ids=[base64.urlsafe_b64encode(a).decode().rstrip("=") for a in audits],
            application_credential_id=_unpack_id(data[8]) if len(data) == 9 else None)
    except (InvalidToken, ValueError, TypeError, UnicodeError, msgpack.UnpackException):
        raise exception.NotAuthenticated() from None


def isotime(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def issue(user_id: str, methods: list[str], *, project_id: str | None = None,
          domain_id: str | None = None, system: bool = False,
          expires_at: datetime.datetime | None = None, parent_audit_id: str | None = None,
          nocatalog: bool = False, application_credential_id: str | None = None
          ) -> tuple[str, dict[str, Any]]:
    """Issue a token; returns ``(token_id, body)`` where body is the ``token`` object.

    Raises ``NotAuthenticated`` when the user or the scope is disabled or missing, or
    the user has no role on the scope.
    """
    now = utcnow()
    payload = TokenPayload(
        user_id=user_id, methods=[m for m in METHODS if m in methods], project_id=project_id,
        domain_id=domain_id, system=system,
        expires_at=expires_at or now + datetime.timedelta(seconds=CONF.token.expiration),
        issued_at=now,
        audit_ids=[new_audit_id()] + ([parent_audit_id] if parent_audit_id else []),
        application_credential_id=application_credential_id)
    body = build_body(payload, nocatalog=nocatalog)
    return encode(payload), body


def validate(token_id: str, *, nocatalog: bool = False,
             allow_expired: bool = False) -> dict[str, Any]:
    """The ``token`` body of a valid token; ``NotAuthenticated`` for any invalid one."""
    return validate_payload(decode(token_id), nocatalog=nocatalog, allow_expired=allow_expired)


def validate_payload(payload: TokenPayload, *, nocatalog: bool = False,
                     allow_expired: bool = False) -> dict[str, Any]:
    """``validate`` for an already decrypted token."""
    if not allow_expired and payload.expires_at <= utcnow():
        raise exception.NotAuthenticated()
    return build_body(payload, nocatalog=nocatalog)


def build_body(payload: TokenPayload, nocatalog: bool = False) -> dict[str, Any]:
    user, roles, scope_fields, app_cred = _load(payload)
    body: dict[str, Any] = {
        "methods": payload.methods,
        "user": user,
        "audit_ids": payload.audit_ids,
        "expires_at": isotime(payload.expires_at),
        "issued_at": isotime(payload.issued_at),
    }
    if scope_fields is None:
        return body
    body.update(scope_fields)
    expanded = cache.expand_roles(roles)
    if app_cred is not None:
        # an application credential's token holds its roles the user still has
        delegated = app_cred.pop("role_ids")
        expanded = [role for role in expanded if role["id"] in delegated]
        if not expanded:
            raise exception.NotAuthenticated()
        body["application_credential"] = app_cred
    body["roles"] = expanded
    if not nocatalog:
        body["catalog"] = cache.catalog(payload.project_id)
    return body


def _statements() -> dict[str, Any]:
    """The validation queries, built once with bind parameters (building is the slow part)."""
    global _STATEMENTS
    if _STATEMENTS is not None:
        return _STATEMENTS
    user, domain, role = (models.User.__table__, models.Domain.__table__,
                          models.Role.__table__)
    assignment, event = models.RoleAssignment.__table__, models.RevocationEvent.__table__
    group_assignment = models.GroupRoleAssignment.__table__
    membership = models.GroupMembership.__table__
    project = models.Project.__table__
    user_id = bindparam("user_id")
    target_type, target_id = bindparam("target_type"), bindparam("target_id")
    revoked = exists().where(or_(
        event.c.audit_id == bindparam("audit_id"),
        and_(event.c.user_id == user_id, event.c.issued_before >= bindparam("issued_at"))))
    # the user's roles on the target: its own and those of its groups
    direct = select(assignment.c.role_id).where(
        assignment.c.user_id == user_id, assignment.c.target_type == target_type,
        assignment.c.target_id == target_id)
    through_groups = select(group_assignment.c.role_id).join(
        membership, membership.c.group_id == group_assignment.c.group_id).where(
        membership.c.user_id == user_id, group_assignment.c.target_type == target_type,
        group_assignment.c.target_id == target_id)
    _STATEMENTS = {
        "user": select(user.c.name, user.c.enabled, user.c.domain_id, domain.c.name,
                       domain.c.enabled, revoked)
        .join(domain, domain.c.id == user.c.domain_id).where(user.c.id == user_id),
        "project": select(project.c.name, project.c.enabled, project.c.domain_id,
                          domain.c.name, domain.c.enabled)
        .join(domain, domain.c.id == project.c.domain_id)
        .where(project.c.id == target_id),
        "domain": select(domain.c.name, domain.c.enabled).where(domain.c.id == target_id),
        "roles": select(role.c.id, role.c.name).where(
            role.c.id.in_(union(direct, through_groups))),
    }
    return _STATEMENTS


_STATEMENTS: dict[str, Any] | None = None


def _load(payload: TokenPayload
          ) -> tuple[dict[str, Any], dict[str, str], dict[str, Any] | None,
                     dict[str, Any] | None]:
    """The user, its direct roles on the scope (its own and its groups'), the scope's
    fields and the application credential (if the token is one's); three indexed
    queries, one more for an application credential."""
    statements = _statements()
    params = {"user_id": payload.user_id, "issued_at": payload.issued_at,
              "audit_id": payload.audit_ids[0] if payload.audit_ids else ""}
    with db_api.get_engine().connect() as connection:
        row = connection.execute(statements["user"], params).first()
        if row is None or not row[1] or not row[4] or row[5]:
            raise exception.NotAuthenticated()  # unknown, disabled, in a disabled domain
        user = {"id": payload.user_id, "name": row[0],
                "domain": {"id": row[2], "name": row[3]}, "password_expires_at": None}
        scope: dict[str, Any]
        if payload.project_id:
            target = ("project", payload.project_id)
            found = connection.execute(statements["project"],
                                       {"target_id": payload.project_id}).first()
            if found is None or not found[1] or not found[4]:
                raise exception.NotAuthenticated()
            scope = {"project": {"id": payload.project_id, "name": found[0],
                                 "domain": {"id": found[2], "name": found[3]}},
                     "is_domain": False}
        elif payload.domain_id:
            target = ("domain", payload.domain_id)
            found = connection.execute(statements["domain"],
                                       {"target_id": payload.domain_id}).first()
            if found is None or not found[1]:
                raise exception.NotAuthenticated()
            scope = {"domain": {"id": payload.domain_id, "name": found[0]}}
        elif payload.system:
            target = ("system", "all")
            scope = {"system": {"all": True}}
        else:
            return user, {}, None, None
        roles = {r[0]: r[1] for r in connection.execute(
            statements["roles"],
            {**params, "target_type": target[0], "target_id": target[1]})}
        app_cred = None
        if payload.application_credential_id:
            app_cred = app_credentials.token_view(connection, payload.application_credential_id,
                                                  payload.user_id, payload.project_id)
    if not roles:
        raise exception.NotAuthenticated()
    return user, roles, scope, app_cred


def _prune(session: Any) -> None:
    """Forget events older than any token they could still match."""
    horizon = utcnow() - datetime.timedelta(seconds=CONF.token.expiration + 600)
    session.execute(delete(models.RevocationEvent)
                    .where(models.RevocationEvent.revoked_at < horizon))


def revoke(payload: TokenPayload) -> None:
    """Revoke one token (by its audit id)."""
    with db_api.session_scope() as session:
        _prune(session)
        session.add(models.RevocationEvent(audit_id=payload.audit_ids[0],
                                           user_id=None, issued_before=payload.issued_at))


def revoke_user(user_id: str) -> None:
    """Revoke every token of ``user_id`` issued until now (user disabled, password changed)."""
    with db_api.session_scope() as session:
        _prune(session)
        session.add(models.RevocationEvent(user_id=user_id, issued_before=utcnow()))
