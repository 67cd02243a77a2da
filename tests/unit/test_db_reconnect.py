"""novalite.db.reconnect: requests wait out a database restart, nothing else is retried."""

from __future__ import annotations

import oslo_messaging as messaging
import pytest
from sqlalchemy import exc

from novalite.conf import CONF
from novalite.db import reconnect


class Refused(Exception):
    def __str__(self) -> str:
        return 'connection failed: connection to server at "127.0.0.1" failed: ' \
               "Connection refused"


def refused() -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", {}, Refused())


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(reconnect.time, "sleep", lambda seconds: None)
    yield
    CONF.clear_override("reconnect_timeout", "database")


def test_disconnects_are_recognised():
    assert reconnect.is_disconnect(refused())
    assert not reconnect.is_disconnect(exc.IntegrityError("INSERT", {}, Exception("dup")))
    assert not reconnect.is_disconnect(ValueError("connection failed"))


def test_call_runs_again_until_the_database_answers():
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise refused()
        return "done"

    assert reconnect.call(flaky) == "done"
    assert len(attempts) == 3


def test_other_errors_are_not_retried():
    attempts = []

    def broken():
        attempts.append(1)
        raise exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    with pytest.raises(exc.IntegrityError):
        reconnect.call(broken)
    assert len(attempts) == 1


def test_gives_up_after_the_timeout():
    CONF.set_override("reconnect_timeout", 0, "database")
    with pytest.raises(exc.OperationalError):
        reconnect.call(lambda: (_ for _ in ()).throw(refused()))


def test_endpoint_keeps_its_target_and_wraps_public_methods():
    class Endpoint:
        target = messaging.Target(version="2.2")
        calls = 0

        def work(self, ctxt, value):
            Endpoint.calls += 1
            if Endpoint.calls == 1:
                raise refused()
            return value * 2

        def _private(self):
            return "private"

    wrapped = reconnect.RetryingEndpoint(Endpoint())
    assert wrapped.target.version == "2.2"
    assert wrapped.work(None, 21) == 42
    assert Endpoint.calls == 2
    assert wrapped._private() == "private"
    assert not hasattr(wrapped, "missing")
