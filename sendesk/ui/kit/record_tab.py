"""A tab of a pupil's record: lists of records, each with its buttons, and what they share.

Why one shape: every tab of the pupil window shows a few lists (a box with a sentence
saying what the list is, the table, a "none yet" sentence instead of an empty table, and a
row of buttons), offers Add/Edit/Remove only to roles the permission table lets change
them, keeps the selected record across a reload, and after a change tells the pupil window
(``changed``) and reads its lists again. :class:`RecordList` is one list;
:class:`RecordTab` is the tab's common behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.permissions import Action
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import action_button, ask, button_row, warn
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view, select_record, selected_record, show_rows

R = TypeVar("R")
Offer = tuple[Action | None, str, str, Callable[[], object]]
"""What :meth:`RecordList.offer_row` is given for a button: the action it takes (None:
any reader may), its text, its accessible name, its slot."""


def _record_id(record: Any) -> Hashable:
    return record.id


class RecordList(QGroupBox, Generic[R]):
    """One list of records: intro, table, "none yet" sentence, buttons, optional details.

    ``key`` names a record across reloads (its id by default); ``details`` is the text of
    a pane beside the table for the selected record (long text that a cell cuts short).
    """

    selection_changed = Signal()

    def __init__(
        self,
        title: str,
        columns: Sequence[ColumnSpec[R]],
        name: str,
        *,
        intro: str = "",
        empty: str = "",
        key: Callable[[R], Hashable] = _record_id,
        details: Callable[[R], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.key = key
        self._details = details
        self._needs_selection: list[QPushButton] = []
        self.model: RowsModel[R] = RowsModel(columns)
        self.view: QTableView = read_only_view(self.model, name)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.box = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.box.addWidget(self.intro)
        self.details: QLabel | None = None
        if details is None:
            self.box.addWidget(self.view, 1)
        else:
            self.details = QLabel()
            self.details.setWordWrap(True)
            # read from the top, beside the row chosen, not floating mid-height
            self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.details.setAccessibleName(f"{name}: the selected one")
            pair = QHBoxLayout()
            pair.addWidget(self.view, 2)
            pair.addWidget(self.details, 1)
            self.box.addLayout(pair, 1)
        self.empty_label = note(self.box, empty)

    # --- buttons --------------------------------------------------------------------------

    def offer(
        self,
        ctx: AppContext,
        action: Action | None,
        text: str,
        name: str,
        slot: Callable[[], object],
        *,
        needs_selection: bool = True,
    ) -> QPushButton | None:
        """A button for ``action``, or None when the user's role may not take it (a row
        leaves a None out). ``needs_selection``: enabled only while a record is selected."""
        if action is not None and not ctx.may(action):
            return None
        button = action_button(text, name, slot)
        if needs_selection:
            self._needs_selection.append(button)
        return button

    def offer_row(
        self, ctx: AppContext, add: Offer, *on_selected: Offer
    ) -> list[QPushButton | None]:
        """Offer ``add`` (it needs no record selected) and then ``on_selected`` (each acts on
        the selected record), each an (action, text, accessible name, slot), and put them in
        a row under the table. Returns the buttons in that order (None where the role may
        not)."""
        offered = [self.offer(ctx, *add, needs_selection=False)]
        offered += [self.offer(ctx, *spec) for spec in on_selected]
        self.buttons(*offered)
        return offered

    def buttons(self, *buttons: QPushButton | None) -> None:
        """Put the offered buttons in a row under the table (none at all: no row)."""
        if any(b is not None for b in buttons):
            button_row(self.box, *buttons)
        self._selection_changed()

    # --- rows -----------------------------------------------------------------------------

    @property
    def rows(self) -> list[R]:
        return self.model.rows

    def set_rows(self, rows: Sequence[R], *, select: Hashable | None = None) -> None:
        """Show ``rows``, keeping the selected record (or selecting ``select``; else the
        first); the table gives way to the "none yet" sentence when there are none."""
        show_rows(self.view, self.model, rows, select=select, key=self.key)
        self.view.setVisible(bool(rows))
        self.empty_label.setVisible(not rows and bool(self.empty_label.text()))
        self._selection_changed()

    def selected(self) -> R | None:
        return selected_record(self.view)

    def select(self, key: Hashable | None) -> bool:
        """Select the record named ``key``; False when it is not shown."""
        return select_record(self.view, key, self.key)

    def _selection_changed(self, *_args: object) -> None:
        record = self.selected()
        for button in self._needs_selection:
            button.setEnabled(record is not None)
        if self.details is not None and self._details is not None:
            self.details.setText(self._details(record) if record is not None else "")
        self.selection_changed.emit()


class RecordTab(QWidget):
    """What every tab of the pupil window shares: its context, pupil and today, the
    ``changed`` signal, and one way to confirm and make a small change.

    A tab says what it shows in :meth:`build` (its lists, into :attr:`layout_`) and how to
    read it in :meth:`reload`; the constructor, the same for every tab, runs both (a tab
    whose records may not be read raises the service's SendeskError from it).
    """

    changed = Signal()
    """Emitted after a record of the tab is added, corrected or removed."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id = ctx, pupil_id
        self.today = today or date.today()
        self.layout_ = QVBoxLayout(self)
        self.build()
        self.first_read()

    def first_read(self) -> None:
        """Read the records the first time (a refusal raises out of the constructor)."""
        self.reload()

    def build(self) -> None:
        """Make the tab's lists and buttons (each tab says which)."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read the tab's records again (each tab says how)."""
        raise NotImplementedError

    def may(self, action: Action) -> bool:
        return self.ctx.may(action)

    def ask(self, text: str) -> bool:
        return ask(self, text)

    def warn(self, exc: SendeskError) -> None:
        warn(self, exc)

    def change(self, call: Callable[[], object], question: str | None = None) -> bool:
        """Ask ``question`` (when given), run ``call``, say a refusal's sentence, tell the
        pupil window, and read the lists again. True when the change was made."""
        if question is not None and not self.ask(question):
            return False
        try:
            call()
        except SendeskError as exc:
            self.warn(exc)
            self.reload()
            return False
        self.changed.emit()
        self.reload()
        return True

    def open_form(self, dialog: Any, into: RecordList[Any] | None = None) -> None:
        """Run a :class:`~sendesk.ui.kit.form_dialog.FormDialog`; when its save succeeds
        (on the worker), tell the pupil window, reload and select what was saved."""

        def saved(result: object) -> None:
            self.changed.emit()
            self.reload()
            if into is not None and result is not None:
                into.select(result if isinstance(result, Hashable) else None)

        dialog.stored.connect(saved)
        dialog.conflicted.connect(self.reload)
        dialog.exec()

    def stretch(self, *weights: tuple[RecordList[Any] | QWidget, int]) -> None:
        """A box whose list is empty keeps only the height it needs; the others share
        the rest (the last stretch takes it all when every list is empty)."""
        shown = False
        for number, (box, weight) in enumerate(weights):
            rows = box.rows if isinstance(box, RecordList) else box.isVisible()
            self.layout_.setStretch(number, weight if rows else 0)
            shown = shown or bool(rows)
        self.layout_.setStretch(len(weights), 0 if shown else 1)
