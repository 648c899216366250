"""External agency involvement: who was asked to see a pupil, when, and what they advised.

An EHC needs assessment request has to show which professionals have been involved and
how recently (many LAs want reports under 12 months old, or involvement within 18 months),
so each involvement keeps the referral date, the date the pupil was seen, and the advice
in the school's words. The reports themselves are evidence documents
(:mod:`sendesk.services.evidence.evidence`) linked to the involvement.

The SENCo adds, corrects and removes involvements (each in one transaction with its audit
event, with optimistic locking as on the pupil record); learning support staff and
teachers may read them; read-only accounts see no named pupil's involvements. Removing an
involvement keeps its documents as evidence of the pupil (they are merely unlinked).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError
from sendesk.models import AgencyInvolvement, EvidenceDocument, Role
from sendesk.rules.confidentiality import STAFF, check_level, default_level, may_read
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    checked_text,
    current_or_gone,
    data_of,
    get_or_gone,
    pupil_or_gone,
    refuse,
    remove_audited,
    save_changes,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.store.audit import AuditWriter

AGENCIES: tuple[str, ...] = (
    "Educational psychologist",
    "Speech and language therapy",
    "Occupational therapy",
    "Physiotherapy",
    "CAMHS",
    "Paediatrician",
    "Specialist teacher (learning)",
    "Specialist teacher (hearing impairment)",
    "Specialist teacher (vision impairment)",
    "Autism outreach",
    "Behaviour support",
    "Social care",
    "Early help",
    "School nurse",
    "Other",
)
"""Agencies offered in the involvement editor. Another name may be typed (an LA's own
service name, say); it is kept as written."""

AGENCY_MAX = 60
PROFESSIONAL_MAX = 120
ADVICE_MAX = 20_000

CONFLICT = (
    "Someone else changed this agency involvement since you opened it; reopen it to see "
    "their changes."
)
GONE = "That agency involvement has been removed since you opened it."
SENCO_ONLY_TEXT = "That agency's advice is for the SENCo only."


@dataclass(frozen=True)
class InvolvementData:
    """What the SENCo types for an involvement (add or update); checked by the service."""

    agency: str
    professional: str = ""
    referral_date: date | None = None
    seen_date: date | None = None
    advice: str = ""
    # "senco" or "staff" (rules.confidentiality); None: the agency's default (health and
    # social care SENCo only).
    confidentiality: str | None = None


@dataclass(frozen=True)
class InvolvementItem:
    """One involvement as shown on the pupil's agencies tab (plain data, no ORM)."""

    id: int
    pupil_id: int
    agency: str
    professional: str
    referral_date: date | None
    seen_date: date | None
    advice: str
    version: int
    document_ids: tuple[int, ...]
    confidentiality: str = STAFF

    @property
    def last_date(self) -> date | None:
        """The latest of the referral and seen dates (how recent the involvement is)."""
        dates = [d for d in (self.referral_date, self.seen_date) if d is not None]
        return max(dates) if dates else None


def clean_involvement(data: InvolvementData, today: date) -> dict[str, object]:
    problems: list[str] = []
    agency = checked_text(
        data.agency, AGENCY_MAX, "the agency's name is", problems, missing="the agency is missing"
    )
    professional = checked_text(
        data.professional, PROFESSIONAL_MAX, "the professional's name is", problems
    )
    advice = checked_text(data.advice, ADVICE_MAX, "the advice is", problems, lines=True)
    for label, value in (("referral date", data.referral_date), ("seen date", data.seen_date)):
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise TypeError(f"the {label} must be a date or None")
    if data.referral_date is not None and data.referral_date > today:
        problems.append(f"the referral date {data.referral_date:%d/%m/%Y} is in the future")
    if (
        data.referral_date is not None
        and data.seen_date is not None
        and data.seen_date < data.referral_date
    ):
        problems.append(
            f"the seen date {data.seen_date:%d/%m/%Y} is before the referral date "
            f"{data.referral_date:%d/%m/%Y}"
        )
    level = data.confidentiality or default_level(agency)
    if (problem := check_level(level)) is not None:
        problems.append(problem)
    refuse(problems)
    return {
        "agency": agency,
        "professional": professional,
        "referral_date": data.referral_date,
        "seen_date": data.seen_date,
        "advice": advice,
        "confidentiality": level,
    }


def add_involvement(
    db: Database, actor: Actor, pupil_id: int, data: InvolvementData, *, today: date | None = None
) -> int:
    """The SENCo records an agency's involvement with a pupil; returns its id."""
    permit(actor, Action.EDIT_AGENCY_ADVICE)
    values = clean_involvement(data, today or date.today())
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        return add_audited(
            s,
            AuditWriter(s, actor),
            AgencyInvolvement(pupil_id=pupil_id, **values),
            "agency_involvement",
            {
                "pupil_id": pupil_id,
                "agency": values["agency"],
                "confidentiality": values["confidentiality"],
            },
        )


def update_involvement(
    db: Database,
    actor: Actor,
    involvement_id: int,
    version: int,
    data: InvolvementData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects an involvement; returns its new version (ConflictError if stale)."""
    permit(actor, Action.EDIT_AGENCY_ADVICE)
    values = clean_involvement(data, today or date.today())
    with db.transaction() as s:
        row = current_or_gone(s, AgencyInvolvement, involvement_id, version, GONE, CONFLICT)
        detail: dict[str, object] = {"pupil_id": row.pupil_id}
        if values["confidentiality"] != row.confidentiality:
            # Its documents follow it: advice made SENCo only takes its letters along.
            detail["confidentiality"] = {
                "from": row.confidentiality,
                "to": values["confidentiality"],
            }
            detail["documents"] = s.execute(
                update(EvidenceDocument)
                .where(EvidenceDocument.involvement_id == involvement_id)
                .values(confidentiality=values["confidentiality"])
                .execution_options(synchronize_session=False)
            ).rowcount
        save_changes(s, AuditWriter(s, actor), row, values, CONFLICT, "agency_involvement", detail)
        return row.version


def remove_involvement(db: Database, actor: Actor, involvement_id: int, version: int) -> None:
    """The SENCo removes an involvement; its documents stay with the pupil, unlinked."""
    permit(actor, Action.EDIT_AGENCY_ADVICE)
    with db.transaction() as s:
        row = current_or_gone(s, AgencyInvolvement, involvement_id, version, GONE, CONFLICT)
        # Unlink with one UPDATE rather than trusting ON DELETE SET NULL alone (and without
        # loading the documents' contents): the audit says how many were kept.
        kept = s.execute(
            update(EvidenceDocument)
            .where(EvidenceDocument.involvement_id == involvement_id)
            .values(involvement_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        remove_audited(
            s,
            AuditWriter(s, actor),
            row,
            CONFLICT,
            "agency_involvement",
            {"pupil_id": row.pupil_id, "documents_kept": kept},
        )


def list_involvements(db: Database, actor: Actor, pupil_id: int) -> list[InvolvementItem]:
    """A pupil's involvements, most recent first, with the ids of their documents.

    Two queries whatever the number of involvements; documents' contents are not read.
    """
    senco = actor.role is Role.SENCO
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_AGENCY_ADVICE, pupil_id)
        stmt = select(AgencyInvolvement).where(AgencyInvolvement.pupil_id == pupil_id)
        doc_stmt = (
            select(EvidenceDocument.id, EvidenceDocument.involvement_id)
            .where(EvidenceDocument.pupil_id == pupil_id)
            .where(EvidenceDocument.involvement_id.is_not(None))
            .order_by(EvidenceDocument.id)
        )
        if not senco:  # SENCo-only advice and letters are not even listed for others
            stmt = stmt.where(AgencyInvolvement.confidentiality == STAFF)
            doc_stmt = doc_stmt.where(EvidenceDocument.confidentiality == STAFF)
        rows = s.scalars(stmt).all()
        docs: dict[int, list[int]] = defaultdict(list)
        if rows:
            for doc_id, inv_id in s.execute(doc_stmt):
                docs[inv_id].append(doc_id)
    items = [data_of(r, InvolvementItem, document_ids=tuple(docs.get(r.id, ()))) for r in rows]
    items.sort(key=lambda i: (i.last_date or date.min, i.id), reverse=True)
    return items


def get_involvement(db: Database, actor: Actor, involvement_id: int) -> InvolvementItem:
    """One involvement (NotFoundError when it no longer exists)."""
    permit(actor, Action.VIEW_AGENCY_ADVICE)
    with db.session() as s:
        row = get_or_gone(s, AgencyInvolvement, involvement_id, GONE, NotFoundError)
        permit_pupil(s, actor, Action.VIEW_AGENCY_ADVICE, row.pupil_id)
        senco = actor.role is Role.SENCO
        if not may_read(row.confidentiality, is_senco=senco):
            raise PermissionDeniedError(SENCO_ONLY_TEXT)
        doc_stmt = (
            select(EvidenceDocument.id)
            .where(EvidenceDocument.involvement_id == involvement_id)
            .order_by(EvidenceDocument.id)
        )
        if not senco:
            doc_stmt = doc_stmt.where(EvidenceDocument.confidentiality == STAFF)
        doc_ids = s.scalars(doc_stmt).all()
        return data_of(row, InvolvementItem, document_ids=tuple(doc_ids))


__all__ = [
    "AGENCIES",
    "CONFLICT",
    "InvolvementData",
    "InvolvementItem",
    "add_involvement",
    "get_involvement",
    "list_involvements",
    "remove_involvement",
    "update_involvement",
]
