"""novalite-spicehtml5proxy: the SPICE HTML5 console proxy (nova-spicehtml5proxy)."""

from __future__ import annotations

from novalite.cmd.common import parse_service_args
from novalite.common.service import run_services
from novalite.services import spicehtml5proxy


def main(argv: list[str] | None = None) -> None:
    parse_service_args("novalite SPICE HTML5 console proxy (nova-spicehtml5proxy)", argv)
    run_services([spicehtml5proxy()])


if __name__ == "__main__":
    main()
