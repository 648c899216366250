"""Importing pupils from the MIS: choose a file, see every problem, then import or cancel.

Checking and importing run on a worker thread with a progress bar and Cancel, so a large
export never freezes the window; cancelling an import rolls it back (nothing is written).
When a CSV is not clean UTF-8 the dialog names the lines read as Windows-1252 and offers
the encoding choice (as ``--encoding`` does), so accented names need not become mojibake.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.services.register.pupil_import import ImportReport, import_pupils, validate_file
from sendesk.ui.context import AppContext
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.paths import choose_file, path_row
from sendesk.ui.kit.worker_steps import WorkerSteps
from sendesk.ui.ops import Op, ProgressFn

ENCODING_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Detect (UTF-8; other lines as Windows-1252)", None),
    ("UTF-8 (CSV UTF-8, Arbor, Bromcom)", "utf-8"),
    ("Windows-1252 (older Excel and SIMS CSV)", "windows-1252"),
)
"""The encoding choices, as ``--encoding`` offers them."""


class ImportDialog(WorkerSteps, QDialog):
    """The GUI face of ``sendesk import-pupils``."""

    FAILED = "The import failed unexpectedly: {name}."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.imported = False
        self.report: ImportReport | None = None
        self.worker: Op | None = None
        self.setWindowTitle("Import pupils from the MIS — SENDesk")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Choose a pupil export from SIMS, Arbor or Bromcom (CSV or Excel). SENDesk checks "
                "every row first; nothing is written until you press Import."
            )
        )
        form = QFormLayout()
        row, self.path, _choose = path_row(
            None, "Export file", ("&Choose file…", "Choose the export file"), self._choose
        )
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        self.mapping = QLineEdit()
        self.mapping.setAccessibleName("Extra column names")
        self.mapping.setPlaceholderText('Only if needed, e.g. "Legal Surname=surname,DOB=dob"')
        form.addRow("Column &map:", self.mapping)
        self.encoding = QComboBox()
        self.encoding.setAccessibleName("The file's encoding")
        for label, value in ENCODING_CHOICES:
            self.encoding.addItem(label, value)
        self.encoding_label = QLabel("&Encoding:")
        self.encoding_label.setBuddy(self.encoding)
        form.addRow(self.encoding_label, self.encoding)
        self.form = form
        self._show_encoding(False)
        layout.addLayout(form)
        self.check_button = QPushButton("Chec&k file")
        self.check_button.clicked.connect(self.check)
        layout.addWidget(self.check_button)
        self.summary = note(layout, "", "Import summary")
        self.model = QStandardItemModel(0, 4)
        self.model.setHorizontalHeaderLabels(["Line", "Kind", "Field", "Reason"])
        self.table = QTableView()
        self.table.setAccessibleName("Problems found in the file")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.cancel_button = self._import_controls(
            layout, "Import the good rows and &skip the ones with problems", self._cancel
        )
        self.path.textChanged.connect(self._file_changed)
        self.encoding.currentIndexChanged.connect(self._encoding_changed)

    # --- choosing and checking ----------------------------------------------------------

    def _choose(self) -> None:
        if choose_file(
            self, "Pupil export", "MIS exports (*.csv *.xlsx);;All files (*)", self.path
        ):
            self.check()

    def _file_changed(self) -> None:
        self.report = None
        self.model.setRowCount(0)
        self.summary.clear()
        blocked = self.encoding.blockSignals(True)
        self.encoding.setCurrentIndex(0)  # a new file is detected afresh
        self.encoding.blockSignals(blocked)
        self._show_encoding(False)
        self._update_buttons()

    def _show_encoding(self, shown: bool) -> None:
        """The encoding choice is shown once a file was not clean UTF-8 (or was chosen)."""
        self.form.setRowVisible(self.encoding, shown)

    def chosen_encoding(self) -> str | None:
        """None to detect, else "utf-8" or "windows-1252"."""
        value = self.encoding.currentData()
        return str(value) if value else None

    def _encoding_changed(self) -> None:
        if self.path.text().strip() and self.worker is None:
            self.check()

    def _run(self, job: Callable[[ProgressFn], Any], done: Callable[[Any], None]) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.worker = Op(  # on the worker thread (sendesk.ui.ops)
            self,
            job,
            success=lambda result: self._finish(result, done),
            failure=self._failed,
            on_progress=self._progress,
        ).run()

    def check(self) -> None:
        path, mapping = Path(self.path.text().strip()), self.mapping.text().strip() or None
        encoding = self.chosen_encoding()
        self.report = None  # a file that cannot be read now must not import the last check's
        self.model.setRowCount(0)
        self._run(lambda _p: validate_file(path, mapping, encoding=encoding)[1], self._show_report)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.model.setRowCount(0)
        for kind, entries in (("Problem", report.problems), ("Note", report.warnings)):
            for line, field, text in sorted(entries):
                self.model.appendRow(
                    [
                        QStandardItem(str(line) if line else ""),
                        QStandardItem(kind),
                        QStandardItem(field),
                        QStandardItem(text),
                    ]
                )
        summary = self._summary(report)
        if report.legacy_lines:
            summary += (
                "\nSome lines are not UTF-8 and were read as Windows-1252 (see the note): if "
                "names look wrong, choose the file's encoding above."
            )
        self.summary.setText(summary)
        self._show_encoding(bool(report.legacy_lines) or self.chosen_encoding() is not None)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.skip.setEnabled(bool(report.problems) and report.valid_rows > 0 and not report.written)

    @staticmethod
    def _summary(report: ImportReport) -> str:
        """The report's closing paragraph: what was (or would be) written."""
        lines = report.lines()
        last_blank = max((i for i, line in enumerate(lines) if not line), default=-1)
        return "\n".join([lines[0], *(line for line in lines[last_blank + 1 :] if line)])

    @staticmethod
    def _importable(report: ImportReport) -> int:
        return report.valid_rows

    # --- importing ------------------------------------------------------------------------

    def run_import(self) -> None:
        path, mapping = Path(self.path.text().strip()), self.mapping.text().strip() or None
        skip, encoding = self.skip.isChecked(), self.chosen_encoding()
        self._run(
            lambda progress: import_pupils(
                self.ctx.db,
                self.ctx.actor,
                path,
                mapping=mapping,
                skip_invalid=skip,
                progress=progress,
                encoding=encoding,
            ),
            self._imported,
        )

    def _imported(self, report: ImportReport) -> None:
        self._show_report(report)
        self.imported = report.written
        if report.written:
            self.cancel_button.setText("Close")
            self.skip.setEnabled(False)
