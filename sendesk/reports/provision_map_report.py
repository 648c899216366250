"""Costed provision maps as XLSX and PDF: one pupil's year, and the whole school's.

The pupil map is the page an EHC request pack carries: each intervention delivered to the
pupil in the academic year (sessions attended, hours, cost, area of need), the totals by
area, and the total against the school's notional SEN threshold with what remains or by
how much it is exceeded. The school map lists every intervention delivered in the year:
pupils, sessions, staff hours, cost, and the part of that cost attributed to pupils.

XLSX files are streamed (openpyxl write-only mode), money is a number formatted in pounds
so it can be summed, hours a number to one decimal place. PDFs take their page, footer,
styles and tables from :mod:`sendesk.reports.pdf_layout` (DejaVu Sans, so any script in a
name renders; the header row repeated on every page). Every file is written all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sendesk.errors import ValidationError
from sendesk.reports.pdf_layout import build_with_footer, para, pdf_doc, pdf_styles, pdf_table
from sendesk.reports.private_temp import report_output
from sendesk.reports.tabular import hours_cell, money_cell, report_sheet, xlsx_cell, xlsx_row
from sendesk.services.graduated.provision_map import (
    InterventionLine,
    ProvisionLine,
    PupilProvision,
    academic_year_label,
)

FORMATS = ("xlsx", "pdf")

PUPIL_NOTE = (
    "Costs are from sessions logged as delivered and attended, not from plans. A group's "
    "staff time is shared among the pupils present: each pupil's share of a session is the "
    "hours attended × the staff role's cost per hour ÷ the number of pupils present."
)
SCHOOL_NOTE = (
    "Cost is the staff time delivered × the staff role's cost per hour. 'Allocated to pupils' "
    "is the part carried by pupils' own provision maps (their shares of the sessions they "
    "attended); the difference is time delivered with nobody present, or pupils present for "
    "only part of a session."
)
PUPIL_HEADERS = ("Intervention", "Area of need", "Staff role", "Sessions attended", "Hours", "Cost")
SCHOOL_HEADERS = (
    "Intervention",
    "Area of need",
    "Group size",
    "Pupils",
    "Sessions delivered",
    "Staff hours",
    "Cost",
    "Allocated to pupils",
)


Cell = Callable[[int], object]
"""Makes one format's cell: hours from minutes, or an amount from pence."""


def _pupil_cells(line: ProvisionLine, hours: Cell, cost: Cell) -> list[object]:
    """One intervention of the pupil's map, in PUPIL_HEADERS order: the spreadsheet and
    the page list the same columns, each with its own kind of number."""
    return [
        line.intervention,
        line.area,
        line.staff_role,
        line.sessions_attended,
        hours(line.minutes),
        cost(line.cost_pence),
    ]


def _school_cells(line: InterventionLine, hours: Cell, cost: Cell) -> list[object]:
    """One intervention of the school's map, in SCHOOL_HEADERS order (as above)."""
    return [
        line.intervention,
        line.area,
        line.group_size,
        line.pupils,
        line.sessions_delivered,
        hours(line.staff_minutes),
        cost(line.cost_pence),
        cost(line.allocated_pence),
    ]


def money(pence: int) -> str:
    """ "£1,234.56" (negative amounts as "−£…", though maps have none)."""
    sign = "−" if pence < 0 else ""
    pounds, p = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def threshold_sentence(data: PupilProvision) -> str:
    """How the year's cost stands against the notional SEN threshold, in one sentence."""
    total, threshold = money(data.total_cost_pence), money(data.threshold_pence)
    if data.above_threshold:
        return (
            f"Total {total}: {money(data.excess_pence)} above the school's notional SEN "
            f"threshold of {threshold}."
        )
    if data.total_cost_pence == data.threshold_pence:
        return f"Total {total}: exactly the school's notional SEN threshold of {threshold}."
    return (
        f"Total {total} of the school's notional SEN threshold of {threshold}: "
        f"{money(data.remainder_pence)} below it."
    )


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown provision map format '{fmt}': use xlsx or pdf.")
    return fmt


# --- the pupil map -----------------------------------------------------------------------


def write_pupil_provision(data: PupilProvision, dest: Path | str, fmt: str = "pdf") -> Path:
    """Write a pupil's costed provision map to ``dest`` as xlsx or pdf (all or nothing)."""
    fmt = _check_format(fmt)
    dest = Path(dest)
    write = _pupil_xlsx if fmt == "xlsx" else _pupil_pdf
    with report_output(dest, fmt) as tmp:
        write(data, tmp)
    return dest


def _xlsx_cells(ws: Any) -> tuple[Cell, Cell]:
    """The spreadsheet's cells: numbers it can sum, shown as hours and as pounds."""
    return (lambda minutes: hours_cell(ws, minutes / 60)), (lambda pence: money_cell(ws, pence))


def _pupil_xlsx(data: PupilProvision, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    year = f"Year {data.year_group_label}" if data.year_group_label else ""
    ws = report_sheet(
        wb,
        "Provision map",
        (34, 34, 22, 18, 10, 14),
        [[f"Costed provision map {data.academic_year}"], [data.name, f"UPN {data.upn}", year]],
        PUPIL_HEADERS,
    )
    hours, cost = _xlsx_cells(ws)
    for line in data.lines:
        ws.append(xlsx_row(ws, _pupil_cells(line, hours, cost)))
    if not data.lines:
        ws.append(["No sessions attended were logged in this academic year."])
    ws.append([])
    ws.append([xlsx_cell(ws, "By area of need", bold=True), None, None, None, "Hours", "Cost"])
    for area in data.areas:
        ws.append(
            [
                area.area,
                None,
                None,
                None,
                hours_cell(ws, area.hours),
                money_cell(ws, area.cost_pence),
            ]
        )
    ws.append(
        [
            xlsx_cell(ws, "Total", bold=True),
            None,
            None,
            sum(ln.sessions_attended for ln in data.lines),
            hours_cell(ws, data.total_hours, bold=True),
            money_cell(ws, data.total_cost_pence, bold=True),
        ]
    )
    ws.append(
        ["Notional SEN threshold", None, None, None, None, money_cell(ws, data.threshold_pence)]
    )
    if data.above_threshold:
        ws.append(
            ["Above the threshold by", None, None, None, None, money_cell(ws, data.excess_pence)]
        )
    else:
        ws.append(
            [
                "Below the threshold by",
                None,
                None,
                None,
                None,
                money_cell(ws, data.remainder_pence),
            ]
        )
    ws.append([])
    ws.append([PUPIL_NOTE])
    wb.save(path)


# --- the school map ----------------------------------------------------------------------


def write_school_provision(
    lines: Sequence[InterventionLine],
    academic_year_start: int,
    dest: Path | str,
    fmt: str = "pdf",
    *,
    school_name: str = "",
) -> Path:
    """Write the whole-school provision map to ``dest`` as xlsx or pdf (all or nothing)."""
    fmt = _check_format(fmt)
    dest = Path(dest)
    write = _school_xlsx if fmt == "xlsx" else _school_pdf
    with report_output(dest, fmt) as tmp:
        write(lines, academic_year_start, tmp, school_name)
    return dest


def _school_xlsx(
    lines: Sequence[InterventionLine], start: int, path: Path, school_name: str
) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    title = f"Whole-school provision map {academic_year_label(start)}"
    ws = report_sheet(
        wb,
        "Provision map",
        (34, 34, 11, 9, 18, 12, 14, 19),
        [[title, school_name or None]],
        SCHOOL_HEADERS,
    )
    hours, cost = _xlsx_cells(ws)
    for line in lines:
        ws.append(xlsx_row(ws, _school_cells(line, hours, cost)))
    ws.append(
        [
            xlsx_cell(ws, "Total", bold=True),
            None,
            None,
            None,
            sum(ln.sessions_delivered for ln in lines),
            hours_cell(ws, sum(ln.staff_minutes for ln in lines) / 60),
            money_cell(ws, sum(ln.cost_pence for ln in lines), bold=True),
            money_cell(ws, sum(ln.allocated_pence for ln in lines)),
        ]
    )
    ws.append([])
    ws.append([SCHOOL_NOTE])
    wb.save(path)


# --- PDF ---------------------------------------------------------------------------------


def _styles() -> dict[str, Any]:
    """The shared styles around a slightly smaller body (a map is mostly table)."""
    return pdf_styles(size=9, leading=11.5)


def _table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    numeric: set[int],
    st: dict[str, Any],
) -> Any:
    """A map's table: numbers right-aligned, the last row its bold total."""
    return pdf_table(rows, widths, st, numeric=numeric, total_row=True, bottom_padding=2.5)


def _pupil_pdf(data: PupilProvision, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import KeepTogether, Spacer

    st = _styles()
    doc = pdf_doc(path, A4, "Costed provision map")
    width = doc.width
    facts = [f"UPN {data.upn}"]
    if data.year_group_label:
        facts.insert(0, f"Year {data.year_group_label}")
    facts.append(
        f"Academic year {data.academic_year} (1 September {data.academic_year_start} "
        f"to 31 August {data.academic_year_start + 1})"
    )
    story: list[Any] = [
        para("Costed provision map", st["title"]),
        para(data.name, st["lead"]),
        para(" · ".join(facts), st["sub"]),
        Spacer(1, 8),
    ]
    rows: list[list[object]] = [list(PUPIL_HEADERS)]
    rows += [_pupil_cells(line, hours_text, money) for line in data.lines]
    rows.append(
        [
            "Total",
            "",
            "",
            sum(ln.sessions_attended for ln in data.lines),
            hours_text(data.total_minutes),
            money(data.total_cost_pence),
        ]
    )
    widths = [w * width for w in (0.27, 0.25, 0.16, 0.11, 0.08, 0.13)]
    story.append(_table(rows, widths, {3, 4, 5}, st))
    if not data.lines:
        story.append(Spacer(1, 4))
        story.append(para("No sessions attended were logged in this academic year.", st["note"]))
    story.append(Spacer(1, 12))
    area_rows: list[list[object]] = [["Area of need", "Hours", "Cost"]]
    area_rows += [[a.area, hours_text(a.minutes), money(a.cost_pence)] for a in data.areas]
    area_rows.append(["Total", hours_text(data.total_minutes), money(data.total_cost_pence)])
    area_widths = [w * width for w in (0.52, 0.12, 0.16)]
    story.append(
        KeepTogether(
            [
                para("By area of need", st["lead"]),
                Spacer(1, 3),
                _table(area_rows, area_widths, {1, 2}, st),
            ]
        )
    )
    story += [
        Spacer(1, 12),
        para(threshold_sentence(data), st["lead"]),
        Spacer(1, 6),
        para(
            f"{PUPIL_NOTE} The first {money(data.threshold_pence)} of additional support "
            "each year comes from the school's notional SEN budget.",
            st["note"],
        ),
    ]
    build_with_footer(
        doc,
        story,
        f"Costed provision map {data.academic_year} · produced by SENDesk on "
        f"{date.today():%d/%m/%Y} · confidential",
    )


def _school_pdf(
    lines: Sequence[InterventionLine], start: int, path: Path, school_name: str
) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Spacer

    st = _styles()
    year = academic_year_label(start)
    doc = pdf_doc(path, landscape(A4), "Whole-school provision map")
    width = doc.width
    story: list[Any] = [
        para(f"Whole-school provision map {year}", st["title"]),
        para(
            (f"{school_name} · " if school_name else "")
            + f"1 September {start} to 31 August {start + 1}",
            st["sub"],
        ),
        Spacer(1, 8),
    ]
    rows: list[list[object]] = [list(SCHOOL_HEADERS)]
    rows += [_school_cells(line, hours_text, money) for line in lines]
    rows.append(
        [
            "Total",
            "",
            "",
            "",
            sum(ln.sessions_delivered for ln in lines),
            hours_text(sum(ln.staff_minutes for ln in lines)),
            money(sum(ln.cost_pence for ln in lines)),
            money(sum(ln.allocated_pence for ln in lines)),
        ]
    )
    widths = [w * width for w in (0.24, 0.22, 0.07, 0.06, 0.1, 0.09, 0.1, 0.12)]
    story.append(_table(rows, widths, {2, 3, 4, 5, 6, 7}, st))
    if not lines:
        story += [
            Spacer(1, 4),
            para("No sessions were logged as delivered in this academic year.", st["note"]),
        ]
    story += [
        Spacer(1, 10),
        para(SCHOOL_NOTE, st["note"]),
    ]
    build_with_footer(
        doc,
        story,
        f"Whole-school provision map {year} · produced by SENDesk on {date.today():%d/%m/%Y}",
    )


__all__ = [
    "FORMATS",
    "money",
    "threshold_sentence",
    "write_pupil_provision",
    "write_school_provision",
]
