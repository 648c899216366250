"""Recording pupils' past agency involvements in one call, each with the reports the
agency sent (evidence documents linked to it).

Why a batch: :func:`~.agencies.add_involvement` and :func:`~.evidence.add_document` take one
involvement or one document a transaction, with an audit event each. A school's history
(the demo school's hundreds of involvements and their PDF reports first; another system's
records next) is checked here with the same rules — :func:`~.agencies.clean_involvement` for each
involvement, :func:`~.evidence.check_document` for each document (its kind recognised from
its contents, its title, date and size), the document's time of adding never after now —
then written by executemany inside the caller's transaction and audited once per batch.

A report takes its involvement's confidentiality unless it says its own, as
:func:`~.evidence.add_document` does: a CAMHS letter is SENCo only like the CAMHS advice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.errors import ValidationError
from sendesk.models import AgencyInvolvement, EvidenceDocument, Pupil
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.bulk_rows import bulk, insert_rows
from sendesk.services.evidence.agencies import InvolvementData, clean_involvement
from sendesk.services.evidence.evidence import CheckedDocument, added_at_problem, check_document
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class PastDocument:
    """A report as the SENCo would add it (its bytes, title, file name and date), added to
    SENDesk at ``added_at``; ``confidentiality`` None: its involvement's."""

    content: bytes
    title: str
    filename: str
    document_date: date | None
    added_at: datetime
    confidentiality: str | None = None


@dataclass(frozen=True)
class PastInvolvement:
    """An agency's involvement with a pupil (as the SENCo types one) and its reports."""

    pupil_id: int
    data: InvolvementData
    documents: tuple[PastDocument, ...] = ()


@dataclass(frozen=True)
class PastAgencyCounts:
    """What :func:`record_past_involvements` wrote."""

    involvements: int
    documents: int


def _where(item: PastInvolvement) -> str:
    return f"pupil {item.pupil_id}'s involvement with {item.data.agency.strip() or 'an agency'}"


def _checked(
    session: Session, items: Sequence[PastInvolvement], today: date
) -> tuple[list[dict[str, Any]], list[list[tuple[CheckedDocument, str]]]]:
    """Every involvement cleaned as :func:`~.agencies.add_involvement` cleans one and every
    document checked as :func:`~.evidence.add_document` checks one, with its level; one
    sentence naming the first problems, else the cleaned values."""
    problems: list[str] = []
    ids = sorted({i.pupil_id for i in items})
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known.update(session.scalars(select(Pupil.id).where(Pupil.id.in_(chunk))))
    values: list[dict[str, Any]] = []
    documents: list[list[tuple[CheckedDocument, str]]] = []
    for item in items:
        where = _where(item)
        if item.pupil_id not in known:
            problems.append(f"{where}: pupil {item.pupil_id} is not in this database")
        try:
            clean = clean_involvement(item.data, today)
        except ValidationError as exc:
            problems.append(f"{where}: {as_clause(str(exc))}")
            clean = {"confidentiality": None}
        values.append(clean)
        checked: list[tuple[CheckedDocument, str]] = []
        for doc in item.documents:
            at = f"{where}, the document {doc.title.strip()!r}"
            if (problem := added_at_problem(doc.added_at)) is not None:
                problems.append(f"{at}: {problem}")
            try:
                found = check_document(
                    doc.content,
                    doc.title,
                    doc.document_date,
                    filename=doc.filename,
                    today=today,
                    confidentiality=doc.confidentiality,
                )
            except ValidationError as exc:
                problems.append(f"{at}: {as_clause(str(exc))}")
                continue
            checked.append((found, doc.confidentiality or clean["confidentiality"]))
        documents.append(checked)
    keys = [
        (i.pupil_id, v.get("agency"), v.get("referral_date"), v.get("seen_date"))
        for i, v in zip(items, values, strict=True)
    ]
    given = Counter(keys)
    if twice := next((i for i, k in zip(items, keys, strict=True) if given[k] > 1), None):
        problems.append(f"{_where(twice)}: it is given twice (the same referral and seen dates)")
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    return values, documents


def record_past_involvements(
    session: Session, audit: AuditWriter, items: Sequence[PastInvolvement], *, today: date
) -> PastAgencyCounts:
    """Record ``items`` with their documents in the caller's transaction (``session``,
    whose writer ``audit`` names who records them and adds the documents: the SENCo).

    Checked whole first (nothing is written if anything is wrong; two involvements of a
    pupil with the same agency and the same dates are one given twice), then written by
    executemany; one audit event ("record_past_involvements") holds the counts, the pupils
    and each document's SHA-256, as adding one records it. Nothing may be dated after
    ``today``.
    """
    permit(audit.actor, Action.EDIT_AGENCY_ADVICE)
    if any(item.documents for item in items):
        permit(audit.actor, Action.MANAGE_DOCUMENTS)
    session.flush()
    values, documents = _checked(session, items, today)
    rows = [
        {"pupil_id": item.pupil_id, **clean, "version": 1}
        for item, clean in zip(items, values, strict=True)
    ]
    ids = insert_rows(
        session,
        AgencyInvolvement,
        rows,
        AgencyInvolvement.pupil_id,
        AgencyInvolvement.agency,
        AgencyInvolvement.referral_date,
        AgencyInvolvement.seen_date,
    )
    added_by = audit.actor.user_id or None
    document_rows = [
        {
            "pupil_id": item.pupil_id,
            "involvement_id": involvement_id,
            "title": doc.title,
            "filename": doc.filename,
            "media_type": doc.media_type,
            "size": len(doc.content),
            "sha256": doc.sha256,
            "document_date": doc.document_date,
            "content": doc.content,
            "added_at": past.added_at,
            "added_by_id": added_by,
            "confidentiality": level,
        }
        for item, involvement_id, checked in zip(items, ids, documents, strict=True)
        for past, (doc, level) in zip(item.documents, checked, strict=True)
    ]
    if document_rows:
        session.execute(bulk(EvidenceDocument), document_rows)
    counts = PastAgencyCounts(len(ids), len(document_rows))
    audit.record(
        "record_past_involvements",
        "agency_involvement",
        None,
        {
            **counts.__dict__,
            "pupil_ids": sorted({item.pupil_id for item in items}),
            "document_sha256": [row["sha256"] for row in document_rows],
            "today": today,
        },
    )
    return counts


__all__ = [
    "PastAgencyCounts",
    "PastDocument",
    "PastInvolvement",
    "record_past_involvements",
]
