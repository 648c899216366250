"""Support plans: a pupil's assess–plan–do–review cycles, one plan per cycle.

Why this module exists: the chain of plans is the story a panel reads — what the school
assessed, what it planned, how each outcome went at the review, and what changed next.
The SENCo writes plans and reviews; learning support and teachers may read them (they
deliver the provision); read-only accounts may not see named pupils at all. Every change
is one transaction with its audit event, and saves compare the version the user opened
with the stored one, so a second saver is told rather than silently overwriting.

The rules of a plan and of a review are in :mod:`sendesk.rules.support_plans`; this module
adds the ones that need the database:

- **One open cycle at a time.** A new plan is refused while the pupil's current plan has
  not been reviewed: a cycle ends with its review, and the next one starts from it.
- **Carry-over.** A new plan links to the pupil's last (reviewed) plan as
  ``previous_plan_id`` and cannot start before that review. When the draft gives no
  outcomes of its own, the outcomes the review found *partly* or *not* achieved become
  the new plan's outcomes (text and area, results cleared); when the draft gives its own,
  those are used as they are — the editor offers the carried-over ones pre-filled
  (:func:`new_cycle_draft`), so the SENCo sees and may change them.
- **The pupil's next review date** (:attr:`Pupil.next_review_due`) follows the open cycle:
  creating a plan sets it to the plan's review date; moving the open plan's review date
  moves it too (when it still showed the old date); reviewing the plan clears it (when it
  still showed this plan's date), because the next date is only known when the next cycle
  is planned — until then the home page shows the gap. Pupils with an EHC plan are left
  alone: their date is the statutory annual review, which the EHC workflow keeps.
- **Corrections.** A plan may be edited after its review (a date or a wording put right),
  but its outcomes can then only be reworded, not added or removed, so every outcome keeps
  its judgement. A review may be corrected too; an earlier carry-over is not redone.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, ValidationError
from sendesk.models import (
    Intervention,
    PlannedProvision,
    PlanOutcome,
    Pupil,
    RegisterEntry,
    SupportPlan,
)
from sendesk.rules.census import Provision
from sendesk.rules.support_plans import (
    MAX_OUTCOMES,
    MEETINGS_A_YEAR,
    MIN_OUTCOMES,
    PROVISION_KINDS,
    RESULTS,
    OutcomeDraft,
    PlanDraft,
    PreviousOutcome,
    ProvisionDraft,
    ReviewDraft,
    carried_over,
    default_review_due,
    meetings_in_last_year,
    plan_problems,
    review_problems,
    rhythm_warnings,
    sentence,
    year_before,
)
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    data_of,
    flush_or_conflict,
    get_or_gone,
    permitted_pupil,
    pupil_or_gone,
    refuse,
    user_names,
)
from sendesk.services.graduated.concerns import link_first_plan
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:  # due.py lists this module's provider: import it lazily, no cycle
    from sendesk.services.due import DueItem

CONFLICT = (
    "Someone else changed this support plan since you opened it; reopen it to see their changes."
)
DUE_KIND = "plan review"
RHYTHM_KIND = "parent meetings"
"""The ``kind`` of the what's-due items :func:`plan_review_items` makes."""

_READ = "see named pupil records"
_WRITE = "change support plans"


# --- what the readers return ----------------------------------------------------------


@dataclass(frozen=True)
class OutcomeItem:
    """One SMART outcome of a plan and, once reviewed, how it went."""

    id: int
    position: int
    text: str
    area: str
    result: str | None  # "achieved" / "partly" / "not"; None before the review
    review_comment: str

    @property
    def result_label(self) -> str:
        return RESULTS.get(self.result or "", "Not yet reviewed")


@dataclass(frozen=True)
class ProvisionItem:
    """One piece of planned provision."""

    id: int
    position: int
    kind: str
    description: str
    minutes_per_week: int | None
    intervention_id: int | None
    intervention_name: str | None
    cost_per_hour_pence: int | None = None  # staff time's own rate; None: the school's default

    @property
    def kind_label(self) -> str:
        return PROVISION_KINDS.get(self.kind, self.kind)


class _Reviewed:
    """Whether a plan (listed or opened) is reviewed: it is once it has a review date."""

    reviewed_on: date | None

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_on is not None

    @property
    def status(self) -> str:
        """ "reviewed" or "open"."""
        return "reviewed" if self.is_reviewed else "open"


@dataclass(frozen=True)
class PlanSummary(_Reviewed):
    """A cycle as listed: its dates, whether it is reviewed and how the outcomes went."""

    id: int
    pupil_id: int
    cycle: int  # 1 for the pupil's first plan
    start_date: date
    review_due: date
    reviewed_on: date | None
    outcomes: int
    achieved: int
    partly: int
    not_achieved: int
    version: int


@dataclass(frozen=True)
class PlanDetail(_Reviewed):
    """One plan with its outcomes and provision, as plain data."""

    id: int
    pupil_id: int
    cycle: int
    previous_plan_id: int | None
    start_date: date
    review_due: date
    assessment: str
    pupil_views: str
    parent_views: str
    reviewed_on: date | None
    review_summary: str
    next_steps: str
    created_by: str
    created_at: datetime | None
    version: int
    outcomes: tuple[OutcomeItem, ...]
    provisions: tuple[ProvisionItem, ...]

    @property
    def achieved(self) -> int:
        return sum(1 for o in self.outcomes if o.result == "achieved")

    def draft(self) -> PlanDraft:
        """The plan as the editor starts from it (outcomes keep their ids)."""
        return data_of(
            self,
            PlanDraft,
            outcomes=tuple(OutcomeDraft(o.text, o.area, o.id) for o in self.outcomes),
            provisions=tuple(
                ProvisionDraft(p.kind, p.description, p.minutes_per_week, p.intervention_id)
                for p in self.provisions
            ),
        )


# --- helpers ------------------------------------------------------------------------------


def _read_plan(session: Session, plan_id: int) -> SupportPlan:
    plan = get_or_gone(
        session, SupportPlan, plan_id, "That support plan is not in this database.", NotFoundError
    )
    return plan


def _pupil_plans(session: Session, pupil_id: int) -> list[SupportPlan]:
    """The pupil's plans, oldest cycle first."""
    return list(
        session.scalars(
            select(SupportPlan)
            .where(SupportPlan.pupil_id == pupil_id)
            .order_by(SupportPlan.start_date, SupportPlan.id)
        )
    )


def _open_plan_sentence(plan: SupportPlan) -> str:
    return (
        f"This pupil's current support plan (started {plan.start_date:%d/%m/%Y}) has not "
        f"been reviewed yet; review it before starting a new cycle."
    )


def _has_ehc_plan(session: Session, pupil_id: int) -> bool:
    provision = session.scalar(
        select(RegisterEntry.provision).where(
            RegisterEntry.pupil_id == pupil_id, RegisterEntry.end_date.is_(None)
        )
    )
    return provision == Provision.E.value


def _set_next_review(
    session: Session, audit: AuditWriter, pupil: Pupil, value: date | None, plan_id: int
) -> None:
    """Set the pupil's next review date (not for EHC pupils: see the module docstring)."""
    if pupil.next_review_due == value or _has_ehc_plan(session, pupil.id):
        return
    pupil.next_review_due = value
    flush_or_conflict(session, CONFLICT)
    audit.record(
        "update",
        "pupil",
        pupil.id,
        {"fields": ["next_review_due"], "support_plan_id": plan_id},
    )


def _intervention_problems(session: Session, provisions: tuple[ProvisionDraft, ...]) -> list[str]:
    wanted = {p.intervention_id for p in provisions if p.intervention_id is not None}
    if not wanted:
        return []
    known = set(session.scalars(select(Intervention.id).where(Intervention.id.in_(wanted))))
    return [
        f"provision {i} names an intervention that is not in the catalogue"
        for i, p in enumerate(provisions, start=1)
        if p.intervention_id is not None and p.intervention_id not in known
    ]


def clean_draft(draft: PlanDraft) -> PlanDraft:
    """Surrounding blanks off every text (what is stored is what the rules checked)."""
    return dataclasses.replace(
        draft,
        assessment=draft.assessment.strip(),
        pupil_views=draft.pupil_views.strip(),
        parent_views=draft.parent_views.strip(),
        outcomes=tuple(
            dataclasses.replace(o, text=" ".join(o.text.split())) for o in draft.outcomes
        ),
        provisions=tuple(
            dataclasses.replace(p, description=p.description.strip()) for p in draft.provisions
        ),
    )


def _provision_rows(draft: PlanDraft) -> list[PlannedProvision]:
    return [
        PlannedProvision(
            position=i,
            kind=p.kind,
            description=p.description,
            minutes_per_week=p.minutes_per_week,
            intervention_id=p.intervention_id if p.kind == "intervention" else None,
        )
        for i, p in enumerate(draft.provisions, start=1)
    ]


def _provision_key(p: PlannedProvision | ProvisionDraft) -> tuple[Any, ...]:
    return (p.kind, p.description, p.minutes_per_week, p.intervention_id)


# --- reading ------------------------------------------------------------------------------


def list_plans(db: Database, actor: Actor, pupil_id: int) -> list[PlanSummary]:
    """The pupil's cycles, newest first, with how many outcomes went which way."""
    with db.session() as s:
        permitted_pupil(s, actor, Action.VIEW_SUPPORT_PLANS, pupil_id)
        plans = _pupil_plans(s, pupil_id)
        counts: dict[int, Counter[str | None]] = {p.id: Counter() for p in plans}
        if plans:
            for plan_id, result, n in s.execute(
                select(PlanOutcome.plan_id, PlanOutcome.result, func.count())
                .where(PlanOutcome.plan_id.in_(counts))
                .group_by(PlanOutcome.plan_id, PlanOutcome.result)
            ):
                counts[plan_id][result] += n
        summaries = [
            data_of(
                p,
                PlanSummary,
                cycle=cycle,
                outcomes=sum(counts[p.id].values()),
                achieved=counts[p.id]["achieved"],
                partly=counts[p.id]["partly"],
                not_achieved=counts[p.id]["not"],
            )
            for cycle, p in enumerate(plans, start=1)
        ]
        return summaries[::-1]


def get_plan(db: Database, actor: Actor, plan_id: int) -> PlanDetail:
    """One plan in full: its dates, texts, outcomes (with results) and provision."""
    permit(actor, Action.VIEW_SUPPORT_PLANS)
    with db.session() as s:
        plan = _read_plan(s, plan_id)
        permit_pupil(s, actor, Action.VIEW_SUPPORT_PLANS, plan.pupil_id)
        order = [
            pid
            for pid in s.scalars(
                select(SupportPlan.id)
                .where(SupportPlan.pupil_id == plan.pupil_id)
                .order_by(SupportPlan.start_date, SupportPlan.id)
            )
        ]
        return _details(s, [plan], {plan.id: order.index(plan.id) + 1})[0]


def plan_details(db: Database, actor: Actor, pupil_id: int) -> list[PlanDetail]:
    """Every cycle of the pupil's in full, oldest first, each as :func:`get_plan` gives it,
    read together (the EHC request pack shows the whole history)."""
    with db.session() as s:
        permitted_pupil(s, actor, Action.VIEW_SUPPORT_PLANS, pupil_id)
        plans = list(
            s.scalars(
                select(SupportPlan)
                .where(SupportPlan.pupil_id == pupil_id)
                .order_by(SupportPlan.start_date, SupportPlan.id)
                .options(selectinload(SupportPlan.outcomes), selectinload(SupportPlan.provisions))
            )
        )
        return _details(s, plans, {p.id: cycle for cycle, p in enumerate(plans, start=1)})


def _details(s: Session, plans: list[SupportPlan], cycles: dict[int, int]) -> list[PlanDetail]:
    """``plans`` in full, with their cycle numbers, the interventions' names and authors."""
    names: dict[int, str] = {}
    ids = {
        p.intervention_id
        for plan in plans
        for p in plan.provisions
        if p.intervention_id is not None
    }
    if ids:
        names = {
            iid: name
            for iid, name in s.execute(
                select(Intervention.id, Intervention.name).where(Intervention.id.in_(ids))
            )
        }
    authors = user_names(s, (plan.created_by_id for plan in plans))
    return [
        data_of(
            plan,
            PlanDetail,
            cycle=cycles[plan.id],
            assessment=plan.assessment or "",
            pupil_views=plan.pupil_views or "",
            parent_views=plan.parent_views or "",
            review_summary=plan.review_summary or "",
            next_steps=plan.next_steps or "",
            created_by=authors.get(plan.created_by_id, "Unknown")
            if plan.created_by_id
            else "Unknown",
            outcomes=tuple(
                OutcomeItem(o.id, o.position, o.text, o.area, o.result, o.review_comment or "")
                for o in plan.outcomes
            ),
            provisions=tuple(
                ProvisionItem(
                    p.id,
                    p.position,
                    p.kind,
                    p.description,
                    p.minutes_per_week,
                    p.intervention_id,
                    names.get(p.intervention_id) if p.intervention_id is not None else None,
                    p.cost_per_hour_pence,
                )
                for p in plan.provisions
            ),
        )
        for plan in plans
    ]


def intervention_choices(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """The active interventions in the catalogue, by name, for planning provision."""
    permit(actor, Action.VIEW_SUPPORT_PLANS)
    with db.session() as s:
        return [
            (iid, name)
            for iid, name in s.execute(
                select(Intervention.id, Intervention.name)
                .where(Intervention.active.is_(True))
                .order_by(Intervention.name)
            )
        ]


def new_cycle_draft(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> PlanDraft:
    """What the editor offers for a pupil's next cycle, starting from the last review.

    It starts on the day of that review or today, whichever is later, with the review due
    about a term on; the assessment quotes the review; the outcomes are those carried over
    (:func:`sendesk.rules.support_plans.carried_over`) and the provision is the last
    plan's, for the SENCo to change. Refused, as :func:`create_plan` would be, while the
    current plan is unreviewed.
    """
    permit(actor, Action.EDIT_SUPPORT_PLANS)
    today = today or date.today()
    with db.session() as s:
        pupil_or_gone(s, pupil_id)
        plans = _pupil_plans(s, pupil_id)
        open_plans = [p for p in plans if p.reviewed_on is None]
        if open_plans:
            raise ValidationError(_open_plan_sentence(open_plans[-1]))
        if not plans:
            return PlanDraft(today, default_review_due(today))
        last = plans[-1]
        assert last.reviewed_on is not None
        start = max(today, last.reviewed_on)
        quoted = [
            f"Review of {last.reviewed_on:%d/%m/%Y}"
            + (f": {last.review_summary}" if last.review_summary else "")
        ]
        if last.next_steps:
            quoted.append(f"What changes next: {last.next_steps}")
        return PlanDraft(
            start_date=start,
            review_due=default_review_due(start),
            assessment="\n".join(quoted),
            outcomes=carried_over(
                [PreviousOutcome(o.text, o.area, o.result) for o in last.outcomes]
            ),
            provisions=tuple(
                ProvisionDraft(p.kind, p.description, p.minutes_per_week, p.intervention_id)
                for p in last.provisions
            ),
        )


# --- writing ------------------------------------------------------------------------------


def create_plan(db: Database, actor: Actor, pupil_id: int, draft: PlanDraft) -> int:
    """The SENCo starts a pupil's next cycle; returns the new plan's id.

    Refused while the current plan is unreviewed. The new plan links to the last reviewed
    one and, when ``draft`` has no outcomes, takes the outcomes that review found partly or
    not achieved (see the module docstring). Sets the pupil's next review date.
    """
    permit(actor, Action.EDIT_SUPPORT_PLANS)
    draft = clean_draft(draft)
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        plans = _pupil_plans(s, pupil_id)
        open_plans = [p for p in plans if p.reviewed_on is None]
        if open_plans:
            raise ValidationError(_open_plan_sentence(open_plans[-1]))
        previous = plans[-1] if plans else None
        problems: list[str] = []
        carried = False
        if not draft.outcomes and previous is not None:
            outcomes = carried_over(
                [PreviousOutcome(o.text, o.area, o.result) for o in previous.outcomes]
            )
            carried = True
            if len(outcomes) < MIN_OUTCOMES:
                problems.append(
                    f"{'no outcome carries' if not outcomes else 'only 1 outcome carries'} "
                    f"over from the last review, and a plan needs {MIN_OUTCOMES} to "
                    f"{MAX_OUTCOMES}: give this cycle's outcomes"
                )
            draft = dataclasses.replace(draft, outcomes=outcomes)
        draft = dataclasses.replace(
            draft, outcomes=tuple(dataclasses.replace(o, id=None) for o in draft.outcomes)
        )
        not_before = previous.reviewed_on if previous is not None else None
        found = plan_problems(draft, not_before=not_before)
        if problems:  # the carry-over sentence says it better than the bare count
            found = [p for p in found if not p.startswith("a plan needs")]
        problems += found
        if draft.start_date < pupil.dob:
            problems.append("the plan cannot start before the pupil was born")
        problems += _intervention_problems(s, draft.provisions)
        refuse(problems)

        plan = SupportPlan(
            pupil_id=pupil_id,
            previous_plan_id=previous.id if previous is not None else None,
            start_date=draft.start_date,
            review_due=draft.review_due,
            assessment=draft.assessment,
            pupil_views=draft.pupil_views,
            parent_views=draft.parent_views,
            created_by_id=actor.user_id or None,
            outcomes=[
                PlanOutcome(position=i, text=o.text, area=o.area)
                for i, o in enumerate(draft.outcomes, start=1)
            ],
            provisions=_provision_rows(draft),
        )
        audit = AuditWriter(s, actor)
        add_audited(
            s,
            audit,
            plan,
            "support_plan",
            {
                "pupil_id": pupil_id,
                "previous_plan_id": plan.previous_plan_id,
                "outcomes": len(draft.outcomes),
                "carried_over": carried,
            },
        )
        link_first_plan(s, pupil_id, plan)
        _set_next_review(s, audit, pupil, plan.review_due, plan.id)
        return plan.id


def update_plan(db: Database, actor: Actor, plan_id: int, version: int, draft: PlanDraft) -> int:
    """The SENCo edits a plan; returns its new version (ConflictError when stale).

    Outcomes with an ``id`` edit that outcome (keeping any review result); outcomes without
    one are added, and the plan's outcomes missing from the draft are removed — except on a
    reviewed plan, whose outcomes may only be reworded. Nothing changed → nothing written.
    """
    permit(actor, Action.EDIT_SUPPORT_PLANS)
    draft = clean_draft(draft)
    with db.transaction() as s:
        plan = _read_plan(s, plan_id)
        check_version(plan.version, version, CONFLICT)
        pupil = pupil_or_gone(s, plan.pupil_id)
        previous = s.get(SupportPlan, plan.previous_plan_id) if plan.previous_plan_id else None
        later = s.scalar(
            select(func.min(SupportPlan.start_date)).where(SupportPlan.previous_plan_id == plan.id)
        )
        existing = {o.id: o for o in plan.outcomes}
        problems = plan_problems(
            draft, not_before=previous.reviewed_on if previous is not None else None
        )
        if any(o.id is not None and o.id not in existing for o in draft.outcomes):
            raise ConflictError(CONFLICT)  # an outcome removed by someone else meanwhile
        kept = {o.id for o in draft.outcomes if o.id is not None}
        if plan.reviewed_on is not None:
            if kept != set(existing) or len(draft.outcomes) != len(existing):
                problems.append(
                    "this plan has been reviewed, so its outcomes can be reworded but not "
                    "added or removed"
                )
            if draft.start_date > plan.reviewed_on:
                problems.append(
                    f"the plan cannot start after its review on {plan.reviewed_on:%d/%m/%Y}"
                )
        if later is not None and draft.start_date > later:
            problems.append(f"the plan cannot start after the next cycle began ({later:%d/%m/%Y})")
        if draft.start_date < pupil.dob:
            problems.append("the plan cannot start before the pupil was born")
        problems += _intervention_problems(s, draft.provisions)
        refuse(problems)

        changed: list[str] = [
            name
            for name in ("start_date", "review_due", "assessment", "pupil_views", "parent_views")
            if getattr(plan, name) != getattr(draft, name)
        ]
        before = [(o.id, o.text, o.area) for o in plan.outcomes]
        after = [(o.id, o.text, o.area) for o in draft.outcomes]
        if before != after:
            changed.append("outcomes")
        if [_provision_key(p) for p in plan.provisions] != [
            _provision_key(p) for p in _provision_rows(draft)
        ]:
            changed.append("provisions")
        if not changed:
            return plan.version

        old_review_due = plan.review_due
        for name in ("start_date", "review_due", "assessment", "pupil_views", "parent_views"):
            setattr(plan, name, getattr(draft, name))
        if "outcomes" in changed:
            rows: list[PlanOutcome] = []
            for i, o in enumerate(draft.outcomes, start=1):
                row = existing[o.id] if o.id is not None else PlanOutcome()
                row.position, row.text, row.area = i, o.text, o.area
                rows.append(row)
            plan.outcomes = rows
        if "provisions" in changed:
            plan.provisions = _provision_rows(draft)
        flag_modified(plan, "assessment")  # a new version even when only outcomes changed
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "update",
            "support_plan",
            plan.id,
            {"pupil_id": plan.pupil_id, "fields": sorted(changed)},
        )
        if (
            plan.reviewed_on is None
            and plan.review_due != old_review_due
            and pupil.next_review_due in (old_review_due, None)
        ):
            _set_next_review(s, audit, pupil, plan.review_due, plan.id)
        return plan.version


def review_plan(
    db: Database,
    actor: Actor,
    plan_id: int,
    version: int,
    reviewed_on: date,
    results: dict[int, str],
    comments: dict[int, str] | None = None,
    review_summary: str = "",
    next_steps: str = "",
    *,
    today: date | None = None,
) -> int:
    """The SENCo records a plan's review; returns its new version (ConflictError when stale).

    Every outcome needs a result ("achieved", "partly" or "not"); ``comments`` (by outcome
    id) are optional. A first review clears the pupil's next review date when it was this
    plan's (the next cycle sets a new one). Reviewing again corrects the review.
    """
    permit(actor, Action.EDIT_SUPPORT_PLANS)
    today = today or date.today()
    comments = dict(comments or {})
    review = ReviewDraft(
        reviewed_on=reviewed_on,
        results=dict(results),
        comments=comments,
        review_summary=review_summary.strip(),
        next_steps=next_steps.strip(),
    )
    with db.transaction() as s:
        plan = _read_plan(s, plan_id)
        check_version(plan.version, version, CONFLICT)
        outcome_ids = [o.id for o in plan.outcomes]
        problems = review_problems(review, outcome_ids, plan.start_date, today)
        later = s.scalar(
            select(func.min(SupportPlan.start_date)).where(SupportPlan.previous_plan_id == plan.id)
        )
        if later is not None and reviewed_on > later:
            problems.append(
                f"the review date cannot be after the next cycle began ({later:%d/%m/%Y})"
            )
        refuse(problems)

        first_review = plan.reviewed_on is None
        plan.reviewed_on = reviewed_on
        plan.review_summary = review.review_summary
        plan.next_steps = review.next_steps
        for outcome in plan.outcomes:
            outcome.result = results[outcome.id]
            outcome.review_comment = comments.get(outcome.id, "").strip()
        flag_modified(plan, "reviewed_on")
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "review" if first_review else "correct_review",
            "support_plan",
            plan.id,
            {
                "pupil_id": plan.pupil_id,
                "reviewed_on": reviewed_on,
                "results": dict(Counter(results[o] for o in outcome_ids)),
            },
        )
        pupil = pupil_or_gone(s, plan.pupil_id)
        if first_review and pupil.next_review_due == plan.review_due:
            _set_next_review(s, audit, pupil, None, plan.id)
        return plan.version


# --- what's due ---------------------------------------------------------------------------


def plan_review_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: unreviewed plans whose review is overdue or within the horizon.

    Pupils who have left the school are skipped (their plans need no review).
    """
    from sendesk.services.due import DueItem, with_pupils_here

    horizon = today + timedelta(days=horizon_days)
    rows = session.execute(
        select(SupportPlan.review_due, SupportPlan.start_date, SupportPlan.pupil_id)
        .where(SupportPlan.reviewed_on.is_(None), SupportPlan.review_due <= horizon)
        .order_by(SupportPlan.review_due, SupportPlan.id)
    ).all()
    items: list[DueItem] = []
    for (due, start, _pupil_id), pupil in with_pupils_here(session, rows, today):
        items.append(
            DueItem.for_pupil(
                pupil,
                due,
                today,
                DUE_KIND,
                f"Support plan review due {due:%d/%m/%Y} (the cycle began {start:%d/%m/%Y})",
            )
        )
    return items


def plan_warnings(draft: PlanDraft) -> list[str]:
    """What the SENCo is warned of (not refused) for a draft, as sentences: a review more
    than a term away (Code of Practice 6.65, :func:`rhythm_warnings`)."""
    return [sentence([w]) for w in rhythm_warnings(draft.start_date, draft.review_due)]


def parent_meeting_days(
    session: Session, pupil_ids: set[int], since: date
) -> dict[int, list[date]]:
    """Pupil id → the days parents are on record as met since ``since``.

    A support-plan review (``reviewed_on``) counts, and so does a plan's start when the
    parents' views were recorded for it, and so does a review meeting a parent or carer
    came to (:func:`sendesk.services.graduated.meetings.parent_days`).
    """
    days: dict[int, list[date]] = {pid: [] for pid in pupil_ids}
    rows = session.execute(
        select(
            SupportPlan.pupil_id,
            SupportPlan.start_date,
            SupportPlan.parent_views,
            SupportPlan.reviewed_on,
        ).where(
            SupportPlan.pupil_id.in_(pupil_ids),
            (SupportPlan.reviewed_on > since) | (SupportPlan.start_date > since),
        )
    )
    for pid, start, parent_views, reviewed_on in rows:
        if reviewed_on is not None:
            days[pid].append(reviewed_on)
        if (parent_views or "").strip():
            days[pid].append(start)
    from sendesk.services.graduated.meetings import parent_days

    for pid, held in parent_days(session, pupil_ids, since).items():
        days[pid] += held
    return days


def support_rhythm_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: pupils on SEN support (K) now, not leavers, met with parents
    fewer than three times in the last 12 months (Code of Practice 6.65)."""
    from sendesk.services.due import DueItem, display_name, pupil_rows
    from sendesk.services.register.register import open_statuses

    on_k = {pid for pid, c in open_statuses(session).items() if c.provision == Provision.K.value}
    if not on_k:
        return []
    days = parent_meeting_days(session, on_k, year_before(today))
    items: list[DueItem] = []
    for pupil in pupil_rows(session, on_k):
        if pupil.leaving_date is not None and pupil.leaving_date <= today:
            continue
        met = meetings_in_last_year(days[pupil.id], today)
        if met >= MEETINGS_A_YEAR:
            continue
        times = ("not once", "once", "twice")[met]
        items.append(
            DueItem(
                None,
                "gap",
                RHYTHM_KIND,
                pupil.id,
                display_name(pupil),
                pupil.upn,
                f"Parents met {times} in the last 12 months (counting support-plan reviews "
                "and plan starts with parents' views): on SEN support, at least three times "
                "a year (CoP 6.65)",
            )
        )
    return items


def open_plan_reviews(session: Session) -> dict[int, date]:
    """Pupil id → review date of their open (unreviewed) plan.

    For the register's own review item, which would otherwise repeat the plan review item
    when the pupil's next review date is the one the open plan set.
    """
    return {
        pupil_id: due
        for pupil_id, due in session.execute(
            select(SupportPlan.pupil_id, SupportPlan.review_due).where(
                SupportPlan.reviewed_on.is_(None)
            )
        )
    }


__all__ = [
    "CONFLICT",
    "DUE_KIND",
    "RHYTHM_KIND",
    "OutcomeDraft",
    "OutcomeItem",
    "PlanDetail",
    "PlanDraft",
    "PlanSummary",
    "ProvisionDraft",
    "ProvisionItem",
    "create_plan",
    "get_plan",
    "intervention_choices",
    "list_plans",
    "new_cycle_draft",
    "open_plan_reviews",
    "parent_meeting_days",
    "plan_details",
    "plan_review_items",
    "plan_warnings",
    "review_plan",
    "support_rhythm_items",
    "update_plan",
]
