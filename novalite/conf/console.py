"""Remote consoles: [vnc], [spice], [serial_console], [consoleauth], [console] and the
proxies' TLS options in [DEFAULT], with nova.conf's names and meanings.

Differences from Nova's defaults, each for a single-host cloud that works at once:
``[serial_console] enabled`` is True (Nova: False), the noVNC page is ``vnc_lite.html``
(what DevStack uses with noVNC >= 1.0; Debian's ``vnc_auto.html`` is the full client
that waits for a click), the proxies listen on 127.0.0.1 (Nova: 0.0.0.0), and
``xvpvnc`` (removed from Nova in Ussuri) is served by ``novalite-xvpvncproxy``.
"""

import os
import sys

from oslo_config import cfg

default_opts = [
    cfg.BoolOpt("ssl_only", default=False,
                help="The console proxies refuse connections that are not TLS."),
    cfg.StrOpt("cert", default="self.pem",
               help="TLS certificate of the console proxies (PEM); when the file exists "
                    "they accept TLS and, unless ssl_only, plain connections on one port."),
    cfg.StrOpt("key", help="Private key of the certificate (default: inside cert)."),
    cfg.StrOpt("web", default="/usr/share/novnc",
               help="noVNC's static files (Debian package novnc), served by "
                    "novalite-novncproxy."),
]

vnc_group = cfg.OptGroup("vnc", title="VNC consoles")
vnc_opts = [
    cfg.BoolOpt("enabled", default=True, help="Guests get a VNC display; novnc and xvpvnc "
                                              "consoles are offered."),
    cfg.HostAddressOpt("server_listen", default="127.0.0.1",
                       help="Address QEMU's VNC server listens on."),
    cfg.HostAddressOpt("server_proxyclient_address", default="127.0.0.1",
                       help="Address of this compute host that the VNC proxies dial."),
    cfg.URIOpt("novncproxy_base_url", default="http://127.0.0.1:6080/vnc_lite.html",
               help="Base of the novnc URL handed to users (the token goes into its "
                    "'path' query parameter)."),
    cfg.HostAddressOpt("novncproxy_host", default="127.0.0.1",
                       help="Address novalite-novncproxy listens on."),
    cfg.PortOpt("novncproxy_port", default=6080, help="Port of novalite-novncproxy."),
    cfg.URIOpt("xvpvncproxy_base_url", default="http://127.0.0.1:6081/console",
               help="Base of the xvpvnc URL (native VNC viewers, through "
                    "'novalite console connect')."),
    cfg.HostAddressOpt("xvpvncproxy_host", default="127.0.0.1",
                       help="Address novalite-xvpvncproxy listens on."),
    cfg.PortOpt("xvpvncproxy_port", default=6081, help="Port of novalite-xvpvncproxy."),
]

spice_group = cfg.OptGroup("spice", title="SPICE consoles")
spice_opts = [
    cfg.BoolOpt("enabled", default=True, help="Guests get a SPICE display; spice-html5 "
                                              "consoles are offered."),
    cfg.BoolOpt("agent_enabled", default=True,
                help="Add the SPICE agent channel (com.redhat.spice.0) to guests."),
    cfg.HostAddressOpt("server_listen", default="127.0.0.1",
                       help="Address QEMU's SPICE server listens on."),
    cfg.HostAddressOpt("server_proxyclient_address", default="127.0.0.1",
                       help="Address of this compute host that the SPICE proxy dials."),
    cfg.URIOpt("html5proxy_base_url", default="http://127.0.0.1:6082/spice_auto.html",
               help="Base of the spice-html5 URL handed to users (?token=...)."),
    cfg.HostAddressOpt("html5proxy_host", default="127.0.0.1",
                       help="Address novalite-spicehtml5proxy listens on."),
    cfg.PortOpt("html5proxy_port", default=6082, help="Port of novalite-spicehtml5proxy."),
    cfg.StrOpt("web", default="/usr/share/spice-html5",
               help="spice-html5's static files (Debian package spice-html5)."),
]


def default_xterm_dir() -> str:
    """Where ``make install`` puts npm's @xterm/xterm: the virtualenv's share/novalite
    (sys.prefix), or the .venv of the checkout this package runs from."""
    relative = os.path.join("share", "novalite", "node_modules", "@xterm", "xterm")
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for base in (sys.prefix, os.path.join(checkout, ".venv")):
        if os.path.isdir(os.path.join(base, relative)):
            return os.path.join(base, relative)
    return os.path.join(sys.prefix, relative)


serial_group = cfg.OptGroup("serial_console", title="Serial consoles")
serial_opts = [
    cfg.BoolOpt("enabled", default=True,
                help="Guests' first serial port is a TCP server on this host (still logged "
                     "for 'console log show'); serial consoles are offered."),
    cfg.StrOpt("port_range", default="10000:20000", regex=r"^\d+:\d+$",
               help="TCP ports (MIN:MAX) for the guests' serial ports."),
    cfg.URIOpt("base_url", default="ws://127.0.0.1:6083/",
               help="Base of the serial console URL handed to users (?token=...)."),
    cfg.HostAddressOpt("proxyclient_address", default="127.0.0.1",
                       help="Address the serial ports listen on, which the proxy dials."),
    cfg.HostAddressOpt("serialproxy_host", default="127.0.0.1",
                       help="Address novalite-serialproxy listens on."),
    cfg.PortOpt("serialproxy_port", default=6083, help="Port of novalite-serialproxy."),
    cfg.StrOpt("xterm_dir", default=default_xterm_dir(),
               sample_default="$VIRTUAL_ENV/share/novalite/node_modules/@xterm/xterm",
               help="npm's @xterm/xterm (installed by make install), for the terminal page "
                    "novalite-serialproxy serves to browsers."),
]

consoleauth_group = cfg.OptGroup("consoleauth", title="Console authorization tokens")
consoleauth_opts = [
    cfg.IntOpt("token_ttl", default=600, min=1,
               help="Seconds a console token is valid."),
    cfg.BoolOpt("enforce_session_timeout", default=False,
                help="Close a console session when its token expires."),
    cfg.IntOpt("purge_interval", default=300, min=1,
               help="Seconds between purges of expired tokens (novalite)."),
]

console_group = cfg.OptGroup("console", title="Console proxies")
console_opts = [
    cfg.ListOpt("allowed_origins", default=[],
                help="Origin host names allowed besides the Host header's."),
    cfg.StrOpt("ssl_ciphers", help="OpenSSL cipher list of the proxies' TLS."),
    cfg.StrOpt("ssl_minimum_version", default="default",
               choices=["default", "tlsv1_1", "tlsv1_2", "tlsv1_3"],
               help="Oldest TLS version the proxies accept."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(default_opts)
    for group, opts in ((vnc_group, vnc_opts), (spice_group, spice_opts),
                        (serial_group, serial_opts), (consoleauth_group, consoleauth_opts),
                        (console_group, console_opts)):
        conf.register_group(group)
        conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [("DEFAULT", default_opts), (vnc_group.name, vnc_opts),
            (spice_group.name, spice_opts), (serial_group.name, serial_opts),
            (consoleauth_group.name, consoleauth_opts), (console_group.name, console_opts)]
