"""What the network service tells the compute API, as Neutron's nova notifier does: a
floating IP associated with or taken from a server's port is a ``network-changed``
event for that server (tagged with the port), and the server's compute node reads its
ports again into the info cache, so the server shows the address. Sent as the
``[nova]`` service user (the events API is a service's), after the answer (a thread),
so a slow or absent compute API never holds up the network API."""

from __future__ import annotations

import logging
import threading
from typing import Any

from novalite.common import exception
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF
from novalite.identity.client import ServiceAuth
from novalite.network import store

LOG = logging.getLogger(__name__)


class ComputeEvents(ServiceClient):
    service_type = "compute"
    service_name = "compute service"
    version = "/v2.1"

    def fallback_endpoint(self) -> str | None:
        return f"http://{CONF.public_host}:{CONF.osapi_compute_listen_port}"


def _events(port_ids: list[str | None]) -> list[dict[str, Any]]:
    events = []
    for port_id in dict.fromkeys(p for p in port_ids if p):
        port = store.get_port(port_id)
        if port and port.get("device_id") and str(port.get("device_owner") or "").startswith(
                "compute:"):
            events.append({"name": "network-changed", "server_uuid": port["device_id"],
                           "tag": port_id})
    return events


def _send(events: list[dict[str, Any]]) -> None:
    try:
        ComputeEvents(service_user=ServiceAuth.for_group("nova")).post_json(
            "/os-server-external-events", {"events": events})
    except exception.NovaliteException as error:
        LOG.warning("could not tell the compute API of changed ports %s: %s",
                    ", ".join(e["tag"] for e in events), error)


def ports_changed(port_ids: list[str | None]) -> None:
    """Tell the compute API about the servers of ``port_ids`` (other ports are left)."""
    if not CONF.nova.password:
        return
    events = _events(port_ids)
    if events:
        threading.Thread(target=_send, args=(events,), name="nova-notifier",
                         daemon=True).start()
