"""The base of every service's RPC client (its ``rpcapi.py``).

A subclass names its topic and the ``[upgrade_levels]`` option that caps the
version it sends, so a newer control plane keeps talking to older nodes: each
method asks ``can_send_version`` and falls back to the older message shape.
"""

from __future__ import annotations

import oslo_messaging as messaging

from novalite.common import rpc
from novalite.conf import CONF


class RPCAPIBase:
    TOPIC: str = ""
    #: the newest version this client knows how to send
    RPC_API_VERSION: str = "1.0"
    #: option in [upgrade_levels] that caps what is sent
    UPGRADE_LEVEL: str = ""

    def __init__(self, topic: str | None = None, version_cap: str | None = None) -> None:
        self.topic = topic or self.TOPIC
        if version_cap is None and self.UPGRADE_LEVEL:
            version_cap = getattr(CONF.upgrade_levels, self.UPGRADE_LEVEL)
        self.version_cap = version_cap
        target = messaging.Target(topic=self.topic, version=self.RPC_API_VERSION)
        self.client = rpc.get_client(target, version_cap=version_cap)

    def can_send_version(self, version: str) -> bool:
        return self.client.can_send_version(version)

    def prepare(self, **kwargs: object) -> messaging.RPCClient:
        return self.client.prepare(**kwargs)
