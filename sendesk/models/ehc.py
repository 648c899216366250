"""EHC needs assessment: the request (the case), its clock exceptions, the plan, its reviews.

The statutory timeline is computed (rules.timeline) from the dates kept here, never
stored, so a corrected date moves every milestone with it. Per-LA panel rules live in
``la_profile`` because a school working with several LAs meets several sets of rules.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class EhcRequest(Versioned, Base):
    """One request to the LA for an EHC needs assessment, and every decision after it.

    ``received_on`` starts the statutory clock (the LA's receipt, which the school often
    only knows as the date it sent the request, so it defaults to ``sent_on``).
    """

    __tablename__ = "ehc_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    requested_by: Mapped[str] = mapped_column(String(20))  # school / parent
    la_name: Mapped[str] = mapped_column(String(120))
    caseworker: Mapped[str] = mapped_column(String(120), default="")
    sent_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    consent_on: Mapped[date | None] = mapped_column(Date)
    young_person_consent_on: Mapped[date | None] = mapped_column(Date)
    why_now: Mapped[str] = mapped_column(Text, default="")
    pupil_views: Mapped[str] = mapped_column(Text, default="")
    parent_views: Mapped[str] = mapped_column(Text, default="")
    # "What is important to me, my hopes for the future": LA forms ask for it beside views.
    aspirations: Mapped[str] = mapped_column(Text, default="")
    health_info: Mapped[str] = mapped_column(Text, default="")
    social_care_info: Mapped[str] = mapped_column(Text, default="")
    health_none_known: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_to_assess: Mapped[bool | None] = mapped_column(Boolean)
    decision_to_assess_on: Mapped[date | None] = mapped_column(Date)
    advice_asked_on: Mapped[date | None] = mapped_column(Date)  # health/social care (reg 8)
    advice_received_on: Mapped[date | None] = mapped_column(Date)
    decided_to_issue: Mapped[bool | None] = mapped_column(Boolean)
    decision_to_issue_on: Mapped[date | None] = mapped_column(Date)
    draft_sent_on: Mapped[date | None] = mapped_column(Date)
    draft_setting: Mapped[str] = mapped_column(String(200), default="")
    final_issued_on: Mapped[date | None] = mapped_column(Date)
    way_forward_on: Mapped[date | None] = mapped_column(Date)
    mediation_on: Mapped[date | None] = mapped_column(Date)
    mediation_certificate_on: Mapped[date | None] = mapped_column(Date)
    appeal_lodged_on: Mapped[date | None] = mapped_column(Date)
    next_steps: Mapped[str] = mapped_column(Text, default="")  # after a refusal
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The request's sign-off (head teacher or SENCo), as the LA's form asks for it.
    signed_off_by: Mapped[str] = mapped_column(String(120), default="")
    signed_off_role: Mapped[str] = mapped_column(String(60), default="")
    signed_off_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exceptions: Mapped[list[EhcClockException]] = relationship(
        cascade="all, delete-orphan", order_by="EhcClockException.recorded_on"
    )

    __table_args__ = (Index("ix_ehc_request_pupil", "pupil_id"),)


class EhcClockException(Base):
    """A recorded exception to a statutory limit (regs 5(4), 10(4), 13(3)) and why."""

    __tablename__ = "ehc_clock_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("ehc_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    recorded_on: Mapped[date] = mapped_column(Date)


class EhcPlan(Versioned, Base):
    """An issued EHC plan as the school summarises it: sections B, E and F, hours, money."""

    __tablename__ = "ehc_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("ehc_request.id", ondelete="SET NULL")
    )
    issued_on: Mapped[date] = mapped_column(Date)
    la_name: Mapped[str] = mapped_column(String(120))
    named_setting: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[str] = mapped_column(Text, default="")  # section B
    outcomes: Mapped[str] = mapped_column(Text, default="")  # section E
    provision: Mapped[str] = mapped_column(Text, default="")  # section F
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    top_up_pence: Mapped[int | None] = mapped_column(Integer)  # element 3 a year
    ceased_on: Mapped[date | None] = mapped_column(Date)
    # A recorded phase transfer (reg 18): only a pupil actually moving gets its deadline.
    # ``transfer_kind`` is a key of rules.timeline.TRANSFER_KINDS; empty when none is known.
    transfer_kind: Mapped[str] = mapped_column(String(30), default="")
    transfer_destination: Mapped[str] = mapped_column(String(200), default="")
    transfer_on: Mapped[date | None] = mapped_column(Date)

    reviews: Mapped[list[AnnualReview]] = relationship(
        cascade="all, delete-orphan", order_by="AnnualReview.meeting_on"
    )

    __table_args__ = (Index("ix_ehc_plan_pupil", "pupil_id"),)


class AnnualReview(Versioned, Base):
    """One annual review of an EHC plan: the meeting, the paperwork, the LA's decision."""

    __tablename__ = "annual_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("ehc_plan.id", ondelete="CASCADE"))
    meeting_on: Mapped[date] = mapped_column(Date)
    invitations_sent_on: Mapped[date | None] = mapped_column(Date)
    report_sent_on: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text, default="")
    pupil_views: Mapped[str] = mapped_column(Text, default="")
    parent_views: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(String(20), default="")  # keep/amend/cease
    la_decision: Mapped[str] = mapped_column(String(20), default="")
    la_decision_on: Mapped[date | None] = mapped_column(Date)
    amendments_proposed_on: Mapped[date | None] = mapped_column(Date)  # reg 22
    amended_plan_on: Mapped[date | None] = mapped_column(Date)


class LaProfile(Versioned, Base):
    """One local authority's panel rules: cycles expected, report age, rates, section order.

    Money is in pence like every other amount in the schema; ``section_order`` is a
    comma-separated list of pack section keys (rules.readiness).
    """

    __tablename__ = "la_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    reviewed_cycles: Mapped[int] = mapped_column(Integer, default=2)
    report_max_age_months: Mapped[int] = mapped_column(Integer, default=12)
    notional_threshold_pence: Mapped[int] = mapped_column(Integer, default=600_000)
    staff_rate_per_hour_pence: Mapped[int | None] = mapped_column(Integer)
    weeks_per_year: Mapped[int] = mapped_column(Integer, default=38)
    section_order: Mapped[str] = mapped_column(Text, default="")
