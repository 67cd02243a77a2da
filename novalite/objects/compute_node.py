"""ComputeNode: what a hypervisor offers, as its compute service reports it.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from novalite.objects.base import NovaliteObject


class ComputeNode(NovaliteObject):
    VERSION = "1.0"

    uuid: str | None = None
    host: str = ""
    hypervisor_hostname: str = ""
    hypervisor_type: str = ""
    hypervisor_version: int = 0
    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    reserved_host_memory_mb: int = 0
    cpu_info: str = "{}"
    host_ip: str | None = None
    availability_zone: str | None = None
    running_vms: int = 0
