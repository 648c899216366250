"""a leaver's destination school (name and DfE number) and when their SEN file was sent on

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pupil") as batch:
        batch.add_column(sa.Column("destination_school", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("destination_dfe", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("sen_file_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pupil") as batch:
        batch.drop_column("sen_file_sent_on")
        batch.drop_column("destination_dfe")
        batch.drop_column("destination_school")
