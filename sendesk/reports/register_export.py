"""The SEND register as CSV or XLSX: the file a SENCo hands to SLT or checks the census with."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sendesk.errors import ValidationError
from sendesk.reports.private_temp import report_output
from sendesk.reports.tabular import csv_row, list_sheet, xlsx_row
from sendesk.rules.years import year_label
from sendesk.services.register.register_view import RegisterRow

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


def _cells(row: RegisterRow) -> list[object]:
    return [
        row.upn,
        row.legal_surname,
        row.legal_forename,
        row.preferred_forename or "",
        row.dob,
        year_label(row.year_group),
        row.reg_group or "",
        row.provision,
        row.primary_need or "",
        row.secondary_need or "",
        row.primary_area or "",
        row.on_register_since,
    ]


def write_csv(rows: Sequence[RegisterRow], stream: TextIO) -> None:
    """The register as CSV text on ``stream`` (a file, or the terminal)."""
    out = csv.writer(stream)
    out.writerow(HEADERS)
    for row in rows:
        out.writerow(csv_row(_cells(row)))


def write_register(rows: Sequence[RegisterRow], dest: Path, fmt: str) -> Path:
    """Write ``rows`` to ``dest`` as ``fmt`` (csv or xlsx), all or nothing."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown register format '{fmt}': use csv or xlsx.")
    with report_output(dest, fmt) as tmp:
        if fmt == "csv":
            # utf-8-sig: Excel then shows Ł, Ё, Nguyễn correctly when the file is opened.
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                write_csv(rows, fh)
        else:
            _write_xlsx(rows, tmp)
    return dest


def _write_xlsx(rows: Sequence[RegisterRow], path: Path) -> None:
    """Streamed (write-only) so 10,000 pupils take a second, not minutes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    widths = (15, 20, 18, 18, 13, 6, 10, 13, 13, 15, 34, 22)
    ws = list_sheet(wb, "SEND register", HEADERS, widths, len(rows))
    for row in rows:
        ws.append(xlsx_row(ws, _cells(row)))
    wb.save(path)
