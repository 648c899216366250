"""A small editable grid: rows of frozen dataclasses, each cell edited in place by a
combo box, a spin box, a date field or a line, always shown (issue 14).

Why a model and not a ``QTableWidget`` with cell widgets: the rows *are* what the service
takes (``ScoreData``, ``TermException``), so a dialog reads ``model.rows`` instead of
walking widgets and casting them; a row is added or removed in one place, and each cell's
editor is declared once in an :class:`EditColumn`. The editors are persistent (open on
every cell, as the old cell widgets were) and write each change straight back, so a live
check beside the grid follows every keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from sendesk.rules.dates import dmy
from sendesk.ui.kit.dates import DISPLAY_FORMAT, from_qdate, to_qdate
from sendesk.ui.kit.table_model import ColumnsModel, Index

R = TypeVar("R")


@dataclass(frozen=True)
class EditColumn(Generic[R]):
    """One editable column: its header, the value a row holds there (``get``) and the row
    with a new value (``put``, e.g. ``dataclasses.replace``), and its editor: ``choices``
    (label, value) pairs for a combo box (``free`` lets the user type another text),
    ``spin`` a (lowest, highest) range, ``is_date`` a date field, ``check`` a tick (a
    bool, no editor), else a line of at most ``max_length``. ``name(row_number)`` is the
    editor's name for a screen reader; ``editable(row)`` False shows a row's cell as text
    only (e.g. an invitee's name, which the booking set)."""

    header: str
    get: Callable[[R], Any]
    put: Callable[[R, Any], R]
    name: Callable[[int], str]
    choices: Callable[[R], Sequence[tuple[str, Any]]] | None = None
    free: bool = False
    spin: tuple[int, int] | None = None
    is_date: bool = False
    max_length: int = 0
    placeholder: str = ""
    check: bool = False
    editable: Callable[[R], bool] | None = None

    def edits(self, row: R) -> bool:
        """Whether the cell of ``row`` has an editor (a tick is clicked, not edited)."""
        return not self.check and (self.editable is None or self.editable(row))

    def text(self, row: R) -> str:
        value = self.get(row)
        if self.choices is not None and not self.free:
            return next((label for label, v in self.choices(row) if v == value), str(value))
        if isinstance(value, date):
            return dmy(value)
        return "" if value is None else str(value)


class EditRowsModel(ColumnsModel, Generic[R]):
    """Rows edited in place; ``rows`` is what the grid holds now."""

    def __init__(self, columns: Sequence[EditColumn[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[R] = []

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def add(self, row: R) -> int:
        """Append ``row``; returns its number."""
        number = len(self._rows)
        self.beginInsertRows(QModelIndex(), number, number)
        self._rows.append(row)
        self.endInsertRows()
        return number

    def remove(self, number: int) -> None:
        if 0 <= number < len(self._rows):
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self.endRemoveRows()

    def _count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if column.check:
            on = bool(column.get(row))
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return "Yes" if on else "No"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.EditRole:
            return column.get(row)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        if self.columns[index.column()].check:
            if role != Qt.ItemDataRole.CheckStateRole:
                return False
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role != Qt.ItemDataRole.EditRole:
            return False
        number = index.row()
        changed = self.columns[index.column()].put(self._rows[number], value)
        if changed == self._rows[number]:
            return True
        self._rows[number] = changed
        # The whole row: one cell's value may change what another offers (a reason list).
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.columns) - 1))
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or index.row() >= len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        column = self.columns[index.column()]
        shown = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if column.check:
            return shown | Qt.ItemFlag.ItemIsUserCheckable
        return (
            shown | Qt.ItemFlag.ItemIsEditable if column.edits(self._rows[index.row()]) else shown
        )


class EditDelegate(QStyledItemDelegate):
    """Makes each cell's editor from its :class:`EditColumn`; every change is written back
    at once (``commitData``), not when the editor loses focus."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        assert isinstance(model, EditRowsModel)
        column: EditColumn[Any] = model.columns[index.column()]
        row = model.rows[index.row()]
        editor: QWidget
        if column.choices is not None:
            combo = QComboBox(parent)
            combo.setEditable(column.free)
            for label, value in column.choices(row):
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(lambda: self.commitData.emit(combo))
            if column.free:
                combo.currentTextChanged.connect(lambda: self.commitData.emit(combo))
            editor = combo
        elif column.spin is not None:
            spin = QSpinBox(parent)
            spin.setRange(*column.spin)
            spin.valueChanged.connect(lambda: self.commitData.emit(spin))
            editor = spin
        elif column.is_date:
            day = QDateEdit(parent)
            day.setCalendarPopup(True)
            day.setDisplayFormat(DISPLAY_FORMAT)
            day.dateChanged.connect(lambda: self.commitData.emit(day))
            editor = day
        else:
            line = QLineEdit(parent)
            if column.max_length:
                line.setMaxLength(column.max_length)
            line.setPlaceholderText(column.placeholder)
            line.textChanged.connect(lambda: self.commitData.emit(line))
            editor = line
        editor.setAccessibleName(column.name(index.row()))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.blockSignals(True)
        if isinstance(editor, QComboBox):
            model = index.model()
            assert isinstance(model, EditRowsModel)
            column = model.columns[index.column()]
            offer = list(column.choices(model.rows[index.row()])) if column.choices else []
            shown = [(editor.itemText(i), editor.itemData(i)) for i in range(editor.count())]
            if offer != shown[: len(offer)] or len(shown) > len(offer) + 1:
                editor.clear()  # the offer may follow another cell (a reason list)
                for label, choice in offer:
                    editor.addItem(label, choice)
            if column.free:
                if editor.currentText() != str(value or ""):
                    editor.setCurrentText(str(value or ""))
            else:
                found = editor.findData(value)
                if found < 0 and value is not None:  # a value no longer offered: shown, kept
                    editor.addItem(str(value), value)
                    found = editor.count() - 1
                editor.setCurrentIndex(max(found, 0))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDateEdit):
            editor.setDate(to_qdate(value))
        elif isinstance(editor, QLineEdit) and editor.text() != str(value or ""):
            editor.setText(str(value or ""))
        editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            free = isinstance(model, EditRowsModel) and model.columns[index.column()].free
            value = editor.currentText() if free else editor.currentData()
        elif isinstance(editor, QSpinBox):
            editor.interpretText()
            value = editor.value()
        elif isinstance(editor, QDateEdit):
            value = from_qdate(editor.date())
        elif isinstance(editor, QLineEdit):
            value = editor.text()
        else:
            return
        model.setData(index, value, Qt.ItemDataRole.EditRole)


class EditView(QTableView):
    """A grid of ``model`` called ``name``, every editable cell's editor open; column
    ``stretch`` (the last by default) takes the spare width."""

    def __init__(self, model: EditRowsModel[Any], name: str, stretch: int = -1) -> None:
        super().__init__()
        self.setModel(model)
        self.setItemDelegate(EditDelegate(self))
        self.setAccessibleName(name)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            stretch if stretch >= 0 else len(model.columns) - 1, QHeaderView.ResizeMode.Stretch
        )
        model.rowsInserted.connect(self._open_editors)

    def _open_editors(self, _parent: QModelIndex, first: int, last: int) -> None:
        model = self.model()
        assert isinstance(model, EditRowsModel)
        for number in range(first, last + 1):
            row = model.rows[number]
            for column, spec in enumerate(model.columns):
                if spec.edits(row):
                    self.openPersistentEditor(model.index(number, column))
        self.resizeRowsToContents()


def edit_view(model: EditRowsModel[Any], name: str, stretch: int = -1) -> EditView:
    """An :class:`EditView` of ``model``."""
    return EditView(model, name, stretch)


def editor_at(view: QTableView, row: int, column: int) -> QWidget | None:
    """The editor open on a cell (what the user types into)."""
    return view.indexWidget(view.model().index(row, column))
