"""Keystone APIs novalite's identity service does not implement, answered 501 Not
Implemented with a sentence saying what is missing (not a bare 404), before routing.

Out of scope by design (docs/design.md): federation, OAuth1/OAuth2, LDAP and the other
domain-specific identity backends, TOTP; not built yet: trusts, inherited role
assignments (OS-INHERIT), endpoint policies.
"""

from __future__ import annotations

import re

_REFUSED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message) for pattern, message in (
        (r"^/v3/(auth/)?OS-FEDERATION(/|$)|^/v3/auth/saml2",
         "Federation (identity providers, mappings, protocols, service providers, SAML) "
         "is not implemented by novalite's identity service."),
        (r"^/v3/OS-OAUTH1(/|$)|^/v3/users/[^/]+/OS-OAUTH1(/|$)",
         "OAuth1 (consumers, request and access tokens) is not implemented by novalite's "
         "identity service."),
        (r"^/v3/OS-OAUTH2(/|$)",
         "OAuth2 client credentials are not implemented by novalite's identity service."),
        (r"^/v3/domains/(config|[^/]+/config)(/|$)",
         "Domain-specific configuration (LDAP and other identity backends) is not "
         "implemented: novalite keeps every user in its SQL database."),
        (r"^/v3/OS-TRUST(/|$)",
         "Trusts (OS-TRUST) are not implemented by novalite's identity service."),
        (r"^/v3/OS-INHERIT(/|$)",
         "Inherited role assignments (OS-INHERIT) are not implemented by novalite's "
         "identity service."),
        (r"^/v3/(OS-ENDPOINT-POLICY|OS-SIMPLE-CERT|OS-PKI)(/|$)|^/v3/policies/[^/]+/OS-",
         "This Keystone extension is not implemented by novalite's identity service."),
    ))

TOTP_REFUSAL = ("Attempted to authenticate with an unsupported method: novalite's identity "
                "service does not implement TOTP.")


def refusal(path: str) -> str | None:
    """The 501 message for ``path``, or None when it is routed normally."""
    for pattern, message in _REFUSED:
        if pattern.match(path):
            return message
    return None
