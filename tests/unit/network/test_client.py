"""The network client's pure parts: Nova's VIF dict, errors mapped back, endpoints."""

from __future__ import annotations

import json

import requests

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.network import client
from novalite.network import exceptions as exc

NET = "3cb9bc59-5699-4588-a4b1-b87f96708bc6"
PORT = "ce531f90-199f-48c0-816c-13e38010b442"
SUBNET = "a0304c3a-4f08-4c43-88af-d796509c97d2"
OTHER = "b0304c3a-4f08-4c43-88af-d796509c97d2"


def test_network_info_for():
    port = {"id": PORT, "mac_address": "fa:16:3e:4c:2c:30", "status": "ACTIVE",
            "fixed_ips": [{"subnet_id": SUBNET, "ip_address": "10.0.0.5"}]}
    network = {"id": NET, "name": "private", "mtu": 1500}
    subnets = [{"id": SUBNET, "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1",
                "dns_nameservers": ["10.0.0.53"], "enable_dhcp": True},
               {"id": OTHER, "cidr": "10.1.0.0/24", "gateway_ip": None,
                "dns_nameservers": [], "enable_dhcp": False}]
    assert client.network_info_for(port, network, subnets) == {
        "id": PORT, "address": "fa:16:3e:4c:2c:30", "devname": "tapce531f90-19",
        "type": "bridge", "active": True,
        "network": {"id": NET, "label": "private", "bridge": "brq3cb9bc59-56", "mtu": 1500,
                    "subnets": [{"id": SUBNET, "cidr": "10.0.0.0/24", "gateway": "10.0.0.1",
                                 "dns": ["10.0.0.53"], "enable_dhcp": True,
                                 "ips": [{"address": "10.0.0.5", "type": "fixed",
                                          "version": 4}]}]}}
    down = client.network_info_for({**port, "status": "DOWN", "fixed_ips": []}, network,
                                    subnets)
    assert down["active"] is False and down["network"]["subnets"] == []


def _response(status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def test_errors_map_back_by_type(conf):
    error = client.NetworkClient(RequestContext()).error
    full = error(_response(409, {"NeutronError": {
        "type": "IpAddressGenerationFailure", "message": "No more IP addresses available "
        f"on network {NET}.", "detail": ""}}))
    assert isinstance(full, exc.IpAddressGenerationFailure) and full.code == 409
    assert NET in full.message
    missing = error(_response(404, {"NeutronError": {"type": "PortNotFound",
                                                      "message": "gone"}}))
    assert isinstance(missing, exc.PortNotFound) and missing.code == 404
    other = error(_response(503, {"whatever": 1}))
    assert isinstance(other, exception.ServiceUnavailable) and other.code == 503


def test_endpoint_from_catalog_or_fallback(conf):
    catalog = [{"type": "network", "endpoints": [
        {"interface": "public", "url": "http://10.0.0.9:9696/"}]}]
    assert client.network_endpoint(RequestContext(service_catalog=catalog)) == \
        "http://10.0.0.9:9696/v2.0"
    versioned = [{"type": "network", "endpoints": [
        {"interface": "public", "url": "http://h:9696/v2.0"}]}]
    assert client.network_endpoint(RequestContext(service_catalog=versioned)) == \
        "http://h:9696/v2.0"
    assert client.network_endpoint(RequestContext()).endswith(":9696/v2.0")


def test_params_repeat_lists_and_lower_booleans():
    assert client._params({"id": ["a", "b"], "shared": True, "name": "x"}) == [
        ("id", "a"), ("id", "b"), ("shared", "true"), ("name", "x")]
