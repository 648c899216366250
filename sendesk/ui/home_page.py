"""The home page: what's due across the school, soonest first.

Why it fills in after the window shows: working out what's due reads every part of the
school (reviews, interventions, access arrangements, EHC clocks) through the services and
their models, which import SQLAlchemy — most of a second the SENCo would otherwise spend
looking at nothing. The main window calls :meth:`HomePage.load_once` once it has been drawn,
and the work runs on the worker thread (:mod:`sendesk.ui.ops`), so the window answers
while it is worked out.
"""

from __future__ import annotations

import html
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.ui.context import AppContext
from sendesk.ui.ops import Op

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

SEVERITY_LABELS = {"overdue": "Overdue", "soon": "Due soon", "later": "Coming up", "gap": "Missing"}
Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)


class DueModel(QAbstractTableModel):
    """Rows of :class:`DueItem`; the severity is spelled out, not shown by colour alone."""

    HEADERS = ("When", "Status", "Pupil", "What")

    def __init__(self) -> None:
        super().__init__()
        self.items: list[DueItem] = []
        self.today = date.today()

    def set_items(self, items: list[DueItem], today: date | None = None) -> None:
        self.beginResetModel()
        self.items = items
        self.today = today or date.today()
        self.endResetModel()

    def status_text(self, item: DueItem) -> str:
        """The severity in words; a step past its date yet not overdue has had its time
        extended (an EHC clock exception), and says so."""
        if item.severity == "soon" and item.due is not None and item.due < self.today:
            return "Extended"
        return SEVERITY_LABELS.get(item.severity, item.severity.capitalize())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.due.strftime("%d/%m/%Y") if item.due else "Now",
                self.status_text(item),
                item.who,
                item.text,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return item.text
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and item.severity == "overdue"
            and index.column() < 2
        ):
            return QPalette().brush(QPalette.ColorRole.Link)  # readable in light and dark
        return None


class HomePage(QWidget):
    """What's due; double-click (or Enter) opens the pupil, or for sessions not logged,
    the group's first unlogged day in My groups (``group_activated``: group id, date)."""

    pupil_activated = Signal(int)
    group_activated = Signal(int, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setAccessibleName("Summary of what is due")
        self.summary.setWordWrap(True)  # the JCQ edition's notice is a long sentence
        layout.addWidget(self.summary)
        self.model = DueModel()
        self.table = QTableView()
        self.table.setAccessibleName("What's due")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(100)  # measure a sample of rows, not all of them
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table)
        self.loaded = False
        self._loading: Op | None = None
        self.summary.setText("<b>What's due</b> — working it out…")

    def load_once(self) -> Op | None:
        """Fill the page in (once), unless a reload already has or is under way."""
        if self.loaded or self._loading is not None:
            return self._loading
        return self.reload()

    def reload(self, today: date | None = None) -> Op:
        """Work out what's due on the worker thread (ops.py); the page fills in when it
        is done. Returns the running operation (tests wait on it)."""
        ctx = self.ctx

        def work(_progress: object) -> tuple[list[DueItem], str | None]:
            from sendesk.services.access_arrangements import access_notice
            from sendesk.services.due import due_items  # see the module docstring

            items = due_items(ctx.db, ctx.actor, today=today)
            # Past the JCQ edition's dates the rules still apply: say so where all land.
            return items, access_notice(ctx.db, ctx.actor, today=today)

        op = Op(
            self,
            work,
            success=lambda result: self._show(*result, today=today),
            failure=self._failed,
        )
        self._loading = op
        return op.run()

    def _show(self, items: list[DueItem], notice: str | None, *, today: date | None) -> None:
        self._loading = None
        self.model.set_items(items, today)
        overdue = sum(1 for i in items if i.severity == "overdue")
        soon = sum(1 for i in items if i.severity == "soon")
        gaps = sum(1 for i in items if i.severity == "gap")
        self.summary.setText(
            f"<b>What's due</b> — {overdue} overdue, {soon} due in the next four weeks, "
            f"{gaps} gaps in records." + (f"<br>{html.escape(notice)}" if notice else "")
        )
        self.loaded = True

    def _failed(self, exc: BaseException) -> None:
        """Shown where the summary would be: nobody is waiting on a dialog."""
        self._loading = None
        if isinstance(exc, SendeskError):
            self.summary.setText(f"<b>What's due</b> — {html.escape(str(exc))}")
            return
        log.error("what's due could not be worked out", exc_info=exc)
        self.summary.setText(  # e.g. the database is locked: say so rather than hang
            "<b>What's due</b> — could not be worked out "
            f"({html.escape(type(exc).__name__)}); try again after restarting SENDesk."
        )

    def _activated(self, index: QModelIndex) -> None:
        from sendesk.services.interventions_due import LOG_WITHIN_DAYS

        item = self.model.items[index.row()]
        if item.pupil_id is not None:
            self.pupil_activated.emit(item.pupil_id)
        elif item.group_id is not None and item.due is not None:
            # the item is due a week after the first session not logged: open that day
            self.group_activated.emit(item.group_id, item.due - timedelta(days=LOG_WITHIN_DAYS))
