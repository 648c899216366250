"""My classes: a teacher logs normal-way-of-working evidence for a whole class in one go."""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import AuditEvent, NwwEvidence
from sendesk.services.access.arrangement_edits import set_arrangement_status
from sendesk.services.access.nww import list_nww, record_nww
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import NwwData
from sendesk.services.actor import Actor
from sendesk.ui.access.class_evidence_page import ClassEvidencePage, EvidenceLine, refusal_text
from sendesk.ui.kit.dates import to_qdate
from tests.ui.views import cells, row_count

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_school import TODAY, School, make_school
from test_accessibility import unnamed_controls

from tests.ui.screens import context


@pytest.fixture
def school(db: Database, senco: Actor) -> School:
    return make_school(db, senco)


def settled(page: ClassEvidencePage) -> None:
    """Wait for every read the page has asked the worker for (the classes, then the
    entries of the row shown); the worker runs them in order."""
    while not page.loading.done:
        page.loading.wait()


def make_page(qtbot, db: Database, actor: Actor) -> ClassEvidencePage:
    page = ClassEvidencePage(context(db, actor), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    settled(page)  # the classes are read on the worker thread
    return page


def classes(page: ClassEvidencePage) -> list[str]:
    return [page.classes_list.item(r).text() for r in range(page.classes_list.count())]


def rows(page: ClassEvidencePage) -> list[list[str]]:
    model = page.model
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_teacher_sees_only_their_classes_and_candidates(qtbot, db, school) -> None:
    page = make_page(qtbot, db, school.teacher)
    assert classes(page) == [
        "10Y/Ma2 — Maths (1 candidate)",
        "11X/Ma1 — Maths (2 candidates)",
    ]
    page.select_class(school.maths_11)
    settled(page)
    assert page.title.text() == "11X/Ma1: Maths — Mr Maths"
    # Dee has no arrangement; Ann's reader is for English only, so it is not listed here
    assert rows(page) == [
        ["Ann Able", "25% extra time", "Approved by awarding body", "None yet"],
        ["Ben Baker", "Word processor", "Approved in centre", "None yet"],
    ]
    page.select_class(school.maths_10)
    settled(page)
    assert rows(page) == [["Cal Cole", "Supervised rest breaks", "Proposed", "None yet"]]


def test_english_teacher_sees_the_reader_and_senco_sees_every_class(qtbot, db, school) -> None:
    page = make_page(qtbot, db, school.english)
    assert classes(page) == ["11X/En1 — English (2 candidates)"]
    assert [r[:2] for r in rows(page)] == [
        ["Ann Able", "25% extra time"],
        ["Ann Able", "Reader"],
        ["Ben Baker", "Word processor"],
    ]
    senco_page = make_page(qtbot, db, school.senco)
    assert classes(senco_page) == [
        "10Y/Ma2 — Maths, Mr Maths (1 candidate)",
        "11X/En1 — English, Ms English (2 candidates)",
        "11X/Ma1 — Maths, Mr Maths (2 candidates)",
    ]
    senco_page.find.setText("english")
    shown = [
        senco_page.classes_list.item(r).text()
        for r in range(senco_page.classes_list.count())
        if not senco_page.classes_list.item(r).isHidden()
    ]
    assert shown == ["11X/En1 — English, Ms English (2 candidates)"]


def test_the_class_list_is_worded_on_the_worker_and_find_hides_and_shows_again(
    qtbot, monkeypatch, db, school
) -> None:
    """The SENCo's list is every class in the school: its lines are made with the read, on
    the worker; Find hides the others and clearing it shows them all again, and choosing
    a class by its row still shows that class."""
    import threading

    from sendesk.ui.access import class_evidence_page
    from sendesk.ui.ops import worker

    seen: list[int] = []
    real = class_evidence_page.class_text

    def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(class_evidence_page, "class_text", noted)
    page = make_page(qtbot, db, school.senco)
    assert len(classes(page)) == 3 and set(seen) == {worker().ident}

    def shown() -> list[str]:
        items = [page.classes_list.item(r) for r in range(page.classes_list.count())]
        return [item.text() for item in items if not item.isHidden()]

    page.find.setText("maths")
    assert [text[:7] for text in shown()] == ["10Y/Ma2", "11X/Ma1"]
    page.find.clear()
    assert shown() == classes(page)
    page.classes_list.setCurrentRow(1)
    settled(page)
    assert page.title.text() == "11X/En1: English — Ms English"


def test_log_a_mock_for_the_whole_class_from_the_keyboard(qtbot, db, school) -> None:
    page = make_page(qtbot, db, school.teacher)
    page.select_class(school.maths_11)
    settled(page)
    with qtbot.waitActive(page):
        page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_lines()) == 2
    assert page.record_button.text() == "&Record for 2 rows"
    page.date.setDate(to_qdate(date(2026, 2, 23)))
    page.kind.setCurrentIndex(page.kind.findData("mock"))
    qtbot.keyClicks(page.task, "Paper 1 (calculator)")
    page.minutes.setValue(20)
    qtbot.keyClicks(page.note, "Used all the extra time")
    with qtbot.waitSignal(page.changed):
        qtbot.keyClick(page.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settled(page)  # the class is read again on the worker thread
    assert page.message.text() == (
        "Recorded mock evidence on 23/02/2026 in Maths for 2 pupils (2 arrangements)."
    )
    assert rows(page) == [
        ["Ann Able", "25% extra time", "Approved by awarding body", "23/02/2026"],
        ["Ben Baker", "Word processor", "Approved in centre", "23/02/2026"],
    ]
    assert len(page.selected_lines()) == 2  # still selected: the next paper is one click
    [ann] = list_nww(db, school.teacher, school.ann_extra_time)
    assert (ann.subject, ann.task_kind, ann.task) == ("Maths", "mock", "Paper 1 (calculator)")
    assert ann.used and ann.extra_minutes_used == 20 and ann.recorded_by == "Mr Maths"
    assert ann.note == "Used all the extra time"
    [ben] = list_nww(db, school.teacher, school.ben_word_processor)
    assert ben.extra_minutes_used is None  # minutes mean nothing for a word processor
    # the entries of the current row are listed below the strip
    page.table.setCurrentIndex(page.model.index(0, 0))
    settled(page)
    assert page.entries_label.text() == (
        "Ann Able, 25% extra time in Maths: 1 entry recorded, newest first."
    )
    assert cells(page.entries_table, 0) == [
        "23/02/2026",
        "Mock: Paper 1 (calculator)",
        "Yes",
        "20",
        "Used all the extra time",
        "Mr Maths",
    ]


def test_some_rows_and_not_used(qtbot, db, school) -> None:
    page = make_page(qtbot, db, school.teacher)
    page.select_class(school.maths_11)
    settled(page)
    page.select_rows([1])
    page.kind.setCurrentIndex(page.kind.findData("timed test"))
    page.used.setChecked(False)
    assert not page.minutes.isEnabled()
    assert page.record() == 1
    settled(page)
    [ben] = list_nww(db, school.teacher, school.ben_word_processor)
    assert (ben.task_kind, ben.used, ben.extra_minutes_used) == ("timed test", False, None)
    assert list_nww(db, school.teacher, school.ann_extra_time) == []
    # "last used" counts only tasks where the arrangement was used
    assert rows(page)[1][3] == "None yet"
    page.table.setCurrentIndex(page.model.index(1, 0))
    settled(page)
    assert cells(page.entries_table, 0)[:4] == [
        "02/03/2026",
        "Timed test",
        "No",
        "",
    ]


def test_nothing_selected_records_nothing(qtbot, db, school) -> None:
    page = make_page(qtbot, db, school.teacher)
    page.select_class(school.maths_11)
    settled(page)
    page.table.clearSelection()
    assert not page.record_button.isEnabled()
    assert page.record() == 0
    assert page.message.text().startswith("Select the pupils first")


def nww_audit_events(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "nww_evidence")))


def test_a_refused_entry_means_nothing_of_the_batch_is_written(
    qtbot, db, senco, school, warnings
) -> None:
    page = make_page(qtbot, db, school.teacher)
    page.select_class(school.maths_11)
    settled(page)
    page.select_all()
    page.kind.setCurrentIndex(page.kind.findData("mock"))
    page.task.setText("Paper 2")
    # meanwhile the SENCo withdraws Ben's word processor
    word = next(
        a
        for a in pupil_access(db, senco, school.ben, today=TODAY).arrangements
        if a.id == school.ben_word_processor
    )
    set_arrangement_status(db, senco, word.id, word.version, "withdrawn", TODAY, today=TODAY)
    assert page.record() == 0
    settled(page)
    said = (
        "Nothing was recorded. Ben Baker: Word processor is withdrawn, so no more evidence is "
        "recorded."
    )
    assert warnings == [said]
    assert page.message.text() == said
    # Ann's row, first in the batch, was never written: nothing to take back, nothing audited
    assert list_nww(db, school.teacher, school.ann_extra_time) == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(NwwEvidence)) == 0
    assert nww_audit_events(db) == []
    # the class is read again: Ben's withdrawn arrangement has gone, Ann is still selected
    # and one more press records hers
    assert rows(page) == [["Ann Able", "25% extra time", "Approved by awarding body", "None yet"]]
    assert [ln.pupil_name for ln in page.selected_lines()] == ["Ann Able"]
    assert page.record() == 1
    settled(page)
    assert nww_audit_events(db) == ["create"]
    assert rows(page)[0][3] == "02/03/2026"


def test_refusals_name_the_pupils_shown() -> None:
    from sendesk.services.access.nww import RowProblem, RowsInvalidError

    lines = [
        EvidenceLine(1, "Ann Able", "A", 11, "extra_time_25", "25% extra time", "proposed", None),
        EvidenceLine(1, "Ann Able", "A", 12, "reader", "Reader", "proposed", None),
        EvidenceLine(2, "Ben Baker", "B", 13, "reader", "Reader", "proposed", None),
    ]
    refused = RowsInvalidError(
        "Every row: the task is too long; rows 1 and 2: …",
        [
            RowProblem(1, "the task is too long"),
            RowProblem(1, "25% extra time is withdrawn"),
            RowProblem(2, "the task is too long"),
            RowProblem(2, "Reader is withdrawn"),
            RowProblem(3, "the task is too long"),
        ],
    )
    assert refusal_text(lines, refused) == (
        "The task is too long; Ann Able: 25% extra time is withdrawn; Ann Able: Reader is "
        "withdrawn."
    )
    assert refusal_text(lines[:2], RowsInvalidError("…", [RowProblem(2, "x is y")])) == (
        "Ann Able: x is y."
    )
    assert refusal_text(lines, PermissionDeniedError("You may not.")) == "You may not."


def keyed_in(db: Database, evidence_id: int, day: date) -> None:
    """Say the entry was keyed in at noon (local time) on ``day``."""
    with db.transaction() as s:
        row = s.get(NwwEvidence, evidence_id)
        assert row is not None
        row.recorded_at = datetime.combine(day, time(12)).astimezone()


def test_remove_a_mistaken_entry(qtbot, db, school, monkeypatch) -> None:
    entry = record_nww(
        db,
        school.teacher,
        NwwData(school.ann_extra_time, "Maths", date(2026, 2, 2), "classwork", "Essay"),
        today=TODAY,
    )
    keyed_in(db, entry, TODAY)  # taken back the day it was recorded
    page = make_page(qtbot, db, school.teacher)
    assert page.remove_button.toolTip() == (
        "Take back an entry you recorded by mistake today; after that it stays as evidence "
        "an inspector may ask for (ask the SENCo)"
    )
    page.select_class(school.maths_11)
    settled(page)
    page.table.setCurrentIndex(page.model.index(0, 0))
    settled(page)
    assert row_count(page.entries_table) == 1 and not page.remove_button.isEnabled()
    page.entries_table.selectRow(0)
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    assert page.remove_entry()
    settled(page)
    assert asked == ["Remove the classwork: essay entry of 02/02/2026?"]
    assert list_nww(db, school.teacher, school.ann_extra_time) == []
    assert row_count(page.entries_table) == 0
    assert rows(page)[0][3] == "None yet"


def test_yesterdays_entry_stays_and_the_teacher_is_told_why(
    qtbot, db, school, monkeypatch, warnings
) -> None:
    entry = record_nww(
        db,
        school.teacher,
        NwwData(school.ann_extra_time, "Maths", date(2026, 2, 2), "classwork", "Essay"),
        today=TODAY,
    )
    keyed_in(db, entry, date(2026, 2, 27))
    page = make_page(qtbot, db, school.teacher)
    page.select_class(school.maths_11)
    settled(page)
    page.table.setCurrentIndex(page.model.index(0, 0))
    settled(page)
    page.entries_table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    assert not page.remove_entry()
    assert warnings == [
        "You recorded this entry on 27/02/2026 and a teacher can remove an entry only on the "
        "day they recorded it, so it now stays as evidence (ask the SENCo if it is wrong)."
    ]
    assert [e.id for e in list_nww(db, school.teacher, school.ann_extra_time)] == [entry]
    assert row_count(page.entries_table) == 1
    # The SENCo is told why the awarding body's approval keeps it.
    senco_page = make_page(qtbot, db, school.senco)
    assert "its entries are inspection evidence and stay" in senco_page.remove_button.toolTip()
    senco_page.select_class(school.maths_11)
    settled(senco_page)
    senco_page.table.setCurrentIndex(senco_page.model.index(0, 0))
    settled(senco_page)
    senco_page.entries_table.selectRow(0)
    assert not senco_page.remove_entry()
    assert warnings[1].startswith(
        "25% extra time is approved by awarding body, so its evidence is what a JCQ inspector"
    )
    assert [e.id for e in list_nww(db, school.teacher, school.ann_extra_time)] == [entry]


def test_no_classes_says_so_and_every_control_is_named(qtbot, db, senco, school) -> None:
    from sendesk.models import Role
    from tests.factories import make_user

    newcomer = make_user(db, "new", Role.TEACHER, "Ms New")
    page = make_page(qtbot, db, newcomer)
    assert classes(page) == []
    assert "You have no classes in SENDesk yet" in page.empty_label.text()
    assert not page.record_button.isEnabled()
    busy = make_page(qtbot, db, school.teacher)
    for root in (page, busy):
        assert unnamed_controls(root) == []
    # the date cannot be set in the future
    assert busy.date.maximumDate() == to_qdate(TODAY)
