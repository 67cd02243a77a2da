"""Domains, projects, users, roles, grants and role assignments, as OSC uses them."""

from __future__ import annotations

import json
from typing import Any

import webob
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import cache, models, passwords, tokens
from novalite.identity.api import common

# ----------------------------------------------------------------- views


def domain_view(request: wsgi.Request, domain: models.Domain) -> dict[str, Any]:
    return {"id": domain.id, "name": domain.name, "description": domain.description or "",
            "enabled": domain.enabled, "tags": [], "options": {},
            "links": {"self": common.url(request, f"/v3/domains/{domain.id}")}}


# Keystone's own project attributes; any other key of a body is an extra property.
PROJECT_ATTRIBUTES = frozenset({"id", "name", "domain_id", "description", "enabled",
                                "parent_id", "is_domain", "tags", "options", "links"})


def _project_extra(ref: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in ref.items() if key not in PROJECT_ATTRIBUTES}


def project_view(request: wsgi.Request, project: models.Project) -> dict[str, Any]:
    return {**json.loads(project.extra or "{}"),
            "id": project.id, "name": project.name, "domain_id": project.domain_id,
            "description": project.description or "", "enabled": project.enabled,
            "parent_id": project.parent_id or project.domain_id, "is_domain": False,
            "tags": [], "options": {},
            "links": {"self": common.url(request, f"/v3/projects/{project.id}")}}


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
        session.execute(delete(models.RoleAssignment).where(
            ((models.RoleAssignment.target_type == "domain")
             & (models.RoleAssignment.target_id == domain_id))
            | ((models.RoleAssignment.target_type == "project")
               & models.RoleAssignment.target_id.in_(project_ids))
            | models.RoleAssignment.user_id.in_(user_ids)))
        role_ids = list(session.scalars(select(models.Role.id).filter_by(domain_id=domain_id)))
        session.execute(delete(models.RoleAssignment).where(
            models.RoleAssignment.role_id.in_(role_ids)))
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


# ----------------------------------------------------------------- projects


def _domain_id(session: Session, ref: dict[str, Any], request: wsgi.Request) -> str:
    domain_id = common.string(ref, "domain_id", max_len=64) or "default"
    if session.get(models.Domain, domain_id) is None:
        raise exception.ValidationError(field="domain_id",
                                        reason=f"Domain {domain_id} does not exist.")
    return domain_id


def list_projects(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_projects")
    query = select(models.Project).order_by(models.Project.name)
    for key in ("name", "domain_id", "parent_id"):
        if key in request.GET:
            query = query.where(getattr(models.Project, key) == request.GET[key])
    enabled = common.enabled_filter(request)
    if enabled is not None:
        query = query.where(models.Project.enabled.is_(enabled))
    with db_api.session_scope() as session:
        projects = [project_view(request, p) for p in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "projects", projects))


def get_project(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "get_project", {"project_id": project_id})
    with db_api.session_scope() as session:
        project = common.get_or_404(session, models.Project, project_id, "project")
        return wsgi.json_response({"project": project_view(request, project)})


def create_project(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_project")
    ref = common.section(request.json_body_dict(), "project")
    name = common.string(ref, "name", required=True, max_len=64)
    with common.writing("project") as session:
        domain_id = _domain_id(session, ref, request)
        if session.scalars(select(models.Project).filter_by(domain_id=domain_id,
                                                            name=name)).first():
            raise exception.Conflict(message=f"Duplicate entry: a project named {name} "
                                     f"exists in domain {domain_id}.")
        parent_id = common.string(ref, "parent_id", max_len=64)
        if parent_id and parent_id != domain_id and session.get(
                models.Project, parent_id) is None:
            raise exception.ValidationError(field="parent_id",
                                            reason=f"Project {parent_id} does not exist.")
        project = models.Project(
            id=common.new_id(), name=name, domain_id=domain_id,
            description=common.string(ref, "description", max_len=65535),
            enabled=common.boolean(ref, "enabled", True),
            parent_id=None if parent_id == domain_id else parent_id,
            extra=json.dumps(_project_extra(ref)) if _project_extra(ref) else None)
        session.add(project)
        session.flush()
        return wsgi.json_response({"project": project_view(request, project)}, status=201)


def update_project(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "update_project", {"project_id": project_id})
    ref = common.section(request.json_body_dict(), "project")
    with common.writing("project") as session:
        project = common.get_or_404(session, models.Project, project_id, "project")
        if "name" in ref:
            project.name = common.string(ref, "name", required=True, max_len=64) or ""
        if "description" in ref:
            project.description = common.string(ref, "description", max_len=65535)
        if "enabled" in ref:
            project.enabled = bool(common.boolean(ref, "enabled"))
        extra = _project_extra(ref)
        if extra:  # merged into the stored ones, as Keystone's update does
            project.extra = json.dumps({**json.loads(project.extra or "{}"), **extra})
        session.flush()
        return wsgi.json_response({"project": project_view(request, project)})


def delete_project(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "delete_project", {"project_id": project_id})
    with common.writing("project") as session:
        project = common.get_or_404(session, models.Project, project_id, "project")
        session.execute(delete(models.RoleAssignment).where(
            models.RoleAssignment.target_type == "project",
            models.RoleAssignment.target_id == project_id))
        session.delete(project)
    return wsgi.empty_response(204)


def projects_of_user(request: wsgi.Request, user_id: str) -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        rows = session.scalars(
            select(models.Project).join(
                models.RoleAssignment, models.RoleAssignment.target_id == models.Project.id)
            .where(models.RoleAssignment.target_type == "project",
                   models.RoleAssignment.user_id == user_id,
                   models.Project.enabled.is_(True))
            .distinct().order_by(models.Project.name)).all()
        return [project_view(request, p) for p in rows]


def list_user_projects(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "list_user_projects", {"user_id": user_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
    return wsgi.json_response(common.collection(request, "projects",
                                                projects_of_user(request, user_id)))


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
        domain_id = _domain_id(session, ref, request)
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
        session.execute(delete(models.RoleAssignment).where(
            models.RoleAssignment.user_id == user_id))
        session.delete(user)
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
        session.execute(delete(models.RoleAssignment).where(
            models.RoleAssignment.role_id == role_id))
        session.execute(delete(models.ImpliedRole).where(
            (models.ImpliedRole.prior_role_id == role_id)
            | (models.ImpliedRole.implied_role_id == role_id)))
        session.delete(role)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- grants


def _grant_target(session: Session, target_type: str, target_id: str, user_id: str,
                  role_id: str) -> None:
    model = models.Project if target_type == "project" else models.Domain
    common.get_or_404(session, model, target_id, target_type)
    common.get_or_404(session, models.User, user_id, "user")
    common.get_or_404(session, models.Role, role_id, "role")


def _grant_key(target_type: str, target_id: str, user_id: str, role_id: str
               ) -> dict[str, str]:
    return {"user_id": user_id, "target_type": target_type, "target_id": target_id,
            "role_id": role_id}


def _make_grant_handlers(target_type: str) -> dict[str, Any]:
    def put(request: wsgi.Request, target_id: str, user_id: str, role_id: str
            ) -> webob.Response:
        common.authorize(request, "create_grant")
        with common.writing("role assignment") as session:
            _grant_target(session, target_type, target_id, user_id, role_id)
            key = _grant_key(target_type, target_id, user_id, role_id)
            if session.get(models.RoleAssignment, key) is None:
                session.add(models.RoleAssignment(**key))
        return wsgi.empty_response(204)

    def check(request: wsgi.Request, target_id: str, user_id: str, role_id: str
              ) -> webob.Response:
        common.authorize(request, "check_grant")
        with db_api.session_scope() as session:
            _grant_target(session, target_type, target_id, user_id, role_id)
            key = _grant_key(target_type, target_id, user_id, role_id)
            if session.get(models.RoleAssignment, key) is None:
                raise exception.NotFound(message=f"Could not find role assignment: role "
                                         f"{role_id} of user {user_id} on {target_id}.")
        return wsgi.empty_response(204)

    def remove(request: wsgi.Request, target_id: str, user_id: str, role_id: str
               ) -> webob.Response:
        common.authorize(request, "revoke_grant")
        with common.writing("role assignment") as session:
            _grant_target(session, target_type, target_id, user_id, role_id)
            grant = session.get(models.RoleAssignment,
                                _grant_key(target_type, target_id, user_id, role_id))
            if grant is None:
                raise exception.NotFound(message=f"Could not find role assignment: role "
                                         f"{role_id} of user {user_id} on {target_id}.")
            session.delete(grant)
        return wsgi.empty_response(204)

    def list_grants(request: wsgi.Request, target_id: str, user_id: str) -> webob.Response:
        common.authorize(request, "list_grants")
        with db_api.session_scope() as session:
            model = models.Project if target_type == "project" else models.Domain
            common.get_or_404(session, model, target_id, target_type)
            roles = session.scalars(select(models.Role).join(
                models.RoleAssignment, models.RoleAssignment.role_id == models.Role.id)
                .where(models.RoleAssignment.user_id == user_id,
                       models.RoleAssignment.target_type == target_type,
                       models.RoleAssignment.target_id == target_id)).all()
            views = [role_view(request, r) for r in roles]
        return wsgi.json_response(common.collection(request, "roles", views))

    return {"put": put, "check": check, "remove": remove, "list": list_grants}


def list_role_assignments(request: wsgi.Request) -> webob.Response:
    params = request.GET
    common.authorize(request, "list_role_assignments", {"user_id": params.get("user.id")})
    A = models.RoleAssignment
    query = select(A)
    if "user.id" in params:
        query = query.where(A.user_id == params["user.id"])
    if "role.id" in params:
        query = query.where(A.role_id == params["role.id"])
    if "scope.project.id" in params:
        query = query.where(A.target_type == "project",
                            A.target_id == params["scope.project.id"])
    if "scope.domain.id" in params:
        query = query.where(A.target_type == "domain", A.target_id == params["scope.domain.id"])
    if "scope.system" in params:
        query = query.where(A.target_type == "system")
    if "group.id" in params:
        return wsgi.json_response(common.collection(request, "role_assignments", []))
    names = "include_names" in params and params["include_names"].lower() not in (
        "0", "false", "no")
    effective = "effective" in params
    with db_api.session_scope() as session:
        assignments = session.scalars(query).all()
        lookups = _names(session) if names else None
        result = []
        for assignment in assignments:
            roles = [{"id": assignment.role_id}]
            if effective:
                roles = [{"id": r["id"]} for r in cache.expand_roles(
                    {assignment.role_id: ""})]
            for role in roles:
                result.append(_assignment_view(request, assignment, role["id"], lookups))
    return wsgi.json_response(common.collection(request, "role_assignments", result))


def _names(session: Session) -> dict[str, dict[str, Any]]:
    domains = {d.id: d.name for d in session.scalars(select(models.Domain))}
    return {
        "domains": {k: {"id": k, "name": v} for k, v in domains.items()},
        "roles": {r.id: r.name for r in session.scalars(select(models.Role))},
        "users": {u.id: (u.name, u.domain_id) for u in session.scalars(select(models.User))},
        "projects": {p.id: (p.name, p.domain_id)
                     for p in session.scalars(select(models.Project))},
    }


def _assignment_view(request: wsgi.Request, assignment: models.RoleAssignment, role_id: str,
                     lookups: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    role: dict[str, Any] = {"id": role_id}
    user: dict[str, Any] = {"id": assignment.user_id}
    if assignment.target_type == "system":
        scope: dict[str, Any] = {"system": {"all": True}}
        link = f"/v3/system/users/{assignment.user_id}/roles/{role_id}"
    else:
        scope = {assignment.target_type: {"id": assignment.target_id}}
        link = (f"/v3/{assignment.target_type}s/{assignment.target_id}/users/"
                f"{assignment.user_id}/roles/{role_id}")
    if lookups is not None:
        role["name"] = lookups["roles"].get(role_id)
        name, domain_id = lookups["users"].get(assignment.user_id, (None, None))
        user.update(name=name, domain=lookups["domains"].get(domain_id, {"id": domain_id}))
        if assignment.target_type == "project":
            name, domain_id = lookups["projects"].get(assignment.target_id, (None, None))
            scope["project"].update(name=name, domain=lookups["domains"].get(
                domain_id, {"id": domain_id}))
        elif assignment.target_type == "domain":
            scope["domain"]["name"] = lookups["domains"].get(
                assignment.target_id, {}).get("name")
    return {"role": role, "user": user, "scope": scope,
            "links": {"assignment": common.url(request, link)}}


def _grant_routes(target_type: str) -> tuple[wsgi.Route, ...]:
    """``/v3/{projects,domains}/{target_id}/users/{user_id}/roles[/{role_id}]``."""
    handlers = _make_grant_handlers(target_type)
    base = f"/v3/{target_type}s/{{target_id}}/users/{{user_id}}/roles"
    return (
        wsgi.Route("GET", base, handlers["list"]),
        wsgi.Route("PUT", f"{base}/{{role_id}}", handlers["put"]),
        wsgi.Route("HEAD", f"{base}/{{role_id}}", handlers["check"]),
        wsgi.Route("GET", f"{base}/{{role_id}}", handlers["check"]),
        wsgi.Route("DELETE", f"{base}/{{role_id}}", handlers["remove"]),
    )


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/domains", list_domains),
    wsgi.Route("POST", "/v3/domains", create_domain),
    wsgi.Route("GET", "/v3/domains/{domain_id}", get_domain),
    wsgi.Route("PATCH", "/v3/domains/{domain_id}", update_domain),
    wsgi.Route("DELETE", "/v3/domains/{domain_id}", delete_domain),
    wsgi.Route("GET", "/v3/projects", list_projects),
    wsgi.Route("POST", "/v3/projects", create_project),
    wsgi.Route("GET", "/v3/projects/{project_id}", get_project),
    wsgi.Route("PATCH", "/v3/projects/{project_id}", update_project),
    wsgi.Route("DELETE", "/v3/projects/{project_id}", delete_project),
    wsgi.Route("GET", "/v3/users", list_users),
    wsgi.Route("POST", "/v3/users", create_user),
    wsgi.Route("GET", "/v3/users/{user_id}", get_user),
    wsgi.Route("PATCH", "/v3/users/{user_id}", update_user),
    wsgi.Route("DELETE", "/v3/users/{user_id}", delete_user),
    wsgi.Route("GET", "/v3/users/{user_id}/projects", list_user_projects),
    wsgi.Route("GET", "/v3/roles", list_roles),
    wsgi.Route("POST", "/v3/roles", create_role),
    wsgi.Route("GET", "/v3/roles/{role_id}", get_role),
    wsgi.Route("PATCH", "/v3/roles/{role_id}", update_role),
    wsgi.Route("DELETE", "/v3/roles/{role_id}", delete_role),
    wsgi.Route("GET", "/v3/role_assignments", list_role_assignments),
    *_grant_routes("project"),
    *_grant_routes("domain"),
)
