"""The check-then-import dialogs' shared steps on the worker thread.

Why: the MIS import and the CTF import each check a file on the worker, then import it,
with one progress bar, the Check button held while a step runs, and a failure said in
the summary line. Both dialogs had the same three handlers; they live here once. A dialog
using this has ``worker``, ``progress``, ``check_button``, ``summary`` and
``_update_buttons``, and says what an unexpected failure means in :attr:`FAILED`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sendesk.errors import SendeskError


class WorkerSteps:
    """``_progress``, ``_finish`` and ``_failed`` for an :class:`~sendesk.ui.ops.Op` step."""

    FAILED = "The import failed unexpectedly ({name})."
    worker: Any
    progress: Any
    check_button: Any
    summary: Any

    def _update_buttons(self) -> None:  # each dialog says which buttons it offers when
        raise NotImplementedError

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
