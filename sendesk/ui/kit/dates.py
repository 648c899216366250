"""Dates in forms and tables: one conversion, one display format, one "not yet" field.

Why a "not yet" box: ``QDateEdit`` has no empty state, yet many of the school's dates are
honestly unknown (a referral not made, a pupil not yet seen, an undated letter). A ticked
box beside the date says so and disables the date, so nobody saves today's date by accident.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget

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
    """A date field with a "Not yet" box beside it: :meth:`value` is None while ticked."""

    def __init__(
        self, name: str, check_text: str, today: date, maximum: date | None = None
    ) -> None:
        self.today = today
        self.edit = date_edit(name, today, maximum)
        self.not_yet = QCheckBox(check_text)
        self.not_yet.setAccessibleName(f"{name}: not yet")
        self.not_yet.toggled.connect(lambda on: self.edit.setEnabled(not on))
        self.widget = QWidget()
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.not_yet)

    def value(self) -> date | None:
        return None if self.not_yet.isChecked() else from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        self.edit.setDate(to_qdate(value if value is not None else self.today))
        self.not_yet.setChecked(value is None)
        self.edit.setEnabled(value is not None)
