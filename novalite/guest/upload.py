"""upload_tiny: publishes a built tiny guest to the image service (Glance v2).

Three images, as Nova's three-part (AMI-style) images: `tiny-kernel` (aki),
`tiny-ramdisk` (ari) and `tiny` (the blank raw disk) whose `kernel_id`,
`ramdisk_id` and `os_command_line` properties tell the hypervisor driver to
boot the kernel directly. Images that already exist by name are reused.
"""

from __future__ import annotations

from typing import Any

import requests

from novalite.guest.builder import TinyImage

KERNEL_NAME = "tiny-kernel"
RAMDISK_NAME = "tiny-ramdisk"
IMAGE_NAME = "tiny"
TIMEOUT = 120


class UploadError(Exception):
    """The image service refused a request."""


class _Glance:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def _check(self, response: requests.Response, what: str) -> requests.Response:
        if response.status_code >= 400:
            raise UploadError(f"{what}: HTTP {response.status_code} {response.text[:300]}")
        return response

    def find(self, name: str) -> dict[str, Any] | None:
        response = self._check(
            self.session.get(f"{self.url}/v2/images", params={"name": name}, timeout=TIMEOUT),
            f"list images named {name}")
        images = [image for image in response.json().get("images", [])
                  if image.get("name") == name]
        active = [image for image in images if image.get("status") == "active"]
        return (active or images or [None])[0]

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self._check(
            self.session.post(f"{self.url}/v2/images", json=body, timeout=TIMEOUT),
            f"create image {body['name']}")
        return response.json()  # type: ignore[no-any-return]

    def upload(self, image_id: str, path: str) -> None:
        with open(path, "rb") as data:
            self._check(self.session.put(
                f"{self.url}/v2/images/{image_id}/file", data=data, timeout=TIMEOUT,
                headers={"Content-Type": "application/octet-stream"}),
                f"upload data of image {image_id}")

    def ensure(self, body: dict[str, Any], path: str) -> str:
        """The id of the active image named body['name'], created and uploaded if needed."""
        image = self.find(body["name"]) or self.create(body)
        if image.get("status") != "active":
            self.upload(image["id"], path)
        return str(image["id"])


def upload_tiny(image_api_url: str, token: str, image: TinyImage,
                visibility: str = "public") -> dict[str, str]:
    """Uploads the tiny guest; returns {"kernel_id", "ramdisk_id", "image_id"}."""
    glance = _Glance(image_api_url, token)
    common = {"visibility": visibility, "container_format": "bare"}
    kernel_id = glance.ensure(
        {**common, "name": KERNEL_NAME, "disk_format": "aki", "container_format": "aki"},
        image.kernel)
    ramdisk_id = glance.ensure(
        {**common, "name": RAMDISK_NAME, "disk_format": "ari", "container_format": "ari"},
        image.initramfs)
    image_id = glance.ensure(
        {**common, "name": IMAGE_NAME, "disk_format": "raw", "kernel_id": kernel_id,
         "ramdisk_id": ramdisk_id, "os_command_line": image.cmdline,
         "hw_serial_port_count": "1"},
        image.disk)
    return {"kernel_id": kernel_id, "ramdisk_id": ramdisk_id, "image_id": image_id}


DISK_IMAGE_NAME = "tiny-disk"


def upload_tiny_disk(image_api_url: str, token: str, disk_path: str,
                     visibility: str = "public") -> str:
    """Uploads the bootable disk (``novalite.guest.bootdisk``) as ``tiny-disk``: a raw
    image the BIOS boots (no kernel_id), for boot from volume; returns its id."""
    glance = _Glance(image_api_url, token)
    return glance.ensure({"visibility": visibility, "container_format": "bare",
                          "name": DISK_IMAGE_NAME, "disk_format": "raw",
                          "hw_serial_port_count": "1"}, disk_path)
