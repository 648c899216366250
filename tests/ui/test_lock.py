"""The window locks when left idle or on File → Lock, hides every record, keeps what was
typed, and opens again only with the same person's password (UK GDPR Art. 32: appropriate
technical measures for special-category data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence import evidence
from sendesk.services.register.pupil_record import get_record
from sendesk.services.school.settings import set_setting
from sendesk.services.staff.session_lock import (
    DEFAULT_LOCK_AFTER_MINUTES,
    LOCK_AFTER_MINUTES,
    REFUSED,
    lock_after_minutes,
    set_lock_after_minutes,
)
from sendesk.services.staff.users import set_password
from sendesk.services.store.audit_log import audit_listing
from sendesk.ui.main_window import MainWindow
from sendesk.ui.staff.lock import LOCKED_TEXT
from tests.factories import small_pdf
from tests.ui.screens import context

PASSWORD = "correct horse"


@pytest.fixture
def window(qtbot, db: Database, senco: Actor, pupil: int) -> MainWindow:
    set_password(db, senco, "senco", PASSWORD)
    main = MainWindow(context(db, senco))
    qtbot.addWidget(main)
    main.nav.setCurrentRow(1)  # the register, naming the pupil
    main.show()
    qtbot.waitExposed(main)
    main.register.loading.wait()  # the register is read on the worker
    return main


def visible_texts(root: QWidget) -> list[str]:
    """Everything a person (or a screen reader) could read in ``root`` now."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            columns = 1 if isinstance(widget, QListView) else model.columnCount()
            texts += [
                str(model.index(r, c).data())
                for r in range(model.rowCount())
                for c in range(columns)
            ]
    return texts


def actions(db: Database, senco: Actor) -> list[str]:
    """The lock's own events, oldest first (checking the password may audit a sign-in)."""
    ours = {"lock", "unlock", "unlock_failed"}
    return [line.action for line in audit_listing(db, senco).lines if line.action in ours]


def test_the_idle_time_is_the_schools_setting_five_minutes_unless_set(
    db: Database, senco: Actor
) -> None:
    assert lock_after_minutes(db) == DEFAULT_LOCK_AFTER_MINUTES == 5
    set_lock_after_minutes(db, senco, 2)
    assert lock_after_minutes(db) == 2
    set_setting(db, senco, LOCK_AFTER_MINUTES, "0")  # edited by hand: never "never"
    assert lock_after_minutes(db) == 5
    with pytest.raises(ValidationError, match="between 1 and 60 minutes"):
        set_lock_after_minutes(db, senco, 0)


def test_left_idle_the_window_locks_and_hides_the_register(
    qtbot, db: Database, senco: Actor, window: MainWindow
) -> None:
    assert any("Zoë" in t for t in visible_texts(window))
    watcher = window.locker.watcher
    assert watcher.timer.interval() == 5 * 60_000  # read at sign-in
    watcher.timer.setInterval(10)  # drive the idle timer instead of waiting five minutes
    watcher.timer.start()
    qtbot.waitUntil(lambda: window.locker.is_locked)
    assert window.centralWidget().isHidden()
    assert window.menuBar().isHidden()
    texts = visible_texts(window)
    assert LOCKED_TEXT in texts
    assert not any("Zoë" in t for t in texts)
    screen = window.locker.screen
    assert screen is not None and screen.isVisible()
    assert screen.windowModality() == Qt.WindowModality.ApplicationModal
    assert actions(db, senco)[-1] == "lock"


def test_keyboard_input_restarts_the_idle_timer(qtbot, window: MainWindow) -> None:
    watcher = window.locker.watcher
    watcher.timer.stop()
    QTest.keyClick(window.register.search, Qt.Key.Key_A)
    assert watcher.timer.isActive()


def test_file_lock_then_the_right_password_shows_everything_again(
    qtbot, db: Database, senco: Actor, window: MainWindow, pupil: int
) -> None:
    window.open_pupil(pupil).wait()  # the record is read on the worker
    record = window.pupil_windows[pupil]
    qtbot.waitExposed(record)
    reg = record.fields["reg_group"]  # type: ignore[attr-defined]
    reg.setFocus()
    reg.setText("8Q, not yet saved")
    file_lock = next(
        a for m in window._menu_by_title.values() for a in m.actions() if a.text() == "&Lock"
    )
    assert file_lock.shortcut().toString() == "Ctrl+L"
    file_lock.trigger()
    assert window.locker.is_locked
    assert not reg.isVisible() and not any("Zoë" in t for t in visible_texts(record))
    assert LOCKED_TEXT in visible_texts(record)
    screen = window.locker.screen
    assert screen is not None
    QTest.keyClicks(screen.password, PASSWORD)
    QTest.keyClick(screen.password, Qt.Key.Key_Return)
    window.locker.checking.wait()  # type: ignore[union-attr]  # the password, on the worker
    assert not window.locker.is_locked
    assert reg.isVisible() and reg.text() == "8Q, not yet saved"
    assert record.is_dirty  # type: ignore[attr-defined]
    assert window.centralWidget().isVisible()
    assert any("Zoë" in t for t in visible_texts(window))
    assert LOCKED_TEXT not in visible_texts(window) + visible_texts(record)
    assert actions(db, senco)[-2:] == ["lock", "unlock"]
    record.fields["reg_group"].setText("")  # type: ignore[attr-defined]
    record.close()


def test_a_wrong_password_is_refused_in_one_sentence_and_audited(
    qtbot, db: Database, senco: Actor, window: MainWindow
) -> None:
    window.locker.lock()
    screen = window.locker.screen
    assert screen is not None
    screen.password.setText("not my password")
    screen.unlock_button.click()
    window.locker.checking.wait()  # type: ignore[union-attr]
    assert screen.unlock_button.isEnabled()
    assert window.locker.is_locked and window.centralWidget().isHidden()
    assert screen.message.text() == REFUSED
    assert screen.password.text() == ""
    assert actions(db, senco)[-2:] == ["lock", "unlock_failed"]
    screen.unlock_button.click()  # nothing typed
    assert screen.message.text() == "Type your password to unlock SENDesk."
    screen.close()  # the lock screen cannot be closed any other way
    QTest.keyClick(screen, Qt.Key.Key_Escape)
    assert screen.isVisible() and window.locker.is_locked


def test_a_dialog_open_under_the_lock_keeps_what_was_typed(qtbot, window: MainWindow) -> None:
    dialog = QDialog(window)
    dialog.setWindowTitle("Note")
    edit = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(edit)
    seen: dict[str, object] = {}

    def during_exec() -> None:
        QTest.keyClicks(edit, "half a sentence")
        window.locker.lock()
        seen["hidden"] = edit.isHidden()
        screen = window.locker.screen
        assert screen is not None
        screen.password.setText(PASSWORD)
        screen.unlock_button.click()
        window.locker.checking.wait()  # type: ignore[union-attr]
        seen["after"] = (edit.isVisible(), edit.text())
        dialog.accept()

    QTimer.singleShot(0, during_exec)
    assert dialog.exec() == QDialog.DialogCode.Accepted
    assert seen == {"hidden": True, "after": (True, "half a sentence")}


def test_signing_out_from_the_lock_discards_unsaved_edits_without_asking(
    qtbot, db: Database, pupil: int, window: MainWindow
) -> None:
    window.open_pupil(pupil).wait()  # the record is read on the worker
    record = window.pupil_windows[pupil]
    record.fields["reg_group"].setText("9Z")  # type: ignore[attr-defined]
    assert record.is_dirty  # type: ignore[attr-defined]
    window.locker.lock()
    screen = window.locker.screen
    assert screen is not None
    screen.sign_out_button.click()
    qtbot.waitUntil(lambda: window.signed_out and not window.isVisible())
    assert window.pupil_windows == {}
    assert not record.isVisible()
    assert get_record(db, acting_user(db, "senco"), pupil).reg_group != "9Z"


@pytest.fixture
def copy(db: Database, senco: Actor, pupil: int, private_tmp: Path) -> Path:
    """An EP report the SENCo opened in the OS viewer: its decrypted copy on disk."""
    doc_id = evidence.add_document(
        db, senco, pupil, small_pdf(), "EP report", None, filename="ep.pdf"
    )
    return evidence.viewer_copy(db, senco, doc_id)


def test_locking_deletes_the_decrypted_viewer_copies(window: MainWindow, copy: Path) -> None:
    assert copy.exists()
    window.locker.lock()
    assert not copy.exists() and not copy.parent.exists()


@pytest.mark.skipif(os.name != "posix", reason="Windows relies on the folder's age")
def test_a_crashed_runs_viewer_copies_are_deleted_at_the_next_start(
    private_tmp: Path, ended_pid: int
) -> None:
    crashed = private_tmp / f"{evidence.VIEWER_PREFIX}{ended_pid}-abc"
    crashed.mkdir()
    (crashed / "report.pdf").write_bytes(b"%PDF-1.4")
    running = private_tmp / f"{evidence.VIEWER_PREFIX}{os.getppid()}-def"  # still running
    running.mkdir()
    assert evidence.sweep_stale_viewer_folders() == 1
    assert not crashed.exists() and running.exists()


def test_a_message_shown_under_the_lock_is_hidden_and_the_lock_stays_on_top(
    qtbot, window: MainWindow
) -> None:
    window.locker.lock()
    screen = window.locker.screen
    assert screen is not None
    # a job finishing while the SENCo is away (the request pack) says so in a message box
    box = QMessageBox(
        QMessageBox.Icon.Information, "SENDesk", "Built the pack for Zoë.", parent=window
    )
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is screen)
    assert not any("Zoë" in t for t in visible_texts(box))
    screen.password.setText(PASSWORD)
    screen.unlock_button.click()
    window.locker.checking.wait()  # type: ignore[union-attr]
    assert any("Zoë" in t for t in visible_texts(box))
    box.close()


def test_signing_out_or_quitting_deletes_the_viewer_copies(window: MainWindow, copy: Path) -> None:
    window.sign_out()  # File > Sign out; Quit closes the window the same way
    assert window.signed_out and not window.isVisible()
    assert not copy.exists()
    assert not window.locker.watcher.timer.isActive()  # no lock after the session ended


def test_an_open_menu_is_closed_by_the_lock(qtbot, window: MainWindow) -> None:
    menu = window._menu_by_title["&Pupil"]
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible)
    window.locker.lock()
    assert not menu.isVisible()
    assert window.locker.screen is not None and window.locker.screen.isVisible()
