"""The shared auth middleware: validates ``X-Auth-Token`` and puts the context on the request.

It sits in front of every API except identity's own token endpoints. Two
validators exist, as ``[keystone_authtoken] validation`` selects:

* ``local`` (default): the Fernet keys and the database are shared, so the token
  is decrypted and checked here (``novalite.identity.validation``), no round trip;
* ``remote``: like keystonemiddleware, the service authenticates its own user and
  asks identity ``GET /v3/auth/tokens`` for each new token, caching the answer
  for ``token_cache_time`` seconds.

Paths in ``public_paths`` (version documents) are served without a token. A token
that is missing, expired, revoked or tampered with gets 401 and a
``WWW-Authenticate`` header naming identity, in the API's own fault format.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF


class TokenValidator(Protocol):
    def validate(self, token: str) -> RequestContext:
        """Return the context of a valid token or raise ``NotAuthenticated``."""
        ...


def context_from_token_body(token: dict[str, Any], auth_token: str,
                            request_id: str | None = None) -> RequestContext:
    """Build a context from a Keystone ``{"token": ...}`` body (local or remote)."""
    user = token.get("user") or {}
    project = token.get("project") or {}
    domain = token.get("domain") or {}
    values: dict[str, Any] = {
        "user_id": user.get("id"),
        "user_name": user.get("name"),
        "user_domain_id": (user.get("domain") or {}).get("id"),
        "project_id": project.get("id"),
        "project_name": project.get("name"),
        "project_domain_id": (project.get("domain") or {}).get("id"),
        "domain_id": domain.get("id"),
        "roles": [role["name"] for role in token.get("roles", [])],
        "auth_token": auth_token,
        "service_catalog": token.get("catalog", []),
        "system_scope": "all" if (token.get("system") or {}).get("all") else None,
    }
    if request_id:
        values["request_id"] = request_id
    return RequestContext(**values)


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


class RemoteValidator:
    """Validates tokens against the identity API with a service user's token."""

    def __init__(self, auth_url: str | None = None) -> None:
        self.auth_url = (auth_url or CONF.keystone_authtoken.auth_url or "").rstrip("/")
        self._service = ServiceAuth("keystone_authtoken", self.auth_url)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[dict[str, Any], float]] = {}

    def _get_service_token(self) -> str:
        return self._service.token()

    def validate(self, token: str) -> RequestContext:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.time()
        with self._lock:
            cached = self._cache.get(key)
        if cached and cached[1] > now:
            return context_from_token_body(cached[0], token)
        response = requests.get(
            f"{self.auth_url}/v3/auth/tokens",
            headers={"X-Auth-Token": self._get_service_token(), "X-Subject-Token": token},
            timeout=30)
        if response.status_code != 200:
            raise exception.NotAuthenticated()
        body = response.json()["token"]
        with self._lock:
            if len(self._cache) > 10000:
                self._cache.clear()
            self._cache[key] = (body, now + CONF.keystone_authtoken.token_cache_time)
        return context_from_token_body(body, token)


def default_validator() -> TokenValidator:
    if CONF.keystone_authtoken.validation == "remote":
        return RemoteValidator()
    from novalite.identity.validation import LocalValidator  # shared keys and database

    return LocalValidator()


class AuthMiddleware:
    """WSGI middleware: 401 without a valid token, else the context in the environ."""

    def __init__(self, app: Callable[..., Iterable[bytes]], fault_body: wsgi.FaultBody,
                 validator: TokenValidator | None = None,
                 public_paths: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.fault_body = fault_body
        self.validator = validator or default_validator()
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
