"""How every read-only table looks: keyboard-navigable, whole rows selected, fitting its
width at any scaling. :func:`read_only_view` shows a :class:`RowsModel` (no table is
filled cell by cell any more: issue 14)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableView,
    QTreeView,
)

from sendesk.ui.kit.table_model import ROW_ROLE, RowsModel, TextRowsModel


def _style(table: QTableView, name: str, *, fit_rows: bool = True) -> None:
    """How a read-only table looks; ``fit_rows``: the columns fit their contents and each
    row is as tall as its wrapped texts (measured from every row: for short tables)."""
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    if not fit_rows:
        table.setWordWrap(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        return
    table.setWordWrap(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
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


def read_only_view(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only view of ``model`` called ``name`` for a screen reader."""
    view = QTableView()
    view.setModel(model)
    _style(view, name)
    model.modelReset.connect(view.resizeRowsToContents)
    model.layoutChanged.connect(view.resizeRowsToContents)
    return view


def fit_to_rows(view: QTableView) -> QTableView:
    """Make ``view`` exactly as tall as its rows, always (the page scrolls, not the table):
    a table among other sections, whose long notes wrap in the last column instead of
    scrolling sideways. When the columns' widths change the rows are measured again
    (:func:`read_only_view`), and the height follows them, so no wrapped note is cut off."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit_height() -> None:
        rows = view.model().rowCount()
        body = sum(view.rowHeight(r) for r in range(rows))
        body = max(body, view.verticalHeader().defaultSectionSize())
        header = view.horizontalHeader().sizeHint().height()
        view.setFixedHeight(header + body + 2 * view.frameWidth())

    follow = QTimer(view)  # once for however many rows changed height
    follow.setSingleShot(True)
    follow.setInterval(0)
    follow.timeout.connect(fit_height)
    view.verticalHeader().sectionResized.connect(follow.start)
    view.model().modelReset.connect(fit_height)
    return view


def selected_record(view: QTableView) -> Any:
    """The record of the selected row (through any proxy), or None."""
    rows = view.selectionModel().selectedRows()
    return rows[0].data(ROW_ROLE) if rows else None


def select_record(view: QTableView, key: Hashable | None, of: Callable[[Any], Hashable]) -> bool:
    """Select the row whose record ``of(record) == key``; False when none is shown."""
    if key is None:
        return False
    model = view.model()
    for number in range(model.rowCount()):
        index = model.index(number, 0)
        if of(index.data(ROW_ROLE)) == key:
            view.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            view.setCurrentIndex(index)
            return True
    return False


def show_rows(
    view: QTableView,
    model: RowsModel[Any],
    rows: Sequence[Any],
    *,
    select: Hashable | None = None,
    key: Callable[[Any], Hashable] = lambda record: record.id,
    first: bool = True,
) -> None:
    """Show ``rows`` in ``view``, keeping the selected record (by ``key``), or selecting
    ``select``, or else the first row (``first``) or none."""
    current = selected_record(view)
    keep = select if select is not None else (key(current) if current is not None else None)
    model.set_rows(rows)
    if not select_record(view, keep, key) and rows and first:
        view.selectRow(0)


def share_width(table: QTableView, columns: tuple[int, ...]) -> None:
    """Let ``columns`` share the spare width and wrap, so the table fits its page at any
    scaling instead of scrolling sideways; the other columns fit their contents."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in columns:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


def fit_columns(table: QTableView, model: TextRowsModel[Any], longest: int = 12) -> None:
    """Size each column of ``model``'s view to its header and widest text, once, measuring
    only the rows with the widest texts (``model.widest``, found on the worker)."""
    fit_texts(table, [spec.header for spec in model.columns], model.widest, longest)


def text_rows_view(model: TextRowsModel[Any], name: str) -> QTableView:
    """A read-only view of a :class:`TextRowsModel` called ``name``, for lists that grow
    with the school: each row one line high and the columns fitted to the widest texts
    whenever the rows change, so nothing is measured row by row (issue 14); a long text
    is cut off, and shown whole in its tooltip."""
    view = QTableView()
    view.setModel(model)
    _style(view, name, fit_rows=False)
    model.modelReset.connect(lambda: fit_columns(view, model))
    return view


def fit_texts(
    view: QTableView | QTreeView,
    titles: Sequence[str],
    texts: Sequence[tuple[str, ...]],
    longest: int = 12,
    *,
    first_extra: int = 0,
) -> None:
    """Size the columns headed ``titles`` to the title and the widest of ``texts``
    (measuring only the ``longest`` texts by length), once, instead of Qt measuring every
    row on every change (issue 14). ``first_extra``: room the first column also needs (a
    tree's indentation). A table's or a tree's header."""
    metrics = view.fontMetrics()
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
    pad = (
        2 * view.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
        + metrics.averageCharWidth()
    )
    for column, title in enumerate(titles):
        widest = heapq.nlargest(longest, (t[column] for t in texts), key=len)
        wide = max(metrics.horizontalAdvance(t) for t in [title, *widest]) + 2 * pad
        header.resizeSection(column, wide + (first_extra if column == 0 else 0))
