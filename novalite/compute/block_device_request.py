"""``block_device_mapping_v2`` of a create, checked and turned into the mappings the
build makes volumes of (Nova's ``block_device.BlockDeviceDict`` and the API's
``_validate_bdm``), in the API process.

* ``source_type`` ``image`` / ``blank`` / ``snapshot`` with ``destination_type``
  ``volume``: the build makes the volume (``volume_size`` needed for image and blank;
  a snapshot's size by default);
* ``volume`` → ``volume``: an existing, ``available`` volume of the caller;
* ``image`` → ``local``: the ordinary image disk (the create's image; nothing here).

The ``boot_index`` 0 volume is the root disk (``vda``): the server is volume-backed,
its image ``""``; what it boots is the image's (source image) or the volume's
``volume_image_metadata`` (source volume).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute.api_volumes import MAX_VOLUMES, next_device_name
from novalite.compute.resolve import Resolver
from novalite.volume.client import VolumeClient, VolumeNotFound

#: keys of ``volume_image_metadata`` that are the image's core fields, not properties
_CORE = ("image_id", "image_name", "checksum", "size", "min_disk", "min_ram",
         "disk_format", "container_format")


class InvalidBDM(exception.Invalid):
    msg_fmt = "Block Device Mapping is Invalid: %(details)s"


@dataclasses.dataclass
class VolumeRequests:
    #: mapping values (``novalite.db.block_devices`` columns, no instance yet)
    mappings: list[dict[str, Any]]
    #: the image a volume-backed server boots (its id ""), or None (an image-backed one)
    root_image: dict[str, Any] | None


def _boot_index(value: Any) -> int | None:
    if value in (None, "", "none", "None"):
        return None
    try:
        index = int(value)
    except (TypeError, ValueError):
        raise InvalidBDM(details=f"Boot index {value!r} is invalid.") from None
    return index if index >= 0 else None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", "none", ""):
        return False
    raise InvalidBDM(details=f"delete_on_termination {value!r} is not a boolean.")


def _size(value: Any, required_for: str | None) -> int | None:
    if value in (None, ""):
        if required_for:
            raise InvalidBDM(details="Images with destination_type 'volume' need to have a "
                                     "non-zero size specified" if required_for == "image"
                             else "Blank volumes need a non-zero volume_size.")
        return None
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise InvalidBDM(details=f"volume_size {value!r} is not an integer.") from None
    if size < 1 or size > 2 ** 20:
        raise InvalidBDM(details=f"volume_size {value!r} is out of range.")
    return size


def _image_from_volume(volume: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(volume.get("volume_image_metadata") or {})
    return {"id": "", "status": "active", "name": metadata.get("image_name"),
            "min_disk": 0, "min_ram": int(metadata.get("min_ram") or 0),
            "disk_format": metadata.get("disk_format"),
            "container_format": metadata.get("container_format"),
            "properties": {k: v for k, v in metadata.items() if k not in _CORE}}


def resolve(ctxt: RequestContext, resolver: Resolver, requested: list[dict[str, Any]],
            config_drive: bool, count: int) -> VolumeRequests:
    """The volume mappings of a create (400 on anything Nova refuses)."""
    wanted = [bdm for bdm in requested if bdm.get("destination_type") == "volume"
              or bdm.get("source_type") in ("volume", "snapshot", "blank")]
    if not wanted:
        return VolumeRequests([], None)
    if len(wanted) > MAX_VOLUMES:
        raise InvalidBDM(details=f"At most {MAX_VOLUMES} volumes per server.")
    client = VolumeClient(ctxt)
    mappings: list[dict[str, Any]] = []
    root_image: dict[str, Any] | None = None
    taken: set[str] = set()
    for bdm in wanted:
        source = str(bdm.get("source_type") or "")
        if bdm.get("destination_type", "volume") != "volume":
            raise InvalidBDM(details=f"source_type {source} needs destination_type volume.")
        boot_index = _boot_index(bdm.get("boot_index"))
        uuid = str(bdm.get("uuid") or "")
        if source != "blank" and not uuid:
            raise InvalidBDM(details=f"A {source} block device needs a uuid.")
        values: dict[str, Any] = {
            "source_type": source, "destination_type": "volume", "boot_index": boot_index,
            "device_type": bdm.get("device_type") or "disk", "disk_bus": "virtio",
            "guest_format": bdm.get("guest_format"), "tag": bdm.get("tag"),
            "volume_type": bdm.get("volume_type"),
            "delete_on_termination": _flag(bdm.get("delete_on_termination", False))}
        image: dict[str, Any] | None = None
        if source == "image":
            image = resolver.image(ctxt, uuid)
            size = _size(bdm.get("volume_size"), "image")
            image_gb = -(-int(image.get("size") or 0) // (1024 ** 3))
            if size is not None and size < max(int(image.get("min_disk") or 0), image_gb):
                raise InvalidBDM(details=f"Volume size {size} GiB is smaller than image "
                                         f"{uuid} needs.")
            values.update(image_id=image["id"], volume_size=size)
            image = {**image, "id": ""}
        elif source == "volume":
            if count > 1:
                raise exception.Invalid(message="Cannot attach one or more volumes to "
                                                "multiple instances")
            try:
                volume = client.get(uuid)
            except VolumeNotFound:
                raise InvalidBDM(details=f"failed to get volume {uuid}.") from None
            if volume.get("status") != "available":
                raise exception.Invalid(
                    message=f"Invalid volume: volume '{uuid}' status must be 'available'. "
                            f"Currently in '{volume.get('status')}'")
            values.update(volume_id=volume["id"], volume_size=volume.get("size"))
            image = _image_from_volume(volume)
        elif source == "snapshot":
            try:
                snapshot = client.get_snapshot(uuid)
            except exception.NotFound:
                raise InvalidBDM(details=f"failed to get snapshot {uuid}.") from None
            values.update(snapshot_id=snapshot["id"], volume_size=_size(
                bdm.get("volume_size"), None) or snapshot.get("size"))
        elif source == "blank":
            values.update(volume_size=_size(bdm.get("volume_size"), "blank"))
        else:
            raise InvalidBDM(details=f"Unknown source_type {source!r}.")
        if boot_index == 0:
            if root_image is not None:
                raise InvalidBDM(details="Boot sequence for the instance and image/block "
                                         "device mapping combination is not valid.")
            root_image = image or {"id": "", "status": "active", "properties": {}}
            values["device_name"] = "vda"
        mappings.append(values)
    for values in mappings:
        if "device_name" not in values:
            values["device_name"] = next_device_name(taken, config_drive)
            taken.add(values["device_name"])
    return VolumeRequests(mappings, root_image)
