"""[fake_driver]: the in-memory hypervisor used by fast tests and scale benchmarks."""

from oslo_config import cfg

group = cfg.OptGroup("fake_driver", title="Fake virt driver")

opts = [
    cfg.IntOpt("vcpus", default=16, min=1, help="vCPUs each fake host reports."),
    cfg.IntOpt("memory_mb", default=32768, min=1, help="Memory each fake host reports (MiB)."),
    cfg.IntOpt("local_gb", default=1024, min=1, help="Disk each fake host reports (GiB)."),
    cfg.FloatOpt("spawn_delay", default=0.0, min=0,
                 help="Seconds every spawn takes (the other operations take a tenth)."),
    cfg.ListOpt("fail_spawn_hosts", default=[],
                help="Hosts on which every spawn fails (to exercise build retries)."),
    cfg.StrOpt("fail_spawn_image_property", default="fake_fail_spawn",
               help="Spawns of an image carrying this property set to 'true' fail on every "
                    "host (to exercise ERROR after the retries are spent)."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts)]
