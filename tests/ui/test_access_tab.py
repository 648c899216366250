"""The pupil record's Access arrangements tab and its dialogs, driven as the SENCo would."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog, QLineEdit, QMessageBox, QSpinBox

from sendesk.db import Database
from sendesk.rules.upn import make
from sendesk.services.access.arrangement_edits import update_arrangement
from sendesk.services.access.assessments import record_assessment
from sendesk.services.access.nww import record_nww
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import ArrangementData, AssessmentData, NwwData
from sendesk.services.actor import Actor
from sendesk.services.school.settings import set_int
from sendesk.ui.access.access_tab import AccessTab, details_text, scores_text
from sendesk.ui.access.access_words import (
    evidence_summary,
    evidence_text,
    subjects_text,
    verdict_lines,
)
from sendesk.ui.access.arrangement_dialog import ArrangementDialog, StatusDialog
from sendesk.ui.access.assessment_dialog import AssessmentDialog
from sendesk.ui.kit.dates import to_qdate
from sendesk.ui.kit.edit_table import editor_at
from sendesk.ui.pupil_window import PupilWindow

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_school import TODAY, School, make_school
from test_accessibility import unnamed_controls

from tests.ui.dialogs import accept
from tests.ui.dialogs import answer_question as answer
from tests.ui.screens import context
from tests.ui.views import all_cells, cells, row_count


@pytest.fixture
def school(db: Database, senco: Actor) -> School:
    return make_school(db, senco)


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> AccessTab:
    tab = AccessTab(context(db, actor), pupil_id, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def column(table, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[col] for row in all_cells(table)]


def test_words() -> None:
    assert subjects_text(()) == "All subjects"
    assert subjects_text(("Maths", "English")) == "Maths, English"
    assert (
        evidence_text({"Maths": date(2026, 1, 12), "English": None})
        == "English none yet; Maths 12/01/2026"
    )
    assert verdict_lines(None, True)[0].startswith("Criteria not checked: no assessment")
    assert verdict_lines(None, False) == []
    many = {"Art": None, "English": date(2026, 1, 12), "Maths": date(2026, 2, 9), "Music": None}
    assert evidence_summary(many) == "Used in 2 of 4 subjects, latest 09/02/2026"
    assert evidence_summary(dict.fromkeys(many)) == "None yet in 4 subjects"
    assert evidence_summary({"Maths": None}) == "Maths none yet"


def test_senco_reads_arrangements_route_dates_and_verdict(qtbot, db, senco, school) -> None:
    record_nww(
        db,
        school.teacher,
        NwwData(school.ann_extra_time, "Maths", date(2026, 2, 9), "mock", "Paper 1", True, 18),
        today=TODAY,
    )
    tab = make_tab(qtbot, db, senco, school.ann)
    assert row_count(tab.table) == 2
    assert cells(tab.table, 0) == [
        "25% extra time",
        "Approved by awarding body",
        "Needs an online application (AAO)",
        "Maths, English",
        "21/10/2025",
        "21/12/2027",
        "English none yet; Maths 09/02/2026",
    ]
    assert cells(tab.table, 1)[:5] == [
        "Reader",
        "Proposed",
        "Needs an online application (AAO)",
        "English",
        "Not yet",
    ]
    details = tab.details.toPlainText()
    assert "Evidence route: Specialist assessment with standardised scores (Form 8)." in details
    assert "Criteria met." in details
    assert "Writing speed 82 counts: below average (84 or less)" in details
    assert "No normal-way-of-working evidence yet in: English." in details
    # the teacher's mock entry is listed under the arrangement
    assert row_count(tab.nww_table) == 1
    assert cells(tab.nww_table, 0) == [
        "09/02/2026",
        "Maths",
        "Mock: Paper 1",
        "Yes",
        "18",
        "",
        "Mr Maths",
    ]
    # the assessment and its scores
    assert cells(tab.assessments_table, 0) == [
        "06/10/2025",
        "Ms A Assessor",
        "Level 7 Certificate in specialist assessment",
        "Writing speed 82 (DASH 17+); Reading speed 86 (TOWRE-2)",
        "None",
    ]
    # choosing the reader shows its own details
    tab.table.selectRow(1)
    assert "Reader: Needs an online application (AAO)." in tab.details.toPlainText()
    assert "Criteria" not in tab.details.toPlainText()
    assert row_count(tab.nww_table) == 0


def test_propose_through_the_dialog_with_live_verdict(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    seen: dict[str, str] = {}

    def fill(dialog: ArrangementDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData("scribe"))
        seen["route"] = dialog.route_label.text()
        seen["routes"] = ", ".join(
            dialog.evidence_route.itemText(i) for i in range(dialog.evidence_route.count())
        )
        seen["verdict"] = dialog.verdict_view.toPlainText()
        dialog.set_subjects(("English", "History"))
        dialog.room_note.setText("Small room")
        return accept(dialog)

    monkeypatch.setattr(ArrangementDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, school.ann)
    with qtbot.waitSignal(tab.changed):
        tab.propose_button.click()
    assert warnings == []
    assert seen["route"] == "Needs an online application (AAO)"
    assert seen["routes"] == (
        "Specialist assessment with standardised scores (Form 8), "
        "EHC plan or a professional's letter"
    )
    # the newest assessment is linked by default, and its writing speed qualifies
    assert "Writing speed 82 counts: below average (84 or less)" in seen["verdict"]
    assert "Criteria met." in seen["verdict"]
    assert "Reading speed 86 does not count for a scribe" in seen["verdict"]
    scribe = next(a for a in tab.access.arrangements if a.arrangement == "scribe")
    assert scribe.subjects == ("English", "History")
    assert scribe.room_note == "Small room"
    assert scribe.assessment_id == school.ann_assessment
    assert tab.selected_arrangement() == scribe  # the new one is selected
    row = [a.id for a in tab.access.arrangements].index(scribe.id)
    assert cells(tab.table, row)[:4] == [
        "Scribe",
        "Proposed",
        "Needs an online application (AAO)",
        "English, History",
    ]


def test_no_subject_chosen_is_refused_and_nothing_saved(qtbot, db, senco, school, warnings):
    access = pupil_access(db, senco, school.cal, today=TODAY)
    dialog = ArrangementDialog(context(db, senco), school.cal, access, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("prompter"))
    assert dialog.route_label.text() == "Decided in the centre (delegated)"
    assert "No standardised scores are needed for a prompter" in dialog.verdict_view.toPlainText()
    accept(dialog)
    assert warnings == ["Tick the subjects or papers the arrangement covers, or tick All subjects."]
    assert dialog.result() != QDialog.DialogCode.Accepted
    # a proposal dated in the future is refused by the service in one sentence
    dialog.all_subjects.setChecked(True)
    dialog.proposed_on.setMaximumDate(to_qdate(date(2030, 1, 1)))
    dialog.proposed_on.setDate(to_qdate(date(2026, 4, 1)))
    accept(dialog)
    assert warnings[-1] == "The proposal date 01/04/2026 is in the future."
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert len(pupil_access(db, senco, school.cal, today=TODAY).arrangements) == 1


def test_edit_keeps_fields_and_saves_changes(qtbot, db, senco, school, monkeypatch) -> None:
    def fill(dialog: ArrangementDialog) -> int:
        assert dialog.key == "reader"
        assert dialog.chosen_subjects() == ("English",)
        assert dialog.evidence_route.currentData() == "picture_of_need"
        dialog.other_subject.setText("History")
        dialog.add_subject_button.click()
        dialog.notes.setPlainText("Reads slowly; a reader in English and History.")
        return accept(dialog)

    monkeypatch.setattr(ArrangementDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, school.ann)
    tab.table.selectRow(1)
    tab.edit_button.click()
    reader = next(a for a in tab.access.arrangements if a.id == school.ann_reader)
    assert reader.subjects == ("English", "History")
    assert reader.notes == "Reads slowly; a reader in English and History."
    assert "Notes: Reads slowly" in tab.details.toPlainText()


def test_a_stale_edit_is_refused_and_the_tab_reloads(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    tab = make_tab(qtbot, db, senco, school.ann)
    tab.table.selectRow(1)
    stale = tab.selected_arrangement()
    assert stale is not None
    update_arrangement(  # someone else saves first
        db,
        senco,
        stale.id,
        stale.version,
        ArrangementData("reader", "picture_of_need", date(2025, 9, 15), ("English", "Drama")),
        today=TODAY,
    )

    def fill(dialog: ArrangementDialog) -> int:
        dialog.room_note.setText("Room 12")
        return accept(dialog)

    monkeypatch.setattr(ArrangementDialog, "exec", fill)
    tab.edit_button.click()
    assert len(warnings) == 1 and "since you opened it" in warnings[0]
    assert cells(tab.table, 1)[3] == "English, Drama"  # what is stored now


def test_status_moves_with_dates_and_expiry(qtbot, db, senco, school, monkeypatch) -> None:
    tab = make_tab(qtbot, db, senco, school.cal)
    dialog = tab.status_dialog(tab.access.arrangements[0], "approved in centre")
    qtbot.addWidget(dialog)
    offered = [dialog.status.itemText(i) for i in range(dialog.status.count())]
    assert offered == ["Gathering evidence", "Approved in centre", "Withdrawn"]
    assert dialog.explain.text() == (
        "Approved in the centre on this date; the approval lasts 26 months and expires on "
        "02/05/2028."
    )
    dialog.on.setDate(to_qdate(date(2026, 2, 27)))
    assert dialog.explain.text().endswith("expires on 27/04/2028.")
    set_int(db, senco, "jcq.approval_months", 24)  # a school that sets its own period
    shorter = tab.status_dialog(tab.access.arrangements[0], "approved in centre")
    qtbot.addWidget(shorter)
    assert shorter.explain.text().endswith("lasts 24 months and expires on 02/03/2028.")

    def run(d: StatusDialog) -> int:
        d.status.setCurrentIndex(d.status.findData("approved in centre"))
        d.on.setDate(to_qdate(date(2026, 2, 27)))
        return accept(d)

    monkeypatch.setattr(StatusDialog, "exec", run)
    with qtbot.waitSignal(tab.changed):
        tab.status_button.click()
    assert cells(tab.table, 0)[:6] == [
        "Supervised rest breaks",
        "Approved in centre",
        "Decided in the centre (delegated)",
        "All subjects",
        "27/02/2026",
        "27/02/2028",  # 24 months, as the school set
    ]


def test_withdrawing_asks_first(qtbot, db, senco, school, monkeypatch, warnings) -> None:
    tab = make_tab(qtbot, db, senco, school.ann)
    tab.table.selectRow(1)  # the reader

    def withdraw(d: StatusDialog) -> int:
        d.status.setCurrentIndex(d.status.findData("withdrawn"))
        return accept(d)

    monkeypatch.setattr(StatusDialog, "exec", withdraw)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    tab.status_button.click()
    assert len(asked) == 1 and asked[0].startswith("Withdraw Reader?")
    assert cells(tab.table, 1)[1] == "Proposed"
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    tab.table.selectRow(1)
    tab.status_button.click()
    reader = next(a for a in tab.access.arrangements if a.id == school.ann_reader)
    assert reader.status == "withdrawn" and reader.ended_on == TODAY
    assert not reader.live
    assert warnings == []


def test_remove_only_a_proposal_entered_by_mistake(qtbot, db, senco, school, monkeypatch):
    tab = make_tab(qtbot, db, senco, school.ann)
    assert not tab.remove_button.isEnabled()  # approved: withdraw it instead
    tab.table.selectRow(1)  # the reader, only proposed
    assert tab.remove_button.isEnabled()
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    tab.remove_button.click()
    assert asked[0].startswith("Remove the proposal for Reader?")
    assert row_count(tab.table) == 2
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_button.click()
    assert column(tab.table, 0) == ["25% extra time"]
    assert [a.id for a in pupil_access(db, senco, school.ann, today=TODAY).arrangements] == [
        school.ann_extra_time
    ]


def test_remove_a_mistaken_assessment_asks_first_and_unlinks(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    mistake = record_assessment(
        db,
        senco,
        school.ann,
        AssessmentData("Mr Wrong Pupil", "", date(2026, 1, 20), None),
        today=TODAY,
    )
    reader = next(
        a
        for a in pupil_access(db, senco, school.ann, today=TODAY).arrangements
        if a.id == school.ann_reader
    )
    update_arrangement(
        db,
        senco,
        reader.id,
        reader.version,
        ArrangementData(
            "reader", "picture_of_need", date(2025, 9, 15), ("English",), assessment_id=mistake
        ),
        today=TODAY,
    )
    tab = make_tab(qtbot, db, senco, school.ann)
    assert column(tab.assessments_table, 1) == ["Mr Wrong Pupil", "Ms A Assessor"]
    tab.assessments_table.selectRow(0)
    assert tab.remove_assessment_button.isEnabled()
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    tab.remove_assessment_button.click()
    assert asked == [
        "Remove the assessment of 20/01/2026 by Mr Wrong Pupil, with its scores? Use this "
        "only for one recorded by mistake. Reader rests on it and will no longer be linked "
        "to an assessment."
    ]
    assert row_count(tab.assessments_table) == 2  # not asked to: nothing removed
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_assessment_button.click()
    assert warnings == []
    assert column(tab.assessments_table, 1) == ["Ms A Assessor"]
    stored = pupil_access(db, senco, school.ann, today=TODAY)
    assert [a.id for a in stored.assessments] == [school.ann_assessment]
    assert next(a for a in stored.arrangements if a.id == school.ann_reader).assessment_id is None


def test_the_assessment_behind_a_live_application_is_kept(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    tab = make_tab(qtbot, db, senco, school.ann)
    tab.assessments_table.selectRow(0)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert not tab.remove_assessment()
    assert asked[0].endswith(
        "25% extra time rests on it and will no longer be linked to an assessment."
    )
    assert warnings == [
        "This assessment is the evidence behind 25% extra time (approved by awarding body), "
        "so it cannot be removed: the evidence behind a live application must be kept "
        "(correct the assessment instead)."
    ]
    assert column(tab.assessments_table, 1) == ["Ms A Assessor"]
    assert tab.access.arrangements[0].assessment_id == school.ann_assessment
    # Nothing to remove for a pupil with no assessment; no button at all for a teacher.
    ben = make_tab(qtbot, db, senco, school.ben)
    assert not ben.remove_assessment_button.isEnabled()
    assert not ben.remove_assessment()
    assert make_tab(qtbot, db, school.teacher, school.ann).remove_assessment_button is None


def test_assessment_dialog_checks_scores_and_paperwork_live(
    qtbot, db, senco, school, monkeypatch
) -> None:
    dialog = AssessmentDialog(
        context(db, senco),
        school.cal,
        check_arrangement="extra_time_25",
        date_of_birth=date(2012, 1, 1),
        today=TODAY,
    )
    qtbot.addWidget(dialog)
    dialog.assessor.setText("Mr B Assessor")
    dialog.assessed_on.setDate(to_qdate(date(2025, 6, 2)))
    dialog.pon.edit.setDate(to_qdate(date(2025, 6, 9)))
    problems = dialog.problems_label.text()
    assert "too early for GCSE" in problems and "01/09/2025 for this pupil" in problems
    assert "Part 1 (the SENCo's picture of need) is dated 09/06/2025, after the" in problems
    assert "No assessor qualification is on file" in problems

    dialog.add_score("writing speed", "DASH", 84)  # exactly on the threshold
    row = dialog.add_score("cognitive processing speed", "", 90)
    text = dialog.verdict_label.text()
    assert "Writing speed 84 counts: below average (84 or less)" in text
    assert "Cognitive processing speed 90 does not count" in text
    assert "Criteria not met." in text
    spin = editor_at(dialog.scores, row, 2)
    assert isinstance(spin, QSpinBox)
    spin.setValue(89)
    assert "Criteria met." in dialog.verdict_label.text()
    assert "counts: low average (85–89)" in dialog.verdict_label.text()
    dialog.check_kind.setCurrentIndex(dialog.check_kind.findData("extra_time_50"))
    assert "Criteria not met." in dialog.verdict_label.text()

    dialog.assessed_on.setDate(to_qdate(date(2025, 11, 3)))
    dialog.qualification.setText("AMBDA")
    dialog.pon.edit.setDate(to_qdate(date(2025, 10, 20)))
    assert dialog.problems_label.text() == (
        "No problems with the dates or the assessor's qualification."
    )
    accept(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [stored] = pupil_access(db, senco, school.cal, today=TODAY).assessments
    assert [(s.area, s.score, s.test) for s in stored.scores] == [
        ("writing speed", 84, "DASH"),
        ("cognitive processing speed", 89, ""),
    ]
    assert stored.problems == ()


def test_record_an_assessment_from_the_tab_shows_its_problems(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    def fill(dialog: AssessmentDialog) -> int:
        dialog.assessor.setText("Ms C Tester")
        dialog.assessed_on.setDate(to_qdate(date(2026, 1, 20)))
        dialog.pon.not_yet.setChecked(True)
        dialog.add_score("spelling accuracy", "WRAT5", 79)
        return accept(dialog)

    monkeypatch.setattr(AssessmentDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, school.ben)
    assert tab.assessments_empty.isVisibleTo(tab)
    with qtbot.waitSignal(tab.changed):
        tab.record_button.click()
    assert warnings == []
    assert cells(tab.assessments_table, 0) == [
        "20/01/2026",
        "Ms C Tester",
        "None on file",
        "Spelling accuracy 79 (WRAT5)",
        "2 problems",
    ]
    text = tab.problems_label.text()
    assert "Form 8 Part 1 (the SENCo's picture of need) is missing" in text
    assert "No assessor qualification is on file" in text


def test_assessment_refusal_keeps_the_dialog_open(qtbot, db, senco, school, warnings) -> None:
    dialog = AssessmentDialog(context(db, senco), school.cal, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.add_score()
    accept(dialog)  # no assessor's name
    assert len(warnings) == 1 and "assessor" in warnings[0].lower()
    assert warnings[0].endswith(".")
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert pupil_access(db, senco, school.cal, today=TODAY).assessments == []


def test_teacher_reads_without_buttons(qtbot, db, school) -> None:
    tab = make_tab(qtbot, db, school.teacher, school.ann)
    assert tab.propose_button is None and tab.record_button is None
    assert tab.status_button is None and tab.evidence_button is None
    assert column(tab.table, 0) == ["25% extra time", "Reader"]
    assert "Criteria met." in tab.details.toPlainText()


def test_evidence_file_is_saved_as_a_pdf(
    qtbot, db, senco, school, monkeypatch, tmp_path, warnings
) -> None:
    record_nww(
        db,
        school.teacher,
        NwwData(school.ann_extra_time, "Maths", date(2026, 2, 9), "mock", "Paper 1", True, 18),
        today=TODAY,
    )
    target = tmp_path / "Ann evidence"
    suggested: list[str] = []

    def choose(_parent, _title, name, _filter):  # type: ignore[no-untyped-def]
        suggested.append(name)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *_a: told.append(text))
    tab = make_tab(qtbot, db, senco, school.ann)
    written = tab.save_evidence_file()
    assert warnings == []
    assert suggested == [f"access-arrangements-{make(801, 2000, 24, 1)}.pdf"]  # Ann's UPN
    assert written == tmp_path / "Ann evidence.pdf" and written.is_file()
    assert told == [f"Saved the evidence file to {written}."]
    text = "\n".join(page.extract_text() for page in PdfReader(written).pages)
    assert "25% extra time" in text and "Ms A Assessor" in text and "Paper 1" in text


def test_helpers_in_words(db, senco, school) -> None:
    access = pupil_access(db, senco, school.ann, today=TODAY)
    extra = access.arrangements[0]
    text = details_text(extra, access.assessments[0])
    assert "Status: approved by awarding body (proposed 15/09/2025, applied online " in text
    assert "expires 21/12/2027" in text
    assert "Assessment: 06/10/2025 by Ms A Assessor." in text
    assert scores_text(access.assessments[0]).startswith("Writing speed 82 (DASH 17+)")


def test_pupil_window_has_the_tab_and_every_control_is_named(qtbot, db, senco, school) -> None:
    window = PupilWindow(context(db, senco), school.ann)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert "Access arrangements" in titles
    window.show_tab("access")  # made when first shown
    tab = window.tabs.widget(titles.index("Access arrangements"))
    assert isinstance(tab, AccessTab)
    assert column(tab.table, 0) == ["25% extra time", "Reader"]
    ctx = context(db, senco)
    dialogs = (
        ArrangementDialog(ctx, school.ann, tab.access, tab.access.arrangements[0], today=TODAY),
        StatusDialog(ctx, tab.access.arrangements[1], today=TODAY),
        AssessmentDialog(ctx, school.ann, tab.access.assessments[0], today=TODAY),
    )
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__
    assert unnamed_controls(tab) == []
    # the score rows' editors are named too
    scores = dialogs[2].scores
    for c in range(3):
        widget = editor_at(scores, 0, c)
        assert isinstance(widget, QComboBox | QLineEdit | QSpinBox)
        assert widget.accessibleName()


# --- exam entries and professional evidence ------------------------------------------------------


def test_exam_entries_added_and_removed_by_the_senco(
    qtbot, db, senco, school, monkeypatch, warnings
) -> None:
    from PySide6.QtWidgets import QInputDialog

    tab = make_tab(qtbot, db, senco, school.ann)
    # none yet: said, with where they come from
    assert tab.entries_table.isHidden() and not tab.entries_empty.isHidden()
    assert tab.entries_empty.text().startswith("No exam entries recorded")
    offered: list[list[str]] = []

    def pick(_parent, _title, _label, items, *_args):  # type: ignore[no-untyped-def]
        offered.append(list(items))
        return "English", True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    with qtbot.waitSignal(tab.changed):
        assert tab.add_entry()
    assert offered == [["English", "Maths"]]  # the classes Ann is taught
    assert cells(tab.entries_table, 0) == ["English", "Added by hand"]
    assert not tab.entries_table.isHidden() and tab.entries_empty.isHidden()
    assert not tab.add_entry("english")
    assert warnings == ["This candidate is already entered for English."]

    assert tab.remove_entry_button is not None and not tab.remove_entry_button.isEnabled()
    tab.entries_table.selectRow(0)
    assert tab.remove_entry_button.isEnabled()
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not tab.remove_entry()
    assert asked == [
        "Remove the exam entry for English? Evidence will no longer be asked for in it."
    ]
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert tab.remove_entry()
    assert tab.access.exam_entries == () and not tab.entries_empty.isHidden()


def test_a_teacher_sees_entries_without_the_buttons(qtbot, db, senco, school) -> None:
    from sendesk.services.access.exam_entries import add_exam_entry

    add_exam_entry(db, senco, school.ann, "Maths")
    tab = make_tab(qtbot, db, school.teacher, school.ann)
    assert cells(tab.entries_table, 0) == ["Maths", "Added by hand"]
    assert tab.add_entry_button is None and tab.remove_entry_button is None
    assert not tab.add_entry("English")
    assert unnamed_controls(tab) == []


def test_extra_time_for_another_impairment_says_what_evidence_is_missing(
    qtbot, db, senco, school
) -> None:
    from sendesk.services.access.arrangement_edits import propose_arrangement

    other = propose_arrangement(
        db,
        senco,
        school.dee,
        ArrangementData("extra_time_25_other", "professional", date(2026, 2, 2)),
        today=TODAY,
    )
    tab = make_tab(qtbot, db, senco, school.dee)
    tab.select_arrangement(other)
    text = tab.details.toPlainText()
    assert "• Not met: no professional evidence is recorded." in text
    assert "supervised rest breaks should be considered before 25% extra time" in text
    dialog = tab.arrangement_dialog(tab.selected_arrangement())
    qtbot.addWidget(dialog)
    assert "Not met: no professional evidence is recorded." in dialog.verdict_view.toPlainText()
