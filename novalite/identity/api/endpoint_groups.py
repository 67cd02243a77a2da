"""OS-EP-FILTER: endpoint groups and project–endpoint associations.

A project associated with endpoints (directly or through endpoint groups) sees only
those endpoints in its tokens' catalogs, as Keystone's catalog filters them.
"""

from __future__ import annotations

import json
from typing import Any

import webob
from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import endpoint_filter, models
from novalite.identity.api import common, projects
from novalite.identity.api.catalog import endpoint_view

PREFIX = "/v3/OS-EP-FILTER"
FILTER_KEYS = ("service_id", "region_id", "interface")


def group_view(request: wsgi.Request, group: models.EndpointGroup) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "description": group.description or "",
            "filters": json.loads(group.filters),
            "links": {"self": common.url(request, f"{PREFIX}/endpoint_groups/{group.id}")}}


def _filters(ref: dict[str, Any]) -> str:
    filters = ref.get("filters")
    if not isinstance(filters, dict) or not filters or any(
            key not in FILTER_KEYS or not isinstance(value, str)
            for key, value in filters.items()):
        raise exception.ValidationError(
            field="filters", reason=f"'filters' must map some of {', '.join(FILTER_KEYS)} "
                                    "to strings.")
    return json.dumps(filters, sort_keys=True)


def _group(session: Session, group_id: str) -> models.EndpointGroup:
    group = session.get(models.EndpointGroup, group_id)
    if group is None:
        raise exception.NotFound(message=f"Could not find Endpoint Group: {group_id}.")
    return group


def list_groups(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_endpoint_groups")
    query = select(models.EndpointGroup).order_by(models.EndpointGroup.name)
    if "name" in request.GET:
        query = query.where(models.EndpointGroup.name == request.GET["name"])
    with db_api.session_scope() as session:
        groups = [group_view(request, g) for g in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "endpoint_groups", groups))


def create_group(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_endpoint_group")
    ref = common.section(request.json_body_dict(), "endpoint_group")
    group = models.EndpointGroup(id=common.new_id(),
                                 name=common.string(ref, "name", required=True),
                                 description=common.string(ref, "description",
                                                           max_len=65535),
                                 filters=_filters(ref))
    with common.writing("endpoint group") as session:
        session.add(group)
        session.flush()
        return wsgi.json_response({"endpoint_group": group_view(request, group)}, status=201)


def get_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "get_endpoint_group")
    with db_api.session_scope() as session:
        return wsgi.json_response({"endpoint_group": group_view(request,
                                                                _group(session, group_id))})


def update_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "update_endpoint_group")
    ref = common.section(request.json_body_dict(), "endpoint_group")
    with common.writing("endpoint group") as session:
        group = _group(session, group_id)
        if "name" in ref:
            group.name = common.string(ref, "name", required=True) or group.name
        if "description" in ref:
            group.description = common.string(ref, "description", max_len=65535)
        if "filters" in ref:
            group.filters = _filters(ref)
        session.flush()
        return wsgi.json_response({"endpoint_group": group_view(request, group)})


def delete_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "delete_endpoint_group")
    with common.writing("endpoint group") as session:
        session.delete(_group(session, group_id))
    return wsgi.empty_response(204)


def list_group_endpoints(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "list_endpoints_associated_with_endpoint_group")
    with db_api.session_scope() as session:
        endpoints = [endpoint_view(request, e)
                     for e in endpoint_filter.group_endpoints(session, _group(session, group_id))]
    return wsgi.json_response(common.collection(request, "endpoints", endpoints))


def _project_list(request: wsgi.Request, session: Session, project_ids: list[str]
                  ) -> webob.Response:
    found = list(session.scalars(select(models.Project).where(
        models.Project.id.in_(project_ids)).order_by(models.Project.name)))
    return wsgi.json_response(common.collection(request, "projects",
                                                projects.views(request, session, found)))


def list_group_projects(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "list_projects_associated_with_endpoint_group")
    with db_api.session_scope() as session:
        _group(session, group_id)
        ids = list(session.scalars(select(models.ProjectEndpointGroup.project_id).filter_by(
            endpoint_group_id=group_id)))
        return _project_list(request, session, ids)


def _group_project(session: Session, group_id: str, project_id: str
                   ) -> models.ProjectEndpointGroup | None:
    _group(session, group_id)
    common.get_or_404(session, models.Project, project_id, "project")
    return session.get(models.ProjectEndpointGroup, (group_id, project_id))


def add_group_project(request: wsgi.Request, group_id: str, project_id: str
                      ) -> webob.Response:
    common.authorize(request, "add_endpoint_group_to_project")
    with common.writing("endpoint group association") as session:
        if _group_project(session, group_id, project_id) is None:
            session.add(models.ProjectEndpointGroup(endpoint_group_id=group_id,
                                                    project_id=project_id))
    return wsgi.empty_response(204)


def check_group_project(request: wsgi.Request, group_id: str, project_id: str
                        ) -> webob.Response:
    common.authorize(request, "get_endpoint_group_in_project")
    with db_api.session_scope() as session:
        if _group_project(session, group_id, project_id) is None:
            raise exception.NotFound(message=f"Could not find endpoint group {group_id} "
                                     f"associated with project {project_id}.")
        project = session.get(models.Project, project_id)
        body = {"project": projects.views(request, session, [project])[0]}
    return wsgi.json_response(body)


def remove_group_project(request: wsgi.Request, group_id: str, project_id: str
                         ) -> webob.Response:
    common.authorize(request, "remove_endpoint_group_from_project")
    with common.writing("endpoint group association") as session:
        association = _group_project(session, group_id, project_id)
        if association is None:
            raise exception.NotFound(message=f"Could not find endpoint group {group_id} "
                                     f"associated with project {project_id}.")
        session.delete(association)
    return wsgi.empty_response(204)


def list_project_groups(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "list_endpoint_groups_for_project")
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Project, project_id, "project")
        groups = session.scalars(select(models.EndpointGroup).join(
            models.ProjectEndpointGroup,
            models.ProjectEndpointGroup.endpoint_group_id == models.EndpointGroup.id)
            .where(models.ProjectEndpointGroup.project_id == project_id)).all()
        views = [group_view(request, g) for g in groups]
    return wsgi.json_response(common.collection(request, "endpoint_groups", views))


# ----------------------------------------------------------------- project endpoints


def list_project_endpoints(request: wsgi.Request, project_id: str) -> webob.Response:
    common.authorize(request, "list_endpoints_for_project")
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Project, project_id, "project")
        ids = endpoint_filter.endpoint_ids_for_project(session, project_id)
        endpoints = [endpoint_view(request, e) for e in session.scalars(
            select(models.Endpoint).where(models.Endpoint.id.in_(ids))
            .order_by(models.Endpoint.id))]
    return wsgi.json_response(common.collection(request, "endpoints", endpoints))


def _project_endpoint(session: Session, project_id: str, endpoint_id: str
                      ) -> models.ProjectEndpoint | None:
    common.get_or_404(session, models.Project, project_id, "project")
    common.get_or_404(session, models.Endpoint, endpoint_id, "endpoint")
    return session.get(models.ProjectEndpoint, (endpoint_id, project_id))


def add_project_endpoint(request: wsgi.Request, project_id: str, endpoint_id: str
                         ) -> webob.Response:
    common.authorize(request, "add_endpoint_to_project")
    with common.writing("project endpoint") as session:
        if _project_endpoint(session, project_id, endpoint_id) is None:
            session.add(models.ProjectEndpoint(endpoint_id=endpoint_id, project_id=project_id))
    return wsgi.empty_response(204)


def check_project_endpoint(request: wsgi.Request, project_id: str, endpoint_id: str
                           ) -> webob.Response:
    common.authorize(request, "check_endpoint_in_project")
    with db_api.session_scope() as session:
        if _project_endpoint(session, project_id, endpoint_id) is None:
            raise exception.NotFound(message=f"Endpoint {endpoint_id} not found in project "
                                     f"{project_id}.")
    return wsgi.empty_response(204)


def remove_project_endpoint(request: wsgi.Request, project_id: str, endpoint_id: str
                            ) -> webob.Response:
    common.authorize(request, "remove_endpoint_from_project")
    with common.writing("project endpoint") as session:
        association = _project_endpoint(session, project_id, endpoint_id)
        if association is None:
            raise exception.NotFound(message=f"Endpoint {endpoint_id} not found in project "
                                     f"{project_id}.")
        session.delete(association)
    return wsgi.empty_response(204)


def list_endpoint_projects(request: wsgi.Request, endpoint_id: str) -> webob.Response:
    common.authorize(request, "list_projects_for_endpoint")
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Endpoint, endpoint_id, "endpoint")
        ids = list(session.scalars(select(models.ProjectEndpoint.project_id).filter_by(
            endpoint_id=endpoint_id)))
        return _project_list(request, session, ids)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", f"{PREFIX}/endpoint_groups", list_groups),
    wsgi.Route("POST", f"{PREFIX}/endpoint_groups", create_group),
    wsgi.Route("GET", f"{PREFIX}/endpoint_groups/{{group_id}}", get_group),
    wsgi.Route("PATCH", f"{PREFIX}/endpoint_groups/{{group_id}}", update_group),
    wsgi.Route("DELETE", f"{PREFIX}/endpoint_groups/{{group_id}}", delete_group),
    wsgi.Route("GET", f"{PREFIX}/endpoint_groups/{{group_id}}/endpoints",
               list_group_endpoints),
    wsgi.Route("GET", f"{PREFIX}/endpoint_groups/{{group_id}}/projects", list_group_projects),
    wsgi.Route("PUT", f"{PREFIX}/endpoint_groups/{{group_id}}/projects/{{project_id}}",
               add_group_project),
    wsgi.Route("GET", f"{PREFIX}/endpoint_groups/{{group_id}}/projects/{{project_id}}",
               check_group_project),
    wsgi.Route("DELETE", f"{PREFIX}/endpoint_groups/{{group_id}}/projects/{{project_id}}",
               remove_group_project),
    wsgi.Route("GET", f"{PREFIX}/projects/{{project_id}}/endpoint_groups",
               list_project_groups),
    wsgi.Route("GET", f"{PREFIX}/projects/{{project_id}}/endpoints", list_project_endpoints),
    wsgi.Route("PUT", f"{PREFIX}/projects/{{project_id}}/endpoints/{{endpoint_id}}",
               add_project_endpoint),
    wsgi.Route("HEAD", f"{PREFIX}/projects/{{project_id}}/endpoints/{{endpoint_id}}",
               check_project_endpoint),
    wsgi.Route("GET", f"{PREFIX}/projects/{{project_id}}/endpoints/{{endpoint_id}}",
               check_project_endpoint),
    wsgi.Route("DELETE", f"{PREFIX}/projects/{{project_id}}/endpoints/{{endpoint_id}}",
               remove_project_endpoint),
    wsgi.Route("GET", f"{PREFIX}/endpoints/{{endpoint_id}}/projects", list_endpoint_projects),
)
