"""The support plan editor, the review dialog and the Support plans tab, driven as a user."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Role
from sendesk.rules.census import Area
from sendesk.services.actor import Actor
from sendesk.services.graduated.support_plans import (
    CONFLICT,
    OutcomeDraft,
    PlanDraft,
    ProvisionDraft,
    create_plan,
    get_plan,
    list_plans,
    review_plan,
    update_plan,
)
from sendesk.services.register.register import change_status
from sendesk.ui.context import AppContext
from sendesk.ui.graduated.support_plan_editor import PlanReviewDialog, SupportPlanEditor
from sendesk.ui.graduated.support_plans_tab import OPEN_PLAN_REASON, SupportPlansTab
from sendesk.ui.register.status_dialog import to_qdate
from tests.factories import admit_pupil, make_user, works_with
from tests.ui.dialogs import accept, answer_question, wait_for_save
from tests.ui.labels import unlabelled
from tests.ui.screens import context, on_screen
from tests.ui.views import cells, row_count

CL = Area.COGNITION_LEARNING.value
SEMH = Area.SEMH.value
CI = Area.COMMUNICATION_INTERACTION.value
START = date(2025, 9, 8)
DUE = date(2025, 12, 1)
TODAY = date(2026, 1, 15)


@pytest.fixture
def pupil_id(db: Database, senco: Actor) -> int:
    pid = admit_pupil(
        db,
        senco,
        9,
        "Zoë",
        surname="Brontë",
        dob=date(2012, 5, 1),
        upn_year=23,
        admission_date=date(2023, 9, 4),
    )
    change_status(db, senco, pid, "K", ["SPLD"], date(2024, 1, 8), "Dyslexia screen")
    return pid


@pytest.fixture
def ctx(db: Database, senco: Actor) -> AppContext:
    return context(db, senco)


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def first_plan(db: Database, senco: Actor, pupil_id: int) -> int:
    return create_plan(
        db,
        senco,
        pupil_id,
        PlanDraft(
            START,
            DUE,
            "Salford reading age 7y2m",
            (
                OutcomeDraft("Reads 40 common exception words", CL),
                OutcomeDraft("Asks for help when stuck", SEMH),
                OutcomeDraft("Spells 15 of 20 taught words", CL),
            ),
            (ProvisionDraft("intervention", "Phonics group", 90),),
            "I like the group",
            "Happy with the plan",
        ),
    )


@pytest.fixture
def open_editor(qtbot, ctx: AppContext, pupil_id: int) -> Callable[..., SupportPlanEditor]:
    def opener(**kwargs: object) -> SupportPlanEditor:
        kwargs.setdefault("draft", PlanDraft(START, DUE))
        editor = SupportPlanEditor(ctx, pupil_id, today=TODAY, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(editor, before_close_func=_quiet)
        with qtbot.waitActive(editor):  # focus and Ctrl+S reach the active window only
            editor.show()
            editor.activateWindow()
        return editor

    return opener


def _quiet(dialog: QWidget) -> None:
    """Take the current state as saved so teardown never asks a question."""
    if hasattr(dialog, "state"):
        dialog.opened_state = dialog.state()  # type: ignore[attr-defined]


# --- the plan editor ---------------------------------------------------------------------------


def test_fill_a_new_plan_and_save(qtbot, open_editor, db, senco, pupil_id) -> None:
    editor = open_editor()
    assert editor.windowTitle() == "New support plan cycle — SENDesk"
    assert len(editor.outcome_rows) == 2  # two to start with: the fewest a plan may have
    assert not editor.ok_button.isEnabled()
    assert "Outcome 1 has no text." in editor.problems_label.text()

    qtbot.keyClicks(editor.assessment_edit, "Salford reading age 7y2m")
    qtbot.keyClicks(editor.outcome_rows[0].text, "Reads 40 common exception words by Easter")
    choose(editor.outcome_rows[0].area, CL)
    qtbot.keyClicks(editor.outcome_rows[1].text, "Asks for help when stuck, 4 lessons in 5")
    choose(editor.outcome_rows[1].area, SEMH)
    qtbot.mouseClick(editor.add_outcome_button, Qt.MouseButton.LeftButton)
    third = editor.outcome_rows[2]
    qtbot.waitUntil(third.text.hasFocus)
    assert third.text.accessibleName() == "Outcome 3"
    qtbot.keyClicks(third.text, "Takes turns in a paired game")
    choose(third.area, CI)

    qtbot.mouseClick(editor.add_provision_button, Qt.MouseButton.LeftButton)
    provision = editor.provision_rows[0]
    assert not editor.ok_button.isEnabled()  # a provision row with no kind yet
    assert "Provision 1 is of no known kind" in editor.problems_label.text()
    choose(provision.kind, "staff")
    qtbot.keyClicks(provision.description, "TA in English lessons")
    provision.minutes.setValue(120)
    editor.pupil_views_edit.setPlainText("Zoë says: I like reading to Mrs K.")
    editor.parent_views_edit.setPlainText("Mum reads with her at bedtime.")

    assert editor.ok_button.isEnabled(), editor.problems_label.text()
    assert not editor.problems_label.isVisible()
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    wait_for_save(editor)

    assert editor.result() == QDialog.DialogCode.Accepted
    [summary] = list_plans(db, senco, pupil_id)
    assert summary.id == editor.plan_id
    plan = get_plan(db, senco, summary.id)
    assert (plan.start_date, plan.review_due) == (START, DUE)
    assert plan.assessment == "Salford reading age 7y2m"
    assert [(o.text, o.area) for o in plan.outcomes] == [
        ("Reads 40 common exception words by Easter", CL),
        ("Asks for help when stuck, 4 lessons in 5", SEMH),
        ("Takes turns in a paired game", CI),
    ]
    assert [(p.kind, p.description, p.minutes_per_week) for p in plan.provisions] == [
        ("staff", "TA in English lessons", 120)
    ]
    assert plan.pupil_views == "Zoë says: I like reading to Mrs K."
    assert plan.parent_views == "Mum reads with her at bedtime."


def test_invalid_draft_keeps_ok_disabled_with_the_reason(qtbot, open_editor) -> None:
    editor = open_editor(
        draft=PlanDraft(
            START,
            DUE,
            outcomes=(OutcomeDraft("Reads 40 words", CL), OutcomeDraft("Reads 40 words", CL)),
        )
    )
    assert not editor.ok_button.isEnabled()
    assert editor.problems_label.text() == "Outcome 2 repeats outcome 1."
    editor.outcome_rows[1].text.setText("Writes a paragraph")
    assert editor.ok_button.isEnabled()

    editor.review_due_edit.setDate(to_qdate(date(2025, 9, 1)))
    assert not editor.ok_button.isEnabled()
    assert editor.problems_label.isVisible()
    assert editor.problems_label.text() == (
        "The review is due 01/09/2025, which is not after the plan starts (08/09/2025)."
    )
    choose(editor.outcome_rows[0].area, "")
    assert editor.problems_label.text().splitlines() == [
        "The review is due 01/09/2025, which is not after the plan starts (08/09/2025).",
        "Outcome 1 has no area of need.",
    ]
    editor.accept()  # pressing Enter on a disabled OK, or a stray call: refused here too
    assert editor.isVisible() and editor.plan_id is None


def test_a_review_more_than_a_term_away_is_a_warning_not_a_refusal(
    qtbot, open_editor, db, senco, pupil_id
) -> None:
    """CoP 6.65: parents met at least three times a year, so reviews each term."""
    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", SEMH)))
    )
    assert not editor.rhythm_label.isVisible()
    editor.review_due_edit.setDate(to_qdate(START + timedelta(weeks=20)))
    assert editor.rhythm_label.isVisible()
    assert editor.rhythm_label.text() == (
        "Warning: The review is 20 weeks after the plan starts, more than a term (16 weeks): "
        "the Code of Practice (6.65) expects parents to be met at least three times a year, "
        "so a review each term."
    )
    assert editor.ok_button.isEnabled(), editor.problems_label.text()  # warned, not stopped
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    wait_for_save(editor)
    [summary] = list_plans(db, senco, pupil_id)
    assert summary.review_due == START + timedelta(weeks=20)


def test_new_cycle_cannot_start_before_the_last_review(qtbot, open_editor) -> None:
    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", CL))),
        not_before=date(2025, 10, 1),
    )
    assert editor.problems_label.text() == (
        "The plan cannot start before the last cycle's review on 01/10/2025."
    )
    editor.start_edit.setDate(to_qdate(date(2025, 10, 1)))
    assert editor.ok_button.isEnabled()


def test_add_stops_at_five_and_remove_at_two(qtbot, open_editor) -> None:
    editor = open_editor()
    rows = editor.outcome_rows
    assert [r.remove.isEnabled() for r in rows] == [False, False]
    for _ in range(3):
        editor.add_outcome_button.click()
    assert len(rows) == 5 and not editor.add_outcome_button.isEnabled()
    editor.add_outcome()  # and no more, whoever asks
    assert len(rows) == 5
    for i, row in enumerate(rows, start=1):
        row.text.setText(f"Outcome number {i}")
    editor.outcome_rows[1].remove.click()
    assert [r.text.text() for r in rows] == [
        "Outcome number 1",
        "Outcome number 3",
        "Outcome number 4",
        "Outcome number 5",
    ]
    assert [r.text.accessibleName() for r in rows] == [f"Outcome {i}" for i in range(1, 5)]
    assert rows[1].area.accessibleName() == "Area of need for outcome 2"
    assert rows[1].remove.accessibleName() == "Remove outcome 2"
    assert editor.add_outcome_button.isEnabled()
    rows[0].remove.click()
    rows[0].remove.click()
    assert len(rows) == 2 and not any(r.remove.isEnabled() for r in rows)


def test_provision_rows(qtbot, open_editor, db) -> None:
    from sendesk.models import Intervention

    with db.transaction() as s:
        s.add(
            Intervention(
                name="Lexia", area=CL, staff_role="TA", measure="reading age", measure_kind="age"
            )
        )
    editor = open_editor()
    editor.add_provision_button.click()
    row = editor.provision_rows[0]
    assert not row.intervention.isEnabled()
    choose(row.kind, "intervention")
    assert row.intervention.isEnabled()
    row.intervention.setCurrentIndex(1)
    assert row.description.text() == "Lexia"
    assert row.draft().intervention_id is not None
    choose(row.kind, "equipment")
    assert not row.intervention.isEnabled() and row.draft().intervention_id is None
    assert row.minutes.accessibleName() == "Minutes a week for provision 1"
    assert row.minutes.text() == "Not set" and row.draft().minutes_per_week is None
    row.remove.click()
    assert editor.provision_rows == [] and editor.no_provision_label.isVisible()


def test_ctrl_s_saves(qtbot, open_editor, db, senco, pupil_id) -> None:
    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", SEMH)))
    )
    qtbot.keyClick(editor.assessment_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_save(editor)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert [p.id for p in list_plans(db, senco, pupil_id)] == [editor.plan_id]


def test_closing_with_changes_asks(qtbot, open_editor, db, senco, pupil_id, monkeypatch) -> None:
    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", SEMH)))
    )
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    editor.reject()  # closing an untouched editor asks nothing
    assert asked == [] and not editor.isVisible()

    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", SEMH)))
    )
    editor.assessment_edit.setPlainText("Typed something")
    editor.close()
    assert asked == ["Save the changes to this support plan before closing?"]
    assert editor.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert len(asked) == 2 and editor.isVisible()

    answer_question(monkeypatch, QMessageBox.StandardButton.Discard)
    editor.close()
    assert not editor.isVisible() and list_plans(db, senco, pupil_id) == []

    editor = open_editor(
        draft=PlanDraft(START, DUE, outcomes=(OutcomeDraft("a", CL), OutcomeDraft("b", SEMH)))
    )
    editor.assessment_edit.setPlainText("Saved on the way out")
    answer_question(monkeypatch, QMessageBox.StandardButton.Save)
    editor.close()
    wait_for_save(editor)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert get_plan(db, senco, editor.plan_id).assessment == "Saved on the way out"


def test_edit_a_plan(qtbot, open_editor, db, senco, pupil_id) -> None:
    plan = get_plan(db, senco, first_plan(db, senco, pupil_id))
    editor = open_editor(plan=plan, draft=None)
    assert editor.windowTitle() == "Support plan, cycle 1 — SENDesk"
    assert [r.text.text() for r in editor.outcome_rows] == [o.text for o in plan.outcomes]
    assert editor.provision_rows[0].minutes.value() == 90
    editor.outcome_rows[0].text.setText("Reads 50 common exception words")
    editor.outcome_rows[2].remove.click()
    editor.ok_button.click()
    wait_for_save(editor)
    after = get_plan(db, senco, plan.id)
    assert [o.text for o in after.outcomes] == [
        "Reads 50 common exception words",
        "Asks for help when stuck",
    ]
    assert after.outcomes[0].id == plan.outcomes[0].id and after.version > plan.version


def test_someone_else_saving_first_is_told(
    qtbot, open_editor, db, senco, pupil_id, warnings
) -> None:
    plan = get_plan(db, senco, first_plan(db, senco, pupil_id))
    update_plan(
        db, senco, plan.id, plan.version, dataclasses.replace(plan.draft(), assessment="Theirs")
    )
    editor = open_editor(plan=plan, draft=None)
    editor.assessment_edit.setPlainText("Mine")
    editor.ok_button.click()
    wait_for_save(editor)
    assert warnings == [CONFLICT]
    assert editor.result() == QDialog.DialogCode.Rejected and not editor.isVisible()
    assert get_plan(db, senco, plan.id).assessment == "Theirs"


def test_reviewed_plan_outcomes_are_fixed_in_number(qtbot, open_editor, db, senco, pupil_id):
    plan_id = first_plan(db, senco, pupil_id)
    plan = get_plan(db, senco, plan_id)
    review_plan(
        db,
        senco,
        plan_id,
        plan.version,
        DUE,
        {o.id: "partly" for o in plan.outcomes},
        {},
        "",
        "More of the same",
        today=TODAY,
    )
    editor = open_editor(plan=get_plan(db, senco, plan_id), draft=None)
    assert "reworded but not added or removed" in editor.note_label.text()
    assert not editor.add_outcome_button.isEnabled()
    assert not any(r.remove.isEnabled() for r in editor.outcome_rows)


def test_every_input_has_an_accessible_name(qtbot, open_editor, db, senco, pupil_id) -> None:
    editor = open_editor()
    editor.add_provision_button.click()
    plan = get_plan(db, senco, first_plan(db, senco, pupil_id))
    review = PlanReviewDialog(context(db, senco), plan, today=TODAY)
    qtbot.addWidget(review)
    kinds = (QLineEdit, QComboBox, QPlainTextEdit, QDateEdit, QSpinBox, QPushButton)
    for dialog in (editor, review):
        assert unlabelled(dialog, kinds) == []


# --- the review dialog --------------------------------------------------------------------------


def test_review_dialog(qtbot, ctx, db, senco, pupil_id) -> None:
    plan = get_plan(db, senco, first_plan(db, senco, pupil_id))
    dialog = PlanReviewDialog(ctx, plan, today=TODAY)
    qtbot.addWidget(dialog, before_close_func=_quiet)
    dialog.show()
    assert dialog.date_edit.date() == to_qdate(DUE)
    assert not dialog.ok_button.isEnabled()
    assert dialog.problems_label.text().splitlines() == [
        "Say whether outcomes 1, 2, 3 were achieved, partly achieved or not achieved.",
        "Say what changes next (even if it is to carry on as before).",
    ]
    first, second, third = dialog.result_rows
    assert first.result.accessibleName() == "Result of outcome 1"
    choose(first.result, "achieved")
    choose(second.result, "not")
    choose(third.result, "partly")
    qtbot.keyClicks(third.comment, "12 of 20")
    assert dialog.problems_label.text() == (
        "Say what changes next (even if it is to carry on as before)."
    )
    qtbot.keyClicks(dialog.summary_edit, "Reading is much better")
    qtbot.keyClicks(dialog.next_steps_edit, "Add a help card; keep the group")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    wait_for_save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    after = get_plan(db, senco, plan.id)
    assert after.reviewed_on == DUE
    assert [o.result for o in after.outcomes] == ["achieved", "not", "partly"]
    assert after.outcomes[2].review_comment == "12 of 20"
    assert (after.review_summary, after.next_steps) == (
        "Reading is much better",
        "Add a help card; keep the group",
    )


def test_review_date_cannot_be_in_the_future(qtbot, ctx, db, senco, pupil_id) -> None:
    plan = get_plan(db, senco, first_plan(db, senco, pupil_id))
    dialog = PlanReviewDialog(ctx, plan, today=date(2025, 10, 1))
    qtbot.addWidget(dialog, before_close_func=_quiet)
    assert dialog.date_edit.date() == to_qdate(date(2025, 10, 1))  # today, not the due date
    assert dialog.date_edit.maximumDate() == to_qdate(date(2025, 10, 1))
    assert dialog.date_edit.minimumDate() == to_qdate(START)


# --- the tab ------------------------------------------------------------------------------------


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> SupportPlansTab:
    return on_screen(qtbot, SupportPlansTab(context(db, actor), pupil_id, today=TODAY))


def test_tab_runs_a_whole_cycle(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.empty_label.isVisible() and not tab.table.isVisible()
    assert tab.new_button.isEnabled()
    assert not tab.edit_button.isEnabled() and not tab.review_button.isEnabled()

    def write_plan(editor: SupportPlanEditor) -> int:
        editor.start_edit.setDate(to_qdate(START))
        editor.review_due_edit.setDate(to_qdate(DUE))
        for row, (text, area) in zip(
            editor.outcome_rows,
            (("Reads 40 words", CL), ("Asks for help", SEMH)),
            strict=True,
        ):
            row.text.setText(text)
            choose(row.area, area)
        return accept(editor)

    monkeypatch.setattr(SupportPlanEditor, "exec", write_plan)
    with qtbot.waitSignal(tab.changed):
        tab.new_button.click()
    assert row_count(tab.table) == 1
    assert cells(tab.table, 0) == [
        "1",
        "08/09/2025",
        "01/12/2025",
        "Open — review overdue",
        "Not yet reviewed (2 outcomes)",
    ]
    assert "Reads 40 words" in tab.detail_view.toPlainText()
    assert not tab.new_button.isEnabled() and tab.new_button.toolTip() == OPEN_PLAN_REASON
    assert tab.review_button.isEnabled()

    def review(dialog: PlanReviewDialog) -> int:
        first, second = dialog.result_rows
        choose(first.result, "achieved")
        choose(second.result, "partly")
        dialog.next_steps_edit.setPlainText("Keep going")
        return accept(dialog)

    monkeypatch.setattr(PlanReviewDialog, "exec", review)
    with qtbot.waitSignal(tab.changed):
        tab.review_button.click()
    assert cells(tab.table, 0)[3] == "Reviewed 01/12/2025"
    assert cells(tab.table, 0)[4] == "1 of 2"
    assert "Partly achieved" in tab.detail_view.toPlainText()
    assert tab.new_button.isEnabled() and tab.review_button.text() == "Correct re&view…"

    seen: list[SupportPlanEditor] = []

    def next_cycle(editor: SupportPlanEditor) -> int:
        seen.append(editor)
        # The carried-over outcome, and a blank row: a plan has at least two.
        assert [r.text.text() for r in editor.outcome_rows] == ["Asks for help", ""]
        assert editor.outcome_rows[0].area.currentData() == SEMH
        editor.outcome_rows[1].text.setText("Joins a club")
        choose(editor.outcome_rows[1].area, SEMH)
        return accept(editor)

    monkeypatch.setattr(SupportPlanEditor, "exec", next_cycle)
    with qtbot.waitSignal(tab.changed):
        tab.new_button.click()
    assert "1 outcome partly or not achieved carried over" in seen[0].note_label.text()
    assert seen[0].start_edit.date() == to_qdate(TODAY)
    assert row_count(tab.table) == 2
    assert cells(tab.table, 0)[0] == "2" and tab.selected_id() == seen[0].plan_id
    plans = list_plans(db, senco, pupil_id)
    assert get_plan(db, senco, plans[0].id).previous_plan_id == plans[1].id


def test_cancelled_editor_changes_nothing(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    tab = make_tab(qtbot, db, senco, pupil_id)
    monkeypatch.setattr(SupportPlanEditor, "exec", lambda _self: QDialog.DialogCode.Rejected)
    with qtbot.assertNotEmitted(tab.changed):
        tab.new_button.click()
    assert list_plans(db, senco, pupil_id) == []


@pytest.mark.parametrize("role", [Role.LEARNING_SUPPORT, Role.TEACHER])
def test_staff_read_plans_without_buttons(qtbot, db, senco, pupil_id, role) -> None:
    first_plan(db, senco, pupil_id)
    staff = make_user(db, "staff", role)
    works_with(db, staff, pupil_id)
    tab = make_tab(qtbot, db, staff, pupil_id)
    assert tab.new_button is None and tab.edit_button is None and tab.review_button is None
    assert tab.findChildren(QPushButton) == []
    text = tab.detail_view.toPlainText()
    for words in ("Cycle 1: 08/09/2025 to 01/12/2025", "Salford", "Phonics group", "90 minutes"):
        assert words in text
    assert "I like the group" in text and "Happy with the plan" in text


def test_read_only_accounts_cannot_open_the_tab(qtbot, db, pupil_id) -> None:
    governor = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError):
        SupportPlansTab(context(db, governor), pupil_id)


def test_plan_text_is_escaped(qtbot, db, senco, pupil_id) -> None:
    create_plan(
        db,
        senco,
        pupil_id,
        PlanDraft(
            START,
            DUE,
            "<b>not bold</b> & more",
            (OutcomeDraft("Uses < and > signs", CL), OutcomeDraft("Reads", CL)),
        ),
    )
    tab = make_tab(qtbot, db, senco, pupil_id)
    text = tab.detail_view.toPlainText()
    assert "<b>not bold</b> & more" in text and "Uses < and > signs" in text


def test_edit_with_nothing_changed_signals_nothing(qtbot, db, senco, pupil_id, monkeypatch):
    first_plan(db, senco, pupil_id)
    tab = make_tab(qtbot, db, senco, pupil_id)

    def ok(editor: SupportPlanEditor) -> int:
        return accept(editor)

    monkeypatch.setattr(SupportPlanEditor, "exec", ok)
    with qtbot.assertNotEmitted(tab.changed):
        tab.edit_button.click()
    assert get_plan(db, senco, tab.selected_id()).version == 1
