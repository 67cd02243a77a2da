"""InstanceFault: why an instance went to ERROR (the newest one is shown).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime
from typing import Any

from novalite.objects.base import NovaliteObject


class InstanceFault(NovaliteObject):
    VERSION = "1.0"

    instance_uuid: str = ""
    code: int = 500
    message: str = ""
    details: str | None = None
    host: str | None = None
    created_at: datetime.datetime | None = None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> InstanceFault:
        return cls(instance_uuid=str(values.get("instance_uuid") or ""),
                   code=int(values.get("code") or 500), message=str(values.get("message") or ""),
                   details=values.get("details"), host=values.get("host"),
                   created_at=values.get("created_at"))
