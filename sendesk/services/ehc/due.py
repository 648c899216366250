"""What's due from EHC casework: a request's next statutory date and a plan's review,
paperwork, decision, amended plan and phase transfer, as "what's due" items.

Why here: :mod:`sendesk.services.due` lists every provider; this one turns the milestones
computed for the EHC tab into the same rows, so the tab and the list never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import AnnualReview, EhcPlan, EhcRequest, Pupil
from sendesk.rules.dates import dmy
from sendesk.rules.timeline import transfer_source
from sendesk.services.ehc.plans import plan_item
from sendesk.services.ehc.records import (
    KIND_AMENDED_PLAN,
    KIND_PHASE_TRANSFER,
    KIND_REQUEST,
    KIND_REVIEW,
    KIND_REVIEW_DECISION,
    KIND_REVIEW_PAPERWORK,
    PlanItem,
    RequestItem,
)
from sendesk.services.ehc.request_steps import chased, request_item
from sendesk.services.ehc.requests import exceptions_by_request

if TYPE_CHECKING:
    from sendesk.services.due import DueItem


def _severity(due: date, status: str, today: date) -> str:
    from sendesk.services.due import SOON_DAYS

    if status == "extended":
        return "soon"  # excused by a recorded exception: amber, never red
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


_OPEN = ("green", "amber", "red", "extended")


def _request_due_item(
    item: RequestItem, pupil: Pupil, today: date, horizon: date
) -> DueItem | None:
    from sendesk.services.due import DueItem

    upcoming = [
        m for m in item.milestones if m.status in _OPEN and chased(m, item.decided_to_assess)
    ]
    if not upcoming:
        return None
    # Past its date, the latest step missed says most (week 23: the final plan, not the
    # week-16 notice); otherwise the next step to come.
    missed = [m for m in upcoming if m.due < today]
    m = missed[-1] if missed else upcoming[0]
    if m.due > horizon:
        return None
    text = f"{m.label} due {dmy(m.due)} ({item.la_name}, {item.clock})"
    if m.status == "red":
        text += ": the advice is late" if m.key == "advice" else ": the LA is late"
    if m.note:
        text += f"; {m.note}"
    return DueItem(
        m.due,
        _severity(m.due, m.status, today),
        KIND_REQUEST,
        pupil.id,
        pupil.display_name,
        pupil.upn,
        text,
    )


def _plan_due_items(plan: PlanItem, pupil: Pupil, today: date, horizon: date) -> list[DueItem]:
    from sendesk.services.due import DueItem

    items: list[DueItem] = []

    def add(due: date, kind: str, text: str) -> None:
        if due <= horizon:
            items.append(
                DueItem(
                    due,
                    _severity(due, "", today),
                    kind,
                    pupil.id,
                    pupil.display_name,
                    pupil.upn,
                    text,
                )
            )

    held = [r for r in plan.reviews if r.meeting_on <= today]
    booked = [r for r in plan.reviews if r.meeting_on > today]
    due, meeting_by = plan.next_review_due, plan.next_meeting_by
    if due is not None and meeting_by is not None:
        last = (
            f"the last review on {dmy(held[-1].meeting_on)}"
            if held
            else (f"the plan issued on {dmy(plan.issued_on)}")
        )
        if booked and booked[0].meeting_on <= meeting_by:
            meeting = booked[0]
            if meeting.invitations_sent_on is None:
                add(
                    meeting.invitations_by,
                    KIND_REVIEW,
                    f"Annual review meeting on {dmy(meeting.meeting_on)}: invitations and "
                    f"advice out by {dmy(meeting.invitations_by)} (2 weeks before)",
                )
        else:
            # CFA s44(1): within the 12 months starting with the plan or last review; the
            # LA decides within 4 weeks of the meeting (reg 20), inside those 12 months.
            text = (
                f"EHC plan annual review: hold the meeting by {dmy(meeting_by)}, so the LA "
                f"can decide by {dmy(due)} (within 12 months of {last})"
            )
            if booked:
                text += f"; the meeting booked for {dmy(booked[0].meeting_on)} is too late"
            add(meeting_by, KIND_REVIEW, text)
    transfer = plan.transfer_deadline
    # Only a recorded transfer (reg 18), and only ahead: nothing records it as done.
    if plan.ceased_on is None and transfer is not None and transfer >= today:
        to = plan.transfer_destination or "the new school or college"
        rule = transfer_source(plan.transfer_kind)
        moves = f" before the move on {dmy(plan.transfer_on)}" if plan.transfer_on else ""
        add(
            transfer,
            KIND_PHASE_TRANSFER,
            f"Phase transfer: the plan must be reviewed and amended to name {to} by "
            f"{dmy(transfer)}{moves} ({rule})",
        )
    if held:
        review = held[-1]
        if review.report_sent_on is None:
            add(
                review.report_due,
                KIND_REVIEW_PAPERWORK,
                f"Annual review report to the LA due {dmy(review.report_due)} "
                f"(2 weeks after the meeting on {dmy(review.meeting_on)})",
            )
        if not review.la_decision:
            add(
                review.la_decision_due,
                KIND_REVIEW_DECISION,
                f"LA's decision after the annual review due {dmy(review.la_decision_due)} "
                f"(4 weeks after the meeting on {dmy(review.meeting_on)}): "
                "keep, amend or cease",
            )
        due_amended = review.amended_plan_due
        if (
            due_amended is not None
            and review.amended_plan_on is None
            and review.amendments_proposed_on is not None
        ):
            text = (
                f"Final amended EHC plan due {dmy(due_amended)} (8 weeks after the "
                f"amendments proposed on {dmy(review.amendments_proposed_on)}, reg 22)"
            )
            add(
                due_amended,
                KIND_AMENDED_PLAN,
                text + (": the LA is late" if due_amended < today else ""),
            )
    return items


def ehc_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: each open request's next statutory milestone (late health and
    social care advice among them), and each live plan's annual review, review paperwork,
    the LA's decision after a review, the amended plan after proposed amendments and an
    approaching deadline for a recorded phase transfer (reg 18). A request still being
    prepared has no clock, so nothing is due for it.

    Pupils who have left the school are skipped.
    """
    return ehc_request_items(session, today, horizon_days) + ehc_plan_items(
        session, today, horizon_days
    )


def _present_pupils(session: Session, pupil_ids: set[int], today: date) -> dict[int, Pupil]:
    if not pupil_ids:
        return {}
    return {
        p.id: p
        for p in session.scalars(select(Pupil).where(Pupil.id.in_(pupil_ids)))
        if p.leaving_date is None or p.leaving_date >= today
    }


def ehc_request_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """The open requests' next statutory milestones: the SENCo's only (requests and where
    a case stands; on a PostgreSQL server nobody else may even read the rows)."""
    horizon = today + timedelta(days=horizon_days)
    requests = list(
        session.scalars(
            select(EhcRequest).where(
                EhcRequest.closed_on.is_(None), EhcRequest.final_issued_on.is_(None)
            )
        )
    )
    pupils = _present_pupils(session, {r.pupil_id for r in requests}, today)
    exceptions = exceptions_by_request(session, [r.id for r in requests])
    items: list[DueItem] = []
    for request in requests:
        pupil = pupils.get(request.pupil_id)
        if pupil is None:
            continue
        item = _request_due_item(
            # An exception shows by its kind, never its reason.
            request_item(request, exceptions[request.id], today, confidential=False),
            pupil,
            today,
            horizon,
        )
        if item is not None:
            items.append(item)
    return items


def ehc_plan_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """The live plans' annual reviews and what follows them (see :func:`ehc_items`): staff
    who work with the pupil see these too."""
    horizon = today + timedelta(days=horizon_days)
    plans = list(session.scalars(select(EhcPlan).where(EhcPlan.ceased_on.is_(None))))
    pupils = _present_pupils(session, {p.pupil_id for p in plans}, today)
    reviews: dict[int, list[AnnualReview]] = defaultdict(list)
    if plans:
        for review in session.scalars(
            select(AnnualReview).where(AnnualReview.plan_id.in_([p.id for p in plans]))
        ):
            reviews[review.plan_id].append(review)
    items: list[DueItem] = []
    for plan in plans:
        pupil = pupils.get(plan.pupil_id)
        if pupil is not None:
            items += _plan_due_items(
                plan_item(plan, reviews[plan.id], today), pupil, today, horizon
            )
    return items


def pupils_with_plans(session: Session) -> set[int]:
    """Ids of pupils with a live EHC plan recorded here: their annual review comes from the
    plan's dates (:func:`ehc_items`), so the register's own review item leaves them out."""
    return set(session.scalars(select(EhcPlan.pupil_id).where(EhcPlan.ceased_on.is_(None))))
