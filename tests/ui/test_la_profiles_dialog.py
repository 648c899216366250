"""The local authorities' settings dialog, driven as a SENCo would: add, correct, reorder,
remove, and the questions asked before anything typed is lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from sendesk.db import Database
from sendesk.models import Role
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER, SECTION_TITLES
from sendesk.services.actor import Actor
from sendesk.services.ehc.la_profiles import (
    LaProfileData,
    la_rules,
    list_la_profiles,
    save_la_profile,
)
from sendesk.ui.ehc.la_profiles_dialog import LaProfilesDialog, pounds_to_pence
from tests.factories import make_user
from tests.ui.dialogs import answer_question
from tests.ui.screens import context

pytestmark = pytest.mark.usefixtures("no_unexpected_questions")


def open_dialog(qtbot, db: Database, actor: Actor) -> LaProfilesDialog:
    dialog = LaProfilesDialog(context(db, actor))
    qtbot.addWidget(dialog, before_close_func=lambda d: setattr(d, "saved_state", d._state()))
    return dialog


def shown_sections(dialog: LaProfilesDialog) -> list[str]:
    lst = dialog.sections.list
    return [lst.item(i).text() for i in range(lst.count())]


def test_money_in_pounds_is_kept_in_pence() -> None:
    assert pounds_to_pence(6000.0) == 600_000
    assert pounds_to_pence(25.5) == 2550
    assert pounds_to_pence(19.99) == 1999  # no float slip to 1998


def test_add_settings_for_an_la(qtbot, db, senco, warnings) -> None:
    dialog = open_dialog(qtbot, db, senco)
    assert dialog.list.count() == 0
    assert "expect 2 reviewed support-plan cycles" in dialog.intro.text()
    assert not dialog.save_button.isEnabled()
    assert dialog.problems_label.text() == "The local authority has no name."

    dialog.name.setText("Kent")
    dialog.cycles.setValue(3)
    dialog.report_age.setValue(18)
    dialog.threshold.setValue(6000.0)
    dialog.use_rate.setChecked(True)
    dialog.rate.setValue(25.5)
    dialog.weeks.setValue(39)
    # Views first: select it and move it up with the keyboard, then once more with a button.
    lst = dialog.sections.list
    lst.setCurrentRow(DEFAULT_SECTION_ORDER.index("views"))
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert lst.currentRow() == 0
    assert shown_sections(dialog)[:2] == [SECTION_TITLES["views"], SECTION_TITLES["about"]]
    assert not dialog.sections.up_button.isEnabled()
    dialog.sections.down_button.click()
    dialog.sections.up_button.click()
    assert dialog.save_button.isEnabled()
    assert dialog.problems_label.isHidden()
    dialog.save_button.click()

    assert warnings == []
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Kent"]
    rules = la_rules(db, "Kent")
    assert rules.reviewed_cycles == 3
    assert rules.report_max_age_months == 18
    assert rules.notional_threshold == Decimal("6000")
    assert rules.staff_rate_per_hour == Decimal("25.50")
    assert rules.weeks_per_year == 39
    assert rules.section_order[:2] == ("views", "about")
    assert not dialog.save_button.isEnabled()  # saved: nothing to save until a change


def test_correct_a_profile_and_the_list_shows_its_values(qtbot, db, senco, warnings) -> None:
    save_la_profile(db, senco, None, None, LaProfileData("Kent", report_max_age_months=18))
    save_la_profile(
        db,
        senco,
        None,
        None,
        LaProfileData("Medway", staff_rate_per_hour_pence=2400, weeks_per_year=39),
    )
    dialog = open_dialog(qtbot, db, senco)
    names = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert sorted(names) == ["Kent", "Medway"]
    dialog.list.setCurrentRow(names.index("Medway"))
    assert dialog.name.text() == "Medway"
    assert dialog.use_rate.isChecked() and dialog.rate.value() == 24.0
    assert dialog.weeks.value() == 39
    dialog.list.setCurrentRow(names.index("Kent"))
    assert dialog.report_age.value() == 18
    assert not dialog.use_rate.isChecked() and not dialog.rate.isEnabled()
    dialog.report_age.setValue(12)
    dialog.save_button.click()
    assert warnings == []
    assert la_rules(db, "Kent").report_max_age_months == 12


def test_a_second_profile_with_the_same_name_is_pointed_out(qtbot, db, senco) -> None:
    save_la_profile(db, senco, None, None, LaProfileData("Kent"))
    dialog = open_dialog(qtbot, db, senco)
    dialog.new_button.click()
    assert dialog.name.text() == "" and dialog.list.currentRow() == -1
    dialog.name.setText("kent")
    assert "There are settings for kent already" in dialog.problems_label.text()
    assert not dialog.save_button.isEnabled()


def test_unsaved_changes_are_asked_about_before_switching(qtbot, db, senco, monkeypatch) -> None:
    save_la_profile(db, senco, None, None, LaProfileData("Kent"))
    save_la_profile(db, senco, None, None, LaProfileData("Medway"))
    dialog = open_dialog(qtbot, db, senco)
    first = dialog.name.text()
    dialog.cycles.setValue(4)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    dialog.list.setCurrentRow(1)
    assert len(asked) == 1 and "Save the changes" in asked[0]
    assert dialog.name.text() == first and dialog.cycles.value() == 4  # stayed, edits kept
    assert dialog.list.currentRow() == 0
    answer_question(monkeypatch, QMessageBox.StandardButton.Save)
    dialog.list.setCurrentRow(1)
    assert la_rules(db, first).reviewed_cycles == 4
    assert dialog.name.text() != first


def test_remove_asks_first(qtbot, db, senco, monkeypatch) -> None:
    save_la_profile(db, senco, None, None, LaProfileData("Kent"))
    dialog = open_dialog(qtbot, db, senco)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    dialog.remove_button.click()
    assert "Remove the settings for Kent?" in asked[0]
    assert [p.name for p in list_la_profiles(db, senco)] == ["Kent"]
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    assert list_la_profiles(db, senco) == []
    assert dialog.list.count() == 0 and dialog.name.text() == ""
    assert not dialog.remove_button.isEnabled()


def test_a_teacher_is_told_no_in_one_sentence(qtbot, db, senco, warnings) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    dialog = open_dialog(qtbot, db, teacher)
    dialog.name.setText("Kent")
    dialog.save_button.click()
    assert len(warnings) >= 1
    assert warnings[-1].endswith(".") and "\n" not in warnings[-1]
    assert list_la_profiles(db, senco) == []


def test_the_senco_opens_it_from_the_file_menu(qtbot, db, senco, monkeypatch) -> None:
    from sendesk.ui.main_window import MainWindow

    opened: list[LaProfilesDialog] = []
    monkeypatch.setattr(LaProfilesDialog, "exec", lambda d: opened.append(d) or 0)
    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    [action] = [a for a in window.menuBar().actions()[0].menu().actions() if "Local" in a.text()]
    assert action.text() == "&Local authorities…"
    action.trigger()
    assert len(opened) == 1

    teacher = make_user(db, "teacher", Role.TEACHER)
    other = MainWindow(context(db, teacher))
    qtbot.addWidget(other)
    texts = [a.text() for a in other.menuBar().actions()[0].menu().actions()]
    assert "&Local authorities…" not in texts
