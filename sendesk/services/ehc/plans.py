"""EHC plans: recording one once issued, correcting it, ceasing and reinstating it, and
each plan as the screens show it, with its reviews and the milestones computed from them.

Why: a plan starts the annual review clock (12 months from the plan or the last review),
so the pupil's next review date follows every change here; the milestones (paperwork, the
LA's decision, the amended plan, a phase transfer) are computed on every read because only
dates and decisions are stored, so a corrected date moves every milestone with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import AnnualReview, EhcPlan, EhcRequest, Pupil
from sendesk.rules import timeline
from sendesk.rules.dates import dmy
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.rules.timeline import (
    NO_TRANSFER,
    TRANSFER_KINDS,
    Milestone,
    amended_plan_due,
    amendment_response_ends,
    annual_review_due,
    la_review_decision_due,
    rag,
    review_invitations_by,
    review_meeting_by,
    review_report_due,
    transfer_deadline,
)
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    apply_changes,
    checked_text,
    current_or_gone,
    data_of,
    flush_or_conflict,
    of_known_pupils,
    pupil_or_gone,
    refuse,
    save_changes,
)
from sendesk.services.ehc.records import (
    CONFLICT,
    GONE,
    HOURS_MAX,
    SETTING_MAX,
    TOP_UP_MAX_PENCE,
    PlanData,
    PlanItem,
    ReviewItem,
    check_date_fields,
    check_dates,
    clean_la_name,
    clean_texts,
    one_line,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.store.audit import AuditWriter

_PLAN_TEXTS = {
    "needs": "the needs (section B)",
    "outcomes": "the outcomes (section E)",
    "provision": "the provision (section F)",
}


def _transfer_problems(kind: str, destination: str, moves_on: date | None) -> list[str]:
    """A recorded transfer needs its kind; a real move (not staying on) needs its date, from
    which reg 18 counts."""
    if kind not in TRANSFER_KINDS and kind != "":
        return [f"'{kind}' is not a kind of phase transfer"]
    problems: list[str] = []
    if len(destination) > SETTING_MAX:
        problems.append(f"the transfer destination is longer than {SETTING_MAX} characters")
    if not kind and (destination or moves_on is not None):
        problems.append("say what kind of phase transfer the destination or date is for")
    elif kind not in ("", NO_TRANSFER) and moves_on is None:
        problems.append("the date of the phase transfer is missing (reg 18 counts from it)")
    return problems


def clean_plan(data: PlanData, today: date) -> dict[str, Any]:
    check_date_fields(data)
    problems: list[str] = []
    if data.issued_on is None:
        problems.append("the date the plan was issued is missing")
    elif data.issued_on > today:
        problems.append(f"the plan's date ({dmy(data.issued_on)}) is in the future")
    la_name = clean_la_name(data.la_name, problems)
    setting = checked_text(data.named_setting, SETTING_MAX, "the named setting is", problems)
    texts = clean_texts(data, _PLAN_TEXTS, problems)
    kind = (data.transfer_kind or "").strip()
    destination = one_line(data.transfer_destination or "")
    problems += _transfer_problems(kind, destination, data.transfer_on)
    hours = data.hours_per_week
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours != hours:
            problems.append("the hours a week must be a number")
        elif not 0 <= hours <= HOURS_MAX:
            problems.append(f"the hours a week must be from 0 to {HOURS_MAX:g} (not {hours:g})")
    top_up = data.top_up_pence
    if top_up is not None:
        if isinstance(top_up, bool) or not isinstance(top_up, int):
            problems.append("the top-up funding must be a whole number of pence")
        elif not 0 <= top_up <= TOP_UP_MAX_PENCE:
            problems.append(
                f"the top-up funding must be from £0 to £{TOP_UP_MAX_PENCE // 100:,} a year"
            )
    refuse(problems)
    return {
        "issued_on": data.issued_on,
        "la_name": la_name,
        "named_setting": setting,
        "hours_per_week": float(hours) if hours is not None else None,
        "top_up_pence": top_up,
        "request_id": data.request_id,
        "transfer_kind": kind,
        "transfer_destination": destination,
        "transfer_on": data.transfer_on,
        **texts,
    }


def _check_plan_request(session: Session, pupil_id: int, values: dict[str, Any]) -> None:
    request_id = values["request_id"]
    if request_id is None:
        return
    request = session.get(EhcRequest, request_id)
    if request is None or request.pupil_id != pupil_id:
        raise ValidationError("The plan's request is not one of this pupil's EHC requests.")
    start = request.received_on or request.sent_on
    if start is not None and values["issued_on"] < start:
        raise ValidationError(
            f"The plan's date ({dmy(values['issued_on'])}) is before its request was "
            f"received ({dmy(start)})."
        )


def _held(reviews: list[AnnualReview], today: date) -> list[AnnualReview]:
    return [r for r in reviews if r.meeting_on <= today]


def _next_review_due(plan: EhcPlan, reviews: list[AnnualReview], today: date) -> date | None:
    if plan.ceased_on is not None:
        return None
    held = _held(reviews, today)
    anchor = max([plan.issued_on, *(r.meeting_on for r in held)])
    return annual_review_due(anchor)


def sync_pupil_review(
    session: Session, audit: AuditWriter, pupil_id: int, today: date, plan_id: int
) -> None:
    """Keep the pupil's next review date on the live plan's annual review (the register
    page shows it); the support-plan service leaves pupils with an EHC plan to this one."""
    pupil = pupil_or_gone(session, pupil_id)
    plans = list(
        session.scalars(
            select(EhcPlan).where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
        )
    )
    dues = [d for p in plans if (d := _next_review_due(p, list(p.reviews), today))]
    value = min(dues) if dues else None
    if value is None or pupil.next_review_due == value:
        return
    pupil.next_review_due = value
    flush_or_conflict(session, CONFLICT)
    audit.record(
        "update", "pupil", pupil.id, {"fields": ["next_review_due"], "ehc_plan_id": plan_id}
    )


def record_plan(
    db: Database, actor: Actor, pupil_id: int, data: PlanData, *, today: date | None = None
) -> int:
    """The SENCo records an issued EHC plan; returns its id. One live plan per pupil."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    clean_plan(data, today)  # refuse bad input before opening a transaction
    with db.transaction() as s:
        return add_plan(s, AuditWriter(s, actor), pupil_id, data, today)


def add_plan(
    session: Session,
    audit: AuditWriter,
    pupil_id: int,
    data: PlanData,
    today: date,
    *,
    sync_review: bool = True,
) -> int:
    """Record an issued plan inside the caller's transaction; returns its id.

    Why a function of its own: the status dialog records a plan and the change to E in one
    transaction (:func:`sendesk.services.register.register.change_status`), so neither is written
    without the other. The caller has checked the SENCo's role. ``sync_review`` False
    leaves the pupil's next review date alone: a past register's batch
    (:mod:`sendesk.services.register.past_register`) records plans issued years ago and
    gives the pupil's next review date itself.
    """
    values = clean_plan(data, today)
    pupil_or_gone(session, pupil_id)
    live = session.scalars(
        select(EhcPlan).where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
    ).first()
    if live is not None:
        raise ValidationError(
            f"This pupil already has an EHC plan (issued {dmy(live.issued_on)}); record "
            "when it ceased before adding another."
        )
    _check_plan_request(session, pupil_id, values)
    plan_id = add_audited(
        session, audit, EhcPlan(pupil_id=pupil_id, **values), "ehc_plan", {"pupil_id": pupil_id}
    )
    if sync_review:
        sync_pupil_review(session, audit, pupil_id, today, plan_id)
    return plan_id


def update_plan(
    db: Database,
    actor: Actor,
    plan_id: int,
    version: int,
    data: PlanData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects a plan (or records an amended one's summary); new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = clean_plan(data, today)
    with db.transaction() as s:
        row: EhcPlan = current_or_gone(s, EhcPlan, plan_id, version, GONE, CONFLICT)
        _check_plan_request(s, row.pupil_id, values)
        refuse(_issued_on_problems(row, values["issued_on"]))
        audit = AuditWriter(s, actor)
        if save_changes(s, audit, row, values, CONFLICT, "ehc_plan", {"pupil_id": row.pupil_id}):
            sync_pupil_review(s, audit, row.pupil_id, today, row.id)
        return row.version


def _issued_on_problems(row: EhcPlan, issued_on: date) -> list[str]:
    """A recorded plan's corrected date stays before its first review and its ceasing."""
    first = min((r.meeting_on for r in row.reviews), default=None)
    problems: list[str] = []
    if first is not None and issued_on > first:
        problems.append(
            f"the plan's date ({dmy(issued_on)}) is after its first review meeting ({dmy(first)})"
        )
    if row.ceased_on is not None and issued_on > row.ceased_on:
        problems.append(
            f"the plan's date ({dmy(issued_on)}) is after it ceased ({dmy(row.ceased_on)})"
        )
    return problems


def cease_plan(
    db: Database, actor: Actor, plan_id: int, version: int, on: date, *, today: date | None = None
) -> int:
    """The SENCo records the day the plan ceased (the LA's decision took effect): not in the
    future, nor before the plan was issued or its last review meeting."""
    permit(actor, Action.MANAGE_EHC)
    check_dates(on=on)
    today = today or date.today()
    with db.transaction() as s:
        return end_plan(s, AuditWriter(s, actor), plan_id, version, on, today)


def end_plan(
    session: Session, audit: AuditWriter, plan_id: int, version: int, on: date, today: date
) -> int:
    """Record the day a plan ceased inside the caller's transaction; returns its new version.

    Why a function of its own: as :func:`add_plan` records a plan with the move to E, a
    register history (the demo school's) ends the plan in the transaction that moves the
    pupil off E, and the pupil's next review date must go with it. The caller has checked
    the SENCo's role.
    """
    check_dates(on=on)
    row: EhcPlan = current_or_gone(session, EhcPlan, plan_id, version, GONE, CONFLICT)
    problems: list[str] = []
    if on is None:
        problems.append("give the date the plan ceased")
    elif on > today:
        problems.append(f"the date the plan ceased ({dmy(on)}) is in the future")
    elif on < row.issued_on:
        problems.append(
            f"the plan cannot cease ({dmy(on)}) before it was issued ({dmy(row.issued_on)})"
        )
    # As for a new review (_review_fits_plan): no meeting after the plan ceased, a booked
    # one included.
    last = max((r.meeting_on for r in row.reviews), default=None)
    if on is not None and last is not None and on < last and on >= row.issued_on:
        problems.append(
            f"the plan cannot cease ({dmy(on)}) before its last review meeting "
            f"({dmy(last)}); "
            "give a later date, or correct that meeting's date first"
        )
    if row.ceased_on is not None:
        problems.append(f"the plan already ceased on {dmy(row.ceased_on)}")
    refuse(problems)
    due_before = _next_review_due(row, list(row.reviews), today)
    row.ceased_on = on
    flush_or_conflict(session, CONFLICT)
    audit.record("cease", "ehc_plan", row.id, {"pupil_id": row.pupil_id, "on": on})
    pupil = pupil_or_gone(session, row.pupil_id)
    if due_before is not None and pupil.next_review_due == due_before:
        pupil.next_review_due = None
        flush_or_conflict(session, CONFLICT)
        audit.record(
            "update", "pupil", pupil.id, {"fields": ["next_review_due"], "ehc_plan_id": row.id}
        )
    return row.version


def reinstate_plan(
    db: Database, actor: Actor, plan_id: int, version: int, *, today: date | None = None
) -> int:
    """The SENCo undoes :func:`cease_plan` (a ceasing recorded by mistake, or one the LA
    withdrew): the plan is live again and its annual review due once more. Refused while the
    pupil has another live plan (one per pupil). Returns the plan's new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    with db.transaction() as s:
        row: EhcPlan = current_or_gone(s, EhcPlan, plan_id, version, GONE, CONFLICT)
        if row.ceased_on is None:
            raise ValidationError("This EHC plan has not ceased, so there is nothing to undo.")
        live = s.scalars(
            select(EhcPlan).where(
                EhcPlan.pupil_id == row.pupil_id,
                EhcPlan.ceased_on.is_(None),
                EhcPlan.id != row.id,
            )
        ).first()
        if live is not None:
            raise ValidationError(
                f"This pupil has another live EHC plan (issued {dmy(live.issued_on)}); "
                "record when that one ceased before reinstating this one."
            )
        ceased_on = row.ceased_on
        row.ceased_on = None
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "reinstate", "ehc_plan", row.id, {"pupil_id": row.pupil_id, "was_ceased_on": ceased_on}
        )
        sync_pupil_review(s, audit, row.pupil_id, today, row.id)
        return row.version


def _join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _amendment_milestones(proposed: date, amended: date | None, today: date) -> list[Milestone]:
    """After proposed amendments (reg 22): the family's 15 days to answer them, and the
    final amended plan within 8 weeks. The 15 days are the family's, never red: over once
    they have passed or the amended plan was issued."""
    ends = amendment_response_ends(proposed)
    label = "Family's 15 days on the proposed amendments"
    note = f"comments and a named school or college by {dmy(ends)}"
    if amended is not None and amended <= ends:
        response = Milestone(
            "amendment_response",
            label,
            ends,
            amended,
            "done",
            f"{note}; the amended plan was issued before the 15 days ended",
        )
    elif amended is not None or today > ends:
        response = Milestone("amendment_response", label, ends, ends, "done", note)
    else:
        response = Milestone("amendment_response", label, ends, None, rag(ends, today), note)
    due = amended_plan_due(proposed)
    return [
        response,
        Milestone(
            "amended_plan",
            "Final amended plan issued",
            due,
            amended,
            rag(due, today, amended),
            f"within 8 weeks of the amendments proposed on {dmy(proposed)}",
        ),
    ]


def _review_milestones(review: AnnualReview, anchor: date, today: date) -> list[Milestone]:
    """The statutory steps of one review: invitations, the meeting, report, decision, and
    after proposed amendments the family's 15 days and the amended plan.

    ``anchor`` is the plan's issue or the last review: the meeting is due 4 weeks before
    the 12 months starting with it end, so the LA's decision fits in them (CFA s44(1))."""
    due = review_meeting_by(anchor)
    meeting = review.meeting_on
    held = meeting <= today

    def step(key: str, label: str, by: date, done: date | None, note: str = "") -> Milestone:
        if not held and key in ("report", "la_decision"):
            return Milestone(key, label, by, None, "not applicable", "after the meeting")
        return Milestone(key, label, by, done, rag(by, today, done), note)

    invitations = review_invitations_by(meeting)
    marks = [
        step(
            "invitations",
            "Invitations and advice sent",
            invitations,
            review.invitations_sent_on,
            "at least 2 weeks before the meeting",
        ),
        Milestone(
            "meeting",
            "Annual review meeting",
            due,
            meeting if held else None,
            rag(due, today, meeting if held else None),
            _join_notes(
                f"booked for {dmy(meeting)}" if not held else "",
                f"the LA's decision by {dmy(annual_review_due(anchor))}, within 12 months",
            ),
        ),
        step(
            "report",
            "Review report to the LA",
            review_report_due(meeting),
            review.report_sent_on,
            "within 2 weeks of the meeting",
        ),
        step(
            "la_decision",
            "LA's decision: keep, amend or cease",
            la_review_decision_due(meeting),
            review.la_decision_on,
            "within 4 weeks of the meeting",
        ),
    ]
    if review.amendments_proposed_on is not None:
        marks += _amendment_milestones(review.amendments_proposed_on, review.amended_plan_on, today)
    return marks


def plan_item(plan: EhcPlan, reviews: list[AnnualReview], today: date) -> PlanItem:
    """A plan as screens see it: its reviews in meeting order, each with its statutory
    dates worked out, and what is due on ``today``."""
    ordered = sorted(reviews, key=lambda r: (r.meeting_on, r.id))
    items: list[ReviewItem] = []
    anchor = plan.issued_on
    for r in ordered:
        proposed = r.amendments_proposed_on
        items.append(
            data_of(
                r,
                ReviewItem,
                attendees=r.attendees or "",
                pupil_views=r.pupil_views or "",
                parent_views=r.parent_views or "",
                summary=r.summary or "",
                recommendation=r.recommendation or "",
                la_decision=r.la_decision or "",
                invitations_by=review_invitations_by(r.meeting_on),
                report_due=review_report_due(r.meeting_on),
                la_decision_due=la_review_decision_due(r.meeting_on),
                milestones=_review_milestones(r, anchor, today),
                amendment_response_ends=amendment_response_ends(proposed) if proposed else None,
                amended_plan_due=amended_plan_due(proposed) if proposed else None,
            )
        )
        anchor = max(anchor, r.meeting_on)
    next_due = _next_review_due(plan, ordered, today)
    meeting_by = next_due - timedelta(weeks=timeline.REVIEW_DECISION_WEEKS) if next_due else None
    return data_of(
        plan,
        PlanItem,
        named_setting=plan.named_setting or "",
        needs=plan.needs or "",
        outcomes=plan.outcomes or "",
        provision=plan.provision or "",
        reviews=items,
        next_review_due=next_due,
        next_review_status=rag(meeting_by, today) if meeting_by else "",
        next_meeting_by=meeting_by,
        transfer_kind=plan.transfer_kind or "",
        transfer_destination=plan.transfer_destination or "",
        transfer_deadline=transfer_deadline(plan.transfer_kind or "", plan.transfer_on),
    )


def list_plans(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> list[PlanItem]:
    """A pupil's EHC plans, newest first, each with its reviews and next review date."""
    today = today or date.today()
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_EHC_PLANS, pupil_id)
        pupil_or_gone(s, pupil_id)
        plans = list(s.scalars(select(EhcPlan).where(EhcPlan.pupil_id == pupil_id)))
        items = [plan_item(p, list(p.reviews), today) for p in plans]
    return sorted(items, key=lambda p: (p.issued_on, p.id), reverse=True)


# --- a school's plans in one call ---------------------------------------------------------


@dataclass(frozen=True)
class PastPlan:
    """An EHC plan a pupil holds, for :func:`record_past_ehc_plans`: a new one (``plan_id``
    None, as :func:`add_plan` records it), or the plan already recorded (``plan_id``: the
    one the register's move to E recorded, say) with its details as they stand, as
    :func:`update_plan` corrects it."""

    pupil_id: int
    data: PlanData
    plan_id: int | None = None


def _loaded_plans(
    session: Session, pupil_ids: list[int], plan_ids: list[int]
) -> tuple[set[int], dict[int, EhcPlan], dict[int, EhcPlan]]:
    """(the pupils that exist, each pupil's live plan, the plans asked for by id with their
    reviews), a few queries for the whole batch."""
    known: set[int] = set()
    live: dict[int, EhcPlan] = {}
    found: dict[int, EhcPlan] = {}
    for start in range(0, max(len(pupil_ids), len(plan_ids)), 500):
        pupils, ids = pupil_ids[start : start + 500], plan_ids[start : start + 500]
        known.update(session.scalars(select(Pupil.id).where(Pupil.id.in_(pupils))))
        for plan in session.scalars(
            select(EhcPlan)
            .where(EhcPlan.pupil_id.in_(pupils), EhcPlan.ceased_on.is_(None))
            .order_by(EhcPlan.id)
        ):
            live.setdefault(plan.pupil_id, plan)
        found.update(
            (plan.id, plan)
            for plan in session.scalars(
                select(EhcPlan).where(EhcPlan.id.in_(ids)).options(selectinload(EhcPlan.reviews))
            )
        )
    return known, live, found


def record_past_ehc_plans(
    session: Session, audit: AuditWriter, plans: Sequence[PastPlan], *, today: date
) -> list[int]:
    """Record pupils' EHC plans in the caller's transaction (``session``, whose writer
    ``audit`` names who records them: the SENCo); returns the plans' ids in order.

    Why a batch: :func:`record_plan` and :func:`update_plan` take one plan a transaction.
    A school's history (the demo school's plans first, and the plan its register records
    on a move to E) is checked here with their rules — :func:`clean_plan`, the plan's
    request the pupil's own, one live plan a pupil, a recorded plan's date before its
    first review — refused whole in one sentence naming the first problems, written and
    audited once ("record_past_ehc_plans"). Then, as after every plan recorded, each pupil's
    next review date is kept on their live plan (:func:`sync_pupil_review`).
    """
    permit(audit.actor, Action.MANAGE_EHC)
    session.flush()
    pupil_ids = sorted({p.pupil_id for p in plans})
    asked = Counter(p.plan_id for p in plans if p.plan_id is not None)
    known, live, found = _loaded_plans(session, pupil_ids, sorted(asked))
    problems: list[str] = []
    changes: list[tuple[EhcPlan, dict[str, Any]]] = []
    added: set[int] = set()
    for where, past in of_known_pupils(plans, "plan", known, problems):
        try:
            values = clean_plan(past.data, today)
            _check_plan_request(session, past.pupil_id, values)
        except ValidationError as exc:
            problems.append(f"{where}: {as_clause(str(exc))}")
            continue
        row = found.get(past.plan_id) if past.plan_id is not None else None
        if past.plan_id is None:
            held = live.get(past.pupil_id)
            if held is not None:
                problems.append(
                    f"{where}: the pupil already has an EHC plan (issued {dmy(held.issued_on)})"
                )
            elif past.pupil_id in added:
                problems.append(f"{where}: the pupil is given a second live EHC plan")
            added.add(past.pupil_id)
            row = EhcPlan(pupil_id=past.pupil_id)
        elif row is None or row.pupil_id != past.pupil_id:
            problems.append(f"{where}: plan {past.plan_id} is not one of this pupil's EHC plans")
            continue
        elif asked[past.plan_id] > 1:
            problems.append(f"{where}: plan {past.plan_id} is given more than once")
        else:
            problems += [f"{where}: {p}" for p in _issued_on_problems(row, values["issued_on"])]
        changes.append((row, values))
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    for row, values in changes:
        apply_changes(row, values)
    session.add_all(row for row, _ in changes if row.id is None)
    flush_or_conflict(session, CONFLICT)
    ids = [int(row.id) for row, _ in changes]
    for row, _ in changes:
        sync_pupil_review(session, audit, row.pupil_id, today, row.id)
    audit.record(
        "record_past_ehc_plans",
        "ehc_plan",
        None,
        {
            "added": sum(p.plan_id is None for p in plans),
            "updated": len(asked),
            "plan_ids": ids,
            "today": today,
        },
    )
    return ids
