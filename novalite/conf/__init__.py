"""All of novalite's configuration options, registered on the global ``CONF``.

Each section lives in its own module and exposes ``register_opts(conf)`` and
``list_opts()``; section and option names follow nova.conf wherever Nova has the
same option, so an operator's knowledge carries over.
"""

import oslo_messaging
from oslo_config import cfg
from oslo_messaging import transport as _messaging_transport
from oslo_messaging._drivers import amqp as _amqp
from oslo_messaging._drivers import impl_rabbit as _impl_rabbit

from novalite.conf import (
    api,
    compute,
    console,
    dashboard,
    database,
    default,
    fake_driver,
    glance,
    identity,
    image,
    keystone_authtoken,
    libvirt,
    metadata,
    middleware,
    network,
    quota,
    scheduler,
    upgrade_levels,
    volume,
)

CONF = cfg.CONF

_MODULES = (
    default,
    database,
    api,
    middleware,
    identity,
    keystone_authtoken,
    upgrade_levels,
    quota,
    image,
    scheduler,
    compute,
    fake_driver,
    libvirt,
    glance,
    network,
    metadata,
    console,
    volume,
    dashboard,
)

for _module in _MODULES:
    _module.register_opts(CONF)

# transport_url, control_exchange, rpc_response_timeout: oslo.messaging's own options,
# registered up front so they can be read and overridden before the first transport.
CONF.register_opts(_messaging_transport._transport_opts)
# Casts that matter survive a broker restart: durable queues and exchanges, whose
# messages kombu publishes persistent; publisher confirms are always on in
# oslo.messaging's rabbit driver, and a publish retries until the broker is back.
# Durable rather than quorum queues by default: a service meeting a queue or exchange
# an older release declared transient falls back to it (oslo.messaging does) instead of
# failing; ``rabbit_quorum_queue = true`` on every node of a new cloud is better still.
CONF.register_opts(_impl_rabbit.rabbit_opts, group="oslo_messaging_rabbit")
CONF.register_opts(_amqp.amqp_opts, group="oslo_messaging_rabbit")
CONF.set_default("amqp_durable_queues", True, group="oslo_messaging_rabbit")
oslo_messaging.set_transport_defaults(control_exchange="novalite")


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Entry point for the sample config generator."""
    opts: list[tuple[str, list[cfg.Opt]]] = []
    for module in _MODULES:
        opts.extend(module.list_opts())
    return opts
