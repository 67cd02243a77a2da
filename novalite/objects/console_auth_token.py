"""ConsoleAuthToken: one console session's authorization (stored as a hash only).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime

from novalite.objects.base import NovaliteObject


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
