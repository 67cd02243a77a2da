"""Concurrent IP allocation on one /26 (61 usable addresses): never a duplicate, a clean
409 once the subnet is full, and nothing left behind after the deletes. Runs on SQLite,
PostgreSQL and MariaDB (the database's unique constraint is what makes it hold)."""

from __future__ import annotations

import concurrent.futures
import ipaddress

import requests

from novalite.network import store
from tests.functional.test_network_api import (  # noqa: F401 - fixtures
    Client,
    a,
    network_url,
    neutron_error,
)

USABLE = 61  # a /26 less network, broadcast and gateway


def _create(url: str, network_id: str, index: int) -> requests.Response:
    return requests.post(f"{url}/v2.0/ports", timeout=60,
                         headers={"X-Auth-Token": "token-a"},
                         json={"port": {"network_id": network_id, "name": f"p{index}",
                                        "device_id": f"vm-{index}"}})


def test_fifty_concurrent_ports_then_full_then_nothing_leaked(a, network_url):  # noqa: F811
    net = a.create("network", name="busy")
    subnet = a.create("subnet", network_id=net["id"], cidr="10.20.0.0/26", ip_version=4)
    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda i: _create(network_url, net["id"], i), range(50)))
    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses
                                                             if r.status_code != 201]
    ports = [r.json()["port"] for r in responses]
    addresses = [p["fixed_ips"][0]["ip_address"] for p in ports]
    assert len(set(addresses)) == 50
    assert len({p["mac_address"] for p in ports}) == 50
    cidr = ipaddress.ip_network("10.20.0.0/26")
    assert all(ipaddress.ip_address(ip) in cidr and ip != "10.20.0.1" for ip in addresses)
    # The lowest free addresses were used: exactly .2 to .51.
    assert sorted(addresses, key=ipaddress.ip_address) == [f"10.20.0.{i}" for i in
                                                           range(2, 52)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=11) as pool:
        more = list(pool.map(lambda i: _create(network_url, net["id"], i), range(50, 61)))
    assert [r.status_code for r in more] == [201] * 11
    ports += [r.json()["port"] for r in more]
    assert len({p["fixed_ips"][0]["ip_address"] for p in ports}) == USABLE

    message = neutron_error(_create(network_url, net["id"], 61), 409,
                            "IpAddressGenerationFailure")
    assert message == f"No more IP addresses available on network {net['id']}."
    assert store.count_allocations(subnet["id"]) == USABLE
    assert len(a.list("ports", network_id=net["id"])) == USABLE  # the failure left no port

    def delete(port_id: str) -> int:
        return requests.delete(f"{network_url}/v2.0/ports/{port_id}", timeout=60,
                               headers={"X-Auth-Token": "token-a"}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(delete, [p["id"] for p in ports])) == {204}
    assert store.count_allocations() == 0
    assert a.list("ports") == []
    a.call("DELETE", f"/networks/{net['id']}", expect=204)


def test_store_level_races_on_one_address(db):
    """Fifty threads straight at the store (more than the API's worker threads), half
    of them asking for the same fixed address: one wins it, the rest get others."""
    net = store.create_network({"name": "race", "project_id": "p"})
    subnet = store.create_subnet({
        "network_id": net["id"], "project_id": "p", "cidr": "10.30.0.0/26",
        "gateway_ip": "10.30.0.1", "ip_version": 4, "enable_dhcp": True,
        "allocation_pools": [{"start": "10.30.0.2", "end": "10.30.0.62"}],
        "dns_nameservers": []})

    def create(index: int) -> str:
        fixed = [{"ip_address": "10.30.0.40"}] if index % 2 else None
        try:
            port = store.create_port({"network_id": net["id"], "project_id": "p",
                                      "status": "DOWN"}, fixed_ips=fixed)
        except Exception as error:  # noqa: BLE001 - the losers of the fixed address
            return type(error).__name__
        return port["fixed_ips"][0]["ip_address"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(create, range(50)))
    addresses = [r for r in results if r.startswith("10.30.")]
    failures = [r for r in results if not r.startswith("10.30.")]
    assert addresses.count("10.30.0.40") == 1
    assert len(addresses) == len(set(addresses)) == 26
    assert failures == ["IpAddressAlreadyAllocated"] * 24
    assert store.count_allocations(subnet["id"]) == 26
