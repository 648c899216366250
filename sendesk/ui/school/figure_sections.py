"""The school's figures as the figures page shows them: titled sections of a chart and a
table, made from :class:`~sendesk.services.school.figures.SchoolFigures` on the worker
thread (texts and all), so the page only puts widgets round them.

Every count is shown through :func:`sendesk.services.school.statistics.shown`, the one
wording of a published count: a suppressed one reads "fewer than 5" and gets no bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendesk.rules.census import describe
from sendesk.rules.dates import dmy
from sendesk.services.school.figures import EHC_PLAN, SEN_SUPPORT, SchoolFigures
from sendesk.services.school.statistics import Count, shown, shown_percent
from sendesk.ui.school.bar_chart import Bar

STATUS_NAMES = {"N": "No SEN (N)", "K": "SEN support (K)", "E": "EHC plan (E)"}


@dataclass(frozen=True)
class FigureSection:
    """One titled part of the page: a sentence, a chart and a table (any may be empty)."""

    title: str
    note: str = ""
    series: tuple[str, ...] = ()  # the chart's series, one bar each per row
    bars: tuple[Bar, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    scale: float | None = None  # the chart's full width: None for counts, 100 for percents


def count_bar(label: str, *counts: Count) -> Bar:
    """A chart row of counts: a hidden one draws no bar and reads "fewer than 5" (1 to 4)
    or "not shown" (hidden to protect another)."""
    values = tuple(float(c) if isinstance(c, int) and c else None for c in counts)
    return Bar(label, values, tuple(shown(c) for c in counts))


def percent_bar(label: str, value: float | None, pupils: Count) -> Bar:
    """A chart row of one percentage ("no records" or "not shown" when there is none)."""
    return Bar(label, (value,), (shown_percent(value, pupils),))


def counts(
    title: str, note: str, series: str, header: tuple[str, ...], counted: list[tuple[str, Count]]
) -> FigureSection:
    """A section of one count a row (``counted``: label and count): a bar of ``series``
    each, and a table under ``header`` of the label and the count as published."""
    return FigureSection(
        title,
        note,
        (series,),
        tuple(count_bar(label, n) for label, n in counted),
        header,
        tuple((label, shown(n)) for label, n in counted),
    )


def _register(f: SchoolFigures) -> list[FigureSection]:
    r = f.register
    on = dmy(r.counted_on)
    statuses = [(STATUS_NAMES[k], n) for k, n in r.by_status.items()]
    areas = list(r.by_area.items())
    needs = [(f"{describe(code)} ({code})", n) for code, n in r.by_need.items() if n != 0]
    years = list(r.by_year.items())
    return [
        counts(
            f"The SEN register on {on}",
            f"{r.pupils:,} pupils on roll; {shown(r.on_register)} on the SEN register "
            "(SEN support and EHC plans).",
            "Pupils",
            ("Status", "Pupils"),
            statuses,
        ),
        counts(
            "By broad area of need",
            "Pupils on the register, by the area of their primary need.",
            "Pupils",
            ("Area of need", "Pupils"),
            areas,
        ),
        counts(
            "By type of need",
            "Pupils on the register, by their primary need (needs no pupil has are left out)."
            if needs
            else "No pupil is on the register.",
            "Pupils",
            ("Primary need", "Pupils") if needs else (),
            needs,
        ),
        FigureSection(
            "By year group",
            "",
            (SEN_SUPPORT, EHC_PLAN),
            tuple(count_bar(_year(y), c.get("K"), c.get("E")) for y, c in years),
            ("Year group", "No SEN", SEN_SUPPORT, EHC_PLAN),
            tuple(
                (_year(y), shown(c.get("N")), shown(c.get("K")), shown(c.get("E")))
                for y, c in years
            ),
        ),
    ]


def _year(year: int) -> str:
    return "Not recorded" if year == -99 else ("Reception" if year == 0 else f"Year {year}")


def _changes(f: SchoolFigures) -> FigureSection:
    return FigureSection(
        "Changes over the last three years",
        "Each year counted on its spring census day (or the period's last day, while the "
        "census day is still to come); joined and left count the whole year.",
        (SEN_SUPPORT, EHC_PLAN),
        tuple(count_bar(c.label, c.support, c.plans) for c in f.changes),
        ("Academic year", "Counted on", SEN_SUPPORT, EHC_PLAN, "On the register", "Joined", "Left"),
        tuple(
            (
                c.label,
                dmy(c.counted_on) + (" (so far)" if c.to_date else " (census)"),
                shown(c.support),
                shown(c.plans),
                shown(c.on_register),
                shown(c.joined),
                shown(c.left),
            )
            for c in f.changes
        ),
    )


def _outcomes(f: SchoolFigures) -> list[FigureSection]:
    rows = f.outcomes
    return [
        FigureSection(
            "Attendance",
            "Sessions attended of those possible, for the terms recorded in the period; a "
            "percentage drawn from fewer than 5 pupils is not shown.",
            ("Attendance",),
            tuple(percent_bar(o.group, o.attendance_percent, o.attendance_pupils) for o in rows),
            scale=100.0,
        ),
        FigureSection(
            "Progress",
            "Of the pupils assessed in the period: at or above the expected value, and "
            "better than their first assessment in the period.",
            ("At or above expected", "Made progress"),
            tuple(
                Bar(
                    o.group,
                    (o.at_expected_percent, o.progress_percent),
                    (
                        shown_percent(o.at_expected_percent, o.attainment_pupils),
                        shown_percent(o.progress_percent, o.progress_pupils),
                    ),
                )
                for o in rows
            ),
            (
                "Group",
                "Attendance",
                "Pupils",
                "At or above expected",
                "Made progress",
                "Pupils assessed",
            ),
            tuple(
                (
                    o.group,
                    shown_percent(o.attendance_percent, o.attendance_pupils),
                    shown(o.attendance_pupils),
                    shown_percent(o.at_expected_percent, o.attainment_pupils),
                    shown_percent(o.progress_percent, o.progress_pupils),
                    shown(o.attainment_pupils),
                )
                for o in rows
            ),
            scale=100.0,
        ),
    ]


def _access(f: SchoolFigures) -> FigureSection:
    a = f.access
    held = [(name, n) for name, n in a.by_arrangement.items() if n != 0]
    return counts(
        f"Exam access arrangements in place on {dmy(a.counted_on)}",
        f"{shown(a.pupils)} pupils have at least one (a pupil may have several)."
        if held
        else "No exam access arrangements are in place.",
        "Pupils",
        ("Access arrangement", "Pupils") if held else (),
        held,
    )


def _ehc(f: SchoolFigures) -> FigureSection:
    e = f.ehc
    rows: list[tuple[str, Count]] = [
        ("Requests made", e.requests_made),
        ("Agreed to assess", e.agreed_to_assess),
        ("Refused to assess", e.refused_to_assess),
        ("Assessed, no plan", e.refused_to_issue),
        ("Final plans issued", e.plans_issued),
    ]
    return counts(
        "EHC needs assessments",
        e.deadlines_sentence(),
        "Requests",
        ("", "Number"),
        rows,
    )


def figure_sections(figures: SchoolFigures) -> list[FigureSection]:
    """The page's sections, in the governors' report's order."""
    return [
        *_register(figures),
        _changes(figures),
        *_outcomes(figures),
        _access(figures),
        _ehc(figures),
    ]
