"""`sendesk report governors`: the governors' SEND report from the command line, read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli_run import HILL_PASSWORD, run_at_hill
from tests.factories import staffed_hill_school
from tests.figures_school import FORENAMES, SURNAME, build


@pytest.fixture
def school(tmp_path: Path, raw_key: str) -> str:
    """Hill School with the governors' figures school (tests/figures_school.py), a head
    teacher (read-only) and a teacher; returns the database file."""
    return staffed_hill_school(str(tmp_path / "s.db"), raw_key, HILL_PASSWORD, build)


def test_the_head_teacher_writes_the_governors_report(
    capsys, monkeypatch, raw_key: str, school: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "governors.pdf"
    argv = ("report", "governors", "--db", school, "--out", str(pdf), "--user", "head")
    period = ("--from", "01/09/2025", "--to", "20/07/2026")
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, *period)
    assert (code, err) == (0, "")
    assert lines[-1] == f"Wrote the governors' report to {pdf}."
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)
    assert "Hill School · 1 September 2025 to 20 July 2026" in text
    assert "6 of the 11 20-week deadlines in the period were met (5 missed" in text
    assert "Supervised rest breaks fewer than 5" in text
    for name in (*FORENAMES, SURNAME):
        assert name not in text


def test_a_teacher_writes_nothing(
    capsys, monkeypatch, raw_key: str, school: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "governors.pdf"
    argv = ("report", "governors", "--db", school, "--out", str(pdf), "--user", "teacher")
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code == 3 and lines == []
    assert err == (
        "sendesk: Teacher accounts cannot see the school's provision map and costs; "
        "ask the SENCo.\n"
    )
    assert not pdf.exists()
