"""Reading what a service wrote, for tests: its audit events and the queries it ran.

Several test files check the audit trail of one entity and how many SELECTs a screen's read
costs; one definition keeps them reading it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import ColumnElement, event, func, select

from sendesk.db import Database
from sendesk.models import AuditEvent


def audit_events(db: Database, entity: str) -> list[AuditEvent]:
    """The audit events about ``entity`` (a table's name), oldest first."""
    with db.session() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))
        )


def count_rows(db: Database, model: type, *where: ColumnElement[bool]) -> int:
    """How many rows of ``model`` there are (those matching ``where``, when given): what a
    test reads to see that a refused change wrote nothing, or an accepted one wrote all."""
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def dates_of(rows: Iterable[object], *fields: str) -> list[date]:
    """Every date the ``fields`` of ``rows`` hold (a field left empty is skipped): what a
    test that nothing is dated after today, whichever step a record reached, looks through."""
    return [d for row in rows for d in (getattr(row, f) for f in fields) if d is not None]


@contextmanager
def count_selects(db: Database, *, with_ctes: bool = False) -> Iterator[list[str]]:
    """Collect every SELECT the block runs (and ``WITH`` queries when ``with_ctes``)."""
    kinds = ("SELECT", "WITH") if with_ctes else ("SELECT",)
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(kinds):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
