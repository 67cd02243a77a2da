"""Kernel modules: read `.modinfo` from the ELF files and order them by dependency.

`depmod` is not installed on the build host, so instead of modules.dep we read
each module's own `depends=` list from its `.modinfo` section (NUL-separated
`key=value` strings) and load the closure of the wanted modules, dependencies
first (`virtio_ring` before `virtio`, `failover` before `net_failover` ...).
"""

from __future__ import annotations

import lzma
import os
import struct
from collections.abc import Iterable, Mapping

MODULE_SUFFIXES = (".ko", ".ko.xz")


class ModuleError(Exception):
    """A wanted module is neither a module file nor built into the kernel."""


def module_name(filename: str) -> str:
    """`net_failover.ko.xz` -> `net_failover`; the kernel treats - and _ alike."""
    base = os.path.basename(filename)
    for suffix in MODULE_SUFFIXES:
        if base.endswith(suffix):
            base = base[:-len(suffix)]
            break
    return base.replace("-", "_")


def read_module(path: str) -> bytes:
    """The module's ELF bytes, decompressed when it is a `.ko.xz`."""
    with open(path, "rb") as handle:
        data = handle.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def elf_section(elf: bytes, wanted: str) -> bytes | None:
    """The contents of the named section of a little-endian ELF64 file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def header(index: int) -> tuple[int, int, int]:
        base = shoff + index * shentsize
        name = struct.unpack_from("<I", elf, base)[0]
        offset, size = struct.unpack_from("<QQ", elf, base + 0x18)
        return name, offset, size

    _, strtab, strsize = header(shstrndx)
    names = elf[strtab:strtab + strsize]
    for index in range(shnum):
        name_offset, offset, size = header(index)
        end = names.find(b"\0", name_offset)
        if names[name_offset:end].decode() == wanted:
            return elf[offset:offset + size]
    return None


def parse_modinfo(section: bytes) -> dict[str, list[str]]:
    """NUL-separated `key=value` strings -> {key: [values]} (keys such as alias repeat)."""
    info: dict[str, list[str]] = {}
    for item in section.split(b"\0"):
        if b"=" not in item:
            continue
        key, _, value = item.decode(errors="replace").partition("=")
        info.setdefault(key, []).append(value)
    return info


def depends(info: Mapping[str, list[str]]) -> list[str]:
    """The module names in `depends=` (a comma-separated list, often empty)."""
    names: list[str] = []
    for value in info.get("depends", []):
        names.extend(name.strip().replace("-", "_") for name in value.split(",") if name.strip())
    return names


def index_tree(root: str) -> dict[str, str]:
    """{module name: path} for every module file under a lib/modules/<version> tree."""
    found: dict[str, str] = {}
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for filename in sorted(files):
            if filename.endswith(MODULE_SUFFIXES):
                found.setdefault(module_name(filename), os.path.join(directory, filename))
    return found


def read_builtin(root: str) -> set[str]:
    """Names of the modules compiled into the kernel (from `modules.builtin`)."""
    path = os.path.join(root, "modules.builtin")
    if not os.path.exists(path):
        return set()
    with open(path) as handle:
        return {module_name(line.strip()) for line in handle if line.strip()}


def load_order(wanted: Iterable[str], deps: Mapping[str, list[str]],
               builtin: Iterable[str] = (), optional: Iterable[str] = ()) -> list[str]:
    """The wanted modules and everything they depend on, each after its dependencies.

    `deps` maps every available module to its `depends=` list. Built-in modules
    need no loading and are left out; an `optional` module that is missing is
    skipped, a required one raises ModuleError. Ties are broken by the order of
    `wanted`, then by name, so the result is stable.
    """
    builtin_set = {name.replace("-", "_") for name in builtin}
    optional_set = {name.replace("-", "_") for name in optional}
    order: list[str] = []
    done: set[str] = set()
    visiting: list[str] = []

    def visit(name: str, required: bool) -> None:
        if name in done or name in builtin_set:
            return
        if name in visiting:
            raise ModuleError("dependency cycle: " + " -> ".join([*visiting, name]))
        if name not in deps:
            if required:
                raise ModuleError(f"kernel module {name!r} is neither a module nor built in")
            return
        visiting.append(name)
        for dependency in sorted(deps[name]):
            visit(dependency, True)
        visiting.pop()
        done.add(name)
        order.append(name)

    for name in wanted:
        normal = name.replace("-", "_")
        visit(normal, normal not in optional_set)
    return order


def resolve(root: str, wanted: Iterable[str], optional: Iterable[str] = ()
            ) -> list[tuple[str, str]]:
    """[(name, path)] to insmod in order, for a lib/modules/<version> tree."""
    wanted = list(wanted)
    optional = list(optional)
    paths = index_tree(root)
    deps: dict[str, list[str]] = {}
    pending = [name.replace("-", "_") for name in [*wanted, *optional]]
    while pending:
        name = pending.pop()
        if name in deps or name not in paths:
            continue
        section = elf_section(read_module(paths[name]), ".modinfo") or b""
        deps[name] = depends(parse_modinfo(section))
        pending.extend(deps[name])
    order = load_order([*wanted, *optional], deps, read_builtin(root), optional)
    return [(name, paths[name]) for name in order]
