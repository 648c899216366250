"""The exams officer's page: the exams officer's list and nothing else about a pupil.

Why it exists: least privilege (issue 13). The exams officer runs the exam rooms: they
need each candidate's arrangements (extra time, room, approval and expiry), not the
picture of need behind them, so their window shows only this list, and Export… writes it
as the ``sendesk access-arrangements`` command does (CSV, Excel or PDF).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QVBoxLayout, QWidget

from sendesk.errors import SendeskError
from sendesk.reports.access_list import HEADERS, NOBODY, row_values
from sendesk.reports.tabular import cell_text
from sendesk.services.access.overviews import exams_officer_rows
from sendesk.services.access.records import ExamsRow
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import action_button, button_row
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view


def _cells(row: ExamsRow) -> tuple[str, ...]:
    return tuple(cell_text(value) for value in row_values(row))


def _column(number: int, header: str) -> ColumnSpec[ExamsRow]:
    """Column ``number`` of the report's row: the screen shows what the file holds."""
    return ColumnSpec(header, lambda row: _cells(row)[number])


COLUMNS: tuple[ColumnSpec[ExamsRow], ...] = tuple(_column(n, h) for n, h in enumerate(HEADERS))


class ExamsListPage(QWidget):
    """Every candidate with approved (or applied-for) access arrangements."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = date.today()
        self.rows: list[ExamsRow] = []
        layout = QVBoxLayout(self)
        self.summary = note(layout, "", "Summary")
        self.model: RowsModel[ExamsRow] = RowsModel(COLUMNS)
        self.table = read_only_view(self.model, "The exams officer's list")
        layout.addWidget(self.table, 1)
        self.export_button = action_button(
            "&Export…", "Export the exams officer's list", self.export
        )
        button_row(layout, self.export_button)
        self.reload()

    def reload(self) -> None:
        try:
            self.rows = exams_officer_rows(self.ctx.db, self.ctx.actor, today=self.today)
        except SendeskError as exc:
            self.rows = []
            self.summary.setText(str(exc))
            self.model.set_rows([])
            return
        self.model.set_rows(self.rows)
        n = len(self.rows)
        self.summary.setText(
            f"{n} candidate{'s' if n != 1 else ''} with access arrangements." if n else NOBODY
        )

    def export(self) -> Path | None:
        """Write the list where the exams officer chooses (as the SENCo's page does)."""
        from sendesk.ui.access.access_page import export_exams_list

        return export_exams_list(self, self.ctx, self.today, self.rows)


__all__ = ["ExamsListPage"]
