"""compute.network.l3_state: the network service's routers and floating IPs as the data
plane takes them (one module, its network client replaced by a fake)."""

from __future__ import annotations

from typing import Any

import pytest

from novalite.compute import network
from novalite.network.linux import l3

EXT, INT, INT6 = "e" * 8 + "-0000-0000-0000-000000000001", "a" * 8 + "-0000-0000-0000-0001", "s6"


class FakeClient:
    def __init__(self, routers: list[dict[str, Any]], fips: list[dict[str, Any]]) -> None:
        self.routers, self.fips = routers, fips

    def list_routers(self) -> list[dict[str, Any]]:
        return self.routers

    def list_ports(self, device_owner: str) -> list[dict[str, Any]]:
        assert device_owner == "network:router_interface"
        return [{"device_id": "r1", "network_id": INT,
                 "fixed_ips": [{"subnet_id": "sint", "ip_address": "10.1.0.1"},
                               {"subnet_id": INT6, "ip_address": "2001:db8::1"}]}]

    def list_floatingips(self) -> list[dict[str, Any]]:
        return self.fips

    def list_subnets(self, network_id: list[str] | None = None,
                     id: list[str] | None = None) -> list[dict[str, Any]]:
        subnets = [{"id": "sext", "network_id": EXT, "ip_version": 4,
                    "cidr": "203.0.113.0/24", "gateway_ip": "203.0.113.1"},
                   {"id": "sint", "network_id": INT, "ip_version": 4, "cidr": "10.1.0.0/24"},
                   {"id": INT6, "network_id": INT, "ip_version": 6, "cidr": "2001:db8::/64"}]
        return [s for s in subnets if (network_id and s["network_id"] in network_id)
                or (id and s["id"] in id)]


ROUTER = {"id": "r1", "admin_state_up": True,
          "external_gateway_info": {"network_id": EXT, "enable_snat": True,
                                    "external_fixed_ips": [{"subnet_id": "sext",
                                                            "ip_address": "203.0.113.10"}]}}
FIP = {"floating_ip_address": "203.0.113.20", "floating_network_id": EXT, "router_id": "r1",
       "port_id": "p1", "fixed_ip_address": "10.1.0.5"}


def _state(monkeypatch: pytest.MonkeyPatch, routers: list[dict[str, Any]],
           fips: list[dict[str, Any]]) -> l3.L3State:
    monkeypatch.setattr(network, "_service_client", lambda: FakeClient(routers, fips))
    state = network.l3_state()
    assert state is not None
    return l3.from_dict(state)


def test_router_with_gateway_interface_and_floating_ip(monkeypatch) -> None:
    state = _state(monkeypatch, [ROUTER], [FIP, {**FIP, "floating_ip_address": "203.0.113.21",
                                                 "port_id": None, "fixed_ip_address": None}])
    ext = "brq" + EXT[:11]
    assert state.externals == (l3.ExternalNetwork(
        network_id=EXT, bridge=ext, cidr="203.0.113.0/24", gateway_ip="203.0.113.1",
        router_ips=("203.0.113.10",), floating_ips=("203.0.113.20",)),)
    # the IPv6 interface is not NATed
    assert state.routers == (l3.Router(
        router_id="r1", interfaces=(l3.RouterInterface("brq" + INT[:11], "10.1.0.0/24"),),
        gateway_bridge=ext, gateway_ip="203.0.113.10", enable_snat=True),)
    assert state.floating_ips == (l3.FloatingIp("203.0.113.20", "10.1.0.5", ext),)


def test_router_down_takes_its_floating_ips(monkeypatch) -> None:
    state = _state(monkeypatch, [{**ROUTER, "admin_state_up": False}], [FIP])
    assert state.routers == () and state.floating_ips == () and state.externals == ()


def test_without_service_credentials(monkeypatch) -> None:
    monkeypatch.setattr(network, "_service_client", lambda: None)
    assert network.l3_state() is None
