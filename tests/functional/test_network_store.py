"""Store behaviour the API does not show directly: MAC collisions are retried, the
default security group is made once under concurrency, the shared default network
bootstrap is idempotent."""

from __future__ import annotations

import concurrent.futures

from novalite.conf import CONF
from novalite.network import bootstrap, ipam, store


def test_mac_collision_draws_another(db, monkeypatch):
    net = store.create_network({"name": "n", "project_id": "p"})
    first = store.create_port({"network_id": net["id"], "project_id": "p", "status": "DOWN"})
    draws = iter([first["mac_address"], first["mac_address"], "fa:16:3e:00:00:42"])
    monkeypatch.setattr(ipam, "random_mac", lambda rng=None: next(draws))
    second = store.create_port({"network_id": net["id"], "project_id": "p", "status": "DOWN"})
    assert second["mac_address"] == "fa:16:3e:00:00:42"


def test_default_security_group_made_once(db):
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda _: store.ensure_default_security_group("proj"), range(16)))
    assert len(ids) == 1
    groups = store.list_security_groups("proj", False)
    assert [g["name"] for g in groups] == ["default"] and groups[0]["is_default"]


def test_default_network_bootstrap_is_idempotent(db):
    first = bootstrap.ensure_default_network("admin-project")
    second = bootstrap.ensure_default_network("admin-project")
    assert first["id"] == second["id"] and first["subnets"] == second["subnets"]
    (network,) = store.list_networks("someone-else", False)
    assert network["name"] == CONF.network.default_network_name and network["shared"]
    (subnet,) = store.list_subnets("someone-else", False)
    assert subnet["cidr"] == CONF.network.default_network_cidr
    assert subnet["gateway_ip"] == "10.254.0.1"
