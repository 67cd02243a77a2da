"""build_tiny: the novalite tiny guest as kernel + initramfs, built reproducibly.

The output directory holds `vmlinuz`, `initramfs.gz`, `disk.raw` and
`manifest.json`; `debs/` caches the downloaded packages. The manifest records
the package versions and a digest of the recipe (this package's scripts and
module lists), so a second call with the same inputs returns at once.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from novalite.guest import debs, initramfs

CMDLINE = "console=tty1 console=ttyS0 quiet"
DISK_SIZE = 1024 * 1024
RECIPE_FILES = ("init.sh", "inittab", "udhcpc.script", "login.sh", "power-button.sh")
RECIPE_VERSION = "1"
MANIFEST = "manifest.json"


@dataclasses.dataclass(frozen=True)
class TinyImage:
    """A built tiny guest. Boot it as a three-part image: kernel + ramdisk + cmdline.

    `disk` is a blank raw disk (1 MiB of zeros, not bootable): the root disk the
    main image carries so that the image service and the hypervisor have an
    ordinary disk to attach; everything the guest runs is in the initramfs.
    """

    kernel: str
    initramfs: str
    disk: str
    kernel_sha256: str
    initramfs_sha256: str
    disk_sha256: str
    cmdline: str
    kernel_package: str    # e.g. linux-image-6.1.0-56-cloud-amd64
    kernel_version: str    # the package version, e.g. 6.1.192-2
    kernel_release: str    # uname -r, e.g. 6.1.0-56-cloud-amd64
    busybox_version: str
    modules: tuple[str, ...]  # insmod order

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["modules"] = list(self.modules)
        return data


def recipe_digest() -> str:
    digest = hashlib.sha256(RECIPE_VERSION.encode())
    for name in RECIPE_FILES:
        digest.update(name.encode() + b"\0" + initramfs.package_text(name).encode() + b"\0")
    digest.update(repr((initramfs.REQUIRED_MODULES, initramfs.OPTIONAL_MODULES)).encode())
    return digest.hexdigest()


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _locked(output_dir: str) -> Iterator[None]:
    """One build per output directory at a time (parallel test workers, services)."""
    with open(os.path.join(output_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_manifest(output_dir: str) -> dict[str, object] | None:
    path = os.path.join(output_dir, MANIFEST)
    try:
        with open(path) as handle:
            data = json.load(handle)
        image = data["image"]
        if all(os.path.exists(image[key]) for key in ("kernel", "initramfs", "disk")):
            return data  # type: ignore[no-any-return]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _image_from(data: dict[str, object]) -> TinyImage:
    fields = dict(data["image"])  # type: ignore[call-overload]
    fields["modules"] = tuple(fields["modules"])
    return TinyImage(**fields)


def _write_atomic(path: str, data: bytes) -> None:
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def build_tiny(output_dir: str, *, force: bool = False) -> TinyImage:
    """Builds (or returns the cached) tiny guest in `output_dir`.

    Needs apt-get, apt-cache and dpkg-deb and the Debian archive; when apt cannot
    resolve the packages (offline) a previously built image is returned as is.
    """
    output_dir = os.path.abspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    with _locked(output_dir):
        cached = None if force else _load_manifest(output_dir)
        stamp = debs.index_stamp()
        recipe = recipe_digest()
        if (cached is not None and stamp is not None and cached.get("apt_stamp") == stamp
                and cached.get("key", {}).get("recipe") == recipe):  # type: ignore[union-attr]
            return _image_from(cached)  # apt's indexes have not changed since the build
        try:
            kernel_package, kernel_version, busybox_version = debs.resolve_versions()
        except debs.PackageError:
            if cached is not None:
                return _image_from(cached)
            raise
        key = {"kernel_package": kernel_package, "kernel_version": kernel_version,
               "busybox_version": busybox_version, "recipe": recipe}
        if cached is not None and cached.get("key") == key:
            image = _image_from(cached)
        else:
            image = _build(output_dir, kernel_package, kernel_version, busybox_version)
        _write_atomic(os.path.join(output_dir, MANIFEST),
                      json.dumps({"key": key, "apt_stamp": stamp, "image": image.to_json()},
                                 indent=2, sort_keys=True).encode())
        return image


def _build(output_dir: str, kernel_package: str, kernel_version: str,
           busybox_version: str) -> TinyImage:
    cache = os.path.join(output_dir, "debs")
    kernel_deb = debs.download(kernel_package, kernel_version, cache)
    busybox_deb = debs.download(debs.BUSYBOX_PACKAGE, busybox_version, cache)
    release = debs.kernel_release(kernel_package)
    work = tempfile.mkdtemp(prefix="extract-", dir=output_dir)
    try:
        debs.extract(kernel_deb, os.path.join(work, "kernel"))
        debs.extract(busybox_deb, os.path.join(work, "busybox"))
        vmlinuz = os.path.join(work, "kernel", "boot", f"vmlinuz-{release}")
        modules_root = next(
            (path for path in (os.path.join(work, "kernel", prefix, "modules", release)
                               for prefix in ("lib", "usr/lib")) if os.path.isdir(path)),
            None)
        if not os.path.exists(vmlinuz) or modules_root is None:
            raise debs.PackageError(f"{kernel_package} has no vmlinuz or modules for {release}")
        archive, order = initramfs.build(os.path.join(work, "busybox", "bin", "busybox"),
                                         modules_root)
        kernel_path = os.path.join(output_dir, "vmlinuz")
        shutil.copyfile(vmlinuz, kernel_path + ".tmp")
        os.replace(kernel_path + ".tmp", kernel_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    initramfs_path = os.path.join(output_dir, "initramfs.gz")
    disk_path = os.path.join(output_dir, "disk.raw")
    _write_atomic(initramfs_path, archive)
    _write_atomic(disk_path, b"\0" * DISK_SIZE)
    return TinyImage(
        kernel=kernel_path, initramfs=initramfs_path, disk=disk_path,
        kernel_sha256=sha256_file(kernel_path), initramfs_sha256=sha256_file(initramfs_path),
        disk_sha256=sha256_file(disk_path), cmdline=CMDLINE, kernel_package=kernel_package,
        kernel_version=kernel_version, kernel_release=release,
        busybox_version=busybox_version, modules=tuple(order))
