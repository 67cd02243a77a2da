"""Parsing apt's answers about the kernel and busybox packages."""

from __future__ import annotations

import pytest

from novalite.guest import debs

SHOW = """Package: linux-image-cloud-amd64
Source: linux-signed-amd64 (6.1.192+2)
Version: 6.1.192-2
Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)
Description: Linux for x86-64 cloud (meta-package)
 This package depends on the latest Linux kernel

Package: busybox-static
Version: 1:1.35.0-4+deb12u1+b1
Description: Standalone rescue shell
"""


def test_show_output_is_parsed(monkeypatch) -> None:
    calls = []

    def run(args, cwd=None):
        calls.append(args)
        return SHOW

    monkeypatch.setattr(debs, "_run", run)
    assert debs.resolve_versions() == (
        "linux-image-6.1.0-56-cloud-amd64", "6.1.192-2", "1:1.35.0-4+deb12u1+b1")
    assert len(calls) == 1
    assert debs.kernel_release("linux-image-6.1.0-56-cloud-amd64") == "6.1.0-56-cloud-amd64"


def test_unknown_packages_raise(monkeypatch) -> None:
    monkeypatch.setattr(debs, "_run", lambda args, cwd=None: "")
    with pytest.raises(debs.PackageError, match="apt-get update"):
        debs.resolve_versions()
