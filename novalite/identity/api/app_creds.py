"""``/v3/users/{user_id}/application_credentials`` and ``.../access_rules``.

A user creates them for the project its token is scoped to, delegating all or some of
its roles there; the secret is shown once (only its hash is kept). A token of a
restricted application credential may not create or delete application credentials.
"""

from __future__ import annotations

import base64
import datetime
import os
from typing import Any

import webob
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.identity import app_credentials, assignments, models, passwords, tokens
from novalite.identity.api import common

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _isotime(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def _rule_view(rule: dict[str, str]) -> dict[str, str]:
    return {"id": rule["id"], "service": rule["service"], "path": rule["path"],
            "method": rule["method"]}


def app_cred_view(request: wsgi.Request, session: Session,
                  app_cred: models.ApplicationCredential) -> dict[str, Any]:
    roles = session.scalars(select(models.Role).join(
        models.ApplicationCredentialRole,
        models.ApplicationCredentialRole.role_id == models.Role.id)
        .where(models.ApplicationCredentialRole.application_credential_id == app_cred.id)
        .order_by(models.Role.name)).all()
    return {
        "id": app_cred.id, "name": app_cred.name, "description": app_cred.description,
        "user_id": app_cred.user_id, "project_id": app_cred.project_id, "system": None,
        "expires_at": _isotime(app_cred.expires_at), "unrestricted": app_cred.unrestricted,
        "roles": [{"id": r.id, "name": r.name,
                   "domain_id": None if r.domain_id == models.NULL_DOMAIN else r.domain_id}
                  for r in roles],
        "access_rules": [_rule_view(r) for r in app_credentials.access_rules(session,
                                                                             app_cred.id)],
        "links": {"self": common.url(
            request, f"/v3/users/{app_cred.user_id}/application_credentials/{app_cred.id}")}}


def _caller_token(request: wsgi.Request) -> tokens.TokenPayload:
    return tokens.decode(request.context.auth_token or "")


def _refuse_restricted(request: wsgi.Request) -> None:
    payload = _caller_token(request)
    if payload.application_credential_id is None:
        return
    with db_api.session_scope() as session:
        app_cred = session.get(models.ApplicationCredential, payload.application_credential_id)
        if app_cred is None or not app_cred.unrestricted:
            raise exception.Forbidden(message=app_credentials.RESTRICTED_MESSAGE)


def _invalid(detail: str) -> exception.ValidationError:
    return exception.ValidationError(field="application_credential",
                                     reason=f"Invalid application credential: {detail}")


def _expires_at(value: Any) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid("'expires_at' must be an ISO 8601 date and time.")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("'expires_at' must be an ISO 8601 date and time.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    if moment <= utcnow():
        raise exception.ValidationError(field="expires_at",
                                        reason="The 'expires_at' must not be before now.")
    return moment


def _roles(session: Session, requested: Any, held: set[str], user_id: str,
           project_id: str) -> list[str]:
    """The role ids a create body names (by id or name), each held by the user; all the
    caller's token roles when it names none."""
    if requested is None:
        return sorted(held)
    if not isinstance(requested, list) or not requested:
        raise _invalid("'roles' must be a non-empty list of role references.")
    ids = []
    for ref in requested:
        if not isinstance(ref, dict):
            raise _invalid("each role is an object with an id or a name.")
        role = None
        if isinstance(ref.get("id"), str):
            role = session.get(models.Role, ref["id"])
        elif isinstance(ref.get("name"), str):
            domain_id = ref.get("domain_id") or models.NULL_DOMAIN
            role = session.scalars(select(models.Role).filter_by(
                name=ref["name"], domain_id=domain_id)).first()
        if role is None:
            raise exception.NotFound(message=f"Could not find role: "
                                     f"{ref.get('id') or ref.get('name')}.")
        if role.id not in held:
            raise exception.NotFound(
                message=f"Could not find role assignment with role: {role.id}, user or "
                        f"group: {user_id}, project, domain, or system: {project_id}.")
        ids.append(role.id)
    return list(dict.fromkeys(ids))


def _access_rules(session: Session, user_id: str, requested: Any) -> list[str]:
    """The access rule ids a create body gives: existing ones by id, new ones stored
    (an identical rule of the user's is reused)."""
    if requested is None:
        return []
    if not isinstance(requested, list):
        raise _invalid("'access_rules' must be a list.")
    ids = []
    for ref in requested:
        if not isinstance(ref, dict):
            raise _invalid("each access rule is an object.")
        if "id" in ref and len(ref) == 1:
            rule = session.get(models.AccessRule, ref["id"])
            if rule is None or rule.user_id != user_id:
                raise exception.NotFound(message=f"Could not find Access Rule: {ref['id']}.")
            ids.append(rule.id)
            continue
        values = {key: ref.get(key) for key in ("service", "path", "method")}
        if not all(isinstance(v, str) and v for v in values.values()) or set(ref) - {
                "service", "path", "method", "id"}:
            raise _invalid("an access rule has a service, a path and a method.")
        if values["method"] not in METHODS or not str(values["path"]).startswith("/") \
                or len(str(values["path"])) > 128 or len(str(values["service"])) > 64:
            raise _invalid(f"the access rule {values} is not valid: the method is one of "
                           f"{', '.join(METHODS)} and the path starts with '/'.")
        rule = session.scalars(select(models.AccessRule).filter_by(
            user_id=user_id, **values)).first()
        if rule is None:
            rule = models.AccessRule(id=common.new_id(), user_id=user_id, **values)
            session.add(rule)
            session.flush()
        ids.append(rule.id)
    return list(dict.fromkeys(ids))


def _new_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")


def create(request: wsgi.Request, user_id: str) -> webob.Response:
    ctxt = common.authorize(request, "create_application_credential", {"user_id": user_id})
    ref = common.section(request.json_body_dict(), "application_credential")
    if ctxt.user_id != user_id:
        raise exception.Forbidden(message="Application credentials can only be created for "
                                  "the user of the token.")
    if not ctxt.project_id:
        raise _invalid("a project-scoped token is needed to create one.")
    _refuse_restricted(request)
    name = common.string(ref, "name", required=True) or ""
    secret = ref.get("secret")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise _invalid("'secret' must be a non-empty string.")
    secret = secret or _new_secret()
    unrestricted = common.boolean(ref, "unrestricted", False)
    expires_at = _expires_at(ref.get("expires_at"))
    with common.writing("application_credential") as session:
        if session.scalars(select(models.ApplicationCredential).filter_by(
                user_id=user_id, name=name)).first():
            raise exception.Conflict(message="Conflict occurred attempting to store "
                                     "application_credential - Duplicate entry.")
        held = assignments.effective_role_ids(session, user_id, "project", ctxt.project_id)
        role_ids = _roles(session, ref.get("roles"), held, user_id, ctxt.project_id)
        rule_ids = _access_rules(session, user_id, ref.get("access_rules"))
        app_cred = models.ApplicationCredential(
            id=common.new_id(), name=name, user_id=user_id, project_id=ctxt.project_id,
            secret_hash=passwords.hash_password(secret),
            description=common.string(ref, "description", max_len=65535),
            expires_at=expires_at, unrestricted=bool(unrestricted))
        session.add(app_cred)
        session.flush()
        session.add_all(models.ApplicationCredentialRole(application_credential_id=app_cred.id,
                                                         role_id=role_id)
                        for role_id in role_ids)
        session.add_all(models.ApplicationCredentialAccessRule(
            application_credential_id=app_cred.id, access_rule_id=rule_id)
            for rule_id in rule_ids)
        session.flush()
        view = app_cred_view(request, session, app_cred)
    view["secret"] = secret
    return wsgi.json_response({"application_credential": view}, status=201)


def _get(session: Session, user_id: str, app_cred_id: str) -> models.ApplicationCredential:
    app_cred = session.get(models.ApplicationCredential, app_cred_id)
    if app_cred is None or app_cred.user_id != user_id:
        raise exception.NotFound(message=f"Could not find Application Credential: "
                                 f"{app_cred_id}.")
    return app_cred


def list_app_creds(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "list_application_credentials", {"user_id": user_id})
    query = select(models.ApplicationCredential).filter_by(user_id=user_id).order_by(
        models.ApplicationCredential.name)
    if "name" in request.GET:
        query = query.where(models.ApplicationCredential.name == request.GET["name"])
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
        views = [app_cred_view(request, session, a) for a in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "application_credentials", views))


def show(request: wsgi.Request, user_id: str, app_cred_id: str) -> webob.Response:
    common.authorize(request, "get_application_credential", {"user_id": user_id})
    with db_api.session_scope() as session:
        view = app_cred_view(request, session, _get(session, user_id, app_cred_id))
    return wsgi.json_response({"application_credential": view})


def remove(request: wsgi.Request, user_id: str, app_cred_id: str) -> webob.Response:
    """Deleting the credential ends its tokens (validation reads it)."""
    common.authorize(request, "delete_application_credential", {"user_id": user_id})
    _refuse_restricted(request)
    with common.writing("application_credential") as session:
        app_cred = _get(session, user_id, app_cred_id)
        for model in (models.ApplicationCredentialRole, models.ApplicationCredentialAccessRule):
            session.execute(delete(model).where(model.application_credential_id == app_cred_id))
        session.delete(app_cred)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- access rules


def _rule_links(request: wsgi.Request, rule: models.AccessRule) -> dict[str, Any]:
    return {"id": rule.id, "service": rule.service, "path": rule.path, "method": rule.method,
            "links": {"self": common.url(
                request, f"/v3/users/{rule.user_id}/access_rules/{rule.id}")}}


def _rule(session: Session, user_id: str, rule_id: str) -> models.AccessRule:
    rule = session.get(models.AccessRule, rule_id)
    if rule is None or rule.user_id != user_id:
        raise exception.NotFound(message=f"Could not find Access Rule: {rule_id}.")
    return rule


def list_rules(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "list_access_rules", {"user_id": user_id})
    query = select(models.AccessRule).filter_by(user_id=user_id).order_by(
        models.AccessRule.service, models.AccessRule.path)
    for key in ("service", "path", "method"):
        if key in request.GET:
            query = query.where(getattr(models.AccessRule, key) == request.GET[key])
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
        views = [_rule_links(request, r) for r in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "access_rules", views))


def show_rule(request: wsgi.Request, user_id: str, rule_id: str) -> webob.Response:
    common.authorize(request, "get_access_rule", {"user_id": user_id})
    with db_api.session_scope() as session:
        view = _rule_links(request, _rule(session, user_id, rule_id))
    return wsgi.json_response({"access_rule": view})


def remove_rule(request: wsgi.Request, user_id: str, rule_id: str) -> webob.Response:
    common.authorize(request, "delete_access_rule", {"user_id": user_id})
    with common.writing("access rule") as session:
        rule = _rule(session, user_id, rule_id)
        if session.scalars(select(models.ApplicationCredentialAccessRule).filter_by(
                access_rule_id=rule_id)).first():
            raise exception.Forbidden(message=f"Access rule {rule_id} is still used by an "
                                      "application credential and cannot be deleted.")
        session.delete(rule)
    return wsgi.empty_response(204)


_BASE = "/v3/users/{user_id}"
ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", f"{_BASE}/application_credentials", list_app_creds),
    wsgi.Route("POST", f"{_BASE}/application_credentials", create),
    wsgi.Route("GET", f"{_BASE}/application_credentials/{{app_cred_id}}", show),
    wsgi.Route("DELETE", f"{_BASE}/application_credentials/{{app_cred_id}}", remove),
    wsgi.Route("GET", f"{_BASE}/access_rules", list_rules),
    wsgi.Route("GET", f"{_BASE}/access_rules/{{rule_id}}", show_rule),
    wsgi.Route("DELETE", f"{_BASE}/access_rules/{{rule_id}}", remove_rule),
)
