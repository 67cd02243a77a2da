"""Is libvirt usable here? One clear message saying what to run when it is not."""

from __future__ import annotations

from typing import Any

from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt.protocols import Connection

SETUP_HINT = "Run tools/setup-libvirt (as root) to install and start libvirt + QEMU."


class LibvirtUnavailable(VirtDriverError):
    """libvirt-python, libvirtd or the QEMU driver is missing or broken."""


def import_libvirt() -> Any:
    """The libvirt module, or LibvirtUnavailable naming the fix.

    ``Any``: libvirt-python has no stubs; its objects are typed by ``protocols``.
    """
    try:
        import libvirt
    except ImportError as error:
        raise LibvirtUnavailable(
            f"libvirt-python is not installed ({error}). Run tools/setup-libvirt, then "
            "'.venv/bin/pip install -e .[libvirt]'.") from None
    # libvirt prints every error to stderr by default; they reach us as exceptions.
    libvirt.registerErrorHandler(lambda _ctx, _error: None, None)
    return libvirt


def open_connection(uri: str) -> Connection:
    """An open libvirt connection to ``uri``, or LibvirtUnavailable saying what to run."""
    libvirt = import_libvirt()
    try:
        connection: Connection = libvirt.open(uri)
        connection.getVersion()
    except libvirt.libvirtError as error:
        raise LibvirtUnavailable(
            f"Cannot use libvirt at {uri}: {error.get_error_message()}. {SETUP_HINT}"
        ) from None
    return connection


def check(uri: str = "qemu:///system") -> str:
    """A one-line description of the daemon when usable; raises LibvirtUnavailable if not."""
    connection = open_connection(uri)
    try:
        version = connection.getVersion()
        return (f"libvirt {connection.getLibVersion()} at {uri}, hypervisor "
                f"{connection.getType()} {version // 1000000}.{version // 1000 % 1000}."
                f"{version % 1000}")
    finally:
        connection.close()


def main() -> int:
    """``python -m novalite.virt.libvirt.daemon``: exit 0 when libvirt is usable."""
    import sys

    from novalite.conf import CONF

    CONF([], project="novalite", default_config_files=[])
    try:
        print(check(CONF.libvirt.connection_uri))
    except LibvirtUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
