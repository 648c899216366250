"""The intervention effectiveness report as PDF and XLSX (issue 16).

What the SENCo hands the head teacher and the governors when they ask "which of our
interventions work, and what do they cost?": a summary with one line per intervention
(pupils, progress, staff and pupil hours, cost, cost per pupil, cost per unit of progress)
and the school's total, then each intervention's pupils with their entry and exit
measures, ratio gain or change in points, hours and cost. The figures are the service's
(:mod:`sendesk.services.graduated.effectiveness`); this module only lays them out, and
says in words what the unit of progress is, so nobody divides pounds by months unawares.

The look is the other reports' (:mod:`sendesk.reports.pdf_layout`, :mod:`.tabular`): DejaVu
Sans, the same tables and footer, XLSX streamed with money as numbers formatted in pounds.
Every file is written all or nothing and owner-only (:func:`sendesk.reports.atomic.atomic_output`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.reports.pdf_layout import build_with_footer, para, pdf_doc, pdf_styles, pdf_table
from sendesk.reports.private_temp import report_output
from sendesk.reports.tabular import hours_cell, money_cell, report_sheet, xlsx_cell, xlsx_row
from sendesk.rules import progress as rules
from sendesk.services.actor import Actor
from sendesk.services.graduated.effectiveness import (
    UNIT_EXPLAINED,
    EffectivenessReport,
    EnrolmentEffect,
    InterventionEffect,
    ProgressCallback,
    intervention_effectiveness,
)
from sendesk.services.graduated.intervention_records import pounds

FORMATS = ("pdf", "xlsx")
TITLE = "Intervention effectiveness"

SUMMARY_HEADERS = (
    "Intervention",
    "Area of need",
    "Measure",
    "Pupils",
    "Enrolments",
    "Measured",
    "Average progress",
    "Staff hours",
    "Pupil hours",
    "Cost",
    "Cost per pupil",
    "Cost per unit of progress",
)
PDF_SUMMARY_HEADERS = (
    *SUMMARY_HEADERS[:2],
    SUMMARY_HEADERS[3],
    "Enrolments measured",
    *SUMMARY_HEADERS[6:],
)
"""The printed summary leaves the measure to each intervention's section (a landscape page
holds ten columns legibly) and shows "13 of 15" where the spreadsheet has two numbers."""
PUPIL_HEADERS = (
    "Pupil",
    "Group",
    "Entry",
    "Exit (or latest)",
    "Ratio gain or change",
    "Impact",
    "Sessions",
    "Hours",
    "Cost",
)

HOW_COUNTED = (
    "An enrolment is one pupil's time in one group (a pupil who joined a group again has two). "
    "Progress is each enrolment's entry measure against its exit measure (or the latest "
    "measure while the pupil is still in the group: marked 'so far'). Hours and cost come from "
    "the sessions logged as delivered in the period: staff hours are the sessions' length, "
    "pupil hours the time each pupil was logged present, and a pupil's cost is their share "
    "of each session (hours attended × the staff role's cost per hour ÷ the pupils present). "
    "Cost per unit of progress is the cost of the enrolments whose progress was measured ÷ "
    "the progress they made, added up; with none, or none above zero, it reads 'no measured "
    "progress'. Ratio-gain bands follow Brooks (2016); a change in standardised score is "
    "banded by the school's default setting."
)
KEEP_TOGETHER_ROWS = 14
"""An intervention's table of up to this many rows (header and total included) is kept on
one page with its heading; a longer one would leave most of a page empty if moved whole."""
START_ROOM = 130
"""Points left on a page for a long section to start there: heading, header and a few rows."""
UNNAMED = "Pupils are not named in this copy: it was made by an account that sees figures only."


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if not fmt:
        raise ValidationError(
            "The output file's name has no ending: end it in .pdf or .xlsx to say which "
            "format to write."
        )
    if fmt not in FORMATS:
        raise ValidationError(
            f"The effectiveness report is written as .pdf or .xlsx, not '.{fmt}': "
            "give the output file one of those endings."
        )
    return fmt


def format_of(dest: Path | str) -> str:
    """The format an output file's name asks for (its suffix), refused in one sentence."""
    return _check_format(Path(dest).suffix)


# --- figures as words -------------------------------------------------------------------------


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:,.1f}"


def figure_text(kind: str, figure: float | None) -> str:
    """A ratio gain as "4.0", a change in points as "+6" / "−5"; nothing when not measured."""
    if figure is None:
        return ""
    if kind == rules.AGE_MONTHS:
        return f"{figure:.1f}"
    text = f"{abs(figure):.1f}".removesuffix(".0")
    if figure > 0:
        return f"+{text}"
    return f"−{text}" if figure < 0 else "0"


def average_text(row: InterventionEffect) -> str:
    """The measured pupils' average: "ratio gain 2.5", "+6 points", or "not measured"."""
    mean = row.mean_figure
    if mean is None:
        return "not measured"
    if row.measure_kind == rules.AGE_MONTHS:
        return f"ratio gain {mean:.1f}"
    return f"{figure_text(row.measure_kind, mean)} points"


def impact_text(e: EnrolmentEffect) -> str:
    """The band of a measured enrolment ("remarkable impact"), else why it is not measured."""
    if e.measured:
        return e.band or ""
    if not e.entry:
        return "not measured: no entry measure"
    if not e.latest:
        return "not measured: no later measure"
    return "not measured: both measures on one date"


def figure_heading(kind: str) -> str:
    """The heading of an intervention's progress column."""
    return "Ratio gain" if kind == rules.AGE_MONTHS else "Change (points)"


def latest_text(e: EnrolmentEffect) -> str:
    if not e.latest:
        return ""
    return e.latest if e.final else f"{e.latest} (so far)"


def _measure_line(row: InterventionEffect) -> str:
    kind = {
        rules.AGE_MONTHS: "age-equivalent",
        rules.STANDARDISED: "standardised score",
        rules.RATING: "rating scale",
    }.get(row.measure_kind, row.measure_kind)
    return (
        f"Measure: {row.measure} ({kind}) · {row.staff_role} at {pounds(row.cost_per_hour_pence)} "
        "an hour"
    )


def _effect_cells(row: InterventionEffect, e: EnrolmentEffect) -> list[object]:
    """An enrolment's group, entry and latest measures, progress, impact and sessions, as
    the spreadsheet and the printed report both list them."""
    return [
        e.group,
        e.entry,
        latest_text(e),
        figure_text(row.measure_kind, e.figure),
        impact_text(e),
        e.attended_sessions,
    ]


def unit_sentence(row: InterventionEffect) -> str:
    """How the intervention's cost per unit of progress was reached, in one sentence."""
    measured = len(row.measured)
    if row.cost_per_unit_pence is None:
        if not measured:
            why = "no enrolment has an entry measure and a later one"
        else:
            units = row.progress_units or 0.0
            why = (
                f"the {measured} measured enrolment{'s' if measured != 1 else ''} made "
                f"{_units(units, row.unit)} in all"
            )
        return f"Cost per unit of progress: no measured progress ({why})."
    units = row.progress_units or 0.0
    return (
        f"Cost per unit of progress: {row.cost_per_unit_text} — "
        f"{pounds(row.measured_cost_pence)} spent on the {measured} measured "
        f"enrolment{'s' if measured != 1 else ''} ÷ {_units(units, row.unit)}; "
        f"{UNIT_EXPLAINED.get(row.measure_kind, UNIT_EXPLAINED[rules.RATING])}."
    )


def _units(value: float, unit: str) -> str:
    text = f"{value:.1f}".removesuffix(".0").replace("-", "−")
    plural = unit if text in ("1", "−1") else _plural(unit)
    return f"{text} {plural}"


def _plural(unit: str) -> str:
    """ "month of catch-up" → "months of catch-up"; "standard-score point" → "…points"."""
    head, sep, tail = unit.partition(" of ")
    return f"{head}s{sep}{tail}" if sep else f"{unit}s"


def _per_pupil(pence: int | None) -> str:
    return pounds(pence) if pence is not None else "—"


# --- writing --------------------------------------------------------------------------------


def write_effectiveness(
    report: EffectivenessReport, dest: Path | str, fmt: str | None = None, *, school_name: str
) -> Path:
    """Write ``report`` to ``dest`` as pdf or xlsx (default: from the file's suffix), all or
    nothing, owner-only."""
    dest = Path(dest)
    fmt = _check_format(fmt) if fmt else format_of(dest)
    write = _xlsx if fmt == "xlsx" else _pdf
    with report_output(dest, fmt) as tmp:
        write(report, tmp, school_name)
    return dest


def write_effectiveness_report(
    db: Database,
    actor: Actor,
    out: Path | str,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Gather the report as ``actor``, write it to ``out`` (.pdf or .xlsx) and audit the
    export: the shape the command line's report kinds share. The format is checked before
    anything is read; a file whose audit event cannot be written is removed again."""
    from sendesk.services.evidence.exports import record_export
    from sendesk.services.school.school import school_info

    fmt = format_of(out)
    report = intervention_effectiveness(db, actor, start=start, end=end, progress=progress)
    written = write_effectiveness(report, out, fmt, school_name=school_info(db).name)
    if report.named:
        record_export(db, actor, "intervention effectiveness report", report.total.pupils, written)
    else:
        record_export(db, actor, "intervention effectiveness report (no pupils named)", 0, written)
    return written


def _title(report: EffectivenessReport, school_name: str) -> tuple[str, str]:
    sub = " · ".join(x for x in (school_name, f"Period: {report.period_text}") if x)
    return TITLE, sub


# --- XLSX -----------------------------------------------------------------------------------


def _hours(ws: Any, minutes: int, *, bold: bool = False) -> Any:
    return hours_cell(ws, minutes / 60, bold=bold)


def _xlsx(report: EffectivenessReport, path: Path, school_name: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    title, sub = _title(report, school_name)
    widths = (30, 30, 18, 8, 11, 10, 17, 11, 11, 12, 14, 34)
    ws = report_sheet(wb, "Summary", widths, [[title], [sub]], SUMMARY_HEADERS)
    for row in report.rows:
        ws.append(
            xlsx_row(
                ws,
                [
                    row.name,
                    row.area,
                    row.measure,
                    row.pupils,
                    len(row.enrolments),
                    len(row.measured),
                    average_text(row),
                    _hours(ws, row.delivered_minutes),
                    _hours(ws, row.attended_minutes),
                    money_cell(ws, row.cost_pence),
                    money_cell(ws, row.cost_per_pupil_pence),
                    row.cost_per_unit_text,
                ],
            )
        )
    t = report.total
    ws.append(
        [
            xlsx_cell(ws, "School total", bold=True),
            None,
            None,
            t.pupils,
            t.enrolments,
            t.measured,
            None,
            _hours(ws, t.delivered_minutes, bold=True),
            _hours(ws, t.attended_minutes, bold=True),
            money_cell(ws, t.cost_pence, bold=True),
            money_cell(ws, t.cost_per_pupil_pence, bold=True),
            "not added across measures",
        ]
    )
    if not report.rows:
        ws.append(["No intervention had pupils enrolled or sessions delivered in this period."])
    ws.append([])
    ws.append([HOW_COUNTED])
    if not report.named:
        ws.append([UNNAMED])

    headers = ("Intervention", *(PUPIL_HEADERS if report.named else PUPIL_HEADERS[1:]))
    widths = (30, 26, 20, 10, 16, 20, 20, 10, 8, 12)
    pupils = report_sheet(
        wb,
        "Pupils",
        widths if report.named else widths[:1] + widths[2:],
        [[title], [sub]],
        headers,
    )
    for row in report.rows:
        for e in row.enrolments:
            who = [e.pupil] if report.named else []
            pupils.append(
                xlsx_row(
                    pupils,
                    [
                        row.name,
                        *who,
                        *_effect_cells(row, e),
                        _hours(pupils, e.attended_minutes),
                        money_cell(pupils, e.cost_pence),
                    ],
                )
            )
    wb.save(path)


# --- PDF ------------------------------------------------------------------------------------


def _pdf(report: EffectivenessReport, path: Path, school_name: str) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

    st = pdf_styles(size=9, leading=11.5)
    title, sub = _title(report, school_name)
    doc = pdf_doc(path, landscape(A4), title, subject=sub)
    width = doc.width
    story: list[Any] = [para(title, st["title"]), para(sub, st["sub"]), Spacer(1, 8)]

    rows: list[list[object]] = [list(PDF_SUMMARY_HEADERS)]
    for row in report.rows:
        rows.append(
            [
                row.name,
                row.area,
                row.pupils,
                f"{len(row.measured)} of {len(row.enrolments)}",
                average_text(row),
                hours_text(row.delivered_minutes),
                hours_text(row.attended_minutes),
                pounds(row.cost_pence),
                _per_pupil(row.cost_per_pupil_pence),
                row.cost_per_unit_text,
            ]
        )
    t = report.total
    rows.append(
        [
            "School total",
            "",
            t.pupils,
            f"{t.measured} of {t.enrolments}",
            "",
            hours_text(t.delivered_minutes),
            hours_text(t.attended_minutes),
            pounds(t.cost_pence),
            _per_pupil(t.cost_per_pupil_pence),
            "not added across measures",
        ]
    )
    fractions = (0.15, 0.13, 0.06, 0.1, 0.09, 0.07, 0.07, 0.1, 0.085, 0.145)
    story.append(
        pdf_table(
            rows,
            [f * width for f in fractions],
            st,
            numeric={2, 3, 5, 6, 7, 8},
            total_row=True,
            bottom_padding=2.5,
        )
    )
    if not report.rows:
        story += [
            Spacer(1, 4),
            para(
                "No intervention had pupils enrolled or sessions delivered in this period.",
                st["note"],
            ),
        ]
    story += [Spacer(1, 8), para(HOW_COUNTED, st["note"])]
    if not report.named:
        story += [Spacer(1, 4), para(UNNAMED, st["note"])]

    named = report.named
    headers = list(PUPIL_HEADERS if named else PUPIL_HEADERS[1:])
    fractions = (0.15, 0.23, 0.07, 0.1, 0.08, 0.13, 0.075, 0.065, 0.09)
    if not named:
        fractions = (0.3, 0.08, 0.12, 0.09, 0.15, 0.08, 0.07, 0.1)
    numeric = {i for i, h in enumerate(headers) if h in ("Sessions", "Hours", "Cost")}
    for row in report.rows:
        heading = [
            figure_heading(row.measure_kind) if h == PUPIL_HEADERS[4] else h for h in headers
        ]
        lines: list[list[object]] = [heading]
        for e in row.enrolments:
            who: list[object] = [e.pupil or ""] if named else []
            lines.append(
                [
                    *who,
                    *_effect_cells(row, e),
                    hours_text(e.attended_minutes),
                    pounds(e.cost_pence),
                ]
            )
        total_cells: list[object] = ["Total"] + [""] * (len(headers) - 4)
        total_cells += [
            sum(e.attended_sessions for e in row.enrolments),
            hours_text(row.attended_minutes),
            pounds(row.cost_pence),
        ]
        lines.append(total_cells)
        table = pdf_table(
            lines,
            [f * width for f in fractions],
            st,
            numeric=numeric,
            total_row=True,
            bottom_padding=2.5,
        )
        summary = (
            f"{row.pupils} pupil{'s' if row.pupils != 1 else ''}, "
            f"{len(row.enrolments)} enrolment{'s' if len(row.enrolments) != 1 else ''}, "
            f"{len(row.measured)} with progress measured · staff time "
            f"{hours_text(row.delivered_minutes)} hours in {row.delivered_sessions} "
            f"session{'s' if row.delivered_sessions != 1 else ''} · cost per pupil "
            f"{_per_pupil(row.cost_per_pupil_pence)}"
        )
        section = [
            para(row.name, st["h2"]),
            para(f"{row.area} · {_measure_line(row)}", st["muted"]),
            Spacer(1, 4),
            table,
            Spacer(1, 4),
            para(summary, st["body"]),
            para(unit_sentence(row), st["body"]),
        ]
        if len(lines) <= KEEP_TOGETHER_ROWS:  # a short section is not split over two pages
            story.append(KeepTogether(section))
        else:  # a long one starts with room for a few rows and splits, its header repeated
            story += [CondPageBreak(START_ROOM), *section]
    build_with_footer(
        doc,
        story,
        f"{TITLE} · {report.period_text} · produced by SENDesk on {date.today():%d/%m/%Y} · "
        "confidential",
    )


__all__ = [
    "FORMATS",
    "HOW_COUNTED",
    "average_text",
    "figure_heading",
    "figure_text",
    "format_of",
    "impact_text",
    "unit_sentence",
    "write_effectiveness",
    "write_effectiveness_report",
]
