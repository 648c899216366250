"""My classes: the teacher's screen for normal-way-of-working evidence, built for speed.

Why it is built this way: an arrangement is only allowed when it is how the candidate
works in lessons, tests and mocks, and only the subject teacher can say so — in the
busiest weeks of the year. So the page opens on the teacher's own classes and shows, for
the chosen class, only the pupils who have (or are proposed for) arrangements in that
subject: one row per pupil and arrangement, with the date of the last evidence. The
teacher selects rows (Ctrl+A for the whole class, Shift/Ctrl with the arrows or the mouse
for some), fills one strip — date (today), kind of task, the task, used or not, extra
minutes, a note — and presses Record (Ctrl+Enter): a whole mock paper is logged for the
class in seconds. Below, the entries already recorded for the current row can be checked
and one recorded by mistake taken back the same day (after that it is evidence an
inspector may ask for, so it stays). The selected rows go to
:func:`sendesk.services.access.nww.record_nww_many` as one batch: it checks every
entry first (a pupil the teacher does not teach in that subject, an arrangement withdrawn
meanwhile) and writes them all in one transaction or none, so a crash or a refusal never
leaves a mock half-logged. A refusal names rows, never pupils (it may reach a log); the
page puts back the names it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from sendesk.errors import SendeskError
from sendesk.roles import Role
from sendesk.rules import jcq
from sendesk.rules.dates import dmy
from sendesk.services.access.class_lists import my_class_lists
from sendesk.services.access.nww import RowsRefusedError, list_nww, record_nww_many, remove_nww
from sendesk.services.access.records import TASK_KINDS, ClassList, NwwData, NwwItem
from sendesk.ui.access.access_tab import NWW_COLUMNS
from sendesk.ui.access.access_words import status_text, task_text
from sendesk.ui.kit.buttons import APP, confirmed_change
from sendesk.ui.kit.dates import date_edit, from_qdate
from sendesk.ui.kit.forms import buddy_label, note, side_by_side, stacked, tab_order
from sendesk.ui.kit.page import Page
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view, selected_record
from sendesk.ui.ops import Op

TASK_MAX = 200
NOTE_MAX = 500
MAX_EXTRA_MINUTES = 300
NOTHING_YET = "None yet"
ENTRY_COLUMNS: tuple[ColumnSpec[NwwItem], ...] = tuple(
    column for column in NWW_COLUMNS if column.header != "Subject"
)
"""The pupil tab's evidence columns less the subject: the class list is of one subject."""


@dataclass(frozen=True)
class EvidenceLine:
    """One row of the class list: a pupil and one of their arrangements."""

    pupil_id: int
    pupil_name: str
    upn: str
    arrangement_id: int
    arrangement: str
    name: str
    status: str
    last_evidence: date | None

    @property
    def extra_time(self) -> bool:
        """Whether extra minutes mean anything for this arrangement."""
        found = jcq.ARRANGEMENTS.get(self.arrangement)
        return found is not None and found.extra_time_percent is not None


def lines_of(group: ClassList) -> list[EvidenceLine]:
    """A class list as rows: each pupil once per arrangement, pupils in the service's order."""
    return [
        EvidenceLine(
            row.pupil_id,
            row.pupil_name,
            row.upn,
            brief.id,
            brief.arrangement,
            brief.name,
            brief.status,
            row.last_evidence.get(brief.id),
        )
        for row in group.rows
        for brief in row.arrangements
    ]


COLUMNS: list[ColumnSpec[EvidenceLine]] = [
    ColumnSpec("Pupil", lambda ln: ln.pupil_name),
    ColumnSpec("Arrangement", lambda ln: ln.name),
    ColumnSpec("Status", lambda ln: status_text(ln.status)),
    ColumnSpec("Last used", lambda ln: dmy(ln.last_evidence, NOTHING_YET)),
]


def refusal_text(lines: Sequence[EvidenceLine], exc: SendeskError) -> str:
    """A refused batch in the page's words: each problem once, with the pupils of the rows
    it applies to ("Ben Baker: Word processor is withdrawn, …"), or alone when it applies
    to every row. Other errors are shown as they are."""
    if not isinstance(exc, RowsRefusedError) or not exc.problems:
        return str(exc)
    grouped: dict[str, list[int]] = {}
    for problem in exc.problems:
        grouped.setdefault(problem.text, []).append(problem.row)
    parts: list[str] = []
    for text, rows in grouped.items():
        if len(lines) > 1 and len(set(rows)) == len(lines):
            parts.append(text)
            continue
        names = dict.fromkeys(
            lines[r - 1].pupil_name if 0 < r <= len(lines) else f"row {r}" for r in rows
        )
        parts.append(f"{', '.join(names)}: {text}")
    said = "; ".join(parts)
    return f"{said[:1].upper()}{said[1:]}."


def class_text(group: ClassList, *, with_teacher: bool) -> str:
    """ "11X/Ma1 — Mathematics (3 candidates)", with the teacher for the SENCo's list."""
    pupils = len(group.rows)
    count = f"{pupils} candidate{'s' if pupils != 1 else ''}" if pupils else "no candidates"
    teacher = f", {group.teacher}" if with_teacher and group.teacher else ""
    return f"{group.code} — {group.subject}{teacher} ({count})"


@dataclass(frozen=True)
class _Classes:
    """The classes as read on the worker, with the list's texts made there too: the
    SENCo's list is every class in the school (thousands in a big one)."""

    classes: list[ClassList]
    texts: list[str]  # the list's line for each class, in order
    keys: list[str]  # the same, casefolded, for Find


class ClassEvidencePage(Page):
    """The actor's classes (the SENCo's: every class) and quick NWW evidence entry.

    ``changed`` is emitted after evidence is recorded or removed.
    """

    def _start(self) -> None:
        self.classes: list[ClassList] = []  # in the order of the list's rows
        self._keys: list[str] = []  # each row's text, casefolded (Find)
        self._hidden: set[int] = set()  # the rows Find hides
        self.group: ClassList | None = None
        self.entries: list[NwwItem] = []
        self.model: RowsModel[EvidenceLine] = RowsModel(COLUMNS)

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.find = QLineEdit()
        self.find.setAccessibleName("Find a class")
        self.find.setPlaceholderText("Find a class or subject")
        self.find.setClearButtonEnabled(True)
        self.classes_list = QListWidget()
        self.classes_list.setAccessibleName("Your classes")
        self.classes_list.setUniformItemSizes(True)  # one line each: laid out at once
        self.classes_list.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 20)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)

        left = stacked(
            buddy_label("&Classes:", self.classes_list),
            self.find,
            (self.classes_list, 1),
            self.empty_label,
        )

        self.title = QLabel()
        self.title.setAccessibleName("Class")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.table = QTableView()
        self.table.setAccessibleName("Pupils with arrangements in this subject")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.select_all_button = QPushButton("Select &all")
        self.select_all_button.setAccessibleName("Select every row of the class")

        strip = QGroupBox("Record evidence for the selected rows")
        strip_layout = QGridLayout(strip)
        self.date = date_edit("Date of the task", self.today, maximum=self.today)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of task")
        for kind in TASK_KINDS:
            self.kind.addItem(status_text(kind), kind)
        self.task = QLineEdit()
        self.task.setMaxLength(TASK_MAX)
        self.task.setAccessibleName("Task or paper")
        self.task.setPlaceholderText("e.g. Paper 1 mock")
        self.used = QCheckBox("&Used")
        self.used.setAccessibleName("The arrangement was used")
        self.used.setChecked(True)
        self.minutes = QSpinBox()
        self.minutes.setAccessibleName("Extra minutes used (extra time only)")
        self.minutes.setRange(0, MAX_EXTRA_MINUTES)
        self.minutes.setSpecialValueText("—")
        self.minutes.setSuffix(" min")
        self.minutes.setToolTip("Extra minutes used; for extra-time arrangements only")
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("A short note (optional)")
        self.record_button = QPushButton("&Record")
        self.record_button.setAccessibleName("Record the evidence for the selected rows")
        self.record_button.setToolTip("Record for every selected row (Ctrl+Enter)")
        # Two rows: what the task was, then how it went; the task and note take the width.
        first_row = (("&Date:", self.date), ("&Kind:", self.kind), ("&Task:", self.task))
        for column, (text, widget) in enumerate(first_row):
            strip_layout.addWidget(buddy_label(text, widget), 0, column * 2)
            strip_layout.addWidget(widget, 0, column * 2 + 1, 1, 3 if widget is self.task else 1)
        strip_layout.addWidget(self.used, 1, 0, 1, 2)
        strip_layout.addWidget(buddy_label("E&xtra:", self.minutes), 1, 2)
        strip_layout.addWidget(self.minutes, 1, 3)
        strip_layout.addWidget(buddy_label("&Note:", self.note), 1, 4)
        strip_layout.addWidget(self.note, 1, 5, 1, 2)
        strip_layout.addWidget(self.record_button, 1, 7)
        strip_layout.setColumnStretch(5, 1)
        self.record_shortcuts = [
            QShortcut(QKeySequence(sequence), self) for sequence in ("Ctrl+Return", "Ctrl+Enter")
        ]
        for shortcut in self.record_shortcuts:
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Result of the last entry")

        self.entries_label = QLabel()
        self.entries_label.setWordWrap(True)
        self.entries_model: RowsModel[NwwItem] = RowsModel(ENTRY_COLUMNS)
        self.entries_table = read_only_view(
            self.entries_model, "Evidence recorded for the current row"
        )
        self.remove_button = QPushButton("Re&move entry")
        self.remove_button.setAccessibleName("Remove the selected evidence entry")
        self.remove_button.setToolTip(
            "Remove an entry recorded by mistake; once the arrangement is applied for online, "
            "approved by the awarding body or expired, its entries are inspection evidence "
            "and stay"
            if self.ctx.actor.role == Role.SENCO
            else "Take back an entry you recorded by mistake today; after that it stays as "
            "evidence an inspector may ask for (ask the SENCo)"
        )

        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        right = stacked(
            self.title,
            self.hint,
            (self.table, 3),
            side_by_side(self.select_all_button),
            strip,
            self.message,
            self.entries_label,
            (self.entries_table, 1),
            remove_row,
        )

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        note(
            layout,
            "Your classes, with the pupils who have (or are proposed for) exam access "
            "arrangements in the subject. Record how they worked: classwork, timed tests "
            "and mocks all count as evidence of their normal way of working.",
        )
        layout.addWidget(splitter, 1)

        tab_order(
            self.find,
            self.classes_list,
            self.table,
            self.select_all_button,
            self.date,
            self.kind,
            self.task,
            self.used,
            self.minutes,
            self.note,
            self.record_button,
            self.entries_table,
            self.remove_button,
        )

    def _connect(self) -> None:
        self.find.textChanged.connect(self._filter_classes)
        self.classes_list.currentItemChanged.connect(self._class_chosen)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.task.setFocus())
        self.select_all_button.clicked.connect(self.select_all)
        self.record_button.clicked.connect(self.record)
        for shortcut in self.record_shortcuts:
            shortcut.activated.connect(self.record)
        self.used.toggled.connect(self._used_toggled)
        self.remove_button.clicked.connect(self.remove_entry)
        self.entries_table.selectionModel().selectionChanged.connect(self._update_buttons)

    # --- public API -------------------------------------------------------------------------

    def reload(self, *, keep_group: int | None = None) -> Op:
        """Read the classes again, on the worker thread (the SENCo's list is every class in
        the school); show ``keep_group`` (or the one shown, or the first), keeping the rows
        selected when it is the same class. Returns the running operation."""
        if keep_group is None and self.group is not None:
            keep_group = self.group.group_id
        same = self.group is not None and keep_group == self.group.group_id
        chosen = (
            {(ln.pupil_id, ln.arrangement_id) for ln in self.selected_lines()} if same else set()
        )
        current = self.model.row_at(self.table.currentIndex().row()) if same else None
        ctx, today, with_teacher = self.ctx, self.today, self.ctx.is_senco

        def work(_progress: object) -> _Classes | str:
            try:
                classes = my_class_lists(ctx.db, ctx.actor, today=today)
            except SendeskError as exc:
                return str(exc)
            texts = [class_text(group, with_teacher=with_teacher) for group in classes]
            return _Classes(classes, texts, [text.casefold() for text in texts])

        self.loading = Op(
            self, work, success=lambda read: self._show_classes(read, keep_group, chosen, current)
        )
        return self.loading.run()

    def _show_classes(
        self,
        read: _Classes | str,
        keep_group: int | None,
        chosen: set[tuple[int, int]],
        current: EvidenceLine | None,
    ) -> None:
        if isinstance(read, str):
            self.classes, texts, self._keys = [], [], []
            self.empty_label.setText(read)
        else:
            self.classes, texts, self._keys = read.classes, read.texts, read.keys
            self.empty_label.setText(
                ""
                if self.classes
                else "You have no classes in SENDesk yet: the SENCo imports them from the "
                "MIS or sets them up."
            )
        self.classes_list.blockSignals(True)
        try:
            self.classes_list.clear()
            self._hidden = set()
            self.classes_list.addItems(texts)  # one call, not an item made per class
            self._filter_classes()
            ids = [g.group_id for g in self.classes]
            row = ids.index(keep_group) if keep_group in ids else self._first_shown()
            self.classes_list.setCurrentRow(row)
        finally:
            self.classes_list.blockSignals(False)
        self._show_class(self.classes[row] if row >= 0 else None)
        if chosen or current is not None:  # the same class again: keep what was selected
            keys = [(ln.pupil_id, ln.arrangement_id) for ln in self.model.rows]
            self.select_rows([keys.index(k) for k in keys if k in chosen])
            if current is not None and (current.pupil_id, current.arrangement_id) in keys:
                at = keys.index((current.pupil_id, current.arrangement_id))
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(at, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )

    def select_class(self, group_id: int) -> None:
        for row, group in enumerate(self.classes):
            if group.group_id == group_id:
                self.classes_list.setCurrentRow(row)
                return

    def select_all(self) -> None:
        self.table.selectAll()
        self.table.setFocus()

    def select_rows(self, rows: list[int]) -> None:
        """Select exactly these rows of the class list (the first becomes current)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)
        if rows:
            selection.setCurrentIndex(
                self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def selected_lines(self) -> list[EvidenceLine]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [line for r in rows if (line := self.model.row_at(r)) is not None]

    def record(self) -> int:
        """Record the strip for every selected row; returns how many entries were written.

        All or nothing, in one transaction: when the service refuses any entry, none is
        written, the class is read again and the refusal is shown, naming the pupils it
        concerns.
        """
        group = self.group
        lines = self.selected_lines()
        if group is None or not lines:
            self.message.setText("Select the pupils first (Ctrl+A selects the whole class).")
            return 0
        on = from_qdate(self.date.date())
        kind = str(self.kind.currentData())
        used = self.used.isChecked()
        minutes = self.minutes.value() or None
        items = [
            NwwData(
                arrangement_id=line.arrangement_id,
                subject=group.subject,
                recorded_on=on,
                task_kind=kind,
                task=self.task.text(),
                used=used,
                extra_minutes_used=minutes if used and line.extra_time else None,
                note=self.note.text(),
            )
            for line in lines
        ]
        try:
            written = record_nww_many(self.ctx.db, self.ctx.actor, items, today=self.today)
        except SendeskError as exc:
            text = f"Nothing was recorded. {refusal_text(lines, exc)}"
            # Read the class again: an arrangement withdrawn meanwhile leaves the list, and
            # the rows still selected can be recorded with one more press.
            self.reload(keep_group=group.group_id)
            self.message.setText(text)
            QMessageBox.warning(self, APP, text)
            return 0
        self.reload(keep_group=group.group_id)
        pupils = len({line.pupil_id for line in lines})
        self.message.setText(
            f"Recorded {self.kind.currentText().lower()} evidence on {dmy(on)} in "
            f"{group.subject} for {pupils} pupil{'s' if pupils != 1 else ''} "
            f"({len(written)} arrangement{'s' if len(written) != 1 else ''})."
        )
        self.note.clear()
        self.changed.emit()
        return len(written)

    def remove_entry(self) -> bool:
        entry: NwwItem | None = selected_record(self.entries_table)
        if entry is None:
            return False
        if not confirmed_change(
            self,
            f"Remove the {task_text(entry).lower()} entry of {dmy(entry.recorded_on)}?",
            lambda: remove_nww(self.ctx.db, self.ctx.actor, entry.id, today=self.today),
        ):
            return False
        self.reload()
        self.message.setText("Removed the entry.")
        self.changed.emit()
        return True

    # --- slots ------------------------------------------------------------------------------

    def _first_shown(self) -> int:
        return next((row for row in range(len(self.classes)) if row not in self._hidden), -1)

    def _filter_classes(self) -> None:
        """Hide the classes without every word of Find; only rows that change are told
        (the SENCo's list is every class in the school)."""
        words = self.find.text().casefold().split()
        for row, key in enumerate(self._keys):
            hide = not all(w in key for w in words)
            if hide == (row in self._hidden):
                continue
            self.classes_list.setRowHidden(row, hide)
            if hide:
                self._hidden.add(row)
            else:
                self._hidden.discard(row)

    def _class_chosen(self, current: QListWidgetItem | None, _previous: object) -> None:
        row = self.classes_list.row(current) if current is not None else -1
        self._show_class(self.classes[row] if 0 <= row < len(self.classes) else None)

    def _show_class(self, group: ClassList | None) -> None:
        self.group = group
        self.model.set_rows(lines_of(group) if group else [])
        if group is None:
            self.title.setText("")
            self.hint.setText("")
        else:
            teacher = f" — {group.teacher}" if group.teacher else ""
            self.title.setText(f"{group.code}: {group.subject}{teacher}")
            self.hint.setText(
                "Select the rows a task applies to (Ctrl+A: everyone), fill in the strip and "
                "press Record (Ctrl+Enter)."
                if group.rows
                else f"No pupil in {group.code} has (or is proposed for) an access "
                f"arrangement in {group.subject}."
            )
        has_rows = self.model.rowCount() > 0
        for widget in (self.table, self.select_all_button):
            widget.setEnabled(has_rows)
        if has_rows:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        self._current_changed(self.table.currentIndex(), QModelIndex())
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        n = len(self.selected_lines())
        self.record_button.setEnabled(n > 0)
        self.record_button.setText(
            f"&Record for {n} row{'s' if n != 1 else ''}" if n else "&Record"
        )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_entries(current.row() if current.isValid() else -1)

    def _show_entries(self, row: int) -> None:
        """The entries recorded for the row ``row`` in this class's subject, read on the
        worker thread (a read here would wait for any write the worker is making)."""
        line = self.model.row_at(row) if row >= 0 else None
        group = self.group
        self.entries = []
        self.entries_label.setText("")
        self._fill_entries()  # never the last row's entries under this one
        if line is None or group is None:
            return
        ctx, arrangement, subject = self.ctx, line.arrangement_id, group.subject

        def work(_progress: object) -> list[NwwItem] | str:
            try:
                found = list_nww(ctx.db, ctx.actor, arrangement)
            except SendeskError as exc:
                return str(exc)
            return [e for e in found if e.subject.casefold() == subject.casefold()]

        self.loading = Op(self, work, success=lambda read: self._entries_read(line, group, read))
        self.loading.run()

    def _entries_read(
        self, line: EvidenceLine, group: ClassList, read: list[NwwItem] | str
    ) -> None:
        if group is not self.group or self.model.row_at(self.table.currentIndex().row()) != line:
            return  # the user has moved on: the read for the row now current follows
        if isinstance(read, str):
            self.entries_label.setText(read)
        else:
            self.entries = read
            self.entries_label.setText(
                f"{line.pupil_name}, {line.name} in {group.subject}: "
                + (
                    f"{len(self.entries)} entr{'ies' if len(self.entries) != 1 else 'y'} "
                    "recorded, newest first."
                    if self.entries
                    else "nothing recorded yet."
                )
            )
        self._fill_entries()

    def _fill_entries(self) -> None:
        self.entries_model.set_rows(self.entries)
        self.entries_table.clearSelection()
        self._update_buttons()

    def _used_toggled(self, used: bool) -> None:
        self.minutes.setEnabled(used)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.entries_table.selectionModel().selectedRows()))


__all__ = ["COLUMNS", "ClassEvidencePage", "EvidenceLine", "class_text", "lines_of", "refusal_text"]
