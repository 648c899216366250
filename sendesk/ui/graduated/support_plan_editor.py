"""Writing a support plan (one assess–plan–do–review cycle) and recording its review.

Why these dialogs look as they do:

- The plan rules (:mod:`sendesk.rules.support_plans`) are checked as the SENCo types, in
  the same sentences the service would use, and shown under the form; OK is offered only
  for a plan the service will accept (the service checks again anyway). A refusal from
  the service (someone else's save, a rule that needs the database) is shown and the
  dialog stays open with everything typed, except after a conflict, when it closes so the
  tab can show what is stored now.
- Outcomes are rows of their own — the words, the area of need each serves and a Remove
  button — so removing one is never "the selected row, wherever that is". Two to five:
  Add stops at five, Remove at two. A reviewed plan's outcomes may be reworded but not
  added or removed (each keeps its judgement).
- Nothing typed is lost silently: Ctrl+S saves, and Esc, Cancel or closing the window with
  changes asks Save / Discard / Cancel.
- Layouts only, palette colours only, an accessible name on every input (numbered rows
  say which outcome they belong to), and the form scrolls rather than squashes at 200%.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendesk.rules.dates import dmy
from sendesk.rules.support_plans import (
    AREAS,
    DESCRIPTION_MAX,
    MAX_OUTCOMES,
    MIN_OUTCOMES,
    MINUTES_PER_WEEK_MAX,
    OUTCOME_TEXT_MAX,
    PROVISION_KINDS,
    RESULTS,
    OutcomeDraft,
    PlanDraft,
    ProvisionDraft,
    ReviewDraft,
    default_review_due,
    plan_problems,
    review_problems,
)
from sendesk.services.graduated.support_plans import (
    PlanDetail,
    create_plan,
    intervention_choices,
    plan_warnings,
    review_plan,
    update_plan,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, button_row
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.forms import bold, form_row, note, scrolling, text_box
from sendesk.ui.kit.guarded_dialog import GuardedDialog
from sendesk.ui.ops import Changes

MAX_PROVISIONS = 20  # a plan with more is a list of everything, not a plan


# --- the plan editor ----------------------------------------------------------------------------


class _GridRow(Protocol):
    def widgets(self) -> tuple[QWidget, ...]: ...


RowT = TypeVar("RowT", bound=_GridRow)


def headed_grid(
    grid: QGridLayout, headers: tuple[str, ...], stretch: dict[int, int]
) -> QGridLayout:
    """``grid`` with a bold header row, its columns stretched by ``stretch`` (column to
    factor)."""
    for column, text in enumerate(headers):
        grid.addWidget(bold(text), 0, column)
    for column, factor in stretch.items():
        grid.setColumnStretch(column, factor)
    return grid


class _RowGrid(Generic[RowT]):
    """Rows of widgets (outcomes, provision) in a grid under a bold header row (its
    columns stretched by ``stretch``, column to factor): laid out in order, each row's
    widgets named with its number by ``name`` (row, number)."""

    def __init__(
        self,
        headers: tuple[str, ...],
        stretch: dict[int, int],
        name: Callable[[RowT, int], None],
    ) -> None:
        self.grid = headed_grid(QGridLayout(), headers, stretch)
        self.name = name
        self.rows: list[RowT] = []

    def lay_out(self) -> None:
        """Put the rows back in order, numbered in their accessible names."""
        for row in self.rows:
            for widget in row.widgets():
                self.grid.removeWidget(widget)
        for i, row in enumerate(self.rows, start=1):
            self.name(row, i)
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, i, column)
                widget.show()  # now, not later: the dialog's size must count it

    def remove(self, row: RowT) -> RowT | None:
        """Take ``row`` out; the row now in its place (or the last), to move the focus to."""
        index = self.rows.index(row)
        self.rows.remove(row)
        for widget in row.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.lay_out()
        return self.rows[min(index, len(self.rows) - 1)] if self.rows else None


@dataclass
class OutcomeRow:
    """The widgets of one outcome: its words, its area, its Remove button."""

    id: int | None
    text: QLineEdit
    area: QComboBox
    remove: QPushButton

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.text, self.area, self.remove)

    def draft(self) -> OutcomeDraft:
        return OutcomeDraft(self.text.text(), str(self.area.currentData() or ""), self.id)


@dataclass
class ProvisionRow:
    """The widgets of one piece of provision."""

    kind: QComboBox
    description: QLineEdit
    intervention: QComboBox
    minutes: QSpinBox
    remove: QPushButton

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.kind, self.description, self.intervention, self.minutes, self.remove)

    def draft(self) -> ProvisionDraft:
        kind = str(self.kind.currentData() or "")
        chosen = self.intervention.currentData()
        return ProvisionDraft(
            kind,
            self.description.text(),
            self.minutes.value() or None,
            int(chosen) if chosen is not None and kind == "intervention" else None,
        )


def _choose(combo: QComboBox, value: object, shown: str) -> None:
    """Choose ``value`` in ``combo``, adding it (as ``shown``) when it is no longer offered:
    a stored plan shows what it says."""
    found = combo.findData(value)
    if found < 0:
        combo.addItem(shown, value)
        found = combo.count() - 1
    combo.setCurrentIndex(found)


def _name_outcome(row: OutcomeRow, i: int) -> None:
    row.text.setAccessibleName(f"Outcome {i}")
    row.area.setAccessibleName(f"Area of need for outcome {i}")
    row.remove.setAccessibleName(f"Remove outcome {i}")


def _name_provision(row: ProvisionRow, i: int) -> None:
    row.kind.setAccessibleName(f"Kind of provision {i}")
    row.description.setAccessibleName(f"Description of provision {i}")
    row.intervention.setAccessibleName(f"Catalogue intervention for provision {i}")
    row.minutes.setAccessibleName(f"Minutes a week for provision {i}")
    row.remove.setAccessibleName(f"Remove provision {i}")


class SupportPlanEditor(GuardedDialog):
    """A new cycle (``plan`` None, starting from ``draft``) or an edit of ``plan``.

    On OK it calls :func:`create_plan` or :func:`update_plan`; ``plan_id`` then names the
    saved plan. ``not_before`` is the last cycle's review date (a new cycle cannot start
    before it); ``note`` is a sentence shown at the top (e.g. what was carried over).
    """

    what = "changes to this support plan"

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        plan: PlanDetail | None = None,
        draft: PlanDraft | None = None,
        parent: QWidget | None = None,
        *,
        not_before: date | None = None,
        note: str = "",
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.PUPIL | Changes.DUE)
        self.ctx, self.pupil_id, self.plan = ctx, pupil_id, plan
        self.not_before = not_before
        self.plan_id: int | None = plan.id if plan is not None else None
        self.stored.connect(self._remember)
        self.reviewed = plan is not None and plan.is_reviewed
        today = today or date.today()
        if plan is not None:
            start = plan.draft()
        elif draft is not None:
            start = draft
        else:
            start = PlanDraft(today, default_review_due(today))
        self.interventions = intervention_choices(ctx.db, ctx.actor)
        title = (
            f"Support plan, cycle {plan.cycle}" if plan is not None else "New support plan cycle"
        )
        self.setWindowTitle(f"{title} — {APP}")

        layout = QVBoxLayout(self)
        notes = [note] if note else []
        if self.reviewed:
            notes.append(
                "This plan has been reviewed: its outcomes can be reworded but not added or "
                "removed, so each keeps its judgement."
            )
        self.note_label = QLabel(" ".join(notes))
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(bool(notes))
        layout.addWidget(self.note_label)

        content = QWidget()
        body = QVBoxLayout(content)
        layout.addWidget(scrolling(content), 1)

        form = QFormLayout()
        body.addLayout(form)
        self.start_edit = date_edit("Start date", start.start_date)
        form_row(form, "&Start date:", self.start_edit)
        self.review_due_edit = date_edit("Review due", start.review_due)
        form_row(form, "Re&view due:", self.review_due_edit)
        # A warning, not a refusal: a review more than a term away (CoP 6.65, termly).
        self.rhythm_label = QLabel()
        self.rhythm_label.setWordWrap(True)
        self.rhythm_label.setAccessibleName("Warning about the review date")
        self.rhythm_label.setVisible(False)
        form.addRow("", self.rhythm_label)
        self.assessment_edit = text_box("Assessment that started this cycle", 3)
        self.assessment_edit.setPlainText(start.assessment)
        self.assessment_edit.setPlaceholderText(
            "For example: Salford reading age 7y2m; class teacher's concern about spelling"
        )
        form_row(form, "&Assessment:", self.assessment_edit)

        outcomes = QGroupBox(
            f"Outcomes ({MIN_OUTCOMES} to {MAX_OUTCOMES}, each specific and measurable)"
        )
        box = QVBoxLayout(outcomes)
        self.outcomes = _RowGrid[OutcomeRow](
            ("Outcome", "Area of need"), {0: 3, 1: 1}, _name_outcome
        )
        self.outcome_grid, self.outcome_rows = self.outcomes.grid, self.outcomes.rows
        box.addLayout(self.outcome_grid)
        self.add_outcome_button = action_button(
            "Add &outcome", "Add outcome", lambda: self.add_outcome(focus=True)
        )
        button_row(box, self.add_outcome_button)
        body.addWidget(outcomes)

        provision = QGroupBox("Provision planned")
        box = QVBoxLayout(provision)
        self.provisions = _RowGrid[ProvisionRow](
            ("Kind", "Description", "From the catalogue", "Minutes a week"),
            {1: 3, 2: 1},
            _name_provision,
        )
        self.provision_grid, self.provision_rows = self.provisions.grid, self.provisions.rows
        box.addLayout(self.provision_grid)
        self.no_provision_label = QLabel("No provision planned yet.")
        box.addWidget(self.no_provision_label)
        self.add_provision_button = action_button(
            "Add &provision", "Add provision", lambda: self.add_provision(focus=True)
        )
        button_row(box, self.add_provision_button)
        body.addWidget(provision)

        views = QFormLayout()
        body.addLayout(views)
        self.pupil_views_edit = text_box("The pupil's views", 3)
        self.pupil_views_edit.setPlainText(start.pupil_views)
        self.pupil_views_edit.setPlaceholderText("In the pupil's own words, where possible")
        form_row(views, "P&upil's views:", self.pupil_views_edit)
        self.parent_views_edit = text_box("The parents' views", 3)
        self.parent_views_edit.setPlainText(start.parent_views)
        form_row(views, "Pa&rents' views:", self.parent_views_edit)
        body.addStretch(1)

        for outcome in start.outcomes:
            self.add_outcome(outcome)
        while len(self.outcome_rows) < MIN_OUTCOMES and not self.reviewed:
            self.add_outcome()
        for item in start.provisions:
            self.add_provision(item)

        for edit in (self.start_edit, self.review_due_edit):
            edit.dateChanged.connect(self.revalidate)
        for text in (self.assessment_edit, self.pupil_views_edit, self.parent_views_edit):
            text.textChanged.connect(self.revalidate)
        self._finish_building(layout, "&Save plan")
        self.start_edit.setFocus()

    # --- outcome rows -----------------------------------------------------------------------

    def add_outcome(self, outcome: OutcomeDraft | None = None, *, focus: bool = False) -> None:
        if len(self.outcome_rows) >= MAX_OUTCOMES:
            return
        text = QLineEdit(outcome.text if outcome else "")
        text.setMaxLength(OUTCOME_TEXT_MAX)
        text.setPlaceholderText("What the pupil will do, by when, measured how")
        area = QComboBox()
        area.addItem("Choose an area…", "")
        for name in AREAS:
            area.addItem(name, name)
        if outcome is not None and outcome.area:
            # a stored area no longer offered: show it, the rules will say
            _choose(area, outcome.area, outcome.area)
        remove = QPushButton("Remove")
        row = OutcomeRow(outcome.id if outcome else None, text, area, remove)
        remove.clicked.connect(lambda: self.remove_outcome(row))
        text.textChanged.connect(self.revalidate)
        area.currentIndexChanged.connect(self.revalidate)
        self.outcome_rows.append(row)
        self._lay_out_outcomes()
        self._added(text if focus else None)

    def remove_outcome(self, row: OutcomeRow) -> None:
        if len(self.outcome_rows) <= MIN_OUTCOMES or self.reviewed:
            return
        next_row = self.outcomes.remove(row)
        self._lay_out_outcomes()
        if next_row is not None:
            next_row.text.setFocus()
        self.revalidate()

    def _lay_out_outcomes(self) -> None:
        self.outcomes.lay_out()
        fixed = self.reviewed
        for row in self.outcome_rows:
            row.remove.setEnabled(not fixed and len(self.outcome_rows) > MIN_OUTCOMES)
        self.add_outcome_button.setEnabled(not fixed and len(self.outcome_rows) < MAX_OUTCOMES)

    # --- provision rows ---------------------------------------------------------------------

    def add_provision(self, item: ProvisionDraft | None = None, *, focus: bool = False) -> None:
        if len(self.provision_rows) >= MAX_PROVISIONS:
            return
        kind = QComboBox()
        kind.addItem("Choose a kind…", "")
        for key, label in PROVISION_KINDS.items():
            kind.addItem(label, key)
        description = QLineEdit(item.description if item else "")
        description.setMaxLength(DESCRIPTION_MAX)
        intervention = QComboBox()
        intervention.addItem("Not from the catalogue", None)
        for iid, name in self.interventions:
            intervention.addItem(name, iid)
        minutes = QSpinBox()
        minutes.setRange(0, MINUTES_PER_WEEK_MAX)
        minutes.setSpecialValueText("Not set")
        minutes.setSuffix(" min")
        remove = QPushButton("Remove")
        row = ProvisionRow(kind, description, intervention, minutes, remove)
        if item is not None:
            kind.setCurrentIndex(max(kind.findData(item.kind), 0))
            if item.intervention_id is not None:
                # retired from the catalogue since: still name it
                iid = item.intervention_id
                _choose(intervention, iid, f"Intervention {iid}")
            minutes.setValue(item.minutes_per_week or 0)
        remove.clicked.connect(lambda: self.remove_provision(row))
        kind.currentIndexChanged.connect(lambda: self._kind_changed(row))
        intervention.currentIndexChanged.connect(lambda: self._intervention_chosen(row))
        description.textChanged.connect(self.revalidate)
        minutes.valueChanged.connect(self.revalidate)
        self.provision_rows.append(row)
        self._kind_changed(row, check=False)
        self._lay_out_provisions()
        self._added(kind if focus else None)

    def _added(self, focus: QWidget | None) -> None:
        """After a row is added: focus its first field if asked, and once the dialog is
        built, check the plan again and grow to show the row."""
        if focus is not None:
            focus.setFocus()
        if hasattr(self, "problems_label"):
            self.revalidate()
            self._fit()

    def remove_provision(self, row: ProvisionRow) -> None:
        next_row = self.provisions.remove(row)
        self._lay_out_provisions()
        if next_row is not None:
            next_row.kind.setFocus()
        else:
            self.add_provision_button.setFocus()
        self.revalidate()

    def _kind_changed(self, row: ProvisionRow, *, check: bool = True) -> None:
        """Only an intervention may come from the catalogue."""
        is_intervention = row.kind.currentData() == "intervention"
        row.intervention.setEnabled(is_intervention and bool(self.interventions))
        if check:
            self.revalidate()

    def _intervention_chosen(self, row: ProvisionRow) -> None:
        """Choosing a catalogue intervention names it, unless a description is typed."""
        if row.intervention.currentData() is not None and not row.description.text().strip():
            row.description.setText(row.intervention.currentText())
        self.revalidate()

    def _lay_out_provisions(self) -> None:
        self.provisions.lay_out()
        self.no_provision_label.setVisible(not self.provision_rows)
        self.add_provision_button.setEnabled(len(self.provision_rows) < MAX_PROVISIONS)

    # --- state --------------------------------------------------------------------------------

    def draft(self) -> PlanDraft:
        """The plan as it stands on screen."""
        return PlanDraft(
            start_date=from_qdate(self.start_edit.date()),
            review_due=from_qdate(self.review_due_edit.date()),
            assessment=self.assessment_edit.toPlainText(),
            outcomes=tuple(row.draft() for row in self.outcome_rows),
            provisions=tuple(row.draft() for row in self.provision_rows),
            pupil_views=self.pupil_views_edit.toPlainText(),
            parent_views=self.parent_views_edit.toPlainText(),
        )

    def state(self) -> PlanDraft:
        return self.draft()

    def problems(self) -> list[str]:
        return plan_problems(self.draft(), not_before=self.not_before)

    def revalidate(self) -> None:
        """Problems (which stop OK) and warnings (which only inform), as the SENCo types."""
        super().revalidate()
        found = plan_warnings(self.draft())
        self.rhythm_label.setText(" ".join(f"Warning: {w}" for w in found))
        self.rhythm_label.setVisible(bool(found))

    def saving(self) -> Callable[[], object] | None:
        db, actor, plan, draft = self.ctx.db, self.ctx.actor, self.plan, self.draft()
        if plan is None:
            pupil_id = self.pupil_id
            return lambda: create_plan(db, actor, pupil_id, draft)
        if self.is_dirty:
            return lambda: update_plan(db, actor, plan.id, plan.version, draft)
        return None

    def _remember(self, result: object) -> None:
        if self.plan is None and isinstance(result, int):
            self.plan_id = result


# --- the review ----------------------------------------------------------------------------------


@dataclass
class ResultRow:
    """How one outcome went: the judgement and a comment."""

    outcome_id: int
    result: QComboBox
    comment: QLineEdit


class PlanReviewDialog(GuardedDialog):
    """The review of ``plan``: each outcome achieved / partly / not, a summary, next steps.

    A reviewed plan opens with its review filled in, to correct it. On OK it calls
    :func:`review_plan`.
    """

    what = "review"

    def __init__(
        self,
        ctx: AppContext,
        plan: PlanDetail,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.PUPIL | Changes.DUE)
        self.ctx, self.plan = ctx, plan
        self.today = today or date.today()
        self.setWindowTitle(f"Review of support plan cycle {plan.cycle} — {APP}")
        layout = QVBoxLayout(self)
        note(
            layout,
            f"Cycle {plan.cycle} began {dmy(plan.start_date)}; its review was due "
            f"{dmy(plan.review_due)}. Say how each outcome went and what changes next: "
            "outcomes partly or not achieved are offered again in the next cycle.",
        )
        content = QWidget()
        body = QVBoxLayout(content)
        layout.addWidget(scrolling(content), 1)

        form = QFormLayout()
        body.addLayout(form)
        default = plan.reviewed_on or min(self.today, max(plan.start_date, plan.review_due))
        self.date_edit = date_edit("Date of the review", default)
        self.date_edit.setMinimumDate(to_qdate(plan.start_date))
        self.date_edit.setMaximumDate(to_qdate(max(self.today, plan.start_date)))
        form_row(form, "&Date of the review:", self.date_edit)

        outcomes = QGroupBox("How each outcome went")
        grid = headed_grid(QGridLayout(outcomes), ("Outcome", "Result", "Comment"), {0: 3, 2: 2})
        self.result_rows: list[ResultRow] = []
        for i, outcome in enumerate(plan.outcomes, start=1):
            words = QLabel(f"{i}. {outcome.text} ({outcome.area})")
            words.setWordWrap(True)
            words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            result = QComboBox()
            result.setAccessibleName(f"Result of outcome {i}")
            result.setAccessibleDescription(outcome.text)
            result.addItem("Choose…", "")
            for key, label in RESULTS.items():
                result.addItem(label, key)
            result.setCurrentIndex(max(result.findData(outcome.result or ""), 0))
            comment = QLineEdit(outcome.review_comment)
            comment.setAccessibleName(f"Comment on outcome {i}")
            words.setBuddy(result)
            result.currentIndexChanged.connect(self.revalidate)
            comment.textChanged.connect(self.revalidate)
            grid.addWidget(words, i, 0)
            grid.addWidget(result, i, 1)
            grid.addWidget(comment, i, 2)
            self.result_rows.append(ResultRow(outcome.id, result, comment))
        body.addWidget(outcomes)

        texts = QFormLayout()
        body.addLayout(texts)
        self.summary_edit = text_box("Review summary", 3)
        self.summary_edit.setPlainText(plan.review_summary)
        form_row(texts, "Review s&ummary:", self.summary_edit)
        self.next_steps_edit = text_box("What changes next", 3)
        self.next_steps_edit.setPlainText(plan.next_steps)
        self.next_steps_edit.setPlaceholderText(
            "For example: continue the reading group; add a help card in maths"
        )
        form_row(texts, "What changes &next:", self.next_steps_edit)
        body.addStretch(1)

        self.date_edit.dateChanged.connect(self.revalidate)
        self.summary_edit.textChanged.connect(self.revalidate)
        self.next_steps_edit.textChanged.connect(self.revalidate)
        self._finish_building(layout, "&Save review")
        self.date_edit.setFocus()

    def review(self) -> ReviewDraft:
        return ReviewDraft(
            reviewed_on=from_qdate(self.date_edit.date()),
            results={r.outcome_id: str(r.result.currentData() or "") for r in self.result_rows},
            comments={r.outcome_id: r.comment.text() for r in self.result_rows},
            review_summary=self.summary_edit.toPlainText(),
            next_steps=self.next_steps_edit.toPlainText(),
        )

    def state(self) -> tuple[Any, ...]:
        r = self.review()
        return (r.reviewed_on, dict(r.results), dict(r.comments), r.review_summary, r.next_steps)

    def problems(self) -> list[str]:
        ids = [o.id for o in self.plan.outcomes]
        return review_problems(self.review(), ids, self.plan.start_date, self.today)

    def saving(self) -> Callable[[], object] | None:
        db, actor, plan, today, r = (
            self.ctx.db,
            self.ctx.actor,
            self.plan,
            self.today,
            self.review(),
        )
        return lambda: review_plan(
            db,
            actor,
            plan.id,
            plan.version,
            r.reviewed_on,
            dict(r.results),
            dict(r.comments),
            r.review_summary,
            r.next_steps,
            today=today,
        )


__all__ = [
    "PlanReviewDialog",
    "SupportPlanEditor",
]
