"""[scheduler], [filter_scheduler] and the allocation ratios, named as in nova.conf.

The allocation ratios live in ``[DEFAULT]`` as in nova.conf: the compute resource
tracker reads them when it reports inventory, and the placement store falls back on
them when an inventory record carries no ratio of its own.
"""

from oslo_config import cfg

scheduler_group = cfg.OptGroup("scheduler", title="Scheduler options")
filter_group = cfg.OptGroup("filter_scheduler", title="Filter scheduler options")

scheduler_opts = [
    cfg.IntOpt("max_attempts", default=3, min=1,
               help="Hosts tried per instance: the chosen host plus up to max_attempts - 1 "
                    "alternates the conductor may claim when a build fails."),
]

filter_opts = [
    cfg.ListOpt("enabled_filters",
                default=["ComputeFilter", "AvailabilityZoneFilter", "ImagePropertiesFilter",
                         "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"],
                help="Filters applied, in order, to the hosts that have capacity."),
    cfg.ListOpt("weight_classes", default=["all_weighers"],
                help="Weighers used to rank hosts: class names (RAMWeigher, CPUWeigher, "
                     "DiskWeigher, ServerGroupSoftAffinityWeigher, "
                     "ServerGroupSoftAntiAffinityWeigher), dotted paths, or all_weighers."),
    cfg.FloatOpt("ram_weight_multiplier", default=1.0,
                 help="Multiplier of the free RAM weight; negative values stack hosts."),
    cfg.FloatOpt("cpu_weight_multiplier", default=1.0,
                 help="Multiplier of the free vCPU weight; negative values stack hosts."),
    cfg.FloatOpt("disk_weight_multiplier", default=1.0,
                 help="Multiplier of the free disk weight; negative values stack hosts."),
    cfg.FloatOpt("soft_affinity_weight_multiplier", default=1.0, min=0.0,
                 help="Multiplier of the weight of a soft-affinity group's members on a "
                      "host: the more members there, the better the host."),
    cfg.FloatOpt("soft_anti_affinity_weight_multiplier", default=1.0, min=0.0,
                 help="Multiplier of the weight of a soft-anti-affinity group's members on "
                      "a host: the more members there, the worse the host."),
    cfg.IntOpt("host_subset_size", default=1, min=1,
               help="Pick randomly among this many best-weighed hosts, which lowers the "
                    "chance that concurrent schedulers race for the same host."),
]

ratio_opts = [
    cfg.FloatOpt("cpu_allocation_ratio", default=4.0, min=0.0,
                 help="Virtual CPUs per physical CPU placement lets instances consume."),
    cfg.FloatOpt("ram_allocation_ratio", default=1.0, min=0.0,
                 help="Virtual RAM per physical RAM placement lets instances consume."),
    cfg.FloatOpt("disk_allocation_ratio", default=1.0, min=0.0,
                 help="Virtual disk per physical disk placement lets instances consume."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(scheduler_group)
    conf.register_opts(scheduler_opts, group=scheduler_group)
    conf.register_group(filter_group)
    conf.register_opts(filter_opts, group=filter_group)
    conf.register_opts(ratio_opts)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(scheduler_group.name, scheduler_opts), (filter_group.name, filter_opts),
            ("DEFAULT", ratio_opts)]
