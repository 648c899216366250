"""Pressing OK in a dialog whose save runs on the worker thread, and waiting for it."""

from __future__ import annotations

from typing import Any


def accept(dialog: Any) -> int:
    """Press OK, wait for the save (if one started), and return the dialog's result."""
    dialog.accept()
    if getattr(dialog, "save_op", None) is not None:
        dialog.save_op.wait()
    return dialog.result()


def wait_for_save(dialog: Any) -> None:
    """Wait for a save already started (OK clicked, Ctrl+S pressed) to finish."""
    if getattr(dialog, "save_op", None) is not None:
        dialog.save_op.wait()


def answer_question(monkeypatch: Any, button: Any) -> list[str]:
    """Answer every question with ``button``; returns the questions asked, in order."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def question(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked
