"""novalite-serialproxy: the serial console proxy (nova-serialproxy)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import serialproxy


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite serial console proxy (nova-serialproxy)", argv)
    run_services([serialproxy()])


if __name__ == "__main__":
    main()
