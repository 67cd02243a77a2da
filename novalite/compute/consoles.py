"""The console types novalite serves: which display of the guest each one reaches,
whether it is enabled and the proxy URL its tokens are handed out under.

Read on the compute node (its configuration decides, as in Nova) and by the API
(to refuse a type a protocol does not have before asking the node).
"""

from __future__ import annotations

import dataclasses

from novalite.common import exception
from novalite.conf import CONF


@dataclasses.dataclass(frozen=True)
class ConsoleType:
    name: str
    #: the guest display it reaches: vnc, spice or serial
    display: str
    #: the configuration group that enables it and holds its URL base
    group: str
    url_option: str

    def enabled(self) -> bool:
        return bool(getattr(CONF, self.group).enabled)

    def access_url_base(self) -> str:
        return str(getattr(getattr(CONF, self.group), self.url_option))


TYPES: dict[str, ConsoleType] = {t.name: t for t in (
    ConsoleType("novnc", "vnc", "vnc", "novncproxy_base_url"),
    ConsoleType("xvpvnc", "vnc", "vnc", "xvpvncproxy_base_url"),
    ConsoleType("spice-html5", "spice", "spice", "html5proxy_base_url"),
    ConsoleType("serial", "serial", "serial_console", "base_url"),
)}

#: remote-consoles protocol -> the console types it has (Nova's schema)
PROTOCOLS: dict[str, tuple[str, ...]] = {
    "vnc": ("novnc", "xvpvnc"), "spice": ("spice-html5", "spice-direct"),
    "serial": ("serial",), "rdp": ("rdp-html5",), "mks": ("webmks",)}


def console_type(name: str) -> ConsoleType:
    """The served type ``name``, enabled; a 400 as Nova words it otherwise (types Nova
    knows but novalite does not serve: rdp-html5, webmks, spice-direct)."""
    found = TYPES.get(name)
    if found is None:
        known = {t for types in PROTOCOLS.values() for t in types}
        if name in known:
            raise exception.ConsoleTypeUnavailable(console_type=name)
        raise exception.ConsoleTypeInvalid(console_type=name)
    if not found.enabled():
        raise exception.ConsoleTypeUnavailable(console_type=name)
    return found
