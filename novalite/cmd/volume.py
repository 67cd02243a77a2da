"""novalite-volume: the built-in volume service (Cinder v3)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import volume_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite volume service (Cinder v3)", argv, binary="novalite-volume")
    run_services([volume_server()])


if __name__ == "__main__":
    main()
