"""[DEFAULT]: host identity, state directory, service liveness."""

import socket

from oslo_config import cfg

opts = [
    cfg.StrOpt("host", default=socket.gethostname(), sample_default="<hostname>",
               help="Name of this node; compute services use it as their RPC server name."),
    cfg.StrOpt("state_path", default="~/.local/share/novalite",
               help="Directory where novalite keeps its state (database, keys, images)."),
    cfg.IntOpt("report_interval", default=10, min=1,
               help="Seconds between service heartbeats written to the service row."),
    cfg.IntOpt("service_down_time", default=60, min=1,
               help="A service whose last heartbeat is older than this many seconds is down."),
    cfg.IntOpt("periodic_interval", default=60, min=1,
               help="Default seconds between runs of a service's periodic tasks."),
    cfg.IntOpt("graceful_shutdown_timeout", default=60, min=0,
               help="Seconds a stopping service waits for in-flight RPC requests to finish."),
    cfg.BoolOpt("debug", default=False, help="Log at DEBUG level."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [("DEFAULT", opts)]
