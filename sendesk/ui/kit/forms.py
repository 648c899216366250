"""A labelled row of a form (the label's Alt+letter jumps to its field), a note, a bold
heading, a box of a few lines, and a form that scrolls.

Why here: every dialog builds its form rows the same way (a label whose buddy is the field,
or another widget of the row), and ten dialogs each had their own copy of these lines; and
almost every screen puts wrapped sentences above or below its fields (forty-eight copies of
the same four lines).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


def form_row(form: QFormLayout, text: str, field: QWidget, buddy: QWidget | None = None) -> None:
    """Add ``field`` to ``form`` under the label ``text`` (e.g. "&Name:"), whose Alt+letter
    moves to ``buddy`` (the field itself unless another widget of the row is meant)."""
    label = QLabel(text)
    label.setBuddy(buddy or field)
    form.addRow(label, field)


def side_by_side(*parts: QWidget, grow: QWidget | None = None) -> QWidget:
    """``parts`` in one row, as one widget with no margins of its own: a field and the box
    that goes with it, as one row of a form. ``grow`` takes the spare width; without it the
    parts keep their size, on the left."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        row.addWidget(part, 1 if part is grow else 0)
    if grow is None:
        row.addStretch(1)
    return holder


def stacked(*parts: QWidget | QLayout | tuple[QWidget, int]) -> QWidget:
    """``parts`` one under another, as one widget with no margins of its own (a side of a
    splitter); a (widget, n) pair takes n shares of the spare height."""
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, tuple):
            box.addWidget(*part)
        elif isinstance(part, QLayout):
            box.addLayout(part)
        else:
            box.addWidget(part)
    return holder


def buddy_label(text: str, field: QWidget) -> QLabel:
    """A label ``text`` (e.g. "&Groups:") whose Alt+letter moves to ``field``."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def tab_order(*widgets: QWidget) -> None:
    """Tab moves through ``widgets`` in the order given (the order a keyboard user meets
    them on screen, not the order they happened to be made in)."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def note(layout: QLayout, text: str = "", name: str | None = None) -> QLabel:
    """A wrapped line of text added to ``layout`` — an introduction, a hint, a message —
    called ``name`` for a screen reader when it changes after the screen opens."""
    label = QLabel(text)
    label.setWordWrap(True)
    if name is not None:
        label.setAccessibleName(name)
    layout.addWidget(label)
    return label


def sentence_label(name: str, text: str = "") -> QLabel:
    """A wrapped, selectable label a screen reader announces by ``name``: a verdict, a
    list of problems, where a file went — words a user may want to copy."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def text_box(name: str, lines: int, *, fixed: bool = False) -> QPlainTextEdit:
    """A multi-line box called ``name``, about ``lines`` high in the current font (at least
    that, or exactly that when ``fixed``); Tab moves on (no trap)."""
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    margin = 2 * (edit.frameWidth() + int(edit.document().documentMargin()))
    height = edit.fontMetrics().lineSpacing() * lines + margin
    if fixed:
        edit.setFixedHeight(height)
    else:
        edit.setMinimumHeight(height)
    return edit


def bold(text: str) -> QLabel:
    """A label in the current font made bold (a column's or a section's heading): the
    palette's colours and the user's font size, only heavier."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: a form scrolls rather than squashes, so 200%
    scaling on a small screen still shows every field."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(content)
    return area
