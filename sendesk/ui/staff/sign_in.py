"""Signing in: who is using SENDesk decides what the window offers.

The dialog is the first thing a SENCo sees, so it does not wait for SQLAlchemy: checking a
password needs the models (:mod:`sendesk.services.staff.users`), which are imported on the
worker thread once the dialog is on screen, while the user types (see :mod:`sendesk.db` on
start-up). The check itself (scrypt, and on a server the login) and saving a new password
(scrypt again) run on the worker thread too (:mod:`sendesk.ui.ops`): scrypt takes a large
part of a second and the dialog keeps answering meanwhile.

A first password (a new account, or one the SENCo reset) is replaced before the window
opens (issue 13): the dialog then asks for a new password, twice, under the same rules as
every password (:func:`sendesk.services.staff.users.password_problem`), and signs in only once
it is saved. Cancelling leaves the user signed out.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.db import Database
from sendesk.errors import SendeskError
from sendesk.services.actor import Actor
from sendesk.ui.first_draw import when_first_drawn
from sendesk.ui.kit.buttons import dialog_buttons
from sendesk.ui.ops import Op, show_failure


def _import_sign_in(_progress: object = None) -> None:
    import sendesk.services.staff.users  # noqa: F401 - imported now so that signing in is quick


def _import_on_the_worker() -> Op:
    """Import the models on the worker: a fifth of a second the dialog would not answer."""
    return Op(None, _import_sign_in).run()


class SignInDialog(QDialog):
    """Username and password; on success ``actor`` is the signed-in user.

    ``connect``: on a PostgreSQL server the database is opened *as the user* (their own
    login, services/store/pg_security.py), so there is no ``db`` until they have typed their
    name and password; the dialog then opens it with ``connect(username, password)`` and
    keeps it in ``db`` (the caller disposes it if the dialog is cancelled).
    """

    def __init__(
        self,
        db: Database | None,
        school_name: str,
        username: str | None = None,
        parent: QWidget | None = None,
        *,
        connect: Callable[[str, str], Database] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self._connect = connect
        self.actor: Actor | None = None
        self.setWindowTitle(f"Sign in — SENDesk — {school_name}")
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{school_name}</b><br>Sign in to SENDesk.")
        heading.setTextFormat(heading.textFormat().RichText)
        layout.addWidget(heading)
        form = QFormLayout()
        self.username = QLineEdit(username or "")
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form.addRow("&Username:", self.username)
        form.addRow("&Password:", self.password)
        layout.addLayout(form)
        # Shown instead of the form above when the password must be changed first.
        self.change_box = QWidget()
        change = QFormLayout(self.change_box)
        change.setContentsMargins(0, 0, 0, 0)
        self.change_note = QLabel()
        self.change_note.setWordWrap(True)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setAccessibleName("New password")
        self.new_again = QLineEdit()
        self.new_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_again.setAccessibleName("New password again")
        change.addRow(self.change_note)
        change.addRow("&New password:", self.new_password)
        change.addRow("&Again:", self.new_again)
        self.change_box.hide()
        self._first_form = form
        self._pending: Actor | None = None
        layout.addWidget(self.change_box)
        self.error = QLabel()
        self.error.setAccessibleName("Sign-in message")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        _buttons, self.ok_button = dialog_buttons(self, layout, accept=self._try)
        self.ok_button.setText("Sign in")
        (self.password if username else self.username).setFocus()
        self.importing: Op | None = None
        when_first_drawn(self, self._start_import)

    def _start_import(self) -> None:
        self.importing = _import_on_the_worker()

    def _try(self) -> None:
        """Check the password on the worker thread (scrypt, and on a server the login
        itself, take most of a second); the dialog answers meanwhile, OK disabled."""
        if self._pending is not None:
            self._change()
            return
        username, password = self.username.text(), self.password.text()
        connect, db = self._connect, self.db

        def check(_progress: object) -> tuple[Database, Actor]:
            from sendesk.services.staff.users import sign_in  # see the module docstring

            opened = connect(username, password) if connect is not None else db
            assert opened is not None
            try:
                return opened, sign_in(opened, username, password)
            except BaseException:
                if opened is not db:
                    opened.dispose()
                raise

        self.ok_button.setEnabled(False)
        self.checking = Op(self, check, success=self._signed_in, failure=self._refused).run()

    def _signed_in(self, got: tuple[Database, Actor]) -> None:
        self.ok_button.setEnabled(True)
        db, actor = got
        if db is not self.db:  # the server checked the password first
            if self.db is not None:
                self.db.dispose()
            self.db = db
        if actor.must_change_password:
            self._ask_for_new_password(actor)
            return
        self.actor = actor
        self.accept()

    def _refused(self, exc: BaseException, field: QLineEdit | None = None) -> None:
        """The one sentence under the form, and the password refused (``field``, the first
        form's unless said) selected to type again."""
        self.ok_button.setEnabled(True)
        if not isinstance(exc, SendeskError):
            show_failure(self, exc)
            return
        self.error.setText(str(exc))
        retype = field or self.password
        retype.selectAll()
        retype.setFocus()

    def _ask_for_new_password(self, actor: Actor) -> None:
        """Swap the form for the new-password one: the user is not signed in until the
        password they were given is replaced by their own."""
        self._pending = actor
        self.password.clear()
        for row in range(self._first_form.rowCount()):
            self._first_form.setRowVisible(row, False)
        self.change_note.setText(
            f"Welcome, {actor.display_name}. Your password was set by the SENCo: choose "
            "your own to continue."
        )
        self.change_box.show()
        self.error.clear()
        self.ok_button.setText("Save and sign in")
        self.new_password.setFocus()

    def _change(self) -> None:
        """Save the new password on the worker thread (scrypt); OK is disabled meanwhile."""
        from sendesk.services.staff.users import change_own_password

        assert self._pending is not None and self.db is not None
        db, pending = self.db, self._pending
        new, again = self.new_password.text(), self.new_again.text()

        def save(_progress: object) -> Actor:
            return change_own_password(db, pending, new, again)

        self.ok_button.setEnabled(False)
        self.checking = Op(
            self,
            save,
            success=self._changed,
            failure=lambda exc: self._refused(exc, self.new_password),
        ).run()

    def _changed(self, actor: Actor) -> None:
        self.ok_button.setEnabled(True)
        self.actor = actor
        self.accept()
