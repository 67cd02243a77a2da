"""novalite up: the whole cloud in one process, with embedded defaults.

SQLite in the data directory, the in-process message bus, every service started in
this process; the first start bootstraps the admin and demo users, the roles and
the catalog. Once every API answers, ``DATA_DIR/clouds.yaml`` is written and the
process runs until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time

import requests
import yaml

from novalite.cmd.common import add_config_arguments, load_config, setup_logging
from novalite.common.service import Runnable, wait_for_signal
from novalite.conf import CONF

DEFAULT_DATA_DIR = "~/.local/share/novalite"


def progress(message: str) -> None:
    print(f"novalite: {message}", flush=True)


def load_secrets(data_dir: str) -> dict[str, str]:
    """The admin and demo passwords, made on first start and kept (mode 0600)."""
    path = os.path.join(data_dir, "secrets.json")
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    values = {"admin_password": secrets.token_urlsafe(18),
              "demo_password": secrets.token_urlsafe(18)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def write_clouds_yaml(data_dir: str, passwords: dict[str, str], auth_url: str) -> str:
    def cloud(user: str, project: str, password: str) -> dict[str, object]:
        return {"auth": {"auth_url": auth_url, "username": user, "password": password,
                         "project_name": project, "user_domain_name": "Default",
                         "project_domain_name": "Default"},
                "region_name": CONF.identity.region, "interface": "public",
                "identity_api_version": 3}

    clouds = {"clouds": {
        "novalite": cloud("admin", "admin", passwords["admin_password"]),
        "novalite-demo": cloud("demo", "demo", passwords["demo_password"]),
    }}
    path = os.path.join(data_dir, "clouds.yaml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(clouds, handle, default_flow_style=False)
    return path


def wait_until_answering(urls: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                if requests.get(url, timeout=2).status_code < 500:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"novalite: {url} did not answer within {timeout:.0f} s")
            time.sleep(0.05)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="novalite", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the whole cloud in one process")
    up.add_argument("--data-dir", default=os.environ.get("NOVALITE_DATA_DIR", DEFAULT_DATA_DIR),
                    help=f"where state is kept (default {DEFAULT_DATA_DIR})")
    add_config_arguments(up)
    return parser.parse_args(argv)


def up(args: argparse.Namespace) -> int:
    from novalite import services
    from novalite.bootstrap import bootstrap_cloud
    from novalite.db import migration
    from novalite.identity import fernet

    data_dir = os.path.abspath(os.path.expanduser(args.data_dir))
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    local_conf = os.path.join(data_dir, "novalite.conf")
    config_files = ([local_conf] if os.path.exists(local_conf) else []) + args.config_file
    load_config(config_files, defaults={
        "state_path": data_dir,
        "transport_url": "kombu+memory:////",
    })
    setup_logging(args.debug)
    steps = 6
    progress(f"[1/{steps}] configuration: data directory {data_dir}"
             + (f", config {', '.join(config_files)}" if config_files else ""))
    migration.db_sync()
    progress(f"[2/{steps}] database ready ({', '.join(migration.db_versions())})")
    fernet.setup_keys()
    progress(f"[3/{steps}] Fernet keys in {CONF.fernet_tokens.key_repository}")
    passwords = load_secrets(data_dir)
    bootstrap_cloud(passwords["admin_password"], demo_password=passwords["demo_password"])
    progress(f"[4/{steps}] bootstrap: admin and demo users, roles, catalog")
    started: list[Runnable] = []
    try:
        for runnable in services.all_in_one():
            runnable.start()
            started.append(runnable)
        progress(f"[5/{steps}] started: {', '.join(r.name for r in started)}")
        wait_until_answering([f"http://127.0.0.1:{api.port()}{api.probe_path}"
                              for api in services.HTTP_APIS])
        auth_url = f"http://{CONF.public_host}:{CONF.identity.listen_port}/v3"
        clouds = write_clouds_yaml(data_dir, passwords, auth_url)
        progress(f"[6/{steps}] every service answers; clouds.yaml written")
        print(f"\nnovalite is up. Use it with:\n\n"
              f"    export OS_CLIENT_CONFIG_FILE={clouds}\n"
              f"    openstack --os-cloud novalite token issue\n\n"
              f"(cloud 'novalite' is the admin, 'novalite-demo' the demo user)."
              f" Stop with Ctrl-C.", flush=True)
        signum = wait_for_signal()
        progress(f"signal {signum}: stopping")
    finally:
        for runnable in reversed(started):
            runnable.stop()
        from novalite.common import rpc

        rpc.cleanup()
    progress("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "up":
        return up(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
