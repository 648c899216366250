"""The governors' SEND report: the school's SEND figures as a PDF with charts, anonymised.

Why: governors hold the school to account for its pupils with SEND (CoP 6.2–6.3) and are
told each year how many there are, what their needs are, how they attend and progress,
what the school's interventions achieve for their cost, which exam access arrangements are
in place and how the LA dealt with the school's EHC needs assessment requests. Every figure
comes from :func:`sendesk.services.school.figures.school_figures` (and the interventions'
from :func:`sendesk.services.graduated.effectiveness.intervention_effectiveness`), so the
report, the SEN information report and the figures page agree.

Anonymised throughout: no pupil's name, UPN or any line about one pupil is printed; every
count from 1 to 4 reads "fewer than 5" (the services suppress them, :func:`shown` prints
them), and a suppressed count has no bar in a chart. An intervention attended by fewer
than 5 pupils shows its cost but not its cost per pupil or its progress, which would be
one child's.

The page, styles and tables are :mod:`sendesk.reports.pdf_layout`'s; the charts
:mod:`sendesk.reports.figure_charts`'. The file is written all or nothing, owner-only
(:func:`sendesk.reports.atomic.atomic_output`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.reports.atomic import atomic_output
from sendesk.reports.effectiveness_report import average_text
from sendesk.reports.pdf_layout import build_with_footer, para, pdf_doc, pdf_styles, pdf_table
from sendesk.rules.census import NEED_CODES, describe
from sendesk.rules.years import year_label
from sendesk.services.actor import Actor
from sendesk.services.evidence.exports import record_export
from sendesk.services.graduated.effectiveness import (
    EffectivenessReport,
    InterventionEffect,
    intervention_effectiveness,
)
from sendesk.services.graduated.intervention_records import pounds
from sendesk.services.permissions import Action, permit
from sendesk.services.school.figures import SchoolFigures, school_figures
from sendesk.services.school.statistics import (
    SMALL_NUMBERS_NOTE,
    SUPPRESS_BELOW,
    Count,
    hidden,
    shown,
    suppress_with_total,
)

ProgressCallback = Callable[[int, int], object]
"""``progress(done, total)``, called as the report's steps finish."""

TITLE = "SEND report for governors"
STATUS_NAMES = {
    "N": "No special educational need (N)",
    "K": "SEN support (K)",
    "E": "Education, health and care plan (E)",
}
ABOUT = (
    "This report counts pupils; it names none. Any count from 1 to 4 is hidden, and where "
    "a hidden count could be worked out from the counts shown (by subtracting the others "
    "from a total, in this table or another), more counts are hidden, so that no child can "
    f"be picked out of a small group: {SMALL_NUMBERS_NOTE}. A hidden count has no bar in a "
    "chart."
)
OUTCOMES_NOTE = (
    "Attendance: sessions attended ÷ possible sessions, for every term recorded that began "
    "in the period, each pupil counted in the group they were in on the term's first day. "
    "Attainment: each pupil's subjects and measures assessed in the period; “at or above "
    "expected” compares the latest value with the expected value recorded beside it, “made "
    "progress” compares it with the first in the period. Only values that can be put in "
    "order (scores, grades such as 4- or 5+, ages) are counted. A percentage drawn from "
    "fewer than 5 pupils is not shown; “Pupils” says how many pupils the figure beside "
    "it is drawn from."
)
EFFECT_NOTE = (
    "Progress is each pupil's entry measure against their exit measure (or their latest, "
    "while still in the group), averaged over the pupils measured: a ratio gain for a "
    "reading or spelling age (1.0 is keeping pace with the calendar; Brooks counts 1.4 "
    "and above as useful impact, 2.0 substantial), a change in points for a score. Cost is "
    "the staff time pupils attended in the period at the staff role's cost per hour. Cost "
    "per unit of progress is the cost of the pupils measured ÷ the progress they made (a "
    "month of catch-up beyond the months that passed, or a point of score). For an "
    "intervention with fewer than 5 pupils only the pupils and the cost are shown: the "
    "rest would be one child's figures."
)
NOT_SHOWN = "not shown"
EHC_NOTE = (
    "The LA must issue a final EHC plan within 20 weeks of receiving the request (SEND "
    "Regulations 2014, reg 13(2)). A deadline is counted when the plan was issued in the "
    "period, or when its deadline day passed in the period with no plan. A request the LA "
    "refused, or that was closed before its deadline, has no 20-week deadline. An exception "
    "the regulations allow (reg 13(3)) may excuse a missed deadline."
)


def _d(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _pct(value: float | None, pupils: Count) -> str:
    """A percentage, "no records", or "not shown" (drawn from fewer than 5 pupils)."""
    if value is not None:
        return f"{value:.1f}%"
    return "no records" if pupils == 0 else "not shown"


def _value(count: Count) -> float | None:
    return None if hidden(count) else float(count)  # type: ignore[arg-type]


def write_governors_report(
    db: Database,
    actor: Actor,
    out: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: ProgressCallback | None = None,
    today: date | None = None,
) -> Path:
    """Write the governors' SEND report for ``start``–``end`` to ``out`` (a PDF); returns
    the path. The period's defaults are :func:`school_figures`'s (this academic year so
    far). Whoever may see both the school's anonymised figures and its costs may write
    it: the SENCo and the read-only role, not a teacher. ``today`` is for tests and for
    a report dated on another day.

    The writer audits its own export, as every report writer does, so the figures page
    and ``sendesk report`` both are, once (a file whose audit event cannot be written is
    removed again). ``out`` must end in .pdf: checked before anything is read."""
    dest = Path(out)
    if dest.suffix.lower() != ".pdf":
        raise ValidationError(
            f"The governors' report is a PDF: give a file name ending in .pdf, not "
            f"'{dest.name}'; nothing was written."
        )
    # The interventions' costs are figures the read-only role and the SENCo see, not
    # teachers (VIEW_SCHOOL_COSTS): checked first, so nothing is worked out for nobody.
    permit(actor, Action.VIEW_SCHOOL_COSTS)
    today = today or date.today()
    steps = 3

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    figures = school_figures(db, actor, start=start, end=end, today=today)
    tick(1)
    effects = intervention_effectiveness(db, actor, start=figures.start, end=figures.end)
    tick(2)
    with atomic_output(dest) as tmp:
        _pdf(figures, effects, tmp, today)
    written = dest.expanduser()
    record_export(db, actor, "governors' SEND report (no pupils named)", 0, written)
    tick(3)
    return written


# --- the PDF ------------------------------------------------------------------------------


def _pdf(f: SchoolFigures, effects: EffectivenessReport, path: Path, today: date) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Spacer

    st = pdf_styles()
    doc = pdf_doc(path, A4, TITLE, subject=f"{f.school}: {_d(f.start)} to {_d(f.end)}")
    width = doc.width
    story: list[Any] = [
        para(TITLE, st["title"]),
        para(f"{f.school} · {_d(f.start)} to {_d(f.end)} · produced {today:%d/%m/%Y}", st["sub"]),
        Spacer(1, 6),
        para(ABOUT, st["muted"]),
    ]
    story += _register_section(f, st, width)
    story += _changes_section(f, st, width)
    story += _outcomes_section(f, st, width)
    story += _effect_section(effects, st, width)
    story += _access_section(f, st, width)
    story += _ehc_section(f, st, width)
    build_with_footer(doc, story, f"{f.school} · {TITLE} · {today:%d/%m/%Y} · anonymised")


def _keep(*flowables: Any) -> Any:
    from reportlab.platypus import KeepTogether

    return KeepTogether(list(flowables))


def _table(
    rows: Sequence[Sequence[object]],
    fractions: Sequence[float],
    st: dict[str, Any],
    width: float,
    numeric: set[int],
    **kw: Any,
) -> Any:
    """A :func:`pdf_table` set against the left margin, under its heading and beside the
    charts, with columns as fractions of the page's width."""
    table = pdf_table(rows, [width * x for x in fractions], st, numeric=numeric, **kw)
    table.hAlign = "LEFT"
    return table


def _space(height: float) -> Any:
    from reportlab.platypus import Spacer

    return Spacer(1, height)


def _chart(categories: Sequence[str], series: Sequence[Any], width: float, **kw: Any) -> Any:
    from sendesk.reports.figure_charts import bar_chart

    return bar_chart(categories, series, width, **kw)


def _series(name: str, counts: Sequence[Count]) -> Any:
    from sendesk.reports.figure_charts import Series

    return Series(name, tuple(_value(c) for c in counts), tuple(shown(c) for c in counts))


def _register_section(f: SchoolFigures, st: dict[str, Any], width: float) -> list[Any]:
    r = f.register
    rows: list[Sequence[object]] = [("SEN status", "Pupils")]
    rows += [(STATUS_NAMES[k], shown(r.by_status[k])) for k in ("N", "K", "E")]
    rows += [
        ("On the SEND register (K and E)", shown(r.on_register)),
        ("All pupils on roll", shown(r.pupils)),
    ]
    out: list[Any] = [
        para(f"The SEND register on {_d(r.counted_on)}", st["h2"]),
        _table(rows, (0.6, 0.2), st, width, {1}, total_row=True),
        _keep(
            para("By broad area of need (pupils on the register, by primary need)", st["h3"]),
            _chart(list(r.by_area), [_series("Pupils", list(r.by_area.values()))], width),
        ),
    ]
    needs: list[Sequence[object]] = [("Primary need", "Code", "Pupils")]
    needs += [
        (describe(code), code, shown(count))
        for code, count in r.by_need.items()
        if count != 0 and code in NEED_CODES
    ]
    out.append(para("By type of need (primary need)", st["h3"]))
    if len(needs) > 1:
        out.append(_table(needs, (0.55, 0.12, 0.18), st, width, {2}))
    else:
        out.append(para("Nobody is on the register.", st["body"]))
    years: list[Sequence[object]] = [("Year group", "No SEN", "SEN support", "EHC plan")]
    years += [
        (
            year_label(y) if y != -99 else "Not recorded",
            *(shown(row[k]) for k in ("N", "K", "E")),
        )
        for y, row in r.by_year.items()
    ]
    out.append(para("By year group", st["h3"]))
    if len(years) > 1:
        out.append(_table(years, (0.25, 0.18, 0.18, 0.18), st, width, {1, 2, 3}))
    else:
        out.append(para("Nobody is on roll.", st["body"]))
    return out


def _changes_section(f: SchoolFigures, st: dict[str, Any], width: float) -> list[Any]:
    rows: list[Sequence[object]] = [
        (
            "Academic year",
            "Counted on",
            "SEN support",
            "EHC plan",
            "On the register",
            "Joined",
            "Left",
        )
    ]
    for c in f.changes:
        counted = f"{c.counted_on:%d/%m/%Y}" + (" (so far)" if c.to_date else " (census)")
        rows.append(
            (
                c.label,
                counted,
                *(shown(n) for n in (c.support, c.plans, c.on_register, c.joined, c.left)),
            )
        )
    labels = [c.label for c in f.changes]
    chart = _chart(
        labels,
        [
            _series("SEN support", [c.support for c in f.changes]),
            _series("EHC plan", [c.plans for c in f.changes]),
        ],
        width,
    )
    fractions = (0.14, 0.19, 0.13, 0.12, 0.15, 0.1, 0.1)
    return [
        _keep(
            para("Changes over the last three years", st["h2"]),
            para(
                "Pupils on the register on each year's spring census day (the January "
                "census the DfE's SEN statistics come from), and how many came onto the "
                "register (from no SEN, or new to the school on it) or came off it (no "
                "longer needing SEN support, or leaving the school) during the year.",
                st["body"],
            ),
            _space(4),
            _table(rows, fractions, st, width, {2, 3, 4, 5, 6}),
            _space(6),
            chart,
        )
    ]


def _outcomes_section(f: SchoolFigures, st: dict[str, Any], width: float) -> list[Any]:
    rows: list[Sequence[object]] = [
        (
            "Group",
            "Pupils",
            "Attendance",
            "Pupils",
            "At or above expected",
            "Pupils",
            "Made progress",
        )
    ]
    for o in f.outcomes:
        rows.append(
            (
                o.group,
                shown(o.attendance_pupils),
                _pct(o.attendance_percent, o.attendance_pupils),
                shown(o.attainment_pupils),
                _pct(o.at_expected_percent, o.attainment_pupils),
                shown(o.progress_pupils),
                _pct(o.progress_percent, o.progress_pupils),
            )
        )
    from sendesk.reports.figure_charts import Series

    groups = [o.group for o in f.outcomes]

    def series(name: str, pairs: Sequence[tuple[float | None, Count]]) -> Series:
        return Series(name, tuple(v for v, _ in pairs), tuple(_pct(v, n) for v, n in pairs))

    attendance = [(o.attendance_percent, o.attendance_pupils) for o in f.outcomes]
    at_expected = [(o.at_expected_percent, o.attainment_pupils) for o in f.outcomes]
    moved = [(o.progress_percent, o.progress_pupils) for o in f.outcomes]
    fractions = (0.22, 0.1, 0.14, 0.1, 0.14, 0.1, 0.14)
    out: list[Any] = [
        para("Attendance and progress of pupils with SEND", st["h2"]),
        _table(rows, fractions, st, width, {1, 2, 3, 4, 5, 6}),
        _space(3),
        para(OUTCOMES_NOTE, st["muted"]),
    ]
    # A chart with no percentage in it at all (nothing recorded yet) would be empty axes.
    if any(v is not None for v, _ in attendance):
        chart = _chart(groups, [series("Attendance", attendance)], width, maximum=100.0)
        out.append(_keep(para("Attendance", st["h3"]), chart))
    if any(v is not None for v, _ in (*at_expected, *moved)):
        chart = _chart(
            groups,
            [series("At or above expected", at_expected), series("Made progress", moved)],
            width,
            maximum=100.0,
        )
        out.append(_keep(para("Attainment and progress", st["h3"]), chart))
    return out


def _few(pupils: int) -> bool:
    return pupils < SUPPRESS_BELOW


def _effect_row(row: InterventionEffect, pupils: Count) -> tuple[object, ...]:
    few = _few(row.pupils)
    per_pupil = row.cost_per_pupil_pence
    return (
        row.name,
        row.area,
        shown(pupils),
        NOT_SHOWN if few else average_text(row),
        pounds(row.cost_pence),
        NOT_SHOWN if few or per_pupil is None else pounds(per_pupil),
        NOT_SHOWN if few else row.cost_per_unit_text,
    )


def _effect_section(report: EffectivenessReport, st: dict[str, Any], width: float) -> list[Any]:
    from sendesk.reports.figure_charts import Series

    head: list[Any] = [para("Intervention effectiveness", st["h2"])]
    if not report.rows:
        return [*head, para("No intervention was delivered in the period.", st["body"])]
    rows: list[Sequence[object]] = [
        (
            "Intervention",
            "Area of need",
            "Pupils",
            "Average progress",
            "Cost",
            "Cost per pupil",
            "Cost per unit of progress",
        ),
    ]
    # A hidden intervention's pupils would be the total less the others: the total's
    # pupils (and its cost per pupil, their cost ÷ them) are hidden with it.
    counts, total_pupils = suppress_with_total(
        {i: r.pupils for i, r in enumerate(report.rows)}, report.total.pupils
    )
    rows += [_effect_row(r, counts[i]) for i, r in enumerate(report.rows)]
    total = report.total
    per_pupil = total.cost_per_pupil_pence
    rows.append(
        (
            "All interventions",
            "",
            # Hidden to protect a row, not for being small, it reads "not shown".
            shown(total_pupils),
            "",
            pounds(total.cost_pence),
            NOT_SHOWN if hidden(total_pupils) or per_pupil is None else pounds(per_pupil),
            "",
        )
    )
    fractions = (0.2, 0.17, 0.09, 0.13, 0.12, 0.1, 0.19)
    out = [
        *head,
        _table(rows, fractions, st, width, {2, 4, 5}, total_row=True),
        _space(3),
        para(EFFECT_NOTE, st["muted"]),
    ]
    charted = [r for r in report.rows if not _few(r.pupils) and r.cost_per_pupil_pence]
    if charted:
        pence = [r.cost_per_pupil_pence or 0 for r in charted]
        series = Series(
            "Cost per pupil",
            tuple(p / 100 for p in pence),
            tuple(pounds(p) for p in pence),
        )
        out.append(
            _keep(
                para("Cost per pupil (£; interventions with 5 or more pupils)", st["h3"]),
                _chart([r.name for r in charted], [series], width),
            )
        )
    return out


def _access_section(f: SchoolFigures, st: dict[str, Any], width: float) -> list[Any]:
    a = f.access
    out: list[Any] = [
        para(f"Exam access arrangements in place on {_d(a.counted_on)}", st["h2"]),
        para(
            f"Pupils with at least one arrangement approved (in the centre or by the "
            f"awarding body) and not expired: {shown(a.pupils)}. A pupil may have several.",
            st["body"],
        ),
    ]
    if a.by_arrangement:
        rows: list[Sequence[object]] = [("Arrangement", "Pupils")]
        rows += [(name, shown(n)) for name, n in a.by_arrangement.items()]
        out += [_space(4), _table(rows, (0.6, 0.2), st, width, {1})]
    return [_keep(*out)]


def _ehc_section(f: SchoolFigures, st: dict[str, Any], width: float) -> list[Any]:
    e = f.ehc
    rows: list[Sequence[object]] = [
        ("EHC needs assessments", "Number"),
        ("Requests made to the LA", shown(e.requests_made)),
        ("The LA agreed to assess", shown(e.agreed_to_assess)),
        ("The LA refused to assess", shown(e.refused_to_assess)),
        ("Assessed, and the LA decided not to issue a plan", shown(e.refused_to_issue)),
        ("Final EHC plans issued", shown(e.plans_issued)),
        ("20-week deadlines in the period", shown(e.deadlines)),
        ("… met (plan issued within 20 weeks)", shown(e.deadlines_met)),
        ("… missed", shown(e.deadlines_missed)),
        ("… missed, with an exception recorded", shown(e.missed_with_exception)),
    ]
    summary = e.deadlines_sentence()
    return [
        _keep(
            para("EHC needs assessments and the 20-week deadline", st["h2"]),
            _table(rows, (0.6, 0.2), st, width, {1}),
            _space(4),
            para(summary, st["lead"]),
            _space(3),
            para(EHC_NOTE, st["muted"]),
        )
    ]


__all__ = ["TITLE", "write_governors_report"]
