"""Small WSGI toolkit shared by every HTTP service: routing, JSON, faults, a server.

Each API supplies a ``fault_body`` function because each OpenStack service words
its errors differently (Nova ``{"itemNotFound": {...}}``, Keystone ``{"error": {...}}``).
Handlers receive the request and the path parameters and return a ``Response``;
raising a ``NovaliteException`` produces the matching fault, and anything else a
500 with no traceback in the body.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import waitress.server
import webob
import webob.exc

from novalite.common import exception
from novalite.common.context import RequestContext

LOG = logging.getLogger(__name__)

CONTEXT_KEY = "novalite.context"

Handler = Callable[..., webob.Response]
FaultBody = Callable[[int, str], dict[str, Any]]

# Deeper JSON is refused before parsing: the decoder (and every walk over the result)
# recurses once per level, and a 100,000-deep array would end in RecursionError.
MAX_JSON_DEPTH = 100
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth_exceeds(data: bytes, limit: int) -> bool:
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKENS.finditer(data):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def parse_json(data: bytes | str) -> Any:
    """A request body's JSON; ``Invalid`` (400) for malformed or too deeply nested input."""
    raw = data.encode() if isinstance(data, str) else data
    if _json_depth_exceeds(raw, MAX_JSON_DEPTH):
        raise exception.Invalid(reason=f"Malformed request body: JSON nested deeper than "
                                       f"{MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise exception.Invalid(reason=f"Malformed request body: {error}") from None


class Request(webob.Request):
    @property
    def context(self) -> RequestContext:
        ctxt = self.environ.get(CONTEXT_KEY)
        if not isinstance(ctxt, RequestContext):
            raise exception.NotAuthenticated()
        return ctxt

    def json_body_dict(self, required: bool = True) -> dict[str, Any]:
        """The body as a JSON object, or a 400 that says what is wrong with it."""
        if not self.body:
            if required:
                raise exception.Invalid(reason="The request body is empty.")
            return {}
        body = parse_json(self.body)
        if not isinstance(body, dict):
            raise exception.Invalid(reason="The request body must be a JSON object.")
        return body


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> webob.Response:
    response = webob.Response(status=status, charset="UTF-8", content_type=content_type)
    if body is not None:
        response.body = json.dumps(body, default=_json_default).encode()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def empty_response(status: int = 204, headers: dict[str, str] | None = None) -> webob.Response:
    response = webob.Response(status=status)
    response.content_type = None
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_PARAM = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> re.Pattern[str]:
    pattern = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", template.rstrip("/") or "/")
    return re.compile(f"^{pattern}/?$")


class Router:
    """Routes ``METHOD /path/{param}`` to handlers; 404/405 for the rest."""

    def __init__(self, fault_body: FaultBody) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.fault_body = fault_body

    def add(self, method: str, template: str, handler: Handler) -> None:
        self._routes.append((method.upper(), _compile(template), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed: set[str] = set()
        for route_method, pattern, handler in self._routes:
            found = pattern.match(path)
            if found is None:
                continue
            if route_method == method or (method == "HEAD" and route_method == "GET"
                                          and "HEAD" not in allowed):
                return handler, found.groupdict()
            allowed.add(route_method)
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise exception.NotFound(message="The resource could not be found.")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if not path_is_utf8(environ):
            return fault_response(self.fault_body, 400, BAD_PATH)(environ, start_response)
        request = Request(environ)
        try:
            handler, params = self.match(request.method, request.path_info)
            response = handler(request, **params)
        except MethodNotAllowed as error:
            response = fault_response(self.fault_body, 405, "The method is not allowed "
                                      "for this resource.")
            response.headers["Allow"] = ", ".join(error.allowed)
        except exception.NovaliteException as error:
            response = fault_response(self.fault_body, error.code, error.message)
        except webob.exc.WSGIHTTPException as error:
            response = fault_response(self.fault_body, int(error.code),
                                      str(error.detail or error.title))
        except Exception:
            LOG.exception("Unexpected error handling %s %s", request.method,
                          loggable_path(request.path_info))
            response = fault_response(self.fault_body, 500, "An unexpected error prevented "
                                      "the server from fulfilling your request.")
        return response(environ, start_response)


class Route(NamedTuple):
    """One line of a route table: ``METHOD /path/{param}`` answered by ``handler``."""

    method: str
    path: str
    handler: Handler


def build_router(fault_body: FaultBody, *tables: Iterable[Route]) -> Router:
    """An API's router from its resource modules' ``ROUTES`` tables, in order (the
    first route that matches a path wins, so ``/x/detail`` comes before ``/x/{id}``)."""
    router = Router(fault_body)
    for table in tables:
        for route in table:
            router.add(route.method, route.path, route.handler)
    return router
BAD_PATH = "The request path is not valid UTF-8."


def path_is_utf8(environ: dict[str, Any]) -> bool:
    """WSGI gives the decoded path as latin-1 text; webob reads it as UTF-8."""
    try:
        environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return False
    return True


class MethodNotAllowed(Exception):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__("method not allowed")
        self.allowed = allowed


def fault_response(fault_body: FaultBody, code: int, message: str) -> webob.Response:
    return json_response(fault_body(code, message), status=code)


#: path segments that are credentials (a console token is its own authorization)
_SECRET_SEGMENTS = re.compile(r"(/os-console-auth-tokens/)[^/]+")


def loggable_path(path: str) -> str:
    """``path`` with credentials in it replaced by ``***`` (query strings are never
    logged at all)."""
    return _SECRET_SEGMENTS.sub(r"\1***", path)


class RequestLog:
    """Logs one line per request: method, path, status, duration. Never a header, a
    query string or a token in the path."""

    def __init__(self, app: Callable[..., Iterable[bytes]], name: str) -> None:
        self.app = app
        self.log = logging.getLogger(f"novalite.{name}.access")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        started = time.monotonic()
        status_holder: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_holder.append(status)
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if self.log.isEnabledFor(logging.INFO):
            self.log.info("%s %s %s %.1fms", environ.get("REQUEST_METHOD"),
                          loggable_path(environ.get("PATH_INFO") or ""),
                          status_holder[0].split()[0]
                          if status_holder else "-", (time.monotonic() - started) * 1000)
        return result


#: waitress's own default: a body of this size or more gets a bare 413
WAITRESS_BODY_LIMIT = 1073741824


class Server:
    """A threaded HTTP server (waitress) for one WSGI application."""

    def __init__(self, name: str, app: Callable[..., Iterable[bytes]], host: str, port: int,
                 threads: int = 8, max_request_body_size: int | None = None) -> None:
        """``max_request_body_size``: the largest body accepted (waitress refuses one of
        its default, 1 GiB, or more with a bare 413: too small for image uploads)."""
        self.name = name
        self.host = host
        self.port = port
        body_limit = (max_request_body_size + 1 if max_request_body_size is not None
                      else WAITRESS_BODY_LIMIT)
        self._server = waitress.server.create_server(
            RequestLog(app, name), host=host, port=port, threads=threads, ident="novalite",
            clear_untrusted_proxy_headers=True, expose_tracebacks=False,
            max_request_body_size=body_limit)
        self.port = self._server.effective_port  # type: ignore[union-attr]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.run, name=f"wsgi-{self.name}",
                                        daemon=True)
        self._thread.start()
        LOG.info("%s listening on %s", self.name, self.url)

    def stop(self) -> None:
        """Stop accepting, let the requests in flight finish, then drop idle keep-alive
        connections (the server loop only ends once no connection is left)."""
        self._server.close()
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=30)
        for channel in list(self._server._map.values()):  # type: ignore[union-attr]
            channel.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
