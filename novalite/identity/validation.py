"""Local token validation for every API: decrypt with the shared keys, check the database.

Other services share identity's Fernet key repository and database, so they
validate a token with no round trip to identity: one decryption and two indexed
queries (roles and the catalog come from short-lived per-process caches).
"""

from __future__ import annotations

from novalite.common import exception
from novalite.common.auth import context_from_token_body
from novalite.common.context import RequestContext
from novalite.identity import tokens


class LocalValidator:
    """``novalite.common.auth.TokenValidator`` over ``novalite.identity.tokens``."""

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
