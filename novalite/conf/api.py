"""[api] and the listen addresses of the HTTP services."""

from oslo_config import cfg

api_group = cfg.OptGroup("api", title="API options")

api_opts = [
    cfg.StrOpt("auth_strategy", default="keystone", choices=["keystone", "noauth2"],
               help="How API requests are authenticated. noauth2 is for testing only."),
    cfg.IntOpt("max_limit", default=1000, min=1,
               help="Largest number of items a list request returns in one page."),
    cfg.BoolOpt("enable_instance_password", default=True,
                help="Whether rescue, evacuate (before 2.14) and rebuild answers carry "
                     "the server's new adminPass."),
]

listen_opts = [
    cfg.HostAddressOpt("osapi_compute_listen", default="127.0.0.1",
                       help="Address the Compute API listens on."),
    cfg.PortOpt("osapi_compute_listen_port", default=8774, help="Compute API port."),
    cfg.IntOpt("osapi_compute_workers", default=8, min=1,
               help="Threads serving Compute API requests."),
    cfg.HostAddressOpt("metadata_listen", default="127.0.0.1",
                       help="Address the metadata API listens on."),
    cfg.PortOpt("metadata_listen_port", default=8775, help="Metadata API port."),
    cfg.StrOpt("public_host", default="127.0.0.1",
               help="Host name or address clients use to reach the services; "
                    "it goes into the service catalog."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)
    conf.register_opts(listen_opts)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(api_group.name, api_opts), ("DEFAULT", listen_opts)]
