"""A pupil's access arrangements as the Access tab shows them: each with its latest
evidence per subject, its verdict and what is missing.

Why computed on read: evidence ages out (:data:`records.CURRENT_EVIDENCE_DAYS`), so the
same arrangement is current one day and due the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sendesk.db import Database
from sendesk.models import (
    AccessArrangement,
    AccessAssessment,
    NwwEvidence,
    TeachingGroup,
    TeachingGroupMember,
)
from sendesk.rules import jcq
from sendesk.services.access.assessments import assessment_item, verdict_for
from sendesk.services.access.exam_entries import entry_items, professional_evidence
from sendesk.services.access.records import (
    ArrangementItem,
    PupilAccess,
    catalogue_order,
    is_live,
    split_subjects,
)
from sendesk.services.actor import Actor
from sendesk.services.common import data_of, pupil_or_gone
from sendesk.services.permissions import Action, permit_pupil
from sendesk.services.staff.teaching_groups import fold


def _subjects_taught(session: Session, pupil_ids: Any) -> dict[int, dict[str, str]]:
    """Pupil id -> {folded subject: subject as the group spells it} for the pupils selected
    by ``pupil_ids`` (a list or a subquery of ids); one query."""
    taught: dict[int, dict[str, str]] = defaultdict(dict)
    for pupil_id, subject in session.execute(
        select(TeachingGroupMember.pupil_id, TeachingGroup.subject)
        .join(TeachingGroup, TeachingGroup.id == TeachingGroupMember.group_id)
        .where(TeachingGroupMember.pupil_id.in_(pupil_ids))
        .order_by(TeachingGroup.subject)
    ):
        taught[pupil_id].setdefault(fold(subject), subject)
    return taught


def latest_evidence(
    session: Session, arrangement_ids: Any
) -> dict[int, dict[str, tuple[str, date]]]:
    """Arrangement id -> {folded subject: (subject, latest date it was used)}; one query."""
    latest: dict[int, dict[str, tuple[str, date]]] = defaultdict(dict)
    for arrangement_id, subject, on in session.execute(
        select(NwwEvidence.arrangement_id, NwwEvidence.subject, func.max(NwwEvidence.recorded_on))
        .where(NwwEvidence.arrangement_id.in_(arrangement_ids))
        .where(NwwEvidence.used.is_(True))
        .group_by(NwwEvidence.arrangement_id, NwwEvidence.subject)
    ):
        key = fold(subject)
        held = latest[arrangement_id].get(key)
        if held is None or on > held[1]:
            latest[arrangement_id][key] = (held[0] if held else subject, on)
    return latest


def latest_in(latest: Mapping[str, tuple[str, date]], subject: str) -> date | None:
    """The latest day the evidence in :func:`latest_evidence` was used for ``subject``
    (case and spacing ignored), or None."""
    found = latest.get(fold(subject))
    return found[1] if found else None


def _evidence_by_subject(
    subjects: Sequence[str],
    taught: Mapping[str, str],
    latest: Mapping[str, tuple[str, date]],
) -> dict[str, date | None]:
    """Each covered subject with its latest evidence date (None: none yet)."""
    if subjects:
        return {s: (latest[fold(s)][1] if fold(s) in latest else None) for s in subjects}
    out: dict[str, date | None] = {name: None for name in taught.values()}
    for key, (name, on) in latest.items():
        out[taught.get(key, name)] = on
    return dict(sorted(out.items(), key=lambda kv: kv[0].casefold()))


def _arrangement_item(
    row: AccessArrangement,
    today: date,
    verdict: jcq.Verdict | None,
    evidence: dict[str, date | None],
) -> ArrangementItem:
    found = jcq.ARRANGEMENTS.get(row.arrangement)
    try:
        nexts = jcq.next_statuses(row.arrangement, row.status)
    except ValueError:
        nexts = ()
    return data_of(
        row,
        ArrangementItem,
        name=found.name if found else row.arrangement,
        route=found.route if found else "",
        route_label=jcq.ROUTE_LABELS[found.route] if found else "",
        next_statuses=nexts,
        subjects=split_subjects(row.subjects),
        verdict=verdict,
        evidence_by_subject=evidence,
        live=is_live(row.status, row.expires_on, today),
    )


def _status_order(item: ArrangementItem) -> tuple[int, int, int, int]:
    """Live arrangements first, then by the JCQ list's order, newest proposal first."""
    live = 0 if item.live else 1
    return (live, catalogue_order(item.arrangement), -item.proposed_on.toordinal(), item.id)


def pupil_access(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> PupilAccess:
    """A pupil's arrangements (live first), assessments (newest first) and the subjects
    they are taught, their exam entries and the professional evidence on file; nine queries
    whatever the history."""
    today = today or date.today()
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, pupil_id)
        pupil = pupil_or_gone(s, pupil_id)
        dob = pupil.dob
        assessments = s.scalars(
            select(AccessAssessment)
            .where(AccessAssessment.pupil_id == pupil_id)
            .options(selectinload(AccessAssessment.scores))
            .order_by(AccessAssessment.assessed_on.desc(), AccessAssessment.id.desc())
        ).all()
        assessment_items = [assessment_item(a, dob, today) for a in assessments]
        by_id = {a.id: a for a in assessment_items}
        rows = s.scalars(
            select(AccessArrangement).where(AccessArrangement.pupil_id == pupil_id)
        ).all()
        taught = _subjects_taught(s, [pupil_id]).get(pupil_id, {})
        entries = entry_items(s, pupil_id)
        # the subjects sat, once entries are recorded; until then the classes taught
        sat = {fold(e.subject): e.subject for e in entries} or taught
        latest = latest_evidence(s, [r.id for r in rows]) if rows else {}
        professional = professional_evidence(s, [pupil_id], today).get(pupil_id)
        items = [
            _arrangement_item(
                r,
                today,
                verdict_for(r.arrangement, by_id.get(r.assessment_id or -1), professional),
                _evidence_by_subject(split_subjects(r.subjects), sat, latest.get(r.id, {})),
            )
            for r in rows
        ]
    items.sort(key=_status_order)
    return PupilAccess(
        arrangements=items,
        assessments=assessment_items,
        subjects_taught=tuple(sorted(taught.values(), key=str.casefold)),
        exam_entries=entries,
        professional_evidence=professional,
    )
