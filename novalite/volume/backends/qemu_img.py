"""``qemu-img``, the one tool every backend makes, copies, converts and grows disks with."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from novalite.common import exception
from novalite.conf import CONF

GIB = 1024 ** 3


class BackendError(exception.NovaliteException):
    """A backend operation failed; the volume or snapshot goes to an error status."""

    msg_fmt = "%(reason)s"


def run(*args: str) -> str:
    try:
        result = subprocess.run(["qemu-img", *args], capture_output=True, text=True,
                                timeout=CONF.volume.image_conversion_timeout)
    except OSError as error:
        raise BackendError(reason=f"qemu-img is not available ({error})") from None
    except subprocess.TimeoutExpired:
        raise BackendError(reason=f"qemu-img {args[0]} took longer than "
                                  f"{CONF.volume.image_conversion_timeout} s") from None
    if result.returncode != 0:
        raise BackendError(reason=f"qemu-img {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def info(path: str, fmt: str | None = None, force_share: bool = False) -> dict[str, Any]:
    """``qemu-img info`` as JSON; ``fmt`` None lets qemu-img probe (only for data from
    outside, never for a volume: a raw volume's guest may write a qcow2 header)."""
    args = ["info", "--output=json"]
    if fmt:
        args += ["-f", fmt]
    if force_share:
        args.append("-U")
    result: dict[str, Any] = json.loads(run(*args, path))
    return result


def virtual_size(path: str, fmt: str) -> int:
    return int(info(path, fmt, force_share=True).get("virtual-size") or 0)


def create(path: str, fmt: str, size_gb: int) -> None:
    run("create", "-f", fmt, path, str(size_gb * GIB))


def convert(source: str, source_fmt: str, dest: str, dest_fmt: str,
            force_share: bool = False) -> None:
    """Copy ``source`` into a new ``dest`` (sparse); ``force_share`` reads a disk a
    running guest has open (a snapshot of an attached volume)."""
    args = ["convert", "-f", source_fmt, "-O", dest_fmt]
    if force_share:
        args.append("-U")
    run(*args, source, dest)


def resize(path: str, fmt: str, size_gb: int) -> None:
    run("resize", "-f", fmt, path, str(size_gb * GIB))
