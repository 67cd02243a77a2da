"""What nova-novncproxy checks before a session, as pure functions: where the token
is, and whether the browser's Origin may use it."""

from __future__ import annotations

import http.cookies
import logging
import urllib.parse
from collections.abc import Iterable

from novalite.common import exception
from novalite.console.http import Request

LOG = logging.getLogger(__name__)


class OriginRefused(exception.Forbidden):
    msg_fmt = "%(detail)s"


def token_of(request: Request) -> str:
    """``token`` from the query of the request path, else from the ``token`` cookie
    (noVNC's old convention, still spice-html5's); '' when neither has one."""
    token = (request.query.get("token") or [""])[-1]
    if token:
        return token
    cookie_header = request.header("cookie")
    if not cookie_header:
        return ""
    for part in cookie_header.split(";"):
        cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        try:
            cookie.load(part.strip())
        except http.cookies.CookieError:
            LOG.warning("Found malformed cookie")  # its content is never logged
            continue
        if "token" in cookie:
            token = cookie["token"].value
    return token


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.split(":", 1)[0]


def check_origin(request: Request, access_url_base: str | None,
                 allowed_origins: Iterable[str]) -> None:
    """Nova's rule: no Origin header is a non-browser client (accepted); otherwise its
    host name must be the Host header's or in ``[console] allowed_origins``, and its
    scheme (or X-Forwarded-Proto) must match the token's URL base (ws=http, wss=https).
    """
    origin = request.header("origin")
    if origin is None:
        return
    parsed = urllib.parse.urlsplit(origin)
    scheme = request.header("x-forwarded-proto") or parsed.scheme
    if not parsed.hostname or not scheme:
        raise OriginRefused(detail="Origin header not valid.")
    expected = {*allowed_origins, _host_name(request.header("host") or "")}
    if parsed.hostname not in expected:
        raise OriginRefused(detail="Origin header does not match this host.")
    base_scheme = urllib.parse.urlsplit(access_url_base or "").scheme
    schemes = {base_scheme, {"ws": "http", "wss": "https"}.get(base_scheme, base_scheme)}
    if scheme not in schemes:
        raise OriginRefused(detail="Origin header protocol does not match this host.")
