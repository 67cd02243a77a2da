"""One style of route table for the four REST APIs: each resource module's ``ROUTES`` (a
tuple of ``wsgi.Route``), built into the API's router by ``wsgi.build_router``."""

from __future__ import annotations

from types import ModuleType

import pytest

from novalite.api.compute import app as compute_app
from novalite.api.compute import flavors, servers
from novalite.common import exception, wsgi
from novalite.identity import api as identity_api
from novalite.identity.api import catalog
from novalite.image import api as image_api
from novalite.image.api import data, images, members, schemas, versions
from novalite.network import api as network_api
from novalite.network.api import misc, networks, ports, quotas, security_groups, subnets

TABLES: dict[str, tuple[ModuleType, ...]] = {
    "compute": compute_app.RESOURCES,
    "identity": identity_api.RESOURCE_MODULES,
    "image": (versions, schemas, images, data, members),
    "network": (misc, quotas, networks, subnets, ports, security_groups),
}


@pytest.mark.parametrize("api", sorted(TABLES))
def test_every_resource_module_declares_routes(api: str) -> None:
    seen: set[tuple[str, str]] = set()
    for module in TABLES[api]:
        assert isinstance(module.ROUTES, tuple) and module.ROUTES, module.__name__
        for route in module.ROUTES:
            assert isinstance(route, wsgi.Route) and callable(route.handler)
            assert route.method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            assert (route.method, route.path) not in seen, route  # one handler per route
            seen.add((route.method, route.path))


def test_build_router_keeps_the_tables_order() -> None:
    first = (wsgi.Route("GET", "/things/detail", lambda request: None),)
    second = (wsgi.Route("GET", "/things/{thing_id}", lambda request, thing_id: None),
              wsgi.Route("DELETE", "/things/{thing_id}", lambda request, thing_id: None))
    router = wsgi.build_router(lambda code, message: {}, first, second)
    assert router.match("GET", "/things/detail") == (first[0].handler, {})
    assert router.match("GET", "/things/t1") == (second[0].handler, {"thing_id": "t1"})
    with pytest.raises(exception.NotFound):
        router.match("GET", "/other")


def test_each_api_router_comes_from_its_tables(conf: object) -> None:
    compute = compute_app.build_router()
    assert compute.match("GET", "/flavors/detail")[0] is flavors.detail
    assert compute.match("GET", "/servers/detail")[0] is servers.detail
    assert compute.match("DELETE", "/servers/s1") == (servers.delete, {"server_id": "s1"})
    assert image_api.make_router().match("GET", "/v2/images/i1/file")[0] is data.download
    network = network_api.make_router()
    assert network.match("GET", "/v2.0/quotas/p1/details")[0] is quotas.details
    assert network.match("PUT", "/v2.0/ports/p1")[0] is ports.update
    identity = identity_api.make_router()
    assert identity.match("PATCH", "/v3/endpoints/e1")[0] is catalog.update_endpoint
    _, params = identity.match("HEAD", "/v3/projects/p1/users/u1/roles/r1")
    assert params == {"target_id": "p1", "actor_id": "u1", "role_id": "r1"}
    _, params = identity.match("PUT", "/v3/system/groups/g1/roles/r1")
    assert params == {"actor_id": "g1", "role_id": "r1"}
