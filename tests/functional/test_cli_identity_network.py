"""The unmodified ``openstack`` CLI on the commands a new user tries first: domains,
groups, role assignments (system scope too), application credentials (and logging in
with one), registered and project limits, routers, floating IPs and an IPv6 subnet."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.functional.clients import Cli


@pytest.fixture
def cli(cloud, tmp_path) -> Cli:
    return Cli(cloud, tmp_path)


def test_domains_groups_and_role_assignments(cli):
    domain = cli.json("domain", "create", "--description", "for the CLI", "nl-dom")
    assert domain["name"] == "nl-dom" and domain["enabled"] is True
    assert "nl-dom" in {d["Name"] for d in cli.json("domain", "list")}
    user = cli.json("user", "create", "--domain", "nl-dom", "--password", "pw-1", "nl-user")
    group = cli.json("group", "create", "--domain", "nl-dom", "--description", "people",
                     "nl-group")
    cli.run("group", "add", "user", "--group-domain", "nl-dom", "--user-domain", "nl-dom",
            "nl-group", "nl-user")
    contains = cli.run("group", "contains", "user", "--group-domain", "nl-dom",
                       "--user-domain", "nl-dom", "nl-group", "nl-user").stdout
    assert contains.strip() == "nl-user in group nl-group", contains
    cli.run("role", "add", "--group", group["id"], "--project", "demo", "member")
    effective = cli.json("role", "assignment", "list", "--effective", "--names", "--user",
                         user["id"])
    assert {(a["Role"], a["Project"]) for a in effective} >= {("member", "demo@Default")}
    # implied roles: member implies reader
    assert ("reader", "demo@Default") in {(a["Role"], a["Project"]) for a in effective}
    direct = cli.json("role", "assignment", "list", "--group", group["id"], "--names")
    assert [(a["Role"], a["Group"]) for a in direct] == [("member", "nl-group@nl-dom")]

    cli.run("role", "add", "--system", "all", "--user", user["id"], "reader")
    system = cli.json("role", "assignment", "list", "--system", "all", "--names")
    assert ("reader", "nl-user@nl-dom", "all") in {(a["Role"], a["User"], a["System"])
                                                  for a in system}
    cli.run("role", "remove", "--system", "all", "--user", user["id"], "reader")

    cli.run("group", "remove", "user", "--group-domain", "nl-dom", "--user-domain",
            "nl-dom", "nl-group", "nl-user")
    assert "nl-user not in group nl-group" in cli.run(
        "group", "contains", "user", "--group-domain", "nl-dom", "--user-domain", "nl-dom",
        "nl-group", "nl-user", check=False).stderr
    cli.run("group", "delete", "--domain", "nl-dom", "nl-group")

    # a disabled domain: its users cannot log in, and only then may it be deleted
    assert cli.run("domain", "delete", "nl-dom", check=False).returncode != 0
    cli.run("domain", "set", "--disable", "nl-dom")
    assert cli.json("domain", "show", "nl-dom")["enabled"] is False
    cli.run("domain", "delete", "nl-dom")
    assert cli.run("domain", "show", "nl-dom", check=False).returncode != 0


def _app_cred_env(cli: Cli, cloud: dict, cred_id: str, secret: str) -> dict[str, str]:
    env = {key: value for key, value in cli.env.items() if key != "OS_CLIENT_CONFIG_FILE"}
    env.update(OS_AUTH_TYPE="v3applicationcredential",
               OS_AUTH_URL=f"{cloud['identity']}/v3", OS_APPLICATION_CREDENTIAL_ID=cred_id,
               OS_APPLICATION_CREDENTIAL_SECRET=secret, OS_REGION_NAME="RegionOne",
               OS_IDENTITY_API_VERSION="3", OS_CLIENT_CONFIG_FILE=os.devnull)
    return env


def test_application_credentials_and_limits(cli, cloud):
    cred = cli.json("application", "credential", "create", "--role", "member",
                    "--description", "for scripts", "nl-cred", user="demo")
    assert cred["Name"] == "nl-cred" and cred["Secret"]
    assert [r["name"] for r in cred["Roles"]] == ["member"]
    assert [c["Name"] for c in cli.json("application", "credential", "list",
                                        user="demo")] == ["nl-cred"]
    shown = cli.json("application", "credential", "show", "nl-cred", user="demo")
    assert shown["Name"] == "nl-cred" and not shown.get("Secret")
    env = _app_cred_env(cli, cloud, cred["ID"], cred["Secret"])
    issued = subprocess.run([cli.binary, "token", "issue", "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert issued.returncode == 0, issued.stderr
    assert json.loads(issued.stdout)["project_id"] == cred["Project ID"]
    cli.run("application", "credential", "delete", "nl-cred", user="demo")
    refused = subprocess.run([cli.binary, "token", "issue"], env=env, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode != 0

    registered = cli.json("registered", "limit", "create", "--service", "compute",
                          "--default-limit", "10", "--region", "RegionOne",
                          "--description", "servers per project", "servers")
    assert registered["default_limit"] == 10
    assert "servers" in {r["Resource Name"] for r in cli.json("registered", "limit", "list")}
    cli.run("registered", "limit", "set", "--default-limit", "12", registered["id"])
    assert cli.json("registered", "limit", "show", registered["id"])["default_limit"] == 12
    limit = cli.json("limit", "create", "--project", "demo", "--service", "compute",
                     "--resource-limit", "3", "--region", "RegionOne", "servers")
    assert limit["resource_limit"] == 3
    listed = cli.json("limit", "list", "--project", "demo")
    assert [(entry["Resource Name"], entry["Resource Limit"]) for entry in listed] == [
        ("servers", 3)]
    cli.run("limit", "set", "--resource-limit", "4", limit["id"])
    assert cli.json("limit", "show", limit["id"])["resource_limit"] == 4
    # a registered limit with project limits under it cannot go
    assert cli.run("registered", "limit", "delete", registered["id"],
                   check=False).returncode != 0
    cli.run("limit", "delete", limit["id"])
    cli.run("registered", "limit", "delete", registered["id"])
    assert cli.json("limit", "list", "--project", "demo") in ([], None)


def test_routers_floating_ips_and_ipv6_subnets(cli):
    cli.json("network", "create", "--external", "nl-public")
    cli.json("subnet", "create", "--network", "nl-public", "--subnet-range",
             "203.0.113.0/24", "--no-dhcp", "nl-public-sub")
    cli.json("network", "create", "nl-private", user="demo")
    cli.json("subnet", "create", "--network", "nl-private", "--subnet-range", "10.71.0.0/24",
             "nl-private-sub", user="demo")
    v6 = cli.json("subnet", "create", "--network", "nl-private", "--ip-version", "6",
                  "--ipv6-ra-mode", "slaac", "--ipv6-address-mode", "slaac",
                  "--subnet-range", "2001:db8:71::/64", "nl-private-v6", user="demo")
    assert v6["ipv6_ra_mode"] == "slaac" and v6["gateway_ip"] == "2001:db8:71::1"

    router = cli.json("router", "create", "nl-router", user="demo")
    cli.run("router", "set", "--external-gateway", "nl-public", "nl-router", user="demo")
    cli.run("router", "add", "subnet", "nl-router", "nl-private-sub", user="demo")
    shown = cli.json("router", "show", "nl-router", user="demo")
    gateway = shown["external_gateway_info"]
    assert gateway["enable_snat"] is True
    assert gateway["external_fixed_ips"][0]["ip_address"].startswith("203.0.113.")
    assert [i["ip_address"] for i in shown["interfaces_info"]] == ["10.71.0.1"]
    assert router["id"] in {r["ID"] for r in cli.json("router", "list", user="demo")}

    port = cli.json("port", "create", "--network", "nl-private", "nl-port", user="demo")
    fixed = [ip["ip_address"] for ip in port["fixed_ips"] if "." in ip["ip_address"]][0]
    fip = cli.json("floating", "ip", "create", "nl-public", user="demo")
    address = fip["floating_ip_address"]
    assert address.startswith("203.0.113.") and fip["status"] == "DOWN"
    cli.run("floating", "ip", "set", "--port", "nl-port", address, user="demo")
    shown = cli.json("floating", "ip", "show", address, user="demo")
    assert shown["fixed_ip_address"] == fixed and shown["router_id"] == router["id"]
    listed = cli.json("floating", "ip", "list", "--port", "nl-port", user="demo")
    assert [f["Floating IP Address"] for f in listed] == [address]
    # the router's subnet cannot leave while a floating IP goes through it
    assert cli.run("router", "remove", "subnet", "nl-router", "nl-private-sub", user="demo",
                   check=False).returncode != 0
    cli.run("floating", "ip", "unset", "--port", address, user="demo")
    assert cli.json("floating", "ip", "show", address, user="demo")["port_id"] is None
    cli.run("floating", "ip", "delete", address, user="demo")
    assert cli.json("floating", "ip", "list", user="demo") in ([], None)

    cli.run("port", "delete", "nl-port", user="demo")
    cli.run("router", "remove", "subnet", "nl-router", "nl-private-sub", user="demo")
    cli.run("router", "unset", "--external-gateway", "nl-router", user="demo")
    assert cli.json("router", "show", "nl-router", user="demo")[
        "external_gateway_info"] in (None, {})
    cli.run("router", "delete", "nl-router", user="demo")
