"""novalite-novncproxy: the noVNC console proxy (nova-novncproxy)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import novncproxy


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite noVNC console proxy (nova-novncproxy)", argv)
    run_services([novncproxy()])


if __name__ == "__main__":
    main()
