"""Starting the desktop app: demo school, first-run set-up, or open and sign in."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from sendesk.db import DB_ENV_VAR, Database, create_database, parse_target
from sendesk.errors import KeyUnavailableError, SendeskError
from sendesk.resource_files import resource_path
from sendesk.services.actor import acting_user
from sendesk.services.school.school import school_info
from sendesk.services.store.opening import open_database
from sendesk.settings import load_settings, save_settings
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP

DEMO_PUPILS = 1200
APP_ICON = resource_path("icons", "sendesk.png")
"""Every window's icon (title bar, task bar); drawn from ``sendesk.svg`` by
scripts/make_icons.py so showing it needs no SVG support."""


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP)
    app.setApplicationDisplayName(APP)
    app.setOrganizationName(APP)
    app.setWindowIcon(QIcon(str(APP_ICON)))
    assert isinstance(app, QApplication)
    return app


def open_demo(folder: Path, pupils: int = DEMO_PUPILS) -> AppContext | None:
    """A fresh demo school in ``folder`` with a key that exists only in memory.

    Written on the worker thread (:mod:`sendesk.ui.ops`) behind a progress dialog with
    Cancel; this waits for it in an event loop of its own, so the dialog repaints and
    answers. None if the user cancels.
    """
    from sendesk.demo import DEMO_PASSWORD, write_demo_school
    from sendesk.keystore import new_raw_key
    from sendesk.ui.ops import Op

    db = create_database(str(folder / "demo-school.sendesk"), new_raw_key())
    op = Op(
        None,
        lambda progress: write_demo_school(
            db, pupils=pupils, progress=progress, password=DEMO_PASSWORD
        ),
        failure=lambda _exc: None,  # raised below, where the caller shows it
        label="Writing a demo school…",
        show_after_ms=300,
    )
    op.run().wait(timeout_ms=3_600_000)
    if op.error is not None:
        db.dispose()
        if op.cancelled:
            return None
        raise op.error
    return AppContext(db, acting_user(db, "senco"), school_info(db))


def _ask_passphrase(message: str, _confirm: bool) -> str | None:
    text, ok = QInputDialog.getText(None, APP, message + ":", QLineEdit.EchoMode.Password)
    return text if ok and text else None


def open_existing(target_text: str) -> Database:
    from sendesk.keystore import key_for_existing  # the OS keyring: only for a file

    target = parse_target(target_text)
    key = None
    if target.path is not None:
        key = key_for_existing(target.path, _ask_passphrase)
    return open_database(target, key)


def sign_in_context(db: Database, username: str | None) -> AppContext | None:
    from sendesk.ui.staff.sign_in import SignInDialog

    info = school_info(db)
    dialog = SignInDialog(db, info.name, username)
    if not dialog.exec() or dialog.actor is None:
        return None
    settings = load_settings()
    settings.last_username = dialog.actor.username
    save_settings(settings)
    return AppContext(db, dialog.actor, info)


def sign_in_server(target_text: str, username: str | None) -> AppContext | None:
    """A PostgreSQL server named without an account: the sign-in opens the database as
    the user's own login (services/store/pg_security.py), so the server checks the password and
    its roles bound what this session can read."""
    from sendesk.services.store.pg_security import open_as
    from sendesk.ui.staff.sign_in import SignInDialog

    target = parse_target(target_text)
    where = f"{target.url.database} on {target.url.host or 'this computer'}"
    dialog = SignInDialog(
        None, where, username, connect=lambda name, password: open_as(target, name, password)
    )
    if not dialog.exec() or dialog.actor is None or dialog.db is None:
        if dialog.db is not None:
            dialog.db.dispose()
        return None
    settings = load_settings()
    settings.last_username = dialog.actor.username
    save_settings(settings)
    return AppContext(dialog.db, dialog.actor, school_info(dialog.db))


def _as_login(target_text: str) -> bool:
    from sendesk.services.store.pg_security import needs_login

    return needs_login(parse_target(target_text))


def first_run() -> AppContext | None:
    from sendesk.ui.school.setup_wizard import SetupWizard

    wizard = SetupWizard()
    if not wizard.exec():
        return None
    return wizard.context


def chosen_database(option: str | None, setting: str | None) -> str | None:
    """The database the app opens: ``--db``, else ``SENDESK_DB`` (as every command reads
    it, so one shortcut or login script can point both at a school), else the settings
    file's choice; None means the first-run wizard."""
    return option or os.environ.get(DB_ENV_VAR) or setting or None


def run_gui(*, demo: bool, db: str | None, exit_when_ready: bool = False) -> int:
    """The whole desktop session; returns the process exit status.

    ``exit_when_ready``: sign in from the environment, quit once the window has filled in
    (:mod:`sendesk.ui.exit_when_ready`); a problem is one sentence on stderr, not a dialog
    nobody is there to close.
    """
    from sendesk.reports.private_temp import sweep_scratch_folders
    from sendesk.services.evidence import evidence
    from sendesk.ui.main_window import MainWindow

    app = application()
    # Evidence opened in the OS viewer is a short-lived private copy: remove it on quit,
    # and anything a crash left behind now.
    evidence.sweep_stale_viewer_folders()
    sweep_scratch_folders()  # an export's scratch files, if a crash left any
    app.aboutToQuit.connect(evidence.remove_viewer_copies)
    chosen_login: str | None = None  # a server named without an account
    with tempfile.TemporaryDirectory(prefix="sendesk-demo-") as scratch:
        try:
            if demo:
                ctx = open_demo(Path(scratch))
            else:
                settings = load_settings()
                chosen = chosen_database(db, settings.database)
                if exit_when_ready:
                    from sendesk.ui.exit_when_ready import signed_in_without_asking

                    ctx = signed_in_without_asking(chosen)
                elif chosen and _as_login(chosen):
                    chosen_login = chosen
                    ctx = sign_in_server(chosen, settings.last_username)
                elif chosen:
                    database = open_existing(chosen)
                    ctx = sign_in_context(database, settings.last_username)
                else:
                    ctx = first_run()
        except (SendeskError, KeyUnavailableError) as exc:
            if exit_when_ready:
                print(f"sendesk: {exc}", file=sys.stderr)
            else:
                QMessageBox.critical(None, APP, str(exc))
            return 1
        if exit_when_ready and ctx is None:
            print("sendesk: the demo school was not written, so nothing opened.", file=sys.stderr)
            return 1
        status = 0
        while ctx is not None:
            window = MainWindow(ctx)
            window.resize(1200, 760)
            window.show()
            if exit_when_ready:
                from sendesk.ui.exit_when_ready import ReadyWatch

                watch = ReadyWatch(window)
                watch.finished.connect(app.exit)
                watch.start()
            status = app.exec()
            if exit_when_ready or not window.signed_out or demo:
                ctx.db.dispose()
                break
            if chosen_login:  # the next user connects as their own login
                ctx.db.dispose()
                ctx = sign_in_server(chosen_login, None)
            else:
                ctx = sign_in_context(ctx.db, None)
        from sendesk.ui.ops import shutdown

        shutdown()  # the worker thread's connections were closed by each dispose()
        return status
