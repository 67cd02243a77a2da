"""Does KVM really work here? Run guest code under it, do not just open /dev/kvm.

On some (nested) machines ``/dev/kvm`` opens and QEMU starts with ``-accel kvm``,
but guests then fail ("KVM internal error") or crawl through the firmware. The
probe boots a few-byte multiboot payload through the real firmware path (SeaBIOS,
QEMU's multiboot option ROM, protected mode) that writes to the ``isa-debug-exit``
port, once under TCG and once under KVM. KVM is usable only when its guest exits
with the payload's code and is not slower than the TCG guest: hardware
virtualization that is slower than emulation is not worth having. The verdict is
cached in memory and in a small file keyed by the kernel and QEMU versions.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import struct
import subprocess
import tempfile
import threading
import time

LOG = logging.getLogger(__name__)

QEMU = "qemu-system-x86_64"
_EXIT_PORT = 0xF4
_EXIT_VALUE = 0x31
# isa-debug-exit makes QEMU exit with (value << 1) | 1.
_EXPECTED_RC = (_EXIT_VALUE << 1) | 1
_cache: dict[str, str] = {}
_lock = threading.Lock()


def multiboot_payload() -> bytes:
    """A multiboot (a.out kludge) image: ``mov al, 0x31; out 0xf4, al; hlt; jmp $``."""
    magic, flags = 0x1BADB002, 0x00010000
    checksum = (-(magic + flags)) & 0xFFFFFFFF
    base = 0x100000
    header = struct.pack("<8I", magic, flags, checksum, base, base, 0, 0, base + 32)
    code = bytes([0xB0, _EXIT_VALUE, 0xE6, _EXIT_PORT, 0xF4, 0xEB, 0xFE])
    return header + code


def run_payload(accel: str, payload: str, timeout: float) -> tuple[bool, float, str]:
    """(exited correctly, seconds, stderr) of one probe guest under ``accel``."""
    command = [QEMU, "-accel", accel, "-display", "none", "-nodefaults", "-no-user-config",
               "-m", "16", "-kernel", payload, "-serial", "none", "-monitor", "none",
               "-device", f"isa-debug-exit,iobase={_EXIT_PORT:#x},iosize=0x04"]
    started = time.monotonic()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        err = expired.stderr.decode() if isinstance(expired.stderr, bytes) else ""
        return False, time.monotonic() - started, err + f" (no exit within {timeout:.1f}s)"
    except OSError as error:
        return False, time.monotonic() - started, str(error)
    elapsed = time.monotonic() - started
    ok = result.returncode == _EXPECTED_RC and "KVM internal error" not in result.stderr
    return ok, elapsed, result.stderr


def _qemu_version() -> str:
    try:
        return subprocess.run([QEMU, "--version"], capture_output=True, text=True,
                              timeout=10).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def probe(timeout: float = 10.0) -> tuple[str, str]:
    """(virt_type, reason): ``kvm`` when a KVM guest runs correctly at speed, else ``qemu``."""
    if not os.path.exists("/dev/kvm"):
        return "qemu", "/dev/kvm does not exist"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "qemu", "/dev/kvm is not accessible"
    with tempfile.TemporaryDirectory(prefix="novalite-kvm-probe-") as scratch:
        payload = os.path.join(scratch, "probe.mb")
        with open(payload, "wb") as handle:
            handle.write(multiboot_payload())
        tcg_ok, tcg_seconds, tcg_err = run_payload("tcg", payload, timeout)
        if not tcg_ok:
            return "qemu", f"probe guest did not run under TCG either: {tcg_err.strip()}"
        budget = max(2 * tcg_seconds, 0.5)
        kvm_ok, kvm_seconds, kvm_err = run_payload("kvm", payload, budget)
    if not kvm_ok:
        return "qemu", f"KVM guest failed: {kvm_err.strip()[-300:]}"
    if kvm_seconds > budget:
        return "qemu", f"KVM guest took {kvm_seconds:.2f}s, TCG {tcg_seconds:.2f}s"
    return "kvm", f"KVM guest ran in {kvm_seconds:.2f}s (TCG {tcg_seconds:.2f}s)"


def virt_type(cache_dir: str | None = None, timeout: float = 10.0) -> str:
    """The cached probe verdict; probes once per process (and per kernel + QEMU version)."""
    key = f"{platform.release()} {_qemu_version()}"
    with _lock:
        if key in _cache:
            return _cache[key]
        path = os.path.join(cache_dir, "kvm-probe.json") if cache_dir else None
        if path and os.path.exists(path):
            try:
                with open(path) as handle:
                    stored = json.load(handle)
                if stored.get("key") == key and stored.get("virt_type") in ("kvm", "qemu"):
                    _cache[key] = stored["virt_type"]
                    return _cache[key]
            except (OSError, ValueError):
                pass
        verdict, reason = probe(timeout)
        LOG.info("KVM probe: virt_type %s (%s)", verdict, reason)
        _cache[key] = verdict
        if path:
            os.makedirs(cache_dir or ".", exist_ok=True)
            with open(path, "w") as handle:
                json.dump({"key": key, "virt_type": verdict, "reason": reason}, handle)
        return verdict
