"""The costed provision map: what support cost this year, for the school and for one pupil.

Why it is built this way: an EHC needs assessment request has to show that the school has
spent its notional SEN budget on the child, so the SENCo picks an academic year and a
pupil and reads, in one sentence, where the year's delivered support stands against the
threshold ("£4,210 of the £6,000 notional SEN threshold (£1,790 below it)"). The whole
school view names nobody, so SLT and governors (read-only accounts) see it too; the pupil
view is not built for them at all. Every figure comes from
:mod:`sendesk.services.graduated.provision_map` (logged sessions only, never plans), and the
exports are the same maps as :mod:`sendesk.reports.provision_map_report` writes.

The SENCo also changes the notional threshold here (it is a school setting, in pounds)
and imports attainment from an MIS CSV, since both are what a request pack is built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.years import year_label
from sendesk.services.graduated.provision_map import (
    AreaTotal,
    InterventionLine,
    ProvisionLine,
    PupilProvision,
    academic_year_label,
    academic_year_of,
    pupil_provision,
    school_provision,
)
from sendesk.services.register.register_view import register_rows
from sendesk.services.school.settings import notional_threshold_pence, set_notional_threshold_pence
from sendesk.ui.kit.forms import sentence_label
from sendesk.ui.kit.page import Page
from sendesk.ui.kit.paths import file_problem
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.ops import Op


def money(pence: int) -> str:
    """The exports' own wording of money (see :func:`_report`)."""
    return _report().money(pence)


def hours_text(minutes: int) -> str:
    """The exports' own wording of hours (see :func:`_report`)."""
    return _report().hours_text(minutes)


def _report() -> ModuleType:
    """The XLSX and PDF provision maps, imported when first needed: the module brings the
    PDF layout with it, and the page's first read imports it on the worker thread
    (:meth:`ProvisionMapPage._read`) so that opening the page does not wait for it."""
    from sendesk.reports import provision_map_report

    return provision_map_report


YEARS_SHOWN = 5
"""This academic year and the previous four."""

EXPORT_FILTERS = {
    "xlsx": "Excel workbook (*.xlsx)",
    "pdf": "PDF document (*.pdf)",
}
THRESHOLD_MAX_POUNDS = 100_000
NO_PUPIL = "Choose a pupil to see what their support cost this year."


def pounds(pence: int) -> str:
    """ "£4,210" for whole pounds, "£4,210.50" otherwise."""
    if pence % 100 == 0:
        sign = "−" if pence < 0 else ""
        return f"{sign}£{abs(pence) // 100:,}"
    return money(pence)


def threshold_sentence(data: PupilProvision) -> str:
    """ "£4,210 of the £6,000 notional SEN threshold (£1,790 below it)." and the like."""
    spent, threshold = pounds(data.total_cost_pence), pounds(data.threshold_pence)
    if data.above_threshold:
        where = f"{pounds(data.excess_pence)} above it"
    elif data.total_cost_pence == data.threshold_pence:
        where = "exactly at it"
    else:
        where = f"{pounds(data.remainder_pence)} below it"
    return f"{spent} of the {threshold} notional SEN threshold ({where})."


SCHOOL_COLUMNS: list[ColumnSpec[InterventionLine]] = [
    ColumnSpec("Intervention", lambda ln: ln.intervention),
    ColumnSpec("Area of need", lambda ln: ln.area),
    ColumnSpec("Pupils", lambda ln: f"{ln.pupils:,}", number=True),
    ColumnSpec("Sessions delivered", lambda ln: f"{ln.sessions_delivered:,}", number=True),
    ColumnSpec("Staff hours", lambda ln: hours_text(ln.staff_minutes), number=True),
    ColumnSpec("Cost", lambda ln: money(ln.cost_pence), number=True),
]

PUPIL_COLUMNS: list[ColumnSpec[ProvisionLine]] = [
    ColumnSpec("Intervention", lambda ln: ln.intervention),
    ColumnSpec("Area of need", lambda ln: ln.area),
    ColumnSpec("Staff role", lambda ln: ln.staff_role),
    ColumnSpec("Sessions attended", lambda ln: f"{ln.sessions_attended:,}", number=True),
    ColumnSpec("Hours", lambda ln: hours_text(ln.minutes), number=True),
    ColumnSpec("Cost", lambda ln: money(ln.cost_pence), number=True),
]

AREA_COLUMNS: list[ColumnSpec[AreaTotal]] = [
    ColumnSpec("Area of need", lambda a: a.area),
    ColumnSpec("Hours", lambda a: hours_text(a.minutes), number=True),
    ColumnSpec("Cost", lambda a: money(a.cost_pence), number=True),
]


@dataclass
class _Read:
    """What one read on the worker thread found; a string is a refusal's sentence."""

    year: int
    pupil_id: int | None
    pupils: list[tuple[str, int]] | None = None  # (text shown, pupil id), when read
    pupils_refused: str | None = None
    school: list[InterventionLine] | str | None = None
    pupil: PupilProvision | str | None = None


def _table(name: str, model: RowsModel) -> QTableView:  # type: ignore[type-arg]
    table = QTableView()
    table.setAccessibleName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class ProvisionMapPage(Page):
    """The costed provision map for an academic year: whole school, and one pupil (SENCo).

    ``changed`` is emitted after the threshold is changed or attainment is imported.
    """

    def _start(self) -> None:
        self.school_lines: list[InterventionLine] = []
        self.pupil_data: PupilProvision | None = None
        self.school_model: RowsModel[InterventionLine] = RowsModel(SCHOOL_COLUMNS)
        self.pupil_model: RowsModel[ProvisionLine] = RowsModel(PUPIL_COLUMNS)
        self.area_model: RowsModel[AreaTotal] = RowsModel(AREA_COLUMNS)
        self._pupil_ids: list[int] = []  # the pupil list's ids, in its order

    @property
    def shows_pupils(self) -> bool:
        """Only the SENCo sees a named pupil's costs (the service refuses anyone else)."""
        return self.ctx.is_senco

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Academic year")
        this_year = academic_year_of(self.today)
        for start in range(this_year, this_year - YEARS_SHOWN, -1):
            self.year_combo.addItem(academic_year_label(start), start)
        year_label_widget = QLabel("Academic &year:")
        year_label_widget.setBuddy(self.year_combo)

        self.export_button = QPushButton("&Export…")
        self.export_button.setAccessibleName("Export the map shown")
        self.threshold_button = QPushButton("&Threshold…")
        self.threshold_button.setAccessibleName("Change the notional SEN threshold")
        self.import_button = QPushButton("Import &attainment…")
        self.import_button.setAccessibleName("Import attainment from a CSV file")
        for button in (self.threshold_button, self.import_button):
            button.setVisible(self.ctx.is_senco)

        top = QHBoxLayout()
        top.addWidget(year_label_widget)
        top.addWidget(self.year_combo)
        top.addStretch(1)
        top.addWidget(self.export_button)
        top.addWidget(self.threshold_button)
        top.addWidget(self.import_button)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Provision map views")
        self.tabs.addTab(self._build_school_view(), "&Whole school")
        self.pupil_view: QWidget | None = None
        if self.shows_pupils:
            self.pupil_view = self._build_pupil_view()
            self.tabs.addTab(self.pupil_view, "&One pupil")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _build_school_view(self) -> QWidget:
        view = QWidget()
        view.setAccessibleName("Whole school provision map")
        self.school_table = _table("Provision by intervention", self.school_model)
        self.school_total_label = sentence_label("Whole school totals")
        layout = QVBoxLayout(view)
        layout.addWidget(self.school_table, 1)
        layout.addWidget(self.school_total_label)
        return view

    def _build_pupil_view(self) -> QWidget:
        view = QWidget()
        view.setAccessibleName("One pupil's provision map")
        self.pupil_combo = QComboBox()
        self.pupil_combo.setAccessibleName("Pupil")
        self.pupil_combo.setEditable(True)
        self.pupil_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.pupil_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        line_edit = self.pupil_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("Type a name or UPN")
        form = QFormLayout()
        pupil_label = QLabel("&Pupil:")
        pupil_label.setBuddy(self.pupil_combo)
        form.addRow(pupil_label, self.pupil_combo)

        self.pupil_heading = sentence_label("Pupil shown", NO_PUPIL)
        self.threshold_label = sentence_label("Cost against the notional SEN threshold")
        font = self.threshold_label.font()
        font.setBold(True)
        self.threshold_label.setFont(font)
        self.pupil_table = _table("Provision by intervention for the pupil", self.pupil_model)
        self.area_table = _table("Totals by area of need", self.area_model)

        lines_box = QGroupBox("Interventions delivered")
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(self.pupil_table)
        areas_box = QGroupBox("By area of need")
        areas_layout = QVBoxLayout(areas_box)
        areas_layout.addWidget(self.area_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(lines_box)
        splitter.addWidget(areas_box)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(view)
        layout.addLayout(form)
        layout.addWidget(self.pupil_heading)
        layout.addWidget(self.threshold_label)
        layout.addWidget(splitter, 1)
        return view

    def _connect(self) -> None:
        self.year_combo.currentIndexChanged.connect(lambda _i: self._load_maps())
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        self.export_button.clicked.connect(self.export)
        self.threshold_button.clicked.connect(self.change_threshold)
        self.import_button.clicked.connect(self.import_attainment)
        if self.pupil_view is not None:
            self.pupil_combo.currentIndexChanged.connect(lambda _i: self._load_pupil())

    # --- what is shown -------------------------------------------------------------------

    @property
    def academic_year_start(self) -> int:
        return int(self.year_combo.currentData())

    def set_academic_year(self, start_year: int) -> None:
        index = self.year_combo.findData(start_year)
        if index >= 0:
            self.year_combo.setCurrentIndex(index)

    @property
    def showing_pupil(self) -> bool:
        return self.pupil_view is not None and self.tabs.currentWidget() is self.pupil_view

    def show_school(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_pupil(self, pupil_id: int | None = None) -> None:
        """Switch to the pupil view (SENCo only), choosing ``pupil_id`` when given."""
        if self.pupil_view is None:
            return
        self.tabs.setCurrentWidget(self.pupil_view)
        if pupil_id is not None and pupil_id in self._pupil_ids:
            self.pupil_combo.setCurrentIndex(self._pupil_ids.index(pupil_id))

    @property
    def pupil_id(self) -> int | None:
        if self.pupil_view is None:
            return None
        index = self.pupil_combo.currentIndex()
        return self._pupil_ids[index] if 0 <= index < len(self._pupil_ids) else None

    # --- reading -------------------------------------------------------------------------
    # Every read runs on the worker thread (issue 14): the pupil list is the whole school
    # and the maps add up a year of sessions. One worker runs them in the order asked, so
    # the last answer shown is the one for what is chosen now; ``loading`` is the latest.

    def reload(self) -> Op:
        """Read the pupils and both maps again, keeping the year and pupil chosen."""
        return self._read(pupils=self.pupil_view is not None, school=True)

    def _load_maps(self) -> Op:
        return self._read(pupils=False, school=True)

    def _load_pupil(self) -> Op:
        return self._read(pupils=False, school=False)

    def _read(self, *, pupils: bool, school: bool) -> Op:
        ctx, year = self.ctx, self.academic_year_start
        keep = self.pupil_id
        with_pupil = self.pupil_view is not None

        def work(_progress: object) -> _Read:
            _report()  # imported here, on the worker, before the figures are shown
            read = _Read(year, keep)
            if pupils:
                try:
                    rows = register_rows(ctx.db, ctx.actor, include_all=True)
                except SendeskError as exc:
                    read.pupils_refused = str(exc)
                    rows = []
                read.pupils = [
                    (f"{r.display_name} ({year_label(r.year_group)}, {r.upn})", r.pupil_id)
                    for r in rows
                ]
            if school:
                try:
                    read.school = school_provision(ctx.db, ctx.actor, year)
                except SendeskError as exc:
                    read.school = str(exc)
            if with_pupil and keep is not None:
                try:
                    read.pupil = pupil_provision(ctx.db, ctx.actor, keep, year)
                except SendeskError as exc:
                    read.pupil = str(exc)
            return read

        self.loading = Op(self, work, success=self._show_read)
        return self.loading.run()

    def _show_read(self, read: _Read) -> None:
        if read.pupils is not None:
            self._fill_pupils(read.pupils, read.pupils_refused)
        if read.school is not None:
            self._show_school(read.school)
        if self.pupil_view is not None and read.pupil_id == self.pupil_id:
            self._show_pupil(read.pupil)
        self._update_buttons()

    def _fill_pupils(self, pupils: list[tuple[str, int]], refused: str | None) -> None:
        if refused:
            QMessageBox.warning(self, "Provision map", refused)
        keep = self.pupil_id
        self._pupil_ids = [pid for _text, pid in pupils]
        self.pupil_combo.blockSignals(True)
        try:
            self.pupil_combo.clear()
            self.pupil_combo.addItems([text for text, _pid in pupils])  # one call, not 2,000
            index = self._pupil_ids.index(keep) if keep in self._pupil_ids else -1
            self.pupil_combo.setCurrentIndex(index)
        finally:
            self.pupil_combo.blockSignals(False)

    def _show_school(self, read: list[InterventionLine] | str) -> None:
        if isinstance(read, str):
            self.school_lines = []
            self.school_total_label.setText(read)
            self.school_model.set_rows([])
            return
        self.school_lines = read
        self.school_model.set_rows(self.school_lines)
        self.school_total_label.setText(self.school_total_text())

    def school_total_text(self) -> str:
        year = academic_year_label(self.academic_year_start)
        lines = self.school_lines
        if not lines:
            return f"No intervention sessions were logged as delivered in {year}."
        sessions = sum(ln.sessions_delivered for ln in lines)
        minutes = sum(ln.staff_minutes for ln in lines)
        cost = sum(ln.cost_pence for ln in lines)
        what = "intervention" if len(lines) == 1 else "interventions"
        return (
            f"Total for {year}: {len(lines):,} {what}, {sessions:,} sessions delivered, "
            f"{hours_text(minutes)} staff hours, {money(cost)}."
        )

    def _show_pupil(self, read: PupilProvision | str | None) -> None:
        pupil_id = self.pupil_id
        self.pupil_data = read if isinstance(read, PupilProvision) else None
        if isinstance(read, str):
            self.pupil_heading.setText(read)
        data = self.pupil_data
        self.pupil_model.set_rows(data.lines if data else [])
        self.area_model.set_rows(data.areas if data else [])
        if data is None:
            if pupil_id is None:
                self.pupil_heading.setText(NO_PUPIL)
            self.threshold_label.setText("")
        else:
            year = f", {year_label(data.year_group)}" if data.year_group is not None else ""
            delivered = (
                f"{data.sessions_attended:,} sessions attended, {hours_text(data.total_minutes)} "
                "hours"
                if data.lines
                else "no sessions attended"
            )
            self.pupil_heading.setText(
                f"{data.name}{year} (UPN {data.upn}) in {data.academic_year}: {delivered}."
            )
            self.threshold_label.setText(threshold_sentence(data))

    def _update_buttons(self) -> None:
        if self.showing_pupil:
            self.export_button.setEnabled(self.pupil_data is not None)
        else:
            self.export_button.setEnabled(True)

    # --- actions -------------------------------------------------------------------------

    def _ask_export_path(self, suggested: str) -> tuple[Path, str] | None:
        """The file chosen and its format (xlsx or pdf, by suffix or filter), or None."""
        filters = ";;".join(EXPORT_FILTERS.values())
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export the provision map", str(Path.home() / suggested), filters
        )
        if not name:
            return None
        path = Path(name)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FILTERS:
            fmt = "pdf" if chosen == EXPORT_FILTERS["pdf"] else "xlsx"
            path = path.with_name(f"{path.name}.{fmt}")
        return path, fmt

    def export(self) -> Path | None:
        """Write the view shown as XLSX or PDF; returns the file written, or None."""
        year = self.academic_year_start
        if self.showing_pupil:
            data = self.pupil_data
            if data is None:
                QMessageBox.information(self, "Export", "Choose a pupil first.")
                return None
            suggested = f"provision-map-{data.upn}-{year}.xlsx"
        else:
            suggested = f"provision-map-{year}.xlsx"
        chosen = self._ask_export_path(suggested)
        if chosen is None:
            return None
        path, fmt = chosen
        from sendesk.services.evidence.exports import record_export

        db, actor = self.ctx.db, self.ctx.actor
        try:
            if self.showing_pupil and self.pupil_data is not None:
                written = _report().write_pupil_provision(self.pupil_data, path, fmt)
                pupil_id = self.pupil_data.pupil_id
                record_export(db, actor, "provision map", 1, written, pupil_id=pupil_id)
            else:
                written = _report().write_school_provision(
                    self.school_lines, year, path, fmt, school_name=self.ctx.school.name
                )
                record_export(db, actor, "school provision map (no pupils named)", 0, written)
        except (SendeskError, OSError) as exc:
            QMessageBox.warning(self, "Provision map not exported", file_problem(exc))
            return None
        return written

    def change_threshold(self) -> bool:
        """Ask the SENCo for the notional SEN threshold in pounds and save it."""
        if not self.ctx.is_senco:
            return False
        current = notional_threshold_pence(self.ctx.db)
        value, ok = QInputDialog.getDouble(
            self,
            "Notional SEN threshold",
            "Notional SEN threshold per pupil per year, in pounds:",
            current / 100,
            0.0,
            float(THRESHOLD_MAX_POUNDS),
            2,
        )
        if not ok:
            return False
        pence = round(value * 100)
        if pence == current:
            return False
        try:
            set_notional_threshold_pence(self.ctx.db, self.ctx.actor, pence)
        except SendeskError as exc:
            QMessageBox.warning(self, "Threshold not changed", str(exc))
            return False
        self._load_maps()
        self.changed.emit()
        return True

    def import_attainment(self) -> bool:
        """Import attainment from an MIS CSV export and show the report; True if written."""
        if not self.ctx.is_senco:
            return False
        name, _chosen = QFileDialog.getOpenFileName(
            self,
            "Import attainment",
            str(Path.home()),
            "CSV files (*.csv);;All files (*)",
        )
        if not name:
            return False
        # Imported here: the importer is a large module the page does not need to open.
        from sendesk.services.graduated.progress_data import import_attainment_csv

        try:
            report = import_attainment_csv(self.ctx.db, self.ctx.actor, name, today=self.today)
        except (SendeskError, OSError) as exc:
            QMessageBox.warning(self, "Attainment not imported", file_problem(exc, "read"))
            return False
        text = report.format().rstrip()
        if report.written:
            QMessageBox.information(self, "Attainment imported", text)
            self.changed.emit()
            return True
        QMessageBox.warning(self, "Attainment not imported", text)
        return False


__all__ = ["ProvisionMapPage", "pounds", "threshold_sentence"]
