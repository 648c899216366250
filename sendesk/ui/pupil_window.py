"""The pupil record window: profile, needs, register history, and the tabs still to come.

Why it is built this way:

- Everything shown comes from one :func:`sendesk.services.register.pupil_record.get_record` call
  (plain data); every change goes back through a service that checks the role, writes the
  audit event and compares versions. Hiding the edit controls from staff who may only read
  is a courtesy; the services refuse them anyway (DESIGN.md).
- Unsaved work is never lost silently: the Save button is enabled only when something
  differs from what was loaded, Ctrl+S saves, and closing with changes asks Save / Discard
  / Cancel. If someone else saved first, the user is told and the record is reloaded.
- Changing the SEN status is a dated change with a reason (:class:`StatusDialog`), not a
  field edit, so the register history stays complete. A mistaken status entry is voided
  ("Void entry…" on the history tab, SENCo only, with a reason): it stays in the history,
  greyed and saying who voided it, when and why, but leaves the pupil's effective status.
- Opening a pupil reads the record only (on the worker thread, see ``MainWindow.open_pupil``):
  the other tabs (:data:`LAZY_TABS`) each read their own part, so each is made the first
  time it is shown, or asked for (:meth:`PupilWindow.tab`); opened on a tab, as "what's
  due" does, only that one is made (issue 14).
- No fixed sizes or colours: layouts and the palette decide, so the window works at 100%
  and 200% scaling and in a dark palette; every input has an accessible name, a label
  with a mnemonic or a place in the tab order.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.rules import nhs
from sendesk.rules.dates import dmy
from sendesk.services.register.pupil_record import (
    AREAS,
    ContactItem,
    NeedItem,
    NeedProfileItem,
    PupilRecord,
    get_record,
    provision_text,
    remove_contact,
    save_need_profile,
    update_profile,
    view_record,
)
from sendesk.services.register.register import read_register
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, confirmed_change, save_discard_cancel, warn
from sendesk.ui.kit.dates import OptionalDate
from sendesk.ui.kit.field_widgets import date_row
from sendesk.ui.kit.forms import bold, form_row, note, scrolling
from sendesk.ui.kit.table_model import RowsModel
from sendesk.ui.kit.table_view import fit_to_rows, read_only_view, selected_record, show_rows
from sendesk.ui.register.pupil_forms import (
    CONTACT_COLUMNS,
    GENDERS,
    NEED_COLUMNS,
    NOT_HELD,
    YEAR_GROUPS,
    AreaEditor,
    ContactDialog,
    label_of,
)
from sendesk.ui.register.pupil_history import HistoryTab
from sendesk.ui.register.pupil_tabs import LAZY_TABS, OTHER, RECORD, LazyTabs
from sendesk.ui.register.status_dialog import StatusDialog

if TYPE_CHECKING:
    from sendesk.ui.access.access_tab import AccessTab
    from sendesk.ui.ehc.ehc_tab import EhcTab
    from sendesk.ui.evidence.agencies_tab import AgenciesTab
    from sendesk.ui.graduated.concerns_tab import ConcernsTab
    from sendesk.ui.graduated.meetings_tab import MeetingsTab
    from sendesk.ui.graduated.progress_tab import ProgressTab
    from sendesk.ui.graduated.pupil_interventions_tab import PupilInterventionsTab
    from sendesk.ui.graduated.support_plans_tab import SupportPlansTab


SCREEN_SHARE = 0.9
"""The most of the screen's available width and height a pupil window opens at."""


TabT = TypeVar("TabT", bound=QWidget)


class _TabNamed(Generic[TabT]):
    """A lazy tab as an attribute of the window (``window.plans_tab``): reading it makes the
    tab if it has not been made yet (:meth:`PupilWindow.tab`)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, window: PupilWindow | None, owner: type | None = None) -> TabT:
        if window is None:  # asked of the class, as of a property: the descriptor itself
            return self  # type: ignore[return-value]
        return window.tab(self.key)  # type: ignore[return-value]


NOT_RECORDED = "Not recorded"
"""The box beside a profile date the school has not recorded."""


class PupilWindow(QWidget):
    """One pupil's record in its own window.

    Raises :class:`~sendesk.errors.SendeskError` from the constructor when the record may
    not be read (a read-only account) or no longer exists: use :func:`open_pupil_window`
    to show that as a message instead.
    """

    changed = Signal()
    """Emitted after any change is saved, so lists elsewhere can refresh."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        parent: QWidget | None = None,
        *,
        record: PupilRecord | None = None,
        register_seen: int | None = None,
    ) -> None:
        """``record``: :func:`view_record`'s result when the caller read it already (on the
        worker thread, sendesk.ui.ops), with ``register_seen`` (see :func:`read_for_window`);
        otherwise both are read (and the view audited) here."""
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.ctx = ctx
        self.pupil_id = pupil_id
        self.editable = ctx.is_senco
        if record is None:
            record = view_record(ctx.db, ctx.actor, pupil_id)  # audited
        self.record: PupilRecord = record
        self.version = self.record.version
        self.saved_profile: dict[str, Any] = {}
        self.area_editors: dict[str, AreaEditor] = {}

        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Pupil record sections")
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(scrolling(self._build_profile()), "&Profile")
        self.tabs.addTab(scrolling(self._build_needs()), "&Needs")
        self.tabs.addTab(self._build_history(), "Register &history")
        # The other tabs each read their own part of the record: each is made the first
        # time it is shown (or asked for), so opening a pupil reads only the record.
        self.lazy_tabs = LazyTabs(self.tabs, self._make_tab)

        from sendesk.ui.transfer.leaving import LeavingPanel

        self.leaving_panel = LeavingPanel(ctx, pupil_id, self)  # the SENCo's: leaving, SEN file
        self.leaving_panel.changed.connect(self._plans_changed)  # the record's version moved
        layout.addWidget(self.leaving_panel)
        buttons = QHBoxLayout()
        self.passport_button = QPushButton("Pupil pass&port (PDF)…")
        self.passport_button.setAccessibleName("Save the pupil passport as a PDF")
        self.passport_button.clicked.connect(self.save_passport)
        buttons.addWidget(self.passport_button)
        buttons.addStretch(1)
        self.save_button: QPushButton | None = None
        if self.editable:
            self.save_button = QPushButton("&Save")
            self.save_button.setAccessibleName("Save changes")
            self.save_button.setToolTip("Save the changes (Ctrl+S)")
            self.save_button.clicked.connect(self.save)
            buttons.addWidget(self.save_button)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the pupil record")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save)
        self.close_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        self.close_shortcut.activated.connect(self.close)

        self._show(self.record, forms=True, register_seen=register_seen)

    # --- the tabs made when first shown -------------------------------------------------

    def is_built(self, key: str) -> bool:
        """Whether the tab ``key`` (of :data:`LAZY_TABS`) has been made yet."""
        return self.lazy_tabs.is_built(key)

    def tab(self, key: str) -> QWidget:
        """The tab ``key`` (of :data:`LAZY_TABS`), made now if it has not been yet."""
        return self.lazy_tabs.tab(key)

    def _make_tab(self, key: str) -> QWidget:
        """One tab's widget, imported when first made and connected as :data:`LAZY_TABS`
        says."""
        found = [row for row in LAZY_TABS if row[0] == key]
        if not found:
            raise KeyError(key)
        _key, _title, module, name, meaning = found[0]
        made = getattr(importlib.import_module(module), name)(self.ctx, self.pupil_id)
        if meaning == RECORD:
            made.changed.connect(self._plans_changed)
        elif meaning == OTHER:
            made.changed.connect(self.changed.emit)
        assert isinstance(made, QWidget)
        return made

    # The tabs by name, as callers and tests knew them: asking for one makes it.

    plans_tab: _TabNamed[SupportPlansTab] = _TabNamed("plans")
    interventions_tab: _TabNamed[PupilInterventionsTab] = _TabNamed("interventions")
    agencies_tab: _TabNamed[AgenciesTab] = _TabNamed("agencies")
    progress_tab: _TabNamed[ProgressTab] = _TabNamed("progress")
    access_tab: _TabNamed[AccessTab] = _TabNamed("access")
    ehc_tab: _TabNamed[EhcTab] = _TabNamed("ehc")
    concerns_tab: _TabNamed[ConcernsTab] = _TabNamed("concerns")
    meetings_tab: _TabNamed[MeetingsTab] = _TabNamed("meetings")

    # --- opening ------------------------------------------------------------------------

    def show_tab(self, tab: str) -> bool:
        """Bring forward the tab named ``tab`` (a key of :data:`TAB_TITLES`); False, and
        nothing changes, when this record has no such tab."""
        return self.lazy_tabs.show(tab)

    def fit_to_screen(self, available: QSize | None = None) -> None:
        """Size the window so that every tab's title shows and the profile needs no
        scrolling, within :data:`SCREEN_SHARE` of the screen's available area (or of
        ``available``, for a test to stand in for a bigger screen).

        Why: Qt's own first size came from the layouts' minimums (632×666 at 100%), which
        put the tab bar's scroll arrows over half the record's tabs. Measured from the
        fonts and the style, so the size is right at 200% scaling too.
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        hint = self.sizeHint()
        margins = self.layout().contentsMargins()
        frame = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        chrome = margins.left() + margins.right() + 2 * frame
        tabs_width = self.tabs.tabBar().sizeHint().width() + chrome
        first = self.tabs.widget(0)
        content = first.widget() if isinstance(first, QScrollArea) else first
        above_and_below = hint.height() - self.tabs.sizeHint().height()
        tab_bar = self.tabs.tabBar().sizeHint().height()
        profile_height = content.sizeHint().height() + tab_bar + 2 * frame + above_and_below
        wanted = QSize(max(hint.width(), tabs_width), max(hint.height(), profile_height))
        if available is None and screen is not None:
            available = screen.availableGeometry().size()
        if available is not None:
            wanted = wanted.boundedTo(available * SCREEN_SHARE)
        self.resize(wanted)

    # --- building -----------------------------------------------------------------------

    def _build_profile(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        details = QGroupBox("Details")
        form = QFormLayout(details)
        layout.addWidget(details)
        # Identity comes from the MIS and is changed there (then re-imported), never here.
        self.upn_view = self._readonly(form, "UPN:", "UPN")
        self.legal_view = self._readonly(form, "Legal name:", "Legal name")
        self.dob_view = self._readonly(form, "Date of birth:", "Date of birth")
        self.language_view = self._readonly(form, "Home language:", "Home language")
        self.ethnicity_view = self._readonly(form, "Ethnicity:", "Ethnicity")
        self.fields: dict[str, Any] = {}
        if self.editable:
            self._build_profile_editors(form)
        else:
            for name, text in (
                ("preferred_forename", "Preferred forename:"),
                ("preferred_surname", "Preferred surname:"),
                ("gender", "Gender:"),
                ("year_group", "Year group:"),
                ("reg_group", "Registration group:"),
                ("admission_date", "Admission date:"),
                ("leaving_date", "Leaving date:"),
                ("eal", "English as an additional language:"),
                ("pupil_premium", "Pupil premium:"),
                ("looked_after", "Looked after:"),
                ("nhs_number", "NHS number:"),
                ("next_review_due", "Next review due:"),
            ):
                self.fields[name] = self._readonly(form, text, text.rstrip(":"))

        contacts = QGroupBox("Contacts")
        box = QVBoxLayout(contacts)
        layout.addWidget(contacts)
        self.contacts_model: RowsModel[ContactItem] = RowsModel(CONTACT_COLUMNS)
        self.contacts_table = fit_to_rows(read_only_view(self.contacts_model, "Contacts"))
        box.addWidget(self.contacts_table)
        self.add_contact_button: QPushButton | None = None
        self.edit_contact_button: QPushButton | None = None
        self.remove_contact_button: QPushButton | None = None
        if self.editable:
            row = QHBoxLayout()
            self.add_contact_button = QPushButton("&Add contact…")
            self.edit_contact_button = QPushButton("&Edit contact…")
            self.remove_contact_button = QPushButton("&Remove contact")
            for button, slot in (
                (self.add_contact_button, self.add_contact),
                (self.edit_contact_button, self.edit_contact),
                (self.remove_contact_button, self.remove_contact),
            ):
                button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
                button.clicked.connect(slot)
                row.addWidget(button)
            row.addStretch(1)
            box.addLayout(row)
            self.contacts_table.selectionModel().selectionChanged.connect(self._contact_selection)
            self.contacts_table.activated.connect(lambda _index: self.edit_contact())
        layout.addStretch(1)
        return page

    def _readonly(self, form: QFormLayout, text: str, name: str) -> QLineEdit:
        """A value staff may read and select (and reach with Tab) but not change."""
        view = QLineEdit()
        view.setReadOnly(True)
        view.setAccessibleName(name)
        form_row(form, text, view)
        return view

    def _build_profile_editors(self, form: QFormLayout) -> None:
        def line(name: str, text: str, accessible: str, limit: int) -> None:
            edit = QLineEdit()
            edit.setAccessibleName(accessible)
            edit.setMaxLength(limit)
            edit.textChanged.connect(self._update_dirty)
            form_row(form, text, edit)
            self.fields[name] = edit

        def combo(
            name: str, text: str, accessible: str, options: tuple[tuple[str, Any], ...]
        ) -> None:
            box = QComboBox()
            box.setAccessibleName(accessible)
            for label, value in options:
                box.addItem(label, value)
            box.currentIndexChanged.connect(self._update_dirty)
            form_row(form, text, box)
            self.fields[name] = box

        def optional_date(name: str, text: str, accessible: str) -> None:
            field = date_row(form, text, accessible, None, date.today(), NOT_RECORDED)
            field.connect(self._update_dirty)
            self.fields[name] = field

        def check(name: str, text: str, accessible: str) -> None:
            box = QCheckBox(text)
            box.setAccessibleName(accessible)
            box.toggled.connect(self._update_dirty)
            form.addRow("", box)
            self.fields[name] = box

        line("preferred_forename", "Preferred &forename:", "Preferred forename", 120)
        line("preferred_surname", "Preferred s&urname:", "Preferred surname", 120)
        combo("gender", "&Gender:", "Gender", GENDERS)
        combo("year_group", "&Year group:", "Year group", YEAR_GROUPS)
        line("reg_group", "Registration gr&oup:", "Registration group", 20)
        optional_date("admission_date", "A&dmission date:", "Admission date")
        optional_date("leaving_date", "&Leaving date:", "Leaving date")
        check(
            "eal", "Engl&ish as an additional language (EAL)", "English as an additional language"
        )
        check("pupil_premium", "Pupil pre&mium", "Pupil premium")
        check("looked_after", "Loo&ked after", "Looked after")
        line("nhs_number", "NHS num&ber:", "NHS number", 12)
        self.nhs_hint = QLabel()
        self.nhs_hint.setWordWrap(True)
        self.nhs_hint.setAccessibleName("NHS number check")
        form.addRow("", self.nhs_hint)
        self.fields["nhs_number"].textChanged.connect(self._check_nhs)
        optional_date("next_review_due", "Ne&xt review due:", "Next review due")

    def _build_needs(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.status_label = note(layout, "", "Current SEN status")
        self.needs_model: RowsModel[NeedItem] = RowsModel(NEED_COLUMNS)
        self.needs_table = fit_to_rows(read_only_view(self.needs_model, "Current needs"))
        layout.addWidget(self.needs_table)
        self.change_status_button: QPushButton | None = None
        if self.editable:
            self.change_status_button = QPushButton("Change SEN s&tatus…")
            self.change_status_button.setAccessibleName("Change SEN status")
            self.change_status_button.clicked.connect(self.change_status)
            row = QHBoxLayout()
            row.addWidget(self.change_status_button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(bold("What works for this pupil, by area of need"))
        self.no_areas_label = note(
            layout,
            "Nothing has been written about this pupil's needs yet."
            + (" Add an area below to describe it." if self.editable else ""),
        )
        self.areas_layout = QVBoxLayout()
        layout.addLayout(self.areas_layout)
        self.add_area_combo: QComboBox | None = None
        self.add_area_button: QPushButton | None = None
        if self.editable:
            row = QHBoxLayout()
            self.add_area_combo = QComboBox()
            self.add_area_combo.setAccessibleName("Area of need to add")
            label = QLabel("Describe another a&rea:")
            label.setBuddy(self.add_area_combo)
            self.add_area_button = QPushButton("Add &area")
            self.add_area_button.setAccessibleName("Add area")
            self.add_area_button.clicked.connect(self.add_area)
            row.addWidget(label)
            row.addWidget(self.add_area_combo, 1)
            row.addWidget(self.add_area_button)
            layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_history(self) -> QWidget:
        self.history = HistoryTab(self.ctx, self.editable)
        self.history_table = self.history.table
        self.void_button = self.history.void_button
        self.history.voided.connect(self.changed)
        self.history.tried.connect(lambda: self.reload(forms=False))
        return self.history

    # --- showing the record -------------------------------------------------------------

    def _show(self, record: PupilRecord, *, forms: bool, register_seen: int | None = None) -> None:
        """Show ``record``; with ``forms`` False, keep whatever the user is editing.
        ``register_seen``: the register's version read with the record (else read now)."""
        self.record = record
        # The register as shown: a void says it saw this, so a change made meanwhile by
        # someone else is refused with who and when (issue 12) instead of built on.
        if register_seen is None:
            register_seen = register_version(self.ctx, self.pupil_id)
        self.register_seen = register_seen
        self.setWindowTitle(f"{record.display_name} — {APP}")
        status = provision_text(record.provision)
        since = f" since {dmy(record.provision_since)}" if record.provision_since else ""
        self.header.setText(f"{record.display_name} · UPN {record.upn} · {status}{since}")
        self.upn_view.setText(record.upn)
        self.legal_view.setText(f"{record.legal_forename} {record.legal_surname}")
        self.dob_view.setText(dmy(record.dob))
        self.language_view.setText(record.home_language or NOT_HELD)
        self.ethnicity_view.setText(record.ethnicity or NOT_HELD)
        if forms:
            self.version = record.version
            self._show_profile(record)
        show_rows(self.contacts_table, self.contacts_model, record.contacts, first=False)
        self._contact_selection()
        self.status_label.setText(f"SEN status: {status}{since}.")
        self.needs_model.set_rows(record.needs)
        self._show_areas(record, forms=forms)
        self.history.show_record(record, self.register_seen)
        self._update_dirty()

    def _show_profile(self, record: PupilRecord) -> None:
        values = record.profile_values()
        if not self.editable:
            shown = {
                **{k: v or "" for k, v in values.items()},
                "gender": label_of(GENDERS, values["gender"]),
                "year_group": label_of(YEAR_GROUPS, values["year_group"]),
                **{
                    k: "Yes" if values[k] else "No"
                    for k in ("eal", "pupil_premium", "looked_after")
                },
                **{
                    k: dmy(values[k]) for k in ("admission_date", "leaving_date", "next_review_due")
                },
            }
            for name, view in self.fields.items():
                view.setText(str(shown[name]))
            return
        for name, field in self.fields.items():
            value = values[name]
            if isinstance(field, QLineEdit):
                field.setText(value or "")
            elif isinstance(field, QComboBox):
                field.setCurrentIndex(max(field.findData(value), 0))
            elif isinstance(field, QCheckBox):
                field.setChecked(bool(value))
            elif isinstance(field, OptionalDate):
                field.set_value(value)
        self.saved_profile = self._profile_values()

    def _show_areas(self, record: PupilRecord, *, forms: bool) -> None:
        """One editor per relevant area; existing editors keep their text unless ``forms``."""
        if forms:
            for editor in self.area_editors.values():
                self.areas_layout.removeWidget(editor)
                editor.deleteLater()
            self.area_editors = {}
        for area in record.areas:
            if area not in self.area_editors:
                self._add_area_editor(area, record.profile_for(area))
        self._refresh_area_choices()

    def _add_area_editor(self, area: str, profile: NeedProfileItem | None) -> AreaEditor:
        editor = AreaEditor(area, profile, self.editable)
        editor.changed.connect(self._update_dirty)
        order = [a for a in AREAS if a in self.area_editors or a == area]
        self.areas_layout.insertWidget(order.index(area) if area in order else -1, editor)
        self.area_editors[area] = editor
        return editor

    def _refresh_area_choices(self) -> None:
        self.no_areas_label.setVisible(not self.area_editors)
        if self.add_area_combo is None or self.add_area_button is None:
            return
        self.add_area_combo.clear()
        for area in AREAS:
            if area not in self.area_editors:
                self.add_area_combo.addItem(area, area)
        left = self.add_area_combo.count() > 0
        self.add_area_combo.setEnabled(left)
        self.add_area_button.setEnabled(left)

    # --- dirty state --------------------------------------------------------------------

    def _profile_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if isinstance(field, QLineEdit):
                values[name] = field.text().strip() or None
            elif isinstance(field, QComboBox):
                values[name] = field.currentData()
            elif isinstance(field, QCheckBox):
                values[name] = field.isChecked()
            elif isinstance(field, OptionalDate):
                values[name] = field.value()
        return values

    def profile_changes(self) -> dict[str, Any]:
        """Profile fields whose value differs from what was loaded (or last saved)."""
        if not self.editable:
            return {}
        current = self._profile_values()
        return {k: v for k, v in current.items() if self.saved_profile.get(k) != v}

    @property
    def is_dirty(self) -> bool:
        if not self.editable:
            return False
        return bool(self.profile_changes()) or any(e.is_dirty for e in self.area_editors.values())

    def _update_dirty(self) -> None:
        dirty = self.is_dirty
        if self.save_button is not None:
            self.save_button.setEnabled(dirty)

    def _check_nhs(self, text: str) -> None:
        """Say at once when an NHS number cannot be right (a typo would mis-file letters)."""
        wrong = bool(text.strip()) and not nhs.is_valid(text)
        self.nhs_hint.setText(
            "This is not a valid NHS number (10 digits with a check digit)." if wrong else ""
        )

    # --- actions ------------------------------------------------------------------------

    def reload(self, *, forms: bool = True) -> None:
        """Read the record again; ``forms`` False keeps unsaved edits on screen."""
        try:
            record = get_record(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError as exc:
            warn(self, exc)
            return
        self._show(record, forms=forms)

    def save_passport(self) -> None:
        """The one-page profile teachers read, as a PDF where the user chooses."""
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        from sendesk.reports.passport import passport_for

        chosen, _ = QFileDialog.getSaveFileName(
            self, "Pupil passport", f"passport-{self.record.upn}.pdf", "PDF (*.pdf)"
        )
        if not chosen:
            return
        try:
            written = passport_for(self.ctx.db, self.ctx.actor, self.record.upn, Path(chosen))
        except SendeskError as exc:
            warn(self, exc)
            return
        QMessageBox.information(self, APP, f"Saved the pupil passport to {written}.")

    def _plans_changed(self) -> None:
        self.reload(forms=not self.is_dirty)
        self.changed.emit()

    def _conflict(self, exc: ConflictError) -> None:
        """Tell the user someone else saved first, then show what is stored now."""
        warn(self, exc)
        self.reload(forms=True)

    def save(self) -> bool:
        """Save every changed part; True when nothing unsaved is left.

        Parts saved before a refusal stay saved (and no longer count as changed), so the
        user only has to correct what was refused.
        """
        if not self.is_dirty:
            return True
        saved_any = False
        try:
            changes = self.profile_changes()
            if changes:
                self.version = update_profile(
                    self.ctx.db, self.ctx.actor, self.pupil_id, self.version, **changes
                )
                self.saved_profile = self._profile_values()
                saved_any = True
            for editor in self.area_editors.values():
                if editor.is_dirty:
                    texts = editor.texts()
                    version = save_need_profile(
                        self.ctx.db,
                        self.ctx.actor,
                        self.pupil_id,
                        editor.area,
                        texts["strengths"],
                        texts["difficulties"],
                        texts["strategies"],
                        editor.version,
                    )
                    editor.mark_saved(version)
                    saved_any = True
        except ConflictError as exc:
            self._conflict(exc)
            return False
        except SendeskError as exc:
            warn(self, exc)
            self._update_dirty()
            return False
        finally:
            if saved_any:
                self.changed.emit()
        self.reload(forms=True)
        return True

    def change_status(self) -> None:
        """Open the status dialog; on a recorded change, refresh what it affects."""
        record = self.record
        dialog = StatusDialog(
            self.ctx,
            self.pupil_id,
            record.provision,
            record.need_codes,
            record.provision_since,
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload(forms=False)

    def add_area(self) -> None:
        if self.add_area_combo is None:
            return
        area = self.add_area_combo.currentData()
        if not area:
            return
        editor = self._add_area_editor(str(area), None)
        self._refresh_area_choices()
        editor.edits["strengths"].setFocus()

    def _selected_contact(self) -> ContactItem | None:
        contact: ContactItem | None = selected_record(self.contacts_table)
        return contact

    def _contact_selection(self) -> None:
        chosen = self._selected_contact() is not None
        for button in (self.edit_contact_button, self.remove_contact_button):
            if button is not None:
                button.setEnabled(chosen)

    def add_contact(self) -> None:
        self._contact_dialog(None)

    def edit_contact(self) -> None:
        contact = self._selected_contact()
        if contact is not None and self.editable:
            self._contact_dialog(contact)

    def _contact_dialog(self, contact: ContactItem | None) -> None:
        dialog = ContactDialog(self.ctx, self.pupil_id, contact, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self.changed.emit()
        self.reload(forms=False)

    def remove_contact(self) -> None:
        contact = self._selected_contact()
        if contact is None:
            return
        done = confirmed_change(
            self,
            f"Remove {contact.name} from this pupil's contacts?",
            lambda: remove_contact(self.ctx.db, self.ctx.actor, contact.id, contact.version),
        )
        if done is None:
            return
        if done:
            self.changed.emit()
        self.reload(forms=False)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing with unsaved changes asks Save / Discard / Cancel; nothing goes silently."""
        if self.is_dirty:
            answer = save_discard_cancel(
                self, f"Save the changes to {self.record.display_name}'s record before closing?"
            )
            if answer == QMessageBox.StandardButton.Cancel or (
                answer == QMessageBox.StandardButton.Save and not self.save()
            ):
                event.ignore()
                return
        event.accept()


def register_version(ctx: AppContext, pupil_id: int) -> int | None:
    """The version of the pupil's register a void must have seen (the SENCo's), or None."""
    return read_register(ctx.db, ctx.actor, pupil_id).version if ctx.is_senco else None


def read_for_window(ctx: AppContext, pupil_id: int) -> tuple[PupilRecord, int | None]:
    """What a pupil's window shows, read (and the view audited) in one go: on the worker
    thread (:meth:`sendesk.ui.main_window.MainWindow.open_pupil`), so that opening a pupil
    reads nothing on the GUI thread."""
    from sendesk.services.register import pupil_record  # looked up now: tests wrap it

    return pupil_record.view_record(ctx.db, ctx.actor, pupil_id), register_version(ctx, pupil_id)


def open_pupil_window(
    ctx: AppContext,
    pupil_id: int,
    parent: QWidget | None = None,
    *,
    record: PupilRecord | None = None,
    register_seen: int | None = None,
    tab: str | None = None,
) -> PupilWindow | None:
    """Make and show a pupil's window, or say in one sentence why it cannot be opened.

    The window opens at a size that shows every tab, on ``tab`` (a key of
    :data:`TAB_TITLES`, e.g. the tab a "what's due" item is about) or else on Profile.
    """
    try:
        window = PupilWindow(ctx, pupil_id, parent, record=record, register_seen=register_seen)
    except SendeskError as exc:
        warn(parent, exc)
        return None
    window.fit_to_screen()
    if tab is not None:
        window.show_tab(tab)
    window.show()
    return window
