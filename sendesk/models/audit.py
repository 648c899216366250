"""The audit trail: who changed what, when — tamper-evident by a hash chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sendesk.models.base import Base, UTCDateTime


class AuditEvent(Base):
    """One change made through a service.

    ``hash`` covers this event's fields and the previous event's hash, so deleting or
    editing a row in the middle breaks the chain and ``sendesk verify`` reports it.
    ``detail`` is JSON; it lives inside the encrypted database, never in a log file.
    """

    __tablename__ = "audit_event"
    # A pupil's record and the audit page read one entity's events: without this index
    # each read scans the whole trail, which grows with every change (migration 0010).
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    os_user: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
