"""novalite-metadata: the metadata API (nova-api-metadata) for instances."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import metadata_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite metadata API (nova-api-metadata)", argv,
                       binary="novalite-metadata")
    run_services([metadata_server()])


if __name__ == "__main__":
    main()
