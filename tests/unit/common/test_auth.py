"""The auth middleware's answers when the validator cannot tell (identity unreachable)."""

from __future__ import annotations

import json
from typing import Any

import webob

from novalite.common import exception
from novalite.common.auth import AuthMiddleware
from novalite.common.context import RequestContext


class Unreachable:
    def validate(self, token: str) -> RequestContext:
        raise exception.ServiceUnavailable(service="identity service",
                                           reason="it cannot be reached")


def fault_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def never_called(environ: dict[str, Any], start_response: Any) -> Any:
    raise AssertionError("the application was reached")


def test_identity_unreachable_is_503_not_401_or_500() -> None:
    app = AuthMiddleware(never_called, fault_body, Unreachable())
    response = webob.Request.blank("/", headers={"X-Auth-Token": "t"}).get_response(app)
    assert response.status_int == 503
    assert json.loads(response.body) == {"error": {
        "code": 503, "message": "The identity service is unavailable: it cannot be reached"}}
