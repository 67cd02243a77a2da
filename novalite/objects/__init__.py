"""Versioned objects: the currency of RPC and of the conductor's database work.

Importing this package registers every object class (``base.registry()``), so a
primitive received over RPC can be turned back into its object.
"""

from novalite.objects.base import (
    IncompatibleObjectVersion,
    NovaliteObject,
    ObjectSerializer,
    current_manifest,
)
from novalite.objects.block_device import BlockDeviceMapping
from novalite.objects.compute_node import ComputeNode
from novalite.objects.console_auth_token import ConsoleAuthToken
from novalite.objects.flavor import Flavor
from novalite.objects.image_meta import ImageMeta
from novalite.objects.instance import Instance
from novalite.objects.instance_action import InstanceAction, InstanceActionEvent
from novalite.objects.instance_external_event import InstanceExternalEvent
from novalite.objects.instance_fault import InstanceFault
from novalite.objects.instance_group import InstanceGroup
from novalite.objects.migration import Migration
from novalite.objects.request_spec import RequestSpec
from novalite.objects.selection import Selection
from novalite.objects.service import SERVICE_VERSION, Service
from novalite.objects.volume_attachment import VolumeAttachment

__all__ = [
    "SERVICE_VERSION", "BlockDeviceMapping", "ComputeNode", "ConsoleAuthToken", "Flavor",
    "ImageMeta", "IncompatibleObjectVersion", "Instance", "InstanceAction",
    "InstanceActionEvent", "InstanceExternalEvent", "InstanceFault",
    "InstanceGroup", "Migration", "NovaliteObject",
    "ObjectSerializer", "RequestSpec", "Selection", "Service", "VolumeAttachment",
    "current_manifest",
]
