"""an index on the audit trail's (entity, entity_id): a pupil's history reads its own events

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:15:00

Why: opening a pupil's record reads that pupil's register-change events, and the audit
page filters by pupil; without an index each read scanned the whole trail, which grows
with every change the school makes (benchmarks/run_all.py found it at 10,000 pupils).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
