"""The initramfs contents and the generated /init script."""

from __future__ import annotations

import stat
import subprocess

import pytest

from novalite.guest import cpio, initramfs


def test_init_loads_modules_in_the_given_order() -> None:
    script = initramfs.render_init(["virtio_ring", "virtio", "virtio_net"])
    assert script.startswith("#!/bin/sh\n")
    assert "@MODULES@" not in script
    lines = [line for line in script.splitlines() if line.startswith("load_module ")]
    assert lines == ["load_module virtio_ring", "load_module virtio", "load_module virtio_net"]
    # modules before network, metadata before user-data, and init last
    assert script.index("load_module virtio_net") < script.index("udhcpc -i eth0")
    assert script.index("169.254.169.254") < script.index("USERDATA start")
    assert script.index("LABEL=config-2") < script.index("USERDATA start")
    assert script.index("acpid -c /etc/acpi") < script.index("exec /sbin/init")
    assert script.rstrip().endswith("exec /sbin/init")


@pytest.mark.parametrize("name", ["init", "udhcpc", "login", "power"])
def test_every_shell_script_parses(tmp_path, name: str) -> None:
    texts = {
        "init": initramfs.render_init(["virtio"]),
        "udhcpc": initramfs.package_text("udhcpc.script"),
        "login": initramfs.package_text("login.sh"),
        "power": initramfs.package_text("power-button.sh"),
    }
    path = tmp_path / "script.sh"
    path.write_text(texts[name])
    result = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_power_button_handler_prints_and_powers_off() -> None:
    text = initramfs.package_text("power-button.sh")
    assert "ACPI power button: shutting down" in text
    assert text.index("ACPI power button") < text.index("poweroff -f")


def test_inittab_keeps_a_login_prompt_on_serial_and_vga() -> None:
    inittab = initramfs.package_text("inittab")
    assert "getty -L -l /sbin/tiny-login 115200 ttyS0" in inittab
    assert "tty1" in inittab
    assert inittab.count("respawn") == 2


def test_entries_hold_init_busybox_links_devices_and_modules() -> None:
    tree = initramfs.entries(b"\x7fELF-busybox", ["bin/sh", "sbin/init", "usr/bin/wget",
                                                   "bin/busybox"],
                             [("virtio_ring", b"ring"), ("virtio", b"virtio")])
    parsed = {entry.path: entry for entry in cpio.read(cpio.write(tree))}
    init = parsed["init"]
    assert init.mode & 0o111 and stat.S_ISREG(init.mode)
    assert init.data.decode().index("load_module virtio_ring") < init.data.decode().index(
        "load_module virtio\n")
    assert parsed["bin/busybox"].data == b"\x7fELF-busybox"
    assert parsed["sbin/init"].data == b"/bin/busybox"
    assert stat.S_ISLNK(parsed["usr/bin/wget"].mode)
    assert parsed["dev/console"].rdev == (5, 1)
    assert parsed["lib/modules/virtio.ko"].data == b"virtio"
    assert parsed["etc/acpi/PWRF/00000080"].mode & 0o111
    assert parsed["tmp"].mode & 0o7777 == 0o1777
