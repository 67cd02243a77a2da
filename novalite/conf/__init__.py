"""All of novalite's configuration options, registered on the global ``CONF``.

Each section lives in its own module and exposes ``register_opts(conf)`` and
``list_opts()``; section and option names follow nova.conf wherever Nova has the
same option, so an operator's knowledge carries over.
"""

from oslo_config import cfg

from novalite.conf import (
    api,
    database,
    default,
    identity,
    keystone_authtoken,
    upgrade_levels,
)

CONF = cfg.CONF

_MODULES = (default, database, api, identity, keystone_authtoken, upgrade_levels)

for _module in _MODULES:
    _module.register_opts(CONF)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Entry point for the sample config generator."""
    opts: list[tuple[str, list[cfg.Opt]]] = []
    for module in _MODULES:
        opts.extend(module.list_opts())
    return opts
