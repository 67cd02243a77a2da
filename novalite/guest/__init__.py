"""The novalite tiny guest: a cloud kernel and a busybox initramfs from Debian packages,
and the same as a bootable disk (``build_disk``)."""

from novalite.guest import debs
from novalite.guest.bootdisk import build_disk
from novalite.guest.builder import CMDLINE, TinyImage, build_tiny
from novalite.guest.upload import upload_tiny, upload_tiny_disk

__all__ = ["CMDLINE", "TinyImage", "build_disk", "debs", "build_tiny", "upload_tiny",
           "upload_tiny_disk"]
