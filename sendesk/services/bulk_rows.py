"""Bulk inserts for the services that take a whole history in one call (a school's past
interventions, support plans): tens of thousands of rows, checked first, then written by
executemany inside the caller's transaction.

Why here and not in each service: executemany with ``render_nulls`` and reading the new
ids back by a unique key are the two tricks that make such a batch seconds rather than
minutes, and each batch service needs both.
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
