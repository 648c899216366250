"""My groups: the learning-support screen for logging intervention sessions, built for speed.

Why it is built this way: a teaching assistant logs a group between two lessons. So the
page opens on today's groups, the pupils of the chosen group are one table in which the
keyboard does everything — arrows move, Space ticks "attended" on any cell of the row, Tab
moves cell to cell, typing on a cell starts editing it — and one Save (Ctrl+S) writes the
whole group in one transaction (:func:`sendesk.services.graduated.sessions.log_session`). A
pupil not ticked needs a missed reason; the cell says so rather than a dialog per pupil. A
session that did not happen is one toggle and a reason. "Log a whole term…" fills every
scheduled day of a range at once, with the few exceptions listed.

The table is a :class:`QAbstractTableModel` (:class:`AttendanceModel`) with its own tests;
the page never opens a Session, only calls the service.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.services.graduated.intervention_records import (
    MAX_MINUTES,
    MISSED_REASONS,
    NOT_DELIVERED_REASONS,
    NOTE_MAX,
    SCHOOL_CLOSED,
    AttendanceEntry,
    GroupToday,
    TermException,
    TermLog,
)
from sendesk.services.graduated.sessions import log_session, log_term, my_groups, term_preview
from sendesk.ui.context import AppContext

AnyIndex = QModelIndex | QPersistentModelIndex
GROUP_ID_ROLE = Qt.ItemDataRole.UserRole


LOGGED_MARK = "✓ "
"""Starts the line of a group already logged on the day shown, where the eye starts."""


class GroupsList(QListWidget):
    """The day's groups, wide enough for their names: they wrap rather than being cut off
    when the page is narrow, and the splitter starts the list at the width of its longest
    line (up to about 48 characters) instead of Qt's fixed 256 pixels, which cut off
    "— logged" at the end of a long group name."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # re-wrap when the pane resizes
        self.setSpacing(2)  # a wrapped name still reads as one group

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        texts = [self.item(row).text() for row in range(self.count())]
        if not texts:
            return hint
        widest = max(metrics.horizontalAdvance(line) for t in texts for line in t.splitlines())
        chrome = (
            2 * self.frameWidth()
            + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            + 4 * metrics.averageCharWidth()  # the item's margins and focus frame
        )
        width = min(widest + chrome, 48 * metrics.averageCharWidth() + chrome)
        return QSize(max(hint.width(), width), hint.height())


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def day_text(value: date) -> str:
    """ "Monday 03/03/2025"."""
    return value.strftime("%A %d/%m/%Y")


def _date_edit(name: str, value: date, *, maximum: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit


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


# --- the page -------------------------------------------------------------------------------------


class MyGroupsPage(QWidget):
    """The actor's groups meeting on a date (today by default) and the session log for one.

    ``changed`` is emitted after a session (or a term) is saved.
    """

    changed = Signal()

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.groups: list[GroupToday] = []
        self.group: GroupToday | None = None
        self.dirty = False
        self.model = AttendanceModel(self)
        self._build()
        self._connect()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.date_edit = _date_edit("Day of the sessions", self.today, maximum=self.today)
        self.prev_button = QPushButton("&Previous day")
        self.next_button = QPushButton("Ne&xt day")
        self.today_button = QPushButton("T&oday")

        self.groups_list = GroupsList()
        self.groups_list.setAccessibleName("Groups meeting on this day")
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)

        self.group_title = QLabel()
        self.group_title.setAccessibleName("Group")
        title_font = self.group_title.font()
        title_font.setBold(True)
        self.group_title.setFont(title_font)
        self.logged_label = QLabel()
        self.logged_label.setWordWrap(True)

        self.delivered_check = QCheckBox("Session &delivered")
        self.delivered_check.setChecked(True)
        self.reason_combo = QComboBox()
        self.reason_combo.setAccessibleName("Why the session was not delivered")
        self.reason_combo.addItem("Choose a reason…", None)
        for reason in NOT_DELIVERED_REASONS:
            self.reason_combo.addItem(reason, reason)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setAccessibleName("Minutes the session lasted")
        self.minutes_spin.setRange(1, MAX_MINUTES)
        self.minutes_spin.setSuffix(" min")

        self.table = AttendanceTable()
        self.table.setAccessibleName("Pupils in the group")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Col.MISSED_REASON, ReasonDelegate(MISSED_REASONS, self))
        self.table.setItemDelegateForColumn(Col.MINUTES, MinutesDelegate(self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setTabKeyNavigation(True)  # Tab moves cell to cell; Ctrl+Tab leaves
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.all_present_button = QPushButton("Mark &all present")
        self.save_button = QPushButton("&Save session")
        self.save_button.setToolTip("Save the whole group's log (Ctrl+S)")
        self.term_button = QPushButton("Log a whole &term…")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setAccessibleName("Result of the last save")
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        day_row = QHBoxLayout()
        day_label = QLabel("D&ay:")
        day_label.setBuddy(self.date_edit)
        for widget in (day_label, self.date_edit, self.prev_button, self.next_button):
            day_row.addWidget(widget)
        day_row.addWidget(self.today_button)
        day_row.addStretch(1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        groups_label = QLabel("&Groups:")
        groups_label.setBuddy(self.groups_list)
        left_layout.addWidget(groups_label)
        left_layout.addWidget(self.groups_list, 1)
        left_layout.addWidget(self.empty_label)

        session_row = QHBoxLayout()
        session_row.addWidget(self.delivered_check)
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason_combo)
        session_row.addWidget(reason_label)
        session_row.addWidget(self.reason_combo)
        minutes_label = QLabel("&Minutes:")
        minutes_label.setBuddy(self.minutes_spin)
        session_row.addWidget(minutes_label)
        session_row.addWidget(self.minutes_spin)
        session_row.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.all_present_button)
        buttons.addStretch(1)
        buttons.addWidget(self.term_button)
        buttons.addWidget(self.save_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.group_title)
        right_layout.addWidget(self.logged_label)
        right_layout.addLayout(session_row)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.message_label)
        right_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(day_row)
        layout.addWidget(splitter, 1)

        order = (
            self.date_edit,
            self.prev_button,
            self.next_button,
            self.today_button,
            self.groups_list,
            self.delivered_check,
            self.reason_combo,
            self.minutes_spin,
            self.table,
            self.all_present_button,
            self.term_button,
            self.save_button,
        )
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.date_edit.dateChanged.connect(self._date_changed)
        self.prev_button.clicked.connect(lambda: self._step_day(-1))
        self.next_button.clicked.connect(lambda: self._step_day(1))
        self.today_button.clicked.connect(lambda: self.set_date(self.today))
        self.groups_list.currentItemChanged.connect(self._group_chosen)
        self.delivered_check.toggled.connect(self._delivered_toggled)
        self.reason_combo.currentIndexChanged.connect(self._mark_dirty)
        self.minutes_spin.valueChanged.connect(self._minutes_changed)
        self.model.edited.connect(self._mark_dirty)
        self.all_present_button.clicked.connect(self.model.mark_all_present)
        self.save_button.clicked.connect(self.save)
        self.save_shortcut.activated.connect(self.save)
        self.term_button.clicked.connect(self.open_term_dialog)

    # --- public API -------------------------------------------------------------------------

    @property
    def on(self) -> date:
        return from_qdate(self.date_edit.date())

    def set_date(self, on: date) -> None:
        self.date_edit.setDate(to_qdate(on))

    def reload(self, *, keep_group: int | None = None) -> None:
        """Read the day's groups again; show ``keep_group`` — by default the group shown
        now — if it is still there, else the first.

        Why the default: the main window reloads every page after a save, and a page that
        then went back to its first group sent the assistant who had just logged the third
        group of the day back to the top of the list.
        """
        if keep_group is None and self.group is not None:
            keep_group = self.group.group_id
        try:
            self.groups = my_groups(self.ctx.db, self.ctx.actor, self.on)
        except SendeskError as exc:
            self.groups = []
            self.empty_label.setText(str(exc))
        else:
            self.empty_label.setText(
                "" if self.groups else f"No groups of yours meet on {day_text(self.on)}."
            )
        self.groups_list.blockSignals(True)
        try:
            self.groups_list.clear()
            for group in self.groups:
                item = QListWidgetItem(self._group_text(group))
                item.setData(GROUP_ID_ROLE, group.group_id)
                item.setToolTip(self._group_tip(group))
                self.groups_list.addItem(item)
            ids = [g.group_id for g in self.groups]
            row = ids.index(keep_group) if keep_group in ids else (0 if ids else -1)
            self.groups_list.setCurrentRow(row)
        finally:
            self.groups_list.blockSignals(False)
        self.groups_list.updateGeometry()  # a longer name may want a wider list
        self._show_group(self.groups[row] if row >= 0 else None)

    def select_group(self, group_id: int) -> None:
        for row in range(self.groups_list.count()):
            item = self.groups_list.item(row)
            if item.data(GROUP_ID_ROLE) == group_id:
                self.groups_list.setCurrentRow(row)
                return

    def save(self) -> bool:
        """Write the shown group's session (one transaction); True when saved."""
        group = self.group
        if group is None:
            return False
        self.table.commit_open_editor()  # Ctrl+S mid-edit saves what is on screen
        delivered = self.delivered_check.isChecked()
        self.model.set_show_missing(True)
        reason = self.reason_combo.currentData()
        try:
            log_session(
                self.ctx.db,
                self.ctx.actor,
                group.group_id,
                self.on,
                delivered,
                None if delivered else reason,
                self.minutes_spin.value() if delivered else 0,
                self.model.entries() if delivered else [],
            )
        except SendeskError as exc:
            self.message_label.setText(str(exc))
            missing = self.model.missing_reasons() if delivered else []
            if missing:
                self.table.setCurrentIndex(self.model.index(missing[0], Col.MISSED_REASON))
                self.table.setFocus()
            QMessageBox.warning(self, "Session not saved", str(exc))
            return False
        if delivered:
            summary = f"{self.model.attended_count()} of {self.model.rowCount()} attended"
        else:
            summary = f"not delivered ({reason})"
        self.dirty = False
        self.reload(keep_group=group.group_id)
        self.message_label.setText(f"Saved {group.name} on {day_text(self.on)}: {summary}.")
        self.changed.emit()
        return True

    def open_term_dialog(self) -> LogTermDialog | None:
        """Open the "log a whole term" dialog for the shown group (returned, for tests)."""
        if self.group is None:
            return None
        dialog = LogTermDialog(self.ctx, self.group, self, today=self.today)
        dialog.accepted.connect(self._term_logged)
        dialog.open()
        return dialog

    # --- slots --------------------------------------------------------------------------------

    def _date_changed(self) -> None:
        if not self._may_leave():
            return
        self.reload(keep_group=self.group.group_id if self.group else None)

    def _step_day(self, days: int) -> None:
        self.set_date(min(self.on + timedelta(days=days), self.today))

    def _group_chosen(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            self._show_group(None)
            return
        if not self._may_leave():
            self.groups_list.blockSignals(True)
            self.groups_list.setCurrentItem(previous)
            self.groups_list.blockSignals(False)
            return
        group_id = current.data(GROUP_ID_ROLE)
        self._show_group(next((g for g in self.groups if g.group_id == group_id), None))

    def _delivered_toggled(self, delivered: bool) -> None:
        self.reason_combo.setEnabled(not delivered)
        self.minutes_spin.setEnabled(delivered)
        self.table.setEnabled(delivered)
        self.all_present_button.setEnabled(delivered)
        self._mark_dirty()

    def _minutes_changed(self, minutes: int) -> None:
        self.model.set_session_minutes(minutes)
        self._mark_dirty()

    def _mark_dirty(self) -> None:
        self.dirty = self.group is not None

    def _term_logged(self) -> None:
        self.reload(keep_group=self.group.group_id if self.group else None)
        self.changed.emit()

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _group_text(group: GroupToday) -> str:
        """The list's line: a tick at the start of a group already logged that day (a
        screen reader reads "logged" at the end too), the name in full, the pupils."""
        pupils = f"{len(group.pupils)} pupil{'s' if len(group.pupils) != 1 else ''}"
        if group.logged:
            return f"{LOGGED_MARK}{group.title} ({pupils}) — logged"
        return f"{group.title} ({pupils})"

    @staticmethod
    def _group_tip(group: GroupToday) -> str:
        if group.logged is None:
            return f"{group.title}: not logged on {day_text(group.on)} yet."
        who = group.logged.logged_by or "someone"
        return f"{group.title}: logged on {day_text(group.on)} by {who}."

    def _show_group(self, group: GroupToday | None) -> None:
        self.group = group
        widgets = (
            self.delivered_check,
            self.minutes_spin,
            self.table,
            self.all_present_button,
            self.save_button,
            self.term_button,
        )
        for widget in widgets:
            widget.setEnabled(group is not None)
        self.save_shortcut.setEnabled(group is not None)
        if group is None:
            self.group_title.setText("")
            self.logged_label.setText("")
            self.model.load(_no_group())
            self.reason_combo.setEnabled(False)
            self.dirty = False
            return
        logged = group.logged
        self.group_title.setText(f"{group.title} — {day_text(group.on)}")
        if logged is None:
            self.logged_label.setText(
                "Not logged yet: tick who attended, give a reason for anyone who missed it, "
                "then Save (Ctrl+S)."
            )
        else:
            who = logged.logged_by or "someone"
            self.logged_label.setText(f"Logged by {who}. Saving again replaces that log.")
        for widget in (self.delivered_check, self.minutes_spin, self.reason_combo):
            widget.blockSignals(True)
        try:
            delivered = logged.delivered if logged else True
            self.delivered_check.setChecked(delivered)
            minutes = logged.minutes if logged and logged.delivered else group.minutes_per_session
            self.minutes_spin.setValue(minutes)
            reason = logged.not_delivered_reason if logged else None
            index = self.reason_combo.findData(reason) if reason else 0
            if reason and index < 0:
                self.reason_combo.addItem(reason, reason)
                index = self.reason_combo.count() - 1
            self.reason_combo.setCurrentIndex(index)
        finally:
            for widget in (self.delivered_check, self.minutes_spin, self.reason_combo):
                widget.blockSignals(False)
        self.model.load(group, minutes)
        self.reason_combo.setEnabled(not delivered)
        self.minutes_spin.setEnabled(delivered)
        self.table.setEnabled(delivered)
        self.all_present_button.setEnabled(delivered)
        self.dirty = False
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, Col.ATTENDED))

    def _may_leave(self) -> bool:
        """True when nothing is unsaved, or the user agrees to drop it."""
        if not self.dirty or self.group is None:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved session",
            f"The log for {self.group.name} is not saved. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self.dirty = False
            return True
        if self.group is not None:
            self.date_edit.blockSignals(True)
            self.date_edit.setDate(to_qdate(self.group.on))
            self.date_edit.blockSignals(False)
        return False


def _no_group() -> GroupToday:
    """A group with no pupils (to empty the table when no group is chosen)."""
    return GroupToday(0, "", 0, "", None, None, (), 0, date.min, ())


# --- a whole term --------------------------------------------------------------------------------

WHOLE_GROUP = "Whole group (not delivered)"


class LogTermDialog(QDialog):
    """Log every scheduled day of a date range at once, with the exceptions listed.

    Each exception is a date, who it is about (the whole group — the session did not
    happen — or one pupil who missed it) and the reason. OK calls
    :func:`sendesk.services.graduated.sessions.log_term`; days already logged are skipped.
    """

    def __init__(
        self,
        ctx: AppContext,
        group: GroupToday,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group = group
        self.today = today or date.today()
        self.result_log: TermLog | None = None
        self.setWindowTitle(f"Log a whole term — {group.name} — SENDesk")

        last = min(self.today, group.end_date) if group.end_date else self.today
        first = group.start_date or (last - timedelta(weeks=12))
        first = max(first, last - timedelta(weeks=15))
        self.start_edit = _date_edit("First day", first, maximum=self.today)
        self.end_edit = _date_edit("Last day", last, maximum=self.today)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setAccessibleName("Minutes each session lasted")
        self.minutes_spin.setRange(1, MAX_MINUTES)
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setValue(group.minutes_per_session or 30)

        self.exceptions = QTableWidget(0, 3)
        self.exceptions.setAccessibleName("Exceptions: days not delivered, pupils who missed one")
        self.exceptions.setHorizontalHeaderLabels(["Date", "Who", "Reason"])
        self.exceptions.horizontalHeader().setStretchLastSection(True)
        self.exceptions.verticalHeader().hide()
        self.add_button = QPushButton("&Add exception")
        self.remove_button = QPushButton("&Remove exception")
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setAccessibleName("What will be logged")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert isinstance(ok, QPushButton)
        self.ok_button = ok
        self.ok_button.setText("&Log sessions")

        intro = QLabel(
            f"Every {self._days_text()} in the range becomes a session of the minutes below "
            "with every pupil present, except the days and pupils you list. Days already "
            "logged are left as they are."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        for text, widget in (
            ("&From:", self.start_edit),
            ("&To:", self.end_edit),
            ("&Minutes per session:", self.minutes_spin),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        exception_buttons = QHBoxLayout()
        exception_buttons.addWidget(self.add_button)
        exception_buttons.addWidget(self.remove_button)
        exception_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        exceptions_label = QLabel("&Exceptions:")
        exceptions_label.setBuddy(self.exceptions)
        layout.addWidget(exceptions_label)
        layout.addWidget(self.exceptions, 1)
        layout.addLayout(exception_buttons)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.buttons)

        self.start_edit.dateChanged.connect(self.update_preview)
        self.end_edit.dateChanged.connect(self.update_preview)
        self.add_button.clicked.connect(lambda: self.add_exception())
        self.remove_button.clicked.connect(self._remove_current)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.update_preview()

    def _days_text(self) -> str:
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        days = [names[d] for d in self.group.weekdays]
        if len(days) <= 1:
            return "".join(days) or "day the group meets"
        return ", ".join(days[:-1]) + " and " + days[-1]

    # --- exceptions ---------------------------------------------------------------------------

    def add_exception(
        self, on: date | None = None, enrolment_id: int | None = None, reason: str | None = None
    ) -> int:
        """Add an exception row (filled in when arguments are given); returns its row."""
        row = self.exceptions.rowCount()
        self.exceptions.insertRow(row)
        day = _date_edit("Date of the exception", on or from_qdate(self.end_edit.date()))
        who = QComboBox()
        who.setAccessibleName("Who the exception is about")
        who.addItem(WHOLE_GROUP, None)
        for pupil in self.group.pupils:
            who.addItem(pupil.name, pupil.enrolment_id)
        if enrolment_id is not None:
            who.setCurrentIndex(max(who.findData(enrolment_id), 0))
        why = QComboBox()
        why.setAccessibleName("Reason")
        why.setEditable(True)
        self._fill_reasons(why, who.currentData() is None)
        who.currentIndexChanged.connect(lambda: self._fill_reasons(why, who.currentData() is None))
        if reason:
            why.setCurrentText(reason)
        self.exceptions.setCellWidget(row, 0, day)
        self.exceptions.setCellWidget(row, 1, who)
        self.exceptions.setCellWidget(row, 2, why)
        self.exceptions.setCurrentCell(row, 0)
        return row

    @staticmethod
    def _fill_reasons(combo: QComboBox, whole_group: bool) -> None:
        text = combo.currentText()
        combo.clear()
        combo.addItems(list(NOT_DELIVERED_REASONS if whole_group else MISSED_REASONS))
        combo.setCurrentText(text or (SCHOOL_CLOSED if whole_group else MISSED_REASONS[0]))

    def _remove_current(self) -> None:
        row = self.exceptions.currentRow()
        if row >= 0:
            self.exceptions.removeRow(row)

    def term_exceptions(self) -> list[TermException]:
        out: list[TermException] = []
        for row in range(self.exceptions.rowCount()):
            day, who, why = (self.exceptions.cellWidget(row, c) for c in range(3))
            if (
                isinstance(day, QDateEdit)
                and isinstance(who, QComboBox)
                and isinstance(why, QComboBox)
            ):
                out.append(
                    TermException(from_qdate(day.date()), why.currentText(), who.currentData())
                )
        return out

    # --- preview and OK --------------------------------------------------------------------------

    def update_preview(self) -> None:
        start, end = from_qdate(self.start_edit.date()), from_qdate(self.end_edit.date())
        if end < start:
            self.preview_label.setText("The last day is before the first.")
            self.ok_button.setEnabled(False)
            return
        try:
            preview = term_preview(self.ctx.db, self.ctx.actor, self.group.group_id, start, end)
        except SendeskError as exc:
            self.preview_label.setText(str(exc))
            self.ok_button.setEnabled(False)
            return
        n, done = len(preview.to_log), len(preview.already_logged)
        text = f"{n} session{'s' if n != 1 else ''} will be logged"
        if done:
            text += (
                f"; {done} day{'s' if done != 1 else ''} already logged will be left as they are"
            )
        self.preview_label.setText(text + ".")
        self.ok_button.setEnabled(n > 0)

    def accept(self) -> None:
        try:
            self.result_log = log_term(
                self.ctx.db,
                self.ctx.actor,
                self.group.group_id,
                from_qdate(self.start_edit.date()),
                from_qdate(self.end_edit.date()),
                self.minutes_spin.value(),
                self.term_exceptions(),
            )
        except SendeskError as exc:
            QMessageBox.warning(self, "Sessions not logged", str(exc))
            return
        super().accept()
