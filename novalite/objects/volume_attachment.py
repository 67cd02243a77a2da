"""VolumeAttachment: a volume's attachment to an instance, as the volume API keeps it.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime
from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject


class VolumeAttachment(NovaliteObject):
    VERSION = "1.0"

    id: str = ""
    volume_id: str = ""
    instance_uuid: str = ""
    #: reserved, attaching, attached, detached
    attach_status: str = "reserved"
    attach_mode: str = "rw"
    mountpoint: str | None = None
    host: str | None = None
    connector: dict[str, str] = field(default_factory=dict)
    connection_info: dict[str, Any] = field(default_factory=dict)
    attached_at: datetime.datetime | None = None
    detached_at: datetime.datetime | None = None
