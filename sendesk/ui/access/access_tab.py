"""The "Access arrangements" tab of the pupil record: arrangements, evidence, assessments.

Why it is built this way: an inspector can ask to see the evidence for any candidate at
any time, and the SENCo has to answer from this record. So one tab shows everything that
answer needs — each arrangement with its status, who approves it (in words: delegated,
online application, awarding body), the subjects it covers, its approval and expiry, and
the latest normal-way-of-working evidence in each subject; under the chosen one, the
criteria verdict and the assessment's problems in sentences and the teachers' evidence
entries; then the Form 8 assessments with their scores. The SENCo proposes and corrects
arrangements, moves them along the statuses JCQ allows (with a date; withdrawing asks
first), records assessments, removes one recorded by mistake (after asking, and saying
which arrangements lose their link to it; the service keeps the one behind a live
application), and saves the candidate's evidence file as a PDF. Teachers and learning
support read the same tab without the buttons; the services enforce roles.

The candidate's exam entries sit between the two: evidence is needed only in the subjects
a candidate sits, so the gap view and "what's due" count these, not every class. Entries
come with the class-list import; the SENCo adds or removes one here (each change audited).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from sendesk.errors import SendeskError
from sendesk.rules import jcq
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.access.arrangement_edits import remove_arrangement
from sendesk.services.access.assessments import remove_assessment
from sendesk.services.access.exam_entries import add_exam_entry, remove_exam_entry
from sendesk.services.access.nww import list_nww
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import (
    ArrangementItem,
    AssessmentItem,
    ExamEntryItem,
    NwwItem,
    PupilAccess,
)
from sendesk.services.register.pupil_record import PupilRecord, get_record
from sendesk.ui.access.access_words import (
    bullets,
    evidence_gaps,
    evidence_route_text,
    evidence_summary,
    evidence_text,
    status_text,
    subjects_text,
    task_text,
    verdict_lines,
)
from sendesk.ui.access.arrangement_dialog import ArrangementDialog, StatusDialog
from sendesk.ui.access.assessment_dialog import AssessmentDialog, area_text
from sendesk.ui.kit.buttons import APP, button_row, buttons_for, warn
from sendesk.ui.kit.forms import note, sentence_label
from sendesk.ui.kit.record_tab import RecordTab
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view, selected_record, share_width, show_rows

NO_ENTRIES_TEXT = (
    "No exam entries recorded: the gap view and what's due cannot check evidence subject "
    "by subject until they are (import them with the class lists, or add them here)."
)


def entry_source_text(entry: ExamEntryItem) -> str:
    """Where an entry came from, as the table says it."""
    return "The MIS (class-list import)" if entry.source == "mis" else "Added by hand"


def scores_text(assessment: AssessmentItem) -> str:
    """ "Writing speed 82 (DASH); Reading speed 79" — every score, in the form's order."""
    return "; ".join(
        f"{area_text(s.area)} {s.score}" + (f" ({s.test})" if s.test else "")
        for s in assessment.scores
    )


def details_text(item: ArrangementItem, assessment: AssessmentItem | None) -> str:
    """Everything about one arrangement an inspector would ask, as plain sentences."""
    arrangement = jcq.ARRANGEMENTS.get(item.arrangement)
    lines = [f"{item.name}: {item.route_label}."]
    lines.append(f"Evidence route: {evidence_route_text(item.evidence_route)}.")
    steps = [f"proposed {dmy(item.proposed_on)}"]
    for label, on in (
        ("approved in centre", item.approved_on),
        ("applied online", item.applied_on),
        ("approved by the awarding body", item.awarding_body_on),
        ("ended", item.ended_on),
    ):
        if on is not None:
            steps.append(f"{label} {dmy(on)}")
    if item.expires_on is not None:
        steps.append(f"{'expired' if item.ended_on else 'expires'} {dmy(item.expires_on)}")
    lines.append(f"Status: {item.status} ({', '.join(steps)}).")
    lines.append(f"Covers: {subjects_text(item.subjects)}.")
    if item.room_note:
        lines.append(f"Room needs: {item.room_note}")
    gaps = evidence_gaps(item.evidence_by_subject)
    if gaps and item.live:
        lines.append(f"No normal-way-of-working evidence yet in: {', '.join(gaps)}.")
    needs_scores = arrangement.needs_scores if arrangement else False
    verdict = verdict_lines(item.verdict, needs_scores)
    if verdict:
        lines += ["", "Criteria check:", bullets(verdict)]
    if assessment is not None:
        lines += ["", f"Assessment: {dmy(assessment.assessed_on)} by {assessment.assessor_name}."]
        if assessment.problems:
            lines += ["Problems with the assessment:", bullets(assessment.problems)]
    if item.notes:
        lines += ["", f"Notes: {item.notes}"]
    return "\n".join(lines)


def _count(things: tuple[str, ...] | list[str], word: str) -> str:
    return f"{len(things)} {word}{'s' if len(things) != 1 else ''}" if things else "None"


ARRANGEMENT_COLUMNS: tuple[ColumnSpec[ArrangementItem], ...] = (
    ColumnSpec("Arrangement", lambda a: a.name, tooltip=lambda a: jcq.route_label(a.arrangement)),
    ColumnSpec("Status", lambda a: status_text(a.status)),
    ColumnSpec("Who approves", lambda a: a.route_label),
    ColumnSpec("Subjects", lambda a: subjects_text(a.subjects)),
    ColumnSpec("Approved", lambda a: dmy(a.approved_on or a.awarding_body_on, "Not yet")),
    ColumnSpec("Expires", lambda a: dmy(a.expires_on, "—")),
    ColumnSpec(
        "Evidence (last used)",
        lambda a: evidence_summary(a.evidence_by_subject),
        tooltip=lambda a: evidence_text(a.evidence_by_subject).replace("; ", "\n"),
    ),
)
NWW_COLUMNS: tuple[ColumnSpec[NwwItem], ...] = (
    ColumnSpec("Date", lambda n: dmy(n.recorded_on)),
    ColumnSpec("Subject", lambda n: n.subject),
    ColumnSpec("Task", task_text),
    ColumnSpec("Used", lambda n: "Yes" if n.used else "No"),
    ColumnSpec(
        "Extra minutes",
        lambda n: "" if n.extra_minutes_used is None else str(n.extra_minutes_used),
        number=True,
    ),
    ColumnSpec("Note", lambda n: n.note, tooltip=lambda n: n.note),
    ColumnSpec("Recorded by", lambda n: n.recorded_by),
)
ASSESSMENT_COLUMNS: tuple[ColumnSpec[AssessmentItem], ...] = (
    ColumnSpec("Assessed", lambda a: dmy(a.assessed_on)),
    ColumnSpec("Assessor", lambda a: a.assessor_name),
    ColumnSpec("Qualification", lambda a: a.assessor_qualification or "None on file"),
    ColumnSpec("Scores", scores_text, tooltip=lambda a: scores_text(a).replace("; ", "\n")),
    ColumnSpec(
        "Problems", lambda a: _count(a.problems, "problem"), tooltip=lambda a: "\n".join(a.problems)
    ),
)
ENTRY_COLUMNS: tuple[ColumnSpec[ExamEntryItem], ...] = (
    ColumnSpec("Subject", lambda e: e.subject),
    ColumnSpec("From", entry_source_text),
)


class AccessTab(RecordTab):
    """A pupil's access arrangements, their evidence and the assessments behind them.

    Raises SendeskError when the actor may not read them (a read-only account).
    ``changed`` is emitted after an arrangement or an assessment is saved or moved on.
    """

    # --- building -------------------------------------------------------------------------

    def build(self) -> None:
        self.editable = self.ctx.may(Action.MANAGE_ACCESS_ARRANGEMENTS)
        self.access = PupilAccess([], [], ())
        self.nww: list[NwwItem] = []
        layout = self.layout_

        arr_box = QGroupBox("Exam access arrangements")
        arr_layout = QVBoxLayout(arr_box)
        self.arrangement_model: RowsModel[ArrangementItem] = RowsModel(ARRANGEMENT_COLUMNS)
        self.table = read_only_view(self.arrangement_model, "Access arrangements")
        share_width(self.table, (3, 6))  # subjects and evidence wrap in the spare width
        self.table.selectionModel().selectionChanged.connect(self._arrangement_chosen)
        arr_layout.addWidget(self.table, 2)
        self.empty_label = note(
            arr_layout,
            "No access arrangements."
            + (" Propose one with Propose arrangement." if self.editable else ""),
        )

        self.propose_button, self.edit_button, self.status_button, self.remove_button = buttons_for(
            self.editable,
            ("&Propose arrangement…", "Propose an access arrangement", self.propose),
            ("&Edit arrangement…", "Edit the selected arrangement", self.edit_arrangement),
            (
                "Change &status…",
                "Change the status of the selected arrangement",
                self.change_status,
            ),
            (
                "&Remove",
                "Remove the selected arrangement, entered by mistake",
                self.remove_arrangement,
                "Remove a proposal entered by mistake (no evidence yet); withdraw anything else",
            ),
        )
        if self.editable:
            button_row(
                arr_layout,
                self.propose_button,
                self.edit_button,
                self.status_button,
                self.remove_button,
            )
            self.table.activated.connect(lambda _index: self.edit_arrangement())

        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("About the selected arrangement")
        self.details.setTabChangesFocus(True)
        arr_layout.addWidget(self.details, 2)
        note(arr_layout, "Teachers' normal-way-of-working evidence for it, newest first:")
        self.nww_model: RowsModel[NwwItem] = RowsModel(NWW_COLUMNS)
        self.nww_table = read_only_view(self.nww_model, "Normal-way-of-working evidence")
        share_width(self.nww_table, (2, 5))  # the task and the note
        arr_layout.addWidget(self.nww_table, 2)
        layout.addWidget(arr_box, 3)

        layout.addWidget(self._entries_box(), 0)

        ass_box = QGroupBox("Specialist assessments (Form 8)")
        ass_layout = QVBoxLayout(ass_box)
        self.assessment_model: RowsModel[AssessmentItem] = RowsModel(ASSESSMENT_COLUMNS)
        self.assessments_table = read_only_view(self.assessment_model, "Assessments")
        # One line per assessment (the scores in full in their tooltip): a pupil rarely
        # has more than two, and the arrangements above need the height more.
        self.assessments_table.setWordWrap(False)
        self.assessments_table.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        self.assessments_table.horizontalHeader().setStretchLastSection(False)
        self.assessments_table.setMaximumHeight(self.fontMetrics().height() * 6)
        self.assessments_table.selectionModel().selectionChanged.connect(self._assessment_chosen)
        ass_layout.addWidget(self.assessments_table, 1)
        self.assessments_empty = QLabel("No assessments recorded.")
        ass_layout.addWidget(self.assessments_empty)
        self.problems_label = sentence_label("Problems with the selected assessment")
        ass_layout.addWidget(self.problems_label)
        # The evidence file is the SENCo's to give an inspector.
        (
            self.record_button,
            self.edit_assessment_button,
            self.remove_assessment_button,
            self.evidence_button,
        ) = buttons_for(
            self.editable,
            ("Record &assessment…", "Record a specialist assessment", self.record_assessment),
            ("Edit assess&ment…", "Edit the selected assessment", self.edit_assessment),
            (
                "Rem&ove assessment",
                "Remove the selected assessment, recorded by mistake",
                self.remove_assessment,
                "Remove an assessment recorded by mistake; the arrangements linked to "
                "it are unlinked. Not while an application resting on it is live.",
            ),
            (
                "Evidence &file (PDF)…",
                "Save the candidate's evidence file as a PDF",
                self.save_evidence_file,
            ),
        )
        if self.editable:
            self.assessments_table.activated.connect(lambda _index: self.edit_assessment())
        button_row(
            ass_layout,
            self.record_button,
            self.edit_assessment_button,
            self.remove_assessment_button,
            right=(self.evidence_button,),
        )
        layout.addWidget(ass_box, 0)

    def _entries_box(self) -> QGroupBox:
        box = QGroupBox("Exam entries (the subjects evidence is needed in)")
        box_layout = QVBoxLayout(box)
        self.entry_model: RowsModel[ExamEntryItem] = RowsModel(ENTRY_COLUMNS)
        self.entries_table = read_only_view(self.entry_model, "Exam entries")
        self.entries_table.setWordWrap(False)
        self.entries_table.setMaximumHeight(self.fontMetrics().height() * 7)
        self.entries_table.selectionModel().selectionChanged.connect(self._entry_chosen)
        box_layout.addWidget(self.entries_table)
        self.entries_empty = note(box_layout, NO_ENTRIES_TEXT)
        self.add_entry_button, self.remove_entry_button = buttons_for(
            self.editable,
            ("Add e&xam entry…", "Add a subject the candidate is entered for", self.add_entry),
            (
                "Remove exam e&ntry",
                "Remove the selected exam entry",
                self.remove_entry,
                "A later class-list import that marks the candidate entered adds an "
                "imported entry back",
            ),
        )
        if self.editable:
            button_row(box_layout, self.add_entry_button, self.remove_entry_button)
        return box

    # --- showing --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the pupil's arrangements and assessments again, keeping the selections."""
        self.access = pupil_access(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)
        arrangements = self.access.arrangements
        assessments = self.access.assessments
        for view, model, rows in (
            (self.table, self.arrangement_model, arrangements),
            (self.assessments_table, self.assessment_model, assessments),
        ):
            view.selectionModel().blockSignals(True)
            show_rows(view, model, rows)
            view.selectionModel().blockSignals(False)
        entries = self.access.exam_entries
        show_rows(self.entries_table, self.entry_model, entries, first=False)
        self.entries_table.clearSelection()
        self.entries_table.setVisible(bool(entries))
        self.entries_empty.setVisible(not entries)
        self._entry_chosen()
        self.table.setVisible(bool(arrangements))
        self.empty_label.setVisible(not arrangements)
        self.assessments_table.setVisible(bool(assessments))
        self.assessments_empty.setVisible(not assessments)
        self._arrangement_chosen()
        self._assessment_chosen()

    def selected_arrangement(self) -> ArrangementItem | None:
        return selected_record(self.table)

    def selected_assessment(self) -> AssessmentItem | None:
        return selected_record(self.assessments_table)

    def assessment(self, assessment_id: int | None) -> AssessmentItem | None:
        return next((a for a in self.access.assessments if a.id == assessment_id), None)

    def select_arrangement(self, arrangement_id: int) -> None:
        show_rows(
            self.table, self.arrangement_model, self.access.arrangements, select=arrangement_id
        )

    def _arrangement_chosen(self) -> None:
        item = self.selected_arrangement()
        if item is None:
            self.details.setPlainText(
                "Choose an arrangement to see its evidence." if self.access.arrangements else ""
            )
            self.nww = []
        else:
            self.details.setPlainText(details_text(item, self.assessment(item.assessment_id)))
            try:
                self.nww = list_nww(self.ctx.db, self.ctx.actor, item.id)
            except SendeskError as exc:
                self.nww = []
                self.details.appendPlainText(f"\n{exc}")
        show_rows(self.nww_table, self.nww_model, self.nww, first=False)
        self.nww_table.clearSelection()
        if self.edit_button is not None and self.status_button is not None:
            self.edit_button.setEnabled(item is not None)
            self.status_button.setEnabled(item is not None and bool(item.next_statuses))
        if self.remove_button is not None:
            self.remove_button.setEnabled(
                item is not None and item.status == jcq.PROPOSED and not self.nww
            )

    def selected_entry(self) -> ExamEntryItem | None:
        return selected_record(self.entries_table)

    def _entry_chosen(self) -> None:
        if self.remove_entry_button is not None:
            self.remove_entry_button.setEnabled(self.selected_entry() is not None)

    def _assessment_chosen(self) -> None:
        item = self.selected_assessment()
        if item is None or not item.problems:
            self.problems_label.setText(
                "" if item is None else "No problems with this assessment's dates or paperwork."
            )
        else:
            self.problems_label.setText("Problems with this assessment:\n" + bullets(item.problems))
        if self.edit_assessment_button is not None:
            self.edit_assessment_button.setEnabled(item is not None)
        if self.remove_assessment_button is not None:
            self.remove_assessment_button.setEnabled(item is not None)

    # --- actions --------------------------------------------------------------------------

    def _saved(self, select: int | None = None) -> None:
        self.changed.emit()
        self.reload()
        if select is not None:
            self.select_arrangement(select)

    def _run(self, dialog: QDialog, select: Callable[[], int | None] = lambda: None) -> None:
        """Run a dialog that saves through a service: saved, tell the pupil window and
        read again choosing ``select()``; cancelled, read again (it may have refused a
        change made meanwhile)."""
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(select())
        else:
            self.reload()

    def arrangement_dialog(self, item: ArrangementItem | None) -> ArrangementDialog:
        """The propose/edit dialog (not shown; :meth:`propose` and tests run it)."""
        return ArrangementDialog(self.ctx, self.pupil_id, self.access, item, self, today=self.today)

    def propose(self) -> None:
        if not self.editable:
            return
        dialog = self.arrangement_dialog(None)
        self._run(dialog, lambda: dialog.arrangement_id)

    def edit_arrangement(self) -> None:
        item = self.selected_arrangement()
        if item is None or not self.editable:
            return
        self._run(self.arrangement_dialog(item), lambda: item.id)

    def status_dialog(self, item: ArrangementItem, status: str | None = None) -> StatusDialog:
        return StatusDialog(self.ctx, item, self, status=status, today=self.today)

    def change_status(self) -> None:
        item = self.selected_arrangement()
        if item is None or not self.editable:
            return
        if not item.next_statuses:
            QMessageBox.information(self, APP, f"{item.name} is {item.status}: it cannot move on.")
            return
        self._run(self.status_dialog(item), lambda: item.id)

    def remove_arrangement(self) -> bool:
        """Remove a proposal entered by mistake, after asking; True when removed."""
        item = self.selected_arrangement()
        if item is None or not self.editable:
            return False
        return self.change(
            lambda: remove_arrangement(self.ctx.db, self.ctx.actor, item.id, item.version),
            f"Remove the proposal for {item.name}? Use this only for one entered by "
            "mistake: an arrangement that was considered is withdrawn instead, so an "
            "inspector can see its history.",
        )

    def add_entry(self, subject: str | None = None) -> bool:
        """Add an exam entry by hand (asking for the subject, offering the classes the
        candidate is taught and not yet entered for); True when added."""
        if not self.editable:
            return False
        if subject is None:
            entered = {e.subject.casefold() for e in self.access.exam_entries}
            offered = [x for x in self.access.subjects_taught if x.casefold() not in entered]
            subject, ok = QInputDialog.getItem(
                self,
                f"Add exam entry — {APP}",
                "Subject the candidate is entered for:",
                offered,
                0,
                True,
            )
            if not ok:
                return False
        try:
            add_exam_entry(self.ctx.db, self.ctx.actor, self.pupil_id, subject)
        except SendeskError as exc:
            warn(self, exc)
            return False
        self._saved()
        return True

    def remove_entry(self) -> bool:
        """Remove the selected exam entry, after asking; True when removed."""
        entry = self.selected_entry()
        if entry is None or not self.editable:
            return False
        return self.change(
            lambda: remove_exam_entry(self.ctx.db, self.ctx.actor, entry.id),
            f"Remove the exam entry for {entry.subject}? Evidence will no longer be asked for "
            "in it.",
        )

    def _record(self) -> PupilRecord | None:
        try:
            return get_record(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError:
            return None

    def _date_of_birth(self) -> date | None:
        record = self._record()
        return record.dob if record is not None else None

    def assessment_dialog(self, item: AssessmentItem | None) -> AssessmentDialog:
        chosen = self.selected_arrangement()
        return AssessmentDialog(
            self.ctx,
            self.pupil_id,
            item,
            self,
            check_arrangement=chosen.arrangement if chosen else None,
            date_of_birth=self._date_of_birth(),
            today=self.today,
        )

    def record_assessment(self) -> None:
        if not self.editable:
            return
        self._run(self.assessment_dialog(None))

    def edit_assessment(self) -> None:
        item = self.selected_assessment()
        if item is None or not self.editable:
            return
        self._run(self.assessment_dialog(item))

    def remove_assessment(self) -> bool:
        """Remove an assessment recorded by mistake, after asking; True when removed."""
        item = self.selected_assessment()
        if item is None or not self.editable:
            return False
        linked = [a.name for a in self.access.arrangements if a.assessment_id == item.id]
        if linked:
            rests = (
                f" {', '.join(linked)} {'rests' if len(linked) == 1 else 'rest'} on it and "
                f"will no longer be linked to an assessment."
            )
        else:
            rests = " No arrangement rests on it."
        return self.change(
            lambda: remove_assessment(self.ctx.db, self.ctx.actor, item.id, item.version),
            f"Remove the assessment of {dmy(item.assessed_on)} by {item.assessor_name}, with "
            f"its scores? Use this only for one recorded by mistake.{rests}",
        )

    def save_evidence_file(self) -> Path | None:
        """The candidate's evidence file for an inspector, as a PDF where the user chooses."""
        from sendesk.reports.access_evidence import evidence_file_for

        record = self._record()
        suggested = f"access-arrangements-{record.upn if record else 'evidence'}.pdf"
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Evidence file — {APP}", suggested, "PDF (*.pdf)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(f"{path.name}.pdf")
        try:
            written = evidence_file_for(
                self.ctx.db, self.ctx.actor, self.pupil_id, path, today=self.today
            )
        except (SendeskError, OSError) as exc:
            text = (
                str(exc)
                if isinstance(exc, SendeskError)
                else (f"The evidence file could not be written: {exc.strerror or exc}.")
            )
            QMessageBox.warning(self, APP, text)
            return None
        QMessageBox.information(self, APP, f"Saved the evidence file to {written}.")
        return written


__all__ = ["AccessTab", "details_text", "entry_source_text", "scores_text", "task_text"]
