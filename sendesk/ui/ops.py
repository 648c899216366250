"""Database work off the GUI thread: one way to run it (the shape of Anki's operations).

Why one long-lived worker thread: every service call that may take more than a few
milliseconds runs on it, so the window keeps answering. SQLCipher connections belong to
the thread that opened them (see :func:`sendesk.db._thread_owned_pool`); with one worker
the database holds at most two (the GUI thread's start-up reads, the worker's), and the
worker closes its own when a database is disposed (``Database.dispose`` hands it the job)
and the thread stops at exit (:func:`shutdown`). A pool of
short-lived threads would open a connection per thread and leave them to be collected
elsewhere, and Python's automatic garbage collection, run on whichever thread allocates,
would destroy widgets on the worker — the crashes that once kept this work on the GUI
thread. While the worker runs, garbage is collected on the GUI thread only
(:class:`_GuiCollector`).

How a screen runs work::

    Op(parent, call=lambda progress: service(db, actor, ..., progress=progress),
       success=lambda result: ..., label="Building the pack…",
       changes=Changes.PUPIL | Changes.DUE).run()

``call`` runs on the worker; ``success`` and ``failure`` run back on the GUI thread (the
default failure shows a :class:`~sendesk.errors.SendeskError`'s one sentence). Services
take the one progress protocol, ``progress(done, total) -> bool`` (False asks them to
stop and roll back); when an operation lasts, a progress dialog with Cancel shows it.
After success the ``changes`` are announced on :func:`hub`, so pages mark themselves
stale and reload when next shown, instead of every page reloading after every save.
"""

from __future__ import annotations

import enum
import gc
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from sendesk.db import forget_thread_runner, set_thread_runner
from sendesk.errors import SendeskError
from sendesk.ui.kit.buttons import APP

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], bool]


class Changes(enum.Flag):
    """What an operation changed: pages showing it reload when next shown."""

    NONE = 0
    PUPIL = enum.auto()  # a pupil's record: register rows, the pupil window
    REGISTER = enum.auto()  # pupils added or imported
    DUE = enum.auto()  # anything what's due reads
    ACCESS = enum.auto()  # access arrangements
    EHC = enum.auto()  # EHC requests and plans
    INTERVENTIONS = enum.auto()  # groups, sessions, measures
    PROVISION = enum.auto()
    STAFF = enum.auto()
    SCHOOL = enum.auto()
    ALL = PUPIL | REGISTER | DUE | ACCESS | EHC | INTERVENTIONS | PROVISION | STAFF | SCHOOL


class ChangeHub(QObject):
    """Announces what an operation changed; pages (and the main window) listen."""

    changed = Signal(object)  # Changes

    def announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


_hub: ChangeHub | None = None


def hub() -> ChangeHub:
    global _hub
    if _hub is None:
        _hub = ChangeHub()
    return _hub


class Worker:
    """One long-lived thread that runs jobs in the order they were given."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="sendesk-worker", daemon=True)
        self._thread.start()
        assert self._thread.ident is not None
        set_thread_runner(self._thread.ident, self.submit, may_wait=True)
        _gui_runner()
        _collect_on_gui_thread()

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the worker and wait for it (shutdown only: the GUI thread stops)."""
        if threading.get_ident() == self._thread.ident:
            return fn()
        done = threading.Event()
        box: list[Any] = []

        def job() -> None:
            try:
                box.append(fn())
            finally:
                done.set()

        self.submit(job)
        done.wait()
        return box[0] if box else None

    def stop(self) -> None:
        """Finish the jobs given, then end the thread."""
        self._jobs.put(None)
        self._thread.join()
        if self._thread.ident is not None:
            forget_thread_runner(self._thread.ident)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except BaseException:  # an Op reports its own errors; never kill the thread
                log.exception("a job on the worker thread failed")


class _GuiRunner(QObject):
    """Hands a job to the GUI thread's event loop (see :func:`sendesk.db.set_thread_runner`)."""

    job = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.job.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, job: Callable[[], None]) -> None:
        job()


_gui: _GuiRunner | None = None


def _gui_runner() -> None:
    """Registered from the GUI thread when the worker starts (the worker starts there)."""
    global _gui
    if _gui is None:
        _gui = _GuiRunner()
        set_thread_runner(threading.get_ident(), _gui.job.emit)


class _GuiCollector(QObject):
    """Python's garbage collection, run only on the GUI thread (as Anki does).

    Automatic collection runs on whichever thread happens to allocate when a threshold is
    passed: on the worker it would destroy widgets (Qt objects may be deleted only on the
    GUI thread) and hand back other threads' database connections — the crash that kept
    work on the GUI thread. So automatic collection is off while the worker runs, and this
    timer does what it would have done, generation by generation, on the GUI thread."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    @staticmethod
    def collect() -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


_collector: _GuiCollector | None = None


def _collect_on_gui_thread() -> None:
    global _collector
    if _collector is None:
        _collector = _GuiCollector()
        gc.disable()


_worker: Worker | None = None
_worker_lock = threading.Lock()


def worker() -> Worker:
    """The app's worker thread, started on first use."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = Worker()
        return _worker


def shutdown() -> None:
    """Stop the worker (after each open database's ``dispose()``)."""
    global _worker
    with _worker_lock:
        running, _worker = _worker, None
    if running is not None:
        running.stop()
    gc.enable()


_running: set[Op] = set()
"""Operations in flight: held here until finished, so none is collected mid-way."""


class Op(QObject):
    """One piece of work on the worker thread, with callbacks on the GUI thread."""

    _finished = Signal(bool, object)

    def __init__(
        self,
        parent: QWidget | None,
        call: Callable[[ProgressFn], Any],
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        *,
        label: str | None = None,
        changes: Changes = Changes.NONE,
        show_after_ms: int = 400,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """``label``: show a progress dialog (with Cancel) once the work has lasted
        ``show_after_ms``. ``on_progress``: or report progress to a screen's own bar (on
        the GUI thread, a few times a second)."""
        super().__init__()
        self._parent = parent
        self._call = call
        self._success = success
        self._failure = failure
        self.label = label
        self.changes = changes
        self._show_after_ms = show_after_ms
        self._on_progress = on_progress
        self._cancelled = False
        self._done_total = (0, 0)
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._finished.connect(self._finish, Qt.ConnectionType.QueuedConnection)

    def run(self) -> Op:
        """Start the work; returns self (tests may :meth:`wait` on it)."""
        _running.add(self)
        if self.label or self._on_progress is not None:
            self._timer = QTimer(self)
            self._timer.setInterval(100)
            self._timer.timeout.connect(self._tick)
        if self.label:
            QTimer.singleShot(self._show_after_ms, self, self._show_progress)
        elif self._timer is not None:
            self._timer.start()
        worker().submit(self._work)
        return self

    def cancel(self) -> None:
        """Ask the work to stop: its next ``progress()`` report returns False."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def wait(self, timeout_ms: int = 60_000) -> Op:
        """Spin the event loop until finished (tests and shutdown; screens use callbacks)."""
        if self.done:
            return self
        loop = QEventLoop()
        deadline = time.monotonic() + timeout_ms / 1000
        poll = QTimer(loop)  # owned by the loop: nothing outlives this call

        def check() -> None:
            if self.done or time.monotonic() > deadline:
                loop.quit()

        poll.timeout.connect(check)
        poll.start(5)
        loop.exec()
        poll.stop()
        if not self.done:
            raise TimeoutError(f"'{self.label or 'an operation'}' did not finish in time")
        return self

    # --- on the worker thread ----------------------------------------------------------

    def _progress(self, done: int, total: int) -> bool:
        self._done_total = (done, total)
        return not self._cancelled

    def _work(self) -> None:
        try:
            result = self._call(self._progress)
        except BaseException as exc:  # handed to the GUI thread, shown there
            self._finished.emit(False, exc)
        else:
            self._finished.emit(True, result)

    # --- on the GUI thread -------------------------------------------------------------

    def _show_progress(self) -> None:
        if self.done or not self._alive():
            return
        dialog = QProgressDialog(self.label or "", "Cancel", 0, 0, self._parent)
        dialog.setWindowTitle(APP)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        self._dialog = dialog
        self._tick()
        dialog.show()
        if self._timer is not None:
            self._timer.start()

    def _tick(self) -> None:
        done, total = self._done_total
        if self._on_progress is not None and self._alive():
            self._on_progress(done, total)
        if self._dialog is None:
            return
        self._dialog.setMaximum(max(total, 0))
        if total:
            self._dialog.setValue(min(done, total))

    def _alive(self) -> bool:
        return self._parent is None or shiboken6.isValid(self._parent)

    def _finish(self, ok: bool, value: object) -> None:
        self.done = True
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self.cancel)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        try:
            if ok:
                self.result = value
                hub().announce(self.changes)
                if self._success is not None and self._alive():
                    self._success(value)
            else:
                assert isinstance(value, BaseException)
                self.error = value
                if not self._alive():
                    return
                if self._failure is not None:
                    self._failure(value)
                else:
                    show_failure(self._parent, value)
        finally:
            _running.discard(self)


def show_failure(parent: QWidget | None, exc: BaseException) -> None:
    """The default failure: a SendeskError's one sentence, or a plain apology (logged)."""
    if isinstance(exc, SendeskError):
        QMessageBox.warning(parent, APP, str(exc))
        return
    log.error("an operation failed", exc_info=exc)
    QMessageBox.warning(
        parent,
        APP,
        f"That could not be done ({type(exc).__name__}); nothing was changed. "
        "Try again, or restart SENDesk.",
    )
