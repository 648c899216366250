"""The request pack wizard: check readiness, choose the evidence, build the PDF and DOCX.

Why a wizard with these three steps (issue #6): the LA decides on the paperwork alone, so
the SENCo first needs to see what a panel will look for and what is missing, each item
ticked or flagged with the reason and vague outcome wording pointed out with what to write
instead (a missing item never blocks the pack: it is listed on the pack's cover page). Then
the SENCo chooses which stored documents go in and in what order (a panel reads the EP's
report before a letter from the GP), with a checkable list that is usable from the
keyboard (Space ticks, Alt+Up / Alt+Down move). Finally the pack is built where the SENCo
chooses, with a progress bar and a working Cancel; a cancelled or failed run leaves no file
behind (:func:`sendesk.operations.pack.build_pack` writes beside the target and renames).

The build runs on the worker thread (:class:`sendesk.ui.ops.Op`), reporting to the page's
progress bar; the window answers meanwhile. Reading the readiness check and the list of
documents opens no document contents, so the first two pages appear at once.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sendesk.errors import CancelledError, SendeskError
from sendesk.operations.pack import PackResult, build_pack
from sendesk.rules.dates import dmy
from sendesk.rules.readiness import ReadinessItem
from sendesk.services.ehc.pack import EvidenceChoice, available_evidence, readiness_for
from sendesk.settings import load_settings, save_settings
from sendesk.ui.context import AppContext
from sendesk.ui.ehc.ehc_request_dialog import la_combo
from sendesk.ui.ehc.la_profiles_dialog import MoveKeys, move_row
from sendesk.ui.evidence.agencies_tab import size_text
from sendesk.ui.kit.buttons import APP, action_button, button_column, move_buttons, warn
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.paths import choose_folder, path_row
from sendesk.ui.ops import Op, ProgressFn

log = logging.getLogger(__name__)

READY = "✓ Ready"
MISSING = "✗ Missing"


def start_folder() -> Path:
    """Where the folder field starts: the folder the last pack was built into, if it still
    exists (a USB stick may be out, a share gone); else Documents; else the home folder.

    Why: a SENCo builds packs into the same folder (the LA's, a shared drive) time after
    time, and a starting folder that does not exist only earns a warning at the last step.
    The folder is kept in the app's settings file on this computer, never in the database.
    """
    last = load_settings().pack_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for candidate in (last, documents):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path.home()


def remember_folder(folder: Path) -> None:
    """Keep ``folder`` as where the next pack starts (best effort: an unwritable settings
    file must not stop a pack being built)."""
    settings = load_settings()
    settings.pack_folder = str(folder.resolve())
    try:
        save_settings(settings)
    except OSError:
        log.warning("the pack folder could not be remembered in the settings file")


def readiness_summary(items: list[ReadinessItem]) -> str:
    """ "10 of 13 ready. The 3 missing will be listed on the pack's cover page." """
    ready = sum(1 for i in items if i.ok)
    left = len(items) - ready
    if not items:
        return "Nothing to check."
    if left == 0:
        return f"All {len(items)} items a panel looks for are ready."
    return (
        f"{ready} of {len(items)} items ready. The {left} missing "
        f"{'is' if left == 1 else 'are'} listed on the pack's cover page: you can build the "
        "pack now, or add what is missing first and check again."
    )


def evidence_text(doc: EvidenceChoice) -> str:
    """One line a SENCo recognises a document by: title, date, agency, file and size."""
    parts = [doc.title, dmy(doc.document_date, "undated")]
    if doc.agency:
        parts.append(doc.agency)
    parts.append(f"{doc.filename}, {size_text(doc.size)}")
    return " — ".join(parts)


class _WrappingDelegate(QStyledItemDelegate):
    """Row heights for wrapped text in a tree's last column.

    QTreeView asks its delegate for a row's size without the column's width, so wrapped
    text would be measured as one line and cut off; this measures it at the width the
    column really has.
    """

    PADDING = 8  # the style's text margins either side, and a little air

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != self.tree.columnCount() - 1:
            return hint
        width = self.tree.header().sectionSize(index.column()) - self.PADDING
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        font = index.data(Qt.ItemDataRole.FontRole)
        metrics = QFontMetrics(font) if isinstance(font, QFont) else option.fontMetrics
        box = metrics.boundingRect(
            QRect(0, 0, max(width, 50), 1_000_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(hint.width(), max(hint.height(), box.height() + 4))


class ReadinessPage(QWizardPage):
    """Step 1: what a panel will look for, item by item, for the chosen LA's rules."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, la_name: str | None, today: date | None
    ) -> None:
        super().__init__()
        self.ctx, self.pupil_id, self.today = ctx, pupil_id, today
        self.items: list[ReadinessItem] = []
        self.setTitle("1. Readiness check")
        self.setSubTitle(
            "What the LA's panel will look for. Nothing here blocks the pack; what is missing "
            "is listed on its cover page."
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.la = la_combo(ctx, la_name or "", "Local authority whose rules to check against")
        la_label = QLabel("&Local authority:")
        la_label.setBuddy(self.la)
        row.addWidget(la_label)
        row.addWidget(self.la, 1)
        self.check_button = QPushButton("Check &again")
        self.check_button.setAccessibleName("Check readiness again")
        self.check_button.clicked.connect(self.check)
        row.addWidget(self.check_button)
        layout.addLayout(row)
        self.summary = note(layout, "", "Readiness summary")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Readiness check")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Status", "What the panel looks for"])
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setUniformRowHeights(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # Rows are measured for the column's width: measure again when it changes, so long
        # reasons wrap onto more lines instead of being cut off.
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        header.sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.tree, 1)
        self.la.activated.connect(lambda _index: self.check())
        line = self.la.lineEdit()
        if line is not None:
            line.editingFinished.connect(self.check)
        self._checked_for: str | None = None

    def la_name(self) -> str | None:
        return self.la.currentText().strip() or None

    def initializePage(self) -> None:
        if self._checked_for is None:
            self.check()

    def check(self) -> None:
        """Run the readiness check for the chosen LA and show every item."""
        la = self.la_name()
        try:
            self.items = readiness_for(
                self.ctx.db, self.ctx.actor, self.pupil_id, la_name=la, today=self.today
            )
        except SendeskError as exc:
            warn(self, exc)
            return
        self._checked_for = la
        self.tree.clear()
        for entry in self.items:
            top = QTreeWidgetItem(
                [READY if entry.ok else MISSING, f"{entry.label} — {entry.reason}"]
            )
            top.setToolTip(1, entry.reason)
            if not entry.ok:  # what needs doing stands out, not by colour alone
                font = top.font(0)
                font.setBold(True)
                top.setFont(0, font)
                top.setFont(1, font)
            for line in entry.detail:
                child = QTreeWidgetItem(["", line])
                child.setToolTip(1, line)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(not entry.ok)  # what needs doing is shown; the rest folds away
        self.summary.setText(readiness_summary(self.items))
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def missing_labels(self) -> list[str]:
        return [i.label for i in self.items if not i.ok]


class EvidencePage(QWizardPage):
    """Step 2: which stored documents to append, in the order the SENCo sets."""

    def __init__(self, ctx: AppContext, pupil_id: int) -> None:
        super().__init__()
        self.ctx, self.pupil_id = ctx, pupil_id
        self.documents: list[EvidenceChoice] = []
        self.setTitle("2. Evidence to append")
        self.setSubTitle(
            "Tick the documents to append and put them in the order the panel should read "
            "them. Space ticks; Alt+Up and Alt+Down move the selected document."
        )
        layout = QVBoxLayout(self)
        self.empty_label = note(
            layout,
            "No evidence documents are stored for this pupil. Add professionals' reports on "
            "the Agencies & evidence tab; the pack can still be built without them.",
        )
        body = QHBoxLayout()
        layout.addLayout(body, 1)
        self.list = QListWidget()
        self.list.setAccessibleName("Evidence documents to append, in order")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        body.addWidget(self.list, 1)
        self.up_button, self.down_button = move_buttons("document", self.move)
        self.all_button = action_button(
            "Tick &all", "Tick every document", lambda: self.tick_all(True)
        )
        self.none_button = action_button(
            "Tick &none", "Untick every document", lambda: self.tick_all(False)
        )
        button_column(body, self.up_button, self.down_button, self.all_button, self.none_button)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Documents chosen")
        layout.addWidget(self.count_label)
        self.move_keys = MoveKeys(self.list, self.move)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.list.itemChanged.connect(self._update_count)
        self._loaded = False

    def initializePage(self) -> None:
        if self._loaded:
            return
        try:
            self.documents = available_evidence(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError as exc:
            warn(self, exc)
            self.documents = []
        self._loaded = True
        self.list.blockSignals(True)
        self.list.clear()
        # Oldest first, as the pack appends them by default (the story in time order).
        ordered = sorted(self.documents, key=lambda d: (d.document_date or date.max, d.title))
        for doc in ordered:
            item = QListWidgetItem(evidence_text(doc))
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(f"SHA-256 {doc.sha256}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        has = bool(self.documents)
        self.empty_label.setVisible(not has)
        for widget in (self.list, self.up_button, self.down_button, self.all_button):
            widget.setVisible(has)
        self.none_button.setVisible(has)
        if has:
            self.list.setCurrentRow(0)
        self._update_buttons()
        self._update_count()

    def chosen_ids(self) -> list[int]:
        """The ticked documents' ids, in the order shown."""
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def move(self, step: int) -> None:
        if move_row(self.list, step):
            self._update_buttons()

    def tick_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)

    def _update_count(self) -> None:
        n, total = len(self.chosen_ids()), self.list.count()
        self.count_label.setText(
            f"{n} of {total} document{'s' if total != 1 else ''} will be appended." if total else ""
        )


class GeneratePage(QWizardPage):
    """Step 3: where to save, then build with a progress bar and Cancel; open the results."""

    def __init__(self, ctx: AppContext, pupil_id: int, today: date | None) -> None:
        super().__init__()
        self.ctx, self.pupil_id, self.today = ctx, pupil_id, today
        self.job: Op | None = None
        self.result: PackResult | None = None
        self.setTitle("3. Build the pack")
        self.setSubTitle(
            "A PDF with every section, the tables, the charts and the appended evidence, and "
            "a Word document of the written sections."
        )
        self.setCommitPage(False)
        layout = QVBoxLayout(self)
        row, self.folder, self.choose_button = path_row(
            "&Folder:",
            "Folder to save the pack in",
            ("C&hoose…", "Choose the folder"),
            self.choose_folder,
            str(start_folder()),
        )
        layout.addLayout(row)
        row = QHBoxLayout()
        self.build_button = QPushButton("&Build the pack")
        self.build_button.setAccessibleName("Build the pack")
        self.build_button.clicked.connect(self.build)
        self.cancel_button = QPushButton("&Stop")
        self.cancel_button.setAccessibleName("Stop building the pack")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        row.addWidget(self.build_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress building the pack")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Result")
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.open_pdf_button = QPushButton("Open the &PDF")
        self.open_pdf_button.setAccessibleName("Open the PDF")
        self.open_docx_button = QPushButton("Open the &Word document")
        self.open_docx_button.setAccessibleName("Open the Word document")
        self.open_folder_button = QPushButton("Open the f&older")
        self.open_folder_button.setAccessibleName("Open the folder")
        self.open_pdf_button.clicked.connect(
            lambda: self._open(self.result.pdf if self.result else None)
        )
        self.open_docx_button.clicked.connect(
            lambda: self._open(self.result.docx if self.result else None)
        )
        self.open_folder_button.clicked.connect(
            lambda: self._open(self.result.pdf.parent if self.result else None)
        )
        for button in (self.open_pdf_button, self.open_docx_button, self.open_folder_button):
            button.setVisible(False)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return self.result is not None and self.job is None

    @property
    def running(self) -> bool:
        return self.job is not None

    def choose_folder(self) -> None:
        choose_folder(self, f"Save the pack in — {APP}", self.folder)

    def _wizard(self) -> PackWizard:
        wizard = self.wizard()
        assert isinstance(wizard, PackWizard)
        return wizard

    def build(self) -> None:
        """Build the pack into the chosen folder; Stop cancels with nothing left behind."""
        if self.job is not None:
            return
        folder = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip() or not folder.is_dir():
            QMessageBox.warning(self, APP, "Choose a folder that exists to save the pack in.")
            return
        remember_folder(folder)
        wizard = self._wizard()
        evidence = wizard.evidence_page.chosen_ids()
        la = wizard.readiness_page.la_name()

        def run(progress: ProgressFn) -> PackResult:
            return build_pack(
                self.ctx.db,
                self.ctx.actor,
                self.pupil_id,
                folder,
                evidence_ids=evidence,
                la_name=la,
                today=self.today,
                progress=progress,
                cancelled=lambda: job.cancelled,
            )

        self.job = job = Op(  # on the worker thread (sendesk.ui.ops)
            self, run, success=self._built, failure=self._not_built, on_progress=self._progress
        )
        self.result = None
        self._set_running(True)
        self.status.setText("Building the pack…")
        job.run()

    def _built(self, result: PackResult) -> None:
        self.result = result
        self.status.setText(self._result_text(result))
        self._stopped()

    def _not_built(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            self.status.setText("Stopped. Nothing was saved.")
        elif isinstance(exc, SendeskError):
            self.status.setText(str(exc))
            warn(self, exc)
        else:  # shown as one sentence; nothing is left half-written
            text = f"The pack could not be built ({type(exc).__name__}); nothing was saved."
            self.status.setText(text)
            QMessageBox.warning(self, APP, text)
        self._stopped()

    def _stopped(self) -> None:
        self.job = None
        self._set_running(False)
        self.completeChanged.emit()

    @staticmethod
    def _result_text(result: PackResult) -> str:
        text = (
            f"Saved the pack ({result.pages} page{'s' if result.pages != 1 else ''}):\n"
            f"{result.pdf}\n{result.docx}"
        )
        if result.missing:
            text += "\nListed as missing on the cover page: " + "; ".join(result.missing) + "."
        return text

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        if running:
            self.progress.setValue(0)
        self.cancel_button.setEnabled(running)
        self.build_button.setEnabled(not running)
        self.choose_button.setEnabled(not running)
        self.folder.setEnabled(not running)
        done = self.result is not None and not running
        self.build_button.setText("&Build again" if done else "&Build the pack")
        for button in (self.open_pdf_button, self.open_docx_button, self.open_folder_button):
            button.setVisible(done)
        wizard = self.wizard()
        if wizard is not None:
            for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
                button = wizard.button(which)
                if button is not None:
                    button.setEnabled(not running)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Stopping… nothing will be saved.")

    def _open(self, path: Path | None) -> None:
        if path is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.warning(self, APP, f"No program on this computer would open {path.name}.")


class PackWizard(QWizard):
    """The three steps of building a pupil's EHC needs assessment request pack."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        parent: QWidget | None = None,
        *,
        la_name: str | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"EHC needs assessment request pack — {APP}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.readiness_page = ReadinessPage(ctx, pupil_id, la_name, today)
        self.evidence_page = EvidencePage(ctx, pupil_id)
        self.generate_page = GeneratePage(ctx, pupil_id, today)
        for page in (self.readiness_page, self.evidence_page, self.generate_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Done")
        for which, name in (
            (QWizard.WizardButton.NextButton, "Next step"),
            (QWizard.WizardButton.BackButton, "Previous step"),
            (QWizard.WizardButton.FinishButton, "Done"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
            (QWizard.WizardButton.HelpButton, "Help"),
        ):
            button = self.button(which)
            if button is not None:
                button.setAccessibleName(name)

    def reject(self) -> None:
        """Esc or Cancel while the pack is being built stops it first (nothing is kept)."""
        if self.generate_page.running:
            self.generate_page.cancel()
            return
        super().reject()


__all__ = [
    "EvidencePage",
    "GeneratePage",
    "PackWizard",
    "ReadinessPage",
    "evidence_text",
    "readiness_summary",
]
