"""Review meetings with parents, who came and what they said; the pupil's own profile.

Why tables of their own: the graduated response is done *with* parents and the pupil, at
meetings and in writing (Code of Practice 6.65–6.71; for an EHC plan the annual review,
reg 20). A meeting is booked ahead (date, time, place, who is invited), the invitation
letter is written and its date kept — an annual review needs two weeks' notice — and at
the meeting the school records who came and what each one said, with the review it was
for (a support plan, or the EHC plan). The pupil's one-page profile is the pupil's own
words about themselves, kept beside the staff-written passport, each part marked whether
the words are the pupil's.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class ReviewMeeting(Versioned, Base):
    """One review meeting for a pupil: a support-plan review or an EHC annual review."""

    __tablename__ = "review_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # rules.meetings.KINDS
    support_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_plan.id", ondelete="SET NULL")
    )
    ehc_plan_id: Mapped[int | None] = mapped_column(ForeignKey("ehc_plan.id", ondelete="SET NULL"))
    meeting_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")  # what the meeting is for
    views_by: Mapped[date | None] = mapped_column(Date)  # parents' views wanted by
    invitations_sent_on: Mapped[date | None] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)  # who came was recorded
    notes: Mapped[str] = mapped_column(Text, default="")  # what was agreed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    people: Mapped[list[MeetingPerson]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingPerson.position"
    )


class MeetingPerson(Base):
    """Someone invited to a meeting, or who came: their role, whether they came, what they
    said. One row per person, so "who was invited" and "who came" never disagree."""

    __tablename__ = "meeting_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("review_meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(80))  # "Parent", "Class teacher", "EP"…
    parent: Mapped[bool] = mapped_column(Boolean, default=False)  # the letter is to them
    invited: Mapped[bool] = mapped_column(Boolean, default=True)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None until recorded
    contribution: Mapped[str] = mapped_column(Text, default="")


class PupilProfile(Versioned, Base):
    """The one-page profile a pupil helps write: three parts, each marked whether the
    words are the pupil's own (shown in quotation marks, "in my own words")."""

    __tablename__ = "pupil_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), unique=True)
    admired: Mapped[str] = mapped_column(Text, default="")  # what people like and admire
    admired_own: Mapped[bool] = mapped_column(Boolean, default=False)
    important: Mapped[str] = mapped_column(Text, default="")  # what is important to me
    important_own: Mapped[bool] = mapped_column(Boolean, default=False)
    support: Mapped[str] = mapped_column(Text, default="")  # how best to support me
    support_own: Mapped[bool] = mapped_column(Boolean, default=False)
    written_on: Mapped[date] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
