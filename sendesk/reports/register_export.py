"""The SEND register as CSV or XLSX: the file a SENCo hands to SLT or checks the census with."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sendesk.errors import ValidationError
from sendesk.reports.atomic import atomic_output
from sendesk.services.register import RegisterRow

FORMATS = ("csv", "xlsx")
HEADERS = (
    "UPN",
    "Legal surname",
    "Legal forename",
    "Preferred forename",
    "Date of birth",
    "Year",
    "Reg group",
    "SEN provision",
    "Primary need",
    "Secondary need",
    "Area of need",
    "Date added to register",
)


def _year(value: int | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "R"
    if value < 0:
        return f"N{value + 3}"
    return str(value)


def _cells(row: RegisterRow) -> list[object]:
    return [
        row.upn,
        row.legal_surname,
        row.legal_forename,
        row.preferred_forename or "",
        row.dob,
        _year(row.year_group),
        row.reg_group or "",
        row.provision,
        row.primary_need or "",
        row.secondary_need or "",
        row.primary_area or "",
        row.on_register_since,
    ]


def _text(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def write_register(rows: Sequence[RegisterRow], dest: Path, fmt: str) -> Path:
    """Write ``rows`` to ``dest`` as ``fmt`` (csv or xlsx), all or nothing."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown register format '{fmt}': use csv or xlsx.")
    with atomic_output(dest) as tmp:
        if fmt == "csv":
            # utf-8-sig: Excel then shows Ł, Ё, Nguyễn correctly when the file is opened.
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(HEADERS)
                for row in rows:
                    out.writerow([_text(v) for v in _cells(row)])
        else:
            _write_xlsx(rows, tmp)
    return dest


def _write_xlsx(rows: Sequence[RegisterRow], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = "SEND register"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(_cells(row))
        for col in (5, 12):  # date columns
            ws.cell(ws.max_row, col).number_format = "DD/MM/YYYY"
    widths = (15, 20, 18, 18, 13, 6, 10, 13, 13, 15, 34, 22)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    wb.save(path)
