"""The dashboard's pure parts: sessions (bounds, expiry, CSRF), the launch body built from
the form, which field an API message is about, routes, the usage chart."""

from __future__ import annotations

import time

from novalite.dashboard import pages_admin, pages_instances, pages_launch
from novalite.dashboard.app import Route
from novalite.dashboard.sessions import SessionStore, token_expiry

BODY = {"user": {"name": "demo"}, "project": {"id": "p1", "name": "demo"},
        "expires_at": "2999-01-01T00:00:00.000000Z"}


def test_sessions_are_bounded_and_drop_the_oldest():
    store = SessionStore(timeout=3600, limit=2)
    first, dropped = store.create("t1", BODY)
    assert dropped == [] and first.token == "t1" and first.user_name == "demo"
    store.create("t2", BODY)
    _, dropped = store.create("t3", BODY)
    assert [s.login_token for s in dropped] == ["t1"]  # the caller revokes its token
    assert store.get(first.id) is None and len(store) == 2


def test_a_session_never_outlives_its_token_or_the_timeout():
    store = SessionStore(timeout=3600, limit=10)
    soon = dict(BODY, expires_at="2000-01-01T00:00:00Z")  # an expired token
    session, _ = store.create("t", soon)
    assert store.get(session.id) is None
    session, _ = store.create("t", BODY)
    assert session.expires <= time.time() + 3600
    assert store.get("x" * 101) is None and store.get(None) is None
    assert token_expiry({}) > time.time()


def test_csrf_is_compared_in_constant_time_and_needs_a_value():
    session, _ = SessionStore(3600, 10).create("t", BODY)
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(None) and not session.csrf_ok("") and not session.csrf_ok("x")


def test_an_unscoped_sign_in_has_no_api_token_yet():
    session, _ = SessionStore(3600, 10).create("t", {"user": {"name": "u"}})
    assert session.token is None and session.project == {}


def test_flashes_are_bounded_and_taken_once():
    session, _ = SessionStore(3600, 10).create("t", BODY)
    for i in range(8):
        session.flash("info", f"m{i}" + "x" * 1000)
    taken = session.take_flashes()
    assert len(taken) == 5 and all(len(text) == 500 for _, text in taken)
    assert session.take_flashes() == []


def values(**overrides):
    base = {"name": "vm", "image": "img", "flavor": "1", "network": "auto", "key_name": "",
            "security_groups": [], "user_data": "", "count": "1",
            "boot_volume_size": "", "boot_from_volume": False}
    return {**base, **overrides}


def test_the_launch_body_is_what_was_entered():
    assert pages_launch.server_body(values()) == {"server": {
        "name": "vm", "flavorRef": "1", "networks": "auto", "imageRef": "img"}}
    body = pages_launch.server_body(values(
        network="net-1", key_name="k", security_groups=["default", "web"],
        user_data="#!/bin/sh\n", count="3"))["server"]
    assert body["networks"] == [{"uuid": "net-1"}] and body["key_name"] == "k"
    assert body["security_groups"] == [{"name": "default"}, {"name": "web"}]
    assert body["user_data"] == "IyEvYmluL3NoCg==" and body["min_count"] == body[
        "max_count"] == 3
    port = pages_launch.server_body(values(network="port:p-1"))["server"]
    assert port["networks"] == [{"port": "p-1"}]
    # what is not a number goes to the API as typed, for the API to refuse
    assert pages_launch.server_body(values(count="many"))["server"]["min_count"] == "many"
    volume = pages_launch.server_body(values(boot_from_volume=True,
                                             boot_volume_size="2"))["server"]
    assert volume["imageRef"] == "" and volume["block_device_mapping_v2"] == [{
        "boot_index": 0, "uuid": "img", "source_type": "image",
        "destination_type": "volume", "delete_on_termination": True, "volume_size": 2}]


def test_an_api_message_goes_next_to_its_field():
    assert pages_launch.field_of("Invalid input for field/attribute name. Value: x. "
                                 "'x' is too long") == "name"
    assert pages_launch.field_of("Flavor 99 could not be found.") == "flavor"
    assert pages_launch.field_of("Image abc could not be found.") == "image"
    assert pages_launch.field_of("Invalid key_name provided.") == "key_name"
    assert pages_launch.field_of("Invalid input for field/attribute min_count. Value: 0."
                                 " 0 is less than the minimum of 1") == "count"
    assert pages_launch.field_of("Network n could not be found.") == "network"
    assert pages_launch.field_of("Quota exceeded for instances") == "form"


def test_routes_match_whole_paths_and_literal_dots():
    route = Route("GET", "/instances/{server_id}.json", lambda ui: None)
    assert route.pattern.match("/instances/abc.json").groupdict() == {"server_id": "abc"}
    assert route.pattern.match("/instances/abcxjson") is None
    assert route.pattern.match("/instances/a/b.json") is None


def test_usable_actions_follow_the_status_and_the_task():
    active = {"status": "ACTIVE", "OS-EXT-STS:task_state": None}
    assert pages_instances.usable("stop", active) and not pages_instances.usable(
        "start", active)
    busy = {"status": "ACTIVE", "OS-EXT-STS:task_state": "rebooting"}
    assert not pages_instances.usable("stop", busy)
    assert pages_instances.usable("delete", busy) and pages_instances.usable(
        "reboot_hard", busy)
    assert pages_instances.power_state({"OS-EXT-STS:power_state": 4}) == "Shut down"


def test_the_usage_chart_scales_to_the_highest_day():
    series = [{"day": "d1", "vcpu_hours": 0.0}, {"day": "d2", "vcpu_hours": 12.0},
              {"day": "d3", "vcpu_hours": 6.0}]
    chart = pages_admin.chart(series, "vcpu_hours", width=300, height=120)
    heights = [bar["h"] for bar in chart["bars"]]
    assert heights == [0.0, 100.0, 50.0] and chart["top"] == "12"
    assert chart["bars"][1]["label"] == "d2: 12"
    # a few minutes of use still reads as a number, not 0.0
    assert pages_admin.chart([{"day": "d", "vcpu_hours": 0.0123}], "vcpu_hours")[
        "top"] == "0.0123"
