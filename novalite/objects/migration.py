"""Migration: a resize, cold or live migration or evacuation in progress or done.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime

from novalite.objects.base import NovaliteObject


class Migration(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    uuid: str | None = None
    instance_uuid: str = ""
    source_compute: str | None = None
    dest_compute: str | None = None
    source_node: str | None = None
    dest_node: str | None = None
    dest_host: str | None = None
    old_flavor_id: str | None = None
    new_flavor_id: str | None = None
    #: resize, migration, live-migration, evacuation
    migration_type: str = "migration"
    status: str = "pre-migrating"
    project_id: str | None = None
    user_id: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
