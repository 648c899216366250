"""Agency involvement and evidence documents: stored encrypted, fingerprinted, checked on read."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sendesk.db import Database
from sendesk.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from sendesk.models import AuditEvent, EvidenceDocument, Role
from sendesk.services.actor import Actor
from sendesk.services.evidence import evidence
from sendesk.services.evidence.agencies import (
    AGENCIES,
    InvolvementData,
    add_involvement,
    get_involvement,
    list_involvements,
    remove_involvement,
    update_involvement,
)
from sendesk.services.evidence.evidence import (
    DOCX,
    JPEG,
    MAX_BYTES,
    PDF,
    PNG,
    DocumentIntegrityError,
    add_document,
    check_document,
    document_bytes,
    documents_bytes,
    get_document,
    list_documents,
    remove_document,
    remove_viewer_copies,
    set_document_confidentiality,
    sniff_media_type,
    store_document,
    sweep_stale_viewer_folders,
    viewer_copy,
)
from sendesk.services.store.audit import chain_problems
from tests.db_reads import audit_events
from tests.factories import add_test_pupil, make_user, small_pdf, works_with

TODAY = date(2025, 11, 20)


def small_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def small_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 30, 200)).save(buf, format="JPEG")
    return buf.getvalue()


def small_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Speech and language therapy advice")
    document.save(buf)
    return buf.getvalue()


@pytest.fixture
def pupil(db: Database, senco: Actor) -> int:
    return add_test_pupil(db, senco, 1, provision="K", needs=("SLCN",))


# --- agency involvement -------------------------------------------------------------------


def test_agencies_list_offers_the_usual_services() -> None:
    for name in ("Educational psychologist", "Speech and language therapy", "CAMHS"):
        assert name in AGENCIES
    assert "Occupational therapy" in AGENCIES and "Social care" in AGENCIES
    assert "School nurse" in AGENCIES


def test_involvement_add_update_list_remove(db: Database, senco: Actor, pupil: int) -> None:
    data = InvolvementData(
        "Educational psychologist",
        professional="Dr  Amira Khan",
        referral_date=date(2025, 1, 10),
        seen_date=date(2025, 3, 4),
        advice="  Use visual timetables.\nPre-teach vocabulary.  ",
    )
    inv_id = add_involvement(db, senco, pupil, data, today=TODAY)
    item = get_involvement(db, senco, inv_id)
    assert item.professional == "Dr Amira Khan"  # spaces collapsed
    assert item.advice == "Use visual timetables.\nPre-teach vocabulary."
    assert item.last_date == date(2025, 3, 4)

    later = add_involvement(
        db, senco, pupil, InvolvementData("CAMHS", referral_date=date(2025, 6, 1)), today=TODAY
    )
    assert [i.id for i in list_involvements(db, senco, pupil)] == [later, inv_id]

    version = update_involvement(
        db,
        senco,
        inv_id,
        item.version,
        InvolvementData("Educational psychologist", "Dr Amira Khan", None, date(2025, 3, 5)),
        today=TODAY,
    )
    assert version == item.version + 1
    with pytest.raises(ConflictError):  # the version the first editor opened is stale
        update_involvement(db, senco, inv_id, item.version, data, today=TODAY)
    # Saving with nothing changed writes nothing.
    same = InvolvementData("Educational psychologist", "Dr Amira Khan", None, date(2025, 3, 5))
    assert update_involvement(db, senco, inv_id, version, same, today=TODAY) == version

    remove_involvement(db, senco, later, 1)
    assert [i.id for i in list_involvements(db, senco, pupil)] == [inv_id]
    actions = [(e.action, e.entity_id) for e in audit_events(db, "agency_involvement")]
    assert actions == [
        ("create", inv_id),
        ("create", later),
        ("update", inv_id),
        ("delete", later),
    ]
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_involvement_dates_and_texts_are_checked(db: Database, senco: Actor, pupil: int) -> None:
    with pytest.raises(ValidationError, match="before the referral date"):
        add_involvement(
            db,
            senco,
            pupil,
            InvolvementData("CAMHS", referral_date=date(2025, 5, 1), seen_date=date(2025, 4, 1)),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="agency is missing"):
        add_involvement(db, senco, pupil, InvolvementData("   "), today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        add_involvement(
            db, senco, pupil, InvolvementData("OT", referral_date=date(2026, 1, 1)), today=TODAY
        )
    with pytest.raises(NotFoundError):
        add_involvement(db, senco, 999_999, InvolvementData("CAMHS"), today=TODAY)
    assert audit_events(db, "agency_involvement") == []


def test_involvement_permissions(db: Database, senco: Actor, pupil: int) -> None:
    inv_id = add_involvement(
        db, senco, pupil, InvolvementData("Educational psychologist"), today=TODAY
    )
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    ls = make_user(db, "ta", Role.LEARNING_SUPPORT)
    works_with(db, ls, pupil)
    governor = make_user(db, "governor", Role.READ_ONLY)
    assert [i.id for i in list_involvements(db, teacher, pupil)] == [inv_id]
    assert [i.id for i in list_involvements(db, ls, pupil)] == [inv_id]
    with pytest.raises(PermissionDeniedError):
        list_involvements(db, governor, pupil)
    for who in (teacher, ls, governor):
        with pytest.raises(PermissionDeniedError):
            add_involvement(db, who, pupil, InvolvementData("CAMHS"), today=TODAY)
        with pytest.raises(PermissionDeniedError):
            remove_involvement(db, who, inv_id, 1)


# --- evidence documents -------------------------------------------------------------------


def test_pdf_and_png_are_stored_with_their_sha256(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    inv_id = add_involvement(
        db, senco, pupil, InvolvementData("Educational psychologist"), today=TODAY
    )
    pdf = small_pdf()
    report = tmp_path / "EP report.pdf"
    report.write_bytes(pdf)
    pdf_id = add_document(
        db, senco, pupil, report, "EP report", date(2025, 3, 4), inv_id, today=TODAY
    )
    png = small_png()
    png_id = add_document(
        db, senco, pupil, png, "Work sample", date(2025, 6, 1), filename="sample.PNG", today=TODAY
    )

    docs = list_documents(db, senco, pupil)
    assert [d.id for d in docs] == [png_id, pdf_id]  # newest document date first
    by_id = {d.id: d for d in docs}
    assert by_id[pdf_id].sha256 == hashlib.sha256(pdf).hexdigest()
    assert by_id[pdf_id].size == len(pdf)
    assert by_id[pdf_id].media_type == PDF
    assert by_id[pdf_id].filename == "EP report.pdf"
    assert by_id[pdf_id].involvement_id == inv_id
    assert by_id[pdf_id].added_by == "Ms Senco"
    assert by_id[png_id].media_type == PNG
    assert by_id[png_id].sha256 == hashlib.sha256(png).hexdigest()
    assert document_bytes(db, senco, pdf_id) == pdf
    assert document_bytes(db, senco, png_id) == png
    assert get_involvement(db, senco, inv_id).document_ids == (pdf_id,)
    assert [d.id for d in list_documents(db, senco, pupil, involvement_id=inv_id)] == [pdf_id]

    # Stored inside the database: the bytes are in the row, not in a file beside it.
    with db.session() as s:
        stored = s.scalar(select(EvidenceDocument.content).where(EvidenceDocument.id == pdf_id))
    assert bytes(stored) == pdf
    # Adding and each opening are audited, without the title or file name.
    audit = [(e.action, e.entity_id) for e in audit_events(db, "evidence_document")]
    assert audit == [
        ("create", pdf_id),
        ("create", png_id),
        ("open", pdf_id),
        ("open", png_id),
    ]
    assert "EP report" not in "".join(e.detail for e in audit_events(db, "evidence_document"))


def test_docx_and_jpeg_are_recognised_by_their_contents() -> None:
    assert sniff_media_type(small_docx()) == DOCX
    assert sniff_media_type(small_jpeg()) == JPEG
    assert sniff_media_type(small_pdf()) == PDF
    assert sniff_media_type(small_png()) == PNG
    assert sniff_media_type(b"MZ\x90\x00 not a document") is None
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # a zip, but not a Word document
        zf.writestr("hello.txt", "hi")
    assert sniff_media_type(buf.getvalue()) is None


def test_docx_and_jpeg_can_be_stored(db: Database, senco: Actor, pupil: int) -> None:
    doc_id = add_document(
        db, senco, pupil, small_docx(), "SALT advice", None, filename="advice.docx", today=TODAY
    )
    jpg_id = add_document(db, senco, pupil, small_jpeg(), "Photo of work", None, today=TODAY)
    assert get_document(db, senco, doc_id).media_type == DOCX
    item = get_document(db, senco, jpg_id)
    assert item.media_type == JPEG
    assert item.filename == "Photo of work.jpg"  # bytes without a name: named from the title


def test_tampering_is_detected_on_read(db: Database, senco: Actor, pupil: int) -> None:
    pdf = small_pdf()
    doc_id = add_document(db, senco, pupil, pdf, "EP report", None, filename="ep.pdf", today=TODAY)
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]  # one bit
    assert len(tampered) == len(pdf) and tampered != pdf
    with db.transaction() as s:
        s.execute(
            text("UPDATE evidence_document SET content = :c WHERE id = :i"),
            {"c": tampered, "i": doc_id},
        )
    with pytest.raises(DocumentIntegrityError, match="SHA-256"):
        document_bytes(db, senco, doc_id)
    with pytest.raises(DocumentIntegrityError):
        viewer_copy(db, senco, doc_id)
    # A failed check is not recorded as an opening.
    assert [e.action for e in audit_events(db, "evidence_document")] == ["create"]


def test_several_documents_open_together_in_order_all_or_none(
    db: Database, senco: Actor, pupil: int
) -> None:
    pdf, png = small_pdf(), small_png()
    pdf_id = add_document(db, senco, pupil, pdf, "EP report", None, filename="ep.pdf", today=TODAY)
    png_id = add_document(db, senco, pupil, png, "Work", None, filename="w.png", today=TODAY)
    assert documents_bytes(db, senco, [png_id, pdf_id]) == [png, pdf]
    assert documents_bytes(db, senco, []) == []
    opened = [(e.action, e.entity_id) for e in audit_events(db, "evidence_document")][2:]
    assert opened == [("open", png_id), ("open", pdf_id)]
    with db.session() as s:
        assert list(chain_problems(s)) == []  # two openings in one transaction, chained
    with db.transaction() as s:
        s.execute(
            text("UPDATE evidence_document SET content = :c WHERE id = :i"),
            {"c": b"%PDF-1.4 not what was added", "i": pdf_id},
        )
    with pytest.raises(DocumentIntegrityError):
        documents_bytes(db, senco, [png_id, pdf_id])
    with pytest.raises(NotFoundError):
        documents_bytes(db, senco, [png_id, 9999])
    assert (
        len(audit_events(db, "evidence_document")) == 4
    )  # neither failed read recorded an opening


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "'.exe' files cannot be stored"),
        ("notes.txt", b"plain text", "'.txt' files cannot be stored"),
        ("report", b"%PDF-1.4", "without a type ending"),
        ("report.pdf", b"MZ\x90\x00 an exe in disguise", "named as a PDF but its contents"),
        ("picture.png", small_jpeg(), "named as a PNG image but its contents"),
    ],
)
def test_other_types_are_refused_in_one_sentence(
    db: Database, senco: Actor, pupil: int, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        add_document(db, senco, pupil, content, "Something", None, filename=name, today=TODAY)
    text_ = str(caught.value)
    assert text_.count(".") >= 1 and text_.endswith(".")
    assert "\n" not in text_
    assert list_documents(db, senco, pupil) == []


def test_large_and_empty_files_are_refused(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    big = tmp_path / "scan.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(MAX_BYTES + 1)  # sparse: no 20 MB written to disk
    with pytest.raises(ValidationError, match="over 20 MB cannot be stored"):
        add_document(db, senco, pupil, big, "Scan", None, today=TODAY)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="file is empty"):
        add_document(db, senco, pupil, empty, "Empty", None, today=TODAY)
    with pytest.raises(ValidationError, match="could not be found"):
        add_document(db, senco, pupil, tmp_path / "gone.pdf", "Gone", None, today=TODAY)
    with pytest.raises(ValidationError, match="title is missing"):
        add_document(db, senco, pupil, small_pdf(), "  ", None, filename="a.pdf", today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        add_document(
            db, senco, pupil, small_pdf(), "Later", date(2026, 1, 1), filename="a.pdf", today=TODAY
        )


def test_document_must_belong_to_the_involvements_pupil(
    db: Database, senco: Actor, pupil: int
) -> None:
    other = add_test_pupil(db, senco, 2)
    inv_id = add_involvement(db, senco, other, InvolvementData("CAMHS"), today=TODAY)
    with pytest.raises(ValidationError, match="another pupil's"):
        add_document(
            db, senco, pupil, small_pdf(), "Report", None, inv_id, filename="r.pdf", today=TODAY
        )


def test_removing_an_involvement_keeps_its_documents(
    db: Database, senco: Actor, pupil: int
) -> None:
    inv_id = add_involvement(db, senco, pupil, InvolvementData("Physiotherapy"), today=TODAY)
    doc_id = add_document(
        db, senco, pupil, small_pdf(), "Report", None, inv_id, filename="r.pdf", today=TODAY
    )
    remove_involvement(db, senco, inv_id, 1)
    assert get_document(db, senco, doc_id).involvement_id is None
    assert [d.id for d in list_documents(db, senco, pupil)] == [doc_id]
    assert '"documents_kept": 1' in audit_events(db, "agency_involvement")[-1].detail


def test_remove_document_is_senco_only_and_audited(db: Database, senco: Actor, pupil: int) -> None:
    pdf = small_pdf()
    doc_id = add_document(db, senco, pupil, pdf, "Report", None, filename="r.pdf", today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    with pytest.raises(PermissionDeniedError):
        remove_document(db, teacher, doc_id)
    remove_document(db, senco, doc_id)
    assert list_documents(db, senco, pupil) == []
    with pytest.raises(NotFoundError):
        document_bytes(db, senco, doc_id)
    with pytest.raises(NotFoundError):
        remove_document(db, senco, doc_id)
    last = audit_events(db, "evidence_document")[-1]
    assert last.action == "delete"
    assert hashlib.sha256(pdf).hexdigest() in last.detail


def test_document_permissions(db: Database, senco: Actor, pupil: int) -> None:
    pdf = small_pdf()
    doc_id = add_document(db, senco, pupil, pdf, "Report", None, filename="r.pdf", today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    ls = make_user(db, "ta", Role.LEARNING_SUPPORT)
    works_with(db, ls, pupil)
    governor = make_user(db, "governor", Role.READ_ONLY)
    for reader in (teacher, ls):
        assert [d.id for d in list_documents(db, reader, pupil)] == [doc_id]
        assert document_bytes(db, reader, doc_id) == pdf
        with pytest.raises(PermissionDeniedError):
            add_document(db, reader, pupil, pdf, "Mine", None, filename="m.pdf", today=TODAY)
    with pytest.raises(PermissionDeniedError):
        list_documents(db, governor, pupil)
    with pytest.raises(PermissionDeniedError):
        document_bytes(db, governor, doc_id)


# --- copies for the OS viewer ---------------------------------------------------------------


def test_viewer_copy_is_private_and_removed_on_exit(
    db: Database, senco: Actor, pupil: int, private_tmp: Path
) -> None:
    pdf = small_pdf()
    doc_id = add_document(
        db, senco, pupil, pdf, "EP report", None, filename="../../EP report.pdf", today=TODAY
    )
    first = viewer_copy(db, senco, doc_id)
    second = viewer_copy(db, senco, doc_id)  # opened twice: a second copy, not a clash
    folder = evidence.viewer_folder()
    assert folder is not None and folder.parent == private_tmp
    assert first.parent == folder and second.parent == folder
    assert first.name == "EP report.pdf" and second.name == "EP report (2).pdf"
    assert first.read_bytes() == pdf
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(first.stat().st_mode) == 0o400
    assert remove_viewer_copies() is True
    assert not folder.exists() and evidence.viewer_folder() is None
    assert remove_viewer_copies() is True  # safe to call again (aboutToQuit, then atexit)


def test_stale_viewer_folders_are_swept(private_tmp: Path) -> None:
    old = private_tmp / f"{evidence.VIEWER_PREFIX}old"
    old.mkdir()
    (old / "report.pdf").write_bytes(b"%PDF-1.4")
    (old / "report.pdf").chmod(0o400)
    recent = private_tmp / f"{evidence.VIEWER_PREFIX}recent"
    recent.mkdir()
    other = private_tmp / "someone-elses"
    other.mkdir()
    long_ago = time.time() - 2 * evidence.STALE_AFTER_SECONDS
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert sweep_stale_viewer_folders() == 1
    assert not old.exists()
    assert recent.exists() and other.exists()


# --- confidentiality (issue 13: teachers must not read CAMHS letters) ----------------------


def test_health_and_social_care_are_senco_only_by_default(
    db: Database, senco: Actor, pupil: int
) -> None:
    pdf = small_pdf()
    camhs = add_involvement(
        db, senco, pupil, InvolvementData("CAMHS", advice="Anxiety: see letter"), today=TODAY
    )
    letter = add_document(db, senco, pupil, pdf, "CAMHS letter", None, camhs, today=TODAY)
    ep = add_involvement(
        db,
        senco,
        pupil,
        InvolvementData("Educational psychologist", advice="Chunk tasks"),
        today=TODAY,
    )
    report = add_document(db, senco, pupil, pdf, "EP report", None, ep, today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    ls = make_user(db, "ta", Role.LEARNING_SUPPORT)
    works_with(db, ls, pupil)

    assert {i.agency: i.confidentiality for i in list_involvements(db, senco, pupil)} == {
        "CAMHS": "senco",
        "Educational psychologist": "staff",
    }
    for who in (teacher, ls):
        assert [i.agency for i in list_involvements(db, who, pupil)] == ["Educational psychologist"]
        assert [d.title for d in list_documents(db, who, pupil)] == ["EP report"]
        assert document_bytes(db, who, report) == pdf
        with pytest.raises(PermissionDeniedError, match="for the SENCo only"):
            get_involvement(db, who, camhs)
        with pytest.raises(PermissionDeniedError, match="for the SENCo only"):
            document_bytes(db, who, letter)
        with pytest.raises(PermissionDeniedError, match="for the SENCo only"):
            get_document(db, who, letter)
    assert document_bytes(db, senco, letter) == pdf


def test_the_senco_changes_who_may_read_and_it_is_audited(
    db: Database, senco: Actor, pupil: int
) -> None:
    ep = add_involvement(db, senco, pupil, InvolvementData("Educational psychologist"), today=TODAY)
    doc = add_document(db, senco, pupil, small_pdf(), "EP report", None, ep, today=TODAY)
    own = add_document(db, senco, pupil, small_pdf(), "Work sample", None, today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    [item] = list_involvements(db, senco, pupil)
    data = InvolvementData("Educational psychologist", confidentiality="senco")
    update_involvement(db, senco, ep, item.version, data, today=TODAY)
    # The involvement's documents follow it; a document of its own keeps its level.
    assert list_involvements(db, teacher, pupil) == []
    assert [d.id for d in list_documents(db, teacher, pupil)] == [own]
    set_document_confidentiality(db, senco, own, "senco")
    assert list_documents(db, teacher, pupil) == []
    set_document_confidentiality(db, senco, doc, "staff")
    assert [d.id for d in list_documents(db, teacher, pupil)] == [doc]
    with pytest.raises(PermissionDeniedError):
        set_document_confidentiality(db, teacher, doc, "senco")
    with pytest.raises(ValidationError, match="not a confidentiality level"):
        set_document_confidentiality(db, senco, doc, "everyone")
    with db.session() as s:
        details = [
            e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "update"))
        ]
    assert any('"confidentiality": {"from": "staff", "to": "senco"}' in d for d in details)


def test_a_title_with_a_control_character_is_refused_in_a_sentence(
    db: Database, senco: Actor, pupil: int
) -> None:
    # Found by hypothesis on PostgreSQL, which refuses NUL in text: a sentence, not a crash.
    with pytest.raises(ValidationError, match="The title contains a control character"):
        add_document(db, senco, pupil, small_pdf(), "Report\x00", None, filename="r.pdf")
    assert list_documents(db, senco, pupil) == []


def test_a_document_of_the_past_keeps_when_it_was_added(
    db: Database, senco: Actor, pupil: int
) -> None:
    """The demo school's history stores its documents through store_document as if added
    over the years; a time of adding after now is refused, and nothing is written."""
    doc = check_document(small_pdf(), "Old report", date(2021, 5, 3), filename="old.pdf")
    added = datetime(2021, 5, 4, 10, 30, tzinfo=UTC)
    with db.transaction() as s:
        doc_id = store_document(s, senco, pupil, doc, "staff", added_at=added)
    later = datetime.now(UTC) + timedelta(hours=1)
    with (
        pytest.raises(ValidationError, match="time of adding is in the future"),
        db.transaction() as s,
    ):
        store_document(s, senco, pupil, doc, "staff", added_at=later)
    items = evidence.list_documents(db, senco, pupil)
    assert [(i.id, i.added_at.astimezone(UTC)) for i in items] == [(doc_id, added)]
