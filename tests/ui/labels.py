"""Finding the controls a screen reader would announce with no name."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QWidget


def unlabelled(root: QWidget, kinds: tuple[type[QWidget], ...]) -> list[QWidget]:
    """The controls of ``kinds`` under ``root`` with no accessible name: a button's own text
    counts as its name, and the line edit inside a combo, spin box or date field takes its
    parent's name."""
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, kinds)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and not isinstance(w.parent(), QComboBox | QAbstractSpinBox)
    ]
