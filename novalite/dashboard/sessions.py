"""Server-side sessions: the browser holds only a random id (the cookie); the Keystone
tokens, the user and the CSRF token stay here. Bounded in number and in time; a session
never outlives its token."""

from __future__ import annotations

import dataclasses
import datetime
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

from novalite.common.context import RequestContext

COOKIE = "novalite_session"


@dataclasses.dataclass
class Session:
    id: str
    csrf: str
    #: the sign-in token (rescoped from on a project switch; revoked on sign-out)
    login_token: str
    #: the project-scoped token every API call carries (None while unscoped)
    token: str | None
    body: dict[str, Any]
    expires: float
    projects: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: one-shot messages for the next page (an action's outcome, a private key)
    flashes: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    secret_download: tuple[str, str] | None = None

    @property
    def context(self) -> RequestContext:
        from novalite.common.context import context_from_token_body

        return context_from_token_body(self.body, self.token or self.login_token)

    @property
    def user_name(self) -> str:
        return str((self.body.get("user") or {}).get("name", ""))

    @property
    def project(self) -> dict[str, Any]:
        return dict(self.body.get("project") or {})

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, sent or "")

    def flash(self, kind: str, text: str) -> None:
        self.flashes.append((kind, text[:500]))
        del self.flashes[:-5]

    def take_flashes(self) -> list[tuple[str, str]]:
        taken, self.flashes = self.flashes, []
        return taken


def token_expiry(body: dict[str, Any]) -> float:
    """The epoch second a Keystone token body says it expires (now + 1 h if unsaid)."""
    expires = body.get("expires_at")
    if isinstance(expires, str):
        try:
            return datetime.datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return time.time() + 3600


class SessionStore:
    def __init__(self, timeout: int, limit: int) -> None:
        self.timeout = timeout
        self.limit = limit
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(self, login_token: str, body: dict[str, Any]) -> tuple[Session, list[Session]]:
        """A new session, and the sessions dropped to stay within the limit (their tokens
        are the caller's to revoke)."""
        expires = min(time.time() + self.timeout, token_expiry(body))
        session = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32),
                          login_token=login_token,
                          token=login_token if body.get("project") else None,
                          body=body, expires=expires)
        with self._lock:
            self._sessions[session.id] = session
            dropped = []
            while len(self._sessions) > self.limit:
                dropped.append(self._sessions.popitem(last=False)[1])
        return session, dropped

    def get(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 100:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires <= time.time():
                del self._sessions[session_id]
                return None
            return session

    def drop(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)
