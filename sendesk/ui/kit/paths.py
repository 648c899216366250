"""A file or folder field with its Choose button, the choosers behind it, and why a file
could not be written or read, in one sentence.

Why: the MIS import, the CTF import, the pack wizard and the leaver's SEN file each ask for
a file or a folder the same way — a label with its Alt+ key, a field the user may type or
paste into, and a button that opens the system's chooser starting from what is typed.
They are made here once, so each screen names only what it asks for.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from sendesk.errors import SendeskError
from sendesk.ui.kit.buttons import action_button


def file_problem(exc: BaseException, doing: str = "written", what: str = "file") -> str:
    """Why the ``what`` could not be ``doing`` (written, read), as one sentence for a
    message box: a service's refusal as it is; an OS error (which carries no full stop)
    with the file it names."""
    if isinstance(exc, SendeskError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"The {what} could not be {doing}{where}: {exc.strerror.lower()}."
    return f"The {what} could not be {doing}: {exc}."


def path_row(
    label: str | None,
    name: str,
    button: tuple[str, str],
    choose: Callable[[], None],
    text: str = "",
) -> tuple[QHBoxLayout, QLineEdit, QPushButton]:
    """``label`` (e.g. "&File:", or None when a form row labels it), a field called
    ``name`` holding ``text``, and a ``button`` (text, accessible name) running ``choose``.
    Returns the row to add, the field and the button."""
    row = QHBoxLayout()
    field = QLineEdit(text)
    field.setAccessibleName(name)
    chooser = action_button(button[0], button[1], choose)
    if label is not None:
        shown = QLabel(label)
        shown.setBuddy(field)
        row.addWidget(shown)
    row.addWidget(field, 1)
    row.addWidget(chooser)
    return row, field, chooser


def choose_file(parent: QWidget, title: str, kinds: str, field: QLineEdit) -> bool:
    """Let the user pick a file of ``kinds`` ("CTF files (*.xml);;All files (*)") into
    ``field``; True when one was chosen."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, "", kinds)
    if chosen:
        field.setText(chosen)
    return bool(chosen)


def choose_folder(parent: QWidget, title: str, field: QLineEdit) -> bool:
    """Let the user pick a folder into ``field``, starting from the one typed there."""
    chosen = QFileDialog.getExistingDirectory(parent, title, field.text())
    if chosen:
        field.setText(chosen)
    return bool(chosen)
