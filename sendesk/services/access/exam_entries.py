"""A pupil's exam entries and professional evidence: what the pupil sits (so evidence is
asked for in those subjects) and what professionals have said.

Why together: both are read when an arrangement's evidence is judged subject by subject.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import AgencyInvolvement, EhcPlan, EvidenceDocument, ExamEntry
from sendesk.services.access.records import ENTRY_CONFLICT, SUBJECT_MAX, ExamEntryItem
from sendesk.services.actor import Actor
from sendesk.services.common import add_audited, get_or_gone, pupil_or_gone
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.staff.teaching_groups import fold, squash
from sendesk.services.store.audit import AuditWriter


def professional_evidence(session: Session, pupil_ids: Any, today: date) -> dict[int, str]:
    """Pupil id -> what professional evidence is on file, in words, for the pupils selected
    by ``pupil_ids``: an EHC plan in force ("EHC plan issued 01/02/2024"), else a document
    filed under an outside agency's involvement ("a document from Sensory support service,
    dated 03/03/2026"). Pupils with neither are absent. Two queries."""
    found: dict[int, str] = {}
    for pupil_id, issued in session.execute(
        select(EhcPlan.pupil_id, func.max(EhcPlan.issued_on))
        .where(EhcPlan.pupil_id.in_(pupil_ids))
        .where(EhcPlan.issued_on <= today)
        .where(or_(EhcPlan.ceased_on.is_(None), EhcPlan.ceased_on > today))
        .group_by(EhcPlan.pupil_id)
    ):
        found[pupil_id] = f"EHC plan issued {issued:%d/%m/%Y}"
    for pupil_id, agency, on in session.execute(
        select(EvidenceDocument.pupil_id, AgencyInvolvement.agency, EvidenceDocument.document_date)
        .join(AgencyInvolvement, AgencyInvolvement.id == EvidenceDocument.involvement_id)
        .where(EvidenceDocument.pupil_id.in_(pupil_ids))
        .order_by(EvidenceDocument.document_date.desc(), EvidenceDocument.id.desc())
    ):
        if pupil_id not in found:
            dated = f", dated {on:%d/%m/%Y}" if on else ""
            found[pupil_id] = f"a document from {agency}{dated}"
    return found


def entries_by_pupil(session: Session, pupil_ids: Any) -> dict[int, dict[str, str]]:
    """Pupil id -> {folded subject: subject} of their exam entries; one query."""
    entered: dict[int, dict[str, str]] = defaultdict(dict)
    for pupil_id, subject in session.execute(
        select(ExamEntry.pupil_id, ExamEntry.subject)
        .where(ExamEntry.pupil_id.in_(pupil_ids))
        .order_by(ExamEntry.subject)
    ):
        entered[pupil_id].setdefault(fold(subject), subject)
    return entered


def entry_items(session: Session, pupil_id: int) -> tuple[ExamEntryItem, ...]:
    """The pupil's exam entries by subject (case ignored), for the pupil's access page."""
    rows = session.execute(
        select(ExamEntry.id, ExamEntry.subject, ExamEntry.source).where(
            ExamEntry.pupil_id == pupil_id
        )
    ).all()
    return tuple(
        ExamEntryItem(i, subject, source)
        for i, subject, source in sorted(rows, key=lambda r: (r[1].casefold(), r[0]))
    )


def exam_entries(db: Database, actor: Actor, pupil_id: int) -> tuple[ExamEntryItem, ...]:
    """The subjects a candidate is entered for, alphabetically."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, pupil_id)
        pupil_or_gone(s, pupil_id)
        return entry_items(s, pupil_id)


def add_exam_entry(db: Database, actor: Actor, pupil_id: int, subject: str) -> int:
    """The SENCo records by hand that a candidate is entered for ``subject``; its id.

    An import never touches an entry made by hand (see
    :func:`sendesk.services.staff.teaching_groups.import_classes`).
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    name = squash(subject or "")
    if not name:
        raise ValidationError("The exam entry's subject is missing.")
    if len(name) > SUBJECT_MAX:
        raise ValidationError(f"The exam entry's subject is longer than {SUBJECT_MAX} characters.")
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        held = entries_by_pupil(s, [pupil_id]).get(pupil_id, {})
        if fold(name) in held:
            raise ValidationError(f"This candidate is already entered for {held[fold(name)]}.")
        return add_audited(
            s,
            AuditWriter(s, actor),
            ExamEntry(pupil_id=pupil_id, subject=name, source="manual"),
            "exam_entry",
            {"pupil_id": pupil_id, "source": "manual"},
        )


def remove_exam_entry(db: Database, actor: Actor, entry_id: int) -> None:
    """The SENCo removes an exam entry (imported or by hand); a later import with the
    candidate marked entered for that subject adds it back."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = get_or_gone(s, ExamEntry, entry_id, ENTRY_CONFLICT, NotFoundError)
        pupil_id, source = row.pupil_id, row.source
        s.delete(row)
        s.flush()
        AuditWriter(s, actor).record(
            "delete", "exam_entry", entry_id, {"pupil_id": pupil_id, "source": source}
        )


def subjects_to_evidence(
    subjects: Sequence[str], entered: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The subjects an arrangement needs evidence in — those it covers that the candidate
    is entered for — and the named subjects it covers that they are not entered for."""
    if not subjects:
        return list(entered.values()), []
    wanted = [entered[fold(x)] for x in subjects if fold(x) in entered]
    return wanted, [x for x in subjects if fold(x) not in entered]
