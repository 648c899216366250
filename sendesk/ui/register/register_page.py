"""The register page: one searchable, filterable, sortable table of the pupils on the register.

Why it is built this way: the SENCo lives in this screen, so finding a pupil must be
instant (search as you type, by name or UPN, accents ignored), and what is on screen must
be exactly what gets exported — the export writes :meth:`RegisterFilterProxy.visible_rows`.
The page never opens a database session: :meth:`RegisterPage.reload` calls
:func:`sendesk.services.register.register_view.register_rows`, which reads the register in a fixed
number of queries however many pupils there are — on the worker thread
(:mod:`sendesk.ui.ops`, issue 14): at 10,000 pupils the read is tens of milliseconds of SQL
and row building, which on the GUI thread froze the window as it opened, after every save
and on "Show all pupils". The search keys (every name folded and transliterated: as slow
again) are built there too, with the rows. The rows already shown stay (and stay usable)
until the read lands; the search, filters, sort order and selected pupils are kept across
it, and only the latest read asked for is shown.

Accessibility: every control has an accessible name, the labels are buddies (Alt+letter
moves to their control), Tab walks the controls in reading order (the table does not trap
Tab), Ctrl+F goes to the search box, and overdue reviews are marked in words as well as in
a colour taken from the palette. Sizes come from layouts and font metrics only, so 200%
scaling and dark palettes work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.reports.register_export import FORMATS, write_register
from sendesk.rules.census import NEED_CODES, Area, Provision
from sendesk.services.register.register_view import RegisterRow, register_rows
from sendesk.ui.context import AppContext
from sendesk.ui.kit.forms import sentence_label, tab_order
from sendesk.ui.kit.paths import file_problem
from sendesk.ui.ops import Op, show_failure
from sendesk.ui.register.register_model import (
    Column,
    FilterColumns,
    RegisterFilterProxy,
    RegisterTableModel,
    build_filter_columns,
)

STATUS_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("All statuses", None),
    ("SEN support (K)", Provision.K.value),
    ("EHC plan (E)", Provision.E.value),
    ("No SEN (N)", Provision.N.value),
)
EXPORT_FILTERS = {"csv": "CSV file (*.csv)", "xlsx": "Excel workbook (*.xlsx)"}
READING = "Reading the register…"
"""What the count says until the first read has landed."""

Read = tuple[list[RegisterRow], FilterColumns] | str
"""What a read on the worker hands back: the rows with their filter columns, or the
sentence saying why there are none."""


def year_choice_label(year: int) -> str:
    """A year group as the school says it, for the Year filter."""
    if year == 0:
        return "Reception"
    if year < 0:
        return f"Nursery {year + 3}"
    return f"Year {year}"


def pupils_text(count: int) -> str:
    """Text like "1,200 pupils": thousands separated, singular for one."""
    return f"{count:,} {'pupil' if count == 1 else 'pupils'}"


def count_text(shown: int, total: int) -> str:
    """Text like "312 pupils shown of 1,200": thousands separated, singular for one."""
    return f"{pupils_text(shown)} shown of {total:,}"


class RegisterPage(QWidget):
    """The register screen; emits :attr:`pupil_activated` with a pupil id to open them."""

    pupil_activated = Signal(int)
    """A row was double-clicked, had Enter pressed, or "Open pupil" chosen: the pupil's id."""

    exported = Signal(str)
    """The shown rows were written: the file's path (for the main window's status bar)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("SEND register")

        self.model = RegisterTableModel(self)
        self.proxy = RegisterFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.loading: Op | None = None
        """The latest read on the worker (tests and the main window wait on it)."""
        self.loaded = False
        """True once a read has landed (its rows, or the sentence why there are none)."""
        self.export_op: Op | None = None
        """The latest export (it writes on the worker; tests wait on it)."""
        self._sized_to_rows = False  # the columns were fitted to rows, not just headers

        self._build_controls()
        self._build_table()
        self._build_layout()
        self._connect()
        self._set_tab_order()
        self._update_count()  # "Reading the register…" until the first read lands
        self.reload()

    # --- construction -----------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name or UPN")
        self.search.setAccessibleName("Search pupils by name or UPN")
        self.search.setAccessibleDescription(
            "Shows pupils whose name or UPN contains what you type; accents and case ignored"
        )
        self.search.setClearButtonEnabled(True)
        # Wide enough for a full name at any scaling: measured in characters, not pixels.
        self.search.setMinimumWidth(self.search.fontMetrics().averageCharWidth() * 28)

        self.status_combo = self._combo("Filter by SEN status")
        for label, code in STATUS_CHOICES:
            self.status_combo.addItem(label, code)
        self.status_combo.setToolTip("No SEN (N) is available when all pupils are shown")

        self.area_combo = self._combo("Filter by area of need")
        self.area_combo.addItem("All areas", None)
        for area in Area:
            self.area_combo.addItem(area.value, area.value)
        self.area_combo.setToolTip("Pupils with any recorded need in this broad area")

        self.need_combo = self._combo("Filter by type of need")
        self.need_combo.addItem("All needs", None)
        for code, need in NEED_CODES.items():
            self.need_combo.addItem(f"{code} — {need.description}", code)
        self.need_combo.setToolTip("Pupils with this type of need, primary or secondary")
        for combo in (self.area_combo, self.need_combo):
            self._narrow_with_wide_popup(combo)

        self.year_combo = self._combo("Filter by year group")
        self.year_combo.addItem("All years", None)

        self.show_all = QCheckBox("Show &all pupils", self)
        self.show_all.setAccessibleName("Show all pupils, not only those on the register")
        self.show_all.setToolTip("Include pupils with no special educational need (N)")

        self.clear_button = QPushButton("C&lear filters", self)
        self.clear_button.setAccessibleName("Clear search and filters")

        # Labels are read by their text; an accessible name would hide the count.
        self.count_label = QLabel(self)
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        self.export_button = QPushButton("&Export shown…", self)
        self.export_button.setAccessibleName("Export the pupils shown to CSV or Excel")
        self.written = sentence_label("Where the export was saved")
        self.written.hide()

        self.find_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        # Only while focus is inside this page, so it cannot clash with other pages.
        self.find_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self._update_status_choices()

    def _combo(self, accessible_name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(accessible_name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    @staticmethod
    def _narrow_with_wide_popup(combo: QComboBox) -> None:
        """Let a combo of long descriptions shrink (so the filter row fits a narrow window
        at 200% scaling) while its drop-down list stays wide enough to read every item.

        Both widths are measured from the font, never fixed in pixels.
        """
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        view = combo.view()
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        metrics = view.fontMetrics()
        widest = max(metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        scrollbar = view.verticalScrollBar().sizeHint().width()
        view.setMinimumWidth(widest + scrollbar + 4 * metrics.averageCharWidth())

    def _build_table(self) -> None:
        table = QTableView(self)
        table.setAccessibleName("Pupils on the register")
        table.setModel(self.proxy)
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        table.setWordWrap(False)
        # Column headers cannot take keyboard focus, so sorting is also offered in the
        # table's context menu (Menu key or Shift+F10).
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        # The service returns year, then surname order: show that as "sorted by year".
        header.setSortIndicator(Column.YEAR, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        self.table = table

    def _build_layout(self) -> None:
        search_row = QHBoxLayout()
        search_label = QLabel("&Find:", self)
        search_label.setBuddy(self.search)
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.clear_button)
        search_row.addWidget(self.show_all)

        filter_row = QHBoxLayout()
        for text, combo in (
            ("&Status:", self.status_combo),
            ("A&rea:", self.area_combo),
            ("&Need:", self.need_combo),
            ("&Year:", self.year_combo),
        ):
            label = QLabel(text, self)
            label.setBuddy(combo)
            filter_row.addWidget(label)
            filter_row.addWidget(combo)
        filter_row.addStretch(1)

        bottom_row = QHBoxLayout()
        bottom_row.addWidget(self.count_label, 1)
        bottom_row.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom_row)
        layout.addWidget(self.written)

    def _connect(self) -> None:
        self.search.textChanged.connect(self._search_changed)
        self.status_combo.currentIndexChanged.connect(self._status_changed)
        self.area_combo.currentIndexChanged.connect(self._area_changed)
        self.need_combo.currentIndexChanged.connect(self._need_changed)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        self.show_all.toggled.connect(self._show_all_toggled)
        self.clear_button.clicked.connect(self.clear_filters)
        self.export_button.clicked.connect(self.export_shown)
        self.table.activated.connect(self._row_activated)
        self.table.customContextMenuRequested.connect(self._show_table_menu)
        self.find_shortcut.activated.connect(self.focus_search)

    def _set_tab_order(self) -> None:
        tab_order(
            self.search,
            self.clear_button,
            self.show_all,
            self.status_combo,
            self.area_combo,
            self.need_combo,
            self.year_combo,
            self.table,
            self.export_button,
        )

    # --- public API -----------------------------------------------------------------------

    def reload(self) -> Op:
        """Read the register again on the worker (all pupils when the toggle is on); the
        table fills in when the read lands. Returns the running read (tests wait on it).

        Search, filters, sort order and the selected pupils are kept. Only the latest read
        asked for is shown: one asked for while another runs makes the earlier one's rows
        stale (say "Show all pupils" was turned on and off again). A SendeskError (e.g. a
        role that may not see named pupils) empties the table and shows the sentence above
        it.
        """
        ctx, include_all = self.ctx, self.show_all.isChecked()

        def work(_progress: object) -> Read:
            try:
                rows = register_rows(ctx.db, ctx.actor, include_all=include_all)
            except SendeskError as exc:
                return str(exc)
            # Folding every name for the search is as slow as the read: done here too.
            return rows, build_filter_columns(rows)

        op = Op(
            self,
            work,
            success=lambda read: self._show_read(op, read),
            failure=lambda exc: self._read_failed(op, exc),
        )
        self.loading = op
        return op.run()

    def _show_read(self, op: Op, read: Read) -> None:
        """Show a read's rows (or its sentence), unless a later read was asked for."""
        if op is not self.loading:
            return  # read again meanwhile: that answer is the one to show
        current, selected = self._chosen_pupils()
        if isinstance(read, str):
            self.model.set_rows([])
            self.message_label.setText(read)
            self.message_label.show()
        else:
            self.message_label.hide()
            self.model.set_rows(*read)
        self._update_year_choices()
        if not self.loaded or not self._sized_to_rows:
            # Fitted once there are rows: later reads keep the widths the user chose.
            self.size_columns()
            self._sized_to_rows = self.model.rowCount() > 0
        self.loaded = True
        self._choose_pupils(current, selected)
        self._update_count()

    def _read_failed(self, op: Op, exc: BaseException) -> None:
        """Not a refusal (e.g. the database is locked): said in a message box, as every
        operation's failure is; the rows shown before stay."""
        if op is not self.loading:
            return
        self.loaded = True
        self._update_count()
        show_failure(self, exc)

    def size_columns(self, sample: int = 200) -> None:
        """Make each column as wide as its header and the widest text of the first
        ``sample`` rows.

        Measured here from the model's own text with the table's font: the view's
        ``resizeColumnsToContents`` asks the model for about eight roles per cell from
        C++, a quarter of a second of a 2,000-pupil school's start-up.
        """
        metrics = self.table.fontMetrics()
        # Room for the cell's margins and grid line: measured from the font, so it scales.
        padding = 2 * metrics.averageCharWidth()
        header = self.table.horizontalHeader()
        rows = [self.model.source_row(r) for r in range(min(sample, self.model.rowCount()))]
        for column in Column:
            texts = {self.model.display_text(row, column) for row in rows}
            # Measuring text costs tens of microseconds a string: measure the longest few.
            longest = sorted(texts, key=len, reverse=True)[:5]
            widest = max((metrics.horizontalAdvance(t) for t in longest), default=0)
            header.resizeSection(column, max(header.sectionSizeHint(column), widest + padding))

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filters(self) -> None:
        """Empty the search and set every filter back to "All"."""
        self.search.clear()
        for combo in (self.status_combo, self.area_combo, self.need_combo, self.year_combo):
            combo.setCurrentIndex(0)

    def shown_count(self) -> int:
        """How many pupils the table shows now."""
        return self.proxy.rowCount()

    def export_shown(self) -> None:
        """Ask where to save, then write the rows shown, in the order shown."""
        path = self._ask_export_path()
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> Op:
        """Write the shown rows to ``path`` on the worker, with the export's audit event;
        the format follows the suffix (.csv or .xlsx). Returns the running export (tests
        wait on it).

        Why on the worker (issue 14): an Excel file of a whole school and the audit write
        take long enough to freeze the window. The rows are taken now, in the order shown,
        so what is written is what was on screen when Export was chosen. Export stays
        disabled until the file is written; then a sentence says where it went. A refusal
        (a name not ending in .csv or .xlsx, a folder that cannot be written) is said in
        one sentence, and nothing is written.
        """
        from sendesk.services.evidence.exports import record_export

        rows = self.proxy.visible_rows()
        ctx = self.ctx

        def write(_progress: object) -> Path:
            fmt = path.suffix.lower().lstrip(".")
            if fmt not in FORMATS:
                raise SendeskError("Choose a file name ending in .csv or .xlsx.")
            written = write_register(rows, path, fmt)
            record_export(ctx.db, ctx.actor, "register", len(rows), written)
            return written

        def done(written: Path) -> None:
            self.written.setText(f"Saved {pupils_text(len(rows))} to {written}.")
            self.written.show()
            self._update_count()
            self.exported.emit(str(written))

        def refused(exc: BaseException) -> None:
            self.written.hide()
            self._update_count()
            if isinstance(exc, SendeskError | OSError):
                QMessageBox.warning(self, "Export failed", file_problem(exc))
            else:
                show_failure(self, exc)

        self.written.setText(f"Saving {pupils_text(len(rows))} to {path}…")
        self.written.show()
        self.export_op = Op(self, write, success=done, failure=refused)
        self._update_count()  # Export is disabled while the file is written
        return self.export_op.run()

    def table_menu(self) -> QMenu:
        """The table's context menu: open the pupil, sort by any column, export.

        Clicking a header sorts with the mouse; this menu is the keyboard's way to do it.
        Choosing the column already sorted on reverses the order.
        """
        menu = QMenu("Register", self)
        current = self.proxy.row_at(self.table.currentIndex())
        open_action = menu.addAction("&Open pupil")
        open_action.setEnabled(current is not None)
        open_action.triggered.connect(lambda: self._row_activated(self.table.currentIndex()))
        sort_menu = menu.addMenu("&Sort by")
        header = self.table.horizontalHeader()
        for column in Column:
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            action = sort_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(header.sortIndicatorSection() == column)
            action.triggered.connect(lambda _=False, c=column: self._sort_by(c))
        menu.addSeparator()
        export_action = menu.addAction("&Export shown…")
        export_action.setEnabled(self.export_button.isEnabled())
        export_action.triggered.connect(self.export_shown)
        return menu

    # --- slots ------------------------------------------------------------------------------

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _status_changed(self) -> None:
        code = self.status_combo.currentData()
        self.proxy.set_statuses({code} if code else None)
        self._update_count()

    def _area_changed(self) -> None:
        self.proxy.set_area(self.area_combo.currentData())
        self._update_count()

    def _need_changed(self) -> None:
        self.proxy.set_need_code(self.need_combo.currentData())
        self._update_count()

    def _year_changed(self) -> None:
        self.proxy.set_year(self.year_combo.currentData())
        self._update_count()

    def _show_all_toggled(self, checked: bool) -> None:
        self._update_status_choices()
        self.reload()

    def _show_table_menu(self, pos: QPoint) -> None:
        menu = self.table_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _sort_by(self, column: int) -> None:
        header = self.table.horizontalHeader()
        order = Qt.SortOrder.AscendingOrder
        if header.sortIndicatorSection() == column:
            ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            order = Qt.SortOrder.DescendingOrder if ascending else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(column, order)

    def _row_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        row = self.proxy.row_at(index)
        if row is not None:
            self.pupil_activated.emit(row.pupil_id)

    # --- helpers -----------------------------------------------------------------------------

    def _chosen_pupils(self) -> tuple[tuple[int, int] | None, set[int]]:
        """The current cell's pupil and column, and the selected pupils (a reload resets
        the model, which forgets them)."""
        current = self.proxy.row_at(self.table.currentIndex())
        at = None if current is None else (current.pupil_id, self.table.currentIndex().column())
        rows = (self.proxy.row_at(index) for index in self.table.selectionModel().selectedRows())
        return at, {row.pupil_id for row in rows if row is not None}

    def _choose_pupils(self, current: tuple[int, int] | None, selected: set[int]) -> None:
        """Select ``selected`` and make ``current``'s cell current again, where they are
        still on the register and shown."""
        wanted = set(selected) | ({current[0]} if current else set())
        if not wanted:
            return
        selection = QItemSelection()
        current_index = QModelIndex()
        for number, row in enumerate(self.model.rows):
            if row.pupil_id not in wanted:
                continue
            index = self.proxy.mapFromSource(self.model.index(number, 0))
            if not index.isValid():
                continue  # filtered out: not shown, so not chosen
            if row.pupil_id in selected:
                selection.select(index, index)
            if current is not None and row.pupil_id == current[0]:
                current_index = index.siblingAtColumn(current[1])
        flags = QItemSelectionModel.SelectionFlag
        chooser = self.table.selectionModel()
        if current_index.isValid():
            chooser.setCurrentIndex(current_index, flags.NoUpdate)
            self.table.scrollTo(current_index)
        chooser.select(selection, flags.ClearAndSelect | flags.Rows)

    def _update_count(self) -> None:
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        # Until the first read lands there is nothing to count: say what is happening.
        self.count_label.setText(count_text(shown, total) if self.loaded else READING)
        exporting = self.export_op is not None and not self.export_op.done
        self.export_button.setEnabled(shown > 0 and not exporting)

    def _update_status_choices(self) -> None:
        """The "No SEN (N)" choice only makes sense when all pupils are loaded."""
        show_all = self.show_all.isChecked()
        n_index = self.status_combo.findData(Provision.N.value)
        items = self.status_combo.model()
        if isinstance(items, QStandardItemModel):
            item = items.item(n_index)
            if item is not None:
                item.setEnabled(show_all)
        if not show_all and self.status_combo.currentIndex() == n_index:
            self.status_combo.setCurrentIndex(0)

    def _update_year_choices(self) -> None:
        """Offer the year groups present in the loaded rows; keep the choice if still there."""
        current = self.year_combo.currentData()
        years = sorted({y for y in self.model.filter_columns.years if y is not None})
        self.year_combo.blockSignals(True)
        try:
            self.year_combo.clear()
            self.year_combo.addItem("All years", None)
            for year in years:
                self.year_combo.addItem(year_choice_label(year), year)
            index = self.year_combo.findData(current) if current is not None else 0
            self.year_combo.setCurrentIndex(max(index, 0))
        finally:
            self.year_combo.blockSignals(False)
        self.proxy.set_year(self.year_combo.currentData())

    def _ask_export_path(self) -> Path | None:
        """The file the user chose (with .csv/.xlsx added if they left it off), or None."""
        filters = ";;".join(EXPORT_FILTERS.values())
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export the pupils shown", str(Path.home() / "send-register.csv"), filters
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            fmt = "xlsx" if chosen == EXPORT_FILTERS["xlsx"] else "csv"
            path = path.with_name(f"{path.name}.{fmt}")
        return path
