"""The school's details an LA's request form asks for: the named contact and staff rate.

Why this dialog exists: every EHC request pack names who at the school the LA should ring
about it — the SENCo's name, phone and email — and the head teacher, and the pack's costed
provision prices staff time in support plans (in-class support, a key adult) at the
school's default staff rate when a plan line gives none. The SENCo keeps them here
(File ▸ School details…); they are saved together by
:func:`sendesk.services.school.school_details.save_school_details`, which checks them again.

How it behaves: the form says under it, as the SENCo types, what the service would refuse
(a phone number that is not one, an email without an @), and Save is offered only when
there is nothing to refuse. The staff rate is optional: unticked, the LA's rate (or none)
is used instead. A refusal from the service is shown and nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.services.school.school_details import (
    EMAIL_MAX,
    NAME_MAX,
    PHONE_MAX,
    RATE_MAX_PENCE,
    SchoolDetails,
    details_problems,
    save_school_details,
    school_details,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import dialog_buttons, warn
from sendesk.ui.kit.forms import note, side_by_side


class SchoolDetailsDialog(QDialog):
    """Edit the school's named contact, head teacher and default staff rate."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("School details")
        layout = QVBoxLayout(self)
        note(
            layout,
            "Every EHC request pack gives the local authority the school's named contact "
            "and prices staff time in support plans at the default staff rate when a plan "
            "line has no rate of its own.",
        )
        form = QFormLayout()
        layout.addLayout(form)

        def line(label: str, name: str, limit: int) -> QLineEdit:
            edit = QLineEdit()
            edit.setMaxLength(limit)
            edit.setAccessibleName(name)
            edit.textChanged.connect(self._check)
            form.addRow(label, edit)
            return edit

        self.senco_name = line("SENCo's &name:", "The SENCo's name", NAME_MAX)
        self.senco_phone = line("SENCo's &phone:", "The SENCo's phone number", PHONE_MAX)
        self.senco_email = line("SENCo's &email:", "The SENCo's email address", EMAIL_MAX)
        self.head = line("&Head teacher:", "The head teacher's name", NAME_MAX)
        self.dfe = line("&DfE number:", "The school's DfE number, LLL/EEEE", 9)
        self.dfe.setPlaceholderText("LLL/EEEE, e.g. 801/4000 (names the school in a CTF)")
        self.use_rate = QCheckBox("&Default staff rate")
        self.use_rate.setAccessibleName("Use a default staff rate")
        self.rate = QDoubleSpinBox()
        self.rate.setAccessibleName("Default staff rate an hour")
        self.rate.setPrefix("£")
        self.rate.setSuffix(" an hour")
        self.rate.setDecimals(2)
        self.rate.setRange(0, RATE_MAX_PENCE / 100)
        self.use_rate.toggled.connect(self.rate.setEnabled)
        form.addRow("Staff time:", side_by_side(self.use_rate, self.rate, grow=self.rate))

        self.problems_label = note(layout, "", "What still needs doing")
        self.buttons, self.save_button = dialog_buttons(self, layout, save=True, accept=self.save)
        self._load(school_details(ctx.db))

    def _load(self, details: SchoolDetails) -> None:
        self.senco_name.setText(details.senco_name)
        self.senco_phone.setText(details.senco_phone)
        self.senco_email.setText(details.senco_email)
        self.head.setText(details.head_teacher_name)
        self.dfe.setText(details.dfe_number)
        rate = details.staff_rate_per_hour_pence
        self.use_rate.setChecked(rate is not None)
        self.rate.setEnabled(rate is not None)
        self.rate.setValue((rate or 0) / 100)
        self._check()

    def details(self) -> SchoolDetails:
        """The form as typed."""
        pence = int((Decimal(str(self.rate.value())) * 100).to_integral_value())
        return SchoolDetails(
            senco_name=self.senco_name.text().strip(),
            senco_phone=self.senco_phone.text().strip(),
            senco_email=self.senco_email.text().strip(),
            head_teacher_name=self.head.text().strip(),
            staff_rate_per_hour_pence=pence if self.use_rate.isChecked() else None,
            dfe_number=self.dfe.text().strip(),
        )

    def _check(self) -> None:
        problems = details_problems(self.details())
        text = "; ".join(problems)
        self.problems_label.setText(text[:1].upper() + text[1:] + "." if text else "")
        self.save_button.setEnabled(not problems)

    def save(self) -> None:
        try:
            save_school_details(self.ctx.db, self.ctx.actor, self.details())
        except SendeskError as exc:
            warn(self, exc)
            return
        self.accept()


__all__ = ["SchoolDetailsDialog"]
