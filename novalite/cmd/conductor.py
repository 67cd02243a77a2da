"""novalite-conductor: the conductor service."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import conductor_service


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite conductor service", argv)
    run_services([conductor_service()])


if __name__ == "__main__":
    main()
