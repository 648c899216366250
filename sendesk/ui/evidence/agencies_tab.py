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

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.rules.confidentiality import LEVELS, default_level
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
from sendesk.ui.register.status_dialog import from_qdate, to_qdate
from sendesk.ui.tables import action_button, button_row
from sendesk.ui.tables import read_only_item as _item
from sendesk.ui.tables import read_only_table as _table

APP = "SENDesk"
INVOLVEMENT_HEADERS = ("Agency", "Professional", "Referred", "Seen", "Advice", "Who may read")
DOCUMENT_HEADERS = ("Title", "Date", "Type", "Size", "Agency", "Who may read")
FILE_FILTER = "Documents (*.pdf *.docx *.png *.jpg *.jpeg);;All files (*)"
NOT_YET = "Not yet"


def _dmy(value: date | None, empty: str = "") -> str:
    return f"{value:%d/%m/%Y}" if value is not None else empty


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


def _selected_row(table: QTableWidget, count: int) -> int | None:
    rows = table.selectionModel().selectedRows()
    if not rows or rows[0].row() >= count:
        return None
    return rows[0].row()


class _Date:
    """A date field with a "Not yet" checkbox beside it (QDateEdit has no empty state)."""

    def __init__(self, name: str, check_text: str, today: date) -> None:
        self.today = today
        self.edit = QDateEdit()
        self.edit.setAccessibleName(name)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("dd/MM/yyyy")
        self.edit.setDate(to_qdate(today))
        self.not_yet = QCheckBox(check_text)
        self.not_yet.setAccessibleName(f"{name}: not yet")
        self.not_yet.toggled.connect(lambda on: self.edit.setEnabled(not on))
        self.widget = QWidget()
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.not_yet)

    def value(self) -> date | None:
        return None if self.not_yet.isChecked() else from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        self.edit.setDate(to_qdate(value if value is not None else self.today))
        self.not_yet.setChecked(value is None)
        self.edit.setEnabled(value is not None)


class InvolvementDialog(QDialog):
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
        super().__init__(parent)
        self.ctx, self.pupil_id, self.involvement = ctx, pupil_id, involvement
        self.today = today or date.today()
        self.involvement_id: int | None = involvement.id if involvement else None
        self.setWindowTitle(
            ("Edit agency involvement" if involvement else "Add agency involvement") + f" — {APP}"
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        def add(text: str, field: QWidget, buddy: QWidget | None = None) -> None:
            label = QLabel(text)
            label.setBuddy(buddy or field)
            form.addRow(label, field)

        self.agency = QComboBox()
        self.agency.setEditable(True)
        self.agency.addItems(list(AGENCIES))
        self.agency.setAccessibleName("Agency")
        self.agency.setToolTip("Choose an agency, or type the service's own name.")
        line_edit = self.agency.lineEdit()
        if line_edit is not None:
            line_edit.setMaxLength(AGENCY_MAX)
            line_edit.setAccessibleName("Agency")
        add("&Agency:", self.agency)
        self.professional = QLineEdit()
        self.professional.setMaxLength(PROFESSIONAL_MAX)
        self.professional.setAccessibleName("Professional")
        self.professional.setPlaceholderText("Name and role, e.g. Dr A Shah, EP")
        add("&Professional:", self.professional)
        self.referral = _Date("Referral date", "Not &yet", self.today)
        self.referral.edit.setMaximumDate(to_qdate(self.today))
        add("&Referred on:", self.referral.widget, self.referral.edit)
        self.seen = _Date("Seen date", "Not y&et", self.today)
        add("&Seen on:", self.seen.widget, self.seen.edit)
        self.advice = QPlainTextEdit()
        self.advice.setAccessibleName("Advice")
        self.advice.setTabChangesFocus(True)
        self.advice.setPlaceholderText("What they advised, in the school's words")
        add("A&dvice:", self.advice)
        self.confidentiality = level_combo("Who may read this advice and its documents")
        self.confidentiality.setToolTip(
            "Health and social care start as SENCo only; teachers and learning support see "
            "only what is for staff who work with the pupil."
        )
        add("&Who may read it:", self.confidentiality)
        self._level_chosen = involvement is not None
        self.confidentiality.activated.connect(lambda _i: setattr(self, "_level_chosen", True))
        self.agency.currentTextChanged.connect(self._agency_changed)

        if involvement is not None:
            index = self.agency.findText(involvement.agency)
            if index >= 0:
                self.agency.setCurrentIndex(index)
            else:
                self.agency.setEditText(involvement.agency)
            self.professional.setText(involvement.professional)
            self.referral.set_value(involvement.referral_date)
            self.seen.set_value(involvement.seen_date)
            self.advice.setPlainText(involvement.advice)
            self.confidentiality.setCurrentIndex(
                self.confidentiality.findData(involvement.confidentiality)
            )
        else:
            self.seen.set_value(None)
            self._agency_changed(self.agency.currentText())

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _agency_changed(self, agency: str) -> None:
        """A new involvement takes its agency's level until the SENCo picks one."""
        if not self._level_chosen:
            self.confidentiality.setCurrentIndex(
                self.confidentiality.findData(default_level(agency))
            )

    def data(self) -> InvolvementData:
        return InvolvementData(
            agency=self.agency.currentText(),
            professional=self.professional.text(),
            referral_date=self.referral.value(),
            seen_date=self.seen.value(),
            advice=self.advice.toPlainText(),
            confidentiality=self.confidentiality.currentData(),
        )

    def accept(self) -> None:
        """Save through the service; on a refusal say why and keep what was typed."""
        try:
            if self.involvement is None:
                self.involvement_id = add_involvement(
                    self.ctx.db, self.ctx.actor, self.pupil_id, self.data(), today=self.today
                )
            else:
                update_involvement(
                    self.ctx.db,
                    self.ctx.actor,
                    self.involvement.id,
                    self.involvement.version,
                    self.data(),
                    today=self.today,
                )
        except ConflictError as exc:
            QMessageBox.warning(self, APP, str(exc))
            self.reject()  # the tab reloads either way
            return
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
            return
        super().accept()


class DocumentDialog(QDialog):
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
        super().__init__(parent)
        self.ctx, self.pupil_id, self.path = ctx, pupil_id, path
        self.today = today or date.today()
        self.document_id: int | None = None
        self.setWindowTitle(f"Add a document — {APP}")
        layout = QVBoxLayout(self)
        file_label = QLabel(f"File: {path.name}")
        file_label.setWordWrap(True)
        file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(file_label)
        form = QFormLayout()
        layout.addLayout(form)

        self.title_edit = QLineEdit(path.stem)
        self.title_edit.setMaxLength(TITLE_MAX)
        self.title_edit.setAccessibleName("Document title")
        title_label = QLabel("&Title:")
        title_label.setBuddy(self.title_edit)
        form.addRow(title_label, self.title_edit)

        self.date = QDateEdit()
        self.date.setAccessibleName("Document date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMaximumDate(to_qdate(self.today))
        self.date.setDate(to_qdate(self.today))
        self.undated = QCheckBox("&Undated")
        self.undated.setAccessibleName("The document is undated")
        self.undated.toggled.connect(lambda on: self.date.setEnabled(not on))
        date_row = QWidget()
        row = QHBoxLayout(date_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date, 1)
        row.addWidget(self.undated)
        date_label = QLabel("&Date:")
        date_label.setBuddy(self.date)
        form.addRow(date_label, date_row)

        self.agency = QComboBox()
        self.agency.setAccessibleName("Agency the document belongs to")
        self.agency.addItem("Not linked to an agency", None)
        for inv in involvements:
            text = inv.agency + (f" ({inv.professional})" if inv.professional else "")
            if inv.last_date is not None:
                text += f", {_dmy(inv.last_date)}"
            self.agency.addItem(text, inv.id)
        if involvement_id is not None and self.agency.findData(involvement_id) >= 0:
            self.agency.setCurrentIndex(self.agency.findData(involvement_id))
        agency_label = QLabel("A&gency:")
        agency_label.setBuddy(self.agency)
        form.addRow(agency_label, self.agency)

        self.confidentiality = level_combo("Who may read this document")
        self.confidentiality.insertItem(0, "As its agency's advice (staff if none)", None)
        self.confidentiality.setCurrentIndex(0)
        level_label = QLabel("&Who may read it:")
        level_label.setBuddy(self.confidentiality)
        form.addRow(level_label, self.confidentiality)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def document_date(self) -> date | None:
        return None if self.undated.isChecked() else from_qdate(self.date.date())

    def accept(self) -> None:
        try:
            self.document_id = add_document(
                self.ctx.db,
                self.ctx.actor,
                self.pupil_id,
                self.path,
                self.title_edit.text(),
                self.document_date(),
                self.agency.currentData(),
                today=self.today,
                confidentiality=self.confidentiality.currentData(),
            )
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
            return
        super().accept()


def level_combo(name: str) -> QComboBox:
    """A choice of who may read something: the SENCo only, or staff who work with the pupil."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    for key, label in LEVELS.items():
        combo.addItem(label, key)
    return combo


class AgenciesTab(QWidget):
    """A pupil's agency involvements and evidence documents.

    Raises SendeskError when they may not be read (a read-only account).
    """

    changed = Signal()
    """Emitted after an involvement or a document is added, corrected or removed."""

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
        self.editable = ctx.is_senco
        self.involvements: list[InvolvementItem] = []
        self.documents: list[DocumentItem] = []

        layout = QVBoxLayout(self)

        # --- involvements -------------------------------------------------------------
        agencies_box = QGroupBox("Agency involvement")
        agencies_layout = QVBoxLayout(agencies_box)
        intro = QLabel(
            "Professionals asked to see the pupil, most recent first. Many local authorities "
            "want involvement within the last 18 months in an EHC needs assessment request."
        )
        intro.setWordWrap(True)
        agencies_layout.addWidget(intro)
        self.table = _table(INVOLVEMENT_HEADERS, "Agency involvements")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        agencies_layout.addWidget(self.table, 1)
        self.empty_label = QLabel(
            "No agency involvement recorded."
            + (" Add one with Add involvement." if self.editable else "")
        )
        self.empty_label.setWordWrap(True)
        agencies_layout.addWidget(self.empty_label)

        self.add_button: QPushButton | None = None
        self.edit_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        if self.editable:
            self.add_button = action_button(
                "&Add involvement…", "Add an agency involvement", self.add_involvement
            )
            self.edit_button = action_button(
                "&Edit…", "Edit the selected agency involvement", self.edit_involvement
            )
            self.remove_button = action_button(
                "&Remove", "Remove the selected agency involvement", self.remove_involvement
            )
            button_row(agencies_layout, self.add_button, self.edit_button, self.remove_button)
            self.table.activated.connect(lambda _index: self.edit_involvement())
        layout.addWidget(agencies_box, 1)

        # --- documents ----------------------------------------------------------------
        docs_box = QGroupBox("Evidence documents")
        docs_layout = QVBoxLayout(docs_box)
        docs_intro = QLabel(
            "Reports, letters and work samples, kept inside the encrypted database. Open "
            "shows a read-only copy that SENDesk deletes when it closes."
        )
        docs_intro.setWordWrap(True)
        docs_layout.addWidget(docs_intro)
        self.documents_table = _table(DOCUMENT_HEADERS, "Evidence documents")
        self.documents_table.itemSelectionChanged.connect(self._update_buttons)
        self.documents_table.activated.connect(lambda _index: self.open_document())
        docs_layout.addWidget(self.documents_table, 1)
        self.documents_empty_label = QLabel(
            "No documents yet." + (" Add one with Add document." if self.editable else "")
        )
        self.documents_empty_label.setWordWrap(True)
        docs_layout.addWidget(self.documents_empty_label)

        self.add_document_button: QPushButton | None = None
        self.remove_document_button: QPushButton | None = None
        self.level_button: QPushButton | None = None
        self.open_button = action_button("&Open", "Open the selected document", self.open_document)
        if self.editable:
            self.add_document_button = action_button(
                "Add &document…", "Add an evidence document", self.add_document
            )
            self.remove_document_button = action_button(
                "Re&move document", "Remove the selected document", self.remove_document
            )
            self.level_button = action_button(
                "&Who may read…",
                "Change who may read the selected document",
                self.change_document_level,
            )
        button_row(
            docs_layout,
            self.add_document_button,
            self.open_button,
            self.level_button,
            self.remove_document_button,
        )
        layout.addWidget(docs_box, 1)
        layout.addStretch(0)  # takes the spare height when both lists are empty

        self.reload()

    # --- showing --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the involvements and documents again, keeping the selections."""
        keep_inv = self.selected_involvement()
        keep_doc = self.selected_document()
        self.involvements = list_involvements(self.ctx.db, self.ctx.actor, self.pupil_id)
        self.documents = list_documents(self.ctx.db, self.ctx.actor, self.pupil_id)
        agency_of = {i.id: i.agency for i in self.involvements}

        inv_rows = [
            [
                _item(i.agency),
                _item(i.professional),
                _item(_dmy(i.referral_date, NOT_YET)),
                _item(_dmy(i.seen_date, NOT_YET)),
                _item(first_line(i.advice), i.advice),
                _item(LEVELS.get(i.confidentiality, i.confidentiality)),
            ]
            for i in self.involvements
        ]
        doc_rows = [
            [
                _item(d.title, d.filename),
                _item(_dmy(d.document_date, "Undated")),
                _item(d.kind),
                _item(size_text(d.size)),
                _item(agency_of.get(d.involvement_id, "") if d.involvement_id else ""),
                _item(LEVELS.get(d.confidentiality, d.confidentiality)),
            ]
            for d in self.documents
        ]
        self._fill(
            self.table,
            inv_rows,
            [i.id for i in self.involvements],
            keep_inv.id if keep_inv else None,
        )
        self._fill(
            self.documents_table,
            doc_rows,
            [d.id for d in self.documents],
            keep_doc.id if keep_doc else None,
        )
        self.empty_label.setVisible(not self.involvements)
        self.table.setVisible(bool(self.involvements))
        self.documents_empty_label.setVisible(not self.documents)
        self.documents_table.setVisible(bool(self.documents))
        # A box whose list is empty keeps only the height it needs.
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.setStretch(0, 1 if self.involvements else 0)
            layout.setStretch(1, 1 if self.documents else 0)
            layout.setStretch(2, 0 if self.involvements or self.documents else 1)
        self._update_buttons()

    @staticmethod
    def _fill(
        table: QTableWidget, rows: list[list[QTableWidgetItem]], ids: list[int], keep: int | None
    ) -> None:
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, item in enumerate(row):
                table.setItem(r, c, item)
        table.resizeRowsToContents()
        if ids:
            table.selectRow(ids.index(keep) if keep in ids else 0)
        table.blockSignals(False)

    def selected_involvement(self) -> InvolvementItem | None:
        row = _selected_row(self.table, len(self.involvements))
        return None if row is None else self.involvements[row]

    def selected_document(self) -> DocumentItem | None:
        row = _selected_row(self.documents_table, len(self.documents))
        return None if row is None else self.documents[row]

    def _update_buttons(self) -> None:
        inv = self.selected_involvement() is not None
        doc = self.selected_document() is not None
        for button in (self.edit_button, self.remove_button):
            if button is not None:
                button.setEnabled(inv)
        self.open_button.setEnabled(doc)
        for button in (self.remove_document_button, self.level_button):
            if button is not None:
                button.setEnabled(doc)

    def _warn(self, exc: SendeskError) -> None:
        QMessageBox.warning(self, APP, str(exc))

    # --- involvements ---------------------------------------------------------------------

    def add_involvement(self) -> None:
        self._involvement_dialog(None)

    def edit_involvement(self) -> None:
        inv = self.selected_involvement()
        if inv is not None and self.editable:
            self._involvement_dialog(inv)

    def _involvement_dialog(self, inv: InvolvementItem | None) -> None:
        dialog = InvolvementDialog(self.ctx, self.pupil_id, inv, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload()
            if dialog.involvement_id is not None:
                ids = [i.id for i in self.involvements]
                if dialog.involvement_id in ids:
                    self.table.selectRow(ids.index(dialog.involvement_id))
        else:
            self.reload()

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
        answer = QMessageBox.question(
            self,
            APP,
            f"Remove the {inv.agency} involvement?{kept}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            remove_involvement(self.ctx.db, self.ctx.actor, inv.id, inv.version)
        except SendeskError as exc:
            self._warn(exc)
        else:
            self.changed.emit()
        self.reload()

    # --- documents ------------------------------------------------------------------------

    def add_document(self) -> None:
        if not self.editable:
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
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload()
            ids = [d.id for d in self.documents]
            if dialog.document_id in ids:
                self.documents_table.selectRow(ids.index(dialog.document_id))

    def open_document(self) -> None:
        """Open a checked, read-only copy of the selected document in the system's viewer."""
        doc = self.selected_document()
        if doc is None:
            return
        try:
            path = viewer_copy(self.ctx.db, self.ctx.actor, doc.id)
        except SendeskError as exc:
            self._warn(exc)
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
        if doc is None or not self.editable:
            return
        labels = list(LEVELS.values())
        current = labels.index(LEVELS.get(doc.confidentiality, labels[0]))
        label, ok = QInputDialog.getItem(
            self, APP, f"Who may read “{doc.title}”?", labels, current, False
        )
        if not ok:
            return
        level = next(k for k, v in LEVELS.items() if v == label)
        try:
            set_document_confidentiality(self.ctx.db, self.ctx.actor, doc.id, level)
        except SendeskError as exc:
            self._warn(exc)
        else:
            self.changed.emit()
        self.reload()

    def remove_document(self) -> None:
        doc = self.selected_document()
        if doc is None or not self.editable:
            return
        answer = QMessageBox.question(
            self,
            APP,
            f"Remove the document “{doc.title}”? It cannot be opened again afterwards "
            "(a backup still holds it).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            remove_document(self.ctx.db, self.ctx.actor, doc.id)
        except SendeskError as exc:
            self._warn(exc)
        else:
            self.changed.emit()
        self.reload()


__all__ = [
    "AgenciesTab",
    "DocumentDialog",
    "InvolvementDialog",
    "first_line",
    "size_text",
]
