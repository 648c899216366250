"""The SENCo's "Census check" page: the register against the DfE school census rules.

Why it is built this way: before each census day (first Thursday of October, third
Thursday of January and of May) the SENCo wants one list of what the census would reject
or query, so it can be put right in SENDesk or the MIS before the return is made. The page
runs :func:`sendesk.services.register.census_check.census_check` (the same check as
``sendesk census-check``) and shows a sentence naming the census day and counting the
problems, then one row per problem: the pupil, the rule's number (or that it is not
confirmed), what the rule says, what was found and how to fix it. Enter or a double-click
on a row opens the pupil's record, where most fixes are made; "Check again" re-runs it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from sendesk.errors import SendeskError
from sendesk.rules.census_check import CensusProblem
from sendesk.services.register.census_check import census_check
from sendesk.ui.context import AppContext
from sendesk.ui.tables import (
    action_button,
    button_row,
    read_only_item,
    read_only_table,
    share_width,
)

COLUMNS = ("Pupil", "UPN", "Rule", "What the rule says", "Found", "How to fix")


def rule_number(problem: CensusProblem) -> str:
    """The rule's number as the table shows it: "2170", or that none is confirmed."""
    rule = problem.rule
    text = rule.number if rule.number is not None and rule.confirmed else "Not confirmed"
    return f"{text} (query)" if rule.kind == "query" else text


class CensusPage(QWidget):
    """``pupil_activated(pupil_id)`` asks the main window to open a pupil's record."""

    pupil_activated = Signal(int)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Census check summary")
        layout.addWidget(self.summary)
        self.table = read_only_table(COLUMNS, "Census problems by pupil")
        share_width(self.table, (3, 5))
        self.table.activated.connect(self._open_row)
        layout.addWidget(self.table, 1)
        self.check_button = action_button("&Check again", "Check again", self.reload)
        button_row(layout, self.check_button)
        self.reload()

    def reload(self) -> None:
        """Run the check and show what it found (or the one sentence why it could not)."""
        try:
            report = census_check(self.ctx.db, self.ctx.actor, today=self.today)
        except SendeskError as exc:
            self.summary.setText(str(exc))
            self.table.setRowCount(0)
            return
        self.summary.setText(
            report.summary() + (" Enter opens the pupil's record." if report.problems else "")
        )
        self.table.setRowCount(len(report.problems))
        for row, problem in enumerate(report.problems):
            cells = [
                read_only_item(problem.name),
                read_only_item(problem.upn),
                read_only_item(rule_number(problem), problem.rule.source),
                read_only_item(problem.rule.text),
                read_only_item(problem.detail),
                read_only_item(problem.rule.fix),
            ]
            cells[0].setData(Qt.ItemDataRole.UserRole, problem.pupil_id)
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def pupil_id_at(self, row: int) -> int | None:
        item: QTableWidgetItem | None = self.table.item(row, 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _open_row(self, index: QModelIndex) -> None:
        pupil_id = self.pupil_id_at(index.row())
        if pupil_id is not None:
            self.pupil_activated.emit(pupil_id)
