"""Exam access arrangements: teaching groups, Form 8 assessments, arrangements and NWW.

An arrangement is only allowed when it is the candidate's normal way of working in that
subject, and an inspector may ask for the evidence at any time. So the schema keeps who
teaches whom (teaching groups from the MIS), the assessor's scores, each arrangement with
its approval dates, and the teachers' dated evidence per subject — enough to answer
"show me the evidence for this candidate" without a spreadsheet.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class TeachingGroup(Versioned, Base):
    """A class as the MIS knows it: a code, a subject and its teacher.

    ``teacher_id`` links to a SENDesk user once one exists for that teacher; the MIS's
    name for the teacher is kept too, so a class list can be imported before accounts are.
    """

    __tablename__ = "teaching_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "10X/Ma1"
    subject: Mapped[str] = mapped_column(String(60))
    teacher_name: Mapped[str] = mapped_column(String(120), default="")
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(String(10), default="manual")  # mis / manual

    members: Mapped[list[TeachingGroupMember]] = relationship(cascade="all, delete-orphan")


class TeachingGroupMember(Base):
    """A pupil in a teaching group."""

    __tablename__ = "teaching_group_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("teaching_group.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))

    __table_args__ = (
        UniqueConstraint("group_id", "pupil_id", name="uq_teaching_group_member_pupil"),
        Index("ix_teaching_group_member_pupil", "pupil_id"),
    )


class AccessAssessment(Versioned, Base):
    """A specialist assessment (JCQ Form 8): who assessed, when, and Part 1's date.

    Part 1 — the SENCo's picture of need — must be completed before the assessment, so
    its date is kept beside the assessment's to be checked.
    """

    __tablename__ = "access_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    assessor_name: Mapped[str] = mapped_column(String(120))
    assessor_qualification: Mapped[str] = mapped_column(String(200), default="")
    assessed_on: Mapped[date] = mapped_column(Date)
    picture_of_need_on: Mapped[date | None] = mapped_column(Date)
    picture_of_need: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scores: Mapped[list[AssessmentScore]] = relationship(
        cascade="all, delete-orphan", order_by="AssessmentScore.position"
    )

    __table_args__ = (Index("ix_access_assessment_pupil", "pupil_id", "assessed_on"),)


class AssessmentScore(Base):
    """One test of an assessment and its standardised score, in one JCQ score area."""

    __tablename__ = "assessment_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("access_assessment.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(40))  # a key of rules.jcq's score areas
    test: Mapped[str] = mapped_column(String(120), default="")
    score: Mapped[int] = mapped_column(Integer)


class AccessArrangement(Versioned, Base):
    """One arrangement for one candidate, from proposal to approval, expiry or withdrawal.

    ``subjects`` is a newline-separated list of the subjects or papers it covers; empty
    means every subject (a separate room, say, is not per subject).
    """

    __tablename__ = "access_arrangement"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    arrangement: Mapped[str] = mapped_column(String(40))  # a key of rules.jcq.ARRANGEMENTS
    status: Mapped[str] = mapped_column(String(30))
    evidence_route: Mapped[str] = mapped_column(String(20))
    subjects: Mapped[str] = mapped_column(Text, default="")
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_assessment.id", ondelete="SET NULL")
    )
    proposed_on: Mapped[date] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)  # in centre
    applied_on: Mapped[date | None] = mapped_column(Date)  # online (AAO)
    awarding_body_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)  # expired or withdrawn
    room_note: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (Index("ix_access_arrangement_pupil", "pupil_id"),)


class NwwEvidence(Base):
    """A teacher's dated evidence that an arrangement is the normal way of working.

    One row per pupil, arrangement, subject and task: classwork, a timed test or a mock
    paper — the mock rows are the log of which arrangements a candidate actually used.
    """

    __tablename__ = "nww_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(
        ForeignKey("access_arrangement.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(60))
    recorded_on: Mapped[date] = mapped_column(Date)
    task_kind: Mapped[str] = mapped_column(String(20))  # classwork / timed test / mock
    task: Mapped[str] = mapped_column(String(200), default="")
    used: Mapped[bool] = mapped_column(Boolean, default=True)
    extra_minutes_used: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_nww_evidence_arrangement", "arrangement_id", "subject"),)


class ExamEntry(Base):
    """A candidate entered for an exam in a subject (from the MIS's entries, or by hand).

    Access-arrangement evidence is needed only in the subjects a candidate sits: the gap
    view and "what's due" count these, not every class the pupil attends (PE, art…).
    """

    __tablename__ = "exam_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(10), default="manual")  # mis / manual
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("pupil_id", "subject", name="uq_exam_entry_subject"),)
