"""The attendance table of one session: a row per pupil, present or not, with a reason
when not, minutes and a note; edited in place with the keyboard (delegates for the reason
and the minutes). Used by the My groups page (:mod:`sendesk.ui.graduated.session_logging`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from sendesk.services.graduated.intervention_records import (
    MAX_MINUTES,
    NOTE_MAX,
    AttendanceEntry,
    GroupToday,
)

AnyIndex = QModelIndex | QPersistentModelIndex


# --- the attendance table -----------------------------------------------------------------------


class Col(IntEnum):
    """The attendance table's columns, in display order."""

    PUPIL = 0
    ATTENDED = 1
    MINUTES = 2
    MISSED_REASON = 3
    NOTE = 4


HEADERS = {
    Col.PUPIL: "Pupil",
    Col.ATTENDED: "Attended",
    Col.MINUTES: "Minutes",
    Col.MISSED_REASON: "Missed reason",
    Col.NOTE: "Note",
}

REASON_NEEDED = "Choose a reason"


@dataclass
class Line:
    """One pupil's line while it is being edited."""

    enrolment_id: int
    pupil_id: int
    name: str
    year_group: int | None
    attended: bool = False
    minutes: int = 0
    missed_reason: str | None = None
    note: str = ""


def _checked(value: Any) -> bool:
    """A check state as Qt hands it over (an enum, its int value, or a bool)."""
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    if isinstance(value, bool):
        return value
    try:
        return int(value) == Qt.CheckState.Checked.value
    except (TypeError, ValueError):
        return False


class AttendanceModel(QAbstractTableModel):
    """A group's pupils for one session: attended, minutes, missed reason and a note.

    Ticking a pupil sets their minutes to the session's and clears the reason; unticking
    sets minutes to 0. Minutes are editable only for a pupil who attended, the reason only
    for one who did not. ``edited`` fires on every change made through :meth:`setData`.
    """

    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Line] = []
        self.session_minutes = 30
        self.show_missing = False  # mark empty reasons once a save has been tried

    # --- data in and out -------------------------------------------------------------------

    def load(self, group: GroupToday, session_minutes: int | None = None) -> None:
        """The group's pupils, from the saved log if there is one, else nobody ticked yet."""
        self.beginResetModel()
        logged = group.logged
        if session_minutes is None:
            session_minutes = (
                logged.minutes if logged and logged.delivered else group.minutes_per_session
            )
        self.session_minutes = session_minutes
        self.show_missing = False
        self.lines = []
        for pupil in group.pupils:
            line = Line(pupil.enrolment_id, pupil.pupil_id, pupil.name, pupil.year_group)
            entry = logged.entry_for(pupil.enrolment_id) if logged else None
            if entry is not None:
                line.attended = entry.attended
                line.minutes = entry.minutes or 0
                line.missed_reason = entry.missed_reason
                line.note = entry.note
            self.lines.append(line)
        self.endResetModel()

    def entries(self) -> list[AttendanceEntry]:
        """The lines as the service takes them."""
        return [
            AttendanceEntry(
                line.enrolment_id,
                line.attended,
                line.minutes if line.attended else 0,
                None if line.attended else line.missed_reason,
                line.note.strip(),
            )
            for line in self.lines
        ]

    def missing_reasons(self) -> list[int]:
        """Rows of pupils not ticked and with no reason yet."""
        return [
            row
            for row, line in enumerate(self.lines)
            if not line.attended and not (line.missed_reason or "").strip()
        ]

    def attended_count(self) -> int:
        return sum(1 for line in self.lines if line.attended)

    def set_session_minutes(self, minutes: int) -> None:
        """A new session length: pupils who had the whole session get the new length, and
        nobody keeps more minutes than the session had."""
        old, self.session_minutes = self.session_minutes, minutes
        for line in self.lines:
            if line.attended and (line.minutes == old or line.minutes > minutes):
                line.minutes = minutes
        self._row_changed(0, len(self.lines) - 1)

    def set_attended(self, row: int, attended: bool) -> None:
        line = self.lines[row]
        if line.attended == attended:
            return
        line.attended = attended
        if attended:
            line.minutes = self.session_minutes
            line.missed_reason = None
        else:
            line.minutes = 0
        self._row_changed(row, row)
        self.edited.emit()

    def toggle(self, row: int) -> None:
        if 0 <= row < len(self.lines):
            self.set_attended(row, not self.lines[row].attended)

    def mark_all_present(self) -> None:
        for row in range(len(self.lines)):
            self.set_attended(row, True)

    def set_show_missing(self, show: bool) -> None:
        self.show_missing = show
        self._row_changed(0, len(self.lines) - 1)

    def _row_changed(self, first: int, last: int) -> None:
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Col) - 1))

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Col(section)]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        line = self.lines[index.row()]
        match index.column():
            case Col.ATTENDED:
                return base | Qt.ItemFlag.ItemIsUserCheckable
            case Col.MINUTES if line.attended:
                return base | Qt.ItemFlag.ItemIsEditable
            case Col.MISSED_REASON if not line.attended:
                return base | Qt.ItemFlag.ItemIsEditable
            case Col.NOTE:
                return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == Col.ATTENDED:
            return Qt.CheckState.Checked if line.attended else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, column)
        if role == Qt.ItemDataRole.EditRole:
            match column:
                case Col.MINUTES:
                    return line.minutes
                case Col.MISSED_REASON:
                    return line.missed_reason or ""
                case Col.NOTE:
                    return line.note
            return self._display(line, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == Col.ATTENDED:
                return f"{line.name}: {'attended' if line.attended else 'did not attend'}"
            return self._display(line, column) or "blank"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Col.ATTENDED:
                return "Space ticks or unticks the pupil, from any cell of the row"
            if column == Col.MISSED_REASON and not line.attended:
                return "Why the pupil missed the session (needed to save)"
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == Col.MISSED_REASON
            and self._reason_needed(line)
        ):
            return QPalette().brush(QPalette.ColorRole.Link)
        return None

    def _reason_needed(self, line: Line) -> bool:
        return self.show_missing and not line.attended and not (line.missed_reason or "").strip()

    def _display(self, line: Line, column: int) -> str:
        match column:
            case Col.PUPIL:
                return line.name
            case Col.ATTENDED:
                return ""
            case Col.MINUTES:
                return str(line.minutes) if line.attended else "—"
            case Col.MISSED_REASON:
                if line.attended:
                    return ""
                if line.missed_reason:
                    return line.missed_reason
                return f"⚠ {REASON_NEEDED}" if self.show_missing else ""
            case Col.NOTE:
                return line.note
        return ""

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return False
        row, column = index.row(), index.column()
        line = self.lines[row]
        if column == Col.ATTENDED and role == Qt.ItemDataRole.CheckStateRole:
            self.set_attended(row, _checked(value))
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        if column == Col.MINUTES and line.attended:
            try:
                minutes = int(value)
            except (TypeError, ValueError):
                return False
            if not 0 < minutes <= self.session_minutes:
                return False
            line.minutes = minutes
        elif column == Col.MISSED_REASON and not line.attended:
            line.missed_reason = str(value or "").strip() or None
        elif column == Col.NOTE:
            line.note = str(value or "")[:NOTE_MAX]
        else:
            return False
        self._row_changed(row, row)
        self.edited.emit()
        return True


class ReasonDelegate(QStyledItemDelegate):
    """The missed-reason cell edits with a list of the usual reasons."""

    def __init__(self, reasons: tuple[str, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reasons = reasons

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Missed reason")
        combo.addItems(list(self.reasons))
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            current = str(index.data(Qt.ItemDataRole.EditRole) or "")
            found = editor.findText(current)
            editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class MinutesDelegate(QStyledItemDelegate):
    """Minutes edit in a spin box limited to the session's length."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        spin = QSpinBox(parent)
        spin.setAccessibleName("Minutes attended")
        model = index.model()
        limit = model.session_minutes if isinstance(model, AttendanceModel) else MAX_MINUTES
        spin.setRange(1, max(limit, 1))
        return spin

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QSpinBox):
            editor.setValue(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class AttendanceTable(QTableView):
    """The attendance view: Space toggles "attended" from any cell of the current row."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if (
            event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self.state() != QAbstractItemView.State.EditingState
            and isinstance(model, AttendanceModel)
            and self.currentIndex().isValid()
        ):
            model.toggle(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)

    def commit_open_editor(self) -> None:
        """Write the cell being edited (if any) into the model and close its editor."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
