"""Browser fixtures: headless Chromium (Debian's ``chromium``, driven by Playwright for
Python through ``executable_path``; no browser is downloaded), and the in-process
cloud on libvirt + QEMU with the console proxies, booting the tiny guest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# the in-process cloud and its console proxies, and the admin who cleans up servers
from tests.functional.conftest import ADMIN_PASSWORD, cloud, identity, proxies  # noqa: F401
from tests.guests import use_libvirt
from tests.integration.conftest import admin  # noqa: F401

CHROMIUM = os.environ.get("NOVALITE_CHROMIUM", "/usr/bin/chromium")
TINY_CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                            os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def libvirt_conf(conf):  # the name tools/run-tests' markers know for real guests
    use_libvirt(conf)
    conf.set_override("reboot_timeout", 60)
    yield conf


@pytest.fixture
def tiny_image(libvirt_conf, cloud, admin) -> str:  # noqa: F811 - fixtures imported above
    from novalite.guest import build_tiny, upload_tiny

    return str(upload_tiny(cloud["image"], admin.auth_token, build_tiny(TINY_CACHE))["image_id"])


@pytest.fixture
def cli(cloud, tmp_path) -> Callable[..., Any]:  # noqa: F811
    """The ``openstack`` CLI as the admin of the in-process cloud (JSON output)."""
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"novalite": {
        "auth": {"auth_url": f"{cloud['identity']}/v3", "username": "admin",
                 "password": ADMIN_PASSWORD, "project_name": "admin",
                 "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": "RegionOne", "identity_api_version": 3}}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    binary = os.path.join(os.path.dirname(sys.executable), "openstack")

    def run(*args: str) -> Any:
        result = subprocess.run([binary, "--os-cloud", "novalite", *args, "-f", "json"],
                                env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run
