"""The hand-built dialogs' fields (kit/field_widgets): what a screen reader hears, the
limits, the value shown, and that a change of any kind of field reaches the check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from sendesk.ui.kit.dates import OptionalDate
from sendesk.ui.kit.field_widgets import (
    choice,
    date_row,
    labelled,
    line_edit,
    on_change,
    text_row,
    typed_choice,
    watch_fields,
)


def test_a_line_is_named_limited_and_filled(qtbot) -> None:
    edit = line_edit("LA caseworker", 5, "Name, if known", "Ms A Long")
    qtbot.addWidget(edit)
    assert edit.accessibleName() == "LA caseworker"
    assert edit.placeholderText() == "Name, if known"
    assert edit.text() == "Ms A "  # cut at the limit, as typing would be


def test_a_choice_shows_its_value_or_else_the_first(qtbot) -> None:
    labels = {"keep": "Keep the plan", "cease": "Cease the plan"}
    combo = choice("Decision", labelled(labels), "cease")
    qtbot.addWidget(combo)
    assert [combo.itemText(i) for i in range(combo.count())] == list(labels.values())
    assert combo.currentData() == "cease" and combo.accessibleName() == "Decision"
    other = choice("Decision", labelled(labels), "gone")
    qtbot.addWidget(other)
    assert other.currentData() == "keep"


def test_a_typed_choice_names_and_limits_what_is_typed(qtbot) -> None:
    combo = typed_choice("Role of who signed off", ["", "SENCo"], "Head of year", 8)
    qtbot.addWidget(combo)
    line = combo.lineEdit()
    assert line is not None
    assert line.accessibleName() == "Role of who signed off"
    assert line.maxLength() == 8
    assert combo.currentText() == "Head of "  # cut at the limit, as typing would be


def test_rows_show_their_values_under_their_labels(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    notes = text_row(form, "&Why now:", QPlainTextEdit(), "Tried A", "What has been tried")
    assert notes.toPlainText() == "Tried A"
    assert notes.placeholderText() == "What has been tried"
    label = form.labelForField(notes)
    assert isinstance(label, QLabel) and label.buddy() is notes
    sent = date_row(form, "Sent &on:", "Date sent", date(2026, 3, 2), date(2026, 3, 9))
    assert sent.value() == date(2026, 3, 2) and not sent.not_yet.isChecked()
    label = form.labelForField(sent.widget)
    assert isinstance(label, QLabel) and label.buddy() is sent.edit  # Alt+O: the date
    assert sent.edit.accessibleName() == "Date sent" and sent.not_yet.text() == "Not yet"


FIELDS: dict[str, tuple[Callable[[], QWidget], Callable[[QWidget], None]]] = {
    "line": (QLineEdit, lambda w: w.setText("x")),
    "text": (QPlainTextEdit, lambda w: w.setPlainText("x")),
    "list": (lambda: choice("List", [("a", 1), ("b", 2)]), lambda w: w.setCurrentIndex(1)),
    "typed list": (lambda: typed_choice("Typed", ["a"], "a", 9), lambda w: w.setEditText("ab")),
    "date": (QDateEdit, lambda w: w.setDate(QDate(2026, 1, 5))),
    "number": (QDoubleSpinBox, lambda w: w.setValue(2.5)),
    "tick": (QCheckBox, lambda w: w.setChecked(True)),
}


@pytest.mark.parametrize("kind", FIELDS)
def test_any_change_reaches_the_check(qtbot, kind: str) -> None:
    make, change = FIELDS[kind]
    field = make()
    qtbot.addWidget(field)
    seen: list[str] = []
    on_change(lambda: seen.append(kind), field)
    change(field)
    assert seen and set(seen) == {kind}


def test_an_optional_date_reports_through_its_own_connect(qtbot) -> None:
    picker = OptionalDate("Date sent", "Not yet", date(2026, 3, 9))
    qtbot.addWidget(picker.widget)
    seen: list[int] = []
    on_change(lambda: seen.append(1), picker)
    picker.not_yet.setChecked(True)
    assert seen


def test_watching_a_form_hears_each_field_once(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    caseworker = line_edit("LA caseworker", 40)
    form.addRow("Caseworker:", caseworker)
    role = typed_choice("Role", ["SENCo"], "SENCo", 40)
    form.addRow("Role:", role)
    sent = date_row(form, "Sent &on:", "Date sent", None, date(2026, 3, 9))
    form.addRow(QLabel("Not a field"))
    seen: list[str] = []
    watch_fields(lambda: seen.append("changed"), host)
    caseworker.setText("Ms A Long")
    assert seen == ["changed"]
    role.setEditText("Head of year")  # the list's own line is not heard a second time
    assert len(seen) == 2
    sent.not_yet.setChecked(False)
    sent.edit.setDate(QDate(2026, 3, 2))
    assert len(seen) == 4 and sent.value() == date(2026, 3, 2)


def test_a_field_with_no_known_change_is_refused(qtbot) -> None:
    label = QLabel("Not a field")
    qtbot.addWidget(label)
    with pytest.raises(TypeError, match="QLabel"):
        on_change(lambda: None, label)
