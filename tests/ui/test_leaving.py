"""Marking a pupil as leaving from the pupil window (issue 15): the destination and its
DfE number, checked as typed; the record then shows where the pupil goes and when the
SEN file is due, and what's due asks for it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from sendesk.models import Role
from sendesk.services.due import due_items
from sendesk.services.register.pupil_record import get_record
from sendesk.services.staff.users import create_user, sign_in
from sendesk.services.transfer.leavers import leaver_status
from sendesk.ui.pupil_window import PupilWindow
from sendesk.ui.transfer.leaving import LeavingDialog
from tests.factories import add_test_pupil, works_with
from tests.ui.screens import context, on_screen

LEAVES = date(2026, 12, 18)  # a Friday: 15 weekdays on is Friday 8 January


def _window(qtbot, db, actor, pupil_id: int) -> PupilWindow:
    return on_screen(qtbot, PupilWindow(context(db, actor), pupil_id))


def test_the_senco_records_leaving_and_the_record_shows_it(qtbot, db, senco) -> None:
    pid = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    window = _window(qtbot, db, senco, pid)
    panel = window.leaving_panel
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    assert panel.state.text() == "Not recorded as leaving."

    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LeavingDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        dialog.school.setText("Hill Academy")
        dialog.dfe.setText("80/4001")  # one digit short
        seen.append(dialog.dfe_hint.text())
        seen.append(str(ok.isEnabled()))
        dialog.dfe.setText("801 4001")
        seen.append(str(ok.isEnabled()))
        dialog.on.setDate(LEAVES)
        ok.click()

    QTimer.singleShot(0, fill)
    panel.leaving_button.click()  # modal until saved on the worker
    assert seen == [
        "The destination's '80/4001' is not a DfE number: 3 digits for the LA and 4 for the "
        "school, e.g. 801/4000.",
        "False",
        "True",
    ]
    qtbot.waitUntil(lambda: "Hill Academy" in panel.state.text(), timeout=10_000)
    assert panel.state.text() == (
        "Leaving on 18/12/2026 for Hill Academy (DfE 801/4001). SEN file not sent yet: due "
        "by 08/01/2027 (15 school days, weekdays counted)."
    )
    record = get_record(db, senco, pid)
    assert record.leaving_date == LEAVES
    assert window.record.version == record.version  # the window re-read the record
    [item] = [i for i in due_items(db, senco, today=LEAVES) if i.kind == "SEN file"]
    assert (item.pupil_id, item.due) == (pid, date(2027, 1, 8))


def test_a_refusal_keeps_the_dialog_open_with_its_sentence(qtbot, db, senco) -> None:
    pid = add_test_pupil(db, senco, 2, admission_date=date(2024, 9, 1))
    dialog = on_screen(qtbot, LeavingDialog(context(db, senco), leaver_status(db, senco, pid)))
    dialog.on.setDate(date(2024, 8, 1))  # before the pupil joined
    dialog.save()
    qtbot.waitUntil(lambda: dialog.op is None and dialog.message.text() != "", timeout=10_000)
    assert dialog.message.text() == (
        "The leaving date 01/08/2024 is before the pupil joined (01/09/2024)."
    )
    assert dialog.isVisible() and get_record(db, senco, pid).leaving_date is None


def test_a_teacher_sees_no_leaving_panel(qtbot, db, senco) -> None:
    pid = add_test_pupil(db, senco, 3)
    create_user(db, senco, "t1", "Mr Teacher", Role.TEACHER, "teacher123")
    teacher = sign_in(db, "t1", "teacher123")
    works_with(db, teacher, pid)
    window = _window(qtbot, db, teacher, pid)
    assert window.leaving_panel.isHidden() and window.leaving_panel.loading is None
