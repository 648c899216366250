"""Opening a screen under test as the app opens one: with the signed-in user's context,
owned by ``qtbot`` (so it is closed after the test), and shown."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

from sendesk.db import Database
from sendesk.services.actor import Actor
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext

W = TypeVar("W", bound=QWidget)


def context(db: Database, actor: Actor) -> AppContext:
    """What the main window hands each page: the database, the user and the school."""
    return AppContext(db, actor, school_info(db))


def on_screen(qtbot, widget: W) -> W:  # type: ignore[no-untyped-def]
    """``widget``, handed to ``qtbot`` and shown, as a user would first see it."""
    qtbot.addWidget(widget)
    widget.show()
    return widget
