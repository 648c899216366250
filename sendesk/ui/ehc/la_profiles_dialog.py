"""The local authorities' settings: what each LA's panel expects of a request pack.

Why this dialog exists: LAs differ. One panel wants two reviewed support-plan cycles,
another three; one accepts professional reports up to 18 months old, another 12; some cost
provision at their own staff rate over 38 weeks, others take the school's own costs; and
each orders the sections of its request form its own way. A school working with several
LAs keeps one profile per LA here; the readiness check and the pack use the profile named
after the request's LA, and the defaults (what most LAs ask) where there is none.

How it behaves: the saved profiles are listed on the left, the chosen one is edited on the
right. Numbers are spin boxes bounded by the ranges the rules accept, money is in pounds
(stored in pence), and the section order is a list with Move up / Move down (Alt+Up and
Alt+Down in the list) so it works from the keyboard. What the rules would refuse is said
under the form as the SENCo types, in the rules' own sentences, and Save is offered only
when there is nothing to refuse; the service checks again. Switching profile or closing
with unsaved changes asks Save / Discard / Cancel; removing asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.rules.readiness import (
    DEFAULT_NOTIONAL_THRESHOLD,
    DEFAULT_REPORT_MAX_AGE_MONTHS,
    DEFAULT_REVIEWED_CYCLES,
    DEFAULT_SECTION_ORDER,
    DEFAULT_WEEKS_PER_YEAR,
    REPORT_MAX_AGE_RANGE,
    REVIEWED_CYCLES_RANGE,
    SECTION_TITLES,
    WEEKS_PER_YEAR_RANGE,
    LaRules,
    la_rules_problems,
    money,
)
from sendesk.rules.support_plans import as_sentences
from sendesk.services.ehc.la_profiles import (
    LaProfileData,
    LaProfileItem,
    list_la_profiles,
    remove_la_profile,
    save_la_profile,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import (
    APP,
    action_button,
    button_column,
    button_row,
    confirmed_change,
    move_buttons,
    save_discard_cancel,
    warn,
)
from sendesk.ui.kit.field_widgets import line_edit
from sendesk.ui.kit.forms import form_row, note, side_by_side

NAME_MAX = 120
MONEY_MAX = 1_000_000.0  # pounds: no notional threshold or hourly rate comes near this
NEW_PROFILE = "(new local authority)"


def pounds_to_pence(value: float) -> int:
    """A spin box's pounds as whole pence (the spin box already rounds to the penny)."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def pence_to_pounds(pence: int) -> float:
    return pence / 100


def _money_box(name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setAccessibleName(name)
    box.setPrefix("£")
    box.setDecimals(2)
    box.setRange(0.0, MONEY_MAX)
    box.setGroupSeparatorShown(True)
    return box


def _spin(name: str, limits: tuple[int, int], suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setAccessibleName(name)
    box.setRange(*limits)
    box.setSuffix(suffix)
    return box


def defaults_text() -> str:
    """What an LA with no profile is held to, in one sentence."""
    return (
        f"An LA with no settings here is taken to expect {DEFAULT_REVIEWED_CYCLES} reviewed "
        f"support-plan cycles, reports up to {DEFAULT_REPORT_MAX_AGE_MONTHS} months old and "
        f"{money(DEFAULT_NOTIONAL_THRESHOLD)} spent by the school (the notional SEN "
        "threshold), with provision costed from the school's own costs."
    )


class MoveKeys(QObject):
    """Alt+Up / Alt+Down on a list call ``move(-1)`` / ``move(1)``: reordering from the keyboard.

    An event filter rather than a window shortcut, so the keys work wherever the list has
    focus (and the list's own Up/Down never sees them).
    """

    def __init__(self, target: QWidget, move: Callable[[int], None]) -> None:
        super().__init__(target)
        self._move = move
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
            steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
            if alt and event.key() in steps:
                self._move(steps[Qt.Key(event.key())])
                return True
        return super().eventFilter(watched, event)


def move_row(view: QListWidget, step: int) -> bool:
    """Move the current row of ``view`` by ``step``, keeping it current so moves chain;
    False when there is no row or it would leave the list."""
    row = view.currentRow()
    target = row + step
    if row < 0 or not 0 <= target < view.count():
        return False
    view.insertItem(target, view.takeItem(row))
    view.setCurrentRow(target)
    return True


class SectionOrder(QWidget):
    """The pack's sections in an order the user sets with buttons or Alt+Up / Alt+Down."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setAccessibleName("Order of the pack's sections")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)  # long section titles wrap rather than scroll sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list, 1)
        self.up_button, self.down_button = move_buttons("section", self.move)
        self.reset_button = action_button(
            "Usual &order",
            "Put the sections back in the usual order",
            lambda: self.set_order(DEFAULT_SECTION_ORDER),
        )
        button_column(layout, self.up_button, self.down_button, self.reset_button)
        self.move_keys = MoveKeys(self.list, self.move)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.set_order(DEFAULT_SECTION_ORDER)

    def set_order(self, keys: tuple[str, ...]) -> None:
        """Show ``keys`` in order; sections they leave out follow in the usual order."""
        keep = self.list.currentRow()
        shown = [k for k in keys if k in SECTION_TITLES]
        shown += [k for k in DEFAULT_SECTION_ORDER if k not in shown]
        self.list.clear()
        for key in shown:
            item = QListWidgetItem(SECTION_TITLES[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self.list.setCurrentRow(min(max(keep, 0), self.list.count() - 1))
        self._update_buttons()

    def order(self) -> tuple[str, ...]:
        return tuple(
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
        )

    def move(self, step: int) -> None:
        if move_row(self.list, step):
            self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)


class LaProfilesDialog(QDialog):
    """List, add, correct and remove the LA profiles (SENCo only: the service checks)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profiles: list[LaProfileItem] = []
        self.current: LaProfileItem | None = None
        self.saved_state: tuple[object, ...] = ()
        self._switching = False
        self.setWindowTitle(f"Local authorities — {APP}")
        layout = QVBoxLayout(self)
        self.intro = intro = QLabel(
            "What each local authority's panel expects of a request for an EHC needs "
            "assessment. The readiness check and the request pack use the settings named "
            "after the request's LA. " + defaults_text()
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        body = QHBoxLayout()
        layout.addLayout(body, 1)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName("Local authorities with settings")
        self.list.currentRowChanged.connect(self._chosen)
        list_label = QLabel("&Local authorities:")
        list_label.setBuddy(self.list)
        left.addWidget(list_label)
        left.addWidget(self.list, 1)
        self.new_button = action_button(
            "&New", "Add settings for another local authority", self.new_profile
        )
        self.remove_button = action_button(
            "&Remove", "Remove the selected local authority's settings", self.remove_profile
        )
        button_row(left, self.new_button, self.remove_button)
        body.addLayout(left, 1)

        box = QGroupBox("Settings")
        form = QFormLayout(box)
        body.addWidget(box, 2)

        self.name = line_edit(
            "Local authority name", NAME_MAX, "As the school writes it, e.g. Kent"
        )
        form_row(form, "N&ame:", self.name)
        self.cycles = _spin("Reviewed support-plan cycles expected", REVIEWED_CYCLES_RANGE, "")
        form_row(form, "Reviewed c&ycles expected:", self.cycles)
        self.report_age = _spin(
            "Oldest professional report accepted, in months", REPORT_MAX_AGE_RANGE, " months"
        )
        form_row(form, "Oldest re&port accepted:", self.report_age)
        self.threshold = _money_box("Notional SEN threshold a year")
        form_row(form, "Notional SEN &threshold:", self.threshold)
        self.use_rate = QCheckBox("Cost staff time at the LA's &rate")
        self.use_rate.setAccessibleName("Cost staff time at the LA's rate")
        self.rate = _money_box("LA staff rate an hour")
        self.rate.setSuffix(" an hour")
        self.use_rate.toggled.connect(self.rate.setEnabled)
        rate_row = side_by_side(self.use_rate, self.rate, grow=self.rate)
        form_row(form, "Staff rate:", rate_row, self.use_rate)
        self.weeks = _spin("Weeks a year provision is costed for", WEEKS_PER_YEAR_RANGE, " weeks")
        form_row(form, "&Weeks a year:", self.weeks)
        self.sections = SectionOrder()
        form_row(form, "&Section order:", self.sections, self.sections.list)

        self.problems_label = note(layout, "", "What still needs doing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save these settings")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self).activated.connect(self.save)

        for signal in (
            self.name.textChanged,
            self.cycles.valueChanged,
            self.report_age.valueChanged,
            self.threshold.valueChanged,
            self.use_rate.toggled,
            self.rate.valueChanged,
            self.weeks.valueChanged,
            self.sections.list.model().rowsMoved,
            self.sections.list.model().rowsInserted,
        ):
            signal.connect(self.revalidate)
        self.reload()

    # --- the form ---------------------------------------------------------------------------

    def data(self) -> LaProfileData:
        return LaProfileData(
            name=self.name.text().strip(),
            reviewed_cycles=self.cycles.value(),
            report_max_age_months=self.report_age.value(),
            notional_threshold_pence=pounds_to_pence(self.threshold.value()),
            staff_rate_per_hour_pence=(
                pounds_to_pence(self.rate.value()) if self.use_rate.isChecked() else None
            ),
            weeks_per_year=self.weeks.value(),
            section_order=self.sections.order(),
        )

    def _state(self) -> tuple[object, ...]:
        d = self.data()
        return (
            d.name,
            d.reviewed_cycles,
            d.report_max_age_months,
            d.notional_threshold_pence,
            d.staff_rate_per_hour_pence,
            d.weeks_per_year,
            d.section_order,
        )

    def _show(self, profile: LaProfileItem | None) -> None:
        self.current = profile
        self.name.setText(profile.name if profile else "")
        self.cycles.setValue(profile.reviewed_cycles if profile else DEFAULT_REVIEWED_CYCLES)
        self.report_age.setValue(
            profile.report_max_age_months if profile else DEFAULT_REPORT_MAX_AGE_MONTHS
        )
        self.threshold.setValue(
            pence_to_pounds(profile.notional_threshold_pence)
            if profile
            else float(DEFAULT_NOTIONAL_THRESHOLD)
        )
        rate = profile.staff_rate_per_hour_pence if profile else None
        self.use_rate.setChecked(rate is not None)
        self.rate.setEnabled(rate is not None)
        self.rate.setValue(pence_to_pounds(rate) if rate is not None else 0.0)
        self.weeks.setValue(profile.weeks_per_year if profile else DEFAULT_WEEKS_PER_YEAR)
        self.sections.set_order(tuple(profile.section_order) if profile else DEFAULT_SECTION_ORDER)
        self.saved_state = self._state()
        self.revalidate()

    def problems(self) -> list[str]:
        d = self.data()
        rules = LaRules(
            name=d.name,
            reviewed_cycles=d.reviewed_cycles,
            report_max_age_months=d.report_max_age_months,
            notional_threshold=Decimal(d.notional_threshold_pence) / 100,
            staff_rate_per_hour=(
                Decimal(d.staff_rate_per_hour_pence) / 100
                if d.staff_rate_per_hour_pence is not None
                else None
            ),
            weeks_per_year=d.weeks_per_year,
            section_order=d.section_order,
        )
        found = la_rules_problems(rules)
        others = {p.name.strip().casefold() for p in self.profiles if p is not self.current}
        if d.name and d.name.casefold() in others:
            found.append(f"there are settings for {d.name} already; choose them in the list")
        return found

    @property
    def is_dirty(self) -> bool:
        return self._state() != self.saved_state

    def revalidate(self) -> None:
        found = as_sentences(self.problems())
        self.problems_label.setText("\n".join(found))
        self.problems_label.setVisible(bool(found))
        self.save_button.setEnabled(not found and (self.is_dirty or self.current is None))
        self.remove_button.setEnabled(self.current is not None)

    # --- the list ---------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Read the profiles again and show ``select_id`` (or the first, or a blank form)."""
        try:
            self.profiles = list_la_profiles(self.ctx.db, self.ctx.actor)
        except SendeskError as exc:
            warn(self, exc)
            self.profiles = []
        self._switching = True
        self.list.clear()
        for p in self.profiles:
            self.list.addItem(p.name)
        ids = [p.id for p in self.profiles]
        if select_id in ids:
            self.list.setCurrentRow(ids.index(select_id))
        elif ids:
            self.list.setCurrentRow(0)
        self._switching = False
        row = self.list.currentRow()
        self._show(self.profiles[row] if row >= 0 else None)

    def _chosen(self, row: int) -> None:
        if self._switching or row < 0 or row >= len(self.profiles):
            return
        chosen = self.profiles[row]
        if chosen is self.current:
            return
        if not self._settle():
            self._switching = True  # stay where the unsaved edits are
            previous = self.profiles.index(self.current) if self.current in self.profiles else -1
            self.list.setCurrentRow(previous)
            self._switching = False
            return
        self._show(chosen)

    def _settle(self) -> bool:
        """With unsaved changes ask Save / Discard / Cancel; True when it is fine to move on."""
        if not self.is_dirty:
            return True
        answer = save_discard_cancel(self, "Save the changes to these settings first?")
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return True

    def new_profile(self) -> None:
        if not self._settle():
            return
        self._switching = True
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self._switching = False
        self._show(None)
        self.name.setFocus()

    # --- actions ----------------------------------------------------------------------------

    def save(self) -> bool:
        """Store the form; True when saved (or nothing needed saving)."""
        if self.current is not None and not self.is_dirty:
            return True
        if self.problems():
            self.revalidate()
            return False
        try:
            saved_id = save_la_profile(
                self.ctx.db,
                self.ctx.actor,
                self.current.id if self.current else None,
                self.current.version if self.current else None,
                self.data(),
            )
        except ConflictError as exc:
            warn(self, exc)
            self.reload(self.current.id if self.current else None)
            return False
        except SendeskError as exc:
            warn(self, exc)
            return False
        self.reload(saved_id)
        return True

    def remove_profile(self) -> None:
        profile = self.current
        if profile is None:
            return
        if (
            confirmed_change(
                self,
                f"Remove the settings for {profile.name}? Its requests will be checked "
                "against the usual expectations instead.",
                lambda: remove_la_profile(self.ctx.db, self.ctx.actor, profile.id, profile.version),
            )
            is None
        ):
            return
        self.saved_state = self._state()  # nothing left to ask about
        self.reload()

    def reject(self) -> None:
        """Close (Esc, the button, the window's cross): unsaved settings are asked about."""
        if self.current is None and not self.name.text().strip():
            super().reject()  # an untouched blank form is not worth a question
            return
        if self._settle():
            super().reject()


__all__ = ["LaProfilesDialog", "MoveKeys", "SectionOrder", "defaults_text", "pence_to_pounds"]
