"""A dialog that checks its form as it is filled in and asks before throwing away work.

Why here: the support plan editor, its review, and the EHC request and plan dialogs each
list what still needs doing under the form, offer OK only when it can be saved, save with
Ctrl+S, open big enough to show the whole form, and on Esc or Cancel with changes ask
"Save the … before closing?" (Save, Discard, Cancel). One class does it for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
)

from sendesk.rules.support_plans import as_sentences
from sendesk.ui.kit.buttons import dialog_buttons, save_discard_cancel
from sendesk.ui.kit.form_dialog import SavingDialog
from sendesk.ui.kit.forms import sentence_label


class GuardedDialog(SavingDialog):
    """A dialog that validates on OK, saves through a service, and asks before losing work.

    Subclasses provide :meth:`problems`, :meth:`state` (compared with the state when
    opened) and :meth:`saving` (read the form and hand back the service call, run on the
    worker thread; None when there is nothing to store).
    """

    ok_button: QPushButton
    problems_label: QLabel
    what: str = "changes"
    saved = False
    """True once the service has stored something (OK with nothing changed stores nothing)."""

    def _finish_building(self, layout: QVBoxLayout, ok_text: str) -> None:
        self.problems_label = sentence_label("What still needs doing")
        layout.addWidget(self.problems_label)
        layout.addWidget(self.problem)
        self.buttons, self.ok_button = dialog_buttons(self)
        self.ok_button.setText(ok_text)
        self.ok_button.setAccessibleName(ok_text.replace("&", ""))
        self.ok_button.setToolTip("Save (Ctrl+S)")
        layout.addWidget(self.buttons)
        self.save_buttons = self.buttons
        self.stored.connect(lambda _result: setattr(self, "saved", True))
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.accept)
        self.opened_state = self.state()
        self.revalidate()
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        self._fit()  # the widgets are polished now, so their sizes are the real ones
        super().showEvent(event)

    def _fit(self) -> None:
        """Open big enough to show the whole form where the screen allows; scroll beyond."""
        scroll = self.findChild(QScrollArea)
        if scroll is None or scroll.widget() is None:
            return
        content = scroll.widget().sizeHint()
        margins = self.layout().contentsMargins()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        frame = 2 * scroll.frameWidth()
        others = max(self.sizeHint().height() - scroll.sizeHint().height(), 0)
        want = QSize(
            content.width() + margins.left() + margins.right() + bar + frame,
            content.height() + others + frame,
        )
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry().size() * 0.9
            want = want.boundedTo(room)
        self.resize(want.expandedTo(self.size()))  # grow to fit new rows, never shrink

    # --- for subclasses -------------------------------------------------------------------

    def problems(self) -> list[str]:
        raise NotImplementedError

    def state(self) -> Any:
        raise NotImplementedError

    def saving(self) -> Callable[[], object] | None:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------

    @property
    def is_dirty(self) -> bool:
        return bool(self.state() != self.opened_state)

    def revalidate(self) -> None:
        """Show what is still wrong and offer OK only when it can be saved."""
        found = as_sentences(self.problems())
        self.problems_label.setText("\n".join(found))
        self.problems_label.setVisible(bool(found))
        self.ok_button.setEnabled(not found)

    def accept(self) -> None:
        """Save through the service on the worker; stay open (nothing lost) if it is
        refused; after a conflict close, so the tab reloads and shows what is stored now."""
        if self.problems():
            self.revalidate()
            return
        call = self.saving()
        if call is None:
            QDialog.accept(self)  # nothing changed: nothing to store
        else:
            self.save_with(call)

    def reject(self) -> None:
        """Esc, Cancel or the window's close button: with changes, ask first."""
        if self.is_dirty:
            answer = save_discard_cancel(self, f"Save the {self.what} before closing?")
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.accept()
                return
        super().reject()
