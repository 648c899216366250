"""One read-only table model for every list of records (vorta's archive table model).

Why a model and not a hand-filled ``QTableWidget``: the rows stay the service's frozen
dataclasses, so a screen asks "which record is selected" instead of "which row number",
the selection survives a reload by the record's key, sorting and filtering go through a
proxy without copying text into cells, and the model is tested without any widget. What a
column shows is declared once in a :class:`ColumnSpec`; an export writes the same text.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""``index.data(ROW_ROLE)`` hands back the row's record, through any proxy."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""What a proxy sorts by: the column's ``sort_key``, or its text."""

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
DARK_TEXT = "#1a1a1a"


@dataclass(frozen=True)
class ColumnSpec(Generic[R]):
    """One column: its header, the text a row shows in it, and optionally the row's
    tooltip there, whether it is a number (right-aligned), what it sorts by, and a tint
    behind the cell (a colour name, or None) — the words always say what the tint means,
    and the text on a tint is dark."""

    header: str
    text: Callable[[R], str]
    tooltip: Callable[[R], str] | None = None
    number: bool = False
    sort_key: Callable[[R], Any] | None = None
    tint: Callable[[R], str | None] | None = None


class ColumnsModel(QAbstractTableModel):
    """What every flat table model shares: its rows' count, its columns' headings.

    A model says :meth:`_count`; its headings are its ``columns``' ``header`` (a
    :class:`ColumnSpec`, an ``EditColumn``) unless it says :meth:`_headers` itself."""

    columns: Sequence[Any] = ()
    _header_texts: tuple[Sequence[Any], tuple[str, ...]] | None = None

    def _count(self) -> int:
        raise NotImplementedError

    def _headers(self) -> Sequence[str]:
        """The columns' headings, worked out once per set of columns: Qt asks for them
        (and for the column count) thousands of times while it sizes and paints a view."""
        cached = self._header_texts
        if cached is None or cached[0] is not self.columns:
            cached = (self.columns, tuple(column.header for column in self.columns))
            self._header_texts = cached
        return cached[1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        headers = self._headers()
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(headers)
        ):
            return headers[section]
        return None


class RowsModel(ColumnsModel, Generic[R]):
    """Rows of records shown through column specs; read-only, selectable, sortable."""

    def __init__(self, columns: Sequence[ColumnSpec[R]], rows: Sequence[R] = ()) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self._rows: list[R] = list(rows)

    # --- the records ----------------------------------------------------------------------

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows`` instead (views keep their selection by key, see ``RecordList``)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> R:
        return self._rows[number]

    def row_at(self, number: int) -> R | None:
        """Row ``number``'s record, or None (no row, e.g. ``currentIndex()`` of nothing)."""
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def text(self, number: int, column: int) -> str:
        """What the cell shows: the same text :func:`shown_table` exports."""
        return self.columns[column].text(self._rows[number])

    # --- QAbstractTableModel --------------------------------------------------------------

    def _count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT.value) if column.number else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return column.text(record)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            tint = column.tint(record) if column.tint is not None else None
            if tint is None:
                return None
            return QColor(tint if role == Qt.ItemDataRole.BackgroundRole else DARK_TEXT)
        if role == ROW_ROLE:
            return record
        if role == SORT_ROLE:
            return column.sort_key(record) if column.sort_key else column.text(record)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by the column's ``sort_key`` (its text when it has none)."""
        spec = self.columns[column]
        key = spec.sort_key or spec.text
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class TextRowsModel(ColumnsModel, Generic[R]):
    """A read-only table whose cells' texts were worked out once, with the rows.

    Why not :class:`RowsModel` for a big table: Qt asks for each cell's text many times
    (sizing columns, painting, accessibility), and a Python function per ask over
    thousands of rows held the window for seconds (issue 14). Here the texts are made when
    the rows are read, on the worker thread (:func:`texts_of`), each ask is a lookup, and
    :func:`sendesk.ui.kit.table_view.fit_columns` sizes the columns once from the longest
    texts instead of Qt measuring every row. A cell's tooltip is its text (a long one is
    cut off on screen).
    """

    def __init__(self, columns: Sequence[ColumnSpec[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[R] = []
        self.texts: list[tuple[str, ...]] = []
        self.widest: list[tuple[str, ...]] = []

    def set_rows(
        self,
        rows: Sequence[R],
        texts: Sequence[tuple[str, ...]] | None = None,
        widest: Sequence[tuple[str, ...]] | None = None,
    ) -> None:
        """Show ``rows`` (all at once); ``texts``, from :func:`texts_of`, and ``widest``,
        from :func:`widest_texts`, when made already (on the worker thread)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.texts = list(texts) if texts is not None else texts_of(self.columns, self.rows)
        self.widest = list(widest) if widest is not None else widest_texts(self.texts)
        self.endResetModel()

    def set_table(self, table: TextRows[R]) -> None:
        """Show rows read and worded on the worker thread (:func:`text_rows`)."""
        self.set_rows(table.rows, table.texts, table.widest)

    def row_at(self, row: int) -> R | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            row = index.row()
            return self.texts[row][index.column()] if 0 <= row < len(self.texts) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[index.column()].number:
            return int(_RIGHT.value)
        return None


def texts_of(columns: Sequence[ColumnSpec[R]], rows: Sequence[R]) -> list[tuple[str, ...]]:
    """Every cell's text, row by row (plain Python: run it on the worker thread)."""
    return [tuple(spec.text(row) for spec in columns) for row in rows]


def widest_texts(texts: Sequence[tuple[str, ...]], longest: int = 12) -> list[tuple[str, ...]]:
    """The rows holding each column's ``longest`` longest texts, in their order: all that
    :func:`sendesk.ui.kit.table_view.fit_columns` measures, so sizing a table's columns
    costs the same for ten rows or ten thousand (plain Python: run it on the worker)."""
    if not texts:
        return []
    keep: set[int] = set()
    for column in range(len(texts[0])):
        keep.update(heapq.nlargest(longest, range(len(texts)), key=lambda r: len(texts[r][column])))
    return [texts[r] for r in sorted(keep)]


@dataclass(frozen=True)
class TextRows(Generic[R]):
    """Rows with their cells' texts and the widest of those: what a
    :class:`TextRowsModel` shows, made in one go on the worker thread."""

    rows: list[R]
    texts: list[tuple[str, ...]]
    widest: list[tuple[str, ...]]


def text_rows(columns: Sequence[ColumnSpec[R]], rows: Sequence[R]) -> TextRows[R]:
    """``rows`` ready for :meth:`TextRowsModel.set_table` (plain Python: run it on the worker)."""
    texts = texts_of(columns, rows)
    return TextRows(list(rows), texts, widest_texts(texts))


def shown_table(model: RowsModel[Any] | Any) -> tuple[list[str], list[list[str]]]:
    """The headers and cell texts a model shows, in its order (a proxy's too): what an
    export writes, so a file holds exactly what the screen showed."""
    columns = model.columnCount()
    headers = [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
        for c in range(columns)
    ]
    rows = [
        [str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "") for c in range(columns)]
        for r in range(model.rowCount())
    ]
    return headers, rows
