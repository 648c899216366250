"""Dates in forms and tables: one conversion, one display format, one "not yet" field.

Why a "not yet" box: ``QDateEdit`` has no empty state, yet many of the school's dates are
honestly unknown (a referral not made, a pupil not yet seen, an undated letter). A ticked
box beside the date says so and disables the date, so nobody saves today's date by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit

from sendesk.ui.kit.forms import side_by_side

DISPLAY_FORMAT = "dd/MM/yyyy"


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(name: str, value: date, maximum: date | None = None) -> QDateEdit:
    """A calendar date field named ``name`` for a screen reader, showing dd/mm/yyyy."""
    edit = QDateEdit()
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DISPLAY_FORMAT)
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit


class OptionalDate:
    """A date field with a "Not yet" box beside it: :meth:`value` is None while ticked.

    The one optional date of every form (the FormDialogs, the EHC dialogs, the pupil's
    profile): the box's text says what an empty date means there ("Not yet", "Undated",
    "Not recorded"); the row's label, not the box, carries the Alt+ key to the date.
    """

    def __init__(
        self,
        name: str,
        check_text: str,
        today: date,
        maximum: date | None = None,
        *,
        check_name: str = "",
    ) -> None:
        """``name`` is the date's for a screen reader; its box is ``check_name`` (by
        default ``name`` followed by ": not yet")."""
        self.today = today
        self.edit = date_edit(name, today, maximum)
        self.not_yet = QCheckBox(check_text)
        self.not_yet.setAccessibleName(check_name or f"{name}: not yet")
        self.not_yet.toggled.connect(lambda on: self.edit.setEnabled(not on))
        self.widget = side_by_side(self.edit, self.not_yet, grow=self.edit)

    def value(self) -> date | None:
        return None if self.not_yet.isChecked() else from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        self.edit.setDate(to_qdate(value if value is not None else self.today))
        self.not_yet.setChecked(value is None)
        self.edit.setEnabled(value is not None)

    def set_enabled(self, enabled: bool) -> None:
        """Offer the field or not (its value is kept); the date only while "Not yet" is
        unticked."""
        self.not_yet.setEnabled(enabled)
        self.edit.setEnabled(enabled and not self.not_yet.isChecked())

    def connect(self, slot: Callable[[], None]) -> None:
        """Call ``slot`` when the value may have changed (the box or the date)."""
        self.not_yet.toggled.connect(slot)
        self.edit.dateChanged.connect(slot)
