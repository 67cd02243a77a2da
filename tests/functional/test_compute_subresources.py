"""The rest of the Compute API's resources against the in-process cloud, with openstacksdk
and raw calls at microversions: ``/extensions``, the deprecated image proxy (``/images``
and image metadata, gone at 2.36 / 2.39), ``/os-migrations`` (fields at 2.23, 2.59, 2.80;
strict queries from 2.59), ``/servers/{id}/ips``, ``/servers/{id}/os-security-groups``
(gone at 2.36) and ``/servers/{id}/os-server-password``."""

from __future__ import annotations

from novalite.common import metadata_tree
from novalite.db import instances
from tests.functional import test_server_actions as actions
from tests.functional.test_server_actions import boot, raw, status

admin, image, one_host = actions.admin, actions.image, actions.one_host

IMAGE_DETAIL = {"id", "name", "minRam", "minDisk", "metadata", "created", "updated", "status",
                "progress", "OS-EXT-IMG-SIZE:size", "links"}
MIGRATION = {"created_at", "dest_compute", "dest_host", "dest_node", "id", "instance_uuid",
             "new_instance_type_id", "old_instance_type_id", "source_compute", "source_node",
             "status", "updated_at"}


def test_extensions_list_and_show(admin, cloud):
    listed = list(admin.compute.extensions())
    aliases = {extension.alias for extension in listed}
    assert {"os-aggregates", "os-server-groups", "OS-EXT-SRV-ATTR"} <= aliases
    body = raw(admin, cloud, "GET", "/extensions/os-keypairs").json()["extension"]
    assert set(body) == {"name", "alias", "description", "namespace", "updated", "links"}
    assert body["name"] == "Keypairs"
    assert raw(admin, cloud, "GET", "/extensions/nope").status_code == 404


def test_image_proxy_and_metadata_until_their_microversions(admin, cloud, image):
    listed = raw(admin, cloud, "GET", "/images").json()["images"]
    entry = next(i for i in listed if i["id"] == image.id)
    assert set(entry) == {"id", "name", "links"}
    assert [link["rel"] for link in entry["links"]] == ["self", "bookmark", "alternate"]
    shown = raw(admin, cloud, "GET", f"/images/{image.id}").json()["image"]
    assert set(shown) == IMAGE_DETAIL
    assert (shown["status"], shown["progress"], shown["OS-EXT-IMG-SIZE:size"]) == (
        "ACTIVE", 100, 4096)
    assert shown["metadata"]["hw_rng_model"] == "virtio"
    detail = raw(admin, cloud, "GET", "/images/detail?minDisk=1000").json()["images"]
    assert detail == []
    assert raw(admin, cloud, "GET", "/images", "2.36").status_code == 404

    base = f"/images/{image.id}/metadata"
    merged = raw(admin, cloud, "POST", base, body={"metadata": {"k1": "v1"}}).json()
    assert merged["metadata"]["k1"] == "v1" and "hw_rng_model" in merged["metadata"]
    assert raw(admin, cloud, "GET", f"{base}/k1").json() == {"meta": {"k1": "v1"}}
    assert raw(admin, cloud, "PUT", f"{base}/k1", body={"meta": {"k1": "v2"}}).json() == {
        "meta": {"k1": "v2"}}
    mismatch = raw(admin, cloud, "PUT", f"{base}/k1", body={"meta": {"other": "x"}})
    assert mismatch.status_code == 400
    replaced = raw(admin, cloud, "PUT", base, body={"metadata": {"only": "this"}}).json()
    assert replaced == {"metadata": {"only": "this"}}
    assert admin.image.get_image(image.id).properties.get("only") == "this"
    assert raw(admin, cloud, "DELETE", f"{base}/only").status_code == 204
    assert raw(admin, cloud, "GET", f"{base}/only").status_code == 404
    assert raw(admin, cloud, "GET", base, "2.39").status_code == 404
    assert raw(admin, cloud, "GET", base, "2.38").status_code == 200
    bad = raw(admin, cloud, "POST", base, body={"metadata": {"k": 1}})
    assert bad.status_code == 400

    assert raw(admin, cloud, "DELETE", f"/images/{image.id}").status_code == 204
    gone = raw(admin, cloud, "GET", f"/images/{image.id}")
    assert gone.status_code == 404 and gone.json()["itemNotFound"]["message"] == (
        "Image not found.")


def test_os_migrations_fields_and_filters_per_microversion(admin, cloud, image, one_host):
    server = boot(admin, image)
    admin.compute.resize_server(server, "2")
    status(admin, server, "VERIFY_RESIZE")
    admin.compute.confirm_server_resize(server)
    status(admin, server, "ACTIVE")
    [old] = raw(admin, cloud, "GET", "/os-migrations").json()["migrations"]
    assert set(old) == MIGRATION
    assert (old["instance_uuid"], old["status"], old["source_compute"]) == (
        server.id, "confirmed", one_host)
    [v223] = raw(admin, cloud, "GET", "/os-migrations", "2.23").json()["migrations"]
    assert set(v223) == MIGRATION | {"migration_type"} and v223["migration_type"] == "resize"
    [v259] = raw(admin, cloud, "GET", "/os-migrations", "2.59").json()["migrations"]
    assert set(v259) == MIGRATION | {"migration_type", "uuid"}
    [v280] = raw(admin, cloud, "GET", f"/os-migrations?project_id={server.project_id}",
                 "2.80").json()["migrations"]
    assert set(v280) == MIGRATION | {"migration_type", "uuid", "user_id", "project_id"}
    assert raw(admin, cloud, "GET", "/os-migrations?project_id=other",
               "2.80").json()["migrations"] == []
    assert raw(admin, cloud, "GET", "/os-migrations?status=error").json()["migrations"] == []
    strict = raw(admin, cloud, "GET", "/os-migrations?bogus=1", "2.59")
    assert strict.status_code == 400
    assert raw(admin, cloud, "GET", "/os-migrations?bogus=1").status_code == 200
    paged = raw(admin, cloud, "GET", f"/os-migrations?marker={v259['uuid']}", "2.59").json()
    assert paged["migrations"] == []
    assert raw(admin, cloud, "GET", "/os-migrations?marker=nope", "2.59").status_code == 400
    sdk = list(admin.compute.migrations())
    assert [m.server_id for m in sdk] == [server.id]


def test_server_ips_security_groups_and_password(admin, cloud, image):
    shared = admin.network.find_network("shared")
    server = boot(admin, image, networks=[{"uuid": shared.id}])
    addresses = raw(admin, cloud, "GET", f"/servers/{server.id}/ips").json()["addresses"]
    [entry] = addresses["shared"]
    assert set(entry) == {"version", "addr"} and entry["version"] == 4
    one = raw(admin, cloud, "GET", f"/servers/{server.id}/ips/shared").json()
    assert one == {"shared": addresses["shared"]}
    assert raw(admin, cloud, "GET", f"/servers/{server.id}/ips/nope").status_code == 404

    groups = raw(admin, cloud, "GET", f"/servers/{server.id}/os-security-groups").json()
    [group] = groups["security_groups"]
    assert group["name"] == "default"
    assert set(group) == {"id", "name", "description", "tenant_id", "rules"}
    assert group["rules"] and all(set(rule) == {"id", "parent_group_id", "ip_protocol",
                                                "from_port", "to_port", "group", "ip_range"}
                                  for rule in group["rules"])
    assert raw(admin, cloud, "GET", f"/servers/{server.id}/os-security-groups",
               "2.36").status_code == 404

    path = f"/servers/{server.id}/os-server-password"
    assert raw(admin, cloud, "GET", path).json() == {"password": ""}
    record = instances.get(None, server.id)
    instances.update(None, server.id, {"system_metadata": {
        **record["system_metadata"], **metadata_tree.convert_password("encrypted==")}})
    assert raw(admin, cloud, "GET", path).json() == {"password": "encrypted=="}
    assert admin.compute.get_server_password(server) == "encrypted=="
    assert raw(admin, cloud, "DELETE", path).status_code == 204
    assert raw(admin, cloud, "GET", path).json() == {"password": ""}
    assert raw(admin, cloud, "GET", "/servers/nope/ips").status_code == 404


def test_server_external_events_from_a_service(admin, cloud, image):
    from tests.functional.cloud import wait_for
    from tests.functional.conftest import SERVICE_PASSWORD
    from tests.functional.test_cloud_sdk import connect

    service = connect(cloud, "nova", SERVICE_PASSWORD, "service")
    server = boot(admin, image)
    missing = "00000000-0000-4000-8000-000000000000"
    events = [{"name": "network-changed", "server_uuid": server.id},
              {"name": "network-vif-plugged", "server_uuid": missing, "tag": "port-1"}]
    answer = raw(service, cloud, "POST", "/os-server-external-events", body={"events": events})
    assert answer.status_code == 207
    assert answer.json()["events"] == [
        {"name": "network-changed", "server_uuid": server.id, "status": "completed",
         "code": 200},
        {"name": "network-vif-plugged", "server_uuid": missing, "tag": "port-1",
         "status": "failed", "code": 404}]
    assert raw(service, cloud, "POST", "/os-server-external-events",
               body={"events": events[:1]}).status_code == 200
    none = raw(service, cloud, "POST", "/os-server-external-events", body={"events": events[1:]})
    assert none.status_code == 404
    extended = {"events": [{"name": "volume-extended", "server_uuid": server.id,
                            "tag": "vol-1"}]}
    assert raw(service, cloud, "POST", "/os-server-external-events",
               body=extended).status_code == 400  # not before 2.51
    assert raw(service, cloud, "POST", "/os-server-external-events", "2.51",
               body=extended).status_code == 200

    def extend_action():
        actions = {a["action"]: a for a in raw(
            admin, cloud, "GET", f"/servers/{server.id}/os-instance-actions").json()[
                "instanceActions"]}
        if "extend_volume" not in actions:
            return None
        detail = raw(admin, cloud, "GET", f"/servers/{server.id}/os-instance-actions/"
                     f"{actions['extend_volume']['request_id']}", "2.51").json()
        events = detail["instanceAction"]["events"]
        return events if events and events[0]["result"] == "Error" else None

    [event] = wait_for(extend_action, message="the extend_volume action's event")
    assert event["event"] == "compute_extend_volume"
    assert raw(admin, cloud, "POST", "/os-server-external-events",
               body={"events": events[:1]}).status_code == 403  # not a service
    assert raw(service, cloud, "POST", "/os-server-external-events",
               body={"events": []}).status_code == 400


def test_diagnostics_are_nova_standard_from_2_48_and_free_form_before(admin, cloud, image):
    server = boot(admin, image)
    path = f"/servers/{server.id}/diagnostics"
    standard = raw(admin, cloud, "GET", path, "2.48").json()
    assert set(standard) == {"state", "driver", "hypervisor", "hypervisor_os", "uptime",
                             "config_drive", "num_cpus", "num_nics", "num_disks",
                             "cpu_details", "nic_details", "disk_details", "memory_details"}
    assert (standard["state"], standard["driver"]) == ("running", "libvirt")
    assert set(standard["memory_details"]) == {"maximum", "used"}
    # novalite's observability where Nova's body is free-form
    free_form = raw(admin, cloud, "GET", path, "2.47").json()
    assert free_form["pid"] > 0 and free_form["defined_at"] > 0
    assert admin.compute.get_server_diagnostics(server).hypervisor == "fake"


def test_server_topology_from_2_78(admin, cloud, image):
    server = boot(admin, image)
    path = f"/servers/{server.id}/topology"
    assert raw(admin, cloud, "GET", path, "2.77").status_code == 404
    assert raw(admin, cloud, "GET", path, "2.78").json() == {"nodes": [], "pagesize_kb": None}
    assert raw(admin, cloud, "GET", "/servers/nope/topology", "2.78").status_code == 404


def test_floating_ip_associated_through_the_network_api_shows_on_the_server(
        admin, cloud, image):
    """The network service sends network-changed (as Neutron's nova notifier); the
    compute node reads the ports again into the info cache."""
    from tests.functional.cloud import wait_for

    shared = admin.network.find_network("shared")
    external = admin.network.create_network(name="ext", is_router_external=True)
    admin.network.create_subnet(network_id=external.id, ip_version=4, cidr="172.31.9.0/24",
                                is_dhcp_enabled=False)
    router = admin.network.create_router(name="r1",
                                         external_gateway_info={"network_id": external.id})
    admin.network.add_interface_to_router(router, subnet=shared.subnet_ids[0])
    server = boot(admin, image, networks=[{"uuid": shared.id}])
    [port] = list(admin.network.ports(device_id=server.id))
    fip = admin.network.create_ip(floating_network_id=external.id)

    def floating() -> list[str]:
        addresses = admin.compute.get_server(server.id).addresses["shared"]
        return [a["addr"] for a in addresses if a["OS-EXT-IPS:type"] == "floating"]

    admin.network.update_ip(fip, port_id=port.id)
    assert wait_for(lambda: floating() == [fip.floating_ip_address] or None,
                    message="the floating IP on the server")
    admin.network.update_ip(fip, port_id=None)
    wait_for(lambda: floating() == [], message="the floating IP off the server")
    admin.network.update_ip(fip, port_id=port.id)
    wait_for(lambda: floating() == [fip.floating_ip_address], message="on again")
    admin.network.delete_ip(fip)
    wait_for(lambda: floating() == [], message="off once deleted")


def test_deprecated_network_proxies_until_2_35(admin, cloud):
    shared = admin.network.find_network("shared")
    tenant = raw(admin, cloud, "GET", "/os-tenant-networks").json()["networks"]
    assert {"id": shared.id, "label": "shared", "cidr": "10.254.0.0/24"} in tenant
    assert raw(admin, cloud, "GET", f"/os-tenant-networks/{shared.id}").json()[
        "network"]["label"] == "shared"
    network = raw(admin, cloud, "GET", f"/os-networks/{shared.id}").json()["network"]
    assert (network["id"], network["label"], network["cidr"]) == (shared.id, "shared", None)
    assert raw(admin, cloud, "POST", "/os-networks", body={"network": {}}).status_code == 410
    assert raw(admin, cloud, "GET", "/os-networks", "2.36").status_code == 404
    assert raw(admin, cloud, "GET", "/os-networks/nope").status_code == 404

    made = raw(admin, cloud, "POST", "/os-security-groups", body={
        "security_group": {"name": "web", "description": "http"}}).json()["security_group"]
    assert (made["name"], made["description"]) == ("web", "http")
    rule = raw(admin, cloud, "POST", "/os-security-group-rules", body={"security_group_rule": {
        "parent_group_id": made["id"], "ip_protocol": "tcp", "from_port": 80,
        "to_port": 80, "cidr": "10.0.0.0/8"}}).json()["security_group_rule"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["ip_range"]) == (
        "tcp", 80, 80, {"cidr": "10.0.0.0/8"})
    neutron = admin.network.get_security_group(made["id"])
    assert any(r["port_range_min"] == 80 and r["direction"] == "ingress"
               for r in neutron.security_group_rules)
    shown = raw(admin, cloud, "GET", f"/os-security-groups/{made['id']}").json()
    assert [r["id"] for r in shown["security_group"]["rules"]] == [rule["id"]]
    bad = raw(admin, cloud, "POST", "/os-security-group-rules", body={"security_group_rule": {
        "parent_group_id": made["id"], "ip_protocol": "tcp", "from_port": 90, "to_port": 80}})
    assert bad.status_code == 400
    renamed = raw(admin, cloud, "PUT", f"/os-security-groups/{made['id']}", body={
        "security_group": {"name": "web2"}}).json()["security_group"]
    assert renamed["name"] == "web2"
    listed = raw(admin, cloud, "GET", "/os-security-groups").json()["security_groups"]
    assert {"default", "web2"} <= {group["name"] for group in listed}
    assert raw(admin, cloud, "DELETE", f"/os-security-group-rules/{rule['id']}"
               ).status_code == 202
    assert raw(admin, cloud, "DELETE", f"/os-security-groups/{made['id']}").status_code == 202
    assert raw(admin, cloud, "GET", f"/os-security-groups/{made['id']}").status_code == 404
    assert raw(admin, cloud, "GET", "/os-security-groups", "2.36").status_code == 404

    assert raw(admin, cloud, "POST", "/os-floating-ips", body={"pool": "none"}
               ).status_code == 404
    external = admin.network.create_network(name="public", is_router_external=True)
    admin.network.create_subnet(network_id=external.id, ip_version=4, cidr="172.31.8.0/24")
    pools = raw(admin, cloud, "GET", "/os-floating-ip-pools").json()
    assert pools == {"floating_ip_pools": [{"name": "public"}]}
    fip = raw(admin, cloud, "POST", "/os-floating-ips", body={"pool": "public"}).json()[
        "floating_ip"]
    assert (fip["pool"], fip["instance_id"], fip["fixed_ip"]) == ("public", None, None)
    assert fip["ip"].startswith("172.31.8.")
    assert [f["id"] for f in raw(admin, cloud, "GET", "/os-floating-ips").json()[
        "floating_ips"]] == [fip["id"]]
    assert raw(admin, cloud, "GET", f"/os-floating-ips/{fip['id']}").json()[
        "floating_ip"] == fip
    assert raw(admin, cloud, "DELETE", f"/os-floating-ips/{fip['id']}").status_code == 202
    assert raw(admin, cloud, "GET", f"/os-floating-ips/{fip['id']}").status_code == 404
    assert raw(admin, cloud, "GET", "/os-floating-ips", "2.36").status_code == 404
