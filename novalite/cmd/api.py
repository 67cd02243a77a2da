"""novalite-api: the Compute API v2.1."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import compute_api_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite Compute API v2.1", argv, binary="novalite-api")
    run_services([compute_api_server()])


if __name__ == "__main__":
    main()
