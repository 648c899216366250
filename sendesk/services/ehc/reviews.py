"""EHC annual reviews: recording, correcting and removing a review meeting and what the
LA decided after it.

Why: a review meeting restarts the 12-month clock and, when it recommends amending the
plan, starts the 8-week wait for the amended plan (reg 22).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import AnnualReview, EhcPlan
from sendesk.rules.dates import dmy
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.actor import Actor
from sendesk.services.bulk_rows import bulk
from sendesk.services.common import (
    add_audited,
    current_or_gone,
    get_or_gone,
    refuse,
    remove_audited,
    save_changes,
)
from sendesk.services.ehc.plans import sync_pupil_review
from sendesk.services.ehc.records import (
    CONFLICT,
    GONE,
    MEETING_AHEAD,
    RECOMMENDATIONS,
    ReviewData,
    check_date_fields,
    clean_texts,
    future_problems,
    joined_or,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

_REVIEW_TEXTS = {
    "attendees": "who attended",
    "pupil_views": "the pupil's views",
    "parent_views": "the parents' views",
    "summary": "the summary",
}


def _clean_review(data: ReviewData, today: date) -> dict[str, Any]:
    check_date_fields(data)
    problems: list[str] = []
    meeting = data.meeting_on
    if meeting is None:
        problems.append("the date of the review meeting is missing")
    elif meeting > today + MEETING_AHEAD:
        problems.append(f"the review meeting ({dmy(meeting)}) is more than a year ahead")
    problems += future_problems(
        today,
        {
            "date invitations were sent": data.invitations_sent_on,
            "date the report was sent": data.report_sent_on,
            "date of the LA's decision": data.la_decision_on,
            "date the amendments were proposed": data.amendments_proposed_on,
            "date of the amended plan": data.amended_plan_on,
        },
    )
    if meeting is not None:
        if data.invitations_sent_on and data.invitations_sent_on > meeting:
            problems.append(
                f"the invitations ({dmy(data.invitations_sent_on)}) are after the meeting "
                f"({dmy(meeting)})"
            )
        if data.report_sent_on and data.report_sent_on < meeting:
            problems.append(
                f"the report ({dmy(data.report_sent_on)}) is before the meeting ({dmy(meeting)})"
            )
        if data.la_decision_on and data.la_decision_on < meeting:
            problems.append(
                f"the LA's decision ({dmy(data.la_decision_on)}) is before the meeting "
                f"({dmy(meeting)})"
            )
    recommendation = data.recommendation.strip().lower()
    decision = data.la_decision.strip().lower()
    choices = joined_or(RECOMMENDATIONS)
    if recommendation and recommendation not in RECOMMENDATIONS:
        problems.append(f"the review's recommendation must be {choices}")
    if decision and decision not in RECOMMENDATIONS:
        problems.append(f"the LA's decision must be {choices}")
    if decision and data.la_decision_on is None:
        problems.append("give the date of the LA's decision")
    if data.la_decision_on is not None and not decision:
        problems.append("say what the LA decided (keep, amend or cease)")
    problems += _amendment_problems(data, decision)
    texts = clean_texts(data, _REVIEW_TEXTS, problems)
    refuse(problems)
    return {
        "meeting_on": meeting,
        "invitations_sent_on": data.invitations_sent_on,
        "report_sent_on": data.report_sent_on,
        "recommendation": recommendation,
        "la_decision": decision,
        "la_decision_on": data.la_decision_on,
        "amendments_proposed_on": data.amendments_proposed_on,
        "amended_plan_on": data.amended_plan_on,
        **texts,
    }


def _amendment_problems(data: ReviewData, decision: str) -> list[str]:
    """What is wrong with the amendment dates of a review (reg 22): they follow an LA
    decision to amend, the proposal comes with or after that decision (and the meeting),
    and the amended plan comes after the proposal."""
    proposed, amended = data.amendments_proposed_on, data.amended_plan_on
    if proposed is None and amended is None:
        return []
    if decision != "amend":
        now = (
            f"the LA's decision recorded is to {decision} it"
            if decision in RECOMMENDATIONS
            else "no decision to amend is recorded"
        )
        return [
            "the dates of proposed amendments and an amended plan only follow an LA "
            f"decision to amend the plan, and {now}"
        ]
    problems: list[str] = []
    if proposed is None:
        problems.append("give the date the amendments were proposed before the amended plan")
    else:
        floors = [(data.meeting_on, "the meeting"), (data.la_decision_on, "the LA's decision")]
        dated = [(d, what) for d, what in floors if d is not None]
        if dated:
            floor, what = max(dated, key=lambda x: x[0])
            if proposed < floor:
                problems.append(
                    f"the amendments proposed ({dmy(proposed)}) are before {what} ({dmy(floor)})"
                )
        if amended is not None and amended < proposed:
            problems.append(
                f"the amended plan ({dmy(amended)}) is before the amendments were proposed "
                f"({dmy(proposed)})"
            )
    return problems


def _review_fits_plan(plan: EhcPlan, values: dict[str, Any], review_id: int | None) -> None:
    meeting = values["meeting_on"]
    problems: list[str] = []
    if meeting < plan.issued_on:
        problems.append(
            f"the review meeting ({dmy(meeting)}) is before the plan was issued "
            f"({dmy(plan.issued_on)})"
        )
    if plan.ceased_on is not None and meeting > plan.ceased_on:
        problems.append(f"the plan ceased on {dmy(plan.ceased_on)}, before this meeting")
    if any(r.meeting_on == meeting and r.id != review_id for r in plan.reviews):
        problems.append(f"this plan already has a review meeting on {dmy(meeting)}")
    refuse(problems)


def record_review(
    db: Database, actor: Actor, plan_id: int, data: ReviewData, *, today: date | None = None
) -> int:
    """The SENCo records an annual review (a booked meeting, or one held); returns its id."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_review(data, today)
    with db.transaction() as s:
        plan: EhcPlan = get_or_gone(s, EhcPlan, plan_id, GONE)
        _review_fits_plan(plan, values, None)
        audit = AuditWriter(s, actor)
        review_id = add_audited(
            s,
            audit,
            AnnualReview(plan_id=plan.id, **values),
            "annual_review",
            {"pupil_id": plan.pupil_id, "plan_id": plan.id},
        )
        s.refresh(plan, ["reviews"])
        sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)
        return review_id


def update_review(
    db: Database,
    actor: Actor,
    review_id: int,
    version: int,
    data: ReviewData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo completes or corrects a review; returns its new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_review(data, today)
    with db.transaction() as s:
        row: AnnualReview = current_or_gone(s, AnnualReview, review_id, version, GONE, CONFLICT)
        plan: EhcPlan = get_or_gone(s, EhcPlan, row.plan_id, GONE)
        _review_fits_plan(plan, values, row.id)
        audit = AuditWriter(s, actor)
        detail = {"pupil_id": plan.pupil_id, "plan_id": plan.id}
        if not save_changes(s, audit, row, values, CONFLICT, "annual_review", detail):
            return row.version
        s.refresh(plan, ["reviews"])
        sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)
        return row.version


def remove_review(
    db: Database, actor: Actor, review_id: int, version: int, *, today: date | None = None
) -> None:
    """The SENCo removes an annual review recorded by mistake (a meeting booked ahead that
    will not happen, say); the plan's next review date moves back with it."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    with db.transaction() as s:
        row: AnnualReview = current_or_gone(s, AnnualReview, review_id, version, GONE, CONFLICT)
        plan: EhcPlan = get_or_gone(s, EhcPlan, row.plan_id, GONE)
        audit = AuditWriter(s, actor)
        remove_audited(
            s,
            audit,
            row,
            CONFLICT,
            "annual_review",
            {"pupil_id": plan.pupil_id, "plan_id": plan.id, "meeting_on": row.meeting_on},
        )
        s.refresh(plan, ["reviews"])
        sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)


# --- a school's past reviews in one call --------------------------------------------------


@dataclass(frozen=True)
class PastReviews:
    """A plan's annual reviews so far, as the SENCo records each (a meeting booked ahead
    may be the last); none at all keeps the pupil's next review date on the plan's issue."""

    plan_id: int
    reviews: tuple[ReviewData, ...] = ()


def _past_review_rows(
    plans: Sequence[PastReviews], found: dict[int, EhcPlan], today: date
) -> list[dict[str, Any]]:
    """Every review cleaned by :func:`_clean_review` and fitted to its plan by
    :func:`_review_fits_plan`, as :func:`record_review` checks one, and no plan given twice
    or with two reviews on a day; one sentence naming the first problems, else the rows."""
    problems: list[str] = []
    given = Counter(p.plan_id for p in plans)
    rows: list[dict[str, Any]] = []
    for past in plans:
        where = f"plan {past.plan_id}"
        plan = found.get(past.plan_id)
        if plan is None:
            problems.append(f"{where} is not in this database")
            continue
        if given[past.plan_id] > 1:
            problems.append(f"{where} is given more than once")
        days = Counter(r.meeting_on for r in past.reviews)
        for data in past.reviews:
            on = data.meeting_on
            at = f"{where}, the review of {dmy(on)}" if on else f"{where}, a review"
            try:
                values = _clean_review(data, today)
                _review_fits_plan(plan, values, None)
            except ValidationError as exc:
                problems.append(f"{at}: {as_clause(str(exc))}")
                continue
            if days[on] > 1:
                problems.append(f"{at}: it is given twice")
            rows.append({"plan_id": plan.id, **values, "version": 1})
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    return rows


def record_past_reviews(
    session: Session, audit: AuditWriter, plans: Sequence[PastReviews], *, today: date
) -> int:
    """Record each plan's past annual reviews in the caller's transaction (``session``,
    whose writer ``audit`` names who records them: the SENCo); returns how many.

    Why a batch: :func:`record_review` takes one review a transaction. A school's history
    (the demo school's plans first) is checked here with its rules, refused whole in one
    sentence if anything is wrong, written by executemany and audited once
    ("record_past_reviews"). Then, as after every review recorded, each plan's pupil has
    their next review date kept on the plan (:func:`~.plans.sync_pupil_review`, which
    audits a change it makes).
    """
    permit(audit.actor, Action.MANAGE_EHC)
    session.flush()
    ids = sorted({p.plan_id for p in plans})
    found: dict[int, EhcPlan] = {}
    for start in range(0, len(ids), 500):
        found.update(
            (plan.id, plan)
            for plan in session.scalars(
                select(EhcPlan)
                .where(EhcPlan.id.in_(ids[start : start + 500]))
                .options(selectinload(EhcPlan.reviews))
            )
        )
    rows = _past_review_rows(plans, found, today)
    if rows:
        session.execute(bulk(AnnualReview), rows)
    for past in plans:
        plan = found[past.plan_id]
        session.expire(plan, ["reviews"])  # read again with the reviews just written
        sync_pupil_review(session, audit, plan.pupil_id, today, plan.id)
    audit.record(
        "record_past_reviews",
        "annual_review",
        None,
        {"reviews": len(rows), "plan_ids": ids, "today": today},
    )
    return len(rows)
