"""The host data plane: the nova-network FlatDHCP model on Linux bridges.

Pure mechanism, no database and no REST: everything lives inside one network
namespace (bridges, dnsmasq, nftables rules, the metadata address), and the
network service calls :class:`DataPlane` to make it match its records.
"""

from __future__ import annotations

from novalite.network.linux.commands import DataPlaneError
from novalite.network.linux.dataplane import DataPlane
from novalite.network.linux.metadata_proxy import MetadataLookup, MetadataProxy

__all__ = ["DataPlane", "DataPlaneError", "MetadataLookup", "MetadataProxy"]
