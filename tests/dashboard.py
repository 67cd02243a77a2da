"""The dashboard on an ephemeral port beside the in-process ``cloud``, and a signed-in
``requests`` session against it (functional tests; the browser tests reuse the server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from novalite.common import wsgi

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Dashboard(str):
    """The dashboard's URL, with its application (its session store) at ``app``."""

    app: Any


@pytest.fixture
def dashboard(cloud, conf) -> Iterator[Dashboard]:  # noqa: ANN001 - fixtures
    from novalite.dashboard.server import make_app

    conf.set_override("auth_url", f"{cloud['identity']}/v3", "dashboard")
    app = make_app()
    server = wsgi.Server("dashboard", app, "127.0.0.1", 0, threads=8)
    server.start()
    url = Dashboard(server.url)
    url.app = app
    yield url
    server.stop()
    conf.clear_override("auth_url", "dashboard")


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser(requests.Session):
    """A signed-in user of the dashboard: relative URLs, the page's CSRF token."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.token = ""

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("timeout", 60)
        return super().request(method, url, *args, **kwargs)

    def page(self, path: str) -> requests.Response:
        answer = self.get(path)
        found = _CSRF.search(answer.text)
        if found:
            self.token = found.group(1)
        return answer

    def submit(self, path: str, data: dict[str, object] | None = None,
               **kwargs: object) -> requests.Response:
        body = {"csrf_token": self.token, **(data or {})}
        return self.post(path, data=body, **kwargs)  # type: ignore[arg-type]


def sign_in(base: str, user: str, password: str, domain: str = "Default") -> Browser:
    browser = Browser(base)
    form = browser.page("/login")
    assert form.status_code == 200
    answer = browser.submit("/login", {"domain": domain, "username": user,
                                       "password": password})
    assert answer.status_code == 200, answer.text
    assert answer.url.endswith("/instances"), answer.url
    browser.page("/instances")
    return browser
