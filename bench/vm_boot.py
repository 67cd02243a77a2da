"""Seconds from the libvirt driver's spawn call to ``login:`` on the serial console.

Boots the tiny guest (built with ``novalite.guest.builder``) three times through
``LibvirtDriver.spawn`` against the real libvirtd, with the images served by a
local imitation of the image service, and prints JSON (median of 3). Needs
``tools/setup-libvirt``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))

from novalite.common.context import RequestContext  # noqa: E402
from novalite.conf import CONF  # noqa: E402
from novalite.guest.builder import build_tiny  # noqa: E402
from novalite.virt.libvirt.driver import LibvirtDriver  # noqa: E402


def main() -> None:
    import test_libvirt_driver as helpers  # the image service imitation

    CONF([], project="novalite", default_config_files=[])
    runs = int(os.environ.get("RUNS", "3"))
    tiny = build_tiny(os.environ.get("NOVALITE_TINY_DIR", helpers.TINY_DIR))
    with tempfile.TemporaryDirectory(prefix="novalite-bench-") as state:
        CONF.set_override("state_path", state)
        server = helpers.ImageServer()
        driver = LibvirtDriver(CONF.host)
        driver.init_host(CONF.host)
        context = RequestContext(auth_token="bench", service_catalog=[
            {"type": "image", "endpoints": [{"interface": "public", "url": server.url}]}])
        image_id, meta = helpers.upload_tiny(server, tiny)
        spawn_s, login_s = [], []
        try:
            for _ in range(runs):
                instance = helpers.make_instance(image_ref=image_id)
                started = time.monotonic()
                driver.spawn(context, instance, meta, [], None)
                spawn_s.append(time.monotonic() - started)
                helpers.wait_for(lambda i=instance: helpers.count_logins(driver, i) >= 1,
                                 timeout=120, what="login:")
                login_s.append(time.monotonic() - started)
                driver.destroy(context, instance, [])
        finally:
            server.close()
    print(json.dumps({"benchmark": "vm_boot", "driver": "libvirt",
                      "virt_type": driver.virt_type, "runs": runs,
                      "spawn_call_s_median": round(statistics.median(spawn_s), 3),
                      "spawn_to_login_s_median": round(statistics.median(login_s), 3),
                      "spawn_to_login_s": [round(x, 3) for x in login_s]}, indent=2))


if __name__ == "__main__":
    main()
