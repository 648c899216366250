"""A horizontal bar chart of the school's figures, drawn with QPainter.

PySide6's QtCharts module is not part of the wheels SENDesk ships (and a few bars need no
charting library), so this draws them itself, as the progress chart does
(:mod:`sendesk.ui.graduated.progress_chart`). Each row is a label and one bar per series
(SEN Support and EHC plan; pupils with SEND and all pupils); every bar carries its figure
in words beside it, so the chart reads without colour and a suppressed count ("fewer than
5") is written, not drawn — a bar would give its size away. Colours come from the palette
(and one accent per series), so it reads in a dark theme too; the whole chart is also
given in words as the accessible description.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES_COLOURS = ("#2f6fb5", "#d9822b", "#4a9a5b")
"""One colour per series, readable on light and dark backgrounds."""


@dataclass(frozen=True)
class Bar:
    """One row of the chart: its label, one value per series (None: suppressed or not
    known, so no bar is drawn) and the words written beside each bar."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


class BarChart(QWidget):
    """Rows of horizontal bars, one per series, all against one scale (the largest)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.series: tuple[str, ...] = ()
        self.bars: tuple[Bar, ...] = ()
        self.scale: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader reaches its words

    def set_bars(
        self, series: Sequence[str], bars: Sequence[Bar], *, scale: float | None = None
    ) -> None:
        """Show ``bars``; a bar of ``scale`` spans the width (None: the largest value does,
        for counts; 100 for percentages, so 5% looks like 5%)."""
        self.series = tuple(series)
        self.bars = tuple(bars)
        self.scale = scale
        self.setAccessibleDescription(self.describe())
        self.setToolTip(self.describe())
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def describe(self) -> str:
        """The chart in words: "Cognition and learning: SEN Support 12, EHC plan fewer than 5"."""
        if not self.bars:
            return "Nothing to show."
        parts = []
        for bar in self.bars:
            names = self.series or ("",) * len(bar.texts)
            values = ", ".join(
                f"{name} {text}" if name else text
                for name, text in zip(names, bar.texts, strict=False)
            )
            parts.append(f"{bar.label}: {values}")
        return "; ".join(parts)

    # --- geometry ----------------------------------------------------------------------

    def _line(self) -> int:
        return self.fontMetrics().lineSpacing()

    def _legend_height(self) -> int:
        return self._line() + 6 if len(self.series) > 1 else 0

    def _row_height(self) -> int:
        return max(1, len(self.series)) * (self._line() + 2) + 8

    def sizeHint(self) -> QSize:
        height = self._legend_height() + len(self.bars) * self._row_height() + 4
        return QSize(self.fontMetrics().averageCharWidth() * 70, max(height, self._line() * 2))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 40, self.sizeHint().height())

    # --- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        metrics = self.fontMetrics()
        line = self._line()
        if not self.bars:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignVCenter, "Nothing to show.")
            return
        top = 0
        if len(self.series) > 1:  # the legend: a swatch and the series' name each
            x = 0
            for k, name in enumerate(self.series):
                painter.fillRect(QRectF(x, top + 3, line - 6, line - 6), self._colour(k))
                painter.setPen(text_colour)
                painter.drawText(x + line, top + metrics.ascent(), name)
                x += line + metrics.horizontalAdvance(name) + line
            top += self._legend_height()
        gap = metrics.averageCharWidth() * 2
        label_width = min(
            max(metrics.horizontalAdvance(b.label) for b in self.bars) + gap + 4,
            self.width() // 3,
        )
        text_width = max(metrics.horizontalAdvance(t) for b in self.bars for t in b.texts) + 10
        plot_width = max(10, self.width() - label_width - text_width)
        largest = self.scale or max((v for b in self.bars for v in b.values if v), default=1.0)
        row_height = self._row_height()
        for bar in self.bars:
            painter.setPen(text_colour)
            label_rect = QRectF(0, top, label_width - gap, row_height)
            elided = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_width - gap)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter, elided)
            y = top + 4
            for k, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
                length = 0.0 if not value else plot_width * value / largest
                if length:
                    painter.fillRect(QRectF(label_width, y + 1, length, line - 1), self._colour(k))
                painter.setPen(text_colour)
                painter.drawText(int(label_width + length + 6), int(y + metrics.ascent()), text)
                y += line + 2
            top += row_height

    def _colour(self, series: int) -> QColor:
        return QColor(SERIES_COLOURS[series % len(SERIES_COLOURS)])


__all__ = ["Bar", "BarChart"]
