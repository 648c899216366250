"""What a database holds, counted: for asserting that a refused action wrote nothing.

"Nothing half-written" (issue 12) means every table has the rows it had, including the
audit chain (a refused import must not even add an audit event).
"""

from __future__ import annotations

from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.models.base import Base


def table_counts(db: Database) -> dict[str, int]:
    """Rows in every table of the schema, by table name."""
    with db.transaction() as s:
        return {
            table.name: s.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
