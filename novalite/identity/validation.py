"""Token validation for every API, as ``[keystone_authtoken] validation`` selects.

* ``local`` (default): other services share identity's Fernet key repository and
  database, so they validate a token with no round trip to identity: one decryption
  and two indexed queries (roles and the catalog come from short-lived per-process
  caches);
* ``remote``: like keystonemiddleware, the service authenticates its own user and asks
  identity ``GET /v3/auth/tokens`` for each new token, caching the answer for
  ``token_cache_time`` seconds.

Both are ``novalite.common.auth.TokenValidator``; the APIs put ``default_validator()``
in front of themselves.
"""

from __future__ import annotations

import hashlib
from typing import Any

from novalite.common import exception
from novalite.common.auth import TokenValidator
from novalite.common.cache import TTLCache
from novalite.common.context import RequestContext, context_from_token_body
from novalite.conf import CONF
from novalite.identity import tokens
from novalite.identity.client import IdentityClient, ServiceAuth


class LocalValidator:
    """Validates tokens over ``novalite.identity.tokens`` (shared keys and database)."""

    def __init__(self, include_catalog: bool = True) -> None:
        self.include_catalog = include_catalog

    def validate(self, token: str) -> RequestContext:
        try:
            body = tokens.validate(token, nocatalog=not self.include_catalog)
        except exception.NotAuthenticated:
            raise
        except exception.NovaliteException as error:
            raise exception.NotAuthenticated() from error
        return context_from_token_body(body, token)


class RemoteValidator:
    """Validates tokens against the identity API as the ``[keystone_authtoken]`` service
    user, caching each answer for ``token_cache_time`` seconds."""

    def __init__(self, auth_url: str | None = None) -> None:
        self.service_user = ServiceAuth("keystone_authtoken", auth_url)
        self.auth_url = self.service_user.auth_url
        self._cache: TTLCache[str, dict[str, Any]] = TTLCache(
            CONF.keystone_authtoken.token_cache_time, maxsize=10000)

    def validate(self, token: str) -> RequestContext:
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self._cache.get(key)
        if cached is not None:
            return context_from_token_body(cached, token)
        body = IdentityClient(endpoint=self.auth_url,
                              service_user=self.service_user).validate_token(token)
        self._cache.put(key, body, ttl=CONF.keystone_authtoken.token_cache_time)
        return context_from_token_body(body, token)


def default_validator() -> TokenValidator:
    """The validator ``[keystone_authtoken] validation`` selects."""
    if CONF.keystone_authtoken.validation == "remote":
        return RemoteValidator()
    return LocalValidator()
