"""[upgrade_levels]: RPC version caps, so a newer control plane drives older nodes.

``auto`` (the default for compute) follows the oldest service of that kind; the other
APIs take an explicit version (their services are upgraded together with the control
plane)."""

from oslo_config import cfg

group = cfg.OptGroup("upgrade_levels", title="RPC version caps")

opts = [
    cfg.StrOpt("conductor", help="Highest conductor RPC API version to send."),
    cfg.StrOpt("scheduler", help="Highest scheduler RPC API version to send."),
    cfg.StrOpt("compute", default="auto",
               help="Highest compute RPC API version to send: a version (e.g. 1.1), or "
                    "'auto' for what the oldest compute service understands (read from the "
                    "services table; objects are backported to its level)."),
    cfg.StrOpt("network", help="Highest network RPC API version to send."),
    cfg.StrOpt("consoleauth", help="Highest console auth RPC API version to send."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts)]
