"""Host aggregates through the unmodified openstack CLI and openstacksdk on two fake hosts:
``aggregate create --zone az2`` + ``aggregate add host`` moves the host into az2 (the
scheduler, the zones list and the services list follow); metadata, the zone rules,
policies and bad input."""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.functional import sdk_fixtures

admin, demo, image, cli = (sdk_fixtures.admin, sdk_fixtures.demo, sdk_fixtures.image,
                           sdk_fixtures.cli)


def test_aggregate_zone_moves_a_host_for_scheduling(cli, admin, image):
    created = cli("admin", "aggregate", "create", "--zone", "az2", "agg2", "-f", "json")
    assert created["availability_zone"] == "az2" and created["name"] == "agg2"
    shown = cli("admin", "aggregate", "add", "host", "agg2", "compute-2", "-f", "json")
    assert shown["hosts"] == ["compute-2"]

    zones = {z["Zone Name"]: z["Zone Status"]
             for z in cli("admin", "availability", "zone", "list", "--compute", "-f", "json")}
    assert zones == {"az2": "available", "nova": "available", "internal": "available"}
    services = {s.host: s.availability_zone
                for s in admin.compute.services(binary="nova-compute")}
    assert services == {"compute-1": "nova", "compute-2": "az2"}

    server = cli("admin", "server", "create", "--availability-zone", "az2", "--flavor", "1",
                 "--image", image.id, "--nic", "none", "in-az2", "-f", "json")
    server = admin.compute.wait_for_server(admin.compute.get_server(server["id"]),
                                           status="ACTIVE", wait=60, interval=0.1)
    assert (server.availability_zone, server.compute_host) == ("az2", "compute-2")
    for index in range(2):  # every server of az2 lands on its one host
        other = admin.compute.create_server(name=f"in-az2-{index}", flavor_id="1",
                                            image_id=image.id, networks="none",
                                            availability_zone="az2")
        other = admin.compute.wait_for_server(other, status="ACTIVE", wait=60, interval=0.1)
        assert admin.compute.get_server(other.id).compute_host == "compute-2"
    other = admin.compute.create_server(name="in-nova", flavor_id="1", image_id=image.id,
                                        networks="none", availability_zone="nova")
    admin.compute.wait_for_server(other, status="ACTIVE", wait=60, interval=0.1)
    assert admin.compute.get_server(other.id).compute_host == "compute-1"
    with pytest.raises(sdk_exceptions.BadRequestException,
                       match="The requested availability zone is not available"):
        admin.compute.create_server(name="nowhere", flavor_id="1", image_id=image.id,
                                    networks="none", availability_zone="az9")

    # the zone of a host with instances does not move; a host is in one zone at most
    agg2 = admin.compute.find_aggregate("agg2")
    agg3 = admin.compute.create_aggregate(name="agg3", availability_zone="az3")
    with pytest.raises(sdk_exceptions.ConflictException,
                       match=r"One or more hosts already in availability zone\(s\) \['az2'\]"):
        admin.compute.add_host_to_aggregate(agg3, "compute-2")
    with pytest.raises(sdk_exceptions.BadRequestException,
                       match="One or more hosts contain instances in this zone"):
        admin.compute.update_aggregate(agg2, availability_zone="az4")

    admin.compute.set_aggregate_metadata(agg2, {"ssd": "true", "racks": "2"})
    admin.compute.set_aggregate_metadata(agg2, {"racks": None})
    assert admin.compute.get_aggregate(agg2.id).metadata == {"ssd": "true",
                                                             "availability_zone": "az2"}
    assert {a.name: a.availability_zone for a in admin.compute.aggregates()} == {
        "agg2": "az2", "agg3": "az3"}
    hypervisor = cli("admin", "hypervisor", "show", "compute-2", "-f", "json")
    assert hypervisor["aggregates"] == ["agg2"]

    for server in admin.compute.servers():
        admin.compute.delete_server(server)
    for server in list(admin.compute.servers()):
        admin.compute.wait_for_delete(server, wait=30, interval=0.1)
    with pytest.raises(sdk_exceptions.BadRequestException, match="Host aggregate is not empty"):
        admin.compute.delete_aggregate(agg2)
    admin.compute.remove_host_from_aggregate(agg2, "compute-2")
    admin.compute.delete_aggregate(agg2)
    assert [a.name for a in admin.compute.aggregates()] == ["agg3"]
    assert {z.name for z in admin.compute.availability_zones()} == {"nova"}


def test_aggregate_bodies_policy_and_bad_input(admin, demo, cloud):
    def call(conn, method, path, version=None, **kwargs):
        return sdk_fixtures.api(cloud, conn, method, path, version, **kwargs)

    created = call(admin, "POST", "/os-aggregates",
                   json={"aggregate": {"name": "a1", "availability_zone": None}})
    assert created.status_code == 200, created.text
    body = created.json()["aggregate"]
    assert set(body) == {"availability_zone", "created_at", "deleted", "deleted_at", "id",
                         "name", "updated_at"}
    assert body["availability_zone"] is None and body["deleted"] is False
    shown = call(admin, "GET", f"/os-aggregates/{body['id']}", "2.41").json()["aggregate"]
    assert set(shown) == set(body) | {"hosts", "metadata", "uuid"}
    assert "uuid" not in call(admin, "GET", f"/os-aggregates/{body['id']}").json()[
        "aggregate"]

    sdk = admin.compute.get_aggregate(body["id"])
    assert sdk.name == "a1" and sdk.hosts == []
    admin.compute.set_aggregate_metadata(sdk, {"k": "v"})
    assert admin.compute.get_aggregate(body["id"]).metadata == {"k": "v"}

    def refused(method, path, payload=None, code=400, conn=admin):
        response = call(conn, method, path, json=payload)
        assert response.status_code == code, response.text
        return response.json()

    agg = f"/os-aggregates/{body['id']}"
    refused("POST", "/os-aggregates", {"aggregate": {"name": "a1"}}, 409)
    refused("POST", "/os-aggregates", {"aggregate": {"name": ""}})
    refused("POST", "/os-aggregates", {"aggregate": {"name": "x", "availability_zone": "a:b"}})
    refused("POST", "/os-aggregates", {"aggregate": {"name": "x", "bogus": 1}})
    refused("PUT", agg, {"aggregate": {}})
    refused("PUT", agg, {"aggregate": {"availability_zone": None}})
    refused("GET", "/os-aggregates/abc")
    refused("GET", "/os-aggregates/999", code=404)
    refused("POST", f"{agg}/action", {"add_host": {"host": "nowhere"}}, 404)
    refused("POST", f"{agg}/action", {"add_host": {}})
    refused("POST", f"{agg}/action", {"remove_host": {"host": "compute-1"}}, 404)
    refused("POST", f"{agg}/action", {"set_metadata": {"metadata": {"k" * 256: "v"}}})
    refused("POST", f"{agg}/action", {"bogus": {}})
    assert call(admin, "POST", f"{agg}/action",
                json={"add_host": {"host": "compute-1"}}).status_code == 200
    refused("POST", f"{agg}/action", {"add_host": {"host": "compute-1"}}, 409)
    updated = call(admin, "PUT", agg, json={"aggregate": {"name": " renamed ",
                                                          "availability_zone": "az5"}})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["aggregate"]["name"],
            updated.json()["aggregate"]["availability_zone"]) == ("renamed", "az5")

    for method, path in (("GET", "/os-aggregates"), ("GET", agg), ("DELETE", agg),
                         ("POST", "/os-aggregates")):
        refused(method, path, {"aggregate": {"name": "no"}} if method == "POST" else None,
                403, conn=demo)
    with pytest.raises(sdk_exceptions.ForbiddenException):
        list(demo.compute.aggregates())
