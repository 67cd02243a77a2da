"""The default metadata definitions catalogue: the resource types OpenStack's services
tag, and namespaces for the image properties and flavor extra specs novalite's compute
service reads (what Glance's ``glance-manage db load_metadefs`` would load, in brief).
"""

from __future__ import annotations

from typing import Any

RESOURCE_TYPES = ("OS::Glance::Image", "OS::Cinder::Volume", "OS::Nova::Flavor",
                  "OS::Nova::Aggregate", "OS::Nova::Server", "OS::Trove::Instance")


def _image_and_volume(prefix: str = "") -> list[dict[str, Any]]:
    return [{"name": "OS::Glance::Image", "prefix": prefix},
            {"name": "OS::Cinder::Volume", "prefix": prefix,
             "properties_target": "image"}]


NAMESPACES: tuple[dict[str, Any], ...] = (
    {"namespace": "OS::Compute::Hypervisor", "display_name": "Hypervisor Selection",
     "description": "OpenStack Compute supports many hypervisors; an image can say which "
                    "one it needs.",
     "resource_type_associations": _image_and_volume(),
     "properties": {
         "hypervisor_type": {
             "title": "Hypervisor Type", "type": "string",
             "description": "Hypervisor type required by the image.",
             "enum": ["baremetal", "hyperv", "kvm", "lxc", "qemu", "uml", "vmware", "xen"]},
         "vm_mode": {
             "title": "VM Mode", "type": "string",
             "description": "The virtual machine mode (the host/guest ABI).",
             "enum": ["hvm", "xen", "uml", "exe"]}}},
    {"namespace": "OS::Compute::Libvirt", "display_name": "libvirt Driver Options",
     "description": "Options of the libvirt compute driver an image may set.",
     "resource_type_associations": _image_and_volume(),
     "properties": {
         "hw_machine_type": {
             "title": "Machine Type", "type": "string",
             "description": "The machine type QEMU emulates, e.g. pc or q35."},
         "hw_boot_menu": {
             "title": "Boot Menu", "type": "string", "enum": ["true", "false"],
             "description": "Whether the guest shows a boot menu."},
         "os_command_line": {
             "title": "Kernel Command Line", "type": "string",
             "description": "The kernel command line the guest boots with."}}},
    {"namespace": "OS::Compute::Watchdog", "display_name": "Watchdog Behavior",
     "description": "What the hypervisor does when the guest's watchdog fires.",
     "resource_type_associations": [*_image_and_volume(),
                                    {"name": "OS::Nova::Flavor", "prefix": "hw:"}],
     "properties": {
         "hw_watchdog_action": {
             "title": "Watchdog Action", "type": "string",
             "description": "The action on a watchdog timeout.",
             "enum": ["disabled", "reset", "poweroff", "pause", "none"]}}},
    {"namespace": "OS::Compute::RandomNumberGenerator",
     "display_name": "Random Number Generator",
     "description": "A virtio random number generator for the guest.",
     "resource_type_associations": [{"name": "OS::Nova::Flavor", "prefix": "hw_rng:"}],
     "properties": {
         "allowed": {"title": "Random Number Generator Allowed", "type": "boolean",
                     "description": "Whether images may ask for a random number generator."},
         "rate_bytes": {"title": "Random number generator limits", "type": "integer",
                        "description": "Bytes the guest may read per period.", "minimum": 0},
         "rate_period": {"title": "Random number generator read period", "type": "integer",
                         "description": "The period, in milliseconds.", "minimum": 0}}},
    {"namespace": "OS::Compute::CPUPinning", "display_name": "CPU Pinning",
     "description": "How the guest's vCPUs are placed on host CPUs.",
     "resource_type_associations": [*_image_and_volume("hw_"),
                                    {"name": "OS::Nova::Flavor", "prefix": "hw:"}],
     "properties": {
         "cpu_policy": {"title": "CPU Pinning policy", "type": "string",
                        "description": "shared: floating vCPUs; dedicated: pinned ones.",
                        "enum": ["shared", "dedicated"]},
         "cpu_thread_policy": {"title": "CPU Thread Pinning Policy", "type": "string",
                               "description": "How pinned vCPUs use SMT siblings.",
                               "enum": ["isolate", "prefer", "require"]}}},
    {"namespace": "OS::Compute::Quota", "display_name": "Flavor Quota",
     "description": "Resource limits of a flavor's guests.",
     "resource_type_associations": [{"name": "OS::Nova::Flavor"}],
     "objects": [
         {"name": "CPU Limits", "description": "How much CPU the guest may use.",
          "properties": {
              "quota:cpu_shares": {"title": "Quota: CPU Shares", "type": "integer",
                                   "description": "The proportional weight."},
              "quota:cpu_period": {"title": "Quota: CPU Period", "type": "integer",
                                   "description": "The enforcement interval (us).",
                                   "minimum": 1000, "maximum": 1000000},
              "quota:cpu_quota": {"title": "Quota: CPU Quota", "type": "integer",
                                  "description": "The bandwidth in each period (us)."}}},
         {"name": "Disk QoS", "description": "I/O limits of the guest's disks.",
          "properties": {
              "quota:disk_read_bytes_sec": {"title": "Quota: Disk read bytes / sec",
                                            "type": "integer",
                                            "description": "Read bytes per second."},
              "quota:disk_write_bytes_sec": {"title": "Quota: Disk write bytes / sec",
                                             "type": "integer",
                                             "description": "Written bytes per second."}}}]},
    {"namespace": "OS::Glance::CommonImageProperties",
     "display_name": "Common Image Properties",
     "description": "Properties many images carry.",
     "resource_type_associations": [{"name": "OS::Glance::Image"}],
     "properties": {
         "kernel_id": {"title": "Kernel ID", "type": "string",
                       "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                                  "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
                       "description": "The image of the kernel to boot with."},
         "ramdisk_id": {"title": "Ramdisk ID", "type": "string",
                        "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                                   "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
                        "description": "The image of the ramdisk to boot with."},
         "instance_uuid": {"title": "Instance ID", "type": "string",
                           "description": "The server a snapshot was taken of."},
         "os_distro": {"title": "OS Distro", "type": "string",
                       "description": "The common name of the operating system."},
         "os_version": {"title": "OS Version", "type": "string",
                        "description": "The operating system's version."}}},
)
