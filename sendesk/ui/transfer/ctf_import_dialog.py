"""File → Import a CTF…: the GUI face of ``sendesk import-ctf``.

Why it checks before it imports: a CTF is all-or-nothing (issue 15), so the SENCo should see
every problem — one sentence each, naming the pupil's UPN and the element — before anything
is written, and decide whether to ask the sending school for a corrected file or to import
the rest (``--skip-invalid``), which leaves those pupils out and says so. Checking and
importing run on the worker thread (:class:`sendesk.ui.ops.Op`) with a progress bar;
cancelling an import rolls it back. Afterwards the dialog says what it brought in, in the
report's own words (the same lines the command line prints).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.services.transfer.ctf_import import CtfReport, check_ctf, import_ctf
from sendesk.ui.context import AppContext
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.paths import choose_file, path_row
from sendesk.ui.kit.worker_steps import WorkerSteps
from sendesk.ui.ops import Changes, Op, ProgressFn


class CtfImportDialog(WorkerSteps, QDialog):
    """Choose a CTF, see every problem, then import it (or the rest of it)."""

    FAILED = "The import failed unexpectedly ({name}); nothing was written."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: CtfReport | None = None
        self.imported = False
        self.worker: Op | None = None
        self.setWindowTitle("Import a CTF — SENDesk")
        layout = QVBoxLayout(self)
        note(
            layout,
            "Choose a Common Transfer File (CTF) from a pupil's previous school. SENDesk "
            "brings in each pupil's SEN history — provision, dates and ranked needs — as "
            'register history "from <school> (CTF)", never changing what is recorded here. '
            "It checks the whole file first; nothing is written until you press Import.",
        )
        row, self.path, _choose = path_row(
            "&File:", "CTF file", ("&Choose file…", "Choose the CTF file"), self._choose
        )
        layout.addLayout(row)
        self.check_button = QPushButton("Chec&k file")
        self.check_button.clicked.connect(self.check)
        layout.addWidget(self.check_button)
        self.summary = note(layout, "", "What the import found")
        self.problems = QListWidget()
        self.problems.setAccessibleName("Problems and notes")
        self.problems.setWordWrap(True)
        layout.addWidget(self.problems, 1)
        self.close_button = self._import_controls(
            layout, "Import the &rest: leave out the pupils with problems", self._cancel
        )
        self.path.textChanged.connect(self._file_changed)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 52, self.sizeHint().height())

    # --- choosing and checking ------------------------------------------------------------

    def _choose(self) -> None:
        if choose_file(self, "Common Transfer File", "CTF files (*.xml);;All files (*)", self.path):
            self.check()

    def _file_changed(self) -> None:
        self.report = None
        self.imported = False
        self.problems.clear()
        self.summary.clear()
        self.skip.setChecked(False)
        self.skip.setEnabled(False)
        self._update_buttons()

    def _run(
        self, job: Callable[[ProgressFn], Any], done: Callable[[Any], None], changes: Changes
    ) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.close_button.setText("Cancel")
        self.worker = Op(
            self,
            job,
            success=lambda result: self._finish(result, done),
            failure=self._failed,
            on_progress=self._progress,
            changes=changes,
        ).run()

    def check(self) -> None:
        """Read the file on the worker and list every problem (nothing is written)."""
        text = self.path.text().strip()
        if not text:
            self.summary.setText("Choose the CTF file first.")
            return
        path, actor = Path(text), self.ctx.actor
        self.report = None
        self.problems.clear()
        self._run(lambda _progress: check_ctf(actor, path), self._checked, Changes.NONE)

    def _checked(self, report: CtfReport) -> None:
        self.report = report
        self._list(report)
        head = (
            f"{report.file_name}: a CTF from {report.source_school or 'an unnamed school'}"
            + (f" (version {report.version})" if report.version else "")
            + f", {report.pupils_read} pupil(s)."
        )
        if not report.problems:
            self.summary.setText(f"{head} No problems found: press Import to bring it in.")
        elif report.importable:
            self.summary.setText(
                f"{head} SENDesk will not import this file as it stands: "
                f"{len(report.problems)} problem(s), listed below. Ask the sending school for "
                f"a corrected file, or import the rest — the {report.importable} pupil(s) "
                "without problems — and leave out: " + ", ".join(report.left_out) + "."
            )
        else:
            self.summary.setText(
                f"{head} SENDesk will not import this file: every pupil in it has a problem "
                f"({len(report.problems)}, listed below). Ask the sending school for a "
                "corrected file."
            )
        self.skip.setEnabled(bool(report.problems) and report.importable > 0)

    def _list(self, report: CtfReport) -> None:
        self.problems.clear()
        for problem in report.problems:
            self.problems.addItem(f"Problem: {problem}")
        for said in report.notes:
            self.problems.addItem(f"Note: {said}")
        for upn in report.not_on_roll:
            self.problems.addItem(f"Not on roll here (import the MIS file first): {upn}")

    @staticmethod
    def _importable(report: CtfReport) -> int:
        return report.importable

    # --- importing ------------------------------------------------------------------------

    def run_import(self) -> None:
        path, skip = Path(self.path.text().strip()), self.skip.isChecked()
        db, actor = self.ctx.db, self.ctx.actor
        self._run(
            lambda progress: import_ctf(db, actor, path, skip_invalid=skip, progress=progress),
            self._imported,
            Changes.PUPIL | Changes.REGISTER | Changes.DUE,
        )

    def _imported(self, report: CtfReport) -> None:
        self.report = report
        self.imported = report.written
        self._list(report)
        self.summary.setText(
            "\n".join(
                line
                for line in report.lines()
                if not line.startswith(("Problem:", "Note:", "Not on roll"))
            )
        )
        self.skip.setEnabled(False)
        self.close_button.setText("Close")
