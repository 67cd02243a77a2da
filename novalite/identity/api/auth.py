"""Version documents and ``/v3/auth/*``: issue, validate, revoke tokens; the caller's catalog."""

from __future__ import annotations

import datetime
from typing import Any

import webob
from sqlalchemy import select

from novalite.common import exception, wsgi
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.identity import (
    app_credentials,
    assignments,
    cache,
    models,
    passwords,
    tokens,
)
from novalite.identity.api import common, projects, resources, unsupported

VERSION_ID = "v3.14"
VERSION_UPDATED = "2020-04-07T00:00:00Z"


def _version(request: wsgi.Request) -> dict[str, Any]:
    return {"id": VERSION_ID, "status": "stable", "updated": VERSION_UPDATED,
            "links": [{"rel": "self", "href": common.url(request, "/v3/")}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}


def versions(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response({"versions": {"values": [_version(request)]}}, status=300,
                              headers={"Location": common.url(request, "/v3/")})


def version(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response({"version": _version(request)})


def _authenticate_password(session: Any, password_auth: dict[str, Any]) -> models.User:
    user_ref = common.section(password_auth, "user")
    password = user_ref.get("password")
    if not isinstance(password, str):
        raise exception.ValidationError(field="password",
                                        reason="'password' is a required property.")
    user: models.User | None = None
    if isinstance(user_ref.get("id"), str):
        user = session.get(models.User, user_ref["id"])
    elif isinstance(user_ref.get("name"), str):
        domain_ref = common.section(user_ref, "domain")
        try:
            domain = common.find_domain(session, domain_ref)
        except exception.NotAuthenticated:
            domain = None
        if domain is not None:
            user = session.scalars(select(models.User).filter_by(
                domain_id=domain.id, name=user_ref["name"])).first()
    else:
        raise exception.ValidationError(field="user", reason="A user needs an id or a name.")
    # Always spend one hash verification, so timing does not tell unknown users apart.
    if not passwords.verify(user.password_hash if user else None, password) or user is None:
        raise exception.NotAuthenticated()
    return user


def _scope(session: Any, scope: Any) -> dict[str, Any]:
    if scope is None or scope == "unscoped":
        return {}
    if not isinstance(scope, dict):
        raise exception.ValidationError(field="scope", reason="'scope' must be an object.")
    if "project" in scope:
        ref = common.section(scope, "project")
        if isinstance(ref.get("id"), str):
            return {"project_id": ref["id"]}
        name = common.string(ref, "name", required=True, field="scope.project.name")
        domain = common.find_domain(session, common.section(ref, "domain"))
        project = session.scalars(select(models.Project).filter_by(
            domain_id=domain.id, name=name)).first()
        if project is None:
            raise exception.NotAuthenticated()
        return {"project_id": project.id}
    if "domain" in scope:
        return {"domain_id": common.find_domain(session, common.section(scope, "domain")).id}
    if "system" in scope:
        if scope["system"] != {"all": True}:
            raise exception.ValidationError(field="scope.system",
                                            reason="Only the 'all' system scope exists.")
        return {"system": True}
    raise exception.ValidationError(field="scope", reason="Unknown scope.")


def issue_token(request: wsgi.Request) -> webob.Response:
    auth = common.section(request.json_body_dict(), "auth")
    identity = common.section(auth, "identity")
    methods = identity.get("methods")
    if (not isinstance(methods, list) or not methods
            or not all(isinstance(m, str) for m in methods)):
        raise exception.ValidationError(field="identity.methods",
                                        reason="'methods' must be a non-empty list.")
    nocatalog = "nocatalog" in request.GET
    parent_audit_id = None
    expires_at = None
    app_cred_id = None
    with db_api.session_scope() as session:
        if "password" in methods:
            user_id = _authenticate_password(session, common.section(identity, "password")).id
            token_methods = ["password"]
        elif "token" in methods:
            token_ref = common.section(identity, "token")
            old = tokens.decode(common.string(token_ref, "id", required=True, max_len=1024,
                                              field="token.id") or "")
            tokens.validate_payload(old)
            user_id = old.user_id
            token_methods = ["token", *old.methods]
            expires_at = old.expires_at
            parent_audit_id = old.audit_ids[-1]
            app_cred_id = old.application_credential_id  # stays bound to its credential
        elif "application_credential" in methods:
            if auth.get("scope") is not None:
                raise exception.NotAuthenticated(
                    message="Error authenticating with application credential: "
                            "Application credentials cannot request a scope.")
            app_cred = app_credentials.authenticate(
                session, common.section(identity, "application_credential"))
            user_id, app_cred_id = app_cred.user_id, app_cred.id
            token_methods = ["application_credential"]
            expires_at = app_cred.expires_at
        elif "totp" in methods:
            raise exception.NotAuthenticated(message=unsupported.TOTP_REFUSAL)
        else:
            raise exception.NotAuthenticated(message="Unsupported authentication method.")
        if app_cred_id is not None and "token" not in methods:
            scope: dict[str, Any] = {"project_id": app_cred.project_id}
        else:
            scope = _scope(session, auth.get("scope"))
        default_scope = False
        if not scope and auth.get("scope") is None:
            user = session.get(models.User, user_id)
            if user is not None and user.default_project_id:
                # Keystone scopes to the default project when it can, else unscoped.
                scope, default_scope = {"project_id": user.default_project_id}, True
    if expires_at is not None and "token" not in methods:
        # an application credential's token never outlives the credential
        expires_at = min(expires_at, utcnow() + datetime.timedelta(
            seconds=CONF.token.expiration))
    options: dict[str, Any] = {"expires_at": expires_at, "parent_audit_id": parent_audit_id,
                               "nocatalog": nocatalog,
                               "application_credential_id": app_cred_id}
    try:
        token_id, body = tokens.issue(user_id, token_methods, **options, **scope)
    except exception.NotAuthenticated:
        if not default_scope:
            raise
        token_id, body = tokens.issue(user_id, token_methods, **options)
    return wsgi.json_response({"token": body}, status=201,
                              headers={"X-Subject-Token": token_id})


def _subject(request: wsgi.Request, action: str) -> tuple[str, tokens.TokenPayload]:
    _ = request.context  # 401 before anything else without a valid caller token
    subject = request.headers.get("X-Subject-Token")
    if not subject:
        raise exception.ValidationError(field="X-Subject-Token",
                                        reason="The X-Subject-Token header is required.")
    try:
        payload = tokens.decode(subject)
    except exception.NotAuthenticated:
        raise exception.TokenNotFound(token_id="<redacted>") from None
    common.authorize(request, action, {"user_id": payload.user_id})
    return subject, payload


def validate_token(request: wsgi.Request) -> webob.Response:
    subject, _payload = _subject(request, "validate_token")
    allow_expired = request.GET.get("allow_expired", "").lower() in ("1", "true", "yes")
    try:
        body = tokens.validate(subject, nocatalog="nocatalog" in request.GET,
                               allow_expired=allow_expired)
    except exception.NotAuthenticated:
        raise exception.TokenNotFound(token_id="<redacted>") from None
    return wsgi.json_response({"token": body}, headers={"X-Subject-Token": subject})


def revoke_token(request: wsgi.Request) -> webob.Response:
    subject, payload = _subject(request, "revoke_token")
    try:
        tokens.validate(subject, nocatalog=True)
    except exception.NotAuthenticated:
        raise exception.TokenNotFound(token_id="<redacted>") from None
    tokens.revoke(payload)
    return wsgi.empty_response(204)


def auth_catalog(request: wsgi.Request) -> webob.Response:
    ctxt = common.authorize(request, "get_auth_catalog")
    if not (ctxt.project_id or ctxt.domain_id or ctxt.system_scope):
        raise exception.Forbidden(message="An unscoped token has no catalog.")
    return wsgi.json_response({"catalog": cache.catalog(ctxt.project_id),
                               "links": {"self": request.url}})


def auth_projects(request: wsgi.Request) -> webob.Response:
    ctxt = common.authorize(request, "get_auth_projects")
    found = projects.projects_of_user(request, ctxt.user_id or "")
    return wsgi.json_response(common.collection(request, "projects", found))


def auth_domains(request: wsgi.Request) -> webob.Response:
    ctxt = common.authorize(request, "get_auth_domains")
    with db_api.session_scope() as session:
        held = {a.target_id for a in assignments.list_assignments(
            session, assignments.Filters(user_id=ctxt.user_id, target_type="domain"),
            effective=True)}
        rows = session.scalars(select(models.Domain).where(
            models.Domain.id.in_(held), models.Domain.enabled.is_(True))
            .order_by(models.Domain.name)).all()
        domains = [resources.domain_view(request, d) for d in rows]
    return wsgi.json_response(common.collection(request, "domains", domains))


def auth_system(request: wsgi.Request) -> webob.Response:
    """``GET /v3/auth/system``: ``[{"all": true}]`` when the caller may scope to the system."""
    ctxt = common.authorize(request, "get_auth_system")
    with db_api.session_scope() as session:
        held = assignments.list_assignments(session, assignments.Filters(
            user_id=ctxt.user_id, target_type="system"), effective=True)
    return wsgi.json_response({"system": [{"all": True}] if held else [],
                               "links": {"self": request.url}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/", versions),
    wsgi.Route("GET", "/v3", version),
    wsgi.Route("POST", "/v3/auth/tokens", issue_token),
    wsgi.Route("GET", "/v3/auth/tokens", validate_token),
    wsgi.Route("DELETE", "/v3/auth/tokens", revoke_token),
    wsgi.Route("GET", "/v3/auth/catalog", auth_catalog),
    wsgi.Route("GET", "/v3/auth/projects", auth_projects),
    wsgi.Route("GET", "/v3/auth/domains", auth_domains),
    wsgi.Route("GET", "/v3/auth/system", auth_system),
)
