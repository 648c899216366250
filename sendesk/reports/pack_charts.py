"""Charts of an intervention's measures over time, drawn for the request pack's PDF.

A panel judges an intervention by what changed: the entry measure, the measures taken on
the way, the exit. A line through them on a time axis shows that at a glance, and — for an
age-equivalent measure such as a reading age — a dashed line from the entry rising a month
for every month that passed shows the progress a child of average development would make:
a line above it is the gap closing, below it widening. (The app's own chart,
:class:`sendesk.ui.interventions_page.ProgressChart`, draws the same with Qt; reports never
import Qt, so this is reportlab's drawing of it.)

Vector graphics (:mod:`reportlab.graphics`), so the chart is sharp at any zoom and adds
a few kilobytes, not an image, to the pack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from sendesk.reports.passport import register_fonts
from sendesk.rules import progress as rules
from sendesk.services.interventions import Progress

LINE = colors.HexColor("#1A4F9C")
EXPECTED = colors.HexColor("#7A7A7A")
GRID = colors.HexColor("#DDDDDD")
_MAX_TICKS = 5
_AGE_STEPS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0)  # months: round steps of an age
_SCORE_STEPS = (0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0)


def _date_text(ordinal: float) -> str:
    return date.fromordinal(round(ordinal)).strftime("%b %Y")


def _date_ticks(low: float, high: float, count: int) -> list[float]:
    if high <= low or count < 2:
        return [low]
    step = (high - low) / (count - 1)
    return [low + step * i for i in range(count)]


def _nice_axis(low: float, high: float, steps: Sequence[float]) -> tuple[float, float, float]:
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


def measure_chart(progress: Progress, width: float, height: float) -> Drawing | None:
    """The measures of one enrolment as a line on a time axis (None with under two)."""
    points = progress.points
    if len(points) < 2:
        return None
    font, bold = register_fonts()
    series = [[(float(p.on.toordinal()), float(p.value)) for p in points]]
    expected = expected_line(progress)
    if expected is not None:
        series.append([(float(d.toordinal()), float(v)) for d, v in expected])
    xs = [x for line in series for x, _ in line]
    ys = [y for line in series for _, y in line]
    x_low, x_high = min(xs), max(xs)
    x_pad = max((x_high - x_low) * 0.06, 3.0)
    y_low, y_high = min(ys), max(ys)
    y_pad = max((y_high - y_low) * 0.12, 0.5)

    drawing = Drawing(width, height, initialFontName=font)  # never a stray Helvetica
    plot = LinePlot()
    plot.x, plot.y = 46, 28
    plot.width, plot.height = width - plot.x - 12, height - plot.y - 10
    plot.data = series
    plot.joinedLines = 1
    plot.lines[0].strokeColor = LINE
    plot.lines[0].strokeWidth = 1.6
    plot.lines[0].symbol = makeMarker("FilledCircle", size=5, fillColor=LINE, strokeColor=LINE)
    if expected is not None:
        plot.lines[1].strokeColor = EXPECTED
        plot.lines[1].strokeWidth = 1
        plot.lines[1].strokeDashArray = (4, 3)
        plot.lines[1].symbol = None
    x_axis, y_axis = plot.xValueAxis, plot.yValueAxis
    x_axis.valueMin, x_axis.valueMax = x_low - x_pad, x_high + x_pad
    x_axis.valueSteps = _date_ticks(x_low, x_high, min(_MAX_TICKS, len({p.on for p in points})))
    x_axis.labelTextFormat = _date_text
    kind = progress.measure_kind
    nice = _AGE_STEPS if kind == rules.AGE_MONTHS else _SCORE_STEPS
    first, last, step = _nice_axis(y_low - y_pad / 2, y_high + y_pad / 2, nice)
    y_axis.valueMin, y_axis.valueMax = first, last
    y_axis.valueSteps = [first + step * i for i in range(round((last - first) / step) + 1)]

    def y_text(value: float) -> str:
        if kind == rules.AGE_MONTHS and value >= 0:
            return rules.format_age(value)
        return rules.format_measure(kind, value)

    y_axis.labelTextFormat = y_text
    for axis in (x_axis, y_axis):
        axis.labels.fontName = font
        axis.labels.fontSize = 7
        axis.strokeColor = colors.HexColor("#555555")
    y_axis.visibleGrid = 1
    y_axis.gridStrokeColor = GRID
    y_axis.gridStrokeWidth = 0.5
    drawing.add(plot)

    # Values beside each measure, named "entry" and "exit" where they are.
    x_span = x_axis.valueMax - x_axis.valueMin
    y_span = y_axis.valueMax - y_axis.valueMin
    for p in points:
        px = plot.x + (p.on.toordinal() - x_axis.valueMin) / x_span * plot.width
        py = plot.y + (p.value - y_axis.valueMin) / y_span * plot.height
        text = progress.formatted(p.value)
        if p.label:
            text = f"{p.label} {text}"
        drawing.add(
            String(
                px,
                py + 6,
                text,
                fontName=bold if p.label else font,
                fontSize=7,
                fillColor=colors.HexColor("#222222"),
                textAnchor="middle",
            )
        )
    return drawing


__all__ = ["expected_line", "measure_chart"]
