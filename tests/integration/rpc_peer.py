"""A separate process that serves a small RPC API, for the cross-process RPC tests.

usage: rpc_peer.py TRANSPORT_URL TOPIC HOST VERSION RECORD_FILE [DB_URL REPORT_INTERVAL]

Serves ``echo`` (version 1.0; 1.1 adds ``shout``), ``record`` (appends to RECORD_FILE,
for casts and fanouts) and ``slow_echo``. With a DB_URL it heartbeats into the
services table. Prints "ready" once it takes requests; exits 0 after SIGTERM once
the requests in flight are answered.
"""

from __future__ import annotations

import sys
import time

import oslo_messaging as messaging

from novalite.common.manager import Manager
from novalite.common.service import Service, run_services
from novalite.conf import CONF


class NullReporter:
    def report(self, host: str, binary: str, topic: str | None) -> None:
        pass


def make_manager(version: str, record_file: str) -> Manager:
    class PeerManager(Manager):
        target = messaging.Target(version=version)

        def echo(self, ctxt, payload, shout=None):  # type: ignore[no-untyped-def]
            if shout is not None and version == "1.0":
                raise AssertionError("a 1.0 endpoint never receives shout")
            text = payload.upper() if shout else payload
            return {"payload": text, "host": self.host, "user_id": ctxt.user_id,
                    "request_id": ctxt.request_id}

        def slow_echo(self, ctxt, payload, seconds):  # type: ignore[no-untyped-def]
            self.record(ctxt, "slow-started")
            time.sleep(seconds)
            return {"payload": payload, "host": self.host}

        def record(self, ctxt, value):  # type: ignore[no-untyped-def]
            with open(record_file, "a") as handle:
                handle.write(f"{self.host}:{value}\n")

    return PeerManager(CONF.host, "rpc-peer")


def main() -> None:
    transport_url, topic, host, version, record_file = sys.argv[1:6]
    CONF([], project="novalite", default_config_files=[])
    CONF.set_override("transport_url", transport_url)
    CONF.set_override("host", host)
    reporter: object = NullReporter()
    report_interval = None
    if len(sys.argv) > 6:
        from novalite.db.service_store import DBReporter

        CONF.set_override("connection", sys.argv[6], "database")
        reporter = DBReporter()
        report_interval = float(sys.argv[7])
    service = Service("novalite-rpc-peer", topic, make_manager(version, record_file),
                      reporter, host=host, report_interval=report_interval)  # type: ignore[arg-type]

    class Ready:
        name = "ready"

        def start(self) -> None:
            print("ready", flush=True)

        def stop(self) -> None:
            pass

    run_services([service, Ready()])


if __name__ == "__main__":
    main()
