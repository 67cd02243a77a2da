"""Signing in and out, and switching project."""

from __future__ import annotations

from urllib.parse import unquote

import webob

from novalite.common import exception
from novalite.dashboard import clients
from novalite.dashboard.app import LOGIN_CSRF_COOKIE, Route, Ui, new_login_csrf, set_session_cookie
from novalite.dashboard.sessions import COOKIE, Session


def _next(ui: Ui) -> str:
    target = unquote(ui.field("next", 500))
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if safe else "/instances"


def login_form(ui: Ui, error: str = "", status: int = 200) -> webob.Response:
    # one token per browser (double-submit: the cookie and the form must agree), kept
    # while it lasts so that two sign-in tabs do not undo each other
    kept = ui.request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = kept if 20 <= len(kept) <= 64 and kept.replace("-", "").replace(
        "_", "").isalnum() else new_login_csrf()
    response = ui.render("login.html", status=status, login_csrf=token, error=error,
                         next=_next(ui), domain=ui.field("domain", 255) or "Default",
                         username=ui.field("username", 255))
    set_session_cookie(response, ui.request, token, name=LOGIN_CSRF_COOKIE, max_age=3600)
    return response


def login(ui: Ui) -> webob.Response:
    sent = ui.request.POST.get("csrf_token")
    expected = ui.request.cookies.get(LOGIN_CSRF_COOKIE)
    if not sent or not expected or sent != expected:
        return login_form(ui, "The form expired: sign in again.", status=403)
    domain, user = ui.field("domain", 255) or "Default", ui.field("username", 255)
    password = ui.request.POST.get("password", "")
    if not isinstance(password, str) or not user or not password or len(password) > 4096:
        return login_form(ui, "Enter a user name and a password.", status=400)
    keystone = clients.keystone()
    try:
        token, body = keystone.password(domain, user, password)
    except (exception.NotAuthenticated, exception.Invalid, exception.NotFound,
            exception.Forbidden):
        return login_form(ui, "The user name or password is wrong.", status=401)
    projects = clients.keystone(token).projects()
    if not body.get("project") and projects:
        token_scoped, body = keystone.rescope(token, projects[0]["id"])
        session, dropped = ui.app.sessions.create(token, body)
        session.token = token_scoped
    else:
        session, dropped = ui.app.sessions.create(token, body)
    session.projects = sorted(projects, key=lambda p: str(p.get("name")))
    for old in dropped:
        revoke(old)
    if ui.session is not None:  # a new sign-in in the same browser replaces the old one
        ended = ui.app.sessions.drop(ui.session.id)
        if ended is not None:
            revoke(ended)
    response = ui.redirect(_next(ui))
    set_session_cookie(response, ui.request, session.id)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def revoke(session: Session) -> None:
    """Revoke a session's tokens (each with itself: a user may always revoke its own)."""
    for token in {session.login_token, session.token}:
        if token:
            try:
                clients.keystone(token).revoke(token)
            except exception.NovaliteException:
                pass  # already invalid or identity unreachable: the session ends anyway


def logout(ui: Ui) -> webob.Response:
    assert ui.session is not None
    ended = ui.app.sessions.drop(ui.session.id)
    if ended is not None:
        revoke(ended)
    ui.session = None
    response = ui.redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


def switch_project(ui: Ui) -> webob.Response:
    session = ui.session
    assert session is not None
    project_id = ui.field("project_id", 64)
    if project_id not in {str(p.get("id")) for p in session.projects}:
        ui.flash("error", "You have no role on that project.")
        return ui.redirect("/instances")
    token, body = clients.keystone(session.login_token).rescope(session.login_token,
                                                                 project_id)
    old = session.token
    session.token, session.body = token, body
    if old and old != session.login_token:
        try:
            clients.keystone(old).revoke(old)
        except exception.NovaliteException:
            pass
    ui.flash("info", f"Project: {body.get('project', {}).get('name', project_id)}")
    return ui.redirect("/instances")


def index(ui: Ui) -> webob.Response:
    return ui.redirect("/instances" if ui.session else "/login")


ROUTES = [
    Route("GET", "/", index, public=True),
    Route("GET", "/login", login_form, public=True),
    Route("POST", "/login", login, public=True),
    Route("POST", "/logout", logout),
    Route("POST", "/project", switch_project),
]
