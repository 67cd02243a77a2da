"""The identity WSGI application (Keystone v3 subset).

Authentication is routed here rather than by ``AuthMiddleware``: a valid
``X-Auth-Token`` puts the caller's context on the request, a missing or invalid
one leaves it off, and handlers that need a caller read ``request.context`` (a
401 without one). So the version documents and ``POST /v3/auth/tokens`` work
without a token. Every 401 carries ``WWW-Authenticate: Keystone uri="..."``.
Keystone APIs out of novalite's scope get 501 with a sentence (``unsupported``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import webob

from novalite.common import access_rules, exception, policy, wsgi
from novalite.identity import fernet
from novalite.identity.api import (
    app_creds,
    auth,
    catalog,
    common,
    credentials,
    endpoint_groups,
    grants,
    groups,
    implied_roles,
    limits,
    policy_blobs,
    projects,
    resources,
    unsupported,
)
from novalite.identity.validation import LocalValidator
from novalite.policies import identity as identity_policies


class IdentityApp:
    def __init__(self, router: wsgi.Router, validator: LocalValidator) -> None:
        self.router = router
        self.validator = validator

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        token = environ.get("HTTP_X_AUTH_TOKEN")
        environ.pop(wsgi.CONTEXT_KEY, None)
        if token:
            try:
                ctxt = self.validator.validate(token)
            except exception.NotAuthenticated:
                ctxt = None
            # an application credential's access rules apply to identity's API too
            if ctxt is not None and (ctxt.access_rules is None or access_rules.allows(
                    ctxt.access_rules, "identity", environ.get("REQUEST_METHOD", ""),
                    environ.get("PATH_INFO", ""))):
                environ[wsgi.CONTEXT_KEY] = ctxt

        refused = unsupported.refusal(environ.get("PATH_INFO", ""))
        if refused is not None:
            return wsgi.fault_response(common.fault_body, 501, refused)(environ,
                                                                       start_response)

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("401"):
                uri = webob.Request(environ).application_url
                headers.append(("WWW-Authenticate", f'Keystone uri="{uri}"'))
            return start_response(status, headers, exc_info)

        return self.router(environ, respond)


# The resource modules, in routing order (the first route that matches wins).
RESOURCE_MODULES = (auth, resources, projects, groups, implied_roles, grants, catalog,
                    endpoint_groups, policy_blobs, app_creds, credentials, limits)


def make_app() -> Callable[..., Iterable[bytes]]:
    """The identity WSGI application; creates the Fernet keys if there are none."""
    fernet.setup_keys()
    policy.register_rules(identity_policies.list_rules())
    return wsgi.guard(IdentityApp(make_router(), LocalValidator(include_catalog=False)),
                      common.fault_body)


def make_router() -> wsgi.Router:
    return wsgi.build_router(common.fault_body,
                             *(module.ROUTES for module in RESOURCE_MODULES))
