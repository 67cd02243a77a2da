"""``os-hypervisors`` counts what runs on each node as Nova's resource tracker does:
running_vms, the used and free vCPUs, RAM and disk (with what the host reserves),
current_workload for instances mid-operation; through openstacksdk."""

from __future__ import annotations

import openstack
import pytest

from novalite.common import instance_states as states
from novalite.common.context import get_admin_context
from novalite.db import instances
from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD


@pytest.fixture
def admin(cloud, conf):
    conf.set_override("reserved_host_memory_mb", 512)
    for host in ("compute-1", "compute-2"):  # the new reserve reaches placement
        cloud["plane"].computes[host].manager.resource_tracker.update_available_resource(
            get_admin_context())
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": "admin",
            "password": ADMIN_PASSWORD, "project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    yield conn
    conn.close()
    conf.clear_override("reserved_host_memory_mb")


def detail(conn, version: str = "2.87") -> dict[str, dict]:
    response = conn.compute.request("/os-hypervisors/detail", "GET", microversion=version)
    return {h["hypervisor_hostname"]: h for h in response.json()["hypervisors"]}


def test_counters_follow_the_servers(admin):
    wait_for(lambda: len(detail(admin)) == 2)
    idle = detail(admin)
    for node in idle.values():
        assert node["running_vms"] == 0 and node["current_workload"] == 0
        assert node["memory_mb_used"] == 512 and node["vcpus_used"] == 0
        assert node["free_ram_mb"] == node["memory_mb"] - 512
        assert node["local_gb_used"] == 0 and node["free_disk_gb"] == node["local_gb"]
    flavor = admin.compute.create_flavor(name="counted", ram=256, vcpus=2, disk=3,
                                         ephemeral=1)
    image = admin.image.create_image(name="img", data=b"\0" * 1024, disk_format="raw",
                                     container_format="bare")
    servers = [admin.compute.create_server(name=f"c{i}", flavor_id=flavor.id,
                                           image_id=image.id, networks="none")
               for i in range(3)]
    servers = [admin.compute.wait_for_server(s, status="ACTIVE", wait=60, interval=0.05)
               for s in servers]
    hosts = [admin.compute.get_server(s.id).hypervisor_hostname for s in servers]
    now = detail(admin)
    for name, node in now.items():
        count = hosts.count(name)
        assert node["running_vms"] == count, node
        assert node["vcpus_used"] == 2 * count
        assert node["memory_mb_used"] == 512 + 256 * count
        assert node["local_gb_used"] == 4 * count
        assert node["free_ram_mb"] == node["memory_mb"] - 512 - 256 * count
        assert node["free_disk_gb"] == node["local_gb"] - 4 * count
        assert node["disk_available_least"] == node["free_disk_gb"]
        assert node["current_workload"] == 0
    assert sum(node["running_vms"] for node in now.values()) == 3
    # an instance mid-operation is work in progress; a shelved-offloaded one is off the host
    instances.update(None, servers[0].id, {"task_state": states.RESIZE_PREP})
    assert detail(admin)[hosts[0]]["current_workload"] == 1
    instances.update(None, servers[0].id, {"task_state": None,
                                           "vm_state": states.SHELVED_OFFLOADED})
    assert detail(admin)[hosts[0]]["running_vms"] == hosts.count(hosts[0]) - 1
    instances.update(None, servers[0].id, {"vm_state": states.ACTIVE})
    one = admin.compute.request(f"/os-hypervisors/{now[hosts[1]]['id']}", "GET",
                                microversion="2.53").json()["hypervisor"]
    assert one["running_vms"] == hosts.count(hosts[1])
    for server in servers:
        admin.compute.delete_server(server)
    for server in servers:
        admin.compute.wait_for_delete(server, wait=60, interval=0.05)
    assert all(node["running_vms"] == 0 for node in detail(admin).values())
