"""[libvirt]: the libvirt + QEMU driver (nova.conf's names where Nova has the option)."""

from oslo_config import cfg

libvirt_group = cfg.OptGroup("libvirt", title="libvirt driver")
libvirt_opts = [
    cfg.StrOpt("virt_type", default="auto", choices=["auto", "kvm", "qemu"],
               help="auto: kvm when a probe guest really runs under KVM, else qemu (TCG). "
                    "kvm or qemu force the domain type."),
    cfg.StrOpt("connection_uri", default="qemu:///system",
               help="libvirt connection URI."),
    cfg.StrOpt("images_path", default="$state_path/instances",
               help="Directory of instance disks and console logs; cached base images "
                    "live in its _base/ subdirectory."),
    cfg.BoolOpt("remove_unused_base_images", default=True,
                help="Whether the periodic clean-up removes cached base images no instance "
                     "on this host uses."),
    cfg.IntOpt("remove_unused_original_minimum_age_seconds", default=86400, min=0,
               help="Unused base images younger than this are kept."),
    cfg.BoolOpt("destroy_unowned_domains", default=False,
                help="At start-up, destroy novalite domains no instance on this host owns "
                     "(they are only reported when false)."),
    cfg.IntOpt("kvm_probe_timeout", default=10, min=1,
               help="Seconds the KVM probe guest may take before KVM is judged unusable."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(libvirt_group)
    conf.register_opts(libvirt_opts, group=libvirt_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(libvirt_group.name, libvirt_opts)]
