"""Functional fixtures: a bootstrapped identity service on an ephemeral port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from novalite import services
from novalite.common import wsgi
from novalite.conf import CONF
from novalite.identity import bootstrap
from novalite.identity.api import make_app

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"
SERVICE_PASSWORD = "nova-service-secret"


@pytest.fixture
def identity(db) -> Iterator[str]:
    """Identity on an ephemeral port, bootstrapped with a compute and a volume endpoint."""
    CONF.set_override("password_hash_memory_kib", 1024, "identity")
    CONF.set_override("password_hash_time_cost", 1, "identity")
    bootstrap.bootstrap(ADMIN_PASSWORD, demo_password=DEMO_PASSWORD,
                        service_users={"nova": SERVICE_PASSWORD}, endpoints={
        "compute": ("nova", "http://127.0.0.1:8774/v2.1", "http://127.0.0.1:8774/v2.1"),
        "volumev3": ("cinderv3", "http://127.0.0.1:8776/v3/%(project_id)s",
                     "http://127.0.0.1:8776/v3/$(project_id)s")})
    server = wsgi.Server("identity", make_app(), "127.0.0.1", 0, threads=4)
    server.start()
    # The catalog's identity endpoint must name the ephemeral port for the CLI.
    bootstrap.register_service("identity", "keystone", f"{server.url}/v3")
    yield server.url
    server.stop()
    CONF.clear_override("password_hash_memory_kib", "identity")
    CONF.clear_override("password_hash_time_cost", "identity")




@pytest.fixture
def cloud(identity, conf) -> Iterator[dict[str, object]]:
    """The whole cloud in this process: identity, image, network, volume and compute APIs
    on ephemeral ports in the catalog, the shared default network, conductor, scheduler
    and two fake compute nodes."""
    from novalite.api.compute import app as compute_app
    from novalite.bootstrap import ensure_default_network
    from novalite.db import flavors
    from novalite.image.api import make_app as make_image_app
    from novalite.network.api import make_app as make_network_app
    from novalite.volume.api import VolumeServer
    from novalite.volume.api import make_app as make_volume_app
    from tests.functional.cloud import ControlPlane

    flavors.ensure_default_flavors()
    ensure_default_network()
    # the compute nodes bind ports to their host as the service user, as Nova does; the
    # volume service tells Nova of grown volumes as that user too
    for group in ("neutron", "nova"):
        conf.set_override("auth_url", f"{identity}/v3", group)
        conf.set_override("password", SERVICE_PASSWORD, group)
    image = wsgi.Server("image", make_image_app(), "127.0.0.1", 0, threads=4)
    network = wsgi.Server("network", make_network_app(), "127.0.0.1", 0, threads=8)
    volume = VolumeServer("volume", make_volume_app(), "127.0.0.1", 0, threads=8)
    from tests.functional.nova_schemas import SchemaCheck

    # every Compute API answer is checked against Nova's schema for its microversion
    checked = SchemaCheck(compute_app.make_app())
    compute = wsgi.Server("compute", checked, "127.0.0.1", 0, threads=8)
    plane = ControlPlane().start()
    for server in (image, network, volume, compute):
        server.start()
    bootstrap.register_service("image", "glance", image.url)
    bootstrap.register_service("network", "neutron", network.url)
    volume_url = f"{volume.url}/v3/$(project_id)s"
    bootstrap.register_service("volumev3", "cinderv3", volume_url)
    bootstrap.register_service("block-storage", "cinder", volume_url)
    bootstrap.register_service("compute", "nova", f"{compute.url}/v2.1")
    from novalite.identity import cache

    cache.invalidate()
    yield {"identity": identity, "image": image.url, "network": network.url,
           "volume": f"{volume.url}/v3", "compute": f"{compute.url}/v2.1", "plane": plane,
           "schemas": checked}
    for server in (compute, volume, network, image):
        server.stop()
    plane.stop()
    for group in ("neutron", "nova"):
        conf.clear_override("password", group)
        conf.clear_override("auth_url", group)
    assert checked.violations == [], "\n".join(checked.violations)


_PORTS = (("vnc", "novncproxy_port"), ("vnc", "xvpvncproxy_port"),
          ("spice", "html5proxy_port"), ("serial_console", "serialproxy_port"))
_BASES = {"novncproxy": ("vnc", "novncproxy_base_url", "http://127.0.0.1:{}/vnc_lite.html"),
          "xvpvncproxy": ("vnc", "xvpvncproxy_base_url", "http://127.0.0.1:{}/console"),
          "spicehtml5proxy": ("spice", "html5proxy_base_url",
                              "http://127.0.0.1:{}/spice_auto.html"),
          "serialproxy": ("serial_console", "base_url", "ws://127.0.0.1:{}/")}


@pytest.fixture
def proxies(cloud, conf) -> Iterator[dict[str, Any]]:
    """The four console proxies on ephemeral ports, the URL bases naming them."""
    for group, option in _PORTS:
        conf.set_override(option, 0, group)
    started = {factory.__name__: factory() for factory in services.CONSOLE_PROXIES}
    for proxy in started.values():
        proxy.start()
    for name, (group, option, template) in _BASES.items():
        conf.set_override(option, template.format(started[name].port), group)
    yield started
    for proxy in started.values():
        proxy.stop()
    for group, option in _PORTS:
        conf.clear_override(option, group)
    for group, option, _ in _BASES.values():
        conf.clear_override(option, group)
