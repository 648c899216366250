"""The pieces of the pupil window's Profile and Needs tabs: one area of need's strengths
and strategies, the contact dialog, and the columns of the contacts and needs tables
(RowsModel views: the rows stay the record's items). Its optional dates are the UI kit's
(:class:`~sendesk.ui.kit.dates.OptionalDate`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.services.register.pupil_record import (
    ContactData,
    ContactItem,
    NeedItem,
    NeedProfileItem,
    add_contact,
    update_contact,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, dialog_buttons, warn
from sendesk.ui.kit.forms import form_row, text_box
from sendesk.ui.kit.table_model import ColumnSpec

GENDERS: tuple[tuple[str, str | None], ...] = (
    ("Not recorded", None),
    ("Female", "F"),
    ("Male", "M"),
)
YEAR_GROUPS: tuple[tuple[str, int | None], ...] = (
    ("Not recorded", None),
    ("Nursery 1", -2),
    ("Nursery 2", -1),
    ("Reception", 0),
    *((f"Year {n}", n) for n in range(1, 15)),
)
RANKS = {1: "Primary", 2: "Secondary"}
NOT_HELD = "Not held"  # home language or ethnicity the MIS export did not give
NEED_TEXTS = (
    ("strengths", "Strengths"),
    ("difficulties", "Difficulties"),
    ("strategies", "Strategies that work"),
)


def label_of(options: tuple[tuple[str, Any], ...], value: Any) -> str:
    return next((label for label, v in options if v == value), str(value))


CONTACT_COLUMNS: tuple[ColumnSpec[ContactItem], ...] = (
    ColumnSpec("Name", lambda c: c.name, tooltip=lambda c: c.address or ""),
    ColumnSpec("Relationship", lambda c: c.relationship_to_pupil or ""),
    ColumnSpec("Parental responsibility", lambda c: "Yes" if c.parental_responsibility else "No"),
    ColumnSpec("Phone", lambda c: c.phone or ""),
    ColumnSpec("Email", lambda c: c.email or ""),
    ColumnSpec("Preferred", lambda c: c.preferred_contact or ""),
)
NEED_COLUMNS: tuple[ColumnSpec[NeedItem], ...] = (
    ColumnSpec("Rank", lambda n: RANKS.get(n.rank, str(n.rank))),
    ColumnSpec("Code", lambda n: n.code),
    ColumnSpec("Description", lambda n: n.description),
    ColumnSpec("Area", lambda n: n.area or "No single area"),
)


class AreaEditor(QGroupBox):
    """Strengths, difficulties and strategies that work in one area of need."""

    changed = Signal()

    def __init__(self, area: str, profile: NeedProfileItem | None, editable: bool) -> None:
        super().__init__(area)
        self.area = area
        self.setAccessibleName(f"What works: {area}")
        form = QFormLayout(self)
        self.edits: dict[str, QPlainTextEdit] = {}
        for key, label in NEED_TEXTS:
            edit = text_box(f"{label}: {area}", 5, fixed=True)
            if not editable:
                edit.setReadOnly(True)
                edit.setTextInteractionFlags(
                    Qt.TextInteractionFlag.TextSelectableByKeyboard
                    | Qt.TextInteractionFlag.TextSelectableByMouse
                )
            edit.textChanged.connect(self.changed)
            form_row(form, f"{label}:", edit)
            self.edits[key] = edit
        self.set_profile(profile)

    def set_profile(self, profile: NeedProfileItem | None) -> None:
        """Show ``profile`` (or blanks) and take it as the saved state."""
        self.version = profile.version if profile else None
        self.saved = {key: getattr(profile, key) if profile else "" for key, _ in NEED_TEXTS}
        for key, edit in self.edits.items():
            edit.setPlainText(self.saved[key])

    def texts(self) -> dict[str, str]:
        return {key: edit.toPlainText() for key, edit in self.edits.items()}

    @property
    def is_dirty(self) -> bool:
        return {k: v.strip() for k, v in self.texts().items()} != {
            k: v.strip() for k, v in self.saved.items()
        }

    def mark_saved(self, version: int) -> None:
        self.version = version
        self.saved = self.texts()


class ContactDialog(QDialog):
    """Add or correct one contact; the service saves it when the user presses OK."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        contact: ContactItem | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id, self.contact = ctx, pupil_id, contact
        self.setWindowTitle(("Edit contact" if contact else "Add a contact") + f" — {APP}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        def line(text: str, name: str, value: str | None, limit: int) -> QLineEdit:
            edit = QLineEdit(value or "")
            edit.setAccessibleName(name)
            edit.setMaxLength(limit)
            form_row(form, text, edit)
            return edit

        c = contact
        self.name = line("&Name:", "Contact name", c.name if c else "", 200)
        self.relationship = line(
            "&Relationship to pupil:",
            "Relationship to pupil",
            c.relationship_to_pupil if c else "",
            60,
        )
        self.parental_responsibility = QCheckBox("Has &parental responsibility")
        self.parental_responsibility.setAccessibleName("Has parental responsibility")
        self.parental_responsibility.setChecked(bool(c and c.parental_responsibility))
        form.addRow("", self.parental_responsibility)
        self.priority = QSpinBox()
        self.priority.setRange(1, 99)
        self.priority.setValue(c.priority if c else 1)
        self.priority.setAccessibleName("Contact priority (1 is contacted first)")
        form_row(form, "Pr&iority:", self.priority)
        self.phone = line("P&hone:", "Phone", c.phone if c else "", 40)
        self.email = line("&Email:", "Email", c.email if c else "", 200)
        self.address = text_box("Address", 3, fixed=True)
        self.address.setPlainText(c.address or "" if c else "")
        form_row(form, "A&ddress:", self.address)
        self.preferred = line(
            "Pre&ferred contact method:",
            "Preferred contact method",
            c.preferred_contact if c else "",
            40,
        )
        dialog_buttons(self, layout)

    def data(self) -> ContactData:
        return ContactData(
            name=self.name.text(),
            relationship_to_pupil=self.relationship.text(),
            parental_responsibility=self.parental_responsibility.isChecked(),
            priority=self.priority.value(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.toPlainText(),
            preferred_contact=self.preferred.text(),
        )

    def accept(self) -> None:
        """Save through the service; on a refusal say why and keep what was typed."""
        try:
            if self.contact is None:
                add_contact(self.ctx.db, self.ctx.actor, self.pupil_id, self.data())
            else:
                update_contact(
                    self.ctx.db, self.ctx.actor, self.contact.id, self.contact.version, self.data()
                )
        except ConflictError as exc:
            warn(self, exc)
            self.reject()  # the window reloads the contacts either way
            return
        except SendeskError as exc:
            warn(self, exc)
            return
        super().accept()
