"""``/os-keypairs``: list, show, create (generate before 2.92, or import), delete."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common, crypto
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import keypairs as schemas
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.compute import quotas as compute_quotas
from novalite.db import keypairs as keypair_db


def _user_id(request: Request, action: str, requested: str | None = None) -> str:
    """The key pairs' owner: the caller, or (2.10, admin by policy) ``user_id``."""
    ctxt = request.context
    if requested is None and common.at_least(request, "2.10"):
        requested = request.GET.get("user_id")
    user_id = requested or ctxt.user_id or ""
    policy.authorize(ctxt, f"os_compute_api:os-keypairs:{action}",
                     {"user_id": user_id, "project_id": ctxt.project_id})
    return user_id


def _view(request: Request, keypair: dict[str, Any], full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"name": keypair["name"], "public_key": keypair["public_key"],
                            "fingerprint": keypair["fingerprint"]}
    if common.at_least(request, "2.2"):
        body["type"] = keypair["type"]
    if full:
        body.update({"user_id": keypair["user_id"], "id": keypair["id"],
                     "created_at": keypair["created_at"].isoformat(), "deleted": False,
                     "deleted_at": None,
                     "updated_at": keypair["updated_at"].isoformat()
                     if keypair["updated_at"] else None})
    return body


def index(request: Request) -> webob.Response:
    user_id = _user_id(request, "index")
    limit: int | None = None
    marker = None
    if common.at_least(request, "2.35"):
        limit, marker = common.page_params(request)
    try:
        found = keypair_db.list_keypairs(user_id, limit=limit, marker=marker)
    except exception.Invalid as error:
        raise exception.Invalid(message=error.message.removeprefix("Bad request: ")) from None
    body: dict[str, Any] = {"keypairs": [{"keypair": _view(request, kp)} for kp in found]}
    if limit and len(found) == limit:
        body["keypairs_links"] = common.next_link(request, "os-keypairs", found[-1]["name"])
    return wsgi.json_response(body)


def show(request: Request, name: str) -> webob.Response:
    user_id = _user_id(request, "show")
    return wsgi.json_response({"keypair": _view(request, keypair_db.get(user_id, name),
                                                full=True)})


def create(request: Request) -> webob.Response:
    body = common.body_of(request)
    validation.validate(schemas.create(common.at_least(request, "2.2"),
                                       common.at_least(request, "2.10"),
                                       common.at_least(request, "2.92")), body)
    values = body["keypair"]
    user_id = _user_id(request, "create", values.get("user_id"))
    key_type = values.get("type", "ssh")
    private_key = None
    public_key = values.get("public_key")
    if public_key is None:
        if key_type == "x509":
            private_key, public_key = crypto.generate_x509(user_id)
        else:
            private_key, public_key = crypto.generate_ssh()
    fingerprint = (crypto.x509_fingerprint(public_key) if key_type == "x509"
                   else crypto.ssh_fingerprint(public_key))
    project_id = request.context.project_id
    limit = (compute_quotas.limits(project_id)["key_pairs"]
             if project_id and compute_quotas.unified() else None)
    keypair = keypair_db.create(user_id, values["name"], public_key, fingerprint, key_type,
                                project_id=project_id, limit=limit)
    result = _view(request, keypair)
    result["user_id"] = user_id
    if private_key is not None:
        result["private_key"] = private_key
    status = 201 if common.at_least(request, "2.2") else 200
    return wsgi.json_response({"keypair": result}, status=status)


def delete(request: Request, name: str) -> webob.Response:
    user_id = _user_id(request, "delete")
    keypair_db.delete(user_id, name)
    return wsgi.empty_response(204 if common.at_least(request, "2.2") else 202)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-keypairs", index),
    wsgi.Route("POST", "/os-keypairs", create),
    wsgi.Route("GET", "/os-keypairs/{name}", show),
    wsgi.Route("DELETE", "/os-keypairs/{name}", delete),
)
