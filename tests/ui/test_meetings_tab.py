"""The "Meetings & parents" tab, driven as a user (issue 15): scheduling an annual review
with the 2-week notice warned of as the date is chosen, writing its invitation letter,
recording who came, and what staff who only read are offered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from sendesk.db import Database
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.graduated import meetings
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext
from sendesk.ui.graduated.meetings_tab import AttendanceDialog, MeetingsTab, ScheduleDialog
from sendesk.ui.kit.edit_table import editor_at
from sendesk.ui.register.status_dialog import to_qdate
from tests.services.meeting_school import KIND_ANNUAL, TODAY, MeetingSchool, draft, make_school
from tests.ui.views import cells, row_count, set_ticked


@pytest.fixture
def school(db: Database, senco: Actor) -> MeetingSchool:
    return make_school(db, senco)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the tab told the user (the message boxes are modal; read, then dismissed)."""
    seen: list[tuple[str, str]] = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda _p, _t, text, *_a, k=kind: seen.append((k, text))
        )
    return seen


def _tab(qtbot, school: MeetingSchool, actor: Actor, pupil: int) -> MeetingsTab:  # type: ignore[no-untyped-def]
    tab = MeetingsTab(AppContext(school.db, actor, school_info(school.db)), pupil, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def _choose_kind(dialog: ScheduleDialog, kind: str) -> None:
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))


def test_scheduling_an_annual_review_warns_of_the_notice_then_writes_its_letter(
    qtbot, school: MeetingSchool, monkeypatch: pytest.MonkeyPatch, messages, tmp_path: Path
) -> None:
    tab = _tab(qtbot, school, school.senco, school.ben)
    assert tab.empty_label.isVisibleTo(tab) and not tab.table.isVisibleTo(tab)
    warnings: list[str] = []

    def fill(dialog: ScheduleDialog) -> int:
        _choose_kind(dialog, KIND_ANNUAL)
        dialog.date_edit.setDate(to_qdate(TODAY + timedelta(days=10)))
        warnings.append(dialog.notice_label.text())
        assert not dialog.notice_label.isHidden()
        dialog.date_edit.setDate(to_qdate(TODAY + timedelta(days=21)))
        assert dialog.notice_label.isHidden() and dialog.notice_label.text() == ""
        assert dialog.views_edit.date() == to_qdate(TODAY + timedelta(days=16))
        dialog.place_edit.setText("Library")
        assert dialog.people.text(0, 1) == "Parent" and dialog.people.ticked(0, 2)
        editor_at(dialog.people, 0, 0).setText("Mrs Okafor")
        row = dialog.people.add_person()
        editor_at(dialog.people, row, 0).setText("Dr Green")
        editor_at(dialog.people, row, 1).setText("Educational psychologist (EP)")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        return dialog.result()

    monkeypatch.setattr(ScheduleDialog, "exec", fill)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["schedule"].click()
    assert warnings == [
        "The annual review meeting on 12/11/2026 is only 10 days away: invitations must go "
        "out at least 2 weeks before (reg 20), by 29/10/2026. Choose 16/11/2026 or later."
    ]
    assert cells(tab.table, 0) == [
        "23/11/2026",
        "3:30pm",
        "EHC plan annual review",
        "Library",
        "Booked: invitations not sent",
    ]
    detail = tab.detail_view.toPlainText()
    assert "Invitations not sent yet: send them by 09/11/2026." in detail
    assert "Dr Green (Educational psychologist (EP))" in detail
    assert tab.notice_label.isHidden()

    out = tmp_path / "letters"
    out.mkdir()
    suggested: list[str] = []

    def save_as(_parent, _title, name, _filter):  # type: ignore[no-untyped-def]
        suggested.append(name)
        return str(out / name), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["letter"].click()
    upn = make(801, 2000, 24, 2)  # Ben's (tests.services.meeting_school)
    assert suggested == [f"invitation-{upn}-2026-11-23.pdf"]
    pdf, word = out / suggested[0], out / f"invitation-{upn}-2026-11-23.docx"
    assert messages == [("information", f"Saved the letter to {pdf} and {word.name}.")]
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages).split())
    assert "Dear Mrs Okafor," in text and "Monday 23 November 2026 at 3:30pm" in text
    assert "Dear Mrs Okafor," in [p.text for p in docx.Document(str(word)).paragraphs]
    assert cells(tab.table, 0)[4] == "Invitations sent 02/11/2026"


def test_a_meeting_booked_too_late_shows_the_warning_on_the_tab(
    qtbot, school: MeetingSchool, messages
) -> None:
    meetings.schedule_meeting(
        school.db, school.senco, school.ben, draft(KIND_ANNUAL, 9), today=TODAY
    )
    tab = _tab(qtbot, school, school.senco, school.ben)
    assert tab.notice_label.text() == (
        "The annual review meeting on 11/11/2026 is only 9 days away: invitations must go "
        "out at least 2 weeks before (reg 20), by 28/10/2026. Choose 16/11/2026 or later."
    )
    assert not tab.notice_label.isHidden()
    assert tab.notice_label.text() in tab.detail_view.toPlainText()


def test_a_refused_booking_keeps_the_dialog_open_with_its_sentence(
    qtbot, school: MeetingSchool, messages
) -> None:
    dialog = ScheduleDialog(
        AppContext(school.db, school.senco, school_info(school.db)),
        school.amy,
        None,
        [("Mrs Nowak", "Mother")],
        today=TODAY,
    )
    qtbot.addWidget(dialog)
    assert (dialog.people.text(0, 0), dialog.people.text(0, 1)) == ("Mrs Nowak", "Mother")
    dialog.accept()
    assert messages == [("warning", "Say where the meeting is (the place).")]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert meetings.list_meetings(school.db, school.senco, school.amy) == []


def test_who_came_is_recorded_through_the_dialog(
    qtbot, school: MeetingSchool, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    meetings.schedule_meeting(
        school.db, school.senco, school.amy, draft(days=-2), today=TODAY - timedelta(days=20)
    )
    tab = _tab(qtbot, school, school.senco, school.amy)

    def record(dialog: AttendanceDialog) -> int:
        editor_at(dialog.table, 0, 3).setText("Reading every night now")
        set_ticked(dialog.table, 2, 2, False)
        row = dialog.add_row("Amy", "Pupil", True, "I like the reading group", False, None)
        assert row == 3
        dialog.notes_edit.setPlainText("Keep the word mat")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AttendanceDialog, "exec", record)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["record"].click()
    assert cells(tab.table, 0)[4] == "Held: 3 came"
    detail = tab.detail_view.toPlainText()
    assert "Mrs Nowak (Parent), came: “Reading every night now”" in detail
    assert "Dr Green (Educational psychologist (EP)), did not come" in detail
    assert "Amy (Pupil), came: “I like the reading group”" in detail
    assert not tab.buttons["letter"].isEnabled()


def test_a_teacher_reads_the_meetings_but_is_offered_only_the_documents(
    qtbot, school: MeetingSchool, messages
) -> None:
    meetings.schedule_meeting(school.db, school.senco, school.amy, draft(), today=TODAY)
    tab = _tab(qtbot, school, school.teacher, school.amy)
    assert row_count(tab.table) == 1
    assert set(tab.buttons) == {"summary", "profile_pdf"}
