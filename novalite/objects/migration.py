"""Migration: a resize, cold or live migration or evacuation in progress or done.

Its fields are Nova's (``old_instance_type_id`` is the flavor's database id), plus the
flavors themselves as the instance had them before and after, so a revert or a
confirm never depends on a flavor that was deleted meanwhile.

Status, as Nova moves it: resize and cold migration ``pre-migrating`` → ``migrating``
→ ``post-migrating`` → ``finished`` (the server is VERIFY_RESIZE) → ``confirming`` →
``confirmed``, or ``reverting`` → ``reverted``; live migration ``accepted`` →
``preparing`` → ``running`` → ``completed``; evacuation ``accepted`` → ``pre-migrating``
→ ``done``; ``error`` (and ``failed``) when it stopped half way.

Version history:
  1.0 - Initial version (release 0.2.0)
"""

from __future__ import annotations

import datetime
from typing import Any

from novalite.objects.base import NovaliteObject
from novalite.objects.flavor import Flavor

RESIZE = "resize"
MIGRATION = "migration"
LIVE_MIGRATION = "live-migration"
EVACUATION = "evacuation"

# Statuses in which the migration still holds the move (Nova's "in progress").
IN_PROGRESS = ("queued", "preparing", "running", "post-migrating", "pre-migrating",
               "migrating", "accepted", "finished", "confirming", "reverting")

_COLUMNS = ("id", "uuid", "instance_uuid", "source_compute", "dest_compute", "source_node",
            "dest_node", "dest_host", "old_instance_type_id", "new_instance_type_id",
            "migration_type", "status", "hidden", "cross_cell_move", "project_id", "user_id",
            "created_at", "updated_at")


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
    old_instance_type_id: int | None = None
    new_instance_type_id: int | None = None
    #: the instance's flavor before the move and the one it moves to (a copy each)
    old_flavor: Flavor | None = None
    new_flavor: Flavor | None = None
    #: resize, migration, live-migration, evacuation
    migration_type: str = MIGRATION
    status: str = "pre-migrating"
    hidden: bool = False
    cross_cell_move: bool = False
    project_id: str | None = None
    user_id: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def same_host(self) -> bool:
        return bool(self.source_compute) and self.source_compute == self.dest_compute

    @classmethod
    def from_db(cls, values: dict[str, Any]) -> Migration:
        """From a record as ``novalite.db.instance_migrations`` reads it."""
        fields = {key: values[key] for key in _COLUMNS if key in values}
        migration = cls(**fields,
                        old_flavor=Flavor.from_dict(values["old_flavor"])
                        if values.get("old_flavor") else None,
                        new_flavor=Flavor.from_dict(values["new_flavor"])
                        if values.get("new_flavor") else None)
        migration.obj_reset_changes()
        return migration

    def values_to_save(self) -> dict[str, Any]:
        """The changed fields as record values (the flavors as their copies)."""
        values: dict[str, Any] = {}
        for name in self.obj_what_changed():
            value = getattr(self, name)
            if name in ("old_flavor", "new_flavor"):
                value = flavor_record(value)
            elif name in ("id", "created_at", "updated_at"):
                continue
            values[name] = value
        return values


def flavor_record(flavor: Flavor | None) -> dict[str, Any] | None:
    """What a migration keeps of a flavor: the instance's copy and the database id."""
    if flavor is None:
        return None
    return {**flavor.to_instance_copy(), "id": flavor.id}
