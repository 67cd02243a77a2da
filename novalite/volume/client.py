"""HTTP client of the volume service (Cinder v3), used by the compute API and the compute
nodes with the caller's token, as Nova's ``nova/volume/cinder.py``: read and create
volumes, and attach them through the attachments API.

Every request asks for microversion 3.44 (attachments need 3.27, ``os-complete`` 3.44),
as Nova does. The endpoint is the token catalog's public ``volumev3`` endpoint (which
names the project), else ``[cinder] endpoint_template``, else this cloud's own volume
service (``[DEFAULT] public_host``, ``[volume] bind_port``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

import requests

from novalite.common import exception
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF

MICROVERSION = "3.44"


class VolumeNotFound(exception.NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."


class VolumeClient(ServiceClient):
    service_type = "volumev3"
    service_name = "volume service"
    version = ""

    def fallback_endpoint(self) -> str | None:
        template = str(CONF.cinder.endpoint_template or "")
        project = self.ctxt.project_id or ""
        if template:
            return template.replace("%(project_id)s", project)
        return f"http://{CONF.public_host}:{CONF.volume.bind_port}/v3/{project}"

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "OpenStack-API-Version": f"volume {MICROVERSION}"}

    def map_error(self, response: requests.Response, message: str
                  ) -> exception.NovaliteException | None:
        if response.status_code == 400:
            return exception.Invalid(message=message)
        return None

    # --- volumes ----------------------------------------------------------------------

    def get(self, volume_id: str) -> dict[str, Any]:
        """The volume; ``VolumeNotFound`` when it does not exist or is not visible."""
        try:
            volume: dict[str, Any] = self.get_json(f"/volumes/{_quote(volume_id)}")["volume"]
        except (exception.NotFound, exception.Forbidden):
            raise VolumeNotFound(volume_id=volume_id) from None
        return volume

    def create(self, size: int, *, name: str = "", image_id: str | None = None,
               snapshot_id: str | None = None, volume_type: str | None = None,
               availability_zone: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"size": size, "name": name}
        for key, value in (("imageRef", image_id), ("snapshot_id", snapshot_id),
                           ("volume_type", volume_type),
                           ("availability_zone", availability_zone)):
            if value:
                body[key] = value
        created: dict[str, Any] = self.post_json("/volumes", {"volume": body})["volume"]
        return created

    def delete_volume(self, volume_id: str) -> None:
        """Delete a volume; one already gone is not an error."""
        try:
            self.delete(f"/volumes/{_quote(volume_id)}")
        except exception.NotFound:
            pass

    def action(self, volume_id: str, name: str, body: Any = None) -> None:
        self.request("POST", f"/volumes/{_quote(volume_id)}/action",
                     json={name: body if body is not None else {}}).close()

    def begin_detaching(self, volume_id: str) -> None:
        self.action(volume_id, "os-begin_detaching")

    def roll_detaching(self, volume_id: str) -> None:
        self.action(volume_id, "os-roll_detaching")

    def list_volumes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get_json("/volumes/detail")["volumes"]
        return found

    def list_snapshots(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get_json("/snapshots/detail")["snapshots"]
        return found

    def create_volume(self, body: dict[str, Any]) -> dict[str, Any]:
        """A volume from a Cinder ``volume`` body as given (the legacy proxy's)."""
        created: dict[str, Any] = self.post_json("/volumes", {"volume": body})["volume"]
        return created

    def delete_snapshot(self, snapshot_id: str) -> None:
        self.delete(f"/snapshots/{_quote(snapshot_id)}")

    def get_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        try:
            snapshot: dict[str, Any] = self.get_json(
                f"/snapshots/{_quote(snapshot_id)}")["snapshot"]
        except exception.Forbidden:
            raise exception.NotFound(message=f"Snapshot {snapshot_id} could not be found."
                                     ) from None
        return snapshot

    def create_snapshot(self, volume_id: str, name: str, *, force: bool = True,
                        description: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"snapshot": {"volume_id": volume_id, "name": name,
                                             "force": force}}
        if description is not None:
            body["snapshot"]["description"] = description
        snapshot: dict[str, Any] = self.post_json("/snapshots", body)["snapshot"]
        return snapshot

    # --- attachments ------------------------------------------------------------------

    def attachment_create(self, volume_id: str, instance_uuid: str,
                          connector: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Reserve the volume for the instance (``reserved``), or attach it to a host
        at once when ``connector`` is given."""
        body: dict[str, Any] = {"volume_uuid": volume_id, "instance_uuid": instance_uuid}
        if connector:
            body["connector"] = dict(connector)
        try:
            answer = self.post_json("/attachments", {"attachment": body})
        except (exception.NotFound, exception.Forbidden):
            raise VolumeNotFound(volume_id=volume_id) from None
        attachment: dict[str, Any] = answer["attachment"]
        return attachment

    def attachment_update(self, attachment_id: str, connector: Mapping[str, Any],
                          mountpoint: str | None = None) -> dict[str, Any]:
        """Export the volume to the host ``connector`` names; the attachment with its
        ``connection_info``."""
        values = {**connector, **({"mountpoint": mountpoint} if mountpoint else {})}
        answer = self.put_json(f"/attachments/{_quote(attachment_id)}",
                               {"attachment": {"connector": values}})
        attachment: dict[str, Any] = answer["attachment"]
        return attachment

    def attachment_complete(self, attachment_id: str) -> None:
        self.request("POST", f"/attachments/{_quote(attachment_id)}/action",
                     json={"os-complete": {}}).close()

    def attachment_delete(self, attachment_id: str) -> None:
        """Let go of the volume; an attachment already gone is not an error."""
        try:
            self.delete(f"/attachments/{_quote(attachment_id)}")
        except exception.NotFound:
            pass


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")
