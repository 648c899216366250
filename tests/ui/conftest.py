"""Fixtures the UI tests share: a pupil to open, and the warnings a screen shows."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from sendesk.db import Database
from sendesk.services.actor import Actor
from tests.factories import add_test_pupil


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
