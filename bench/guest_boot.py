"""Seconds from starting QEMU (TCG) to `login:` on the tiny guest's serial console.

Prints JSON: the median of 3 boots (and each boot), the image's kernel package,
and how long build_tiny took (near zero when the cached build is current).

    .venv/bin/python bench/guest_boot.py [--runs 3] [--cache ~/.cache/novalite/tiny]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

from novalite.guest import build_tiny
from novalite.guest.qemu import TinyGuest

DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny")


def boot_once(image, workdir: str) -> float:
    with TinyGuest(image, workdir, extra_args=["-nic", "none"]) as guest:
        guest.wait_for("login:", 120)
        return time.monotonic() - guest.started_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default=os.environ.get("NOVALITE_TINY_CACHE",
                                                          DEFAULT_CACHE))
    args = parser.parse_args()
    started = time.monotonic()
    image = build_tiny(args.cache)
    build_seconds = time.monotonic() - started
    boots = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as workdir:
            boots.append(round(boot_once(image, workdir), 3))
    print(json.dumps({
        "benchmark": "guest_boot",
        "accel": "tcg",
        "memory_mb": 256,
        "seconds_to_login_median": statistics.median(boots),
        "seconds_to_login": boots,
        "runs": args.runs,
        "build_tiny_seconds": round(build_seconds, 3),
        "kernel_package": f"{image.kernel_package}={image.kernel_version}",
        "busybox_static": image.busybox_version,
        "initramfs_bytes": os.path.getsize(image.initramfs),
    }, indent=2))


if __name__ == "__main__":
    main()
