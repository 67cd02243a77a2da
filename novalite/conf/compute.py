"""[DEFAULT] options of the compute agent, with nova.conf's names."""

from oslo_config import cfg

opts = [
    cfg.StrOpt("compute_driver", default="auto", choices=["auto", "fake", "libvirt"],
               help="Hypervisor driver: libvirt (QEMU/KVM), fake (in memory), or auto: "
                    "libvirt when libvirtd answers, else fake with a warning."),
    cfg.BoolOpt("build_tiny_image", default=True,
                help="novalite up: build the tiny guest from Debian packages and upload it "
                     "as image 'tiny' on first start."),
    cfg.StrOpt("instance_name_template", default="instance-%08x",
               help="Template for hypervisor guest names, formatted with the instance id."),
    cfg.IntOpt("reboot_timeout", default=120, min=0,
               help="Seconds a soft reboot waits for the guest to shut down before it "
                    "falls back to a hard reboot."),
    cfg.IntOpt("shutdown_timeout", default=60, min=0,
               help="Seconds a stop waits for a clean guest shutdown before powering off."),
    cfg.IntOpt("sync_power_state_interval", default=60, min=1,
               help="Seconds between reconciliations of the database with the hypervisor's "
                    "power states."),
    cfg.IntOpt("update_resources_interval", default=60, min=1,
               help="Seconds between reports of this node's resources to placement."),
    cfg.IntOpt("image_cache_manager_interval", default=2400, min=1,
               help="Seconds between clean-ups of unused cached base images."),
    cfg.IntOpt("reserved_host_memory_mb", default=0, min=0,
               help="Memory kept for the host, never given to guests."),
    cfg.StrOpt("default_availability_zone", default="nova",
               help="Availability zone of compute nodes."),
    cfg.BoolOpt("allow_resize_to_same_host", default=False,
                help="Whether a resize may keep the server on its host (the only way with "
                     "one compute host). Cold migrations always move to another host."),
    cfg.IntOpt("resize_confirm_window", default=0, min=0,
               help="Seconds after which a resize or cold migration waiting in "
                    "VERIFY_RESIZE is confirmed automatically; 0 never."),
    cfg.IntOpt("reclaim_instance_interval", default=0, min=0,
               help="Seconds a deleted server is kept SOFT_DELETED (restorable with "
                    "'restore', gone with 'forceDelete') before it is reclaimed; 0 "
                    "deletes at once. Also the interval of the reclaiming task."),
    cfg.IntOpt("shelved_offload_time", default=0, min=-1,
               help="Seconds a SHELVED server keeps its host's resources before it is "
                    "offloaded (SHELVED_OFFLOADED); 0 offloads at once, -1 never."),
    cfg.IntOpt("shelved_poll_interval", default=3600, min=1,
               help="Seconds between checks for shelved servers to offload."),
    cfg.IntOpt("instance_build_timeout", default=900, min=0, max=86400,
               help="Seconds a server may stay in BUILD (from its creation) before the "
                    "conductor puts it into ERROR (a build no compute node acknowledged, "
                    "or one whose node died); 0: never. Nova's option (its default is 0)."),
    cfg.IntOpt("stuck_build_check_interval", default=0, min=0, max=3600,
               help="Seconds between the conductor's checks for builds whose compute node "
                    "went down (service_down_time) or that timed out; 0: half of "
                    "service_down_time."),
    cfg.ListOpt("non_inheritable_image_properties", default=["cache_in_nova", "bittorrent"],
                help="Image properties a snapshot does not copy from the server's image."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [("DEFAULT", opts)]
