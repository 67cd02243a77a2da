"""HTTP client of the identity service (Keystone v3), and the service users built on it.

``IdentityClient`` issues password tokens and validates tokens (``GET
/v3/auth/tokens``, as keystonemiddleware does). ``ServiceAuth`` is a service user of
a configuration group (``[keystone_authtoken]`` for remote token validation,
``[neutron]`` for compute nodes binding ports): the ``TokenSource`` any other client
(``service_user=``) acts as.
"""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from novalite.common import exception
from novalite.common.context import RequestContext, context_from_token_body
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF

# A service user's token is reused this long (tokens live an hour by default).
_REUSE_SECONDS = 300


def own_identity_url() -> str:
    """This cloud's own identity API, for when neither the catalog nor a group says."""
    return f"http://{CONF.public_host}:{CONF.identity.listen_port}/v3"


class IdentityClient(ServiceClient):
    service_type = "identity"
    service_name = "identity service"
    version = "/v3"

    def fallback_endpoint(self) -> str | None:
        return own_identity_url()

    def password_token(self, username: str, password: str, user_domain_name: str,
                       project_name: str, project_domain_name: str
                       ) -> tuple[str, dict[str, Any]]:
        """(token, token body) of a project-scoped password authentication."""
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": username, "domain": {"name": user_domain_name},
                "password": password}}},
            "scope": {"project": {"name": project_name,
                                  "domain": {"name": project_domain_name}}}}}
        with self.request("POST", "/auth/tokens", json=body) as response:
            return response.headers["X-Subject-Token"], response.json()["token"]

    def validate_token(self, subject_token: str) -> dict[str, Any]:
        """The token body of a valid token; ``NotAuthenticated`` for any other (unknown,
        expired, revoked), as identity answers 404 for them."""
        try:
            with self.request("GET", "/auth/tokens",
                              headers={"X-Subject-Token": subject_token}) as response:
                return response.json()["token"]
        except (exception.NotFound, exception.Invalid, exception.Forbidden,
                exception.NotAuthenticated) as error:
            raise exception.NotAuthenticated() from error


class ServiceAuth:
    """A service user's token from password credentials in a config group (``auth_url``,
    ``username``, ``password``, ``project_name``, ``user_domain_name``,
    ``project_domain_name``), fetched once and reused for five minutes, or until a
    service rejects it (``invalidate``)."""

    _shared: ClassVar[dict[tuple[str, str, str, str], ServiceAuth]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, group: str, auth_url: str | None = None) -> None:
        self.group = group
        self.auth_url = (auth_url or getattr(CONF, group).auth_url
                         or own_identity_url()).rstrip("/")
        self._lock = threading.Lock()
        self._token: tuple[str, dict[str, Any], float] | None = None

    @classmethod
    def for_group(cls, group: str, auth_url: str | None = None) -> ServiceAuth:
        """The one service user of ``group`` in this process (its token is shared)."""
        opts = getattr(CONF, group)
        key = (group, auth_url or opts.auth_url or "", opts.username, opts.password)
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = cls(group, auth_url)
            return cls._shared[key]

    def _authenticate(self) -> tuple[str, dict[str, Any]]:
        with self._lock:
            if self._token and self._token[2] > time.time():
                return self._token[0], self._token[1]
        opts = getattr(CONF, self.group)
        try:
            token, body = IdentityClient(endpoint=self.auth_url).password_token(
                opts.username, opts.password, opts.user_domain_name, opts.project_name,
                opts.project_domain_name)
        except exception.ServiceUnavailable:
            raise
        except exception.NovaliteException:
            raise exception.NotAuthenticated(message="The service could not authenticate "
                                             f"to identity; check [{self.group}].") from None
        with self._lock:
            self._token = (token, body, time.time() + _REUSE_SECONDS)
        return token, body

    def token(self) -> str:
        return self._authenticate()[0]

    def context(self) -> RequestContext:
        """A request context acting as the service user (its roles and catalog)."""
        token, body = self._authenticate()
        return context_from_token_body(body, token)

    def invalidate(self) -> None:
        with self._lock:
            self._token = None
