"""Small WSGI toolkit shared by every HTTP service: routing, JSON, faults, a server.

Each API supplies a ``fault_body`` function because each OpenStack service words
its errors differently (Nova ``{"itemNotFound": {...}}``, Keystone ``{"error": {...}}``).
Handlers receive the request and the path parameters and return a ``Response``;
raising a ``NovaliteException`` produces the matching fault, and anything else a
500 with no traceback in the body.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import waitress.channel
import waitress.server
import waitress.task
import webob
import webob.exc

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.conf import CONF

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


class RequestTooLarge(exception.NovaliteException):
    msg_fmt = "Request is too large."
    code = 413


def bad_header(environ: dict[str, Any]) -> str | None:
    """The name of the first header whose value is not UTF-8 (WSGI gives them as latin-1
    text), else None."""
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            try:
                value.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return key.removeprefix("HTTP_").replace("_", "-").title()
    return None


class _LimitedInput:
    """``wsgi.input`` that raises ``RequestTooLarge`` past ``limit`` bytes (a body sent
    without a Content-Length is still bounded)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise RequestTooLarge()
        return data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self._count(self._stream.read(self._left + 1))
        return self._count(self._stream.read(min(size, self._left + 1)))

    def readline(self, size: int = -1) -> bytes:
        cap = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        return self._count(self._stream.readline(cap))

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


def max_body_size() -> int:
    return int(CONF.oslo_middleware.max_request_body_size)


class Guard:
    """What every API puts first: refuses, with the service's own fault, a path or a header
    that is not UTF-8 (400) and a body larger than ``[oslo_middleware]
    max_request_body_size`` (413, as oslo.middleware's sizelimit) unless ``unlimited``
    says the request may carry more (image data), up to ``unlimited_cap`` bytes."""

    def __init__(self, app: Callable[..., Iterable[bytes]],
                 fault: Callable[[int, str], webob.Response],
                 unlimited: Callable[[dict[str, Any]], bool] | None = None,
                 unlimited_cap: Callable[[], int] | None = None) -> None:
        self.app = app
        self.fault = fault
        self.unlimited = unlimited
        self.unlimited_cap = unlimited_cap

    def transport_limit(self) -> int:
        """The largest body the HTTP server should read at all."""
        limit = max_body_size()
        if self.unlimited is not None and self.unlimited_cap is not None:
            limit = max(limit, self.unlimited_cap())
        return limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if not path_is_utf8(environ):
            return self.fault(400, BAD_PATH)(environ, start_response)
        header = bad_header(environ)
        if header is not None:
            return self.fault(400, f"The request header {header} is not valid UTF-8."
                              )(environ, start_response)
        limit = max_body_size()
        if self.unlimited is not None and self.unlimited_cap is not None \
                and self.unlimited(environ):
            limit = max(limit, self.unlimited_cap())
        length = environ.get("CONTENT_LENGTH") or ""
        if length:
            try:
                declared = int(length)
            except ValueError:
                return self.fault(400, "The Content-Length header is not a number."
                                  )(environ, start_response)
            if declared > limit:
                return self.fault(413, RequestTooLarge.msg_fmt)(environ, start_response)
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _LimitedInput(environ["wsgi.input"], limit)
        return self.app(environ, start_response)


def guard(app: Callable[..., Iterable[bytes]], fault_body: FaultBody,
          unlimited: Callable[[dict[str, Any]], bool] | None = None,
          unlimited_cap: Callable[[], int] | None = None) -> Guard:
    """``Guard`` for an API whose faults are JSON ``fault_body`` documents."""
    return Guard(app, lambda code, message: fault_response(fault_body, code, message),
                 unlimited, unlimited_cap)


INTERNAL_ERROR = "An unexpected error prevented the server from fulfilling your request."


class RequestLog:
    """Logs one line per request: method, path, status, duration. Never a header.

    Whatever the application raises (before or while its body is sent) becomes a 500 in
    the API's fault format where that is still possible, and is logged with its line."""

    def __init__(self, app: Callable[..., Iterable[bytes]], name: str) -> None:
        self.app = app
        self.log = logging.getLogger(f"novalite.{name}.access")
        self.fault = getattr(app, "fault", None)

    def line(self, environ: dict[str, Any], status: str, started: float) -> None:
        if self.log.isEnabledFor(logging.INFO):
            path = environ.get("PATH_INFO", "")
            self.log.info("%s %s %s %.1fms", environ.get("REQUEST_METHOD"),
                          loggable_path(path.encode("latin-1", "backslashreplace")
                                        .decode("latin-1"))
                          if isinstance(path, str) else path, status.split()[0] if status
                          else "-", (time.monotonic() - started) * 1000)

    def _error(self, environ: dict[str, Any], start_response: Callable[..., Any]
               ) -> Iterable[bytes]:
        if self.fault is not None:
            return self.fault(500, INTERNAL_ERROR)(environ, start_response)  # type: ignore[no-any-return]
        body = json.dumps({"error": {"code": 500, "message": INTERNAL_ERROR}}).encode()
        start_response("500 Internal Server Error", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            sys.exc_info())
        return [body]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        started = time.monotonic()
        status_holder: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_holder[:] = [status]
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, capture)
        except Exception:
            LOG.exception("Unexpected error handling %s %s", environ.get("REQUEST_METHOD"),
                          loggable_path(environ.get("PATH_INFO") or ""))
            result = self._error(environ, capture)
        if isinstance(result, list):
            self.line(environ, status_holder[0] if status_holder else "", started)
            return result
        return self._logged_iter(result, environ, status_holder, started)

    def _logged_iter(self, result: Iterable[bytes], environ: dict[str, Any],
                     status_holder: list[str], started: float) -> Iterator[bytes]:
        """A streamed body (image data): the line once it is sent or broken off."""
        status = status_holder[0] if status_holder else ""
        try:
            yield from result
        except Exception:
            LOG.exception("Error streaming the answer to %s %s",
                          environ.get("REQUEST_METHOD"),
                          loggable_path(environ.get("PATH_INFO") or ""))
            status = "500 (broken off)"
            raise
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            self.line(environ, status, started)


class _ErrorTask(waitress.task.ErrorTask):
    """Waitress's own refusals (a body past the limit, a malformed request line or
    headers) in the API's fault format, logged like every other request."""

    def execute(self) -> None:
        request_log: RequestLog | None = getattr(self.channel, "request_log", None)
        fault = request_log.fault if request_log is not None else None
        request: Any = self.request  # waitress's HTTPRequestParser (typed as its Error)
        error = request.error
        started = time.monotonic()
        if request_log is not None:  # first: the answer may reach the client at once
            request_log.line({"REQUEST_METHOD": request.command or "-",
                              "PATH_INFO": request.path or "-"}, str(error.code), started)
        if fault is None:
            super().execute()
            return
        code = int(error.code)
        message = RequestTooLarge.msg_fmt if code == 413 else str(error.body)
        response = fault(code, message)
        self.status = response.status
        headers: Any = self.response_headers
        headers.extend((k, v) for k, v in response.headerlist if k.lower() != "content-length")
        self.set_close_on_finish()
        self.content_length = len(response.body)
        self.write(response.body)


class _Channel(waitress.channel.HTTPChannel):
    error_task_class = _ErrorTask
    request_log: RequestLog | None = None


class Server:
    """A threaded HTTP server (waitress) for one WSGI application."""

    def __init__(self, name: str, app: Callable[..., Iterable[bytes]], host: str, port: int,
                 threads: int = 8) -> None:
        self.name = name
        self.host = host
        self.port = port
        transport_limit = getattr(app, "transport_limit", None)
        limit = transport_limit() if transport_limit is not None else max_body_size()
        request_log = RequestLog(app, name)
        self._server = waitress.server.create_server(
            request_log, host=host, port=port, threads=threads, ident="novalite",
            clear_untrusted_proxy_headers=True, expose_tracebacks=False,
            max_request_body_size=limit)
        self._server.channel_class = type(  # type: ignore[union-attr]
            "Channel", (_Channel,), {"request_log": request_log})
        self.port = self._server.effective_port  # type: ignore[union-attr]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"wsgi-{self.name}",
                                        daemon=True)
        self._thread.start()
        LOG.info("%s listening on %s", self.name, self.url)

    def _run(self) -> None:
        """Waitress's loop, until no socket is left; ``stop`` closes sockets from another
        thread, so a select may see one closed under it (EBADF): it goes round again."""
        server: Any = self._server
        while server._map:
            try:
                server.asyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=server._map,
                                     use_poll=server.adj.asyncore_use_poll)
            except OSError as error:
                if error.errno != errno.EBADF:
                    raise

    def stop(self) -> None:
        """Stop accepting, let the requests in flight finish, then drop idle keep-alive
        connections (the server loop only ends once no connection is left)."""
        self._server.close()
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=30)
        for channel in list(self._server._map.values()):  # type: ignore[union-attr]
            channel.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
