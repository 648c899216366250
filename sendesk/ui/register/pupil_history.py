"""The pupil window's Register history tab: every change to the SEN status and needs,
newest first, and (for the SENCo) voiding a status entered by mistake, with a reason.

A voided entry stays in the list, greyed and saying who voided it, when and why: the grey
is a courtesy, the words say it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.rules.dates import dmy
from sendesk.services.register.pupil_record import HistoryItem, PupilRecord
from sendesk.services.register.register import void_entry
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, confirmed_change, dialog_buttons
from sendesk.ui.kit.forms import note, text_box
from sendesk.ui.kit.table_model import ColumnSpec, Index, RowsModel
from sendesk.ui.kit.table_view import read_only_view, selected_record, share_width


def _reason(h: HistoryItem) -> str:
    reason = h.reason or ""
    if h.voided:
        # The words say it, not only the grey: "voided by NAME on DATE: reason".
        return f"{h.voided[:1].upper()}{h.voided[1:]}. Recorded as: {reason}"
    return reason


def _change(h: HistoryItem) -> str:
    change = "SEN status" if h.kind == "status" else "Type of need"
    return f"{change} (voided)" if h.voided else change


HISTORY_COLUMNS: tuple[ColumnSpec[HistoryItem], ...] = (
    ColumnSpec("Date", lambda h: dmy(h.on)),
    ColumnSpec("Change", _change),
    ColumnSpec("From", lambda h: h.before or "—"),
    ColumnSpec("To", lambda h: h.after),
    ColumnSpec("Reason", _reason, tooltip=_reason),
    ColumnSpec(
        "Recorded by",
        lambda h: h.recorded_by,
        tooltip=lambda h: f"Recorded {h.recorded_at:%d/%m/%Y %H:%M} UTC" if h.recorded_at else "",
    ),
)


class HistoryModel(RowsModel[HistoryItem]):
    """The history's rows; a voided entry's text is the palette's disabled text colour."""

    def __init__(self, palette: QPalette) -> None:
        super().__init__(HISTORY_COLUMNS)
        self.grey = palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            return self.grey.color() if self.row(index.row()).voided else None
        return super().data(index, role)


class HistoryTab(QWidget):
    """The history of one pupil's register entries; ``voided`` after a void is saved,
    ``tried`` after any attempt (the window reads the record again)."""

    voided = Signal()
    tried = Signal()

    def __init__(self, ctx: AppContext, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record: PupilRecord | None = None
        self.register_seen: int | None = None
        layout = QVBoxLayout(self)
        note(layout, "Every change to the SEN status and needs, newest first.")
        self.model = HistoryModel(self.palette())
        self.table = read_only_view(self.model, "Register history")
        # From, to and reason share the spare width and wrap, so the table fits the window
        # at any scaling and never hides who recorded the change off to the right.
        share_width(self.table, (2, 3, 4))
        layout.addWidget(self.table, 1)
        self.items: list[HistoryItem] = []
        self.void_button: QPushButton | None = None
        if editable:
            self.void_button = QPushButton("&Void entry…")
            self.void_button.setAccessibleName("Void the selected register entry")
            self.void_button.setToolTip(
                "For a status recorded by mistake: it leaves the pupil's status, census and "
                "pack, and stays here greyed with who voided it and why."
            )
            self.void_button.clicked.connect(self.void_selected)
            self.void_button.setEnabled(False)
            self.table.selectionModel().selectionChanged.connect(self._selection)
            row = QHBoxLayout()
            row.addWidget(self.void_button)
            row.addStretch(1)
            layout.addLayout(row)

    def show_record(self, record: PupilRecord, register_seen: int | None) -> None:
        """Effective changes, plus (for the SENCo) voided entries greyed, newest first."""
        self.record = record
        self.register_seen = register_seen
        self.items = sorted(
            [*record.history, *record.voided_history],
            key=lambda h: (h.on, h.voided is None),
            reverse=True,
        )
        self.model.set_rows(self.items)
        self._selection()

    def selected(self) -> HistoryItem | None:
        item: HistoryItem | None = selected_record(self.table)
        return item

    def _selection(self) -> None:
        """Only an effective status entry can be voided."""
        if self.void_button is None:
            return
        item = self.selected()
        self.void_button.setEnabled(
            item is not None and item.entry_id is not None and item.voided is None
        )

    def void_selected(self) -> None:
        """Ask why, confirm, then void the selected status entry through the service."""
        item = self.selected()
        if item is None or item.entry_id is None or item.voided is not None:
            return
        if self.record is None:
            return
        dialog = VoidDialog(item, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        entry_id, reason = item.entry_id, dialog.reason
        done = confirmed_change(
            self,
            f"Void the change to {item.after} on {dmy(item.on)}? It leaves "
            f"{self.record.display_name}'s status, census return and pack; you will still "
            "see it here, greyed.",
            lambda: void_entry(
                self.ctx.db, self.ctx.actor, entry_id, reason, seen=self.register_seen
            ),
        )
        if done is None:
            return
        if done:
            self.voided.emit()
        self.tried.emit()


class VoidDialog(QDialog):
    """Asks why a register entry is being voided; the reason is required (it is audited
    and shown with the voided entry)."""

    def __init__(self, item: HistoryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Void register entry — {APP}")
        layout = QVBoxLayout(self)
        note(
            layout,
            f"The change on {dmy(item.on)} from {item.before or 'nothing'} to {item.after} "
            "will no longer count: the status before it applies again. Say why it was a "
            "mistake.",
        )
        label = QLabel("&Why is it being voided?")
        self.reason_edit = text_box("Reason for voiding the entry", 3, fixed=True)
        label.setBuddy(self.reason_edit)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        self.buttons, ok = dialog_buttons(self, layout)
        self.ok_button = ok
        ok.setText("&Void entry")
        ok.setAccessibleName("Void entry")
        ok.setEnabled(False)
        self.reason_edit.textChanged.connect(lambda: ok.setEnabled(bool(self.reason)))
        self.reason_edit.setFocus()

    @property
    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()
