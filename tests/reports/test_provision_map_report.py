"""Provision maps as XLSX and PDF, read back with openpyxl and pypdf."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sendesk.errors import ValidationError
from sendesk.reports.provision_map_report import (
    money,
    threshold_sentence,
    write_pupil_provision,
    write_school_provision,
)
from sendesk.services.graduated.provision_map import (
    AreaTotal,
    InterventionLine,
    ProvisionLine,
    PupilProvision,
)

CL = "Cognition and learning"
SEMH = "Social, emotional and mental health"


def pupil_map(threshold: int = 600_000) -> PupilProvision:
    lines = (
        ProvisionLine(1, "Reading catch-up", CL, "Teaching assistant", 2400, 38, 2280, 45_600),
        ProvisionLine(2, "Precision teaching", CL, "Teaching assistant", 2400, 20, 200, 4_000),
        ProvisionLine(3, "ELSA mentor", SEMH, "ELSA", 3000, 30, 1350, 67_550),
    )
    return PupilProvision(
        pupil_id=1,
        upn="A801200024001",
        name="Łucja Фёдорова-Nguyễn",
        year_group=8,
        academic_year_start=2024,
        lines=lines,
        areas=(AreaTotal(CL, 2480, 49_600), AreaTotal(SEMH, 1350, 67_550)),
        total_minutes=3830,
        total_cost_pence=117_150,
        threshold_pence=threshold,
    )


def school_map() -> list[InterventionLine]:
    return [
        InterventionLine(
            1,
            "Reading catch-up",
            CL,
            "Teaching assistant",
            4,
            2400,
            23,
            152,
            9120,
            30_000,
            364_800,
            330_000,
        ),
        InterventionLine(
            3, "ELSA mentor", SEMH, "ELSA", 1, 3000, 9, 270, 8100, 8100, 405_000, 405_000
        ),
    ]


def pdf_words(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFC", text).split())


def test_money() -> None:
    assert money(0) == "£0.00"
    assert money(5) == "£0.05"
    assert money(600_000) == "£6,000.00"
    assert money(123_456_789) == "£1,234,567.89"


def test_threshold_sentence() -> None:
    below = pupil_map()
    assert threshold_sentence(below) == (
        "Total £1,171.50 of the school's notional SEN threshold of £6,000.00: £4,828.50 below it."
    )
    above = pupil_map(threshold=100_000)
    assert threshold_sentence(above) == (
        "Total £1,171.50: £171.50 above the school's notional SEN threshold of £1,000.00."
    )
    assert "exactly" in threshold_sentence(pupil_map(threshold=117_150))


def test_pupil_map_xlsx(tmp_path: Path) -> None:
    out = write_pupil_provision(pupil_map(), tmp_path / "map.xlsx", "xlsx")
    ws = load_workbook(out).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Costed provision map 2024–25"
    assert rows[1][:3] == ["Łucja Фёдорова-Nguyễn", "UPN A801200024001", "Year 8"]
    assert rows[3] == [
        "Intervention",
        "Area of need",
        "Staff role",
        "Sessions attended",
        "Hours",
        "Cost",
    ]
    assert rows[4] == ["Reading catch-up", CL, "Teaching assistant", 38, 38.0, 456.0]
    assert rows[6][0] == "ELSA mentor" and rows[6][5] == pytest.approx(675.5)
    by_label = {r[0]: r for r in rows if r and r[0]}
    assert by_label[CL][4:6] == [pytest.approx(41.33), 496.0]
    assert by_label[SEMH][5] == pytest.approx(675.5)
    assert by_label["Total"][3:6] == [88, pytest.approx(63.83), pytest.approx(1171.5)]
    assert by_label["Notional SEN threshold"][5] == 6000
    assert by_label["Below the threshold by"][5] == pytest.approx(4828.5)
    assert "Above the threshold by" not in by_label
    # Money is a number in pounds, formatted as such, so a spreadsheet can sum it.
    cost_cell = ws.cell(row=5, column=6)
    assert cost_cell.number_format == '"£"#,##0.00'
    assert ws.cell(row=5, column=5).number_format == "0.0"


def test_pupil_map_xlsx_above_threshold(tmp_path: Path) -> None:
    out = write_pupil_provision(pupil_map(100_000), tmp_path / "map.xlsx", "xlsx")
    rows = [list(r) for r in load_workbook(out).active.iter_rows(values_only=True)]
    by_label = {r[0]: r for r in rows if r and r[0]}
    assert by_label["Above the threshold by"][5] == pytest.approx(171.5)


def test_pupil_map_pdf(tmp_path: Path) -> None:
    out = write_pupil_provision(pupil_map(), tmp_path / "map.pdf", "pdf")
    pages, words = pdf_words(out)
    assert pages == 1
    assert "Costed provision map" in words
    assert "Łucja Фёдорова-Nguyễn" in words
    assert "Year 8 · UPN A801200024001 · Academic year 2024–25" in words
    for expected in (
        "Reading catch-up",
        "ELSA mentor",
        "£456.00",
        "£675.50",
        "By area of need",
        "£496.00",
        "£1,171.50",
        threshold_sentence(pupil_map()),
    ):
        assert expected in words
    assert not list(tmp_path.glob(".*partial"))


def test_school_map_xlsx(tmp_path: Path) -> None:
    out = write_school_provision(
        school_map(), 2024, tmp_path / "school.xlsx", "xlsx", school_name="Test Academy"
    )
    ws = load_workbook(out).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Whole-school provision map 2024–25", "Test Academy"]
    assert rows[2][0] == "Intervention" and rows[2][-1] == "Allocated to pupils"
    assert rows[3] == ["Reading catch-up", CL, 4, 23, 152, 152.0, 3648.0, 3300.0]
    assert rows[4][0] == "ELSA mentor"
    total = rows[5]
    assert total[0] == "Total" and total[4] == 422
    assert total[6] == pytest.approx(7698.0) and total[7] == pytest.approx(7350.0)


def test_both_maps_open_with_their_headers_frozen(tmp_path: Path) -> None:
    """The table's headers (and the title above them) stay in view as a long map scrolls.
    The school map's freeze was set after its rows, which a streamed sheet ignores: it
    opened with nothing frozen."""
    school = write_school_provision(school_map(), 2024, tmp_path / "school.xlsx", "xlsx")
    pupil = write_pupil_provision(pupil_map(), tmp_path / "pupil.xlsx", "xlsx")
    for out, header_row in ((school, 3), (pupil, 4)):
        ws = load_workbook(out).active
        assert ws.cell(row=header_row, column=1).value == "Intervention"
        assert ws.cell(row=header_row, column=1).font.b
        assert ws.freeze_panes == f"A{header_row + 1}"


def test_school_map_pdf_runs_over_pages_with_headers(tmp_path: Path) -> None:
    many = [
        InterventionLine(
            n, f"Intervention {n:03d}", CL, "TA", 4, 2400, 4, 30, 1800, 7200, 72_000, 72_000
        )
        for n in range(120)
    ]
    out = write_school_provision(many, 2024, tmp_path / "school.pdf", "pdf")
    reader = PdfReader(out)
    assert len(reader.pages) > 1
    for page in reader.pages:  # the header row is repeated on every page
        assert "Sessions delivered" in " ".join((page.extract_text() or "").split())
    _, words = pdf_words(out)
    assert "Whole-school provision map 2024–25" in words
    assert "Intervention 000" in words and "Intervention 119" in words
    assert "£86,400.00" in words  # 120 × £720


def test_school_map_pdf(tmp_path: Path) -> None:
    out = write_school_provision(school_map(), 2024, tmp_path / "s.pdf", "pdf", school_name="Łódź")
    pages, words = pdf_words(out)
    assert pages == 1
    assert "Łódź" in words
    for expected in ("Reading catch-up", "£3,648.00", "£3,300.00", "£7,698.00", "£7,350.00"):
        assert expected in words


def test_empty_maps_say_so(tmp_path: Path) -> None:
    empty = PupilProvision(1, "A801200024001", "Ada Lovelace", None, 2020, (), (), 0, 0, 600_000)
    _, words = pdf_words(write_pupil_provision(empty, tmp_path / "e.pdf"))
    assert "No sessions attended were logged in this academic year." in words
    _, words = pdf_words(write_school_provision([], 2020, tmp_path / "s.pdf"))
    assert "No sessions were logged as delivered in this academic year." in words


def test_unknown_format_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="use xlsx or pdf"):
        write_pupil_provision(pupil_map(), tmp_path / "m.csv", "csv")
    with pytest.raises(Exception, match="does not exist"):
        write_school_provision(school_map(), 2024, tmp_path / "nowhere" / "s.pdf")
