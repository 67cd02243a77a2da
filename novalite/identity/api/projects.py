"""Projects: CRUD with extra properties, tags (``/v3/projects/{id}/tags`` and the ``tags``,
``tags-any``, ``not-tags``, ``not-tags-any`` filters), and a user's projects."""

from __future__ import annotations

import json
from typing import Any

import webob
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common

# Keystone's own project attributes; any other key of a body is an extra property.
PROJECT_ATTRIBUTES = frozenset({"id", "name", "domain_id", "description", "enabled",
                                "parent_id", "is_domain", "tags", "options", "links"})
MAX_TAGS = 80


def _project_extra(ref: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in ref.items() if key not in PROJECT_ATTRIBUTES}


def _tags_of(session: Session, project_ids: list[str]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {project_id: [] for project_id in project_ids}
    if project_ids:
        for project_id, name in session.execute(
                select(models.ProjectTag.project_id, models.ProjectTag.name)
                .where(models.ProjectTag.project_id.in_(project_ids))
                .order_by(models.ProjectTag.name)):
            tags[project_id].append(name)
    return tags


def project_view(request: wsgi.Request, project: models.Project,
                 tags: list[str] | None = None) -> dict[str, Any]:
    return {**json.loads(project.extra or "{}"),
            "id": project.id, "name": project.name, "domain_id": project.domain_id,
            "description": project.description or "", "enabled": project.enabled,
            "parent_id": project.parent_id or project.domain_id, "is_domain": False,
            "tags": tags or [], "options": {},
            "links": {"self": common.url(request, f"/v3/projects/{project.id}")}}


def views(request: wsgi.Request, session: Session, projects: list[models.Project]
          ) -> list[dict[str, Any]]:
    """Project views with their tags (one query for all of them)."""
    tags = _tags_of(session, [p.id for p in projects])
    return [project_view(request, p, tags[p.id]) for p in projects]


def check_tags(value: Any) -> list[str]:
    """A tag list as Keystone accepts it: at most 80 strings of 1-255 characters without
    '/' or ','; duplicates are dropped."""
    if not isinstance(value, list):
        raise exception.ValidationError(field="tags", reason="'tags' must be a list.")
    if len(value) > MAX_TAGS:
        raise exception.ValidationError(field="tags", reason=f"A project may have at most "
                                        f"{MAX_TAGS} tags.")
    for tag in value:
        check_tag(tag)
    return list(dict.fromkeys(value))


def check_tag(tag: Any) -> str:
    if not isinstance(tag, str) or not 1 <= len(tag) <= 255 or "/" in tag or "," in tag:
        raise exception.ValidationError(
            field="tags", reason=f"Invalid tag {tag!r}: tags are strings of 1 to 255 "
                                 "characters without '/' or ','.")
    return tag


def domain_id_of(session: Session, ref: dict[str, Any]) -> str:
    """The ``domain_id`` of a create body (default: ``default``), which must exist."""
    domain_id = common.string(ref, "domain_id", max_len=64) or "default"
    if session.get(models.Domain, domain_id) is None:
        raise exception.ValidationError(field="domain_id",
                                        reason=f"Domain {domain_id} does not exist.")
    return domain_id


def _tag_filter(query: Any, params: Any) -> Any:
    def having(names: list[str], all_of: bool) -> Any:
        tagged = select(models.ProjectTag.project_id).where(models.ProjectTag.name.in_(names))
        if all_of:
            tagged = tagged.group_by(models.ProjectTag.project_id).having(
                func.count(models.ProjectTag.name) == len(names))
        return tagged

    for key, all_of, keep in (("tags", True, True), ("tags-any", False, True),
                              ("not-tags", True, False), ("not-tags-any", False, False)):
        if params.get(key):
            names = list(dict.fromkeys(t for t in params[key].split(",") if t))
            clause = models.Project.id.in_(having(names, all_of))
            query = query.where(clause if keep else ~clause)
    return query


def list_projects(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_projects")
    query = select(models.Project).order_by(models.Project.name)
    for key in ("name", "domain_id", "parent_id"):
        if key in request.GET:
            query = query.where(getattr(models.Project, key) == request.GET[key])
    enabled = common.enabled_filter(request)
    if enabled is not None:
        query = query.where(models.Project.enabled.is_(enabled))
    query = _tag_filter(query, request.GET)
    with db_api.session_scope() as session:
        projects = views(request, session, list(session.scalars(query)))
    return wsgi.json_response(common.collection(request, "projects", projects))


def get_project(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "get_project", {"project_id": project_id})
    with db_api.session_scope() as session:
        project = common.get_or_404(session, models.Project, project_id, "project")
        return wsgi.json_response({"project": views(request, session, [project])[0]})


def _set_tags(session: Session, project_id: str, tags: list[str]) -> None:
    session.execute(delete(models.ProjectTag).where(models.ProjectTag.project_id == project_id))
    session.add_all(models.ProjectTag(project_id=project_id, name=tag) for tag in tags)
    session.flush()


def create_project(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_project")
    ref = common.section(request.json_body_dict(), "project")
    name = common.string(ref, "name", required=True, max_len=64)
    tags = check_tags(ref["tags"]) if "tags" in ref else []
    with common.writing("project") as session:
        domain_id = domain_id_of(session, ref)
        if session.scalars(select(models.Project).filter_by(domain_id=domain_id,
                                                            name=name)).first():
            raise exception.Conflict(message=f"Duplicate entry: a project named {name} "
                                     f"exists in domain {domain_id}.")
        parent_id = common.string(ref, "parent_id", max_len=64)
        if parent_id and parent_id != domain_id and session.get(
                models.Project, parent_id) is None:
            raise exception.ValidationError(field="parent_id",
                                            reason=f"Project {parent_id} does not exist.")
        extra = _project_extra(ref)
        project = models.Project(
            id=common.new_id(), name=name, domain_id=domain_id,
            description=common.string(ref, "description", max_len=65535),
            enabled=common.boolean(ref, "enabled", True),
            parent_id=None if parent_id == domain_id else parent_id,
            extra=json.dumps(extra) if extra else None)
        session.add(project)
        session.flush()
        _set_tags(session, project.id, tags)
        return wsgi.json_response({"project": project_view(request, project, tags)},
                                  status=201)


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
        if "tags" in ref:
            _set_tags(session, project_id, check_tags(ref["tags"]))
        session.flush()
        return wsgi.json_response({"project": views(request, session, [project])[0]})


def delete_project(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "delete_project", {"project_id": project_id})
    with common.writing("project") as session:
        project = common.get_or_404(session, models.Project, project_id, "project")
        delete_project_rows(session, [project_id])
        session.delete(project)
    return wsgi.empty_response(204)


def delete_project_rows(session: Session, project_ids: list[str]) -> None:
    """What goes with a project: its grants, tags, endpoint associations, limits and
    the application credentials made for it."""
    for model in (models.RoleAssignment, models.GroupRoleAssignment):
        session.execute(delete(model).where(model.target_type == "project",
                                            model.target_id.in_(project_ids)))
    app_cred_ids = list(session.scalars(select(models.ApplicationCredential.id).where(
        models.ApplicationCredential.project_id.in_(project_ids))))
    for link in (models.ApplicationCredentialRole, models.ApplicationCredentialAccessRule):
        session.execute(delete(link).where(link.application_credential_id.in_(app_cred_ids)))
    for model in (models.ProjectTag, models.ProjectEndpoint, models.ProjectEndpointGroup,
                  models.Limit, models.ApplicationCredential):
        session.execute(delete(model).where(model.project_id.in_(project_ids)))


def projects_of_user(request: wsgi.Request, user_id: str) -> list[dict[str, Any]]:
    """The enabled projects ``user_id`` holds a role on, directly or through a group."""
    through_groups = select(models.GroupRoleAssignment.target_id).join(
        models.GroupMembership,
        models.GroupMembership.group_id == models.GroupRoleAssignment.group_id).where(
        models.GroupMembership.user_id == user_id,
        models.GroupRoleAssignment.target_type == "project")
    direct = select(models.RoleAssignment.target_id).where(
        models.RoleAssignment.user_id == user_id, models.RoleAssignment.target_type == "project")
    with db_api.session_scope() as session:
        rows = session.scalars(
            select(models.Project).where(
                models.Project.id.in_(direct.union(through_groups)),
                models.Project.enabled.is_(True))
            .order_by(models.Project.name)).all()
        return views(request, session, list(rows))


def list_user_projects(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "list_user_projects", {"user_id": user_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
    return wsgi.json_response(common.collection(request, "projects",
                                                projects_of_user(request, user_id)))


# ----------------------------------------------------------------- tags


def _tags_response(session: Session, project_id: str, status: int = 200,
                   headers: dict[str, str] | None = None) -> webob.Response:
    tags = _tags_of(session, [project_id])[project_id]
    return wsgi.json_response({"tags": tags}, status=status, headers=headers)


def list_tags(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "get_project_tags", {"project_id": project_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Project, project_id, "project")
        return _tags_response(session, project_id)


def replace_tags(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "update_project_tags", {"project_id": project_id})
    body = request.json_body_dict()
    tags = check_tags(body.get("tags"))
    with common.writing("project tag") as session:
        common.get_or_404(session, models.Project, project_id, "project")
        _set_tags(session, project_id, tags)
        return _tags_response(session, project_id)


def delete_tags(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "delete_project_tags", {"project_id": project_id})
    with common.writing("project tag") as session:
        common.get_or_404(session, models.Project, project_id, "project")
        _set_tags(session, project_id, [])
    return wsgi.empty_response(204)


def check_project_tag(request: wsgi.Request, project_id: str, tag: str) -> webob.Response:
    common.authorize(request, "get_project_tag", {"project_id": project_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Project, project_id, "project")
        if session.get(models.ProjectTag, (project_id, tag)) is None:
            raise exception.NotFound(message=f"Could not find project tag: {tag}.")
    return wsgi.empty_response(204)


def add_tag(request: wsgi.Request, project_id: str, tag: str) -> webob.Response:
    common.authorize(request, "create_project_tag", {"project_id": project_id})
    check_tag(tag)
    with common.writing("project tag") as session:
        common.get_or_404(session, models.Project, project_id, "project")
        if session.get(models.ProjectTag, (project_id, tag)) is None:
            if len(_tags_of(session, [project_id])[project_id]) >= MAX_TAGS:
                raise exception.ValidationError(
                    field="tags", reason=f"A project may have at most {MAX_TAGS} tags.")
            session.add(models.ProjectTag(project_id=project_id, name=tag))
            session.flush()
        location = common.url(request, f"/v3/projects/{project_id}/tags/{tag}")
        return _tags_response(session, project_id, status=201,
                              headers={"Location": location})


def delete_tag(request: wsgi.Request, project_id: str, tag: str) -> webob.Response:
    common.authorize(request, "delete_project_tag", {"project_id": project_id})
    with common.writing("project tag") as session:
        common.get_or_404(session, models.Project, project_id, "project")
        found = session.get(models.ProjectTag, (project_id, tag))
        if found is None:
            raise exception.NotFound(message=f"Could not find project tag: {tag}.")
        session.delete(found)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/projects", list_projects),
    wsgi.Route("POST", "/v3/projects", create_project),
    wsgi.Route("GET", "/v3/projects/{project_id}", get_project),
    wsgi.Route("PATCH", "/v3/projects/{project_id}", update_project),
    wsgi.Route("DELETE", "/v3/projects/{project_id}", delete_project),
    wsgi.Route("GET", "/v3/projects/{project_id}/tags", list_tags),
    wsgi.Route("PUT", "/v3/projects/{project_id}/tags", replace_tags),
    wsgi.Route("DELETE", "/v3/projects/{project_id}/tags", delete_tags),
    wsgi.Route("GET", "/v3/projects/{project_id}/tags/{tag}", check_project_tag),
    wsgi.Route("PUT", "/v3/projects/{project_id}/tags/{tag}", add_tag),
    wsgi.Route("DELETE", "/v3/projects/{project_id}/tags/{tag}", delete_tag),
    wsgi.Route("GET", "/v3/users/{user_id}/projects", list_user_projects),
)
