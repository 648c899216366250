"""Recording pupils' past assess–plan–do–review cycles in one call: each plan with its
outcomes and provision, and the review of every cycle but the open one.

Why a batch: :func:`~.support_plans.create_plan` and :func:`~.support_plans.review_plan`
take one cycle at a time, a transaction and an audit event each, and read the pupil's
plans again each time. A school's history (the demo school's thousands of plans first;
another system's records next) is checked here with the same rules —
:func:`~sendesk.rules.support_plans.plan_problems` for each plan (a cycle starts no earlier
than the last review), :func:`~sendesk.rules.support_plans.review_problems` for each
review, only the last cycle open, provision naming interventions in the catalogue — then
written by executemany inside the caller's transaction and audited once per batch.

What it leaves alone: the pupil's next review date (the caller's register sets it, as the
demo's does) and causes for concern (a history has no concern waiting for its first plan).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.errors import ValidationError
from sendesk.models import Intervention, PlannedProvision, PlanOutcome, SupportPlan
from sendesk.rules.sentences import first_problems
from sendesk.rules.support_plans import PlanDraft, ReviewDraft, plan_problems, review_problems
from sendesk.services.bulk_rows import bulk, insert_rows
from sendesk.services.graduated.support_plans import clean_draft
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class PastReview:
    """A cycle's review: a result ("achieved", "partly", "not") and a comment for each
    outcome, in the plan's order."""

    reviewed_on: date
    results: tuple[str, ...]
    comments: tuple[str, ...] = ()
    review_summary: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class PastPlan:
    """One cycle as planned (written at ``created_at``) and, unless it is the open one,
    reviewed."""

    draft: PlanDraft
    created_at: datetime
    review: PastReview | None = None


@dataclass(frozen=True)
class PastCycles:
    """A pupil's cycles, oldest first: each after the one before, only the last open."""

    pupil_id: int
    plans: tuple[PastPlan, ...]


@dataclass(frozen=True)
class PastPlanCounts:
    """What :func:`record_past_plans` wrote."""

    support_plans: int
    plan_outcomes: int
    planned_provisions: int


def _review_draft(plan: PastPlan) -> ReviewDraft | None:
    """The review as :func:`~.support_plans.review_plan` would check it (outcomes named by
    their position)."""
    review = plan.review
    if review is None:
        return None
    return ReviewDraft(
        reviewed_on=review.reviewed_on,
        results=dict(enumerate(review.results, start=1)),
        comments=dict(enumerate(review.comments, start=1)),
        review_summary=review.review_summary.strip(),
        next_steps=review.next_steps.strip(),
    )


def _cycle_problems(
    where: str, cycles: PastCycles, drafts: list[PlanDraft], known: set[int], today: date
) -> list[str]:
    problems: list[str] = []
    not_before: date | None = None
    for n, (plan, draft) in enumerate(zip(cycles.plans, drafts, strict=True), start=1):
        at = f"{where}, cycle {n}"
        problems += [f"{at}: {p}" for p in plan_problems(draft, not_before=not_before)]
        problems += [
            f"{at}: provision {i} names an intervention that is not in the catalogue"
            for i, p in enumerate(draft.provisions, start=1)
            if p.intervention_id is not None and p.intervention_id not in known
        ]
        review = _review_draft(plan)
        if review is None:
            if n < len(cycles.plans):
                problems.append(f"{at}: only the last cycle may be without a review")
            continue
        positions = list(range(1, len(draft.outcomes) + 1))
        if len(plan.review.results) != len(positions):  # type: ignore[union-attr]
            problems.append(f"{at}: the review needs one result for each outcome")
        problems += [
            f"{at}: {p}" for p in review_problems(review, positions, draft.start_date, today)
        ]
        not_before = review.reviewed_on
    return problems


def record_past_plans(
    session: Session, audit: AuditWriter, cycles: Sequence[PastCycles], *, today: date
) -> PastPlanCounts:
    """Record each pupil's past cycles in the caller's transaction (``session``, whose
    writer ``audit`` names who records them, the SENCo, also each plan's author).

    Checked whole first (nothing is written if anything is wrong; a pupil who has plans
    already is refused: their history is theirs to continue through
    :func:`~.support_plans.create_plan`), then written by executemany, a cycle naming the
    one before it; one audit event ("record_past_plans") holds the counts.
    """
    permit(audit.actor, Action.EDIT_SUPPORT_PLANS)
    session.flush()
    known = set(session.scalars(select(Intervention.id)))
    pupil_ids = [c.pupil_id for c in cycles]
    problems: list[str] = []
    if len(set(pupil_ids)) != len(pupil_ids):
        problems.append("a pupil's cycles are given more than once")
    planned = set(session.scalars(select(SupportPlan.pupil_id).distinct()))
    if already := sorted(set(pupil_ids) & planned):
        problems.append(f"pupil {already[0]} has support plans already")
    drafts = [[clean_draft(p.draft) for p in c.plans] for c in cycles]
    for past, cleaned in zip(cycles, drafts, strict=True):
        problems += _cycle_problems(f"pupil {past.pupil_id}", past, cleaned, known, today)
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")

    # Plans go in level by level (every first cycle, then every second...), so each cycle
    # can name the one before it.
    author = audit.actor.user_id or None
    flat = [
        (past.pupil_id, level, plan, draft)
        for past, cleaned in zip(cycles, drafts, strict=True)
        for level, (plan, draft) in enumerate(zip(past.plans, cleaned, strict=True))
    ]
    plan_ids: list[int] = [0] * len(flat)
    deepest = max((level for _, level, _, _ in flat), default=-1)
    for level in range(deepest + 1):
        at = [i for i, row in enumerate(flat) if row[1] == level]
        rows: list[dict[str, Any]] = []
        for i in at:
            pupil_id, _, plan, draft = flat[i]
            review = _review_draft(plan)
            rows.append(
                {
                    "pupil_id": pupil_id,
                    "previous_plan_id": plan_ids[i - 1] if level else None,
                    "start_date": draft.start_date,
                    "review_due": draft.review_due,
                    "assessment": draft.assessment,
                    "pupil_views": draft.pupil_views,
                    "parent_views": draft.parent_views,
                    "reviewed_on": review.reviewed_on if review else None,
                    "review_summary": review.review_summary if review else "",
                    "next_steps": review.next_steps if review else "",
                    "created_by_id": author,
                    "created_at": plan.created_at,
                    "version": 1,
                }
            )
        new_ids = insert_rows(
            session, SupportPlan, rows, SupportPlan.pupil_id, SupportPlan.start_date
        )
        for i, plan_id in zip(at, new_ids, strict=True):
            plan_ids[i] = plan_id
    outcomes: list[dict[str, Any]] = []
    provisions: list[dict[str, Any]] = []
    for plan_id, (_, _, plan, draft) in zip(plan_ids, flat, strict=True):
        results = plan.review.results if plan.review else ()
        comments = plan.review.comments if plan.review else ()
        outcomes.extend(
            {
                "plan_id": plan_id,
                "position": n,
                "text": o.text,
                "area": o.area,
                "result": results[n - 1] if results else None,
                "review_comment": (comments[n - 1] if n <= len(comments) else "").strip(),
            }
            for n, o in enumerate(draft.outcomes, start=1)
        )
        provisions.extend(
            {
                "plan_id": plan_id,
                "position": n,
                "kind": p.kind,
                "description": p.description,
                "minutes_per_week": p.minutes_per_week,
                "intervention_id": p.intervention_id if p.kind == "intervention" else None,
            }
            for n, p in enumerate(draft.provisions, start=1)
        )
    if outcomes:
        session.execute(bulk(PlanOutcome), outcomes)
    if provisions:
        session.execute(bulk(PlannedProvision), provisions)
    counts = PastPlanCounts(len(plan_ids), len(outcomes), len(provisions))
    audit.record(
        "record_past_plans",
        "support_plan",
        None,
        {**dataclasses.asdict(counts), "pupils": len(cycles), "today": today},
    )
    return counts
