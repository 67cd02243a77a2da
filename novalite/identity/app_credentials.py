"""Application credentials: authenticating with one, and what its tokens carry.

A token issued for an application credential is scoped to the credential's project
and holds the credential's roles that the user still has there; deleting the
credential, or its expiry, ends its tokens (validation reads it every time).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db.base import utcnow
from novalite.identity import models, passwords

RESTRICTED_MESSAGE = ("Using method 'application_credential' is not allowed for managing "
                      "additional application credentials.")


def _auth_error(detail: str) -> exception.NotAuthenticated:
    return exception.NotAuthenticated(
        message=f"Error authenticating with application credential: {detail}")


def authenticate(session: Session, ref: dict[str, Any]) -> models.ApplicationCredential:
    """The credential ``ref`` names (``id``, or ``name`` with its ``user``) if ``secret``
    is its secret, it has not expired and its user is enabled."""
    secret = ref.get("secret")
    if not isinstance(secret, str) or not secret:
        raise exception.ValidationError(field="application_credential.secret",
                                        reason="'secret' is a required property.")
    found: models.ApplicationCredential | None = None
    if isinstance(ref.get("id"), str):
        found = session.get(models.ApplicationCredential, ref["id"])
    elif isinstance(ref.get("name"), str):
        user_id = _user_id(session, ref.get("user"))
        if user_id:
            found = session.scalars(select(models.ApplicationCredential).filter_by(
                user_id=user_id, name=ref["name"])).first()
    else:
        raise exception.ValidationError(field="application_credential",
                                        reason="An application credential needs an id or "
                                               "a name and a user.")
    # one hash verification whatever happens, so timing does not tell them apart
    if not passwords.verify(found.secret_hash if found else None, secret) or found is None:
        raise exception.NotAuthenticated()
    if found.expires_at is not None and found.expires_at <= utcnow():
        raise _auth_error("Application credential has expired.")
    return found


def _user_id(session: Session, user_ref: Any) -> str | None:
    """The user of ``{"id"}`` or ``{"name", "domain": {"id"|"name"}}``."""
    if not isinstance(user_ref, dict):
        raise exception.ValidationError(field="application_credential.user",
                                        reason="'user' must be an object.")
    if isinstance(user_ref.get("id"), str):
        return str(user_ref["id"])
    domain_ref = user_ref.get("domain")
    if not isinstance(user_ref.get("name"), str) or not isinstance(domain_ref, dict):
        raise exception.ValidationError(field="application_credential.user",
                                        reason="A user needs an id, or a name and a domain.")
    query = select(models.User.id).join(models.Domain,
                                        models.Domain.id == models.User.domain_id)
    query = query.where(models.User.name == user_ref["name"])
    if isinstance(domain_ref.get("id"), str):
        query = query.where(models.Domain.id == domain_ref["id"])
    else:
        query = query.where(models.Domain.name == domain_ref.get("name"))
    return session.scalars(query).first()


def token_view(connection: Connection, app_cred_id: str, user_id: str,
               project_id: str | None) -> dict[str, Any]:
    """The token's ``application_credential`` (id, name, restricted, access_rules) plus
    ``role_ids``, the roles it delegates; ``NotAuthenticated`` when it is gone, expired
    or not the token's user's and project's."""
    table = models.ApplicationCredential.__table__
    row = connection.execute(select(table.c.name, table.c.user_id, table.c.project_id,
                                    table.c.unrestricted, table.c.expires_at)
                             .where(table.c.id == app_cred_id)).first()
    if row is None or row[1] != user_id or row[2] != project_id or (
            row[4] is not None and row[4] <= utcnow()):
        raise exception.NotAuthenticated()
    roles = models.ApplicationCredentialRole.__table__
    role_ids = set(connection.scalars(select(roles.c.role_id).where(
        roles.c.application_credential_id == app_cred_id)))
    view: dict[str, Any] = {"id": app_cred_id, "name": row[0], "restricted": not row[3],
                            "role_ids": role_ids}
    rules = access_rules(connection, app_cred_id)
    if rules:
        view["access_rules"] = rules
    return view


def access_rules(connection: Connection | Session, app_cred_id: str) -> list[dict[str, str]]:
    rule, link = models.AccessRule.__table__, models.ApplicationCredentialAccessRule.__table__
    rows = connection.execute(
        select(rule.c.id, rule.c.service, rule.c.path, rule.c.method)
        .join(link, link.c.access_rule_id == rule.c.id)
        .where(link.c.application_credential_id == app_cred_id).order_by(rule.c.id))
    return [{"id": r[0], "service": r[1], "path": r[2], "method": r[3]} for r in rows]
