"""ConsoleAuthToken: one console session's authorization (stored as a hash only).

The compute node describes where a console is (``host``, ``port``, the proxy URL base
of its type); the API process makes the token and stores its SHA-256 with that
(``novalite.db.console_auth_tokens``); a proxy hashes the token a browser presents
and asks the conductor for the record. The token itself never crosses RPC.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime
import hashlib
import urllib.parse

from novalite.objects.base import NovaliteObject


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleAuthToken(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    #: the token itself: set only on the object handed to the user, never stored
    token: str | None = None
    token_hash: str = ""
    #: novnc, spice-html5, serial, xvpvnc
    console_type: str = ""
    host: str = ""
    port: int = 0
    internal_access_path: str | None = None
    instance_uuid: str = ""
    access_url_base: str | None = None
    expires: datetime.datetime | None = None

    @property
    def access_url(self) -> str:
        """The URL handed to the user: novnc carries the token inside noVNC's ``path``
        parameter (noVNC >= 1.1 builds its WebSocket URL from it), the others as
        ``?token=``."""
        base = self.access_url_base or ""
        if self.console_type == "novnc":
            query = urllib.parse.urlencode({"path": f"?token={self.token}"})
        else:
            query = urllib.parse.urlencode({"token": self.token})
        return f"{base}{'&' if '?' in base else '?'}{query}"
