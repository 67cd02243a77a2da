"""Assembles the tiny guest's initramfs: busybox, /init, config files, modules."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from importlib import resources

from novalite.guest import cpio, modules

# Loaded in this order (after their dependencies); a missing required one fails the build.
REQUIRED_MODULES = (
    "virtio_ring", "virtio", "virtio_pci", "virtio_net", "virtio_blk", "virtio_console",
    "isofs",    # the config drive (iso9660)
    "button",   # the ACPI power button
    "evdev",    # /dev/input/event* for acpid
)
# Loaded when the kernel has them: other buses a config drive or disk may sit on.
OPTIONAL_MODULES = (
    "virtio_rng", "virtio_balloon", "virtio_scsi", "sd_mod",
    "ata_piix", "ata_generic", "ahci", "sr_mod",
)

_DIRECTORIES = (
    "bin", "dev", "etc", "etc/acpi", "etc/acpi/PWRF", "lib", "lib/modules", "mnt",
    "mnt/config", "proc", "root", "run", "sbin", "sys", "tmp", "usr", "usr/bin",
    "usr/sbin", "var", "var/log",
)


def package_text(name: str) -> str:
    """A data file shipped in this package (init.sh, inittab ...)."""
    return resources.files("novalite.guest").joinpath(name).read_text()


def render_init(module_names: Sequence[str]) -> str:
    """The /init script with one `load_module` line per module, in load order."""
    lines = "\n".join(f"load_module {name}" for name in module_names) or ":"
    template = package_text("init.sh")
    if "@MODULES@" not in template:
        raise ValueError("init.sh has no @MODULES@ placeholder")
    return template.replace("@MODULES@", lines)


def busybox_applets(busybox: str) -> list[str]:
    """Install paths of the applets ("sbin/init", "usr/bin/wget" ...) of a busybox binary."""
    result = subprocess.run([busybox, "--list-full"], check=True, capture_output=True,
                            text=True)
    return sorted(line.strip().lstrip("/") for line in result.stdout.splitlines()
                  if line.strip())


def entries(busybox: bytes, applets: Sequence[str],
            module_files: Sequence[tuple[str, bytes]]) -> list[cpio.Entry]:
    """Every entry of the archive; `module_files` is [(name, ELF bytes)] in load order."""
    tree: list[cpio.Entry] = [cpio.Entry.directory(path) for path in _DIRECTORIES]
    tree[_DIRECTORIES.index("tmp")] = cpio.Entry.directory("tmp", 0o1777)
    tree[_DIRECTORIES.index("root")] = cpio.Entry.directory("root", 0o700)
    tree += [
        cpio.Entry.chardev("dev/console", 5, 1),
        cpio.Entry.chardev("dev/null", 1, 3, 0o666),
        cpio.Entry.chardev("dev/ttyS0", 4, 64),
        cpio.Entry.file("bin/busybox", busybox, 0o755),
        cpio.Entry.file("init", render_init([name for name, _ in module_files]).encode(),
                        0o755),
        cpio.Entry.file("etc/inittab", package_text("inittab").encode()),
        cpio.Entry.file("etc/udhcpc.script", package_text("udhcpc.script").encode(), 0o755),
        cpio.Entry.file("sbin/tiny-login", package_text("login.sh").encode(), 0o755),
        cpio.Entry.file("etc/acpi/PWRF/00000080", package_text("power-button.sh").encode(),
                        0o755),
        cpio.Entry.file("etc/issue", b"novalite tiny guest\n\n"),
        cpio.Entry.file("etc/hostname", b"tiny\n"),
        cpio.Entry.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
        cpio.Entry.file("etc/group", b"root:x:0:\n"),
        cpio.Entry.file("etc/profile", b"export PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"),
        cpio.Entry.file("etc/resolv.conf", b""),
    ]
    taken = {entry.path for entry in tree}
    for applet in applets:
        if applet not in taken and applet != "bin/busybox":
            tree.append(cpio.Entry.symlink(applet, "/bin/busybox"))
            taken.add(applet)
    for name, data in module_files:
        tree.append(cpio.Entry.file(f"lib/modules/{name}.ko", data))
    return tree


def build(busybox_path: str, modules_root: str) -> tuple[bytes, list[str]]:
    """(gzip newc archive, module load order) from an extracted busybox and module tree."""
    order = modules.resolve(modules_root, REQUIRED_MODULES, OPTIONAL_MODULES)
    module_files = [(name, modules.read_module(path)) for name, path in order]
    with open(busybox_path, "rb") as handle:
        busybox = handle.read()
    tree = entries(busybox, busybox_applets(busybox_path), module_files)
    return cpio.write_gzip(tree), [name for name, _ in order]
