"""A cause for concern: how most pupils reach the SEND register.

A teacher (or learning support) notices something, says what they see, in which area of
need, and what they have already tried in class and for how long; the SENCo may ask for
more evidence, then decides: monitor (with a date to look again), assess (the first
support-plan cycle starts and links back here), or add to the register. Code of Practice
6.14–6.17 and 6.19 ask for exactly this early identification, and a panel reading an EHC
needs assessment request asks when the concern was first raised. Every step is a dated
:class:`ConcernStep` that is never edited, so the story stays as it happened.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class Concern(Versioned, Base):
    """One cause for concern about a pupil, and where it stands."""

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_on: Mapped[date] = mapped_column(Date)
    area: Mapped[str] = mapped_column(String(60))  # one of the four broad areas of need
    seen: Mapped[str] = mapped_column(Text)  # what the member of staff sees
    tried: Mapped[str] = mapped_column(Text)  # quality-first teaching already tried
    tried_weeks: Mapped[int] = mapped_column(Integer)  # for how long
    # "new", "evidence asked", "monitor", "assess", "register" (rules: concern decisions)
    status: Mapped[str] = mapped_column(String(20), default="new")
    review_on: Mapped[date | None] = mapped_column(Date)  # when monitoring looks again
    support_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_plan.id", ondelete="SET NULL")
    )

    steps: Mapped[list[ConcernStep]] = relationship(
        cascade="all, delete-orphan", order_by="ConcernStep.id"
    )


class ConcernStep(Base):
    """One dated step of a concern: raised, evidence asked or added, a decision."""

    __tablename__ = "concern_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[date] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[date | None] = mapped_column(Date)  # a "monitor" decision's date
    need_code: Mapped[str | None] = mapped_column(String(8))  # an "add to register" decision's
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
