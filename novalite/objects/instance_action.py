"""InstanceAction and InstanceActionEvent: the action log of an instance.

Version history (both):
  1.0 - Initial version
"""

from __future__ import annotations

import datetime

from novalite.objects.base import NovaliteObject


class InstanceAction(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    action: str = ""
    instance_uuid: str = ""
    request_id: str = ""
    user_id: str | None = None
    project_id: str | None = None
    start_time: datetime.datetime | None = None
    finish_time: datetime.datetime | None = None
    message: str | None = None


class InstanceActionEvent(NovaliteObject):
    VERSION = "1.0"

    instance_uuid: str = ""
    #: the request the event belongs under (its action's request id)
    request_id: str = ""
    event: str = ""
    host: str | None = None
    #: None while running, then Success or Error
    result: str | None = None
    traceback: str | None = None
    details: str | None = None
    start_time: datetime.datetime | None = None
    finish_time: datetime.datetime | None = None
