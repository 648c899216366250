"""``sendesk --exit-when-ready`` (issue 16): the app opens as usual, fills in, says what it
shows and quits by itself — 0 when ready, 1 and one sentence when not.

The first tests run ``python -m sendesk`` in a child process, offscreen, as CI runs the
built program; the others watch a window in this process to make each way of failing happen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from sendesk.db import Database, create_database, parse_target
from sendesk.demo import DEMO_PASSWORD, SCHOOL_NAME, write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.services.actor import Actor, acting_user
from sendesk.services.due import due_items
from sendesk.services.register.register_view import register_rows
from sendesk.services.store.opening import open_database
from sendesk.ui.exit_when_ready import ReadyWatch
from sendesk.ui.main_window import MainWindow
from tests.ui.screens import context

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A 30-pupil demo school in a file, and its key."""
    path, key = tmp_path_factory.mktemp("demo") / "demo.sendesk", new_raw_key()
    db = create_database(str(path), key)
    try:
        write_demo_school(db, pupils=30, seed=4, password=DEMO_PASSWORD)
    finally:
        db.dispose()
    return path, key


def run_app(
    path: Path, key: str, tmp_path: Path, *, password: str
) -> subprocess.CompletedProcess[str]:
    """``sendesk --db PATH --exit-when-ready`` in a child process, offscreen, with its own
    settings folder (so neither the user's settings nor another test's are read)."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SENDESK_DB_KEY=key,
        SENDESK_PASSWORD=password,
        SENDESK_CONFIG_DIR=str(tmp_path / "config"),
    )
    env.pop("SENDESK_USER", None)
    return subprocess.run(
        [sys.executable, "-m", "sendesk", "--db", str(path), "--exit-when-ready"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        cwd=ROOT,
        check=False,
    )


def test_the_app_opens_fills_in_says_what_it_shows_and_exits_0(
    small_demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, key = small_demo
    done = run_app(path, key, tmp_path, password=DEMO_PASSWORD)
    assert done.returncode == 0, done.stderr
    db = open_database(parse_target(str(path)), key)
    try:
        senco = acting_user(db, "senco")
        pupils = len(register_rows(db, senco))
        items = len(due_items(db, senco))
    finally:
        db.dispose()
    assert pupils > 1 and items > 1  # so the line's words are the plural ones
    assert done.stdout.splitlines() == [
        f"SENDesk ready: {SCHOOL_NAME}, {pupils} pupils on the register, {items} items due"
    ]


def test_a_wrong_password_is_one_sentence_and_exit_1(
    small_demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, key = small_demo
    done = run_app(path, key, tmp_path, password="not-the-password")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1] == "sendesk: The username or password is wrong."


def test_the_option_is_refused_with_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    from sendesk.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--exit-when-ready", "verify"])
    assert stopped.value.code == 2
    assert "--exit-when-ready opens the app" in capsys.readouterr().err


def _watched(qtbot, db: Database, actor: Actor, within_s: float = 60) -> tuple[ReadyWatch, list]:
    window = MainWindow(context(db, actor))
    qtbot.addWidget(window)
    watch = ReadyWatch(window, within_s=within_s)
    codes: list[int] = []
    watch.finished.connect(codes.append)
    return watch, codes


def test_an_error_dialog_is_a_failure_with_its_words(
    qtbot, db: Database, senco: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    watch, codes = _watched(qtbot, db, senco)
    box = QMessageBox(QMessageBox.Icon.Warning, "SENDesk", "The disk is full.", parent=watch.window)
    QTimer.singleShot(0, box.open)
    watch.window.show()
    watch.start()
    qtbot.waitUntil(lambda: bool(codes), timeout=10_000)
    assert codes == [1]
    assert not box.isVisible()  # closed, so nothing waits for a person
    out, err = capsys.readouterr()
    assert "SENDesk ready" not in out
    assert err.strip() == (
        "sendesk: SENDesk showed a message instead of being ready: The disk is full."
    )


def test_not_ready_in_time_is_a_failure(
    qtbot, db: Database, senco: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    watch, codes = _watched(qtbot, db, senco, within_s=0.3)
    watch.start()  # never shown, so what's due is never worked out
    qtbot.waitUntil(lambda: bool(codes), timeout=10_000)
    assert codes == [1]
    assert "was not ready within 0.3 s" in capsys.readouterr().err


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_the_event_loop_is_a_failure(
    qtbot, db: Database, senco: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    watch, codes = _watched(qtbot, db, senco)

    def broken() -> None:
        raise RuntimeError("a page could not be drawn")

    watch.start()
    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: bool(codes), timeout=10_000)
    assert codes == [1]
    assert sys.excepthook is not watch._exception  # put back as it was
    err = capsys.readouterr().err
    assert "stopped on an error while starting (RuntimeError: a page could not be drawn)" in err


def test_what_s_due_not_worked_out_is_a_failure_with_the_page_s_sentence(
    qtbot, db: Database, senco: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    watch, codes = _watched(qtbot, db, senco)
    watch.start()
    # what the worker's failure calls when working it out raised (e.g. a locked database)
    watch.window.home._failed(RuntimeError("database is locked"))
    qtbot.waitUntil(lambda: bool(codes), timeout=10_000)
    assert codes == [1]
    assert capsys.readouterr().err.strip() == (
        "sendesk: What's due was not filled in: could not be worked out (RuntimeError); "
        "try again after restarting SENDesk."
    )
    assert "could not be worked out (RuntimeError)" in watch.window.home.summary.text()
