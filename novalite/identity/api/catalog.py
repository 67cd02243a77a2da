"""Services, endpoints and regions: the tables the service catalog is built from."""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common

INTERFACES = ("public", "internal", "admin")


def service_view(request: wsgi.Request, service: models.CatalogService) -> dict[str, Any]:
    return {"id": service.id, "type": service.type, "name": service.name,
            "description": service.description or "", "enabled": service.enabled,
            "links": {"self": common.url(request, f"/v3/services/{service.id}")}}


def endpoint_view(request: wsgi.Request, endpoint: models.Endpoint) -> dict[str, Any]:
    return {"id": endpoint.id, "interface": endpoint.interface,
            "region": endpoint.region_id, "region_id": endpoint.region_id,
            "service_id": endpoint.service_id, "url": endpoint.url,
            "enabled": endpoint.enabled,
            "links": {"self": common.url(request, f"/v3/endpoints/{endpoint.id}")}}


def region_view(request: wsgi.Request, region: models.Region) -> dict[str, Any]:
    return {"id": region.id, "description": region.description or "",
            "parent_region_id": region.parent_region_id,
            "links": {"self": common.url(request, f"/v3/regions/{region.id}")}}


def list_services(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_services")
    query = select(models.CatalogService).order_by(models.CatalogService.type)
    for key in ("type", "name"):
        if key in request.GET:
            query = query.where(getattr(models.CatalogService, key) == request.GET[key])
    with db_api.session_scope() as session:
        services = [service_view(request, s) for s in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "services", services))


def get_service(request: wsgi.Request, service_id: str) -> webob.Response:
    common.authorize(request, "get_service")
    with db_api.session_scope() as session:
        service = common.get_or_404(session, models.CatalogService, service_id, "service")
        return wsgi.json_response({"service": service_view(request, service)})


def create_service(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_service")
    ref = common.section(request.json_body_dict(), "service")
    service = models.CatalogService(
        id=common.new_id(), type=common.string(ref, "type", required=True),
        name=common.string(ref, "name") or "",
        description=common.string(ref, "description", max_len=65535),
        enabled=common.boolean(ref, "enabled", True))
    with common.writing("service") as session:
        session.add(service)
        session.flush()
        return wsgi.json_response({"service": service_view(request, service)}, status=201)


def update_service(request: wsgi.Request, service_id: str) -> webob.Response:
    common.authorize(request, "update_service")
    ref = common.section(request.json_body_dict(), "service")
    with common.writing("service") as session:
        service = common.get_or_404(session, models.CatalogService, service_id, "service")
        for key in ("type", "name"):
            if key in ref:
                setattr(service, key, common.string(ref, key, required=True))
        if "description" in ref:
            service.description = common.string(ref, "description", max_len=65535)
        if "enabled" in ref:
            service.enabled = bool(common.boolean(ref, "enabled"))
        session.flush()
        return wsgi.json_response({"service": service_view(request, service)})


def delete_service(request: wsgi.Request, service_id: str) -> webob.Response:
    common.authorize(request, "delete_service")
    with common.writing("service") as session:
        service = common.get_or_404(session, models.CatalogService, service_id, "service")
        registered = list(session.scalars(select(models.RegisteredLimit.id).filter_by(
            service_id=service_id)))
        session.execute(delete(models.Limit).where(
            models.Limit.registered_limit_id.in_(registered)))
        session.execute(delete(models.RegisteredLimit).where(
            models.RegisteredLimit.id.in_(registered)))
        session.execute(delete(models.Endpoint).where(models.Endpoint.service_id == service_id))
        session.delete(service)
    return wsgi.empty_response(204)


def list_endpoints(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_endpoints")
    query = select(models.Endpoint).order_by(models.Endpoint.service_id,
                                             models.Endpoint.interface)
    for key in ("service_id", "interface", "region_id"):
        if key in request.GET:
            query = query.where(getattr(models.Endpoint, key) == request.GET[key])
    with db_api.session_scope() as session:
        endpoints = [endpoint_view(request, e) for e in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "endpoints", endpoints))


def get_endpoint(request: wsgi.Request, endpoint_id: str) -> webob.Response:
    common.authorize(request, "get_endpoint")
    with db_api.session_scope() as session:
        endpoint = common.get_or_404(session, models.Endpoint, endpoint_id, "endpoint")
        return wsgi.json_response({"endpoint": endpoint_view(request, endpoint)})


def _interface(ref: dict[str, Any], required: bool) -> str | None:
    interface = common.string(ref, "interface", required=required)
    if interface is not None and interface not in INTERFACES:
        raise exception.ValidationError(field="interface",
                                        reason=f"'interface' must be one of {INTERFACES}.")
    return interface


def create_endpoint(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_endpoint")
    ref = common.section(request.json_body_dict(), "endpoint")
    service_id = common.string(ref, "service_id", required=True, max_len=64)
    interface = _interface(ref, required=True)
    url = common.string(ref, "url", required=True, max_len=2048)
    region_id = common.string(ref, "region_id") or common.string(ref, "region")
    with common.writing("endpoint") as session:
        if session.get(models.CatalogService, service_id) is None:
            raise exception.ValidationError(field="service_id",
                                            reason=f"Service {service_id} does not exist.")
        if region_id and session.get(models.Region, region_id) is None:
            session.add(models.Region(id=region_id))
        endpoint = models.Endpoint(id=common.new_id(), service_id=service_id,
                                   interface=interface, url=url, region_id=region_id,
                                   enabled=common.boolean(ref, "enabled", True))
        session.add(endpoint)
        session.flush()
        return wsgi.json_response({"endpoint": endpoint_view(request, endpoint)}, status=201)


def update_endpoint(request: wsgi.Request, endpoint_id: str) -> webob.Response:
    common.authorize(request, "update_endpoint")
    ref = common.section(request.json_body_dict(), "endpoint")
    with common.writing("endpoint") as session:
        endpoint = common.get_or_404(session, models.Endpoint, endpoint_id, "endpoint")
        if "interface" in ref:
            endpoint.interface = _interface(ref, required=True) or endpoint.interface
        if "url" in ref:
            endpoint.url = common.string(ref, "url", required=True, max_len=2048) or ""
        if "enabled" in ref:
            endpoint.enabled = bool(common.boolean(ref, "enabled"))
        session.flush()
        return wsgi.json_response({"endpoint": endpoint_view(request, endpoint)})


def delete_endpoint(request: wsgi.Request, endpoint_id: str) -> webob.Response:
    common.authorize(request, "delete_endpoint")
    with common.writing("endpoint") as session:
        session.delete(common.get_or_404(session, models.Endpoint, endpoint_id, "endpoint"))
    return wsgi.empty_response(204)


def list_regions(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_regions")
    query = select(models.Region).order_by(models.Region.id)
    if "parent_region_id" in request.GET:
        query = query.where(models.Region.parent_region_id == request.GET["parent_region_id"])
    with db_api.session_scope() as session:
        regions = [region_view(request, r) for r in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "regions", regions))


def get_region(request: wsgi.Request, region_id: str) -> webob.Response:
    common.authorize(request, "get_region")
    with db_api.session_scope() as session:
        region = common.get_or_404(session, models.Region, region_id, "region")
        return wsgi.json_response({"region": region_view(request, region)})


def _parent(session: Session, ref: dict[str, Any], region_id: str) -> str | None:
    """The ``parent_region_id`` of a body: an existing region, never a cycle."""
    parent_id = common.string(ref, "parent_region_id")
    if parent_id is None:
        return None
    ancestor: str | None = parent_id
    while ancestor is not None:
        if ancestor == region_id:
            raise exception.ValidationError(
                field="parent_region_id",
                reason=f"The specified parent region {parent_id} would create a circular "
                       "region hierarchy.")
        found = session.get(models.Region, ancestor)
        if found is None:
            raise exception.ValidationError(field="parent_region_id",
                                            reason=f"Region {ancestor} does not exist.")
        ancestor = found.parent_region_id
    return parent_id


def create_region(request: wsgi.Request, region_id: str | None = None) -> webob.Response:
    """``POST /v3/regions`` (any id) or ``PUT /v3/regions/{id}`` (that id)."""
    common.authorize(request, "create_region")
    ref = common.section(request.json_body_dict(), "region")
    if region_id is not None and ref.get("id", region_id) != region_id:
        raise exception.ValidationError(field="id", reason="Conflicting region IDs specified: "
                                        f"'{ref['id']}' != '{region_id}'.")
    new_id = region_id or common.string(ref, "id") or common.new_id()
    with common.writing("region") as session:
        if session.get(models.Region, new_id) is not None:
            raise exception.Conflict(message=f"Conflict occurred attempting to store region - "
                                     f"Duplicate ID, {new_id}.")
        region = models.Region(id=new_id,
                               description=common.string(ref, "description", max_len=65535),
                               parent_region_id=_parent(session, ref, new_id))
        session.add(region)
        session.flush()
        return wsgi.json_response({"region": region_view(request, region)}, status=201)


def update_region(request: wsgi.Request, region_id: str) -> webob.Response:
    common.authorize(request, "update_region")
    ref = common.section(request.json_body_dict(), "region")
    if ref.get("id", region_id) != region_id:
        raise exception.ValidationError(field="id", reason="The id of a region cannot change.")
    with common.writing("region") as session:
        region = common.get_or_404(session, models.Region, region_id, "region")
        if "description" in ref:
            region.description = common.string(ref, "description", max_len=65535)
        if "parent_region_id" in ref:
            region.parent_region_id = _parent(session, ref, region_id)
        session.flush()
        return wsgi.json_response({"region": region_view(request, region)})


def delete_region(request: wsgi.Request, region_id: str) -> webob.Response:
    """Deletes the region and its child regions, as Keystone does; 403 if any of them
    still has endpoints."""
    common.authorize(request, "delete_region")
    with common.writing("region") as session:
        common.get_or_404(session, models.Region, region_id, "region")
        tree, pending = [], [region_id]
        while pending:
            current = pending.pop()
            tree.append(current)
            pending.extend(session.scalars(select(models.Region.id).filter_by(
                parent_region_id=current)))
        if session.scalars(select(models.Endpoint.id).where(
                models.Endpoint.region_id.in_(tree))).first():
            raise exception.Forbidden(message=f"Unable to delete region {region_id} because "
                                      "it or its child regions have associated endpoints.")
        session.execute(delete(models.Region).where(models.Region.id.in_(tree)))
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/services", list_services),
    wsgi.Route("POST", "/v3/services", create_service),
    wsgi.Route("GET", "/v3/services/{service_id}", get_service),
    wsgi.Route("PATCH", "/v3/services/{service_id}", update_service),
    wsgi.Route("DELETE", "/v3/services/{service_id}", delete_service),
    wsgi.Route("GET", "/v3/endpoints", list_endpoints),
    wsgi.Route("POST", "/v3/endpoints", create_endpoint),
    wsgi.Route("GET", "/v3/endpoints/{endpoint_id}", get_endpoint),
    wsgi.Route("PATCH", "/v3/endpoints/{endpoint_id}", update_endpoint),
    wsgi.Route("DELETE", "/v3/endpoints/{endpoint_id}", delete_endpoint),
    wsgi.Route("GET", "/v3/regions", list_regions),
    wsgi.Route("POST", "/v3/regions", create_region),
    wsgi.Route("GET", "/v3/regions/{region_id}", get_region),
    wsgi.Route("PUT", "/v3/regions/{region_id}", create_region),
    wsgi.Route("PATCH", "/v3/regions/{region_id}", update_region),
    wsgi.Route("DELETE", "/v3/regions/{region_id}", delete_region),
)
