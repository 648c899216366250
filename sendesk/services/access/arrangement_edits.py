"""Access arrangements: proposing one, correcting it, moving it through its statuses
(applied, approved, refused, ended) and removing it.

Why checked here: an arrangement stands on evidence (an assessment or a picture of need),
so every change is checked against it, audited, and compared with the version the user
opened.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import AccessArrangement, AccessAssessment, NwwEvidence
from sendesk.rules import jcq
from sendesk.services.access.edition import approval_months
from sendesk.services.access.records import (
    ARRANGEMENT_CONFLICT,
    ARRANGEMENT_GONE,
    LIVE_APPLICATION_STATUSES,
    NOTES_MAX,
    ROOM_NOTE_MAX,
    SUBJECT_MAX,
    SUBJECTS_MAX,
    ArrangementData,
    arrangement_name,
    check_date,
)
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    checked_text,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
    remove_audited,
    save_changes,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.staff.teaching_groups import fold, squash
from sendesk.services.store.audit import AuditWriter


def clean_arrangement(data: ArrangementData, today: date) -> dict[str, Any]:
    problems: list[str] = []
    found = jcq.ARRANGEMENTS.get(data.arrangement)
    if found is None:
        problems.append(f"'{data.arrangement}' is not an arrangement on the JCQ list")
    elif data.evidence_route not in found.evidence_routes:
        allowed = " or ".join(f"'{jcq.EVIDENCE_ROUTES[r].lower()}'" for r in found.evidence_routes)
        problems.append(f"{found.name} is supported by {allowed}, not by that evidence")
    check_date("proposal date", data.proposed_on)
    if data.proposed_on > today:
        problems.append(f"the proposal date {data.proposed_on:%d/%m/%Y} is in the future")
    subjects: list[str] = []
    seen: set[str] = set()
    for raw in data.subjects:
        subject = squash(raw)
        if not subject or fold(subject) in seen:
            continue
        if len(subject) > SUBJECT_MAX:
            problems.append(
                f"the subject '{subject[:20]}…' is longer than {SUBJECT_MAX} characters"
            )
        seen.add(fold(subject))
        subjects.append(subject)
    if len(subjects) > SUBJECTS_MAX:
        problems.append(f"at most {SUBJECTS_MAX} subjects may be listed (leave none for all)")
    room_note = checked_text(data.room_note, ROOM_NOTE_MAX, "the room note is", problems)
    notes = checked_text(data.notes, NOTES_MAX, "the notes are", problems, lines=True)
    refuse(problems)
    return {
        "arrangement": data.arrangement,
        "evidence_route": data.evidence_route,
        "proposed_on": data.proposed_on,
        "subjects": "\n".join(subjects),
        "room_note": room_note,
        "notes": notes,
        "assessment_id": data.assessment_id,
    }


def _check_assessment(session: Session, assessment_id: int | None, pupil_id: int) -> None:
    if assessment_id is None:
        return
    owner = session.scalar(
        select(AccessAssessment.pupil_id).where(AccessAssessment.id == assessment_id)
    )
    if owner is None:
        raise ValidationError("The assessment chosen has been removed.")
    if owner != pupil_id:
        raise ValidationError("The assessment chosen is another pupil's.")


def propose_arrangement(
    db: Database,
    actor: Actor,
    pupil_id: int,
    data: ArrangementData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo proposes an arrangement for a pupil (status "proposed"); returns its id."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = clean_arrangement(data, today or date.today())
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        _check_assessment(s, values["assessment_id"], pupil_id)
        return add_audited(
            s,
            AuditWriter(s, actor),
            AccessArrangement(pupil_id=pupil_id, status=jcq.PROPOSED, **values),
            "access_arrangement",
            {"pupil_id": pupil_id, "arrangement": values["arrangement"]},
        )


def read_arrangement(session: Session, arrangement_id: int) -> AccessArrangement:
    """The arrangement ``arrangement_id``, or the "no longer exists" error a screen shows
    when someone else deleted it (the NWW records read arrangements the same way)."""
    row = get_or_gone(session, AccessArrangement, arrangement_id, ARRANGEMENT_GONE)
    return row


def update_arrangement(
    db: Database,
    actor: Actor,
    arrangement_id: int,
    version: int,
    data: ArrangementData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects an arrangement; returns its new version (ConflictError if stale).

    The kind of arrangement can only change while it is proposed or gathering evidence:
    once approved or applied for, a different arrangement is a new proposal. While it is
    applied for online or approved by the awarding body (:data:`LIVE_APPLICATION_STATUSES`)
    its assessment cannot be unlinked or swapped, nor its evidence route changed: that is
    the evidence behind the application, and unlinking it would let
    :func:`remove_assessment` delete it.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = clean_arrangement(data, today or date.today())
    with db.transaction() as s:
        row = read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        _check_assessment(s, values["assessment_id"], row.pupil_id)
        if values["arrangement"] != row.arrangement and row.status not in (
            jcq.PROPOSED,
            jcq.GATHERING,
        ):
            raise ValidationError(
                f"The arrangement cannot be changed once it is {row.status}: withdraw it and "
                "propose the other one."
            )
        if row.status in LIVE_APPLICATION_STATUSES and (
            values["assessment_id"] != row.assessment_id
            or values["evidence_route"] != row.evidence_route
        ):
            raise ValidationError(
                f"{arrangement_name(row.arrangement)} is {row.status}, so the assessment it "
                "rests on and its evidence route cannot be changed: they are the evidence "
                "behind a live application (correct the assessment instead)."
            )
        later = [d for d in (row.approved_on, row.applied_on, row.awarding_body_on) if d]
        if later and values["proposed_on"] > min(later):
            raise ValidationError(
                f"The proposal date {values['proposed_on']:%d/%m/%Y} is after the "
                f"arrangement was approved or applied for ({min(later):%d/%m/%Y})."
            )
        save_changes(
            s,
            AuditWriter(s, actor),
            row,
            values,
            ARRANGEMENT_CONFLICT,
            "access_arrangement",
            {"pupil_id": row.pupil_id},
        )
        return row.version


def set_arrangement_status(
    db: Database,
    actor: Actor,
    arrangement_id: int,
    version: int,
    status: str,
    on: date,
    *,
    today: date | None = None,
) -> int:
    """The SENCo moves an arrangement to ``status`` on date ``on``; returns the new version.

    Only the moves :func:`jcq.next_statuses` allows. Approval in the centre sets
    ``approved_on``, applying online ``applied_on``, the awarding body's approval
    ``awarding_body_on``; either approval sets ``expires_on`` (``jcq.approval_months``
    months on); expired and withdrawn set ``ended_on``; an application sent back to
    gathering evidence clears ``applied_on``. An arrangement resting on a specialist
    assessment cannot be approved or applied for without one linked.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    today = today or date.today()
    check_date("date", on)
    with db.transaction() as s:
        row = read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        name = arrangement_name(row.arrangement)
        if status not in jcq.STATUSES:
            raise ValidationError(
                f"'{status}' is not an arrangement status (known: {', '.join(jcq.STATUSES)})."
            )
        allowed = jcq.next_statuses(row.arrangement, row.status)
        if status not in allowed:
            if not allowed:
                raise ValidationError(f"{name} is {row.status}: its status cannot change now.")
            raise ValidationError(
                f"{name} cannot go from {row.status} to {status}; it can go to "
                f"{' or '.join(allowed)}."
            )
        problems: list[str] = []
        if on > today:
            problems.append(f"the date {on:%d/%m/%Y} is in the future")
        if on < row.proposed_on:
            problems.append(
                f"the date {on:%d/%m/%Y} is before the arrangement was proposed "
                f"({row.proposed_on:%d/%m/%Y})"
            )
        if status == jcq.APPROVED_BY_AB and row.applied_on and on < row.applied_on:
            problems.append(
                f"the approval date {on:%d/%m/%Y} is before the application "
                f"({row.applied_on:%d/%m/%Y})"
            )
        if (
            status in (jcq.APPROVED_IN_CENTRE, jcq.APPLIED_ONLINE)
            and row.evidence_route == "assessment"
            and row.assessment_id is None
        ):
            problems.append(
                f"{name} rests on a specialist assessment: link the Form 8 assessment first"
            )
        refuse(problems)
        before = row.status
        row.status = status
        if status == jcq.APPROVED_IN_CENTRE:
            row.approved_on = on
            row.approved_by_id = actor.user_id
            row.expires_on = jcq.expires_on(on, approval_months(s))
        elif status == jcq.APPLIED_ONLINE:
            row.applied_on = on
        elif status == jcq.APPROVED_BY_AB:
            row.awarding_body_on = on
            row.approved_by_id = actor.user_id
            row.expires_on = jcq.expires_on(on, approval_months(s))
        elif status in jcq.FINAL_STATUSES:
            row.ended_on = on
        elif status == jcq.GATHERING and before == jcq.APPLIED_ONLINE:
            row.applied_on = None
        flush_or_conflict(s, ARRANGEMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "status",
            "access_arrangement",
            arrangement_id,
            {"pupil_id": row.pupil_id, "from": before, "to": status, "on": on},
        )
        return row.version


def remove_arrangement(db: Database, actor: Actor, arrangement_id: int, version: int) -> None:
    """The SENCo removes an arrangement entered by mistake, with its evidence.

    Only while it is proposed and no evidence has been recorded: anything further along is
    history an inspector may ask for, so it is withdrawn instead.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        evidence = s.scalar(
            select(func.count(NwwEvidence.id)).where(NwwEvidence.arrangement_id == arrangement_id)
        )
        if row.status != jcq.PROPOSED or evidence:
            raise ValidationError(
                "Only a proposed arrangement with no evidence recorded can be removed; "
                "withdraw it instead, so its history is kept."
            )
        remove_audited(
            s,
            AuditWriter(s, actor),
            row,
            ARRANGEMENT_CONFLICT,
            "access_arrangement",
            {"pupil_id": row.pupil_id},
        )
