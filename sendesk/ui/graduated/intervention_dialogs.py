"""The Interventions page's dialogs: an intervention in the catalogue, a group running it,
a pupil's enrolment, and a measure. Each calls a service when OK is pressed; a refusal is
shown and the dialog stays open, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import progress as rules
from sendesk.rules.years import year_label
from sendesk.services.graduated.enrolments import (
    add_measurement,
    enrol,
    record_entry,
    record_exit,
)
from sendesk.services.graduated.intervention_records import (
    MAX_GROUP_SIZE,
    MAX_MINUTES,
    MAX_SESSIONS_PER_WEEK,
    WEEKDAY_NAMES,
    EnrolmentItem,
    GroupData,
    GroupItem,
    InterventionData,
    InterventionItem,
)
from sendesk.services.graduated.intervention_setup import (
    add_group,
    add_intervention,
    group_leaders,
    update_group,
    update_intervention,
)
from sendesk.services.register.pupil_record import AREAS
from sendesk.services.register.register_view import register_rows
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, dialog_buttons
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.forms import form_row, side_by_side

STAFF_ROLES = (
    "Teaching assistant",
    "Higher level teaching assistant",
    "ELSA",
    "Learning mentor",
    "Teacher",
    "Specialist teacher",
    "SENCo",
    "Speech and language therapist",
)
MEASURES = (
    ("reading age", rules.AGE_MONTHS),
    ("spelling age", rules.AGE_MONTHS),
    ("standardised reading score", rules.STANDARDISED),
    ("standardised spelling score", rules.STANDARDISED),
    ("rating scale", rules.RATING),
)


# --- dialogs -------------------------------------------------------------------------------------


class _ServiceDialog(QDialog):
    """A dialog whose OK calls a service; a refusal is shown and the dialog stays open."""

    title = APP

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{self.title} — SENDesk")
        self.form = QFormLayout()
        self.buttons, self.ok_button = dialog_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        """Call the service (raise SendeskError or ValueError to refuse)."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.save()
        except (SendeskError, ValueError) as exc:
            QMessageBox.warning(self, f"{self.title}: not saved", str(exc))
            return
        super().accept()


class InterventionDialog(_ServiceDialog):
    """Add a programme to the catalogue, or edit one (``item``)."""

    def __init__(
        self, ctx: AppContext, item: InterventionItem | None = None, parent: QWidget | None = None
    ) -> None:
        self.title = "Edit intervention" if item else "Add an intervention"
        super().__init__(ctx, parent)
        self.item = item
        self.saved_id: int | None = None

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name")
        self.area_combo = QComboBox()
        self.area_combo.setAccessibleName("Area of need")
        self.area_combo.addItems(list(AREAS))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
        self.group_size_spin = self._spin("Group size", 1, MAX_GROUP_SIZE, 1)
        self.staff_role_combo = QComboBox()
        self.staff_role_combo.setAccessibleName("Staff role")
        self.staff_role_combo.setEditable(True)
        self.staff_role_combo.addItems(list(STAFF_ROLES))
        self.sessions_spin = self._spin("Sessions a week", 1, MAX_SESSIONS_PER_WEEK, 1)
        self.minutes_spin = self._spin("Minutes per session", 1, MAX_MINUTES, 30)
        self.cost_spin = QDoubleSpinBox()
        self.cost_spin.setAccessibleName("Cost an hour of the staff role, in pounds")
        self.cost_spin.setPrefix("£")
        self.cost_spin.setDecimals(2)
        self.cost_spin.setRange(0, 1000)
        self.measure_combo = QComboBox()
        self.measure_combo.setAccessibleName("Measure used")
        self.measure_combo.setEditable(True)
        for text, _kind in MEASURES:
            self.measure_combo.addItem(text)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of measure")
        for kind, label in rules.MEASURE_KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.active_check = QCheckBox("In &use (untick to retire it)")
        self.active_check.setChecked(True)

        form_row(self.form, "&Name:", self.name_edit)
        form_row(self.form, "&Area of need:", self.area_combo)
        form_row(self.form, "&Description:", self.description_edit)
        form_row(self.form, "&Group size:", self.group_size_spin)
        form_row(self.form, "&Staff role:", self.staff_role_combo)
        form_row(self.form, "Sessions a &week:", self.sessions_spin)
        form_row(self.form, "&Minutes per session:", self.minutes_spin)
        form_row(self.form, "&Cost an hour:", self.cost_spin)
        form_row(self.form, "Measu&re:", self.measure_combo)
        form_row(self.form, "&Kind of measure:", self.kind_combo)
        self.form.addRow("", self.active_check)
        self.active_check.setVisible(item is not None)
        self.ok_button.setText("&Save" if item else "&Add")

        self.measure_combo.currentTextChanged.connect(self._measure_chosen)
        if item is not None:
            self._fill(item)
        self.name_edit.setFocus()

    @staticmethod
    def _spin(name: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setAccessibleName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        return spin

    def _measure_chosen(self, text: str) -> None:
        kind = dict(MEASURES).get(text.strip())
        if kind is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def _fill(self, item: InterventionItem) -> None:
        self.name_edit.setText(item.name)
        self.area_combo.setCurrentText(item.area)
        self.description_edit.setPlainText(item.description)
        self.group_size_spin.setValue(item.group_size)
        self.staff_role_combo.setCurrentText(item.staff_role)
        self.sessions_spin.setValue(item.sessions_per_week)
        self.minutes_spin.setValue(item.minutes_per_session)
        self.cost_spin.setValue(item.cost_per_hour_pence / 100)
        self.measure_combo.setCurrentText(item.measure)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(item.measure_kind), 0))
        self.active_check.setChecked(item.active)

    def data(self) -> InterventionData:
        return InterventionData(
            name=self.name_edit.text(),
            area=self.area_combo.currentText(),
            staff_role=self.staff_role_combo.currentText(),
            measure=self.measure_combo.currentText(),
            measure_kind=str(self.kind_combo.currentData()),
            group_size=self.group_size_spin.value(),
            sessions_per_week=self.sessions_spin.value(),
            minutes_per_session=self.minutes_spin.value(),
            cost_per_hour_pence=round(self.cost_spin.value() * 100),
            description=self.description_edit.toPlainText(),
            active=self.active_check.isChecked(),
        )

    def save(self) -> None:
        if self.item is None:
            self.saved_id = add_intervention(self.ctx.db, self.ctx.actor, self.data())
        else:
            update_intervention(
                self.ctx.db, self.ctx.actor, self.item.id, self.item.version, self.data()
            )
            self.saved_id = self.item.id


class GroupDialog(_ServiceDialog):
    """Start a group of an intervention, or edit one (``item``)."""

    def __init__(
        self,
        ctx: AppContext,
        interventions: Sequence[InterventionItem],
        intervention_id: int | None,
        item: GroupItem | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        self.title = "Edit group" if item else "Start a group"
        super().__init__(ctx, parent)
        self.item = item
        self.saved_id: int | None = None
        today = today or date.today()

        self.intervention_combo = QComboBox()
        self.intervention_combo.setAccessibleName("Intervention")
        for i in interventions:
            if i.active or (item and i.id == item.intervention_id):
                self.intervention_combo.addItem(i.name, i.id)
        wanted = item.intervention_id if item else intervention_id
        self.intervention_combo.setCurrentIndex(max(self.intervention_combo.findData(wanted), 0))
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Group name")
        self.name_edit.setPlaceholderText("For example: Year 8 reading, Monday and Wednesday")
        self.staff_combo = QComboBox()
        self.staff_combo.setAccessibleName("Led by")
        self.staff_combo.addItem("Nobody yet", None)
        for uid, name in group_leaders(ctx.db, ctx.actor):
            self.staff_combo.addItem(name, uid)
        days = QWidget()
        days_layout = QHBoxLayout(days)
        days_layout.setContentsMargins(0, 0, 0, 0)
        self.day_checks: list[QCheckBox] = []
        for n, name in enumerate(WEEKDAY_NAMES[:5]):
            check = QCheckBox(name)
            check.setAccessibleName(f"Meets on {name}")
            check.setProperty("weekday", n)
            self.day_checks.append(check)
            days_layout.addWidget(check)
        days_layout.addStretch(1)
        self.start_edit = date_edit("First day", today)
        self.has_end_check = QCheckBox("Ends on:")
        self.end_edit = date_edit("Last day", today + timedelta(weeks=12))
        self.end_edit.setEnabled(False)
        self.has_end_check.toggled.connect(self.end_edit.setEnabled)

        form_row(self.form, "&Intervention:", self.intervention_combo)
        form_row(self.form, "&Name:", self.name_edit)
        form_row(self.form, "&Led by:", self.staff_combo)
        form_row(self.form, "&Days:", days)
        form_row(self.form, "&From:", self.start_edit)
        self.form.addRow("", side_by_side(self.has_end_check, self.end_edit))
        self.ok_button.setText("&Save" if item else "&Start group")
        if item is not None:
            self.name_edit.setText(item.name)
            self.staff_combo.setCurrentIndex(max(self.staff_combo.findData(item.staff_id), 0))
            for check in self.day_checks:
                check.setChecked(check.property("weekday") in item.weekdays)
            self.start_edit.setDate(to_qdate(item.start_date))
            if item.end_date is not None:
                self.has_end_check.setChecked(True)
                self.end_edit.setDate(to_qdate(item.end_date))

    def data(self) -> GroupData:
        return GroupData(
            intervention_id=int(self.intervention_combo.currentData() or 0),
            name=self.name_edit.text(),
            staff_id=self.staff_combo.currentData(),
            weekdays=tuple(int(c.property("weekday")) for c in self.day_checks if c.isChecked()),
            start_date=from_qdate(self.start_edit.date()),
            end_date=from_qdate(self.end_edit.date()) if self.has_end_check.isChecked() else None,
        )

    def save(self) -> None:
        if self.item is None:
            self.saved_id = add_group(self.ctx.db, self.ctx.actor, self.data())
        else:
            update_group(self.ctx.db, self.ctx.actor, self.item.id, self.data())
            self.saved_id = self.item.id


def _measure_hint(kind: str) -> str:
    if kind == rules.AGE_MONTHS:
        return "Years:months, e.g. 8:06"
    if kind == rules.STANDARDISED:
        return "A standardised score, e.g. 84"
    return "A number on the scale"


class EnrolDialog(_ServiceDialog):
    """Enrol a pupil in a group with the start date, planned end and the entry measure."""

    title = "Enrol a pupil"

    def __init__(
        self,
        ctx: AppContext,
        group: GroupItem,
        intervention: InterventionItem,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.group = group
        self.intervention = intervention
        self.saved_id: int | None = None
        today = today or date.today()
        start = max(group.start_date, min(today, group.end_date or today))

        self.pupil_combo = QComboBox()
        self.pupil_combo.setAccessibleName("Pupil")
        self.pupil_combo.setEditable(True)
        self.pupil_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for row in register_rows(ctx.db, ctx.actor, include_all=True):
            self.pupil_combo.addItem(
                f"{row.display_name} ({year_label(row.year_group)}, {row.upn})", row.pupil_id
            )
        self.pupil_combo.setCurrentIndex(-1)
        completer = self.pupil_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.start_edit = date_edit("Start date", start)
        self.planned_end_edit = date_edit("Planned end", start + timedelta(weeks=10))
        self.entry_edit = QLineEdit()
        self.entry_edit.setAccessibleName(f"Entry measure ({intervention.measure})")
        self.entry_edit.setPlaceholderText(_measure_hint(intervention.measure_kind))
        self.entry_date_edit = date_edit("Date of the entry measure", start)

        form_row(self.form, "&Pupil:", self.pupil_combo)
        form_row(self.form, "&Start:", self.start_edit)
        form_row(self.form, "Planned &end:", self.planned_end_edit)
        form_row(self.form, f"Entry &measure ({intervention.measure}):", self.entry_edit)
        form_row(self.form, "Measure &taken on:", self.entry_date_edit)
        self.ok_button.setText("&Enrol")
        self.setWindowTitle(f"Enrol a pupil in {group.name} — SENDesk")

    def select_pupil(self, pupil_id: int) -> None:
        self.pupil_combo.setCurrentIndex(self.pupil_combo.findData(pupil_id))

    def save(self) -> None:
        pupil_id = self.pupil_combo.currentData()
        if pupil_id is None or self.pupil_combo.currentIndex() < 0:
            raise ValueError("Choose a pupil from the list.")
        text = self.entry_edit.text().strip()
        entry = rules.parse_measure(self.intervention.measure_kind, text) if text else None
        self.saved_id = enrol(
            self.ctx.db,
            self.ctx.actor,
            self.group.id,
            int(pupil_id),
            from_qdate(self.start_edit.date()),
            from_qdate(self.planned_end_edit.date()),
            entry,
            from_qdate(self.entry_date_edit.date()) if entry is not None else None,
        )


class MeasureDialog(_ServiceDialog):
    """Record the exit measure (ending the enrolment), a measure along the way, or the entry
    measure of an enrolment that began without one (``entry``)."""

    def __init__(
        self,
        ctx: AppContext,
        enrolment: EnrolmentItem,
        parent: QWidget | None = None,
        *,
        exit_measure: bool,
        entry: bool = False,
        today: date | None = None,
    ) -> None:
        self.title = (
            "Record the entry" if entry else "Record the exit" if exit_measure else "Add a measure"
        )
        super().__init__(ctx, parent)
        self.enrolment = enrolment
        self.is_exit = exit_measure
        self.is_entry = entry
        today = today or date.today()
        intro = QLabel(
            f"{enrolment.pupil_name}: {enrolment.measure}. "
            + (
                "The entry measure, taken as the pupil started: progress is judged from it."
                if entry
                else "Recording the exit ends the pupil's time in the group; leave the measure "
                "blank if none was taken (a pupil who left)."
                if exit_measure
                else "A measure taken along the way shows on the progress chart."
            )
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.value_edit = QLineEdit()
        self.value_edit.setAccessibleName(enrolment.measure)
        self.value_edit.setPlaceholderText(_measure_hint(enrolment.measure_kind))
        self.date_edit = date_edit("Date the measure was taken", today)
        self.date_edit.setMaximumDate(to_qdate(today))
        form_row(
            self.form, f"&{enrolment.measure[:1].upper()}{enrolment.measure[1:]}:", self.value_edit
        )
        form_row(self.form, "&Taken on:", self.date_edit)
        self.ok_button.setText(
            "Record e&ntry" if entry else "Record &exit" if exit_measure else "&Add"
        )

    def save(self) -> None:
        text = self.value_edit.text().strip()
        on = from_qdate(self.date_edit.date())
        db, actor, enrolment = self.ctx.db, self.ctx.actor, self.enrolment
        if self.is_entry or self.is_exit:
            # Only the exit measure may be left empty (the pupil left before it was taken).
            value = (
                rules.parse_measure(enrolment.measure_kind, text) if text or self.is_entry else None
            )
            record = record_entry if self.is_entry else record_exit
            record(db, actor, enrolment.id, value, on, version=enrolment.version)
        else:
            value = rules.parse_measure(enrolment.measure_kind, text)
            add_measurement(db, actor, enrolment.id, on, value)
