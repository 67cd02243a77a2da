"""The parts of libvirt-python's ``virConnect`` and ``virDomain`` novalite calls.

libvirt-python ships neither stubs nor a ``py.typed`` marker, and its inline
annotations are not what the C bindings return (``virDomain.info()`` is declared
``-> str`` and returns a list), so the module itself is ``Any`` to mypy. These
Protocols state what the bindings really return (libvirt's Python API docs), so
the code using a connection or a domain is checked; the real objects satisfy them
structurally, no libvirt import needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Domain(Protocol):
    def UUIDString(self) -> str: ...

    def name(self) -> str: ...

    def XMLDesc(self, flags: int = 0) -> str: ...

    def isActive(self) -> int: ...

    def state(self, flags: int = 0) -> list[int]:
        """[state, reason]."""

    def info(self) -> list[int]:
        """[state, max memory KiB, memory KiB, vCPUs, CPU time ns]."""

    def vcpus(self) -> tuple[list[tuple[int, int, int, int]], list[tuple[bool, ...]]]:
        """([(number, state, CPU time ns, host CPU)], CPU maps)."""

    def blockStats(self, path: str) -> tuple[int, int, int, int, int]:
        """(read requests, read bytes, write requests, write bytes, errors)."""

    def create(self) -> int: ...

    def destroy(self) -> int: ...

    def shutdown(self) -> int: ...

    def suspend(self) -> int: ...

    def resume(self) -> int: ...

    def managedSave(self, flags: int = 0) -> int: ...

    def hasManagedSaveImage(self, flags: int = 0) -> int: ...

    def managedSaveRemove(self, flags: int = 0) -> int: ...

    def undefineFlags(self, flags: int = 0) -> int: ...

    def attachDeviceFlags(self, xml: str, flags: int = 0) -> int: ...

    def detachDeviceFlags(self, xml: str, flags: int = 0) -> int: ...


#: ``virConnectDomainEventLifecycleCallback``: (connection, domain, event, detail, opaque).
LifecycleCallback = Callable[["Connection", Domain, int, int, object], None]


class Connection(Protocol):
    def getURI(self) -> str: ...

    def getType(self) -> str: ...

    def getVersion(self) -> int: ...

    def getLibVersion(self) -> int: ...

    def getHostname(self) -> str: ...

    def getInfo(self) -> list[str | int]:
        """[CPU model, memory MiB, CPUs, MHz, NUMA nodes, sockets, cores, threads]."""

    def isAlive(self) -> int: ...

    def close(self) -> int: ...

    def lookupByUUIDString(self, uuidstr: str) -> Domain: ...

    def listAllDomains(self, flags: int = 0) -> list[Domain]: ...

    def defineXML(self, xml: str) -> Domain: ...

    def domainEventRegisterAny(self, dom: Domain | None, eventID: int,
                               cb: LifecycleCallback, opaque: object) -> int: ...

    def domainEventDeregisterAny(self, callbackID: int) -> None: ...
