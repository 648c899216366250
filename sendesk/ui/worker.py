"""Running a long service call off the GUI thread, with progress and cancel.

Services take ``progress(done, total) -> bool``; returning False asks them to stop (and roll
back). The worker turns that into Qt signals, which are delivered on the GUI thread, so no
widget is ever touched from the worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

ProgressFn = Callable[[int, int], bool]


class WorkerSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    """Calls ``job(progress)`` on a pool thread; emits progress, then finished or failed."""

    def __init__(self, job: Callable[[ProgressFn], Any]) -> None:
        super().__init__()
        self.job = job
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)  # the owner keeps it until finished/failed arrive

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progress.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.job(self._progress)
        except BaseException as exc:  # handed to the GUI thread to show
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self)
