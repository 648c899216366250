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
the page never opens a Session, only calls the service. The day's groups are read on the
worker thread (issue 14): reading them costs a tenth of a second at a school of 1,200
pupils and more at a large one, and on the GUI thread every day stepped through froze the
window for that long.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import (
    QSize,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
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
    QVBoxLayout,
)

from sendesk.errors import SendeskError
from sendesk.services.graduated.intervention_records import (
    MAX_MINUTES,
    MISSED_REASONS,
    NOT_DELIVERED_REASONS,
    GroupToday,
)
from sendesk.services.graduated.sessions import log_session, my_groups
from sendesk.ui.graduated.attendance_table import (
    AttendanceModel,
    AttendanceTable,
    Col,
    MinutesDelegate,
    ReasonDelegate,
)
from sendesk.ui.graduated.log_term_dialog import LogTermDialog
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.forms import buddy_label, stacked, tab_order
from sendesk.ui.kit.page import Page
from sendesk.ui.ops import Op

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


def day_text(value: date) -> str:
    """ "Monday 03/03/2025"."""
    return value.strftime("%A %d/%m/%Y")


# --- the page -------------------------------------------------------------------------------------


class MyGroupsPage(Page):
    """The actor's groups meeting on a date (today by default) and the session log for one.

    ``changed`` is emitted after a session (or a term) is saved.
    """

    def _start(self) -> None:
        self.groups: list[GroupToday] = []
        self.group: GroupToday | None = None
        self.dirty = False
        self.model = AttendanceModel(self)
        self._aiming: int | None = None  # the group the read in flight will show
        self._list_dragged = False  # the user has set the list's width themselves

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.date_edit = date_edit("Day of the sessions", self.today, maximum=self.today)
        self.prev_button = QPushButton("&Previous day")
        self.next_button = QPushButton("Ne&xt day")
        self.today_button = QPushButton("T&oday")

        self.groups_list = GroupsList()
        self.groups_list.setAccessibleName("Groups meeting on this day")
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.loading_label = QLabel("Loading…")
        self.loading_label.setAccessibleName("Loading")
        self.loading_label.hide()

        self.group_title = QLabel()
        self.group_title.setAccessibleName("Group")
        title_font = self.group_title.font()
        title_font.setBold(True)
        self.group_title.setFont(title_font)
        # a long group name wraps rather than claiming the width the groups list needs
        self.group_title.setWordWrap(True)
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

        left = stacked(
            buddy_label("&Groups:", self.groups_list),
            (self.groups_list, 1),
            self.loading_label,
            self.empty_label,
        )

        session_row = QHBoxLayout()
        session_row.addWidget(self.delivered_check)
        session_row.addWidget(buddy_label("&Reason:", self.reason_combo))
        session_row.addWidget(self.reason_combo)
        session_row.addWidget(buddy_label("&Minutes:", self.minutes_spin))
        session_row.addWidget(self.minutes_spin)
        session_row.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.all_present_button)
        buttons.addStretch(1)
        buttons.addWidget(self.term_button)
        buttons.addWidget(self.save_button)

        right = stacked(
            self.group_title,
            self.logged_label,
            session_row,
            (self.table, 1),
            self.message_label,
            buttons,
        )

        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self._left = left

        layout = QVBoxLayout(self)
        layout.addLayout(day_row)
        layout.addWidget(splitter, 1)

        tab_order(
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
        self.splitter.splitterMoved.connect(self._splitter_dragged)

    # --- public API -------------------------------------------------------------------------

    @property
    def on(self) -> date:
        return from_qdate(self.date_edit.date())

    def set_date(self, on: date) -> None:
        self.date_edit.setDate(to_qdate(on))

    def reload(self, *, keep_group: int | None = None) -> Op:
        """Read the day's groups again, on the worker; show ``keep_group`` — by default
        the group shown now (or the one the read in flight aims at) — if it is still
        there, else the first. Returns the read (also ``loading``; tests wait on it).

        Why the default: the main window reloads every page after a save, and a page that
        then went back to its first group sent the assistant who had just logged the third
        group of the day back to the top of the list. Only the latest read's answer is
        shown: stepping through days quickly asks for several.
        """
        if keep_group is None:
            keep_group = self._aim()
        if self.group is None:
            self._show_group(None)  # nothing to log until the groups have arrived
        self._aiming = keep_group
        self.loading_label.show()
        ctx, on = self.ctx, self.on

        def work(_progress: object) -> tuple[list[GroupToday], str | None]:
            try:
                return my_groups(ctx.db, ctx.actor, on), None
            except SendeskError as exc:
                return [], str(exc)

        op = Op(self, work, success=lambda got: self._show_read(op, on, *got))
        self.loading = op
        return op.run()

    def select_group(self, group_id: int) -> Op | None:
        """Show ``group_id``: now, or when the read in flight lands (a "sessions not
        logged" item opens its day, then its group). Returns the read, if any."""
        if self._reading():
            self._aiming = group_id
            return self.loading
        for row in range(self.groups_list.count()):
            item = self.groups_list.item(row)
            if item.data(GROUP_ID_ROLE) == group_id:
                self.groups_list.setCurrentRow(row)
                break
        return self.loading

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
        keep = self._aim()
        # The day's list goes at once: nothing of the day before may be saved under this one.
        self.groups = []
        self.groups_list.blockSignals(True)
        self.groups_list.clear()
        self.groups_list.blockSignals(False)
        self.empty_label.setText("")
        self._show_group(None)
        self.reload(keep_group=keep)

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
        if self._reading():
            self._aiming = group_id  # chosen while the day is read again: keep it
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

    # --- reading ------------------------------------------------------------------------------

    def _reading(self) -> bool:
        return self.loading is not None and not self.loading.done

    def _aim(self) -> int | None:
        """The group to keep: the one the read in flight aims at, else the one shown."""
        if self._reading():
            return self._aiming
        return self.group.group_id if self.group else None

    def _show_read(self, op: Op, on: date, groups: list[GroupToday], refused: str | None) -> None:
        if op is not self.loading:
            return  # a later read was asked for: its answer is the one to show
        self.loading_label.hide()
        self.groups = groups
        none = f"No groups of yours meet on {day_text(on)}."
        self.empty_label.setText(refused if refused is not None else "" if groups else none)
        self.groups_list.blockSignals(True)
        try:
            self.groups_list.clear()
            for group in groups:
                item = QListWidgetItem(self._group_text(group))
                item.setData(GROUP_ID_ROLE, group.group_id)
                item.setToolTip(self._group_tip(group))
                self.groups_list.addItem(item)
            ids = [g.group_id for g in groups]
            row = ids.index(self._aiming) if self._aiming in ids else (0 if ids else -1)
            self.groups_list.setCurrentRow(row)
        finally:
            self.groups_list.blockSignals(False)
        self.groups_list.updateGeometry()
        chosen = groups[row] if row >= 0 else None
        shown = self.group
        if (
            self.dirty
            and chosen is not None
            and shown is not None
            and (shown.group_id, shown.on) == (chosen.group_id, chosen.on)
        ):
            self.group = chosen  # ticked while the read ran: keep what was typed
        else:
            self._show_group(chosen)
        self._fit_list()

    def _fit_list(self) -> None:
        """Widen the list to its names when a day's groups arrive.

        Why: the splitter sizes its panes from their hints once, when first shown, and the
        groups now arrive after that (read on the worker), so the list would stay at Qt's
        256 pixels and cut long names off. A width the user dragged is left alone."""
        sizes = self.splitter.sizes()
        want = self._left.sizeHint().width()
        if self._list_dragged or len(sizes) != 2 or not sum(sizes) or sizes[0] >= want:
            return
        self.splitter.setSizes([want, max(sum(sizes) - want, 1)])

    def _splitter_dragged(self) -> None:
        self._list_dragged = True

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
