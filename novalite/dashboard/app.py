"""The dashboard's WSGI application: sessions, CSRF, security headers, routing, and the
rendering of pages (Jinja2, autoescaped). The pages themselves live in ``pages_*``."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
import webob
import webob.exc

from novalite.common import exception, policy
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.dashboard import clients
from novalite.dashboard.sessions import COOKIE, Session, SessionStore

LOG = logging.getLogger(__name__)

LOGIN_CSRF_COOKIE = "novalite_login_csrf"
#: largest request body but an image upload's (a form is a few KiB)
MAX_FORM_BYTES = 1024 * 1024
#: longest form field kept (user data is larger: it has its own bound in the launch page)
MAX_FIELD = 4096
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml"}


class Ui:
    """One request as a page handler sees it: the form, the session, the APIs as the
    signed-in user, policy checks and rendering."""

    def __init__(self, app: DashboardApp, request: webob.Request,
                 session: Session | None) -> None:
        self.app = app
        self.request = request
        self.session = session
        self.frame_origins: set[str] = set()
        self._clients: clients.Clients | None = None

    # --- who ---------------------------------------------------------------------------

    @property
    def ctxt(self) -> RequestContext:
        assert self.session is not None
        return self.session.context

    @property
    def api(self) -> clients.Clients:
        if self._clients is None:
            self._clients = clients.Clients(self.ctxt)
        return self._clients

    def can(self, action: str, target: dict[str, Any] | None = None) -> bool:
        """Whether the policy lets the user do ``action`` (what buttons to show; the API
        stays the authority)."""
        return self.session is not None and self.session.token is not None and policy.check(
            self.ctxt, action, target)

    # --- input -------------------------------------------------------------------------

    def field(self, name: str, limit: int = MAX_FIELD) -> str:
        value = self.request.POST.get(name) if self.request.method == "POST" else None
        if value is None:
            value = self.request.GET.get(name, "")
        if not isinstance(value, str):
            return ""
        if len(value) > limit:
            raise exception.Invalid(reason=f"the field '{name}' is longer than {limit}")
        return value.strip() if name != "user_data" else value

    def fields(self, name: str) -> list[str]:
        values = self.request.POST.getall(name) if self.request.method == "POST" else []
        return [value[:255] for value in values[:50] if isinstance(value, str) and value]

    # --- output ------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values: Any) -> webob.Response:
        page = self.app.templates.get_template(template)
        session = self.session
        text = page.render(ui=self, session=session, csrf=session.csrf if session else "",
                           flashes=session.take_flashes() if session else [], **values)
        return webob.Response(text, status=status, content_type="text/html",
                              charset="utf-8")

    def redirect(self, location: str) -> webob.Response:
        if not location.startswith("/") or location.startswith("//") or "\\" in location:
            location = "/"  # only this site's own paths (no //host, no /\host)
        return webob.exc.HTTPSeeOther(location=location)

    def flash(self, kind: str, text: str) -> None:
        if self.session is not None:
            self.session.flash(kind, text)

    def allow_frame(self, url: str) -> None:
        """Let the page embed ``url``'s origin (a console proxy) in an iframe."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            self.frame_origins.add(f"{parts.scheme}://{parts.netloc}")


Handler = Callable[..., webob.Response]


class Route:
    def __init__(self, method: str, template: str, handler: Handler, *,
                 public: bool = False) -> None:
        self.method = method
        parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name ...
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+?)"
                        for i, part in enumerate(parts))
        self.pattern = re.compile(f"^{regex}$")
        self.handler = handler
        self.public = public


class DashboardApp:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)
        self.sessions = SessionStore(CONF.dashboard.session_timeout,
                                     CONF.dashboard.max_sessions)
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("novalite.dashboard", "templates"),
            autoescape=True, trim_blocks=True, lstrip_blocks=True,
            # API bodies leave optional keys out (a fault, a key name): missing is empty
            undefined=jinja2.ChainableUndefined)
        self.templates.filters["mib"] = _mib
        self.templates.filters["gib"] = _gib
        self.static = resources.files("novalite.dashboard").joinpath("static")

    def transport_limit(self) -> int:
        return int(CONF.dashboard.max_upload_mib) * 1024 * 1024 + 65536

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        request = webob.Request(environ)
        response = self.respond(request)
        secure(response, request)
        return response(environ, start_response)

    def respond(self, request: webob.Request) -> webob.Response:
        path = request.path_info
        if path.startswith("/static/"):
            return self.static_file(path[len("/static/"):])
        found: tuple[Route, dict[str, str]] | None = None
        methods: set[str] = set()
        for route in self.routes:
            match = route.pattern.match(path)
            if match:
                methods.add(route.method)
                if route.method == request.method or (
                        route.method == "GET" and request.method == "HEAD"):
                    found = (route, match.groupdict())
                    break
        session = self.sessions.get(request.cookies.get(COOKIE))
        ui = Ui(self, request, session)
        if (request.content_length or 0) > MAX_FORM_BYTES and path != "/images":
            return ui.render("error.html", status=413, title="Too large",
                             text="The form is larger than this page accepts.")
        if found is None:
            if methods:
                return webob.exc.HTTPMethodNotAllowed(headers={"Allow": ", ".join(methods)})
            return ui.render("error.html", status=404, title="Not found",
                             text="There is no such page.")
        route, params = found
        if not route.public:
            if session is None:
                if path.endswith(".json"):
                    return webob.Response(json_body={"error": "signed out"}, status=401)
                return ui.redirect("/login?next=" + _quote_next(request.path_qs))
            sent = request.POST.get("csrf_token") if request.method == "POST" else None
            if request.method == "POST" and not session.csrf_ok(
                    sent if isinstance(sent, str) else None):
                return ui.render("error.html", status=403, title="Refused",
                                 text="The form's CSRF token is missing or wrong: "
                                      "reload the page and try again.")
        try:
            response = route.handler(ui, **params)
        except exception.NotAuthenticated:
            # the token was revoked or expired: the session is over
            if session is not None:
                self.sessions.drop(session.id)
            response = ui.redirect("/login")
            response.delete_cookie(COOKIE, path="/")
        except (exception.Forbidden, exception.NotFound) as error:
            response = ui.render("error.html", status=error.code,
                                 title="Not allowed" if error.code == 403 else "Not found",
                                 text=clients.message(error))
        except exception.NovaliteException as error:
            status = error.code if 400 <= error.code < 600 else 500
            response = ui.render("error.html", status=status, title="The request failed",
                                 text=clients.message(error))
        except Exception:
            LOG.exception("dashboard page %s %s failed", request.method, path)
            response = ui.render("error.html", status=500, title="Something went wrong",
                                 text="The dashboard failed to build this page.")
        response.headers.setdefault("Cache-Control", "no-store")
        if ui.frame_origins:
            response.headers["X-Dashboard-Frames"] = " ".join(sorted(ui.frame_origins))
        return response

    def static_file(self, name: str) -> webob.Response:
        suffix = name[name.rfind("."):] if "." in name else ""
        if not re.fullmatch(r"[a-z0-9_-]+\.[a-z]+", name) or suffix not in _STATIC_TYPES:
            return webob.Response("not found", status=404, content_type="text/plain")
        item = self.static.joinpath(name)
        if not item.is_file():
            return webob.Response("not found", status=404, content_type="text/plain")
        response = webob.Response(item.read_bytes(), content_type=_STATIC_TYPES[suffix])
        response.charset = None
        response.headers["Content-Type"] = _STATIC_TYPES[suffix]
        response.headers["Cache-Control"] = "max-age=300"
        return response


def secure(response: webob.Response, request: webob.Request) -> None:
    """The headers of every answer: a CSP without inline scripts (frames only from the
    console proxies a page named), no framing of the dashboard, no sniffing."""
    frames = response.headers.pop("X-Dashboard-Frames", None)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors 'none'; frame-src {frames or chr(39) + 'none' + chr(39)}")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"


def https(request: webob.Request) -> bool:
    return bool(CONF.dashboard.secure_cookies) or request.scheme == "https"


def set_session_cookie(response: webob.Response, request: webob.Request, value: str,
                       name: str = COOKIE, max_age: int | None = None) -> None:
    response.set_cookie(name, value, path="/", httponly=True, samesite="strict",
                        secure=https(request), max_age=max_age)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def _quote_next(path: str) -> str:
    from urllib.parse import quote

    return quote(path[:500], safe="")


def _mib(value: Any) -> str:
    try:
        mib = int(value)
    except (TypeError, ValueError):
        return "-"
    return f"{mib / 1024:g} GiB" if mib >= 1024 else f"{mib} MiB"


def _gib(value: Any) -> str:
    try:
        return f"{int(value)} GiB"
    except (TypeError, ValueError):
        return "-"
