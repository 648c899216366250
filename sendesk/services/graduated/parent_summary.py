"""A parent-friendly summary of a pupil's current support plan (issue 15).

Why: parents are partners in the graduated response (Code of Practice 6.64–6.71), but a
support plan is written for staff — SMART outcomes, provision with minutes and costs. The
summary says the same plan in four plain parts a family can keep on the fridge: "What we
are working on" (the outcomes), "What we are doing" (the provision, without costs or staff
names), "How you can help" (what the SENCo asks of the family, written for this purpose
and kept with the plan: :func:`set_how_you_can_help`) and "When we will meet next" (the
next booked review meeting, else the plan's review date).

The current plan is the latest that has started (as the passport's "My targets now"); the
summary is read by whoever may see support plans, and the file is audited where it is
written (:func:`sendesk.reports.parent_summary.parent_summary_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sendesk.db import Database
from sendesk.errors import NotFoundError
from sendesk.models import Intervention, School, SupportPlan
from sendesk.rules.meetings import long_date
from sendesk.rules.permissions import allowed
from sendesk.services.actor import Actor
from sendesk.services.common import (
    check_version,
    flush_or_conflict,
    get_or_gone,
    permitted_pupil,
    refuse,
)
from sendesk.services.graduated.meetings import MeetingItem, next_meeting
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.school.school_details import read_school_details
from sendesk.services.store.audit import AuditWriter

HELP_MAX = 4000
CONFLICT = (
    "Someone else changed this support plan since you opened it; reopen it to see their changes."
)


@dataclass(frozen=True)
class DoingItem:
    """One piece of provision as a family reads it."""

    text: str
    how_often: str  # "about 1 hour a week", or ""


@dataclass(frozen=True)
class ParentSummaryData:
    """Everything the parents' summary shows, as plain data."""

    pupil_id: int
    pupil_name: str
    first_name: str
    upn: str
    school_name: str
    plan_id: int
    plan_start: date
    plan_review_due: date
    plan_reviewed_on: date | None
    working_on: tuple[str, ...]
    doing: tuple[DoingItem, ...]
    how_you_can_help: str
    next_meeting: MeetingItem | None
    contact_name: str
    contact_phone: str
    contact_email: str
    produced_on: date
    plan_version: int = 0  # the plan's version, for saving "how you can help" over it

    @property
    def next_meeting_words(self) -> str:
        """ "When we will meet next", as one plain sentence."""
        from sendesk.services.graduated.meetings import time_words

        m = self.next_meeting
        if m is not None:
            return (
                f"We will meet on {long_date(m.meeting_on)} at {time_words(m.starts_at)}, "
                f"at {m.place}, for the {m.kind_words.lower()}."
            )
        if self.plan_reviewed_on is not None:
            return (
                f"We looked at this plan together on "
                f"{long_date(self.plan_reviewed_on, weekday=False)}. "
                "We will write to you with the date of the next meeting."
            )
        return (
            f"We will look at this plan together by {long_date(self.plan_review_due)}. "
            "We will write to you with the date and time."
        )


def minutes_words(minutes: int | None) -> str:
    """ "about 1 hour a week", "20 minutes a week": provision's time in plain words."""
    if not minutes:
        return ""
    if minutes < 60:
        return f"{minutes} minutes a week"
    hours = minutes / 60
    whole = round(hours * 2) / 2
    text = f"{whole:g} hour{'s' if whole != 1 else ''}"
    return f"{'about ' if whole != hours else ''}{text} a week"


def _current(s: Session, pupil_id: int, today: date) -> SupportPlan:
    plans = s.scalars(
        select(SupportPlan)
        .where(SupportPlan.pupil_id == pupil_id)
        .options(selectinload(SupportPlan.outcomes), selectinload(SupportPlan.provisions))
        .order_by(SupportPlan.start_date.desc(), SupportPlan.id.desc())
    ).all()
    plan = next((p for p in plans if p.start_date <= today), plans[-1] if plans else None)
    if plan is None:
        raise NotFoundError(
            "This pupil has no support plan yet, so there is nothing to summarise for parents."
        )
    return plan


def parent_summary_data(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> ParentSummaryData:
    """The parents' summary of the pupil's current support plan."""
    permit(actor, Action.VIEW_SUPPORT_PLANS)
    today = today or date.today()
    with db.session() as s:
        pupil = permitted_pupil(s, actor, Action.VIEW_SUPPORT_PLANS, pupil_id)
        plan = _current(s, pupil_id, today)
        names = {
            iid: name
            for iid, name in s.execute(
                select(Intervention.id, Intervention.name).where(
                    Intervention.id.in_(
                        {p.intervention_id for p in plan.provisions if p.intervention_id}
                    )
                )
            )
        }
        doing = []
        for p in plan.provisions:
            text = p.description.strip()
            name = names.get(p.intervention_id) if p.intervention_id else None
            if name and name.lower() not in text.lower():
                text = f"{name}: {text}" if text else name
            if text:
                doing.append(DoingItem(text, minutes_words(p.minutes_per_week)))
        details = read_school_details(s)
        # the next meeting shows only to those who may see meetings; the review date else
        upcoming = None
        if allowed(actor.role, Action.VIEW_MEETINGS):
            upcoming = next_meeting(s, pupil_id, today)
        return ParentSummaryData(
            pupil_id=pupil_id,
            pupil_name=pupil.display_name,
            first_name=pupil.preferred_forename or pupil.legal_forename,
            upn=pupil.upn,
            school_name=s.scalar(select(School.name).order_by(School.id)) or "",
            plan_id=plan.id,
            plan_start=plan.start_date,
            plan_review_due=plan.review_due,
            plan_reviewed_on=plan.reviewed_on,
            working_on=tuple(o.text.strip() for o in plan.outcomes if o.text.strip()),
            doing=tuple(doing),
            how_you_can_help=plan.how_you_can_help.strip(),
            next_meeting=upcoming,
            contact_name=details.senco_name,
            contact_phone=details.senco_phone,
            contact_email=details.senco_email,
            produced_on=today,
            plan_version=plan.version,
        )


def set_how_you_can_help(db: Database, actor: Actor, plan_id: int, version: int, text: str) -> int:
    """Keep with the plan what the SENCo asks of the family ("How you can help"); returns
    the plan's new version."""
    permit(actor, Action.EDIT_SUPPORT_PLANS)
    text = text.strip()
    refuse(
        [f'"how you can help" is longer than {HELP_MAX:,} characters']
        if len(text) > HELP_MAX
        else []
    )
    with db.transaction() as s:
        plan = get_or_gone(s, SupportPlan, plan_id, "That support plan has been removed.")
        permit_pupil(s, actor, Action.EDIT_SUPPORT_PLANS, plan.pupil_id)
        check_version(plan.version, version, CONFLICT)
        plan.how_you_can_help = text
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "support_plan",
            plan.id,
            {"pupil_id": plan.pupil_id, "field": "how_you_can_help"},
        )
        return plan.version


__all__ = [
    "DoingItem",
    "ParentSummaryData",
    "minutes_words",
    "parent_summary_data",
    "set_how_you_can_help",
]
