"""Factories for every novalite service, shared by the single-service console scripts
and by ``novalite up`` (which runs them all in one process).

An RPC service becomes a ``novalite.common.service.Service``; an HTTP API becomes a
``novalite.common.wsgi.Server``; a console proxy a ``novalite.console.server.
ConsoleServer``. All have ``name``, ``start()`` and ``stop()``.
``HTTP_APIS`` also says how each API appears in the service catalog;
``INTERNAL_HTTP_APIS`` are served but never in the catalog (the metadata API: guests
reach it through the metadata proxy, not through Keystone).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from novalite.common import wsgi
from novalite.common.service import Runnable, Service
from novalite.conf import CONF
from novalite.db.service_store import DBReporter


def conductor_service() -> Service:
    from novalite.conductor import rpcapi
    from novalite.conductor.manager import ConductorManager

    return Service("novalite-conductor", rpcapi.TOPIC,
                   ConductorManager(CONF.host, "novalite-conductor"), DBReporter())


def scheduler_service() -> Service:
    from novalite.scheduler import rpcapi
    from novalite.scheduler.manager import SchedulerManager

    return Service("novalite-scheduler", rpcapi.TOPIC,
                   SchedulerManager(CONF.host, "novalite-scheduler"), DBReporter())


def compute_service(host: str | None = None) -> Service:
    """A compute node; it reaches the database only through the conductor."""
    from novalite.compute import rpcapi
    from novalite.compute.manager import ComputeManager
    from novalite.conductor.rpcapi import ConductorReporter

    host = host or CONF.host
    return Service("novalite-compute", rpcapi.TOPIC, ComputeManager(host), ConductorReporter(),
                   host=host)


def identity_server() -> wsgi.Server:
    from novalite.identity.api import make_app

    return wsgi.Server("identity", make_app(), CONF.identity.listen, CONF.identity.listen_port,
                       threads=CONF.identity.workers)


def compute_api_server() -> wsgi.Server:
    from novalite.api.compute import app

    return wsgi.Server("compute", app.make_app(),
                       CONF.osapi_compute_listen,
                       CONF.osapi_compute_listen_port, threads=CONF.osapi_compute_workers)


def image_server() -> wsgi.Server:
    from novalite.image.api import make_server

    return make_server()


def network_server() -> wsgi.Server:
    from novalite.network.api import make_server

    return make_server()


def volume_server() -> wsgi.Server:
    from novalite.volume.api import make_server

    return make_server()


def _tls() -> dict[str, object]:
    from novalite.console.server import tls_context

    return {"tls": tls_context(), "ssl_only": bool(CONF.ssl_only)}


def novncproxy() -> Runnable:
    """noVNC (Debian's novnc, ``[DEFAULT] web``) and its WebSockets to the guests' VNC."""
    from novalite.console.websocketproxy import WebSocketProxy

    return WebSocketProxy("novncproxy", CONF.vnc.novncproxy_host, CONF.vnc.novncproxy_port,
                          ("novnc",), static_roots={"/": CONF.web}, **_tls())


def spicehtml5proxy() -> Runnable:
    """spice-html5 (Debian's spice-html5) and its WebSockets to the guests' SPICE."""
    from novalite.console.websocketproxy import WebSocketProxy

    return WebSocketProxy("spicehtml5proxy", CONF.spice.html5proxy_host,
                          CONF.spice.html5proxy_port, ("spice-html5",),
                          static_roots={"/": CONF.spice.web}, **_tls())


def serialproxy() -> Runnable:
    """WebSockets of binary frames to the guests' serial ports, and an xterm.js page."""
    from importlib import resources

    from novalite.console.websocketproxy import WebSocketProxy

    page = resources.files("novalite.console").joinpath("static/serial.html").read_bytes()
    return WebSocketProxy("serialproxy", CONF.serial_console.serialproxy_host,
                          CONF.serial_console.serialproxy_port, ("serial",),
                          static_roots={"/xterm/": CONF.serial_console.xterm_dir},
                          index=page, **_tls())


def xvpvncproxy() -> Runnable:
    """One HTTP request with the token, then raw RFB: for native VNC viewers."""
    from novalite.console.xvp import XVPProxy

    return XVPProxy("xvpvncproxy", CONF.vnc.xvpvncproxy_host, CONF.vnc.xvpvncproxy_port,
                    **_tls())


def dashboard_server() -> wsgi.Server:
    """The web UI: it reaches the APIs over HTTP with each user's token."""
    from novalite.dashboard.server import make_server

    return make_server()


def metadata_server() -> wsgi.Server:
    from novalite.api.metadata import handler

    return handler.make_server()


@dataclasses.dataclass(frozen=True)
class InternalHttpApi:
    """An HTTP API outside the service catalog: how to start it and probe it."""

    name: str
    make_server: Callable[[], wsgi.Server]
    port: Callable[[], int]
    probe_path: str = "/"


@dataclasses.dataclass(frozen=True)
class HttpApi:
    """An HTTP API: how to start it and how the catalog names and reaches it."""

    name: str
    service_type: str
    catalog_name: str
    make_server: Callable[[], wsgi.Server]
    port: Callable[[], int]
    path: str = ""
    probe_path: str = "/"
    #: more catalog entries for the same endpoint: (service type, catalog name)
    aliases: tuple[tuple[str, str], ...] = ()

    def public_url(self) -> str:
        return f"http://{CONF.public_host}:{self.port()}{self.path}"


HTTP_APIS: list[HttpApi] = [
    HttpApi("identity", "identity", "keystone", identity_server,
            lambda: CONF.identity.listen_port, path="/v3", probe_path="/v3"),
    HttpApi("image", "image", "glance", image_server, lambda: CONF.image.bind_port,
            probe_path="/versions"),
    # Unversioned, as Neutron is registered: clients discover and append /v2.0 themselves.
    HttpApi("network", "network", "neutron", network_server, lambda: CONF.network.bind_port,
            probe_path="/"),
    # Cinder's catalog entries: volumev3 (what Nova and older clients look up) and
    # block-storage (the official type openstacksdk prefers), one endpoint for both.
    HttpApi("volume", "volumev3", "cinderv3", volume_server, lambda: CONF.volume.bind_port,
            path="/v3/$(project_id)s", probe_path="/",
            aliases=(("block-storage", "cinder"),)),
    HttpApi("compute", "compute", "nova", compute_api_server,
            lambda: CONF.osapi_compute_listen_port, path="/v2.1", probe_path="/v2.1"),
    # Horizon's catalog entry; its sign-in page answers once it is up.
    HttpApi("dashboard", "dashboard", "horizon", dashboard_server,
            lambda: CONF.dashboard.listen_port, path="/", probe_path="/login"),
]

INTERNAL_HTTP_APIS: list[InternalHttpApi] = [
    InternalHttpApi("metadata", metadata_server, lambda: CONF.metadata_listen_port),
]

RPC_SERVICES: list[Callable[[], Service]] = [conductor_service, scheduler_service,
                                               compute_service]
#: the console proxies, in nova's port order (6080, 6081, 6082, 6083)
CONSOLE_PROXIES: list[Callable[[], Runnable]] = [novncproxy, xvpvncproxy, spicehtml5proxy,
                                                 serialproxy]


def all_in_one() -> list[Runnable]:
    """Every service of the cloud, in start order: RPC services first, then the APIs."""
    runnables: list[Runnable] = [factory() for factory in RPC_SERVICES]
    runnables.extend(api.make_server() for api in HTTP_APIS)
    runnables.extend(api.make_server() for api in INTERNAL_HTTP_APIS)
    runnables.extend(factory() for factory in CONSOLE_PROXIES)
    return runnables


def probe_urls() -> list[str]:
    """A URL of every HTTP API (catalog and internal) that answers once it is up."""
    apis: list[HttpApi | InternalHttpApi] = [*HTTP_APIS, *INTERNAL_HTTP_APIS]
    return [f"http://127.0.0.1:{api.port()}{api.probe_path}" for api in apis]
