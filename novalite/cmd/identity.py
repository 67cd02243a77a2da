"""novalite-identity: the built-in Keystone v3 service."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import identity_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite identity service (Keystone v3)", argv, binary="novalite-identity")
    run_services([identity_server()])


if __name__ == "__main__":
    main()
