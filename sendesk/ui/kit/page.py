"""A main-window page: who is signed in, what day it is, and its reads on the worker.

Why a base class: every page the main window shows (My classes, My groups, Interventions,
Provision map, Access arrangements) starts the same way — it keeps the signed-in context
and today's date (tests pass another day), builds its widgets, connects them, and reads
its data on the worker thread (:mod:`sendesk.ui.ops`), keeping the running read in
``loading`` so the main window and tests know when it has arrived. A page says only what
is its own: its state, :meth:`_build`, :meth:`_connect` and :meth:`reload`.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from sendesk.ui.context import AppContext
from sendesk.ui.ops import Op


class Page(QWidget):
    """Builds, connects and reads once made; ``changed`` is emitted after it saves."""

    changed = Signal()

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.loading: Op | None = None  # the latest read on the worker (tests wait on it)
        self._start()
        self._build()
        self._connect()
        self.reload()

    def _start(self) -> None:
        """The page's own state, before its widgets are built."""

    def _build(self) -> None:
        raise NotImplementedError

    def _connect(self) -> None:
        """Connect the widgets' signals (after all of them are built)."""

    def reload(self) -> Op | None:
        """Read the page's data again (on the worker); the running operation, if any."""
        raise NotImplementedError
