"""The pupil window: editing and saving, unsaved-change safety, status changes, roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.plans import list_plans, record_plan
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.pupil_record import CONFLICT, ContactData, add_contact, get_record
from sendesk.services.register.pupil_record import update_profile as service_update_profile
from sendesk.services.register.register import change_status, void_entry
from sendesk.ui.pupil_window import PupilWindow, open_pupil_window
from sendesk.ui.register.pupil_history import VoidDialog
from sendesk.ui.register.pupil_tabs import LAZY_TABS, PLACEHOLDERS
from sendesk.ui.register.status_dialog import StatusDialog
from tests.factories import admit_pupil, make_user, works_with
from tests.ui.dialogs import answer_question
from tests.ui.labels import unlabelled
from tests.ui.screens import context
from tests.ui.views import all_cells, cells, foreground, row_count

Opener = Callable[[Actor], PupilWindow]


def make_pupil(db: Database, actor: Actor) -> int:
    pid = admit_pupil(
        db,
        actor,
        7,
        "Grace",
        surname="Hopper",
        dob=date(2012, 12, 9),
        upn_year=23,
        reg_group="8H",
        admission_date=date(2023, 9, 4),
    )
    change_status(db, actor, pid, "K", ["SPLD"], date(2024, 1, 8), "Dyslexia screen")
    add_contact(db, actor, pid, ContactData("Mrs Hopper", "Mother", True))
    return pid


@pytest.fixture
def pupil_id(db: Database, senco: Actor) -> int:
    return make_pupil(db, senco)


def _discard(window: QWidget) -> None:
    """Drop leftover edits so closing at teardown never waits on a question."""
    if isinstance(window, PupilWindow) and window.is_dirty:
        window.reload(forms=True)


@pytest.fixture
def open_window(qtbot, db: Database, pupil_id: int) -> Opener:
    """Opens the pupil's window as a given actor."""

    def opener(actor: Actor) -> PupilWindow:
        window = PupilWindow(context(db, actor), pupil_id)
        qtbot.addWidget(window, before_close_func=_discard)
        with qtbot.waitActive(window):  # window shortcuts (Ctrl+S) reach the active window
            window.show()
            window.activateWindow()
        return window

    return opener


# --- the SENCo edits ----------------------------------------------------------------------


def test_senco_edits_a_field_and_ctrl_s_saves(qtbot, open_window, senco, db, pupil_id) -> None:
    window = open_window(senco)
    assert window.windowTitle() == "Grace Hopper — SENDesk"
    assert window.save_button is not None and not window.save_button.isEnabled()
    reg = window.fields["reg_group"]
    reg.setFocus()
    reg.selectAll()
    qtbot.keyClicks(reg, "8Q")
    assert window.is_dirty and window.save_button.isEnabled()

    qtbot.keyClick(reg, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert get_record(db, senco, pupil_id).reg_group == "8Q"
    assert not window.is_dirty and not window.save_button.isEnabled()
    assert window.version == get_record(db, senco, pupil_id).version == 2


def test_need_profile_and_new_area_are_saved(qtbot, open_window, senco, db, pupil_id) -> None:
    window = open_window(senco)
    assert list(window.area_editors) == ["Cognition and learning"]  # from SPLD
    window.tabs.setCurrentIndex(1)
    qtbot.keyClicks(window.area_editors["Cognition and learning"].edits["strategies"], "Cards")
    combo = window.add_area_combo
    combo.setCurrentIndex(combo.findData("Social, emotional and mental health"))
    window.add_area_button.click()
    semh = window.area_editors["Social, emotional and mental health"]
    assert semh.edits["strengths"].hasFocus()
    qtbot.keyClicks(semh.edits["strengths"], "Kind to peers")
    window.save_button.click()

    record = get_record(db, senco, pupil_id)
    assert record.profile_for("Cognition and learning").strategies == "Cards"
    assert record.profile_for("Social, emotional and mental health").strengths == "Kind to peers"
    assert not window.is_dirty


def test_dirty_close_asks_and_cancel_keeps_the_window(
    qtbot, open_window, senco, db, pupil_id, monkeypatch
) -> None:
    window = open_window(senco)
    window.fields["looked_after"].setChecked(True)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked and "before closing" in asked[0]
    assert window.isVisible() and window.is_dirty

    answer_question(monkeypatch, QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible()
    assert get_record(db, senco, pupil_id).looked_after is False


def test_dirty_close_can_save(qtbot, open_window, senco, db, pupil_id, monkeypatch) -> None:
    window = open_window(senco)
    window.fields["year_group"].setCurrentIndex(window.fields["year_group"].findData(9))
    answer_question(monkeypatch, QMessageBox.StandardButton.Save)
    window.close()
    assert not window.isVisible()
    assert get_record(db, senco, pupil_id).year_group == 9


def test_clean_close_does_not_ask(qtbot, open_window, senco, monkeypatch) -> None:
    window = open_window(senco)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked == [] and not window.isVisible()


def test_someone_else_saving_first_is_told_and_reloaded(
    qtbot, open_window, senco, db, pupil_id, warnings
) -> None:
    window = open_window(senco)
    service_update_profile(db, senco, pupil_id, 1, reg_group="8Z")  # another SENCo, elsewhere
    window.fields["reg_group"].setText("8Q")
    assert window.save() is False
    assert warnings == [CONFLICT]
    assert window.fields["reg_group"].text() == "8Z"
    assert not window.is_dirty


def test_invalid_value_is_refused_in_one_sentence_and_kept(
    qtbot, open_window, senco, warnings
) -> None:
    window = open_window(senco)
    window.fields["nhs_number"].setText("9434765918")
    assert "not a valid NHS number" in window.nhs_hint.text()
    assert window.save() is False
    assert len(warnings) == 1 and "check digit" in warnings[0]
    assert window.fields["nhs_number"].text() == "9434765918" and window.is_dirty


def test_add_contact_through_its_dialog(qtbot, open_window, senco, db, pupil_id, monkeypatch):
    from sendesk.ui.register.pupil_forms import ContactDialog

    def fill(dialog: ContactDialog) -> int:
        qtbot.keyClicks(dialog.name, "Mr Hopper")
        qtbot.keyClicks(dialog.phone, "01234 567890")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "exec", fill)
    window = open_window(senco)
    with qtbot.waitSignal(window.changed):
        window.add_contact_button.click()
    assert [c.name for c in get_record(db, senco, pupil_id).contacts] == [
        "Mrs Hopper",
        "Mr Hopper",
    ]
    assert row_count(window.contacts_table) == 2


# --- SEN status ---------------------------------------------------------------------------


def test_change_status_by_keyboard_shows_in_history(
    qtbot, open_window, senco, db, pupil_id, monkeypatch
):
    window = open_window(senco)
    window.tabs.setCurrentIndex(1)
    seen: list[StatusDialog] = []

    def drive(dialog: StatusDialog) -> int:
        """Stands in for the modal loop: the user works the dialog with the keyboard."""
        seen.append(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()

        def press(key: Qt.Key) -> None:
            """A key to whatever has the dialog's focus (offscreen, windows stay inactive)."""
            qtbot.keyClick(dialog.focusWidget(), key)

        assert dialog.focusWidget() is dialog.provision_combo
        assert not dialog.ok_button.isEnabled()  # nothing changed, no reason yet
        press(Qt.Key.Key_E)  # E — EHC plan
        press(Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.primary_combo  # SPLD kept
        press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_A)  # ASD
        press(Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.third_combo
        press(Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.date_edit  # today, as it should be
        for _ in range(3):  # Tab steps through day, month and year, then moves on
            press(Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.reason_edit
        qtbot.keyClicks(dialog.reason_edit, "EHC plan issued by the LA")
        assert (dialog.provision, dialog.needs) == ("E", ["SPLD", "ASD"])
        # No plan is recorded yet: E asks for its issue date and LA, next in the Tab order.
        assert dialog.plan_box.isVisible()
        press(Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.plan_date_edit  # today, the school's LA
        assert dialog.plan_la.currentText() == "Testshire"
        assert dialog.ok_button.isEnabled(), dialog.problems_label.text()
        qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Space)
        return dialog.result()

    monkeypatch.setattr(StatusDialog, "exec", drive)
    with qtbot.waitSignal(window.changed, timeout=1000):
        window.change_status_button.click()

    assert seen
    table = window.history_table
    top = cells(table, 0)
    assert top == [
        f"{date.today():%d/%m/%Y}",
        "SEN status",
        "SEN support (K)",
        "Education, health and care plan (E)",
        "EHC plan issued by the LA",
        "Ms Senco",
    ]
    second = cells(table, 1)
    assert second[1:5] == ["Type of need", "SPLD", "SPLD, ASD", "EHC plan issued by the LA"]
    assert "Education, health and care plan (E)" in window.status_label.text()
    (plan,) = list_plans(db, senco, pupil_id)
    assert (plan.issued_on, plan.la_name) == (date.today(), "Testshire")
    assert row_count(window.needs_table) == 2
    assert "Communication and interaction" in window.area_editors  # ASD's area appears


def open_status_dialog(
    qtbot,
    db: Database,
    senco: Actor,
    pupil_id: int,
    *,
    today: date = date(2024, 6, 3),
    show: bool = True,
) -> StatusDialog:
    """The SEN status dialog as the SENCo opens it on ``today`` for the pupil on SEN support
    (K) for SPLD since 8 January 2024; shown on screen unless ``show`` is False."""
    ctx = context(db, senco)
    dialog = StatusDialog(ctx, pupil_id, "K", ["SPLD"], date(2024, 1, 8), today=today)
    qtbot.addWidget(dialog)
    if show:
        dialog.show()
    return dialog


def test_status_dialog_checks_as_the_user_edits(qtbot, db, senco, pupil_id) -> None:
    dialog = open_status_dialog(qtbot, db, senco, pupil_id, today=date(2024, 6, 1), show=False)
    assert dialog.date_edit.calendarPopup()
    assert dialog.date_edit.maximumDate().toPython() == date(2024, 6, 1)
    assert dialog.date_edit.minimumDate().toPython() == date(2024, 1, 8)

    dialog.provision_combo.setCurrentIndex(dialog.provision_combo.findData("N"))
    assert all(not c.isEnabled() for c in dialog.need_combos)
    assert dialog.needs == []
    assert "Give a reason for the change." in dialog.problems_label.text()
    assert not dialog.ok_button.isEnabled()

    dialog.provision_combo.setCurrentIndex(dialog.provision_combo.findData("E"))
    dialog.reason_edit.setPlainText("Plan issued")
    assert dialog.primary_combo.currentData() is None  # N cleared the needs
    assert "needs at least one type of need" in dialog.problems_label.text()
    dialog.primary_combo.setCurrentIndex(dialog.primary_combo.findData("NSA"))
    assert "NSA can only be used with SEN support" in dialog.problems_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.primary_combo.setCurrentIndex(dialog.primary_combo.findData("SLCN"))
    assert not dialog.third_combo.isEnabled()
    dialog.secondary_combo.setCurrentIndex(dialog.secondary_combo.findData("SLCN"))
    assert "SLCN is recorded twice" in dialog.problems_label.text()
    dialog.secondary_combo.setCurrentIndex(dialog.secondary_combo.findData("SEMH"))
    assert dialog.third_combo.isEnabled()
    assert dialog.ok_button.isEnabled() and dialog.problems_label.text() == ""


def test_status_dialog_asks_for_the_plan_only_when_none_is_recorded(
    qtbot, db, senco, pupil_id, warnings
) -> None:
    """E means an EHC plan (census code E): without a recorded plan the dialog asks for its
    issue date and LA and records both in one step; with one it asks nothing more."""
    dialog = open_status_dialog(qtbot, db, senco, pupil_id)
    assert not dialog.plan_box.isVisible()
    dialog.provision_combo.setCurrentIndex(dialog.provision_combo.findData("E"))
    dialog.reason_edit.setPlainText("Final plan issued")
    assert dialog.plan_box.isVisible()
    dialog.date_edit.setDate(QDate(2024, 5, 31))
    assert "The change to E cannot be before the EHC plan was issued (03/06/2024)." in (
        dialog.problems_label.text()
    )
    dialog.plan_date_edit.setDate(QDate(2024, 5, 20))
    dialog.plan_la.setCurrentText("")
    assert dialog.problems_label.text() == "Give the local authority that issued the EHC plan."
    assert not dialog.ok_button.isEnabled()
    dialog.plan_la.setCurrentText("Testshire")
    assert dialog.ok_button.isEnabled(), dialog.problems_label.text()
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and warnings == []
    (plan,) = list_plans(db, senco, pupil_id, today=date(2024, 6, 3))
    assert (plan.issued_on, plan.la_name) == (date(2024, 5, 20), "Testshire")
    record = get_record(db, senco, pupil_id)
    assert (record.provision, record.provision_since) == ("E", date(2024, 5, 31))


def test_status_dialog_with_a_recorded_plan_asks_nothing_more(qtbot, db, senco, pupil_id):
    record_plan(
        db, senco, pupil_id, PlanData(date(2024, 5, 20), "Testshire"), today=date(2024, 6, 3)
    )
    dialog = open_status_dialog(qtbot, db, senco, pupil_id)
    dialog.provision_combo.setCurrentIndex(dialog.provision_combo.findData("E"))
    dialog.reason_edit.setPlainText("Final plan issued")
    assert not dialog.plan_box.isVisible() and dialog.plan is None
    assert dialog.ok_button.isEnabled(), dialog.problems_label.text()


def test_status_dialog_says_who_changed_the_status_meanwhile_and_saves_nothing(
    qtbot, db, senco, pupil_id, warnings
) -> None:
    """Two SENCos at once (issue 12): the second to press OK is told who changed the status
    and when, nothing of theirs is written, and the dialog shows what is recorded now."""
    other = make_user(db, "mrsecond", Role.SENCO)
    dialog = open_status_dialog(qtbot, db, senco, pupil_id)
    dialog.provision_combo.setCurrentIndex(dialog.provision_combo.findData("N"))
    dialog.reason_edit.setPlainText("Made good progress")
    assert dialog.ok_button.isEnabled(), dialog.problems_label.text()

    change_status(db, other, pupil_id, "K", ["SPLD", "SEMH"], date(2024, 5, 1), "SALT report")
    dialog.ok_button.click()

    assert len(warnings) == 1
    assert re.fullmatch(
        r"This pupil's SEN status was changed by Mrsecond at \d\d:\d\d on \d\d/\d\d/\d{4} "
        r"— reload to see it; nothing was saved\.",
        warnings[0],
    ), warnings[0]
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    record = get_record(db, senco, pupil_id)
    assert (record.provision, record.need_codes) == ("K", ("SPLD", "SEMH"))
    assert "Made good progress" not in {h.reason for h in record.history}
    assert dialog.now_label.isVisible()
    assert dialog.now_label.text() == "Recorded now: SEN support (K), needs SPLD, SEMH."
    # What the user chose is kept; knowing what is recorded now, they may still make it.
    assert (dialog.provision, dialog.reason) == ("N", "Made good progress")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and len(warnings) == 1
    assert get_record(db, senco, pupil_id).provision == "N"


def test_status_dialog_opened_from_an_old_record_shows_the_status_now(
    qtbot, db, senco, pupil_id
) -> None:
    """A window opened before someone else's change passes the old status: the dialog reads
    the register itself, so it starts from (and says it saw) what is recorded."""
    change_status(db, senco, pupil_id, "N", [], date(2024, 3, 1), "Made good progress")
    dialog = open_status_dialog(qtbot, db, senco, pupil_id, show=False)
    assert (dialog.provision, dialog.needs) == ("N", [])
    assert dialog.date_edit.minimumDate().toPython() == date(2024, 3, 1)
    assert "nothing has changed yet" in dialog.problems_label.text()


# --- voiding a mistaken entry --------------------------------------------------------------


def test_senco_voids_a_mistaken_entry_from_the_history(
    qtbot, open_window, senco, db, pupil_id, monkeypatch, warnings
) -> None:
    """K, then E by mistake, then back to K: voiding the E makes the pupil "SEN support
    since" the first K again, and the SENCo still sees the E, greyed, with who and why."""
    plan = PlanData(date(2024, 3, 1), "Testshire")
    change_status(db, senco, pupil_id, "E", ["SPLD"], date(2024, 3, 1), "Plan", plan=plan)
    change_status(db, senco, pupil_id, "K", ["SPLD"], date(2024, 3, 8), "Wrong pupil")
    window = open_window(senco)
    assert "SEN support (K) since 08/03/2024" in window.header.text()
    table = window.history_table
    assert window.void_button is not None and not window.void_button.isEnabled()
    mistake = next(r for r in range(row_count(table)) if cells(table, r)[3].endswith("(E)"))
    table.selectRow(mistake)
    assert window.void_button.isEnabled()

    def fill(dialog: VoidDialog) -> int:
        assert not dialog.ok_button.isEnabled()  # a reason is required
        qtbot.keyClicks(dialog.reason_edit, "Recorded on the wrong pupil")
        assert dialog.ok_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(VoidDialog, "exec", fill)
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.changed, timeout=1000):
        window.void_button.click()

    assert asked and asked[0].startswith("Void the change to Education, health and care plan")
    assert warnings == []
    assert "SEN support (K) since 08/01/2024" in window.header.text()
    rows = all_cells(table)
    voided = [r for r in rows if r[1] == "SEN status (voided)"]
    assert len(voided) == 1
    assert voided[0][0] == "01/03/2024"
    assert voided[0][4].startswith("Voided by Ms Senco on ")
    assert ": Recorded on the wrong pupil. Recorded as: Plan" in voided[0][4]
    grey = window.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    row = rows.index(voided[0])
    assert foreground(table, row, 0) == grey.color()
    table.selectRow(row)
    assert not window.void_button.isEnabled()  # already voided
    # The correction back to K is no change any more: the history reads K since January.
    assert not any(r[1] == "SEN status" and r[0] == "08/03/2024" for r in rows)


def test_a_void_on_an_out_of_date_window_is_refused_with_who_and_when(
    qtbot, open_window, senco, db, pupil_id, monkeypatch, warnings
) -> None:
    """Another SENCo changed the register after this window was opened: voiding from the
    stale history is refused in one sentence naming them, and nothing is voided (issue 12)."""
    plan = PlanData(date(2024, 3, 1), "Testshire")
    change_status(db, senco, pupil_id, "E", ["SPLD"], date(2024, 3, 1), "Plan", plan=plan)
    window = open_window(senco)
    other = make_user(db, "senco2", Role.SENCO)
    change_status(db, other, pupil_id, "E", ["SPLD", "SLCN"], date(2024, 4, 1), "Needs")
    table = window.history_table
    table.selectRow(next(r for r in range(row_count(table)) if cells(table, r)[3].endswith("(E)")))
    monkeypatch.setattr(VoidDialog, "exec", lambda d: (d.reason_edit.setPlainText("Oops"), 1)[1])
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    window.void_button.click()
    assert len(warnings) == 1 and "was changed by" in warnings[0] and "reload" in warnings[0]
    record = get_record(db, senco, pupil_id)
    assert record.provision == "E" and not [h for h in record.history if h.voided]


def test_no_void_button_or_voided_rows_for_other_staff(qtbot, open_window, senco, db, pupil_id):
    change_status(db, senco, pupil_id, "N", [], date(2024, 3, 8), "Typed on the wrong pupil")
    record = get_record(db, senco, pupil_id)
    status = next(h for h in record.history if h.on == date(2024, 3, 8) and h.kind == "status")
    assert status.entry_id is not None
    void_entry(db, senco, status.entry_id, "Wrong pupil")
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    window = open_window(teacher)
    assert window.void_button is None
    texts = [row[1] for row in all_cells(window.history_table)]
    assert "SEN status (voided)" not in texts
    assert "SEN support (K) since 08/01/2024" in window.header.text()


# --- roles and layout ---------------------------------------------------------------------


def build_every_tab(window: PupilWindow) -> None:
    """Show each tab once, so each is made (they are made when first shown)."""
    for key, *_rest in LAZY_TABS:
        window.show_tab(key)
    window.show_tab("profile")


def test_teacher_sees_the_record_read_only(qtbot, open_window, db, pupil_id) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    window = open_window(teacher)
    build_every_tab(window)
    buttons = [b.text() for b in window.findChildren(QPushButton)]
    # reading evidence documents and saving the passport are allowed, and the parents'
    # summary and the one-page profile beside it (issue 15); the record itself is not
    # edited — a teacher's one write is a cause for concern and its evidence (issue 15)
    assert sorted(buttons) == sorted(
        [
            "&Open",
            "Pupil pass&port (PDF)…",
            "Close",
            "Parents' s&ummary…",
            "E&xport the one-page profile (PDF)…",
            "&Raise a concern…",
            "Add &evidence…",
        ]
    )
    assert window.save_button is None and window.change_status_button is None
    assert window.add_contact_button is None and window.add_area_combo is None
    assert window.fields["reg_group"].text() == "8H"
    assert all(f.isReadOnly() for f in window.fields.values())
    assert all(e.isReadOnly() for a in window.area_editors.values() for e in a.edits.values())
    assert row_count(window.history_table) == 3
    assert cells(window.contacts_table, 0)[0] == "Mrs Hopper"
    assert not window.is_dirty


def test_read_only_account_cannot_open_a_record(qtbot, db, pupil_id, warnings) -> None:
    governor = make_user(db, "governor", Role.READ_ONLY)
    ctx = context(db, governor)
    with pytest.raises(PermissionDeniedError):
        PupilWindow(ctx, pupil_id)
    assert open_pupil_window(ctx, pupil_id) is None
    assert warnings and "cannot see a pupil's record" in warnings[0]


def test_placeholder_tabs_say_what_comes_later(qtbot, open_window, senco) -> None:
    window = open_window(senco)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [
        "&Profile",
        "&Needs",
        "Register &history",
        "C&oncerns",
        "Support p&lans",
        "&Interventions",
        "Agencies && e&vidence",
        "Pro&gress",
        "A&ccess arrangements",
        "&EHC plan",
        "Meetings && pa&rents",
    ]
    for index, (title, sentence) in enumerate(PLACEHOLDERS.items(), start=8):
        page = window.tabs.widget(index)
        assert page.objectName() == f"placeholder:{title}"
        assert "later version" in sentence
        assert sentence in [
            label.text() for label in page.findChildren(QWidget) if hasattr(label, "text")
        ]
        assert page.findChildren(QAbstractButton) == []


@pytest.mark.parametrize("as_senco", [True, False])
def test_every_control_has_an_accessible_name(
    qtbot, open_window, senco, db, pupil_id, as_senco
) -> None:
    actor = senco if as_senco else make_user(db, "ta", Role.LEARNING_SUPPORT)
    works_with(db, actor, pupil_id)
    window = open_window(actor)
    build_every_tab(window)
    kinds = (QLineEdit, QComboBox, QCheckBox, QPlainTextEdit, QDateEdit, QPushButton, QTableView)
    assert unlabelled(window, kinds) == []


def test_passport_button_saves_a_pdf(qtbot, open_window, senco, tmp_path, monkeypatch) -> None:
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    window = open_window(senco)
    dest = tmp_path / "passport.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    window.passport_button.click()
    assert told == [f"Saved the pupil passport to {dest}."]
    text = PdfReader(dest).pages[0].extract_text()
    assert window.record.legal_surname in text


def test_opens_on_the_tab_asked_for_at_a_size_showing_every_tab(qtbot, db, senco, pupil_id):
    """open_pupil_window(..., tab=...) shows that tab (Profile for none or an unknown one);
    the window is bigger than Qt's 632×666 and within the screen's available area, and on
    a screen with room every tab's title shows (no scroll arrows)."""
    from PySide6.QtCore import QSize

    from sendesk.ui.register.pupil_tabs import TAB_TITLES

    ctx = context(db, senco)
    for tab, title in [*TAB_TITLES.items(), (None, "Profile"), ("nonsense", "Profile")]:
        window = open_pupil_window(ctx, pupil_id, tab=tab)
        assert window is not None
        qtbot.addWidget(window)
        shown = window.tabs.tabText(window.tabs.currentIndex())
        assert shown.replace("&&", "\0").replace("&", "").replace("\0", "&") == title
        window.close()
    room = window.screen().availableGeometry()
    assert 632 < window.width() <= room.width() and 666 < window.height() <= room.height()
    window.fit_to_screen(QSize(1920, 1040))
    window.show()
    bar = window.tabs.tabBar()
    qtbot.waitUntil(lambda: bar.width() >= bar.sizeHint().width())
    page = window.tabs.widget(0)
    assert page.widget().height() <= page.viewport().height()  # the profile: no scrolling


def test_tabs_are_made_when_first_shown(qtbot, db, senco, pupil_id) -> None:
    """Opening a pupil reads the record only: every other tab is made (and reads its part)
    the first time it is shown. Opening on a tab, as "what's due" does, makes that one."""
    from sendesk.ui.ehc.ehc_tab import EhcTab
    from sendesk.ui.graduated.support_plans_tab import SupportPlansTab

    window = open_pupil_window(context(db, senco), pupil_id, tab="ehc")
    assert window is not None
    qtbot.addWidget(window, before_close_func=_discard)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert isinstance(window.tabs.currentWidget(), EhcTab)
    assert [key for key, *_rest in LAZY_TABS if window.is_built(key)] == ["ehc"]
    assert window.findChildren(SupportPlansTab) == []

    bar = window.tabs.tabBar()
    plans = [t.replace("&", "") for t in titles].index("Support plans")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(plans).center())
    shown = window.tabs.currentWidget()
    assert isinstance(shown, SupportPlansTab) and window.tabs.currentIndex() == plans
    assert shown.isVisible()
    assert [key for key, *_rest in LAZY_TABS if window.is_built(key)] == ["plans", "ehc"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == titles
    window.show_tab("ehc")  # made once: the same tab again
    assert window.findChildren(EhcTab) == [window.tabs.currentWidget()]
