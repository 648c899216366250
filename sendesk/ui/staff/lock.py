"""Locking the window when the SENCo steps away, and unlocking it with their password.

Why: pupils' records are special-category data (UK GDPR Art. 9), and Art. 32 asks for
appropriate technical measures; a screen left open in a school office is the commonest
way such data is seen by someone who should not. So SENDesk locks itself after a time
without keyboard or mouse input (the school's setting, :mod:`sendesk.services.staff.session_lock`)
and when the user chooses File → Lock.

What locking does:

- every open SENDesk window (the main window, pupil windows, dialogs, message boxes) has
  its content *hidden* — its child widgets are set hidden, not merely covered, so nothing
  of the record can be read, found by a screen reader or grabbed — and shows only
  "SENDesk is locked";
- nothing is closed or re-read: an editor half-filled keeps its text, a dialog stays open,
  and unlocking shows them again exactly as they were, with the same field focused;
- decrypted copies of documents opened in the system's viewer are deleted
  (:func:`sendesk.services.evidence.evidence.remove_viewer_copies`);
- an application-modal lock screen asks for the same person's password (checked by the
  users service, on the worker thread: :meth:`LockController.try_unlock`) or offers to
  sign out. Signing out from the lock discards unsaved edits
  without asking: whoever is at the keyboard may not be the person who made them, and
  must not be able to save them under that person's name.

Lock, unlock and a refused unlock are audit events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.roles import ROLE_LABELS
from sendesk.ui.context import AppContext
from sendesk.ui.kit.forms import note
from sendesk.ui.ops import Op, show_failure

log = logging.getLogger(__name__)

LOCKED_TEXT = "SENDesk is locked."

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
"""What counts as someone at the keyboard (a window repainting or a timer does not)."""


class IdleWatcher(QObject):
    """An application-wide event filter: any keyboard or mouse input restarts the timer;
    ``idle`` is emitted when it runs out."""

    idle = Signal()
    window_shown = Signal(QWidget)
    """While paused (locked): a window was shown, e.g. a message at the end of a job."""

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(self.idle)
        self.paused = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.paused:
            if event.type() in _INPUT:
                self.timer.start()  # restarts the countdown
        elif (
            event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow()
        ):
            self.window_shown.emit(watched)
        return False

    def pause(self) -> None:
        self.paused = True
        self.timer.stop()

    def resume(self) -> None:
        self.paused = False
        self.timer.start()

    def stop(self) -> None:
        self.pause()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class _Cover(QLabel):
    """What a locked window shows instead of its content; follows the window's size."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(LOCKED_TEXT, window)
        self.setObjectName("lockCover")
        self.setAccessibleName("Locked")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAutoFillBackground(True)
        font = self.font()
        if font.pointSizeF() > 0:  # a font sized in pixels has no point size
            font.setPointSizeF(font.pointSizeF() * 1.5)
            self.setFont(font)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


@dataclass
class _Hidden:
    """One window's content hidden by the lock, to be shown again on unlock."""

    window: QWidget
    children: list[QWidget]
    cover: _Cover
    extra: list[QWidget] = field(default_factory=list)


def _alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def _hide_content(window: QWidget) -> _Hidden:
    children = [
        child
        for child in window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not child.isWindow() and not child.isHidden()
    ]
    for child in children:
        child.setHidden(True)
    return _Hidden(window, children, _Cover(window))


def _show_content(hidden: _Hidden) -> None:
    if _alive(hidden.cover):
        if _alive(hidden.window):
            hidden.window.removeEventFilter(hidden.cover)
        hidden.cover.hide()
        hidden.cover.deleteLater()
    for child in hidden.children:
        if _alive(child):
            child.setHidden(False)


class LockScreen(QDialog):
    """The password prompt over a locked SENDesk: Unlock, or Sign out.

    Application-modal and shown last, so it takes input even when a modal dialog was open
    under it; it cannot be closed except by unlocking or signing out.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"SENDesk is locked — {ctx.school.name}")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        who = f"{ctx.actor.display_name} ({ROLE_LABELS[ctx.actor.role]})"
        heading = QLabel(
            f"<b>SENDesk is locked.</b><br>Signed in as {who}.<br>"
            "Enter your password to carry on where you left off."
        )
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        layout.addWidget(self.password)
        self.message = QLabel()
        self.message.setAccessibleName("Unlock message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setAccessibleName("Sign out (unsaved changes are discarded)")
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.sign_out_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        layout.addWidget(buttons)
        note(layout, "Signing out here closes SENDesk's windows without saving.")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def reject(self) -> None:
        """Escape does not close the lock screen."""

    def closeEvent(self, event: QEvent) -> None:  # type: ignore[override]
        event.ignore()


class LockController(QObject):
    """Locks and unlocks one signed-in session's windows.

    ``sign_out`` is called when the user signs out from the lock screen, after every
    dialog has been closed and every other window discarded.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        ctx: AppContext,
        window: QWidget,
        sign_out: Callable[[], None],
        minutes: int | None = None,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._sign_out = sign_out
        if minutes is None:
            from sendesk.services.staff.session_lock import lock_after_minutes

            minutes = lock_after_minutes(ctx.db)  # read once, at sign-in
        self.minutes = minutes
        self.watcher = IdleWatcher(minutes, self)
        self.watcher.idle.connect(lambda: self.lock(idle=True))
        self.watcher.window_shown.connect(self._shown_while_locked)
        self.screen: LockScreen | None = None
        self._hidden: list[_Hidden] = []
        self._focus: QWidget | None = None
        self.checking: Op | None = None  # the password check in flight (tests wait on it)

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    # --- locking ----------------------------------------------------------------------

    def lock(self, *, idle: bool = False) -> None:
        """Hide every SENDesk window's content and ask for the password (once)."""
        if self.is_locked:
            return
        self.watcher.pause()
        for _ in range(10):  # an open menu, a submenu, a drop-down list
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        QToolTip.hideText()
        self._focus = QApplication.focusWidget()
        self._hidden = [_hide_content(w) for w in self._windows()]
        _remove_viewer_copies()
        self._audit(lambda: _record_lock(self.ctx, idle=idle))
        self.screen = LockScreen(self.ctx, self.window)
        self.screen.unlock_button.clicked.connect(self.try_unlock)
        self.screen.password.returnPressed.connect(self.try_unlock)
        self.screen.sign_out_button.clicked.connect(self.sign_out)
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.screen.password.setFocus()
        self.locked.emit()

    def _shown_while_locked(self, window: QWidget) -> None:
        """A window that appears under the lock (a job's closing message) is hidden too,
        and the lock screen goes back on top: a new modal window would otherwise take the
        keyboard from it."""
        screen = self.screen
        if screen is None or window is screen or window not in self._windows():
            return
        if any(hidden.window is window for hidden in self._hidden):
            return
        self._hidden.append(_hide_content(window))
        QTimer.singleShot(0, self, self._screen_on_top)

    def _screen_on_top(self) -> None:
        screen = self.screen
        if screen is not None and QApplication.activeModalWidget() is not screen:
            screen.hide()
            screen.show()  # shown last: the top of the modal stack again
        if screen is not None:
            screen.raise_()
            screen.activateWindow()
            screen.password.setFocus()

    def _windows(self) -> list[QWidget]:
        """Every visible SENDesk window but the lock screen, tooltips and popups."""
        skip = (Qt.WindowType.ToolTip, Qt.WindowType.Popup, Qt.WindowType.SplashScreen)
        return [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and w.windowType() not in skip and not isinstance(w, LockScreen)
        ]

    # --- unlocking --------------------------------------------------------------------

    def try_unlock(self) -> Op | None:
        """Check the typed password on the worker; unlock when it is the signed-in
        person's, otherwise say why. Returns the check in flight (also ``checking``; tests
        and scripts wait on it), or None when there was nothing to check.

        Why on the worker: the check is the sign-in's scrypt, a deliberately slow key
        derivation, and on the GUI thread it froze every window for its duration.
        """
        screen = self.screen
        if screen is None:
            return None
        if self.checking is not None and not self.checking.done:
            return self.checking  # Enter pressed again while the first check runs
        password = screen.password.text()
        screen.password.clear()
        if not password:
            screen.message.setText("Type your password to unlock SENDesk.")
            return None
        ctx = self.ctx

        def check(_progress: object) -> None:
            from sendesk.services.staff.session_lock import unlock

            unlock(ctx.db, ctx.actor, password)

        screen.message.setText("Checking…")
        screen.unlock_button.setEnabled(False)
        self.checking = Op(
            screen,
            check,
            success=lambda _none: self._password_right(screen),
            failure=lambda exc: self._password_wrong(screen, exc),
        )
        return self.checking.run()

    def _password_right(self, screen: LockScreen) -> None:
        if self.screen is not screen:
            return  # signed out from the lock while the password was checked
        self._restore()
        self.unlocked.emit()

    def _password_wrong(self, screen: LockScreen, exc: BaseException) -> None:
        if self.screen is not screen:
            return
        screen.unlock_button.setEnabled(True)
        if not isinstance(exc, SendeskError):
            show_failure(screen, exc)
            screen.message.setText("")
            return
        screen.message.setText(str(exc))
        screen.password.setFocus()

    def _restore(self) -> None:
        for hidden in self._hidden:
            _show_content(hidden)
        self._hidden = []
        self._close_screen()
        focus, self._focus = self._focus, None
        if _alive(focus):
            assert focus is not None
            focus.window().activateWindow()
            focus.setFocus()
        self.watcher.resume()

    def _close_screen(self) -> None:
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.hide()
            screen.deleteLater()

    # --- signing out ------------------------------------------------------------------

    def sign_out(self) -> None:
        """End the session from the lock: close dialogs, discard windows, then sign out.

        Content stays hidden throughout. Modal dialogs are closed first; their ``exec``
        loops must unwind before their windows go, so the rest waits until none is left.
        """
        self._close_screen()
        self.watcher.stop()
        for w in self._windows():
            if isinstance(w, QDialog) and w is not self.window:
                w.done(QDialog.DialogCode.Rejected)
        self._finish_sign_out(tries=50)

    def _finish_sign_out(self, tries: int) -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None and tries > 0:
            if isinstance(modal, QDialog):
                modal.done(QDialog.DialogCode.Rejected)
            QTimer.singleShot(0, self, lambda: self._finish_sign_out(tries - 1))
            return
        for w in self._windows():
            if w is not self.window:
                w.hide()  # discarded without asking (see the module docstring)
                w.deleteLater()
        self._hidden = []
        _remove_viewer_copies()
        self._sign_out()

    def end(self) -> None:
        """The session is over (signed out or quitting): stop watching, delete copies."""
        self.watcher.stop()
        self._close_screen()
        _remove_viewer_copies()

    def _audit(self, write: Callable[[], None]) -> None:
        """Lock even when the audit cannot be written (a busy database): locking must not
        fail; the failure is logged without personal data."""
        try:
            write()
        except SendeskError as exc:
            log.warning("could not audit the lock: %s", type(exc).__name__)


def _record_lock(ctx: AppContext, *, idle: bool) -> None:
    from sendesk.services.staff.session_lock import record_lock

    record_lock(ctx.db, ctx.actor, idle=idle)


def _remove_viewer_copies() -> None:
    from sendesk.services.evidence.evidence import remove_viewer_copies

    remove_viewer_copies()


__all__ = ["LOCKED_TEXT", "IdleWatcher", "LockController", "LockScreen"]
