"""``/flavors``: list, show, create, delete, description (2.55), extra specs, access."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import MAX_INT
from novalite.api.compute.schemas import flavors as schemas
from novalite.api.compute.views import flavors as views
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import flavors as flavor_db

_SORT_KEYS = ("created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
              "is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap",
              "updated_at", "vcpus")


def _int_param(request: Request, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exception.Invalid(message=f"Invalid {name} filter [{raw}]") from None
    if not 0 <= value <= MAX_INT:  # the columns are 32-bit
        raise exception.Invalid(message=f"Invalid {name} filter [{raw}]")
    return value


def _is_public(request: Request) -> bool | None:
    raw = request.GET.get("is_public")
    if raw is None:
        return True
    if raw.strip().lower() == "none":
        return None
    return common.parse_bool(raw, "is_public")


def _can_see_specs(request: Request) -> bool:
    return policy.check(request.context, "os_compute_api:os-flavor-extra-specs:index")


def _list(request: Request, detailed: bool) -> webob.Response:
    ctxt = request.context
    limit, marker = common.page_params(request)
    sort_key = request.GET.get("sort_key", "flavorid")
    sort_dir = request.GET.get("sort_dir", "asc")
    if sort_key not in _SORT_KEYS or sort_dir not in ("asc", "desc"):
        raise exception.Invalid(message=f"Invalid sort_key {sort_key} or sort_dir {sort_dir}")
    if sort_key == "id":
        sort_key = "flavorid"
    name = request.GET.get("name") if common.at_least(request, "2.102") else None
    try:
        found = flavor_db.list_flavors(
            ctxt, is_public=_is_public(request), min_memory_mb=_int_param(request, "minRam"),
            min_root_gb=_int_param(request, "minDisk"), name=name, sort_key=sort_key,
            sort_dir=sort_dir, limit=limit, marker=marker)
    except exception.Invalid as error:
        raise exception.Invalid(message=error.message.removeprefix("Bad request: ")) from None
    specs = detailed and _can_see_specs(request)
    body: dict[str, Any] = {"flavors": [
        views.detail(request, flavor, specs) if detailed else views.basic(request, flavor)
        for flavor in found]}
    if limit and len(found) == limit:
        body["flavors_links"] = common.next_link(request, "flavors", found[-1]["flavorid"])
    return wsgi.json_response(body)


def index(request: Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: Request, flavor_id: str) -> webob.Response:
    flavor = flavor_db.get(flavor_id, request.context)
    return wsgi.json_response({"flavor": views.detail(request, flavor, _can_see_specs(request))})


def create(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-manage:create", {})
    body = common.body_of(request)
    validation.validate(schemas.create, body)
    values = body["flavor"]
    if "description" in values and not common.at_least(request, "2.55"):
        raise exception.ValidationError(
            message="Invalid input for field/attribute flavor. Additional properties are not "
                    "allowed ('description' was unexpected)")
    is_public = values.get("os-flavor-access:is_public", True)
    flavor = flavor_db.create(
        name=values["name"], memory_mb=int(values["ram"]), vcpus=int(values["vcpus"]),
        root_gb=int(values["disk"]),
        flavorid=str(values["id"]) if values.get("id") is not None else None,
        ephemeral_gb=int(values.get("OS-FLV-EXT-DATA:ephemeral") or 0),
        swap=int(values.get("swap") or 0),
        rxtx_factor=float(values.get("rxtx_factor") or 1.0),
        is_public=common.parse_bool(is_public, "os-flavor-access:is_public"),
        description=values.get("description"))
    return wsgi.json_response({"flavor": views.detail(request, flavor, True)})


def update(request: Request, flavor_id: str) -> webob.Response:
    common.require_version(request, "2.55")
    policy.authorize(request.context, "os_compute_api:os-flavor-manage:update", {})
    body = common.body_of(request)
    validation.validate(schemas.update, body)
    flavor = flavor_db.update_description(flavor_id, body["flavor"]["description"])
    return wsgi.json_response({"flavor": views.detail(request, flavor, True)})


def delete(request: Request, flavor_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-manage:delete", {})
    flavor_db.delete_flavor(flavor_id)
    return wsgi.empty_response(202)


# --- access ------------------------------------------------------------------------------

def _access_body(flavor_id: str, projects: list[str]) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": project}
                              for project in projects]}


def access_index(request: Request, flavor_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-access", {})
    flavor = flavor_db.get(flavor_id)
    if flavor["is_public"]:
        raise exception.NotFound(message="Access list not available for public flavors.")
    return wsgi.json_response(_access_body(flavor_id, flavor_db.list_access(flavor_id)))


def action(request: Request, flavor_id: str) -> webob.Response:
    body = common.body_of(request)
    validation.validate(schemas.action, body)
    if "addTenantAccess" in body:
        policy.authorize(request.context,
                         "os_compute_api:os-flavor-access:add_tenant_access", {})
        # Nova refuses a public flavor only from 2.7; before, the access is stored
        if common.at_least(request, "2.7") and flavor_db.get(flavor_id)["is_public"]:
            raise exception.Conflict(message="Can not add access to a public flavor.")
        projects = flavor_db.add_access(flavor_id, body["addTenantAccess"]["tenant"])
    else:
        policy.authorize(request.context,
                         "os_compute_api:os-flavor-access:remove_tenant_access", {})
        projects = flavor_db.remove_access(flavor_id, body["removeTenantAccess"]["tenant"])
    return wsgi.json_response(_access_body(flavor_id, projects))


# --- extra specs -------------------------------------------------------------------------

def _stringify(specs: dict[str, Any]) -> dict[str, str]:
    result = {}
    for key, value in specs.items():
        if isinstance(value, bool):
            value = str(value)
        result[key] = str(value)
        if not result[key].strip() or len(result[key]) > 255:
            raise exception.ValidationError(
                message=f"Invalid input for field/attribute {key}. Value: {value}. "
                        "The value must be 1-255 characters")
    return result


def specs_index(request: Request, flavor_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-extra-specs:index")
    return wsgi.json_response({"extra_specs": flavor_db.get_extra_specs(
        flavor_id, request.context)})


def specs_create(request: Request, flavor_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-extra-specs:create", {})
    body = common.body_of(request)
    validation.validate(schemas.extra_specs_create, body)
    specs = flavor_db.update_extra_specs(flavor_id, _stringify(body["extra_specs"]))
    return wsgi.json_response({"extra_specs": specs})


def spec_show(request: Request, flavor_id: str, key: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-extra-specs:show")
    specs = flavor_db.get_extra_specs(flavor_id, request.context)
    if key not in specs:
        raise exception.FlavorExtraSpecNotFound(flavor_id=flavor_id, key=key)
    return wsgi.json_response({key: specs[key]})


def spec_update(request: Request, flavor_id: str, key: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-extra-specs:update", {})
    body = common.body_of(request)
    validation.validate(schemas.extra_spec_update, body)
    if key not in body:
        raise exception.Invalid(message="Request body and URI mismatch")
    if len(body) > 1:
        raise exception.Invalid(message="Request body contains too many items")
    specs = flavor_db.update_extra_specs(flavor_id, _stringify(body))
    return wsgi.json_response(specs)


def spec_delete(request: Request, flavor_id: str, key: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-flavor-extra-specs:delete", {})
    flavor_db.delete_extra_spec(flavor_id, key)
    return wsgi.empty_response(200)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/flavors", index),
    wsgi.Route("POST", "/flavors", create),
    wsgi.Route("GET", "/flavors/detail", detail),
    wsgi.Route("GET", "/flavors/{flavor_id}", show),
    wsgi.Route("PUT", "/flavors/{flavor_id}", update),
    wsgi.Route("DELETE", "/flavors/{flavor_id}", delete),
    wsgi.Route("POST", "/flavors/{flavor_id}/action", action),
    wsgi.Route("GET", "/flavors/{flavor_id}/os-flavor-access", access_index),
    wsgi.Route("GET", "/flavors/{flavor_id}/os-extra_specs", specs_index),
    wsgi.Route("POST", "/flavors/{flavor_id}/os-extra_specs", specs_create),
    wsgi.Route("GET", "/flavors/{flavor_id}/os-extra_specs/{key}", spec_show),
    wsgi.Route("PUT", "/flavors/{flavor_id}/os-extra_specs/{key}", spec_update),
    wsgi.Route("DELETE", "/flavors/{flavor_id}/os-extra_specs/{key}", spec_delete),
)
