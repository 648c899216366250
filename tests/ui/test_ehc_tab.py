"""The EHC plan tab and its dialogs, driven as a SENCo would on a real database: open a
request, watch the clock, record the LA's steps, undo one, record an exception, then the
plan and its annual review. Assertions are on what the user reads."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QTableView

from sendesk.db import Database
from sendesk.errors import SendeskError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.plans import list_plans, record_plan
from sendesk.services.ehc.records import PlanData, RequestData
from sendesk.services.ehc.requests import add_exception, list_requests, open_request, record_step
from sendesk.services.register.pupil_record import get_record
from sendesk.ui.ehc.ehc_plan_dialog import PlanDialog, ReviewDialog
from sendesk.ui.ehc.ehc_request_dialog import ExceptionDialog, RequestDialog, StepDialog
from sendesk.ui.ehc.ehc_tab import STATUS_TINTS, EhcTab
from sendesk.ui.register.status_dialog import to_qdate
from tests.factories import add_test_pupil, make_user, works_with
from tests.ui.dialogs import accept, answer_question
from tests.ui.screens import context
from tests.ui.views import all_cells as rows
from tests.ui.views import background, cells, foreground, row_count

TODAY = date(2026, 3, 16)  # a Monday
LATE_RECEIVED = date(2025, 9, 29)  # 24 weeks before TODAY: week 25 of 20


pytestmark = pytest.mark.usefixtures("no_unexpected_questions")


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> EhcTab:
    tab = EhcTab(context(db, actor), pupil_id, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def row_named(table: QTableView, label: str) -> int:
    names = [row[0] for row in rows(table)]
    assert label in names, names
    return names.index(label)


def late_request(db: Database, senco: Actor, pupil_id: int) -> int:
    request_id = open_request(
        db,
        senco,
        pupil_id,
        RequestData(
            requested_by="school",
            la_name="Testshire",
            sent_on=LATE_RECEIVED,
            caseworker="Mr Ó Briain",
            consent_on=LATE_RECEIVED - timedelta(days=7),
        ),
        today=TODAY,
    )
    [item] = list_requests(db, senco, pupil_id, today=TODAY)
    record_step(
        db, senco, request_id, item.version, "assess", date(2025, 11, 3), value=True, today=TODAY
    )
    return request_id


# --- the request -----------------------------------------------------------------------------


def open_school_request(db, senco, pupil_id: int, sent_on: date) -> None:
    """The school's request to Testshire, sent on ``sent_on`` (what most tests start from)."""
    open_request(
        db,
        senco,
        pupil_id,
        RequestData(requested_by="school", la_name="Testshire", sent_on=sent_on),
        today=TODAY,
    )


def test_open_a_request_and_see_the_clock_start(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    def fill(dialog: RequestDialog) -> int:
        dialog.requested_by.setCurrentIndex(dialog.requested_by.findData("parent"))
        dialog.la.setCurrentText("Testshire")
        dialog.caseworker.setText("Ms Zoë Ní Bhriain")
        dialog.sent_on.set_value(TODAY)
        dialog.consent_on.set_value(TODAY - timedelta(days=3))
        dialog.pupil_views.setPlainText("I want help with talking to my friends.")
        return accept(dialog)

    monkeypatch.setattr(RequestDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.no_request_label.isVisibleTo(tab) and not tab.milestones.isVisibleTo(tab)
    assert not tab.step_button.isEnabled()
    with qtbot.waitSignal(tab.changed):
        tab.open_button.click()
    assert warnings == []

    assert tab.request_label.text() == (
        "A parent or carer asked Testshire for an EHC needs assessment on 16/03/2026. "
        "Caseworker: Ms Zoë Ní Bhriain."
    )
    assert tab.stage_label.text() == "Stage: Request sent."
    assert tab.clock_label.text() == "Week 1 of 20."
    shown = rows(tab.milestones)
    first = shown[row_named(tab.milestones, "Decision whether to assess")]
    assert first[:4] == ["Decision whether to assess", "27/04/2026", "", "On track"]
    final = shown[row_named(tab.milestones, "Final plan issued")]
    assert final[1] == "03/08/2026"  # 20 weeks from the request
    assert not tab.open_button.isEnabled()  # one open request at a time
    assert tab.step_button.isEnabled() and not tab.undo_button.isEnabled()
    [stored] = list_requests(db, senco, pupil_id, today=TODAY)
    assert stored.requested_by == "parent" and stored.pupil_views.startswith("I want help")


def test_a_new_request_starts_unsent_with_no_statutory_dates(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    # reg 5(1): the clock runs from the LA receiving the request, not from opening it here.
    def fill(dialog: RequestDialog) -> int:
        assert dialog.sent_on.not_yet.isChecked() and dialog.sent_on.value() is None
        assert dialog.received_on.value() is None
        dialog.la.setCurrentText("Testshire")
        dialog.pupil_views.setPlainText("I like drawing.")
        dialog.aspirations.setPlainText("To make comics, and to have a friend at lunch.")
        dialog.signed_off_role.setCurrentText("Head teacher")
        assert not dialog.ok_button.isEnabled()  # a role with nobody named
        assert "who signed the request off" in dialog.problems_label.text()
        dialog.signed_off_by.setText("Mrs Head")
        return accept(dialog)

    monkeypatch.setattr(RequestDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    with qtbot.waitSignal(tab.changed):
        tab.open_button.click()
    assert warnings == []
    assert tab.stage_label.text() == "Stage: Preparing."
    assert tab.clock_label.text() == (
        "Not sent yet: the 20-week clock starts when the LA receives the request."
    )
    assert tab.request_label.text() == (
        "The school is preparing a request to Testshire for an EHC needs assessment. No "
        "caseworker recorded yet. Signed off by Mrs Head (Head teacher)."
    )
    assert rows(tab.milestones) == [] and not tab.milestones.isVisibleTo(tab)
    [stored] = list_requests(db, senco, pupil_id, today=TODAY)
    assert (stored.sent_on, stored.received_on, stored.milestones) == (None, None, [])
    assert stored.aspirations == "To make comics, and to have a friend at lunch."
    assert (stored.signed_off_by, stored.signed_off_role) == ("Mrs Head", "Head teacher")


def test_the_request_dialog_says_whose_consent_is_needed(qtbot, db, senco, pupil_id) -> None:
    # CFA 2014 s83(2), Education Act 1996 s8: a young person from the end of compulsory
    # school age (the last Friday of June of the school year they turn 16), not at 16.
    from sendesk.models import Pupil

    def hint_for(born: date) -> str:
        with db.transaction() as s:
            s.get(Pupil, pupil_id).dob = born
        dialog = RequestDialog(context(db, senco), pupil_id, today=TODAY)
        qtbot.addWidget(dialog)
        return dialog.young_person_hint.text()

    sixteen_today = hint_for(date(2010, 3, 16))
    assert sixteen_today.startswith("A young person consents for themselves once compulsory")
    assert sixteen_today.endswith("For this pupil that is after 26/06/2026.")
    assert hint_for(date(2009, 8, 31)) == (
        "Compulsory school age ended on 27/06/2025: the young person's own consent and views "
        "are needed."
    )


def test_a_late_la_is_visible_at_a_glance(qtbot, db, senco, pupil_id) -> None:
    late_request(db, senco, pupil_id)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.clock_label.text() == "Week 25 of 20 — the LA is late."
    assert tab.stage_label.text() == "Stage: Decision to assess."
    assert "Caseworker: Mr Ó Briain." in tab.request_label.text()
    decided = rows(tab.milestones)[row_named(tab.milestones, "Decision whether to assess")]
    assert decided[1:4] == ["10/11/2025", "03/11/2025", "Done"]
    r = row_named(tab.milestones, "Final plan issued")
    assert rows(tab.milestones)[r][1:4] == ["16/02/2026", "", "Late"]
    assert background(tab.milestones, r, 3) == STATUS_TINTS["red"]
    assert foreground(tab.milestones, r, 3).lightness() < 80  # dark on the tint


def test_record_the_next_step_through_its_dialog(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    open_school_request(db, senco, pupil_id, date(2026, 2, 2))

    def fill(dialog: StepDialog) -> int:
        assert dialog.chosen() == "assess"  # the step that comes next is offered first
        assert not dialog.ok_button.isEnabled()  # yes or no must be chosen
        assert dialog.setting.isHidden()
        dialog.on.setDate(to_qdate(date(2026, 3, 9)))
        dialog.yes.setChecked(True)
        assert dialog.ok_button.isEnabled()
        return accept(dialog)

    monkeypatch.setattr(StepDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    with qtbot.waitSignal(tab.changed):
        tab.step_button.click()
    assert warnings == []
    decided = rows(tab.milestones)[row_named(tab.milestones, "Decision whether to assess")]
    assert decided[1:4] == ["16/03/2026", "09/03/2026", "Done"]
    assert tab.stage_label.text() == "Stage: Decision to assess."
    assert tab.undo_button.isEnabled()

    def issue(dialog: StepDialog) -> int:
        assert dialog.chosen() == "advice_asked"  # next after a yes: advice is asked for
        dialog.step.setCurrentIndex(dialog.step.findData("issue"))
        offered = [dialog.step.itemText(i) for i in range(dialog.step.count())]
        assert "Decision whether to assess (correct the entry for 09/03/2026)" in offered
        assert "Draft plan sent" not in offered  # not before the decision to issue
        dialog.on.setDate(to_qdate(date(2026, 3, 11)))
        dialog.yes.setChecked(True)
        return accept(dialog)

    def draft(dialog: StepDialog) -> int:
        assert dialog.chosen() == "draft"
        assert dialog.setting.isVisibleTo(dialog) and dialog.decision_box.isHidden()
        dialog.setting.setText("Hill School")
        dialog.on.setDate(to_qdate(date(2026, 3, 12)))
        return accept(dialog)

    for fill_in in (issue, draft):
        monkeypatch.setattr(StepDialog, "exec", fill_in)
        tab.step_button.click()
    assert warnings == []
    shown = rows(tab.milestones)[row_named(tab.milestones, "Draft plan sent")]
    assert shown[2:4] == ["12/03/2026", "Done"]
    [stored] = list_requests(db, senco, pupil_id, today=TODAY)
    assert stored.draft_setting == "Hill School"


def test_a_step_out_of_order_is_refused_in_one_sentence(
    qtbot, db, senco, pupil_id, warnings
) -> None:
    open_school_request(db, senco, pupil_id, date(2026, 2, 2))
    [request] = list_requests(db, senco, pupil_id, today=TODAY)
    dialog = StepDialog(context(db, senco), request, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.yes.setChecked(True)
    dialog.on.setDate(to_qdate(date(2026, 1, 5)))  # before the request was sent
    accept(dialog)
    assert len(warnings) == 1
    assert warnings[0].endswith(".") and "\n" not in warnings[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    [after] = list_requests(db, senco, pupil_id, today=TODAY)
    assert after.decided_to_assess is None


def test_undo_the_last_step_asks_first(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    late_request(db, senco, pupil_id)
    tab = make_tab(qtbot, db, senco, pupil_id)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.undo_button.click()
    assert asked == [
        "Undo “Decision whether to assess” recorded for 03/11/2025? The milestones are "
        "worked out again without it."
    ]
    assert list_requests(db, senco, pupil_id, today=TODAY)[0].decided_to_assess is True
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.undo_button.click()
    assert list_requests(db, senco, pupil_id, today=TODAY)[0].decided_to_assess is None
    decided = rows(tab.milestones)[row_named(tab.milestones, "Decision whether to assess")]
    assert decided[2:4] == ["", "Late"]
    assert tab.stage_label.text() == "Stage: Request sent."


def test_an_exception_shows_the_clock_extended_with_its_reason(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    open_request(
        db,
        senco,
        pupil_id,
        RequestData(requested_by="school", la_name="Testshire", sent_on=date(2026, 1, 5)),
        today=TODAY,
    )  # the decision was due 16/02/2026: late by TODAY
    tab = make_tab(qtbot, db, senco, pupil_id)
    r = row_named(tab.milestones, "Decision whether to assess")
    assert rows(tab.milestones)[r][3] == "Late"

    def fill(dialog: ExceptionDialog) -> int:
        assert not dialog.ok_button.isEnabled()  # a reason is needed
        dialog.kind.setCurrentIndex(dialog.kind.findData("personal_circumstances"))
        dialog.reason.setPlainText("Family bereavement; the parent asked for time")
        dialog.recorded_on.setDate(to_qdate(date(2026, 2, 10)))
        return accept(dialog)

    monkeypatch.setattr(ExceptionDialog, "exec", fill)
    with qtbot.waitSignal(tab.changed):
        tab.add_exception_button.click()
    assert warnings == []
    shown = rows(tab.milestones)[r]
    assert shown[3] == "Extended"
    assert "Family bereavement" in shown[4]
    assert background(tab.milestones, r, 3) == STATUS_TINTS["extended"]
    assert rows(tab.exceptions) == [
        [
            "Exceptional personal circumstances",
            "Family bereavement; the parent asked for time",
            "10/02/2026",
        ]
    ]

    tab.exceptions.selectRow(0)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    tab.remove_exception_button.click()
    assert "Remove the exception “Exceptional personal circumstances”" in asked[0]
    assert rows(tab.milestones)[r][3] == "Late"
    assert tab.exceptions.isHidden()


# --- the plan and its reviews ---------------------------------------------------------------


def test_record_the_plan_and_an_annual_review(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    def fill_plan(dialog: PlanDialog) -> int:
        dialog.issued_on.setDate(to_qdate(date(2026, 3, 2)))
        dialog.la.setCurrentText("Testshire")
        dialog.setting.setCurrentText("Hill School")
        dialog.hours.setValue(12.5)
        dialog.top_up.setValue(8500.0)
        dialog.needs.setPlainText("Severe difficulty with expressive language.")
        dialog.outcomes.setPlainText("By July 2027, uses 3-word sentences in class.")
        dialog.provision.setPlainText("SaLT programme, 3 × 20 minutes a week with a TA.")
        return accept(dialog)

    monkeypatch.setattr(PlanDialog, "exec", fill_plan)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.no_plan_label.isVisibleTo(tab)
    assert not tab.review_button.isEnabled()
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    with qtbot.waitSignal(tab.changed):
        tab.record_plan_button.click()
    assert warnings == []
    # Saved, then the register change is offered; declined, the register stays K.
    assert asked == ["Change the register to E (EHC plan) from 02/03/2026?"]
    assert get_record(db, senco, pupil_id).provision == "K"
    assert tab.plan_label.text() == (
        "Issued 02/03/2026 by Testshire, naming Hill School. 12.5 hours of support a week; "
        "top-up funding of £8,500 a year. Next annual review: meeting by 01/02/2027 (on "
        "track), the LA's decision by 01/03/2027."
    )
    text = tab.sections.toPlainText()
    assert "Section B: special educational needs" in text
    assert "uses 3-word sentences" in text and "3 × 20 minutes a week" in text
    assert not tab.record_plan_button.isEnabled()  # one current plan
    assert tab.no_reviews_label.isVisibleTo(tab)

    def fill_review(dialog: ReviewDialog) -> int:
        dialog.meeting_on.setDate(to_qdate(date(2026, 3, 10)))
        dialog.invitations_sent_on.set_value(date(2026, 2, 20))
        dialog.attendees.setPlainText("Parent, SENCo, class teacher, SaLT")
        dialog.summary.setPlainText("Good progress towards the language outcome.")
        dialog.recommendation.setCurrentIndex(dialog.recommendation.findData("amend"))
        return accept(dialog)

    monkeypatch.setattr(ReviewDialog, "exec", fill_review)
    with qtbot.waitSignal(tab.changed):
        tab.review_button.click()
    assert warnings == []
    assert rows(tab.reviews) == [
        [
            "10/03/2026",
            "24/02/2026 (sent 20/02/2026)",
            "24/03/2026",
            "Not yet",
            "Amend the plan",
            "07/04/2026",
            "Not yet",
        ]
    ]
    assert "the LA's decision by 09/03/2027." in tab.plan_label.text()  # CFA s44(1)
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    assert plan.top_up_pence == 850_000 and plan.hours_per_week == 12.5


def test_a_review_paperwork_overdue_is_marked_late(qtbot, db, senco, pupil_id) -> None:
    from sendesk.services.ehc.records import ReviewData
    from sendesk.services.ehc.reviews import record_review

    plan_id = record_plan(db, senco, pupil_id, PlanData(date(2025, 3, 3), "Testshire"), today=TODAY)
    record_review(db, senco, plan_id, ReviewData(meeting_on=date(2026, 2, 2)), today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)
    [shown] = rows(tab.reviews)
    assert shown[2] == "16/02/2026 — late"  # the report was due 2 weeks after the meeting
    assert shown[5] == "02/03/2026 — late"  # and the LA's decision within 4 weeks
    assert background(tab.reviews, 0, 2) == STATUS_TINTS["red"]


# --- who sees what ---------------------------------------------------------------------------


def test_a_teacher_sees_the_plan_but_nothing_of_a_request(qtbot, db, senco, pupil_id) -> None:
    """EHC requests, their health and social care sections and the case's status are the
    SENCo's only (issue 13): a teacher is not even told one exists."""
    request_id = late_request(db, senco, pupil_id)
    reason = "Family bereavement; the parent asked for time"
    add_exception(
        db, senco, request_id, "personal_circumstances", reason, date(2026, 2, 10), today=TODAY
    )
    senco_tab = make_tab(qtbot, db, senco, pupil_id)
    assert senco_tab.clock_label.text().startswith("Week 25 of 20")
    assert rows(senco_tab.exceptions)[0][1] == reason
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    tab = make_tab(qtbot, db, teacher, pupil_id)
    assert tab.no_request_label.text() == (
        "Requests for an EHC needs assessment are seen by the SENCo only."
    )
    assert not tab.clock_label.isVisibleTo(tab) and not tab.milestones.isVisibleTo(tab)
    assert rows(tab.milestones) == [] and rows(tab.exceptions) == []
    assert tab.open_button is None and tab.pack_button is None and tab.review_button is None
    assert tab.remove_review_button is None and tab.cease_button is None
    assert "Open one with" not in tab.no_plan_label.text()


def test_read_only_accounts_cannot_open_the_tab(qtbot, db, senco, pupil_id) -> None:
    reader = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(SendeskError):
        EhcTab(context(db, reader), pupil_id, today=TODAY)


def test_build_pack_opens_the_wizard_for_the_request_la(
    qtbot, db, senco, pupil_id, monkeypatch
) -> None:
    from sendesk.ui.ehc.pack_wizard import PackWizard

    late_request(db, senco, pupil_id)
    seen: list[tuple[str | None, int]] = []

    def exec_(wizard: PackWizard) -> int:
        seen.append((wizard.readiness_page.la_name(), wizard.readiness_page.pupil_id))
        return 0

    monkeypatch.setattr(PackWizard, "exec", exec_)
    tab = make_tab(qtbot, db, senco, pupil_id)
    tab.pack_button.click()
    assert seen == [("Testshire", pupil_id)]


def test_the_pupil_window_has_the_tab_in_place_of_the_placeholder(
    qtbot, db, senco, pupil_id
) -> None:
    from sendesk.ui.pupil_window import PupilWindow
    from sendesk.ui.register.pupil_tabs import PLACEHOLDERS

    assert "EHC plan" not in PLACEHOLDERS
    window = PupilWindow(context(db, senco), pupil_id)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert "EHC plan" in titles
    window.show_tab("ehc")  # made when first shown
    assert isinstance(window.tabs.widget(titles.index("EHC plan")), EhcTab)


def test_whats_due_shows_a_late_la_and_an_extended_clock(qtbot, db, senco, pupil_id) -> None:
    from sendesk.ui.home_page import HomePage

    other = add_test_pupil(db, senco, 2, provision="K", needs=("SPLD",), forename="Ana")
    for pid in (pupil_id, other):
        open_school_request(db, senco, pid, date(2026, 1, 5))
    [extended] = list_requests(db, senco, other, today=TODAY)
    add_exception(
        db,
        senco,
        extended.id,
        "away_from_area",
        "Family abroad for 6 weeks",
        date(2026, 2, 1),
        today=TODAY,
    )
    page = HomePage(context(db, senco))
    qtbot.addWidget(page)
    page.reload(TODAY).wait()
    model = page.model
    shown = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    ehc = {row[2]: row for row in shown if "Decision whether to assess" in row[3]}
    late = next(row for name, row in ehc.items() if name.startswith("Test Pupil"))
    assert late[:2] == ["16/02/2026", "Overdue"]
    assert "week 11 of 20" in late[3] and "the LA is late" in late[3]
    excused = next(row for name, row in ehc.items() if name.startswith("Ana"))
    assert excused[:2] == ["16/02/2026", "Extended"]
    # What's due (read by teachers too) names the exception's kind, never the typed reason.
    assert excused[3].endswith(
        "; extended: Child, parent or young person away from the area for 4+ weeks"
    )
    assert "Family abroad" not in excused[3]


def test_recording_the_plan_offers_e_on_the_register_from_its_issue_date(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    def fill_plan(dialog: PlanDialog) -> int:
        dialog.issued_on.setDate(to_qdate(date(2026, 3, 2)))
        dialog.la.setCurrentText("Testshire")
        return accept(dialog)

    monkeypatch.setattr(PlanDialog, "exec", fill_plan)
    tab = make_tab(qtbot, db, senco, pupil_id)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.record_plan_button.click()
    assert warnings == []
    assert asked == ["Change the register to E (EHC plan) from 02/03/2026?"]
    record = get_record(db, senco, pupil_id)
    assert (record.provision, record.provision_since, record.need_codes) == (
        "E",
        date(2026, 3, 2),
        ("SLCN",),
    )
    # Already E: a corrected plan asks nothing more.
    asked.clear()
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    tab.offer_register_change(plan.issued_on)
    assert asked == []


def test_the_final_plan_step_leads_to_recording_the_plan_then_e(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.services.ehc.requests import get_request

    request_id = late_request(db, senco, pupil_id)
    for step, on, value in (
        ("issue", date(2026, 1, 12), True),
        ("draft", date(2026, 1, 19), None),
    ):
        version = get_request(db, senco, request_id, today=TODAY).version
        record_step(db, senco, request_id, version, step, on, value=value, today=TODAY)

    def final(dialog: StepDialog) -> int:
        dialog.step.setCurrentIndex(dialog.step.findData("final"))
        dialog.on.setDate(to_qdate(date(2026, 3, 9)))
        return accept(dialog)

    def fill_plan(dialog: PlanDialog) -> int:
        assert dialog.data().issued_on == date(2026, 3, 9)  # from the request's final plan
        return accept(dialog)

    monkeypatch.setattr(StepDialog, "exec", final)
    monkeypatch.setattr(PlanDialog, "exec", fill_plan)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    tab = make_tab(qtbot, db, senco, pupil_id)
    tab.step_button.click()
    assert warnings == []
    assert asked == [
        "The final EHC plan was issued on 09/03/2026. Record the plan now (its sections, "
        "hours and funding)? The register can then change to E.",
        "Change the register to E (EHC plan) from 09/03/2026?",
    ]
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    assert (plan.issued_on, plan.request_id) == (date(2026, 3, 9), request_id)
    assert get_record(db, senco, pupil_id).provision == "E"


def test_a_recorded_phase_transfer_and_its_deadline(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    def fill_plan(dialog: PlanDialog) -> int:
        dialog.issued_on.setDate(to_qdate(date(2026, 3, 2)))
        dialog.la.setCurrentText("Testshire")
        assert not dialog.transfer_destination.isEnabled()  # none recorded by default
        kind = dialog.transfer_kind
        kind.setCurrentIndex(kind.findData("secondary_to_post16"))
        assert not dialog.ok_button.isEnabled()  # the date of the move is needed
        assert dialog.transfer_hint.text() == (
            "Give the date of the move: the deadline is counted from it."
        )
        dialog.transfer_destination.setText("Town FE College")
        dialog.transfer_on.set_value(date(2027, 9, 6))
        # reg 18(1): "before 31st March" in the year of the move.
        assert dialog.transfer_hint.text() == (
            "The plan must be reviewed and amended by 30/03/2027 (reg 18(1))."
        )
        return accept(dialog)

    monkeypatch.setattr(PlanDialog, "exec", fill_plan)
    answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab = make_tab(qtbot, db, senco, pupil_id)
    with qtbot.waitSignal(tab.changed):
        tab.record_plan_button.click()
    assert warnings == []
    assert tab.plan_label.text().endswith(
        "Moves to Town FE College on 06/09/2027: the plan must be reviewed and amended by "
        "30/03/2027 (reg 18(1))."
    )

    def stay_on(dialog: PlanDialog) -> int:
        assert dialog.transfer_on.value() == date(2027, 9, 6)
        dialog.transfer_kind.setCurrentIndex(dialog.transfer_kind.findData("own_sixth_form"))
        assert dialog.transfer_hint.text() == "No transfer: no phase transfer deadline."
        return accept(dialog)

    monkeypatch.setattr(PlanDialog, "exec", stay_on)
    with qtbot.waitSignal(tab.changed):
        tab.edit_plan()
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    assert (plan.transfer_kind, plan.transfer_on, plan.transfer_deadline) == (
        "own_sixth_form",
        None,
        None,
    )
    assert tab.plan_label.text().endswith(
        "Phase transfer: staying on in the school's own sixth form (no transfer)."
    )


def test_a_plan_recorded_in_the_pupil_window_leaves_the_profile_saveable(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.ui.pupil_window import PupilWindow

    def fill_plan(dialog: PlanDialog) -> int:
        dialog.issued_on.setDate(to_qdate(date(2026, 3, 2)))
        return accept(dialog)

    monkeypatch.setattr(PlanDialog, "exec", fill_plan)
    answer_question(monkeypatch, QMessageBox.StandardButton.No)
    window = PupilWindow(context(db, senco), pupil_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.changed):
        window.ehc_tab.record_plan_button.click()
    # The plan moved the pupil's next review date (the record's version): the window has
    # read it again, so a profile edit now saves instead of meeting a conflict.
    assert window.fields["next_review_due"].value() == date(2027, 3, 1)
    window.fields["reg_group"].setText("8Q")
    assert window.save()
    assert warnings == []


def test_someone_elses_change_is_said_and_shown(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.services.ehc.requests import update_request

    late_request(db, senco, pupil_id)
    tab = make_tab(qtbot, db, senco, pupil_id)
    stale = tab.request
    assert stale is not None
    # Another SENCo corrects the caseworker while this tab is open.
    fresh = list_requests(db, senco, pupil_id, today=TODAY)[0]
    update_request(
        db,
        senco,
        fresh.id,
        fresh.version,
        dataclasses.replace(fresh.data(), caseworker="Ms Kowalska"),
        today=TODAY,
    )

    def fill(dialog: RequestDialog) -> int:
        dialog.caseworker.setText("Mr Ó Briain (acting)")
        return accept(dialog)

    monkeypatch.setattr(RequestDialog, "exec", fill)
    tab.edit_button.click()
    assert len(warnings) == 1 and "Someone else changed" in warnings[0]
    assert "Caseworker: Ms Kowalska." in tab.request_label.text()  # what is stored now


def test_correct_a_review_and_cease_the_plan(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.services.ehc.records import ReviewData
    from sendesk.services.ehc.reviews import record_review

    plan_id = record_plan(db, senco, pupil_id, PlanData(date(2025, 3, 3), "Testshire"), today=TODAY)
    record_review(db, senco, plan_id, ReviewData(meeting_on=date(2026, 2, 2)), today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)

    def correct(dialog: ReviewDialog) -> int:
        assert dialog.meeting_on.date() == to_qdate(date(2026, 2, 2))
        dialog.report_sent_on.set_value(date(2026, 2, 12))
        dialog.la_decision.setCurrentIndex(dialog.la_decision.findData("amend"))
        assert not dialog.ok_button.isEnabled()  # a decision needs its date
        assert "Give the date of the LA's decision." in dialog.problems_label.text()
        dialog.la_decision_on.set_value(date(2026, 2, 20))
        return accept(dialog)

    monkeypatch.setattr(ReviewDialog, "exec", correct)
    tab.reviews.selectRow(0)
    with qtbot.waitSignal(tab.changed):
        tab.edit_review_button.click()
    assert warnings == []
    [shown] = rows(tab.reviews)
    assert shown[2:4] == ["16/02/2026", "12/02/2026"]  # no longer late
    assert shown[6] == "Amend the plan, 20/02/2026; amendments not yet proposed"

    def cease(dialog) -> int:  # type: ignore[no-untyped-def]
        dialog.on.setDate(to_qdate(date(2026, 3, 13)))
        return accept(dialog)

    from sendesk.ui.ehc.ehc_plan_dialog import CeaseDialog

    monkeypatch.setattr(CeaseDialog, "exec", cease)
    tab.cease_button.click()
    assert warnings == []
    assert "Ceased 13/03/2026." in tab.plan_label.text()
    assert "Next annual review" not in tab.plan_label.text()
    assert tab.record_plan_button.isEnabled() and not tab.review_button.isEnabled()


def test_remove_a_review_recorded_by_mistake_asks_first(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.services.ehc.records import ReviewData
    from sendesk.services.ehc.reviews import record_review, update_review

    plan_id = record_plan(db, senco, pupil_id, PlanData(date(2025, 3, 3), "Testshire"), today=TODAY)
    record_review(db, senco, plan_id, ReviewData(meeting_on=date(2026, 2, 2)), today=TODAY)
    record_review(db, senco, plan_id, ReviewData(meeting_on=date(2026, 4, 20)), today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.remove_review_button.text() == "Remove review…"
    assert tab.remove_review_button.accessibleName() == "Remove the selected annual review"
    assert [r[0] for r in rows(tab.reviews)] == ["02/02/2026", "20/04/2026"]
    tab.reviews.selectRow(1)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.remove_review_button.click()
    assert asked == [
        "Remove the annual review meeting on 20/04/2026? Everything recorded for it goes, "
        "and the next annual review is worked out again without it."
    ]
    assert [r[0] for r in rows(tab.reviews)] == ["02/02/2026", "20/04/2026"]
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_review_button.click()
    assert warnings == []
    assert [r[0] for r in rows(tab.reviews)] == ["02/02/2026"]
    assert "the LA's decision by 01/02/2027." in tab.plan_label.text()
    # Someone else corrects the held review while the tab is open: said, and not removed.
    tab.reviews.selectRow(0)
    [fresh] = list_plans(db, senco, pupil_id, today=TODAY)[0].reviews
    update_review(
        db, senco, fresh.id, fresh.version, ReviewData(date(2026, 2, 2), summary="x"), today=TODAY
    )
    tab.remove_review_button.click()
    assert len(warnings) == 1 and warnings[0].startswith("Someone else changed this EHC record")
    assert [r[0] for r in rows(tab.reviews)] == ["02/02/2026"]
    tab.reviews.selectRow(0)
    with qtbot.waitSignal(tab.changed):
        tab.remove_review_button.click()
    assert rows(tab.reviews) == [] and tab.no_reviews_label.isVisibleTo(tab)
    assert not tab.remove_review_button.isEnabled()  # nothing left to remove
    assert (
        "Next annual review: meeting by 02/02/2026 (late), the LA's decision by 02/03/2026."
    ) in tab.plan_label.text()


def test_reinstate_a_ceased_plan_asks_first_and_is_refused_beside_a_live_one(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    from sendesk.services.ehc.plans import cease_plan

    plan_id = record_plan(db, senco, pupil_id, PlanData(date(2025, 3, 3), "Testshire"), today=TODAY)
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    cease_plan(db, senco, plan_id, plan.version, date(2026, 3, 13), today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert "Ceased 13/03/2026." in tab.plan_label.text()
    assert tab.cease_button.text() == "Reinstate plan…" and tab.cease_button.isEnabled()
    assert tab.cease_button.accessibleName() == "Reinstate the ceased EHC plan"
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.cease_button.click()
    assert asked == [
        "Reinstate the EHC plan issued 03/03/2025 by Testshire, recorded as ceased on "
        "13/03/2026? Its annual reviews fall due again."
    ]
    assert list_plans(db, senco, pupil_id, today=TODAY)[0].ceased_on == date(2026, 3, 13)
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.cease_button.click()
    assert warnings == []
    assert tab.plan_label.text() == (
        "Issued 03/03/2025 by Testshire. Next annual review: meeting by 02/02/2026 (late), "
        "the LA's decision by 02/03/2026."
    )
    assert tab.cease_button.text() == "Cease plan…"
    assert tab.cease_button.accessibleName() == "Cease the EHC plan"
    assert tab.review_button.isEnabled() and not tab.record_plan_button.isEnabled()
    # Ceased again and a new plan recorded: the old one may not come back beside it.
    [plan] = list_plans(db, senco, pupil_id, today=TODAY)
    cease_plan(db, senco, plan_id, plan.version, date(2026, 3, 13), today=TODAY)
    record_plan(db, senco, pupil_id, PlanData(date(2026, 3, 14), "Testshire"), today=TODAY)
    tab.reload()  # keeps the plan chosen: the old one, now second
    assert tab.plan_choice.currentIndex() == 1
    assert tab.cease_button.text() == "Reinstate plan…"
    tab.plan_choice.setCurrentIndex(0)
    assert tab.cease_button.text() == "Cease plan…"
    tab.plan_choice.setCurrentIndex(1)
    tab.cease_button.click()
    assert warnings == [
        "This pupil has another live EHC plan (issued 14/03/2026); record when that one "
        "ceased before reinstating this one."
    ]
    assert [p.ceased_on for p in list_plans(db, senco, pupil_id, today=TODAY)] == [
        None,
        date(2026, 3, 13),
    ]


def _fits_its_rows(table: QTableView) -> bool:
    """Each row is as tall as its cells need at the columns' widths now, and the table is
    exactly as tall as its rows (the tab scrolls, not the table)."""
    measured = all(
        table.rowHeight(r)
        == max(table.sizeHintForRow(r), table.verticalHeader().sectionSizeHint(r))
        for r in range(row_count(table))
    )
    body = sum(table.rowHeight(r) for r in range(row_count(table)))
    header = table.horizontalHeader().sizeHint().height()
    return measured and table.height() == header + body + 2 * table.frameWidth()


def test_milestones_stay_as_tall_as_their_wrapped_notes_when_the_tab_is_resized(
    qtbot, db, senco, pupil_id
) -> None:
    open_school_request(db, senco, pupil_id, date(2026, 1, 5))
    [item] = list_requests(db, senco, pupil_id, today=TODAY)
    reason = (
        "The family were abroad caring for a grandparent through the whole of the spring "
        "half term, and the parent asked for the assessment to wait until they were home"
    )
    add_exception(
        db, senco, item.id, "personal_circumstances", reason, date(2026, 2, 10), today=TODAY
    )
    tab = make_tab(qtbot, db, senco, pupil_id)
    table = tab.milestones
    tab.resize(700, 900)
    tab.show()
    qtbot.waitExposed(tab)
    r = row_named(table, "Decision whether to assess")
    assert reason in cells(table, r)[4]
    qtbot.waitUntil(lambda: _fits_its_rows(table))
    narrow_row, narrow = table.rowHeight(r), table.height()
    assert narrow_row > 2 * table.fontMetrics().height()  # the note wraps

    tab.resize(2400, 900)  # the note fits on fewer lines: its row and the table shrink
    qtbot.waitUntil(lambda: table.rowHeight(r) < narrow_row and _fits_its_rows(table))
    assert table.height() < narrow

    tab.resize(700, 900)  # and grow back, never cutting the note off
    qtbot.waitUntil(lambda: table.rowHeight(r) == narrow_row and _fits_its_rows(table))
    assert table.height() == narrow
