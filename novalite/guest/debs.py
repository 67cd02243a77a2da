"""Debian packages for the tiny guest: resolve versions, download, extract."""

from __future__ import annotations

import glob
import os
import re
import subprocess

KERNEL_META_PACKAGE = "linux-image-cloud-amd64"
BUSYBOX_PACKAGE = "busybox-static"


class PackageError(Exception):
    """apt could not tell us about, or fetch, a package the guest needs."""


def _run(args: list[str], cwd: str | None = None) -> str:
    try:
        result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise PackageError(f"{args[0]} is not installed (the build needs apt and dpkg)") from exc
    if result.returncode != 0:
        raise PackageError(f"{' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def parse_show(output: str) -> dict[str, dict[str, str]]:
    """`apt-cache show` stanzas -> {package: {field: value}} (first stanza per package)."""
    packages: dict[str, dict[str, str]] = {}
    for stanza in output.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            key, sep, value = line.partition(":")
            if sep and not line.startswith(" "):
                fields[key] = value.strip()
        if "Package" in fields:
            packages.setdefault(fields["Package"], fields)
    return packages


def resolve_versions() -> tuple[str, str, str]:
    """(kernel package, its version, busybox-static version) that apt would install now.

    One `apt-cache show` (about a second here): the cloud meta-package depends on
    exactly one versioned kernel image, `linux-image-<release> (= <version>)`.
    """
    output = _run(["apt-cache", "show", "--no-all-versions", KERNEL_META_PACKAGE,
                   BUSYBOX_PACKAGE])
    packages = parse_show(output)
    meta = packages.get(KERNEL_META_PACKAGE, {})
    match = re.search(r"(linux-image-\S+-cloud-amd64)(?:\s*\(=\s*([^)\s]+)\))?",
                      meta.get("Depends", ""))
    busybox = packages.get(BUSYBOX_PACKAGE, {}).get("Version")
    if not match or not busybox:
        raise PackageError(f"apt knows no {KERNEL_META_PACKAGE} or {BUSYBOX_PACKAGE} "
                           "(run apt-get update)")
    kernel = match.group(1)
    return kernel, match.group(2) or candidate_version(kernel), busybox


def candidate_version(package: str) -> str:
    output = _run(["apt-cache", "policy", package])
    match = re.search(r"Candidate:\s*(\S+)", output)
    if not match or match.group(1) == "(none)":
        raise PackageError(f"no installable version of {package} (run apt-get update)")
    return match.group(1)


def index_stamp(lists_dir: str = "/var/lib/apt/lists") -> int | None:
    """Changes whenever `apt-get update` replaces a package index; None without apt."""
    try:
        return os.stat(lists_dir).st_mtime_ns
    except OSError:
        return None


def kernel_release(package: str) -> str:
    """`linux-image-6.1.0-56-cloud-amd64` -> `6.1.0-56-cloud-amd64` (uname -r)."""
    return package.removeprefix("linux-image-")


def download(package: str, version: str, cache_dir: str) -> str:
    """The .deb of package=version, fetched by `apt-get download` unless already cached."""
    target = os.path.join(cache_dir, f"{package}_{version.replace(':', '%3a')}")
    os.makedirs(target, exist_ok=True)
    found = sorted(glob.glob(os.path.join(target, "*.deb")))
    if not found:
        _run(["apt-get", "download", "-q", f"{package}={version}"], cwd=target)
        found = sorted(glob.glob(os.path.join(target, "*.deb")))
        if not found:
            raise PackageError(f"apt-get download {package}={version} wrote no .deb")
    return found[0]


def extract(deb: str, destination: str) -> None:
    os.makedirs(destination, exist_ok=True)
    _run(["dpkg-deb", "-x", deb, destination])
