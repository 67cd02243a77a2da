"""The compute API's moves: resize with confirmResize and revertResize, migrate (cold),
os-migrateLive and evacuate.

The checks Nova makes before anything changes (another flavor, no smaller disk, the
quota for a bigger one, an existing destination host that is not the source, a down
host for an evacuation) answer at once; the scheduling happens in the conductor,
which puts the server back with a fault when no host would do (and, for a live
migration below 2.34, tells the caller: a 400).
"""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance, ServiceUnavailable, compute_is_up
from novalite.compute.api_images import (
    ComputeHostNotFound,
    compute_host_exists,
    request_spec_for,
    requested_zone,
)
from novalite.conductor.tasks import confirm
from novalite.conductor.tasks.migrate import new_migration
from novalite.conf import CONF
from novalite.db import flavors, instance_migrations, quotas
from novalite.objects import Flavor
from novalite.objects import migration as migration_types


class CannotResizeToSameFlavor(exception.Invalid):
    msg_fmt = "When resizing, instances must change flavor!"


class CannotResizeDisk(exception.Invalid):
    msg_fmt = "Server disk was unable to be resized because: %(reason)s"


class CannotMigrateToSameHost(exception.Invalid):
    msg_fmt = "Cannot migrate to the host where the server exists."


class FlavorNotFoundForResize(exception.Invalid):
    msg_fmt = "Unable to locate requested flavor."


class NotResized(exception.Invalid):
    msg_fmt = "Instance has not been resized."


class ComputeServiceInUse(exception.Invalid):
    msg_fmt = "Compute service of %(host)s is still in use."


class EvacuateHostNotFound(exception.NotFound):
    msg_fmt = "Compute host %(host)s not found."


class SameEvacuateHost(exception.Invalid):
    msg_fmt = "The target host can't be the same one."


def _current_flavor(instance: Instance) -> Flavor:
    """The server's flavor copy, with the flavor's database id when it still exists."""
    flavor = Flavor.from_dict(instance.get("flavor") or {})
    try:
        flavor.id = int(flavors.get(flavor.flavorid)["id"])
    except exception.NotFound:
        flavor.id = None
    return flavor


class MovesAPI(APIBase):
    def resize(self, ctxt: RequestContext, instance: Instance, flavor_id: str | None = None,
               host: str | None = None) -> None:
        """resize (``flavor_id``) or migrate (none; ``host`` at 2.56)."""
        action = "resize" if flavor_id else "migrate"
        self._require_compute(action)
        self.conductor.require_moves(action)
        self._check_lock(ctxt, instance)
        self._check_state(instance, action)
        self._check_host_up(instance)
        if host is not None:
            if host == instance.get("host"):
                raise CannotMigrateToSameHost()
            if not compute_host_exists(host):
                raise ComputeHostNotFound(host=host)
        current = _current_flavor(instance)
        new = current
        if flavor_id:
            try:
                new = Flavor.from_dict(flavors.get(str(flavor_id), ctxt))
            except exception.NotFound:
                raise FlavorNotFoundForResize() from None
            if new.flavorid == current.flavorid:
                raise CannotResizeToSameFlavor()
            if new.disabled:
                raise FlavorNotFoundForResize()
            if new.root_gb == 0 and current.root_gb != 0:
                raise CannotResizeDisk(reason="Resize to zero disk flavor is not allowed.")
            quotas.check_deltas(instance["project_id"], instance["user_id"],
                                new.vcpus - current.vcpus, new.memory_mb - current.memory_mb)
        same_host_ok = bool(flavor_id) and CONF.allow_resize_to_same_host
        updated = self._begin(ctxt, instance, action, check_lock=False,
                              values={"progress": 0})
        request_spec = request_spec_for(
            updated, flavor=new, zone=requested_zone(instance),
            ignore_hosts=[] if same_host_ok else [str(instance["host"])],
            force_hosts=[host] if host else [])
        self.conductor.migrate_server(ctxt, updated, new, request_spec)

    def confirm_resize(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("confirmResize")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "confirm_resize")
        migration = self._finished_migration(instance)
        if not compute_is_up(migration["source_compute"] or ""):
            raise ServiceUnavailable()
        confirm.start(ctxt, instance, migration, self.compute)

    def revert_resize(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("revertResize")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "revert_resize")
        migration = self._finished_migration(instance)
        old = Flavor.from_dict(migration.get("old_flavor") or {})
        new = Flavor.from_dict(migration.get("new_flavor") or {})
        quotas.check_deltas(instance["project_id"], instance["user_id"],
                            old.vcpus - new.vcpus, old.memory_mb - new.memory_mb)
        updated = self._begin(ctxt, instance, "revert_resize", check_lock=False)
        row = instance_migrations.update(migration["id"], {"status": "reverting"})
        self.compute.revert_resize(ctxt, row["dest_compute"] or "", updated,
                                   migration_types.Migration.from_db(row))

    @staticmethod
    def _finished_migration(instance: Instance) -> dict[str, Any]:
        try:
            return instance_migrations.get_by_instance_and_status(instance["uuid"],
                                                                  "finished")
        except instance_migrations.MigrationNotFound:
            raise NotResized() from None

    def live_migrate(self, ctxt: RequestContext, instance: Instance, host: str | None,
                     block_migration: bool | None = None, do_cast: bool = True) -> None:
        """os-migrateLive: the conductor picks (or checks) the destination; not cast
        (before 2.34) the caller hears why none would do."""
        self._require_compute("os-migrateLive")
        self.conductor.require_moves("os-migrateLive")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "live_migrate")
        if host and not compute_host_exists(host):
            raise ComputeHostNotFound(host=host)
        updated = self._begin(ctxt, instance, "live_migrate", check_lock=False)
        request_spec = request_spec_for(updated, zone=requested_zone(instance))
        self.conductor.live_migrate_instance(ctxt, updated, request_spec, host,
                                             block_migration, do_cast=do_cast)

    def evacuate(self, ctxt: RequestContext, instance: Instance, host: str | None,
                 admin_password: str | None) -> None:
        """Rebuild elsewhere a server whose host is down (a 400 while it is up)."""
        self._require_compute("evacuate")
        self.conductor.require_moves("evacuate")
        self._check_state(instance, "evacuate")
        if host is not None:
            if not compute_host_exists(host):
                raise EvacuateHostNotFound(host=host)
            if host == instance.get("host"):
                raise SameEvacuateHost()
        source = instance.get("host")
        if source and compute_is_up(source):
            raise ComputeServiceInUse(host=source)
        updated = self._begin(ctxt, instance, "evacuate", check_lock=False)
        migration = new_migration(updated, migration_types.EVACUATION, "accepted",
                                  dest_host=host)
        request_spec = request_spec_for(updated, zone=requested_zone(instance))
        self.conductor.evacuate_instance(ctxt, updated, request_spec, migration,
                                         admin_password)
