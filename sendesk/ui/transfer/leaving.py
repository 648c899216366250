"""A pupil leaving, in the pupil window: where they go, and where their SEN file stands.

Why a panel of its own under the record's tabs: the destination and the SEN file's state
matter on every tab while a pupil is leaving (the file must go within 15 school days), and
the pupil window stays the place a SENCo already is. The panel is built here so the pupil
window only places it. Only the SENCo sees it (the permission table's "record leavers",
which the services enforce too).

:class:`LeavingDialog` asks for the destination school's name, its DfE number ("LLL/EEEE",
checked as it is typed by :mod:`sendesk.rules.dfe_number`, the same rule the service
applies) and the leaving date, and saves through
:func:`sendesk.services.transfer.leavers.record_leaving` on the worker thread.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import dfe_number
from sendesk.rules.permissions import Action
from sendesk.services.transfer.leavers import LeaverStatus, leaver_status, record_leaving
from sendesk.ui.context import AppContext
from sendesk.ui.kit.dates import date_edit, from_qdate
from sendesk.ui.kit.forms import note
from sendesk.ui.ops import Changes, Op


class LeaverDialog(QDialog):
    """A dialog of the leaving panel about one leaver (``status``): its ``TITLE``, the
    sentence that says what it is for (``INTRO``), then what :meth:`build` adds; its work
    runs on the worker thread (``op``, one at a time)."""

    TITLE = ""
    INTRO = ""

    def __init__(
        self, ctx: AppContext, status: LeaverStatus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.status = status
        self.op: Op | None = None
        self.setWindowTitle(f"{self.TITLE} — SENDesk")
        layout = QVBoxLayout(self)
        note(layout, self.INTRO)
        self.build(layout, status)

    def build(self, layout: QVBoxLayout, status: LeaverStatus) -> None:
        """Add the dialog's fields and buttons under its introduction."""
        raise NotImplementedError


class LeavingDialog(LeaverDialog):
    """Record that a pupil is leaving: destination school, its DfE number, the date."""

    TITLE = "Leaving"
    INTRO = (
        'Where the pupil is going and when. With SEN history, "what\'s due" then asks '
        "for the SEN file within 15 school days of the leaving date."
    )

    def build(self, layout: QVBoxLayout, status: LeaverStatus) -> None:
        form = QFormLayout()
        self.school = QLineEdit(status.destination_school or "")
        self.school.setAccessibleName("Destination school")
        self.school.setPlaceholderText("e.g. Hill Academy")
        form.addRow("Destination &school:", self.school)
        self.dfe = QLineEdit(status.destination_dfe or "")
        self.dfe.setAccessibleName("Destination school's DfE number")
        self.dfe.setPlaceholderText("LLL/EEEE, e.g. 801/4001 (if known)")
        form.addRow("Its &DfE number:", self.dfe)
        self.on = date_edit("Leaving date", status.leaving_date or date.today())
        form.addRow("&Leaving date:", self.on)
        layout.addLayout(form)
        self.dfe_hint = QLabel()  # under the form, full width: a wrapped form row is cut
        self.dfe_hint.setWordWrap(True)
        self.dfe_hint.setAccessibleName("DfE number check")
        layout.addWidget(self.dfe_hint)
        self.message = note(layout, "", "Why it was not saved")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.dfe.textChanged.connect(self._check_dfe)
        self._check_dfe(self.dfe.text())
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)

    def _check_dfe(self, text: str) -> None:
        """Say at once when the DfE number cannot be one (it names the CTF file)."""
        problem = ""
        if text.strip():
            try:
                dfe_number.normalise(text)
            except ValueError as exc:
                problem = f"The destination's {exc}."
        self.dfe_hint.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def save(self) -> None:
        """Save on the worker; the dialog closes once it is saved, or says why not."""
        if self.op is not None:
            return
        db, actor, pupil_id = self.ctx.db, self.ctx.actor, self.status.pupil_id
        on, school, dfe = from_qdate(self.on.date()), self.school.text(), self.dfe.text()
        self.buttons.setEnabled(False)
        self.message.clear()
        self.op = Op(
            self,
            lambda _progress: record_leaving(db, actor, pupil_id, on, school, dfe),
            success=lambda _result: self.accept(),
            failure=self._failed,
            changes=Changes.PUPIL | Changes.DUE,
        ).run()

    def _failed(self, exc: BaseException) -> None:
        self.op = None
        self.buttons.setEnabled(True)
        self.message.setText(
            str(exc)
            if isinstance(exc, SendeskError)
            else f"It could not be saved ({type(exc).__name__}); nothing was changed."
        )


class LeavingPanel(QWidget):
    """One line under the pupil's record: leaving where and when, and the SEN file's state,
    with "Leaving…" and, for a leaver with SEN history, "SEN file…". Hidden from all but
    the SENCo."""

    changed = Signal()
    """Emitted after the leaving details or the SEN file's state were saved."""

    def __init__(self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pupil_id = pupil_id
        self.status: LeaverStatus | None = None
        self.loading: Op | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Leaving and the SEN file")
        row.addWidget(self.state, 1)
        if not ctx.may(Action.TRANSFER_RECORDS):
            self.hide()  # and no buttons: a record read by others offers none
            return
        self.leaving_button = QPushButton("Lea&ving…")
        self.leaving_button.setAccessibleName("Record that the pupil is leaving")
        self.leaving_button.clicked.connect(self.edit_leaving)
        row.addWidget(self.leaving_button)
        self.sen_file_button = QPushButton("SEN &file…")
        self.sen_file_button.setAccessibleName("The SEN file for the next school")
        self.sen_file_button.clicked.connect(self.sen_file)
        self.sen_file_button.hide()  # once the pupil is leaving, with SEN history
        row.addWidget(self.sen_file_button)
        self.leaving_button.setEnabled(False)  # until the state is read
        self.reload()

    def reload(self) -> Op | None:
        """Read the leaving details on the worker and show them."""
        if not self.ctx.may(Action.TRANSFER_RECORDS):
            return None
        db, actor, pupil_id = self.ctx.db, self.ctx.actor, self.pupil_id
        self.loading = Op(
            self, lambda _progress: leaver_status(db, actor, pupil_id), success=self._show
        ).run()
        return self.loading

    def _show(self, status: LeaverStatus) -> None:
        self.loading = None
        self.status = status
        self.state.setText(status.sentence())
        self.leaving_button.setEnabled(True)
        self.sen_file_button.setVisible(status.leaving and status.has_sen_history)

    def edit_leaving(self) -> None:
        if self.status is None:
            return
        dialog = LeavingDialog(self.ctx, self.status, self)
        if dialog.exec():
            self.reload()
            self.changed.emit()

    def sen_file(self) -> None:
        """The leaver's SEN file: a PDF for the next school's SENCo, with evidence."""
        from sendesk.ui.transfer.sen_file_dialog import SenFileDialog

        if self.status is None:
            return
        dialog = SenFileDialog(self.ctx, self.status, self)
        dialog.exec()
        if dialog.marked_sent:
            self.reload()
            self.changed.emit()
