"""Instance records: create (inside the quota transaction), get, list, compare-and-swap
update, soft delete, metadata, tags, faults and the instance action log.

Every function returns plain dicts: ``flavor`` and ``system_metadata`` decoded from
JSON, ``metadata`` a dict, ``tags`` a sorted list, and ``fault`` the newest fault
(or None). Reads are scoped to the caller's project unless the context is admin.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid as uuidlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, delete, false, func, literal, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.db import api as db_api
from novalite.db import console_auth_tokens, quotas, server_groups
from novalite.db.base import utcnow
from novalite.db.compute_models import (
    Instance,
    InstanceAction,
    InstanceActionEvent,
    InstanceFault,
    InstanceMetadata,
    InstanceTag,
)


class _NotSet:
    def __repr__(self) -> str:
        return "NOT_SET"


NOT_SET: Any = _NotSet()

_JSON_COLUMNS = ("flavor", "system_metadata", "network_info", "requested_networks")
# What an unset JSON column reads as.
_JSON_EMPTY: dict[str, Any] = {"network_info": [], "requested_networks": None}
_COLUMNS = tuple(column.name for column in Instance.__table__.columns)
# Values in ``values`` dicts that are not columns but stored beside the row.
_EXTRA = ("metadata", "tags")

SORT_KEYS = ("created_at", "updated_at", "display_name", "uuid", "vm_state", "task_state",
             "launched_at", "terminated_at", "host", "node", "id", "hostname", "power_state",
             "availability_zone", "key_name", "project_id", "user_id", "memory_mb", "vcpus",
             "root_gb", "instance_type_id", "image_ref", "launch_index")
_EPOCH = datetime.datetime(1970, 1, 1)


# --- conversion -------------------------------------------------------------------------

def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(_COLUMNS) - set(_EXTRA)
    if unknown:
        raise ValueError(f"not instance fields: {', '.join(sorted(unknown))}")
    row = {key: value for key, value in values.items() if key in _COLUMNS}
    for key in _JSON_COLUMNS:
        if key in row and row[key] is not None and (
                not isinstance(row[key], str) or key == "requested_networks"):
            row[key] = json.dumps(row[key])  # ("none" is a value there, not JSON text)
    return row


def _to_dict(row: Instance, metadata: dict[str, str], tags: list[str],
             fault: dict[str, Any] | None) -> dict[str, Any]:
    values = {column: getattr(row, column) for column in _COLUMNS}
    for key in _JSON_COLUMNS:
        values[key] = json.loads(values[key]) if values[key] else _JSON_EMPTY.get(key, {})
    values["metadata"] = metadata
    values["tags"] = tags
    values["fault"] = fault
    values["status"] = states.status_from_state(row.vm_state, row.task_state)
    return values


def _fault_dict(row: InstanceFault) -> dict[str, Any]:
    return {"code": row.code, "message": row.message, "details": row.details, "host": row.host,
            "created_at": row.created_at, "instance_uuid": row.instance_uuid}


def _load(session: Session, rows: list[Instance]) -> list[dict[str, Any]]:
    uuids = [row.uuid for row in rows]
    metadata: dict[str, dict[str, str]] = {u: {} for u in uuids}
    tags: dict[str, list[str]] = {u: [] for u in uuids}
    faults: dict[str, dict[str, Any]] = {}
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        for item in session.scalars(select(InstanceMetadata).where(
                InstanceMetadata.instance_uuid.in_(chunk))):
            metadata[item.instance_uuid][item.key] = item.value
        for tag in session.scalars(select(InstanceTag).where(
                InstanceTag.instance_uuid.in_(chunk))):
            tags[tag.instance_uuid].append(tag.tag)
        for fault in session.scalars(select(InstanceFault).where(
                InstanceFault.instance_uuid.in_(chunk)).order_by(InstanceFault.id)):
            faults[fault.instance_uuid] = _fault_dict(fault)  # the newest wins
    return [_to_dict(row, metadata[row.uuid], sorted(tags[row.uuid]), faults.get(row.uuid))
            for row in rows]


def _scoped(query: Select[Any], ctxt: RequestContext | None) -> Select[Any]:
    if ctxt is not None and not ctxt.is_admin:
        query = query.where(Instance.project_id == ctxt.project_id)
    return query


def _find(session: Session, ctxt: RequestContext | None, instance_uuid: str,
          read_deleted: bool = False) -> Instance:
    query = _scoped(select(Instance).where(Instance.uuid == instance_uuid), ctxt)
    if not read_deleted:
        query = query.where(Instance.deleted.is_(False))
    row = session.scalars(query).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


# --- create / get / list ----------------------------------------------------------------

def create_instances(ctxt: RequestContext, instances: list[dict[str, Any]],
                     check_quota: bool = True, limits: dict[str, int] | None = None,
                     server_group: str | None = None) -> list[dict[str, Any]]:
    """Insert instance records in one transaction, after the atomic quota check.

    Each dict holds ``Instance`` column values (``project_id``, ``user_id``, ``vcpus``,
    ``memory_mb`` ... ; ``uuid`` is generated if absent; ``flavor``/``system_metadata``
    may be dicts) plus optional ``metadata`` (dict) and ``tags`` (list). All rows must
    belong to one project. Raises ``OverQuota`` (403) when they do not fit the stored
    limits, or ``limits`` when given.
    ``server_group``: the uuid of the group the instances join (its members quota is
    checked in the same transaction).
    """
    if not instances:
        return []
    project_ids = {values["project_id"] for values in instances}
    if len(project_ids) != 1:
        raise ValueError("create_instances takes the instances of one project")
    project_id = project_ids.pop()
    with db_api.session_scope() as session:
        if check_quota:
            quotas.check_and_reserve(
                session, project_id, instances[0].get("user_id"), len(instances),
                sum(int(v.get("vcpus") or 0) for v in instances),
                sum(int(v.get("memory_mb") or 0) for v in instances), limits=limits)
        rows = []
        now = utcnow()
        for values in instances:
            row_values = _row_values(values)
            row_values.setdefault("uuid", str(uuidlib.uuid4()))
            row_values.setdefault("vm_state", states.BUILDING)
            row_values.setdefault("task_state", states.SCHEDULING)
            row_values.setdefault("power_state", states.NOSTATE)
            row_values.setdefault("deleted", False)
            row_values.setdefault("created_at", now)
            row_values.setdefault("updated_at", now)
            row = Instance(**row_values)
            session.add(row)
            rows.append(row)
        session.flush()
        for row, values in zip(rows, instances, strict=True):
            for key, value in (values.get("metadata") or {}).items():
                session.add(InstanceMetadata(instance_uuid=row.uuid, key=key, value=value))
            for tag in set(values.get("tags") or ()):
                session.add(InstanceTag(instance_uuid=row.uuid, tag=tag))
        session.flush()
        if server_group is not None:
            server_groups.add_members(session, server_group, str(instances[0]["user_id"]),
                                      project_id, [row.uuid for row in rows])
        return _load(session, rows)


def get(ctxt: RequestContext | None, instance_uuid: str,
        read_deleted: bool = False) -> dict[str, Any]:
    """One instance; 404 if missing, deleted (unless ``read_deleted``) or another project's."""
    with db_api.session_scope() as session:
        return _load(session, [_find(session, ctxt, instance_uuid, read_deleted)])[0]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _status_condition(statuses: Iterable[str]) -> Any:
    clauses = []
    for status in statuses:
        for vm_state, task_state in states.states_from_status(status):
            if task_state is states.ANY_TASK:
                overriding = [task for task in states.STATE_MAP[vm_state]
                              if task != states.DEFAULT]
                clause = Instance.vm_state == vm_state
                if overriding:
                    clause = and_(clause, or_(Instance.task_state.is_(None),
                                              Instance.task_state.not_in(overriding)))
                clauses.append(clause)
            else:
                clauses.append(and_(Instance.vm_state == vm_state,
                                    Instance.task_state == task_state))
    return or_(*clauses) if clauses else false()


def _changed_between(query: Select[Any], column: Any, since: datetime.datetime | None,
                     before: datetime.datetime | None) -> Select[Any]:
    """``changes-since`` (inclusive) and ``changes-before`` (inclusive) against the time
    as the API shows it, to the second (as Nova's second-precision columns hold it): a
    row changed at 12:00:00.5 shows 12:00:00, so ``changes-before=12:00:00`` includes it
    and ``changes-since=12:00:00.2`` does not."""
    second = datetime.timedelta(seconds=1)
    if since is not None:
        lower = since if not since.microsecond else since.replace(microsecond=0) + second
        query = query.where(column >= lower)
    if before is not None:
        query = query.where(column < before.replace(microsecond=0) + second)
    return query


_EXACT_FILTERS = ("host", "node", "project_id", "user_id", "vm_state", "task_state",
                  "power_state", "image_ref", "instance_type_id", "key_name",
                  "availability_zone", "reservation_id", "uuid", "locked", "launch_index")


def _apply_filters(query: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    filters = dict(filters)
    deleted = filters.pop("deleted", None)
    changes_since = filters.pop("changes-since", filters.pop("changes_since", None))
    changes_before = filters.pop("changes-before", filters.pop("changes_before", None))
    changed = func.coalesce(Instance.updated_at, Instance.created_at)
    query = _changed_between(query, changed, changes_since, changes_before)
    if deleted is not None:
        query = query.where(Instance.deleted.is_(bool(deleted)))
    elif changes_since is None and changes_before is None:
        query = query.where(Instance.deleted.is_(False))
    name = filters.pop("name", filters.pop("display_name", None))
    if name is not None:
        try:
            re.compile(name)
        except re.error:
            raise exception.Invalid(reason=f"Invalid name regex: {name}") from None
        query = query.where(Instance.display_name.regexp_match(name))
    status = filters.pop("status", None)
    if status is not None:
        query = query.where(_status_condition(_as_list(status)))
    for key in ("tags", "tags-any", "not-tags", "not-tags-any"):
        wanted = filters.pop(key, None)
        if not wanted:
            continue
        tags = _as_list(wanted)
        tagged = select(InstanceTag.instance_uuid).where(InstanceTag.tag.in_(tags))
        if key == "tags":
            for tag in tags:
                query = query.where(Instance.uuid.in_(select(InstanceTag.instance_uuid).where(
                    InstanceTag.tag == tag)))
        elif key == "tags-any":
            query = query.where(Instance.uuid.in_(tagged))
        elif key == "not-tags-any":
            query = query.where(Instance.uuid.not_in(tagged))
        else:
            every = Instance.uuid.in_(select(InstanceTag.instance_uuid).where(
                InstanceTag.tag == tags[0]))
            for tag in tags[1:]:
                every = and_(every, Instance.uuid.in_(select(InstanceTag.instance_uuid).where(
                    InstanceTag.tag == tag)))
            query = query.where(~every)
    for key in _EXACT_FILTERS:
        if key not in filters:
            continue
        value = filters.pop(key)
        column = getattr(Instance, key)
        if isinstance(value, list | tuple | set):
            values = list(value)
            clause = column.in_([v for v in values if v is not None])
            if None in values:
                clause = or_(clause, column.is_(None))
            query = query.where(clause)
        elif value is None:
            query = query.where(column.is_(None))
        else:
            query = query.where(column == value)
    if filters:
        raise exception.Invalid(reason=f"Unknown filters: {', '.join(sorted(filters))}")
    return query


def _sort_value(column: Any) -> Any:
    """Columns may be NULL: compare them through a constant so keyset paging works."""
    python_type = column.type.python_type
    if python_type is datetime.datetime:
        default: Any = _EPOCH
    elif python_type in (int, bool):
        default = -1
    else:
        default = ""
    return func.coalesce(column, literal(default, type_=column.type))


def list_instances(ctxt: RequestContext | None, filters: dict[str, Any] | None = None,
                   sort_keys: list[str] | None = None, sort_dirs: list[str] | None = None,
                   limit: int | None = None, marker: str | None = None,
                   all_tenants: bool = False) -> list[dict[str, Any]]:
    """Instances matching ``filters``, sorted (default ``created_at`` desc), one page.

    Filters: ``name`` (regex), ``status`` (API status or list of them), ``host``,
    ``node``, ``project_id``, ``user_id``, ``vm_state``, ``task_state``, ``image_ref``,
    ``instance_type_id``, ``key_name``, ``availability_zone``, ``reservation_id``,
    ``uuid`` (value or list), ``locked``, ``deleted`` (bool), ``changes-since`` /
    ``changes-before`` (datetimes; they include deleted instances unless ``deleted``
    says otherwise), ``tags``/``tags-any``/``not-tags``/``not-tags-any`` (lists).
    A non-admin context only sees its own project; an admin sees every project
    only with ``all_tenants`` (else its own project). ``marker`` is an instance uuid.
    """
    query = select(Instance)
    if ctxt is not None and not (ctxt.is_admin and all_tenants):
        query = query.where(Instance.project_id == ctxt.project_id)
    query = _apply_filters(query, filters or {})
    sort_keys = list(sort_keys or ["created_at"])
    sort_dirs = list(sort_dirs or [])
    for key in sort_keys:
        if key not in SORT_KEYS:
            raise exception.Invalid(reason=f"Invalid sort_key {key}")
    for direction in sort_dirs:
        if direction not in ("asc", "desc"):
            raise exception.Invalid(reason=f"Invalid sort_dir {direction}")
    while len(sort_dirs) < len(sort_keys):
        sort_dirs.append(sort_dirs[-1] if sort_dirs else "desc")
    if "id" not in sort_keys:
        sort_keys.append("id")
        sort_dirs.append(sort_dirs[-1])
    expressions = [(_sort_value(getattr(Instance, key)), direction)
                   for key, direction in zip(sort_keys, sort_dirs, strict=True)]
    with db_api.session_scope() as session:
        if marker is not None:
            marker_query = _scoped(select(Instance).where(Instance.uuid == marker), ctxt)
            marker_row = session.scalars(marker_query).first()
            if marker_row is None:
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            query = query.where(_after(expressions, sort_keys, marker_row))
        query = query.order_by(*[expr.desc() if direction == "desc" else expr.asc()
                                 for expr, direction in expressions])
        if limit is not None:
            query = query.limit(limit)
        return _load(session, list(session.scalars(query)))


def _after(expressions: list[tuple[Any, str]], keys: list[str], marker: Instance) -> Any:
    """Rows strictly after ``marker`` in the sort order (keyset pagination)."""
    clauses = []
    for index, (expr, direction) in enumerate(expressions):
        equal = [prev == _marker_value(marker, keys[i], expressions[i][0])
                 for i, (prev, _d) in enumerate(expressions[:index])]
        value = _marker_value(marker, keys[index], expr)
        step = expr < value if direction == "desc" else expr > value
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def _marker_value(marker: Instance, key: str, expr: Any) -> Any:
    value = getattr(marker, key)
    if value is not None:
        return value
    return expr.clauses.clauses[1].value  # the coalesce default


# --- update / delete --------------------------------------------------------------------

def _expect(query: Any, column: Any, expected: Any) -> Any:
    if expected is NOT_SET:
        return query
    values = _as_list(expected)
    clause = column.in_([v for v in values if v is not None])
    if None in values:
        clause = or_(clause, column.is_(None))
    return query.where(clause)


def update(ctxt: RequestContext | None, instance_uuid: str, values: dict[str, Any],
           expected_task_state: Any = NOT_SET, expected_vm_state: Any = NOT_SET
           ) -> dict[str, Any]:
    """Change an instance, atomically only if its states are still the expected ones.

    ``expected_*`` is a state, ``None``, or a list of them. If the row's state moved
    meanwhile nothing is written and ``UnexpectedStateError`` (409) is raised.
    ``metadata`` in ``values`` replaces the instance's metadata, ``tags`` its tags.
    """
    row_values = _row_values(values)
    row_values.setdefault("updated_at", utcnow())
    with db_api.session_scope() as session:
        current = _find(session, ctxt, instance_uuid)
        statement = sql_update(Instance).where(Instance.id == current.id,
                                           Instance.deleted.is_(False))
        statement = _expect(statement, Instance.task_state, expected_task_state)
        statement = _expect(statement, Instance.vm_state, expected_vm_state)
        result = session.execute(statement.values(**row_values)
                                 .execution_options(synchronize_session=False))
        if not result.rowcount:
            session.refresh(current)
            if current.deleted:
                raise exception.InstanceNotFound(instance_id=instance_uuid)
            field, expected, actual = ("task_state", expected_task_state, current.task_state)
            if expected_vm_state is not NOT_SET and current.vm_state not in _as_list(
                    expected_vm_state):
                field, expected, actual = ("vm_state", expected_vm_state, current.vm_state)
            raise exception.UnexpectedStateError(instance_uuid=instance_uuid, field=field,
                                                 expected=expected, actual=actual)
        if "metadata" in values:
            _replace_metadata(session, instance_uuid, values["metadata"] or {})
        if "tags" in values:
            _replace_tags(session, instance_uuid, values["tags"] or [])
        session.expire(current)
        return _load(session, [_find(session, None, instance_uuid, read_deleted=True)])[0]


def soft_delete(ctxt: RequestContext | None, instance_uuid: str,
                expected_task_state: Any = NOT_SET) -> dict[str, Any]:
    """Mark the instance deleted (vm_state ``deleted``, terminated); reads then 404.

    Its quota usage is released at once, since usage counts undeleted rows.
    """
    now = utcnow()
    update(ctxt, instance_uuid, {"vm_state": states.DELETED, "task_state": None,
                                 "power_state": states.NOSTATE, "terminated_at": now,
                                 "deleted": True, "deleted_at": now, "updated_at": now},
           expected_task_state=expected_task_state)
    console_auth_tokens.delete_for_instance(instance_uuid)
    return get(ctxt, instance_uuid, read_deleted=True)


# --- metadata and tags ------------------------------------------------------------------

def _replace_metadata(session: Session, instance_uuid: str, metadata: dict[str, str]) -> None:
    session.execute(delete(InstanceMetadata).where(
        InstanceMetadata.instance_uuid == instance_uuid))
    for key, value in metadata.items():
        session.add(InstanceMetadata(instance_uuid=instance_uuid, key=key, value=value))


def _replace_tags(session: Session, instance_uuid: str, tags: Iterable[str]) -> None:
    session.execute(delete(InstanceTag).where(InstanceTag.instance_uuid == instance_uuid))
    for tag in set(tags):
        session.add(InstanceTag(instance_uuid=instance_uuid, tag=tag))


def update_metadata(ctxt: RequestContext | None, instance_uuid: str,
                    metadata: dict[str, str], replace: bool = False) -> dict[str, str]:
    """Merge ``metadata`` into the instance's (or replace it); returns the result."""
    with db_api.session_scope() as session:
        _find(session, ctxt, instance_uuid)
        current = {item.key: item for item in session.scalars(select(InstanceMetadata).where(
            InstanceMetadata.instance_uuid == instance_uuid))}
        if replace:
            for key in set(current) - set(metadata):
                session.delete(current.pop(key))
        for key, value in metadata.items():
            if key in current:
                current[key].value = value
            else:
                session.add(InstanceMetadata(instance_uuid=instance_uuid, key=key, value=value))
        session.flush()
        return {item.key: item.value for item in session.scalars(select(InstanceMetadata).where(
            InstanceMetadata.instance_uuid == instance_uuid))}


def delete_metadata_item(ctxt: RequestContext | None, instance_uuid: str, key: str) -> None:
    with db_api.session_scope() as session:
        _find(session, ctxt, instance_uuid)
        result = session.execute(delete(InstanceMetadata).where(
            InstanceMetadata.instance_uuid == instance_uuid, InstanceMetadata.key == key))
        if not result.rowcount:
            raise exception.NotFound(message=f"Metadata item was not found: {key}")


def set_tags(ctxt: RequestContext | None, instance_uuid: str, tags: list[str]) -> list[str]:
    with db_api.session_scope() as session:
        _find(session, ctxt, instance_uuid)
        _replace_tags(session, instance_uuid, tags)
    return sorted(set(tags))


def add_tag(ctxt: RequestContext | None, instance_uuid: str, tag: str) -> bool:
    """Add one tag; False if it was already there."""
    with db_api.session_scope() as session:
        _find(session, ctxt, instance_uuid)
        if session.scalars(select(InstanceTag.id).where(
                InstanceTag.instance_uuid == instance_uuid, InstanceTag.tag == tag)).first():
            return False
        session.add(InstanceTag(instance_uuid=instance_uuid, tag=tag))
        return True


def delete_tag(ctxt: RequestContext | None, instance_uuid: str, tag: str) -> None:
    with db_api.session_scope() as session:
        _find(session, ctxt, instance_uuid)
        result = session.execute(delete(InstanceTag).where(
            InstanceTag.instance_uuid == instance_uuid, InstanceTag.tag == tag))
        if not result.rowcount:
            raise exception.NotFound(message=f"Tag {tag} not found on instance")


# --- faults -----------------------------------------------------------------------------

def add_fault(instance_uuid: str, code: int, message: str, details: str | None = None,
              host: str | None = None) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = InstanceFault(instance_uuid=instance_uuid, code=code, message=message[:255],
                            details=details, host=host, created_at=utcnow())
        session.add(row)
        session.flush()
        return _fault_dict(row)


def list_faults(instance_uuid: str) -> list[dict[str, Any]]:
    """Newest first."""
    with db_api.session_scope() as session:
        return [_fault_dict(row) for row in session.scalars(select(InstanceFault).where(
            InstanceFault.instance_uuid == instance_uuid).order_by(InstanceFault.id.desc()))]


# --- instance actions -------------------------------------------------------------------

def _action_dict(row: InstanceAction) -> dict[str, Any]:
    return {column: getattr(row, column) for column in (
        "id", "action", "instance_uuid", "request_id", "user_id", "project_id", "start_time",
        "finish_time", "message", "created_at", "updated_at")}


def _event_dict(row: InstanceActionEvent) -> dict[str, Any]:
    return {column: getattr(row, column) for column in (
        "id", "action_id", "event", "result", "traceback", "start_time", "finish_time", "host",
        "details", "created_at", "updated_at")}


def _find_action(session: Session, instance_uuid: str, request_id: str) -> InstanceAction:
    row = session.scalars(select(InstanceAction).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == request_id).order_by(InstanceAction.id.desc())).first()
    if row is None:
        raise exception.InstanceActionNotFound(request_id=request_id,
                                               instance_uuid=instance_uuid)
    return row


def action_start(ctxt: RequestContext, instance_uuid: str, action: str,
                 request_id: str | None = None) -> dict[str, Any]:
    """Record that ``action`` (``create``, ``reboot`` ...) began, under the request id."""
    now = utcnow()
    with db_api.session_scope() as session:
        row = InstanceAction(action=action, instance_uuid=instance_uuid,
                             request_id=request_id or ctxt.request_id, user_id=ctxt.user_id,
                             project_id=ctxt.project_id, start_time=now, updated_at=now)
        session.add(row)
        session.flush()
        return _action_dict(row)


def action_finish(instance_uuid: str, request_id: str, message: str | None = None
                  ) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        row = _find_action(session, instance_uuid, request_id)
        row.finish_time = now
        row.updated_at = now
        if message is not None:
            row.message = message[:255]
        session.flush()
        return _action_dict(row)


def event_start(instance_uuid: str, request_id: str, event: str,
                host: str | None = None) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        action = _find_action(session, instance_uuid, request_id)
        row = InstanceActionEvent(action_id=action.id, event=event, start_time=now, host=host)
        action.updated_at = now
        session.add(row)
        session.flush()
        return _event_dict(row)


def event_finish(instance_uuid: str, request_id: str, event: str, result: str = "Success",
                 traceback: str | None = None, details: str | None = None
                 ) -> dict[str, Any]:
    """Close the newest open ``event``; an ``Error`` result also marks the action failed."""
    now = utcnow()
    with db_api.session_scope() as session:
        action = _find_action(session, instance_uuid, request_id)
        row = session.scalars(select(InstanceActionEvent).where(
            InstanceActionEvent.action_id == action.id, InstanceActionEvent.event == event)
            .order_by(InstanceActionEvent.id.desc())).first()
        if row is None:
            row = InstanceActionEvent(action_id=action.id, event=event, start_time=now)
            session.add(row)
        row.finish_time = now
        row.result = result
        row.traceback = traceback
        row.details = details
        action.updated_at = now
        if result.lower() == "error":
            action.message = "Error"
        session.flush()
        return _event_dict(row)


def list_actions(instance_uuid: str, limit: int | None = None, marker: str | None = None,
                 changes_since: datetime.datetime | None = None,
                 changes_before: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Newest first; ``marker`` is a request id."""
    query = select(InstanceAction).where(InstanceAction.instance_uuid == instance_uuid)
    query = _changed_between(query, InstanceAction.updated_at, changes_since, changes_before)
    with db_api.session_scope() as session:
        if marker is not None:
            try:
                marker_row = _find_action(session, instance_uuid, marker)
            except exception.InstanceActionNotFound:
                raise exception.Invalid(reason=f"marker [{marker}] not found") from None
            query = query.where(InstanceAction.id < marker_row.id)
        query = query.order_by(InstanceAction.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [_action_dict(row) for row in session.scalars(query)]


def get_action(instance_uuid: str, request_id: str) -> dict[str, Any]:
    """The action with its ``events`` (oldest first)."""
    with db_api.session_scope() as session:
        row = _find_action(session, instance_uuid, request_id)
        values = _action_dict(row)
        values["events"] = [_event_dict(event) for event in session.scalars(
            select(InstanceActionEvent).where(InstanceActionEvent.action_id == row.id)
            .order_by(InstanceActionEvent.id))]
        return values
