"""A dialog built from a service's input dataclass (calibre's preferences, magicgui).

Why: every add/edit dialog of the record is the same few things — a labelled field per
attribute of the service's ``*Data`` class, an editor picked by its type (``str`` a line,
or several lines where asked, or a choice; ``date``; ``date | None`` a date with a "not
yet" box; ``int`` a number), OK that calls the service, and a refusal's one sentence shown
with the dialog left open and what was typed kept. The service's dataclass is the schema:
its field names are the form's, its length limits come from the service's constants.

The save runs on the worker thread through :class:`~sendesk.ui.ops.Op` (the form's values
are read first, on the GUI thread); ``stored`` is emitted with the service's answer (an id
or a version) and then the dialog closes as accepted. A ``ConflictError`` (someone else
changed the record meanwhile) closes it as rejected and emits ``conflicted``, so the
screen behind it reads the record again.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, dialog_buttons, warn
from sendesk.ui.kit.dates import OptionalDate, date_edit, from_qdate, to_qdate
from sendesk.ui.kit.forms import note
from sendesk.ui.ops import Changes, Op, show_failure

LINE, TEXT, DATE, OPTIONAL_DATE, CHOICE, NUMBER, TICK = (
    "line",
    "text",
    "date",
    "optional date",
    "choice",
    "number",
    "tick",
)


@dataclass(frozen=True)
class Field:
    """How one attribute of the input dataclass is asked for.

    ``label`` carries the Alt+ key ("&Agency:"); ``accessible`` is what a screen reader
    says (the label without "&" and ":" by default); ``attr`` is the dialog attribute the
    editor is kept under (the field's name by default). ``kind`` is picked from the
    field's type unless given (TEXT for several lines). ``choices`` are (shown text,
    value) pairs; ``editable`` lets a choice be typed. ``not_yet`` is the box of a date
    that may be empty; ``until_today`` stops a date after today.
    """

    name: str
    label: str
    kind: str = ""
    accessible: str = ""
    attr: str = ""
    max_length: int = 0
    placeholder: str = ""
    tooltip: str = ""
    choices: Sequence[tuple[str, object]] = ()
    editable: bool = False
    not_yet: str = "Not &yet"
    until_today: bool = False
    minimum: int = 0
    maximum: int = 999_999


def _kind_of(hint: object) -> str:
    if hint is date:
        return DATE
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if args == [date]:
            return OPTIONAL_DATE
    if hint is int:
        return NUMBER
    if hint is bool:
        return TICK
    return LINE


def store_call(
    ctx: AppContext,
    data: object,
    *,
    add: Callable[..., object],
    owner_id: int,
    update: Callable[..., object],
    item: Any,
    today: date,
    changed: bool = True,
) -> Callable[[], object] | None:
    """The service call that stores ``data`` (for :meth:`SavingDialog.save_with`): the
    services' shape ``add(db, actor, owner_id, data, today=)`` for a new record, or
    ``update(db, actor, item.id, item.version, data, today=)`` to correct ``item``; None
    when ``item`` is unchanged."""
    db, actor = ctx.db, ctx.actor
    if item is None:
        return lambda: add(db, actor, owner_id, data, today=today)
    if not changed:
        return None
    return lambda: update(db, actor, item.id, item.version, data, today=today)


class SavingDialog(QDialog):
    """A dialog whose OK saves through a service on the worker thread (see module doc).

    ``accept()`` reads the form and calls :meth:`save_with`; ``stored`` is emitted with
    the service's answer and the dialog closes as accepted; a ``SendeskError`` is shown
    (its sentence also in :attr:`problem`, once placed in the layout) and the dialog
    stays; a ``ConflictError`` closes it as rejected and emits ``conflicted``.
    """

    stored = Signal(object)
    conflicted = Signal()

    def __init__(self, parent: QWidget | None = None, *, changes: Changes = Changes.PUPIL):
        super().__init__(parent)
        self.changes = changes
        self.save_op: Op | None = None
        self.result_value: object = None
        self.save_buttons: QWidget | None = None
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why it was not saved")
        self.problem.hide()

    def ok_cancel(self, layout: QVBoxLayout) -> QDialogButtonBox:
        """The refusal's sentence, then OK and Cancel, at the end of ``layout``."""
        layout.addWidget(self.problem)
        buttons, _ok = dialog_buttons(self, layout)
        self.save_buttons = buttons
        return buttons

    def save_with(self, call: Callable[[], object]) -> Op | None:
        """Run ``call`` (which must not touch widgets: read the form first) on the worker."""
        if self.save_op is not None and not self.save_op.done:
            return None  # one save at a time
        self.problem.hide()
        if self.save_buttons is not None:
            self.save_buttons.setEnabled(False)
        self.save_op = Op(
            self,
            call=lambda _progress: call(),
            success=self._saved,
            failure=self._refused,
            changes=self.changes,
        ).run()
        return self.save_op

    def _saved(self, result: object) -> None:
        if self.save_buttons is not None:
            self.save_buttons.setEnabled(True)
        self.result_value = result
        self.stored.emit(result)
        QDialog.accept(self)

    def _refused(self, exc: BaseException) -> None:
        if self.save_buttons is not None:
            self.save_buttons.setEnabled(True)
        if isinstance(exc, ConflictError):
            warn(self, exc)
            self.conflicted.emit()
            QDialog.reject(self)  # closes without asking whether to keep the changes
        elif isinstance(exc, SendeskError):
            self.problem.setText(str(exc))
            self.problem.show()
            warn(self, exc)
        else:
            show_failure(self, exc)


class FormDialog(SavingDialog):
    """Fields from ``schema`` (a service's input dataclass); OK runs ``save(data)`` on the
    worker. ``fixed``: values of the dataclass the form does not ask for."""

    def __init__(
        self,
        ctx: AppContext,
        title: str,
        schema: type,
        fields: Sequence[Field],
        save: Callable[[Any], object],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        intro: str = "",
        fixed: Mapping[str, object] | None = None,
        changes: Changes = Changes.PUPIL,
    ) -> None:
        super().__init__(parent, changes=changes)
        self.ctx = ctx
        self.today = today or date.today()
        self.schema = schema
        self.fields = tuple(fields)
        self._save = save
        self.fixed = dict(fixed or {})
        self.setWindowTitle(f"{title} — {APP}")
        hints = typing.get_type_hints(schema)
        self.layout_ = QVBoxLayout(self)
        if intro:
            note(self.layout_, intro)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self._kinds: dict[str, str] = {}
        self._editors: dict[str, Any] = {}
        for field in self.fields:
            kind = field.kind or (CHOICE if field.choices else _kind_of(hints.get(field.name)))
            self._kinds[field.name] = kind
            editor, widget, buddy = self._editor(field, kind)
            self._editors[field.name] = editor
            setattr(self, field.attr or field.name, editor)
            self.add_row(field.label, widget, buddy)
        self.button_box = self.ok_cancel(self.layout_)

    # --- building -------------------------------------------------------------------------

    def add_row(self, text: str, field: QWidget, buddy: QWidget | None = None) -> None:
        """A labelled row whose Alt+ key moves to ``buddy`` (the field by default)."""
        label = QLabel(text)
        label.setBuddy(buddy or field)
        self.form.addRow(label, field)

    def _editor(self, field: Field, kind: str) -> tuple[Any, QWidget, QWidget | None]:
        name = field.accessible or field.label.replace("&", "").rstrip(":")
        latest = self.today if field.until_today else None
        widget: QWidget
        if kind == OPTIONAL_DATE:
            optional = OptionalDate(name, field.not_yet, self.today, latest)
            return optional, optional.widget, optional.edit
        if kind == DATE:
            widget = date_edit(name, self.today, latest)
        elif kind == TEXT:
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)
            text.setPlaceholderText(field.placeholder)
            widget = text
        elif kind == CHOICE:
            combo = QComboBox()
            combo.setEditable(field.editable)
            for shown, value in field.choices:
                combo.addItem(shown, value)
            line = combo.lineEdit()
            if line is not None:
                line.setAccessibleName(name)
                if field.max_length:
                    line.setMaxLength(field.max_length)
            widget = combo
        elif kind == NUMBER:
            spin = QSpinBox()
            spin.setRange(field.minimum, field.maximum)
            widget = spin
        elif kind == TICK:
            widget = QCheckBox()
        else:
            edit = QLineEdit()
            if field.max_length:
                edit.setMaxLength(field.max_length)
            edit.setPlaceholderText(field.placeholder)
            widget = edit
        widget.setAccessibleName(name)
        if field.tooltip:
            widget.setToolTip(field.tooltip)
        return widget, widget, None

    # --- values ---------------------------------------------------------------------------

    def field_value(self, name: str) -> Any:
        editor, kind = self._editors[name], self._kinds[name]
        if kind == OPTIONAL_DATE:
            return editor.value()
        if kind == DATE:
            return from_qdate(editor.date())
        if kind == TEXT:
            return editor.toPlainText()
        if kind == CHOICE:
            return editor.currentText() if editor.isEditable() else editor.currentData()
        if kind == NUMBER:
            return editor.value()
        if kind == TICK:
            return editor.isChecked()
        return editor.text()

    def set_field(self, name: str, value: Any) -> None:
        editor, kind = self._editors[name], self._kinds[name]
        if kind == OPTIONAL_DATE:
            editor.set_value(value)
        elif kind == DATE:
            assert isinstance(editor, QDateEdit)
            editor.setDate(to_qdate(value))
        elif kind == TEXT:
            editor.setPlainText(value or "")
        elif kind == CHOICE:
            index = editor.findData(value)
            if index < 0:
                index = editor.findText(str(value))
            if index >= 0:
                editor.setCurrentIndex(index)
            elif editor.isEditable():
                editor.setEditText(str(value))
        elif kind in (NUMBER,):
            editor.setValue(int(value))
        elif kind == TICK:
            editor.setChecked(bool(value))
        else:
            editor.setText(value or "")

    def load(self, record: object) -> None:
        """Show a record's values in the fields of the same names."""
        for field in self.fields:
            if hasattr(record, field.name):
                self.set_field(field.name, getattr(record, field.name))

    def data(self) -> Any:
        """The service's input, from the fields (and ``fixed``)."""
        names = {f.name for f in dataclasses.fields(self.schema)}
        values = {f.name: self.field_value(f.name) for f in self.fields if f.name in names}
        return self.schema(**values, **self.fixed)

    # --- saving ---------------------------------------------------------------------------

    def accept(self) -> None:
        """Read the form, then save it on the worker; the dialog closes when it is saved."""
        data = self.data()
        self.save_with(lambda: self._save(data))
