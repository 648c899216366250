"""Recording a specialist assessment (JCQ Form 8): the assessor, the dates and the scores.

Why it is built this way: the SENCo types the scores from the assessor's Form 8 and wants
to know at once whether they support the arrangement applied for — and, if not, why not
(which scores count, which thresholds they miss). So the scores are a small table (area
from the JCQ list, the test's name, the standardised score), and under it the criteria
verdict for a chosen arrangement is worked out again on every keystroke with the same
pure rules the services use (:func:`sendesk.rules.jcq.check`). The paperwork problems an
inspector would find — a test taken before Year 9, Part 1 dated after the assessment, no
assessor qualification on file — are listed live too
(:func:`sendesk.rules.jcq.assessment_problems`). OK saves through the service, which
checks everything again; nothing typed is lost on a refusal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.rules import jcq
from sendesk.services.access.assessments import record_assessment, update_assessment
from sendesk.services.access.records import AssessmentData, AssessmentItem, ScoreData
from sendesk.ui.access.access_words import bullets, scores_for_check, verdict_lines
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, button_row
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.edit_table import EditColumn, EditRowsModel, edit_view
from sendesk.ui.kit.field_widgets import choice, date_row, line_edit
from sendesk.ui.kit.form_dialog import SavingDialog, store_call
from sendesk.ui.kit.forms import form_row, sentence_label
from sendesk.ui.ops import Changes

NAME_MAX = 120
QUALIFICATION_MAX = 200
TEST_MAX = 120
DEFAULT_SCORE = 100
SCORED = tuple(a.key for a in jcq.ARRANGEMENTS.values() if a.needs_scores)
"""Arrangements whose criteria rest on standardised scores: the ones worth checking here."""


def _areas(_score: ScoreData) -> list[tuple[str, str]]:
    return [(area_text(area), area) for area in jcq.AREAS]


SCORE_COLUMNS: tuple[EditColumn[ScoreData], ...] = (
    EditColumn(
        "Area",
        lambda s: s.area,
        lambda s, v: replace(s, area=str(v)),
        lambda n: f"Area of score {n + 1}",
        choices=_areas,  # an area the rules no longer list is shown; the check says so
    ),
    EditColumn(
        "Test",
        lambda s: s.test,
        lambda s, v: replace(s, test=str(v)),
        lambda n: f"Test of score {n + 1}",
        max_length=TEST_MAX,
        placeholder="e.g. DASH 17+ free writing",
    ),
    EditColumn(
        "Score",
        lambda s: s.score,
        lambda s, v: replace(s, score=int(v)),
        lambda n: f"Standardised score {n + 1}",
        spin=(jcq.SCORE_MIN, jcq.SCORE_MAX),
    ),
)


def area_text(area: str) -> str:
    return area[:1].upper() + area[1:]


class AssessmentDialog(SavingDialog):
    """Record a new assessment or correct one; ``assessment_id`` is set after OK.

    ``check_arrangement`` chooses the arrangement the live verdict is for (the SENCo may
    pick another); ``date_of_birth`` lets the Year 9 rule be checked as the date is typed.
    """

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        assessment: AssessmentItem | None = None,
        parent: QWidget | None = None,
        *,
        check_arrangement: str | None = None,
        date_of_birth: date | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.ACCESS)
        self.ctx, self.pupil_id, self.item = ctx, pupil_id, assessment
        self.date_of_birth = date_of_birth
        self.today = today or date.today()
        self.assessment_id: int | None = assessment.id if assessment else None
        self.stored.connect(self._remember)
        self.setWindowTitle(
            ("Edit assessment" if assessment else "Record an assessment (Form 8)") + f" — {APP}"
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.assessor = line_edit("Assessor's name", NAME_MAX)
        form_row(form, "Assessor's &name:", self.assessor)
        self.qualification = line_edit(
            "Assessor's qualification",
            QUALIFICATION_MAX,
            "e.g. Level 7 Certificate in specialist assessment (AMBDA)",
        )
        form_row(form, "&Qualification:", self.qualification)
        self.assessed_on = date_edit("Date of the assessment", self.today)
        form_row(form, "&Assessed on:", self.assessed_on)

        self.pon = date_row(
            form,
            "&Part 1 dated:",
            "Date of Form 8 Part 1 (picture of need)",
            assessment.picture_of_need_on if assessment is not None else self.today,
            self.today,
            "Not &completed yet",
            not_yet_name="Form 8 Part 1 not completed yet",
        )
        self.picture = QPlainTextEdit()
        self.picture.setAccessibleName("Picture of need")
        self.picture.setTabChangesFocus(True)
        self.picture.setPlaceholderText(
            "Form 8 Part 1: the SENCo's picture of need, with teachers' comments"
        )
        self.picture.setMaximumHeight(self.fontMetrics().height() * 6)
        form_row(form, "Picture of &need:", self.picture)

        scores_box = QGroupBox("Scores (standardised, mean 100)")
        scores_layout = QVBoxLayout(scores_box)
        self.score_model: EditRowsModel[ScoreData] = EditRowsModel(SCORE_COLUMNS, self)
        self.scores = edit_view(self.score_model, "Test scores", stretch=1)
        self.score_model.dataChanged.connect(self.update_check)
        scores_layout.addWidget(self.scores)
        self.add_score_button = action_button("Add sc&ore", "Add a score", lambda: self.add_score())
        self.remove_score_button = action_button(
            "Re&move score", "Remove the selected score", self.remove_score
        )
        button_row(scores_layout, self.add_score_button, self.remove_score_button)
        layout.addWidget(scores_box, 1)

        check_box = QGroupBox("What the scores support")
        check_layout = QVBoxLayout(check_box)
        check_row = QHBoxLayout()
        self.check_kind = choice(
            "Arrangement to check the scores against",
            [(jcq.ARRANGEMENTS[key].name, key) for key in SCORED],
            check_arrangement,
        )
        check_label = QLabel("Check a&gainst:")
        check_label.setBuddy(self.check_kind)
        check_row.addWidget(check_label)
        check_row.addWidget(self.check_kind, 1)
        check_layout.addLayout(check_row)
        self.verdict_label = sentence_label("Criteria check")
        check_layout.addWidget(self.verdict_label)
        self.problems_label = sentence_label("Problems with the assessment")
        check_layout.addWidget(self.problems_label)
        layout.addWidget(check_box)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(self.fontMetrics().height() * 4)
        notes_form = QFormLayout()
        notes_label = QLabel("No&tes:")
        notes_label.setBuddy(self.notes)
        notes_form.addRow(notes_label, self.notes)
        layout.addLayout(notes_form)

        self.buttons = self.ok_cancel(layout)

        if assessment is not None:
            self.assessor.setText(assessment.assessor_name)
            self.qualification.setText(assessment.assessor_qualification)
            self.assessed_on.setDate(to_qdate(assessment.assessed_on))
            self.picture.setPlainText(assessment.picture_of_need)
            self.notes.setPlainText(assessment.notes)
            for score in assessment.scores:
                self.add_score(score.area, score.test, score.score)

        for signal in (
            self.check_kind.currentIndexChanged,
            self.assessed_on.dateChanged,
            self.pon.edit.dateChanged,
            self.pon.not_yet.toggled,
            self.qualification.textChanged,
        ):
            signal.connect(self.update_check)
        self.update_check()

    # --- scores ---------------------------------------------------------------------------

    def add_score(self, area: str | None = None, test: str = "", score: int | None = None) -> int:
        """Add a score row (filled in when arguments are given); returns its row."""
        row = self.score_model.add(
            ScoreData(area or jcq.AREAS[0], DEFAULT_SCORE if score is None else score, test)
        )
        self.scores.setCurrentIndex(self.score_model.index(row, 0))
        self.update_check()
        area_editor = self.scores.indexWidget(self.score_model.index(row, 0))
        if area_editor is not None:
            area_editor.setFocus()
        return row

    def remove_score(self) -> None:
        row = self.scores.currentIndex().row()
        if row >= 0:
            self.score_model.remove(row)
            self.update_check()

    def score_data(self) -> tuple[ScoreData, ...]:
        return tuple(replace(s, test=s.test.strip()) for s in self.score_model.rows)

    # --- the live check -------------------------------------------------------------------

    @property
    def picture_of_need_on(self) -> date | None:
        return self.pon.value()

    def update_check(self) -> None:
        """Work the verdict and the paperwork problems out again from what is on screen."""
        key = str(self.check_kind.currentData())
        taken_on = from_qdate(self.assessed_on.date())
        scores, refused = scores_for_check(
            ((s.area, s.score, s.test) for s in self.score_data()), taken_on
        )
        lines = verdict_lines(jcq.check(key, scores), True) + refused
        self.verdict_label.setText(bullets(lines))
        problems = jcq.assessment_problems(
            taken_on=taken_on,
            date_of_birth=self.date_of_birth,
            picture_of_need_on=self.picture_of_need_on,
            assessor_qualification=self.qualification.text(),
            today=self.today,
        )
        if self.date_of_birth is None:  # the service knows the date of birth; we may not
            problems = [p for p in problems if "date of birth" not in p]
        self.problems_label.setText(
            "Problems an inspector would find:\n" + bullets(problems)
            if problems
            else "No problems with the dates or the assessor's qualification."
        )

    # --- saving ---------------------------------------------------------------------------

    def data(self) -> AssessmentData:
        return AssessmentData(
            assessor_name=self.assessor.text(),
            assessor_qualification=self.qualification.text(),
            assessed_on=from_qdate(self.assessed_on.date()),
            picture_of_need_on=self.picture_of_need_on,
            picture_of_need=self.picture.toPlainText(),
            notes=self.notes.toPlainText(),
            scores=self.score_data(),
        )

    def _remember(self, result: object) -> None:
        if self.item is None and isinstance(result, int):
            self.assessment_id = result

    def accept(self) -> None:
        call = store_call(
            self.ctx,
            self.data(),
            add=record_assessment,
            owner_id=self.pupil_id,
            update=update_assessment,
            item=self.item,
            today=self.today,
        )
        if call is not None:
            self.save_with(call)


__all__ = ["SCORED", "AssessmentDialog", "area_text"]
