"""What the volume store modules share: ids, JSON columns, list paging and sorting."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from novalite.common import exception
from novalite.db import api as db_api


class MarkerNotFound(exception.Invalid):
    msg_fmt = "Marker %(marker)s could not be found."


def new_id() -> str:
    return str(uuid.uuid4())


def dumps(value: Any) -> str | None:
    return json.dumps(value, sort_keys=True) if value is not None else None


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def page(session: Session, query: Select[Any], model: Any,
         sort: Sequence[tuple[str, str]], columns: dict[str, InstrumentedAttribute[Any]],
         limit: int | None, marker: str | None, offset: int = 0) -> list[Any]:
    """``query`` sorted by ``sort`` ((column key, asc|desc), ``id`` added last as the tie
    breaker), after the ``marker`` row, skipping ``offset`` rows, at most ``limit``."""
    keys = [(columns[key], direction) for key, direction in sort]
    if not any(column is model.id for column, _ in keys):
        keys.append((model.id, keys[-1][1] if keys else "desc"))
    if marker is not None:
        row = session.get(model, marker)
        if row is None:
            raise MarkerNotFound(marker=marker)
        clauses = []
        for index, (column, direction) in enumerate(keys):
            value = getattr(row, column.key)
            equal = [keys[i][0] == getattr(row, keys[i][0].key) for i in range(index)]
            after = column > value if direction == "asc" else column < value
            if value is None:  # NULLs sort first ascending here: everything else is after
                after = column.is_not(None) if direction == "asc" else column.is_(None)
            clauses.append(and_(*equal, after))
        query = query.where(or_(*clauses))
    for column, direction in keys:
        query = query.order_by(column.asc() if direction == "asc" else column.desc())
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def update_row(model: Any, row_id: str, values: dict[str, Any],
               not_found: Callable[[], exception.NovaliteException],
               load: Callable[[Session, list[Any]], list[dict[str, Any]]]) -> dict[str, Any]:
    """Set ``values`` on the ``model`` row ``row_id`` (``not_found()`` raised when there is
    none); the row as ``load`` gives it back."""
    with db_api.session_scope() as session:
        row = session.get(model, row_id)
        if row is None:
            raise not_found()
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return load(session, [row])[0]
