"""The Progress tab, driven as a user: attendance per term and attainment over time."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.progress_data import (
    AttainmentData,
    add_attainment,
    add_attendance,
    list_attainment,
    list_attendance,
)
from sendesk.ui.graduated.progress_tab import (
    NO_RECORD,
    AttainmentDialog,
    AttendanceDialog,
    ProgressTab,
    current_term,
    point_text,
)
from sendesk.ui.register.status_dialog import to_qdate
from tests.factories import add_test_pupil, make_user, works_with
from tests.ui.dialogs import accept, answer_question
from tests.ui.screens import context
from tests.ui.views import cells, row_count

TODAY = date(2026, 1, 15)


@pytest.fixture
def pupil_id(db: Database, senco: Actor) -> int:
    return add_test_pupil(db, senco, 2, provision="K", needs=("SPLD",))


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> ProgressTab:
    tab = ProgressTab(context(db, actor), pupil_id, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def snap(subject: str, value: str, expected: str, on: date, measure: str = "TA") -> AttainmentData:
    return AttainmentData(subject, measure, value, expected, on)


def test_helpers() -> None:
    assert current_term(date(2025, 10, 1)) == "2025-26 autumn"
    assert current_term(date(2026, 2, 1)) == "2025-26 spring"
    assert current_term(date(2026, 6, 1)) == "2025-26 summer"
    assert point_text(None) == NO_RECORD


def test_add_a_term_through_its_dialog(qtbot, db, senco, pupil_id, monkeypatch, warnings):
    def fill(dialog: AttendanceDialog) -> int:
        assert dialog.term.text() == "2025-26 spring"
        dialog.term.setText("2025-26 autumn")
        dialog.start.setDate(to_qdate(date(2025, 9, 3)))
        dialog.possible.setValue(140)
        dialog.attended.setValue(131)
        assert dialog.percentage_label.text() == "93.6%"
        return accept(dialog)

    monkeypatch.setattr(AttendanceDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert "No attendance recorded" in tab.attendance_summary.text()
    assert not tab.attendance_table.isVisibleTo(tab)
    with qtbot.waitSignal(tab.changed):
        tab.add_term_button.click()
    assert warnings == []
    assert cells(tab.attendance_table, 0) == ["2025-26 autumn", "03/09/2025", "140", "131", "93.6%"]
    assert tab.attendance_summary.text() == ("Last 12 months: 93.6% (131 of 140 sessions, 1 term).")
    [stored] = list_attendance(db, senco, pupil_id)
    assert (stored.possible_sessions, stored.attended_sessions) == (140, 131)


def test_more_attended_than_possible_is_refused(qtbot, db, senco, pupil_id, warnings) -> None:
    dialog = AttendanceDialog(context(db, senco), pupil_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.possible.setValue(10)
    dialog.attended.setValue(12)
    assert "More sessions attended than possible" in dialog.percentage_label.text()
    dialog.accept()
    dialog.save_op.wait()
    assert len(warnings) == 1 and "more than the possible" in warnings[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    assert list_attendance(db, senco, pupil_id) == []


def test_remove_a_term_asks_first(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    add_attendance(db, senco, pupil_id, "2025-26 autumn", date(2025, 9, 3), 140, 120)
    add_attendance(db, senco, pupil_id, "2024-25 summer", date(2025, 4, 22), 110, 100)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert row_count(tab.attendance_table) == 2
    assert "(220 of 250 sessions, 2 terms)" in tab.attendance_summary.text()
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.attendance_table.selectRow(1)
    tab.remove_term_button.click()
    assert asked == ["Remove the attendance for 2025-26 autumn?"]
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_term_button.click()
    assert [t.term for t in list_attendance(db, senco, pupil_id)] == ["2024-25 summer"]
    assert cells(tab.attendance_table, 0)[0] == "2024-25 summer"


def test_add_a_snapshot_and_see_now_6_and_12_months_ago(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    add_attainment(db, senco, pupil_id, snap("Reading", "2+", "3", date(2025, 1, 10)), today=TODAY)
    add_attainment(db, senco, pupil_id, snap("Reading", "3-", "4-", date(2025, 7, 14)), today=TODAY)

    def fill(dialog: AttainmentDialog) -> int:
        dialog.subject.setText("Reading")
        dialog.measure.setText("TA")
        dialog.value.setText("3")
        dialog.expected.setText("4")
        dialog.taken_on.setDate(to_qdate(date(2026, 1, 9)))
        return accept(dialog)

    monkeypatch.setattr(AttainmentDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert cells(tab.trend_table, 0) == [
        "Reading",
        "TA",
        NO_RECORD,
        "3- (expected 4-)\non 14/07/2025",
        "2+ (expected 3)\non 10/01/2025",
    ]
    with qtbot.waitSignal(tab.changed):
        tab.add_snapshot_button.click()
    assert warnings == []
    assert cells(tab.trend_table, 0)[2] == "3 (expected 4)\non 09/01/2026"
    assert row_count(tab.snapshot_table) == 3
    assert cells(tab.snapshot_table, 2) == ["Reading", "TA", "09/01/2026", "3", "4"]
    assert len(list_attainment(db, senco, pupil_id)) == 3


def test_snapshot_with_missing_value_is_refused(qtbot, db, senco, pupil_id, warnings) -> None:
    dialog = AttainmentDialog(context(db, senco), pupil_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.subject.setText("Maths")
    dialog.measure.setText("Test")
    dialog.accept()
    dialog.save_op.wait()
    assert warnings == ["The value is missing."]
    assert dialog.result() != dialog.DialogCode.Accepted


def test_remove_a_snapshot(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    add_attainment(db, senco, pupil_id, snap("Maths", "95", "100", date(2025, 12, 1)), today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_snapshot_button.click()
    assert asked == ["Remove the Maths (TA) snapshot of 01/12/2025?"]
    assert list_attainment(db, senco, pupil_id) == []
    assert tab.attainment_empty_label.isVisibleTo(tab)
    assert not tab.trend_table.isVisibleTo(tab)


def test_teacher_reads_but_cannot_edit(qtbot, db, senco, pupil_id) -> None:
    add_attendance(db, senco, pupil_id, "2025-26 autumn", date(2025, 9, 3), 140, 140)
    add_attainment(
        db, senco, pupil_id, snap("Writing", "WTS", "EXS", date(2026, 1, 5)), today=TODAY
    )
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    tab = make_tab(qtbot, db, teacher, pupil_id)
    assert tab.add_term_button is None and tab.remove_term_button is None
    assert tab.add_snapshot_button is None and tab.remove_snapshot_button is None
    buttons = [w.text() for w in tab.findChildren(QWidget) if hasattr(w, "text")]
    assert not any("Add" in str(t) or "Remove" in str(t) for t in buttons)
    assert cells(tab.attendance_table, 0)[4] == "100.0%"
    assert cells(tab.trend_table, 0)[2] == "WTS (expected EXS)\non 05/01/2026"


def test_read_only_account_may_not_see_the_tab(qtbot, db, pupil_id) -> None:
    viewer = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError):
        ProgressTab(context(db, viewer), pupil_id, today=TODAY)


def test_controls_have_accessible_names(qtbot, db, senco, pupil_id) -> None:
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QHeaderView, QLineEdit

    ctx = context(db, senco)
    roots = [
        make_tab(qtbot, db, senco, pupil_id),
        AttendanceDialog(ctx, pupil_id, today=TODAY),
        AttainmentDialog(ctx, pupil_id, today=TODAY),
    ]
    for root in roots[1:]:
        qtbot.addWidget(root)
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView

    for root in roots:
        for w in root.findChildren(QWidget):
            if isinstance(w, QHeaderView) or w.objectName().startswith("qt_"):
                continue
            parent = w.parentWidget()
            if isinstance(parent, QComboBox | QAbstractSpinBox):
                continue
            if isinstance(w, QAbstractButton):
                assert w.accessibleName() or w.text().replace("&", "").strip(), w
            elif isinstance(w, QLineEdit | QAbstractSpinBox | QAbstractItemView):
                assert w.accessibleName(), w
