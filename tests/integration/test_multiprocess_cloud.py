"""The cloud as separate processes, as in production: identity, image, api, conductor,
scheduler and two compute services, over the real RabbitMQ and a real PostgreSQL or
MariaDB, driven by openstacksdk through the catalog."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import openstack
import pytest
import requests

from tests.integration.deployment import Deployment, server_database, wait_for

PASSWORD = "multi-process-admin"


@pytest.fixture(params=["postgresql", "mysql"])
def deployment(request, tmp_path) -> Iterator[Deployment]:
    with server_database(request.param) as database_url:
        cloud = Deployment(tmp_path, database_url)
        cloud.bootstrap(PASSWORD)
        cloud.start_control_plane()
        for host in ("compute-a", "compute-b"):
            cloud.start("novalite-compute", cloud.host_config(host), name=host)
        try:
            yield cloud
        finally:
            codes = cloud.stop_all()
            assert set(codes.values()) == {0}, codes


def check_metadata_signatures(deployment, server) -> None:
    """The metadata API of the deployment trusts only the generated secret: the
    forged signature, and one made with the empty key, get 403."""
    from oslo_config import cfg

    from novalite.conf import list_opts

    parsed = cfg.ConfigOpts()
    for group, opts in list_opts():
        parsed.register_opts(opts, group=None if group == "DEFAULT" else group)
    parsed([], default_config_files=[str(deployment.secrets)])
    secret = parsed.neutron.metadata_proxy_shared_secret
    url = (f"http://127.0.0.1:{deployment.ports['metadata']}"
           "/openstack/latest/meta_data.json")

    def signed(key: str) -> dict[str, str]:
        return {"X-Instance-ID": server.id, "X-Tenant-ID": server.project_id,
                "X-Instance-ID-Signature": hmac.new(key.encode(), server.id.encode(),
                                                    hashlib.sha256).hexdigest()}

    good = requests.get(url, headers=signed(secret), timeout=10)
    assert good.status_code == 200, good.text
    assert good.json()["uuid"] == server.id
    for forged in (signed(""), signed("guessed-secret"),
                   {**signed(secret), "X-Instance-ID-Signature": "0" * 64}):
        response = requests.get(url, headers=forged, timeout=10)
        assert response.status_code == 403
        assert server.id not in response.text


def test_scenario_across_processes(deployment, tmp_path):
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": deployment.identity_url, "username": "admin",
            "password": PASSWORD, "project_name": "admin", "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    wait_for(lambda: len([s for s in conn.compute.services()
                          if s.binary == "nova-compute" and s.state == "up"]) == 2)
    wait_for(lambda: len(list(conn.compute.hypervisors())) == 2)
    disk = tmp_path / "disk.raw"
    disk.write_bytes(b"\0" * 1024)
    image = conn.image.create_image(name="img", filename=str(disk), disk_format="raw",
                                    container_format="bare")
    servers = [conn.compute.create_server(name=f"vm{i}", flavor_id="1", image_id=image.id,
                                          networks="auto" if i == 0 else "none")
               for i in range(4)]
    for server in servers:
        conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=0.2)
    # the compute node made the port with the user's token through the network service
    [address] = conn.compute.get_server(servers[0].id).addresses["shared"]
    [port] = conn.network.ports(device_id=servers[0].id)
    assert address["addr"] == port.fixed_ips[0]["ip_address"]
    hosts = {conn.compute.get_server(s.id).compute_host for s in servers}
    assert hosts <= {"compute-a", "compute-b"}
    target = servers[0]
    for action, status in (("reboot", "ACTIVE"), ("stop", "SHUTOFF"), ("start", "ACTIVE")):
        if action == "reboot":
            conn.compute.reboot_server(target, "HARD")
        else:
            getattr(conn.compute, f"{action}_server")(target)
        conn.compute.wait_for_server(conn.compute.get_server(target.id), status=status,
                                     wait=60, interval=0.2)
    check_metadata_signatures(deployment, servers[0])
    for server in servers:
        conn.compute.delete_server(server)
    for server in servers:
        conn.compute.wait_for_delete(server, wait=60, interval=0.2)
    assert list(conn.compute.servers()) == []
    assert list(conn.network.ports(device_owner="compute:nova")) == []
