"""Buttons, rows of buttons and the two questions every screen asks (may I? and why not)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError

APP = "SENDesk"

ButtonSpec = tuple[str, str, Callable[[], object]] | tuple[str, str, Callable[[], object], str]
"""What :func:`action_button` is given: text, accessible name, slot[, tooltip]."""


def action_button(
    text: str, name: str, slot: Callable[[], object], *, tooltip: str = ""
) -> QPushButton:
    """A button showing ``text`` (with its Alt+ key), called ``name`` for a screen reader,
    that runs ``slot`` when clicked."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    if tooltip:
        button.setToolTip(tooltip)
    button.clicked.connect(slot)
    return button


def buttons_for(allowed: bool, *specs: ButtonSpec) -> list[QPushButton | None]:
    """One :func:`action_button` per spec when ``allowed`` (the reader's role may change
    what the buttons act on), else None for each: the attributes exist for every role, and
    :func:`button_row` leaves a None out."""
    if not allowed:
        return [None] * len(specs)
    return [action_button(*spec[:3], tooltip=spec[3] if len(spec) > 3 else "") for spec in specs]


def button_row(
    layout: QBoxLayout,
    *buttons: QPushButton | None,
    right: tuple[QPushButton | None, ...] = (),
) -> QHBoxLayout:
    """Put ``buttons`` in a row at the end of ``layout``: on the left in the order given
    (which is also the Tab order), then ``right`` pushed to the right-hand end. A None is
    left out: a button the reader's role does not get. Returns the row."""
    row = QHBoxLayout()
    for button in buttons:
        if button is not None:
            row.addWidget(button)
    row.addStretch(1)
    for button in right:
        if button is not None:
            row.addWidget(button)
    layout.addLayout(row)
    return row


def move_buttons(what: str, move: Callable[[int], None]) -> tuple[QPushButton, QPushButton]:
    """Move up and Move down for the selected ``what`` of an ordered list (``move(-1)``,
    ``move(1)``); the list itself answers Alt+Up and Alt+Down the same way."""
    up = action_button(
        "Move &up", f"Move the selected {what} up", lambda: move(-1), tooltip="Alt+Up in the list"
    )
    down = action_button(
        "Move do&wn",
        f"Move the selected {what} down",
        lambda: move(1),
        tooltip="Alt+Down in the list",
    )
    return up, down


def button_column(layout: QBoxLayout, *buttons: QPushButton) -> QVBoxLayout:
    """Put ``buttons`` one under another beside a list, at the top of the column."""
    column = QVBoxLayout()
    for button in buttons:
        column.addWidget(button)
    column.addStretch(1)
    layout.addLayout(column)
    return column


def dialog_buttons(
    dialog: QDialog,
    layout: QBoxLayout | None = None,
    *,
    save: bool = False,
    accept: Callable[[], object] | None = None,
) -> tuple[QDialogButtonBox, QPushButton]:
    """OK (Save when ``save``) and Cancel for ``dialog``, at the end of ``layout`` when
    given: OK runs ``accept`` (the dialog's own accept unless another slot is named),
    Cancel and Esc reject. Returns the box and its OK (or Save) button, to relabel."""
    kind = QDialogButtonBox.StandardButton.Save if save else QDialogButtonBox.StandardButton.Ok
    buttons = QDialogButtonBox(kind | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(kind)
    assert isinstance(ok, QPushButton)
    buttons.accepted.connect(accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    if layout is not None:
        layout.addWidget(buttons)
    return buttons, ok


def ask(parent: QWidget, text: str, *, default: bool = False) -> bool:
    """A yes/no question. Its default is the safe answer, No; ``default=True`` makes Yes
    the default where it is the next step the user most likely wants."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, APP, text, yes | no, yes if default else no)
    return answer == yes


def save_discard_cancel(parent: QWidget, question: str) -> QMessageBox.StandardButton:
    """Closing with unsaved changes: ``question`` answered Save (the default), Discard or
    Cancel — nothing typed goes silently."""
    return QMessageBox.question(
        parent,
        APP,
        question,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )


def warn(parent: QWidget, exc: Exception) -> None:
    """A service's refusal: its one sentence."""
    QMessageBox.warning(parent, APP, str(exc))


def confirmed_change(parent: QWidget, question: str, change: Callable[[], object]) -> bool | None:
    """Ask ``question`` (No is the default) and, on Yes, make ``change`` (a service call).

    None when the user said No; False when the service refused (its one sentence is shown);
    True when the change was made. Every "remove …?" and "undo …?" of the record works so."""
    if not ask(parent, question):
        return None
    try:
        change()
    except SendeskError as exc:
        warn(parent, exc)
        return False
    return True
