"""What every console script does first: read the configuration, set up logging."""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import sys

from novalite.conf import CONF

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_M_ARENA_MAX = -8  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-file", action="append", default=[], metavar="PATH",
                        help="configuration file (nova.conf style); may be repeated")
    parser.add_argument("--debug", action="store_true", help="log at DEBUG level")


def tune_malloc(arenas: int = 2, mmap_threshold: int = 1 << 20) -> None:
    """Keep freed memory from piling up in glibc's malloc. By default each server thread
    may get an arena of its own, and the mmap threshold rises to the largest block freed,
    so the 19 MiB an Argon2 password check works in stayed in the heap of every thread
    that ran one: an idle ``novalite up`` grew by 60 MiB after three logins. A fixed
    threshold gives such blocks back to the system when they are freed."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, arenas)
        libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def load_config(config_files: list[str], defaults: dict[str, object] | None = None) -> None:
    """Parse the config files into the global CONF; ``defaults`` are [DEFAULT]/[group] values
    used when the files do not set them (keys ``"option"`` or ``"group.option"``)."""
    tune_malloc()
    for path in config_files:
        if not os.path.exists(path):
            raise SystemExit(f"config file {path} does not exist")
    for key, value in (defaults or {}).items():
        group, _, name = key.rpartition(".")
        CONF.set_default(name, value, group=group or None)
    CONF([], project="novalite", default_config_files=config_files)


def setup_logging(debug: bool = False) -> None:
    level = logging.DEBUG if debug or CONF.debug else logging.INFO
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)
    for noisy in ("amqp", "kombu", "oslo_messaging", "oslo_policy", "waitress", "alembic",
                  "stevedore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not (debug or CONF.debug):
        logging.getLogger("novalite").setLevel(logging.INFO)


def parse_service_args(description: str, argv: list[str] | None = None,
                       binary: str | None = None) -> argparse.Namespace:
    """Arguments of a single-service console script (novalite-api, novalite-conductor ...);
    with ``binary``, exit unless the secrets that service needs are set."""
    parser = argparse.ArgumentParser(description=description)
    add_config_arguments(parser)
    args = parser.parse_args(argv)
    load_config(args.config_file)
    setup_logging(args.debug)
    if binary is not None:
        from novalite.cmd import required_secrets

        required_secrets.require(binary)
    return args
