"""Bar charts of the school's figures, drawn for the governors' report's PDF.

Governors read a register or a three-year change at a glance from bars, and check the
number printed at the end of each. A suppressed count (1 to 4, "fewer than 5") has no
bar — a bar's length would give the hidden number away — only its words where the bar
would start.

As :mod:`sendesk.reports.pack_charts` does for a pupil's measures (and with its colours,
fonts and round axis steps), the chart is worked out as plain data first
(:class:`BarPlan`: rectangles and labels, in points) and then drawn straight onto the page
by a flowable (:class:`BarChart`) as vector graphics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors

from sendesk.reports.pack_charts import LINE, TEXT, Label, PlannedChart, Segment, nice_axis
from sendesk.reports.pdf_layout import register_fonts

SERIES_COLOURS = (LINE, colors.HexColor("#E08A1E"), colors.HexColor("#4E9A5B"))
"""One colour per series: SENDesk's blue first, then orange and green."""
MUTED = colors.HexColor("#7A7A7A")
_STEPS = (1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0)
BAR_H = 9.0
ROW_GAP = 6.0
LABEL_W = 150.0
FONT_SIZE = 7.5


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (the legend), a value per category (None: suppressed or
    not known, no bar) and the text printed beside each bar."""

    name: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class BarPlan:
    """Everything a bar chart draws, in points from its lower-left corner."""

    width: float
    height: float
    bars: tuple[tuple[float, float, float, float, int], ...]  # x, y, w, h, series
    lines: tuple[Segment, ...]  # grid lines
    axes: tuple[Segment, ...]
    labels: tuple[Label, ...]
    muted: tuple[Label, ...]  # the words of a suppressed count
    legend: tuple[tuple[float, float, int, str], ...]  # x, y, series, name

    @property
    def texts(self) -> list[str]:
        return [label.text for label in (*self.labels, *self.muted)] + [n for *_, n in self.legend]


def bar_plan(
    categories: Sequence[str],
    series: Sequence[Series],
    width: float,
    *,
    maximum: float | None = None,
) -> BarPlan:
    """A horizontal bar chart: a row per category, a bar per series in each row.

    ``maximum`` fixes the axis's end (100 for percentages); otherwise it is the largest
    value's round step above.
    """
    top_pad = 14.0 if len(series) > 1 else 4.0
    bottom = 16.0
    row_h = BAR_H * len(series) + ROW_GAP
    height = bottom + row_h * len(categories) + top_pad
    left = min(LABEL_W, width * 0.4)
    plot_w = width - left - 60
    known = [v for s in series for v in s.values if v is not None]
    if maximum is None:
        _low, maximum, step = nice_axis(0.0, max(known, default=1.0) or 1.0, _STEPS)
    else:
        step = maximum / 4
    scale = plot_w / maximum if maximum else 0.0
    bars, labels, muted, lines, axes = [], [], [], [], []
    for i in range(round(maximum / step) + 1):
        x = left + step * i * scale
        lines.append((x, bottom, x, height - top_pad))
        value = step * i
        text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
        labels.append(Label(x, bottom - 10, text, "middle", role="x"))
    for row, category in enumerate(categories):
        y_top = height - top_pad - row * row_h
        labels.append(
            Label(left - 5, y_top - row_h / 2 - 2.5 + ROW_GAP / 2, category, "end", role="y")
        )
        for n, s in enumerate(series):
            y = y_top - (n + 1) * BAR_H
            value, text = s.values[row], s.texts[row]
            if value is None:
                muted.append(Label(left + 3, y + 2, text, "start"))
                continue
            w = value * scale
            bars.append((left, y + 1, w, BAR_H - 2, n))
            labels.append(Label(left + w + 3, y + 2, text, "start"))
    axes.append((left, bottom, left, height - top_pad))
    axes.append((left, bottom, left + plot_w, bottom))
    legend = []
    if len(series) > 1:
        x = left
        for n, s in enumerate(series):
            legend.append((x, height - 9, n, s.name))
            x += 20 + len(s.name) * 4.2
    return BarPlan(
        width,
        height,
        tuple(bars),
        tuple(lines),
        tuple(axes),
        tuple(labels),
        tuple(muted),
        tuple(legend),
    )


class BarChart(PlannedChart[BarPlan]):
    """A :class:`BarPlan` drawn on the page."""

    def draw(self) -> None:
        font, _bold = register_fonts()
        plan, canvas = self.plan, self.canv
        canvas.saveState()
        self.draw_frame(plan.lines, plan.axes)
        for x, y, w, h, n in plan.bars:
            canvas.setFillColor(SERIES_COLOURS[n % len(SERIES_COLOURS)])
            canvas.rect(x, y, w, h, stroke=0, fill=1)
        for x, y, n, name in plan.legend:
            canvas.setFillColor(SERIES_COLOURS[n % len(SERIES_COLOURS)])
            canvas.rect(x, y, 8, 7, stroke=0, fill=1)
            canvas.setFillColor(TEXT)
            canvas.setFont(font, FONT_SIZE)
            canvas.drawString(x + 11, y + 1, name)
        canvas.setFont(font, FONT_SIZE)
        for colour, labels in ((TEXT, plan.labels), (MUTED, plan.muted)):
            canvas.setFillColor(colour)
            for label in labels:
                self.draw_label(label)
        canvas.restoreState()


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    width: float,
    *,
    maximum: float | None = None,
) -> BarChart:
    """The chart flowable (see :func:`bar_plan`)."""
    return BarChart(bar_plan(categories, series, width, maximum=maximum))


__all__ = ["BarChart", "BarPlan", "Series", "bar_chart", "bar_plan"]
