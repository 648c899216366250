"""The intervention effectiveness report as PDF and XLSX, read back with pypdf and openpyxl:
what the head teacher and the governors read (figures in tests/services/effect_school.py)."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import Role
from sendesk.reports.effectiveness_report import write_effectiveness_report
from sendesk.services.actor import Actor
from tests.db_reads import audit_events
from tests.factories import make_user
from tests.services.effect_school import make_effect_school


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def school(db: Database, senco: Actor) -> None:
    make_effect_school(db, senco)


def test_the_pdf_shows_each_intervention_its_pupils_and_its_price(
    db: Database, senco: Actor, school: None, tmp_path: Path
) -> None:
    out = write_effectiveness_report(
        db, senco, tmp_path / "effect.pdf", start=date(2024, 9, 1), end=date(2025, 8, 31)
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial"))
    text = pdf_text(out)
    assert "Intervention effectiveness" in text
    assert "Test Academy · Period: 1 September 2024 to 31 August 2025" in text
    # the summary: a line per intervention, then the school's total
    assert "Reading catch-up Cognition and learning 2 2 of 2 ratio gain 2.5" in text
    assert "£48.00 £24.00 £5.33 per month of catch-up" in text
    assert "£2.50 per standard-score point" in text
    # Tara's enrolment ended before the period: three pupils share the cost
    assert "School total 3 4 of 5 3.8 4.8 £88.00 £29.33 not added across measures" in text
    # each intervention's pupils with their measures, progress, hours and cost
    assert "Zoë Pupil Reading A 8:00 9:00 4.0 remarkable impact 2 2.0 £36.00" in text
    assert "Quinn Pupil Reading A 7:06 7:09 1.0 modest impact 1 1.0 £12.00" in text
    assert "Quinn Pupil Spelling 90 85 −5 decline 1 0.5 £10.00" in text
    assert "Zoë Pupil ELSA Tuesday 3 not measured: no later measure 1 0.8 £15.00" in text
    assert "Tara Pupil" not in text  # her enrolment ended before the period
    # the unit of progress is said in words, and a loss is not priced
    assert "a month of catch-up is a month gained on the age measure beyond the months" in text
    assert "£48.00 spent on the 2 measured enrolments ÷ 9 months of catch-up" in text
    assert (
        "Cost per unit of progress: no measured progress (the 1 measured enrolment made "
        "−5 standard-score points in all)"
    ) in text
    assert "no enrolment has an entry measure and a later one" in text
    assert "confidential" in text
    (event,) = audit_events(db, "export")
    assert json.loads(event.detail) == {
        "what": "intervention effectiveness report",
        "pupils": 3,
        "file": "effect.pdf",
    }


def test_the_read_only_copy_names_nobody(
    db: Database, senco: Actor, school: None, tmp_path: Path
) -> None:
    head = make_user(db, "head", Role.READ_ONLY)
    text = pdf_text(write_effectiveness_report(db, head, tmp_path / "governors.pdf"))
    for name in ("Zoë", "Quinn", "Rhys", "Tara"):
        assert name not in text
    assert "Pupils are not named in this copy" in text
    (event,) = audit_events(db, "export")
    assert json.loads(event.detail)["what"] == "intervention effectiveness report (no pupils named)"
    assert json.loads(event.detail)["pupils"] == 0
    assert "Reading A 8:00 9:00 4.0 remarkable impact 2 2.0 £36.00" in text
    book = load_workbook(write_effectiveness_report(db, head, tmp_path / "governors.xlsx"))
    cells = " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v
    )
    assert "Reading A" in cells
    for name in ("Zoë", "Quinn", "Rhys", "Tara"):
        assert name not in cells


def test_the_xlsx_has_numbers_that_add_up(
    db: Database, senco: Actor, school: None, tmp_path: Path
) -> None:
    out = write_effectiveness_report(db, senco, tmp_path / "effect.xlsx")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "Pupils"]
    assert [ws.freeze_panes for ws in book.worksheets] == ["A5", "A5"]  # headings stay
    summary = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    assert summary[0][0] == "Intervention effectiveness"
    assert summary[1][0] == "Test Academy · Period: all dates"
    assert summary[3][:4] == ["Intervention", "Area of need", "Measure", "Pupils"]
    rows = {r[0]: r for r in summary[4:9]}
    assert rows["Reading catch-up"][3:] == [
        3,
        3,
        2,
        "ratio gain 2.5",
        2.0,
        3.0,
        48.0,
        16.0,
        "£5.33 per month of catch-up",
    ]
    assert rows["Spelling boost"][11] == "no measured progress"
    total = rows["School total"]
    assert total[3:6] == [4, 6, 4] and total[9] == 88.0 and total[10] == 22.0
    assert total[9] == sum(rows[n][9] for n in rows if n != "School total")
    assert book["Summary"]["J5"].number_format == '"£"#,##0.00'
    pupils = [list(r) for r in book["Pupils"].iter_rows(values_only=True)]
    assert pupils[3][:3] == ["Intervention", "Pupil", "Group"]
    lines = {(r[0], r[1]): r[2:] for r in pupils[4:]}
    assert lines[("Reading catch-up", "Zoë Pupil")] == [
        "Reading A",
        "8:00",
        "9:00",
        "4.0",
        "remarkable impact",
        2,
        2.0,
        36.0,
    ]
    assert lines[("Reading catch-up", "Tara Pupil")][4] == "not measured: no entry measure"
    assert lines[("ELSA", "Zoë Pupil")][2:4] == [None, None]  # no exit, no progress


def test_so_far_marks_a_pupil_still_in_the_group(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    from sendesk.models import Enrolment, Measurement

    make_effect_school(db, senco)
    with db.transaction() as s:  # Zoë's ELSA: a measure taken since her entry one
        ez = s.query(Enrolment).filter(Enrolment.entry_measure == 3).one()
        s.add(Measurement(enrolment_id=ez.id, taken_on=date(2024, 11, 4), value=6))
    text = pdf_text(write_effectiveness_report(db, senco, tmp_path / "effect.pdf"))
    assert "Zoë Pupil ELSA Tuesday 3 6 (so far) +3 improved" in text
    assert "£5.00 per point of self-rating" in text


def test_any_other_ending_is_refused_and_nothing_is_written(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ValidationError, match=r"as \.pdf or \.xlsx, not '\.docx'"):
        write_effectiveness_report(db, senco, tmp_path / "effect.docx")
    with pytest.raises(ValidationError, match="has no ending"):
        write_effectiveness_report(db, senco, tmp_path / "effect")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_school_says_so(db: Database, senco: Actor, tmp_path: Path) -> None:
    text = pdf_text(write_effectiveness_report(db, senco, tmp_path / "empty.pdf"))
    assert "No intervention had pupils enrolled or sessions delivered in this period." in text
    assert "School total 0 0 of 0 0.0 0.0 £0.00 — not added across measures" in text


def test_a_name_typed_as_a_formula_stays_text(
    db: Database, senco: Actor, school: None, tmp_path: Path
) -> None:
    from sendesk.models import Intervention, Pupil

    with db.transaction() as s:
        s.query(Pupil).filter(Pupil.legal_forename == "Zoë").update(
            {Pupil.legal_forename: '=HYPERLINK("http://x","y")'}
        )
        s.query(Intervention).filter(Intervention.name == "ELSA").update(
            {Intervention.name: "=1+1"}
        )
    book = load_workbook(write_effectiveness_report(db, senco, tmp_path / "e.xlsx"))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert {c.value for c in hostile} == {"=1+1", '=HYPERLINK("http://x","y") Pupil'}
    assert all(c.data_type == "s" for c in hostile)
