"""What every network API handler shares: Neutron's error body, reading the request
body of one resource, attribute validation, list filters, ``fields=`` and paging,
and policy checks that fail the Neutron way."""

from __future__ import annotations

import datetime
import functools
import json
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

import webob

from novalite.common import exception, policy, wsgi
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.network import exceptions as exc

_TYPES_BY_CODE = {400: "HTTPBadRequest", 401: "HTTPUnauthorized", 403: "HTTPForbidden",
                  404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 409: "HTTPConflict",
                  413: "HTTPRequestEntityTooLarge", 500: "HTTPInternalServerError"}

# Query parameters that are not attribute filters.
NON_FILTERS = frozenset({"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"})


def fault_body(code: int, message: str, error_type: str | None = None) -> dict[str, Any]:
    """``{"NeutronError": {"type", "message", "detail"}}``, Neutron's error shape."""
    return {"NeutronError": {"type": error_type or _TYPES_BY_CODE.get(code, "HTTPError"),
                             "message": message, "detail": ""}}


def neutron_faults(handler: Callable[..., webob.Response]) -> Callable[..., webob.Response]:
    """Turn novalite exceptions into Neutron faults carrying the right ``type``."""

    @functools.wraps(handler)
    def wrapper(request: wsgi.Request, **params: str) -> webob.Response:
        try:
            return handler(request, **params)
        except exc.NeutronError as error:
            return wsgi.json_response(fault_body(error.code, error.message, error.neutron_type),
                                      status=error.code)
        except exception.PolicyNotAuthorized as error:
            action = error.kwargs.get("action", "")
            message = f"(rule:{action}) is disallowed by policy"
            return wsgi.json_response(fault_body(403, message, "PolicyNotAuthorized"),
                                      status=403)

    return wrapper


def bad_request(resource: str, message: str) -> exc.BadRequest:
    return exc.BadRequest(message=message, resource=resource)


def resource_body(request: wsgi.Request, resource: str) -> dict[str, Any]:
    """The ``{"<resource>": {...}}`` object of a create or update."""
    body = request.json_body_dict()
    if resource not in body:
        raise bad_request(resource, f"Unable to find '{resource}' in request body")
    value = body[resource]
    if not isinstance(value, dict):
        raise bad_request(resource, f"Invalid input for {resource}. Reason: expected an "
                                    "object.")
    return value


def check_attributes(resource: str, body: dict[str, Any], allowed: Iterable[str],
                     read_only: Iterable[str], method: str) -> None:
    """400 for unknown attributes and for read-only ones, as Neutron answers."""
    allowed, read_only = set(allowed), set(read_only)
    for key in sorted(body):
        if key in read_only:
            raise bad_request(resource, f"Attribute '{key}' not allowed in POST"
                              if method == "POST" else f"Cannot update read-only attribute "
                                                       f"{key}")
    unknown = sorted(key for key in body if key not in allowed and key not in read_only)
    if unknown:
        raise bad_request(resource, "Unrecognized attribute(s) '" + ", ".join(unknown) + "'")


def invalid(field: str, value: Any, reason: str) -> exc.BadRequest:
    return exc.BadRequest(message=f"Invalid input for {field}. Reason: {reason}.",
                          resource=field)


def to_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise invalid(field, value, f"'{value}' cannot be converted to boolean")


def to_str(field: str, value: Any, max_length: int = 255) -> str:
    if not isinstance(value, str):
        raise invalid(field, value, f"'{value}' is not a valid string")
    if len(value) > max_length:
        raise invalid(field, value, f"'{value}' exceeds maximum length of {max_length}")
    return value


def to_int(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise invalid(field, value, f"'{value}' is not an integer")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(field, value, f"'{value}' is not an integer") from None
    if isinstance(value, float) and value != number:
        raise invalid(field, value, f"'{value}' is not an integer")
    if not low <= number <= high:
        raise invalid(field, value, f"'{value}' is not in the range {low} to {high}")
    return number


def to_uuid(field: str, value: Any) -> str:
    if not is_uuid(value):
        raise invalid(field, value, f"'{value}' is not a valid UUID")
    return str(value)


def owner_from_body(ctxt: RequestContext, body: dict[str, Any], resource: str) -> str:
    """The project a new resource belongs to: ``project_id``/``tenant_id`` if given
    (another project's only for admin), else the caller's."""
    given = [body[key] for key in ("project_id", "tenant_id") if body.get(key) is not None]
    if len(set(given)) > 1:
        raise bad_request(resource, "'project_id' and 'tenant_id' do not match")
    owner = to_str("project_id", given[0]) if given else ctxt.project_id
    if owner != ctxt.project_id and not ctxt.is_admin:
        raise bad_request(resource, "Specifying 'project_id' or 'tenant_id' other than the "
                                    "authenticated project in request requires admin "
                                    "privileges")
    if not owner:
        raise bad_request(resource, "A project is required")
    return owner


def authorize(ctxt: RequestContext, action: str, project_id: str | None = None,
              **extra: Any) -> None:
    target = {"project_id": project_id if project_id is not None else (ctxt.project_id or ""),
              "user_id": ctxt.user_id, **extra}
    policy.authorize(ctxt, f"network:{action}", target)


def isotime(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def query_filters(request: wsgi.Request) -> dict[str, list[str]]:
    """Attribute filters of a list request; ``tenant_id`` means ``project_id``."""
    filters: dict[str, list[str]] = {}
    for key, value in request.GET.items():
        if key in NON_FILTERS:
            continue
        key = "project_id" if key == "tenant_id" else key
        filters.setdefault(key, []).append(value)
    return filters


TAG_FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


def pop_tag_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """Neutron's tag filters, out of ``filters``: each value lists tags separated by
    commas (a filter given twice counts both lists)."""
    result: dict[str, list[str]] = {}
    for key in TAG_FILTERS:
        for value in filters.pop(key, []):
            result.setdefault(key, []).extend(tag for tag in value.split(",") if tag)
    return result


def list_filters(request: wsgi.Request, columns: dict[str, tuple[str, str]]
                 ) -> tuple[dict[str, list[Any]], dict[str, list[str]], dict[str, list[str]]]:
    """A list request's filters: (SQL column filters, tag filters, the rest)."""
    filters = query_filters(request)
    tags = pop_tag_filters(filters)
    sql, rest = sql_filters(filters, columns)
    return sql, tags, rest


def sql_filters(filters: dict[str, list[str]], columns: dict[str, tuple[str, str]]
                ) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """Split filters into SQL ones (``columns``: API name → (column, kind)) and the rest.
    ``kind`` is ``str``, ``bool`` or ``int``; bad values are a 400."""
    sql: dict[str, list[Any]] = {}
    rest: dict[str, list[str]] = {}
    for key, values in filters.items():
        if key not in columns:
            rest[key] = values
            continue
        column, kind = columns[key]
        if kind == "bool":
            sql[column] = [to_bool(key, value) for value in values]
        elif kind == "int":
            sql[column] = [to_int(key, value, -2**31, 2**31 - 1) for value in values]
        else:
            sql[column] = list(values)
    return sql, rest


def _matches(view: dict[str, Any], key: str, values: list[str]) -> bool:
    if key not in view:
        return True  # Neutron ignores filters on attributes it does not know
    actual = view[key]
    if isinstance(actual, list | dict):
        return True
    if isinstance(actual, bool):
        return any(value.lower() == str(actual).lower() for value in values)
    return any(value == ("" if actual is None else str(actual)) for value in values)


def render_list(request: wsgi.Request, collection: str, views: list[dict[str, Any]],
                extra_filters: dict[str, list[str]] | None = None) -> webob.Response:
    """Apply the remaining filters, sorting, ``limit``/``marker`` and ``fields=``."""
    for key, values in (extra_filters or {}).items():
        views = [view for view in views if _matches(view, key, values)]
    sort_keys = request.GET.getall("sort_key")
    sort_dirs = request.GET.getall("sort_dir")
    for index in reversed(range(len(sort_keys))):
        key = sort_keys[index]
        direction = sort_dirs[index] if index < len(sort_dirs) else "asc"
        if direction not in ("asc", "desc"):
            raise bad_request(collection, f"Sort direction '{direction}' is not supported")
        views.sort(key=lambda view, key=key: (view.get(key) is None, str(view.get(key, ""))),
                   reverse=direction == "desc")
    links = []
    limit_param = request.GET.get("limit")
    if limit_param is not None:
        limit = to_int("limit", limit_param, 0, 2**31 - 1)
        marker = request.GET.get("marker")
        if marker is not None:
            ids = [view["id"] for view in views]
            if marker not in ids:
                raise bad_request(collection, f"Marker {marker} could not be found")
            views = views[ids.index(marker) + 1:]
        if limit and len(views) > limit:
            views = views[:limit]
            if "id" in views[-1]:  # availability zones have nothing to page on
                params = [(k, v) for k, v in request.GET.items() if k != "marker"]
                params.append(("marker", views[-1]["id"]))
                links.append({"rel": "next", "href": f"{request.host_url}{request.path}?"
                              f"{urllib.parse.urlencode(params)}"})
    fields = [field for field in request.GET.getall("fields") if field]
    if fields:
        views = [{key: view[key] for key in fields if key in view} for view in views]
    body: dict[str, Any] = {collection: views}
    if links:
        body[f"{collection}_links"] = links
    return wsgi.json_response(body)


def render_one(request: wsgi.Request, resource: str, view: dict[str, Any],
               status: int = 200) -> webob.Response:
    fields = [field for field in request.GET.getall("fields") if field]
    if fields:
        view = {key: view[key] for key in fields if key in view}
    return wsgi.json_response({resource: view}, status=status)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
