"""The routers' and floating IPs' nftables text (novalite.network.linux.l3)."""

from __future__ import annotations

import pytest

from novalite.network.linux import l3
from novalite.network.linux.commands import DataPlaneError

STATE = l3.L3State(
    externals=(l3.ExternalNetwork(network_id="ext", bridge="brqext", cidr="203.0.113.0/24",
                                  gateway_ip="203.0.113.1", router_ips=("203.0.113.10",),
                                  floating_ips=("203.0.113.20",)),),
    routers=(l3.Router(router_id="r1", gateway_bridge="brqext", gateway_ip="203.0.113.10",
                       interfaces=(l3.RouterInterface("brqa", "10.1.0.0/24"),
                                   l3.RouterInterface("brqb", "10.2.0.1/24"))),
             l3.Router(router_id="r2", gateway_bridge="brqext", gateway_ip="203.0.113.11",
                       enable_snat=False,
                       interfaces=(l3.RouterInterface("brqc", "10.3.0.0/24"),))),
    floating_ips=(l3.FloatingIp("203.0.113.20", "10.1.0.5", "brqext"),),
    bridges=("brqlonely",))


def _chain(text: str, chain: str) -> list[str]:
    body = text.split(f"\tchain {chain} {{\n", 1)[1].split("\n\t}", 1)[0]
    return [line.strip() for line in body.splitlines()[1:]]


def test_ruleset_nat_and_forwarding() -> None:
    text = l3.ruleset(STATE)
    assert text.startswith("add table ip nl_l3\ndelete table ip nl_l3\ntable ip nl_l3 {")
    assert _chain(text, "prerouting") == ["ip daddr 203.0.113.20 dnat to 10.1.0.5"]
    # the floating IP's own SNAT comes before its router's
    assert _chain(text, "postrouting") == [
        'oifname "brqext" ip saddr 10.1.0.5 snat to 203.0.113.20',
        'oifname "brqext" ip saddr 10.1.0.0/24 snat to 203.0.113.10',
        'oifname "brqext" ip saddr 10.2.0.0/24 snat to 203.0.113.10']
    forward = _chain(text, "forward")
    # what is left of flows NATed to or from addresses that have gone is dropped
    assert forward[:2] == [
        "ct status dnat ct original ip daddr != { 203.0.113.20 } counter drop",
        "ct status snat ct reply ip daddr != { 203.0.113.10, 203.0.113.20 } counter drop"]
    forward = forward[2:]
    assert forward[:2] == ["ct state established,related accept", "ct status dnat accept"]
    assert forward[2] == ('iifname . oifname { "brqa" . "brqa", "brqb" . "brqb", '
                          '"brqc" . "brqc", "brqext" . "brqext", "brqlonely" . "brqlonely" }'
                          " accept")
    # r1's subnets reach each other and the outside; r2's (no SNAT) only the outside
    assert forward[3] == ('iifname . oifname { "brqa" . "brqb", "brqa" . "brqext", '
                          '"brqb" . "brqa", "brqb" . "brqext", "brqc" . "brqext" } accept')
    names = '"brqa", "brqb", "brqc", "brqext", "brqlonely"'
    assert forward[4:] == [f"iifname {{ {names} }} drop", f"oifname {{ {names} }} drop"]


def test_external_addresses() -> None:
    assert STATE.externals[0].addresses() == {"203.0.113.10/24", "203.0.113.20/32"}


def test_empty_state_has_empty_chains() -> None:
    text = l3.ruleset(l3.L3State())
    assert _chain(text, "prerouting") == [] and _chain(text, "postrouting") == []
    assert _chain(text, "forward") == ["ct status dnat counter drop",
                                       "ct status snat counter drop",
                                       "ct state established,related accept",
                                       "ct status dnat accept"]


def test_round_trip() -> None:
    assert l3.from_dict(l3.to_dict(STATE)) == STATE


@pytest.mark.parametrize("state", [
    l3.L3State(floating_ips=(l3.FloatingIp("203.0.113.300", "10.0.0.1", "brqext"),)),
    l3.L3State(floating_ips=(l3.FloatingIp("203.0.113.2", "10.0.0.1", "bad name;"),)),
    l3.L3State(floating_ips=(l3.FloatingIp("203.0.113.2", "10.0.0.1", "brqext"),
                             l3.FloatingIp("203.0.113.2", "10.0.0.2", "brqext"))),
    l3.L3State(routers=(l3.Router("r", interfaces=(l3.RouterInterface("brqa", "nope"),)),)),
])
def test_bad_state_refused(state: l3.L3State) -> None:
    with pytest.raises(DataPlaneError):
        l3.ruleset(state)


def test_from_dict_refuses_garbage() -> None:
    with pytest.raises(DataPlaneError):
        l3.from_dict({"routers": [{"interfaces": []}]})
