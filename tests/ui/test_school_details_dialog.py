"""The School details dialog: the named contact and default staff rate the pack uses."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from sendesk.db import Database
from sendesk.services.actor import Actor
from sendesk.services.school.school_details import (
    SchoolDetails,
    save_school_details,
    school_details,
)
from sendesk.ui.school.school_details_dialog import SchoolDetailsDialog
from tests.ui.screens import context


def open_dialog(qtbot, db: Database, actor: Actor) -> SchoolDetailsDialog:
    dialog = SchoolDetailsDialog(context(db, actor))
    qtbot.addWidget(dialog)
    return dialog


@pytest.fixture(autouse=True)
def no_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        raise AssertionError(f"unexpected message: {text}")

    monkeypatch.setattr(QMessageBox, "warning", unexpected)


def test_the_senco_fills_in_the_schools_details(qtbot, db: Database, senco: Actor) -> None:
    dialog = open_dialog(qtbot, db, senco)
    assert not dialog.use_rate.isChecked() and not dialog.rate.isEnabled()
    dialog.senco_name.setText("Ms Priya Shah")
    dialog.senco_phone.setText("call me")
    assert dialog.problems_label.text() == (
        "The SENCo's phone number 'call me' is not a phone number."
    )
    assert not dialog.save_button.isEnabled()
    dialog.senco_phone.setText("01632 960 123")
    dialog.senco_email.setText("senco@school.example")
    dialog.head.setText("Mr Tom Reed")
    dialog.use_rate.setChecked(True)
    dialog.rate.setValue(19.99)
    dialog.dfe.setText("8014")
    assert dialog.problems_label.text().startswith("The DfE number '8014' is not 3 digits")
    dialog.dfe.setText("801/4000")
    assert dialog.problems_label.text() == "" and dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert school_details(db) == SchoolDetails(
        "Ms Priya Shah", "01632 960 123", "senco@school.example", "Mr Tom Reed", 1999, "801/4000"
    )


def test_saved_details_are_shown_and_the_rate_can_be_cleared(
    qtbot, db: Database, senco: Actor
) -> None:
    save_school_details(db, senco, SchoolDetails("Ms Shah", staff_rate_per_hour_pence=2150))
    dialog = open_dialog(qtbot, db, senco)
    assert dialog.senco_name.text() == "Ms Shah"
    assert dialog.use_rate.isChecked() and dialog.rate.value() == 21.5
    dialog.use_rate.setChecked(False)
    dialog.save_button.click()
    assert school_details(db).staff_rate_per_hour_pence is None
