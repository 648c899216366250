"""Interventions: the SENCo's catalogue, the groups running it, enrolments, and progress.

Why it is built this way: the page reads top to bottom the way a SENCo thinks about
provision — what programmes we offer (the catalogue), who is running each one and when
(groups), which pupils are in the chosen group with their entry and exit measures
(enrolments), and what happened to the chosen pupil (the verdict sentence from
:mod:`sendesk.rules.progress`, and a small chart of the measures over time). Every change
goes through a dialog that calls a service (:mod:`sendesk.services.graduated.intervention_setup`); a
refusal is shown and the dialog stays open, so nothing typed is lost.

The chart is drawn with QPainter (:class:`ProgressChart`): a few points need no charting
library, and the colours come from the palette so it reads in a dark theme too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from sendesk.errors import SendeskError
from sendesk.rules import progress as rules
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.rules.years import year_label
from sendesk.services.graduated.enrolments import (
    enrolment_progress,
    list_enrolments,
)
from sendesk.services.graduated.intervention_records import (
    EnrolmentItem,
    GroupItem,
    InterventionItem,
    Progress,
)
from sendesk.services.graduated.intervention_setup import (
    list_groups,
    list_interventions,
)
from sendesk.ui.context import AppContext
from sendesk.ui.graduated.intervention_dialogs import (
    EnrolDialog,
    GroupDialog,
    InterventionDialog,
    MeasureDialog,
)
from sendesk.ui.graduated.progress_chart import ProgressChart
from sendesk.ui.kit.forms import sentence_label
from sendesk.ui.kit.page import Page
from sendesk.ui.kit.table_model import ColumnSpec, TextRows, TextRowsModel, text_rows
from sendesk.ui.kit.table_view import text_rows_view
from sendesk.ui.ops import Op

# --- table columns ------------------------------------------------------------------------------


CATALOGUE_COLUMNS: list[ColumnSpec[InterventionItem]] = [
    ColumnSpec("Name", lambda i: i.name),
    ColumnSpec("Area of need", lambda i: i.area),
    ColumnSpec("Group size", lambda i: str(i.group_size), number=True),
    ColumnSpec("Staff role", lambda i: i.staff_role),
    ColumnSpec("Sessions a week", lambda i: str(i.sessions_per_week), number=True),
    ColumnSpec("Minutes", lambda i: str(i.minutes_per_session), number=True),
    ColumnSpec("Cost an hour", lambda i: i.cost_per_hour_text, number=True),
    ColumnSpec("Measure", lambda i: i.measure),
    ColumnSpec("In use", lambda i: "Yes" if i.active else "Retired"),
]

GROUP_COLUMNS: list[ColumnSpec[GroupItem]] = [
    ColumnSpec("Group", lambda g: g.name),
    ColumnSpec("Led by", lambda g: g.staff_name or "Nobody yet"),
    ColumnSpec("Days", lambda g: g.weekdays_text),
    ColumnSpec("From", lambda g: dmy(g.start_date)),
    ColumnSpec("To", lambda g: dmy(g.end_date)),
    ColumnSpec("Pupils", lambda g: str(g.enrolled), number=True),
]


def _measure_text(e: EnrolmentItem, value: float | None, on: date | None) -> str:
    if value is None:
        return ""
    shown = rules.format_measure(e.measure_kind, value)
    return f"{shown} ({dmy(on)})" if on else shown


ENROLMENT_COLUMNS: list[ColumnSpec[EnrolmentItem]] = [
    ColumnSpec("Pupil", lambda e: e.pupil_name),
    ColumnSpec("Year", lambda e: year_label(e.year_group)),
    ColumnSpec("Started", lambda e: dmy(e.start_date)),
    ColumnSpec("Planned end", lambda e: dmy(e.planned_end)),
    ColumnSpec("Entry", lambda e: _measure_text(e, e.entry_measure, e.entry_date)),
    ColumnSpec("Exit", lambda e: _measure_text(e, e.exit_measure, e.exit_date)),
    ColumnSpec("Ended", lambda e: dmy(e.end_date) if e.end_date else "Still in the group"),
]


# --- reading, on the worker ------------------------------------------------------------------

_CATALOGUE, _GROUPS, _ENROLMENTS, _PROGRESS = range(4)
"""Where a read starts: the level whose choice changed; everything below it is read too."""


@dataclass
class _Read:
    """One read's answer: a list is None when its level was not read (it stays shown).
    Each list comes with its cells' texts, made on the worker too: a big school's
    intervention has a group for every class and year (thousands of rows), and the
    window would otherwise word and measure every one of them (issue 14)."""

    chosen: tuple[int | None, int | None, int | None]
    catalogue: TextRows[InterventionItem] | None = None
    groups: TextRows[GroupItem] | None = None
    enrolments: TextRows[EnrolmentItem] | None = None
    progress: Progress | None = None
    refused: str | None = None


def _kept(rows: list[Any], wanted: int | None) -> int | None:
    """The row to choose after a read: the one wanted while it is there, else the first."""
    ids = [row.id for row in rows]
    return wanted if wanted in ids else (ids[0] if ids else None)


def _read_page(
    ctx: AppContext, level: int, intervention: int | None, group: int | None, enrolment: int | None
) -> _Read:
    """Read from ``level`` down, choosing as the page will (see :meth:`InterventionsPage._select`);
    a refusal leaves its list empty and is said once."""
    read = _Read((intervention, group, enrolment))

    def attempt(call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(ctx.db, ctx.actor, *args, **kwargs)
        except SendeskError as exc:
            read.refused = read.refused or str(exc)
            return None

    if level <= _CATALOGUE:
        catalogue = attempt(list_interventions) or []
        read.catalogue = text_rows(CATALOGUE_COLUMNS, catalogue)
        intervention = _kept(catalogue, intervention)
    if level <= _GROUPS:
        groups = []
        if intervention is not None:
            groups = attempt(list_groups, intervention_id=intervention) or []
        read.groups = text_rows(GROUP_COLUMNS, groups)
        group = _kept(groups, group)
    if level <= _ENROLMENTS:
        enrolments = []
        if group is not None:
            enrolments = attempt(list_enrolments, group) or []
        read.enrolments = text_rows(ENROLMENT_COLUMNS, enrolments)
        enrolment = _kept(enrolments, enrolment)
    if enrolment is not None:
        read.progress = attempt(enrolment_progress, enrolment)
    read.chosen = (intervention, group, enrolment)
    return read


# --- the page ---------------------------------------------------------------------------------


class InterventionsPage(Page):
    """The SENCo's interventions: catalogue, groups, enrolments and progress.

    ``changed`` is emitted after anything is saved.
    """

    def _start(self) -> None:
        self.catalogue_model: TextRowsModel[InterventionItem] = TextRowsModel(
            CATALOGUE_COLUMNS, self
        )
        self.group_model: TextRowsModel[GroupItem] = TextRowsModel(GROUP_COLUMNS, self)
        self.enrolment_model: TextRowsModel[EnrolmentItem] = TextRowsModel(ENROLMENT_COLUMNS, self)
        self.progress: Progress | None = None
        self._aiming: tuple[int | None, int | None, int | None] = (None, None, None)
        self._applying = False  # choices made by a read's answer start no read of their own

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.catalogue_table = text_rows_view(self.catalogue_model, "Intervention catalogue")
        self.add_button = QPushButton("&Add intervention…")
        self.edit_button = QPushButton("&Edit intervention…")
        self.group_table = text_rows_view(self.group_model, "Groups of the chosen intervention")
        self.add_group_button = QPushButton("Start a &group…")
        self.edit_group_button = QPushButton("Edit gro&up…")
        self.enrolment_table = text_rows_view(self.enrolment_model, "Pupils in the chosen group")
        self.enrol_button = QPushButton("En&rol a pupil…")
        self.entry_button = QPushButton("Record e&ntry…")
        self.exit_button = QPushButton("Record e&xit…")
        self.measure_button = QPushButton("Add a &measure…")
        self.verdict_label = sentence_label(
            "Progress verdict", "Choose a pupil in a group to see their progress."
        )
        self.chart = ProgressChart()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.loading_label = QLabel("Loading…")
        self.loading_label.setAccessibleName("Loading")
        self.loading_label.hide()

        catalogue_box = QGroupBox("Catalogue")
        catalogue_layout = QVBoxLayout(catalogue_box)
        catalogue_layout.addWidget(self.catalogue_table)
        catalogue_layout.addLayout(self._buttons(self.add_button, self.edit_button))

        groups_box = QGroupBox("Groups")
        groups_layout = QVBoxLayout(groups_box)
        groups_layout.addWidget(self.group_table)
        groups_layout.addLayout(self._buttons(self.add_group_button, self.edit_group_button))

        enrol_box = QGroupBox("Pupils")
        enrol_layout = QVBoxLayout(enrol_box)
        enrol_layout.addWidget(self.enrolment_table)
        enrol_layout.addLayout(
            self._buttons(
                self.enrol_button, self.entry_button, self.exit_button, self.measure_button
            )
        )

        progress_box = QGroupBox("Progress")
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.verdict_label)
        progress_layout.addWidget(self.chart, 1)

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(groups_box)
        middle.addWidget(enrol_box)
        middle.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(catalogue_box)
        splitter.addWidget(middle)
        splitter.addWidget(progress_box)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.loading_label)
        layout.addWidget(splitter, 1)

    @staticmethod
    def _buttons(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.catalogue_table.selectionModel().currentRowChanged.connect(self._intervention_chosen)
        self.group_table.selectionModel().currentRowChanged.connect(self._group_chosen)
        self.enrolment_table.selectionModel().currentRowChanged.connect(self._enrolment_chosen)
        self.catalogue_table.activated.connect(lambda _index: self.edit_intervention())
        self.group_table.activated.connect(lambda _index: self.edit_group())
        self.add_button.clicked.connect(self.add_intervention)
        self.edit_button.clicked.connect(self.edit_intervention)
        self.add_group_button.clicked.connect(self.add_group)
        self.edit_group_button.clicked.connect(self.edit_group)
        self.enrol_button.clicked.connect(self.enrol_pupil)
        self.entry_button.clicked.connect(self.record_entry)
        self.exit_button.clicked.connect(self.record_exit)
        self.measure_button.clicked.connect(self.add_measure)

    # --- what is chosen -------------------------------------------------------------------------

    @property
    def intervention(self) -> InterventionItem | None:
        return self.catalogue_model.row_at(self.catalogue_table.currentIndex().row())

    @property
    def group(self) -> GroupItem | None:
        return self.group_model.row_at(self.group_table.currentIndex().row())

    @property
    def enrolment(self) -> EnrolmentItem | None:
        return self.enrolment_model.row_at(self.enrolment_table.currentIndex().row())

    def select_intervention(self, intervention_id: int) -> Op | None:
        """Choose an intervention; its groups are read. Returns the latest read (tests wait)."""
        self._select(self.catalogue_table, self.catalogue_model, intervention_id)
        return self.loading

    def select_group(self, group_id: int) -> Op | None:
        self._select(self.group_table, self.group_model, group_id)
        return self.loading

    def select_enrolment(self, enrolment_id: int) -> Op | None:
        self._select(self.enrolment_table, self.enrolment_model, enrolment_id)
        return self.loading

    @staticmethod
    def _select(table: QTableView, model: TextRowsModel[Any], row_id: int | None) -> None:
        rows = model.rows
        row = next((n for n, r in enumerate(rows) if r.id == row_id), 0 if rows else -1)
        if row >= 0:
            table.setCurrentIndex(model.index(row, 0))
        else:
            table.setCurrentIndex(QModelIndex())

    # --- reading ---------------------------------------------------------------------------------
    # Every read runs on the worker thread (issue 14): the catalogue, the chosen
    # intervention's groups, the chosen group's pupils and the chosen pupil's progress are
    # read in one operation, from the level whose choice changed down. One worker runs them
    # in the order asked; only the latest answer (``loading``) is shown, and a new read aims
    # at the choices the one in flight was aiming at, so a save's "select what was saved" is
    # not lost to a reload asked for meanwhile.

    def reload(self) -> Op:
        """Read the catalogue again, keeping the chosen intervention, group and pupil."""
        return self._read(_CATALOGUE, *self._aim())

    def _aim(self) -> tuple[int | None, int | None, int | None]:
        """The choices to keep: the ones the read in flight aims at, else those shown."""
        if self.loading is not None and not self.loading.done:
            return self._aiming
        return self._chosen()

    def _read(
        self, level: int, intervention: int | None, group: int | None, enrolment: int | None
    ) -> Op:
        ctx = self.ctx
        self._aiming = (intervention, group, enrolment)
        self.loading_label.show()

        def work(_progress: object) -> _Read:
            return _read_page(ctx, level, intervention, group, enrolment)

        op = Op(self, work, success=lambda read: self._show_read(op, read))
        self.loading = op
        return op.run()

    def _show_read(self, op: Op, read: _Read) -> None:
        if op is not self.loading:
            return  # a later read was asked for: its answer is the one to show
        self.loading_label.hide()
        if read.refused:
            self._show_message(read.refused)
        self._applying = True
        try:
            if read.catalogue is not None:
                self.catalogue_model.set_table(read.catalogue)
                self._select(self.catalogue_table, self.catalogue_model, read.chosen[0])
            if read.groups is not None:
                self.group_model.set_table(read.groups)
                self._select(self.group_table, self.group_model, read.chosen[1])
            if read.enrolments is not None:
                self.enrolment_model.set_table(read.enrolments)
                self._select(self.enrolment_table, self.enrolment_model, read.chosen[2])
        finally:
            self._applying = False
        self.progress = read.progress
        if self.progress is None:
            self.verdict_label.setText("Choose a pupil in a group to see their progress.")
        else:
            p = self.progress
            self.verdict_label.setText(
                f"{p.pupil_name} in {p.group_name} ({p.intervention_name}). {p.verdict_text}"
            )
        self.chart.set_progress(self.progress)
        self._update_buttons()

    def _intervention_chosen(self) -> None:
        if not self._applying:
            self._read(_GROUPS, self.intervention.id if self.intervention else None, None, None)

    def _group_chosen(self) -> None:
        if not self._applying:
            intervention = self.intervention.id if self.intervention else None
            self._read(_ENROLMENTS, intervention, self.group.id if self.group else None, None)

    def _enrolment_chosen(self) -> None:
        if not self._applying:
            self._read(_PROGRESS, *self._chosen())

    def _chosen(self) -> tuple[int | None, int | None, int | None]:
        return (
            self.intervention.id if self.intervention else None,
            self.group.id if self.group else None,
            self.enrolment.id if self.enrolment else None,
        )

    def _update_buttons(self) -> None:
        senco = self.ctx.may(Action.MANAGE_INTERVENTIONS)
        for button in (
            self.add_button,
            self.edit_button,
            self.add_group_button,
            self.edit_group_button,
            self.enrol_button,
        ):
            # the group's leader records measures here; setting groups up is the SENCo's
            button.setVisible(senco)
        for button in (self.add_button, self.add_group_button):
            button.setEnabled(senco)
        self.edit_button.setEnabled(senco and self.intervention is not None)
        self.add_group_button.setEnabled(senco and self.intervention is not None)
        self.edit_group_button.setEnabled(senco and self.group is not None)
        self.enrol_button.setEnabled(senco and self.group is not None)
        enrolment = self.enrolment
        self.entry_button.setEnabled(
            enrolment is not None and enrolment.current and enrolment.entry_measure is None
        )
        self.exit_button.setEnabled(enrolment is not None and enrolment.current)
        self.measure_button.setEnabled(enrolment is not None)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    # --- dialogs ------------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.open()

    def _saved(self, sender: QDialog) -> None:
        """Read again (on the worker), choosing what was just saved."""
        saved_id = getattr(sender, "saved_id", None)
        intervention, group, _enrolment = self._aim()
        if isinstance(sender, InterventionDialog) and saved_id is not None:
            self._read(_CATALOGUE, saved_id, None, None)
        elif isinstance(sender, GroupDialog) and saved_id is not None:
            self._read(_GROUPS, intervention, saved_id, None)
        elif isinstance(sender, EnrolDialog) and saved_id is not None:
            self._read(_GROUPS, intervention, group, saved_id)
        else:
            self.reload()
        self.changed.emit()

    def add_intervention(self) -> InterventionDialog:
        dialog = InterventionDialog(self.ctx, None, self)
        self._open(dialog)
        return dialog

    def edit_intervention(self) -> InterventionDialog | None:
        if self.intervention is None:
            return None
        dialog = InterventionDialog(self.ctx, self.intervention, self)
        self._open(dialog)
        return dialog

    def add_group(self) -> GroupDialog | None:
        if self.intervention is None:
            return None
        dialog = GroupDialog(
            self.ctx, self.catalogue_model.rows, self.intervention.id, None, self, today=self.today
        )
        self._open(dialog)
        return dialog

    def edit_group(self) -> GroupDialog | None:
        if self.group is None:
            return None
        dialog = GroupDialog(
            self.ctx, self.catalogue_model.rows, None, self.group, self, today=self.today
        )
        self._open(dialog)
        return dialog

    def enrol_pupil(self) -> EnrolDialog | None:
        if self.group is None or self.intervention is None:
            return None
        dialog = EnrolDialog(self.ctx, self.group, self.intervention, self, today=self.today)
        self._open(dialog)
        return dialog

    def _measure(self, *, exit_measure: bool, entry: bool = False) -> MeasureDialog | None:
        """The chosen pupil's entry, exit or other measure, in its dialog."""
        if self.enrolment is None:
            return None
        dialog = MeasureDialog(
            self.ctx, self.enrolment, self, exit_measure=exit_measure, entry=entry, today=self.today
        )
        self._open(dialog)
        return dialog

    def record_entry(self) -> MeasureDialog | None:
        return self._measure(exit_measure=False, entry=True)

    def record_exit(self) -> MeasureDialog | None:
        return self._measure(exit_measure=True)

    def add_measure(self) -> MeasureDialog | None:
        return self._measure(exit_measure=False)
