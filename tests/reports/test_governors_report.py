"""The governors' SEND report, read back from the PDF as a governor would read it."""

from __future__ import annotations

import re
import stat
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import Pupil, Role
from sendesk.reports.figure_charts import Series, bar_plan
from sendesk.reports.governors_report import write_governors_report
from tests.factories import make_user
from tests.figures_school import END, START, TODAY, build
from tests.ui.export_audit import export_details


def _text(path: Path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def report(module_db, tmp_path_factory) -> tuple[Path, list[str], list[str], str]:
    """The report on the hand-made school, written once, as the read-only role writes it;
    with the pupils' names and UPNs to look for."""
    from sendesk.services.school.school import init_school

    senco = init_school(module_db, "Test Academy", senco_username="senco", senco_name="Ms S")
    build(module_db, senco)
    with module_db.session() as s:
        rows = s.execute(select(Pupil.legal_forename, Pupil.legal_surname, Pupil.upn)).all()
    governor = make_user(module_db, "gov", Role.READ_ONLY, "A Governor")
    out = tmp_path_factory.mktemp("governors") / "governors.pdf"
    steps: list[tuple[int, int]] = []
    written = write_governors_report(
        module_db,
        governor,
        out,
        start=START,
        end=END,
        today=TODAY,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert written == out
    assert steps[-1][0] == steps[-1][1]
    names = [n for f, sur, _ in rows for n in (f, sur)]
    return out, names, [upn for *_, upn in rows], _text(out)


def test_the_headings_and_figures_a_governor_reads(report) -> None:
    _out, _names, _upns, text = report
    flat = _flat(text)
    for heading in (
        "SEND report for governors",
        "Test Academy · 1 September 2025 to 20 July 2026 · produced 07/12/2026",
        "The SEND register on 20 July 2026",
        "By broad area of need",
        "By type of need (primary need)",
        "By year group",
        "Changes over the last three years",
        "Attendance and progress of pupils with SEND",
        "Intervention effectiveness",
        "Cost per pupil (£; interventions with 5 or more pupils)",
        "Exam access arrangements in place on 20 July 2026",
        "EHC needs assessments and the 20-week deadline",
    ):
        assert heading in flat, heading
    # 20 on roll, N 2 hidden; E 6 is Year 8's whole roll (public anyway), so K 12 and the
    # register's 18 are hidden too: shown, 20 - 18 or 20 - 12 - 6 would give the 2.
    assert "All pupils on roll 20" in flat
    assert "On the SEND register (K and E) not shown" in flat
    # The one note that says what both words mean.
    assert (
        "“fewer than 5” is a count from 1 to 4; “not shown” is a count hidden so that a "
        "small one cannot be worked out from it"
    ) in flat
    assert "SEN support (K) not shown" in flat
    assert "No special educational need (N) fewer than 5" in flat
    assert "Education, health and care plan (E) 6" in flat
    # The three years: census day, K, E, on the register, joined, left.
    assert "2023–24 18/01/2024 (census) 7 0 7 13 0" in flat
    assert "2025–26 15/01/2026 (census) 12 6 18 6 fewer than 5" in flat
    assert "All pupils with SEND 13 83.8% 12 25.0% 12 91.7%" in flat
    # 14 in all less 13 with SEND would give the hidden pupils without SEND away.
    assert "Whole school not shown 85.3% 12 25.0% 12 91.7%" in flat
    assert "Final EHC plans issued 9" in flat
    assert (
        "6 of the 11 20-week deadlines in the period were met (5 missed, fewer than 5 of "
        "them with an exception the regulations allow)."
    ) in flat
    assert "… missed 5" in flat
    # Interventions: the reading group's six, and ELSA's two (only pupils and cost shown).
    assert "6 ratio gain 4.0 £24.00 £4.00 £0.44 per month of catch-up" in flat
    assert (
        "ELSA Social, emotional and mental health fewer than 5 not shown £15.00 not shown not shown"
    ) in flat
    # 8 in all less the reading group's 6 would give ELSA's 2 away (and £39.00 ÷ £4.88 the
    # 8): the total's pupils and cost per pupil are not shown.
    assert "All interventions not shown £39.00 not shown" in flat


def test_a_count_of_3_reads_fewer_than_5(report) -> None:
    flat = _flat(report[3])
    # Three pupils have supervised rest breaks.
    assert "Supervised rest breaks fewer than 5" in flat
    assert "Supervised rest breaks 3" not in flat


def test_no_pupils_name_or_upn_is_in_the_pdf(report) -> None:
    out, names, upns, text = report
    reader = PdfReader(str(out))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert len(names) == 42 and len(upns) == 21
    for word in (*names, *upns):
        assert word not in text, word
        assert word not in metadata, word


def test_written_owner_only_and_whole(report) -> None:
    out = report[0]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(out.parent.glob(".*.partial"))
    assert len(PdfReader(str(out)).pages) >= 2


def test_audited_once_by_the_writer(db, senco, tmp_path) -> None:
    before = len(export_details(db))
    write_governors_report(db, senco, tmp_path / "g.pdf", today=date(2026, 12, 7))
    assert export_details(db)[before:] == [
        {"what": "governors' SEND report (no pupils named)", "pupils": 0, "file": "g.pdf"}
    ]


def test_a_file_that_is_not_a_pdf_is_refused_in_one_sentence(db, senco, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError) as caught:
        write_governors_report(db, senco, out / "g.docx", today=date(2026, 12, 7))
    assert str(caught.value) == (
        "The governors' report is a PDF: give a file name ending in .pdf, not 'g.docx'; "
        "nothing was written."
    )
    assert list(out.iterdir()) == []
    assert export_details(db) == []


@pytest.mark.parametrize("role", [Role.EXAMS_OFFICER, Role.TEACHER])
def test_a_role_without_the_figures_and_costs_writes_nothing(db, tmp_path, role) -> None:
    # A teacher sees the anonymised register figures but not the school's costs.
    staff = make_user(db, "staff", role)
    out = tmp_path / "governors.pdf"
    with pytest.raises(PermissionDeniedError):
        write_governors_report(db, staff, out, today=date(2026, 12, 7))
    assert not out.exists()


def test_a_suppressed_count_has_no_bar_only_its_words() -> None:
    plan = bar_plan(
        ["Cognition", "Sensory"],
        [Series("Pupils", (12.0, None), ("12", "fewer than 5"))],
        400,
    )
    assert len(plan.bars) == 1
    assert [m.text for m in plan.muted] == ["fewer than 5"]
    assert "12" in plan.texts and "Cognition" in plan.texts


def test_a_new_school_with_nothing_recorded_says_so(db, senco, tmp_path) -> None:
    out = write_governors_report(db, senco, tmp_path / "empty.pdf", today=date(2026, 12, 7))
    flat = _flat(_text(out))
    assert "1 September 2026 to 7 December 2026" in flat
    assert "All pupils on roll 0" in flat
    assert "Nobody is on the register." in flat
    assert "Nobody is on roll." in flat
    assert "2026–27 07/12/2026 (so far) 0 0 0 0 0" in flat
    assert "No intervention was delivered in the period." in flat
    assert "No 20-week deadline fell in the period." in flat
