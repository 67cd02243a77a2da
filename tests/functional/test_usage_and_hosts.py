"""``os-simple-tenant-usage``, ``os-instance_usage_audit_log`` and the deprecated
``os-hosts`` on two fake hosts, through openstacksdk and the openstack CLI: bodies per
microversion, paging, policy and bad input."""

from __future__ import annotations

import datetime

import pytest
from openstack import exceptions as sdk_exceptions

from novalite.db.base import utcnow
from tests.functional import sdk_fixtures

admin, demo, image, reader, cli = (sdk_fixtures.admin, sdk_fixtures.demo, sdk_fixtures.image,
                                   sdk_fixtures.reader, sdk_fixtures.cli)


def _boot(conn, image, name):
    server = conn.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                        networks="none")
    return conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)


def test_simple_tenant_usage(cloud, cli, admin, demo, reader, image):
    start = utcnow() - datetime.timedelta(hours=1)
    mine = [_boot(demo, image, f"u{index}") for index in range(2)]
    theirs = _boot(admin, image, "admin-vm")
    demo.compute.delete_server(mine[1])
    demo.compute.wait_for_delete(mine[1], wait=30, interval=0.1)
    demo_id = admin.identity.find_project("demo").id
    end = utcnow() + datetime.timedelta(hours=1)

    usage = demo.compute.get_usage(demo_id, start, end)
    assert usage.project_id == demo_id
    assert {s["instance_id"]: s["state"] for s in usage.server_usages} == {
        mine[0].id: "active", mine[1].id: "terminated"}
    assert usage.total_hours > 0 and usage.total_memory_mb_usage > 0
    raw = sdk_fixtures.api(cloud, demo, "GET", f"/os-simple-tenant-usage/{demo_id}?"
                           f"start={start.isoformat()}&end={end.isoformat()}").json()
    assert set(raw["tenant_usage"]) == {"tenant_id", "total_local_gb_usage",
                                        "total_vcpus_usage", "total_memory_mb_usage",
                                        "total_hours", "start", "stop", "server_usages"}
    server = next(s for s in raw["tenant_usage"]["server_usages"]
                  if s["instance_id"] == mine[0].id)
    assert set(server) == {"ended_at", "flavor", "hours", "instance_id", "local_gb",
                           "memory_mb", "name", "started_at", "state", "tenant_id", "uptime",
                           "vcpus"}
    assert (server["flavor"], server["vcpus"], server["memory_mb"]) == ("m1.tiny", 1, 128)
    assert reader.compute.get_usage(demo_id, start, end).project_id == demo_id

    listed = {u.project_id: u for u in admin.compute.usages(start, end)}
    assert set(listed) == {demo_id, admin.identity.find_project("admin").id}
    assert listed[demo_id].server_usages in (None, [])  # not detailed
    detailed = sdk_fixtures.api(cloud, admin, "GET", "/os-simple-tenant-usage?detailed=1&"
                                f"start={start.isoformat()}&end={end.isoformat()}").json()
    assert sum(len(u["server_usages"]) for u in detailed["tenant_usages"]) == 3
    page = sdk_fixtures.api(cloud, admin, "GET", "/os-simple-tenant-usage?detailed=1&limit=2&"
                            f"start={start.isoformat()}", "2.40").json()
    assert "marker=" in page["tenant_usages_links"][0]["href"]
    assert sum(len(u["server_usages"]) for u in page["tenant_usages"]) == 2
    listing = cli("admin", "usage", "list", "--start",
                  (utcnow() - datetime.timedelta(days=1)).strftime("%Y-%m-%d"), "-f", "json")
    assert len(listing) == 2

    def status(path, conn=admin, version=None):
        return sdk_fixtures.api(cloud, conn, "GET", path, version).status_code

    assert status("/os-simple-tenant-usage?start=yesterday") == 400
    assert status("/os-simple-tenant-usage?start=2030-01-02T00:00:00&"
                  "end=2030-01-01T00:00:00") == 400
    assert status("/os-simple-tenant-usage?bogus=1", version="2.75") == 400
    assert status("/os-simple-tenant-usage?bogus=1", version="2.74") == 200
    assert status("/os-simple-tenant-usage?marker=nope", version="2.40") == 400
    assert status("/os-simple-tenant-usage", conn=demo) == 403
    assert status(f"/os-simple-tenant-usage/{listed[demo_id].project_id}x", conn=demo) == 403
    with pytest.raises(sdk_exceptions.ForbiddenException):
        list(demo.compute.usages())
    for server in (mine[0], theirs):
        admin.compute.delete_server(server)


def test_instance_usage_audit_log(cloud, admin, demo):
    def get(path, conn=admin, code=200):
        response = sdk_fixtures.api(cloud, conn, "GET", path)
        assert response.status_code == code, response.text
        return response.json()

    log = get("/os-instance_usage_audit_log")["instance_usage_audit_logs"]
    assert (log["num_hosts"], log["num_hosts_not_run"], log["num_hosts_done"]) == (2, 2, 0)
    assert sorted(log["hosts_not_run"]) == ["compute-1", "compute-2"]
    assert log["overall_status"] == "0 of 2 hosts done. 0 errors." and log["log"] == {}
    assert log["period_ending"].endswith("-01 00:00:00")
    before = get("/os-instance_usage_audit_log/2012-07-05%2010:00:00")[
        "instance_usage_audit_log"]
    assert (before["period_beginning"], before["period_ending"]) == (
        "2012-06-01 00:00:00", "2012-07-01 00:00:00")
    get("/os-instance_usage_audit_log/2012-07-05%2010:00:00.5", code=200)
    get("/os-instance_usage_audit_log/yesterday", code=400)
    get("/os-instance_usage_audit_log", conn=demo, code=403)


def test_os_hosts_until_2_43(cloud, admin, demo, image):
    def call(method, path, version=None, conn=admin, code=200, **kwargs):
        response = sdk_fixtures.api(cloud, conn, method, path, version, **kwargs)
        assert response.status_code == code, (path, response.text)
        return response.json() if response.content else None

    server = _boot(admin, image, "vm")
    host = admin.compute.get_server(server.id).compute_host
    hosts = call("GET", "/os-hosts")["hosts"]
    assert {(h["host_name"], h["service"], h["zone"]) for h in hosts} >= {
        ("compute-1", "compute", "nova"), ("compute-2", "compute", "nova")}
    assert {h["zone"] for h in hosts if h["service"] != "compute"} == {"internal"}
    assert [h["host_name"] for h in call("GET", "/os-hosts?zone=nova")["hosts"]] == [
        "compute-1", "compute-2"]
    shown = call("GET", f"/os-hosts/{host}")["host"]
    projects = [entry["resource"]["project"] for entry in shown]
    assert projects[:3] == ["(total)", "(used_now)", "(used_max)"]
    assert shown[2]["resource"]["cpu"] == 1 and len(shown) == 4
    assert call("PUT", f"/os-hosts/{host}", json={}) == {"host": host}
    call("PUT", f"/os-hosts/{host}", json={"status": "disable"}, code=501)
    call("PUT", f"/os-hosts/{host}", json={"status": "off"}, code=400)
    call("GET", f"/os-hosts/{host}/reboot", code=501)
    call("GET", "/os-hosts/nowhere", code=404)
    call("GET", "/os-hosts/nowhere/shutdown", code=404)
    call("GET", "/os-hosts", "2.43", code=404)
    call("GET", "/os-hosts", conn=demo, code=403)
    call("GET", f"/os-hosts/{host}", conn=demo, code=403)
    admin.compute.delete_server(server)
