"""File → Staff accounts… and signing in with a first password (issue 13), as staff meet them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from sendesk.models import Role
from sendesk.services.actor import acting_user
from sendesk.services.staff.users import assigned_pupils, create_user, list_users, sign_in
from sendesk.ui.main_window import MainWindow
from sendesk.ui.staff.sign_in import SignInDialog
from sendesk.ui.staff.staff_accounts_dialog import StaffAccountsDialog
from tests.factories import add_test_pupil
from tests.ui.screens import context, on_screen
from tests.ui.views import all_cells, headers


def open_dialog(qtbot, db, actor) -> StaffAccountsDialog:
    return on_screen(qtbot, StaffAccountsDialog(context(db, actor)))


def table(dialog: StaffAccountsDialog) -> dict[str, list[str]]:
    return {row[0]: row for row in all_cells(dialog.table)}


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question is answered Yes, every warning noted (no real message boxes)."""
    asked: list[str] = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    def warning(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    return asked


def test_the_senco_adds_an_account_with_a_first_password(qtbot, db, senco) -> None:
    dialog = open_dialog(qtbot, db, senco)
    assert headers(dialog.table)[4] == "Must change password"
    add = dialog.add_dialog()
    qtbot.keyClicks(add.username, "mrk")
    qtbot.keyClicks(add.display, "Mr Khan")
    add.role.setCurrentIndex(add.role.findData(Role.TEACHER))
    qtbot.keyClicks(add.staff_code, "KHN")
    qtbot.keyClicks(add.password, "first-pass")
    qtbot.keyClicks(add.again, "first-pasS")
    add.accept()
    assert add.error.text() == "The two passwords differ."
    add.again.setText("first-pass")
    add.accept()
    assert add.result() == add.DialogCode.Accepted
    dialog.reload(select="mrk")
    assert table(dialog)["mrk"] == ["mrk", "Mr Khan", "Teacher", "Yes", "Yes", "KHN"]
    assert dialog.selected().username == "mrk"
    assert dialog.code_button.isEnabled() and not dialog.pupils_button.isEnabled()


def test_disable_asks_first_then_enable(qtbot, db, senco, answers) -> None:
    create_user(db, senco, "lsa", "Ms Support", Role.LEARNING_SUPPORT)
    dialog = open_dialog(qtbot, db, senco)
    dialog.select("lsa")
    assert dialog.active_button.text() == "&Disable"
    dialog.active_button.click()
    assert "Disable Ms Support's account?" in answers[-1]
    assert table(dialog)["lsa"][3] == "No (disabled)"
    assert dialog.active_button.text() == "&Enable"
    dialog.active_button.click()
    assert table(dialog)["lsa"][3] == "Yes"
    dialog.select("senco")
    dialog.active_button.click()
    assert answers[-1] == "You cannot disable your own account."


def test_role_staff_code_and_reset_password(qtbot, db, senco, answers, monkeypatch) -> None:
    create_user(db, senco, "eo", "Mrs Exams", Role.TEACHER)
    dialog = open_dialog(qtbot, db, senco)
    dialog.select("eo")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: ("Exams officer", True))
    dialog.role_button.click()
    assert table(dialog)["eo"][2] == "Exams officer"
    assert not dialog.code_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: ("Teacher", True))
    dialog.role_button.click()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a: ("  EXM ", True))
    dialog.code_button.click()
    assert table(dialog)["eo"][5] == "EXM"
    reset = dialog.password_dialog(dialog.selected())
    reset.password.setText("short")
    reset.again.setText("short")
    reset.accept()
    assert reset.error.text() == "A password needs at least 8 characters."
    reset.password.setText("a-new-first")
    reset.again.setText("a-new-first")
    reset.accept()
    dialog.reload()
    assert table(dialog)["eo"][4] == "Yes"
    assert sign_in(db, "eo", "a-new-first").must_change_password


def test_learning_support_is_assigned_pupils(qtbot, db, senco) -> None:
    ids = [add_test_pupil(db, senco, n, surname=f"Pupil{n}") for n in (1, 2, 3)]
    create_user(db, senco, "lsa", "Ms Support", Role.LEARNING_SUPPORT)
    dialog = open_dialog(qtbot, db, senco)
    dialog.select("lsa")
    assert dialog.pupils_button.isEnabled()
    picker = dialog.pupils_dialog(dialog.selected())
    assert picker.pupils.count() == 3
    qtbot.keyClicks(picker.search, "pupil2")
    assert [picker.pupils.item(i).isHidden() for i in range(3)] == [True, False, True]
    picker.set_checked(ids[1], True)
    picker.set_checked(ids[2], True)
    picker.accept()
    assert [p.pupil_id for p in assigned_pupils(db, senco, "lsa")] == [ids[1], ids[2]]


def test_only_the_senco_has_staff_accounts_in_the_file_menu(qtbot, db, senco, monkeypatch) -> None:
    opened: list[StaffAccountsDialog] = []
    monkeypatch.setattr(StaffAccountsDialog, "exec", lambda d: opened.append(d) or 0)
    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):  # drawn, as people see it (see ui/first_draw.py)
        window.show()
    [action] = [a for a in window.menuBar().actions()[0].menu().actions() if "Staff" in a.text()]
    action.trigger()
    assert len(opened) == 1 and table(opened[0])["senco"][2] == "SENCo"
    create_user(db, senco, "t1", "Mr T", Role.TEACHER)
    teacher = MainWindow(context(db, acting_user(db, "t1")))
    qtbot.addWidget(teacher)
    with qtbot.waitExposed(teacher):
        teacher.show()
    assert not any("Staff" in a.text() for a in teacher.menuBar().actions()[0].menu().actions())


def test_the_exams_officer_sees_only_the_list(qtbot, db, senco) -> None:
    create_user(db, senco, "exams", "Mrs Exams", Role.EXAMS_OFFICER)
    window = on_screen(qtbot, MainWindow(context(db, acting_user(db, "exams"))))
    assert list(window.pages) == ["Exams officer's list"]
    page = window.stack.currentWidget()
    assert page.summary.text() == (
        "No candidate has an approved or applied-for access arrangement."
    )
    assert not window._menu_by_title["&Pupil"].menuAction().isVisible()


def test_the_exams_officers_export_is_audited(qtbot, db, senco, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from sendesk.ui.access.exams_list_page import ExamsListPage
    from tests.ui.export_audit import export_details

    create_user(db, senco, "exams", "Mrs Exams", Role.EXAMS_OFFICER)
    page = ExamsListPage(context(db, acting_user(db, "exams")))
    qtbot.addWidget(page)
    target = tmp_path / "aa.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    assert page.export() == target and target.exists()
    assert export_details(db) == [{"what": "exams officer's list", "pupils": 0, "file": "aa.csv"}]


# --- signing in --------------------------------------------------------------------------


def sign_in_dialog(qtbot, db) -> SignInDialog:
    return on_screen(qtbot, SignInDialog(db, "Test Academy"))


def test_a_first_password_is_changed_before_the_window_opens(qtbot, db, senco) -> None:
    create_user(db, senco, "new", "Ms New", Role.TEACHER, "first-pass")
    dialog = sign_in_dialog(qtbot, db)
    qtbot.keyClicks(dialog.username, "new")
    qtbot.keyClicks(dialog.password, "first-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()  # the password is checked on the worker thread
    assert dialog.actor is None and dialog.isVisible()  # not signed in yet
    assert dialog.change_box.isVisible() and not dialog.username.isVisible()
    assert "choose your own to continue" in dialog.change_note.text()
    assert dialog.ok_button.text() == "Save and sign in"
    qtbot.keyClicks(dialog.new_password, "short")
    qtbot.keyClicks(dialog.new_again, "short")
    qtbot.keyClick(dialog.new_again, Qt.Key.Key_Return)
    dialog.checking.wait()  # the new password is saved on the worker thread
    assert dialog.error.text() == "A password needs at least 8 characters."
    assert dialog.actor is None
    dialog.new_password.setText("first-pass")
    dialog.new_again.setText("first-pass")
    dialog.ok_button.click()
    dialog.checking.wait()
    assert dialog.error.text() == "Choose a password different from the one you were given."
    dialog.new_password.setText("my-own-pass")
    dialog.new_again.setText("my-own-pass")
    dialog.ok_button.click()
    dialog.checking.wait()
    assert dialog.actor is not None and not dialog.actor.must_change_password
    assert not dialog.isVisible()
    summary = {u.username: u for u in list_users(db, senco)}["new"]
    assert not summary.must_change_password
    assert sign_in(db, "new", "my-own-pass").username == "new"


def test_a_disabled_account_is_refused_in_one_sentence(qtbot, db, senco) -> None:
    from sendesk.services.staff.users import set_active, set_password

    create_user(db, senco, "gone", "Mr Gone", Role.TEACHER)
    set_password(db, acting_user(db, "gone"), "gone", "his-own-pw")
    set_active(db, senco, "gone", False)
    dialog = sign_in_dialog(qtbot, db)
    qtbot.keyClicks(dialog.username, "gone")
    qtbot.keyClicks(dialog.password, "his-own-pw")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()  # the password is checked on the worker thread
    assert dialog.actor is None
    assert dialog.error.text() == "This account has been disabled: ask the SENCo."


def test_every_control_is_named_for_a_screen_reader(qtbot, db, senco) -> None:
    from sendesk.ui.access.exams_list_page import ExamsListPage
    from tests.ui.test_accessibility import unnamed_controls

    create_user(db, senco, "lsa", "Ms Support", Role.LEARNING_SUPPORT)
    dialog = open_dialog(qtbot, db, senco)
    dialog.select("lsa")
    user = dialog.selected()
    sign = sign_in_dialog(qtbot, db)
    sign._ask_for_new_password(senco)
    page = ExamsListPage(context(db, senco))
    qtbot.addWidget(page)
    for widget in (
        dialog,
        dialog.add_dialog(),
        dialog.password_dialog(user),
        dialog.pupils_dialog(user),
        sign,
        page,
    ):
        assert unnamed_controls(widget) == [], type(widget).__name__
