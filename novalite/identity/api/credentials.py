"""``/v3/credentials`` and the EC2 view of them (``/v3/users/{id}/credentials/OS-EC2``).

A credential's ``blob`` is kept as given (an opaque string) and returned to its owner
and admins; an EC2 credential's blob is JSON holding ``access`` and ``secret``, and its
id is the sha256 of the access key, as Keystone derives it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import webob
from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common

_OWN = frozenset({"id", "user_id", "project_id", "type", "blob", "links"})
MAX_BLOB = 65535


def credential_view(request: wsgi.Request, credential: models.Credential) -> dict[str, Any]:
    return {**json.loads(credential.extra or "{}"), "id": credential.id,
            "user_id": credential.user_id, "project_id": credential.project_id,
            "type": credential.type, "blob": credential.blob,
            "links": {"self": common.url(request, f"/v3/credentials/{credential.id}")}}


def _ec2_access(blob: str) -> str:
    try:
        decoded = json.loads(blob)
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("access"), str) \
            or not decoded["access"]:
        raise exception.ValidationError(field="blob", reason="Invalid blob in credential: "
                                        "an ec2 blob is JSON with an 'access' key.")
    return str(decoded["access"])


def _ec2_id(access: str) -> str:
    return hashlib.sha256(access.encode()).hexdigest()


def _check_refs(session: Session, user_id: str, project_id: str | None) -> None:
    if session.get(models.User, user_id) is None:
        raise exception.ValidationError(field="user_id", reason=f"User {user_id} does not "
                                        "exist.")
    if project_id is not None and session.get(models.Project, project_id) is None:
        raise exception.ValidationError(field="project_id", reason=f"Project {project_id} "
                                        "does not exist.")


def _get(session: Session, credential_id: str) -> models.Credential:
    credential = session.get(models.Credential, credential_id)
    if credential is None:
        raise exception.NotFound(message=f"Could not find credential: {credential_id}.")
    return credential


def _blob(ref: dict[str, Any]) -> str:
    blob = ref.get("blob")
    if not isinstance(blob, str) or len(blob) > MAX_BLOB:
        raise exception.ValidationError(field="blob", reason="'blob' is a required string.")
    return blob


def list_credentials(request: wsgi.Request) -> webob.Response:
    ctxt = common.authorize(request, "list_credentials")
    query = select(models.Credential).order_by(models.Credential.id)
    for key in ("user_id", "type"):
        if key in request.GET:
            query = query.where(getattr(models.Credential, key) == request.GET[key])
    if not ctxt.is_admin:  # the others see their own, as Keystone filters the list
        query = query.where(models.Credential.user_id == ctxt.user_id)
    with db_api.session_scope() as session:
        found = [credential_view(request, c) for c in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "credentials", found))


def create_credential(request: wsgi.Request) -> webob.Response:
    ref = common.section(request.json_body_dict(), "credential")
    user_id = common.string(ref, "user_id", required=True, max_len=64) or ""
    common.authorize(request, "create_credential", {"user_id": user_id})
    kind = common.string(ref, "type", required=True) or ""
    blob = _blob(ref)
    project_id = common.string(ref, "project_id", max_len=64)
    if kind == "ec2":
        if project_id is None:
            raise exception.ValidationError(field="project_id", reason="An ec2 credential "
                                            "needs a project_id.")
        credential_id = _ec2_id(_ec2_access(blob))
    else:
        credential_id = uuid.uuid4().hex
    extra = {key: value for key, value in ref.items() if key not in _OWN}
    with common.writing("credential") as session:
        _check_refs(session, user_id, project_id)
        if session.get(models.Credential, credential_id) is not None:
            raise exception.Conflict(message="Conflict occurred attempting to store "
                                     "credential - Duplicate ID, " + credential_id + ".")
        credential = models.Credential(id=credential_id, user_id=user_id,
                                       project_id=project_id, type=kind, blob=blob,
                                       extra=json.dumps(extra) if extra else None)
        session.add(credential)
        session.flush()
        return wsgi.json_response({"credential": credential_view(request, credential)},
                                  status=201)


def get_credential(request: wsgi.Request, credential_id: str) -> webob.Response:
    with db_api.session_scope() as session:
        credential = _get(session, credential_id)
        common.authorize(request, "get_credential", {"user_id": credential.user_id})
        return wsgi.json_response({"credential": credential_view(request, credential)})


def update_credential(request: wsgi.Request, credential_id: str) -> webob.Response:
    ref = common.section(request.json_body_dict(), "credential")
    with common.writing("credential") as session:
        credential = _get(session, credential_id)
        common.authorize(request, "update_credential", {"user_id": credential.user_id})
        kind = common.string(ref, "type", required=True) if "type" in ref else credential.type
        blob = _blob(ref) if "blob" in ref else credential.blob
        project_id = (common.string(ref, "project_id", max_len=64) if "project_id" in ref
                      else credential.project_id)
        if kind == "ec2" and _ec2_id(_ec2_access(blob)) != credential.id:
            raise exception.ValidationError(field="blob", reason="Credential ID does not "
                                            "match the hash of the blob's access key.")
        if "user_id" in ref:
            user_id = common.string(ref, "user_id", required=True, max_len=64) or ""
            common.authorize(request, "update_credential", {"user_id": user_id})
            credential.user_id = user_id
        _check_refs(session, credential.user_id, project_id)
        credential.type, credential.blob, credential.project_id = kind or "", blob, project_id
        extra = {key: value for key, value in ref.items() if key not in _OWN}
        if extra:
            credential.extra = json.dumps({**json.loads(credential.extra or "{}"), **extra})
        session.flush()
        return wsgi.json_response({"credential": credential_view(request, credential)})


def delete_credential(request: wsgi.Request, credential_id: str) -> webob.Response:
    with common.writing("credential") as session:
        credential = _get(session, credential_id)
        common.authorize(request, "delete_credential", {"user_id": credential.user_id})
        session.delete(credential)
    return wsgi.empty_response(204)


# ----------------------------------------------------------------- OS-EC2


def _ec2_view(request: wsgi.Request, credential: models.Credential) -> dict[str, Any]:
    blob = json.loads(credential.blob)
    return {"user_id": credential.user_id, "tenant_id": credential.project_id,
            "access": blob.get("access"), "secret": blob.get("secret"),
            "trust_id": blob.get("trust_id"),
            "links": {"self": common.url(request, f"/v3/users/{credential.user_id}/"
                                         f"credentials/OS-EC2/{blob.get('access')}")}}


def ec2_create(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "ec2_create_credential", {"user_id": user_id})
    body = request.json_body_dict()
    project_id = body.get("tenant_id") or body.get("project_id")
    if not isinstance(project_id, str):
        raise exception.ValidationError(field="tenant_id", reason="'tenant_id' is a required "
                                        "property.")
    access, secret = uuid.uuid4().hex, uuid.uuid4().hex
    with common.writing("credential") as session:
        common.get_or_404(session, models.User, user_id, "user")
        common.get_or_404(session, models.Project, project_id, "project")
        credential = models.Credential(
            id=_ec2_id(access), user_id=user_id, project_id=project_id, type="ec2",
            blob=json.dumps({"access": access, "secret": secret, "trust_id": None}))
        session.add(credential)
        session.flush()
        return wsgi.json_response({"credential": _ec2_view(request, credential)}, status=201)


def _ec2_get(session: Session, user_id: str, access: str) -> models.Credential:
    credential = session.get(models.Credential, _ec2_id(access))
    if credential is None or credential.type != "ec2" or credential.user_id != user_id:
        raise exception.NotFound(message=f"Could not find credential: {access}.")
    return credential


def ec2_list(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "ec2_list_credentials", {"user_id": user_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
        found = [_ec2_view(request, c) for c in session.scalars(
            select(models.Credential).filter_by(user_id=user_id, type="ec2")
            .order_by(models.Credential.created_at))]
    return wsgi.json_response(common.collection(request, "credentials", found))


def ec2_show(request: wsgi.Request, user_id: str, access: str) -> webob.Response:
    common.authorize(request, "ec2_get_credential", {"user_id": user_id})
    with db_api.session_scope() as session:
        return wsgi.json_response({"credential": _ec2_view(
            request, _ec2_get(session, user_id, access))})


def ec2_delete(request: wsgi.Request, user_id: str, access: str) -> webob.Response:
    common.authorize(request, "ec2_delete_credential", {"user_id": user_id})
    with common.writing("credential") as session:
        session.delete(_ec2_get(session, user_id, access))
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/credentials", list_credentials),
    wsgi.Route("POST", "/v3/credentials", create_credential),
    wsgi.Route("GET", "/v3/credentials/{credential_id}", get_credential),
    wsgi.Route("PATCH", "/v3/credentials/{credential_id}", update_credential),
    wsgi.Route("DELETE", "/v3/credentials/{credential_id}", delete_credential),
    wsgi.Route("GET", "/v3/users/{user_id}/credentials/OS-EC2", ec2_list),
    wsgi.Route("POST", "/v3/users/{user_id}/credentials/OS-EC2", ec2_create),
    wsgi.Route("GET", "/v3/users/{user_id}/credentials/OS-EC2/{access}", ec2_show),
    wsgi.Route("DELETE", "/v3/users/{user_id}/credentials/OS-EC2/{access}", ec2_delete),
)
