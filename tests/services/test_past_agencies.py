"""A school's past agency involvements and their reports recorded in one call (issue 14):
read back through the agencies and evidence services as if added one by one, checked by
the same rules, audited once."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AgencyInvolvement, AuditEvent, EvidenceDocument, Role
from sendesk.services.actor import Actor
from sendesk.services.evidence.agencies import InvolvementData, list_involvements
from sendesk.services.evidence.evidence import PDF, document_bytes, list_documents
from sendesk.services.evidence.past_agencies import (
    PastAgencyCounts,
    PastDocument,
    PastInvolvement,
    record_past_involvements,
)
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user, small_pdf, works_with

TODAY = date(2025, 3, 14)
ADDED = datetime(2024, 11, 20, 10, 30, tzinfo=UTC)
EP = InvolvementData(
    "Educational psychologist",
    "Dr A Patel, Educational psychologist",
    date(2024, 9, 9),
    date(2024, 11, 4),
    "Chunk tasks; check understanding.",
)
CAMHS = InvolvementData("CAMHS", "J Okafor", date(2025, 1, 13))  # still waiting
SALT = InvolvementData("Speech and language therapy", "B Evans", date(2024, 5, 1))
PDF_BYTES = small_pdf()


def report(title: str = "EP report", **changes: object) -> PastDocument:
    values: dict[str, object] = {
        "content": PDF_BYTES,
        "title": title,
        "filename": "ep-2024-11-18.pdf",
        "document_date": date(2024, 11, 18),
        "added_at": ADDED,
    }
    return PastDocument(**{**values, **changes})  # type: ignore[arg-type]


def record(db: Database, actor: Actor, items: list[PastInvolvement]) -> PastAgencyCounts:
    with db.transaction() as s:
        return record_past_involvements(s, AuditWriter(s, actor), items, today=TODAY)


def test_past_involvements_read_back_as_if_added_one_by_one(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1)
    counts = record(
        db, senco, [PastInvolvement(pupil, EP, (report(),)), PastInvolvement(pupil, CAMHS)]
    )
    assert counts == PastAgencyCounts(involvements=2, documents=1)
    by_agency = {i.agency: i for i in list_involvements(db, senco, pupil)}
    ep, camhs = by_agency["Educational psychologist"], by_agency["CAMHS"]
    assert (ep.seen_date, ep.advice, ep.confidentiality) == (
        date(2024, 11, 4),
        "Chunk tasks; check understanding.",
        "staff",
    )
    assert camhs.seen_date is None and camhs.confidentiality == "senco"  # the agency's default
    [doc] = list_documents(db, senco, pupil, involvement_id=ep.id)
    assert (doc.title, doc.media_type, doc.document_date) == ("EP report", PDF, date(2024, 11, 18))
    assert doc.added_by == senco.display_name and doc.added_at.astimezone(UTC) == ADDED
    assert document_bytes(db, senco, doc.id) == PDF_BYTES  # its SHA-256 checks
    with db.session() as s:
        [detail] = s.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "record_past_involvements")
        )
        assert json.loads(detail)["document_sha256"] == [hashlib.sha256(PDF_BYTES).hexdigest()]
        assert list(chain_problems(s)) == []


def test_a_report_follows_its_involvements_confidentiality(db: Database, senco: Actor) -> None:
    """As add_document: a CAMHS letter is SENCo only like the CAMHS advice."""
    pupil = add_test_pupil(db, senco, 1)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    record(db, senco, [PastInvolvement(pupil, CAMHS, (report("CAMHS letter"),))])
    assert [d.confidentiality for d in list_documents(db, senco, pupil)] == ["senco"]
    assert list_documents(db, teacher, pupil) == []


LATER = datetime.now(UTC) + timedelta(days=1)


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (
            PastInvolvement(0, InvolvementData("CAMHS", referral_date=date(2025, 3, 20))),
            "Pupil {p}'s involvement with CAMHS: the referral date 20/03/2025 is in the future.",
        ),
        (
            PastInvolvement(0, InvolvementData(" ")),
            "Pupil {p}'s involvement with an agency: the agency is missing.",
        ),
        (
            PastInvolvement(0, EP, (report(filename="ep.txt"),)),
            "Pupil {p}'s involvement with Educational psychologist, the document 'EP report': "
            "'.txt' files cannot be stored as evidence: add a PDF, a Word document (.docx), a "
            "PNG or a JPEG image.",
        ),
        (
            PastInvolvement(0, EP, (report(content=b"%PDF-", title=""),)),
            "Pupil {p}'s involvement with Educational psychologist, the document '': the "
            "document's title is missing.",
        ),
        (
            PastInvolvement(0, EP, (report(added_at=LATER),)),
            "Pupil {p}'s involvement with Educational psychologist, the document 'EP report': "
            "the document's time of adding is in the future.",
        ),
        (
            PastInvolvement(0, SALT),
            "Pupil {p}'s involvement with Speech and language therapy: it is given twice (the "
            "same referral and seen dates).",
        ),
    ],
)
def test_a_bad_item_refuses_the_whole_batch(
    db: Database, senco: Actor, item: PastInvolvement, problem: str
) -> None:
    pupil = add_test_pupil(db, senco, 1)
    good = PastInvolvement(pupil, SALT, (report("SaLT report"),))  # not written either
    bad = PastInvolvement(pupil, item.data, item.documents)
    with pytest.raises(ValidationError) as refused:
        record(db, senco, [good, bad])
    assert str(refused.value) == problem.format(p=pupil)[:-1] + ". Nothing was recorded."
    assert count_rows(db, AgencyInvolvement) == 0
    assert count_rows(db, EvidenceDocument) == 0


def test_a_pupil_not_in_the_database_is_named(db: Database, senco: Actor) -> None:
    with pytest.raises(ValidationError, match="pupil 999 is not in this database"):
        record(db, senco, [PastInvolvement(999, EP)])
    assert count_rows(db, AgencyInvolvement) == 0


def test_only_the_senco_records_past_involvements(db: Database, senco: Actor) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    pupil = add_test_pupil(db, senco, 1)
    with pytest.raises(PermissionDeniedError):
        record(db, ta, [PastInvolvement(pupil, EP, (report(),))])
    assert count_rows(db, AgencyInvolvement) == 0
