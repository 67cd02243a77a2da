"""novalite-compute: the compute service."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import compute_service


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite compute service", argv, binary="novalite-compute")
    run_services([compute_service()])


if __name__ == "__main__":
    main()
