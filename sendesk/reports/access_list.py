"""The exams officer's list of access arrangements, as CSV, XLSX or PDF.

Why this document: the exams officer seats the candidates and briefs the invigilators,
usually from a printout on exam day. They need, for each candidate, what the arrangements
are, for which subjects, how much extra time, whether a separate room is needed (and why),
and until when the approval lasts — nothing about the candidate's needs beyond that. The
rows come from :func:`sendesk.services.access.overviews.exams_officer_rows` (live
arrangements approved or applied for, candidates by legal surname).

CSV is UTF-8 with a byte-order mark so Excel shows every name correctly; XLSX has real
date cells, a frozen header and a filter; the PDF is A4 landscape in DejaVu Sans (any
script in a name renders) with the header row repeated on every page and the school, the
date it was produced and "confidential" in the footer. Every file is written all or nothing.

The PDF's page, footer, styles and table are :mod:`sendesk.reports.pdf_layout`'s, as in
the per-candidate evidence file, so both documents look alike.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sendesk.errors import ValidationError
from sendesk.reports.pdf_layout import build_with_footer, para, pdf_doc, pdf_styles, pdf_table
from sendesk.reports.private_temp import report_output
from sendesk.reports.tabular import csv_row, list_sheet, xlsx_row
from sendesk.rules.years import year_label
from sendesk.services.access.records import ExamsRow

FORMATS = ("csv", "xlsx", "pdf")
TITLE = "Access arrangements: the exams officer's list"
HEADERS = (
    "Candidate",
    "UPN",
    "Year",
    "Arrangements",
    "Subjects",
    "Extra time",
    "Room",
    "Approved",
    "Expires",
)
NOTE = (
    "Live arrangements approved in the centre or by the awarding body; those marked "
    "'(applied for)' await the online decision. Subjects: the papers each arrangement covers. "
    "Approved and Expires give the earliest date among the candidate's arrangements."
)
NOBODY = "No candidate has an approved or applied-for access arrangement."


def extra_time_text(percent: int | None) -> str:
    return f"{percent}%" if percent else ""


def row_values(row: ExamsRow) -> list[object]:
    """One candidate's cells, in HEADERS order (dates as dates): every format and the
    exams officer's page show the same columns."""
    return [
        row.pupil_name,
        row.upn,
        year_label(row.year_group),
        "; ".join(row.arrangements),
        row.subjects,
        extra_time_text(row.extra_time_percent),
        row.room,
        row.approved_on,
        row.expires_on,
    ]


def write_access_list(
    rows: Sequence[ExamsRow], path: Path | str, fmt: str, *, school: str, today: date
) -> Path:
    """Write the exams officer's list to ``path`` as csv, xlsx or pdf (all or nothing)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(
            f"Unknown format '{fmt}' for the access arrangements list: use csv, xlsx or pdf."
        )
    dest = Path(path)
    write = {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf}[fmt]
    with report_output(dest, fmt) as tmp:
        write(rows, tmp, school, today)
    return dest


def _csv(rows: Sequence[ExamsRow], path: Path, school: str, today: date) -> None:
    """The columns only (no title or note), for the exams officer's own spreadsheet."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for row in rows:
            out.writerow(csv_row(row_values(row)))


def _xlsx(rows: Sequence[ExamsRow], path: Path, school: str, today: date) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    widths = (26, 15, 6, 40, 34, 10, 34, 12, 12)
    ws = list_sheet(wb, "Access arrangements", HEADERS, widths, len(rows))
    for row in rows:
        ws.append(xlsx_row(ws, row_values(row), wrap=True))
    ws.append([])
    ws.append(xlsx_row(ws, [f"{school} · {TITLE} · produced {today:%d/%m/%Y} · confidential"]))
    ws.append([NOTE])
    wb.save(path)


def _pdf(rows: Sequence[ExamsRow], path: Path, school: str, today: date) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Spacer

    st = pdf_styles()
    doc = pdf_doc(path, landscape(A4), TITLE)
    count = f"{len(rows)} candidate{'' if len(rows) == 1 else 's'}"
    story: list[Any] = [
        para(TITLE, st["title"]),
        para(f"{school} · {count} · produced {today:%d/%m/%Y}", st["sub"]),
        Spacer(1, 8),
    ]
    if rows:
        table_rows: list[Sequence[object]] = [HEADERS, *(row_values(r) for r in rows)]
        fractions = (0.135, 0.13, 0.045, 0.17, 0.17, 0.055, 0.115, 0.09, 0.09)
        story.append(pdf_table(table_rows, [f * doc.width for f in fractions], st))
    else:
        story.append(para(NOBODY, st["body"]))
    story += [Spacer(1, 8), para(NOTE, st["muted"])]
    build_with_footer(doc, story, f"{school} · {TITLE} · {today:%d/%m/%Y} · confidential")


__all__ = ["FORMATS", "HEADERS", "row_values", "write_access_list"]
