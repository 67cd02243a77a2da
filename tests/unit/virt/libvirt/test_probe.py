"""The KVM probe's verdicts (QEMU runs stubbed)."""

from __future__ import annotations

import struct
from typing import Any
from unittest import mock

from novalite.virt.libvirt import probe


def test_payload_is_a_valid_multiboot_header() -> None:
    magic, flags, checksum = struct.unpack("<3I", probe.multiboot_payload()[:12])
    assert magic == 0x1BADB002 and (magic + flags + checksum) & 0xFFFFFFFF == 0


def run(results: dict[str, tuple[bool, float, str]]) -> Any:
    return lambda accel, payload, timeout: results[accel]


def test_verdicts() -> None:
    with mock.patch("os.path.exists", return_value=True), \
            mock.patch("os.access", return_value=True):
        with mock.patch.object(probe, "run_payload", run(
                {"tcg": (True, 0.2, ""), "kvm": (True, 0.05, "")})):
            assert probe.probe()[0] == "kvm"
        with mock.patch.object(probe, "run_payload", run(
                {"tcg": (True, 0.2, ""), "kvm": (False, 0.1, "KVM internal error")})):
            verdict, reason = probe.probe()
            assert verdict == "qemu" and "KVM internal error" in reason
    with mock.patch("os.path.exists", return_value=False):
        assert probe.probe() == ("qemu", "/dev/kvm does not exist")
