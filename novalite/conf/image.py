"""[image]: the built-in Glance v2 image service (listen address, file store, paging)."""

from oslo_config import cfg

image_group = cfg.OptGroup("image", title="Built-in image service")
image_opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the image API listens on."),
    cfg.PortOpt("bind_port", default=9292, help="Image API port."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving image requests."),
    cfg.StrOpt("filesystem_store_datadir", default="$state_path/images",
               help="Directory where image data files are kept."),
    cfg.IntOpt("image_size_cap", default=1099511627776, min=1,
               help="Largest image, in bytes, that can be uploaded."),
    cfg.IntOpt("user_storage_quota", default=0, min=0,
               help="Bytes of image data a project may store (Glance's "
                    "user_storage_quota; 0: no limit); uploads past it are a 413 and "
                    "/v2/info/usage shows it as image_size_total."),
    cfg.BoolOpt("use_keystone_limits", default=False,
                help="Enforce the unified limits of the identity service (Glance's "
                     "use_keystone_limits): image_size_total and image_stage_total in "
                     "MiB, image_count_total and image_count_uploading, registered for "
                     "the service of type image; a resource with no registered limit "
                     "allows nothing. user_storage_quota is then ignored."),
    cfg.IntOpt("limit_param_default", default=25, min=1,
               help="Images returned by a list request that gives no limit."),
    cfg.IntOpt("api_limit_max", default=1000, min=1,
               help="Largest limit a list request may ask for."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(image_group)
    conf.register_opts(image_opts, group=image_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(image_group.name, image_opts)]
