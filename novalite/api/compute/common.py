"""Helpers every Compute API resource uses: the request's version, links, paging, flags."""

from __future__ import annotations

import urllib.parse
from typing import Any

from novalite.api.compute import microversions
from novalite.common import exception
from novalite.common.wsgi import Request
from novalite.conf import CONF

PREFIX_KEY = "novalite.compute.prefix"  # "/v2.1" or "/v2.1/<project_id>"


def version(request: Request) -> microversions.APIVersion:
    return request.environ.get(microversions.ENVIRON_KEY, microversions.MIN)


def at_least(request: Request, wanted: str) -> bool:
    return version(request).matches(minimum=wanted)


def require_version(request: Request, minimum: str | None = None,
                    maximum: str | None = None) -> None:
    """A method not available at the requested version is a bare 404, as in Nova."""
    if not version(request).matches(minimum, maximum):
        raise exception.NotFound(message="The resource could not be found.")


def links(request: Request, collection: str, item_id: str) -> list[dict[str, str]]:
    host = request.host_url
    prefix = request.environ.get(PREFIX_KEY, "/v2.1")
    bookmark = prefix[len("/v2.1"):]
    quoted = urllib.parse.quote(str(item_id), safe="")
    return [{"rel": "self", "href": f"{host}{prefix}/{collection}/{quoted}"},
            {"rel": "bookmark", "href": f"{host}{bookmark}/{collection}/{quoted}"}]


def next_link(request: Request, collection: str, marker: str) -> list[dict[str, str]]:
    params = [(k, v) for k, v in request.GET.items() if k != "marker"]
    params.append(("marker", marker))
    prefix = request.environ.get(PREFIX_KEY, "/v2.1")
    path = request.path_info.rstrip("/")
    return [{"rel": "next", "href": f"{request.host_url}{prefix}{path}?"
             f"{urllib.parse.urlencode(params)}"}]


def page_params(request: Request) -> tuple[int, str | None]:
    """``limit`` (capped at ``[api] max_limit``) and ``marker`` from the query."""
    raw = request.GET.get("limit")
    limit = CONF.api.max_limit
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            raise exception.ValidationError(
                message=f"Invalid input for query parameters limit. Value: {raw}. "
                        f"'{raw}' is not an integer") from None
        if limit < 0:
            raise exception.ValidationError(
                message=f"Invalid input for query parameters limit. Value: {raw}. "
                        "limit must be >= 0")
        limit = min(limit, CONF.api.max_limit)
    return limit, request.GET.get("marker")


def parse_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("0", "false", "f", "no", "n", "off"):
        return False
    raise exception.Invalid(message=f"Invalid value '{value}' for {name}: must be a boolean")


def isotime(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def body_of(request: Request) -> dict[str, Any]:
    return request.json_body_dict()


def parse_isotime(value: Any, name: str) -> Any:
    """An ISO 8601 query value (``changes-since``) as a naive UTC datetime, or a 400."""
    import datetime

    text = str(value).strip().replace(" ", "+")
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise exception.ValidationError(
            message=f"Invalid input for query parameters {name}. Value: {value}. "
                    f"'{value}' is not a 'date-time'") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return parsed
