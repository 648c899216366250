"""The "Progress" tab of the pupil window: attendance per term and attainment over time.

Why it is built this way: an EHC needs assessment request asks for attendance over the
last year and for attainment "now, 6 months ago and 12 months ago" against what was
expected. The tab shows the termly attendance (with each term's percentage and the last
twelve months' total), the "now / 6 months ago / 12 months ago" table exactly as
:func:`sendesk.services.graduated.progress_data.attainment_over_time` chooses it (a gap says "No
record", never a guess), and every attainment snapshot behind it. Only the SENCo gets
the Add and Remove buttons; the services check the role again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.services.graduated.progress_data import (
    MEASURE_MAX,
    SESSIONS_MAX,
    SUBJECT_MAX,
    TERM_MAX,
    VALUE_MAX,
    AttainmentData,
    AttainmentItem,
    AttainmentPoint,
    AttainmentTrend,
    AttendanceItem,
    add_attainment,
    add_attendance,
    attainment_over_time,
    attendance_last_year,
    list_attainment,
    list_attendance,
    percentage,
    remove_attainment,
    remove_attendance,
    term_name,
)
from sendesk.ui.context import AppContext
from sendesk.ui.register.status_dialog import from_qdate, to_qdate
from sendesk.ui.tables import action_button, button_row
from sendesk.ui.tables import read_only_item as _item
from sendesk.ui.tables import read_only_table as _table

APP = "SENDesk"
ATTENDANCE_HEADERS = ("Term", "Started", "Possible sessions", "Attended", "Attendance")
TREND_HEADERS = ("Subject", "Measure", "Now", "6 months ago", "12 months ago")
SNAPSHOT_HEADERS = ("Subject", "Measure", "Date", "Value", "Expected")
NO_RECORD = "No record"


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def percent_text(value: float) -> str:
    """ "93.5%" (one decimal place, as the DfE reports attendance)."""
    return f"{value:.1f}%"


def point_text(point: AttainmentPoint | None) -> str:
    """ "4- (expected 5)" over "on 12/01/2026" (two lines); "No record" for a gap."""
    if point is None:
        return NO_RECORD
    expected = f" (expected {point.expected})" if point.expected else ""
    return f"{point.value}{expected}\non {_dmy(point.taken_on)}"


def current_term(today: date) -> str:
    """The term ``today`` falls in, named as :func:`term_name` names it (a suggestion)."""
    if today.month >= 9:
        return term_name(today.year, "autumn")
    season = "spring" if today.month <= 3 else "summer"
    return term_name(today.year - 1, season)


def _fill(table: QTableWidget, rows: list[list[QTableWidgetItem]], keep: int | None) -> None:
    table.blockSignals(True)
    table.clearSelection()
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    if rows:
        table.selectRow(keep if keep is not None and keep < len(rows) else 0)
    table.blockSignals(False)


def _selected_row(table: QTableWidget, count: int) -> int | None:
    rows = table.selectionModel().selectedRows()
    if not rows or rows[0].row() >= count:
        return None
    return rows[0].row()


def _date_edit(name: str, value: date, maximum: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit


def _line(name: str, limit: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(limit)
    edit.setPlaceholderText(placeholder)
    return edit


def _row(form: QFormLayout, text: str, field: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, field)


def _ok_cancel(dialog: QDialog, layout: QVBoxLayout) -> None:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)


class AttendanceDialog(QDialog):
    """One term's attendance; a term already recorded has its figures replaced."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None, *, today: date
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id, self.today = ctx, pupil_id, today
        self.record_id: int | None = None
        self.setWindowTitle(f"Add a term's attendance — {APP}")
        layout = QVBoxLayout(self)
        note = QLabel(
            "Copy the figures from the MIS. Entering a term already recorded replaces its figures."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        layout.addLayout(form)
        self.term = _line("Term", TERM_MAX, "e.g. 2025-26 autumn")
        self.term.setText(current_term(today))
        _row(form, "&Term:", self.term)
        self.start = _date_edit("Term start date", today, today)
        _row(form, "&Started on:", self.start)
        self.possible = QSpinBox()
        self.possible.setRange(1, SESSIONS_MAX)
        self.possible.setValue(1)
        self.possible.setAccessibleName("Possible sessions")
        _row(form, "&Possible sessions:", self.possible)
        self.attended = QSpinBox()
        self.attended.setRange(0, SESSIONS_MAX)
        self.attended.setAccessibleName("Attended sessions")
        _row(form, "&Attended sessions:", self.attended)
        self.percentage_label = QLabel()
        self.percentage_label.setAccessibleName("Attendance percentage")
        form.addRow("Attendance:", self.percentage_label)
        self.possible.valueChanged.connect(self._update)
        self.attended.valueChanged.connect(self._update)
        _ok_cancel(self, layout)
        self._update()

    def _update(self) -> None:
        possible, attended = self.possible.value(), self.attended.value()
        if attended > possible:
            self.percentage_label.setText("More sessions attended than possible.")
        else:
            self.percentage_label.setText(percent_text(percentage(attended, possible)))

    def accept(self) -> None:
        try:
            self.record_id = add_attendance(
                self.ctx.db,
                self.ctx.actor,
                self.pupil_id,
                self.term.text(),
                from_qdate(self.start.date()),
                self.possible.value(),
                self.attended.value(),
            )
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
            return
        super().accept()


class AttainmentDialog(QDialog):
    """One attainment snapshot: subject, measure, value, expected value and date."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None, *, today: date
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id, self.today = ctx, pupil_id, today
        self.snapshot_id: int | None = None
        self.setWindowTitle(f"Add an attainment snapshot — {APP}")
        layout = QVBoxLayout(self)
        note = QLabel('Write values as the school records them ("4-", "Working towards", "102").')
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        layout.addLayout(form)
        self.subject = _line("Subject", SUBJECT_MAX, "e.g. Reading")
        _row(form, "&Subject:", self.subject)
        self.measure = _line("Measure", MEASURE_MAX, "e.g. Teacher assessment")
        _row(form, "&Measure:", self.measure)
        self.value = _line("Value", VALUE_MAX)
        _row(form, "&Value:", self.value)
        self.expected = _line("Expected value", VALUE_MAX, "What was expected by then")
        _row(form, "&Expected:", self.expected)
        self.taken_on = _date_edit("Date assessed", today, today)
        _row(form, "&Date assessed:", self.taken_on)
        _ok_cancel(self, layout)

    def data(self) -> AttainmentData:
        return AttainmentData(
            self.subject.text(),
            self.measure.text(),
            self.value.text(),
            self.expected.text(),
            from_qdate(self.taken_on.date()),
        )

    def accept(self) -> None:
        try:
            self.snapshot_id = add_attainment(
                self.ctx.db, self.ctx.actor, self.pupil_id, self.data(), today=self.today
            )
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
            return
        super().accept()


class ProgressTab(QWidget):
    """A pupil's attendance and attainment. Raises SendeskError when they may not be read."""

    changed = Signal()
    """Emitted after attendance or attainment is added or removed."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id = ctx, pupil_id
        self.today = today or date.today()
        self.editable = ctx.is_senco
        self.attendance: list[AttendanceItem] = []
        self.snapshots: list[AttainmentItem] = []
        self.trends: list[AttainmentTrend] = []

        layout = QVBoxLayout(self)

        # --- attendance ---------------------------------------------------------------
        attendance_box = QGroupBox("Attendance")
        box = QVBoxLayout(attendance_box)
        self.attendance_summary = QLabel()
        self.attendance_summary.setWordWrap(True)
        self.attendance_summary.setAccessibleName("Attendance over the last 12 months")
        box.addWidget(self.attendance_summary)
        self.attendance_table = _table(ATTENDANCE_HEADERS, "Attendance per term")
        self.attendance_table.horizontalHeader().setStretchLastSection(False)
        self.attendance_table.itemSelectionChanged.connect(self._update_buttons)
        box.addWidget(self.attendance_table, 1)
        self.add_term_button: QPushButton | None = None
        self.remove_term_button: QPushButton | None = None
        if self.editable:
            self.add_term_button = action_button(
                "Add &term…", "Add a term's attendance", self.add_term
            )
            self.remove_term_button = action_button(
                "Remove t&erm", "Remove the selected term's attendance", self.remove_term
            )
            button_row(box, self.add_term_button, self.remove_term_button)
        layout.addWidget(attendance_box, 1)

        # --- attainment ---------------------------------------------------------------
        attainment_box = QGroupBox("Attainment")
        box = QVBoxLayout(attainment_box)
        trend_intro = QLabel(
            "Now, 6 months ago and 12 months ago: the snapshot nearest each date (within "
            "about a term), with what was expected."
        )
        trend_intro.setWordWrap(True)
        box.addWidget(trend_intro)
        self.trend_table = _table(TREND_HEADERS, "Attainment now, 6 months ago and 12 months ago")
        box.addWidget(self.trend_table, 1)
        snapshots_label = QLabel("All snapshots:")
        box.addWidget(snapshots_label)
        self.snapshot_table = _table(SNAPSHOT_HEADERS, "Attainment snapshots")
        self.snapshot_table.itemSelectionChanged.connect(self._update_buttons)
        box.addWidget(self.snapshot_table, 1)
        self.attainment_empty_label = QLabel(
            "No attainment recorded."
            + (" Add a snapshot, or import the MIS export." if self.editable else "")
        )
        self.attainment_empty_label.setWordWrap(True)
        box.addWidget(self.attainment_empty_label)
        self.add_snapshot_button: QPushButton | None = None
        self.remove_snapshot_button: QPushButton | None = None
        if self.editable:
            self.add_snapshot_button = action_button(
                "Add &snapshot…", "Add an attainment snapshot", self.add_snapshot
            )
            self.remove_snapshot_button = action_button(
                "Remove s&napshot", "Remove the selected attainment snapshot", self.remove_snapshot
            )
            button_row(box, self.add_snapshot_button, self.remove_snapshot_button)
        layout.addWidget(attainment_box, 2)
        layout.addStretch(0)  # takes the spare height when both lists are empty

        self.reload()

    # --- showing --------------------------------------------------------------------------

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        keep_term = _selected_row(self.attendance_table, len(self.attendance))
        keep_snap = _selected_row(self.snapshot_table, len(self.snapshots))
        self.attendance = list_attendance(db, actor, self.pupil_id)
        summary = attendance_last_year(db, actor, self.pupil_id, self.today)
        self.snapshots = list_attainment(db, actor, self.pupil_id)
        self.trends = attainment_over_time(db, actor, self.pupil_id, self.today)

        _fill(
            self.attendance_table,
            [
                [
                    _item(t.term),
                    _item(_dmy(t.term_start)),
                    _item(str(t.possible_sessions), number=True),
                    _item(str(t.attended_sessions), number=True),
                    _item(percent_text(t.percentage), number=True),
                ]
                for t in self.attendance
            ],
            keep_term,
        )
        if summary.percentage is None:
            self.attendance_summary.setText(
                "No attendance recorded for terms that started in the last 12 months."
                + (" Add each term with Add term." if self.editable else "")
            )
        else:
            terms = len(summary.terms)
            self.attendance_summary.setText(
                f"Last 12 months: {percent_text(summary.percentage)} "
                f"({summary.attended_sessions} of {summary.possible_sessions} sessions, "
                f"{terms} term{'s' if terms != 1 else ''})."
            )
        self.attendance_table.setVisible(bool(self.attendance))

        _fill(
            self.trend_table,
            [
                [
                    _item(t.subject),
                    _item(t.measure),
                    _item(point_text(t.now)),
                    _item(point_text(t.six_months_ago)),
                    _item(point_text(t.twelve_months_ago)),
                ]
                for t in self.trends
            ],
            None,
        )
        _fill(
            self.snapshot_table,
            [
                [
                    _item(s.subject),
                    _item(s.measure),
                    _item(_dmy(s.taken_on)),
                    _item(s.value),
                    _item(s.expected),
                ]
                for s in self.snapshots
            ],
            keep_snap,
        )
        self.trend_table.setVisible(bool(self.trends))
        self.snapshot_table.setVisible(bool(self.snapshots))
        self.attainment_empty_label.setVisible(not self.snapshots)
        # A box whose lists are empty keeps only the height it needs.
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.setStretch(0, 1 if self.attendance else 0)
            layout.setStretch(1, 2 if self.snapshots else 0)
            layout.setStretch(2, 0 if self.attendance or self.snapshots else 1)
        self._update_buttons()

    def selected_term(self) -> AttendanceItem | None:
        row = _selected_row(self.attendance_table, len(self.attendance))
        return None if row is None else self.attendance[row]

    def selected_snapshot(self) -> AttainmentItem | None:
        row = _selected_row(self.snapshot_table, len(self.snapshots))
        return None if row is None else self.snapshots[row]

    def _update_buttons(self) -> None:
        if self.remove_term_button is not None:
            self.remove_term_button.setEnabled(self.selected_term() is not None)
        if self.remove_snapshot_button is not None:
            self.remove_snapshot_button.setEnabled(self.selected_snapshot() is not None)

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            APP,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _warn(self, exc: SendeskError) -> None:
        QMessageBox.warning(self, APP, str(exc))

    # --- actions --------------------------------------------------------------------------

    def add_term(self) -> None:
        if not self.editable:
            return
        dialog = AttendanceDialog(self.ctx, self.pupil_id, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload()
            ids = [t.id for t in self.attendance]
            if dialog.record_id in ids:
                self.attendance_table.selectRow(ids.index(dialog.record_id))

    def remove_term(self) -> None:
        term = self.selected_term()
        if term is None or not self.editable:
            return
        if not self._ask(f"Remove the attendance for {term.term}?"):
            return
        try:
            remove_attendance(self.ctx.db, self.ctx.actor, term.id)
        except SendeskError as exc:
            self._warn(exc)
        else:
            self.changed.emit()
        self.reload()

    def add_snapshot(self) -> None:
        if not self.editable:
            return
        dialog = AttainmentDialog(self.ctx, self.pupil_id, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload()
            ids = [s.id for s in self.snapshots]
            if dialog.snapshot_id in ids:
                self.snapshot_table.selectRow(ids.index(dialog.snapshot_id))

    def remove_snapshot(self) -> None:
        snap = self.selected_snapshot()
        if snap is None or not self.editable:
            return
        if not self._ask(
            f"Remove the {snap.subject} ({snap.measure}) snapshot of {_dmy(snap.taken_on)}?"
        ):
            return
        try:
            remove_attainment(self.ctx.db, self.ctx.actor, snap.id)
        except SendeskError as exc:
            self._warn(exc)
        else:
            self.changed.emit()
        self.reload()


__all__ = [
    "AttainmentDialog",
    "AttendanceDialog",
    "ProgressTab",
    "current_term",
    "percent_text",
    "point_text",
]
