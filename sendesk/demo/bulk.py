"""Bulk inserts for the demo generators: a 1,200-pupil school has tens of thousands of rows.

The demo writes register changes through
:func:`sendesk.services.register.register.apply_change`, but
the bulk of its history (sessions, marks, measurements, exam entries) goes in by executemany:
one service call a row would take minutes, and the rows are planned whole, not edited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def bulk(model: Any) -> Any:
    """An ORM bulk INSERT that writes None as NULL: otherwise rows with and without a None
    go in different statements, and mixed rows fall back to one statement a row."""
    return insert(model).execution_options(render_nulls=True)


def insert_rows(
    session: Session, model: Any, rows: list[dict[str, Any]], *key: InstrumentedAttribute[Any]
) -> list[int]:
    """Insert ``rows`` in bulk and return their ids, in order.

    The ids are read back by ``key``, columns whose values are unique among the rows: a
    plain executemany is many times faster than RETURNING in parameter order, which
    SQLite can only do a row at a time.
    """
    if not rows:
        return []
    before = session.scalar(select(func.max(model.id))) or 0
    session.execute(bulk(model), rows)
    found = {
        tuple(values): row_id
        for row_id, *values in session.execute(select(model.id, *key).where(model.id > before))
    }
    names = [column.key for column in key]
    ids = [found[tuple(row[n] for n in names)] for row in rows]
    if len(set(ids)) != len(rows):
        raise RuntimeError(f"{model.__tablename__} rows are not unique by {', '.join(names)}")
    return ids
