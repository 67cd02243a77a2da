"""``/v3/policies``: policy blobs stored for other services, as Keystone keeps them — an
opaque ``blob`` string of a media ``type``, never evaluated here (novalite's own rules
are oslo.policy defaults and ``policy.yaml``)."""

from __future__ import annotations

import json
from typing import Any

import webob
from sqlalchemy import select

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common

_OWN = frozenset({"id", "type", "blob", "links"})
MAX_BLOB = 1024 * 1024


def policy_view(request: wsgi.Request, policy: models.Policy) -> dict[str, Any]:
    return {**json.loads(policy.extra or "{}"), "id": policy.id, "type": policy.type,
            "blob": policy.blob,
            "links": {"self": common.url(request, f"/v3/policies/{policy.id}")}}


def _blob(ref: dict[str, Any]) -> str:
    blob = ref.get("blob")
    if not isinstance(blob, str) or len(blob) > MAX_BLOB:
        raise exception.ValidationError(field="blob",
                                        reason="'blob' is a required string.")
    return blob


def _get(session: Any, policy_id: str) -> models.Policy:
    policy = session.get(models.Policy, policy_id)
    if policy is None:
        raise exception.NotFound(message=f"Could not find policy: {policy_id}.")
    return policy  # type: ignore[no-any-return]


def list_policies(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_policies")
    query = select(models.Policy).order_by(models.Policy.id)
    if "type" in request.GET:
        query = query.where(models.Policy.type == request.GET["type"])
    with db_api.session_scope() as session:
        policies = [policy_view(request, p) for p in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "policies", policies))


def create_policy(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_policy")
    ref = common.section(request.json_body_dict(), "policy")
    extra = {key: value for key, value in ref.items() if key not in _OWN}
    policy = models.Policy(id=common.new_id(),
                           type=common.string(ref, "type", required=True) or "",
                           blob=_blob(ref), extra=json.dumps(extra) if extra else None)
    with common.writing("policy") as session:
        session.add(policy)
        session.flush()
        return wsgi.json_response({"policy": policy_view(request, policy)}, status=201)


def get_policy(request: wsgi.Request, policy_id: str) -> webob.Response:
    common.authorize(request, "get_policy")
    with db_api.session_scope() as session:
        return wsgi.json_response({"policy": policy_view(request, _get(session, policy_id))})


def update_policy(request: wsgi.Request, policy_id: str) -> webob.Response:
    common.authorize(request, "update_policy")
    ref = common.section(request.json_body_dict(), "policy")
    with common.writing("policy") as session:
        policy = _get(session, policy_id)
        if "type" in ref:
            policy.type = common.string(ref, "type", required=True) or policy.type
        if "blob" in ref:
            policy.blob = _blob(ref)
        extra = {key: value for key, value in ref.items() if key not in _OWN}
        if extra:
            policy.extra = json.dumps({**json.loads(policy.extra or "{}"), **extra})
        session.flush()
        return wsgi.json_response({"policy": policy_view(request, policy)})


def delete_policy(request: wsgi.Request, policy_id: str) -> webob.Response:
    common.authorize(request, "delete_policy")
    with common.writing("policy") as session:
        session.delete(_get(session, policy_id))
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/policies", list_policies),
    wsgi.Route("POST", "/v3/policies", create_policy),
    wsgi.Route("GET", "/v3/policies/{policy_id}", get_policy),
    wsgi.Route("PATCH", "/v3/policies/{policy_id}", update_policy),
    wsgi.Route("DELETE", "/v3/policies/{policy_id}", delete_policy),
)
