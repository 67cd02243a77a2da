"""Implied roles (``/v3/roles/{prior}/implies/{implied}``, ``/v3/role_inferences``): a
prior role brings its implied roles into every token and effective assignment."""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common

# Keystone's [assignment] prohibited_implied_role default
PROHIBITED_IMPLIED = ("admin",)


def _brief(request: wsgi.Request, role: models.Role) -> dict[str, Any]:
    return {"id": role.id, "name": role.name,
            "links": {"self": common.url(request, f"/v3/roles/{role.id}")}}


def _roles(session: Session, prior_role_id: str, implied_role_id: str
           ) -> tuple[models.Role, models.Role]:
    prior = common.get_or_404(session, models.Role, prior_role_id, "role")
    implied = common.get_or_404(session, models.Role, implied_role_id, "role")
    return prior, implied


def _inference(request: wsgi.Request, prior: models.Role, implied: models.Role
               ) -> dict[str, Any]:
    return {"role_inference": {"prior_role": _brief(request, prior),
                               "implies": _brief(request, implied)},
            "links": {"self": common.url(request,
                                         f"/v3/roles/{prior.id}/implies/{implied.id}")}}


def _not_implied(prior_role_id: str, implied_role_id: str) -> exception.NotFound:
    return exception.NotFound(message=f"{prior_role_id} does not imply {implied_role_id}.")


def create(request: wsgi.Request, prior_role_id: str, implied_role_id: str
           ) -> webob.Response:
    common.authorize(request, "create_implied_role")
    with common.writing("implied role") as session:
        prior, implied = _roles(session, prior_role_id, implied_role_id)
        if implied.name in PROHIBITED_IMPLIED:
            raise exception.Forbidden(message=f"{implied_role_id} cannot be an implied "
                                      "roles.")
        key = {"prior_role_id": prior.id, "implied_role_id": implied.id}
        if session.get(models.ImpliedRole, key) is None:
            session.add(models.ImpliedRole(**key))
        body = _inference(request, prior, implied)
    return wsgi.json_response(body, status=201)


def get(request: wsgi.Request, prior_role_id: str, implied_role_id: str) -> webob.Response:
    common.authorize(request, "get_implied_role")
    with db_api.session_scope() as session:
        prior, implied = _roles(session, prior_role_id, implied_role_id)
        if session.get(models.ImpliedRole, (prior.id, implied.id)) is None:
            raise _not_implied(prior_role_id, implied_role_id)
        body = _inference(request, prior, implied)
    return wsgi.json_response(body)


def check(request: wsgi.Request, prior_role_id: str, implied_role_id: str
          ) -> webob.Response:
    common.authorize(request, "check_implied_role")
    with db_api.session_scope() as session:
        prior, implied = _roles(session, prior_role_id, implied_role_id)
        if session.get(models.ImpliedRole, (prior.id, implied.id)) is None:
            raise _not_implied(prior_role_id, implied_role_id)
    return wsgi.empty_response(204)


def remove(request: wsgi.Request, prior_role_id: str, implied_role_id: str
           ) -> webob.Response:
    common.authorize(request, "delete_implied_role")
    with common.writing("implied role") as session:
        prior, implied = _roles(session, prior_role_id, implied_role_id)
        found = session.get(models.ImpliedRole, (prior.id, implied.id))
        if found is None:
            raise _not_implied(prior_role_id, implied_role_id)
        session.delete(found)
    return wsgi.empty_response(204)


def _implications(session: Session, prior_role_id: str | None = None
                  ) -> dict[str, list[models.Role]]:
    query = select(models.ImpliedRole.prior_role_id, models.Role).join(
        models.Role, models.Role.id == models.ImpliedRole.implied_role_id)
    if prior_role_id is not None:
        query = query.where(models.ImpliedRole.prior_role_id == prior_role_id)
    found: dict[str, list[models.Role]] = {}
    for prior, implied in session.execute(query.order_by(models.Role.name)):
        found.setdefault(prior, []).append(implied)
    return found


def list_implied(request: wsgi.Request, prior_role_id: str) -> webob.Response:
    common.authorize(request, "list_implied_roles")
    with db_api.session_scope() as session:
        prior = common.get_or_404(session, models.Role, prior_role_id, "role")
        implied = _implications(session, prior.id).get(prior.id, [])
        body = {"role_inference": {"prior_role": _brief(request, prior),
                                   "implies": [_brief(request, r) for r in implied]},
                "links": {"self": request.url}}
    return wsgi.json_response(body)


def list_inferences(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_role_inference_rules")
    with db_api.session_scope() as session:
        implications = _implications(session)
        priors = {r.id: r for r in session.scalars(select(models.Role).where(
            models.Role.id.in_(list(implications))))}
        inferences = [{"prior_role": _brief(request, priors[prior_id]),
                       "implies": [_brief(request, r) for r in implied]}
                      for prior_id, implied in sorted(
                          implications.items(), key=lambda item: priors[item[0]].name)]
    return wsgi.json_response({"role_inferences": inferences,
                               "links": {"self": request.url}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/role_inferences", list_inferences),
    wsgi.Route("GET", "/v3/roles/{prior_role_id}/implies", list_implied),
    wsgi.Route("PUT", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", create),
    wsgi.Route("HEAD", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", check),
    wsgi.Route("GET", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", get),
    wsgi.Route("DELETE", "/v3/roles/{prior_role_id}/implies/{implied_role_id}", remove),
)
