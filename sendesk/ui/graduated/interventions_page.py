"""Interventions: the SENCo's catalogue, the groups running it, enrolments, and progress.

Why it is built this way: the page reads top to bottom the way a SENCo thinks about
provision — what programmes we offer (the catalogue), who is running each one and when
(groups), which pupils are in the chosen group with their entry and exit measures
(enrolments), and what happened to the chosen pupil (the verdict sentence from
:mod:`sendesk.rules.progress`, and a small chart of the measures over time). Every change
goes through a dialog that calls a service (:mod:`sendesk.services.graduated.intervention_setup`); a
refusal is shown and the dialog stays open, so nothing typed is lost.

The chart is drawn with QPainter (:class:`ProgressChart`): a few points need no charting
library, and the colours come from the palette so it reads in a dark theme too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import progress as rules
from sendesk.rules.permissions import Action
from sendesk.rules.years import year_label
from sendesk.services.graduated.enrolments import (
    add_measurement,
    enrol,
    enrolment_progress,
    list_enrolments,
    record_entry,
    record_exit,
)
from sendesk.services.graduated.intervention_records import (
    MAX_GROUP_SIZE,
    MAX_MINUTES,
    MAX_SESSIONS_PER_WEEK,
    WEEKDAY_NAMES,
    EnrolmentItem,
    GroupData,
    GroupItem,
    InterventionData,
    InterventionItem,
    MeasurePoint,
    Progress,
)
from sendesk.services.graduated.intervention_setup import (
    add_group,
    add_intervention,
    group_leaders,
    list_groups,
    list_interventions,
    update_group,
    update_intervention,
)
from sendesk.services.register.pupil_record import AREAS
from sendesk.services.register.register_view import register_rows
from sendesk.ui.context import AppContext
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view

AnyIndex = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")

STAFF_ROLES = (
    "Teaching assistant",
    "Higher level teaching assistant",
    "ELSA",
    "Learning mentor",
    "Teacher",
    "Specialist teacher",
    "SENCo",
    "Speech and language therapist",
)
MEASURES = (
    ("reading age", rules.AGE_MONTHS),
    ("spelling age", rules.AGE_MONTHS),
    ("standardised reading score", rules.STANDARDISED),
    ("standardised spelling score", rules.STANDARDISED),
    ("rating scale", rules.RATING),
)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _date_edit(name: str, value: date) -> QDateEdit:
    edit = QDateEdit()
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(_to_qdate(value))
    return edit


def _add_row(form: QFormLayout, text: str, field: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, field)


# --- table columns ------------------------------------------------------------------------------


CATALOGUE_COLUMNS: list[ColumnSpec[InterventionItem]] = [
    ColumnSpec("Name", lambda i: i.name),
    ColumnSpec("Area of need", lambda i: i.area),
    ColumnSpec("Group size", lambda i: str(i.group_size), number=True),
    ColumnSpec("Staff role", lambda i: i.staff_role),
    ColumnSpec("Sessions a week", lambda i: str(i.sessions_per_week), number=True),
    ColumnSpec("Minutes", lambda i: str(i.minutes_per_session), number=True),
    ColumnSpec("Cost an hour", lambda i: i.cost_per_hour_text, number=True),
    ColumnSpec("Measure", lambda i: i.measure),
    ColumnSpec("In use", lambda i: "Yes" if i.active else "Retired"),
]

GROUP_COLUMNS: list[ColumnSpec[GroupItem]] = [
    ColumnSpec("Group", lambda g: g.name),
    ColumnSpec("Led by", lambda g: g.staff_name or "Nobody yet"),
    ColumnSpec("Days", lambda g: g.weekdays_text),
    ColumnSpec("From", lambda g: _day(g.start_date)),
    ColumnSpec("To", lambda g: _day(g.end_date)),
    ColumnSpec("Pupils", lambda g: str(g.enrolled), number=True),
]


def _measure_text(e: EnrolmentItem, value: float | None, on: date | None) -> str:
    if value is None:
        return ""
    shown = rules.format_measure(e.measure_kind, value)
    return f"{shown} ({_day(on)})" if on else shown


ENROLMENT_COLUMNS: list[ColumnSpec[EnrolmentItem]] = [
    ColumnSpec("Pupil", lambda e: e.pupil_name),
    ColumnSpec("Year", lambda e: year_label(e.year_group)),
    ColumnSpec("Started", lambda e: _day(e.start_date)),
    ColumnSpec("Planned end", lambda e: _day(e.planned_end)),
    ColumnSpec("Entry", lambda e: _measure_text(e, e.entry_measure, e.entry_date)),
    ColumnSpec("Exit", lambda e: _measure_text(e, e.exit_measure, e.exit_date)),
    ColumnSpec("Ended", lambda e: _day(e.end_date) if e.end_date else "Still in the group"),
]


# --- the chart --------------------------------------------------------------------------------


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
            parts.append(f"{_day(p.on)}: {progress.formatted(p.value)}{label}")
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
            _day(points[0].on),
        )
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 0.25, plot.width(), line),
            int(Qt.AlignmentFlag.AlignRight),
            _day(points[-1].on),
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


# --- dialogs -------------------------------------------------------------------------------------


class _ServiceDialog(QDialog):
    """A dialog whose OK calls a service; a refusal is shown and the dialog stays open."""

    title = "SENDesk"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{self.title} — SENDesk")
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert isinstance(ok, QPushButton)
        self.ok_button = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        """Call the service (raise SendeskError or ValueError to refuse)."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.save()
        except (SendeskError, ValueError) as exc:
            QMessageBox.warning(self, f"{self.title}: not saved", str(exc))
            return
        super().accept()


class InterventionDialog(_ServiceDialog):
    """Add a programme to the catalogue, or edit one (``item``)."""

    def __init__(
        self, ctx: AppContext, item: InterventionItem | None = None, parent: QWidget | None = None
    ) -> None:
        self.title = "Edit intervention" if item else "Add an intervention"
        super().__init__(ctx, parent)
        self.item = item
        self.saved_id: int | None = None

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name")
        self.area_combo = QComboBox()
        self.area_combo.setAccessibleName("Area of need")
        self.area_combo.addItems(list(AREAS))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
        self.group_size_spin = self._spin("Group size", 1, MAX_GROUP_SIZE, 1)
        self.staff_role_combo = QComboBox()
        self.staff_role_combo.setAccessibleName("Staff role")
        self.staff_role_combo.setEditable(True)
        self.staff_role_combo.addItems(list(STAFF_ROLES))
        self.sessions_spin = self._spin("Sessions a week", 1, MAX_SESSIONS_PER_WEEK, 1)
        self.minutes_spin = self._spin("Minutes per session", 1, MAX_MINUTES, 30)
        self.cost_spin = QDoubleSpinBox()
        self.cost_spin.setAccessibleName("Cost an hour of the staff role, in pounds")
        self.cost_spin.setPrefix("£")
        self.cost_spin.setDecimals(2)
        self.cost_spin.setRange(0, 1000)
        self.measure_combo = QComboBox()
        self.measure_combo.setAccessibleName("Measure used")
        self.measure_combo.setEditable(True)
        for text, _kind in MEASURES:
            self.measure_combo.addItem(text)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of measure")
        for kind, label in rules.MEASURE_KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.active_check = QCheckBox("In &use (untick to retire it)")
        self.active_check.setChecked(True)

        _add_row(self.form, "&Name:", self.name_edit)
        _add_row(self.form, "&Area of need:", self.area_combo)
        _add_row(self.form, "&Description:", self.description_edit)
        _add_row(self.form, "&Group size:", self.group_size_spin)
        _add_row(self.form, "&Staff role:", self.staff_role_combo)
        _add_row(self.form, "Sessions a &week:", self.sessions_spin)
        _add_row(self.form, "&Minutes per session:", self.minutes_spin)
        _add_row(self.form, "&Cost an hour:", self.cost_spin)
        _add_row(self.form, "Measu&re:", self.measure_combo)
        _add_row(self.form, "&Kind of measure:", self.kind_combo)
        self.form.addRow("", self.active_check)
        self.active_check.setVisible(item is not None)
        self.ok_button.setText("&Save" if item else "&Add")

        self.measure_combo.currentTextChanged.connect(self._measure_chosen)
        if item is not None:
            self._fill(item)
        self.name_edit.setFocus()

    @staticmethod
    def _spin(name: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setAccessibleName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        return spin

    def _measure_chosen(self, text: str) -> None:
        kind = dict(MEASURES).get(text.strip())
        if kind is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def _fill(self, item: InterventionItem) -> None:
        self.name_edit.setText(item.name)
        self.area_combo.setCurrentText(item.area)
        self.description_edit.setPlainText(item.description)
        self.group_size_spin.setValue(item.group_size)
        self.staff_role_combo.setCurrentText(item.staff_role)
        self.sessions_spin.setValue(item.sessions_per_week)
        self.minutes_spin.setValue(item.minutes_per_session)
        self.cost_spin.setValue(item.cost_per_hour_pence / 100)
        self.measure_combo.setCurrentText(item.measure)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(item.measure_kind), 0))
        self.active_check.setChecked(item.active)

    def data(self) -> InterventionData:
        return InterventionData(
            name=self.name_edit.text(),
            area=self.area_combo.currentText(),
            staff_role=self.staff_role_combo.currentText(),
            measure=self.measure_combo.currentText(),
            measure_kind=str(self.kind_combo.currentData()),
            group_size=self.group_size_spin.value(),
            sessions_per_week=self.sessions_spin.value(),
            minutes_per_session=self.minutes_spin.value(),
            cost_per_hour_pence=round(self.cost_spin.value() * 100),
            description=self.description_edit.toPlainText(),
            active=self.active_check.isChecked(),
        )

    def save(self) -> None:
        if self.item is None:
            self.saved_id = add_intervention(self.ctx.db, self.ctx.actor, self.data())
        else:
            update_intervention(
                self.ctx.db, self.ctx.actor, self.item.id, self.item.version, self.data()
            )
            self.saved_id = self.item.id


class GroupDialog(_ServiceDialog):
    """Start a group of an intervention, or edit one (``item``)."""

    def __init__(
        self,
        ctx: AppContext,
        interventions: Sequence[InterventionItem],
        intervention_id: int | None,
        item: GroupItem | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        self.title = "Edit group" if item else "Start a group"
        super().__init__(ctx, parent)
        self.item = item
        self.saved_id: int | None = None
        today = today or date.today()

        self.intervention_combo = QComboBox()
        self.intervention_combo.setAccessibleName("Intervention")
        for i in interventions:
            if i.active or (item and i.id == item.intervention_id):
                self.intervention_combo.addItem(i.name, i.id)
        wanted = item.intervention_id if item else intervention_id
        self.intervention_combo.setCurrentIndex(max(self.intervention_combo.findData(wanted), 0))
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Group name")
        self.name_edit.setPlaceholderText("For example: Year 8 reading, Monday and Wednesday")
        self.staff_combo = QComboBox()
        self.staff_combo.setAccessibleName("Led by")
        self.staff_combo.addItem("Nobody yet", None)
        for uid, name in group_leaders(ctx.db, ctx.actor):
            self.staff_combo.addItem(name, uid)
        days = QWidget()
        days_layout = QHBoxLayout(days)
        days_layout.setContentsMargins(0, 0, 0, 0)
        self.day_checks: list[QCheckBox] = []
        for n, name in enumerate(WEEKDAY_NAMES[:5]):
            check = QCheckBox(name)
            check.setAccessibleName(f"Meets on {name}")
            check.setProperty("weekday", n)
            self.day_checks.append(check)
            days_layout.addWidget(check)
        days_layout.addStretch(1)
        self.start_edit = _date_edit("First day", today)
        self.has_end_check = QCheckBox("Ends on:")
        self.end_edit = _date_edit("Last day", today + timedelta(weeks=12))
        self.end_edit.setEnabled(False)
        self.has_end_check.toggled.connect(self.end_edit.setEnabled)
        end_row = QWidget()
        end_layout = QHBoxLayout(end_row)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addWidget(self.has_end_check)
        end_layout.addWidget(self.end_edit)
        end_layout.addStretch(1)

        _add_row(self.form, "&Intervention:", self.intervention_combo)
        _add_row(self.form, "&Name:", self.name_edit)
        _add_row(self.form, "&Led by:", self.staff_combo)
        _add_row(self.form, "&Days:", days)
        _add_row(self.form, "&From:", self.start_edit)
        self.form.addRow("", end_row)
        self.ok_button.setText("&Save" if item else "&Start group")
        if item is not None:
            self.name_edit.setText(item.name)
            self.staff_combo.setCurrentIndex(max(self.staff_combo.findData(item.staff_id), 0))
            for check in self.day_checks:
                check.setChecked(check.property("weekday") in item.weekdays)
            self.start_edit.setDate(_to_qdate(item.start_date))
            if item.end_date is not None:
                self.has_end_check.setChecked(True)
                self.end_edit.setDate(_to_qdate(item.end_date))

    def data(self) -> GroupData:
        return GroupData(
            intervention_id=int(self.intervention_combo.currentData() or 0),
            name=self.name_edit.text(),
            staff_id=self.staff_combo.currentData(),
            weekdays=tuple(int(c.property("weekday")) for c in self.day_checks if c.isChecked()),
            start_date=_from_qdate(self.start_edit.date()),
            end_date=_from_qdate(self.end_edit.date()) if self.has_end_check.isChecked() else None,
        )

    def save(self) -> None:
        if self.item is None:
            self.saved_id = add_group(self.ctx.db, self.ctx.actor, self.data())
        else:
            update_group(self.ctx.db, self.ctx.actor, self.item.id, self.data())
            self.saved_id = self.item.id


def _measure_hint(kind: str) -> str:
    if kind == rules.AGE_MONTHS:
        return "Years:months, e.g. 8:06"
    if kind == rules.STANDARDISED:
        return "A standardised score, e.g. 84"
    return "A number on the scale"


class EnrolDialog(_ServiceDialog):
    """Enrol a pupil in a group with the start date, planned end and the entry measure."""

    title = "Enrol a pupil"

    def __init__(
        self,
        ctx: AppContext,
        group: GroupItem,
        intervention: InterventionItem,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.group = group
        self.intervention = intervention
        self.saved_id: int | None = None
        today = today or date.today()
        start = max(group.start_date, min(today, group.end_date or today))

        self.pupil_combo = QComboBox()
        self.pupil_combo.setAccessibleName("Pupil")
        self.pupil_combo.setEditable(True)
        self.pupil_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for row in register_rows(ctx.db, ctx.actor, include_all=True):
            self.pupil_combo.addItem(
                f"{row.display_name} ({year_label(row.year_group)}, {row.upn})", row.pupil_id
            )
        self.pupil_combo.setCurrentIndex(-1)
        completer = self.pupil_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.start_edit = _date_edit("Start date", start)
        self.planned_end_edit = _date_edit("Planned end", start + timedelta(weeks=10))
        self.entry_edit = QLineEdit()
        self.entry_edit.setAccessibleName(f"Entry measure ({intervention.measure})")
        self.entry_edit.setPlaceholderText(_measure_hint(intervention.measure_kind))
        self.entry_date_edit = _date_edit("Date of the entry measure", start)

        _add_row(self.form, "&Pupil:", self.pupil_combo)
        _add_row(self.form, "&Start:", self.start_edit)
        _add_row(self.form, "Planned &end:", self.planned_end_edit)
        _add_row(self.form, f"Entry &measure ({intervention.measure}):", self.entry_edit)
        _add_row(self.form, "Measure &taken on:", self.entry_date_edit)
        self.ok_button.setText("&Enrol")
        self.setWindowTitle(f"Enrol a pupil in {group.name} — SENDesk")

    def select_pupil(self, pupil_id: int) -> None:
        self.pupil_combo.setCurrentIndex(self.pupil_combo.findData(pupil_id))

    def save(self) -> None:
        pupil_id = self.pupil_combo.currentData()
        if pupil_id is None or self.pupil_combo.currentIndex() < 0:
            raise ValueError("Choose a pupil from the list.")
        text = self.entry_edit.text().strip()
        entry = rules.parse_measure(self.intervention.measure_kind, text) if text else None
        self.saved_id = enrol(
            self.ctx.db,
            self.ctx.actor,
            self.group.id,
            int(pupil_id),
            _from_qdate(self.start_edit.date()),
            _from_qdate(self.planned_end_edit.date()),
            entry,
            _from_qdate(self.entry_date_edit.date()) if entry is not None else None,
        )


class MeasureDialog(_ServiceDialog):
    """Record the exit measure (ending the enrolment), a measure along the way, or the entry
    measure of an enrolment that began without one (``entry``)."""

    def __init__(
        self,
        ctx: AppContext,
        enrolment: EnrolmentItem,
        parent: QWidget | None = None,
        *,
        exit_measure: bool,
        entry: bool = False,
        today: date | None = None,
    ) -> None:
        self.title = (
            "Record the entry" if entry else "Record the exit" if exit_measure else "Add a measure"
        )
        super().__init__(ctx, parent)
        self.enrolment = enrolment
        self.is_exit = exit_measure
        self.is_entry = entry
        today = today or date.today()
        intro = QLabel(
            f"{enrolment.pupil_name}: {enrolment.measure}. "
            + (
                "The entry measure, taken as the pupil started: progress is judged from it."
                if entry
                else "Recording the exit ends the pupil's time in the group; leave the measure "
                "blank if none was taken (a pupil who left)."
                if exit_measure
                else "A measure taken along the way shows on the progress chart."
            )
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.value_edit = QLineEdit()
        self.value_edit.setAccessibleName(enrolment.measure)
        self.value_edit.setPlaceholderText(_measure_hint(enrolment.measure_kind))
        self.date_edit = _date_edit("Date the measure was taken", today)
        self.date_edit.setMaximumDate(_to_qdate(today))
        _add_row(
            self.form, f"&{enrolment.measure[:1].upper()}{enrolment.measure[1:]}:", self.value_edit
        )
        _add_row(self.form, "&Taken on:", self.date_edit)
        self.ok_button.setText(
            "Record e&ntry" if entry else "Record &exit" if exit_measure else "&Add"
        )

    def save(self) -> None:
        text = self.value_edit.text().strip()
        on = _from_qdate(self.date_edit.date())
        if self.is_entry:
            value = rules.parse_measure(self.enrolment.measure_kind, text)
            record_entry(
                self.ctx.db,
                self.ctx.actor,
                self.enrolment.id,
                value,
                on,
                version=self.enrolment.version,
            )
        elif self.is_exit:
            value = rules.parse_measure(self.enrolment.measure_kind, text) if text else None
            record_exit(
                self.ctx.db,
                self.ctx.actor,
                self.enrolment.id,
                value,
                on,
                version=self.enrolment.version,
            )
        else:
            value = rules.parse_measure(self.enrolment.measure_kind, text)
            add_measurement(self.ctx.db, self.ctx.actor, self.enrolment.id, on, value)


# --- the page ---------------------------------------------------------------------------------


class InterventionsPage(QWidget):
    """The SENCo's interventions: catalogue, groups, enrolments and progress.

    ``changed`` is emitted after anything is saved.
    """

    changed = Signal()

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.catalogue_model: RowsModel[InterventionItem] = RowsModel(CATALOGUE_COLUMNS)
        self.group_model: RowsModel[GroupItem] = RowsModel(GROUP_COLUMNS)
        self.enrolment_model: RowsModel[EnrolmentItem] = RowsModel(ENROLMENT_COLUMNS)
        self.progress: Progress | None = None
        self._build()
        self._connect()
        self.reload()

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.catalogue_table = read_only_view(self.catalogue_model, "Intervention catalogue")
        self.add_button = QPushButton("&Add intervention…")
        self.edit_button = QPushButton("&Edit intervention…")
        self.group_table = read_only_view(self.group_model, "Groups of the chosen intervention")
        self.add_group_button = QPushButton("Start a &group…")
        self.edit_group_button = QPushButton("Edit gro&up…")
        self.enrolment_table = read_only_view(self.enrolment_model, "Pupils in the chosen group")
        self.enrol_button = QPushButton("En&rol a pupil…")
        self.entry_button = QPushButton("Record e&ntry…")
        self.exit_button = QPushButton("Record e&xit…")
        self.measure_button = QPushButton("Add a &measure…")
        self.verdict_label = QLabel("Choose a pupil in a group to see their progress.")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAccessibleName("Progress verdict")
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = ProgressChart()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        catalogue_box = QGroupBox("Catalogue")
        catalogue_layout = QVBoxLayout(catalogue_box)
        catalogue_layout.addWidget(self.catalogue_table)
        catalogue_layout.addLayout(self._buttons(self.add_button, self.edit_button))

        groups_box = QGroupBox("Groups")
        groups_layout = QVBoxLayout(groups_box)
        groups_layout.addWidget(self.group_table)
        groups_layout.addLayout(self._buttons(self.add_group_button, self.edit_group_button))

        enrol_box = QGroupBox("Pupils")
        enrol_layout = QVBoxLayout(enrol_box)
        enrol_layout.addWidget(self.enrolment_table)
        enrol_layout.addLayout(
            self._buttons(
                self.enrol_button, self.entry_button, self.exit_button, self.measure_button
            )
        )

        progress_box = QGroupBox("Progress")
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.verdict_label)
        progress_layout.addWidget(self.chart, 1)

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(groups_box)
        middle.addWidget(enrol_box)
        middle.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(catalogue_box)
        splitter.addWidget(middle)
        splitter.addWidget(progress_box)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)

    @staticmethod
    def _buttons(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.catalogue_table.selectionModel().currentRowChanged.connect(self._intervention_chosen)
        self.group_table.selectionModel().currentRowChanged.connect(self._group_chosen)
        self.enrolment_table.selectionModel().currentRowChanged.connect(self._enrolment_chosen)
        self.catalogue_table.activated.connect(lambda _index: self.edit_intervention())
        self.group_table.activated.connect(lambda _index: self.edit_group())
        self.add_button.clicked.connect(self.add_intervention)
        self.edit_button.clicked.connect(self.edit_intervention)
        self.add_group_button.clicked.connect(self.add_group)
        self.edit_group_button.clicked.connect(self.edit_group)
        self.enrol_button.clicked.connect(self.enrol_pupil)
        self.entry_button.clicked.connect(self.record_entry)
        self.exit_button.clicked.connect(self.record_exit)
        self.measure_button.clicked.connect(self.add_measure)

    # --- what is chosen -------------------------------------------------------------------------

    @property
    def intervention(self) -> InterventionItem | None:
        return self.catalogue_model.row_at(self.catalogue_table.currentIndex().row())

    @property
    def group(self) -> GroupItem | None:
        return self.group_model.row_at(self.group_table.currentIndex().row())

    @property
    def enrolment(self) -> EnrolmentItem | None:
        return self.enrolment_model.row_at(self.enrolment_table.currentIndex().row())

    def select_intervention(self, intervention_id: int) -> None:
        self._select(self.catalogue_table, self.catalogue_model, intervention_id)

    def select_group(self, group_id: int) -> None:
        self._select(self.group_table, self.group_model, group_id)

    def select_enrolment(self, enrolment_id: int) -> None:
        self._select(self.enrolment_table, self.enrolment_model, enrolment_id)

    @staticmethod
    def _select(table: QTableView, model: RowsModel[Any], row_id: int | None) -> None:
        ids = [row.id for row in model.rows]
        row = ids.index(row_id) if row_id in ids else (0 if ids else -1)
        if row >= 0:
            table.setCurrentIndex(model.index(row, 0))
        else:
            table.setCurrentIndex(QModelIndex())

    # --- reading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the catalogue again, keeping the chosen intervention, group and pupil."""
        keep = (
            self.intervention.id if self.intervention else None,
            self.group.id if self.group else None,
            self.enrolment.id if self.enrolment else None,
        )
        try:
            items = list_interventions(self.ctx.db, self.ctx.actor)
        except SendeskError as exc:
            self._show_message(str(exc))
            items = []
        self.catalogue_model.set_rows(items)
        self._select(self.catalogue_table, self.catalogue_model, keep[0])
        self._load_groups(keep[1], keep[2])
        self._update_buttons()

    def _load_groups(
        self, keep_group: int | None = None, keep_enrolment: int | None = None
    ) -> None:
        intervention = self.intervention
        groups: list[GroupItem] = []
        if intervention is not None:
            try:
                groups = list_groups(self.ctx.db, self.ctx.actor, intervention_id=intervention.id)
            except SendeskError as exc:
                self._show_message(str(exc))
        self.group_model.set_rows(groups)
        self._select(self.group_table, self.group_model, keep_group)
        self._load_enrolments(keep_enrolment)

    def _load_enrolments(self, keep: int | None = None) -> None:
        group = self.group
        rows: list[EnrolmentItem] = []
        if group is not None:
            try:
                rows = list_enrolments(self.ctx.db, self.ctx.actor, group.id)
            except SendeskError as exc:
                self._show_message(str(exc))
        self.enrolment_model.set_rows(rows)
        self._select(self.enrolment_table, self.enrolment_model, keep)
        self._load_progress()

    def _load_progress(self) -> None:
        enrolment = self.enrolment
        self.progress = None
        if enrolment is not None:
            try:
                self.progress = enrolment_progress(self.ctx.db, self.ctx.actor, enrolment.id)
            except SendeskError as exc:
                self._show_message(str(exc))
        if self.progress is None:
            self.verdict_label.setText("Choose a pupil in a group to see their progress.")
        else:
            p = self.progress
            self.verdict_label.setText(
                f"{p.pupil_name} in {p.group_name} ({p.intervention_name}). {p.verdict_text}"
            )
        self.chart.set_progress(self.progress)
        self._update_buttons()

    def _intervention_chosen(self) -> None:
        self._load_groups()

    def _group_chosen(self) -> None:
        self._load_enrolments()

    def _enrolment_chosen(self) -> None:
        self._load_progress()

    def _update_buttons(self) -> None:
        senco = self.ctx.may(Action.MANAGE_INTERVENTIONS)
        for button in (
            self.add_button,
            self.edit_button,
            self.add_group_button,
            self.edit_group_button,
            self.enrol_button,
        ):
            # the group's leader records measures here; setting groups up is the SENCo's
            button.setVisible(senco)
        for button in (self.add_button, self.add_group_button):
            button.setEnabled(senco)
        self.edit_button.setEnabled(senco and self.intervention is not None)
        self.add_group_button.setEnabled(senco and self.intervention is not None)
        self.edit_group_button.setEnabled(senco and self.group is not None)
        self.enrol_button.setEnabled(senco and self.group is not None)
        enrolment = self.enrolment
        self.entry_button.setEnabled(
            enrolment is not None and enrolment.current and enrolment.entry_measure is None
        )
        self.exit_button.setEnabled(enrolment is not None and enrolment.current)
        self.measure_button.setEnabled(enrolment is not None)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    # --- dialogs ------------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.open()

    def _saved(self, sender: QDialog) -> None:
        saved_id = getattr(sender, "saved_id", None)
        if isinstance(sender, InterventionDialog) and saved_id is not None:
            self.catalogue_model.set_rows(list_interventions(self.ctx.db, self.ctx.actor))
            self.select_intervention(saved_id)
            self._load_groups()
        elif isinstance(sender, GroupDialog) and saved_id is not None:
            self._load_groups(keep_group=saved_id)
        elif isinstance(sender, EnrolDialog) and saved_id is not None:
            self._load_groups(
                keep_group=self.group.id if self.group else None, keep_enrolment=saved_id
            )
        else:
            self.reload()
        self._update_buttons()
        self.changed.emit()

    def add_intervention(self) -> InterventionDialog:
        dialog = InterventionDialog(self.ctx, None, self)
        self._open(dialog)
        return dialog

    def edit_intervention(self) -> InterventionDialog | None:
        if self.intervention is None:
            return None
        dialog = InterventionDialog(self.ctx, self.intervention, self)
        self._open(dialog)
        return dialog

    def add_group(self) -> GroupDialog | None:
        if self.intervention is None:
            return None
        dialog = GroupDialog(
            self.ctx, self.catalogue_model.rows, self.intervention.id, None, self, today=self.today
        )
        self._open(dialog)
        return dialog

    def edit_group(self) -> GroupDialog | None:
        if self.group is None:
            return None
        dialog = GroupDialog(
            self.ctx, self.catalogue_model.rows, None, self.group, self, today=self.today
        )
        self._open(dialog)
        return dialog

    def enrol_pupil(self) -> EnrolDialog | None:
        if self.group is None or self.intervention is None:
            return None
        dialog = EnrolDialog(self.ctx, self.group, self.intervention, self, today=self.today)
        self._open(dialog)
        return dialog

    def record_entry(self) -> MeasureDialog | None:
        if self.enrolment is None:
            return None
        dialog = MeasureDialog(
            self.ctx, self.enrolment, self, exit_measure=False, entry=True, today=self.today
        )
        self._open(dialog)
        return dialog

    def record_exit(self) -> MeasureDialog | None:
        if self.enrolment is None:
            return None
        dialog = MeasureDialog(self.ctx, self.enrolment, self, exit_measure=True, today=self.today)
        self._open(dialog)
        return dialog

    def add_measure(self) -> MeasureDialog | None:
        if self.enrolment is None:
            return None
        dialog = MeasureDialog(self.ctx, self.enrolment, self, exit_measure=False, today=self.today)
        self._open(dialog)
        return dialog
