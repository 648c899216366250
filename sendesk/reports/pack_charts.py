"""Charts of an intervention's measures over time, drawn for the request pack's PDF.

A panel judges an intervention by what changed: the entry measure, the measures taken on
the way, the exit. A line through them on a time axis shows that at a glance, and — for an
age-equivalent measure such as a reading age — a dashed line from the entry rising a month
for every month that passed shows the progress a child of average development would make:
a line above it is the gap closing, below it widening. (The app's own chart,
:class:`sendesk.ui.graduated.progress_chart.ProgressChart`, draws the same with Qt;
reports never
import Qt, so this is reportlab's drawing of it.)

The chart is worked out as plain data first (:class:`ChartPlan`: the lines, the dots and
the labels, in points) and then drawn straight onto the page by a flowable
(:class:`MeasureChart`) as vector graphics — sharp at any zoom, a few hundred bytes each.
reportlab's own chart widgets draw the same picture several times slower, and a pack has a
chart for every intervention.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from reportlab.lib import colors
from reportlab.platypus import Flowable

from sendesk.reports.pdf_layout import register_fonts
from sendesk.rules import progress as rules
from sendesk.services.graduated.intervention_records import Progress

LINE = colors.HexColor("#1A4F9C")
EXPECTED = colors.HexColor("#7A7A7A")
Segment = tuple[float, float, float, float]
"""A straight line on a chart, (x1, y1, x2, y2) in points."""

GRID = colors.HexColor("#DDDDDD")
AXIS = colors.HexColor("#555555")
TEXT = colors.HexColor("#222222")
_MAX_TICKS = 5
_AGE_STEPS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0)  # months: round steps of an age
_SCORE_STEPS = (1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0)  # scores and ratings are whole


def _date_text(ordinal: float) -> str:
    return date.fromordinal(round(ordinal)).strftime("%b %Y")


def _date_ticks(low: float, high: float, count: int) -> list[float]:
    if high <= low or count < 2:
        return [low]
    step = (high - low) / (count - 1)
    return [low + step * i for i in range(count)]


def nice_axis(low: float, high: float, steps: Sequence[float]) -> tuple[float, float, float]:
    """Axis ends and a round step (from ``steps``) giving about four gridlines."""
    span = max(high - low, 1e-9)
    step = next((s for s in steps if span / s <= 4), steps[-1])
    while span / step > 4:
        step *= 10
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    if first == last:
        first, last = first - step, last + step
    return first, last, step


def expected_line(progress: Progress) -> tuple[tuple[date, float], tuple[date, float]] | None:
    """For an age measure: the entry and where age-expected progress would reach by the
    last measure (a month of progress a month); None for other measures."""
    if progress.measure_kind != rules.AGE_MONTHS or len(progress.points) < 2:
        return None
    entry = next((p for p in progress.points if p.label == "entry"), None)
    if entry is None:
        return None
    last = progress.points[-1].on
    if last <= entry.on:
        return None
    return (entry.on, entry.value), (last, entry.value + rules.months_elapsed(entry.on, last))


@dataclass(frozen=True)
class Label:
    """A piece of text on the chart: where (points), how aligned, whether bold, and what it
    labels: "y" (a value on the axis), "x" (a date on the axis) or "point" (a measure)."""

    x: float
    y: float
    text: str
    anchor: str  # "start", "middle" or "end"
    bold: bool = False
    role: str = "point"


@dataclass(frozen=True)
class ChartPlan:
    """Everything a chart draws, in points from its lower-left corner."""

    width: float
    height: float
    grid: tuple[Segment, ...]  # light lines across
    axes: tuple[Segment, ...]  # the axes and their ticks
    expected: tuple[float, float, float, float] | None  # the dashed age-expected line
    points: tuple[tuple[float, float], ...]  # the measures, joined in date order
    labels: tuple[Label, ...]

    @property
    def texts(self) -> list[str]:
        return [label.text for label in self.labels]


def chart_plan(progress: Progress, width: float, height: float) -> ChartPlan | None:
    """The chart of one enrolment's measures (None with fewer than two)."""
    points = progress.points
    if len(points) < 2:
        return None
    kind = progress.measure_kind
    expected = expected_line(progress)
    xs = [float(p.on.toordinal()) for p in points]
    ys = [float(p.value) for p in points]
    if expected is not None:
        xs += [float(d.toordinal()) for d, _ in expected]
        ys += [float(v) for _, v in expected]
    x_low, x_high = min(xs), max(xs)
    x_pad = max((x_high - x_low) * 0.06, 3.0)
    x_min, x_max = x_low - x_pad, x_high + x_pad
    y_pad = max((max(ys) - min(ys)) * 0.12, 0.5)
    steps = _AGE_STEPS if kind == rules.AGE_MONTHS else _SCORE_STEPS
    y_min, y_max, step = nice_axis(min(ys) - y_pad / 2, max(ys) + y_pad / 2, steps)
    left, bottom = 46.0, 28.0
    plot_w, plot_h = width - left - 12, height - bottom - 10

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x_min) / (x_max - x_min) * plot_w,
            bottom + (y - y_min) / (y_max - y_min) * plot_h,
        )

    def y_text(value: float) -> str:
        if kind == rules.AGE_MONTHS and value >= 0:
            return rules.format_age(value)
        return rules.format_measure(kind, value)

    grid, axes, labels = [], [], []
    for i in range(round((y_max - y_min) / step) + 1):
        value = y_min + step * i
        y = at(x_min, value)[1]
        grid.append((left, y, left + plot_w, y))
        axes.append((left - 3, y, left, y))
        labels.append(Label(left - 5, y - 2.5, y_text(value), "end", role="y"))
    for value in _date_ticks(x_low, x_high, min(_MAX_TICKS, len({p.on for p in points}))):
        x = at(value, y_min)[0]
        axes.append((x, bottom, x, bottom - 3))
        labels.append(Label(x, bottom - 12, _date_text(value), "middle", role="x"))
    axes += [(left, bottom, left + plot_w, bottom), (left, bottom, left, bottom + plot_h)]
    dashed = None
    if expected is not None:
        (d0, v0), (d1, v1) = expected
        dashed = (*at(d0.toordinal(), v0), *at(d1.toordinal(), v1))
    placed = tuple(at(p.on.toordinal(), p.value) for p in points)
    # Each measure's value above it; the first reads rightwards and the last leftwards, so
    # neither runs into the axis or off the chart.
    last = len(points) - 1
    for n, (p, (x, y)) in enumerate(zip(points, placed, strict=True)):
        text = progress.formatted(p.value)
        text = f"{p.label} {text}" if p.label else text
        anchor, shift = (
            ("start", -3.0) if n == 0 else ("end", 3.0) if n == last else ("middle", 0.0)
        )
        labels.append(Label(x + shift, y + 6, text, anchor, bool(p.label)))
    return ChartPlan(width, height, tuple(grid), tuple(axes), dashed, placed, tuple(labels))


class _Sized(Protocol):
    width: float
    height: float


P = TypeVar("P", bound=_Sized)


class PlannedChart(Flowable, Generic[P]):
    """A chart laid out beforehand as a frozen plan (its size, gridlines and axes in
    points), drawn with the canvas's own operators: the layout is tested without a PDF,
    and every chart in every report has the same grid and axes."""

    def __init__(self, plan: P) -> None:
        super().__init__()
        self.plan = plan
        self.width, self.height = plan.width, plan.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw_frame(self, grid: Sequence[Segment], axes: Sequence[Segment]) -> None:
        """The light gridlines, then the darker axes over them."""
        canvas = self.canv
        canvas.setLineWidth(0.5)
        canvas.setStrokeColor(GRID)
        canvas.lines(grid)
        canvas.setLineWidth(0.8)
        canvas.setStrokeColor(AXIS)
        canvas.lines(axes)

    def draw_label(self, label: Label) -> None:
        """One label at its anchor (start, middle or end), in the canvas's current font and
        colour: every chart places its text the same way."""
        canvas = self.canv
        draw = {
            "start": canvas.drawString,
            "middle": canvas.drawCentredString,
            "end": canvas.drawRightString,
        }[label.anchor]
        draw(label.x, label.y, label.text)


class MeasureChart(PlannedChart[ChartPlan]):
    """A :class:`ChartPlan` drawn on the page."""

    def draw(self) -> None:
        font, bold = register_fonts()
        plan, canvas = self.plan, self.canv
        canvas.saveState()
        self.draw_frame(plan.grid, plan.axes)
        if plan.expected is not None:
            canvas.setLineWidth(1)
            canvas.setStrokeColor(EXPECTED)
            canvas.setDash(4, 3)
            canvas.line(*plan.expected)
            canvas.setDash()
        canvas.setLineWidth(1.6)
        canvas.setStrokeColor(LINE)
        canvas.setFillColor(LINE)
        path = canvas.beginPath()
        path.moveTo(*plan.points[0])
        for x, y in plan.points[1:]:
            path.lineTo(x, y)
        canvas.drawPath(path, stroke=1, fill=0)
        for x, y in plan.points:
            canvas.circle(x, y, 2.5, stroke=0, fill=1)
        canvas.setFillColor(TEXT)
        for label in plan.labels:
            canvas.setFont(bold if label.bold else font, 7)
            self.draw_label(label)
        canvas.restoreState()


def measure_chart(progress: Progress, width: float, height: float) -> MeasureChart | None:
    """The chart flowable for one enrolment's measures (None with fewer than two)."""
    plan = chart_plan(progress, width, height)
    return MeasureChart(plan) if plan is not None else None


__all__ = ["ChartPlan", "Label", "MeasureChart", "chart_plan", "expected_line", "measure_chart"]
