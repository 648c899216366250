"""The app as a SENCo first meets it: set-up, sign-in, import, adding a pupil."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWizard

from sendesk.keystore import SERVICE, key_id
from sendesk.models import Role
from sendesk.services.register.pupils import get_pupil
from sendesk.services.staff.users import create_user, sign_in
from sendesk.ui.register.add_pupil_dialog import AddPupilDialog
from sendesk.ui.register.import_dialog import ImportDialog
from sendesk.ui.school.setup_wizard import SetupWizard
from sendesk.ui.staff.sign_in import SignInDialog
from tests.ui.screens import context, on_screen

CSV_HEADER = "UPN,Legal Surname,Legal Forename,DOB,Year,Reg,SEN Status,Primary Need\r\n"


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("SENDESK_CONFIG_DIR", str(folder))
    return folder


def test_setup_wizard_creates_school_key_and_senco(
    qtbot, tmp_path, config_dir, memory_keyring
) -> None:
    wizard = on_screen(qtbot, SetupWizard())
    qtbot.keyClicks(wizard.school.name, "Brook Valley School")
    qtbot.keyClicks(wizard.school.urn, "654321")
    qtbot.keyClicks(wizard.school.la, "Devon")
    qtbot.keyClicks(wizard.school.dfe, "878 4001")  # written as people write it
    wizard.next()
    assert wizard.currentPage() is wizard.storage
    db_path = tmp_path / "brook.sendesk"
    wizard.storage.path.setText(str(db_path))
    wizard.next()
    assert wizard.currentPage() is wizard.senco
    wizard.senco.username.setText("jsmith")
    qtbot.keyClicks(wizard.senco.display, "Jo Smith")
    qtbot.keyClicks(wizard.senco.password, "a good password")
    qtbot.keyClicks(wizard.senco.again, "a good password")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.context is not None
    ctx = wizard.context
    assert ctx.school.name == "Brook Valley School"
    assert ctx.school.dfe_number == "878/4001"  # stored as the CTF names it
    assert ctx.actor.username == "jsmith" and ctx.actor.role == Role.SENCO
    assert (SERVICE, key_id(db_path)) in memory_keyring.store
    settings = json.loads((config_dir / "settings.json").read_text())
    assert settings["database"] == str(db_path.resolve())
    assert "key" not in json.dumps(settings).lower()
    # the first SENCo signs in with the password chosen here, and keeps it (issue 13)
    assert not sign_in(ctx.db, "jsmith", "a good password").must_change_password
    ctx.db.dispose()


def test_setup_wizard_refuses_short_passwords(qtbot, tmp_path, config_dir) -> None:
    wizard = on_screen(qtbot, SetupWizard())
    wizard.school.name.setText("X School")
    wizard.school.urn.setText("12")
    wizard.next()
    assert wizard.currentPage() is wizard.school
    assert "not a 6-digit" in wizard.school.error.text()
    wizard.school.urn.clear()
    wizard.school.dfe.setText("8784001X")  # the DfE number is optional, but checked
    wizard.next()
    assert wizard.currentPage() is wizard.school
    assert wizard.school.error.text() == (
        "'8784001X' is not a DfE number: 3 digits for the LA and 4 for the school, e.g. 801/4000."
    )
    wizard.school.dfe.clear()
    wizard.next()
    wizard.storage.path.setText(str(tmp_path / "x.sendesk"))
    wizard.next()
    wizard.senco.password.setText("short")
    wizard.senco.again.setText("short")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.context is None
    assert "at least 8" in wizard.senco.error.text()
    assert not (tmp_path / "x.sendesk").exists()


def test_sign_in_dialog(qtbot, db, senco) -> None:
    create_user(db, senco, "ta1", "Sam Support", Role.LEARNING_SUPPORT, "support123")
    dialog = on_screen(qtbot, SignInDialog(db, "Test Academy"))
    qtbot.keyClicks(dialog.username, "ta1")
    qtbot.keyClicks(dialog.password, "wrong")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()  # the password is checked on the worker thread
    assert dialog.actor is None
    assert dialog.error.text() == "The username or password is wrong."
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "support123")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()
    # a first password set by the SENCo is replaced before the window opens (issue 13)
    assert dialog.actor is None and dialog.change_box.isVisible()
    qtbot.keyClicks(dialog.new_password, "support456")
    qtbot.keyClicks(dialog.new_again, "support456")
    qtbot.keyClick(dialog.new_again, Qt.Key.Key_Return)
    dialog.checking.wait()  # the new password is saved on the worker thread
    assert dialog.actor is not None and dialog.actor.role == Role.LEARNING_SUPPORT


def test_import_dialog_shows_problems_then_imports_good_rows(qtbot, tmp_path, db, senco) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        CSV_HEADER
        + "H801200001001,Wójcik,Zoë,01/05/2012,9,9A,K,SPLD\r\n"
        + "B801200001001,Nguyễn,Phương,31/02/2012,9,9B,N,\r\n"  # bad letter and bad date
        + "B801200005001,Ó Súilleabháin,Siobhán,03/03/2013,8,8C,E,ASD\r\n",
        encoding="utf-8-sig",
    )
    dialog = ImportDialog(context(db, senco))
    qtbot.addWidget(dialog)
    dialog.path.setText(str(export))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    rows = [
        [dialog.model.item(r, c).text() for c in range(4)] for r in range(dialog.model.rowCount())
    ]
    assert {r[0] for r in rows if r[1] == "Problem"} == {"3"}
    reasons = " ".join(r[3] for r in rows)
    assert "31/02/2012 does not exist" in reasons
    assert "check letter" in reasons
    assert not dialog.import_button.isEnabled()  # all or nothing until the user chooses
    dialog.skip.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.imported, timeout=10_000)
    assert "2 new" in dialog.summary.text()
    assert dialog.cancel_button.text() == "Close"


def test_add_pupil_refuses_a_bad_upn_with_the_reason(qtbot, db, senco) -> None:
    dialog = AddPupilDialog(context(db, senco))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.upn, "A801200001001")  # check letter should be H
    qtbot.keyClicks(dialog.surname, "Kowalczyk")
    dialog.forename.setText("Łukasz")  # QTest.keyClicks only types ASCII
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    assert "check letter" in dialog.problems.text()
    dialog.upn.setText("H801200001001")
    assert save.isEnabled(), dialog.problems.text()
    save.click()
    assert dialog.pupil_id is not None


def test_add_pupil_types_a_lower_case_upn_in_capitals(qtbot, db, senco) -> None:
    """A UPN is capitals only (DfE format): typed in lower case, it shows and saves in capitals."""
    dialog = AddPupilDialog(context(db, senco))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.upn, "g80120000101a")
    assert dialog.upn.text() == "G80120000101A"
    assert dialog.upn.cursorPosition() == 13
    qtbot.keyClicks(dialog.surname, "Jones")
    qtbot.keyClicks(dialog.forename, "Tom")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save.isEnabled(), dialog.problems.text()
    save.click()
    assert get_pupil(db, senco, "G80120000101A").legal_surname == "Jones"
