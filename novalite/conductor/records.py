"""The conductor's database work for compute nodes that both RPC doors share."""

from __future__ import annotations

import uuid

from novalite.db import block_devices, instances
from novalite.objects import ComputeNode
from novalite.placement import client as placement

# Namespace of the resource provider uuids of compute nodes: stable for a host+node.
COMPUTE_NODE_NAMESPACE = uuid.UUID("7b5b2a4e-5b0a-4d53-9c3f-6a4f3c1e2d10")


def compute_node_uuid(host: str, nodename: str) -> str:
    return str(uuid.uuid5(COMPUTE_NODE_NAMESPACE, f"{host}/{nodename}"))


def destroy_instance(instance_uuid: str) -> None:
    """The guest is gone from its host: free its resources, mark the record deleted."""
    placement.remove_allocations(instance_uuid)
    instances.soft_delete(None, instance_uuid)
    block_devices.destroy_for_instance(instance_uuid)


def update_compute_node(node: ComputeNode) -> str:
    """Placement's inventory of a compute node; its resource provider uuid."""
    provider_uuid = compute_node_uuid(node.host, node.hypervisor_hostname)
    placement.set_inventory(
        provider_uuid, node.hypervisor_hostname, node.host, {
            "VCPU": {"total": node.vcpus},
            "MEMORY_MB": {"total": node.memory_mb, "reserved": node.reserved_host_memory_mb},
            "DISK_GB": {"total": node.local_gb},
        },
        hypervisor_type=node.hypervisor_type, hypervisor_version=node.hypervisor_version,
        availability_zone=node.availability_zone)
    return provider_uuid
