"""Domains, users (with the password change) and roles, as OSC uses them."""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import cache, models, passwords, tokens
from novalite.identity.api import common, projects

# ----------------------------------------------------------------- views


def domain_view(request: wsgi.Request, domain: models.Domain) -> dict[str, Any]:
    return {"id": domain.id, "name": domain.name, "description": domain.description or "",
            "enabled": domain.enabled, "tags": [], "options": {},
            "links": {"self": common.url(request, f"/v3/domains/{domain.id}")}}


def user_view(request: wsgi.Request, user: models.User) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": user.id, "name": user.name, "domain_id": user.domain_id,
        "enabled": user.enabled, "password_expires_at": None, "options": {},
        "links": {"self": common.url(request, f"/v3/users/{user.id}")}}
    for extra in ("email", "description", "default_project_id"):
        if getattr(user, extra):
            view[extra] = getattr(user, extra)
    return view


def role_view(request: wsgi.Request, role: models.Role) -> dict[str, Any]:
    domain_id = None if role.domain_id == models.NULL_DOMAIN else role.domain_id
    return {"id": role.id, "name": role.name, "domain_id": domain_id,
            "description": role.description, "options": {},
            "links": {"self": common.url(request, f"/v3/roles/{role.id}")}}


# ----------------------------------------------------------------- domains


def list_domains(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_domains")
    query = select(models.Domain).order_by(models.Domain.name)
    if "name" in request.GET:
        query = query.where(models.Domain.name == request.GET["name"])
    enabled = common.enabled_filter(request)
    if enabled is not None:
        query = query.where(models.Domain.enabled.is_(enabled))
    with db_api.session_scope() as session:
        domains = [domain_view(request, d) for d in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "domains", domains))


def get_domain(request: wsgi.Request, domain_id: str) -> webob.Response:
    common.authorize(request, "get_domain", {"domain_id": domain_id})
    with db_api.session_scope() as session:
        domain = common.get_or_404(session, models.Domain, domain_id, "domain")
        return wsgi.json_response({"domain": domain_view(request, domain)})


def create_domain(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_domain")
    ref = common.section(request.json_body_dict(), "domain")
    domain = models.Domain(id=common.string(ref, "id", max_len=64) or common.new_id(),
                           name=common.string(ref, "name", required=True),
                           description=common.string(ref, "description", max_len=65535),
                           enabled=common.boolean(ref, "enabled", True))
    with common.writing("domain") as session:
        if session.scalars(select(models.Domain).filter_by(name=domain.name)).first():
            raise exception.Conflict(message=f"Duplicate entry: a domain named "
                                     f"{domain.name} exists.")
        session.add(domain)
        session.flush()
        return wsgi.json_response({"domain": domain_view(request, domain)}, status=201)


def update_domain(request: wsgi.Request, domain_id: str) -> webob.Response:
    common.authorize(request, "update_domain", {"domain_id": domain_id})
    ref = common.section(request.json_body_dict(), "domain")
    with common.writing("domain") as session:
        domain = common.get_or_404(session, models.Domain, domain_id, "domain")
        if "name" in ref:
            domain.name = common.string(ref, "name", required=True)
        if "description" in ref:
            domain.description = common.string(ref, "description", max_len=65535)
        if "enabled" in ref:
            domain.enabled = bool(common.boolean(ref, "enabled"))
        session.flush()
        return wsgi.json_response({"domain": domain_view(request, domain)})


def delete_domain(request: wsgi.Request, domain_id: str) -> webob.Response:
    common.authorize(request, "delete_domain", {"domain_id": domain_id})
    with common.writing("domain") as session:
        domain = common.get_or_404(session, models.Domain, domain_id, "domain")
        if domain.enabled:
            raise exception.Forbidden(message="Cannot delete a domain that is enabled, "
                                      "please disable it first.")
        # As Keystone: what the domain owns goes with it, and every grant on or of it.
        project_ids = list(session.scalars(select(models.Project.id).filter_by(
            domain_id=domain_id)))
        user_ids = list(session.scalars(select(models.User.id).filter_by(
            domain_id=domain_id)))
        group_ids = list(session.scalars(select(models.Group.id).filter_by(
            domain_id=domain_id)))
        projects.delete_project_rows(session, project_ids)
        for model in (models.RoleAssignment, models.GroupRoleAssignment):
            session.execute(delete(model).where(model.target_type == "domain",
                                                model.target_id == domain_id))
        session.execute(delete(models.Limit).where(models.Limit.domain_id == domain_id))
        delete_user_rows(session, user_ids)
        session.execute(delete(models.GroupMembership).where(
            models.GroupMembership.group_id.in_(group_ids)))
        session.execute(delete(models.GroupRoleAssignment).where(
            models.GroupRoleAssignment.group_id.in_(group_ids)))
        session.execute(delete(models.Group).where(models.Group.id.in_(group_ids)))
        role_ids = list(session.scalars(select(models.Role.id).filter_by(domain_id=domain_id)))
        for model in (models.RoleAssignment, models.GroupRoleAssignment):
            session.execute(delete(model).where(model.role_id.in_(role_ids)))
        session.execute(delete(models.ImpliedRole).where(
            models.ImpliedRole.prior_role_id.in_(role_ids)
            | models.ImpliedRole.implied_role_id.in_(role_ids)))
        session.execute(delete(models.Role).where(models.Role.id.in_(role_ids)))
        session.execute(delete(models.Project).where(models.Project.id.in_(project_ids)))
        session.execute(delete(models.User).where(models.User.id.in_(user_ids)))
        session.delete(domain)
    for user_id in user_ids:
        tokens.revoke_user(user_id)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- users


def list_users(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_users")
    query = select(models.User).order_by(models.User.name)
    for key in ("name", "domain_id"):
        if key in request.GET:
            query = query.where(getattr(models.User, key) == request.GET[key])
    enabled = common.enabled_filter(request)
    if enabled is not None:
        query = query.where(models.User.enabled.is_(enabled))
    with db_api.session_scope() as session:
        users = [user_view(request, u) for u in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "users", users))


def get_user(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "get_user", {"user_id": user_id})
    with db_api.session_scope() as session:
        user = common.get_or_404(session, models.User, user_id, "user")
        return wsgi.json_response({"user": user_view(request, user)})


def _password(ref: dict[str, Any]) -> str | None:
    password = ref.get("password")
    if password is None:
        return None
    if not isinstance(password, str) or len(password) > 4096:
        raise exception.ValidationError(field="password",
                                        reason="'password' must be a string.")
    return passwords.hash_password(password)


def create_user(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_user")
    ref = common.section(request.json_body_dict(), "user")
    name = common.string(ref, "name", required=True)
    password_hash = _password(ref)
    with common.writing("user") as session:
        domain_id = projects.domain_id_of(session, ref)
        if session.scalars(select(models.User).filter_by(domain_id=domain_id,
                                                         name=name)).first():
            raise exception.Conflict(message=f"Duplicate entry: a user named {name} "
                                     f"exists in domain {domain_id}.")
        user = models.User(
            id=common.new_id(), name=name, domain_id=domain_id, password_hash=password_hash,
            enabled=common.boolean(ref, "enabled", True),
            email=common.string(ref, "email"),
            description=common.string(ref, "description", max_len=65535),
            default_project_id=common.string(ref, "default_project_id", max_len=64))
        session.add(user)
        session.flush()
        return wsgi.json_response({"user": user_view(request, user)}, status=201)


def update_user(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "update_user", {"user_id": user_id})
    ref = common.section(request.json_body_dict(), "user")
    revoke = False
    with common.writing("user") as session:
        user = common.get_or_404(session, models.User, user_id, "user")
        if "name" in ref:
            user.name = common.string(ref, "name", required=True) or ""
        for field in ("email", "default_project_id"):
            if field in ref:
                setattr(user, field, common.string(ref, field))
        if "description" in ref:
            user.description = common.string(ref, "description", max_len=65535)
        if "enabled" in ref:
            enabled = bool(common.boolean(ref, "enabled"))
            revoke = revoke or (user.enabled and not enabled)
            user.enabled = enabled
        if "password" in ref:
            user.password_hash = _password(ref)
            revoke = True
        session.flush()
        view = user_view(request, user)
    if revoke:
        tokens.revoke_user(user_id)
    return wsgi.json_response({"user": view})


def delete_user(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "delete_user", {"user_id": user_id})
    with common.writing("user") as session:
        user = common.get_or_404(session, models.User, user_id, "user")
        delete_user_rows(session, [user_id])
        session.delete(user)
    tokens.revoke_user(user_id)
    return wsgi.empty_response(204)


def delete_user_rows(session: Session, user_ids: list[str]) -> None:
    """What goes with users: grants, memberships, application credentials (with their
    roles and access rules) and credentials."""
    app_cred_ids = list(session.scalars(select(models.ApplicationCredential.id).where(
        models.ApplicationCredential.user_id.in_(user_ids))))
    for link in (models.ApplicationCredentialRole, models.ApplicationCredentialAccessRule):
        session.execute(delete(link).where(link.application_credential_id.in_(app_cred_ids)))
    for model in (models.RoleAssignment, models.GroupMembership, models.ApplicationCredential,
                  models.AccessRule, models.Credential):
        session.execute(delete(model).where(model.user_id.in_(user_ids)))


def change_password(request: wsgi.Request, user_id: str) -> webob.Response:
    """``POST /v3/users/{id}/password``: self-service, authenticated by the original
    password (no token needed, so an expired password can be changed); every token of
    the user is revoked, as Keystone does."""
    ref = common.section(request.json_body_dict(), "user")
    original = ref.get("original_password")
    new = ref.get("password")
    for name, value in (("original_password", original), ("password", new)):
        if not isinstance(value, str) or not value or len(value) > 4096:
            raise exception.ValidationError(field=name,
                                            reason=f"'{name}' is a required string.")
    with common.writing("user") as session:
        user = session.get(models.User, user_id)
        # one hash verification whether or not the user exists
        if not passwords.verify(user.password_hash if user else None, str(original)) \
                or user is None or not user.enabled:
            raise exception.NotAuthenticated(
                message="Error when changing user password: the original password is "
                        "wrong or the user cannot change it.")
        user.password_hash = passwords.hash_password(str(new))
    tokens.revoke_user(user_id)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- roles


def list_roles(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_roles")
    # the global roles, or those of ``domain_id``, as Keystone lists them
    query = select(models.Role).order_by(models.Role.name).where(
        models.Role.domain_id == (request.GET.get("domain_id") or models.NULL_DOMAIN))
    if "name" in request.GET:
        query = query.where(models.Role.name == request.GET["name"])
    with db_api.session_scope() as session:
        roles = [role_view(request, r) for r in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "roles", roles))


def get_role(request: wsgi.Request, role_id: str) -> webob.Response:
    common.authorize(request, "get_role")
    with db_api.session_scope() as session:
        role = common.get_or_404(session, models.Role, role_id, "role")
        return wsgi.json_response({"role": role_view(request, role)})


def create_role(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_role")
    ref = common.section(request.json_body_dict(), "role")
    name = common.string(ref, "name", required=True)
    domain_id = common.string(ref, "domain_id", max_len=64) or models.NULL_DOMAIN
    with common.writing("role") as session:
        if domain_id != models.NULL_DOMAIN:
            common.get_or_404(session, models.Domain, domain_id, "domain")
        if session.scalars(select(models.Role).filter_by(name=name,
                                                         domain_id=domain_id)).first():
            raise exception.Conflict(message=f"Duplicate entry: a role named {name} exists.")
        role = models.Role(id=common.new_id(), name=name, domain_id=domain_id,
                           description=common.string(ref, "description", max_len=65535))
        session.add(role)
        session.flush()
        return wsgi.json_response({"role": role_view(request, role)}, status=201)


def update_role(request: wsgi.Request, role_id: str) -> webob.Response:
    common.authorize(request, "update_role")
    ref = common.section(request.json_body_dict(), "role")
    with common.writing("role") as session:
        role = common.get_or_404(session, models.Role, role_id, "role")
        if "domain_id" in ref and (ref["domain_id"] or models.NULL_DOMAIN) != role.domain_id:
            raise exception.ValidationError(field="domain_id",
                                            reason="Update of `domain_id` is not allowed.")
        if "name" in ref:
            name = common.string(ref, "name", required=True) or ""
            if name != role.name and session.scalars(select(models.Role).filter_by(
                    name=name, domain_id=role.domain_id)).first():
                raise exception.Conflict(message=f"Duplicate entry: a role named {name} "
                                         "exists.")
            role.name = name
        if "description" in ref:
            role.description = common.string(ref, "description", max_len=65535)
        session.flush()
        view = role_view(request, role)
    cache.invalidate()  # tokens carry role names
    return wsgi.json_response({"role": view})


def delete_role(request: wsgi.Request, role_id: str) -> webob.Response:
    common.authorize(request, "delete_role")
    with common.writing("role") as session:
        role = common.get_or_404(session, models.Role, role_id, "role")
        for model in (models.RoleAssignment, models.GroupRoleAssignment):
            session.execute(delete(model).where(model.role_id == role_id))
        session.execute(delete(models.ImpliedRole).where(
            (models.ImpliedRole.prior_role_id == role_id)
            | (models.ImpliedRole.implied_role_id == role_id)))
        session.delete(role)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/domains", list_domains),
    wsgi.Route("POST", "/v3/domains", create_domain),
    wsgi.Route("GET", "/v3/domains/{domain_id}", get_domain),
    wsgi.Route("PATCH", "/v3/domains/{domain_id}", update_domain),
    wsgi.Route("DELETE", "/v3/domains/{domain_id}", delete_domain),
    wsgi.Route("GET", "/v3/users", list_users),
    wsgi.Route("POST", "/v3/users", create_user),
    wsgi.Route("GET", "/v3/users/{user_id}", get_user),
    wsgi.Route("PATCH", "/v3/users/{user_id}", update_user),
    wsgi.Route("DELETE", "/v3/users/{user_id}", delete_user),
    wsgi.Route("POST", "/v3/users/{user_id}/password", change_password),
    wsgi.Route("GET", "/v3/roles", list_roles),
    wsgi.Route("POST", "/v3/roles", create_role),
    wsgi.Route("GET", "/v3/roles/{role_id}", get_role),
    wsgi.Route("PATCH", "/v3/roles/{role_id}", update_role),
    wsgi.Route("DELETE", "/v3/roles/{role_id}", delete_role),
)
