"""Fixtures the UI tests share: a pupil to open, a demo school, the warnings a screen shows
and a guard against message boxes nobody answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox

from sendesk.db import Database, create_database
from sendesk.demo import write_demo_school
from sendesk.services.actor import Actor
from tests.factories import add_test_pupil

DEMO_TODAY = date(2025, 3, 3)
"""The demo school's today: files using ``demo_db`` set their ``TODAY`` to it."""


@pytest.fixture
def pupil_id(db: Database, senco: Actor) -> int:
    return add_test_pupil(db, senco, 1, provision="K", needs=("SLCN",))


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every warning a screen shows, in order, instead of a box nobody can press."""
    shown: list[str] = []

    def warning(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def no_unexpected_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message box nobody answers would block the test run: fail at once instead (tests
    that expect one answer it with ``warnings`` or ``answer_question``)."""

    def unexpected(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        pytest.fail(f"unexpected message box: {text}")

    for name in ("question", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, unexpected)


@pytest.fixture
def demo_db(empty_target: tuple[str, str]) -> Iterator[Database]:
    """An 80-pupil demo school (seed 2, as on 3 March 2025): whole-school pages with
    enough pupils, groups and sessions to show. A file that uses it points ``senco`` here."""
    target, key = empty_target
    database = create_database(target, key)
    write_demo_school(database, pupils=80, seed=2, today=DEMO_TODAY)
    yield database
    database.dispose()
