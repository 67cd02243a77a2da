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
    cfg.StrOpt("driver", default="db",
               choices=[("db", "Limits from the options above and os-quota-sets."),
                        ("unified_limits", "Limits from identity's unified limits "
                         "(registered limits and project limits of the compute service: "
                         "servers, class:VCPU, class:MEMORY_MB, server_key_pairs, "
                         "server_metadata_items, server_groups, server_group_members); "
                         "os-quota-sets then only shows them."),
                        ("nova.quota.DbQuotaDriver", "Nova's name for db."),
                        ("nova.quota.UnifiedLimitsDriver", "Nova's name for unified_limits.")],
               help="Where quota limits come from (Nova's [quota] driver)."),
    cfg.StrOpt("unified_limits_resource_strategy", default="require",
               choices=[("require", "Resources of unified_limits_resource_list without a "
                         "registered limit are limited to 0; others are unlimited."),
                        ("ignore", "Resources of unified_limits_resource_list without a "
                         "registered limit are unlimited; others are limited to 0.")],
               help="How unified limits treat a resource without a registered limit."),
    cfg.ListOpt("unified_limits_resource_list", default=["servers"],
                help="The resources unified_limits_resource_strategy names."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(quota_group.name, quota_opts)]
