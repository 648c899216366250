"""review meetings and who came; the pupil's one-page profile; "how you can help" on plans

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sendesk.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("support_plan_id", sa.Integer(), nullable=True),
        sa.Column("ehc_plan_id", sa.Integer(), nullable=True),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("views_by", sa.Date(), nullable=True),
        sa.Column("invitations_sent_on", sa.Date(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["support_plan_id"], ["support_plan.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["ehc_plan_id"], ["ehc_plan.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_meeting_pupil_id", "review_meeting", ["pupil_id"])
    op.create_table(
        "meeting_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("parent", sa.Boolean(), nullable=False),
        sa.Column("invited", sa.Boolean(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("contribution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["review_meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "pupil_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("admired", sa.Text(), nullable=False),
        sa.Column("admired_own", sa.Boolean(), nullable=False),
        sa.Column("important", sa.Text(), nullable=False),
        sa.Column("important_own", sa.Boolean(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("support_own", sa.Boolean(), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pupil_id"),
    )
    with op.batch_alter_table("support_plan") as batch:
        batch.add_column(
            sa.Column("how_you_can_help", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("support_plan") as batch:
        batch.drop_column("how_you_can_help")
    op.drop_table("pupil_profile")
    op.drop_table("meeting_person")
    op.drop_index("ix_review_meeting_pupil_id", table_name="review_meeting")
    op.drop_table("review_meeting")
