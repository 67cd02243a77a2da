"""Starting a resize's confirm: what the API does on ``confirmResize`` and the
conductor when ``[DEFAULT] resize_confirm_window`` ran out (Nova's
``_poll_unconfirmed_resizes``). The source compute node then finishes it."""

from __future__ import annotations

import logging
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext, get_admin_context
from novalite.compute import rpcapi as compute_rpcapi
from novalite.db import instance_migrations, instances
from novalite.objects import Instance, Migration

LOG = logging.getLogger(__name__)


def start(ctxt: RequestContext, instance: dict[str, Any], migration: dict[str, Any],
          compute: compute_rpcapi.ComputeAPI) -> None:
    """Migration ``confirming``, the ``confirmResize`` action, the cast to the source."""
    row = instance_migrations.update(migration["id"], {"status": "confirming"})
    instances.action_start(ctxt, instance["uuid"], "confirmResize")
    compute.confirm_resize(ctxt, row["source_compute"] or "", Instance.from_db(instance),
                           Migration.from_db(row))


def auto_confirm(ctxt: RequestContext, migration: dict[str, Any],
                 compute: compute_rpcapi.ComputeAPI) -> None:
    """Confirm one migration whose window ran out, as Nova's periodic task does: one
    whose server is gone or not in VERIFY_RESIZE any more is put in ``error``; one
    whose server is busy waits for the next run."""
    try:
        instance = instances.get(None, migration["instance_uuid"])
    except exception.InstanceNotFound:
        instance_migrations.update(migration["id"], {"status": "error"})
        return
    if instance["vm_state"] != states.RESIZED:
        LOG.info("migration %s: instance %s is %s, not resized; setting the migration to "
                 "error", migration["id"], instance["uuid"], instance["vm_state"])
        instance_migrations.update(migration["id"], {"status": "error"})
        return
    if instance["task_state"] is not None:
        return
    LOG.info("automatically confirming the resize of %s (migration %s)", instance["uuid"],
             migration["id"])
    start(get_admin_context(), instance, migration, compute)
