"""[quota]: the default per-project limits (Nova's option names; -1 means unlimited)."""

from oslo_config import cfg

quota_group = cfg.OptGroup("quota", title="Quota options")

quota_opts = [
    cfg.IntOpt("instances", default=10, min=-1, help="Instances per project."),
    cfg.IntOpt("cores", default=20, min=-1, help="Instance cores (vCPUs) per project."),
    cfg.IntOpt("ram", default=51200, min=-1, help="Megabytes of instance RAM per project."),
    cfg.IntOpt("metadata_items", default=128, min=-1, help="Metadata items per instance."),
    cfg.IntOpt("key_pairs", default=100, min=-1, help="Key pairs per user."),
    cfg.IntOpt("server_groups", default=10, min=-1, help="Server groups per project."),
    cfg.IntOpt("server_group_members", default=10, min=-1,
               help="Servers per server group."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(quota_group.name, quota_opts)]
