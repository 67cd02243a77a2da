"""The shared auth middleware: validates ``X-Auth-Token`` and puts the context on the request.

It sits in front of every API except identity's own token endpoints. The validator is
the application's to choose (``novalite.identity.validation.default_validator`` picks
the one ``[keystone_authtoken] validation`` names); this module knows no validator, so
the shared layer never imports identity.

Paths in ``public_paths`` (version documents) are served without a token. A token
that is missing, expired, revoked or tampered with gets 401 and a
``WWW-Authenticate`` header naming identity, in the API's own fault format.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext, context_from_token_body
from novalite.conf import CONF


class TokenValidator(Protocol):
    def validate(self, token: str) -> RequestContext:
        """Return the context of a valid token or raise ``NotAuthenticated``."""
        ...


class ServiceAuth:
    """A service user's token from password credentials in a config group (``auth_url``,
    ``username``, ``password``, ``project_name``, ``user_domain_name``,
    ``project_domain_name``), fetched once and reused for five minutes."""

    def __init__(self, group: str, auth_url: str | None = None) -> None:
        self.group = group
        self.auth_url = (auth_url or getattr(CONF, group).auth_url or "").rstrip("/")
        self._lock = threading.Lock()
        self._token: tuple[str, dict[str, Any], float] | None = None

    def _authenticate(self) -> tuple[str, dict[str, Any]]:
        with self._lock:
            if self._token and self._token[2] > time.time() + 30:
                return self._token[0], self._token[1]
        opts = getattr(CONF, self.group)
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": opts.username, "domain": {"name": opts.user_domain_name},
                "password": opts.password}}},
            "scope": {"project": {"name": opts.project_name,
                                  "domain": {"name": opts.project_domain_name}}}}}
        base = self.auth_url if self.auth_url.endswith("/v3") else f"{self.auth_url}/v3"
        try:
            response = requests.post(f"{base}/auth/tokens", json=body, timeout=30)
        except requests.RequestException as error:
            raise exception.NotAuthenticated(
                message=f"Identity is unreachable for the service user: {error}") from None
        if response.status_code != 201:
            raise exception.NotAuthenticated(message="The service could not authenticate "
                                             f"to identity; check [{self.group}].")
        token, token_body = response.headers["X-Subject-Token"], response.json()["token"]
        with self._lock:
            self._token = (token, token_body, time.time() + 300)
        return token, token_body

    def token(self) -> str:
        return self._authenticate()[0]

    def context(self) -> RequestContext:
        """A request context acting as the service user (its roles and catalog)."""
        token, body = self._authenticate()
        return context_from_token_body(body, token)


class AuthMiddleware:
    """WSGI middleware: 401 without a valid token, else the context in the environ."""

    def __init__(self, app: Callable[..., Iterable[bytes]], fault_body: wsgi.FaultBody,
                 validator: TokenValidator,
                 public_paths: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.fault_body = fault_body
        self.validator = validator
        self.public_paths = public_paths or (lambda path: False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if not token:
            if self.public_paths(environ.get("PATH_INFO", "")):
                return self.app(environ, start_response)
            return self._reject(environ, start_response)
        try:
            ctxt = self.validator.validate(token)
        except exception.NotAuthenticated:
            return self._reject(environ, start_response)
        if environ.get("HTTP_X_OPENSTACK_REQUEST_ID"):
            ctxt.global_request_id = environ["HTTP_X_OPENSTACK_REQUEST_ID"]
        environ[wsgi.CONTEXT_KEY] = ctxt

        def add_request_id(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            headers.append(("X-OpenStack-Request-ID", ctxt.request_id))
            headers.append(("X-Compute-Request-Id", ctxt.request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, add_request_id)

    def _reject(self, environ: dict[str, Any], start_response: Callable[..., Any]
                ) -> Iterable[bytes]:
        response = wsgi.fault_response(self.fault_body, 401,
                                       "The request you have made requires authentication.")
        uri = CONF.keystone_authtoken.www_authenticate_uri or CONF.keystone_authtoken.auth_url
        if uri:
            response.headers["WWW-Authenticate"] = f'Keystone uri="{uri}"'
        return response(environ, start_response)
