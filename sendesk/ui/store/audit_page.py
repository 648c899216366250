"""The SENCo's "Audit trail" page: who viewed, opened, exported or changed what, and when.

Why: the school must be able to show who accessed a child's record (UK GDPR Art. 5(2)
accountability; a parent's subject access request may ask). The page lists the events
:func:`sendesk.services.store.audit_log.audit_listing` returns — the same as ``sendesk audit``
— filtered by pupil (UPN), user, action and a first date, newest last; above the table
it gives the chain's length and newest hash, the anchor the school can write down to
prove later that nothing was taken out. "Export CSV…" saves the events shown (that
export is audited too). The events' details are not shown: they may name other people.

Below the table the SENCo sets how long SENDesk waits without use before it locks
(:mod:`sendesk.ui.staff.lock`): a school-wide setting, read at each sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.reports.audit_csv import write_audit_csv
from sendesk.services.staff.session_lock import (
    MAX_LOCK_AFTER_MINUTES,
    MIN_LOCK_AFTER_MINUTES,
    lock_after_minutes,
    set_lock_after_minutes,
)
from sendesk.services.store.audit_log import (
    AuditLine,
    AuditListing,
    audit_actions,
    audit_listing,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.table_model import ColumnSpec, TextRows, TextRowsModel, text_rows
from sendesk.ui.kit.table_view import fit_columns
from sendesk.ui.ops import Op

ANY_ACTION = "Any action"

COLUMNS: list[ColumnSpec[AuditLine]] = [
    ColumnSpec("When (UTC)", lambda line: f"{line.at:%d/%m/%Y %H:%M:%S}"),
    ColumnSpec("User", lambda line: line.username),
    ColumnSpec("Action", lambda line: line.action),
    ColumnSpec(
        "Record",
        lambda line: line.entity if line.entity_id is None else f"{line.entity} {line.entity_id}",
    ),
    ColumnSpec("UPN", lambda line: line.upn),
]


@dataclass(frozen=True)
class _Read:
    """What one reload read on the worker thread."""

    actions: list[str]
    lock_minutes: int | None  # read with the first load only
    listing: AuditListing | None
    table: TextRows[AuditLine] | None  # the listing's cells and widest, made on the worker
    refused: str | None  # an unknown UPN or user, in one sentence


def anchor_text(listing: AuditListing) -> str:
    """The whole chain's length and newest hash, whatever the filter."""
    anchor = listing.anchor
    return f"Audit trail: {anchor.length:,} events; newest hash {anchor.head}"


class AuditPage(QWidget):
    """Filters, the events matching them, the chain's anchor and Export CSV (SENCo only)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.listing: AuditListing | None = None
        self.loading: Op | None = None
        self._build()
        self.reload(with_lock_time=True)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.upn = QLineEdit()
        self.upn.setAccessibleName("Pupil's UPN")
        self.upn.setPlaceholderText("Pupil's UPN")
        self.user = QLineEdit()
        self.user.setAccessibleName("Username")
        self.user.setPlaceholderText("Username")
        self.action = QComboBox()
        self.action.setAccessibleName("Action")
        self.since_on = QCheckBox("&From")
        self.since_on.setAccessibleName("Only events from a date")
        self.since = QDateEdit(QDate.currentDate())
        self.since.setAccessibleName("First date")
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("dd/MM/yyyy")
        self.since.setEnabled(False)
        self.since_on.toggled.connect(self.since.setEnabled)
        self.show_button = QPushButton("&Show")
        self.show_button.setDefault(True)
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setAccessibleName("Export the events shown as CSV")
        for widget in (self.upn, self.user, self.action, self.since_on, self.since):
            filters.addWidget(widget)
        filters.addWidget(self.show_button)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        layout.addLayout(filters)
        self.message = QLabel()
        self.message.setAccessibleName("Audit trail message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.anchor = QLabel()
        self.anchor.setAccessibleName("Audit trail length and newest hash")
        self.anchor.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.anchor)
        self.model: TextRowsModel[AuditLine] = TextRowsModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setAccessibleName("Audit events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        lock_row = QHBoxLayout()
        lock_label = QLabel("&Lock SENDesk after")
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(MIN_LOCK_AFTER_MINUTES, MAX_LOCK_AFTER_MINUTES)
        self.lock_minutes.setSuffix(" minutes without use")
        self.lock_minutes.setAccessibleName("Minutes without use before SENDesk locks")
        self.lock_minutes.setEnabled(False)  # until the school's setting has been read
        lock_label.setBuddy(self.lock_minutes)
        self.lock_save = QPushButton("Save lock time")
        self.lock_note = QLabel("Every computer, from its next sign-in.")
        self.lock_note.setAccessibleName("Lock time message")
        for widget in (lock_label, self.lock_minutes, self.lock_save, self.lock_note):
            lock_row.addWidget(widget)
        lock_row.addStretch(1)
        layout.addLayout(lock_row)
        self.lock_save.clicked.connect(self.save_lock_minutes)
        for edit in (self.upn, self.user):
            edit.returnPressed.connect(self.reload)
        self.show_button.clicked.connect(lambda: self.reload())
        self.export_button.clicked.connect(self.export)

    def _fill_actions(self, actions: list[str]) -> None:
        chosen = self.action.currentText()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem(ANY_ACTION)
        self.action.addItems(actions)
        index = self.action.findText(chosen)
        self.action.setCurrentIndex(max(index, 0))
        self.action.blockSignals(False)

    def filters(self) -> dict[str, object]:
        """The filters as :func:`audit_listing` takes them (blank means any)."""
        action = self.action.currentText()
        since: date | None = None
        if self.since_on.isChecked():
            qd = self.since.date()
            since = date(qd.year(), qd.month(), qd.day())
        return {
            "upn": self.upn.text().strip() or None,
            "username": self.user.text().strip() or None,
            "since": since,
            "action": None if action in ("", ANY_ACTION) else action,
        }

    def reload(self, *, with_lock_time: bool = False) -> Op:
        """Read the events matching the filters, on the worker thread (the trail holds
        every view and change: tens of thousands of events in a school year); an unknown
        UPN or user is one sentence. Returns the running operation (tests wait on it)."""
        ctx, filters = self.ctx, self.filters()

        def work(_progress: object) -> _Read:
            actions = audit_actions(ctx.db, ctx.actor)
            minutes = lock_after_minutes(ctx.db) if with_lock_time else None
            try:
                listing = audit_listing(ctx.db, ctx.actor, **filters)  # type: ignore[arg-type]
            except SendeskError as exc:
                return _Read(actions, minutes, None, None, str(exc))
            return _Read(actions, minutes, listing, text_rows(COLUMNS, listing.lines), None)

        self.loading = Op(self, work, success=self._show)
        return self.loading.run()

    def _show(self, read: _Read) -> None:
        self._fill_actions(read.actions)
        if read.lock_minutes is not None:
            self.lock_minutes.setValue(read.lock_minutes)
            self.lock_minutes.setEnabled(True)
        listing = read.listing
        if listing is None or read.table is None:
            self.message.setText(read.refused or "")
            return
        self.listing = listing
        self.model.set_table(read.table)
        fit_columns(self.table, self.model)  # from the widest texts, found on the worker
        metrics = self.table.fontMetrics()
        for column, widest in ((2, "access_arrangement_update"), (3, "evidence_document 12345")):
            wide = metrics.horizontalAdvance(widest) + 16
            self.table.setColumnWidth(column, max(self.table.columnWidth(column), wide))
        self.table.scrollToBottom()  # oldest first, so the newest are in view
        shown = len(listing.lines)
        self.message.setText(
            f"{shown:,} event{'s' if shown != 1 else ''} match, oldest first (newest in view)."
            if shown
            else "No audit events match."
        )
        self.anchor.setText(anchor_text(listing))
        self.export_button.setEnabled(shown > 0)

    def save_lock_minutes(self) -> bool:
        """Store the idle time (audited as a setting change); True when saved."""
        minutes = self.lock_minutes.value()
        try:
            set_lock_after_minutes(self.ctx.db, self.ctx.actor, minutes)
        except SendeskError as exc:
            self.lock_note.setText(str(exc))
            return False
        self.lock_note.setText(
            f"SENDesk now locks after {minutes} minute{'s' if minutes != 1 else ''} without "
            "use, on every computer from its next sign-in."
        )
        return True

    def export(self) -> Path | None:
        """Save the events shown as CSV where the SENCo chooses; the file, or None."""
        if self.listing is None:
            return None
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the audit trail", str(Path.home() / "audit-trail.csv"), "CSV (*.csv)"
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_name(f"{path.name}.csv")
        try:
            written = write_audit_csv(self.ctx.db, self.ctx.actor, self.listing, path)
        except (SendeskError, OSError) as exc:
            QMessageBox.warning(self, "Audit trail not exported", str(exc).split("\n")[0])
            return None
        self._fill_actions(audit_actions(self.ctx.db, self.ctx.actor))  # now with "export"
        self.message.setText(f"Saved {len(self.listing.lines):,} events to {written}.")
        return written


__all__ = ["ANY_ACTION", "COLUMNS", "AuditPage", "anchor_text"]
