"""The unmodified clients against the in-process cloud: openstacksdk connections and the
``openstack`` CLI with a clouds.yaml of the admin and demo users."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openstack

from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD

USERS = {"admin": ADMIN_PASSWORD, "demo": DEMO_PASSWORD}


def connect(cloud: dict[str, Any], user: str = "admin") -> openstack.connection.Connection:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": user,
            "password": USERS[user], "project_name": user, "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


class Cli:
    """``openstack --os-cloud <user> ...`` as a subprocess."""

    def __init__(self, cloud: dict[str, Any], directory: Path) -> None:
        entries = {user: {
            "auth": {"auth_url": f"{cloud['identity']}/v3", "username": user,
                     "password": password, "project_name": user,
                     "user_domain_name": "Default", "project_domain_name": "Default"},
            "region_name": "RegionOne", "identity_api_version": 3}
            for user, password in USERS.items()}
        clouds = directory / "clouds.yaml"
        clouds.write_text(json.dumps({"clouds": entries}))
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith("OS_")}
        self.env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
        self.binary = os.path.join(os.path.dirname(sys.executable), "openstack")

    def run(self, *args: str, user: str = "admin", check: bool = True
            ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([self.binary, "--os-cloud", user, *args], env=self.env,
                                capture_output=True, text=True, timeout=180, check=False)
        if check:
            assert result.returncode == 0, (args, result.stderr)
        return result

    def json(self, *args: str, user: str = "admin") -> Any:
        output = self.run(*args, "-f", "json", user=user).stdout
        return json.loads(output) if output.strip() else None
