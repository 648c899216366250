"""My groups: logging a group's session from the keyboard, and a whole term at once."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QMessageBox

from sendesk.db import Database
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.costs import planned_vs_delivered
from sendesk.services.graduated.enrolments import enrol
from sendesk.services.graduated.intervention_records import (
    SCHOOL_CLOSED,
    AttendanceEntry,
    GroupData,
    GroupPupil,
    GroupToday,
    InterventionData,
    LoggedSession,
)
from sendesk.services.graduated.intervention_setup import add_group, add_intervention
from sendesk.services.graduated.sessions import group_day, log_session
from sendesk.ui.graduated.attendance_table import REASON_NEEDED, AttendanceModel, Col
from sendesk.ui.graduated.session_logging import MyGroupsPage
from sendesk.ui.kit.edit_table import editor_at
from tests.factories import admit_pupil, make_user
from tests.ui.screens import context, on_screen

MONDAY = date(2025, 3, 3)
TERM_START = date(2025, 1, 6)
NAMES = ("Zoë", "Łukasz", "Amara", "Ben", "Chloé", "Dev", "Eilidh", "Farah")


@pytest.fixture
def ta(db: Database) -> Actor:
    return make_user(db, "ta", Role.LEARNING_SUPPORT)


@pytest.fixture
def group_id(db: Database, senco: Actor, ta: Actor) -> int:
    """A reading group led by the TA on Mondays and Wednesdays, with eight pupils."""
    iid = add_intervention(
        db,
        senco,
        InterventionData(
            "Reading Recovery",
            "Cognition and learning",
            "Teaching assistant",
            "reading age",
            "age_months",
            group_size=8,
            sessions_per_week=2,
            minutes_per_session=30,
            cost_per_hour_pence=2400,
        ),
    )
    gid = add_group(db, senco, GroupData(iid, "Y8 reading", ta.user_id, (0, 2), TERM_START))
    for serial, name in enumerate(NAMES, start=1):
        pid = admit_pupil(db, senco, serial, name)
        enrol(db, senco, gid, pid, TERM_START, None, 84)
    return gid


@pytest.fixture
def page(qtbot, db: Database, ta: Actor, group_id: int) -> MyGroupsPage:
    widget = on_screen(qtbot, MyGroupsPage(context(db, ta), today=MONDAY))
    assert widget.loading is not None
    widget.loading.wait()  # the day's groups are read on the worker
    return widget


def row_of(model: AttendanceModel, name: str) -> int:
    return next(r for r, line in enumerate(model.lines) if line.name.startswith(name))


# --- the model on its own -----------------------------------------------------------------------


def _group(logged: LoggedSession | None = None) -> GroupToday:
    pupils = (GroupPupil(11, 1, "Zoë Pupil", 8), GroupPupil(12, 2, "Ben Pupil", 8))
    return GroupToday(1, "G", 1, "Reading", 5, "Ta", (0,), 30, MONDAY, pupils, logged)


def test_model_editing_rules(qtbot) -> None:
    model = AttendanceModel()
    model.load(_group())
    assert (model.rowCount(), model.columnCount()) == (2, 5)
    assert model.headerData(Col.MISSED_REASON, Qt.Orientation.Horizontal) == "Missed reason"
    ticked = model.index(0, Col.ATTENDED)
    assert model.data(ticked, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.flags(ticked) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.flags(model.index(0, Col.MINUTES)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(0, Col.MISSED_REASON)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, Col.PUPIL)) & Qt.ItemFlag.ItemIsEditable

    with qtbot.waitSignal(model.edited):
        assert model.setData(ticked, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.data(model.index(0, Col.MINUTES)) == "30"
    assert model.flags(model.index(0, Col.MINUTES)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, Col.MISSED_REASON)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, Col.MINUTES), 45)  # longer than the session
    assert not model.setData(model.index(0, Col.MINUTES), "lots")
    assert model.setData(model.index(0, Col.MINUTES), "20")
    assert model.setData(model.index(0, Col.NOTE), "Read fluently")

    assert model.data(model.index(1, Col.MISSED_REASON)) == ""
    model.set_show_missing(True)
    assert REASON_NEEDED in model.data(model.index(1, Col.MISSED_REASON))
    assert model.missing_reasons() == [1]
    assert model.setData(model.index(1, Col.MISSED_REASON), "trip")
    assert model.missing_reasons() == []
    assert model.entries() == [
        AttendanceEntry(11, True, 20, None, "Read fluently"),
        AttendanceEntry(12, False, 0, "trip", ""),
    ]
    model.set_session_minutes(15)  # nobody keeps more minutes than the session had
    assert model.entries()[0].minutes == 15
    model.toggle(1)
    assert model.entries()[1] == AttendanceEntry(12, True, 15, None, "")


def test_model_loads_a_saved_log(qtbot) -> None:
    logged = LoggedSession(
        7,
        1,
        MONDAY,
        True,
        None,
        25,
        "Ta",
        (AttendanceEntry(11, True, 25, None, "ok"), AttendanceEntry(12, False, 0, "absent", "")),
    )
    model = AttendanceModel()
    model.load(_group(logged))
    assert model.session_minutes == 25
    assert model.entries() == list(logged.attendance)


# --- the page -------------------------------------------------------------------------------------


def test_ticking_a_group_of_eight_and_saving(qtbot, page: MyGroupsPage, db, ta, group_id) -> None:
    assert page.groups_list.count() == 1
    assert "Y8 reading — Reading Recovery (8 pupils)" in page.groups_list.item(0).text()
    assert page.model.rowCount() == 8
    table = page.table
    table.setFocus()
    # Space on the first row ticks it; arrow down and Space again for the next six.
    table.setCurrentIndex(page.model.index(0, Col.PUPIL))
    for _ in range(7):
        qtbot.keyClick(table, Qt.Key.Key_Space)
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert page.model.attended_count() == 7
    assert [line.name for line in page.model.lines][-2:] == ["Zoë Pupil", "Łukasz Pupil"]
    missed = page.model.lines[7]
    assert not missed.attended
    page.model.setData(page.model.index(7, Col.MISSED_REASON), "absent")
    page.model.setData(page.model.index(row_of(page.model, "Zoë"), Col.NOTE), "Très bien")
    assert page.dirty

    with qtbot.waitSignal(page.changed):
        assert page.save()
    page.loading.wait()  # type: ignore[union-attr]  # the day read again after the save
    assert not page.dirty
    assert page.message_label.text().startswith("Saved Y8 reading on Monday 03/03/2025: 7 of 8")
    assert page.groups_list.item(0).text().endswith("— logged")
    assert page.logged_label.text().startswith("Logged by Ta")

    logged = group_day(db, ta, group_id, MONDAY).logged
    assert logged is not None and logged.delivered and logged.minutes == 30
    by_name = {line.name: line.enrolment_id for line in page.model.lines}
    missed_entry = logged.entry_for(missed.enrolment_id)
    assert missed_entry == AttendanceEntry(missed.enrolment_id, False, 0, "absent", "")
    zoe = logged.entry_for(by_name["Zoë Pupil"])
    assert zoe is not None and (zoe.attended, zoe.minutes, zoe.note) == (True, 30, "Très bien")
    assert sum(1 for a in logged.attendance if a.attended) == 7


def test_a_missed_pupil_with_no_reason_is_not_saved(
    qtbot, page: MyGroupsPage, db, ta, group_id, warnings
) -> None:
    page.all_present_button.click()
    page.model.set_attended(3, False)
    assert not page.save()
    assert warnings and "1 pupil(s) missed the session with no reason" in warnings[0]
    assert page.table.currentIndex().row() == 3
    assert page.table.currentIndex().column() == Col.MISSED_REASON
    assert REASON_NEEDED in page.model.data(page.model.index(3, Col.MISSED_REASON))
    assert group_day(db, ta, group_id, MONDAY).logged is None


def test_a_session_not_delivered_needs_a_reason(
    qtbot, page: MyGroupsPage, db, ta, group_id, warnings
) -> None:
    page.delivered_check.setChecked(False)
    assert page.reason_combo.isEnabled() and not page.table.isEnabled()
    assert not page.save()
    assert "Say why the session was not delivered" in warnings[0]
    page.reason_combo.setCurrentIndex(page.reason_combo.findData("staff absent"))
    assert page.save()
    logged = group_day(db, ta, group_id, MONDAY).logged
    assert logged is not None and not logged.delivered
    assert logged.not_delivered_reason == "staff absent"
    # Reopening the day shows what was saved.
    page.reload().wait()
    assert not page.delivered_check.isChecked()
    assert page.reason_combo.currentData() == "staff absent"


def test_ctrl_s_saves_and_a_saved_log_reopens(qtbot, page: MyGroupsPage, db, ta, group_id) -> None:
    page.all_present_button.click()
    page.minutes_spin.setValue(25)
    with qtbot.waitActive(page):
        page.activateWindow()
    page.table.setFocus()
    with qtbot.waitSignal(page.changed):
        qtbot.keyClick(page.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    logged = group_day(db, ta, group_id, MONDAY).logged
    assert logged is not None and logged.minutes == 25
    assert {a.minutes for a in logged.attendance} == {25}

    page.set_date(date(2025, 3, 2))  # a Sunday: no groups
    page.loading.wait()  # type: ignore[union-attr]
    assert page.groups_list.count() == 0
    assert "No groups of yours meet on Sunday 02/03/2025" in page.empty_label.text()
    assert not page.save_button.isEnabled()
    page.next_button.click()
    page.next_button.click()  # not past today
    page.loading.wait()  # type: ignore[union-attr]
    assert page.on == MONDAY
    assert page.model.attended_count() == 8 and page.minutes_spin.value() == 25


def test_leaving_unsaved_work_asks_first(
    qtbot, page: MyGroupsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def question(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    page.model.toggle(0)
    page.set_date(date(2025, 2, 24))
    assert asked and page.on == MONDAY and page.model.attended_count() == 1


def test_ticks_made_while_the_day_is_read_again_stay_and_a_new_day_starts_empty(
    qtbot, page: MyGroupsPage
) -> None:
    """The day's groups are read on the worker: a tick made while they are read again
    (after another page's save) is kept when they land, and a day changed to shows nothing
    of the day before, so nothing can be saved under the wrong day."""
    reading = page.reload()
    page.model.toggle(0)
    reading.wait()
    assert page.dirty and page.model.attended_count() == 1
    assert page.group is not None and page.save_button.isEnabled()
    page.dirty = False  # the user chose to drop the tick
    page.set_date(date(2025, 2, 24))  # the Monday before
    assert page.groups_list.count() == 0 and page.group is None
    assert not page.save_button.isEnabled() and not page.loading_label.isHidden()
    page.loading.wait()  # type: ignore[union-attr]
    assert page.group is not None and page.group.on == date(2025, 2, 24)
    assert page.model.attended_count() == 0 and page.loading_label.isHidden()


def test_another_staff_members_page_shows_only_their_groups(qtbot, db, senco, group_id) -> None:
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    page = MyGroupsPage(context(db, other), today=MONDAY)
    qtbot.addWidget(page)
    page.loading.wait()  # type: ignore[union-attr]
    assert page.groups_list.count() == 0 and not page.save_button.isEnabled()
    senco_page = MyGroupsPage(context(db, senco), today=MONDAY)
    qtbot.addWidget(senco_page)
    senco_page.loading.wait()  # type: ignore[union-attr]
    assert senco_page.groups_list.count() == 1


def test_log_a_whole_term(qtbot, page: MyGroupsPage, db, ta, group_id) -> None:
    log_session(
        db,
        ta,
        group_id,
        date(2025, 1, 8),
        False,
        "trip",
        0,
        [],
    )
    dialog = page.open_term_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.start_edit.setDate(dialog.start_edit.date().fromString("06/01/2025", "dd/MM/yyyy"))
    dialog.end_edit.setDate(dialog.end_edit.date().fromString("31/01/2025", "dd/MM/yyyy"))
    assert dialog.preview_label.text() == (
        "7 sessions will be logged; 1 day already logged will be left as they are."
    )
    row = dialog.add_exception(date(2025, 1, 29))
    who = editor_at(dialog.exceptions, row, 1)
    assert isinstance(who, QComboBox) and who.currentText().startswith("Whole group")
    why = editor_at(dialog.exceptions, row, 2)
    assert isinstance(why, QComboBox) and why.currentText() == SCHOOL_CLOSED
    pupil = page.model.lines[0]
    dialog.add_exception(date(2025, 1, 20), pupil.enrolment_id, "exam")
    assert isinstance(editor_at(dialog.exceptions, 1, 0), QDateEdit)

    with qtbot.waitSignal(page.changed):
        dialog.ok_button.click()
    page.loading.wait()  # type: ignore[union-attr]
    assert dialog.result_log is not None
    assert len(dialog.result_log.logged) == 7
    assert dialog.result_log.not_delivered == (date(2025, 1, 29),)
    rows = planned_vs_delivered(db, ta, group_id=group_id, as_of=date(2025, 1, 31))
    assert rows[0].planned_sessions == 7  # 8 days less the closure
    assert rows[0].delivered_sessions == 6  # less the trip on the 8th too
    first = next(r for r in rows if r.enrolment_id == pupil.enrolment_id)
    assert first.attended_sessions == 5


def test_term_dialog_refusal_keeps_it_open(qtbot, page: MyGroupsPage, warnings) -> None:
    dialog = page.open_term_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.start_edit.setDate(dialog.start_edit.date().fromString("06/01/2025", "dd/MM/yyyy"))
    dialog.end_edit.setDate(dialog.end_edit.date().fromString("31/01/2025", "dd/MM/yyyy"))
    dialog.add_exception(date(2025, 1, 7))  # a Tuesday: not one of the group's days
    dialog.ok_button.click()
    assert warnings and "not one of the group's days" in warnings[0]
    assert dialog.isVisible() and dialog.result_log is None
    dialog.reject()


def test_in_the_window_names_are_whole_logged_groups_are_ticked_and_the_saved_one_stays(
    qtbot, db, senco, ta, group_id
) -> None:
    """Two groups on Monday, one with a long name, in the main window as the assistant
    sees it: every line is shown whole (not cut off), the group just saved gets its tick
    and "— logged" while the other does not, and the list stays on the saved group when
    the window reloads its pages after the save (it used to jump back to the first)."""
    from sendesk.ui.graduated.session_logging import GROUP_ID_ROLE, LOGGED_MARK
    from sendesk.ui.main_window import MainWindow

    long_name = "Year 7 and 8 precision teaching, Monday lunchtime in the library"
    iid = add_intervention(
        db,
        senco,
        InterventionData("Precision teaching", "Cognition and learning", "TA", "words", "rating"),
    )
    second = add_group(db, senco, GroupData(iid, long_name, ta.user_id, (0,), TERM_START))
    pid = admit_pupil(db, senco, 40, "Gita", year=7)
    enrol(db, senco, second, pid, TERM_START, None, 20)
    window = MainWindow(context(db, ta))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    opening = window.open_group_day(second, MONDAY)
    assert opening is not None
    opening.wait()
    page = window.page("My groups")
    assert isinstance(page, MyGroupsPage)
    qtbot.waitExposed(page)
    listed = page.groups_list

    def lines() -> dict[int, str]:
        return {
            listed.item(r).data(GROUP_ID_ROLE): listed.item(r).text() for r in range(listed.count())
        }

    assert set(lines()) == {group_id, second}
    metrics = listed.fontMetrics()
    assert listed.width() > 256  # wider than Qt's default list, which cut names off
    wrap = Qt.TextFlag.TextWordWrap
    for row in range(listed.count()):  # every line whole: wrapped where need be, not cut off
        item = listed.item(row)
        room = listed.visualItemRect(item)
        needed = metrics.boundingRect(QRect(0, 0, room.width() - 8, 10_000), wrap, item.text())
        assert needed.height() <= room.height(), item.text()
    assert not any(t.startswith(LOGGED_MARK) for t in lines().values())
    assert page.group is not None and page.group.group_id == second
    page.model.mark_all_present()
    with qtbot.waitSignal(page.changed):
        assert page.save()
    page.loading.wait()  # type: ignore[union-attr]  # and the window's reload after it
    assert page.group is not None and page.group.group_id == second
    assert listed.currentItem().data(GROUP_ID_ROLE) == second
    assert page.group_title.text().startswith(long_name)
    shown = lines()
    assert shown[second] == f"{LOGGED_MARK}{long_name} — Precision teaching (1 pupil) — logged"
    assert shown[group_id] == "Y8 reading — Reading Recovery (8 pupils)"
    assert "logged on Monday 03/03/2025 by Ta" in listed.currentItem().toolTip()
