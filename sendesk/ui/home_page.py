"""The home page: what's due across the school, soonest first.

Why it fills in after the window shows: working out what's due reads every part of the
school (reviews, interventions, access arrangements, EHC clocks) through the services and
their models, which import SQLAlchemy — most of a second the SENCo would otherwise spend
looking at nothing. The main window calls :meth:`HomePage.load_once` once it has been drawn,
and the work runs on the worker thread (:mod:`sendesk.ui.ops`), so the window answers
while it is worked out.

What's shown (issue 14): the items under the headings overdue / this week / no date / later
(a tree: arrow keys open and close a heading), filtered by kind, year group and when they
are due (:mod:`sendesk.rules.due`, which imports no SQLAlchemy, so the filters are built
before the first draw). The filters are kept for the rest of the session, also when the
user locks or signs out and back in (:data:`REMEMBERED`); not on disk: they are a view.
Double-clicking an item about a pupil opens the pupil on the tab it is about
(:data:`TAB_FOR_KIND`).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import due as rules
from sendesk.rules.dates import dmy
from sendesk.ui.context import AppContext
from sendesk.ui.kit.table_model import ColumnsModel, widest_texts
from sendesk.ui.kit.table_view import fit_texts
from sendesk.ui.ops import Op

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

SEVERITY_LABELS = {"overdue": "Overdue", "soon": "Due soon", "later": "Coming up", "gap": "Missing"}
Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)

TAB_FOR_KIND: dict[str, str] = {
    "review": "plans",  # the next SEN support review: set by a support plan
    "plan review": "plans",
    "parent meetings": "plans",  # parents' views are taken at plan starts and reviews
    "annual review": "ehc",
    "meeting invitations": "meetings",  # a booked review meeting's letter to write
    "meeting record": "meetings",  # who came to a meeting held
    "concern": "concerns",  # a new cause for concern to decide
    "concern evidence": "concerns",  # more evidence the SENCo asked for
    "concern review": "concerns",  # a monitored concern, or a first plan to write
    "access arrangement": "access",
    "access evidence": "access",
    "intervention measure": "interventions",
    "register": "history",  # left but still on the register: the status history
    "arrival review": "history",  # the previous school's entries, marked (CTF)
    "SEN file": "profile",  # the leaving date and destination
    "needs": "needs",
    "contacts": "profile",
    "UPN": "profile",
}
"""The pupil-record tab (:data:`sendesk.ui.register.pupil_tabs.TAB_TITLES`) a "what's due" item
of each kind is about; every EHC kind opens the EHC plan tab."""


def tab_for(item: DueItem) -> str:
    """The tab of the pupil's record to open for ``item`` (Profile when none fits)."""
    if item.kind.startswith("EHC"):
        return "ehc"
    return TAB_FOR_KIND.get(item.kind, "profile")


def year_text(year: int) -> str:
    """A year group as the school says it, for the year filter."""
    if year == 0:
        return "Reception"
    return f"Nursery {year + 3}" if year < 0 else f"Year {year}"


@dataclass
class Filters:
    """The home page's filters: categories (None: every kind), year (a year group,
    None for "not recorded", or :data:`sendesk.rules.due.ALL_YEARS`) and period."""

    category: str | None = None
    year: int | str | None = rules.ALL_YEARS
    period: str = "any"


WIDEST = 8
"""How many of each column's longest texts are measured to fit it."""

REMEMBERED: dict[tuple[str, int], Filters] = {}
"""Each user's filters (by database and user id) for the rest of this run of SENDesk."""


def status_text(item: DueItem, today: date) -> str:
    """The severity in words; a step past its date yet not overdue has had its time
    extended (an EHC clock exception), and says so."""
    if item.severity == "soon" and item.due is not None and item.due < today:
        return "Extended"
    return SEVERITY_LABELS.get(item.severity, item.severity.capitalize())


Texts = list[tuple[str, str, str, str]]


def due_texts(items: list[DueItem], today: date) -> Texts:
    """Each item's four cells, made once, not on each of the many times Qt asks for a cell
    (sizing the columns, opening every heading, painting); plain Python, made on the
    worker thread with the items (a big school has thousands)."""
    return [
        (
            dmy(item.due, "Now"),
            status_text(item, today),
            item.who,
            item.text,
        )
        for item in items
    ]


class DueModel(ColumnsModel):
    """Rows of :class:`DueItem`; the severity is spelled out, not shown by colour alone."""

    HEADERS = ("When", "Status", "Pupil", "What")

    def __init__(self) -> None:
        super().__init__()
        self.items: list[DueItem] = []
        self.texts: Texts = []
        self.widest: Texts = []  # the rows with the widest texts: what the columns fit
        self.today = date.today()
        self._overdue = QPalette().brush(QPalette.ColorRole.Link)  # readable, light or dark

    def set_items(
        self,
        items: list[DueItem],
        today: date | None = None,
        texts: Texts | None = None,
        widest: Texts | None = None,
    ) -> None:
        """Show ``items``, with their :func:`due_texts` and the widest of those when
        made already (on the worker)."""
        self.beginResetModel()
        self.items = items
        self.today = today or date.today()
        self.texts = texts if texts is not None else due_texts(items, self.today)
        self.widest = widest if widest is not None else widest_texts(self.texts, WIDEST)
        self._overdue = QPalette().brush(QPalette.ColorRole.Link)
        self.endResetModel()

    def _count(self) -> int:
        return len(self.items)

    def _headers(self) -> tuple[str, ...]:
        return self.HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """What :meth:`data` gives for a row and column (the grouped view asks directly)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts[row][column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return self.texts[row][3]
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column < 2
            and self.items[row].severity == "overdue"
        ):
            return self._overdue
        return None


class GroupedDueModel(QAbstractItemModel):
    """The shown items of a :class:`DueModel` under headings, as a two-level tree.

    A heading row's internal id is 0; an item row's is its heading's row + 1, and its data
    come from the flat model (so the columns, words and colours are the same). The flat
    model stays the list of everything; this one is rebuilt when a filter changes.
    """

    def __init__(self, source: DueModel) -> None:
        super().__init__()
        self.source = source
        self.groups: list[tuple[str, list[int]]] = []  # heading label, source rows

    def set_groups(self, groups: list[tuple[str, list[int]]]) -> None:
        self.beginResetModel()
        self.groups = groups
        self.endResetModel()

    def source_row(self, index: Index) -> int | None:
        """The flat model's row for an item's index; None for a heading."""
        if not index.isValid() or index.internalId() == 0:
            return None
        return self.groups[index.internalId() - 1][1][index.row()]

    def shown_rows(self) -> list[int]:
        """The flat model's rows shown, top to bottom."""
        return [row for _label, rows in self.groups for row in rows]

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Checked here rather than by ``hasIndex``, which asks Python for the row and
        column counts again: opening every heading asks for each item's index."""
        if not 0 <= column < len(DueModel.HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self.groups) else QModelIndex()
        heading = parent.row()
        if parent.internalId() != 0 or parent.column() != 0 or row >= len(self.groups[heading][1]):
            return QModelIndex()
        return self.createIndex(row, column, heading + 1)

    def parent(self, index: Index) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(DueModel.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return self.source.headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.source_row(index)
        if row is not None:
            return self.source.cell(row, index.column(), role)
        label, rows = self.groups[index.row()]
        if index.column() != 0:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{label} ({len(rows)})"
        if role == Qt.ItemDataRole.FontRole:
            font = QApplication.font()
            font.setBold(True)
            return font
        return None


@dataclass(frozen=True)
class _Read:
    """What's due as read on the worker, with its cells' texts and the widest of them."""

    items: list[DueItem]
    texts: Texts
    widest: Texts
    notice: str | None  # past the JCQ edition's dates


class HomePage(QWidget):
    """What's due; double-click (or Enter) opens the pupil, or for sessions not logged,
    the group's first unlogged day in My groups (``group_activated``: group id, date)."""

    pupil_activated = Signal(int, str)  # pupil id, the tab of their record to open
    group_activated = Signal(int, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setAccessibleName("Summary of what is due")
        self.summary.setWordWrap(True)  # the JCQ edition's notice is a long sentence
        layout.addWidget(self.summary)
        layout.addLayout(self._build_filters())
        self.model = DueModel()
        self.grouped = GroupedDueModel(self.model)
        self.model.modelReset.connect(self._refilter)  # however the items arrive
        self.table = QTreeView()
        self.table.setAccessibleName("What's due")
        self.table.setModel(self.grouped)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)  # thousands of rows lay out at once
        self.table.setAllColumnsShowFocus(True)
        self.table.setExpandsOnDoubleClick(False)  # _activated opens and closes headings
        header = self.table.header()
        header.setStretchLastSection(True)  # the columns are sized in _fit_columns
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table)
        self.shown_label = QLabel()
        self.shown_label.setAccessibleName("How many items are shown")
        layout.addWidget(self.shown_label)
        self.loaded = False
        self.failure: str | None = None
        """Why the last load failed (the sentence shown instead of the items), else None."""
        self._loading: Op | None = None
        self.summary.setText("<b>What's due</b> — working it out…")

    def _build_filters(self) -> QHBoxLayout:
        """Kind, year group and when: three lists with labels and mnemonics (Alt+K, Alt+Y,
        Alt+U), set from what this user chose before in this session."""
        chosen = REMEMBERED.get(self._who(), Filters())
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Show items of this kind")
        self.kind_combo.addItem("All kinds", None)
        for key, label in rules.CATEGORIES:
            self.kind_combo.addItem(label, key)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(chosen.category), 0))
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Show items about pupils in this year group")
        self._fill_years([], chosen.year)
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName("Show items due by")
        self.period_combo.setToolTip(
            "Anything overdue, and gaps with no date (they need doing now), are due by "
            "every choice but “Overdue only”."
        )
        for key, label, _days in rules.PERIODS:
            self.period_combo.addItem(label, key)
        self.period_combo.setCurrentIndex(max(self.period_combo.findData(chosen.period), 0))
        row = QHBoxLayout()
        for text, combo in (
            ("&Kind:", self.kind_combo),
            ("&Year group:", self.year_combo),
            ("D&ue:", self.period_combo),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo)
            combo.currentIndexChanged.connect(self._refilter)
        row.addStretch(1)
        return row

    def _who(self) -> tuple[str, int]:
        """Whose filters these are: the database (a file, or a server URL, its password
        masked) and the user in it."""
        target = self.ctx.db.target
        return (str(target.path or target.server_url), self.ctx.actor.user_id)

    def _fill_years(self, years: list[int | None], chosen: int | str | None) -> None:
        """The year list: every year group with an item, "not recorded" if a pupil has
        none; the year chosen stays in the list (with nothing under it) until changed."""
        combo = self.year_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("All year groups", rules.ALL_YEARS)
            present = {y for y in years if y is not None}
            if isinstance(chosen, int):
                present.add(chosen)
            for year in sorted(present):
                combo.addItem(year_text(year), year)
            if None in years or chosen is None:
                combo.addItem("Year not recorded", None)
            found = next(
                (i for i in range(combo.count()) if combo.itemData(i) == chosen), 0
            )  # findData would match 0 (Reception) with None
            combo.setCurrentIndex(found)
        finally:
            combo.blockSignals(False)

    @property
    def filters(self) -> Filters:
        """The filters chosen on screen."""
        return Filters(
            self.kind_combo.currentData(),
            self.year_combo.currentData(),
            self.period_combo.currentData(),
        )

    def _refilter(self) -> None:
        """Show the items the filters let through under their headings, every heading
        open, and remember the filters for the session."""
        filters = self.filters
        REMEMBERED[self._who()] = filters
        items = self.model.items
        today = self.model.today
        years = sorted(
            {i.year_group for i in items if i.pupil_id is not None}, key=lambda y: (y is None, y)
        )
        if [self.year_combo.itemData(i) for i in range(1, self.year_combo.count())] != years:
            self._fill_years(years, filters.year)
        row_of = {id(item): row for row, item in enumerate(items)}
        shown = rules.filter_items(
            items,
            today,
            categories=None if filters.category is None else {filters.category},
            year=filters.year,
            period=filters.period,
        )
        labels = dict(rules.GROUPS)
        self.grouped.set_groups(
            [
                (labels[key], [row_of[id(i)] for i in group])
                for key, group in rules.grouped(shown, today)
            ]
        )
        for heading in range(self.grouped.rowCount()):
            self.table.setFirstColumnSpanned(heading, QModelIndex(), True)
            # The headings only: expandAll would also mark each of thousands of items
            # expanded (a persistent index each) and ask each for children it cannot have.
            self.table.expand(self.grouped.index(heading, 0))
        self._fit_columns()
        if not self.table.currentIndex().isValid() and self.grouped.rowCount():
            # the first item, not its heading: Enter opens what is most overdue
            self.table.setCurrentIndex(self.grouped.index(0, 0, self.grouped.index(0, 0)))
        total = len(items)
        if not total:
            self.shown_label.setText("")  # the summary above says there is nothing due
        elif len(shown) == total:
            self.shown_label.setText(f"Showing all {total} items." if total > 1 else "")
        else:
            self.shown_label.setText(
                f"Showing {len(shown)} of {total} items: change the filters above to see "
                "the others."
            )

    def _fit_columns(self) -> None:
        """Size the columns to their headers and widest words, measuring only the longest
        texts: Qt sizing them to their contents asked for every cell of every open
        heading, again on each change of filter (issue 14)."""
        fit_texts(
            self.table,
            DueModel.HEADERS[:-1],  # the last one stretches
            self.model.widest,  # found on the worker
            WIDEST,
            # an item sits under its heading: the heading's branch and the item's own
            # indentation come before its text (dates were cut short with one)
            first_extra=2 * self.table.indentation(),
        )

    def load_once(self) -> Op | None:
        """Fill the page in (once), unless a reload already has or is under way."""
        if self.loaded or self._loading is not None:
            return self._loading
        return self.reload()

    def reload(self, today: date | None = None) -> Op:
        """Work out what's due on the worker thread (ops.py); the page fills in when it
        is done. Returns the running operation (tests wait on it)."""
        ctx = self.ctx

        def work(_progress: object) -> _Read:
            from sendesk.services.access.edition import access_notice
            from sendesk.services.due import due_items  # see the module docstring

            items = due_items(ctx.db, ctx.actor, today=today)
            texts = due_texts(items, today or date.today())
            # Past the JCQ edition's dates the rules still apply: say so where all land.
            notice = access_notice(ctx.db, ctx.actor, today=today)
            return _Read(items, texts, widest_texts(texts, WIDEST), notice)

        op = Op(
            self,
            work,
            success=lambda read: self._show(read, today=today),
            failure=self._failed,
        )
        self._loading = op
        return op.run()

    def _show(self, read: _Read, *, today: date | None) -> None:
        self._loading = None
        self.failure = None
        items, notice = read.items, read.notice
        self.model.set_items(items, today, read.texts, read.widest)
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
            self.failure = str(exc)
        else:
            log.error("what's due could not be worked out", exc_info=exc)
            # e.g. the database is locked: say so rather than hang
            self.failure = (
                f"could not be worked out ({type(exc).__name__}); "
                "try again after restarting SENDesk."
            )
        self.summary.setText(f"<b>What's due</b> — {html.escape(self.failure)}")

    def _activated(self, index: QModelIndex) -> None:
        """Open what the item is about; on a heading, open or close it."""
        from sendesk.services.graduated.interventions_due import LOG_WITHIN_DAYS

        if index.model() is self.grouped:
            row = self.grouped.source_row(index)
            if row is None:
                heading = index.siblingAtColumn(0)
                self.table.setExpanded(heading, not self.table.isExpanded(heading))
                return
        else:  # an index of the flat model (how tests and other callers name an item)
            row = index.row()
        item = self.model.items[row]
        if item.pupil_id is not None:
            self.pupil_activated.emit(item.pupil_id, tab_for(item))
        elif item.group_id is not None and item.due is not None:
            # the item is due a week after the first session not logged: open that day
            self.group_activated.emit(item.group_id, item.due - timedelta(days=LOG_WITHIN_DAYS))
