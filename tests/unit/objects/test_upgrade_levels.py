"""[upgrade_levels]: the cap and the object manifest a client sends with."""

from __future__ import annotations

import pytest

from novalite.compute.rpcapi import ComputeAPI, _legacy
from novalite.objects import Instance, RequestSpec, Selection, upgrade


@pytest.fixture
def auto(conf):
    conf.set_override("compute", "auto", "upgrade_levels")
    yield
    conf.clear_override("compute", "upgrade_levels")


def test_auto_follows_the_oldest_compute(auto, monkeypatch):
    oldest = {"novalite-compute": 0}
    api = ComputeAPI(minimum_version=lambda binary: oldest[binary])
    assert api.current_cap() == "1.1"
    assert not api.sends_objects()
    assert not api.can_send_version("2.0")
    oldest["novalite-compute"] = 1
    assert api.current_cap() == "1.1"  # read again only after AUTO_REFRESH_SECONDS
    monkeypatch.setattr(upgrade, "AUTO_REFRESH_SECONDS", 0.0)
    assert api.current_cap() == "2.4"
    assert api.sends_objects()
    assert api.manifest() == api.level().objects
    assert api.can_send_version("2.0")


def test_an_explicit_cap_picks_that_release(conf):
    conf.set_override("compute", "1.1", "upgrade_levels")
    try:
        api = ComputeAPI()
        assert api.level().release == "0.1.0"
        assert api.current_cap() == "1.1"
    finally:
        conf.clear_override("compute", "upgrade_levels")


def test_auto_without_the_services_table_sends_the_newest(auto):
    assert ComputeAPI().current_cap() == "2.4"


def test_legacy_messages_carry_release_0_1_0_dicts():
    instance = Instance(uuid="u", host="h", vm_state="building")
    converted = _legacy([instance, RequestSpec(), Selection(service_host="h"), 3])
    assert converted[0]["uuid"] == "u" and converted[0]["status"] == "BUILD"
    assert converted[1]["flavor"]["vcpus"] == 0
    assert converted[2]["service_host"] == "h"
    assert converted[3] == 3


def test_consoles_need_compute_rpc_2_1(conf):
    """A cloud capped at compute 2.0 (or following a 0.1.0 compute) answers a console
    request with a 409 that says why, and sends nothing."""
    from novalite.common import exception
    from novalite.objects import service

    assert service.level_for_rpc("compute_rpc", "2.1").release == "0.2.0"
    conf.set_override("compute", "2.0", "upgrade_levels")
    try:
        api = ComputeAPI()
        assert api.level().release == "0.2.0"  # 2.0 is inside 0.2.0's major version
        with pytest.raises(exception.Conflict) as raised:
            api.get_console(None, Instance(uuid="u", host="h"), "novnc")
        assert raised.value.code == 409 and "needs compute RPC 2.1" in raised.value.message
        with pytest.raises(exception.Conflict):
            api.validate_console_port(None, Instance(uuid="u", host="h"), 5900, "novnc")
    finally:
        conf.clear_override("compute", "upgrade_levels")
