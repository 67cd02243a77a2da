"""The network service in the whole cloud, driven by the unmodified openstacksdk and
``openstack`` CLI with real Keystone tokens and the service catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from novalite.conf import CONF
from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD


def connect(cloud: dict[str, Any], user: str, password: str, project: str
            ) -> openstack.connection.Connection:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": user, "password": password,
            "project_name": project, "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


@pytest.fixture
def admin(cloud):
    conn = connect(cloud, "admin", ADMIN_PASSWORD, "admin")
    yield conn
    conn.close()


@pytest.fixture
def demo(cloud):
    conn = connect(cloud, "demo", DEMO_PASSWORD, "demo")
    yield conn
    conn.close()


def test_sdk(admin, demo):
    shared = demo.network.find_network(CONF.network.default_network_name)
    assert shared is not None and shared.is_shared and len(shared.subnet_ids) == 1
    subnet = demo.network.get_subnet(shared.subnet_ids[0])
    assert subnet.cidr == CONF.network.default_network_cidr

    net = demo.network.create_network(name="sdk-net")
    sub = demo.network.create_subnet(network_id=net.id, cidr="10.60.0.0/24", ip_version=4,
                                     name="sdk-sub")
    assert sub.gateway_ip == "10.60.0.1"
    sg = demo.network.create_security_group(name="sdk-sg", description="from the sdk")
    rule = demo.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22, remote_ip_prefix="0.0.0.0/0", ether_type="IPv4")
    assert rule.port_range_min == 22
    port = demo.network.create_port(network_id=net.id, name="sdk-port", device_id="vm-x",
                                    security_group_ids=[sg.id])
    assert port.fixed_ips[0]["ip_address"] == "10.60.0.2"
    assert port.security_group_ids == [sg.id]
    assert [p.id for p in demo.network.ports(device_id="vm-x")] == [port.id]
    assert demo.network.find_port("sdk-port").id == port.id
    port = demo.network.update_port(port, name="renamed")
    assert demo.network.get_port(port.id).name == "renamed"
    on_shared = demo.network.create_port(network_id=shared.id)
    assert on_shared.fixed_ips[0]["subnet_id"] == subnet.id

    assert demo.network.find_security_group("default") is not None
    assert "security-group" in {ext.alias for ext in demo.network.extensions()}
    assert demo.network.get_quota(demo.current_project_id).ports > 0

    private = admin.network.create_network(name="admin-private")
    assert {n.name for n in demo.network.networks()} == {"sdk-net",
                                                        CONF.network.default_network_name}
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_network(private.id)
    assert {"sdk-net", "admin-private"} <= {n.name for n in admin.network.networks()}

    for port_id in (port.id, on_shared.id):
        demo.network.delete_port(port_id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_port(port.id)
    demo.network.delete_security_group(sg)
    demo.network.delete_network(net)
    admin.network.delete_network(private)
    assert demo.network.find_network("sdk-net") is None


def _openstack(env: dict[str, str], cloud_name: str, *args: str) -> Any:
    binary = os.path.join(os.path.dirname(sys.executable), "openstack")
    result = subprocess.run([binary, "--os-cloud", cloud_name, *args, "-f", "json"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def _run(env: dict[str, str], cloud_name: str, *args: str) -> None:
    binary = os.path.join(os.path.dirname(sys.executable), "openstack")
    result = subprocess.run([binary, "--os-cloud", cloud_name, *args], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_openstack_cli(cloud, admin, tmp_path):
    def entry(user: str, password: str) -> dict[str, Any]:
        return {"auth": {"auth_url": f"{cloud['identity']}/v3", "username": user,
                         "password": password, "project_name": user,
                         "user_domain_name": "Default", "project_domain_name": "Default"},
                "region_name": "RegionOne", "identity_api_version": 3}

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"admin": entry("admin", ADMIN_PASSWORD),
                                             "demo": entry("demo", DEMO_PASSWORD)}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    admin.network.create_network(name="admin-only")

    net = _openstack(env, "demo", "network", "create", "cli-net")
    assert net["name"] == "cli-net" and net["status"] == "ACTIVE"
    subnet = _openstack(env, "demo", "subnet", "create", "--network", "cli-net",
                        "--subnet-range", "10.70.0.0/24", "cli-sub")
    assert subnet["cidr"] == "10.70.0.0/24" and subnet["gateway_ip"] == "10.70.0.1"
    sg = _openstack(env, "demo", "security", "group", "create", "cli-sg")
    assert sg["name"] == "cli-sg"
    rule = _openstack(env, "demo", "security", "group", "rule", "create", "--protocol", "tcp",
                      "--dst-port", "22", "cli-sg")
    assert (rule["protocol"], rule["port_range_max"]) == ("tcp", 22)
    port = _openstack(env, "demo", "port", "create", "--network", "cli-net",
                      "--security-group", "cli-sg", "cli-port")
    assert port["name"] == "cli-port"
    assert "10.70.0.2" in json.dumps(port["fixed_ips"])
    listed = _openstack(env, "demo", "port", "list")
    assert [p["Name"] for p in listed] == ["cli-port"]
    shown = _openstack(env, "demo", "port", "show", "cli-port")
    assert shown["id"] == port["id"] and shown["mac_address"].startswith("fa:16:3e:")

    names = {n["Name"] for n in _openstack(env, "demo", "network", "list")}
    assert names == {"cli-net", CONF.network.default_network_name}
    admin_names = {n["Name"] for n in _openstack(env, "admin", "network", "list")}
    assert {"cli-net", "admin-only", CONF.network.default_network_name} <= admin_names

    _run(env, "demo", "port", "delete", "cli-port")
    assert _openstack(env, "demo", "port", "list") == []
    _run(env, "demo", "security", "group", "delete", "cli-sg")
    _run(env, "demo", "subnet", "delete", "cli-sub")
    _run(env, "demo", "network", "delete", "cli-net")


def test_network_client_with_the_users_token(cloud, demo):
    """What a compute node does in steps 22–24, with the user's token and its catalog."""
    from novalite.identity.validation import LocalValidator
    from novalite.network import client
    from novalite.network import exceptions as network_exceptions

    ctxt = LocalValidator().validate(demo.session.get_token())
    assert client.network_endpoint(ctxt) == f"{cloud['network']}/v2.0"
    (shared,) = client.list_networks(ctxt, name=CONF.network.default_network_name)
    port = client.create_port(ctxt, shared["id"], "server-1")
    assert port["device_id"] == "server-1" and port["project_id"] == ctxt.project_id
    assert len(port["security_groups"]) == 1  # the project's default group
    assert [p["id"] for p in client.list_ports(ctxt, device_id="server-1")] == [port["id"]]
    assert client.show_port(ctxt, port["id"])["mac_address"] == port["mac_address"]
    network = client.show_network(ctxt, shared["id"])
    subnet = client.show_subnet(ctxt, network["subnets"][0])
    vif = client.network_info_for(port, network, [subnet])
    assert vif["network"]["subnets"][0]["ips"][0]["address"] == \
        port["fixed_ips"][0]["ip_address"]
    assert vif["network"]["label"] == CONF.network.default_network_name
    # As in Neutron, only the network's owner (or admin) picks addresses on it.
    with pytest.raises(network_exceptions.PolicyNotAuthorized):
        client.create_port(ctxt, shared["id"], "server-2", fixed_ip="10.254.0.77")
    updated = client.update_port(ctxt, port["id"], {"device_owner": "compute:nova"})
    assert updated["device_owner"] == "compute:nova"
    client.delete_port(ctxt, port["id"])
    with pytest.raises(network_exceptions.PortNotFound):
        client.show_port(ctxt, port["id"])
    assert client.list_ports(ctxt) == []


def test_sdk_subnet_cidr_with_host_bits_is_normalised(demo):
    """Neutron accepts a cidr with host bits set and stores the network it names."""
    net = demo.network.create_network(name="host-bits")
    sub = demo.network.create_subnet(network_id=net.id, cidr="10.99.99.0/16", ip_version=4)
    assert (sub.cidr, sub.gateway_ip) == ("10.99.0.0/16", "10.99.0.1")
    assert demo.network.get_subnet(sub.id).cidr == "10.99.0.0/16"


def test_sdk_subnet_host_routes(demo):
    """openstacksdk's own subnet test sets host routes up and reads them back."""
    routes = [{"destination": "10.101.0.0/24", "nexthop": "10.100.0.254"}]
    net = demo.network.create_network(name="routed")
    sub = demo.network.create_subnet(network_id=net.id, cidr="10.100.0.0/24", ip_version=4,
                                     dns_nameservers=["8.8.4.4", "8.8.8.8"],
                                     host_routes=routes)
    assert demo.network.get_subnet(sub.id).host_routes == routes
    more = [*routes, {"destination": "0.0.0.0/0", "nexthop": "10.100.0.253"}]
    assert demo.network.update_subnet(sub, host_routes=more).host_routes == more
    assert demo.network.get_subnet(sub.id).host_routes == more
    assert demo.network.update_subnet(sub, host_routes=[]).host_routes == []


def test_sdk_network_quotas_are_stored_and_enforced(admin, demo):
    project = demo.current_project_id
    updated = admin.network.update_quota(project, networks=2, ports=7, subnets=3)
    assert (updated.networks, updated.ports, updated.subnets) == (2, 7, 3)
    quota = demo.network.get_quota(project)
    assert (quota.networks, quota.ports, quota.subnets) == (2, 7, 3)
    assert quota.security_groups == 10  # the default, untouched
    details = demo.network.get_quota(project, details=True)
    assert details.networks["limit"] == 2
    demo.network.create_network(name="q1")
    demo.network.create_network(name="q2")
    with pytest.raises(sdk_exceptions.ConflictException) as error:
        demo.network.create_network(name="q3")
    assert "Quota exceeded for resources: ['network']" in str(error.value)
    assert demo.network.get_quota(project, details=True).networks["used"] == 2
    admin.network.delete_quota(project)
    assert demo.network.get_quota(project).networks == 100
    demo.network.create_network(name="q3")
