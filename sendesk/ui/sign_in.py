"""Signing in: who is using SENDesk decides what the window offers.

The dialog is the first thing a SENCo sees, so it does not wait for SQLAlchemy: checking a
password needs the models (:mod:`sendesk.services.users`), which are imported once the
dialog is on screen, while the user types (see :mod:`sendesk.db` on start-up).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
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


def _import_sign_in() -> None:
    import sendesk.services.users  # noqa: F401 - imported now so that signing in is quick


class SignInDialog(QDialog):
    """Username and password; on success ``actor`` is the signed-in user."""

    def __init__(
        self,
        db: Database,
        school_name: str,
        username: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
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
        self.error = QLabel()
        self.error.setAccessibleName("Sign-in message")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()
        when_first_drawn(self, _import_sign_in)

    def _try(self) -> None:
        from sendesk.services.users import sign_in  # see the module docstring

        try:
            self.actor = sign_in(self.db, self.username.text(), self.password.text())
        except SendeskError as exc:
            self.error.setText(str(exc))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()
