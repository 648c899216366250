"""The check-then-import dialogs' shared steps on the worker thread.

Why: the MIS import and the CTF import each check a file on the worker, then import it,
with one progress bar, the Check button held while a step runs, and a failure said in
the summary line. Both dialogs had the same three handlers and the same controls under the
file's findings (the skip box, the progress bar, Import and Cancel); they live here once. A
dialog using this has ``worker``, ``check_button``, ``summary``, ``report``, ``imported`` and
``run_import``, says how much of a report it would import (:meth:`_importable`) and what an
unexpected failure means in :attr:`FAILED`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QCheckBox, QHBoxLayout, QProgressBar, QPushButton

from sendesk.errors import SendeskError


class WorkerSteps:
    """``_progress``, ``_finish`` and ``_failed`` for an :class:`~sendesk.ui.ops.Op` step."""

    FAILED = "The import failed unexpectedly ({name})."
    worker: Any
    progress: Any
    check_button: Any
    summary: Any
    imported: Any
    report: Any

    @staticmethod
    def _importable(report: Any) -> int:
        """How many rows (or pupils) of a checked file would be imported."""
        raise NotImplementedError

    def _update_buttons(self) -> None:
        """Import is offered once a check found something to import, and — when it found
        problems too — only with the skip box ticked."""
        report = self.report
        can = (
            self.worker is None
            and report is not None
            and not report.written
            and self._importable(report) > 0
            and (not report.problems or self.skip.isChecked())
        )
        self.import_button.setEnabled(bool(can))
        self.import_button.setDefault(bool(can))

    def run_import(self) -> None:
        raise NotImplementedError

    def reject(self) -> None:
        """Esc or closing the window while work runs cancels the work first."""
        if self.worker is not None:
            self._cancel()
            return
        super().reject()  # type: ignore[misc]  # QDialog's, after this mix-in

    def _cancel(self) -> None:
        """Cancel: stop the step running (nothing is written), else close the dialog —
        accepted once something was imported, so the window reads the register again."""
        if self.worker is not None:
            self.worker.cancel()
            self.summary.setText("Cancelling… nothing will be written.")
            return
        if self.imported:
            self.accept()  # type: ignore[attr-defined]
        else:
            super().reject()  # type: ignore[misc]

    def _import_controls(
        self, layout: QBoxLayout, skip_text: str, cancel: Callable[[], None]
    ) -> QPushButton:
        """Add the skip box (``skip``), the progress bar (``progress``) and the Import
        (``import_button``) and Cancel buttons under the findings; returns Cancel."""
        self.skip = QCheckBox(skip_text)
        self.skip.setEnabled(False)
        self.skip.toggled.connect(self._update_buttons)
        layout.addWidget(self.skip)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("&Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        cancel_button = QPushButton("Cancel")
        cancel_button.clicked.connect(cancel)
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel_button)
        layout.addLayout(buttons)
        return cancel_button

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _finish(self, result: Any, done: Callable[[Any], None]) -> None:
        self.worker = None
        self.progress.hide()
        self.check_button.setEnabled(True)
        done(result)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.worker = None
        self.progress.hide()
        self.check_button.setEnabled(True)
        self.summary.setText(
            str(exc)
            if isinstance(exc, SendeskError)
            else self.FAILED.format(name=type(exc).__name__)
        )
        self._update_buttons()
