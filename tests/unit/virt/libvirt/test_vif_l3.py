"""VifDriver.apply_l3: only the floating IPs of ports plugged in this data plane reach it
(one module; the data plane replaced by a recorder)."""

from __future__ import annotations

import json
from typing import Any

from novalite.network.linux import l3
from novalite.virt.libvirt.vif import VifDriver


class Plane:
    def __init__(self) -> None:
        self.applied: list[l3.L3State] = []

    def l3_state(self) -> l3.L3State | None:
        return self.applied[-1] if self.applied else None

    def apply_l3(self, state: l3.L3State) -> None:
        self.applied.append(state)


STATE: dict[str, Any] = {
    "externals": [{"network_id": "ext", "bridge": "brqext", "cidr": "203.0.113.0/24",
                   "gateway_ip": "203.0.113.1", "router_ips": ["203.0.113.10"],
                   "floating_ips": ["203.0.113.20", "203.0.113.21"]}],
    "routers": [{"router_id": "r1", "interfaces": [{"bridge": "brqa", "cidr": "10.1.0.0/24"}],
                 "gateway_bridge": "brqext", "gateway_ip": "203.0.113.10",
                 "enable_snat": True}],
    "floating_ips": [{"floating_ip": "203.0.113.20", "fixed_ip": "10.1.0.5",
                      "bridge": "brqext"},
                     {"floating_ip": "203.0.113.21", "fixed_ip": "10.1.0.6",
                      "bridge": "brqext"}]}


def _driver(tmp_path, plugged_ips: list[str]) -> tuple[VifDriver, Plane]:
    driver = VifDriver(state_dir=str(tmp_path), namespace="nl-unit")
    plane = Plane()
    driver._plane = plane  # type: ignore[assignment]
    ports = {f"p{i}": {"network_id": "a", "mac": f"fa:16:3e:00:00:0{i}", "ip": ip,
                       "hostname": "", "instance_uuid": "u", "project_id": "p",
                       "tap": f"tap{i}"} for i, ip in enumerate(plugged_ips)}
    (tmp_path / "ports.json").write_text(json.dumps(ports))
    return driver, plane


def test_only_floating_ips_of_ports_plugged_here(tmp_path) -> None:
    driver, plane = _driver(tmp_path, ["10.1.0.5"])
    driver.apply_l3(STATE)
    [state] = plane.applied
    assert [f.floating_ip for f in state.floating_ips] == ["203.0.113.20"]
    assert state.externals[0].floating_ips == ("203.0.113.20",)
    assert state.externals[0].router_ips == ("203.0.113.10",)   # the router stays
    driver.apply_l3(STATE)
    assert len(plane.applied) == 1   # nothing changed: not applied again


def test_nothing_made_before_the_first_router(tmp_path) -> None:
    driver, plane = _driver(tmp_path, [])
    driver.apply_l3({"externals": [], "routers": [], "floating_ips": []})
    assert plane.applied == []
