"""Routers and floating IPs over HTTP: gateways on external networks, interfaces by
subnet and by port, floating IP association through a router, quotas, and Neutron's
refusals (in-use checks, bad associations, ports a router or floating IP owns)."""

from __future__ import annotations

from typing import Any

import pytest

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
def external(admin) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: F811
    """An external network (admin's, not shared) with a /24 whose .1 is upstream."""
    return make_net(admin, "203.0.113.0/24", name="public", **{"router:external": True})


def _add(client: Client, router: dict[str, Any], expect: int = 200, **body: Any) -> Any:
    return client.call("PUT", f"/routers/{router['id']}/add_router_interface", body,
                       expect=expect).json()


def _remove(client: Client, router: dict[str, Any], expect: int = 200, **body: Any) -> Any:
    return client.call("PUT", f"/routers/{router['id']}/remove_router_interface", body,
                       expect=expect).json()


def test_router_gateway_and_interfaces(a, b, admin, external):  # noqa: F811
    ext_net, ext_sub = external
    # external networks are visible to every project, and so are their subnets
    assert ext_net["id"] in {n["id"] for n in a.list("networks", **{"router:external": "true"})}
    assert [s["id"] for s in a.list("subnets", network_id=ext_net["id"])] == [ext_sub["id"]]

    router = a.create("router", name="r1", external_gateway_info={"network_id": ext_net["id"]})
    gateway = router["external_gateway_info"]
    assert gateway["network_id"] == ext_net["id"] and gateway["enable_snat"] is True
    assert gateway["external_fixed_ips"] == [{"subnet_id": ext_sub["id"],
                                              "ip_address": "203.0.113.2"}]
    assert router["status"] == "ACTIVE" and router["project_id"] == PROJECT_A
    assert a.list("ports", device_id=router["id"]) == []  # the gateway port is hidden
    gw_port = admin.list("ports", device_id=router["id"])[0]
    assert gw_port["device_owner"] == "network:router_gateway" and gw_port["project_id"] == ""

    net, sub = make_net(a, "10.40.0.0/24")
    info = _add(a, router, subnet_id=sub["id"])
    assert (info["id"], info["subnet_id"], info["subnet_ids"], info["network_id"]) == (
        router["id"], sub["id"], [sub["id"]], net["id"])
    interface = a.call("GET", f"/ports/{info['port_id']}", expect=200).json()["port"]
    assert interface["device_owner"] == "network:router_interface"
    assert interface["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.40.0.1"}]
    assert "already has a port on subnet" in neutron_error(
        a.call("PUT", f"/routers/{router['id']}/add_router_interface",
               {"subnet_id": sub["id"]}), 400, "HTTPBadRequest")
    overlapping, overlap_sub = make_net(a, "10.40.0.128/25", name="overlap")
    assert "overlaps" in neutron_error(a.call(
        "PUT", f"/routers/{router['id']}/add_router_interface",
        {"subnet_id": overlap_sub["id"]}), 400, "HTTPBadRequest")
    neutron_error(a.call("DELETE", f"/ports/{info['port_id']}"), 409, "ServicePortInUse")
    neutron_error(a.call("DELETE", f"/routers/{router['id']}"), 409, "RouterInUse")

    # by port: a port of one's own, not in use elsewhere
    other, other_sub = make_net(a, "10.41.0.0/24", name="other")
    port = a.create("port", network_id=other["id"])
    by_port = _add(a, router, port_id=port["id"])
    assert by_port["port_id"] == port["id"] and by_port["subnet_ids"] == [other_sub["id"]]
    busy = a.create("port", network_id=other["id"], device_id="vm-1")
    neutron_error(a.call("PUT", f"/routers/{router['id']}/add_router_interface",
                         {"port_id": busy["id"]}), 409, "PortInUse")
    neutron_error(a.call("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"port_id": busy["id"]}), 404, "RouterInterfaceNotFound")
    neutron_error(a.call("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"port_id": port["id"], "subnet_id": sub["id"]}), 400,
                  "SubnetMismatchForPort")
    assert _remove(a, router, port_id=port["id"])["port_id"] == port["id"]
    neutron_error(a.call("GET", f"/ports/{port['id']}"), 404, "PortNotFound")
    assert _remove(a, router, subnet_id=sub["id"])["port_id"] == info["port_id"]
    neutron_error(a.call("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"subnet_id": sub["id"]}), 404, "RouterInterfaceNotFoundForSubnet")
    for body in ({}, {"subnet_id": "x"}, {"subnet_id": sub["id"], "port_id": port["id"]}):
        neutron_error(a.call("PUT", f"/routers/{router['id']}/add_router_interface", body),
                      400, "HTTPBadRequest")

    # the gateway: SNAT and the address are the admin's to choose (policy, as in Neutron)
    neutron_error(a.call("PUT", f"/routers/{router['id']}", {"router": {
        "external_gateway_info": {"network_id": ext_net["id"], "enable_snat": False}}}),
        403, "PolicyNotAuthorized")
    no_snat = admin.call("PUT", f"/routers/{router['id']}", {"router": {
        "external_gateway_info": {"network_id": ext_net["id"], "enable_snat": False}}},
        expect=200).json()["router"]
    assert no_snat["external_gateway_info"]["enable_snat"] is False
    assert no_snat["external_gateway_info"]["external_fixed_ips"] == gateway[
        "external_fixed_ips"]
    fixed = admin.call("PUT", f"/routers/{router['id']}", {"router": {
        "external_gateway_info": {"network_id": ext_net["id"], "external_fixed_ips": [
            {"ip_address": "203.0.113.77"}]}}}, expect=200).json()["router"]
    assert fixed["external_gateway_info"]["external_fixed_ips"][0]["ip_address"] == \
        "203.0.113.77"
    assert "same as the gateway IP" in neutron_error(admin.call(
        "PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": {
            "network_id": ext_net["id"], "external_fixed_ips": [
                {"ip_address": "203.0.113.1"}]}}}), 400, "HTTPBadRequest")
    internal, _ = make_net(a, "10.42.0.0/24", name="internal")
    assert "not an external network" in neutron_error(a.call(
        "PUT", f"/routers/{router['id']}", {"router": {"external_gateway_info": {
            "network_id": internal["id"]}}}), 400, "HTTPBadRequest")
    cleared = a.call("PUT", f"/routers/{router['id']}", {"router": {
        "external_gateway_info": {}}}, expect=200).json()["router"]
    assert cleared["external_gateway_info"] is None
    assert admin.list("ports", device_id=router["id"]) == []
    neutron_error(b.call("GET", f"/routers/{router['id']}"), 404, "RouterNotFound")
    renamed = a.call("PUT", f"/routers/{router['id']}", {"router": {"name": "renamed"}},
                     expect=200).json()["router"]
    assert renamed["name"] == "renamed" and renamed["revision_number"] > router[
        "revision_number"]
    assert [r["name"] for r in a.list("routers", name="renamed")] == ["renamed"]
    a.call("DELETE", f"/routers/{router['id']}", expect=204)
    neutron_error(a.call("GET", f"/routers/{router['id']}"), 404, "RouterNotFound")
    assert overlapping  # made only for the overlap refusal


def test_floating_ips(a, b, admin, external):  # noqa: F811
    ext_net, ext_sub = external
    net, sub = make_net(a, "10.50.0.0/24")
    port = a.create("port", network_id=net["id"], name="vm-port", device_id="vm-1",
                    device_owner="compute:nova")
    fip = a.create("floatingip", floating_network_id=ext_net["id"], description="web")
    assert fip["floating_ip_address"] == "203.0.113.2" and fip["port_id"] is None
    assert (fip["status"], fip["router_id"], fip["port_details"]) == ("DOWN", None, None)
    assert fip["description"] == "web" and fip["tags"] == []

    # no router joins the port's subnet to the external network yet
    neutron_error(a.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {
        "port_id": port["id"]}}), 404, "ExternalGatewayForFloatingIPNotFound")
    router = a.create("router", name="r", external_gateway_info={"network_id": ext_net["id"]})
    _add(a, router, subnet_id=sub["id"])
    associated = a.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {
        "port_id": port["id"]}}, expect=200).json()["floatingip"]
    assert associated["fixed_ip_address"] == "10.50.0.2"
    assert associated["router_id"] == router["id"] and associated["status"] == "ACTIVE"
    assert associated["port_details"] == {
        "name": "vm-port", "network_id": net["id"], "mac_address": port["mac_address"],
        "admin_state_up": True, "status": "DOWN", "device_id": "vm-1",
        "device_owner": "compute:nova"}
    assert [f["id"] for f in a.list("floatingips", port_id=port["id"])] == [fip["id"]]
    assert [f["id"] for f in a.list("floatingips", router_id=router["id"])] == [fip["id"]]

    # one floating IP per fixed address and external network
    second = a.create("floatingip", floating_network_id=ext_net["id"])
    neutron_error(a.call("PUT", f"/floatingips/{second['id']}", {"floatingip": {
        "port_id": port["id"]}}), 409, "FloatingIPPortAlreadyAssociated")
    # what needs the association cannot go while it is there
    neutron_error(a.call("PUT", f"/routers/{router['id']}/remove_router_interface",
                         {"subnet_id": sub["id"]}), 409, "RouterInterfaceInUseByFloatingIP")
    neutron_error(a.call("PUT", f"/routers/{router['id']}", {"router": {
        "external_gateway_info": None}}), 409, "RouterExternalGatewayInUseByFloatingIp")
    (fip_port,) = admin.list("ports", device_id=fip["id"])
    assert fip_port["device_owner"] == "network:floatingip"
    neutron_error(admin.call("DELETE", f"/ports/{fip_port['id']}"), 409, "ServicePortInUse")

    # disassociate, then associate by fixed address; the port going disassociates it
    off = a.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {"port_id": None}},
                 expect=200).json()["floatingip"]
    assert (off["port_id"], off["fixed_ip_address"], off["router_id"], off["status"]) == (
        None, None, None, "DOWN")
    neutron_error(a.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {
        "port_id": port["id"], "fixed_ip_address": "10.50.0.99"}}), 400, "HTTPBadRequest")
    a.call("PUT", f"/floatingips/{fip['id']}", {"floatingip": {
        "port_id": port["id"], "fixed_ip_address": "10.50.0.2"}}, expect=200)
    a.call("DELETE", f"/ports/{port['id']}", expect=204)
    gone = a.call("GET", f"/floatingips/{fip['id']}", expect=200).json()["floatingip"]
    assert gone["port_id"] is None and gone["fixed_ip_address"] is None

    # create associated; refusals
    other = a.create("port", network_id=net["id"])
    direct = a.create("floatingip", floating_network_id=ext_net["id"], port_id=other["id"])
    assert direct["fixed_ip_address"] == other["fixed_ips"][0]["ip_address"]
    internal, _ = make_net(a, "10.51.0.0/24", name="internal")
    assert "not a valid external network" in neutron_error(a.call("POST", "/floatingips", {
        "floatingip": {"floating_network_id": internal["id"]}}), 400, "HTTPBadRequest")
    neutron_error(a.call("POST", "/floatingips", {"floatingip": {
        "floating_network_id": ext_net["id"], "floating_ip_address": "203.0.113.99"}}), 403,
        "PolicyNotAuthorized")
    chosen = admin.create("floatingip", floating_network_id=ext_net["id"],
                          floating_ip_address="203.0.113.99")
    assert chosen["floating_ip_address"] == "203.0.113.99"
    b_port = b.create("port", network_id=b.create("network", name="bnet")["id"])
    neutron_error(a.call("PUT", f"/floatingips/{second['id']}", {"floatingip": {
        "port_id": b_port["id"]}}), 404, "PortNotFound")
    neutron_error(b.call("GET", f"/floatingips/{fip['id']}"), 404, "FloatingIPNotFound")
    assert b.list("floatingips") == []
    pools = a.list("floatingip_pools")
    assert pools == [{"subnet_id": ext_sub["id"], "subnet_name": "sub",
                      "network_id": ext_net["id"], "cidr": "203.0.113.0/24",
                      "project_id": ext_net["project_id"], "tenant_id": ext_net["project_id"]}]

    # deleting releases the address
    for item in (fip, second, direct):
        a.call("DELETE", f"/floatingips/{item['id']}", expect=204)
    neutron_error(a.call("DELETE", f"/floatingips/{fip['id']}"), 404, "FloatingIPNotFound")
    # (Neutron lists without a sort key in no particular order)
    assert sorted(p["device_owner"] for p in admin.list("ports", network_id=ext_net["id"])) == [
        "network:floatingip", "network:router_gateway"]


def test_router_and_floating_ip_quotas(a, admin, external):  # noqa: F811
    ext_net, _ = external
    admin.call("PUT", f"/quotas/{PROJECT_A}", {"quota": {"router": 1, "floatingip": 1}},
               expect=200)
    a.create("router", name="one")
    assert "['router']" in neutron_error(a.call("POST", "/routers", {"router": {
        "name": "two"}}), 409, "OverQuota")
    a.create("floatingip", floating_network_id=ext_net["id"])
    assert "['floatingip']" in neutron_error(a.call("POST", "/floatingips", {"floatingip": {
        "floating_network_id": ext_net["id"]}}), 409, "OverQuota")
    details = a.call("GET", f"/quotas/{PROJECT_A}/details", expect=200).json()["quota"]
    assert details["router"] == {"limit": 1, "used": 1, "reserved": 0}
    assert details["floatingip"] == {"limit": 1, "used": 1, "reserved": 0}
