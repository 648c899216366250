"""The SENCo's interventions page: catalogue dialogs, groups, enrolments and progress."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from sendesk.db import Database
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.enrolments import (
    add_measurement,
    enrol,
    list_enrolments,
    record_exit,
)
from sendesk.services.graduated.intervention_records import GroupData, InterventionData
from sendesk.services.graduated.intervention_setup import (
    add_group,
    add_intervention,
    list_groups,
    list_interventions,
)
from sendesk.ui.graduated.intervention_dialogs import (
    EnrolDialog,
    GroupDialog,
    InterventionDialog,
    MeasureDialog,
)
from sendesk.ui.graduated.interventions_page import InterventionsPage
from sendesk.ui.graduated.progress_chart import ProgressChart
from tests.factories import admit_pupil, make_user
from tests.ui.screens import context, on_screen

TODAY = date(2025, 3, 3)
READING = InterventionData(
    "Reading Recovery",
    "Cognition and learning",
    "Teaching assistant",
    "reading age",
    "age_months",
    group_size=6,
    sessions_per_week=2,
    minutes_per_session=30,
    cost_per_hour_pence=2400,
)


@pytest.fixture
def open_page(qtbot, db: Database):  # type: ignore[no-untyped-def]
    def opener(actor: Actor) -> InterventionsPage:
        page = on_screen(qtbot, InterventionsPage(context(db, actor), today=TODAY))
        return settled(page)

    return opener


def settled(page: InterventionsPage) -> InterventionsPage:
    """Wait for the page's latest read (it reads on the worker thread)."""
    assert page.loading is not None
    page.loading.wait()
    return page


def _date(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def test_add_to_the_catalogue_through_the_dialog(qtbot, open_page, db, senco) -> None:
    page = open_page(senco)
    assert page.catalogue_model.rowCount() == 0
    assert not page.edit_button.isEnabled() and not page.add_group_button.isEnabled()
    dialog = page.add_intervention()
    assert isinstance(dialog, InterventionDialog) and dialog.isVisible()
    dialog.name_edit.setText("Lexia — phonics")
    dialog.area_combo.setCurrentText("Cognition and learning")
    dialog.group_size_spin.setValue(4)
    dialog.staff_role_combo.setCurrentText("Teaching assistant")
    dialog.sessions_spin.setValue(3)
    dialog.minutes_spin.setValue(20)
    dialog.cost_spin.setValue(22.5)
    dialog.measure_combo.setCurrentText("standardised reading score")
    assert dialog.kind_combo.currentData() == "standardised"  # follows the measure chosen
    with qtbot.waitSignal(page.changed):
        dialog.ok_button.click()
    assert not dialog.isVisible()
    settled(page)

    [item] = list_interventions(db, senco)
    assert (item.name, item.group_size, item.sessions_per_week, item.minutes_per_session) == (
        "Lexia — phonics",
        4,
        3,
        20,
    )
    assert (item.cost_per_hour_pence, item.measure_kind) == (2250, "standardised")
    assert page.catalogue_model.rowCount() == 1
    assert page.intervention is not None and page.intervention.id == item.id
    assert page.catalogue_model.data(page.catalogue_model.index(0, 6)) == "£22.50"
    assert page.edit_button.isEnabled() and page.add_group_button.isEnabled()


def test_a_refused_catalogue_entry_keeps_the_dialog_open(
    qtbot, open_page, db, senco, warnings
) -> None:
    add_intervention(db, senco, READING)
    page = open_page(senco)
    dialog = page.add_intervention()
    dialog.name_edit.setText("reading recovery")
    dialog.ok_button.click()
    assert warnings and "already has an intervention" in warnings[0]
    assert dialog.isVisible()
    dialog.reject()


def test_edit_retires_an_intervention(qtbot, open_page, db, senco) -> None:
    add_intervention(db, senco, READING)
    page = open_page(senco)
    dialog = page.edit_intervention()
    assert dialog is not None and dialog.name_edit.text() == "Reading Recovery"
    assert dialog.kind_combo.currentData() == "age_months"
    dialog.active_check.setChecked(False)
    dialog.ok_button.click()
    settled(page)
    assert list_interventions(db, senco, include_inactive=False) == []
    assert page.catalogue_model.data(page.catalogue_model.index(0, 8)) == "Retired"


def test_start_a_group_and_enrol_a_pupil(qtbot, open_page, db, senco) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    iid = add_intervention(db, senco, READING)
    pid = admit_pupil(db, senco, 1, "Siân")
    page = open_page(senco)

    group_dialog = page.add_group()
    assert isinstance(group_dialog, GroupDialog)
    group_dialog.name_edit.setText("Y8 reading")
    group_dialog.staff_combo.setCurrentIndex(group_dialog.staff_combo.findData(ta.user_id))
    group_dialog.day_checks[0].setChecked(True)
    group_dialog.day_checks[2].setChecked(True)
    group_dialog.start_edit.setDate(_date(date(2025, 1, 6)))
    group_dialog.ok_button.click()
    settled(page)
    [group] = list_groups(db, senco, intervention_id=iid)
    assert (group.name, group.staff_id, group.weekdays) == ("Y8 reading", ta.user_id, (0, 2))
    assert page.group is not None and page.group.id == group.id

    enrol_dialog = page.enrol_pupil()
    assert isinstance(enrol_dialog, EnrolDialog)
    enrol_dialog.select_pupil(pid)
    enrol_dialog.start_edit.setDate(_date(date(2025, 1, 6)))
    enrol_dialog.entry_edit.setText("7:06")
    enrol_dialog.entry_date_edit.setDate(_date(date(2025, 1, 6)))
    enrol_dialog.ok_button.click()
    settled(page)
    [enrolment] = list_enrolments(db, senco, group.id)
    assert (enrolment.pupil_id, enrolment.entry_measure) == (pid, 90)
    assert page.enrolment is not None and page.enrolment.id == enrolment.id
    assert page.enrolment_model.data(page.enrolment_model.index(0, 4)) == "7:06 (06/01/2025)"
    assert page.verdict_label.text().endswith("Only the entry measure is recorded so far.")


def test_enrol_dialog_refuses_a_bad_measure(qtbot, open_page, db, senco, warnings) -> None:
    iid = add_intervention(db, senco, READING)
    add_group(db, senco, GroupData(iid, "G", None, (0,), date(2025, 1, 6)))
    pid = admit_pupil(db, senco, 1, "Ada")
    page = open_page(senco)
    dialog = page.enrol_pupil()
    assert dialog is not None
    dialog.ok_button.click()
    assert warnings[-1] == "Choose a pupil from the list."
    dialog.select_pupil(pid)
    dialog.entry_edit.setText("7:15")
    dialog.ok_button.click()
    assert "months go from 0 to 11" in warnings[-1]
    assert dialog.isVisible()
    dialog.reject()


def test_progress_verdict_and_chart_are_shown(qtbot, open_page, db, senco) -> None:
    iid = add_intervention(db, senco, READING)
    gid = add_group(db, senco, GroupData(iid, "Autumn reading", None, (0, 2), date(2024, 9, 2)))
    pid = admit_pupil(db, senco, 1, "Zoë")
    eid = enrol(db, senco, gid, pid, date(2024, 9, 2), date(2024, 12, 20), 84, date(2024, 9, 2))
    add_measurement(db, senco, eid, date(2024, 11, 1), 88)
    record_exit(db, senco, eid, 93, date(2025, 1, 2))

    page = open_page(senco)
    page.select_intervention(iid)
    settled(page)
    page.select_group(gid)
    settled(page)
    page.select_enrolment(eid)
    settled(page)
    text = page.verdict_label.text()
    assert text.startswith("Zoë Pupil in Autumn reading (Reading Recovery).")
    assert "Ratio gain 2.3: substantial impact (Brooks)" in text
    assert "9 months gained in 4 months" in text
    chart = page.chart
    assert [p.label for p in chart.points] == ["entry", "", "exit"]
    assert chart.accessibleDescription() == (
        "02/09/2024: 7:00 (entry); 01/11/2024: 7:04; 02/01/2025: 7:09 (exit)"
    )
    ends = chart.expected_line()
    assert ends is not None and ends[1] == (date(2025, 1, 2), 88.0)  # 4 months on from 7:00
    assert not chart.grab().isNull()  # paints without error
    assert not page.exit_button.isEnabled()  # the enrolment has ended


def test_record_exit_and_a_measure_through_dialogs(qtbot, open_page, db, senco) -> None:
    iid = add_intervention(
        db,
        senco,
        InterventionData("Toe by Toe", "Cognition and learning", "TA", "SWRT", "standardised"),
    )
    gid = add_group(db, senco, GroupData(iid, "G", None, (0,), date(2025, 1, 6)))
    eid = enrol(db, senco, gid, admit_pupil(db, senco, 1, "Ada"), date(2025, 1, 6), None, 82)
    page = open_page(senco)
    page.select_enrolment(eid)
    settled(page)

    measure = page.add_measure()
    assert isinstance(measure, MeasureDialog)
    measure.value_edit.setText("85")
    measure.date_edit.setDate(_date(date(2025, 2, 3)))
    measure.ok_button.click()
    settled(page)
    assert "So far: SWRT 82 → 85 (+3): no clear change." in page.verdict_label.text()

    exit_dialog = page.record_exit()
    assert exit_dialog is not None
    exit_dialog.value_edit.setText("90")
    exit_dialog.ok_button.click()  # dated today (03/03/2025)
    settled(page)
    assert page.verdict_label.text().endswith("SWRT 82 → 90 (+8): significant gain.")
    assert page.enrolment_model.data(page.enrolment_model.index(0, 6)) == "03/03/2025"


def test_chart_with_nothing_to_show(qtbot) -> None:
    chart = ProgressChart()
    qtbot.addWidget(chart)
    chart.resize(300, 200)
    assert chart.describe() == "No measures recorded yet."
    assert not chart.grab().isNull()
    assert chart.expected_line() is None


def test_learning_support_sees_the_catalogue_but_cannot_change_it(
    qtbot, open_page, db, senco
) -> None:
    add_intervention(db, senco, READING)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    page = open_page(ta)
    assert page.catalogue_model.rowCount() == 1
    assert not page.add_button.isEnabled() and not page.edit_button.isEnabled()
    assert not page.add_group_button.isEnabled()
    # setting groups up is the SENCo's: those buttons are not even shown
    assert not page.add_button.isVisible() and not page.enrol_button.isVisible()


def test_the_leader_records_a_missing_entry_measure_on_the_page(
    qtbot, open_page, db, senco
) -> None:
    """Learning support record the entry measure of their group's pupil (issue 13): the
    group they lead is listed (another's is not), and the entry is saved and shown."""
    iid = add_intervention(db, senco, READING)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    mine = add_group(db, senco, GroupData(iid, "Mine", ta.user_id, (0,), date(2025, 1, 6)))
    add_group(db, senco, GroupData(iid, "Theirs", other.user_id, (0,), date(2025, 1, 6)))
    pid = admit_pupil(db, senco, 1, "Ada")
    enrol(db, senco, mine, pid, date(2025, 1, 6), None, None)
    page = open_page(ta)
    page.select_intervention(iid)
    settled(page)
    assert [page.group_model.row_at(r).name for r in range(page.group_model.rowCount())] == ["Mine"]
    page.select_group(mine)
    settled(page)
    [enrolment] = list_enrolments(db, ta, mine)
    page.select_enrolment(enrolment.id)
    settled(page)
    assert page.entry_button.isEnabled()
    dialog = page.record_entry()
    assert dialog is not None and dialog.windowTitle() == "Record the entry — SENDesk"
    dialog.value_edit.setText("7:06")
    dialog.date_edit.setDate(_date(date(2025, 1, 6)))
    dialog.ok_button.click()
    settled(page)
    [enrolment] = list_enrolments(db, ta, mine)
    assert enrolment.entry_measure == 90
    assert page.enrolment_model.data(page.enrolment_model.index(0, 4)) == "7:06 (06/01/2025)"
    assert not page.entry_button.isEnabled()
