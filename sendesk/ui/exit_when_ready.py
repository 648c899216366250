"""``sendesk --exit-when-ready``: open the app as usual, wait until it has filled in, quit.

Why: CI (and a school's IT checking a copied install) can run the built program's command
line, but a window that waits for a person proves nothing in a script (issue 16). With this
option the window opens exactly as it does for the SENCo — the same start-up, the same
pages, the same work on the worker thread — and the process ends by itself: one line on
stdout and exit status 0 once the register and what's due have filled in; one sentence on
stderr and status 1 if an error dialog appeared, an exception escaped, what's due or the
register could not be read, or it was not ready within :data:`READY_WITHIN_S` of the
window showing.

Signing in: nobody is there to type in the sign-in dialog, so it signs in as the command
line does — ``SENDESK_USER``, else the database's only active SENCo, with
``SENDESK_PASSWORD`` — and the database's key comes from ``SENDESK_DB_KEY`` or the
keyring, never asked for. ``--demo`` needs neither: the demo school is written as usual
and opened as its SENCo.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from sendesk.db import parse_target
from sendesk.errors import SendeskError
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext

if TYPE_CHECKING:
    from sendesk.ui.main_window import MainWindow

READY_WITHIN_S = 60
"""How long after the window shows the register and what's due may take to fill in."""

LOOK_EVERY_MS = 100
"""How often the watch looks for an error dialog and for the pages having filled in."""


def signed_in_without_asking(chosen: str | None) -> AppContext:
    """The database the app would open, signed in from the environment as the command line
    signs in (``SENDESK_USER`` or the only SENCo, ``SENDESK_PASSWORD``): one sentence,
    nothing opened, if something is missing or refused."""
    from sendesk.keystore import key_for_existing
    from sendesk.services.staff.users import default_username, sign_in
    from sendesk.services.store.opening import open_database
    from sendesk.services.store.pg_security import needs_login, open_as

    if not chosen:
        raise SendeskError(
            "--exit-when-ready needs a database: give --db, set SENDESK_DB, or use --demo; "
            "nothing was opened."
        )
    password = os.environ.get("SENDESK_PASSWORD")
    if not password:
        raise SendeskError(
            "--exit-when-ready signs in with SENDESK_PASSWORD: set it to the password of "
            "SENDESK_USER (else of the only SENCo); nothing was opened."
        )
    target = parse_target(chosen)
    username = os.environ.get("SENDESK_USER")
    if needs_login(target):
        if not username:
            raise SendeskError(
                "Say who is signing in to the PostgreSQL server: set SENDESK_USER; "
                "nothing was opened."
            )
        db = open_as(target, username, password)
    else:
        key = key_for_existing(target.path) if target.path is not None else None
        db = open_database(target, key)
    try:
        name = username or default_username(db)
        actor = sign_in(db, name, password)
        if actor.must_change_password:
            raise SendeskError(
                f"The password of {name} was set by the SENCo and must be changed first: "
                "sign in to the app once, or run 'sendesk users reset-password'."
            )
        return AppContext(db, actor, school_info(db))
    except BaseException:
        db.dispose()
        raise


def plural(count: int, noun: str) -> str:
    """A count with its noun: 1 pupil, 1,200 pupils."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


class ReadyWatch(QObject):
    """Watches a main window until it is ready or has failed; then emits :attr:`finished`
    once with the exit status, having printed the line (stdout) or the sentence (stderr).

    Ready: the register has been read and what's due has been worked out (both on the
    worker thread, once the window is made; neither is assumed to land first). Failed: a message box
    is showing (every error the app shows a user is one), an exception reached the event
    loop (``sys.excepthook``, which PySide calls for an exception in a slot), either page
    shows the sentence it shows instead of its rows, or the time ran out.
    """

    finished = Signal(int)

    def __init__(self, window: MainWindow, within_s: float = READY_WITHIN_S) -> None:
        super().__init__(window)
        self.window = window
        self.code: int | None = None
        self.within_s = within_s
        self._look = QTimer(self)
        self._look.setInterval(LOOK_EVERY_MS)
        self._look.timeout.connect(self.look)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._too_slow)
        self._previous_hook: Callable[..., object] | None = None

    def start(self) -> None:
        """Start watching (call once the window is shown)."""
        self._previous_hook = sys.excepthook
        sys.excepthook = self._exception
        self._look.start()
        self._deadline.start(int(self.within_s * 1000))
        if not self.window.ctx.sees_named_pupils:
            role = self.window.ctx.actor.role.value
            self.fail(
                f"--exit-when-ready waits for the register and what's due, which a user "
                f"with the role {role} does not see: sign in as the SENCo (SENDESK_USER)."
            )

    def look(self) -> None:
        """One look at the window (every :data:`LOOK_EVERY_MS`)."""
        if self.code is not None:
            return
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        if box is not None:
            text = " ".join(box.text().split())
            box.done(QMessageBox.StandardButton.Cancel.value)
            self.fail(f"SENDesk showed a message instead of being ready: {text}")
            return
        register, home = self.window.register, self.window.home
        if register.message_label.isVisible():
            self.fail(f"The register could not be read: {register.message_label.text()}")
        elif home.failure is not None:
            self.fail(f"What's due was not filled in: {home.failure}")
        elif home.loaded and register.loaded:
            self.succeed()

    def succeed(self) -> None:
        pupils = self.window.register.model.rowCount()
        items = len(self.window.home.model.items)
        line = (
            f"SENDesk ready: {self.window.ctx.school.name}, "
            f"{plural(pupils, 'pupil')} on the register, {plural(items, 'item')} due"
        )
        if sys.stdout is not None:  # a windowed program on Windows has none
            print(line, flush=True)
        self._finish(0)

    def fail(self, sentence: str) -> None:
        if self.code is not None:
            return
        if sys.stderr is not None:
            print(f"sendesk: {sentence}", file=sys.stderr, flush=True)
        self._finish(1)

    def _too_slow(self) -> None:
        self.fail(
            f"SENDesk was not ready within {self.within_s:g} s of its window showing: "
            "the register and what's due had not both filled in."
        )

    def _exception(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if self._previous_hook is not None:
            self._previous_hook(kind, exc, tb)  # the traceback, on stderr as usual
        self.fail(f"SENDesk stopped on an error while starting ({kind.__name__}: {exc}).")

    def _finish(self, code: int) -> None:
        self.code = code
        self._look.stop()
        self._deadline.stop()
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        self.finished.emit(code)
