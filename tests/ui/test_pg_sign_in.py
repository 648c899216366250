"""Signing in to a PostgreSQL server named without an account (issue 13): the dialog
opens the database as the user's own login, so the server checks the password."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from PySide6.QtCore import Qt

from sendesk.db import create_database, parse_target
from sendesk.services.school.school import init_school
from sendesk.services.store import pg_security
from sendesk.ui.staff.sign_in import SignInDialog
from tests.pg_owner import owner_and_database

pytestmark = pytest.mark.postgres


def test_the_dialog_connects_as_the_users_login(qtbot: Any, pg_server: Any) -> None:
    owned = owner_and_database(pg_server.admin_url)
    boss = f"boss{secrets.token_hex(4)}"
    with create_database(owned.owner_url) as db:
        init_school(
            db,
            "Server School",
            senco_username=boss,
            senco_name="The SENCo",
            senco_password="boss-password",
        )
        pg_security.secure(db, {boss: "boss-password"})
    target = parse_target(owned.url_without_account)
    dialog = SignInDialog(
        None, owned.dbname, connect=lambda u, p: pg_security.open_as(target, u, p)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, boss)
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()  # the login is checked on the worker thread
    assert dialog.actor is None and dialog.db is None
    assert dialog.error.text() == "The username or password is wrong."
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "boss-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()
    assert dialog.actor is not None and dialog.actor.username == boss
    assert dialog.db is not None
    assert dialog.db.target.url.username == f"sendesk_{boss}"
    dialog.db.dispose()
