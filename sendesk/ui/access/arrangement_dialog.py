"""Proposing or correcting an access arrangement, and moving it along its statuses.

Why it is built this way: choosing an arrangement from the JCQ list is where mistakes
start — an arrangement that needs an online application treated as delegated, 25% extra
time proposed with scores that do not qualify. So the dialog says, as soon as an
arrangement is chosen, who approves it and what evidence it needs, offers only the
evidence routes JCQ accepts for it, and shows the criteria verdict for the linked
assessment in words before anything is saved. A status is a dated step, never a field
edit (:class:`StatusDialog`): only the moves :func:`sendesk.rules.jcq.next_statuses`
allows are offered, the date says what it sets (the approval date sets the expiry), and
withdrawing asks first. The services check all of it again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.rules import jcq
from sendesk.rules.dates import dmy
from sendesk.services.access.arrangement_edits import (
    propose_arrangement,
    set_arrangement_status,
    update_arrangement,
)
from sendesk.services.access.records import (
    APPROVAL_MONTHS_SETTING,
    ArrangementData,
    ArrangementItem,
    AssessmentItem,
    PupilAccess,
)
from sendesk.services.school.settings import get_int
from sendesk.ui.access.access_words import (
    bullets,
    evidence_route_text,
    scores_for_check,
    status_text,
    verdict_lines,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, ask
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.field_widgets import choice, line_edit
from sendesk.ui.kit.form_dialog import SavingDialog, store_call
from sendesk.ui.kit.forms import form_row, sentence_label
from sendesk.ui.ops import Changes

ROOM_NOTE_MAX = 200
SUBJECT_MAX = 60


def assessment_text(assessment: AssessmentItem) -> str:
    """ "03/02/2026, Ms A Assessor (4 scores)"."""
    n = len(assessment.scores)
    return (
        f"{dmy(assessment.assessed_on)}, {assessment.assessor_name} "
        f"({n} score{'s' if n != 1 else ''})"
    )


def check_assessment(
    key: str, assessment: AssessmentItem | None, professional: str | None = None
) -> list[str]:
    """The verdict lines for arrangement ``key`` on ``assessment``'s scores, in words.

    25% extra time for another impairment is checked on ``professional`` instead — the
    professional evidence on file (the EHC plan, an agency's document), None for none — so
    the dialog never says it is met on no evidence (AARA 2025–26 ch. 5, §5.2: confirm).
    """
    arrangement = jcq.ARRANGEMENTS.get(key)
    if arrangement is None:
        return []
    if key == "extra_time_25_other":
        return list(jcq.check(key, [], professional_evidence=professional).reasons)
    if assessment is None:
        if arrangement.needs_scores:
            return verdict_lines(None, True)
        return [jcq.check(key, []).reasons[-1]]
    scores, refused = scores_for_check(
        ((s.area, s.score, s.test) for s in assessment.scores), assessment.assessed_on
    )
    return [*verdict_lines(jcq.check(key, scores), arrangement.needs_scores), *refused]


class ArrangementDialog(SavingDialog):
    """Propose an arrangement for a pupil, or correct one; OK saves through the service.

    ``arrangement_id`` holds the saved arrangement's id after OK.
    """

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        access: PupilAccess,
        arrangement: ArrangementItem | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.ACCESS)
        self.ctx, self.pupil_id, self.access, self.item = ctx, pupil_id, access, arrangement
        self.today = today or date.today()
        self.arrangement_id: int | None = arrangement.id if arrangement else None
        if arrangement is None:
            self.stored.connect(lambda new_id: setattr(self, "arrangement_id", new_id))
        self.setWindowTitle(
            ("Edit access arrangement" if arrangement else "Propose an access arrangement")
            + f" — {APP}"
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.kind = choice(
            "Arrangement",
            [(arr.name, arr.key) for arr in jcq.ARRANGEMENTS.values()],
            arrangement.arrangement if arrangement else None,
        )
        form_row(form, "&Arrangement:", self.kind)
        self.route_label = sentence_label("Who approves it")
        form_row(form, "Who approves:", self.route_label)
        self.needs_label = sentence_label("Evidence it needs")
        form_row(form, "Evidence needed:", self.needs_label)

        self.evidence_route = choice("Evidence route", [])
        form_row(form, "&Evidence route:", self.evidence_route)

        self.proposed_on = date_edit("Proposed on", self.today, maximum=self.today)
        form_row(form, "&Proposed on:", self.proposed_on)

        subjects = QWidget()
        subjects_layout = QVBoxLayout(subjects)
        subjects_layout.setContentsMargins(0, 0, 0, 0)
        self.all_subjects = QCheckBox("All s&ubjects (not per subject, e.g. a separate room)")
        self.all_subjects.setAccessibleName("The arrangement covers all subjects")
        subjects_layout.addWidget(self.all_subjects)
        self.subjects = QListWidget()
        self.subjects.setAccessibleName("Subjects or papers it covers")
        self.subjects.setMaximumHeight(self.fontMetrics().height() * 8)
        subjects_layout.addWidget(self.subjects)
        other_row = QHBoxLayout()
        self.other_subject = line_edit(
            "Another subject or paper", SUBJECT_MAX, "Another subject or paper, e.g. Maths Paper 1"
        )
        self.add_subject_button = QPushButton("A&dd subject")
        self.add_subject_button.setAccessibleName("Add the subject or paper typed")
        other_row.addWidget(self.other_subject, 1)
        other_row.addWidget(self.add_subject_button)
        subjects_layout.addLayout(other_row)
        form_row(form, "&Subjects:", subjects, self.all_subjects)

        self.room_note = line_edit(
            "Room needs", ROOM_NOTE_MAX, "e.g. Small room with a reader; near the door"
        )
        form_row(form, "&Room needs:", self.room_note)

        self.assessment = choice(
            "Assessment it rests on",
            [
                ("No assessment linked", None),
                *((assessment_text(a), a.id) for a in access.assessments),
            ],
        )
        form_row(form, "Assess&ment:", self.assessment)
        self.verdict_view = QPlainTextEdit()
        self.verdict_view.setReadOnly(True)
        self.verdict_view.setAccessibleName("Criteria check")
        self.verdict_view.setTabChangesFocus(True)
        self.verdict_view.setMaximumHeight(self.fontMetrics().height() * 8)
        form_row(form, "Criteria check:", self.verdict_view)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("The SENCo's note of the decision, if any")
        self.notes.setMaximumHeight(self.fontMetrics().height() * 5)
        form_row(form, "&Notes:", self.notes)

        self.buttons = self.ok_cancel(layout)

        self._fill_subjects(access.subjects_taught, arrangement.subjects if arrangement else ())
        if arrangement is not None:
            self.proposed_on.setDate(to_qdate(arrangement.proposed_on))
            self.room_note.setText(arrangement.room_note)
            self.notes.setPlainText(arrangement.notes)
            self.assessment.setCurrentIndex(
                max(self.assessment.findData(arrangement.assessment_id), 0)
            )
        elif access.assessments:
            self.assessment.setCurrentIndex(1)  # the newest assessment
        self._kind_changed()
        if arrangement is not None:
            index = self.evidence_route.findData(arrangement.evidence_route)
            if index < 0:  # a route no longer usual for it: keep what was saved
                self.evidence_route.addItem(
                    evidence_route_text(arrangement.evidence_route), arrangement.evidence_route
                )
                index = self.evidence_route.count() - 1
            self.evidence_route.setCurrentIndex(index)
        self.all_subjects.setChecked(arrangement is not None and not arrangement.subjects)
        self._all_toggled(self.all_subjects.isChecked())

        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, self.sizeHint().height())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.assessment.currentIndexChanged.connect(self._update_verdict)
        self.all_subjects.toggled.connect(self._all_toggled)
        self.add_subject_button.clicked.connect(self.add_subject)
        self.other_subject.returnPressed.connect(self.add_subject)

    # --- subjects -------------------------------------------------------------------------

    def _fill_subjects(self, taught: tuple[str, ...], chosen: tuple[str, ...]) -> None:
        for subject in dict.fromkeys([*taught, *chosen]):
            item = QListWidgetItem(subject)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if subject in chosen else Qt.CheckState.Unchecked
            )
            self.subjects.addItem(item)

    def add_subject(self) -> None:
        """Add the typed subject or paper to the list, ticked."""
        text = " ".join(self.other_subject.text().split())
        if not text:
            return
        for row in range(self.subjects.count()):
            item = self.subjects.item(row)
            if item.text().casefold() == text.casefold():
                item.setCheckState(Qt.CheckState.Checked)
                break
        else:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.subjects.addItem(item)
        self.other_subject.clear()
        self.all_subjects.setChecked(False)

    def set_subjects(self, subjects: tuple[str, ...]) -> None:
        """Tick exactly ``subjects`` (adding any not listed); none ticks "All subjects"."""
        self.all_subjects.setChecked(not subjects)
        for row in range(self.subjects.count()):
            item = self.subjects.item(row)
            item.setCheckState(
                Qt.CheckState.Checked if item.text() in subjects else Qt.CheckState.Unchecked
            )
        listed = {self.subjects.item(r).text() for r in range(self.subjects.count())}
        for subject in subjects:
            if subject not in listed:
                self.other_subject.setText(subject)
                self.add_subject()

    def chosen_subjects(self) -> tuple[str, ...]:
        if self.all_subjects.isChecked():
            return ()
        return tuple(
            self.subjects.item(r).text()
            for r in range(self.subjects.count())
            if self.subjects.item(r).checkState() == Qt.CheckState.Checked
        )

    def _all_toggled(self, on: bool) -> None:
        self.subjects.setEnabled(not on)

    # --- arrangement and verdict -----------------------------------------------------------

    @property
    def key(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        arrangement = jcq.ARRANGEMENTS[self.key]
        self.route_label.setText(jcq.route_label(self.key))
        self.needs_label.setText(arrangement.evidence)
        current = self.evidence_route.currentData()
        self.evidence_route.clear()
        for route in arrangement.evidence_routes:
            self.evidence_route.addItem(evidence_route_text(route), route)
        index = self.evidence_route.findData(current)
        self.evidence_route.setCurrentIndex(max(index, 0))
        if not self.room_note.text() and arrangement.room:
            self.room_note.setPlaceholderText(f"Usually: {arrangement.room}")
        self._update_verdict()

    def selected_assessment(self) -> AssessmentItem | None:
        chosen = self.assessment.currentData()
        return next((a for a in self.access.assessments if a.id == chosen), None)

    def _update_verdict(self) -> None:
        lines = check_assessment(
            self.key, self.selected_assessment(), self.access.professional_evidence
        )
        self.verdict_view.setPlainText(bullets(lines))

    # --- saving ---------------------------------------------------------------------------

    def data(self) -> ArrangementData:
        return ArrangementData(
            arrangement=self.key,
            evidence_route=str(self.evidence_route.currentData() or ""),
            proposed_on=from_qdate(self.proposed_on.date()),
            subjects=self.chosen_subjects(),
            room_note=self.room_note.text(),
            notes=self.notes.toPlainText(),
            assessment_id=self.assessment.currentData(),
        )

    def accept(self) -> None:
        """Save through the service; on a refusal say why and keep what was typed."""
        if not self.all_subjects.isChecked() and not self.chosen_subjects():
            QMessageBox.warning(
                self,
                APP,
                "Tick the subjects or papers the arrangement covers, or tick All subjects.",
            )
            return
        call = store_call(
            self.ctx,
            self.data(),
            add=propose_arrangement,
            owner_id=self.pupil_id,
            update=update_arrangement,
            item=self.item,
            today=self.today,
        )
        if call is not None:  # a conflict closes: the tab shows what is stored now
            self.save_with(call)


# --- moving the status along ------------------------------------------------------------------

STEP_WORDS: dict[str, str] = {
    jcq.GATHERING: "Evidence is being gathered from this date.",
    jcq.APPROVED_IN_CENTRE: "Approved in the centre on this date",
    jcq.APPLIED_ONLINE: "Applied for through Access Arrangements Online on this date.",
    jcq.APPROVED_BY_AB: "Approved by the awarding body on this date",
    jcq.EXPIRED: "The approval ran out on this date; the arrangement ends.",
    jcq.WITHDRAWN: "Withdrawn on this date: it no longer applies in any exam.",
}
"""What choosing each status records, as the dialog says it."""

APPROVALS = (jcq.APPROVED_IN_CENTRE, jcq.APPROVED_BY_AB)


class StatusDialog(SavingDialog):
    """Move an arrangement to one of the statuses its route allows next, on a date."""

    def __init__(
        self,
        ctx: AppContext,
        item: ArrangementItem,
        parent: QWidget | None = None,
        *,
        status: str | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.ACCESS)
        self.ctx, self.item = ctx, item
        self.today = today or date.today()
        self.new_version: int | None = None
        self.stored.connect(lambda version: setattr(self, "new_version", version))
        self.setWindowTitle(f"Change the status of {item.name} — {APP}")
        months = get_int(ctx.db, APPROVAL_MONTHS_SETTING, jcq.APPROVAL_MONTHS)
        self.months = months if months >= 1 else jcq.APPROVAL_MONTHS  # as the service reads it

        layout = QVBoxLayout(self)
        layout.addWidget(
            sentence_label(
                "Where it stands",
                f"{item.name}: {item.status} now. {item.route_label}.",
            )
        )
        form = QFormLayout()
        layout.addLayout(form)
        self.status = choice(
            "New status", [(status_text(step), step) for step in item.next_statuses], status
        )
        form_row(form, "New &status:", self.status)
        self.on = date_edit("Date of the change", self.today, maximum=self.today)
        form_row(form, "&On:", self.on)
        self.explain = sentence_label("What the change records")
        layout.addWidget(self.explain)

        self.buttons = self.ok_cancel(layout)
        self.status.currentIndexChanged.connect(self._explain)
        self.on.dateChanged.connect(self._explain)
        self._explain()
        self.resize(self.fontMetrics().horizontalAdvance("M") * 34, self.sizeHint().height())

    @property
    def chosen(self) -> str:
        return str(self.status.currentData() or "")

    def _explain(self) -> None:
        step = self.chosen
        text = STEP_WORDS.get(step, "")
        if step in APPROVALS:
            ends = jcq.expires_on(from_qdate(self.on.date()), self.months)
            text += f"; the approval lasts {self.months} months and expires on {dmy(ends)}."
        self.explain.setText(text)

    def accept(self) -> None:
        step = self.chosen
        if not step:
            self.reject()
            return
        if step == jcq.WITHDRAWN and not ask(
            self,
            f"Withdraw {self.item.name}? It will no longer apply in any exam, and a "
            "withdrawn arrangement cannot be brought back (propose a new one instead).",
        ):
            return
        db, actor, today, item, on = (
            self.ctx.db,
            self.ctx.actor,
            self.today,
            self.item,
            from_qdate(self.on.date()),
        )
        self.save_with(
            lambda: set_arrangement_status(db, actor, item.id, item.version, step, on, today=today)
        )


__all__ = [
    "ArrangementDialog",
    "StatusDialog",
    "assessment_text",
    "check_assessment",
]
