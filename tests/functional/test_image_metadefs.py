"""Metadata definitions through the unmodified ``openstack image metadef`` commands and
openstacksdk: the default catalogue, namespaces, objects, properties, resource type
associations, tags and schemas, with Glance's visibility and protection rules."""

from __future__ import annotations

import json

import pytest
import requests
from openstack import exceptions as sdk_exceptions

from tests.functional.clients import Cli, connect


@pytest.fixture
def cli(cloud, tmp_path) -> Cli:
    return Cli(cloud, tmp_path)


def _api(conn, method: str, path: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
    base = conn.image.get_endpoint().rstrip("/").removesuffix("/v2")
    return requests.request(method, base + path, timeout=30,
                            headers={"X-Auth-Token": conn.auth_token,
                                     **kwargs.pop("headers", {})}, **kwargs)


def test_metadef_commands(cli):
    # the default catalogue
    listed = {ns["namespace"] for ns in cli.json("image", "metadef", "namespace", "list")}
    assert {"OS::Compute::Hypervisor", "OS::Compute::Watchdog",
            "OS::Glance::CommonImageProperties"} <= listed
    types = {t["Name"] for t in cli.json("image", "metadef", "resource", "type", "list")}
    assert {"OS::Glance::Image", "OS::Nova::Flavor", "OS::Cinder::Volume"} <= types
    watchdog = cli.json("image", "metadef", "namespace", "show", "OS::Compute::Watchdog")
    assert watchdog["protected"] is True and watchdog["visibility"] == "public"
    properties = cli.json("image", "metadef", "property", "list", "OS::Compute::Watchdog")
    assert [p["name"] for p in properties] == ["hw_watchdog_action"]
    shown = cli.json("image", "metadef", "property", "show", "OS::Compute::Watchdog",
                     "hw_watchdog_action")
    assert "reset" in shown["enum"]
    refused = cli.run("image", "metadef", "namespace", "delete", "OS::Compute::Watchdog",
                      check=False)
    assert refused.returncode != 0

    # a namespace of our own, and what goes in it
    made = cli.json("image", "metadef", "namespace", "create", "--display-name", "Mine",
                    "--description", "made by the CLI", "--private", "NL::Test")
    assert made["namespace"] == "NL::Test" and made["visibility"] == "private"
    cli.run("image", "metadef", "namespace", "set", "--display-name", "Mine again",
            "--public", "NL::Test")
    shown = cli.json("image", "metadef", "namespace", "show", "NL::Test")
    assert shown["display_name"] == "Mine again" and shown["visibility"] == "public"

    schema = json.dumps({"enum": ["a", "b"], "description": "letters"})
    prop = cli.json("image", "metadef", "property", "create", "--name", "nl_letter",
                    "--title", "Letter", "--type", "string", "--schema", schema, "NL::Test")
    assert prop["name"] == "nl_letter"
    cli.run("image", "metadef", "property", "set", "--title", "The letter", "NL::Test",
            "nl_letter")
    assert cli.json("image", "metadef", "property", "show", "NL::Test",
                    "nl_letter")["title"] == "The letter"

    obj = cli.json("image", "metadef", "object", "create", "--namespace", "NL::Test",
                   "nl-object")
    assert obj["name"] == "nl-object"
    assert [o["name"] for o in cli.json("image", "metadef", "object", "list",
                                        "NL::Test")] == ["nl-object"]
    cli.run("image", "metadef", "object", "update", "--name", "nl-renamed", "NL::Test",
            "nl-object")
    assert cli.json("image", "metadef", "object", "show", "NL::Test",
                    "nl-renamed")["name"] == "nl-renamed"
    assert cli.run("image", "metadef", "object", "show", "NL::Test", "nl-object",
                   check=False).returncode != 0

    cli.run("image", "metadef", "resource", "type", "association", "create",
            "--properties-target", "image", "NL::Test", "OS::Glance::Image")
    associations = cli.json("image", "metadef", "resource", "type", "association", "list",
                            "NL::Test")
    assert [a["Name"] if "Name" in a else a["name"] for a in associations] == [
        "OS::Glance::Image"]
    cli.run("image", "metadef", "resource", "type", "association", "delete", "NL::Test",
            "OS::Glance::Image")
    assert cli.json("image", "metadef", "resource", "type", "association", "list",
                    "NL::Test") in ([], None)

    cli.run("image", "metadef", "property", "delete", "NL::Test", "nl_letter")
    cli.run("image", "metadef", "object", "delete", "NL::Test", "nl-renamed")
    cli.run("image", "metadef", "namespace", "delete", "NL::Test")
    assert "NL::Test" not in {ns["namespace"] for ns in
                              cli.json("image", "metadef", "namespace", "list")}

    # only admins change metadefs
    denied = cli.run("image", "metadef", "namespace", "create", "NL::Demo", user="demo",
                     check=False)
    assert denied.returncode != 0 and "403" in denied.stderr + denied.stdout


def test_metadefs_api_and_sdk(cloud):
    admin, demo = connect(cloud, "admin"), connect(cloud, "demo")
    namespace = admin.image.create_metadef_namespace(
        namespace="NL::Private", display_name="private one", visibility="private")
    assert namespace.visibility == "private"
    # private: the demo project does not see it at all
    assert "NL::Private" not in {ns.namespace for ns in demo.image.metadef_namespaces()}
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.image.get_metadef_namespace("NL::Private")
    assert _api(demo, "GET", "/v2/metadefs/namespaces/NL::Private").status_code == 404

    # tags: bulk replace, append, rename, delete
    response = _api(admin, "POST", "/v2/metadefs/namespaces/NL::Private/tags",
                    json={"tags": [{"name": "one"}, {"name": "two"}]})
    assert response.status_code == 201, response.text
    response = _api(admin, "POST", "/v2/metadefs/namespaces/NL::Private/tags",
                    json={"tags": [{"name": "three"}]},
                    headers={"X-Openstack-Append": "True"})
    assert response.status_code == 201
    tags = _api(admin, "GET", "/v2/metadefs/namespaces/NL::Private/tags").json()["tags"]
    assert [t["name"] for t in tags] == ["one", "three", "two"]
    assert _api(admin, "POST", "/v2/metadefs/namespaces/NL::Private/tags/one"
                ).status_code == 409
    assert _api(admin, "PUT", "/v2/metadefs/namespaces/NL::Private/tags/one",
                json={"name": "uno"}).json()["name"] == "uno"
    assert _api(admin, "DELETE", "/v2/metadefs/namespaces/NL::Private/tags/uno"
                ).status_code == 204
    assert _api(admin, "GET", "/v2/metadefs/namespaces/NL::Private/tags/uno"
                ).status_code == 404

    # bad input is a 400, duplicates a 409
    for body in ({"name": "p"}, {"name": "p", "title": "P", "type": "colour"},
                 {"name": "p", "title": "P", "type": "string", "bogus": 1}):
        assert _api(admin, "POST", "/v2/metadefs/namespaces/NL::Private/properties",
                    json=body).status_code == 400
    assert _api(admin, "POST", "/v2/metadefs/namespaces",
                json={"namespace": "NL::Private"}).status_code == 409
    assert _api(admin, "POST", "/v2/metadefs/namespaces",
                json={"namespace": "x" * 81}).status_code == 400
    assert _api(admin, "POST", "/v2/metadefs/namespaces",
                json={"namespace": "NL::Bad", "visibility": "shared"}).status_code == 400
    assert _api(admin, "GET", "/v2/metadefs/namespaces/NL::Nothing").status_code == 404

    # filters and paging
    flavor = _api(demo, "GET", "/v2/metadefs/namespaces",
                  params={"resource_types": "OS::Nova::Flavor"}).json()["namespaces"]
    assert {ns["namespace"] for ns in flavor} >= {"OS::Compute::Quota",
                                                  "OS::Compute::Watchdog"}
    assert all(any(a["name"] == "OS::Nova::Flavor" for a in ns["resource_type_associations"])
               for ns in flavor)
    page = _api(demo, "GET", "/v2/metadefs/namespaces",
                params={"limit": 2, "sort_key": "namespace", "sort_dir": "asc"}).json()
    assert len(page["namespaces"]) == 2 and "next" in page
    rest = _api(demo, "GET", page["next"]).json()
    assert rest["namespaces"][0]["namespace"] > page["namespaces"][1]["namespace"]

    # properties named as a resource type uses them
    pinning = _api(demo, "GET", "/v2/metadefs/namespaces/OS::Compute::CPUPinning",
                   params={"resource_type": "OS::Nova::Flavor"}).json()
    assert set(pinning["properties"]) == {"hw:cpu_policy", "hw:cpu_thread_policy"}
    pinning = _api(demo, "GET", "/v2/metadefs/namespaces/OS::Compute::CPUPinning",
                   params={"resource_type": "OS::Glance::Image"}).json()
    assert set(pinning["properties"]) == {"hw_cpu_policy", "hw_cpu_thread_policy"}
    assert _api(demo, "GET", "/v2/metadefs/namespaces/OS::Compute::CPUPinning",
                params={"resource_type": "OS::Nova::Server"}).status_code == 404

    # a protected namespace keeps what is in it
    quota = admin.image.get_metadef_namespace("OS::Compute::Quota")
    assert quota.is_protected
    assert _api(admin, "DELETE", "/v2/metadefs/namespaces/OS::Compute::Quota/objects/"
                "CPU Limits").status_code == 403
    objects = list(admin.image.metadef_objects("OS::Compute::Quota"))
    assert {o.name for o in objects} == {"CPU Limits", "Disk QoS"}

    # schemas
    for name in ("namespace", "namespaces", "object", "objects", "property", "properties",
                 "tag", "tags", "resource_type", "resource_types"):
        response = _api(demo, "GET", f"/v2/schemas/metadefs/{name}")
        assert response.status_code == 200 and "properties" in response.json(), name
    assert admin.image.get_metadef_namespace_schema().name == "namespace"
    assert "name" in admin.image.get_metadef_property_schema().required
    assert admin.image.get_metadef_resource_types_schema().properties[
        "resource_type_associations"]["type"] == "array"

    admin.image.delete_metadef_namespace("NL::Private")
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.image.get_metadef_namespace("NL::Private")


def test_the_metadef_tables_match_their_models(db):
    """Migration 0013 makes the metadef tables exactly as the models declare them."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from novalite.db import all_models
    from novalite.db import api as db_api

    ours = {"metadef_namespaces", "metadef_resource_types"}
    with db_api.get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, all_models.metadata)

    def touches(change: object) -> bool:
        text = repr(change)
        return any(name in text for name in ours)

    assert [change for change in diff if touches(change)] == []
    with db_api.get_engine().connect() as connection:
        tables = set(sa_inspect(connection).get_table_names())
    assert ours <= tables


def sa_inspect(connection):  # type: ignore[no-untyped-def]
    import sqlalchemy

    return sqlalchemy.inspect(connection)
