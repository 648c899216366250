"""The SENCo's Access arrangements page: the gap view, the exams officer's list, and groups."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from sendesk.db import Database
from sendesk.rules.upn import make
from sendesk.services.access.class_lists import my_class_lists
from sendesk.services.access.exam_entries import add_exam_entry, exam_entries, remove_exam_entry
from sendesk.services.access.nww import record_nww
from sendesk.services.access.records import NO_ENTRIES, NwwData
from sendesk.services.actor import Actor
from sendesk.services.school.settings import set_setting
from sendesk.services.staff.teaching_groups import GroupData, list_groups, save_group
from sendesk.ui.access.access_page import AccessPage, EditionDialog
from sendesk.ui.kit.dates import to_qdate
from sendesk.ui.main_window import MainWindow
from sendesk.ui.staff.teaching_groups_dialog import GroupDialog, TeachingGroupsDialog
from tests.ui.dialogs import accept
from tests.ui.export_audit import export_details
from tests.ui.views import all_cells

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_school import TODAY, School, make_school
from test_accessibility import unnamed_controls

from tests.ui.screens import context


@pytest.fixture
def school(db: Database, senco: Actor) -> School:
    made = make_school(db, senco)
    record_nww(  # current evidence in Maths for Ann's extra time
        db,
        made.teacher,
        NwwData(made.ann_extra_time, "Maths", date(2026, 2, 9), "mock", "Paper 1", True, 18),
        today=TODAY,
    )
    record_nww(  # evidence more than a year old for Ben's word processor in English
        db,
        made.english,
        NwwData(made.ben_word_processor, "English", date(2024, 12, 2), "classwork", "Essay"),
        today=TODAY,
    )
    # the subjects each candidate sits (only these are rows of the gap view)
    for pupil, subjects in ((made.ann, ("English", "Maths")), (made.ben, ("English", "Maths"))):
        for subject in subjects:
            add_exam_entry(db, senco, pupil, subject)
    add_exam_entry(db, senco, made.cal, "Maths")
    return made


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *_a: shown.append(text))
    return shown


def make_page(qtbot, db: Database, actor: Actor) -> AccessPage:
    page = AccessPage(context(db, actor), today=TODAY)
    qtbot.addWidget(page)
    page.loading.wait()  # the gap view is read on the worker thread
    return page


def shown(page: AccessPage) -> list[list[str]]:
    model = page.model
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


ALL_ROWS = [
    ["Ann Able", "Maths", "25% extra time", "09/02/2026", "Current"],
    ["Ann Able", "English", "25% extra time", "—", "None"],
    ["Ann Able", "English", "Reader", "—", "None"],
    ["Ben Baker", "English", "Word processor", "02/12/2024", "Out of date"],
    ["Ben Baker", "Maths", "Word processor", "—", "None"],
    ["Cal Cole", "Maths", "Supervised rest breaks", "—", "None"],
]


def brief(rows: list[list[str]]) -> list[list[str]]:
    """Candidate, subject, arrangement, last evidence and the verdict of each row."""
    return [[r[0], r[5], r[3], r[6], r[7]] for r in rows]


def test_gap_view_shows_every_candidate_arrangement_and_subject(qtbot, db, senco, school):
    page = make_page(qtbot, db, senco)
    assert sorted(brief(shown(page))) == sorted(ALL_ROWS)
    first = shown(page)[0]
    assert first[1] == make(801, 2000, 24, 1) and first[2] == "11"
    assert page.summary.text() == "6 of 6 rows (3 candidates); 5 without current evidence."


def test_gap_view_counts_only_exam_entries(qtbot, db, senco, school) -> None:
    # Ann also has PE, which she does not sit: no row, no gap (AARA 2025–26: evidence in
    # the subjects a candidate sits).
    save_group(db, senco, None, None, GroupData("11X/PE1", "PE", pupil_ids=(school.ann,)))
    page = make_page(qtbot, db, senco)
    assert "PE" not in {r[5] for r in shown(page)}
    assert sorted(brief(shown(page))) == sorted(ALL_ROWS)


def test_a_candidate_with_no_entries_is_said(qtbot, db, senco, school) -> None:
    (entry,) = exam_entries(db, senco, school.cal)
    remove_exam_entry(db, senco, entry.id)
    page = make_page(qtbot, db, senco)
    page.set_year(10)
    assert brief(shown(page)) == [
        ["Cal Cole", NO_ENTRIES, "Supervised rest breaks", "—", "Entries needed"]
    ]
    assert page.summary.text() == (
        "1 of 6 rows (1 candidate); 1 without current evidence; 1 candidate with no exam "
        "entries for what their arrangements cover."
    )


def test_past_the_editions_end_a_plain_warning(qtbot, db, senco, school) -> None:
    page = make_page(qtbot, db, senco)  # 02/03/2026: within AARA 2025–26
    assert page.notice.isHidden() and page.notice.text() == ""
    set_setting(db, senco, "jcq.edition_ends", "2026-02-28")
    page.reload().wait()
    assert not page.notice.isHidden()
    assert page.notice.text().startswith(
        "Warning: The exam access rules SENDesk applies are from AARA 2025–26 (amended March "
        "2026), in force until 28/02/2026; today is after that."
    )
    assert sorted(brief(shown(page))) == sorted(ALL_ROWS)  # the rules still apply


def test_filters_by_year_arrangement_gaps_and_text(qtbot, db, senco, school) -> None:
    page = make_page(qtbot, db, senco)
    years = [page.year.itemText(i) for i in range(page.year.count())]
    assert years == ["All years", "Year 10", "Year 11"]
    page.set_year(10)
    assert brief(shown(page)) == [["Cal Cole", "Maths", "Supervised rest breaks", "—", "None"]]
    page.set_year(None)
    page.set_arrangement("extra_time_25")
    assert [r[1] for r in brief(shown(page))] == ["English", "Maths"]
    page.only_gaps.setChecked(True)
    assert brief(shown(page)) == [["Ann Able", "English", "25% extra time", "—", "None"]]
    assert page.summary.text() == "1 of 6 rows (1 candidate); 1 without current evidence."
    page.set_arrangement(None)
    page.search.setText("baker")
    assert sorted(brief(shown(page))) == sorted(r for r in ALL_ROWS if r[0] == "Ben Baker")
    # the filters keep their choices when the data is read again
    page.reload().wait()
    assert page.only_gaps.isChecked() and page.search.text() == "baker"
    assert len(shown(page)) == 2


def test_enter_opens_the_pupil(qtbot, db, senco, school) -> None:
    page = make_page(qtbot, db, senco)
    page.set_year(10)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with qtbot.waitSignal(page.pupil_activated) as opened:
        page.open_button.click()
    assert opened.args == [school.cal]


def test_no_arrangements_says_so(qtbot, db, senco) -> None:
    page = make_page(qtbot, db, senco)
    assert page.model.rowCount() == 0
    assert page.summary.text() == (
        "No live access arrangements yet: propose them from a pupil's record."
    )
    assert not page.open_button.isEnabled()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_exams_officers_list(qtbot, db, senco, school, monkeypatch, tmp_path, told, fmt):
    target = tmp_path / "exams list"
    chosen = {
        "csv": "CSV for Excel (*.csv)",
        "xlsx": "Excel workbook (*.xlsx)",
        "pdf": "PDF document (*.pdf)",
    }[fmt]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), chosen))
    page = make_page(qtbot, db, senco)
    written = page.export()
    assert written == tmp_path / f"exams list.{fmt}" and written.is_file()
    assert told == [f"Saved the exams officer's list (2 candidates) to {written}."]
    assert export_details(db) == [
        {"what": "exams officer's list", "pupils": 2, "file": f"exams list.{fmt}"}
    ]
    if fmt == "csv":
        text = written.read_text(encoding="utf-8-sig")
        table = list(csv.reader(text.splitlines()))
        body = "\n".join(",".join(r) for r in table)
    elif fmt == "xlsx":
        book = load_workbook(written, read_only=True)
        body = "\n".join(
            ",".join(str(c) for c in row if c is not None)
            for row in book.worksheets[0].iter_rows(values_only=True)
        )
        book.close()
    else:
        body = "\n".join(p.extract_text() for p in PdfReader(written).pages)
    # approved or applied-for arrangements only: Cal's proposal is not on the list
    assert "Able" in body and "Baker" in body and "Cole" not in body
    assert "25% extra time" in body and "Word processor" in body


def test_a_cancelled_export_writes_nothing(qtbot, db, senco, school, monkeypatch, told) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: ("", ""))
    page = make_page(qtbot, db, senco)
    assert page.export() is None and told == []


# --- teaching groups ------------------------------------------------------------------------


def groups_table(dialog: TeachingGroupsDialog) -> list[list[str]]:
    return all_cells(dialog.table)


def test_groups_listed_added_edited_and_removed(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    dialog = TeachingGroupsDialog(context(db, senco))
    qtbot.addWidget(dialog)
    assert groups_table(dialog) == [
        ["10Y/Ma2", "Maths", "Mr Maths", "1", "Set by hand"],
        ["11X/En1", "English", "Ms English", "2", "Set by hand"],
        ["11X/Ma1", "Maths", "Mr Maths", "3", "Set by hand"],
    ]

    def add(d: GroupDialog) -> int:
        d.code.setText("11X/Sc1")
        d.subject.setEditText("Science")
        d.teacher.setCurrentIndex(d.teacher.findText("Ms English"))
        assert d.teacher_name.text() == "Ms English"
        d.filter.setText("able")
        visible = [
            d.pupils.item(r).text()
            for r in range(d.pupils.count())
            if not d.pupils.item(r).isHidden()
        ]
        assert visible == [f"Able, Ann — Year 11 — {make(801, 2000, 24, 1)}"]
        d.set_member(school.ann, True)
        d.set_member(school.cal, True)
        assert d.count_label.text() == "2 pupils in the group."
        return accept(d)

    monkeypatch.setattr(GroupDialog, "exec", add)
    dialog.add_button.click()
    assert warnings == [] and dialog.changed
    assert ["11X/Sc1", "Science", "Ms English", "2", "Set by hand"] in groups_table(dialog)
    assert dialog.selected() is not None and dialog.selected().code == "11X/Sc1"
    # Ms English's Science list: Cal's rest breaks cover every subject; Ann's arrangements
    # cover Maths and English only
    science = next(
        c for c in my_class_lists(db, school.english, today=TODAY) if c.subject == "Science"
    )
    assert [r.pupil_name for r in science.rows] == ["Cal Cole"]  # rest breaks: all subjects

    def edit(d: GroupDialog) -> int:
        d.only_chosen.setChecked(True)
        visible = [
            d.pupils.item(r).text()
            for r in range(d.pupils.count())
            if not d.pupils.item(r).isHidden()
        ]
        assert len(visible) == 2
        d.set_member(school.cal, False)
        return accept(d)

    monkeypatch.setattr(GroupDialog, "exec", edit)
    dialog.edit_button.click()
    assert ["11X/Sc1", "Science", "Ms English", "1", "Set by hand"] in groups_table(dialog)

    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    dialog.remove_button.click()
    assert asked and asked[0].startswith("Remove the teaching group 11X/Sc1 (Science)?")
    assert [g.code for g in list_groups(db, senco)] == ["10Y/Ma2", "11X/En1", "11X/Ma1"]


def test_a_duplicate_code_is_refused_in_one_sentence(qtbot, db, senco, school, warnings) -> None:
    dialog = TeachingGroupsDialog(context(db, senco))
    qtbot.addWidget(dialog)
    group = dialog.group_dialog(None)
    qtbot.addWidget(group)
    group.code.setText("11x/ma1")
    group.subject.setEditText("Maths")
    accept(group)
    assert warnings == ["There is already a teaching group with the code 11X/Ma1."]
    assert group.result() != QDialog.DialogCode.Accepted


def test_import_class_lists_shows_the_report(
    qtbot, db, senco, school, monkeypatch, tmp_path, warnings
) -> None:
    good = tmp_path / "classes.csv"
    good.write_text(
        "Class,Subject,Teacher,UPN\r\n"
        f"11X/Hi1,History,Mr Maths,{make(801, 2000, 24, 1)}\r\n"
        f"11X/Hi1,History,Mr Maths,{make(801, 2000, 24, 2)}\r\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("Class,Subject,Teacher,UPN\r\n11X/Hi2,History,Mr Maths,A999999999999\r\n")
    reports: list[str] = []
    monkeypatch.setattr(
        TeachingGroupsDialog, "show_report", lambda _self, r: reports.append("\n".join(r.lines()))
    )
    dialog = TeachingGroupsDialog(context(db, senco))
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(bad), ""))
    report = dialog.import_file()
    assert report is not None and not report.written
    assert "line 2: " in reports[-1] and "Nothing was written" in reports[-1]
    assert len(groups_table(dialog)) == 3 and not dialog.changed
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(good), ""))
    report = dialog.import_file()
    assert report is not None and report.written
    assert "Imported: 1 new" in reports[-1]
    assert ["11X/Hi1", "History", "Mr Maths", "2", "MIS"] in groups_table(dialog)
    assert dialog.changed and warnings == []


def test_page_reloads_after_groups_change(qtbot, db, senco, school, monkeypatch) -> None:
    page = make_page(qtbot, db, senco)
    before = len(shown(page))
    add_exam_entry(db, senco, school.cal, "Drama")  # Cal sits drama: the page re-reads it

    def run(d: TeachingGroupsDialog) -> int:
        group = d.group_dialog(None)
        group.code.setText("10Y/Dr1")
        group.subject.setEditText("Drama")
        group.set_member(school.cal, True)
        accept(group)
        d.changed = True
        return 0

    monkeypatch.setattr(TeachingGroupsDialog, "exec", run)
    with qtbot.waitSignal(page.changed):
        page.groups_button.click()
    page.loading.wait()  # read again on the worker thread
    # Cal's rest breaks cover all the subjects he sits: Drama is a new row in the gap view
    assert len(shown(page)) == before + 1
    assert ["Cal Cole", "Drama", "Supervised rest breaks", "—", "None"] in brief(shown(page))


def test_main_window_pages_and_names(qtbot, db, senco, school) -> None:
    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    assert {"My classes", "Access arrangements"} <= set(window.pages)
    access = window.page("Access arrangements")
    access.loading.wait()  # the gap view is read on the worker thread
    classes = window.page("My classes")
    assert isinstance(access, AccessPage)
    assert unnamed_controls(access) == [] and unnamed_controls(classes) == []
    dialog = TeachingGroupsDialog(context(db, senco))
    qtbot.addWidget(dialog)
    group = dialog.group_dialog(dialog.groups[0])
    qtbot.addWidget(group)
    assert unnamed_controls(dialog) == [] and unnamed_controls(group) == []
    # Enter on a gap row opens the pupil's record in the main window
    access.set_year(10)
    access.open_pupil()
    qtbot.waitUntil(lambda: school.cal in window.pupil_windows)  # read on the worker
    assert school.cal in window.pupil_windows
    for pupil in list(window.pupil_windows.values()):
        pupil.close()


def test_teacher_has_my_classes_but_not_the_gap_view(qtbot, db, school) -> None:
    window = MainWindow(context(db, school.teacher))
    qtbot.addWidget(window)
    assert "My classes" in window.pages and "Access arrangements" not in window.pages
    page = window.page("My classes")
    qtbot.waitUntil(lambda: page.classes_list.count() == 2)  # type: ignore[attr-defined]


def test_the_senco_moves_the_editions_end_date_on(qtbot, db, senco, school, monkeypatch) -> None:
    set_setting(db, senco, "jcq.edition_ends", "2026-02-28")
    page = make_page(qtbot, db, senco)
    assert not page.notice.isHidden()

    def run(dialog) -> int:  # type: ignore[no-untyped-def]
        assert dialog.name.text() == "AARA 2025–26 (amended March 2026)"
        assert unnamed_controls(dialog) == []
        dialog.ends.setDate(to_qdate(date(2027, 8, 31)))
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EditionDialog, "exec", run)
    page.edition_button.click()
    page.loading.wait()  # read again on the worker thread
    assert page.notice.isHidden()


def test_an_edition_ending_before_it_starts_is_refused(qtbot, db, senco, school, warnings):
    page = make_page(qtbot, db, senco)
    dialog = page.edition_dialog()
    qtbot.addWidget(dialog)
    dialog.ends.setDate(to_qdate(date(2025, 1, 1)))
    dialog.accept()
    assert warnings == ["The edition's end date must be on or after its start date."]
    assert dialog.result() != QDialog.DialogCode.Accepted
