"""novalite-xvpvncproxy: the XVP VNC proxy for native viewers (nova-xvpvncproxy)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import xvpvncproxy


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite XVP VNC proxy for native viewers (nova-xvpvncproxy)", argv)
    run_services([xvpvncproxy()])


if __name__ == "__main__":
    main()
