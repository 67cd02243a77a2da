"""What every volume API handler shares: Cinder's fault body, the request's microversion,
links, paging, sorting and filter parsing, body validation, policy checks."""

from __future__ import annotations

import datetime
import urllib.parse
from typing import Any

from novalite.common import exception, policy, schema, wsgi
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.conf import CONF
from novalite.volume.api import microversions

PREFIX_KEY = "novalite.volume.prefix"  # "/v3/<project_id>" or "/v3"
PROJECT_KEY = "novalite.volume.project_id"

# Cinder's fault names are Nova's (cinder/api/openstack/wsgi.py Fault._fault_names).
FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 409: "conflictingRequest", 413: "overLimit",
               415: "badMediaType", 429: "overLimit", 501: "notImplemented",
               503: "serviceUnavailable"}


def fault_body(code: int, message: str) -> dict[str, Any]:
    if code == 401:  # written by keystonemiddleware in front of Cinder, in its own format
        return {"error": {"code": 401, "title": "Unauthorized", "message": message}}
    body: dict[str, Any] = {"code": code, "message": message}
    if code in (413, 429):
        body["retryAfter"] = "0"
    return {FAULT_NAMES.get(code, "computeFault"): body}


def version(request: wsgi.Request) -> microversions.APIVersion:
    found: microversions.APIVersion = request.environ.get(microversions.ENVIRON_KEY,
                                                          microversions.MIN)
    return found


def at_least(request: wsgi.Request, wanted: str) -> bool:
    return version(request).matches(minimum=wanted)


def require_version(request: wsgi.Request, minimum: str) -> None:
    """A method not at the requested version: 404, as Cinder's VersionNotFound."""
    if not at_least(request, minimum):
        raise exception.NotFound(message=f"API version {version(request)} is not supported "
                                         "on this method.")


def project_id(request: wsgi.Request) -> str:
    """The project of the URL (or, without one at 3.67+, the caller's)."""
    return str(request.environ.get(PROJECT_KEY) or request.context.project_id or "")


def links(request: wsgi.Request, collection: str, item_id: str) -> list[dict[str, str]]:
    prefix = request.environ.get(PREFIX_KEY, "/v3")
    quoted = urllib.parse.quote(str(item_id), safe="")
    return [{"href": f"{request.host_url}{prefix}/{collection}/{quoted}", "rel": "self"},
            {"href": f"{request.host_url}{prefix[len('/v3'):]}/{collection}/{quoted}",
             "rel": "bookmark"}]


def next_link(request: wsgi.Request, collection: str, marker: str) -> list[dict[str, str]]:
    params = [(k, v) for k, v in request.GET.items() if k != "marker"]
    params.append(("marker", marker))
    prefix = request.environ.get(PREFIX_KEY, "/v3")
    return [{"href": f"{request.host_url}{prefix}/{collection}?"
                     f"{urllib.parse.urlencode(params)}", "rel": "next"}]


def isotime(value: datetime.datetime | None) -> str | None:
    """Cinder's time format (oslo's strtime: microseconds, no zone)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def invalid_input(reason: str) -> exception.Invalid:
    return exception.Invalid(message=f"Invalid input received: {reason}")


def parse_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("0", "false", "f", "no", "n", "off"):
        return False
    raise invalid_input(f"{name} must be a boolean, not '{value}'")


def validate(body_schema: dict[str, Any], body: Any) -> None:
    schema.validate(body_schema, body)


def body_of(request: wsgi.Request, key: str | None = None) -> Any:
    body = request.json_body_dict()
    if key is not None and not isinstance(body.get(key), dict):
        raise exception.Invalid(message=f"Missing required element '{key}' in request body.")
    return body[key] if key is not None else body


def authorize(ctxt: RequestContext, action: str, owner: str | None = None) -> None:
    target = {"project_id": owner if owner is not None else (ctxt.project_id or ""),
              "user_id": ctxt.user_id}
    policy.authorize(ctxt, action, target)


def allowed(ctxt: RequestContext, action: str, owner: str | None = None) -> bool:
    target = {"project_id": owner if owner is not None else (ctxt.project_id or ""),
              "user_id": ctxt.user_id}
    return policy.check(ctxt, action, target)


def check_id(item_id: str, not_found: exception.NotFound) -> None:
    if not is_uuid(item_id):
        raise not_found


def paging(request: wsgi.Request) -> tuple[int | None, str | None, int]:
    """``limit`` (at most ``[volume] limit_param_default``), ``marker`` and ``offset``."""
    params = request.GET
    limit: int | None = CONF.volume.limit_param_default
    for name in ("limit", "offset"):
        if name in params:
            try:
                number = int(params[name])
            except ValueError:
                raise invalid_input(f"{name} param must be an integer") from None
            if number < 0:
                raise invalid_input(f"{name} param must be positive")
            if name == "limit":
                limit = min(number, CONF.volume.limit_param_default)
    offset = int(params.get("offset", 0) or 0)
    return limit, params.get("marker"), offset


def sort_params(request: wsgi.Request, known: dict[str, Any],
                default: str = "created_at") -> list[tuple[str, str]]:
    """``sort=key[:dir],...`` or ``sort_key``/``sort_dir`` (Cinder's get_sort_params);
    ``name`` sorts by the volume's display name, as in Cinder."""
    params = request.GET
    pairs: list[tuple[str, str]] = []
    if "sort" in params:
        if "sort_key" in params or "sort_dir" in params:
            raise invalid_input("The 'sort_key' and 'sort_dir' parameters are deprecated "
                                "and cannot be used with the 'sort' parameter.")
        for item in params["sort"].split(","):
            key, _, direction = item.strip().partition(":")
            pairs.append((key.strip(), (direction.strip() or "desc").lower()))
    else:
        keys = [key.strip() for key in params.get("sort_key", default).split(",")]
        direction = params.get("sort_dir", "desc").lower()
        pairs = [(key, direction) for key in keys]
    for key, direction in pairs:
        if key not in known:
            raise invalid_input(f"Invalid sort key {key}")
        if direction not in ("asc", "desc"):
            raise invalid_input(f"Invalid sort direction {direction}")
    return pairs


def all_projects(request: wsgi.Request) -> bool:
    """``all_tenants=1`` from an admin: every project's resources."""
    value = request.GET.get("all_tenants")
    if value is None:
        return False
    return request.context.is_admin and parse_bool(value or "true", "all_tenants")


def parse_dict_filter(value: str, name: str) -> dict[str, str]:
    """``metadata={'k': 'v'}`` (the clients send a Python or JSON dict's text)."""
    import ast

    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise invalid_input(f"Invalid filter {name}: {value}") from None
    if not isinstance(parsed, dict):
        raise invalid_input(f"Invalid filter {name}: {value}")
    return {str(key): str(item) for key, item in parsed.items()}


def parse_time_filter(name: str, value: str) -> tuple[str, str, datetime.datetime]:
    operator, _, stamp = value.partition(":")
    if operator not in ("gt", "gte", "lt", "lte", "eq", "neq") or not stamp:
        operator, stamp = "eq", value
    try:
        moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(f"Invalid filter {name}: {value}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return name, operator, moment
