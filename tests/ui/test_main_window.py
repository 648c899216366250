"""The main window shows each role what it may use — and only that."""

from __future__ import annotations

from pathlib import Path

from sendesk.models import Role
from sendesk.services.staff.users import create_user, sign_in
from sendesk.ui.app import open_demo
from sendesk.ui.main_window import MainWindow
from tests.ui.screens import context, on_screen


def _window(qtbot, db, actor) -> MainWindow:
    return on_screen(qtbot, MainWindow(context(db, actor)))


def _menu_texts(window: MainWindow) -> set[str]:
    return {
        action.text().replace("&", "")
        for menu in window._menu_by_title.values()
        if menu.menuAction().isVisible()
        for action in menu.actions()
        if action.text()
    }


TEACHERS_PAGES = ["What's due", "Register", "My groups", "My classes", "Interventions"]
"""The pages a teacher sees, in order; the SENCo sees these first, then the office's own."""


def test_senco_sees_everything(qtbot, db, senco) -> None:
    window = _window(qtbot, db, senco)
    assert window.windowTitle() == "SENDesk — Test Academy"
    assert list(window.pages) == [
        *TEACHERS_PAGES,
        "Provision map",
        "Access arrangements",
        "Audit trail",
        "Census check",
        "Figures",
    ]
    assert {
        "Import pupils from the MIS…",
        "Add a pupil…",
        "Back up the database…",
        "Find…",
        "Sign out",
    } <= _menu_texts(window)
    assert "Ms Senco (SENCo)" in window.statusBar().currentMessage()
    assert "School details…" in _menu_texts(window)


def test_teacher_cannot_import_or_add(qtbot, db, senco) -> None:
    create_user(db, senco, "t1", "Mr Teacher", Role.TEACHER, "teacher123")
    window = _window(qtbot, db, sign_in(db, "t1", "teacher123"))
    # My groups: a teacher may lead an intervention group and log its sessions (the table)
    assert list(window.pages) == TEACHERS_PAGES
    texts = _menu_texts(window)
    assert "Import pupils from the MIS…" not in texts
    assert "Add a pupil…" not in texts
    assert "School details…" not in texts  # the SENCo's, like the other settings
    assert "Find…" in texts


def test_learning_support_logs_their_groups(qtbot, db, senco) -> None:
    create_user(db, senco, "ta", "Ms Support", Role.LEARNING_SUPPORT, "support123")
    window = _window(qtbot, db, sign_in(db, "ta", "support123"))
    assert list(window.pages) == ["What's due", "Register", "My groups", "Interventions"]


def test_read_only_sees_statistics_and_no_names(qtbot, db, senco) -> None:
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "governor1")
    window = _window(qtbot, db, sign_in(db, "gov", "governor1"))
    assert list(window.pages) == ["Statistics", "Provision map"]
    assert "Find…" not in _menu_texts(window)
    text = window.pages["Statistics"].body.text()
    assert "SEND register at a glance" in text
    assert "0 pupils." in text
    assert (
        "“fewer than 5” is a count from 1 to 4; “not shown” is a count hidden so that a "
        "small one cannot be worked out from it"
    ) in text


def test_demo_school_opens_with_register_and_pupil_window(qtbot, tmp_path: Path) -> None:
    ctx = open_demo(tmp_path, pupils=80)
    assert ctx is not None and ctx.actor.username == "senco"
    window = on_screen(qtbot, MainWindow(ctx))
    register = window.register
    register.loading.wait()  # the register is read on the worker
    assert register.model.rowCount() > 0
    window.nav.setCurrentRow(0)
    window.find()  # Pupil > Find (Ctrl+F) brings the register forward
    assert window.stack.currentWidget() is register
    first = register.proxy.index(0, 0)
    register.table.setCurrentIndex(first)
    pupil_id = register.proxy.row_at(first).pupil_id
    window.open_pupil(pupil_id).wait()  # the record is read on the worker
    assert pupil_id in window.pupil_windows
    pupil_window = window.pupil_windows[pupil_id]
    assert pupil_window.windowTitle().endswith("— SENDesk")
    pupil_window.close()
    qtbot.waitUntil(lambda: pupil_id not in window.pupil_windows)
    window.close()
    ctx.db.dispose()


def test_about_says_the_release_and_the_databases_schema_revision(qtbot, db, senco) -> None:
    from sendesk import __version__
    from sendesk.db import head_revision

    window = _window(qtbot, db, senco)
    text = window.about_text()
    assert f"SENDesk {__version__}" in text
    assert f"Database schema revision {head_revision()}" in text
