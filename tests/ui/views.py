"""Reading a table the way a user sees it: the text and tooltip of each cell of a view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView


def row_count(view: QTableView) -> int:
    return view.model().rowCount()


def cells(view: QTableView, row: int) -> list[str]:
    """The texts of one row, left to right."""
    model = view.model()
    return [str(model.index(row, c).data() or "") for c in range(model.columnCount())]


def all_cells(view: QTableView) -> list[list[str]]:
    return [cells(view, r) for r in range(row_count(view))]


def tooltip(view: QTableView, row: int, column: int) -> str:
    return str(view.model().index(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")


def headers(view: QTableView) -> list[str]:
    model = view.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def set_current(view: QTableView, row: int) -> None:
    """Put the keyboard's current cell on ``row`` (as arrow keys would)."""
    view.setCurrentIndex(view.model().index(row, 0))


def background(view: QTableView, row: int, column: int) -> str:
    """The name of the tint behind a cell ("" for none)."""
    colour = view.model().index(row, column).data(Qt.ItemDataRole.BackgroundRole)
    return colour.name() if colour is not None else ""


def foreground(view: QTableView, row: int, column: int) -> QColor:
    """The colour of a cell's text (the palette's when the model sets none)."""
    colour = view.model().index(row, column).data(Qt.ItemDataRole.ForegroundRole)
    return colour if colour is not None else view.palette().text().color()


def set_ticked(view: QTableView, row: int, column: int, on: bool) -> None:
    """Tick or untick a cell's box, as a click on it does."""
    state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
    view.model().setData(view.model().index(row, column), state, Qt.ItemDataRole.CheckStateRole)
