"""Quotas: list the projects with overrides, show (with usage in ``/details``), update
and reset a project's network quotas. Network, subnet, port and security group counts
are enforced at create (``store.check_quota``)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.network import store
from novalite.network.api import common

MAX_LIMIT = 2**31 - 1


def _with_project(quota: dict[str, Any]) -> dict[str, Any]:
    return {**quota, "tenant_id": quota["project_id"]}


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", "")
    return wsgi.json_response({"quotas": [_with_project(q) for q in store.list_quotas()]})


@common.neutron_faults
def show(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", project_id)
    return wsgi.json_response({"quota": store.get_quotas(project_id)})


@common.neutron_faults
def details(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", project_id)
    used = store.quota_usage(project_id)
    return wsgi.json_response({"quota": {
        name: {"limit": limit, "used": used.get(name, 0), "reserved": 0}
        for name, limit in store.get_quotas(project_id).items()}})


@common.neutron_faults
def update(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "update_quota", project_id)
    body = common.resource_body(request, "quota")
    common.check_attributes("quota", body, store.DEFAULT_QUOTAS, (), "PUT")
    values = {name: common.to_int(name, value, store.UNLIMITED, MAX_LIMIT)
              for name, value in body.items()}
    return wsgi.json_response({"quota": store.update_quotas(project_id, values)})


@common.neutron_faults
def delete(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "delete_quota", project_id)
    store.delete_quotas(project_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/quotas", index),
    wsgi.Route("GET", "/v2.0/quotas/{project_id}/details", details),
    wsgi.Route("GET", "/v2.0/quotas/{project_id}", show),
    wsgi.Route("PUT", "/v2.0/quotas/{project_id}", update),
    wsgi.Route("DELETE", "/v2.0/quotas/{project_id}", delete),
)
