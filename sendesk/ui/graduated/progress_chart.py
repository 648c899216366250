"""The progress chart of one enrolment: its measures over time, drawn with QPainter.

A few points need no charting library, and the colours come from the palette so it reads
in a dark theme too. Shown on the Interventions page and on a pupil's Interventions tab.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import (
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QWidget,
)

from sendesk.rules import progress as rules
from sendesk.rules.dates import dmy
from sendesk.services.graduated.intervention_records import (
    MeasurePoint,
    Progress,
)


class ProgressChart(QWidget):
    """Measures over time for one enrolment, drawn with QPainter.

    Points are joined in date order; entry and exit are labelled. For an age measure a
    dashed line shows age-expected progress from the entry (a ratio gain of 1: a month of
    progress for each month), so a line above it is the gap closing, below it widening.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress: Progress | None = None
        self.setAccessibleName("Progress chart")
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)

    def set_progress(self, progress: Progress | None) -> None:
        self.progress = progress
        self.setAccessibleDescription(self.describe())
        self.update()

    @property
    def points(self) -> tuple[MeasurePoint, ...]:
        return self.progress.points if self.progress else ()

    def describe(self) -> str:
        """The chart in words (for screen readers and tooltips)."""
        progress = self.progress
        if progress is None or not progress.points:
            return "No measures recorded yet."
        parts = []
        for p in progress.points:
            label = f" ({p.label})" if p.label else ""
            parts.append(f"{dmy(p.on)}: {progress.formatted(p.value)}{label}")
        return "; ".join(parts)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 50, metrics.lineSpacing() * 12)

    def expected_line(self) -> tuple[tuple[date, float], tuple[date, float]] | None:
        """The age-expected line's two ends (entry, last date), for age measures only."""
        progress = self.progress
        if progress is None or progress.measure_kind != rules.AGE_MONTHS:
            return None
        entry = next((p for p in progress.points if p.label == "entry"), None)
        if entry is None or len(progress.points) < 2:
            return None
        last = progress.points[-1].on
        return (entry.on, entry.value), (
            last,
            entry.value + rules.months_elapsed(entry.on, last),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        painter.fillRect(self.rect(), palette.brush(QPalette.ColorRole.Base))
        text_pen = QPen(palette.color(QPalette.ColorRole.Text))
        painter.setPen(text_pen)
        metrics = self.fontMetrics()
        progress = self.progress
        if progress is None or not progress.points:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No measures recorded yet.")
            return
        points = progress.points
        values = [p.value for p in points]
        expected = self.expected_line()
        if expected is not None:
            values.append(expected[1][1])
        low, high = min(values), max(values)
        if high - low < 1:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.1
        low, high = low - pad, high + pad
        first_day, last_day = points[0].on.toordinal(), points[-1].on.toordinal()
        if last_day == first_day:
            first_day, last_day = first_day - 15, last_day + 15

        label_width = (
            max(metrics.horizontalAdvance(progress.formatted(v)) for v in (low, high))
            + metrics.averageCharWidth()
        )
        line = metrics.lineSpacing()
        plot = QRectF(
            label_width + line / 2,
            line,
            max(self.width() - label_width - line * 1.5, 10),
            max(self.height() - line * 3, 10),
        )

        def x_of(day: date) -> float:
            return (
                plot.left() + (day.toordinal() - first_day) / (last_day - first_day) * plot.width()
            )

        def y_of(value: float) -> float:
            return plot.bottom() - (value - low) / (high - low) * plot.height()

        # Axes and their labels.
        axis_pen = QPen(palette.color(QPalette.ColorRole.Mid))
        painter.setPen(axis_pen)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(text_pen)
        for value in (low + pad, high - pad):
            y = y_of(value)
            painter.drawText(
                QRectF(0, y - line / 2, label_width, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                progress.formatted(value),
            )
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 0.25, plot.width(), line),
            int(Qt.AlignmentFlag.AlignLeft),
            dmy(points[0].on),
        )
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 0.25, plot.width(), line),
            int(Qt.AlignmentFlag.AlignRight),
            dmy(points[-1].on),
        )
        painter.drawText(
            QRectF(plot.left(), 0, plot.width(), line),
            int(Qt.AlignmentFlag.AlignLeft),
            progress.measure,
        )

        # Age-expected progress, dashed.
        if expected is not None:
            dashed = QPen(palette.color(QPalette.ColorRole.Mid))
            dashed.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(dashed)
            (d0, v0), (d1, v1) = expected
            painter.drawLine(QPointF(x_of(d0), y_of(v0)), QPointF(x_of(d1), y_of(v1)))
            painter.setPen(text_pen)
            painter.drawText(
                QRectF(plot.left(), 0, plot.width(), line),
                int(Qt.AlignmentFlag.AlignRight),
                "- - age-expected progress",
            )

        # The measures.
        accent = palette.color(QPalette.ColorRole.Highlight)
        pen = QPen(accent)
        pen.setWidthF(max(2.0, line / 8))
        painter.setPen(pen)
        path = QPainterPath()
        for n, p in enumerate(points):
            point = QPointF(x_of(p.on), y_of(p.value))
            if n == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        painter.drawPath(path)
        painter.setBrush(QBrush(accent))
        radius = max(3.0, line / 5)
        for p in points:
            point = QPointF(x_of(p.on), y_of(p.value))
            painter.drawEllipse(point, radius, radius)
            if p.label:
                # Beside the point, kept inside the plot (left of it near the right edge,
                # below it near the top).
                text = f"{p.label} {progress.formatted(p.value)}"
                x = point.x() + radius * 1.5
                if x + metrics.horizontalAdvance(text) > plot.right():
                    x = point.x() - radius * 1.5 - metrics.horizontalAdvance(text)
                y = point.y() - radius
                if y - metrics.ascent() < plot.top():
                    y = point.y() + radius + metrics.ascent()
                painter.setPen(text_pen)
                painter.drawText(QPointF(x, y), text)
                painter.setPen(pen)
