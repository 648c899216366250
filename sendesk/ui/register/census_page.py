"""The SENCo's "Census check" page: the register against the DfE school census rules.

Why it is built this way: before each census day (first Thursday of October, third
Thursday of January and of May) the SENCo wants one list of what the census would reject
or query, so it can be put right in SENDesk or the MIS before the return is made. The page
runs :func:`sendesk.services.register.census_check.census_check` (the same check as
``sendesk census-check``) and shows a sentence naming the census day and counting the
problems, then one row per problem: the pupil, the rule's number (or that it is not
confirmed), what the rule says, what was found and how to fix it. Enter or a double-click
on a row opens the pupil's record, where most fixes are made; "Check again" re-runs it;
"Export shown" writes the same columns to a CSV for whoever fixes the MIS (audited).

The check runs on the worker thread (issue 14): it reads the whole register, and at a
school of 10,000 pupils it held the window still for half a second each time the page
was opened or checked again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QWidget

from sendesk.errors import SendeskError
from sendesk.rules.census_check import CensusProblem
from sendesk.services.register.census_check import CensusReport, census_check
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import action_button
from sendesk.ui.kit.filtered_page import FilteredPage
from sendesk.ui.kit.table_model import ColumnSpec
from sendesk.ui.kit.table_view import share_width
from sendesk.ui.ops import Op


def rule_number(problem: CensusProblem) -> str:
    """The rule's number as the table shows it: "2170", or that none is confirmed."""
    rule = problem.rule
    text = rule.number if rule.number is not None and rule.confirmed else "Not confirmed"
    return f"{text} (query)" if rule.kind == "query" else text


CENSUS_COLUMNS: tuple[ColumnSpec[CensusProblem], ...] = (
    ColumnSpec("Pupil", lambda p: p.name),
    ColumnSpec("UPN", lambda p: p.upn),
    ColumnSpec("Rule", rule_number, tooltip=lambda p: p.rule.source),
    ColumnSpec("What the rule says", lambda p: p.rule.text),
    ColumnSpec("Found", lambda p: p.detail),
    ColumnSpec("How to fix", lambda p: p.rule.fix),
)
COLUMNS = tuple(c.header for c in CENSUS_COLUMNS)


class CensusPage(FilteredPage[CensusProblem]):
    """``pupil_activated(pupil_id)`` asks the main window to open a pupil's record."""

    pupil_activated = Signal(int)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(
            ctx,
            CENSUS_COLUMNS,
            "Census problems by pupil",
            what="census check",
            pupils=lambda rows: len({p.pupil_id for p in rows}),
            parent=parent,
        )
        self.today = today
        self.loading: Op | None = None  # the latest check on the worker (tests wait on it)
        self.summary.setAccessibleName("Census check summary")
        self.table = self.view
        share_width(self.table, (3, 5))
        self.table.activated.connect(self._open_row)
        self.check_button = action_button("&Check again", "Check again", self.reload)
        self.buttons.insertWidget(0, self.check_button)
        self.reload()

    def reload(self) -> Op:
        """Run the check on the worker; show what it found (or the one sentence why it
        could not) when it lands. Only the latest check's answer is shown."""
        ctx, today = self.ctx, self.today

        def work(_progress: object) -> CensusReport | str:
            try:
                return census_check(ctx.db, ctx.actor, today=today)
            except SendeskError as exc:
                return str(exc)

        self.summary.setText("Checking the register…")
        op = Op(self, work, success=lambda got: self._show(op, got))
        self.loading = op
        return op.run()

    def _show(self, op: Op, got: CensusReport | str) -> None:
        if op is not self.loading:
            return  # checked again meanwhile: that answer is the one to show
        if isinstance(got, str):
            self.summary.setText(got)
            self.set_rows([])
            return
        self.summary.setText(
            got.summary() + (" Enter opens the pupil's record." if got.problems else "")
        )
        self.set_rows(got.problems)

    def pupil_id_at(self, row: int) -> int | None:
        problem = self.record_at(self.proxy.index(row, 0))
        return None if problem is None else problem.pupil_id

    def _open_row(self, index: QModelIndex) -> None:
        problem = self.record_at(index)
        if problem is not None:
            self.pupil_activated.emit(problem.pupil_id)
