"""Run something once a window has first been drawn.

Why not on show: Qt draws a window when it handles an UpdateRequest, which it posts at low
priority, so work queued when the window is shown runs first and keeps the window blank.
Start-up uses this to put the window on screen before the slow work (importing SQLAlchemy,
working out what's due).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstDraw(QObject):
    def __init__(self, window: QWidget, slot: Callable[[], None]) -> None:
        super().__init__(window)  # a child of the window: gone with it
        self._slot = slot
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        window = watched.windowHandle() if isinstance(watched, QWidget) else None
        # On X11 or Wayland an update can come before the window is mapped: wait for one
        # drawn on screen.
        if event.type() == QEvent.Type.UpdateRequest and (window is None or window.isExposed()):
            watched.removeEventFilter(self)
            # Posted now, so it runs after the window finishes handling this request
            # (drawing itself); dropped if the window is deleted first.
            QTimer.singleShot(0, watched, self._slot)
        return False


def when_first_drawn(window: QWidget, slot: Callable[[], None]) -> None:
    """Call ``slot`` from the event loop once ``window`` has first been drawn."""
    _FirstDraw(window, slot)
