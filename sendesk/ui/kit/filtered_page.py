"""A page that lists records with filters above them and exports exactly what it shows.

Why: the lists the SENCo hands on (census problems, the exams list, provision) are read
filtered and sorted, and the file taken away must hold the same columns and rows as the
screen — no more (a column not shown is still special-category data), no fewer. The page
keeps the records in a :class:`RowsModel`, filters through a proxy (``accepts(record)``),
and its export writes the proxy's texts (:func:`shown_table`), audited as an export, on
the worker thread; then a sentence says how many rows went to which file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from sendesk.errors import SendeskError
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, button_row
from sendesk.ui.kit.forms import sentence_label
from sendesk.ui.kit.table_model import ROW_ROLE, SORT_ROLE, ColumnSpec, RowsModel, shown_table
from sendesk.ui.kit.table_view import read_only_view
from sendesk.ui.ops import Op

R = TypeVar("R")


class RowsFilter(QSortFilterProxyModel):
    """Shows the records ``accepts`` lets through, sorted by each column's sort key."""

    def __init__(self, accepts: Callable[[Any], bool] | None = None) -> None:
        super().__init__()
        self.accepts = accepts
        self.setSortRole(SORT_ROLE)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.accepts is None:
            return True
        record = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        return self.accepts(record)


def export_file_name(parent: QWidget, title: str, suggested: str) -> Path | None:
    """Ask where to save a CSV; None when the user cancels."""
    name, _chosen = QFileDialog.getSaveFileName(
        parent, f"{title} — {APP}", suggested, "CSV (*.csv)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".csv" else path.with_suffix(".csv")


class FilteredPage(QWidget, Generic[R]):
    """Filters (a row the page fills), the records, an Export button and what it wrote.

    ``what`` names the list in the audit log and the suggested file name; ``pupils``
    counts the pupils among the records exported (the rows, by default).
    """

    exported = Signal(str)
    """The path written, once an export is saved and audited."""

    def __init__(
        self,
        ctx: AppContext,
        columns: Sequence[ColumnSpec[R]],
        name: str,
        *,
        what: str,
        accepts: Callable[[R], bool] | None = None,
        pupils: Callable[[Sequence[R]], int] = len,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.what = what
        self._pupils = pupils
        self.export_op: Op | None = None
        self.layout_ = QVBoxLayout(self)
        self.filters = QHBoxLayout()
        self.layout_.addLayout(self.filters)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(f"{name}: summary")
        self.layout_.addWidget(self.summary)
        self.model: RowsModel[R] = RowsModel(columns)
        self.proxy = RowsFilter(accepts)
        self.proxy.setSourceModel(self.model)
        self.view: QTableView = read_only_view(self.proxy, name)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
        self.layout_.addWidget(self.view, 1)
        self.written = sentence_label("Where the export was saved")
        self.written.hide()
        self.export_button = action_button(
            "E&xport shown…", "Export the rows shown to a CSV file", self.export
        )
        self.buttons = button_row(self.layout_, right=(self.export_button,))
        self.layout_.addWidget(self.written)

    def set_rows(self, rows: Sequence[R]) -> None:
        self.model.set_rows(rows)
        self.refilter()

    def refilter(self) -> None:
        """Apply the filters again (call when one changes)."""
        self.proxy.invalidate()
        self.export_button.setEnabled(self.proxy.rowCount() > 0)

    def shown(self) -> list[R]:
        """The records shown, in the order shown."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    def record_at(self, index: QModelIndex) -> R | None:
        return index.data(ROW_ROLE) if index.isValid() else None

    def export(self) -> None:
        """Ask where, then write the rows shown."""
        path = export_file_name(self, "Export the list shown", f"{self.what}.csv")
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> Op:
        """Write exactly the columns and rows shown to ``path`` (on the worker), audit it,
        and say where it went; a refusal's sentence is said instead."""
        from sendesk.reports.shown_table import write_shown_csv
        from sendesk.services.evidence.exports import record_export

        headers, rows = shown_table(self.proxy)
        pupils = self._pupils(self.shown())
        ctx, what = self.ctx, self.what

        def write(_progress: object) -> Path:
            written = write_shown_csv(headers, rows, path)
            record_export(ctx.db, ctx.actor, what, pupils, written)
            return written

        def done(written: Path) -> None:
            count = len(rows)
            self.written.setText(f"Saved {count} row{'s' if count != 1 else ''} to {written}.")
            self.written.show()
            self.exported.emit(str(written))

        def refused(exc: BaseException) -> None:
            text = str(exc) if isinstance(exc, SendeskError | OSError) else ""
            self.written.setText(text or "The list could not be saved; nothing was written.")
            self.written.show()

        self.export_op = Op(self, call=write, success=done, failure=refused).run()
        return self.export_op
