"""Host-side plumbing of a guest's network interfaces.

Networking arrives with its own issue; until then a VIF driver that knows the
interface (``plug`` before a domain starts, ``unplug`` after it is gone) and does
nothing for an empty network_info, so the driver's call sites are already right.
"""

from __future__ import annotations

import logging
from typing import Any

from novalite.virt.libvirt.config import GuestInterface

LOG = logging.getLogger(__name__)
Vif = dict[str, Any]


class VifDriver:
    def plug(self, instance: dict[str, Any], vif: Vif) -> None:
        """Prepare the host side of ``vif`` (nothing yet: bridges come with networking)."""
        LOG.debug("plug vif %s of %s: nothing to do", vif.get("id"), instance.get("uuid"))

    def unplug(self, instance: dict[str, Any], vif: Vif) -> None:
        """Remove the host side of ``vif``; must not fail when it is already gone."""
        LOG.debug("unplug vif %s of %s: nothing to do", vif.get("id"), instance.get("uuid"))

    def get_config(self, vif: Vif) -> GuestInterface | None:
        """The guest NIC for ``vif``, None when the VIF has no bridge to attach to."""
        bridge = (vif.get("network") or {}).get("bridge")
        if not bridge or not vif.get("address"):
            return None
        return GuestInterface(mac_address=vif["address"], bridge=bridge,
                              target_dev=vif.get("devname"))

    def plug_all(self, instance: dict[str, Any], network_info: list[Vif]) -> None:
        for vif in network_info:
            self.plug(instance, vif)

    def unplug_all(self, instance: dict[str, Any], network_info: list[Vif]) -> None:
        for vif in network_info:
            try:
                self.unplug(instance, vif)
            except Exception:
                LOG.exception("unplug of vif %s failed", vif.get("id"))
