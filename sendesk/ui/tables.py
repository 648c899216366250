"""Small read-only tables used across the pupil record's tabs, and the rows of buttons under
them: one definition, one look (and every button named for a screen reader)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)


def read_only_item(
    text: str, tooltip: str | None = None, *, number: bool = False
) -> QTableWidgetItem:
    """A cell that can be selected but not edited; numbers align right."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def read_only_table(headers: tuple[str, ...], name: str) -> QTableWidget:
    """A read-only, keyboard-navigable table that fills its width at any scaling."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    # Wrapped cells are measured at the width their column has *now*: a row filled before
    # the table was laid out would otherwise keep the height of a narrow column, several
    # lines too tall, once the window gives it room. Measured after the resize settles
    # (inside sectionResized the header still reports the old geometry), once however many
    # columns moved.
    remeasure = QTimer(table)
    remeasure.setSingleShot(True)
    remeasure.setInterval(0)
    remeasure.timeout.connect(table.resizeRowsToContents)
    header.sectionResized.connect(remeasure.start)
    return table


def share_width(table: QTableWidget, columns: tuple[int, ...]) -> None:
    """Let ``columns`` share the spare width and wrap, so the table fits its page at any
    scaling instead of scrolling sideways; the other columns fit their contents."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in columns:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


def action_button(
    text: str, name: str, slot: Callable[[], object], *, tooltip: str = ""
) -> QPushButton:
    """A button showing ``text`` (with its Alt+ key), called ``name`` for a screen reader,
    that runs ``slot`` when clicked."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    if tooltip:
        button.setToolTip(tooltip)
    button.clicked.connect(slot)
    return button


def button_row(
    layout: QBoxLayout,
    *buttons: QPushButton | None,
    right: tuple[QPushButton | None, ...] = (),
) -> QHBoxLayout:
    """Put ``buttons`` in a row at the end of ``layout``: on the left in the order given
    (which is also the Tab order), then ``right`` pushed to the right-hand end. A None is
    left out: a button the reader's role does not get. Returns the row."""
    row = QHBoxLayout()
    for button in buttons:
        if button is not None:
            row.addWidget(button)
    row.addStretch(1)
    for button in right:
        if button is not None:
            row.addWidget(button)
    layout.addLayout(row)
    return row
