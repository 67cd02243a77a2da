"""What the volume service tells the compute API: an attached volume grew
(``os-server-external-events`` ``volume-extended``, as Cinder does), so the guest sees
its new size. Sent as the ``[nova]`` service user (the events API is an admin's)."""

from __future__ import annotations

import logging
from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF
from novalite.identity.client import ServiceAuth

LOG = logging.getLogger(__name__)


class ComputeEvents(ServiceClient):
    service_type = "compute"
    service_name = "compute service"
    version = "/v2.1"

    def fallback_endpoint(self) -> str | None:
        return f"http://{CONF.public_host}:{CONF.osapi_compute_listen_port}"

    def send(self, events: list[dict[str, Any]]) -> Any:
        return self.post_json("/os-server-external-events", {"events": events})


def volume_extended(ctxt: RequestContext, volume: dict[str, Any], servers: list[str]) -> None:
    """Tell the servers ``volume`` is attached to that it has its new size."""
    if not servers:
        return
    if not CONF.nova.password:
        LOG.warning("volume %s grew while attached, but [nova] password is unset: the "
                    "guests are not told", volume["id"])
        return
    events = [{"name": "volume-extended", "server_uuid": server, "tag": volume["id"]}
              for server in servers]
    try:
        ComputeEvents(service_user=ServiceAuth.for_group("nova")).send(events)
    except exception.NovaliteException as error:
        LOG.warning("could not tell the compute API that volume %s grew: %s", volume["id"],
                    error)
