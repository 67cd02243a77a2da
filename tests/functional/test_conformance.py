"""The fast part of ``make conformance`` inside the normal suite: compute test modules of
openstacksdk 4.22.0's and python-openstackclient 10.5.0's own functional suites (from their
PyPI sdists, tests/functional/conformance.py) against one fresh ``novalite up``, every test
of each passing. ``make conformance`` runs the whole compute, identity, image, network and
block-storage parts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.functional import conformance

# module → how many of its tests run (a module whose tests were all skipped would not
# count); SELECT: a pytest -k for modules of which only a part runs here (the rest needs
# what is not built yet: test_server's TestServerAdmin boots from a volume)
FAST = {
    "openstacksdk": {
        "openstack/tests/functional/compute/v2/test_extension.py": 1,
        "openstack/tests/functional/compute/v2/test_flavor.py": 3,
        "openstack/tests/functional/compute/v2/test_hypervisor.py": 1,
        "openstack/tests/functional/compute/v2/test_image.py": 2,
        "openstack/tests/functional/compute/v2/test_keypair.py": 2,
        "openstack/tests/functional/compute/v2/test_limits.py": 1,
        "openstack/tests/functional/compute/v2/test_quota_set.py": 1,
        "openstack/tests/functional/compute/v2/test_server.py": 3,
        "openstack/tests/functional/compute/v2/test_service.py": 1,
    },
    "python-openstackclient": {
        "openstackclient/tests/functional/compute/v2/test_hypervisor.py": 1,
        "openstackclient/tests/functional/compute/v2/test_server_group.py": 2,
        "openstackclient/tests/functional/compute/v2/test_aggregate.py": 2,
    },
}
SELECT = {"openstack/tests/functional/compute/v2/test_server.py": "not TestServerAdmin"}
PARAMS = [(suite, module) for suite, modules in FAST.items() for module in modules]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory) -> Iterator[conformance.Cloud]:
    started = conformance.Cloud(str(tmp_path_factory.mktemp("conformance")))
    started.start()
    yield started
    started.stop()


@pytest.mark.timeout(900)
@pytest.mark.parametrize(("suite", "module"), PARAMS, ids=[m.rsplit("/", 1)[1] + f"[{s}]"
                                                          for s, m in PARAMS])
def test_client_suite_module_passes(cloud, suite, module):
    top = conformance.fetch(conformance.SUITES[suite])
    result = conformance.run_module(cloud, top, module, timeout=60, test_timeout=300,
                                    selection=SELECT.get(module))
    assert result.failures == [], (result.failures, cloud.log_tail(80))
    assert (result.passed, result.skipped) == (FAST[suite][module], 0), result.summary()
