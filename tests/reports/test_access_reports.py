"""The exams officer's list (CSV, XLSX, PDF) and the per-candidate evidence file, read back."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import AuditEvent, Role, User
from sendesk.reports.access_evidence import evidence_file_for
from sendesk.reports.access_list import HEADERS, write_access_list
from sendesk.services.access.arrangement_edits import propose_arrangement, set_arrangement_status
from sendesk.services.access.assessments import record_assessment
from sendesk.services.access.nww import record_nww
from sendesk.services.access.overviews import exams_officer_rows
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import ArrangementData, AssessmentData, NwwData, ScoreData
from sendesk.services.actor import Actor
from sendesk.services.staff.teaching_groups import GroupData, save_group
from tests.factories import add_test_pupil, make_user

TODAY = date(2026, 3, 2)
SCHOOL = "Test Academy"


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def move(
    db: Database, actor: Actor, pupil_id: int, arrangement_id: int, status: str, on: date
) -> None:
    item = next(
        a
        for a in pupil_access(db, actor, pupil_id, today=TODAY).arrangements
        if a.id == arrangement_id
    )
    set_arrangement_status(db, actor, arrangement_id, item.version, status, on, today=TODAY)


@pytest.fixture
def school(db: Database, senco: Actor) -> dict[str, int]:
    """Łucja (known as Lu) with 25% extra time approved online, a reader proposed, a Form 8
    and maths and English evidence including mocks; Ben with a word processor approved in
    the centre; Cal with a prompter only proposed."""
    maths = make_user(db, "mt", Role.TEACHER, "Mo Maths")
    lu = add_test_pupil(
        db, senco, 1, forename="Łucja", surname="Nguyễn", preferred_forename="Lu", year=11
    )
    ben = add_test_pupil(db, senco, 2, forename="Ben", surname="Adams", year=11)
    cal = add_test_pupil(db, senco, 3, forename="Cal", surname="Moss", year=10)
    save_group(
        db, senco, None, None, GroupData("11X/Ma1", "Mathematics", "", maths.user_id, (lu, ben))
    )
    save_group(db, senco, None, None, GroupData("11X/En1", "English", "Mr Absent", None, (lu,)))
    form = record_assessment(
        db,
        senco,
        lu,
        AssessmentData(
            "Dr Ann Assessor",
            "AMBDA; Level 7 APC",
            date(2025, 10, 6),
            date(2025, 10, 8),  # Part 1 after the tests: flagged
            "Lu is slow to finish written work in every subject.",
            "",
            (
                ScoreData("writing speed", 82, "DASH"),
                ScoreData("cognitive processing speed", 88, "SDMT"),
            ),
        ),
        today=TODAY,
    )
    extra = propose_arrangement(
        db,
        senco,
        lu,
        ArrangementData("extra_time_25", "assessment", date(2025, 11, 3), assessment_id=form),
        today=TODAY,
    )
    for status, on in (
        ("gathering evidence", date(2025, 11, 4)),
        ("applied online", date(2025, 11, 5)),
        ("approved by awarding body", date(2025, 11, 6)),
    ):
        move(db, senco, lu, extra, status, on)
    reader = propose_arrangement(
        db,
        senco,
        lu,
        ArrangementData("reader", "picture_of_need", date(2025, 11, 3), ("English",), "Room 12"),
        today=TODAY,
    )
    wp = propose_arrangement(
        db,
        senco,
        ben,
        ArrangementData("word_processor", "picture_of_need", date(2025, 11, 3)),
        today=TODAY,
    )
    move(db, senco, ben, wp, "approved in centre", date(2025, 12, 1))
    propose_arrangement(
        db,
        senco,
        cal,
        ArrangementData("prompter", "picture_of_need", date(2025, 11, 3)),
        today=TODAY,
    )
    record_nww(
        db,
        maths,
        NwwData(
            extra, "Mathematics", date(2026, 1, 12), "mock", "Paper 1 (non-calculator)", True, 18
        ),
        today=TODAY,
    )
    record_nww(
        db,
        maths,
        NwwData(
            extra,
            "Mathematics",
            date(2026, 2, 10),
            "timed test",
            "Algebra unit test",
            True,
            10,
            "Used most of it; finished.",
        ),
        today=TODAY,
    )
    record_nww(
        db,
        senco,
        NwwData(
            reader, "English", date(2026, 1, 13), "mock", "Paper 2", True, None, "Questions 1-4."
        ),
        today=TODAY,
    )
    record_nww(
        db,
        senco,
        NwwData(extra, "English", date(2026, 1, 13), "mock", "Paper 2", False, None, "Not needed."),
        today=TODAY,
    )
    return {"lu": lu, "ben": ben, "cal": cal, "maths_teacher": maths.user_id}


def test_csv_xlsx_and_pdf_say_the_same(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    rows = exams_officer_rows(db, senco, today=TODAY)
    for fmt in ("csv", "xlsx", "pdf"):
        assert write_access_list(rows, tmp_path / f"list.{fmt}", fmt, school=SCHOOL, today=TODAY)

    with (tmp_path / "list.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table == [
        list(HEADERS),
        [
            "Adams, Ben",
            "Z801200024002",
            "11",
            "Word processor",
            "All subjects",
            "",
            "",
            "01/12/2025",
            "01/02/2028",
        ],
        [
            "Nguyễn, Łucja",
            "K801200024001",
            "11",
            "25% extra time",
            "All subjects",
            "25%",
            "",
            "06/11/2025",
            "06/01/2028",
        ],
    ]
    assert (tmp_path / "list.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    sheet = load_workbook(tmp_path / "list.xlsx").active
    assert [c.value for c in sheet[1]] == list(HEADERS)
    assert sheet["A3"].value == "Nguyễn, Łucja" and sheet["F3"].value == "25%"
    assert sheet["H3"].value.date() == date(2025, 11, 6)  # a real date cell
    assert sheet["H3"].number_format == "DD/MM/YYYY"

    text = pdf_text(tmp_path / "list.pdf")
    assert "Access arrangements: the exams officer's list" in text
    assert "Test Academy · 2 candidates · produced 02/03/2026" in text
    assert "Nguyễn, Łucja" in text and "K801200024001" in text and "25% extra time" in text
    assert text.index("Adams, Ben") < text.index("Nguyễn, Łucja")
    assert "06/01/2028" in text and "confidential" in text


def test_applied_for_and_room_on_the_list(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    lu = school["lu"]
    reader = next(
        a for a in pupil_access(db, senco, lu, today=TODAY).arrangements if a.name == "Reader"
    )
    move(db, senco, lu, reader.id, "gathering evidence", date(2026, 1, 5))
    move(db, senco, lu, reader.id, "applied online", date(2026, 1, 6))
    rows = exams_officer_rows(db, senco, today=TODAY)
    write_access_list(rows, tmp_path / "list.pdf", "pdf", school=SCHOOL, today=TODAY)
    text = pdf_text(tmp_path / "list.pdf")
    assert "Reader (applied for)" in text
    assert "Separate room (reader); Room" in text
    assert "25% extra time: all" in text and "Reader: English" in text


def test_nobody_bad_format_and_nothing_half_written(tmp_path: Path) -> None:
    write_access_list([], tmp_path / "empty.pdf", "pdf", school=SCHOOL, today=TODAY)
    assert "No candidate has an approved or applied-for access arrangement." in pdf_text(
        tmp_path / "empty.pdf"
    )
    with pytest.raises(ValidationError, match="Unknown format 'docx'"):
        write_access_list([], tmp_path / "list.docx", "docx", school=SCHOOL, today=TODAY)
    with pytest.raises(SendeskError, match="does not exist"):
        write_access_list(
            [], tmp_path / "no-such-folder" / "l.csv", "csv", school=SCHOOL, today=TODAY
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.pdf"]


def test_the_evidence_file(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    out = evidence_file_for(db, senco, school["lu"], tmp_path / "lu.pdf", today=TODAY)
    assert out == tmp_path / "lu.pdf"
    text = pdf_text(out)
    # Who, and the approval with its route and every date.
    assert "Access arrangements: evidence file" in text
    assert "Lu Nguyễn" in text and "Legal name (as entered for exams): Łucja Nguyễn" in text
    assert "UPN K801200024001 · born 01/01/2012 · Year 11" in text
    assert "25% extra time — approved by awarding body" in text
    assert "Needs an online application (AAO)" in text
    assert "Applied for online 05/11/2025" in text
    assert "06/11/2025 (recorded by Ms Senco)" in text
    assert "Approval expires 06/01/2028" in text
    assert "Reader — proposed" in text
    # The criteria verdict in words, and the assessment's problem.
    assert "Criteria met on the assessment of 06/10/2025 by Dr Ann Assessor." in text
    assert "Writing speed 82 counts: below average (84 or less)" in text
    assert "Qualification: AMBDA; Level 7 APC" in text
    assert "dated 08/10/2025, after the assessment on 06/10/2025" in text
    assert "Linked to: 25% extra time (criteria met)." in text
    # The picture of need, the teachers' evidence by subject, and the mock log.
    assert "Lu is slow to finish written work in every subject." in text
    assert "Normal way of working: teachers' evidence by subject" in text
    assert "Algebra unit test" in text and "Mo Maths" in text
    assert "Mock log: arrangements used in each mock paper" in text
    assert "25% extra time: not used; Reader: used" in text
    assert "25% extra time: used, 18 extra min" in text
    with db.session() as s:
        from sqlalchemy import select

        assert (
            s.scalar(select(AuditEvent.entity_id).where(AuditEvent.action == "evidence_file"))
            == school["lu"]
        )


def test_evidence_file_for_a_candidate_with_nothing_yet(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    lone = add_test_pupil(db, senco, 7, forename="Dee", surname="Nobody", year=10)
    text = pdf_text(evidence_file_for(db, senco, lone, tmp_path / "dee.pdf", today=TODAY))
    assert "No access arrangements are recorded for this candidate." in text
    assert "No specialist assessment (Form 8) is recorded for this candidate." in text
    assert "No evidence of normal way of working has been recorded yet." in text
    assert "No mock papers have been logged." in text


def test_only_the_senco_makes_an_evidence_file(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    with db.session() as s:
        teacher = Actor.of(s.get(User, school["maths_teacher"]))
    with pytest.raises(PermissionDeniedError):
        evidence_file_for(db, teacher, school["lu"], tmp_path / "lu.pdf", today=TODAY)
    assert not (tmp_path / "lu.pdf").exists()
