"""Running a long service call with a progress bar and Cancel, keeping the window alive.

Services take ``progress(done, total) -> bool``; returning False asks them to stop (and roll
back). A :class:`Job` runs the service on the GUI thread and pumps Qt's event loop from that
callback, so the progress bar repaints and Cancel is clicked between batches.

Why not a worker thread (DESIGN.md's first plan)? With SQLCipher, a job on a QThreadPool
thread crashed the process inside the C library when the GUI thread's garbage collection
ran at the same moment (reproducible while writing a demo school). Until that is understood
and tested, long jobs stay on one thread; their batches are short enough to keep the window
responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication

ProgressFn = Callable[[int, int], bool]


class Job:
    """One long call; ``cancel()`` (from a button) makes its next progress report say stop."""

    def __init__(self, job: Callable[[ProgressFn], Any]) -> None:
        self.job = job
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def run(self, on_progress: Callable[[int, int], None]) -> Any:
        """Call the job, reporting progress and letting the GUI breathe between batches."""

        def progress(done: int, total: int) -> bool:
            on_progress(done, total)
            QApplication.processEvents()
            return not self._cancelled

        return self.job(progress)
