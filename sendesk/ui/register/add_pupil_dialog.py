"""Adding a pupil who is not (yet) in the MIS export: a new arrival, a pupil on roll elsewhere.

Every field is checked as the user types, with the same rules as the import
(``services.pupils.validate_pupil``), so a bad UPN is refused with its reason before Save.
A UPN is capitals only (DfE format; ``rules.upn.is_valid`` is strict), so letters typed in
lower case are turned into capitals as they are typed: what the user sees is what is saved.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.census import NEED_CODES, PROVISION_LABELS, Provision
from sendesk.services.register.pupils import PupilData, add_pupil, validate_pupil
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import dialog_buttons
from sendesk.ui.kit.forms import note


def _date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class AddPupilDialog(QDialog):
    """The SENCo's form for one new pupil; ``pupil_id`` is set once saved."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pupil_id: int | None = None
        self.setWindowTitle("Add a pupil — SENDesk")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.upn = self._line(form, "&UPN:", "UPN")
        self.upn.textEdited.connect(self._capitals)
        self.surname = self._line(form, "Legal &surname:", "Legal surname")
        self.forename = self._line(form, "Legal &forename:", "Legal forename")
        self.preferred = self._line(form, "&Preferred forename:", "Preferred forename")
        self.dob = QDateEdit(QDate.currentDate().addYears(-12))
        self.dob.setCalendarPopup(True)
        self.dob.setDisplayFormat("dd/MM/yyyy")
        self.dob.setAccessibleName("Date of birth")
        form.addRow("Date of &birth:", self.dob)
        self.gender = QComboBox()
        self.gender.setAccessibleName("Gender")
        for label, code in (("Not recorded", None), ("Female", "F"), ("Male", "M")):
            self.gender.addItem(label, code)
        form.addRow("&Gender:", self.gender)
        self.year = QSpinBox()
        self.year.setRange(0, 14)
        self.year.setValue(7)
        self.year.setAccessibleName("Year group")
        form.addRow("&Year group:", self.year)
        self.reg = self._line(form, "&Reg group:", "Registration group")
        self.eal = QCheckBox("English as an additional language")
        self.pp = QCheckBox("Pupil premium")
        self.lac = QCheckBox("Looked after")
        for box in (self.eal, self.pp, self.lac):
            form.addRow("", box)
        self.provision = QComboBox()
        self.provision.setAccessibleName("SEN provision")
        for p in Provision:
            self.provision.addItem(f"{p.value} — {PROVISION_LABELS[p]}", p.value)
        form.addRow("SEN pro&vision:", self.provision)
        self.primary = self._need_combo("Primary need")
        self.secondary = self._need_combo("Secondary need")
        form.addRow("Pri&mary need:", self.primary)
        form.addRow("Secondar&y need:", self.secondary)
        layout.addLayout(form)
        self.problems = note(layout, "", "Problems with this pupil's details")
        self.buttons, _save = dialog_buttons(self, layout, save=True, accept=self.save)
        for signal in (
            self.upn.textChanged,
            self.surname.textChanged,
            self.forename.textChanged,
            self.provision.currentIndexChanged,
            self.primary.currentIndexChanged,
            self.secondary.currentIndexChanged,
            self.dob.dateChanged,
        ):
            signal.connect(self.revalidate)
        self.revalidate()

    def _capitals(self, text: str) -> None:
        """Show a typed or pasted UPN in capitals, keeping the cursor where it was."""
        if text != text.upper():
            cursor = self.upn.cursorPosition()
            self.upn.setText(text.upper())
            self.upn.setCursorPosition(cursor)

    def _line(self, form: QFormLayout, label: str, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        form.addRow(label, edit)
        return edit

    def _need_combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem("None", None)
        for code, need in NEED_CODES.items():
            combo.addItem(f"{code} — {need.description}", code)
        return combo

    def data(self) -> PupilData:
        needs = tuple(c for c in (self.primary.currentData(), self.secondary.currentData()) if c)
        return PupilData(
            upn=self.upn.text(),
            legal_surname=self.surname.text().strip(),
            legal_forename=self.forename.text().strip(),
            preferred_forename=self.preferred.text().strip() or None,
            dob=_date(self.dob.date()),
            gender=self.gender.currentData(),
            year_group=self.year.value(),
            reg_group=self.reg.text().strip() or None,
            eal=self.eal.isChecked(),
            pupil_premium=self.pp.isChecked(),
            looked_after=self.lac.isChecked(),
            provision=self.provision.currentData(),
            needs=needs,
        )

    def revalidate(self) -> None:
        problems = validate_pupil(self.data())
        self.problems.setText(
            "\n".join(f"• {p.reason[:1].upper()}{p.reason[1:]}" for p in problems)
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not problems)

    def save(self) -> None:
        try:
            self.pupil_id = add_pupil(self.ctx.db, self.ctx.actor, self.data())
        except SendeskError as exc:
            self.problems.setText(str(exc))
            return
        self.accept()
