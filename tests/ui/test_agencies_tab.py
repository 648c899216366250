"""The Agencies & evidence tab, driven as a user: involvements, documents, opening them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from reportlab.pdfgen import canvas

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.evidence.agencies import (
    InvolvementData,
    add_involvement,
    get_involvement,
    list_involvements,
)
from sendesk.services.evidence.evidence import add_document, list_documents, remove_viewer_copies
from sendesk.ui.evidence.agencies_tab import (
    AgenciesTab,
    DocumentDialog,
    InvolvementDialog,
    first_line,
    size_text,
)
from sendesk.ui.register.status_dialog import to_qdate
from tests.factories import make_user, works_with
from tests.ui.dialogs import accept, answer_question
from tests.ui.screens import context
from tests.ui.views import cells, row_count, set_current, tooltip

TODAY = date(2026, 1, 15)
INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QAbstractItemView)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "EP report.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Educational psychology report")
    c.showPage()
    c.save()
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Stand in for the OS viewer: record the file each openUrl was asked to open."""
    urls: list[Path] = []

    def open_url(url: QUrl) -> bool:
        urls.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    yield urls
    remove_viewer_copies()


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> AgenciesTab:
    tab = AgenciesTab(context(db, actor), pupil_id, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def test_helpers() -> None:
    assert size_text(820) == "820 bytes"
    assert size_text(34 * 1024 + 1) == "35 KB"
    assert size_text(5 * 1024 * 1024 // 2) == "2.5 MB"
    assert first_line("\n  Visual timetable.\nShort instructions.") == "Visual timetable. …"
    assert first_line("One line") == "One line" and first_line("  ") == ""


def test_add_involvement_through_its_dialog(
    qtbot, db, senco, pupil_id, monkeypatch, warnings
) -> None:
    def fill(dialog: InvolvementDialog) -> int:
        dialog.agency.setCurrentIndex(dialog.agency.findText("Speech and language therapy"))
        dialog.professional.setText("Ms Ní Bhriain, SaLT")
        dialog.referral.not_yet.setChecked(False)
        dialog.referral.edit.setDate(to_qdate(date(2025, 10, 1)))
        assert dialog.seen.not_yet.isChecked() and not dialog.seen.edit.isEnabled()
        dialog.seen.not_yet.setChecked(False)
        dialog.seen.edit.setDate(to_qdate(date(2025, 11, 20)))
        dialog.advice.setPlainText("Use visual supports.\nPre-teach vocabulary.")
        return accept(dialog)

    monkeypatch.setattr(InvolvementDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.empty_label.isVisibleTo(tab) and not tab.table.isVisibleTo(tab)
    with qtbot.waitSignal(tab.changed):
        tab.add_button.click()
    assert warnings == []
    assert row_count(tab.table) == 1
    assert cells(tab.table, 0) == [
        "Speech and language therapy",
        "Ms Ní Bhriain, SaLT",
        "01/10/2025",
        "20/11/2025",
        "Use visual supports. …",
        "SENCo only",  # a therapy: health advice starts as the SENCo's only
    ]
    assert tooltip(tab.table, 0, 4) == "Use visual supports.\nPre-teach vocabulary."
    [stored] = list_involvements(db, senco, pupil_id)
    assert stored.professional == "Ms Ní Bhriain, SaLT" and stored.seen_date == date(2025, 11, 20)


def test_typed_agency_and_not_yet_seen(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    def fill(dialog: InvolvementDialog) -> int:
        dialog.agency.setEditText("Testshire Sensory Service")
        return accept(dialog)

    monkeypatch.setattr(InvolvementDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    tab.add_button.click()
    assert cells(tab.table, 0)[:4] == ["Testshire Sensory Service", "", "15/01/2026", "Not yet"]


def test_refusal_is_one_sentence_and_the_dialog_stays(qtbot, db, senco, pupil_id, warnings):
    ctx = context(db, senco)
    dialog = InvolvementDialog(ctx, pupil_id, None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.referral.edit.setDate(to_qdate(date(2025, 12, 1)))
    dialog.seen.not_yet.setChecked(False)
    dialog.seen.edit.setDate(to_qdate(date(2025, 11, 1)))
    dialog.accept()
    dialog.save_op.wait()
    assert len(warnings) == 1 and "before the referral date" in warnings[0]
    assert warnings[0].count(".") >= 1 and warnings[0].endswith(".")
    assert dialog.result() != dialog.DialogCode.Accepted
    assert list_involvements(db, senco, pupil_id) == []


def test_edit_by_enter_and_remove_keeps_documents(
    qtbot, db, senco, pupil_id, monkeypatch, pdf
) -> None:
    inv_id = add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData("CAMHS", "Dr Okafor", date(2025, 6, 1), None, "Wait list."),
        today=TODAY,
    )
    add_document(db, senco, pupil_id, pdf, "CAMHS letter", date(2025, 7, 1), inv_id, today=TODAY)

    def fill(dialog: InvolvementDialog) -> int:
        assert dialog.professional.text() == "Dr Okafor"
        assert dialog.agency.currentText() == "CAMHS"
        dialog.seen.not_yet.setChecked(False)
        dialog.seen.edit.setDate(to_qdate(date(2025, 9, 3)))
        return accept(dialog)

    monkeypatch.setattr(InvolvementDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert cells(tab.documents_table, 0)[4] == "CAMHS"
    tab.table.setFocus()
    set_current(tab.table, 0)
    with qtbot.waitSignal(tab.changed):
        qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert get_involvement(db, senco, inv_id).seen_date == date(2025, 9, 3)
    assert cells(tab.table, 0)[3] == "03/09/2025"

    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.remove_button.click()
    assert "Its 1 document will stay with the pupil" in asked[0]
    assert row_count(tab.table) == 1
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_button.click()
    assert list_involvements(db, senco, pupil_id) == []
    assert tab.empty_label.isVisibleTo(tab)
    assert cells(tab.documents_table, 0)[0] == "CAMHS letter"
    assert cells(tab.documents_table, 0)[4] == ""


def test_add_document_then_open_it(
    qtbot, db, senco, pupil_id, monkeypatch, pdf, opened, warnings
) -> None:
    add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData("Educational psychologist", "Dr Shah", date(2025, 9, 1)),
        today=TODAY,
    )
    chosen: list[str] = []

    def get_open_file_name(_parent, _caption, _folder, filters, *_args):  # type: ignore[no-untyped-def]
        chosen.append(filters)
        return str(pdf), ""

    def fill(dialog: DocumentDialog) -> int:
        assert dialog.title_edit.text() == "EP report"
        assert dialog.agency.currentData() is not None  # the selected involvement
        dialog.title_edit.setText("EP report — Zoë")
        dialog.document_date.edit.setDate(to_qdate(date(2025, 12, 2)))
        return accept(dialog)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", get_open_file_name)
    monkeypatch.setattr(DocumentDialog, "exec", fill)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert tab.documents_empty_label.isVisibleTo(tab)
    with qtbot.waitSignal(tab.changed):
        tab.add_document_button.click()
    assert "*.pdf" in chosen[0] and "*.docx" in chosen[0] and "*.jpg" in chosen[0]
    assert warnings == []
    row = cells(tab.documents_table, 0)
    assert row[0] == "EP report — Zoë"
    assert row[1:3] == ["02/12/2025", "PDF"]
    assert row[3] == size_text(pdf.stat().st_size)
    assert row[4] == "Educational psychologist"

    tab.open_button.click()
    assert len(opened) == 1
    assert opened[0].read_bytes() == pdf.read_bytes()

    # Enter on the documents table opens too.
    tab.documents_table.setFocus()
    set_current(tab.documents_table, 0)
    qtbot.keyClick(tab.documents_table, Qt.Key.Key_Return)
    assert len(opened) == 2 and opened[1].read_bytes() == pdf.read_bytes()


def test_cancelled_file_choice_adds_nothing(qtbot, db, senco, pupil_id, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: ("", ""))

    def never(_dialog: DocumentDialog) -> int:
        raise AssertionError("no document dialog after a cancelled choice")

    monkeypatch.setattr(DocumentDialog, "exec", never)
    tab = make_tab(qtbot, db, senco, pupil_id)
    tab.add_document_button.click()
    assert list_documents(db, senco, pupil_id) == []


def test_a_file_that_is_not_a_document_is_refused(
    qtbot, db, senco, pupil_id, tmp_path, warnings
) -> None:
    fake = tmp_path / "notes.pdf"
    fake.write_text("not really a PDF")
    dialog = DocumentDialog(context(db, senco), pupil_id, fake, [], today=TODAY)
    qtbot.addWidget(dialog)
    dialog.accept()
    dialog.save_op.wait()
    assert len(warnings) == 1 and warnings[0].endswith(".")
    assert dialog.result() != dialog.DialogCode.Accepted
    assert list_documents(db, senco, pupil_id) == []


def test_remove_document_asks_first(qtbot, db, senco, pupil_id, monkeypatch, pdf) -> None:
    add_document(db, senco, pupil_id, pdf, "Work sample", None, today=TODAY)
    tab = make_tab(qtbot, db, senco, pupil_id)
    assert cells(tab.documents_table, 0)[1] == "Undated"
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.No)
    tab.remove_document_button.click()
    assert "Work sample" in asked[0]
    assert len(list_documents(db, senco, pupil_id)) == 1
    answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(tab.changed):
        tab.remove_document_button.click()
    assert list_documents(db, senco, pupil_id) == []
    assert tab.documents_empty_label.isVisibleTo(tab)


def test_teacher_reads_and_opens_but_cannot_edit(qtbot, db, senco, pupil_id, pdf, opened) -> None:
    inv_id = add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData("Specialist teacher (learning)", seen_date=date(2025, 5, 5)),
    )
    add_document(db, senco, pupil_id, pdf, "Care plan", date(2025, 5, 5), inv_id, today=TODAY)
    # Health advice is the SENCo's only: the teacher does not even see it listed.
    nurse = add_involvement(db, senco, pupil_id, InvolvementData("School nurse"))
    add_document(db, senco, pupil_id, pdf, "Nurse letter", date(2025, 5, 6), nurse, today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    tab = make_tab(qtbot, db, teacher, pupil_id)
    assert tab.add_button is None and tab.edit_button is None and tab.remove_button is None
    assert tab.add_document_button is None and tab.remove_document_button is None
    assert row_count(tab.table) == 1
    assert cells(tab.table, 0)[:4] == ["Specialist teacher (learning)", "", "Not yet", "05/05/2025"]
    tab.open_button.click()
    assert opened[0].read_bytes() == pdf.read_bytes()


def test_read_only_account_may_not_see_the_tab(qtbot, db, pupil_id) -> None:
    viewer = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError):
        AgenciesTab(context(db, viewer), pupil_id, today=TODAY)


def unnamed_controls(root: QWidget) -> list[str]:
    """Each enabled control with neither an accessible name nor its own text (as in
    tests/ui/test_accessibility.py)."""
    missing = []
    for widget in root.findChildren(QWidget):
        if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
            continue
        parent = widget.parentWidget()
        inside = False
        while parent is not None:
            inside = inside or isinstance(parent, QComboBox | QAbstractSpinBox)
            parent = parent.parentWidget()
        if inside:
            continue
        named = bool(widget.accessibleName())
        if isinstance(widget, QAbstractButton):
            named = named or bool(widget.text().replace("&", "").strip())
        elif not isinstance(widget, INPUTS):
            continue
        if not named and widget.isEnabled():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} has no name")
    return missing


def test_every_control_has_an_accessible_name(qtbot, db, senco, pupil_id) -> None:
    tab = make_tab(qtbot, db, senco, pupil_id)
    ctx = context(db, senco)
    inv = InvolvementDialog(ctx, pupil_id, None, today=TODAY)
    doc = DocumentDialog(ctx, pupil_id, Path("x.pdf"), [], today=TODAY)
    for widget in (inv, doc):
        qtbot.addWidget(widget)
    for root in (tab, inv, doc):
        assert unnamed_controls(root) == []


def test_the_senco_lets_staff_read_a_document_and_the_teacher_then_sees_it(
    qtbot, db, senco, pupil_id, pdf, monkeypatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    nurse = add_involvement(db, senco, pupil_id, InvolvementData("School nurse"))
    add_document(
        db, senco, pupil_id, pdf, "Medical needs plan", date(2025, 5, 6), nurse, today=TODAY
    )
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil_id)
    assert make_tab(qtbot, db, teacher, pupil_id).documents == []

    tab = make_tab(qtbot, db, senco, pupil_id)
    assert cells(tab.documents_table, 0)[-1] == "SENCo only"
    asked: list[str] = []

    def choose(_parent, _title, label, items, current, _editable):
        asked.append(label)
        assert items[current] == "SENCo only"
        return "Staff who work with the pupil", True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    with qtbot.waitSignal(tab.changed):
        tab.level_button.click()
    assert asked == ["Who may read “Medical needs plan”?"]
    assert cells(tab.documents_table, 0)[-1] == "Staff who work with the pupil"
    assert [d.title for d in make_tab(qtbot, db, teacher, pupil_id).documents] == [
        "Medical needs plan"
    ]
