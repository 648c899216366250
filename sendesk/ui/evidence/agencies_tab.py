"""The "Agencies & evidence" tab of the pupil window: who was involved, and the documents.

Why it is built this way: an EHC needs assessment request has to show which professionals
have seen the pupil, how recently, and what they advised, with their reports as evidence.
So the tab shows the involvements (most recent first, advice cut to its first line; the
whole advice is in the row's tooltip and in the Edit dialog) and below them every evidence
document of the pupil, with the agency it belongs to. Anyone who may read the record can
open a document: :func:`sendesk.services.evidence.evidence.viewer_copy` writes a checked, private,
read-only copy and the operating system's viewer shows it. Only the SENCo gets the Add,
Edit and Remove buttons; the services check the role again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMessageBox, QWidget

from sendesk.errors import SendeskError
from sendesk.rules.confidentiality import LEVELS, default_level
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.evidence.agencies import (
    AGENCIES,
    AGENCY_MAX,
    PROFESSIONAL_MAX,
    InvolvementData,
    InvolvementItem,
    add_involvement,
    list_involvements,
    remove_involvement,
    update_involvement,
)
from sendesk.services.evidence.evidence import (
    TITLE_MAX,
    DocumentItem,
    add_document,
    list_documents,
    remove_document,
    set_document_confidentiality,
    viewer_copy,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP
from sendesk.ui.kit.form_dialog import TEXT, Field, FormDialog
from sendesk.ui.kit.record_tab import RecordList, RecordTab
from sendesk.ui.kit.table_model import ColumnSpec

FILE_FILTER = "Documents (*.pdf *.docx *.png *.jpg *.jpeg);;All files (*)"
NOT_YET = "Not yet"
LEVEL_CHOICES = tuple((label, key) for key, label in LEVELS.items())


def size_text(size: int) -> str:
    """A document's size as people say it: "820 bytes", "34 KB", "2.5 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def first_line(text: str) -> str:
    """The advice's first non-blank line, marked with "…" when there is more."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    return lines[0] + (" …" if len(lines) > 1 else "")


def _level(key: str) -> str:
    return LEVELS.get(key, key)


INVOLVEMENT_COLUMNS: tuple[ColumnSpec[InvolvementItem], ...] = (
    ColumnSpec("Agency", lambda i: i.agency),
    ColumnSpec("Professional", lambda i: i.professional),
    ColumnSpec("Referred", lambda i: dmy(i.referral_date, NOT_YET)),
    ColumnSpec("Seen", lambda i: dmy(i.seen_date, NOT_YET)),
    ColumnSpec("Advice", lambda i: first_line(i.advice), tooltip=lambda i: i.advice),
    ColumnSpec("Who may read", lambda i: _level(i.confidentiality)),
)


class InvolvementDialog(FormDialog):
    """Add or correct one agency involvement; the service saves it when the user presses OK."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        involvement: InvolvementItem | None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        today = today or date.today()

        def save(data: InvolvementData) -> int:
            if involvement is None:
                return add_involvement(ctx.db, ctx.actor, pupil_id, data, today=today)
            update_involvement(
                ctx.db, ctx.actor, involvement.id, involvement.version, data, today=today
            )
            return involvement.id

        fields = (
            Field(
                "agency",
                "&Agency:",
                choices=tuple((a, a) for a in AGENCIES),
                editable=True,
                max_length=AGENCY_MAX,
                tooltip="Choose an agency, or type the service's own name.",
            ),
            Field(
                "professional",
                "&Professional:",
                max_length=PROFESSIONAL_MAX,
                placeholder="Name and role, e.g. Dr A Shah, EP",
            ),
            Field(
                "referral_date",
                "&Referred on:",
                attr="referral",
                accessible="Referral date",
                until_today=True,
            ),
            Field(
                "seen_date", "&Seen on:", attr="seen", accessible="Seen date", not_yet="Not y&et"
            ),
            Field(
                "advice",
                "A&dvice:",
                kind=TEXT,
                placeholder="What they advised, in the school's words",
            ),
            Field(
                "confidentiality",
                "&Who may read it:",
                choices=LEVEL_CHOICES,
                accessible="Who may read this advice and its documents",
                tooltip="Health and social care start as SENCo only; teachers and learning "
                "support see only what is for staff who work with the pupil.",
            ),
        )
        title = "Edit agency involvement" if involvement else "Add agency involvement"
        super().__init__(ctx, title, InvolvementData, fields, save, parent, today=today)
        self.involvement = involvement
        self.involvement_id: int | None = involvement.id if involvement else None
        self.stored.connect(lambda new_id: setattr(self, "involvement_id", new_id))
        self._level_chosen = involvement is not None
        self.confidentiality.activated.connect(lambda _i: setattr(self, "_level_chosen", True))
        self.agency.currentTextChanged.connect(self._agency_changed)
        if involvement is not None:
            self.load(involvement)
        else:
            self.set_field("seen_date", None)
            self._agency_changed(self.agency.currentText())

    def _agency_changed(self, agency: str) -> None:
        """A new involvement takes its agency's level until the SENCo picks one."""
        if not self._level_chosen:
            self.set_field("confidentiality", default_level(agency))


@dataclass(frozen=True)
class DocumentForm:
    """What the document dialog asks for (the file itself is chosen before it opens)."""

    title: str
    document_date: date | None
    involvement_id: int | None
    confidentiality: str | None


class DocumentDialog(FormDialog):
    """Title, date and agency for a chosen file; OK stores it through the service."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        path: Path,
        involvements: list[InvolvementItem],
        parent: QWidget | None = None,
        *,
        involvement_id: int | None = None,
        today: date | None = None,
    ) -> None:
        today = today or date.today()
        self.path = path

        def save(data: DocumentForm) -> int:
            return add_document(
                ctx.db,
                ctx.actor,
                pupil_id,
                path,
                data.title,
                data.document_date,
                data.involvement_id,
                today=today,
                confidentiality=data.confidentiality,
            )

        agencies: list[tuple[str, object]] = [("Not linked to an agency", None)]
        for inv in involvements:
            text = inv.agency + (f" ({inv.professional})" if inv.professional else "")
            if inv.last_date is not None:
                text += f", {dmy(inv.last_date)}"
            agencies.append((text, inv.id))
        fields = (
            Field(
                "title",
                "&Title:",
                attr="title_edit",
                accessible="Document title",
                max_length=TITLE_MAX,
            ),
            Field(
                "document_date",
                "&Date:",
                accessible="Document date",
                not_yet="&Undated",
                until_today=True,
            ),
            Field(
                "involvement_id",
                "A&gency:",
                attr="agency",
                accessible="Agency the document belongs to",
                choices=agencies,
            ),
            Field(
                "confidentiality",
                "&Who may read it:",
                accessible="Who may read this document",
                choices=(("As its agency's advice (staff if none)", None), *LEVEL_CHOICES),
            ),
        )
        super().__init__(ctx, "Add a document", DocumentForm, fields, save, parent, today=today)
        file_label = QLabel(f"File: {path.name}")
        file_label.setWordWrap(True)
        file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.insertWidget(0, file_label)
        self.title_edit.setText(path.stem)
        if involvement_id is not None:
            self.set_field("involvement_id", involvement_id)

    @property
    def document_id(self) -> int | None:
        value = self.result_value
        return value if isinstance(value, int) else None


class AgenciesTab(RecordTab):
    """A pupil's agency involvements and evidence documents.

    Raises SendeskError when they may not be read (a read-only account).
    """

    def build(self) -> None:
        ctx = self.ctx
        self.editable = ctx.may(Action.EDIT_AGENCY_ADVICE)
        manages = ctx.may(Action.MANAGE_DOCUMENTS)

        self.involvement_list: RecordList[InvolvementItem] = RecordList(
            "Agency involvement",
            INVOLVEMENT_COLUMNS,
            "Agency involvements",
            intro="Professionals asked to see the pupil, most recent first. Many local "
            "authorities want involvement within the last 18 months in an EHC needs "
            "assessment request.",
            empty="No agency involvement recorded."
            + (" Add one with Add involvement." if self.editable else ""),
        )
        inv = self.involvement_list
        self.table, self.empty_label = inv.view, inv.empty_label
        action = Action.EDIT_AGENCY_ADVICE
        self.add_button, self.edit_button, self.remove_button = inv.offer_row(
            ctx,
            (action, "&Add involvement…", "Add an agency involvement", self.add_involvement),
            (action, "&Edit…", "Edit the selected agency involvement", self.edit_involvement),
            (action, "&Remove", "Remove the selected agency involvement", self.remove_involvement),
        )
        if self.editable:
            self.table.activated.connect(lambda _index: self.edit_involvement())
        self.layout_.addWidget(inv, 1)

        self.document_list: RecordList[DocumentItem] = RecordList(
            "Evidence documents",
            self._document_columns(),
            "Evidence documents",
            intro="Reports, letters and work samples, kept inside the encrypted database. "
            "Open shows a read-only copy that SENDesk deletes when it closes.",
            empty="No documents yet." + (" Add one with Add document." if manages else ""),
        )
        docs = self.document_list
        self.documents_table, self.documents_empty_label = docs.view, docs.empty_label
        self.documents_table.activated.connect(lambda _index: self.open_document())
        manage = Action.MANAGE_DOCUMENTS
        (
            self.add_document_button,
            self.open_button,
            self.level_button,
            self.remove_document_button,
        ) = docs.offer_row(
            ctx,
            (manage, "Add &document…", "Add an evidence document", self.add_document),
            (None, "&Open", "Open the selected document", self.open_document),
            (
                manage,
                "&Who may read…",
                "Change who may read the selected document",
                self.change_document_level,
            ),
            (manage, "Re&move document", "Remove the selected document", self.remove_document),
        )
        self.layout_.addWidget(docs, 1)
        self.layout_.addStretch(0)  # takes the spare height when both lists are empty

    def _document_columns(self) -> tuple[ColumnSpec[DocumentItem], ...]:
        def agency(d: DocumentItem) -> str:
            agency_of = {i.id: i.agency for i in self.involvement_list.rows}
            return agency_of.get(d.involvement_id, "") if d.involvement_id else ""

        return (
            ColumnSpec("Title", lambda d: d.title, tooltip=lambda d: d.filename),
            ColumnSpec("Date", lambda d: dmy(d.document_date, "Undated")),
            ColumnSpec("Type", lambda d: d.kind),
            ColumnSpec("Size", lambda d: size_text(d.size), sort_key=lambda d: d.size),
            ColumnSpec("Agency", agency),
            ColumnSpec("Who may read", lambda d: _level(d.confidentiality)),
        )

    # --- showing --------------------------------------------------------------------------

    @property
    def involvements(self) -> list[InvolvementItem]:
        return self.involvement_list.rows

    @property
    def documents(self) -> list[DocumentItem]:
        return self.document_list.rows

    def reload(self) -> None:
        """Read the involvements and documents again, keeping the selections."""
        db, actor = self.ctx.db, self.ctx.actor
        self.involvement_list.set_rows(list_involvements(db, actor, self.pupil_id))
        self.document_list.set_rows(list_documents(db, actor, self.pupil_id))
        self.stretch((self.involvement_list, 1), (self.document_list, 1))

    def selected_involvement(self) -> InvolvementItem | None:
        return self.involvement_list.selected()

    def selected_document(self) -> DocumentItem | None:
        return self.document_list.selected()

    # --- involvements ---------------------------------------------------------------------

    def add_involvement(self) -> None:
        self._involvement_dialog(None)

    def edit_involvement(self) -> None:
        inv = self.selected_involvement()
        if inv is not None and self.editable:
            self._involvement_dialog(inv)

    def _involvement_dialog(self, inv: InvolvementItem | None) -> None:
        dialog = InvolvementDialog(self.ctx, self.pupil_id, inv, self, today=self.today)
        self.open_form(dialog, self.involvement_list)

    def remove_involvement(self) -> None:
        inv = self.selected_involvement()
        if inv is None or not self.editable:
            return
        docs = len(inv.document_ids)
        kept = (
            f" Its {docs} document{'s' if docs != 1 else ''} will stay with the pupil, "
            "no longer linked to an agency."
            if docs
            else ""
        )
        self.change(
            lambda: remove_involvement(self.ctx.db, self.ctx.actor, inv.id, inv.version),
            f"Remove the {inv.agency} involvement?{kept}",
        )

    # --- documents ------------------------------------------------------------------------

    def add_document(self) -> None:
        if self.add_document_button is None:
            return
        name, _filter = QFileDialog.getOpenFileName(
            self, f"Choose a document — {APP}", "", FILE_FILTER
        )
        if not name:
            return
        inv = self.selected_involvement()
        dialog = DocumentDialog(
            self.ctx,
            self.pupil_id,
            Path(name),
            self.involvements,
            self,
            involvement_id=inv.id if inv else None,
            today=self.today,
        )
        self.open_form(dialog, self.document_list)

    def open_document(self) -> None:
        """Open a checked, read-only copy of the selected document in the system's viewer."""
        doc = self.selected_document()
        if doc is None:
            return
        try:
            path = viewer_copy(self.ctx.db, self.ctx.actor, doc.id)
        except SendeskError as exc:
            self.warn(exc)
            self.reload()
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.warning(
                self,
                APP,
                f"No program on this computer would open {doc.kind} documents; install a "
                "viewer for them and try again.",
            )

    def change_document_level(self) -> None:
        """The SENCo makes a document SENCo only, or readable by staff (audited)."""
        doc = self.selected_document()
        if doc is None or self.level_button is None:
            return
        labels = list(LEVELS.values())
        current = labels.index(LEVELS.get(doc.confidentiality, labels[0]))
        label, ok = QInputDialog.getItem(
            self, APP, f"Who may read “{doc.title}”?", labels, current, False
        )
        if not ok:
            return
        level = next(k for k, v in LEVELS.items() if v == label)
        self.change(
            lambda: set_document_confidentiality(self.ctx.db, self.ctx.actor, doc.id, level)
        )

    def remove_document(self) -> None:
        doc = self.selected_document()
        if doc is None or self.remove_document_button is None:
            return
        self.change(
            lambda: remove_document(self.ctx.db, self.ctx.actor, doc.id),
            f"Remove the document “{doc.title}”? It cannot be opened again afterwards "
            "(a backup still holds it).",
        )


__all__ = [
    "AgenciesTab",
    "DocumentDialog",
    "InvolvementDialog",
    "first_line",
    "size_text",
]
