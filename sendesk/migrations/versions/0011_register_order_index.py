"""an index on the pupils in the register's order (year group, surname, forename, id)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:40:00

Why: the register is read in year-group and name order; without an index SQLite sorted
every row it read on each load, which grows faster than the school (n log n:
benchmarks/run_all.py found the register load growing ×38 for ×20 pupils in one run).
Read through this index the rows come in order and no sort is needed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_pupil_register_order",
        "pupil",
        ["year_group", "legal_surname", "legal_forename", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_pupil_register_order", table_name="pupil")
