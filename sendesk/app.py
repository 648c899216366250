"""``sendesk`` with no command opens the desktop app (``sendesk --demo``: a demo school)."""

from __future__ import annotations


def run_app(*, demo: bool, db: str | None, exit_when_ready: bool = False) -> int:
    """Import Qt only here, so the command line starts fast and works without a display."""
    from sendesk.ui.app import run_gui

    return run_gui(demo=demo, db=db, exit_when_ready=exit_when_ready)
