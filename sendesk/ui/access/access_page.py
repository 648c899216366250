"""The SENCo's "Access arrangements" page: the evidence gap view and the exams officer's list.

Why it is built this way: before each exam season the SENCo must be able to say, for every
candidate, every live arrangement and every subject it covers, whether there is current
evidence that it is the candidate's normal way of working — and chase the teachers where
there is not. So the page is one table with a row per candidate × arrangement × subject
(:func:`sendesk.services.access.overviews.gap_view`), filtered by year, by arrangement
and to the gaps only, with a sentence counting what is shown; Enter on a row opens the
pupil's record. "Exams officer's list…" writes what the exams officer needs to seat
candidates and brief invigilators (CSV, XLSX or PDF, the same file as
``sendesk access-arrangements``). "Teaching groups…" sets classes by hand or imports them.

Only the subjects a candidate is entered for are rows (AARA 2025–26: evidence of the normal
way of working in the subjects they sit — not PE, art or music unless they sit them); a
candidate with no entries recorded gets a row saying so, counted in the summary. When
today is past the AARA edition's dates (settings), a plain warning sits above the table:
the rules still apply, and the SENCo is asked to check JCQ's current edition; "Rules
edition…" is where the SENCo records the edition in force and its dates.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import jcq
from sendesk.rules.dates import dmy
from sendesk.rules.years import year_label
from sendesk.services.access.edition import access_notice, current_edition, set_edition
from sendesk.services.access.overviews import exams_officer_rows, gap_view
from sendesk.services.access.records import ExamsRow, GapRow
from sendesk.ui.access.access_words import status_text
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, button_row, dialog_buttons, warn
from sendesk.ui.kit.dates import date_edit, from_qdate
from sendesk.ui.kit.forms import form_row, note
from sendesk.ui.kit.page import Page
from sendesk.ui.kit.paths import file_problem
from sendesk.ui.kit.table_model import ColumnSpec, TextRowsModel, texts_of
from sendesk.ui.kit.table_view import fit_columns
from sendesk.ui.ops import Op, show_failure

ALL = "all"
EXPORT_FILTERS = {
    "csv": "CSV for Excel (*.csv)",
    "xlsx": "Excel workbook (*.xlsx)",
    "pdf": "PDF document (*.pdf)",
}
CURRENT, OUT_OF_DATE, NONE = "Current", "Out of date", "None"
NOT_ENTERED = "Entries needed"


def evidence_state(row: GapRow) -> str:
    """ "Current", "Out of date" (evidence, but too old), "None", or "Entries needed" (no
    exam entries recorded for what the arrangement covers)."""
    if not row.entered:
        return NOT_ENTERED
    if row.current:
        return CURRENT
    return OUT_OF_DATE if row.last_evidence is not None else NONE


GAP_COLUMNS: list[ColumnSpec[GapRow]] = [
    ColumnSpec("Candidate", lambda r: r.pupil_name),
    ColumnSpec("UPN", lambda r: r.upn),
    ColumnSpec("Year", lambda r: year_label(r.year_group), number=True),
    ColumnSpec("Arrangement", lambda r: r.name),
    ColumnSpec("Status", lambda r: status_text(r.status)),
    ColumnSpec("Subject", lambda r: r.subject),
    ColumnSpec("Last evidence", lambda r: dmy(r.last_evidence, "—")),
    ColumnSpec("Evidence", evidence_state),
]


class EditionDialog(QDialog):
    """The AARA edition in force and its dates (settings), as the SENCo records them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"Exam access rules edition — {APP}")
        found = current_edition(ctx.db, ctx.actor)
        layout = QVBoxLayout(self)
        note(
            layout,
            "The JCQ edition whose rules SENDesk applies. When JCQ keeps an edition in force "
            "for another year, move its end date on; after the end date SENDesk still "
            "applies the rules and shows a warning.",
        )
        form = QFormLayout()
        layout.addLayout(form)
        self.name = QLineEdit(found.name)
        self.name.setAccessibleName("Edition")
        self.starts = date_edit("In force from", found.starts)
        self.ends = date_edit("In force until", found.ends)
        form_row(form, "&Edition:", self.name)
        form_row(form, "In force &from:", self.starts)
        form_row(form, "In force &until:", self.ends)
        dialog_buttons(self, layout)

    def accept(self) -> None:
        chosen = jcq.Edition(
            self.name.text(), from_qdate(self.starts.date()), from_qdate(self.ends.date())
        )
        try:
            set_edition(self.ctx.db, self.ctx.actor, chosen)
        except SendeskError as exc:
            warn(self, exc)
            return
        super().accept()


def export_exams_list(
    parent: QWidget, ctx: AppContext, today: date, rows: list[ExamsRow] | None = None
) -> Path | None:
    """Ask where, write the exams officer's list (``rows``, or read now) and audit it.

    One way for the SENCo's Access arrangements page and the exams officer's own page:
    the same formats, the same file, the same audit event. Returns the file, or None.
    """
    from sendesk.reports.access_list import write_access_list
    from sendesk.services.evidence.exports import record_export

    suggested = Path.home() / f"access-arrangements-{today:%Y-%m-%d}.xlsx"
    name, chosen = QFileDialog.getSaveFileName(
        parent, f"Exams officer's list — {APP}", str(suggested), ";;".join(EXPORT_FILTERS.values())
    )
    if not name:
        return None
    path = Path(name)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FILTERS:
        fmt = next((k for k, v in EXPORT_FILTERS.items() if v == chosen), "xlsx")
        path = path.with_name(f"{path.name}.{fmt}")
    try:
        if rows is None:
            rows = exams_officer_rows(ctx.db, ctx.actor, today=today)
        write_access_list(rows, path, fmt, school=ctx.school.name, today=today)
        n = len({r.pupil_id for r in rows})
        record_export(ctx.db, ctx.actor, "exams officer's list", n, path)
    except (SendeskError, OSError) as exc:
        QMessageBox.warning(parent, "List not saved", file_problem(exc, what="list"))
        return None
    QMessageBox.information(
        parent,
        APP,
        f"Saved the exams officer's list ({n} candidate{'s' if n != 1 else ''}) to {path}.",
    )
    return path


class AccessPage(Page):
    """The gap view with its filters, the exams officer's list and teaching groups.

    ``pupil_activated(pupil_id)`` asks the main window to open a pupil's record;
    ``changed`` is emitted after teaching groups change.
    """

    pupil_activated = Signal(int)

    def _start(self) -> None:
        self.rows: list[GapRow] = []
        self.texts: list[tuple[str, ...]] = []  # each row's cells, made on the worker
        self.model: TextRowsModel[GapRow] = TextRowsModel(GAP_COLUMNS, self)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        note(
            layout,
            "Every candidate's live arrangements, subject by subject, and whether a teacher "
            "has recorded current evidence that it is their normal way of working. Enter "
            "opens the pupil's record.",
        )
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Exam access rules edition warning")
        self.notice.setStyleSheet("QLabel { font-weight: bold; }")
        self.notice.hide()
        layout.addWidget(self.notice)

        filters = QHBoxLayout()
        self.year = QComboBox()
        self.year.setAccessibleName("Year group")
        self.arrangement = QComboBox()
        self.arrangement.setAccessibleName("Arrangement")
        self.search = QLineEdit()
        self.search.setAccessibleName("Find a candidate or subject")
        self.search.setPlaceholderText("Name, UPN or subject")
        self.search.setClearButtonEnabled(True)
        self.only_gaps = QCheckBox("Only &gaps")
        self.only_gaps.setAccessibleName("Show only rows without current evidence")
        for text, widget in (
            ("&Year:", self.year),
            ("A&rrangement:", self.arrangement),
            ("&Find:", self.search),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget, 1 if widget is self.search else 0)
        filters.addWidget(self.only_gaps)
        layout.addLayout(filters)

        self.table = QTableView()
        self.table.setAccessibleName("Evidence of normal way of working by candidate and subject")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.summary = note(layout, "", "What the table shows")

        self.open_button = action_button(
            "&Open pupil", "Open the selected candidate's record", self.open_pupil
        )
        self.export_button = action_button(
            "E&xams officer's list…", "Save the exams officer's list", self.export
        )
        self.groups_button = action_button(
            "&Teaching groups…", "Teaching groups", self.teaching_groups
        )
        self.edition_button = action_button(
            "Rules e&dition…", "The exam access rules edition and its dates", self.edit_edition
        )
        button_row(
            layout,
            self.open_button,
            right=(self.edition_button, self.groups_button, self.export_button),
        )

        self.year.currentIndexChanged.connect(self.apply_filters)
        self.arrangement.currentIndexChanged.connect(self.apply_filters)
        self.search.textChanged.connect(self.apply_filters)
        self.only_gaps.toggled.connect(self.apply_filters)
        self.table.activated.connect(lambda _index: self.open_pupil())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    # --- data -----------------------------------------------------------------------------

    def reload(self) -> Op:
        """Read the gap view again, on the worker thread (it reads every candidate's
        arrangements, evidence and entries); the filters keep their choices where still
        offered. Returns the running operation (tests wait on it)."""
        ctx, today = self.ctx, self.today

        def work(_progress: object) -> tuple[list[GapRow], list[tuple[str, ...]], str | None]:
            rows = gap_view(ctx.db, ctx.actor, today=today)
            texts = texts_of(GAP_COLUMNS, rows)  # here, not cell by cell on the GUI thread
            return rows, texts, access_notice(ctx.db, ctx.actor, today=today)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, SendeskError):
                show_failure(self, exc)
                return
            self._show([], [], None)
            self.summary.setText(str(exc))

        self.loading = Op(self, work, success=lambda got: self._show(*got), failure=failed)
        return self.loading.run()

    def _show(self, rows: list[GapRow], texts: list[tuple[str, ...]], notice: str | None) -> None:
        self.rows, self.texts = rows, texts
        self.notice.setText(f"Warning: {notice}" if notice else "")
        self.notice.setVisible(bool(notice))
        self._fill_filters()
        self.apply_filters()

    def _fill_filters(self) -> None:
        year, arrangement = self.year.currentData(), self.arrangement.currentData()
        for combo in (self.year, self.arrangement):
            combo.blockSignals(True)
            combo.clear()
        self.year.addItem("All years", ALL)
        years = sorted({r.year_group for r in self.rows if r.year_group is not None})
        for y in years:
            self.year.addItem(f"Year {year_label(y)}", y)
        self.arrangement.addItem("All arrangements", ALL)
        names = dict(sorted({(r.name, r.arrangement) for r in self.rows}))
        for name, key in names.items():
            self.arrangement.addItem(name, key)
        for combo, value in ((self.year, year), (self.arrangement, arrangement)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)

    def set_year(self, year: int | None) -> None:
        self.year.setCurrentIndex(max(self.year.findData(ALL if year is None else year), 0))

    def set_arrangement(self, key: str | None) -> None:
        index = self.arrangement.findData(ALL if key is None else key)
        self.arrangement.setCurrentIndex(max(index, 0))

    def shown_rows(self) -> list[GapRow]:
        """The rows the filters let through, in the service's order."""
        return [self.rows[i] for i in self._shown()]

    def _shown(self) -> list[int]:
        year, key = self.year.currentData(), self.arrangement.currentData()
        words = self.search.text().casefold().split()
        gaps = self.only_gaps.isChecked()
        out = []
        for i, r in enumerate(self.rows):
            if year not in (None, ALL) and r.year_group != year:
                continue
            if key not in (None, ALL) and r.arrangement != key:
                continue
            if gaps and r.current:
                continue
            text = f"{r.pupil_name} {r.upn} {r.subject}".casefold()
            if not all(w in text for w in words):
                continue
            out.append(i)
        return out

    def apply_filters(self) -> None:
        indices = self._shown()
        shown = [self.rows[i] for i in indices]
        self.model.set_rows(shown, [self.texts[i] for i in indices])
        fit_columns(self.table, self.model)
        gaps = sum(1 for r in shown if not r.current)
        candidates = len({r.pupil_id for r in shown})
        if not self.rows:
            if not self.summary.text():
                self.summary.setText(
                    "No live access arrangements yet: propose them from a pupil's record."
                )
        else:
            unentered = len({r.pupil_id for r in shown if not r.entered})
            self.summary.setText(
                f"{len(shown)} of {len(self.rows)} rows "
                f"({candidates} candidate{'s' if candidates != 1 else ''}); "
                f"{gaps} without current evidence"
                + (
                    f"; {unentered} candidate{'s' if unentered != 1 else ''} with no exam "
                    "entries for what their arrangements cover."
                    if unentered
                    else "."
                )
            )
        if shown:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> GapRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    # --- actions --------------------------------------------------------------------------

    def open_pupil(self) -> None:
        row = self.selected()
        if row is not None:
            self.pupil_activated.emit(row.pupil_id)

    def export(self) -> Path | None:
        """Write the exams officer's list where the SENCo chooses; the file, or None."""
        return export_exams_list(self, self.ctx, self.today)

    def edition_dialog(self) -> EditionDialog:
        """The rules-edition dialog (not shown; :meth:`edit_edition` and tests run it)."""
        return EditionDialog(self.ctx, self)

    def edit_edition(self) -> None:
        if self.edition_dialog().exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def teaching_groups(self) -> None:
        from sendesk.ui.staff.teaching_groups_dialog import TeachingGroupsDialog

        try:
            dialog = TeachingGroupsDialog(self.ctx, self)
        except SendeskError as exc:
            warn(self, exc)
            return
        dialog.exec()
        if dialog.changed:
            self.reload()
            self.changed.emit()


__all__ = [
    "GAP_COLUMNS",
    "NOT_ENTERED",
    "AccessPage",
    "EditionDialog",
    "evidence_state",
]
