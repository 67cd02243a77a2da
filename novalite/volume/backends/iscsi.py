"""``iscsi``: a raw file per volume, exported by tgtd as LUN 1 of target
``<target_prefix>volume-<id>`` while the volume is attached. Compute nodes reach it
with QEMU's own iSCSI client (libiscsi), as a libvirt network disk: no kernel
initiator is needed."""

from __future__ import annotations

from typing import Any

from novalite.conf import CONF
from novalite.volume.backends.base import Backend, ConnectionInfo, Connector
from novalite.volume.backends.tgt import Tgt


class IscsiBackend(Backend):
    format = "raw"

    def __init__(self, name: str, path: str, tgt: Tgt | None = None) -> None:
        super().__init__(name, path)
        self.tgt = tgt or Tgt(CONF.volume.tgt_control_port, CONF.volume.target_ip_address,
                              CONF.volume.target_port, CONF.volume.tgt_manage_daemon)

    def start(self) -> None:
        super().start()
        self.tgt.start()

    def stop(self) -> None:
        self.tgt.stop()

    @staticmethod
    def target_name(volume_id: str) -> str:
        return f"{CONF.volume.target_prefix}volume-{volume_id}"

    def connect(self, volume: dict[str, Any], connector: Connector) -> ConnectionInfo:
        iqn = self.target_name(volume["id"])
        self.tgt.export(iqn, volume["provider_location"], connector.get("ip"))
        portal = f"{CONF.volume.target_ip_address}:{CONF.volume.target_port}"
        return {"driver_volume_type": "iscsi", "data": {
            "target_discovered": False, "target_portal": portal, "target_iqn": iqn,
            "target_lun": 1, "volume_id": volume["id"], "auth_method": None,
            "access_mode": "ro" if volume.get("readonly") else "rw", "encrypted": False,
            "discard": True}}

    def disconnect(self, volume: dict[str, Any], connector: Connector | None,
                   last: bool) -> None:
        if last:
            self.tgt.unexport(self.target_name(volume["id"]))

    def exported(self) -> list[str]:
        """The targets tgtd exports now (what a leak check looks at)."""
        return sorted(self.tgt.targets())
