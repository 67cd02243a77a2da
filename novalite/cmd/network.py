"""novalite-network: the built-in network service (Neutron v2.0 subset)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import network_server


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite network service (Neutron v2.0)", argv, binary="novalite-network")
    run_services([network_server()])


if __name__ == "__main__":
    main()
