"""The read-only tables of the pupil record: wrapped rows fit the width they are given."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from sendesk.ui.kit.buttons import action_button, button_row
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel, TextRowsModel, text_rows
from sendesk.ui.kit.table_view import read_only_view, share_width, text_rows_view

ADVICE = (
    "Assessment indicates significant anxiety, particularly about school and friendships, "
    "with some low mood. A course of cognitive behavioural therapy has been offered."
)


def texts_model(*headers: str) -> RowsModel[tuple[str, ...]]:
    """A model whose rows are tuples of the texts each column shows."""
    return RowsModel([ColumnSpec(h, lambda row, c=c: row[c]) for c, h in enumerate(headers)])


def test_a_row_filled_while_narrow_shrinks_when_the_table_widens(qtbot: QtBot) -> None:
    model = texts_model("Agency", "Advice")
    table = read_only_view(model, "Agency involvement")
    qtbot.addWidget(table)
    table.resize(260, 300)
    table.show()
    qtbot.waitExposed(table)
    model.set_rows([("CAMHS", ADVICE)])
    table.resizeRowsToContents()
    narrow = table.rowHeight(0)
    assert narrow > 3 * table.fontMetrics().height()  # wrapped over several lines

    table.resize(1400, 300)
    qtbot.waitUntil(lambda: table.rowHeight(0) < narrow)
    assert table.rowHeight(0) <= 2 * table.fontMetrics().height() + 12  # one line now


def test_shared_columns_take_the_spare_width(qtbot: QtBot) -> None:
    model = texts_model("Date", "Advice", "By")
    table = read_only_view(model, "History")
    qtbot.addWidget(table)
    share_width(table, (1,))
    model.set_rows([("01/09/2025", ADVICE, "Ms Senco")])
    table.resize(900, 200)
    table.show()
    qtbot.waitExposed(table)
    header = table.horizontalHeader()
    # The last column keeps its own width rather than stretching; the advice takes the rest.
    assert header.sectionSize(1) > header.sectionSize(0) + header.sectionSize(2)
    assert not header.stretchLastSection()


def test_a_long_list_fits_its_columns_to_the_widest_texts_of_any_row(qtbot: QtBot) -> None:
    """A list that grows with the school (:func:`text_rows_view`) is sized from the rows
    with the widest texts, found with the texts (on the worker): a long name far down the
    list still fits, and every row is one line high."""
    columns = [ColumnSpec("Group", lambda r: r[0]), ColumnSpec("Led by", lambda r: r[1])]
    rows = [(f"10X/Ma{n}", "Ms Senco") for n in range(3000)]
    rows[2500] = ("11Y/Further Mathematics (Saturday school)", "Ms Senco")
    model: TextRowsModel[tuple[str, str]] = TextRowsModel(columns)
    table = text_rows_view(model, "Groups")
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    qtbot.waitExposed(table)
    model.set_table(text_rows(columns, rows))
    assert model.data(model.index(2500, 0)) == rows[2500][0]
    wanted = table.fontMetrics().horizontalAdvance(rows[2500][0])
    assert table.columnWidth(0) > wanted
    assert table.rowHeight(2500) == table.rowHeight(0) < 2 * table.fontMetrics().height()


def test_a_button_row_keeps_its_order_and_leaves_out_buttons_the_role_has_not(
    qtbot: QtBot,
) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    clicked: list[str] = []
    add = action_button("&Add term…", "Add a term's attendance", lambda: clicked.append("add"))
    remove = action_button("Remove t&erm", "Remove the selected term", lambda: clicked.append("rm"))
    pack = action_button(
        "&Build pack…", "Build the request pack", lambda: clicked.append("pack"), tooltip="PDF"
    )
    row = button_row(layout, add, None, remove, right=(None, pack))
    assert layout.itemAt(layout.count() - 1).layout() is row
    page.resize(900, 100)
    page.show()
    qtbot.waitExposed(page)

    assert [(b.text(), b.accessibleName()) for b in (add, remove, pack)] == [
        ("&Add term…", "Add a term's attendance"),
        ("Remove t&erm", "Remove the selected term"),
        ("&Build pack…", "Build the request pack"),
    ]
    assert pack.toolTip() == "PDF" and add.toolTip() == ""
    # Left to right (and so in Tab order): add, remove, then the spare width, then the pack.
    assert add.geometry().right() < remove.geometry().left()
    assert pack.geometry().left() - remove.geometry().right() > 300
    assert page.width() - pack.geometry().right() < 30
    assert add.nextInFocusChain() is remove and remove.nextInFocusChain() is pack
    for button in (remove, pack, add):
        button.click()
    assert clicked == ["rm", "pack", "add"]
