"""The exams officer's list of access arrangements, as CSV, XLSX or PDF.

Why this document: the exams officer seats the candidates and briefs the invigilators,
usually from a printout on exam day. They need, for each candidate, what the arrangements
are, for which subjects, how much extra time, whether a separate room is needed (and why),
and until when the approval lasts — nothing about the candidate's needs beyond that. The
rows come from :func:`sendesk.services.access_arrangements.exams_officer_rows` (live
arrangements approved or applied for, candidates by legal surname).

CSV is UTF-8 with a byte-order mark so Excel shows every name correctly; XLSX has real
date cells, a frozen header and a filter; the PDF is A4 landscape in DejaVu Sans (any
script in a name renders) with the header row repeated on every page and the school, the
date it was produced and "confidential" in the footer. Every file is written all or nothing.

The small PDF helpers here (styles, a table with a repeated header, a footer) are used by
the per-candidate evidence file too, so both documents look alike.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sendesk.errors import ValidationError
from sendesk.reports.atomic import atomic_output
from sendesk.reports.passport import FONT, FONT_BOLD, register_fonts
from sendesk.rules.years import year_label
from sendesk.services.access_arrangements import ExamsRow

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


def dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def extra_time_text(percent: int | None) -> str:
    return f"{percent}%" if percent else ""


def _values(row: ExamsRow) -> list[object]:
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


def _text(value: object) -> str:
    if isinstance(value, date):
        return dmy(value)
    return "" if value is None else str(value)


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
    with atomic_output(dest) as tmp:
        if fmt == "csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(HEADERS)
                for row in rows:
                    out.writerow([_text(v) for v in _values(row)])
        elif fmt == "xlsx":
            _xlsx(rows, tmp, school, today)
        else:
            _pdf(rows, tmp, school, today)
    return dest


def _xlsx(rows: Sequence[ExamsRow], path: Path, school: str, today: date) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Access arrangements")
    for i, width in enumerate((26, 15, 6, 40, 34, 10, 34, 12, 12)):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{chr(ord('A') + len(HEADERS) - 1)}{len(rows) + 1}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells: list[object] = []
        for value in _values(row):
            cell = WriteOnlyCell(ws, value=value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        ws.append(cells)
    ws.append([])
    ws.append([f"{school} · {TITLE} · produced {today:%d/%m/%Y} · confidential"])
    ws.append([NOTE])
    wb.save(path)


# --- PDF helpers (shared with the evidence file) --------------------------------------------


def pdf_styles() -> dict[str, Any]:
    """Paragraph styles in DejaVu Sans: body, cell, head, title, sub, strong, muted, small."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=3,
            textColor=colors.HexColor("#1A4F9C"),
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6
        ),
        "sub": ParagraphStyle("sub", parent=body, fontSize=10, leading=13),
        "strong": ParagraphStyle("strong", parent=body, fontName=FONT_BOLD),
        "muted": ParagraphStyle(
            "muted", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#555555")
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=11, bulletIndent=0),
        "warn": ParagraphStyle(
            "warn",
            parent=body,
            leftIndent=11,
            bulletIndent=0,
            textColor=colors.HexColor("#8A2A0A"),
        ),
    }


def para(text: str, style: Any) -> Any:
    """A paragraph of plain text (escaped: a name with '&' or '<' prints as written)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def bullet(text: str, style: Any) -> Any:
    """A bulleted paragraph of plain text."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style, bulletText="•")


def pdf_table(rows: Sequence[Sequence[object]], widths: Sequence[float], st: dict[str, Any]) -> Any:
    """A table whose first row is a header repeated on every page; cells wrap."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [
        [para(_text(v), st["head" if i == 0 else "cell"]) for v in row]
        for i, row in enumerate(rows)
    ]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E3E8EF")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#44546A")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8C2CC")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def page_footer(label: str) -> Callable[[Any, Any], None]:
    """Draws ``label`` and the page number at the foot of each page."""

    def draw(canvas: Any, doc: Any) -> None:
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillGray(0.35)
        canvas.drawString(doc.leftMargin, 8 * mm, label)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 8 * mm, f"Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return draw


def pdf_doc(path: Path, pagesize: tuple[float, float], title: str) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(
        str(path),
        pagesize=pagesize,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="SENDesk",
    )


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
        table_rows: list[Sequence[object]] = [HEADERS, *(_values(r) for r in rows)]
        fractions = (0.135, 0.13, 0.045, 0.17, 0.17, 0.055, 0.115, 0.09, 0.09)
        story.append(pdf_table(table_rows, [f * doc.width for f in fractions], st))
    else:
        story.append(para(NOBODY, st["body"]))
    story += [Spacer(1, 8), para(NOTE, st["muted"])]
    footer = page_footer(f"{school} · {TITLE} · {today:%d/%m/%Y} · confidential")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


__all__ = [
    "FORMATS",
    "HEADERS",
    "bullet",
    "dmy",
    "page_footer",
    "para",
    "pdf_doc",
    "pdf_styles",
    "pdf_table",
    "write_access_list",
]
