"""novalite-manage: database sync, config sample, Fernet keys, shared secrets, bootstrap,
service list, upgrade check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from novalite.cmd.common import add_config_arguments, load_config, setup_logging
from novalite.conf import CONF


def _db_sync(args: argparse.Namespace) -> int:
    from novalite.db import migration

    migration.db_sync()
    print("database at", ", ".join(migration.db_versions()))
    return 0


def _db_version(args: argparse.Namespace) -> int:
    from novalite.db import migration

    print(", ".join(migration.db_versions()) or "empty")
    return 0


def _config_sample(args: argparse.Namespace) -> int:
    from novalite.conf import sample

    text = sample.render()
    if args.output_file:
        with open(args.output_file, "w") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _fernet_setup(args: argparse.Namespace) -> int:
    from novalite.identity import fernet

    fernet.setup_keys()
    print("Fernet keys in", CONF.fernet_tokens.key_repository)
    return 0


def _fernet_rotate(args: argparse.Namespace) -> int:
    from novalite.identity import fernet

    fernet.rotate_keys()
    print("Fernet keys rotated in", CONF.fernet_tokens.key_repository)
    return 0


def _secrets_generate(args: argparse.Namespace) -> int:
    from novalite.cmd import required_secrets

    text = required_secrets.render(required_secrets.generate())
    if args.output_file:
        try:
            required_secrets.write(args.output_file, text)
        except FileExistsError:
            print(f"{args.output_file} exists; not replacing its secrets", file=sys.stderr)
            return 1
        print("secrets written to", args.output_file)
    else:
        sys.stdout.write(text)
    return 0


def _secrets_check(args: argparse.Namespace) -> int:
    from novalite.cmd import required_secrets

    binaries = args.binary or sorted(required_secrets.CHECKS)
    worst = 0
    for binary in binaries:
        found = required_secrets.problems(binary)
        print(f"{binary}: {'ok' if not found else 'refuses to start'}")
        for problem in found:
            print(f"  {problem}")
        worst = worst or (1 if found else 0)
    return worst


def _bootstrap(args: argparse.Namespace) -> int:
    from novalite.bootstrap import bootstrap_cloud

    bootstrap_cloud(args.bootstrap_password, demo_password=args.demo_password)
    print("bootstrap complete")
    return 0


def _service_list(args: argparse.Namespace) -> int:
    from novalite.db import service_store

    rows = service_store.list_services(binary=args.binary, host=args.host)
    if args.json:
        print(json.dumps(rows, default=str, indent=2))
        return 0
    header = ("Id", "Binary", "Host", "Status", "State", "Updated At")
    table = [header] + [
        (str(r["id"]), r["binary"], r["host"], "disabled" if r["disabled"] else "enabled",
         r["state"], str(r["updated_at"] or r["created_at"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def _upgrade_check(args: argparse.Namespace) -> int:
    from novalite.cmd import upgrade_check

    return upgrade_check.run()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="novalite-manage", description=__doc__)
    add_config_arguments(parser)
    groups = parser.add_subparsers(dest="category", required=True)

    def command(category: str, name: str, fn: Callable[[argparse.Namespace], int],
                help_text: str) -> argparse.ArgumentParser:
        if category not in commands:
            commands[category] = groups.add_parser(category).add_subparsers(
                dest="action", required=True)
        sub = commands[category].add_parser(name, help=help_text)
        sub.set_defaults(func=fn)
        return sub

    commands: dict[str, argparse._SubParsersAction] = {}
    command("db", "sync", _db_sync, "upgrade the database schema to the newest version")
    command("db", "version", _db_version, "print the schema version")
    sample = command("config", "sample", _config_sample, "write a commented sample config")
    sample.add_argument("--output-file", help="write here instead of standard output")
    command("fernet", "setup", _fernet_setup, "create the Fernet key repository")
    command("fernet", "rotate", _fernet_rotate, "rotate the Fernet keys")
    generate = command("secrets", "generate", _secrets_generate,
                       "make every shared secret of a multi-node install (a config file "
                       "for all nodes)")
    generate.add_argument("--output-file", help="write here (mode 0600, never replaced) "
                                                "instead of standard output")
    check = command("secrets", "check", _secrets_check,
                    "say which services would refuse to start for want of a secret")
    check.add_argument("--binary", action="append", help="only this service (repeatable)")
    boot = groups.add_parser("bootstrap", help="create the admin and demo users, roles, "
                                               "endpoints and flavors")
    boot.set_defaults(func=_bootstrap)
    boot.add_argument("--bootstrap-password", required=True, help="the admin user's password")
    boot.add_argument("--demo-password", help="the demo user's password (default: random)")
    services = command("service", "list", _service_list, "list services and their state")
    services.add_argument("--binary")
    services.add_argument("--host")
    services.add_argument("--json", action="store_true")
    command("upgrade", "check", _upgrade_check,
            "check whether the running services can be upgraded (as nova-status)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    load_config(args.config_file)
    setup_logging(args.debug)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
