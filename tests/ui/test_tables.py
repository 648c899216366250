"""The read-only tables of the pupil record: wrapped rows fit the width they are given."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sendesk.ui.tables import read_only_item, read_only_table, share_width

ADVICE = (
    "Assessment indicates significant anxiety, particularly about school and friendships, "
    "with some low mood. A course of cognitive behavioural therapy has been offered."
)


def test_a_row_filled_while_narrow_shrinks_when_the_table_widens(qtbot: QtBot) -> None:
    table = read_only_table(("Agency", "Advice"), "Agency involvement")
    qtbot.addWidget(table)
    table.resize(260, 300)
    table.show()
    qtbot.waitExposed(table)
    table.setRowCount(1)
    table.setItem(0, 0, read_only_item("CAMHS"))
    table.setItem(0, 1, read_only_item(ADVICE))
    table.resizeRowsToContents()
    narrow = table.rowHeight(0)
    assert narrow > 3 * table.fontMetrics().height()  # wrapped over several lines

    table.resize(1400, 300)
    qtbot.waitUntil(lambda: table.rowHeight(0) < narrow)
    assert table.rowHeight(0) <= 2 * table.fontMetrics().height() + 12  # one line now


def test_shared_columns_take_the_spare_width(qtbot: QtBot) -> None:
    table = read_only_table(("Date", "Advice", "By"), "History")
    qtbot.addWidget(table)
    share_width(table, (1,))
    table.setRowCount(1)
    for column, text in enumerate(("01/09/2025", ADVICE, "Ms Senco")):
        table.setItem(0, column, read_only_item(text))
    table.resize(900, 200)
    table.show()
    qtbot.waitExposed(table)
    header = table.horizontalHeader()
    # The last column keeps its own width rather than stretching; the advice takes the rest.
    assert header.sectionSize(1) > header.sectionSize(0) + header.sectionSize(2)
    assert not header.stretchLastSection()
