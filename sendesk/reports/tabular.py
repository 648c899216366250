"""How SENDesk's lists read as files: a value in a cell (CSV, PDF), and the XLSX sheet.

Why one module: the SEND register, the exams officer's list and the provision maps are
opened side by side in Excel and printed; a date must read 31/12/2025 in every one of
them, be a real date in every XLSX (so it sorts and filters), and every list should open
with its header in bold, frozen and filtered. Made once, they cannot drift apart.

openpyxl is imported inside the functions: the command line imports the report modules at
start-up, and openpyxl is only needed once an XLSX is written. Sheets are write-only
(streamed), so a register of 10,000 pupils takes a second, not minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sendesk.rules.dates import dmy

DATE_FORMAT = "DD/MM/YYYY"
MONEY_FORMAT = '"£"#,##0.00'
HOURS_FORMAT = "0.0"


def cell_text(value: object) -> str:
    """How a value reads in a cell of a CSV file or a PDF table: dates as 31/12/2025,
    nothing for None, anything else as ``str`` gives it."""
    if isinstance(value, date):
        return dmy(value)
    return "" if value is None else str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take as the start of a formula (OWASP, "CSV Injection")."""

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")


def csv_cell(value: object) -> str:
    """A value for a CSV file that no spreadsheet will run as a formula.

    A name typed as ``=HYPERLINK(...)`` (or starting ``+``, ``-``, ``@``) would be run by
    Excel when the SENCo opens the export: OWASP's rule is to put an apostrophe before it,
    which Excel shows as text. Plain numbers such as ``-3`` are left as they are.
    """
    text = cell_text(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(values: Iterable[object]) -> list[str]:
    """One row of a CSV export, every cell through :func:`csv_cell`."""
    return [csv_cell(value) for value in values]


def xlsx_cell(
    ws: Any, value: object, *, fmt: str | None = None, bold: bool = False, wrap: bool = False
) -> Any:
    """A cell for a write-only sheet: ``fmt`` as its number format (a date's is 31/12/2025
    unless given), in bold, or wrapping at the top of its row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"  # text that looks like a formula stays text (never run)
    if fmt is None and isinstance(value, date):
        fmt = DATE_FORMAT
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def list_sheet(
    wb: Any, name: str, headers: Sequence[str], widths: Sequence[float], rows: int
) -> Any:
    """A sheet named ``name`` of a write-only workbook, its columns ``widths`` wide, whose
    first row is ``headers`` in bold, frozen, with a filter over the ``rows`` rows below."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows + 1}"
    ws.append([xlsx_cell(ws, title, bold=True) for title in headers])
    return ws


def report_sheet(
    wb: Any,
    name: str,
    widths: Sequence[float],
    lines: Sequence[Sequence[object]],
    headers: Sequence[str],
) -> Any:
    """A sheet named ``name`` of a write-only workbook for a report's table: its columns
    ``widths`` wide, the report's heading ``lines`` (the first value, its title, in bold), a
    blank row, then ``headers`` in bold; everything down to the headers frozen, so they
    stay in view as the table scrolls.

    The freeze is set before the first row: a streamed sheet writes its view (where the
    panes are frozen) when its first row is written, so a freeze set after rows is lost.
    """
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    ws.freeze_panes = f"A{len(lines) + 3}"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for n, line in enumerate(lines):
        values = list(line)
        if n == 0 and values:
            values[0] = xlsx_cell(ws, values[0], bold=True)
        ws.append(xlsx_row(ws, values))
    ws.append([])
    ws.append([xlsx_cell(ws, title, bold=True) for title in headers])
    return ws


def money_cell(ws: Any, pence: int | None, *, bold: bool = False) -> Any:
    """An amount as a number of pounds shown "£1,234.56", so that a spreadsheet can sum
    it; no cell for no amount."""
    if pence is None:
        return None
    return xlsx_cell(ws, pence / 100, fmt=MONEY_FORMAT, bold=bold)


def hours_cell(ws: Any, hours: float, *, bold: bool = False) -> Any:
    """Hours as a number shown to one decimal place (kept to two, so sums come out)."""
    return xlsx_cell(ws, round(hours, 2), fmt=HOURS_FORMAT, bold=bold)


def xlsx_row(ws: Any, values: Iterable[object], *, wrap: bool = False) -> list[object]:
    """One row's values for ``ws.append``: dates as real dates shown 31/12/2025; with
    ``wrap`` every cell wraps. Other values stay plain (the fastest to write)."""
    if wrap:
        return [xlsx_cell(ws, value, wrap=True) for value in values]
    return [
        xlsx_cell(ws, value) if isinstance(value, date) or _formula_like(value) else value
        for value in values
    ]


def _formula_like(value: object) -> bool:
    """A string openpyxl would write as a live formula (it starts with ``=``)."""
    return isinstance(value, str) and value.startswith("=")


__all__ = [
    "DATE_FORMAT",
    "FORMULA_STARTS",
    "HOURS_FORMAT",
    "MONEY_FORMAT",
    "cell_text",
    "csv_cell",
    "csv_row",
    "dmy",
    "hours_cell",
    "list_sheet",
    "money_cell",
    "report_sheet",
    "xlsx_cell",
    "xlsx_row",
]
