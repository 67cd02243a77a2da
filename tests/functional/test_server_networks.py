"""Servers on networks, on the fake driver: ports made with the user's token during the
build, ``addresses`` as Nova shows them, ``--nic auto``/``--port``, os-interface, and
ports released on delete and on a failed build."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import openstack
import pytest

from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.db


@pytest.fixture
def admin(cloud) -> Iterator[openstack.connection.Connection]:
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": "admin",
            "password": ADMIN_PASSWORD, "project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    yield conn
    conn.close()


@pytest.fixture
def image(admin) -> str:
    created = admin.image.create_image(name="img", data=b"\0" * 1024, disk_format="raw",
                                       container_format="bare", visibility="public")
    return created.id


def active(conn: openstack.connection.Connection, server_id: str) -> object:
    return conn.compute.wait_for_server(conn.compute.get_server(server_id), status="ACTIVE",
                                        wait=60, interval=0.05)


def test_addresses_auto_port_and_interfaces(admin, image, cloud):
    shared = admin.network.find_network("shared")
    assert shared is not None and shared.is_shared

    # networks "auto": the project has no network of its own, so the shared one.
    server = admin.compute.create_server(name="auto", flavor_id="1", image_id=image,
                                         networks="auto")
    server = active(admin, server.id)
    [entry] = server.addresses["shared"]
    assert entry["version"] == 4 and entry["OS-EXT-IPS:type"] == "fixed"
    [port] = admin.network.ports(device_id=server.id)
    assert entry["addr"] == port.fixed_ips[0]["ip_address"]
    assert entry["OS-EXT-IPS-MAC:mac_addr"] == port.mac_address
    assert port.device_owner == "compute:nova"
    # bound to the server's host by the compute node's service user, so ACTIVE
    assert port.binding_host_id == server.compute_host and port.status == "ACTIVE"

    # a port the user made (--port) is used, and kept (unbound) when the server goes.
    own = admin.network.create_port(network_id=shared.id, name="mine")
    second = admin.compute.create_server(name="port", flavor_id="1", image_id=image,
                                         networks=[{"port": own.id}])
    second = active(admin, second.id)
    assert second.addresses["shared"][0]["addr"] == own.fixed_ips[0]["ip_address"]
    assert admin.network.get_port(own.id).device_id == second.id

    # os-interface on the running server: attach a port of the network, then detach it.
    attached = admin.compute.create_server_interface(server.id, net_id=shared.id)
    assert attached.net_id == shared.id and attached.fixed_ips
    assert sorted(i.port_id for i in admin.compute.server_interfaces(server.id)) == sorted(
        [port.id, attached.port_id])
    assert len(admin.compute.get_server(server.id).addresses["shared"]) == 2
    admin.compute.delete_server_interface(attached.port_id, server=server.id)
    wait_for(lambda: len(admin.compute.get_server(server.id).addresses["shared"]) == 1)
    assert admin.network.find_port(attached.port_id) is None

    # unknown network or port: a 400 before anything is recorded.
    for networks in ([{"uuid": "0b5f3f62-1111-4111-8111-111111111111"}],
                     [{"port": "0b5f3f62-2222-4222-8222-222222222222"}]):
        with pytest.raises(openstack.exceptions.BadRequestException):
            admin.compute.create_server(name="bad", flavor_id="1", image_id=image,
                                        networks=networks)

    for doomed in (server, second):
        admin.compute.delete_server(doomed)
        admin.compute.wait_for_delete(doomed, wait=60, interval=0.05)
    assert [p.id for p in admin.network.ports(network_id=shared.id)] == [own.id]
    kept = admin.network.get_port(own.id)
    assert kept.device_id == "" and kept.binding_host_id == "" and kept.status == "DOWN"


def test_concurrent_boots_fill_a_subnet_without_duplicates(admin, image, cloud):
    """50 concurrent boots on one /26 get 50 distinct addresses; when the subnet is full the
    next build ends in ERROR with the reason, and deletes leave no port behind."""
    project = admin.current_project_id
    admin.compute.update_quota_set(project, instances=100, cores=100, ram=100 * 1024)
    network = admin.network.create_network(name="small")
    admin.network.create_subnet(network_id=network.id, cidr="10.254.90.0/26", ip_version=4)

    def boot(index: int) -> str:
        server = admin.compute.create_server(name=f"s{index}", flavor_id="1",
                                             image_id=image, networks=[{"uuid": network.id}])
        return active(admin, server.id).id

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        ids = list(pool.map(boot, range(50)))
    addresses = [admin.compute.get_server(i).addresses["small"][0]["addr"] for i in ids]
    assert len(set(addresses)) == 50
    ids += [boot(index) for index in range(50, 61)]  # 61 hosts in a /26 beside the gateway
    full = admin.compute.create_server(name="s61", flavor_id="1", image_id=image,
                                       networks=[{"uuid": network.id}])
    full = admin.compute.wait_for_server(full, status="ERROR", failures=[], wait=60,
                                         interval=0.05)
    assert "No more IP addresses available" in full.fault["message"], full.fault
    ids.append(full.id)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        list(pool.map(admin.compute.delete_server, ids))
    wait_for(lambda: not any(admin.compute.find_server(i) for i in ids), timeout=60,
             message="every server gone")
    assert list(admin.network.ports(network_id=network.id)) == []



def test_server_shows_its_ports_security_groups(admin, image, cloud):
    """show and detail name the security groups of the server's ports, as Nova does."""
    shared = admin.network.find_network("shared")
    group = admin.network.create_security_group(name="web")
    server = admin.compute.create_server(name="sg", flavor_id="1", image_id=image,
                                         networks="auto", security_groups=[{"name": "web"}])
    server = active(admin, server.id)
    assert server.security_groups == [{"name": "web"}]
    [listed] = [s for s in admin.compute.servers(details=True) if s.id == server.id]
    assert listed.security_groups == [{"name": "web"}]
    attached = admin.compute.create_server_interface(server.id, net_id=shared.id)
    shown = admin.compute.get_server(server.id)
    assert sorted(g["name"] for g in shown.security_groups) == ["default", "web"]
    admin.compute.delete_server_interface(attached.port_id, server=server.id)
    admin.compute.delete_server(server)
    admin.compute.wait_for_delete(server, wait=60, interval=0.05)
    admin.network.delete_security_group(group)


def test_interface_attach_and_detach_are_instance_actions(admin, image, cloud, caplog):
    """Attach and detach are recorded as instance actions with the compute's events under
    them, as in Nova (no InstanceActionNotFound on the way)."""
    shared = admin.network.find_network("shared")
    server = active(admin, admin.compute.create_server(name="if", flavor_id="1",
                                                       image_id=image, networks="auto").id)
    attached = admin.compute.create_server_interface(server.id, net_id=shared.id)
    admin.compute.delete_server_interface(attached.port_id, server=server.id)
    wait_for(lambda: len(admin.compute.get_server(server.id).addresses["shared"]) == 1)

    def events(action: str) -> list[str]:
        records = [a for a in admin.compute.server_actions(server.id) if a.action == action]
        if len(records) != 1:
            return []
        detailed = admin.compute.get_server_action(records[0].request_id, server.id)
        return [e["event"] for e in detailed.events if e.get("result") == "Success"]

    assert events("attach_interface") == ["compute_attach_interface"]
    wait_for(lambda: events("detach_interface") == ["compute_detach_interface"])
    assert "InstanceActionNotFound" not in caplog.text
    admin.compute.delete_server(server)
    admin.compute.wait_for_delete(server, wait=60, interval=0.05)
