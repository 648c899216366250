"""The leaver's SEN file, from the pupil window: tick the evidence, choose a folder, make
the PDF; then, once it has gone to the next school, say so.

Why two steps: making the file is not sending it (the school sends it by its own secure
route), so "what's due" clears only when the SENCo confirms the day it went
(:func:`sendesk.services.transfer.sen_file.record_sen_file_sent`). The documents offered
are the pupil's stored evidence, none ticked at first: the SENCo chooses what the next
school needs. The evidence list is read, and the file built, on the worker thread
(:class:`sendesk.ui.ops.Op`) with a progress dialog and Cancel; a cancelled build leaves no
file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from sendesk.errors import SendeskError
from sendesk.operations.sen_file import SenFileResult, build_sen_file
from sendesk.rules.dates import dmy
from sendesk.services.ehc.pack import EvidenceChoice
from sendesk.services.transfer.leavers import LeaverStatus
from sendesk.services.transfer.sen_file import record_sen_file_sent, sen_file_evidence
from sendesk.ui.kit.dates import date_edit, from_qdate
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.paths import choose_folder, path_row
from sendesk.ui.ops import Changes, Op
from sendesk.ui.transfer.leaving import LeaverDialog


class SenFileDialog(LeaverDialog):
    """Make the leaver's SEN file, then record that it was sent."""

    TITLE = "SEN file"
    INTRO = (
        "One PDF for the next school's SENCo: register history, needs and provision, the "
        "latest support plans and reviews, interventions and progress, access "
        "arrangements and the EHC plan if any. Tick the documents to send with it; "
        "they are appended in this order."
    )

    def build(self, layout: QVBoxLayout, status: LeaverStatus) -> None:
        self.result: SenFileResult | None = None
        self.marked_sent = False
        self.where = note(layout, status.sentence(), "Where the pupil is going")
        self.evidence = QListWidget()
        self.evidence.setAccessibleName("Evidence documents to send")
        layout.addWidget(self.evidence, 1)
        self.no_evidence = note(layout, "Reading the pupil's documents…")
        row, self.folder, _browse = path_row(
            "Save in &folder:",
            "Folder to save the SEN file in",
            ("&Browse…", "Choose the folder"),
            self._browse,
            str(Path.home()),
        )
        layout.addLayout(row)
        self.make_button = QPushButton("&Make the SEN file")
        self.make_button.clicked.connect(self.make)
        layout.addWidget(self.make_button)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("What was saved")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.outcome)

        sent = QGroupBox("Once it has gone to the next school")
        sent_row = QHBoxLayout(sent)
        sent_label = QLabel("&Sent on:")
        self.sent_on = date_edit(
            "The day the SEN file was sent", status.sen_file_sent_on or date.today(), date.today()
        )
        sent_label.setBuddy(self.sent_on)
        self.sent_button = QPushButton("&Record as sent")
        self.sent_button.setAccessibleName("Record that the SEN file was sent")
        self.sent_button.clicked.connect(self.record_sent)
        sent_row.addWidget(sent_label)
        sent_row.addWidget(self.sent_on)
        sent_row.addWidget(self.sent_button)
        sent_row.addStretch(1)
        layout.addWidget(sent)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.make_button.setEnabled(False)  # until the documents are read
        db, actor, pupil_id = self.ctx.db, self.ctx.actor, status.pupil_id
        self.loading: Op | None = Op(
            self,
            lambda _progress: sen_file_evidence(db, actor, pupil_id),
            success=self._fill,
            failure=self._failed,
        ).run()

    # --- the evidence -------------------------------------------------------------------

    def _fill(self, choices: list[EvidenceChoice]) -> None:
        self.loading = None
        self.evidence.clear()
        for choice in choices:
            text = f"{choice.title} — {choice.kind}, {dmy(choice.document_date, 'undated')}"
            if choice.agency:
                text += f" ({choice.agency})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.evidence.addItem(item)
        self.no_evidence.setText(
            "" if choices else "The pupil has no stored documents: the file is the PDF alone."
        )
        self.no_evidence.setVisible(not choices)
        self.make_button.setEnabled(True)

    def ticked(self) -> list[int]:
        """The ids of the ticked documents, in the list's order (oldest first)."""
        out: list[int] = []
        for row in range(self.evidence.count()):
            item = self.evidence.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _browse(self) -> None:
        choose_folder(self, "Save the SEN file in", self.folder)

    # --- making and sending -------------------------------------------------------------

    def make(self) -> None:
        if self.op is not None:
            return
        db, actor, pupil_id = self.ctx.db, self.ctx.actor, self.status.pupil_id
        folder, evidence = Path(self.folder.text().strip()), self.ticked()
        self.make_button.setEnabled(False)
        self.outcome.clear()
        self.op = Op(
            self,
            lambda progress: build_sen_file(
                db, actor, pupil_id, folder, evidence_ids=evidence, progress=progress
            ),
            success=self._made,
            failure=self._failed,
            label="Making the SEN file…",
        ).run()

    def _made(self, result: SenFileResult) -> None:
        self.op = None
        self.result = result
        self.make_button.setEnabled(True)
        text = (
            f"Saved {result.pdf} ({result.pages} pages"
            + (f"; documents appended: {', '.join(result.appended)}" if result.appended else "")
            + "). Send it to the next school by your secure route, then record it as sent."
        )
        if result.notes:
            text += "\n" + "\n".join(result.notes)
        self.outcome.setText(text)

    def record_sent(self) -> None:
        if self.op is not None:
            return
        on = from_qdate(self.sent_on.date())
        db, actor, pupil_id = self.ctx.db, self.ctx.actor, self.status.pupil_id
        self.sent_button.setEnabled(False)
        self.op = Op(
            self,
            lambda _progress: record_sen_file_sent(db, actor, pupil_id, on),
            success=lambda _r: self._sent(on),
            failure=self._failed,
            changes=Changes.PUPIL | Changes.DUE,
        ).run()

    def _sent(self, on: date) -> None:
        self.op = None
        self.marked_sent = True
        self.sent_button.setEnabled(True)
        self.outcome.setText(
            f'Recorded: the SEN file was sent on {on:%d/%m/%Y}; it is off "what\'s due".'
        )

    def _failed(self, exc: BaseException) -> None:
        self.op = None
        self.loading = None
        self.make_button.setEnabled(True)
        self.sent_button.setEnabled(True)
        self.outcome.setText(
            str(exc)
            if isinstance(exc, SendeskError)
            else f"That could not be done ({type(exc).__name__}); nothing was changed."
        )
