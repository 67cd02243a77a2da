"""Identity throughput: tokens issued and validated per second; prints one JSON object.

Runs identity on 127.0.0.1 (ephemeral port) over a scratch SQLite database, or the
database in ``NOVALITE_BENCH_DB`` (an SQLAlchemy URL). Each measurement runs for
``--seconds`` (default 3):

* ``issue_password_per_s``: ``POST /v3/auth/tokens`` with a password over HTTP
  (dominated by the argon2id cost in ``[identity]``);
* ``issue_token_method_per_s``: the same with the token method (no hashing);
* ``validate_http_per_s``: ``GET /v3/auth/tokens`` over HTTP;
* ``validate_local_per_s``: ``LocalValidator.validate`` in process, as every API
  runs it on each request.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable

import requests

from novalite.common import wsgi
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db import migration
from novalite.identity import bootstrap
from novalite.identity.api import make_app
from novalite.identity.validation import LocalValidator


def _rate(seconds: float, call: Callable[[], None]) -> float:
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        call()
        count += 1
    return round(count / (time.perf_counter() - started), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    CONF([], project="novalite", default_config_files=[])
    state = tempfile.mkdtemp(prefix="novalite-bench-")
    CONF.set_override("state_path", state)
    if os.environ.get("NOVALITE_BENCH_DB"):
        CONF.set_override("connection", os.environ["NOVALITE_BENCH_DB"], "database")
    migration.db_sync()
    bootstrap.bootstrap("bench-admin")
    server = wsgi.Server("identity", make_app(), "127.0.0.1", 0, threads=4)
    server.start()
    session = requests.Session()
    url = f"{server.url}/v3/auth/tokens"
    password_body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": "bench-admin"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    try:
        first = session.post(url, json=password_body, timeout=30)
        first.raise_for_status()
        token = first.headers["X-Subject-Token"]
        token_body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}},
                               "scope": password_body["auth"]["scope"]}}

        def issue_password() -> None:
            session.post(url, json=password_body, timeout=30).raise_for_status()

        def issue_token() -> None:
            session.post(url, json=token_body, timeout=30).raise_for_status()

        headers = {"X-Auth-Token": token, "X-Subject-Token": token}

        def validate_http() -> None:
            session.get(url, headers=headers, timeout=30).raise_for_status()

        validator = LocalValidator()
        assert "admin" in validator.validate(token).roles

        def validate_local() -> None:
            validator.validate(token)

        result = {
            "benchmark": "identity",
            "database": db_api.get_engine().dialect.name,
            "seconds_each": args.seconds,
            "argon2_memory_kib": CONF.identity.password_hash_memory_kib,
            "issue_password_per_s": _rate(args.seconds, issue_password),
            "issue_token_method_per_s": _rate(args.seconds, issue_token),
            "validate_http_per_s": _rate(args.seconds, validate_http),
            "validate_local_per_s": _rate(args.seconds, validate_local),
        }
    finally:
        server.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
