"""The kit's editable grid: each editor writes straight back to the row it edits, and a
list offered in one cell follows the value of another."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from sendesk.ui.kit.edit_table import EditColumn, EditRowsModel, edit_view, editor_at
from tests.ui.views import cells, headers


@dataclass(frozen=True)
class Visit:
    on: date
    who: str | None
    why: str
    minutes: int
    note: str


def _reasons(v: Visit) -> list[tuple[str, str]]:
    return [("closed", "closed"), ("trip", "trip")] if v.who is None else [("ill", "ill")]


COLUMNS = (
    EditColumn(
        "Date", lambda v: v.on, lambda v, x: replace(v, on=x), lambda n: "Date", is_date=True
    ),
    EditColumn(
        "Who",
        lambda v: v.who,
        lambda v, x: replace(v, who=x),
        lambda n: f"Who {n + 1}",
        choices=lambda _v: [("Everyone", None), ("Ann", "ann")],
    ),
    EditColumn(
        "Why",
        lambda v: v.why,
        lambda v, x: replace(v, why=x),
        lambda n: "Why",
        choices=_reasons,
        free=True,
    ),
    EditColumn(
        "Minutes",
        lambda v: v.minutes,
        lambda v, x: replace(v, minutes=x),
        lambda n: "Minutes",
        spin=(1, 60),
    ),
    EditColumn(
        "Note", lambda v: v.note, lambda v, x: replace(v, note=x), lambda n: "Note", max_length=5
    ),
)


def test_every_change_in_an_editor_is_the_row_at_once(qtbot: QtBot) -> None:
    model: EditRowsModel[Visit] = EditRowsModel(COLUMNS)
    view = edit_view(model, "Visits")
    qtbot.addWidget(view)
    row = model.add(Visit(date(2025, 1, 6), None, "closed", 30, ""))
    assert headers(view) == ["Date", "Who", "Why", "Minutes", "Note"]
    assert cells(view, row) == ["06/01/2025", "Everyone", "closed", "30", ""]

    day, who, why, minutes, note = (editor_at(view, row, c) for c in range(5))
    assert isinstance(day, QDateEdit) and isinstance(who, QComboBox)
    assert isinstance(why, QComboBox) and isinstance(minutes, QSpinBox)
    assert isinstance(note, QLineEdit)
    assert who.accessibleName() == "Who 1"
    assert [why.itemText(i) for i in range(why.count())] == ["closed", "trip"]

    who.setCurrentIndex(who.findData("ann"))
    # the reasons offered follow who; the reason typed stays until changed
    assert [why.itemText(i) for i in range(why.count())] == ["ill"]
    assert why.currentText() == "closed"
    why.setCurrentText("dentist")
    minutes.setValue(20)
    qtbot.keyClicks(note, "late arrival")  # at most 5 characters
    day.setDate(day.date().addDays(1))
    assert model.rows == [Visit(date(2025, 1, 7), "ann", "dentist", 20, "late ")]
    assert cells(view, row) == ["07/01/2025", "Ann", "dentist", "20", "late "]

    model.remove(row)
    assert model.rows == []
