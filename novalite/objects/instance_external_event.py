"""InstanceExternalEvent: an event another service reports about an instance
(``POST /os-server-external-events``: a port plugged or changed, a volume extended).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from novalite.objects.base import NovaliteObject

#: the names microversion 2.1 accepts; 2.51, 2.76, 2.82 and 2.93 add one each
NAMES = ("network-changed", "network-vif-plugged", "network-vif-unplugged",
         "network-vif-deleted")
NAMES_SINCE = {"volume-extended": "2.51", "power-update": "2.76",
               "accelerator-request-bound": "2.82", "volume-reimaged": "2.93"}
STATUSES = ("failed", "completed", "in-progress")
#: events that make no sense without their ``tag`` (the volume, the power state ...)
TAG_REQUIRED = ("volume-extended", "power-update", "accelerator-request-bound",
                "volume-reimaged")


class InstanceExternalEvent(NovaliteObject):
    VERSION = "1.0"

    instance_uuid: str = ""
    name: str = ""
    status: str = "completed"
    #: the port, the volume, the power state ... the event is about
    tag: str | None = None
    #: the request under which the event was recorded (its instance action, if any)
    request_id: str | None = None
