"""Neutron's standard attributes and the newer port, network and subnet behaviour over
HTTP: tags (API and filters), revision numbers, port security, allowed address pairs,
extra DHCP options, in-use checks on update and delete, IPv6 subnets, agents and
availability zones, and the extension list."""

from __future__ import annotations

import datetime

import pytest

from novalite.db import api as db_api
from novalite.network import ipam
from novalite.network.models import Agent
from tests.functional.test_network_api import (  # noqa: F401 - fixtures
    PROJECT_A,
    Client,
    a,
    admin,
    b,
    make_net,
    network_url,
    neutron_error,
)


@pytest.fixture
def service(network_url) -> Client:  # noqa: F811
    return Client(network_url, "token-service")


def test_tags_on_every_tagged_resource(a, b, admin):  # noqa: F811
    net, subnet = make_net(a)
    port = a.create("port", network_id=net["id"])
    group = a.create("security_group", name="g")
    router = a.create("router", name="r")
    resources = {"networks": net, "subnets": subnet, "ports": port,
                 "security-groups": group, "routers": router}
    for collection, resource in resources.items():
        base = f"/{collection}/{resource['id']}/tags"
        assert resource["tags"] == [] and resource["revision_number"] == 0
        body = a.call("PUT", base, {"tags": ["red", "blue"]}, expect=200).json()
        assert body == {"tags": ["blue", "red"]}
        assert a.call("GET", base, expect=200).json() == {"tags": ["blue", "red"]}
        a.call("PUT", f"{base}/green", expect=201)
        a.call("PUT", f"{base}/green", expect=201)  # idempotent
        a.call("GET", f"{base}/green", expect=204)
        neutron_error(a.call("GET", f"{base}/nope"), 404, "TagNotFound")
        a.call("DELETE", f"{base}/red", expect=204)
        neutron_error(a.call("DELETE", f"{base}/red"), 404, "TagNotFound")
        added = a.call("POST", base, {"tags": ["x", "y"]}, expect=201).json()
        assert added == {"tags": ["blue", "green", "x", "y"]}
        shown = a.call("GET", f"/{collection}/{resource['id']}", expect=200).json()
        (shown,) = shown.values()
        assert shown["tags"] == ["blue", "green", "x", "y"]
        assert shown["revision_number"] > resource["revision_number"]
        neutron_error(b.call("PUT", base, {"tags": ["mine"]}), 404, "TagResourceNotFound")
        for bad in ({"tags": ["a", "a"]}, {"tags": "a"}, {"tags": ["x" * 256]},
                    {"tags": ["a,b"]}, {"tag": []}):
            neutron_error(a.call("PUT", base, bad), 400, "InvalidInput")
        a.call("DELETE", base, expect=204)
        assert a.call("GET", base, expect=200).json() == {"tags": []}
    neutron_error(a.call("GET", f"/quotas/{PROJECT_A}/tags"), 404, "HTTPNotFound")

    # the filters, in SQL
    nets = {name: a.create("network", name=name) for name in ("n1", "n2", "n3")}
    a.call("PUT", f"/networks/{nets['n1']['id']}/tags", {"tags": ["a", "b"]}, expect=200)
    a.call("PUT", f"/networks/{nets['n2']['id']}/tags", {"tags": ["b", "c"]}, expect=200)

    def names(**params: str) -> set[str]:
        return {n["name"] for n in a.list("networks", **params)} - {"net"}

    assert names(tags="a,b") == {"n1"}
    assert names(tags="b") == {"n1", "n2"}
    assert names(**{"tags-any": "a,c"}) == {"n1", "n2"}
    assert names(**{"not-tags": "a,b"}) == {"n2", "n3"}
    assert names(**{"not-tags-any": "a,c"}) == {"n3"}
    assert [p["id"] for p in a.list("ports", tags="nothing")] == []

    # ports take tags at creation (tag-ports-during-bulk-creation)
    tagged = a.create("port", network_id=net["id"], tags=["web", "db"])
    assert tagged["tags"] == ["db", "web"]


def test_revision_numbers_and_timestamps(a):  # noqa: F811
    net = a.create("network", name="rev")
    updated = a.call("PUT", f"/networks/{net['id']}", {"network": {"name": "rev2"}},
                     expect=200).json()["network"]
    assert updated["revision_number"] == net["revision_number"] + 1
    assert updated["updated_at"] >= net["updated_at"]
    assert updated["created_at"] == net["created_at"]
    group = a.create("security_group", name="sg")
    a.create("security_group_rule", security_group_id=group["id"], direction="ingress",
             protocol="tcp", port_range_min=22, port_range_max=22)
    assert a.call("GET", f"/security-groups/{group['id']}", expect=200).json()[
        "security_group"]["revision_number"] == group["revision_number"] + 1
    neutron_error(a.call("PUT", f"/networks/{net['id']}", {"network": {
        "revision_number": 7}}), 400, "HTTPBadRequest")


def test_port_security_address_pairs_and_dhcp_options(a):  # noqa: F811
    net, subnet = make_net(a)
    port = a.create("port", network_id=net["id"], allowed_address_pairs=[
        {"ip_address": "192.168.10.200"}, {"ip_address": "10.9.0.0/24",
                                           "mac_address": "fa:16:3e:00:00:01"}],
        extra_dhcp_opts=[{"opt_name": "ntp-server", "opt_value": "192.168.10.1"}])
    assert port["port_security_enabled"] is True and len(port["security_groups"]) == 1
    assert port["allowed_address_pairs"] == [
        {"ip_address": "192.168.10.200", "mac_address": port["mac_address"]},
        {"ip_address": "10.9.0.0/24", "mac_address": "fa:16:3e:00:00:01"}]
    assert port["extra_dhcp_opts"] == [{"opt_name": "ntp-server",
                                        "opt_value": "192.168.10.1", "ip_version": 4}]
    path = f"/ports/{port['id']}"

    # port security off needs the groups and pairs gone first (as Neutron answers)
    neutron_error(a.call("PUT", path, {"port": {"port_security_enabled": False}}), 409,
                  "PortSecurityPortHasSecurityGroup")
    neutron_error(a.call("PUT", path, {"port": {"port_security_enabled": False,
                                                "security_groups": []}}),
                  409, "AddressPairAndPortSecurityRequired")
    off = a.call("PUT", path, {"port": {"port_security_enabled": False, "security_groups": [],
                                        "allowed_address_pairs": []}}, expect=200).json()["port"]
    assert off["port_security_enabled"] is False and off["security_groups"] == []
    group = a.create("security_group", name="web")
    neutron_error(a.call("PUT", path, {"port": {"security_groups": [group["id"]]}}), 400,
                  "PortSecurityAndIPRequiredForSecurityGroups")
    on = a.call("PUT", path, {"port": {"port_security_enabled": True,
                                       "security_groups": [group["id"]]}},
                expect=200).json()["port"]
    assert on["security_groups"] == [group["id"]]
    unsecured = a.create("port", network_id=net["id"], port_security_enabled=False)
    assert unsecured["security_groups"] == []

    # extra DHCP options merge by name and version; a null value removes one
    merged = a.call("PUT", path, {"port": {"extra_dhcp_opts": [
        {"opt_name": "ntp-server", "opt_value": "192.168.10.2"},
        {"opt_name": "domain-search", "opt_value": "example.org"}]}}, expect=200).json()["port"]
    assert {o["opt_name"]: o["opt_value"] for o in merged["extra_dhcp_opts"]} == {
        "ntp-server": "192.168.10.2", "domain-search": "example.org"}
    removed = a.call("PUT", path, {"port": {"extra_dhcp_opts": [
        {"opt_name": "ntp-server", "opt_value": None}]}}, expect=200).json()["port"]
    assert [o["opt_name"] for o in removed["extra_dhcp_opts"]] == ["domain-search"]

    # fixed IPs: replaced, kept, moved
    moved = a.call("PUT", path, {"port": {"fixed_ips": [{"ip_address": "192.168.10.50"}]}},
                   expect=200).json()["port"]
    assert moved["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "192.168.10.50"}]

    for bad in ({"allowed_address_pairs": [{"mac_address": "fa:16:3e:00:00:09"}]},
                {"allowed_address_pairs": [{"ip_address": "x"}]},
                {"allowed_address_pairs": [{"ip_address": "10.0.0.1"}] * 2},
                {"allowed_address_pairs": [{"ip_address": f"10.0.0.{i}"} for i in range(11)]},
                {"extra_dhcp_opts": [{"opt_value": "x"}]},
                {"extra_dhcp_opts": [{"opt_name": "a", "opt_value": "x", "ip_version": 5}]},
                {"port_security_enabled": "maybe"}):
        response = a.call("PUT", path, {"port": bad})
        assert response.status_code == 400, (bad, response.text)


def test_update_and_delete_in_use_checks(a, b, admin):  # noqa: F811
    shared, subnet = make_net(admin, "10.20.0.0/24", shared=True)
    b.create("port", network_id=shared["id"])
    neutron_error(admin.call("PUT", f"/networks/{shared['id']}", {"network": {
        "shared": False}}), 409, "InvalidSharedSetting")
    neutron_error(admin.call("DELETE", f"/networks/{shared['id']}"), 409, "NetworkInUse")
    neutron_error(admin.call("DELETE", f"/subnets/{subnet['id']}"), 409, "SubnetInUse")

    net = a.create("network", name="gw")
    sub = a.create("subnet", network_id=net["id"], cidr="10.21.0.0/24", ip_version=4,
                   allocation_pools=[{"start": "10.21.0.2", "end": "10.21.0.200"}])
    neutron_error(a.call("PUT", f"/subnets/{sub['id']}", {"subnet": {
        "gateway_ip": "10.21.0.20"}}), 409, "GatewayConflictWithAllocationPools")
    router = a.create("router", name="r")
    a.call("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": sub["id"]},
           expect=200)
    neutron_error(a.call("PUT", f"/subnets/{sub['id']}", {"subnet": {
        "gateway_ip": "10.21.0.254"}}), 409, "GatewayIpInUse")
    neutron_error(a.call("DELETE", f"/subnets/{sub['id']}"), 409, "SubnetInUse")
    neutron_error(a.call("DELETE", f"/networks/{net['id']}"), 409, "NetworkInUse")
    a.call("PUT", f"/routers/{router['id']}/remove_router_interface",
           {"subnet_id": sub["id"]}, expect=200)
    moved = a.call("PUT", f"/subnets/{sub['id']}", {"subnet": {"gateway_ip": "10.21.0.254"}},
                   expect=200).json()["subnet"]
    assert moved["gateway_ip"] == "10.21.0.254"
    a.call("DELETE", f"/subnets/{sub['id']}", expect=204)
    a.call("DELETE", f"/networks/{net['id']}", expect=204)

    external, _ = make_net(admin, "10.22.0.0/24", **{"router:external": True})
    a.create("router", name="gw", external_gateway_info={"network_id": external["id"]})
    neutron_error(admin.call("PUT", f"/networks/{external['id']}", {"network": {
        "router:external": False}}), 409, "ExternalNetworkInUse")


def test_ipv6_subnets(a):  # noqa: F811
    net, v4 = make_net(a, "10.30.0.0/24")
    slaac = a.create("subnet", network_id=net["id"], ip_version=6, cidr="fd00:30::/64",
                     ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
    assert (slaac["ip_version"], slaac["gateway_ip"]) == (6, "fd00:30::1")
    assert (slaac["ipv6_ra_mode"], slaac["ipv6_address_mode"]) == ("slaac", "slaac")
    assert slaac["allocation_pools"] == [{"start": "fd00:30::2",
                                          "end": "fd00:30::ffff:ffff:ffff:ffff"}]
    stateful = a.create("subnet", network_id=net["id"], ip_version=6, cidr="fd00:31::/64",
                        ipv6_ra_mode="dhcpv6-stateful", ipv6_address_mode="dhcpv6-stateful")
    port = a.create("port", network_id=net["id"])
    addresses = {ip["subnet_id"]: ip["ip_address"] for ip in port["fixed_ips"]}
    assert addresses == {v4["id"]: "10.30.0.2", slaac["id"]: ipam.eui64(
        "fd00:30::/64", port["mac_address"]), stateful["id"]: "fd00:31::2"}
    # an address on the SLAAC subnet is the EUI-64 one or nothing
    neutron_error(a.call("POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [
        {"subnet_id": slaac["id"], "ip_address": "fd00:30::99"}]}}), 400, "InvalidInput")
    only_v4 = a.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": v4["id"]}])
    assert {ip["subnet_id"] for ip in only_v4["fixed_ips"]} == {v4["id"], slaac["id"]}
    moved = a.call("PUT", f"/ports/{only_v4['id']}", {"port": {
        "mac_address": "fa:16:3e:aa:bb:cc"}}, expect=403)  # the MAC is an admin's choice
    assert moved.status_code == 403
    assert a.list("subnets", ipv6_address_mode="slaac")[0]["id"] == slaac["id"]
    # a router interface holds the gateway, without an EUI-64 address
    router = a.create("router", name="r6")
    info = a.call("PUT", f"/routers/{router['id']}/add_router_interface",
                  {"subnet_id": slaac["id"]}, expect=200).json()
    interface = a.call("GET", f"/ports/{info['port_id']}", expect=200).json()["port"]
    assert interface["fixed_ips"] == [{"subnet_id": slaac["id"], "ip_address": "fd00:30::1"}]

    other, _ = make_net(a, "10.31.0.0/24", name="other")
    for bad, message in (
            ({"cidr": "fd00:32::/64", "ipv6_ra_mode": "slaac",
              "ipv6_address_mode": "dhcpv6-stateful"}, "must be the same value"),
            ({"cidr": "fd00:32::/80", "ipv6_address_mode": "slaac"}, "/64"),
            ({"cidr": "fd00:32::/64", "ipv6_address_mode": "slaac", "enable_dhcp": False},
             "enable_dhcp"),
            ({"cidr": "fd00:32::/64", "ipv6_ra_mode": "dhcpv6-pd"}, "is not in"),
            ({"cidr": "10.32.0.0/24", "ip_version": 4, "ipv6_ra_mode": "slaac"},
             "ipv6_ra_mode is not valid when ip_version is 4"),
            ({"cidr": "10.32.0.0/24"}, "does not match the ip_version"),
            ({"cidr": "fd00:32::/64", "gateway_ip": "10.32.0.1"},
             "does not match the ip_version")):
        body = {"network_id": other["id"], "ip_version": 6, **bad}
        assert message in neutron_error(a.call("POST", "/subnets", {"subnet": body}), 400,
                                        "InvalidInput")
    neutron_error(a.call("PUT", f"/subnets/{slaac['id']}", {"subnet": {
        "ipv6_address_mode": "dhcpv6-stateless"}}), 400, "HTTPBadRequest")
    neutron_error(a.call("PUT", f"/subnets/{slaac['id']}", {"subnet": {
        "enable_dhcp": False}}), 400, "InvalidInput")


def test_agents_and_availability_zones(a, admin, service):  # noqa: F811
    assert a.list("agents") == [] and admin.list("agents") == []
    for agent_type, binary, topic in (("L3 agent", "novalite-compute", "l3_agent"),
                                      ("DHCP agent", "novalite-compute", "dhcp_agent")):
        reported = service.call("POST", "/agents", {"agent": {
            "agent_type": agent_type, "binary": binary, "topic": topic, "host": "compute-1",
            "availability_zone": "nova", "configurations": {"routers": 0}}},
            expect=200).json()["agent"]
        assert reported["alive"] is True
    neutron_error(a.call("POST", "/agents", {"agent": {
        "agent_type": "L3 agent", "binary": "x", "topic": "y", "host": "h"}}), 403,
        "PolicyNotAuthorized")
    agents = admin.list("agents")
    assert sorted(x["agent_type"] for x in agents) == ["DHCP agent", "L3 agent"]
    l3 = next(x for x in agents if x["agent_type"] == "L3 agent")
    assert l3["host"] == "compute-1" and l3["alive"] is True and l3["admin_state_up"]
    assert len(l3["heartbeat_timestamp"]) == 19  # "YYYY-MM-DD HH:MM:SS", as Neutron shows
    assert a.list("agents") == []  # for admins only; others see nothing, as in Neutron
    neutron_error(a.call("GET", f"/agents/{l3['id']}"), 404, "AgentNotFound")
    assert [x["id"] for x in admin.list("agents", agent_type="L3 agent")] == [l3["id"]]
    described = admin.call("PUT", f"/agents/{l3['id']}", {"agent": {
        "description": "the L3 agent"}}, expect=200).json()["agent"]
    assert described["description"] == "the L3 agent"
    neutron_error(admin.call("PUT", f"/agents/{l3['id']}", {"agent": {"host": "x"}}), 400,
                  "HTTPBadRequest")
    zones = a.list("availability_zones")
    assert zones == [{"name": "nova", "resource": "network", "state": "available"},
                     {"name": "nova", "resource": "router", "state": "available"}]
    assert a.create("router", name="z")["availability_zones"] == ["nova"]
    net, _ = make_net(a)
    assert a.call("GET", f"/networks/{net['id']}", expect=200).json()[
        "network"]["availability_zones"] == ["nova"]
    neutron_error(a.call("POST", "/routers", {"router": {
        "availability_zone_hints": ["elsewhere"]}}), 404, "AvailabilityZoneNotFound")

    # an agent whose heartbeat is too old is dead; its zone unavailable
    with db_api.session_scope() as session:
        for row in session.query(Agent):
            row.heartbeat_timestamp -= datetime.timedelta(minutes=10)
    assert all(x["alive"] is False for x in admin.list("agents"))
    assert {z["state"] for z in a.list("availability_zones")} == {"unavailable"}
    assert admin.list("agents", alive="false") and not admin.list("agents", alive="true")
    admin.call("DELETE", f"/agents/{l3['id']}", expect=204)
    assert [x["agent_type"] for x in admin.list("agents")] == ["DHCP agent"]


def test_extension_list_says_what_is_implemented(a):  # noqa: F811
    aliases = {e["alias"] for e in a.list("extensions")}
    assert aliases == {
        "security-group", "binding", "quotas", "quota_details", "external-net", "net-mtu",
        "net-mtu-writable", "standard-attr-description", "standard-attr-timestamp",
        "standard-attr-revisions", "standard-attr-tag", "tag-creation",
        "tag-ports-during-bulk-creation", "project-id", "pagination", "sorting", "router",
        "ext-gw-mode", "fip-port-details", "floatingip-pools", "port-security",
        "allowed-address-pairs", "extra_dhcp_opt", "agent", "availability_zone",
        "network_availability_zone", "router_availability_zone"}
    zone = a.call("GET", "/extensions/availability_zone", expect=200).json()["extension"]
    assert zone["name"] == "Availability Zone"  # OSC finds it by this name
