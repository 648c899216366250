"""causes for concern and their dated steps; work samples attached to a concern

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sendesk.models.base import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=60), nullable=False),
        sa.Column("seen", sa.Text(), nullable=False),
        sa.Column("tried", sa.Text(), nullable=False),
        sa.Column("tried_weeks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("support_plan_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["raised_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["support_plan_id"], ["support_plan.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "concern_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("need_code", sa.String(length=8), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["concern_id"], ["concern.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence_document") as batch:
        batch.add_column(sa.Column("concern_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_evidence_document_concern_id_concern",
            "concern",
            ["concern_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_document") as batch:
        batch.drop_constraint("fk_evidence_document_concern_id_concern", type_="foreignkey")
        batch.drop_column("concern_id")
    op.drop_table("concern_step")
    op.drop_table("concern")
