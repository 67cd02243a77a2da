"""novalite-dashboard: the web UI (Horizon's place)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import dashboard_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite dashboard (web UI)", argv)
    run_services([dashboard_server()])


if __name__ == "__main__":
    main()
