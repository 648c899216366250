"""The SENCo's figures page: the school's SEND figures as charts and tables, and the
whole-school reports saved from them.

Why a page of its own: the read-only role's statistics page shows governors the register
at a glance, but the SENCo needs the same anonymised figures the governors' report and the
SEN information report publish — the register by area, need, year and status, the changes
over three years, attendance and progress against the school, access arrangements and EHC
figures — for a period they choose, and to save those reports from where they see them.
What is shown is exactly what the reports print
(:func:`sendesk.services.school.figures.school_figures`, counts from 1 to 4 as "fewer than
5"), laid out by :mod:`sendesk.ui.school.figure_sections`.

Every read and every report runs on the worker thread (:class:`sendesk.ui.ops.Op`): the
figures add up the whole school's records, and a report reads them again to write them.
The services that work the figures out are imported there too, the first time the page
reads: importing them is a tenth of a second the window would otherwise be held when the
page is first opened (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.dates import dmy
from sendesk.services.graduated.provision_map import (
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
)
from sendesk.ui.kit.buttons import APP, action_button
from sendesk.ui.kit.forms import sentence_label
from sendesk.ui.kit.page import Page
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import fit_to_rows, read_only_view
from sendesk.ui.ops import Op, ProgressFn, show_failure
from sendesk.ui.school.bar_chart import BarChart

if TYPE_CHECKING:
    from sendesk.ui.school.figure_sections import FigureSection

YEARS_SHOWN = 5
"""This academic year and the previous four, each on its own."""

Period = tuple[date, date]


@dataclass(frozen=True)
class Report:
    """A whole-school report the page saves: its button, its file and how it is written."""

    button: str  # with its Alt+ key
    title: str  # for the file dialog, messages and the audit trail
    file_stem: str
    suffixes: tuple[str, ...]  # the first is the default
    writer: Callable[[], Callable[..., Path]]
    """Imports and returns the writer ``(db, actor, out, *, start, end, progress)``: a
    report is imported when first saved (the PDF ones bring reportlab with them), on the
    worker thread."""
    dated: bool
    """Whether the writer takes ``today`` (the page's day, so it counts what it shows)."""


def _sen_information() -> Callable[..., Path]:
    from sendesk.reports.sen_information import write_sen_information

    return write_sen_information


def _governors() -> Callable[..., Path]:
    from sendesk.reports.governors_report import write_governors_report

    return write_governors_report


def _effectiveness() -> Callable[..., Path]:
    from sendesk.reports.effectiveness_report import write_effectiveness_report

    return write_effectiveness_report


GOVERNORS = Report(
    "&Governors' report…",
    "governors' SEND report",
    "governors-send-report",
    (".pdf",),
    _governors,
    dated=True,
)
SEN_INFORMATION = Report(
    "S&EN information report…",
    "SEN information report",
    "sen-information-report",
    (".docx",),
    _sen_information,
    dated=True,
)
EFFECTIVENESS = Report(
    "&Intervention effectiveness…",
    "intervention effectiveness report",
    "intervention-effectiveness",
    (".pdf", ".xlsx"),
    _effectiveness,
    dated=False,
)
REPORTS = (GOVERNORS, SEN_INFORMATION, EFFECTIVENESS)

FILTERS = {
    ".pdf": "PDF document (*.pdf)",
    ".docx": "Word document (*.docx)",
    ".xlsx": "Excel workbook (*.xlsx)",
}


@dataclass(frozen=True)
class _Read:
    """The figures for a period, laid out in sections on the worker."""

    period: Period  # the period asked for
    shown: Period  # the days counted (up to today, for the current year)
    sections: list[FigureSection]
    small_numbers: str  # how counts from 1 to 4 are shown


def _columns(header: tuple[str, ...]) -> list[ColumnSpec[tuple[str, ...]]]:
    """Column specs for rows of texts (the first column a label, the rest figures)."""
    return [
        ColumnSpec(title, lambda row, k=k: row[k], number=k > 0) for k, title in enumerate(header)
    ]


class FiguresPage(Page):
    """The school's anonymised SEND figures for a period, and the reports made from them."""

    def _start(self) -> None:
        self.saving: Op | None = None
        self.sections: list[FigureSection] = []
        self.charts: dict[str, BarChart] = {}
        self.tables: dict[str, Any] = {}

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName("Period")
        this_year = academic_year_of(self.today)
        for start in range(this_year, this_year - YEARS_SHOWN, -1):
            first, last = academic_year_bounds(start)
            self.period_combo.addItem(f"Academic year {academic_year_label(start)}", (first, last))
        three = (academic_year_bounds(this_year - 2)[0], academic_year_bounds(this_year)[1])
        self.period_combo.addItem(
            f"The last three academic years ({academic_year_label(this_year - 2)} to "
            f"{academic_year_label(this_year)})",
            three,
        )
        period_label = QLabel("&Period:")
        period_label.setBuddy(self.period_combo)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.reload())

        self.report_buttons = {
            report: action_button(
                report.button,
                f"Save the {report.title}",
                lambda *_clicked, r=report: self.save_report(r),
            )
            for report in REPORTS
        }
        top = QHBoxLayout()
        top.addWidget(period_label)
        top.addWidget(self.period_combo)
        top.addStretch(1)
        for button in self.report_buttons.values():
            top.addWidget(button)

        self.status = sentence_label("Figures status")

        self.body = QWidget()
        self.body.setAccessibleName("School figures")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

    # --- the period ----------------------------------------------------------------------

    @property
    def period(self) -> Period:
        start, end = self.period_combo.currentData()
        return start, end

    def set_period(self, start: date, end: date) -> None:
        """Choose the period from ``start`` to ``end`` (one the list offers)."""
        for index in range(self.period_combo.count()):
            if self.period_combo.itemData(index) == (start, end):
                self.period_combo.setCurrentIndex(index)
                return
        raise ValueError(f"no period {start}–{end} on the page")

    # --- reading -------------------------------------------------------------------------

    def reload(self) -> Op:
        """Read the figures for the period chosen (on the worker thread) and show them."""
        ctx, today = self.ctx, self.today
        start, end = self.period
        self.status.setText("Reading the figures…")

        def work(_progress: ProgressFn) -> _Read:
            from sendesk.services.school.figures import school_figures
            from sendesk.services.school.statistics import SMALL_NUMBERS_NOTE
            from sendesk.ui.school.figure_sections import figure_sections

            figures = school_figures(ctx.db, ctx.actor, start=start, end=end, today=today)
            shown = (figures.start, figures.end)
            return _Read((start, end), shown, figure_sections(figures), SMALL_NUMBERS_NOTE)

        self.loading = Op(self, work, success=self._show, failure=self._failed)
        return self.loading.run()

    def _failed(self, exc: BaseException) -> None:
        self._clear()
        if isinstance(exc, SendeskError):  # a refusal, or a database that cannot be read
            self.status.setText(str(exc))
        else:
            self.status.setText("The figures could not be read.")
            show_failure(self, exc)

    def _show(self, read: _Read) -> None:
        period, (first, last) = read.period, read.shown
        if period != self.period:
            return  # the period changed while this was read; its own read follows
        self._clear()
        self.sections = read.sections
        so_far = " (today: the period so far)" if last < period[1] else ""
        self.status.setText(
            f"{dmy(first)} to {dmy(last)}{so_far}. No pupil is named; {read.small_numbers}."
        )
        for section in read.sections:
            self.body_layout.insertWidget(self.body_layout.count() - 1, self._section(section))

    def _clear(self) -> None:
        self.sections = []
        self.charts.clear()
        self.tables.clear()
        while self.body_layout.count() > 1:
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _section(self, section: FigureSection) -> QGroupBox:
        box = QGroupBox(section.title)
        box.setAccessibleName(section.title)
        layout = QVBoxLayout(box)
        if section.note:
            note = QLabel(section.note)
            note.setWordWrap(True)
            # A wrapped label's own minimum is its height at a narrow width, several lines
            # too tall here; the scroll area sizes the page by height-for-width instead, and
            # any height left over goes below the last section, not into the notes.
            note.setMinimumHeight(note.fontMetrics().lineSpacing())
            policy = note.sizePolicy()
            policy.setVerticalPolicy(QSizePolicy.Policy.Maximum)
            note.setSizePolicy(policy)
            layout.addWidget(note)
        if section.bars:
            chart = BarChart(f"{section.title}: chart")
            chart.set_bars(section.series, section.bars, scale=section.scale)
            self.charts[section.title] = chart
            layout.addWidget(chart)
        if section.rows:
            model: RowsModel[tuple[str, ...]] = RowsModel(_columns(section.header), section.rows)
            model.setParent(box)
            table = fit_to_rows(read_only_view(model, f"{section.title}: table"))
            self.tables[section.title] = table
            layout.addWidget(table)
        return box

    # --- reports -------------------------------------------------------------------------

    def _ask_path(self, report: Report) -> Path | None:
        start, end = self.period
        suggested = Path.home() / f"{report.file_stem}-{start:%Y}-{end:%y}{report.suffixes[0]}"
        filters = ";;".join(FILTERS[s] for s in report.suffixes)
        name, chosen = QFileDialog.getSaveFileName(
            self, f"Save the {report.title}", str(suggested), filters
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in report.suffixes:
            suffix = next((s for s in report.suffixes if FILTERS[s] == chosen), report.suffixes[0])
            path = path.with_name(path.name + suffix)
        return path

    def save_report(self, report: Report) -> Op | None:
        """Ask where to save ``report`` and write it on the worker thread, for the period
        shown; None if the SENCo cancelled."""
        path = self._ask_path(report)
        if path is None:
            return None
        ctx, today = self.ctx, self.today
        start, end = self.period

        def work(progress: ProgressFn) -> Path:
            dated = {"today": today} if report.dated else {}
            write = report.writer()
            # Each writer records its own export in the audit trail (as the command does).
            written = write(
                ctx.db, ctx.actor, path, start=start, end=end, progress=progress, **dated
            )
            return Path(written)

        def saved(written: Path) -> None:
            self.status.setText(f"The {report.title} was saved to {written}.")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError) and exc.strerror:
                where = f" ({exc.filename})" if exc.filename else ""
                text = f"The {report.title} could not be saved{where}: {exc.strerror.lower()}."
                QMessageBox.warning(self, APP, text)
            else:
                show_failure(self, exc)  # a SendeskError's one sentence, or an apology

        self.saving = Op(
            self, work, success=saved, failure=failed, label=f"Writing the {report.title}…"
        )
        return self.saving.run()


__all__ = ["EFFECTIVENESS", "GOVERNORS", "REPORTS", "SEN_INFORMATION", "FiguresPage"]
