"""The novalite tiny guest: a cloud kernel and a busybox initramfs from Debian packages."""

from novalite.guest.builder import CMDLINE, TinyImage, build_tiny
from novalite.guest.upload import upload_tiny

__all__ = ["CMDLINE", "TinyImage", "build_tiny", "upload_tiny"]
