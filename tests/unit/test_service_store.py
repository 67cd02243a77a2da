"""Service rows: heartbeat bookkeeping and the up/down verdict."""

import datetime

from novalite.conf import CONF
from novalite.db import service_store
from novalite.db.base import utcnow


def test_report_creates_then_counts(db):
    service_store.report("h1", "novalite-conductor", "conductor")
    service_store.report("h1", "novalite-conductor", "conductor")
    [row] = service_store.list_services()
    assert (row["host"], row["binary"], row["report_count"]) == ("h1", "novalite-conductor", 2)
    assert row["state"] == "up"


def test_is_up_follows_service_down_time(db):
    now = utcnow()
    fresh = {"forced_down": False, "last_seen_up": now - datetime.timedelta(seconds=5)}
    stale = {"forced_down": False,
             "last_seen_up": now - datetime.timedelta(seconds=CONF.service_down_time + 1)}
    assert service_store.is_up(fresh, now)
    assert not service_store.is_up(stale, now)
    assert not service_store.is_up({**fresh, "forced_down": True}, now)


def test_disable_and_force_down(db):
    service_store.report("h1", "novalite-compute", "compute")
    [row] = service_store.list_services(binary="novalite-compute")
    changed = service_store.set_state(row["uuid"], disabled=True, disabled_reason="maint",
                                      forced_down=True)
    assert changed["disabled"] and changed["disabled_reason"] == "maint"
    assert changed["state"] == "down"
    service_store.delete(str(row["id"]))
    assert service_store.list_services() == []
