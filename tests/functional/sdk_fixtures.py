"""Fixtures and helpers the compute API's resource tests share on the in-process ``cloud``:
openstacksdk connections (admin, demo, a reader of demo), a tiny public image, raw calls
at a microversion, and the unmodified ``openstack`` CLI.

A module uses the fixtures by naming them (``admin = sdk_fixtures.admin``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
import requests

from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD
from tests.functional.test_cloud_sdk import connect


@pytest.fixture
def admin(cloud):
    return connect(cloud, "admin", ADMIN_PASSWORD, "admin")


@pytest.fixture
def demo(cloud):
    return connect(cloud, "demo", DEMO_PASSWORD, "demo")


@pytest.fixture
def reader(cloud, admin):
    """A user with only the reader role on the demo project."""
    project = admin.identity.find_project("demo")
    user = admin.identity.create_user(name="demo-reader", password="reader-pass",
                                      default_project_id=project.id)
    admin.identity.assign_project_role_to_user(project, user,
                                               admin.identity.find_role("reader"))
    return connect(cloud, "demo-reader", "reader-pass", "demo")


@pytest.fixture
def image(admin, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 4096)
    return admin.image.create_image(name="tiny-test", filename=str(path), disk_format="raw",
                                    container_format="bare", visibility="public")


def api(cloud: dict[str, Any], conn: Any, method: str, path: str, version: str | None = None,
        **kwargs: Any) -> requests.Response:
    """One call of the Compute API with ``conn``'s token, at ``version`` if given."""
    headers = {"X-Auth-Token": conn.auth_token}
    if version:
        headers["OpenStack-API-Version"] = f"compute {version}"
    return requests.request(method, f"{cloud['compute']}{path}", headers=headers,
                            timeout=30, **kwargs)


@pytest.fixture
def cli(cloud, tmp_path):
    """``cli("admin", "aggregate", "list")``: the openstack CLI as admin or demo; JSON
    output is decoded."""
    def entry(user: str, password: str) -> dict[str, Any]:
        return {"auth": {"auth_url": f"{cloud['identity']}/v3", "username": user,
                         "password": password, "project_name": user,
                         "user_domain_name": "Default", "project_domain_name": "Default"},
                "region_name": "RegionOne", "identity_api_version": 3}

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"admin": entry("admin", ADMIN_PASSWORD),
                                             "demo": entry("demo", DEMO_PASSWORD)}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    binary = os.path.join(os.path.dirname(sys.executable), "openstack")

    def run(who: str, *args: str, check: bool = True) -> Any:
        result = subprocess.run([binary, "--os-cloud", who, *args], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        if check:
            assert result.returncode == 0, result.stderr
        elif result.returncode:
            return result
        if "-f" in args and "json" in args:
            return json.loads(result.stdout) if result.stdout.strip() else None
        return result.stdout

    return run
