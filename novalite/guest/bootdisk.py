"""The tiny guest as a bootable disk (``tiny-disk``): an MBR with SYSLINUX's boot code,
one active FAT partition holding the kernel, the initramfs and ``syslinux.cfg``, the
SYSLINUX boot loader installed in it — all from Debian packages (``syslinux``,
``syslinux-common``, ``mtools``), extracted, never installed on the host, and without
mounting anything (mtools writes the FAT file system inside the image file).

The BIOS boots it like any disk, so booting from a volume made of it (or from a local
disk of it) really goes through a partition table and a boot loader."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile

from novalite.guest import debs
from novalite.guest.builder import TinyImage, sha256_file

PACKAGES = ("syslinux", "syslinux-common", "mtools")
DISK_NAME = "tiny-disk.raw"
KEY_NAME = "tiny-disk.json"
DISK_MIB = 48
START_SECTOR = 2048  # the partition starts at 1 MiB, as every partitioning tool does
SECTOR = 512
_FAT16_LBA = 0x0E


def _config(cmdline: str) -> str:
    return ("DEFAULT tiny\nPROMPT 0\nTIMEOUT 0\nLABEL tiny\n  KERNEL /vmlinuz\n"
            f"  APPEND initrd=/initrd.gz {cmdline}\n")


def partition_entry(start: int, sectors: int) -> bytes:
    """One MBR partition entry: active, FAT16 (LBA), CHS fields saying "use LBA"."""
    return struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", _FAT16_LBA, b"\xfe\xff\xff",
                       start, sectors)


def _run(env: dict[str, str], *args: str) -> None:
    try:
        result = subprocess.run(list(args), env=env, capture_output=True, text=True,
                                timeout=120, check=False)
    except OSError as error:
        raise debs.PackageError(f"{args[0]} could not run: {error}") from None
    if result.returncode != 0:
        raise debs.PackageError(f"{' '.join(args[:2])} failed: {result.stderr.strip()}")


def build_disk(image: TinyImage, output_dir: str) -> str:
    """The path of the bootable disk of ``image`` (built once per kernel, initramfs,
    command line and package versions)."""
    versions = {name: debs.candidate_version(name) for name in PACKAGES}
    key = {"kernel": image.kernel_sha256, "initramfs": image.initramfs_sha256,
           "cmdline": image.cmdline, "packages": versions, "size_mib": DISK_MIB}
    disk = os.path.join(output_dir, DISK_NAME)
    key_path = os.path.join(output_dir, KEY_NAME)
    try:
        with open(key_path) as handle:
            recorded = json.load(handle)
        if recorded.get("key") == key and sha256_file(disk) == recorded.get("sha256"):
            return disk
    except (OSError, ValueError):
        pass
    work = tempfile.mkdtemp(prefix="disk-", dir=output_dir)
    try:
        root = os.path.join(work, "pkgs")
        for name, version in versions.items():
            debs.extract(debs.download(name, version, os.path.join(output_dir, "debs")), root)
        env = {**os.environ, "PATH": f"{root}/usr/bin:{os.environ.get('PATH', '')}",
               "MTOOLS_SKIP_CHECK": "1"}
        built = os.path.join(work, DISK_NAME)
        size = DISK_MIB * 1024 * 1024
        sectors = size // SECTOR - START_SECTOR
        with open(built, "wb") as handle:
            handle.truncate(size)
        partition = f"{built}@@{START_SECTOR * SECTOR}"
        _run(env, "mformat", "-i", partition, "-T", str(sectors), "-h", "64", "-s", "32",
             "-H", str(START_SECTOR), "-v", "TINY", "::")
        config = os.path.join(work, "syslinux.cfg")
        with open(config, "w") as handle:
            handle.write(_config(image.cmdline))
        for source, name in ((image.kernel, "vmlinuz"), (image.initramfs, "initrd.gz"),
                             (config, "syslinux.cfg")):
            _run(env, "mcopy", "-i", partition, source, f"::{name}")
        _run(env, "syslinux", "--offset", str(START_SECTOR * SECTOR), "--install", built)
        with open(os.path.join(root, "usr", "lib", "syslinux", "mbr", "mbr.bin"), "rb") as mbr:
            boot_code = mbr.read(440)
        with open(built, "r+b") as handle:
            handle.write(boot_code)
            handle.seek(446)
            handle.write(partition_entry(START_SECTOR, sectors) + b"\0" * 48)
            handle.seek(510)
            handle.write(b"\x55\xaa")
        os.replace(built, disk)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    digest = sha256_file(disk)
    with open(key_path + ".tmp", "w") as handle:
        json.dump({"key": key, "sha256": digest}, handle, sort_keys=True)
    os.replace(key_path + ".tmp", key_path)
    return disk

