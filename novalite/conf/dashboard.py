"""[dashboard]: novalite-dashboard, the web UI (Horizon's place), which reaches every
API over HTTP with the signed-in user's token."""

from oslo_config import cfg

dashboard_group = cfg.OptGroup("dashboard", title="Dashboard (web UI)")
dashboard_opts = [
    cfg.HostAddressOpt("listen", default="127.0.0.1",
                       help="Address novalite-dashboard listens on."),
    cfg.PortOpt("listen_port", default=8080, help="Port of novalite-dashboard."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving dashboard requests."),
    cfg.URIOpt("auth_url",
               help="Keystone v3 the dashboard signs users in with (default: this "
                    "cloud's identity API, http://[DEFAULT] public_host:[identity] "
                    "listen_port/v3)."),
    cfg.IntOpt("session_timeout", default=3600, min=60,
               help="Seconds a session lives at most (never longer than its token)."),
    cfg.IntOpt("max_sessions", default=10000, min=1,
               help="Sessions kept at once; the oldest is dropped (and its token revoked) "
                    "past it."),
    cfg.BoolOpt("secure_cookies", default=False,
                help="Mark the session cookie Secure (set when the dashboard is served "
                     "behind TLS; a request arriving over https sets it anyway)."),
    cfg.IntOpt("max_upload_mib", default=2048, min=1,
               help="Largest image file the images page accepts, in MiB."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(dashboard_group)
    conf.register_opts(dashboard_opts, group=dashboard_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(dashboard_group.name, dashboard_opts)]
