"""[oslo_middleware]: limits on every HTTP request, with oslo.middleware's names."""

from oslo_config import cfg

group = cfg.OptGroup("oslo_middleware", title="HTTP request limits")

opts = [
    cfg.IntOpt("max_request_body_size", default=114688, min=1,
               help="Largest request body, in bytes, any API reads (413 past it), as "
                    "oslo.middleware's sizelimit. Image data uploads are bounded by "
                    "[image] image_size_cap instead."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts)]
