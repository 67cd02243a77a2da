"""Database operations of the volume service, one module per resource:
``from novalite.volume.store import volumes, attachments, snapshots, types, quotas``."""

from novalite.volume.store import attachments, quotas, snapshots, types, volumes
from novalite.volume.store.base import MarkerNotFound

__all__ = ["MarkerNotFound", "attachments", "quotas", "snapshots", "types", "volumes"]
