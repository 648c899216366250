"""Causes for concern: raised by the staff who teach a pupil, decided by the SENCo (issue 15).

Why a service of its own: a concern is how most pupils reach the SEND register, and the
EHC panel later asks when needs were first noticed and what was tried first. A teacher or
learning support raises one about a pupil they work with (what they see, the area of
need, what they tried and for how long, work samples as evidence documents); the SENCo
sees new concerns on "what's due", may ask for more evidence (the raiser's "what's due"
shows it), and decides: *monitor* (with a date to look again, on "what's due" then),
*assess* (the pupil's first support-plan cycle, written in the usual editor, links back
to the concern: :func:`link_first_plan`), or *add to the register* at K with the primary
need (through :func:`sendesk.services.register.register.apply_change`, in the same
transaction). Every step is a dated row that is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import Concern, ConcernStep, EvidenceDocument, SupportPlan, User
from sendesk.rules import concerns as rules
from sendesk.rules.census import ON_REGISTER, describe, normalise_need
from sendesk.rules.confidentiality import STAFF
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    checked_text,
    data_of,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
)
from sendesk.services.evidence.evidence import CheckedDocument, check_document, store_document
from sendesk.services.permissions import Action, permit, permit_pupil, pupils_allowed
from sendesk.services.register.register import (
    CurrentStatus,
    apply_change,
    check_census,
    lock_current,
)
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

CONFLICT = "Someone else changed this concern since you opened it; reopen it to see their changes."
GONE = "That concern has been removed since you opened it."
DECIDE_WITHIN_DAYS = 14
"""How soon "what's due" asks the SENCo to decide on a new concern, or the raiser to add
the evidence asked for: two weeks, a school's sensible default (no statute sets it)."""
PLAN_WITHIN_DAYS = 28
"""How soon after deciding to assess the first support plan should be written."""

KIND_NEW = "concern"
KIND_EVIDENCE = "concern evidence"
KIND_REVIEW = "concern review"


@dataclass(frozen=True)
class WorkSample:
    """A work sample to attach: a file (or its bytes and name) and a title."""

    source: Path | str | bytes
    title: str
    filename: str | None = None
    taken_on: date | None = None


@dataclass(frozen=True)
class StepItem:
    """One dated step as the concern's history shows it."""

    kind: str
    taken_on: date
    by: str
    text: str
    review_on: date | None
    need_code: str | None

    @property
    def words(self) -> str:
        """ "Decided: monitor — look again on 02/02/2027" and the like."""
        label = rules.STEP_WORDS.get(self.kind, self.kind)
        if self.review_on is not None:
            label += f" — look again on {self.review_on:%d/%m/%Y}"
        if self.need_code:
            label += f" — {self.need_code} ({describe(self.need_code)})"
        return label


@dataclass(frozen=True)
class ConcernItem:
    """A concern with its history, for the pupil's record, "what's due" and the pack."""

    id: int
    pupil_id: int
    raised_on: date
    raised_by: str
    area: str
    seen: str
    tried: str
    tried_weeks: int
    status: str
    review_on: date | None
    support_plan_id: int | None
    support_plan_start: date | None
    document_ids: tuple[int, ...]
    steps: tuple[StepItem, ...]
    version: int

    @property
    def status_words(self) -> str:
        return rules.STATUS_WORDS.get(self.status, self.status)

    @property
    def tried_words(self) -> str:
        """What was tried and for how long, or "nothing tried yet" (the SENCo's cue)."""
        if not self.tried.strip():
            return "Nothing tried yet"
        weeks = f"{self.tried_weeks} week{'s' if self.tried_weeks != 1 else ''}"
        return f"{self.tried.strip()} (for {weeks})"


def _clean_text(text: str, limit: int, what: str) -> str:
    problems: list[str] = []
    clean = checked_text(text, limit, f"{what} is", problems, lines=True)
    refuse(problems)
    return clean


def _check_samples(samples: tuple[WorkSample, ...], today: date) -> list[CheckedDocument]:
    """Every sample read and checked before the transaction (nothing half-written)."""
    return [
        check_document(s.source, s.title, s.taken_on, filename=s.filename, today=today)
        for s in samples
    ]


def _step(
    session: Session, actor: Actor, concern: Concern, kind: str, on: date, **extra: object
) -> None:
    session.add(
        ConcernStep(
            concern_id=concern.id, kind=kind, taken_on=on, by_id=actor.user_id or None, **extra
        )
    )


def raise_concern(
    db: Database,
    actor: Actor,
    pupil_id: int,
    draft: rules.ConcernDraft,
    samples: tuple[WorkSample, ...] = (),
    *,
    today: date | None = None,
) -> int:
    """A member of staff raises a concern about a pupil they work with; returns its id."""
    permit(actor, Action.RAISE_CONCERN)
    today = today or date.today()
    draft = rules.ConcernDraft(
        area=draft.area,
        seen=draft.seen.strip(),
        tried=draft.tried.strip(),
        tried_weeks=draft.tried_weeks,
        raised_on=draft.raised_on,
    )
    refuse(rules.draft_problems(draft, today))
    docs = _check_samples(samples, today)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        permit_pupil(s, actor, Action.RAISE_CONCERN, pupil_id)
        concern = Concern(
            pupil_id=pupil_id,
            raised_by_id=actor.user_id or None,
            raised_on=draft.raised_on,
            area=draft.area,
            seen=draft.seen,
            tried=draft.tried,
            tried_weeks=draft.tried_weeks,
            status=rules.NEW,
        )
        add_audited(
            s,
            AuditWriter(s, actor),
            concern,
            "concern",
            {"pupil_id": pupil_id, "area": draft.area, "samples": len(docs)},
        )
        _step(s, actor, concern, rules.RAISED, draft.raised_on)
        for doc in docs:
            store_document(s, actor, pupil_id, doc, STAFF, concern_id=concern.id)
        return concern.id


def _open_concern(
    s: Session, actor: Actor, action: Action, concern_id: int, version: int
) -> Concern:
    concern = get_or_gone(s, Concern, concern_id, GONE)
    permit_pupil(s, actor, action, concern.pupil_id)
    check_version(concern.version, version, CONFLICT)
    return concern


def ask_for_evidence(
    db: Database,
    actor: Actor,
    concern_id: int,
    version: int,
    what: str,
    *,
    on: date | None = None,
) -> int:
    """The SENCo asks the raiser for more evidence; returns the concern's new version."""
    permit(actor, Action.DECIDE_CONCERNS)
    on = on or date.today()
    what = _clean_text(what, rules.NOTE_MAX, "what you ask for")
    if not what:
        raise ValidationError("Say what evidence you would like to see.")
    with db.transaction() as s:
        concern = _open_concern(s, actor, Action.DECIDE_CONCERNS, concern_id, version)
        if concern.status not in rules.DECIDABLE:
            raise ValidationError(f"This concern is already decided: {concern_status(concern)}.")
        _check_not_before(concern, on)
        concern.status = rules.EVIDENCE_ASKED
        _step(s, actor, concern, rules.EVIDENCE_ASKED, on, text=what)
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "concern",
            concern.id,
            {"pupil_id": concern.pupil_id, "step": "evidence asked"},
        )
        return concern.version


def add_evidence(
    db: Database,
    actor: Actor,
    concern_id: int,
    version: int,
    text: str,
    samples: tuple[WorkSample, ...] = (),
    *,
    on: date | None = None,
) -> int:
    """A member of staff who works with the pupil adds evidence (words and/or work
    samples); a concern waiting for evidence goes back to the SENCo. Returns the version."""
    permit(actor, Action.RAISE_CONCERN)
    on = on or date.today()
    text = _clean_text(text, rules.NOTE_MAX, "the evidence")
    if not text and not samples:
        raise ValidationError("Add what you have noticed since, or a work sample.")
    docs = _check_samples(samples, on)
    with db.transaction() as s:
        concern = _open_concern(s, actor, Action.RAISE_CONCERN, concern_id, version)
        _check_not_before(concern, on)
        if concern.status == rules.EVIDENCE_ASKED:
            concern.status = rules.NEW
        _step(s, actor, concern, rules.EVIDENCE_ADDED, on, text=text)
        flag_modified(concern, "status")  # the new step changes the concern: a new version
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "concern",
            concern.id,
            {"pupil_id": concern.pupil_id, "step": "evidence added", "samples": len(docs)},
        )
        for doc in docs:
            store_document(s, actor, concern.pupil_id, doc, STAFF, concern_id=concern.id)
        return concern.version


def _check_not_before(concern: Concern, on: date) -> None:
    if on < concern.raised_on:
        raise ValidationError(
            f"The date {on:%d/%m/%Y} is before the concern was raised "
            f"({concern.raised_on:%d/%m/%Y})."
        )


def concern_status(concern: Concern) -> str:
    return rules.STATUS_WORDS.get(concern.status, concern.status).lower()


def decide(
    db: Database,
    actor: Actor,
    concern_id: int,
    version: int,
    decision: str,
    *,
    on: date | None = None,
    review_on: date | None = None,
    need_code: str | None = None,
    note: str = "",
) -> int:
    """The SENCo decides what happens; returns the concern's new version.

    *register* moves the pupil to K with ``need_code`` as the primary need, in this same
    transaction (refused if the pupil is already on the register); *assess* waits for the
    first support plan, which :func:`link_first_plan` ties back; *monitor* puts the date to
    look again on "what's due".
    """
    permit(actor, Action.DECIDE_CONCERNS)
    on = on or date.today()
    note = _clean_text(note, rules.NOTE_MAX, "the note")
    code = None
    if need_code:
        code, problem = normalise_need(need_code)
        refuse([problem] if problem else [])
    with db.transaction() as s:
        concern = _open_concern(s, actor, Action.DECIDE_CONCERNS, concern_id, version)
        if concern.status not in rules.DECIDABLE:
            raise ValidationError(f"This concern is already decided: {concern_status(concern)}.")
        refuse(rules.decision_problems(decision, on, review_on, code, concern.raised_on))
        audit = AuditWriter(s, actor)
        if decision == rules.REGISTER:
            assert code is not None
            check_census("K", [code])
            current = lock_current(s, [concern.pupil_id]).get(
                concern.pupil_id, CurrentStatus(None, [])
            )
            if current.provision in ON_REGISTER:
                raise ValidationError(
                    f"The pupil is already on the register ({current.provision}); change "
                    "their needs on the register instead."
                )
            apply_change(
                s, audit, concern.pupil_id, current, "K", [code], on,
                f"Cause for concern raised {concern.raised_on:%d/%m/%Y}",
            )  # fmt: skip
        concern.status = decision
        concern.review_on = review_on if decision == rules.MONITOR else None
        if decision == rules.ASSESS:
            # a cycle already started since the concern was raised is its first plan
            concern.support_plan_id = s.scalar(
                select(SupportPlan.id)
                .where(
                    SupportPlan.pupil_id == concern.pupil_id,
                    SupportPlan.start_date >= concern.raised_on,
                )
                .order_by(SupportPlan.start_date, SupportPlan.id)
                .limit(1)
            )
        _step(
            s, actor, concern, decision, on, text=note,
            review_on=concern.review_on, need_code=code,
        )  # fmt: skip
        flush_or_conflict(s, CONFLICT)
        audit.record(
            "update",
            "concern",
            concern.id,
            {"pupil_id": concern.pupil_id, "step": decision, "need_code": code},
        )
        return concern.version


def link_first_plan(session: Session, pupil_id: int, plan: SupportPlan) -> None:
    """Called as a support plan is created: a concern decided *assess* and not yet tied to
    a plan is tied to this one (the first cycle "links back to the concern")."""
    session.execute(
        update(Concern)
        .where(
            Concern.pupil_id == pupil_id,
            Concern.status == rules.ASSESS,
            Concern.support_plan_id.is_(None),
        )
        .values(support_plan_id=plan.id, version=Concern.version + 1)
        .execution_options(synchronize_session=False)
    )


def _items(s: Session, concerns: list[Concern]) -> list[ConcernItem]:
    if not concerns:
        return []
    ids = [c.id for c in concerns]
    names: dict[int, str] = {
        uid: name for uid, name in s.execute(select(User.id, User.display_name))
    }
    docs: dict[int, list[int]] = {}
    for doc_id, concern_id in s.execute(
        select(EvidenceDocument.id, EvidenceDocument.concern_id)
        .where(EvidenceDocument.concern_id.in_(ids), EvidenceDocument.confidentiality == STAFF)
        .order_by(EvidenceDocument.id)
    ):
        docs.setdefault(concern_id, []).append(doc_id)
    plan_ids = [c.support_plan_id for c in concerns if c.support_plan_id]
    starts: dict[int, date] = {
        pid: start
        for pid, start in s.execute(
            select(SupportPlan.id, SupportPlan.start_date).where(SupportPlan.id.in_(plan_ids))
        )
    }
    steps: dict[int, list[StepItem]] = {}
    for row in s.scalars(
        select(ConcernStep).where(ConcernStep.concern_id.in_(ids)).order_by(ConcernStep.id)
    ):
        steps.setdefault(row.concern_id, []).append(
            StepItem(
                row.kind,
                row.taken_on,
                names.get(row.by_id, "") if row.by_id else "",
                row.text,
                row.review_on,
                row.need_code,
            )
        )
    return [
        data_of(
            c,
            ConcernItem,
            raised_by=names.get(c.raised_by_id, "") if c.raised_by_id else "",
            support_plan_start=starts.get(c.support_plan_id) if c.support_plan_id else None,
            document_ids=tuple(docs.get(c.id, ())),
            steps=tuple(steps.get(c.id, ())),
        )
        for c in concerns
    ]


def list_concerns(db: Database, actor: Actor, pupil_id: int) -> list[ConcernItem]:
    """A pupil's concerns, the latest first, each with its steps and work samples."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_CONCERNS, pupil_id)
        rows = s.scalars(
            select(Concern)
            .where(Concern.pupil_id == pupil_id)
            .order_by(Concern.raised_on.desc(), Concern.id.desc())
        ).all()
        return _items(s, list(rows))


def concerns_of(session: Session, pupil_id: int) -> list[ConcernItem]:
    """A pupil's concerns, oldest first, for readers that have checked permission already
    (the EHC pack's graduated-response history)."""
    rows = session.scalars(
        select(Concern).where(Concern.pupil_id == pupil_id).order_by(Concern.raised_on, Concern.id)
    ).all()
    return _items(session, list(rows))


def open_concerns(db: Database, actor: Actor) -> list[ConcernItem]:
    """Every concern waiting for the SENCo (new, or with the evidence they asked for),
    of the pupils the actor may see concerns of, oldest first."""
    with db.session() as s:
        allowed = pupils_allowed(s, actor, Action.VIEW_CONCERNS)
        stmt = select(Concern).where(Concern.status.in_(rules.OPEN)).order_by(Concern.raised_on)
        if allowed is not None:
            stmt = stmt.where(Concern.pupil_id.in_(allowed))
        return _items(s, list(s.scalars(stmt)))


def concern_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: new concerns for the SENCo to decide, evidence asked of the
    staff who work with the pupil, monitoring dates, and a first support plan to write
    after deciding to assess."""
    from sendesk.services.due import DueItem, with_pupils_here

    horizon = today + timedelta(days=horizon_days)
    concerns = session.scalars(
        select(Concern).where(
            Concern.status.in_(rules.OPEN | {rules.MONITOR})
            | ((Concern.status == rules.ASSESS) & Concern.support_plan_id.is_(None))
        )
    ).all()
    if not concerns:
        return []
    last_step: dict[int, date] = {}
    for concern_id, taken_on in session.execute(
        select(ConcernStep.concern_id, ConcernStep.taken_on)
        .where(ConcernStep.concern_id.in_([c.id for c in concerns]))
        .order_by(ConcernStep.id)
    ):
        last_step[concern_id] = taken_on
    items: list[DueItem] = []
    for c, pupil in with_pupils_here(session, concerns, today):
        since = last_step.get(c.id, c.raised_on)
        area = c.area.lower()
        if c.status == rules.NEW:
            due, kind = since + timedelta(days=DECIDE_WITHIN_DAYS), KIND_NEW
            text = f"Cause for concern ({area}) raised {c.raised_on:%d/%m/%Y}: decide what happens"
        elif c.status == rules.EVIDENCE_ASKED:
            due, kind = since + timedelta(days=DECIDE_WITHIN_DAYS), KIND_EVIDENCE
            text = (
                f"The SENCo asked for more evidence on the concern ({area}) "
                f"of {c.raised_on:%d/%m/%Y}"
            )
        elif c.status == rules.MONITOR and c.review_on is not None:
            due, kind = c.review_on, KIND_REVIEW
            text = f"Look again at the concern ({area}) being monitored since {since:%d/%m/%Y}"
        else:
            due, kind = since + timedelta(days=PLAN_WITHIN_DAYS), KIND_REVIEW
            text = (
                f"Assessing the concern ({area}) since {since:%d/%m/%Y}: "
                "write the first support plan"
            )
        if due > horizon:
            continue
        items.append(DueItem.for_pupil(pupil, due, today, kind, text))
    return items
