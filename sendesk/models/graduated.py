"""The graduated response: assess–plan–do–review cycles, interventions and their evidence.

These tables are the record that proves what the school tried, for how long and with what
effect — the heart of an EHC needs assessment request.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class SupportPlan(Versioned, Base):
    """One assess–plan–do–review cycle for a pupil.

    A new cycle starts from the last one's review (``previous_plan_id``), so the chain of
    plans is the story a panel reads: what was tried, what happened, what changed.
    """

    __tablename__ = "support_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    previous_plan_id: Mapped[int | None] = mapped_column(ForeignKey("support_plan.id"))
    start_date: Mapped[date] = mapped_column(Date)
    review_due: Mapped[date] = mapped_column(Date)
    assessment: Mapped[str] = mapped_column(Text, default="")  # what started this cycle
    pupil_views: Mapped[str] = mapped_column(Text, default="")
    parent_views: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_summary: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")  # what changes next
    # "How you can help": what the SENCo asks of parents, for their summary of the plan.
    how_you_can_help: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outcomes: Mapped[list[PlanOutcome]] = relationship(
        cascade="all, delete-orphan", order_by="PlanOutcome.position"
    )
    provisions: Mapped[list[PlannedProvision]] = relationship(
        cascade="all, delete-orphan", order_by="PlannedProvision.position"
    )

    __table_args__ = (Index("ix_support_plan_pupil", "pupil_id", "start_date"),)


class PlanOutcome(Base):
    """A SMART outcome of a support plan, the area of need it serves, and how it went."""

    __tablename__ = "plan_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(60))
    result: Mapped[str | None] = mapped_column(String(10))  # achieved / partly / not
    review_comment: Mapped[str] = mapped_column(Text, default="")


class PlannedProvision(Base):
    """What the plan puts in place: an intervention, a strategy, equipment or staff time."""

    __tablename__ = "planned_provision"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # intervention/strategy/equipment/staff
    description: Mapped[str] = mapped_column(Text)
    intervention_id: Mapped[int | None] = mapped_column(ForeignKey("intervention.id"))
    minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    # Staff time in the plan (in-class support, a key adult) is costed hours x rate; empty
    # means the school's default staff rate.
    cost_per_hour_pence: Mapped[int | None] = mapped_column(Integer)


class Intervention(Versioned, Base):
    """A programme in the school's catalogue (a reading scheme, an ELSA mentor…)."""

    __tablename__ = "intervention"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    area: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    staff_role: Mapped[str] = mapped_column(String(60))
    sessions_per_week: Mapped[int] = mapped_column(Integer, default=1)
    minutes_per_session: Mapped[int] = mapped_column(Integer, default=30)
    cost_per_hour_pence: Mapped[int] = mapped_column(Integer, default=0)  # the staff role's
    measure: Mapped[str] = mapped_column(String(60))  # e.g. "reading age"
    measure_kind: Mapped[str] = mapped_column(String(20))  # age_months/standardised/rating
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InterventionGroup(Base):
    """A running group of an intervention: who leads it, on which days, from when."""

    __tablename__ = "intervention_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id"))
    name: Mapped[str] = mapped_column(String(120))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # e.g. "0,2" = Mon, Wed
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class Enrolment(Versioned, Base):
    """A pupil in an intervention group, with the entry and exit measures."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("intervention_group.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    entry_measure: Mapped[float | None] = mapped_column(Float)
    entry_date: Mapped[date | None] = mapped_column(Date)
    exit_measure: Mapped[float | None] = mapped_column(Float)
    exit_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("group_id", "pupil_id", "start_date"),)


class Measurement(Base):
    """A measure taken during an enrolment (between entry and exit), for the progress chart."""

    __tablename__ = "measurement"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class DeliveredSession(Base):
    """One session of a group on one date: delivered, or not and why."""

    __tablename__ = "delivered_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("intervention_group.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)
    not_delivered_reason: Mapped[str | None] = mapped_column(String(60))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("group_id", "held_on"),)


class SessionAttendance(Base):
    """A pupil at a delivered session: attended (minutes) or missed with a reason."""

    __tablename__ = "session_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("delivered_session.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    missed_reason: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)


class AgencyInvolvement(Versioned, Base):
    """An outside professional's involvement: referral, when seen, what they advised."""

    __tablename__ = "agency_involvement"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(60))
    professional: Mapped[str] = mapped_column(String(120), default="")
    referral_date: Mapped[date | None] = mapped_column(Date)
    seen_date: Mapped[date | None] = mapped_column(Date)
    advice: Mapped[str] = mapped_column(Text, default="")
    # Who may read it: "senco" (SENCo only) or "staff" (staff who work with the pupil).
    confidentiality: Mapped[str] = mapped_column(String(10), default="staff")


class EvidenceDocument(Base):
    """A report, letter or work sample, stored inside the (encrypted) database."""

    __tablename__ = "evidence_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    involvement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency_involvement.id", ondelete="SET NULL")
    )
    # A work sample attached to a cause for concern (sendesk.models.concern).
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    document_date: Mapped[date | None] = mapped_column(Date)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    confidentiality: Mapped[str] = mapped_column(String(10), default="staff")  # as above
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceRecord(Base):
    """A pupil's school attendance over one term (for "attendance over the last year")."""

    __tablename__ = "attendance_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(30))  # e.g. "2025-26 autumn"
    term_start: Mapped[date] = mapped_column(Date)
    possible_sessions: Mapped[int] = mapped_column(Integer)
    attended_sessions: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("pupil_id", "term"),)


class AttainmentSnapshot(Base):
    """One attainment measure on a date against what was expected then."""

    __tablename__ = "attainment_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(60))
    measure: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(30))
    expected: Mapped[str] = mapped_column(String(30), default="")
    taken_on: Mapped[date] = mapped_column(Date)


class Setting(Base):
    """A school setting (e.g. the notional SEN threshold), as text keyed by name."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
