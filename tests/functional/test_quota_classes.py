"""``os-quota-class-sets``: the ``default`` class sets every project's default limits
(shown by ``os-quota-sets/{project}/defaults`` and enforced), fields per microversion,
policy and bad input; quota sets' ``detail`` counts server groups."""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.functional import sdk_fixtures

admin, demo, image = sdk_fixtures.admin, sdk_fixtures.demo, sdk_fixtures.image


def test_default_quota_class_sets_the_defaults(cloud, admin, demo, image):
    def call(method, path, version=None, conn=admin, code=200, **kwargs):
        response = sdk_fixtures.api(cloud, conn, method, path, version, **kwargs)
        assert response.status_code == code, (path, response.text)
        return response.json() if response.content else None

    shown = call("GET", "/os-quota-class-sets/default")["quota_class_set"]
    assert set(shown) == {"id", "cores", "instances", "ram", "metadata_items", "key_pairs",
                          "injected_files", "injected_file_content_bytes",
                          "injected_file_path_bytes", "fixed_ips", "floating_ips",
                          "security_groups", "security_group_rules"}
    assert (shown["id"], shown["instances"]) == ("default", 10)
    v250 = call("GET", "/os-quota-class-sets/default", "2.50")["quota_class_set"]
    assert {"server_groups", "server_group_members", "injected_files"} <= set(v250)
    assert "floating_ips" not in v250
    v257 = call("GET", "/os-quota-class-sets/default", "2.57")["quota_class_set"]
    assert set(v257) == {"id", "cores", "instances", "ram", "metadata_items", "key_pairs",
                         "server_groups", "server_group_members"}

    updated = admin.compute.update_quota_class_set("default", instances=1, cores=30)
    assert (updated.instances, updated.cores) == (1, 30)
    body = call("PUT", "/os-quota-class-sets/default", "2.57",
                json={"quota_class_set": {"server_groups": 3}})["quota_class_set"]
    assert "id" not in body and body["server_groups"] == 3
    demo_id = admin.identity.find_project("demo").id
    defaults = call("GET", f"/os-quota-sets/{demo_id}/defaults")["quota_set"]
    assert (defaults["instances"], defaults["cores"]) == (1, 30)
    assert admin.compute.get_quota_set(demo_id).instances == 1
    server = demo.compute.create_server(name="one", flavor_id="1", image_id=image.id,
                                        networks="none")
    with pytest.raises(sdk_exceptions.ForbiddenException, match="Quota exceeded"):
        demo.compute.create_server(name="two", flavor_id="1", image_id=image.id,
                                   networks="none")
    admin.compute.update_quota_set(demo_id, instances=2)  # a project's own limit wins
    second = demo.compute.create_server(name="two", flavor_id="1", image_id=image.id,
                                        networks="none")
    other = call("GET", "/os-quota-class-sets/gold")["quota_class_set"]
    assert other["instances"] == 1  # a class without values shows the defaults

    for payload, version in (({"quota_class_set": {"instances": "many"}}, None),
                             ({"quota_class_set": {"instances": -2}}, None),
                             ({"quota_class_set": {"bogus": 1}}, None),
                             ({"quota_class_set": {"injected_files": 1}}, "2.57"),
                             ({"quota_class_set": {"floating_ips": 1}}, "2.50"),
                             ({"quota_set": {"instances": 1}}, None)):
        call("PUT", "/os-quota-class-sets/default", version, json=payload, code=400)
    call("PUT", "/os-quota-class-sets/default", json={"quota_class_set": {"networks": 3}})
    call("GET", "/os-quota-class-sets/default", conn=demo, code=403)
    call("PUT", "/os-quota-class-sets/default", conn=demo, code=403,
         json={"quota_class_set": {"instances": 100}})
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.compute.update_quota_class_set("default", instances=100)

    group = demo.compute.create_server_group(name="g", policy="affinity")
    detail = call("GET", f"/os-quota-sets/{demo_id}/detail", conn=admin)["quota_set"]
    assert detail["server_groups"]["in_use"] == 1 and detail["instances"]["in_use"] == 2
    for created in (server, second):
        demo.compute.delete_server(created)
    demo.compute.delete_server_group(group)
