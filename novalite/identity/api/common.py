"""Helpers shared by the identity API modules: errors, input checks, links, lookups."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.common import exception, policy, wsgi
from novalite.common.context import RequestContext
from novalite.db import api as db_api
from novalite.identity import cache, models

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
          413: "Request Entity Too Large", 415: "Unsupported Media Type",
          500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}


def fault_body(code: int, message: str) -> dict[str, Any]:
    """Keystone's error body: ``{"error": {"code", "title", "message"}}``."""
    return {"error": {"code": code, "title": TITLES.get(code, "Error"), "message": message}}


def new_id() -> str:
    return uuid.uuid4().hex


def authorize(request: wsgi.Request, action: str,
              target: dict[str, Any] | None = None) -> RequestContext:
    ctxt = request.context
    policy.authorize(ctxt, f"identity:{action}", target if target is not None else {})
    return ctxt


def section(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise exception.ValidationError(field=key, reason=f"'{key}' must be an object.")
    return value


def string(obj: dict[str, Any], name: str, required: bool = False, max_len: int = 255,
           field: str | None = None) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise exception.ValidationError(field=field or name,
                                            reason=f"'{name}' is a required property.")
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
        raise exception.ValidationError(
            field=field or name,
            reason=f"'{name}' must be a non-empty string of at most {max_len} characters.")
    return value


def boolean(obj: dict[str, Any], name: str, default: bool | None = None) -> bool | None:
    value = obj.get(name, default)
    if value is not None and not isinstance(value, bool):
        raise exception.ValidationError(field=name, reason=f"'{name}' must be a boolean.")
    return value


def url(request: wsgi.Request, path: str) -> str:
    return f"{request.application_url}{path}"


def collection(request: wsgi.Request, name: str, items: list[dict[str, Any]]
               ) -> dict[str, Any]:
    return {name: items, "links": {"self": request.url, "previous": None, "next": None}}


def enabled_filter(request: wsgi.Request) -> bool | None:
    value = request.GET.get("enabled")
    if value is None:
        return None
    return value.lower() not in ("0", "false", "no", "off")


@contextlib.contextmanager
def writing(what: str) -> Iterator[Session]:
    """A write transaction: a unique-key clash is a 409, and the caches are dropped."""
    try:
        with db_api.session_scope() as session:
            yield session
    except sqlalchemy.exc.IntegrityError:
        raise exception.Conflict(
            message=f"Conflict occurred attempting to store {what}: duplicate entry or "
                    "a reference to a missing record.") from None
    finally:
        cache.invalidate()


def get_or_404(session: Session, model: type[Any], object_id: str, what: str) -> Any:
    found = session.get(model, object_id)
    if found is None:
        raise exception.NotFound(message=f"Could not find {what}: {object_id}.")
    return found


def find_domain(session: Session, ref: dict[str, Any]) -> models.Domain:
    """A domain by ``{"id"}`` or ``{"name"}``; ``NotAuthenticated`` if none (auth only)."""
    query = session.query(models.Domain)
    if isinstance(ref.get("id"), str):
        domain = query.filter_by(id=ref["id"]).first()
    elif isinstance(ref.get("name"), str):
        domain = query.filter_by(name=ref["name"]).first()
    else:
        raise exception.ValidationError(field="domain", reason="A domain needs an id or a name.")
    if domain is None:
        raise exception.NotAuthenticated()
    return domain
