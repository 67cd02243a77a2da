"""``os-hypervisors`` on two fake hosts: ``openstack hypervisor show`` and ``hypervisor
stats show`` through the unmodified CLI, and every route at its microversions (ids,
paging, search and servers, uptime from the compute node, statistics), policy and bad
input."""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.functional import sdk_fixtures

admin, demo, image, cli = (sdk_fixtures.admin, sdk_fixtures.demo, sdk_fixtures.image,
                           sdk_fixtures.cli)
_RESOURCES = {"vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
              "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload",
              "running_vms", "disk_available_least", "cpu_info"}


def test_hypervisor_show_and_stats_with_the_cli(cli, admin, image):
    server = admin.compute.create_server(name="on-a-host", flavor_id="1", image_id=image.id,
                                         networks="none")
    server = admin.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    host = admin.compute.get_server(server.id).compute_host
    shown = cli("admin", "hypervisor", "show", host, "-f", "json")
    assert shown["hypervisor_hostname"] == host and shown["service_host"] == host
    assert shown["state"] == "up" and shown["status"] == "enabled"
    assert shown["aggregates"] == [] and shown["hypervisor_type"] == "fake"
    assert " min" in shown["uptime"] or ":" in shown["uptime"]  # parsed from the host's
    assert "load_average" in shown
    stats = cli("admin", "hypervisor", "stats", "show", "-f", "json")
    assert stats["count"] == 2 and stats["running_vms"] == 1
    assert stats["vcpus_used"] == 1 and stats["memory_mb_used"] == 128
    assert stats["memory_mb"] == 2 * 32768
    admin.compute.delete_server(server)


def test_hypervisor_routes_per_microversion(cloud, admin, demo, image):
    def get(path, version=None, conn=admin, code=200):
        response = sdk_fixtures.api(cloud, conn, "GET", path, version)
        assert response.status_code == code, (path, version, response.text)
        return response.json()

    server = admin.compute.create_server(name="vm", flavor_id="1", image_id=image.id,
                                         networks="none")
    server = admin.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    host = admin.compute.get_server(server.id).compute_host

    old = get("/os-hypervisors")["hypervisors"]
    assert [set(h) for h in old] == [{"id", "hypervisor_hostname", "state", "status"}] * 2
    assert all(isinstance(h["id"], int) for h in old)
    by_name = {h["hypervisor_hostname"]: h["id"] for h in old}
    detail = get(f"/os-hypervisors/{by_name[host]}")["hypervisor"]
    assert set(detail) >= _RESOURCES and isinstance(detail["cpu_info"], str)
    assert detail["running_vms"] == 1 and detail["service"]["host"] == host
    assert isinstance(get(f"/os-hypervisors/{by_name[host]}", "2.28")["hypervisor"][
        "cpu_info"], dict)
    assert [h["hypervisor_hostname"] for h in get(
        f"/os-hypervisors/{host}/search")["hypervisors"]] == [host]
    [with_vm] = get(f"/os-hypervisors/{host}/servers")["hypervisors"]
    assert with_vm["servers"] == [{"name": "vm", "uuid": server.id}]
    uptime = get(f"/os-hypervisors/{by_name[host]}/uptime")["hypervisor"]
    assert set(uptime) == {"id", "hypervisor_hostname", "state", "status", "uptime"}
    assert "load average" in uptime["uptime"]
    stats = get("/os-hypervisors/statistics")["hypervisor_statistics"]
    assert stats["count"] == 2 and stats["running_vms"] == 1
    get("/os-hypervisors/nobody/search", code=404)
    get("/os-hypervisors/abc", code=404)
    get("/os-hypervisors/999", code=404)

    page = get("/os-hypervisors?limit=1", "2.33")
    assert len(page["hypervisors"]) == 1 and "marker=" in page["hypervisors_links"][0]["href"]
    rest = get(f"/os-hypervisors?limit=1&marker={page['hypervisors'][0]['id']}", "2.33")
    assert rest["hypervisors"][0]["id"] != page["hypervisors"][0]["id"]
    get("/os-hypervisors?marker=12345", "2.33", code=400)

    new = get(f"/os-hypervisors/detail?hypervisor_hostname_pattern={host}&with_servers=true",
              "2.53")["hypervisors"]
    assert len(new) == 1 and new[0]["servers"] == [{"name": "vm", "uuid": server.id}]
    node_uuid = new[0]["id"]
    assert len(node_uuid) == 36 and len(new[0]["service"]["id"]) == 36
    other = next(h for h in get("/os-hypervisors?with_servers=true", "2.53")["hypervisors"]
                 if h["id"] != node_uuid)
    assert "servers" not in other  # empty: left out before 2.75
    other = next(h for h in get("/os-hypervisors?with_servers=true", "2.75")["hypervisors"]
                 if h["id"] != node_uuid)
    assert other["servers"] == []
    get("/os-hypervisors?hypervisor_hostname_pattern=x&limit=1", "2.53", code=400)
    get("/os-hypervisors?bogus=1", "2.53", code=400)
    get("/os-hypervisors?with_servers=maybe", "2.53", code=400)
    get(f"/os-hypervisors/{by_name[host]}", "2.53", code=400)  # not a uuid
    get(f"/os-hypervisors/{host}/search", "2.53", code=404)  # the route is gone
    latest = get(f"/os-hypervisors/{node_uuid}", "2.88")["hypervisor"]
    assert not _RESOURCES & set(latest) and "load average" in latest["uptime"]
    get("/os-hypervisors/statistics", "2.88", code=404)
    get(f"/os-hypervisors/{node_uuid}/uptime", "2.88", code=404)

    for path in ("/os-hypervisors", "/os-hypervisors/detail", "/os-hypervisors/statistics",
                 f"/os-hypervisors/{by_name[host]}", f"/os-hypervisors/{host}/search"):
        get(path, conn=demo, code=403)
    with pytest.raises(sdk_exceptions.ForbiddenException):
        list(demo.compute.hypervisors())
    admin.compute.delete_server(server)


def test_uptime_of_a_down_compute_is_none_or_a_400(cloud, admin):
    plane = cloud["plane"]
    node = next(h for h in admin.compute.hypervisors(details=True)
                if h.name == "compute-2")
    from novalite.db import service_store

    [row] = service_store.list_services(binary="novalite-compute", host="compute-2")
    service_store.set_state(row["uuid"], forced_down=True)
    try:
        shown = sdk_fixtures.api(cloud, admin, "GET", f"/os-hypervisors/{node.id}", "2.88")
        assert shown.json()["hypervisor"]["uptime"] is None
        assert shown.json()["hypervisor"]["state"] == "down"
        legacy_id = next(h["id"] for h in sdk_fixtures.api(
            cloud, admin, "GET", "/os-hypervisors").json()["hypervisors"]
            if h["hypervisor_hostname"] == "compute-2")
        refused = sdk_fixtures.api(cloud, admin, "GET", f"/os-hypervisors/{legacy_id}/uptime")
        assert refused.status_code == 400
        assert "Compute service of compute-2 is unavailable" in refused.text
    finally:
        service_store.set_state(row["uuid"], forced_down=False)
    assert plane.computes["compute-2"]
