"""Logging a whole term of one group's sessions at once, with the exceptions listed
(days not delivered, pupils who missed one)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.services.graduated.intervention_records import (
    MAX_MINUTES,
    MISSED_REASONS,
    NOT_DELIVERED_REASONS,
    SCHOOL_CLOSED,
    GroupToday,
    TermException,
    TermLog,
)
from sendesk.services.graduated.sessions import log_term, term_preview
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import dialog_buttons
from sendesk.ui.kit.dates import date_edit, from_qdate
from sendesk.ui.kit.edit_table import EditColumn, EditRowsModel, edit_view
from sendesk.ui.kit.forms import form_row

# --- a whole term --------------------------------------------------------------------------------

WHOLE_GROUP = "Whole group (not delivered)"


def _reasons(exception: TermException) -> list[tuple[str, str]]:
    """The usual reasons: a session not delivered, or a pupil who missed one."""
    reasons = NOT_DELIVERED_REASONS if exception.enrolment_id is None else MISSED_REASONS
    return [(reason, reason) for reason in reasons]


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
        self.start_edit = date_edit("First day", first, maximum=self.today)
        self.end_edit = date_edit("Last day", last, maximum=self.today)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setAccessibleName("Minutes each session lasted")
        self.minutes_spin.setRange(1, MAX_MINUTES)
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setValue(group.minutes_per_session or 30)

        self.exception_model: EditRowsModel[TermException] = EditRowsModel(
            self._exception_columns(), self
        )
        self.exceptions = edit_view(
            self.exception_model, "Exceptions: days not delivered, pupils who missed one"
        )
        self.add_button = QPushButton("&Add exception")
        self.remove_button = QPushButton("&Remove exception")
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setAccessibleName("What will be logged")

        self.buttons, self.ok_button = dialog_buttons(self)
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
            form_row(form, text, widget)
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
        self.update_preview()

    def _days_text(self) -> str:
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        days = [names[d] for d in self.group.weekdays]
        if len(days) <= 1:
            return "".join(days) or "day the group meets"
        return ", ".join(days[:-1]) + " and " + days[-1]

    # --- exceptions ---------------------------------------------------------------------------

    def _exception_columns(self) -> tuple[EditColumn[TermException], ...]:
        """Date, who (the whole group or one pupil) and why; the reasons offered follow who."""
        who = [(WHOLE_GROUP, None), *((p.name, p.enrolment_id) for p in self.group.pupils)]
        return (
            EditColumn(
                "Date",
                lambda e: e.on,
                lambda e, v: replace(e, on=v),
                lambda _n: "Date of the exception",
                is_date=True,
            ),
            EditColumn(
                "Who",
                lambda e: e.enrolment_id,
                lambda e, v: replace(e, enrolment_id=v),
                lambda _n: "Who the exception is about",
                choices=lambda _e: who,
            ),
            EditColumn(
                "Reason",
                lambda e: e.reason,
                lambda e, v: replace(e, reason=str(v)),
                lambda _n: "Reason",
                choices=_reasons,
                free=True,
            ),
        )

    def add_exception(
        self, on: date | None = None, enrolment_id: int | None = None, reason: str | None = None
    ) -> int:
        """Add an exception row (filled in when arguments are given); returns its row."""
        if enrolment_id not in {p.enrolment_id for p in self.group.pupils}:
            enrolment_id = None
        default = SCHOOL_CLOSED if enrolment_id is None else MISSED_REASONS[0]
        row = self.exception_model.add(
            TermException(on or from_qdate(self.end_edit.date()), reason or default, enrolment_id)
        )
        self.exceptions.setCurrentIndex(self.exception_model.index(row, 0))
        return row

    def _remove_current(self) -> None:
        self.exception_model.remove(self.exceptions.currentIndex().row())

    def term_exceptions(self) -> list[TermException]:
        return self.exception_model.rows

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
