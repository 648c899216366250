"""First run: the school, where its database lives, its key, and the first SENCo account."""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sendesk.db import Database, create_database, default_database_path, parse_target
from sendesk.errors import SendeskError
from sendesk.keystore import (
    MIN_PASSPHRASE,
    env_key,
    forget_key,
    key_for_new,
    keyring_name,
    keyring_usable,
)
from sendesk.services.actor import Actor
from sendesk.services.school.school import init_school, school_info, validate_school
from sendesk.services.staff.users import password_problem
from sendesk.settings import AppSettings, save_settings
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import warn
from sendesk.ui.kit.forms import note


def _line(name: str, text: str = "", password: bool = False) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _CheckedPage(QWizardPage):
    """A page that goes on (Next or Finish) only once :meth:`check` raises nothing: its
    one sentence shows on the page, in :attr:`error`."""

    error: QLabel

    def _form(self, *rows: tuple[str, QLineEdit]) -> None:
        """The page as a form: ``rows`` (label, field), then the line for :attr:`error`."""
        form = QFormLayout(self)
        for text, field in rows:
            form.addRow(text, field)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form.addRow(self.error)

    def check(self) -> None:
        raise NotImplementedError

    def validatePage(self) -> bool:
        try:
            self.check()
        except SendeskError as exc:
            self.error.setText(str(exc))
            return False
        return True


class SchoolPage(_CheckedPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your school")
        self.setSubTitle("SENDesk keeps one school's SEN records in one encrypted database.")
        self.name = _line("School name")
        self.urn = _line("URN")
        self.urn.setPlaceholderText("6 digits, optional")
        self.la = _line("Local authority")
        # The DfE number names the school in a Common Transfer File and in its file name
        # (issue 15); optional here, it can be added later in File > School details.
        self.dfe = _line("DfE number")
        self.dfe.setPlaceholderText("LLL/EEEE, e.g. 801/4000, optional")
        self._form(
            ("School &name:", self.name),
            ("&URN:", self.urn),
            ("&DfE number:", self.dfe),
            ("&Local authority:", self.la),
        )
        self.name.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return bool(self.name.text().strip())

    def check(self) -> None:
        validate_school(
            self.name.text(), self.urn.text().strip() or None, self.dfe.text().strip() or None
        )


class StoragePage(_CheckedPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Where the records live")
        layout = QVBoxLayout(self)
        self.local = QRadioButton("On this computer, in an encrypted file (recommended)")
        self.local.setChecked(True)
        self.server = QRadioButton("On the school's PostgreSQL server")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        layout.addWidget(self.local)
        row = QHBoxLayout()
        self.path = _line("Database file", str(default_database_path()))
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose the database file")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path)
        row.addWidget(browse)
        layout.addLayout(row)
        self.key_note = note(layout)
        form = QFormLayout()
        self.passphrase = _line("Passphrase", password=True)
        self.passphrase_again = _line("Passphrase again", password=True)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("&Again:", self.passphrase_again)
        layout.addLayout(form)
        layout.addWidget(self.server)
        self.url = _line("PostgreSQL URL")
        self.url.setPlaceholderText(
            "postgresql+psycopg://user@server/sendesk (password in ~/.pgpass)"
        )
        layout.addWidget(self.url)
        self.error = note(layout)
        self.needs_passphrase = not env_key() and not keyring_usable()
        if env_key():
            self.key_note.setText("The key comes from the SENDESK_DB_KEY environment variable.")
        elif keyring_usable():
            self.key_note.setText(
                f"A random key will be made and kept in the system keyring ({keyring_name()})."
            )
        else:
            self.key_note.setText(
                "This computer has no system keyring, so choose a passphrase to encrypt the "
                f"file (at least {MIN_PASSPHRASE} characters). SENDesk never stores it: "
                "keep it somewhere safe — without it the records cannot be opened."
            )
        for w in (self.passphrase, self.passphrase_again):
            w.setVisible(self.needs_passphrase)
        self.local.toggled.connect(self._mode)
        self._mode()

    def _mode(self) -> None:
        local = self.local.isChecked()
        self.path.setEnabled(local)
        self.passphrase.setEnabled(local)
        self.passphrase_again.setEnabled(local)
        self.url.setEnabled(not local)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Database file", self.path.text(), "SENDesk database (*.sendesk)"
        )
        if chosen:
            self.path.setText(chosen)

    def target(self) -> str:
        return self.path.text().strip() if self.local.isChecked() else self.url.text().strip()

    def check(self) -> None:
        target = parse_target(self.target())
        if target.path is None:
            return
        if target.path.exists():
            raise SendeskError(f"{target.path} already exists: choose a new file name.")
        if self.needs_passphrase:
            if len(self.passphrase.text()) < MIN_PASSPHRASE:
                raise SendeskError(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
            if self.passphrase.text() != self.passphrase_again.text():
                raise SendeskError("The two passphrases differ.")


class SencoPage(_CheckedPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The SENCo's account")
        self.setSubTitle("The SENCo can do everything, including adding other staff.")
        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = ""
        self.username = _line("SENCo username", login)
        self.display = _line("SENCo name as shown")
        self.password = _line("SENCo password", password=True)
        self.again = _line("SENCo password again", password=True)
        self._form(
            ("&Username:", self.username),
            ("Your &name:", self.display),
            ("&Password:", self.password),
            ("&Again:", self.again),
        )

    def check(self) -> None:
        if not self.username.text().strip():
            raise SendeskError("The username is empty.")
        problem = password_problem(self.password.text(), self.again.text())
        if problem:
            raise SendeskError(problem)


class SetupWizard(QWizard):
    """Creates the database and the first account; ``context`` is set when it succeeds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up SENDesk")
        self.school = SchoolPage()
        self.storage = StoragePage()
        self.senco = SencoPage()
        for page in (self.school, self.storage, self.senco):
            self.addPage(page)
        self.context: AppContext | None = None

    def accept(self) -> None:
        # Qt's Finish button calls this (virtual) slot directly: validate the last page here.
        if not self.validateCurrentPage():
            return
        try:
            self.context = self._create()
        except SendeskError as exc:
            warn(self, exc)
            return
        super().accept()

    def _create(self) -> AppContext:
        target = parse_target(self.storage.target())
        key: str | None = None
        if target.path is not None:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            passphrase = self.storage.passphrase.text()
            key, _where = key_for_new(target.path, lambda _m, _c: passphrase or None)
        try:
            db: Database = create_database(target, key)
        except SendeskError:
            if target.path is not None:
                forget_key(target.path)
            raise
        try:
            actor: Actor = init_school(
                db,
                self.school.name.text(),
                urn=self.school.urn.text().strip() or None,
                la_name=self.school.la.text().strip() or None,
                dfe_number=self.school.dfe.text().strip() or None,
                senco_username=self.senco.username.text().strip(),
                senco_name=self.senco.display.text().strip(),
                senco_password=self.senco.password.text(),
            )
        except BaseException:
            db.dispose()  # a school-less database is no use to anyone: remove it
            if target.path is not None:
                target.path.unlink(missing_ok=True)
                forget_key(target.path)
            raise
        save_settings(
            AppSettings(
                database=str(Path(target.path).resolve()) if target.path else self.storage.target(),
                last_username=actor.username,
            )
        )
        return AppContext(db, actor, school_info(db))
