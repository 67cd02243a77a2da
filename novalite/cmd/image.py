"""novalite-image: the built-in image service (Glance v2)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import image_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite image service (Glance v2)", argv, binary="novalite-image")
    run_services([image_server()])


if __name__ == "__main__":
    main()
