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
              "demo_password": secrets.token_urlsafe(18),
              "metadata_proxy_shared_secret": secrets.token_urlsafe(32)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def use_generated_secret(data_dir: str, values: dict[str, str], option: str, key: str,
                         nbytes: int = 32) -> None:
    """``[neutron] option`` from the data directory's secrets (``key``) unless the
    configuration sets it (data directories made before the secret existed get one)."""
    if getattr(CONF.neutron, option):
        return
    if key not in values:
        values[key] = secrets.token_urlsafe(nbytes)
        path = os.path.join(data_dir, "secrets.json")
        fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle)
        os.replace(path + ".new", path)
    CONF.set_default(option, values[key], group="neutron")


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
    image = sub.add_parser("image", help="guest images")
    image_sub = image.add_subparsers(dest="image_command", required=True)
    tiny = image_sub.add_parser("build-tiny", help="build the tiny guest from Debian packages")
    tiny.add_argument("--data-dir", default=os.environ.get("NOVALITE_DATA_DIR",
                                                           DEFAULT_DATA_DIR))
    tiny.add_argument("--upload", action="store_true",
                      help="upload it as image 'tiny' with the clouds.yaml of --data-dir")
    tiny.add_argument("--force", action="store_true", help="rebuild even when cached")
    console = sub.add_parser("console", help="server consoles")
    console_sub = console.add_subparsers(dest="console_command", required=True)
    connect = console_sub.add_parser(
        "connect", help="listen on a local port for a VNC viewer (tigervnc, gvncviewer ...) "
                        "and take it to SERVER's console through the XVP proxy")
    connect.add_argument("server", help="server name or id")
    connect.add_argument("--os-cloud", default=os.environ.get("OS_CLOUD", "novalite"),
                         help="clouds.yaml entry (default $OS_CLOUD or novalite)")
    connect.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                         help="where the viewer connects (default a free port on 127.0.0.1)")
    connect.add_argument("--once", action="store_true", help="exit after one session")
    return parser.parse_args(argv)


def tiny_dir(data_dir: str) -> str:
    return os.path.join(data_dir, "tiny")


def upload_tiny_image(data_dir: str, auth_url: str, password: str) -> dict[str, str]:
    """Build (or reuse) the tiny guest and upload it as the public image ``tiny``, and
    its bootable disk as ``tiny-disk`` (for boot from volume; skipped, with a warning,
    when its packages cannot be fetched)."""
    from novalite.guest import build_disk, build_tiny, debs, upload_tiny, upload_tiny_disk

    image = build_tiny(tiny_dir(data_dir))
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    response = requests.post(f"{auth_url}/auth/tokens", json=body, timeout=30)
    response.raise_for_status()
    catalog = response.json()["token"]["catalog"]
    image_url = next(endpoint["url"] for service in catalog if service["type"] == "image"
                     for endpoint in service["endpoints"] if endpoint["interface"] == "public")
    token = response.headers["X-Subject-Token"]
    ids = upload_tiny(image_url, token, image)
    try:
        disk = build_disk(image, tiny_dir(data_dir))
    except debs.PackageError as error:
        print(f"warning: no tiny-disk image ({error})", file=sys.stderr)
        return ids
    return {**ids, "disk_image_id": upload_tiny_disk(image_url, token, disk)}


def build_tiny_command(args: argparse.Namespace) -> int:
    from novalite.guest import build_tiny

    data_dir = os.path.abspath(os.path.expanduser(args.data_dir))
    image = build_tiny(tiny_dir(data_dir), force=args.force)
    print(f"tiny guest: kernel {image.kernel}, initramfs {image.initramfs} "
          f"({image.kernel_package})")
    if args.upload:
        with open(os.path.join(data_dir, "clouds.yaml")) as handle:
            auth = yaml.safe_load(handle)["clouds"]["novalite"]["auth"]
        ids = upload_tiny_image(data_dir, auth["auth_url"], auth["password"])
        print(f"uploaded: image 'tiny' {ids['image_id']}")
    return 0


def console_connect_command(args: argparse.Namespace) -> int:
    from novalite.console import connect

    host, _, port = args.listen.rpartition(":")
    try:
        url = connect.xvpvnc_url(args.server, args.os_cloud)
    except Exception as error:  # the SDK's errors say what went wrong; no traceback
        print(f"novalite console connect: {error}", file=sys.stderr)
        return 1
    listener = connect.LocalListener(url, host or "127.0.0.1", int(port or 0))
    address = f"{listener.address[0]}:{listener.address[1]}"
    print(f"novalite: console of {args.server} on {address} (a VNC viewer: "
          f"vncviewer {address})" + ("" if args.once else "; Ctrl-C to stop"), flush=True)
    try:
        listener.serve(once=args.once)
    except KeyboardInterrupt:
        pass
    except (OSError, connect.ProxyRefused) as error:
        print(f"novalite console connect: {error}", file=sys.stderr)
        return 1
    return 0


def up(args: argparse.Namespace) -> int:
    from novalite import services
    from novalite.bootstrap import bootstrap_cloud
    from novalite.cmd import required_secrets
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
    use_generated_secret(data_dir, passwords, "metadata_proxy_shared_secret",
                         "metadata_proxy_shared_secret")
    use_generated_secret(data_dir, passwords, "password", "nova_service_password", nbytes=18)
    if not CONF.nova.password:  # the volume service tells Nova as the same service user
        CONF.set_default("password", CONF.neutron.password, group="nova")
    for binary in required_secrets.CHECKS:  # a weak secret the configuration set
        required_secrets.require(binary)
    bootstrap_cloud(passwords["admin_password"], demo_password=passwords["demo_password"])
    progress(f"[4/{steps}] bootstrap: admin and demo users, roles, catalog")
    started: list[Runnable] = []
    try:
        for runnable in services.all_in_one():
            runnable.start()
            started.append(runnable)
        progress(f"[5/{steps}] started: {', '.join(r.name for r in started)}")
        wait_until_answering(services.probe_urls())
        auth_url = f"http://{CONF.public_host}:{CONF.identity.listen_port}/v3"
        if CONF.build_tiny_image:
            try:
                ids = upload_tiny_image(data_dir, auth_url, passwords["admin_password"])
                progress(f"        image 'tiny' ready ({ids['image_id']})")
            except Exception as error:  # the cloud works without it; say why
                progress(f"        warning: no tiny guest image: {error}")
        clouds = write_clouds_yaml(data_dir, passwords, auth_url)
        progress(f"[6/{steps}] every service answers; clouds.yaml written")
        print(f"\nnovalite is up. Use it with:\n\n"
              f"    export OS_CLIENT_CONFIG_FILE={clouds}\n"
              f"    openstack --os-cloud novalite token issue\n\n"
              f"or in a browser: http://{CONF.public_host}:{CONF.dashboard.listen_port}/ "
              f"(sign in as demo with the demo password in {data_dir}/secrets.json)\n\n"
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
    if args.command == "image" and args.image_command == "build-tiny":
        return build_tiny_command(args)
    if args.command == "console" and args.console_command == "connect":
        return console_connect_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
