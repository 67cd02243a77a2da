"""The base of every service's RPC client (its ``rpcapi.py``).

A subclass names its topic and the ``[upgrade_levels]`` option that caps the
version it sends, so a newer control plane keeps talking to older nodes: each
method asks ``can_send_version`` and falls back to the older message shape.

The cap may change while the process runs (``[upgrade_levels] compute = auto``
follows the oldest compute service): ``current_cap`` is asked before each message
and one oslo.messaging client is kept per cap.
"""

from __future__ import annotations

import threading

import oslo_messaging as messaging

from novalite.common import rpc
from novalite.conf import CONF


class RPCAPIBase:
    TOPIC: str = ""
    #: the newest version this client knows how to send
    RPC_API_VERSION: str = "1.0"
    #: option in [upgrade_levels] that caps what is sent
    UPGRADE_LEVEL: str = ""

    def __init__(self, topic: str | None = None, version_cap: str | None = None,
                 serializer: messaging.Serializer | None = None) -> None:
        self.topic = topic or self.TOPIC
        self._fixed_cap = version_cap
        self._serializer = serializer
        self._clients: dict[str | None, messaging.RPCClient] = {}
        self._clients_lock = threading.Lock()

    # --- the cap ------------------------------------------------------------------------

    def configured_level(self) -> str | None:
        """The ``[upgrade_levels]`` value for this API (None: no cap)."""
        if self._fixed_cap is not None:
            return self._fixed_cap
        if not self.UPGRADE_LEVEL:
            return None
        value: str | None = getattr(CONF.upgrade_levels, self.UPGRADE_LEVEL)
        return value or None

    def current_cap(self) -> str | None:
        """The highest version sent now; subclasses resolve ``auto``."""
        level = self.configured_level()
        return None if level == "auto" else level

    @property
    def version_cap(self) -> str | None:
        return self.current_cap()

    @property
    def client(self) -> messaging.RPCClient:
        cap = self.current_cap()
        client = self._clients.get(cap)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(cap)
                if client is None:
                    target = messaging.Target(topic=self.topic, version=self.RPC_API_VERSION)
                    client = rpc.get_client(target, version_cap=cap,
                                            serializer=self._serializer)
                    self._clients[cap] = client
        return client

    def can_send_version(self, version: str) -> bool:
        return bool(self.client.can_send_version(version))

    def prepare(self, **kwargs: object) -> messaging.RPCClient:
        return self.client.prepare(**kwargs)
