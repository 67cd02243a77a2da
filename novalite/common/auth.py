"""The shared auth middleware: validates ``X-Auth-Token`` and puts the context on the request.

It sits in front of every API except identity's own token endpoints. The validator is
the application's to choose (``novalite.identity.validation.default_validator`` picks
the one ``[keystone_authtoken] validation`` names); this module knows no validator, so
the shared layer never imports identity.

Paths in ``public_paths`` (version documents) are served without a token. A token
that is missing, expired, revoked or tampered with gets 401 and a
``WWW-Authenticate`` header naming identity, in the API's own fault format. A token of
an application credential with access rules is accepted only for the requests the
rules allow on this API's ``service_type`` (as keystonemiddleware: an API that does
not say its type refuses such tokens).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from novalite.common import access_rules, exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF


class TokenValidator(Protocol):
    def validate(self, token: str) -> RequestContext:
        """Return the context of a valid token or raise ``NotAuthenticated``."""
        ...


class AuthMiddleware:
    """WSGI middleware: 401 without a valid token, else the context in the environ."""

    def __init__(self, app: Callable[..., Iterable[bytes]], fault_body: wsgi.FaultBody,
                 validator: TokenValidator,
                 public_paths: Callable[[str], bool] | None = None,
                 service_type: str | None = None) -> None:
        self.app = app
        self.fault_body = fault_body
        self.validator = validator
        self.public_paths = public_paths or (lambda path: False)
        self.service_type = service_type

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
        except exception.ServiceUnavailable as error:  # remote validation, identity down
            return wsgi.fault_response(self.fault_body, 503, error.message)(
                environ, start_response)
        if ctxt.access_rules is not None and not (
                self.service_type and access_rules.allows(
                    ctxt.access_rules, self.service_type, environ.get("REQUEST_METHOD", ""),
                    environ.get("PATH_INFO", ""))):
            return self._reject(environ, start_response,
                                "The token is not valid for this request: its application "
                                "credential's access rules do not allow it.")
        if environ.get("HTTP_X_OPENSTACK_REQUEST_ID"):
            ctxt.global_request_id = environ["HTTP_X_OPENSTACK_REQUEST_ID"]
        environ[wsgi.CONTEXT_KEY] = ctxt

        def add_request_id(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            headers.append(("X-OpenStack-Request-ID", ctxt.request_id))
            headers.append(("X-Compute-Request-Id", ctxt.request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, add_request_id)

    def _reject(self, environ: dict[str, Any], start_response: Callable[..., Any],
                message: str = "The request you have made requires authentication."
                ) -> Iterable[bytes]:
        response = wsgi.fault_response(self.fault_body, 401, message)
        uri = CONF.keystone_authtoken.www_authenticate_uri or CONF.keystone_authtoken.auth_url
        if uri:
            response.headers["WWW-Authenticate"] = f'Keystone uri="{uri}"'
        return response(environ, start_response)
