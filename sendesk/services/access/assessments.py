"""Specialist assessments (JCQ Form 8): recording, correcting and removing them, and the
verdict they give an arrangement that relies on them.

Why: an assessment's scores and dates decide whether extra time may be approved, so what
is wrong with them is said where the SENCo records them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from sendesk.db import Database
from sendesk.errors import ConflictError, ValidationError
from sendesk.models import AccessArrangement, AccessAssessment, AssessmentScore
from sendesk.rules import jcq
from sendesk.services.access.records import (
    ASSESSMENT_CONFLICT,
    ASSESSMENT_GONE,
    ASSESSOR_MAX,
    LIVE_APPLICATION_STATUSES,
    NOTES_MAX,
    QUALIFICATION_MAX,
    SCORES_MAX,
    TEST_MAX,
    AssessmentData,
    AssessmentItem,
    ScoreData,
    arrangement_name,
    check_date,
)
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    apply_changes,
    check_version,
    checked_text,
    current_or_gone,
    data_of,
    flush_or_conflict,
    pupil_or_gone,
    refuse,
    remove_audited,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


def clean_assessment(data: AssessmentData, today: date) -> dict[str, Any]:
    problems: list[str] = []
    assessor = checked_text(
        data.assessor_name,
        ASSESSOR_MAX,
        "the assessor's name is",
        problems,
        missing="the assessor's name is missing",
    )
    qualification = checked_text(
        data.assessor_qualification, QUALIFICATION_MAX, "the assessor's qualification is", problems
    )
    check_date("assessment date", data.assessed_on)
    if data.picture_of_need_on is not None:
        check_date("picture of need date", data.picture_of_need_on)
    if data.assessed_on > today:
        problems.append(f"the assessment date {data.assessed_on:%d/%m/%Y} is in the future")
    if data.picture_of_need_on is not None and data.picture_of_need_on > today:
        problems.append(
            f"the picture of need date {data.picture_of_need_on:%d/%m/%Y} is in the future"
        )
    picture = checked_text(
        data.picture_of_need, NOTES_MAX, "the picture of need is", problems, lines=True
    )
    notes = checked_text(data.notes, NOTES_MAX, "the notes are", problems, lines=True)
    if len(data.scores) > SCORES_MAX:
        problems.append(f"at most {SCORES_MAX} scores may be recorded")
    scores: list[dict[str, Any]] = []
    for number, score in enumerate(data.scores, start=1):
        test = " ".join(score.test.split())
        try:
            jcq.Score(score.area, score.score)
        except ValueError as exc:
            text = str(exc).rstrip(".")
            problems.append(f"score {number}: {text[:1].lower()}{text[1:]}")
            continue
        if len(test) > TEST_MAX:
            problems.append(f"score {number}: the test's name is longer than {TEST_MAX} characters")
        scores.append({"position": number, "area": score.area, "score": score.score, "test": test})
    refuse(problems)
    return {
        "assessor_name": assessor,
        "assessor_qualification": qualification,
        "assessed_on": data.assessed_on,
        "picture_of_need_on": data.picture_of_need_on,
        "picture_of_need": picture,
        "notes": notes,
        "scores": scores,
    }


def record_assessment(
    db: Database,
    actor: Actor,
    pupil_id: int,
    data: AssessmentData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo records a specialist assessment (Form 8) with its scores; returns its id.

    What the JCQ rules flag (a test taken before Year 9, Part 1 dated after the
    assessment, no qualification on file) is recorded as it is and shown as problems.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = clean_assessment(data, today or date.today())
    scores = values.pop("scores")
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        row = AccessAssessment(
            pupil_id=pupil_id,
            created_by_id=actor.user_id,
            scores=[AssessmentScore(**sc) for sc in scores],
            **values,
        )
        return add_audited(
            s,
            AuditWriter(s, actor),
            row,
            "access_assessment",
            {"pupil_id": pupil_id, "scores": len(scores)},
        )


def update_assessment(
    db: Database,
    actor: Actor,
    assessment_id: int,
    version: int,
    data: AssessmentData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects an assessment (its scores become ``data.scores``); new version."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = clean_assessment(data, today or date.today())
    scores = values.pop("scores")
    with db.transaction() as s:
        row = s.get(
            AccessAssessment, assessment_id, options=[selectinload(AccessAssessment.scores)]
        )
        if row is None:
            raise ConflictError(ASSESSMENT_GONE)
        check_version(row.version, version, ASSESSMENT_CONFLICT)
        changed = apply_changes(row, values)
        held = [
            {"position": x.position, "area": x.area, "score": x.score, "test": x.test}
            for x in row.scores
        ]
        if held != scores:
            changed.append("scores")
            row.scores = [AssessmentScore(**sc) for sc in scores]
        if not changed:
            return row.version
        flag_modified(row, "assessor_name")  # scores alone must move the version on too
        flush_or_conflict(s, ASSESSMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "access_assessment",
            assessment_id,
            {"pupil_id": row.pupil_id, "fields": changed},
        )
        return row.version


def remove_assessment(db: Database, actor: Actor, assessment_id: int, version: int) -> None:
    """The SENCo removes a Form 8 assessment recorded by mistake, with its scores.

    Arrangements that linked it are unlinked (explicitly, not left to ON DELETE SET NULL,
    and each moves on a version so an open edit of it is told), and the audit says how
    many. Refused, with nothing changed, while any of them is applied for online or
    approved by the awarding body: the evidence behind a live application must stay
    (correct the assessment instead). An arrangement resting on a specialist assessment
    that is left with none cannot be approved or applied for until another is linked, and
    "what's due" asks for one before the exams.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = current_or_gone(
            s, AccessAssessment, assessment_id, version, ASSESSMENT_GONE, ASSESSMENT_CONFLICT
        )
        linked = s.execute(
            select(AccessArrangement.id, AccessArrangement.arrangement, AccessArrangement.status)
            .where(AccessArrangement.assessment_id == assessment_id)
            .order_by(AccessArrangement.id)
        ).all()
        live = [r for r in linked if r.status in LIVE_APPLICATION_STATUSES]
        if live:
            which = ", ".join(f"{arrangement_name(r.arrangement)} ({r.status})" for r in live)
            raise ValidationError(
                f"This assessment is the evidence behind {which}, so it cannot be removed: "
                "the evidence behind a live application must be kept (correct the assessment "
                "instead)."
            )
        unlinked = [r.id for r in linked]
        if unlinked:
            s.execute(
                update(AccessArrangement)
                .where(AccessArrangement.assessment_id == assessment_id)
                .values(assessment_id=None, version=AccessArrangement.version + 1)
                .execution_options(synchronize_session=False)
            )
        remove_audited(
            s,
            AuditWriter(s, actor),
            row,
            ASSESSMENT_CONFLICT,
            "access_assessment",
            {
                "pupil_id": row.pupil_id,
                "arrangements_unlinked": len(unlinked),
                "arrangement_ids": unlinked,
            },
        )


def assessment_item(row: AccessAssessment, dob: date | None, today: date) -> AssessmentItem:
    """A stored assessment as screens see it, with what JCQ would query about it on ``today``
    (its age against the candidate's ``dob``, the picture of need, the assessor)."""
    return data_of(
        row,
        AssessmentItem,
        scores=tuple(ScoreData(x.area, x.score, x.test) for x in row.scores),
        problems=tuple(
            jcq.assessment_problems(
                taken_on=row.assessed_on,
                date_of_birth=dob,
                picture_of_need_on=row.picture_of_need_on,
                assessor_qualification=row.assessor_qualification,
                today=today,
            )
        ),
    )


def verdict_for(
    key: str, assessment: AssessmentItem | None, professional: str | None = None
) -> jcq.Verdict | None:
    """The JCQ criteria check of ``assessment``'s scores for arrangement ``key``; None when
    the arrangement needs no scores (or is unknown) or no assessment is given.

    25% extra time for another impairment is checked on ``professional`` instead — what
    :func:`professional_evidence` found on file (None: nothing) — so it is never "met" on
    no evidence (AARA 2025–26 ch. 5, §5.2: confirm number).
    """
    if key == "extra_time_25_other":
        return jcq.check(key, [], professional_evidence=professional)
    found = jcq.ARRANGEMENTS.get(key)
    if found is None or not found.needs_scores or assessment is None:
        return None
    scores = []
    for x in assessment.scores:
        try:
            scores.append(jcq.Score(x.area, x.score, assessment.assessed_on, x.test or None))
        except ValueError:
            continue  # recorded under an older rule; the assessment's own check shows it
    return jcq.check(key, scores)
