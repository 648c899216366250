"""Recording a school's past exam access arrangements in one call: the specialist
assessments (Form 8) with their scores, each arrangement where it has got to (approved,
applied for, expired…) and the teachers' normal-way-of-working evidence for it.

Why a batch: the day-to-day services take one step at a time —
:func:`~.assessments.record_assessment`, :func:`~.arrangement_edits.propose_arrangement`,
then :func:`~.arrangement_edits.set_arrangement_status` for each move, then
:func:`~.nww.record_nww_many` as each teacher — a transaction and an audit event each.
A history (the demo school's Years 10 and 11 first; another system's records next) is
checked here with the same cleaning and rules (the assessment's dates, scores and text
limits; the arrangement on the JCQ list with an evidence route it allows; every item of
evidence), plus what the status moves guarantee one at a time: each status has its date,
no date before the proposal or after today, an awarding body's approval after the
application, and an arrangement resting on a specialist assessment approved or applied for
only with one linked. Then it is written by executemany inside the caller's transaction
and audited once per batch.

Who: the SENCo records the batch (and is named as approving what was approved); each item
of evidence keeps the teacher who recorded it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.errors import ValidationError
from sendesk.models import (
    AccessArrangement,
    AccessAssessment,
    AssessmentScore,
    NwwEvidence,
    User,
)
from sendesk.rules import jcq
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.access.arrangement_edits import clean_arrangement
from sendesk.services.access.assessments import clean_assessment
from sendesk.services.access.nww import clean_nww
from sendesk.services.access.records import ArrangementData, AssessmentData, NwwData
from sendesk.services.bulk_rows import bulk, insert_rows
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

STATUS_DATE: dict[str, str] = {
    jcq.APPROVED_IN_CENTRE: "approved_on",
    jcq.APPLIED_ONLINE: "applied_on",
    jcq.APPROVED_BY_AB: "awarding_body_on",
    jcq.EXPIRED: "ended_on",
    jcq.WITHDRAWN: "ended_on",
}
"""The date each status is reached on, as :func:`~.arrangement_edits.set_arrangement_status`
sets it."""


@dataclass(frozen=True)
class PastAssessment:
    """A pupil's specialist assessment (Form 8) as recorded."""

    pupil_id: int
    data: AssessmentData


@dataclass(frozen=True, kw_only=True)
class PastEvidence(NwwData):
    """One item of normal-way-of-working evidence, as the teacher recorded it: the same
    :class:`~.records.NwwData` a teacher records today, with who recorded it (as
    :class:`~.records.NwwItem` carries it). ``arrangement_id`` is not used: the evidence
    belongs to the :class:`PastArrangement` it is listed under."""

    arrangement_id: int = 0
    recorded_by_id: int


@dataclass(frozen=True)
class PastArrangement:
    """An arrangement where it has got to. ``data.assessment_id`` is not used: the
    assessment is ``assessment``, its index in the batch's assessments."""

    pupil_id: int
    data: ArrangementData
    status: str
    assessment: int | None = None
    approved_on: date | None = None
    applied_on: date | None = None
    awarding_body_on: date | None = None
    expires_on: date | None = None
    ended_on: date | None = None
    evidence: tuple[PastEvidence, ...] = ()


@dataclass(frozen=True)
class PastAccessCounts:
    """What :func:`record_past_access` wrote."""

    assessments: int
    assessment_scores: int
    arrangements: int
    nww_evidence: int


def _status_problems(where: str, a: PastArrangement, today: date) -> list[str]:
    problems: list[str] = []
    proposed = a.data.proposed_on
    if a.status not in jcq.STATUSES:
        return [f"{where}: '{a.status}' is not an arrangement status"]
    if (needed := STATUS_DATE.get(a.status)) and getattr(a, needed) is None:
        problems.append(f"{where}: {a.status} needs its date")
    for name in ("approved_on", "applied_on", "awarding_body_on", "ended_on"):
        on: date | None = getattr(a, name)
        if on is not None and not proposed <= on <= today:
            problems.append(
                f"{where}: the date {on:%d/%m/%Y} is before the proposal or after today"
            )
    if a.awarding_body_on and a.applied_on and a.awarding_body_on < a.applied_on:
        problems.append(f"{where}: the awarding body's approval is before the application")
    approval = a.approved_on or a.awarding_body_on
    if a.expires_on is not None and (approval is None or a.expires_on < approval):
        problems.append(f"{where}: it expires without an approval, or before it")
    if (
        a.status in (jcq.APPROVED_IN_CENTRE, jcq.APPLIED_ONLINE, jcq.APPROVED_BY_AB)
        and a.data.evidence_route == "assessment"
        and a.assessment is None
    ):
        problems.append(f"{where}: it rests on a specialist assessment: link the Form 8")
    return problems


def record_past_access(
    session: Session,
    audit: AuditWriter,
    assessments: Sequence[PastAssessment],
    arrangements: Sequence[PastArrangement],
    *,
    today: date,
) -> PastAccessCounts:
    """Record ``assessments`` and ``arrangements`` (with their evidence) in the caller's
    transaction (``session``; ``audit`` names who records them: the SENCo).

    Checked whole first (nothing is written if anything is wrong), then written by
    executemany; one audit event ("record_past_access") holds the counts.
    """
    permit(audit.actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    problems: list[str] = []
    assessment_rows: list[dict[str, Any]] = []
    for n, past in enumerate(assessments, start=1):
        try:
            values = clean_assessment(past.data, today)
        except ValidationError as exc:
            problems.append(f"assessment {n} (pupil {past.pupil_id}): {as_clause(str(exc))}")
            continue
        assessment_rows.append({"pupil_id": past.pupil_id, **values})
    teachers = set(session.scalars(select(User.id)))
    arrangement_rows: list[dict[str, Any]] = []
    evidence: list[list[dict[str, Any]]] = []
    for n, past in enumerate(arrangements, start=1):
        where = f"arrangement {n} (pupil {past.pupil_id})"
        try:
            values = clean_arrangement(dataclasses.replace(past.data, assessment_id=None), today)
        except ValidationError as exc:
            problems.append(f"{where}: {as_clause(str(exc))}")
            continue
        problems += _status_problems(where, past, today)
        if past.assessment is not None and (
            not 0 <= past.assessment < len(assessments)
            or assessments[past.assessment].pupil_id != past.pupil_id
        ):
            problems.append(f"{where}: the assessment linked is not one of this pupil's")
        items: list[dict[str, Any]] = []
        for e in past.evidence:
            clean, wrong = clean_nww(e, today)
            problems += [f"{where}, evidence of {e.recorded_on:%d/%m/%Y}: {w}" for w in wrong]
            if e.recorded_by_id not in teachers:
                problems.append(f"{where}: evidence is recorded by someone with no account")
            items.append({**clean, "recorded_by_id": e.recorded_by_id})
        arrangement_rows.append(
            {
                "pupil_id": past.pupil_id,
                **values,
                "status": past.status,
                "approved_on": past.approved_on,
                "applied_on": past.applied_on,
                "awarding_body_on": past.awarding_body_on,
                "expires_on": past.expires_on,
                "ended_on": past.ended_on,
                "approved_by_id": (
                    audit.actor.user_id or None
                    if past.approved_on or past.awarding_body_on
                    else None
                ),
                "version": 1,
            }
        )
        evidence.append(items)
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")

    session.flush()
    author = audit.actor.user_id or None
    assessment_ids = insert_rows(
        session,
        AccessAssessment,
        [
            {k: v for k, v in row.items() if k != "scores"}
            | {"created_by_id": author, "version": 1}
            for row in assessment_rows
        ],
        AccessAssessment.pupil_id,
    )
    scores = [
        {"assessment_id": aid, **score}
        for aid, row in zip(assessment_ids, assessment_rows, strict=True)
        for score in row["scores"]
    ]
    if scores:
        session.execute(bulk(AssessmentScore), scores)
    for row, past in zip(arrangement_rows, arrangements, strict=True):
        row["assessment_id"] = (
            assessment_ids[past.assessment] if past.assessment is not None else None
        )
    arrangement_ids = insert_rows(
        session,
        AccessArrangement,
        arrangement_rows,
        AccessArrangement.pupil_id,
        AccessArrangement.arrangement,
        AccessArrangement.proposed_on,
    )
    evidence_rows = [
        {"arrangement_id": aid, **item}
        for aid, items in zip(arrangement_ids, evidence, strict=True)
        for item in items
    ]
    if evidence_rows:
        session.execute(bulk(NwwEvidence), evidence_rows)
    counts = PastAccessCounts(
        len(assessment_ids), len(scores), len(arrangement_ids), len(evidence_rows)
    )
    audit.record(
        "record_past_access",
        "access_arrangement",
        None,
        {**dataclasses.asdict(counts), "today": today},
    )
    return counts
