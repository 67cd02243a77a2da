"""``novalite-manage upgrade check`` over the services table, as nova-status does it."""

from __future__ import annotations

import pytest

from novalite.cmd import manage, upgrade_check
from novalite.db import service_store
from novalite.objects.service import SERVICE_VERSION

pytestmark = pytest.mark.db


def _run() -> tuple[int, str]:
    lines: list[str] = []
    return upgrade_check.run(lines.append), "\n".join(lines)


@pytest.fixture
def secrets(conf):
    """The compute service's shared secrets (it refuses to start without them)."""
    conf.set_override("metadata_proxy_shared_secret", "a-long-metadata-secret", "neutron")
    conf.set_override("password", "a-long-service-password", "neutron")
    yield
    conf.clear_override("metadata_proxy_shared_secret", "neutron")
    conf.clear_override("password", "neutron")


def test_all_services_at_this_release_pass(db, secrets):
    service_store.report("ctl", "novalite-conductor", "conductor", version=SERVICE_VERSION)
    service_store.report("cmp", "novalite-compute", "compute", version=SERVICE_VERSION)
    code, text = _run()
    assert code == upgrade_check.SUCCESS, text
    assert "Result: Success" in text and "Failure" not in text


def test_a_compute_of_the_previous_release_is_a_warning_naming_it(db, secrets):
    service_store.report("ctl", "novalite-conductor", "conductor", version=SERVICE_VERSION)
    service_store.report("old-cmp", "novalite-compute", "compute", version=SERVICE_VERSION - 1)
    code, text = _run()
    assert code == upgrade_check.WARNING, text
    assert "novalite-compute on old-cmp" in text and "0.1.0" in text


def test_a_database_without_the_schema_fails(conf, tmp_path):
    from novalite.db import api as db_api

    conf.set_override("connection", f"sqlite:///{tmp_path}/empty.db", "database")
    db_api.dispose()
    try:
        code, text = _run()
    finally:
        db_api.dispose()
        conf.clear_override("connection", "database")
    assert code == upgrade_check.FAILURE
    assert "novalite-manage db sync" in text


def test_a_pinned_compute_level_is_a_warning(db, conf):
    conf.set_override("compute", "1.1", "upgrade_levels")
    try:
        code, text = _run()
    finally:
        conf.clear_override("compute", "upgrade_levels")
    assert code == upgrade_check.WARNING
    assert "compute = 1.1" in text


def test_the_command_exits_with_the_worst_result(db, capsys):
    service_store.report("old-cmp", "novalite-compute", "compute", version=SERVICE_VERSION - 1)
    assert manage.build_parser().parse_args(["upgrade", "check"]).func is not None
    assert manage._upgrade_check(None) == upgrade_check.WARNING
    assert "Upgrade Check Results" in capsys.readouterr().out


def test_a_missing_secret_is_a_warning_naming_the_option(db):
    service_store.report("cmp", "novalite-compute", "compute", version=SERVICE_VERSION)
    code, text = _run()
    assert code == upgrade_check.WARNING, text
    assert "novalite-compute: [neutron] metadata_proxy_shared_secret is empty" in text
