"""The Concerns tab, driven as a teacher and as the SENCo (issue 15): raising a concern
with a work sample, asking for more evidence, and deciding."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from sendesk.db import Database
from sendesk.models import Role
from sendesk.rules.concerns import ConcernDraft
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence.evidence import get_document
from sendesk.services.graduated.concerns import ask_for_evidence, list_concerns, raise_concern
from sendesk.services.register.register import read_register
from sendesk.services.staff import users
from sendesk.ui.graduated.concerns_tab import (
    AddEvidenceDialog,
    ConcernsTab,
    DecideDialog,
    RaiseConcernDialog,
)
from sendesk.ui.kit.dates import to_qdate
from tests.factories import add_test_pupil, works_with
from tests.ui.screens import context
from tests.ui.views import all_cells

TODAY = date(2026, 11, 2)


@pytest.fixture
def teacher(db: Database, senco: Actor) -> Actor:
    users.create_user(db, senco, "teach", "Ms Teach", Role.TEACHER, "first-password-1")
    return acting_user(db, "teach")


@pytest.fixture
def pupil(db: Database, senco: Actor, teacher: Actor) -> int:
    pid = add_test_pupil(db, senco, 5, forename="Cara")
    works_with(db, teacher, pid)
    return pid


def make_tab(qtbot, db: Database, actor: Actor, pupil: int) -> ConcernsTab:  # type: ignore[no-untyped-def]
    tab = ConcernsTab(context(db, actor), pupil, today=TODAY)
    qtbot.addWidget(tab)
    return tab


def saved(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    """Press OK and wait for the save on the worker thread."""
    dialog.accept()
    assert dialog.save_op is not None
    dialog.save_op.wait()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)


def test_a_teacher_raises_a_concern_with_a_work_sample(
    qtbot, db: Database, senco: Actor, teacher: Actor, pupil: int, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, db, teacher, pupil)
    assert tab.raise_button is not None
    assert (tab.ask_button, tab.decide_button) == (None, None)  # the SENCo's, not offered
    assert tab.concern_list.empty_label.text() == (
        "No causes for concern raised. Raise one with Raise a concern."
    )
    dialog = RaiseConcernDialog(tab.ctx, pupil, tab, today=TODAY)
    dialog.area.setCurrentIndex(dialog.area.findData("Communication and interaction"))
    dialog.seen.setPlainText("Does not follow two-step instructions")
    dialog.tried.setPlainText("Visual prompts, instructions one at a time")
    dialog.tried_weeks.setValue(5)
    sample = tmp_path / "listening_task.pdf"
    sample.write_bytes(b"%PDF-1.4\n%%EOF\n")
    dialog.set_samples([sample])
    assert dialog.samples_label.text() == "listening_task.pdf"
    saved(qtbot, dialog)
    tab.reload()
    assert all_cells(tab.concern_list.view) == [
        ["02/11/2026", "Ms Teach", "Communication and interaction", "New: waiting for the SENCo"]
    ]
    tab.concern_list.select(tab.concerns[0].id)
    pane = tab.concern_list.details
    assert pane is not None
    assert "What was seen: Does not follow two-step instructions" in pane.text()
    assert "Already tried: Visual prompts, instructions one at a time (for 5 weeks)" in pane.text()
    assert "1 work sample" in pane.text()
    assert "02/11/2026 — Raised by Ms Teach" in pane.text()
    (doc,) = tab.concerns[0].document_ids
    assert get_document(db, senco, doc).title == "listening task"


def test_a_concern_with_nothing_seen_is_refused_and_the_dialog_stays(
    qtbot, db: Database, teacher: Actor, pupil: int, warnings: list[str]
) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, db, teacher, pupil)
    dialog = RaiseConcernDialog(tab.ctx, pupil, tab, today=TODAY)
    dialog.accept()
    assert dialog.save_op is not None
    dialog.save_op.wait()
    qtbot.waitUntil(lambda: bool(warnings))
    assert warnings == ["Say what you see (what the pupil finds hard)."]
    assert dialog.problem.text() == warnings[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert list_concerns(db, teacher, pupil) == []


def test_the_senco_asks_the_teacher_answers_and_the_senco_adds_the_pupil_to_the_register(
    qtbot, db: Database, senco: Actor, teacher: Actor, pupil: int
) -> None:  # type: ignore[no-untyped-def]
    draft = ConcernDraft("Cognition and learning", "Reverses letters", "", 0, TODAY)
    cid = raise_concern(db, teacher, pupil, draft, today=TODAY)
    (item,) = list_concerns(db, senco, pupil)
    ask_for_evidence(db, senco, cid, item.version, "What have you tried in class?", on=TODAY)

    # the teacher reads the question and answers it
    tab = make_tab(qtbot, db, teacher, pupil)
    assert tab.evidence_button is not None and tab.evidence_button.isEnabled()
    answer = AddEvidenceDialog(tab.ctx, tab.concerns[0], tab, today=TODAY + timedelta(days=7))
    assert answer.findChild(type(tab.concern_list.intro)) is not None
    assert "The SENCo asked: What have you tried in class?" in [
        label.text() for label in answer.findChildren(type(tab.concern_list.intro))
    ]
    answer.text.setPlainText("Letter cards for three weeks: still reversing b and d")
    saved(qtbot, answer)

    # the SENCo decides
    tab = make_tab(qtbot, db, senco, pupil)
    assert all_cells(tab.concern_list.view)[0][3] == "New: waiting for the SENCo"
    assert tab.decide_button is not None and tab.decide_button.isEnabled()
    decide = DecideDialog(tab.ctx, tab.concerns[0], tab, today=TODAY + timedelta(days=10))
    decide.decision.setCurrentIndex(decide.decision.findData("register"))
    decide.need_code.setCurrentIndex(decide.need_code.findData("SPLD"))
    decide.on.setDate(to_qdate(TODAY + timedelta(days=10)))
    saved(qtbot, decide)
    tab.reload()
    assert all_cells(tab.concern_list.view)[0][3] == "Added to the register (K)"
    assert not tab.decide_button.isEnabled()  # decided: nothing more to decide
    register = read_register(db, senco, pupil)
    assert (register.provision, register.needs) == ("K", ("SPLD",))
    pane = tab.concern_list.details
    assert pane is not None
    assert "12/11/2026 — Decided: add to the register — SPLD" in pane.text()
