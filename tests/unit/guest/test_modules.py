"""Kernel module dependencies from `.modinfo`, and the load order built from them."""

from __future__ import annotations

import lzma
import os
import struct

import pytest

from novalite.guest import modules


def fake_module(modinfo: dict[str, str], extra_sections: int = 1) -> bytes:
    """A minimal little-endian ELF64 file with a `.modinfo` section (and some others)."""
    info = b"".join(f"{key}={value}".encode() + b"\0" for key, value in modinfo.items())
    names = [b"", b".text"] * extra_sections + [b".modinfo", b".shstrtab"]
    shstrtab = b"\0"
    name_offsets = []
    for name in names:
        if name:
            name_offsets.append(len(shstrtab))
            shstrtab += name + b"\0"
        else:
            name_offsets.append(0)
    body = b"\x90" * 16 + info + shstrtab
    info_offset = 64 + 16
    strtab_offset = info_offset + len(info)
    shoff = 64 + len(body)
    shoff += -shoff % 8
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x28, shoff)
    struct.pack_into("<HHH", header, 0x3A, 64, len(names), len(names) - 1)
    sections = b""
    for index, name in enumerate(names):
        offset, size = 64, 16
        if name == b".modinfo":
            offset, size = info_offset, len(info)
        elif name == b".shstrtab":
            offset, size = strtab_offset, len(shstrtab)
        section = bytearray(64)
        struct.pack_into("<I", section, 0, name_offsets[index])
        struct.pack_into("<QQ", section, 0x18, offset, size)
        sections += bytes(section)
    padding = b"\0" * (shoff - 64 - len(body))
    return bytes(header) + body + padding + sections


def test_modinfo_is_read_from_the_elf_section() -> None:
    elf = fake_module({"license": "GPL", "depends": "virtio_ring,virtio", "alias": "a",
                       "alias2": "b", "name": "virtio_net"})
    info = modules.parse_modinfo(modules.elf_section(elf, ".modinfo") or b"")
    assert info["depends"] == ["virtio_ring,virtio"]
    assert info["name"] == ["virtio_net"]
    assert modules.depends(info) == ["virtio_ring", "virtio"]
    assert modules.elf_section(elf, ".missing") is None


def test_empty_depends_and_dashes() -> None:
    assert modules.depends(modules.parse_modinfo(b"depends=\0license=GPL\0")) == []
    assert modules.depends({"depends": ["net-failover, failover"]}) == [
        "net_failover", "failover"]
    assert modules.module_name("a/b/virtio-rng.ko.xz") == "virtio_rng"


def test_not_elf_is_refused() -> None:
    with pytest.raises(ValueError):
        modules.elf_section(b"MZ" + b"\0" * 100, ".modinfo")


VIRTIO = {
    "virtio_ring": [],
    "virtio": ["virtio_ring"],
    "virtio_pci_modern_dev": [],
    "virtio_pci_legacy_dev": [],
    "virtio_pci": ["virtio_pci_modern_dev", "virtio", "virtio_ring", "virtio_pci_legacy_dev"],
    "failover": [],
    "net_failover": ["failover"],
    "virtio_net": ["net_failover", "virtio", "virtio_ring"],
    "virtio_blk": ["virtio", "virtio_ring"],
}


def test_every_module_comes_after_its_dependencies() -> None:
    order = modules.load_order(["virtio_pci", "virtio_net", "virtio_blk"], VIRTIO)
    assert order == ["virtio_ring", "virtio", "virtio_pci_legacy_dev",
                     "virtio_pci_modern_dev", "virtio_pci", "failover", "net_failover",
                     "virtio_net", "virtio_blk"]
    for name, needs in VIRTIO.items():
        for dependency in needs:
            assert order.index(dependency) < order.index(name)


def test_builtin_modules_are_not_loaded_and_optional_ones_may_be_missing() -> None:
    order = modules.load_order(["virtio_net", "button", "virtio_rng"], VIRTIO,
                               builtin=["virtio-ring", "button"], optional=["virtio_rng"])
    assert order == ["failover", "net_failover", "virtio", "virtio_net"]


def test_a_missing_required_module_or_dependency_fails() -> None:
    with pytest.raises(modules.ModuleError, match="isofs"):
        modules.load_order(["virtio", "isofs"], VIRTIO)
    with pytest.raises(modules.ModuleError, match="cdrom"):
        modules.load_order(["sr_mod"], {"sr_mod": ["cdrom"]}, optional=["sr_mod"])


def test_a_cycle_is_reported() -> None:
    with pytest.raises(modules.ModuleError, match="cycle"):
        modules.load_order(["a"], {"a": ["b"], "b": ["a"]})


def test_resolve_walks_a_module_tree_with_compressed_modules(tmp_path) -> None:
    root = tmp_path / "lib" / "modules" / "6.1.0-1-cloud-amd64"
    drivers = root / "kernel" / "drivers"
    os.makedirs(drivers / "virtio")
    os.makedirs(drivers / "net")
    (drivers / "virtio" / "virtio_ring.ko").write_bytes(fake_module({"depends": ""}))
    (drivers / "virtio" / "virtio.ko.xz").write_bytes(
        lzma.compress(fake_module({"depends": "virtio_ring"}), format=lzma.FORMAT_XZ))
    (drivers / "net" / "virtio_net.ko").write_bytes(
        fake_module({"depends": "virtio,virtio_ring,net_failover"}))
    (root / "modules.builtin").write_text("kernel/drivers/net/net_failover.ko\n")
    order = modules.resolve(str(root), ["virtio_net"], optional=["virtio_rng"])
    assert [name for name, _ in order] == ["virtio_ring", "virtio", "virtio_net"]
    assert order[1][1].endswith("virtio.ko.xz")
    assert modules.read_module(order[1][1]).startswith(b"\x7fELF")
