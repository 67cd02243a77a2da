"""``[upgrade_levels]`` for RPC clients that send objects: the cap and the object
versions follow the oldest service of a kind (``auto``) or an explicit version.

A newer control plane sends an older node only what it understands: the RPC version
its ``ServiceLevel`` names, and each object backported to that level's manifest (a
level without objects gets release 0.1.0's plain dicts from the rpcapi itself).
The minimum version is read at most every ``AUTO_REFRESH_SECONDS``, so an upgraded
node is driven at its new level without restarting the control plane.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import oslo_messaging as messaging

from novalite.common.rpcapi import RPCAPIBase
from novalite.objects.base import Manifest, ObjectSerializer
from novalite.objects.service import SERVICE_VERSION, ServiceLevel, level, level_for_rpc

LOG = logging.getLogger(__name__)
AUTO_REFRESH_SECONDS = 10.0

#: binary -> the lowest version among its (non-deleted) service records
MinimumVersion = Callable[[str], int]


class VersionedRPCAPI(RPCAPIBase):
    """An RPC client whose messages carry versioned objects."""

    #: the ``ServiceLevel`` attribute of this API's version (``compute_rpc`` ...)
    LEVEL_ATTRIBUTE: str = ""
    #: the binary ``auto`` follows
    AUTO_BINARY: str = ""

    def __init__(self, topic: str | None = None, version_cap: str | None = None,
                 minimum_version: MinimumVersion | None = None) -> None:
        super().__init__(topic, version_cap,
                         serializer=ObjectSerializer(manifest=self.manifest))
        self._minimum_version = minimum_version
        self._auto_level: ServiceLevel | None = None
        self._auto_checked = 0.0
        self._auto_lock = threading.Lock()
        self._warned = False

    def level(self) -> ServiceLevel:
        """What the receiving services understand."""
        configured = self.configured_level()
        if configured == "auto":
            return self._auto()
        if configured:
            return level_for_rpc(self.LEVEL_ATTRIBUTE, configured)
        return level(SERVICE_VERSION)

    def _auto(self) -> ServiceLevel:
        now = time.monotonic()
        if self._auto_level is not None and now - self._auto_checked < AUTO_REFRESH_SECONDS:
            return self._auto_level
        with self._auto_lock:
            if self._minimum_version is None:
                if not self._warned:
                    LOG.warning("[upgrade_levels] %s = auto needs the services table; "
                                "this process sends the newest version", self.UPGRADE_LEVEL)
                    self._warned = True
                chosen = level(SERVICE_VERSION)
            else:
                minimum = self._minimum_version(self.AUTO_BINARY)
                chosen = level(minimum)
                if self._auto_level is not None and chosen != self._auto_level:
                    LOG.info("%s RPC follows the oldest %s: release %s (%s %s)",
                             self.TOPIC, self.AUTO_BINARY, chosen.release,
                             self.LEVEL_ATTRIBUTE, getattr(chosen, self.LEVEL_ATTRIBUTE))
            self._auto_level = chosen
            self._auto_checked = now
            return chosen

    def current_cap(self) -> str | None:
        configured = self.configured_level()
        if configured == "auto":
            cap: str = getattr(self._auto(), self.LEVEL_ATTRIBUTE)
            return cap
        return configured

    def manifest(self) -> Manifest | None:
        return self.level().objects

    def sends_objects(self) -> bool:
        return self.level().objects is not None

    def prepare(self, **kwargs: object) -> messaging.RPCClient:
        return self.client.prepare(**kwargs)
