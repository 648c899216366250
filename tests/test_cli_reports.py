"""`sendesk report`: the whole-school reports from the command line (issue 16) — the
effectiveness report written and read back, who may run it, and bad input refused in one
sentence with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sendesk.db import open_database
from tests.cli_run import HILL_PASSWORD, run_at_hill, sendesk_help
from tests.factories import staffed_hill_school
from tests.services.effect_school import make_effect_school
from tests.ui.export_audit import export_details


@pytest.fixture
def school(tmp_path: Path, raw_key: str) -> str:
    """Hill School with the effectiveness school's interventions, a head teacher (read-only)
    and a teacher, all signing in with HILL_PASSWORD; returns the database file."""
    return staffed_hill_school(str(tmp_path / "s.db"), raw_key, HILL_PASSWORD, make_effect_school)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def pdf_text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages)


def test_effectiveness_pdf_and_xlsx(
    capsys, monkeypatch, raw_key: str, school: str, out: Path
) -> None:
    pdf = out / "effect.pdf"
    argv = ("report", "effectiveness", "--db", school, "--out", str(pdf))
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, "--from", "2024-09-01")
    assert (code, err) == (0, "")
    assert lines == [f"Wrote the intervention effectiveness report to {pdf}."]
    text = pdf_text(pdf)
    assert "Hill School · Period: from 1 September 2024" in text
    assert "Zoë Pupil Reading A 8:00 9:00 4.0 remarkable impact 2 2.0 £36.00" in text
    assert "£5.33 per month of catch-up" in text

    xlsx = out / "effect.xlsx"
    argv = ("report", "effectiveness", "--db", school, "--out", str(xlsx))
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, "--to", "31/08/2025")
    assert (code, err) == (0, "")
    summary = [list(r) for r in load_workbook(xlsx)["Summary"].iter_rows(values_only=True)]
    assert summary[1][0] == "Hill School · Period: up to 31 August 2025"
    total = next(r for r in summary if r[0] == "School total")
    assert total[3:6] == [4, 6, 4] and total[9] == 88.0


def test_the_head_teacher_gets_no_names_and_a_teacher_nothing(
    capsys, monkeypatch, raw_key: str, school: str, out: Path
) -> None:
    pdf = out / "governors.pdf"
    argv = ("report", "effectiveness", "--db", school, "--out", str(pdf))
    code, _, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, "--user", "head")
    assert (code, err) == (0, "")
    text = pdf_text(pdf)
    assert "Reading A 8:00 9:00 4.0 remarkable impact" in text
    assert "Zoë" not in text and "Pupils are not named in this copy" in text

    pdf.unlink()
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, "--user", "teacher")
    assert code == 3 and lines == []
    assert err == (
        "sendesk: Teacher accounts cannot see the school's provision map and costs; "
        "ask the SENCo.\n"
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--from", "2026-13-01"), "sendesk: --from 2026-13-01 does not exist.\n"),
        (
            ("--to", "next week"),
            "sendesk: --to 'next week' is not a date in the form dd/mm/yyyy.\n",
        ),
        (
            ("--from", "2025-09-01", "--to", "2025-08-31"),
            "sendesk: --from 01/09/2025 is after --to 31/08/2025: the period must start on or "
            "before its end; nothing was written.\n",
        ),
    ],
)
def test_bad_dates_are_one_sentence_and_nothing_is_written(
    capsys, monkeypatch, raw_key: str, school: str, out: Path, extra: tuple[str, ...], message: str
) -> None:
    argv = ("report", "effectiveness", "--db", school, "--out", str(out / "e.pdf"), *extra)
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code != 0 and lines == [] and err == message
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("name", ["effect.csv", "effect"])
def test_an_output_that_is_neither_pdf_nor_xlsx_is_refused(
    capsys, monkeypatch, raw_key: str, school: str, out: Path, name: str
) -> None:
    argv = ("report", "effectiveness", "--db", school, "--out", str(out / name))
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code != 0 and lines == []
    ending = "'.csv'" if name.endswith(".csv") else "'no ending'"
    assert err == (
        f"sendesk: --out must end in .pdf or .xlsx for the intervention effectiveness report "
        f"(not {ending}); nothing was written.\n"
    )
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_refused(capsys, monkeypatch, raw_key: str, school: str, out: Path):
    argv = ("report", "effectiveness", "--db", school, "--out", str(out / "no" / "e.pdf"))
    code, _, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code != 0 and "does not exist; nothing was written." in err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("governors", "g.docx", "--out must end in .pdf for the governors' report (not '.docx')"),
        ("governors", "g", "--out must end in .pdf for the governors' report (not 'no ending')"),
        (
            "sen-information",
            "s.pdf",
            "--out must end in .docx for the SEN information report (not '.pdf')",
        ),
    ],
)
def test_the_governors_and_sen_information_reports_check_their_ending(
    capsys, monkeypatch, raw_key: str, school: str, out: Path, kind: str, name: str, message: str
) -> None:
    argv = ("report", kind, "--db", school, "--out", str(out / name))
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code != 0 and lines == []
    assert err == f"sendesk: {message}; nothing was written.\n"
    assert list(out.iterdir()) == []


def test_each_report_is_audited_once(
    capsys, monkeypatch, raw_key: str, school: str, out: Path
) -> None:
    """The writers audit their own exports; the command adds none of its own."""
    for kind, name in (
        ("governors", "g.pdf"),
        ("sen-information", "s.docx"),
        ("effectiveness", "e.pdf"),
        ("effectiveness", "e.xlsx"),
    ):
        code, _, err = run_at_hill(
            capsys, monkeypatch, raw_key, "report", kind, "--db", school, "--out", str(out / name)
        )
        assert (code, err) == (0, "")
    with open_database(school, raw_key) as db:
        details = export_details(db)
    assert [(d["what"], d["file"]) for d in details] == [
        ("governors' SEND report (no pupils named)", "g.pdf"),
        ("SEN information report (no pupils named)", "s.docx"),
        ("intervention effectiveness report", "e.pdf"),
        ("intervention effectiveness report", "e.xlsx"),
    ]


def test_help_names_the_kinds_and_the_period() -> None:
    result = sendesk_help("report")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "{governors,sen-information,effectiveness}" in text
    for option in ("--db", "--user", "--out FILE", "--from DATE", "--to DATE"):
        assert option in text
