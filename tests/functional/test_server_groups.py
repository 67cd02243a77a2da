"""Server groups through openstacksdk on two fake hosts: anti-affinity spreads members
and refuses a third (ERROR, NoValidHost), affinity keeps them together; the API's
bodies per microversion, its policies, quotas and bad input."""

from __future__ import annotations

import pytest
import requests
from openstack import exceptions as sdk_exceptions

from tests.functional import sdk_fixtures

admin, demo, image, reader = (sdk_fixtures.admin, sdk_fixtures.demo, sdk_fixtures.image,
                              sdk_fixtures.reader)
HOSTS = {"compute-1", "compute-2"}


def _boot(conn, image, name, group_id):
    return conn.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                      networks="none", scheduler_hints={"group": group_id})


def _host_of(admin, server_id):
    return admin.compute.get_server(server_id).compute_host


def test_anti_affinity_spreads_members_and_refuses_a_third(admin, demo, image):
    group = demo.compute.create_server_group(name="spread", policy="anti-affinity")
    assert group.policy == "anti-affinity" and group.rules == {}
    first = _boot(demo, image, "a1", group.id)
    second = _boot(demo, image, "a2", group.id)
    for server in (first, second):
        demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    assert {_host_of(admin, first.id), _host_of(admin, second.id)} == HOSTS
    third = _boot(demo, image, "a3", group.id)
    failed = demo.compute.wait_for_server(third, status="ERROR", failures=[], wait=60,
                                          interval=0.1)
    assert "No valid host" in failed.fault["message"]
    shown = demo.compute.get_server_group(group.id)
    assert set(shown.member_ids) == {first.id, second.id, third.id}
    assert demo.compute.get_server(first.id).server_groups == [group.id]
    demo.compute.delete_server(third)
    demo.compute.wait_for_delete(third, wait=30, interval=0.1)
    assert set(demo.compute.get_server_group(group.id).member_ids) == {first.id, second.id}
    for server in (first, second):
        demo.compute.delete_server(server)


def test_affinity_keeps_members_together(admin, demo, image):
    group = demo.compute.create_server_group(name="together", policy="affinity")
    servers = [_boot(demo, image, f"b{index}", group.id) for index in range(3)]
    for server in servers:
        demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    hosts = {_host_of(admin, server.id) for server in servers}
    assert len(hosts) == 1 and hosts <= HOSTS
    # a multi-create lands together too
    created = requests.post(
        f"{demo.compute.get_endpoint()}/servers",
        headers={"X-Auth-Token": demo.auth_token, "OpenStack-API-Version": "compute 2.64"},
        json={"server": {"name": "multi", "flavorRef": "1", "imageRef": image.id,
                         "networks": "none", "min_count": 2},
              "os:scheduler_hints": {"group": group.id}}, timeout=30)
    assert created.status_code == 202, created.text
    members = demo.compute.get_server_group(group.id).member_ids
    assert len(members) == 5
    for member in members:
        demo.compute.wait_for_server(demo.compute.get_server(member), status="ACTIVE",
                                     wait=60, interval=0.1)
    assert {_host_of(admin, member) for member in members} == hosts
    for member in members:
        demo.compute.delete_server(member)


def test_max_server_per_host_rule(admin, demo, image):
    group = demo.compute.create_server_group(name="two-per-host", policy="anti-affinity",
                                             rules={"max_server_per_host": 2})
    assert group.rules == {"max_server_per_host": 2}
    servers = [_boot(demo, image, f"c{index}", group.id) for index in range(4)]
    for server in servers:
        demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    placed = [_host_of(admin, server.id) for server in servers]
    assert sorted(placed.count(host) for host in HOSTS) == [2, 2]
    for server in servers:
        demo.compute.delete_server(server)


def test_bodies_per_microversion_policy_and_bad_input(admin, demo, reader, cloud, image):
    token = demo.auth_token

    def _api(cloud, token, method, path, version=None, **kwargs):
        conn = admin if token == admin.auth_token else demo
        return sdk_fixtures.api(cloud, conn, method, path, version, **kwargs)

    old = _api(cloud, token, "POST", "/os-server-groups",
               json={"server_group": {"name": "old", "policies": ["anti-affinity"]}})
    assert old.status_code == 200, old.text
    body = old.json()["server_group"]
    assert set(body) == {"id", "name", "policies", "members", "metadata"}
    assert body["policies"] == ["anti-affinity"] and body["metadata"] == {}
    v213 = _api(cloud, token, "GET", f"/os-server-groups/{body['id']}", "2.13").json()
    assert set(v213["server_group"]) == {"id", "name", "policies", "members", "metadata",
                                         "project_id", "user_id"}
    v264 = _api(cloud, token, "GET", f"/os-server-groups/{body['id']}", "2.64").json()
    assert set(v264["server_group"]) == {"id", "name", "policy", "rules", "members",
                                         "project_id", "user_id"}

    def refused(payload, version, code=400):
        response = _api(cloud, token, "POST", "/os-server-groups", version, json=payload)
        assert response.status_code == code, response.text
        return response.json()

    refused({"server_group": {"name": "x", "policies": ["soft-affinity"]}}, "2.14")
    assert _api(cloud, token, "POST", "/os-server-groups", "2.15", json={
        "server_group": {"name": "soft", "policies": ["soft-affinity"]}}).status_code == 200
    refused({"server_group": {"name": "x", "policies": ["affinity", "anti-affinity"]}}, "2.1")
    refused({"server_group": {"name": "x", "policies": ["affinity"]}}, "2.64")
    refused({"server_group": {"name": "x", "policy": "bogus"}}, "2.64")
    refused({"server_group": {"name": "x", "policy": "anti-affinity",
                              "rules": {"max_server_per_host": 0}}}, "2.64")
    message = refused({"server_group": {"name": "x", "policy": "affinity",
                                        "rules": {"max_server_per_host": 2}}}, "2.64")
    assert message["badRequest"]["message"] == "Only anti-affinity policy supports rules."
    refused({"server_group": {"name": "", "policy": "affinity"}}, "2.64")
    assert _api(cloud, token, "GET", "/os-server-groups?bogus=1", "2.75").status_code == 400
    assert _api(cloud, token, "GET", "/os-server-groups?bogus=1", "2.74").status_code == 200
    assert _api(cloud, token, "GET", "/os-server-groups/nope").status_code == 404

    # a hint naming no group, or not a uuid, is a 400 of the create
    bad = requests.post(f"{cloud['compute']}/servers", headers={"X-Auth-Token": token},
                        json={"server": {"name": "x", "flavorRef": "1", "imageRef": image.id},
                              "os:scheduler_hints": {"group": "not-a-uuid"}}, timeout=30)
    assert bad.status_code == 400, bad.text
    missing = "9a3ec3b1-2c79-4b6c-a6ea-2c0a0f6b8c5e"
    bad = requests.post(f"{cloud['compute']}/servers", headers={"X-Auth-Token": token},
                        json={"server": {"name": "x", "flavorRef": "1", "imageRef": image.id},
                              "os:scheduler_hints": {"group": missing}}, timeout=30)
    assert bad.status_code == 400
    assert f"Instance group {missing} could not be found." in bad.text

    # another project's member sees a 403 for the group, admins list every project's
    theirs = admin.compute.create_server_group(name="admins", policy="affinity")
    assert _api(cloud, token, "GET", f"/os-server-groups/{theirs.id}").status_code == 403
    assert _api(cloud, token, "DELETE", f"/os-server-groups/{theirs.id}").status_code == 403
    mine = {g.name for g in demo.compute.server_groups(all_projects=True)}
    assert mine == {"old", "soft"}  # all_projects is ignored for a non-admin
    every = {g.name for g in admin.compute.server_groups(all_projects=True)}
    assert every == {"old", "soft", "admins"}
    first = _api(cloud, token, "GET", "/os-server-groups?limit=1").json()
    assert [g["name"] for g in first["server_groups"]] == ["old"]
    paged = _api(cloud, token, "GET", "/os-server-groups?limit=1&offset=1").json()
    assert [g["name"] for g in paged["server_groups"]] == ["soft"]

    # a reader may list but not create
    assert {g.name for g in reader.compute.server_groups()} == {"old", "soft"}
    with pytest.raises(sdk_exceptions.ForbiddenException):
        reader.compute.create_server_group(name="no", policy="affinity")
    with pytest.raises(sdk_exceptions.ForbiddenException):
        reader.compute.delete_server_group(body["id"])
    assert _api(cloud, token, "DELETE", f"/os-server-groups/{body['id']}").status_code == 204
    assert _api(cloud, token, "GET", f"/os-server-groups/{body['id']}").status_code == 404


def test_quotas_of_groups_and_members(admin, demo, image):
    project = admin.identity.find_project("demo")
    admin.compute.update_quota_set(project.id, server_groups=1, server_group_members=1)
    group = demo.compute.create_server_group(name="only", policy="soft-anti-affinity")
    with pytest.raises(sdk_exceptions.ForbiddenException, match="too many server groups"):
        demo.compute.create_server_group(name="second", policy="affinity")
    detail = admin.compute.get_quota_set(project.id, usage=True)
    assert detail.usage["server_groups"] == 1
    server = _boot(demo, image, "m1", group.id)
    with pytest.raises(sdk_exceptions.ForbiddenException, match="too many servers in group"):
        _boot(demo, image, "m2", group.id)
    demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)
    demo.compute.delete_server(server)
