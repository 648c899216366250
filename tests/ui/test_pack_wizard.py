"""The request pack wizard, driven through its three steps on a real SQLCipher database:
the readiness check as the SENCo reads it, evidence chosen and reordered from the keyboard,
then a real pack built into a folder and read back (pypdf, python-docx); and Stop leaving
nothing behind."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWizard
from reportlab.pdfgen import canvas

from sendesk.db import Database
from sendesk.models import Role
from sendesk.rules.census import Area
from sendesk.rules.readiness import ITEM_KEYS
from sendesk.rules.support_plans import OutcomeDraft, PlanDraft, ProvisionDraft
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import RequestData
from sendesk.services.ehc.requests import open_request
from sendesk.services.evidence.evidence import add_document
from sendesk.services.graduated.support_plans import create_plan
from sendesk.ui.ehc.pack_wizard import MISSING, READY, GeneratePage, PackWizard
from tests.factories import add_test_pupil, make_user
from tests.ui.screens import context, on_screen

TODAY = date(2026, 3, 16)


def make_pdf(path: Path, marker: str, pages: int) -> Path:
    c = canvas.Canvas(str(path))
    for n in range(1, pages + 1):
        c.drawString(72, 720, f"{marker} page {n}")
        c.showPage()
    c.save()
    return path


@pytest.fixture
def pupil_id(db: Database, senco: Actor, tmp_path: Path) -> int:
    pid = add_test_pupil(
        db, senco, 1, provision="K", needs=("SLCN",), forename="Zoë", surname="Brontë"
    )
    open_request(
        db,
        senco,
        pid,
        RequestData(
            requested_by="school",
            la_name="Testshire",
            sent_on=date(2026, 3, 2),
            consent_on=date(2026, 2, 20),
            pupil_views="I like Lego club and I want to talk to my friends.",
        ),
        today=TODAY,
    )
    create_plan(
        db,
        senco,
        pid,
        PlanDraft(
            date(2025, 9, 8),
            date(2025, 12, 1),
            "Speech screen",
            (
                OutcomeDraft("Regular access to speech support", Area.COMMUNICATION_INTERACTION),
                OutcomeDraft(
                    "Uses 3-word sentences in 4 lessons of 5", Area.COMMUNICATION_INTERACTION
                ),
            ),
            (ProvisionDraft("staff", "TA support with vocabulary", 60),),
        ),
    )
    folder = tmp_path / "source"
    folder.mkdir()
    for name, marker, pages, title, dated in (
        ("ep", "EVIDENCE-ALPHA", 2, "Educational psychology report", date(2025, 10, 1)),
        ("salt", "EVIDENCE-BETA", 3, "Speech and language report", date(2025, 11, 1)),
        ("letter", "EVIDENCE-GAMMA", 1, "GP letter", date(2025, 12, 1)),
    ):
        pdf = make_pdf(folder / f"{name}.pdf", marker, pages)
        add_document(db, senco, pid, pdf, title, dated, today=TODAY)
    return pid


pytestmark = pytest.mark.usefixtures("no_unexpected_questions")


@pytest.fixture
def wizard(qtbot, db: Database, senco: Actor, pupil_id: int) -> PackWizard:
    w = PackWizard(context(db, senco), pupil_id, la_name="Testshire", today=TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def save_into(wizard: PackWizard, folder: Path) -> GeneratePage:
    """Make ``folder`` and choose it on the wizard's last page (showing); returns the page."""
    folder.mkdir()
    wizard.generate_page.folder.setText(str(folder))
    return wizard.generate_page


def tree_rows(wizard: PackWizard) -> list[tuple[str, str, list[str]]]:
    tree = wizard.readiness_page.tree
    out = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        details = [top.child(j).text(1) for j in range(top.childCount())]
        out.append((top.text(0), top.text(1), details))
    return out


def listed(wizard: PackWizard) -> list[str]:
    lst = wizard.evidence_page.list
    return [lst.item(i).text().split(" — ")[0] for i in range(lst.count())]


def pages_with(reader: PdfReader, marker: str) -> list[int]:
    return [i for i, page in enumerate(reader.pages) if marker in (page.extract_text() or "")]


def test_readiness_is_listed_item_by_item_with_vague_wording_pointed_out(wizard) -> None:
    shown = tree_rows(wizard)
    assert len(shown) == len(ITEM_KEYS)
    statuses = {label.split(" — ")[0]: status for status, label, _ in shown}
    assert statuses["The pupil's views"] == READY
    assert statuses["Parents' views"] == MISSING
    vague = next(row for row in shown if row[1].startswith("Precise outcomes and provision"))
    assert vague[0] == MISSING
    assert any('"Regular access to speech support"' in d for d in vague[2])
    assert any("how often" in d for d in vague[2])
    summary = wizard.readiness_page.summary.text()
    ready = sum(1 for s, _, _ in shown if s == READY)
    assert summary.startswith(f"{ready} of {len(ITEM_KEYS)} items ready.")
    assert "listed on the pack's cover page" in summary
    tree = wizard.readiness_page.tree
    flagged = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert all(item.isExpanded() == (item.text(0) == MISSING) for item in flagged)


def test_choose_order_and_build_a_real_pack(qtbot, wizard, tmp_path, monkeypatch, warnings):
    opened: list[Path] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(Path(url.toLocalFile())) or True
    )
    wizard.next()
    page = wizard.evidence_page
    assert listed(wizard) == [
        "Educational psychology report",
        "Speech and language report",
        "GP letter",
    ]
    assert page.count_label.text() == "3 of 3 documents will be appended."
    # The speech and language report first (Alt+Up from the keyboard), the GP letter left out.
    page.list.setFocus()
    page.list.setCurrentRow(1)
    from PySide6.QtCore import Qt

    qtbot.keyClick(page.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert listed(wizard)[:2] == ["Speech and language report", "Educational psychology report"]
    page.list.item(2).setCheckState(Qt.CheckState.Unchecked)
    assert page.count_label.text() == "2 of 3 documents will be appended."

    wizard.next()
    out = tmp_path / "out"
    generate = save_into(wizard, out)
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    generate.build_button.click()
    qtbot.waitUntil(lambda: generate.job is None, timeout=30_000)  # built on the worker
    assert warnings == []
    result = generate.result
    assert result is not None
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert sorted(p.name for p in out.iterdir()) == sorted([result.pdf.name, result.docx.name])
    text = generate.status.text()
    assert str(result.pdf) in text and str(result.docx) in text
    assert f"({result.pages} pages)" in text

    reader = PdfReader(str(result.pdf))
    assert len(reader.pages) == result.pages
    whole = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Brontë" in whole
    beta, alpha = pages_with(reader, "EVIDENCE-BETA"), pages_with(reader, "EVIDENCE-ALPHA")
    assert len(beta) == 3 and len(alpha) == 2
    assert max(beta) < min(alpha)  # in the order chosen
    assert pages_with(reader, "EVIDENCE-GAMMA") == []  # left out
    docx = Document(str(result.docx))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    assert headings, "the DOCX has real Word headings"

    generate.open_pdf_button.click()
    generate.open_docx_button.click()
    assert opened == [result.pdf, result.docx]


def test_stop_leaves_no_file_behind(qtbot, wizard, tmp_path, warnings) -> None:
    wizard.next()
    wizard.next()
    out = tmp_path / "out"
    generate = save_into(wizard, out)
    generate.build_button.click()
    generate.cancel_button.click()  # while it builds on the worker thread
    qtbot.waitUntil(lambda: generate.job is None, timeout=30_000)
    assert generate.status.text() == "Stopped. Nothing was saved."
    assert generate.result is None
    assert list(out.iterdir()) == []
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert generate.build_button.isEnabled() and not generate.cancel_button.isEnabled()


def test_a_folder_that_does_not_exist_is_refused(wizard, tmp_path, warnings) -> None:
    wizard.next()
    wizard.next()
    wizard.generate_page.folder.setText(str(tmp_path / "nowhere"))
    wizard.generate_page.build_button.click()
    assert warnings == ["Choose a folder that exists to save the pack in."]
    assert wizard.generate_page.result is None


def test_another_la_rules_change_the_check(qtbot, db, senco, wizard) -> None:
    from sendesk.services.ehc.la_profiles import LaProfileData, save_la_profile

    save_la_profile(db, senco, None, None, LaProfileData("Kent", reviewed_cycles=1))
    before = next(r for r in tree_rows(wizard) if r[1].startswith("Reviewed support plans"))
    assert before[1].endswith("; Testshire looks for 2.")
    wizard.readiness_page.la.setCurrentText("Kent")
    wizard.readiness_page.check_button.click()
    after = next(r for r in tree_rows(wizard) if r[1].startswith("Reviewed support plans"))
    assert after[1].endswith("; Kent looks for 1.")


def test_a_teacher_is_told_they_may_not(qtbot, db, senco, pupil_id, warnings) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER, "Teacher")
    w = on_screen(qtbot, PackWizard(context(db, teacher), pupil_id, today=TODAY))
    assert len(warnings) == 1 and warnings[0].endswith(".")
    assert w.readiness_page.tree.topLevelItemCount() == 0


def test_the_next_pack_starts_in_the_last_folder_used_while_it_exists(
    qtbot, db, senco, pupil_id, wizard, tmp_path, monkeypatch, warnings
) -> None:
    """The folder field of the next wizard shows the folder the last pack went to (kept in
    the app's settings file, with no pupil's name in it); once that folder is gone, it
    shows Documents, and with no Documents folder either, the home folder — never a folder
    that does not exist."""
    from PySide6.QtCore import QStandardPaths

    from sendesk.settings import config_path

    def next_wizard_folder() -> str:
        w = PackWizard(context(db, senco), pupil_id, la_name="Testshire", today=TODAY)
        qtbot.addWidget(w)
        return w.generate_page.folder.text()

    wizard.next()
    wizard.next()
    out = tmp_path / "LA packs"
    generate = save_into(wizard, out)
    generate.progress.valueChanged.connect(lambda _v: generate.cancel_button.click())
    generate.build_button.click()  # stopped at once: the folder was still the one used
    # The worker may be part-way through a page when Stop is seen (or, on a slow machine,
    # done before it): wait until it has finished, as the user would before deleting it.
    qtbot.waitUntil(lambda: generate.job is None, timeout=60_000)
    assert next_wizard_folder() == str(out.resolve())
    stored = config_path().read_text(encoding="utf-8")
    assert str(out.resolve()).replace("\\", "\\\\") in stored and "Brontë" not in stored
    shutil.rmtree(out)
    documents = tmp_path / "Documents"
    documents.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda _where: str(documents))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    assert next_wizard_folder() == str(documents)
    documents.rmdir()
    assert next_wizard_folder() == str(home)
