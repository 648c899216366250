"""Fields of the hand-built dialogs, made in one call each, and the one way to watch them.

Why here: the dialogs a :class:`~sendesk.ui.kit.form_dialog.FormDialog` cannot describe
(the EHC request and plan, access arrangements, phase transfer) each made their line
edits, lists and choices the same way — a name for a screen reader, a length limit, a
hint, the stored value — and each connected "anything changed" to its check field by
field, with the right signal for each kind of widget. One function a kind keeps the
fields alike (an editable list's typed text is named and limited like a line's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Protocol

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.ui.kit.dates import OptionalDate
from sendesk.ui.kit.forms import form_row

NOT_YET = "Not yet"
"""The box of an optional date in a dialog of many dates (no Alt+ key: the row's label
has it, and many boxes would share one)."""


class _Changing(Protocol):
    """A composite field (an optional date) that says itself when it changes."""

    def connect(self, slot: Callable[[], None]) -> None: ...


class _OkCancel(Protocol):
    def ok_cancel(self, layout: QVBoxLayout) -> QDialogButtonBox: ...


def line_edit(name: str, limit: int, placeholder: str = "", value: str = "") -> QLineEdit:
    """A one-line field called ``name`` for a screen reader, at most ``limit`` characters."""
    edit = QLineEdit(value)
    edit.setAccessibleName(name)
    edit.setMaxLength(limit)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def choice(name: str, items: Iterable[tuple[str, object]], value: object = None) -> QComboBox:
    """A list of (shown text, value) called ``name``, showing ``value`` (else the first)."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    for shown, data in items:
        combo.addItem(shown, data)
    combo.setCurrentIndex(max(combo.findData(value), 0))
    return combo


def labelled(labels: Mapping[str, str]) -> list[tuple[str, object]]:
    """(shown text, key) pairs for :func:`choice` from a ``{key: shown text}`` table."""
    return [(shown, key) for key, shown in labels.items()]


def typed_choice(name: str, texts: Iterable[str], value: str, limit: int) -> QComboBox:
    """An editable list called ``name``: pick one of ``texts`` or type another (at most
    ``limit`` characters; the typed text is named too, for a screen reader)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setAccessibleName(name)
    combo.addItems(list(texts))
    combo.setCurrentText(value)
    line = combo.lineEdit()
    if line is not None:
        line.setMaxLength(limit)
        line.setAccessibleName(name)
    return combo


def date_row(
    form: QFormLayout,
    label: str,
    name: str,
    value: date | None,
    today: date,
    not_yet: str = NOT_YET,
    *,
    not_yet_name: str = "",
) -> OptionalDate:
    """An optional date called ``name`` showing ``value``, as the row ``label`` (its Alt+
    key moves to the date), with its ``not_yet`` box beside it (called ``not_yet_name``
    when given)."""
    picker = OptionalDate(name, not_yet, today, check_name=not_yet_name)
    picker.set_value(value)
    form_row(form, label, picker.widget, picker.edit)
    return picker


def text_row(
    form: QFormLayout, label: str, edit: QPlainTextEdit, value: str, placeholder: str = ""
) -> QPlainTextEdit:
    """``edit`` showing ``value`` (``placeholder`` while empty) as the row ``label``."""
    edit.setPlainText(value)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    form_row(form, label, edit)
    return edit


def on_change(slot: Callable[[], None], *fields: QWidget | _Changing) -> None:
    """Call ``slot`` whenever any of ``fields`` changes, by the signal of its kind (a
    list's typed text as it is typed; a composite field through its own ``connect``)."""
    for field in fields:
        if isinstance(field, QLineEdit | QPlainTextEdit):
            field.textChanged.connect(slot)
        elif isinstance(field, QComboBox):
            if field.isEditable():
                field.currentTextChanged.connect(slot)
            else:
                field.currentIndexChanged.connect(slot)
        elif isinstance(field, QDateEdit):
            field.dateChanged.connect(slot)
        elif isinstance(field, QSpinBox | QDoubleSpinBox):
            field.valueChanged.connect(slot)
        elif isinstance(field, QAbstractButton):
            field.toggled.connect(slot)
        elif isinstance(field, QAbstractSpinBox | QWidget):
            raise TypeError(f"no change signal known for {type(field).__name__}")
        else:
            field.connect(slot)


WATCHED = (
    QLineEdit,
    QPlainTextEdit,
    QComboBox,
    QDateEdit,
    QSpinBox,
    QDoubleSpinBox,
    QCheckBox,
    QRadioButton,
)
"""The kinds of field :func:`watch_fields` watches."""


def watch_fields(slot: Callable[[], None], root: QWidget) -> None:
    """Call ``slot`` whenever any field inside ``root`` changes: a form whose check reads
    all of it, so no field is left out of the watching. A field's own parts (an editable
    list's line, a date's text) are watched as that field, not again."""
    for widget in root.findChildren(QWidget):
        if isinstance(widget, WATCHED) and not isinstance(widget.parentWidget(), WATCHED):
            on_change(slot, widget)


def named_ok(dialog: _OkCancel, layout: QVBoxLayout, text: str, name: str) -> QPushButton:
    """OK and Cancel at the end of ``layout`` (see ``SavingDialog.ok_cancel``), OK showing
    ``text`` (with its Alt+ key) and called ``name`` for a screen reader; returns OK."""
    ok = dialog.ok_cancel(layout).button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.setText(text)
    ok.setAccessibleName(name)
    return ok
