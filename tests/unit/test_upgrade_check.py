"""``novalite-manage upgrade check``: what it says of the services and of the RPC caps."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from novalite.cmd import upgrade_check
from novalite.db import service_store
from novalite.objects.service import SERVICE_VERSION


@pytest.fixture
def old_compute(db) -> None:
    """A compute service of the previous release next to one of this release."""
    service_store.report("old", "novalite-compute", "compute", version=SERVICE_VERSION - 1)
    service_store.report("new", "novalite-compute", "compute", version=SERVICE_VERSION)


@pytest.fixture
def compute_level(conf) -> Iterator[Callable[[str | None], None]]:
    """Sets ``[upgrade_levels] compute`` for the test."""
    yield lambda value: conf.set_override("compute", value, "upgrade_levels")
    conf.clear_override("compute", "upgrade_levels")


def test_an_older_compute_is_a_warning(old_compute, compute_level):
    compute_level("auto")
    result = upgrade_check.check_service_versions()
    assert result.code == upgrade_check.WARNING
    assert "novalite-compute on old" in result.details
    assert "novalite-compute on new" not in result.details
    assert upgrade_check.check_upgrade_levels().code == upgrade_check.SUCCESS


@pytest.mark.parametrize("value", [None, "", "2.0"])
def test_older_computes_need_compute_auto_or_their_version(old_compute, compute_level, value):
    """Unset (or above what they speak), the control plane sends them 2.0."""
    compute_level(value)
    result = upgrade_check.check_upgrade_levels()
    assert result.code == upgrade_check.FAILURE, result
    assert "release 0.1.0" in result.details
    assert "compute = auto" in result.details


def test_a_pin_they_speak_is_only_a_warning(old_compute, compute_level):
    compute_level("1.1")
    result = upgrade_check.check_upgrade_levels()
    assert result.code == upgrade_check.WARNING
    assert "compute = 1.1" in result.details


def test_unset_is_fine_once_every_compute_is_upgraded(db):
    service_store.report("new", "novalite-compute", "compute", version=SERVICE_VERSION)
    assert upgrade_check.check_upgrade_levels().code == upgrade_check.SUCCESS
    assert upgrade_check.check_service_versions().code == upgrade_check.SUCCESS
