"""Unified limits: ``/v3/registered_limits`` (a resource's default for every project),
``/v3/limits`` (a project's or domain's own limit of a registered resource) and
``/v3/limits/model`` (flat), with Keystone's checks and messages."""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import limits as identity_limits
from novalite.identity import models
from novalite.identity.api import common

MAX_LIMIT = 0x7FFFFFFF
_REGISTERED_KEYS = frozenset({"service_id", "region_id", "resource_name", "default_limit",
                              "description"})
_LIMIT_KEYS = frozenset({"service_id", "region_id", "resource_name", "resource_limit",
                         "description", "project_id", "domain_id"})


def registered_view(request: wsgi.Request, limit: models.RegisteredLimit) -> dict[str, Any]:
    return {"id": limit.id, "service_id": limit.service_id, "region_id": limit.region_id,
            "resource_name": limit.resource_name, "default_limit": limit.default_limit,
            "description": limit.description,
            "links": {"self": common.url(request, f"/v3/registered_limits/{limit.id}")}}


def limit_view(request: wsgi.Request, limit: models.Limit,
               registered: models.RegisteredLimit) -> dict[str, Any]:
    return {"id": limit.id, "project_id": limit.project_id, "domain_id": limit.domain_id,
            "service_id": registered.service_id, "region_id": registered.region_id,
            "resource_name": registered.resource_name, "resource_limit": limit.resource_limit,
            "description": limit.description,
            "links": {"self": common.url(request, f"/v3/limits/{limit.id}")}}


def _integer(ref: dict[str, Any], name: str) -> int:
    value = ref.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not -1 <= value <= MAX_LIMIT:
        raise exception.ValidationError(field=name, reason=f"'{name}' must be an integer "
                                        f"from -1 to {MAX_LIMIT}.")
    return value


def _unknown_keys(ref: dict[str, Any], allowed: frozenset[str]) -> None:
    extra = sorted(set(ref) - allowed)
    if extra:
        raise exception.ValidationError(field=extra[0], reason="Additional properties are "
                                        f"not allowed ({', '.join(extra)} were unexpected).")


def _items(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict)
                                                           for i in items):
        raise exception.ValidationError(field=key, reason=f"'{key}' must be a non-empty list "
                                        "of objects.")
    return items


def _check_refs(session: Session, ref: dict[str, Any], target: str) -> None:
    """Keystone's ``_assert_resource_exist``: unknown service, region or project -> 400."""
    for key, model in (("service_id", models.CatalogService), ("region_id", models.Region),
                       ("project_id", models.Project), ("domain_id", models.Domain)):
        value = ref.get(key)
        if value is not None and (not isinstance(value, str)
                                  or session.get(model, value) is None):
            raise exception.ValidationError(field=key, reason=f"Invalid input for field "
                                            f"'{key}': the {target}'s {key} does not exist.")


def _duplicate(kind: str) -> exception.Conflict:
    return exception.Conflict(message=f"Conflict occurred attempting to store {kind} - "
                              "Duplicate entry.")


def _find_registered(session: Session, service_id: str, region_id: str | None,
                     resource_name: str) -> models.RegisteredLimit | None:
    query = select(models.RegisteredLimit).filter_by(service_id=service_id,
                                                     resource_name=resource_name)
    query = query.where(models.RegisteredLimit.region_id.is_(None) if region_id is None
                        else models.RegisteredLimit.region_id == region_id)
    return session.scalars(query).first()


# ----------------------------------------------------------------- registered limits


def _registered(session: Session, limit_id: str) -> models.RegisteredLimit:
    limit = session.get(models.RegisteredLimit, limit_id)
    if limit is None:
        raise exception.NotFound(message=f"Could not find registered limit for {limit_id}.")
    return limit


def _referenced(session: Session, limit: models.RegisteredLimit) -> None:
    if session.scalars(select(models.Limit.id).filter_by(
            registered_limit_id=limit.id)).first():
        raise exception.Forbidden(message=f"Unable to update or delete registered limit "
                                  f"{limit.id} because there are project limits associated "
                                  "with it.")


def list_registered(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_registered_limits")
    query = select(models.RegisteredLimit).order_by(models.RegisteredLimit.resource_name,
                                                    models.RegisteredLimit.id)
    for key in ("service_id", "region_id", "resource_name"):
        if key in request.GET:
            query = query.where(getattr(models.RegisteredLimit, key) == request.GET[key])
    with db_api.session_scope() as session:
        found = [registered_view(request, r) for r in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "registered_limits", found))


def create_registered(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_registered_limits")
    items = _items(request.json_body_dict(), "registered_limits")
    with common.writing("registered_limit") as session:
        created = []
        for ref in items:
            _unknown_keys(ref, _REGISTERED_KEYS)
            service_id = common.string(ref, "service_id", required=True, max_len=64) or ""
            resource_name = common.string(ref, "resource_name", required=True) or ""
            region_id = common.string(ref, "region_id")
            limit = models.RegisteredLimit(
                id=common.new_id(), service_id=service_id, region_id=region_id,
                resource_name=resource_name, default_limit=_integer(ref, "default_limit"),
                description=common.string(ref, "description", max_len=65535))
            _check_refs(session, ref, "registered_limit")
            if _find_registered(session, service_id, region_id, resource_name) is not None:
                raise _duplicate("registered_limit")
            session.add(limit)
            session.flush()
            created.append(registered_view(request, limit))
    return wsgi.json_response({"registered_limits": created}, status=201)


def get_registered(request: wsgi.Request, limit_id: str) -> webob.Response:
    common.authorize(request, "get_registered_limit")
    with db_api.session_scope() as session:
        return wsgi.json_response({"registered_limit": registered_view(
            request, _registered(session, limit_id))})


def update_registered(request: wsgi.Request, limit_id: str) -> webob.Response:
    common.authorize(request, "update_registered_limit")
    ref = common.section(request.json_body_dict(), "registered_limit")
    _unknown_keys(ref, _REGISTERED_KEYS)
    with common.writing("registered_limit") as session:
        limit = _registered(session, limit_id)
        _referenced(session, limit)
        _check_refs(session, ref, "registered_limit")
        if "default_limit" in ref:
            limit.default_limit = _integer(ref, "default_limit")
        if "description" in ref:
            limit.description = common.string(ref, "description", max_len=65535)
        identity_keys = ("service_id", "region_id", "resource_name")
        if any(key in ref for key in identity_keys):
            service_id = common.string(ref, "service_id", max_len=64) or limit.service_id
            region_id = common.string(ref, "region_id") if "region_id" in ref \
                else limit.region_id
            name = common.string(ref, "resource_name") or limit.resource_name
            other = _find_registered(session, service_id, region_id, name)
            if other is not None and other.id != limit.id:
                raise _duplicate("registered_limit")
            limit.service_id, limit.region_id, limit.resource_name = service_id, region_id, name
        session.flush()
        return wsgi.json_response({"registered_limit": registered_view(request, limit)})


def delete_registered(request: wsgi.Request, limit_id: str) -> webob.Response:
    common.authorize(request, "delete_registered_limit")
    with common.writing("registered_limit") as session:
        limit = _registered(session, limit_id)
        _referenced(session, limit)
        session.delete(limit)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- project limits


def _limit(session: Session, limit_id: str) -> tuple[models.Limit, models.RegisteredLimit]:
    limit = session.get(models.Limit, limit_id)
    if limit is None:
        raise exception.NotFound(message=f"Could not find limit for {limit_id}.")
    return limit, session.get(models.RegisteredLimit, limit.registered_limit_id)


def _may_read(request: wsgi.Request, limit: models.Limit) -> None:
    common.authorize(request, "get_limit", {"project_id": limit.project_id or "",
                                            "domain_id": limit.domain_id or ""})


def list_limits(request: wsgi.Request) -> webob.Response:
    ctxt = common.authorize(request, "list_limits")
    query = select(models.Limit, models.RegisteredLimit).join(
        models.RegisteredLimit, models.RegisteredLimit.id == models.Limit.registered_limit_id
    ).order_by(models.RegisteredLimit.resource_name, models.Limit.id)
    for key in ("service_id", "region_id", "resource_name"):
        if key in request.GET:
            query = query.where(getattr(models.RegisteredLimit, key) == request.GET[key])
    for key in ("project_id", "domain_id"):
        if key in request.GET:
            query = query.where(getattr(models.Limit, key) == request.GET[key])
    if not ctxt.is_admin:  # a project sees its own limits, as Keystone filters them
        query = query.where(models.Limit.project_id == (ctxt.project_id or ""))
    with db_api.session_scope() as session:
        found = [limit_view(request, limit, registered)
                 for limit, registered in session.execute(query)]
    return wsgi.json_response(common.collection(request, "limits", found))


def create_limits(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_limits")
    items = _items(request.json_body_dict(), "limits")
    with common.writing("limit") as session:
        created = []
        for ref in items:
            _unknown_keys(ref, _LIMIT_KEYS)
            project_id = common.string(ref, "project_id", max_len=64)
            domain_id = common.string(ref, "domain_id", max_len=64)
            if (project_id is None) == (domain_id is None):
                raise exception.ValidationError(field="project_id", reason="A limit is for "
                                                "a project_id or a domain_id (one of them).")
            service_id = common.string(ref, "service_id", required=True, max_len=64) or ""
            resource_name = common.string(ref, "resource_name", required=True) or ""
            resource_limit = _integer(ref, "resource_limit")
            _check_refs(session, ref, "limit")
            registered = _find_registered(session, service_id, common.string(ref, "region_id"),
                                          resource_name)
            if registered is None:
                raise exception.Forbidden(message="Unable to create a limit that has no "
                                          "corresponding registered limit.")
            owner = (models.Limit.project_id == project_id if project_id
                     else models.Limit.domain_id == domain_id)
            if session.scalars(select(models.Limit.id).where(
                    models.Limit.registered_limit_id == registered.id, owner)).first():
                raise _duplicate("limit")
            limit = models.Limit(id=common.new_id(), registered_limit_id=registered.id,
                                 project_id=project_id, domain_id=domain_id,
                                 resource_limit=resource_limit,
                                 description=common.string(ref, "description",
                                                           max_len=65535))
            session.add(limit)
            session.flush()
            created.append(limit_view(request, limit, registered))
    return wsgi.json_response({"limits": created}, status=201)


def get_limit(request: wsgi.Request, limit_id: str) -> webob.Response:
    with db_api.session_scope() as session:
        limit, registered = _limit(session, limit_id)
        _may_read(request, limit)
        return wsgi.json_response({"limit": limit_view(request, limit, registered)})


def update_limit(request: wsgi.Request, limit_id: str) -> webob.Response:
    common.authorize(request, "update_limit")
    ref = common.section(request.json_body_dict(), "limit")
    _unknown_keys(ref, frozenset({"resource_limit", "description"}))
    with common.writing("limit") as session:
        limit, registered = _limit(session, limit_id)
        if "resource_limit" in ref:
            limit.resource_limit = _integer(ref, "resource_limit")
        if "description" in ref:
            limit.description = common.string(ref, "description", max_len=65535)
        session.flush()
        return wsgi.json_response({"limit": limit_view(request, limit, registered)})


def delete_limit(request: wsgi.Request, limit_id: str) -> webob.Response:
    common.authorize(request, "delete_limit")
    with common.writing("limit") as session:
        limit, _ = _limit(session, limit_id)
        session.delete(limit)
    return wsgi.empty_response(204)


def model(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "get_limit_model")
    return wsgi.json_response({"model": dict(identity_limits.MODEL)})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/registered_limits", list_registered),
    wsgi.Route("POST", "/v3/registered_limits", create_registered),
    wsgi.Route("GET", "/v3/registered_limits/{limit_id}", get_registered),
    wsgi.Route("PATCH", "/v3/registered_limits/{limit_id}", update_registered),
    wsgi.Route("DELETE", "/v3/registered_limits/{limit_id}", delete_registered),
    wsgi.Route("GET", "/v3/limits/model", model),
    wsgi.Route("GET", "/v3/limits", list_limits),
    wsgi.Route("POST", "/v3/limits", create_limits),
    wsgi.Route("GET", "/v3/limits/{limit_id}", get_limit),
    wsgi.Route("PATCH", "/v3/limits/{limit_id}", update_limit),
    wsgi.Route("DELETE", "/v3/limits/{limit_id}", delete_limit),
)
