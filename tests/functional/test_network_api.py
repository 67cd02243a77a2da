"""The network API over HTTP (requests): networks, subnets, ports and IPAM, security
groups, isolation between projects, policy, Neutron's error shapes, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.network import store
from novalite.network.api import make_app

PROJECT_A = "a" * 32
PROJECT_B = "b" * 32
ADMIN_PROJECT = "c" * 32
TOKENS = {
    "token-a": (PROJECT_A, ["member", "reader"]),
    "reader-a": (PROJECT_A, ["reader"]),
    "token-b": (PROJECT_B, ["member", "reader"]),
    "token-admin": (ADMIN_PROJECT, ["admin", "member", "reader"]),
    "token-service": ("d" * 32, ["service"]),
}


class FixedTokens:
    def validate(self, token: str) -> RequestContext:
        if token not in TOKENS:
            raise exception.NotAuthenticated()
        project, roles = TOKENS[token]
        return RequestContext(user_id=f"user-{token}", project_id=project, roles=list(roles),
                              auth_token=token)


@pytest.fixture
def network_url(db) -> Iterator[str]:
    server = wsgi.Server("network", make_app(FixedTokens()), "127.0.0.1", 0, threads=8)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class Client:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = f"{url}/v2.0"
        self.session = requests.Session()
        if token:
            self.session.headers["X-Auth-Token"] = token

    def call(self, method: str, path: str, body: Any = None, expect: int | None = None,
             **kwargs: Any) -> requests.Response:
        response = self.session.request(method, self.url + path, json=body, timeout=30,
                                        **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def create(self, resource: str, expect: int = 201, **body: Any) -> dict[str, Any]:
        path = "/" + resource.replace("_", "-") + "s"
        response = self.call("POST", path, {resource: body}, expect=expect)
        return response.json()[resource] if expect == 201 else response.json()

    def list(self, collection: str, **params: Any) -> list[dict[str, Any]]:
        response = self.call("GET", f"/{collection}", params=params, expect=200)
        return response.json()[collection.replace("-", "_")]


@pytest.fixture
def a(network_url) -> Client:
    return Client(network_url, "token-a")


@pytest.fixture
def b(network_url) -> Client:
    return Client(network_url, "token-b")


@pytest.fixture
def admin(network_url) -> Client:
    return Client(network_url, "token-admin")


def neutron_error(response: requests.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    fault = response.json()["NeutronError"]
    assert fault["type"] == error_type, fault
    assert fault["detail"] == ""
    return fault["message"]


def make_net(client: Client, cidr: str = "192.168.10.0/24", **extra: Any
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    net = client.create("network", name=extra.pop("name", "net"), **extra)
    subnet = client.create("subnet", network_id=net["id"], cidr=cidr, ip_version=4,
                           name="sub")
    return net, subnet


def test_version_documents_are_public(network_url):
    root = requests.get(f"{network_url}/", timeout=10)
    assert root.status_code == 200
    (version,) = root.json()["versions"]
    assert version["id"] == "v2.0" and version["status"] == "CURRENT"
    assert version["links"][0]["href"] == f"{network_url}/v2.0/"
    resources = requests.get(f"{network_url}/v2.0", timeout=10).json()["resources"]
    assert {"networks", "subnets", "ports"} <= {r["collection"] for r in resources}
    unauthenticated = requests.get(f"{network_url}/v2.0/networks", timeout=10)
    neutron_error(unauthenticated, 401, "HTTPUnauthorized")


def test_network_subnet_port_round_trip(a):
    net = a.create("network", name="n1", description="first")
    assert net["status"] == "ACTIVE" and net["shared"] is False and net["mtu"] == 1500
    assert net["router:external"] is False and net["subnets"] == []
    assert net["project_id"] == net["tenant_id"] == PROJECT_A
    assert net["created_at"].endswith("Z")
    subnet = a.create("subnet", network_id=net["id"], cidr="10.1.0.0/24", ip_version=4,
                      dns_nameservers=["10.1.0.53"])
    assert subnet["gateway_ip"] == "10.1.0.1" and subnet["enable_dhcp"] is True
    assert subnet["allocation_pools"] == [{"start": "10.1.0.2", "end": "10.1.0.254"}]
    assert subnet["dns_nameservers"] == ["10.1.0.53"]
    shown = a.call("GET", f"/networks/{net['id']}", expect=200).json()["network"]
    assert shown["subnets"] == [subnet["id"]]

    port = a.create("port", network_id=net["id"], name="p1", device_id="vm-1",
                    device_owner="compute:nova")
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.1.0.2"}]
    assert port["mac_address"].startswith("fa:16:3e:") and len(port["mac_address"]) == 17
    assert port["status"] == "DOWN" and port["binding:vif_type"] == "unbound"
    default = a.list("security-groups", name="default")
    assert [g["id"] for g in default] == port["security_groups"]
    second = a.create("port", network_id=net["id"])
    assert second["fixed_ips"][0]["ip_address"] == "10.1.0.3"
    assert second["mac_address"] != port["mac_address"]

    assert [p["id"] for p in a.list("ports", device_id="vm-1")] == [port["id"]]
    assert [p["id"] for p in a.list("ports", **{"fixed_ips": "ip_address=10.1.0.3"})] == [
        second["id"]]
    assert {p["id"] for p in a.list("ports", network_id=net["id"])} == {port["id"],
                                                                       second["id"]}
    assert a.list("ports", fields="id", device_id="vm-1") == [{"id": port["id"]}]
    assert [p["id"] for p in a.list("ports", tenant_id=PROJECT_A, name="p1")] == [port["id"]]

    updated = a.call("PUT", f"/ports/{port['id']}", {"port": {"name": "renamed",
                                                              "device_id": "vm-2"}},
                     expect=200).json()["port"]
    assert (updated["name"], updated["device_id"]) == ("renamed", "vm-2")
    a.call("DELETE", f"/ports/{port['id']}", expect=204)
    neutron_error(a.call("GET", f"/ports/{port['id']}"), 404, "PortNotFound")
    # The released address is handed out again (lowest free first).
    third = a.create("port", network_id=net["id"])
    assert third["fixed_ips"][0]["ip_address"] == "10.1.0.2"

    message = neutron_error(a.call("DELETE", f"/networks/{net['id']}"), 409, "NetworkInUse")
    assert net["id"] in message
    neutron_error(a.call("DELETE", f"/subnets/{subnet['id']}"), 409, "SubnetInUse")
    for leftover in (second, third):
        a.call("DELETE", f"/ports/{leftover['id']}", expect=204)
    a.call("DELETE", f"/networks/{net['id']}", expect=204)
    neutron_error(a.call("GET", f"/networks/{net['id']}"), 404, "NetworkNotFound")
    neutron_error(a.call("GET", f"/subnets/{subnet['id']}"), 404, "SubnetNotFound")
    assert store.count_allocations() == 0


def test_fixed_ips_requests(a, b, admin):
    net, subnet = make_net(a, "10.2.0.0/28")
    port = a.create("port", network_id=net["id"], fixed_ips=[{"ip_address": "10.2.0.9"}])
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.2.0.9"}]
    neutron_error(a.call("POST", "/ports", {"port": {
        "network_id": net["id"], "fixed_ips": [{"ip_address": "10.2.0.9"}]}}),
        409, "IpAddressAlreadyAllocated")
    neutron_error(a.call("POST", "/ports", {"port": {
        "network_id": net["id"], "fixed_ips": [{"ip_address": "10.9.9.9"}]}}),
        400, "InvalidIpForNetwork")
    neutron_error(a.call("POST", "/ports", {"port": {
        "network_id": net["id"], "fixed_ips": [{"subnet_id": subnet["id"],
                                                "ip_address": "10.3.0.1"}]}}),
        400, "InvalidIpForSubnet")
    by_subnet = a.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": subnet["id"]}])
    assert by_subnet["fixed_ips"][0]["ip_address"] == "10.2.0.2"
    moved = a.call("PUT", f"/ports/{by_subnet['id']}", {"port": {"fixed_ips": [
        {"ip_address": "10.2.0.12"}]}}, expect=200).json()["port"]
    assert moved["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.2.0.12"}]
    again = a.create("port", network_id=net["id"])
    assert again["fixed_ips"][0]["ip_address"] == "10.2.0.2"  # released by the update
    empty = a.create("port", network_id=net["id"], fixed_ips=[])
    assert empty["fixed_ips"] == []


def test_isolation_and_shared_networks(a, b, admin):
    private, _ = make_net(a, name="a-private")
    shared = admin.create("network", name="public-net", shared=True)
    shared_subnet = admin.create("subnet", network_id=shared["id"], cidr="10.254.0.0/24")
    assert {n["name"] for n in b.list("networks")} == {"public-net"}
    assert {n["name"] for n in a.list("networks")} == {"a-private", "public-net"}
    assert {n["name"] for n in admin.list("networks")} == {"a-private", "public-net"}
    assert [n["name"] for n in a.list("networks", shared="true")] == ["public-net"]
    neutron_error(b.call("GET", f"/networks/{private['id']}"), 404, "NetworkNotFound")
    neutron_error(b.call("DELETE", f"/networks/{private['id']}"), 404, "NetworkNotFound")
    neutron_error(b.call("POST", "/ports", {"port": {"network_id": private["id"]}}),
                  404, "NetworkNotFound")
    assert [s["id"] for s in b.list("subnets")] == [shared_subnet["id"]]
    # A shared network takes ports from any project, owned by that project.
    port = b.create("port", network_id=shared["id"])
    assert port["project_id"] == PROJECT_B and port["fixed_ips"][0]["ip_address"] == \
        "10.254.0.2"
    assert a.list("ports") == []
    assert [p["id"] for p in admin.list("ports")] == [port["id"]]
    # ... but only the owner may change the network or add subnets to it.
    neutron_error(b.call("PUT", f"/networks/{shared['id']}", {"network": {"name": "x"}}),
                  403, "PolicyNotAuthorized")
    neutron_error(b.call("POST", "/subnets", {"subnet": {
        "network_id": shared["id"], "cidr": "10.99.0.0/24", "ip_version": 4}}),
        403, "PolicyNotAuthorized")
    neutron_error(b.call("POST", "/ports", {"port": {
        "network_id": shared["id"], "fixed_ips": [{"ip_address": "10.254.0.50"}]}}),
        403, "PolicyNotAuthorized")
    # Sharing is admin-only, and so is binding a port to a host.
    neutron_error(a.call("POST", "/networks", {"network": {"name": "s", "shared": True}}),
                  403, "PolicyNotAuthorized")
    neutron_error(b.call("PUT", f"/ports/{port['id']}", {"port": {"binding:host_id": "h1"}}),
                  403, "PolicyNotAuthorized")
    bound = admin.call("PUT", f"/ports/{port['id']}", {"port": {
        "binding:host_id": "compute-1", "device_owner": "compute:nova"}},
        expect=200).json()["port"]
    assert bound["binding:host_id"] == "compute-1" and bound["binding:vif_type"] == "bridge"
    assert bound["status"] == "ACTIVE"
    on_behalf = admin.create("port", network_id=shared["id"], tenant_id=PROJECT_A)
    assert on_behalf["project_id"] == PROJECT_A
    neutron_error(b.call("POST", "/ports", {"port": {"network_id": shared["id"],
                                                     "project_id": PROJECT_A}}),
                  400, "HTTPBadRequest")


def test_reader_cannot_create(network_url):
    reader = Client(network_url, "reader-a")
    assert reader.list("networks") == []
    neutron_error(reader.call("POST", "/networks", {"network": {"name": "r"}}), 403,
                  "PolicyNotAuthorized")
    neutron_error(reader.call("POST", "/security-groups", {"security_group": {"name": "r"}}),
                  403, "PolicyNotAuthorized")


def test_malformed_input_is_400(a):
    net, subnet = make_net(a)
    cases = [
        ("POST", "/networks", b"not json"),
        ("POST", "/networks", {"nope": {}}),
        ("POST", "/networks", {"network": "x"}),
        ("POST", "/networks", {"network": {"name": 5}}),
        ("POST", "/networks", {"network": {"admin_state_up": "maybe"}}),
        ("POST", "/networks", {"network": {"bogus": 1}}),
        ("POST", "/networks", {"network": {"status": "DOWN"}}),
        ("PUT", f"/networks/{net['id']}", {"network": {"id": "x"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "banana"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.1"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"]}}),
        ("POST", "/subnets", {"subnet": {"network_id": "not-a-uuid", "cidr": "10.5.0.0/24"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.0/24",
                                         "gateway_ip": "10.6.0.1"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.0/24",
                                         "allocation_pools": [{"start": "10.5.0.9",
                                                               "end": "10.5.0.3"}]}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.0/24",
                                         "ip_version": 6}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "192.168.10.128/25"}}),
        ("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.0/24",
                                         "dns_nameservers": ["x"]}}),
        *[("POST", "/subnets", {"subnet": {"network_id": net["id"], "cidr": "10.5.0.0/24",
                                           "host_routes": routes}})
          for routes in ("x", [{"destination": "10.9.0.0/24"}], [{"destination": "x",
                                                                   "nexthop": "10.5.0.9"}],
                         [{"destination": "10.9.0.0/24", "nexthop": "fd00::1"}],
                         [{"destination": "10.9.0.0/24", "nexthop": "10.5.0.9"}] * 2,
                         [{"destination": f"10.9.{i}.0/24", "nexthop": "10.5.0.9"}
                          for i in range(21)])],
        ("POST", "/ports", {"port": {}}),
        ("POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": "10.0.0.1"}}),
        ("POST", "/ports", {"port": {"network_id": net["id"], "fixed_ips": [{}]}}),
        ("POST", "/ports", {"port": {"network_id": net["id"],
                                     "fixed_ips": [{"ip_address": "300.1.1.1"}]}}),
        ("POST", "/ports", {"port": {"network_id": net["id"],
                                     "fixed_ips": [{"subnet_id": "zzz"}]}}),
        ("POST", "/ports", {"port": {"network_id": net["id"], "security_groups": "x"}}),
        ("POST", "/ports", {"port": {"network_id": net["id"], "admin_state_up": []}}),
        ("GET", "/ports?fixed_ips=bogus", None),
        ("GET", "/networks?shared=perhaps", None),
        ("GET", "/networks?limit=-1", None),
        ("POST", "/security-group-rules", {"security_group_rule": {"direction": "ingress"}}),
    ]
    for method, path, body in cases:
        kwargs: dict[str, Any] = {"data": body} if isinstance(body, bytes) else {}
        response = a.call(method, path, None if isinstance(body, bytes) else body, **kwargs)
        assert response.status_code == 400, (method, path, body, response.text)
        assert response.json()["NeutronError"]["message"], response.text
    assert a.call("GET", "/networks/nonexistent").status_code == 404
    assert a.call("PATCH", "/networks").status_code == 405


def test_subnet_update_and_pools(a):
    net, subnet = make_net(a, "10.7.0.0/24")
    pooled = a.create("subnet", network_id=net["id"], cidr="10.8.0.0/24", gateway_ip=None,
                      allocation_pools=[{"start": "10.8.0.100", "end": "10.8.0.101"}])
    assert pooled["gateway_ip"] is None
    port = a.create("port", network_id=net["id"], fixed_ips=[{"subnet_id": pooled["id"]}])
    assert port["fixed_ips"][0]["ip_address"] == "10.8.0.100"
    updated = a.call("PUT", f"/subnets/{subnet['id']}", {"subnet": {
        "name": "renamed", "dns_nameservers": ["1.1.1.1"], "enable_dhcp": False}},
        expect=200).json()["subnet"]
    assert (updated["name"], updated["dns_nameservers"], updated["enable_dhcp"]) == (
        "renamed", ["1.1.1.1"], False)
    neutron_error(a.call("PUT", f"/subnets/{subnet['id']}", {"subnet": {"cidr": "1.0.0.0/8"}}),
                  400, "HTTPBadRequest")


def test_security_groups_and_rules(a, b):
    groups = a.list("security-groups")
    assert [g["name"] for g in groups] == ["default"]
    default = groups[0]
    directions = sorted((r["direction"], r["remote_group_id"]) for r in
                        default["security_group_rules"])
    assert directions == [("egress", None), ("egress", None), ("ingress", default["id"]),
                          ("ingress", default["id"])]  # IPv4 and IPv6, as in Neutron
    assert sorted(r["ethertype"] for r in default["security_group_rules"]) == [
        "IPv4", "IPv4", "IPv6", "IPv6"]
    assert [g["name"] for g in a.list("security-groups")] == ["default"]  # made once

    web = a.create("security_group", name="web", description="web servers")
    assert sorted((r["direction"], r["ethertype"]) for r in web["security_group_rules"]) == [
        ("egress", "IPv4"), ("egress", "IPv6")]
    rule = a.create("security_group_rule", security_group_id=web["id"], direction="ingress",
                    protocol="tcp", port_range_min=80, port_range_max=80,
                    remote_ip_prefix="0.0.0.0/0", ethertype="IPv4")
    assert (rule["protocol"], rule["port_range_min"], rule["port_range_max"]) == ("tcp", 80, 80)
    neutron_error(a.call("POST", "/security-group-rules", {"security_group_rule": {
        "security_group_id": web["id"], "direction": "ingress", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0"}}),
        409, "SecurityGroupRuleExists")
    icmp = a.create("security_group_rule", security_group_id=web["id"], direction="ingress",
                    protocol="icmp")
    assert icmp["port_range_min"] is None
    for bad in ({"protocol": "bogus"}, {"protocol": 256}, {"port_range_min": 22},
                {"protocol": "gre", "port_range_min": 22},
                {"protocol": "icmpv6", "ethertype": "IPv4"},
                {"remote_ip_prefix": "fd00::/64", "ethertype": "IPv4"},
                {"protocol": "tcp", "port_range_min": 90, "port_range_max": 80},
                {"protocol": "tcp", "port_range_min": 70000},
                {"remote_ip_prefix": "1.2.3.0/24", "remote_group_id": web["id"]},
                {"direction": "sideways"}, {"ethertype": "IPv5"}):
        body = {"security_group_id": web["id"], "direction": "ingress", **bad}
        response = a.call("POST", "/security-group-rules", {"security_group_rule": body})
        assert response.status_code == 400, (bad, response.text)
    shown = a.call("GET", f"/security-groups/{web['id']}", expect=200).json()
    assert len(shown["security_group"]["security_group_rules"]) == 4
    assert {r["id"] for r in a.list("security-group-rules", security_group_id=web["id"])} == {
        r["id"] for r in shown["security_group"]["security_group_rules"]}

    neutron_error(b.call("GET", f"/security-groups/{web['id']}"), 404,
                  "SecurityGroupNotFound")
    neutron_error(b.call("GET", f"/security-group-rules/{rule['id']}"), 404,
                  "SecurityGroupRuleNotFound")
    assert [g["name"] for g in b.list("security-groups")] == ["default"]

    net, _ = make_net(a)
    port = a.create("port", network_id=net["id"], security_groups=[web["id"]])
    assert port["security_groups"] == [web["id"]]
    neutron_error(a.call("DELETE", f"/security-groups/{web['id']}"), 409, "SecurityGroupInUse")
    neutron_error(a.call("DELETE", f"/security-groups/{default['id']}"), 409,
                  "SecurityGroupCannotRemoveDefault")
    b_default = b.list("security-groups")[0]
    neutron_error(a.call("POST", "/ports", {"port": {
        "network_id": net["id"], "security_groups": [b_default["id"]]}}),
        404, "SecurityGroupNotFound")
    a.call("PUT", f"/ports/{port['id']}", {"port": {"security_groups": []}}, expect=200)
    a.call("DELETE", f"/security-group-rules/{rule['id']}", expect=204)
    a.call("DELETE", f"/security-groups/{web['id']}", expect=204)
    neutron_error(a.call("GET", f"/security-group-rules/{icmp['id']}"), 404,
                  "SecurityGroupRuleNotFound")


def test_extensions_and_quotas(a, b):
    aliases = {e["alias"] for e in a.list("extensions")}
    assert {"security-group", "binding", "quotas", "external-net"} <= aliases
    assert a.call("GET", "/extensions/binding", expect=200).json()["extension"]["alias"] == \
        "binding"
    neutron_error(a.call("GET", "/extensions/dns-integration"), 404, "ExtensionNotFound")
    quota = a.call("GET", f"/quotas/{PROJECT_A}", expect=200).json()["quota"]
    assert quota["port"] > 0 and quota["network"] > 0
    neutron_error(b.call("GET", f"/quotas/{PROJECT_A}"), 403, "PolicyNotAuthorized")


def test_quota_update_validation_list_and_reset(a, admin):
    assert admin.call("GET", "/quotas", expect=200).json()["quotas"] == []
    body = admin.call("PUT", f"/quotas/{PROJECT_A}", {"quota": {"port": "2", "subnet": -1}},
                      expect=200).json()["quota"]
    assert (body["port"], body["subnet"], body["network"]) == (2, -1, 100)
    (listed,) = admin.call("GET", "/quotas", expect=200).json()["quotas"]
    assert (listed["project_id"], listed["tenant_id"], listed["port"]) == (PROJECT_A,
                                                                           PROJECT_A, 2)
    for bad in ({"port": "many"}, {"port": -2}, {"port": 10**30}, {"bogus": 1}, {"port": True}):
        neutron_error(admin.call("PUT", f"/quotas/{PROJECT_A}", {"quota": bad}), 400,
                      "HTTPBadRequest")
    neutron_error(a.call("PUT", f"/quotas/{PROJECT_A}", {"quota": {"port": 9}}), 403,
                  "PolicyNotAuthorized")
    net = a.create("network", name="n")
    a.create("port", network_id=net["id"])
    a.create("port", network_id=net["id"])
    message = neutron_error(a.call("POST", "/ports", {"port": {"network_id": net["id"]}}),
                            409, "OverQuota")
    assert message == "Quota exceeded for resources: ['port']."
    admin.call("DELETE", f"/quotas/{PROJECT_A}", expect=204)
    assert a.call("GET", f"/quotas/{PROJECT_A}", expect=200).json()["quota"]["port"] == 500
    a.create("port", network_id=net["id"])


def test_pagination(a):
    for i in range(5):
        a.create("network", name=f"n{i}")
    ids = [n["id"] for n in a.list("networks")]
    assert len(ids) == 5
    response = a.call("GET", "/networks", params={"limit": 2}, expect=200).json()
    assert [n["id"] for n in response["networks"]] == ids[:2]
    assert response["networks_links"][0]["rel"] == "next"
    rest = a.call("GET", "/networks", params={"limit": 10, "marker": ids[1]},
                  expect=200).json()
    assert [n["id"] for n in rest["networks"]] == ids[2:] and "networks_links" not in rest
    names = [n["name"] for n in a.list("networks", sort_key="name", sort_dir="desc")]
    assert names == ["n4", "n3", "n2", "n1", "n0"]


def test_uuid_ids(a):
    net = a.create("network", name="u")
    assert uuid.UUID(net["id"])
