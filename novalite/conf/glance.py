"""[glance]: where compute nodes find the image service when the catalog does not say."""

from oslo_config import cfg

glance_group = cfg.OptGroup("glance", title="Image service client")
glance_opts = [
    cfg.ListOpt("api_servers", default=[],
                help="Image service endpoints, used when the request's service catalog "
                     "has no public endpoint of type image. Empty: this cloud's own image "
                     "service, http://[DEFAULT] public_host:[image] bind_port."),
    cfg.IntOpt("download_timeout", default=300, min=1,
               help="Seconds an image download may stall before it fails."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(glance_group)
    conf.register_opts(glance_opts, group=glance_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(glance_group.name, glance_opts)]
