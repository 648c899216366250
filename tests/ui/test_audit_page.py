"""The SENCo's audit trail page: filter who did what to whom, see the anchor, export CSV
(UK GDPR Art. 5(2) accountability; a subject access request may ask who saw a record)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from sendesk.db import Database
from sendesk.services.actor import Actor
from sendesk.services.register.pupil_record import view_record
from sendesk.services.staff.session_lock import lock_after_minutes
from sendesk.services.store.audit_anchor import current_anchor
from sendesk.ui.store.audit_page import ANY_ACTION, AuditPage
from tests.factories import add_test_pupil
from tests.ui.export_audit import export_details
from tests.ui.screens import context, on_screen


@pytest.fixture
def page(qtbot, db: Database, senco: Actor) -> AuditPage:
    zoe = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Zoë")
    ned = add_test_pupil(db, senco, 2, forename="Ned")
    view_record(db, senco, zoe)
    view_record(db, senco, ned)
    made = on_screen(qtbot, AuditPage(context(db, senco)))
    made.loading.wait()  # the trail is read on the worker thread
    return made


def show(page: AuditPage) -> None:
    """Press Show and wait for the events (read on the worker thread)."""
    page.show_button.click()
    page.loading.wait()


def shown(page: AuditPage) -> list[tuple[str, ...]]:
    model = page.model
    return [
        tuple(str(model.index(r, c).data()) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_every_event_is_listed_with_the_chains_anchor(page: AuditPage, db: Database) -> None:
    rows = shown(page)
    with db.session() as s:
        anchor = current_anchor(s)
    assert len(rows) == anchor.length
    assert page.anchor.text() == f"Audit trail: {anchor.length:,} events; newest hash {anchor.head}"
    assert [r[2] for r in rows][-2:] == ["view", "view"]
    assert all(r[1] == "senco" for r in rows[-2:])


def test_filter_by_pupil_and_action(page: AuditPage) -> None:
    upn = shown(page)[-2][4]
    page.upn.setText(upn.lower())  # case does not matter
    page.action.setCurrentText("view")
    show(page)
    rows = shown(page)
    assert [(r[2], r[4]) for r in rows] == [("view", upn)]
    assert page.message.text() == "1 event match, oldest first (newest in view)."
    page.since_on.setChecked(True)
    page.since.setDate(page.since.date().addDays(1))  # from tomorrow: nothing yet
    show(page)
    assert shown(page) == [] and page.message.text() == "No audit events match."
    assert not page.export_button.isEnabled()


def test_an_unknown_pupil_or_user_is_one_sentence(page: AuditPage) -> None:
    page.user.setText("nobody")
    show(page)
    assert page.message.text() == "There is no SENDesk user called 'nobody'."
    page.user.clear()
    page.action.setCurrentText(ANY_ACTION)
    page.upn.setText("A123")
    show(page)
    assert page.message.text() == "No pupil has the UPN A123."


def test_export_csv_writes_the_events_shown_and_is_audited(
    page: AuditPage, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.action.setCurrentText("view")
    show(page)
    upns = [r[4] for r in shown(page)]
    target = tmp_path / "trail"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "CSV (*.csv)"))
    )
    written = page.export()
    assert written == tmp_path / "trail.csv"
    with written.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["Event", "When (UTC)", "User", "Action", "Record", "Record id", "UPN"]
    assert [(row[3], row[6]) for row in table[1:-1]] == [("view", u) for u in upns]
    assert table[-1][0].startswith("Audit trail: ")
    assert export_details(db) == [{"what": "audit trail", "pupils": 2, "file": "trail.csv"}]
    page.action.setCurrentText("export")
    show(page)
    assert [r[2] for r in shown(page)] == ["export"]
    assert date.today().strftime("%d/%m/%Y") in shown(page)[0][0]


def test_the_senco_sets_the_lock_time_for_every_computer(page: AuditPage, db: Database) -> None:
    assert page.lock_minutes.value() == 5
    page.lock_minutes.setValue(12)
    page.lock_save.click()
    assert page.lock_note.text() == (
        "SENDesk now locks after 12 minutes without use, on every computer from its next sign-in."
    )
    assert lock_after_minutes(db) == 12
    page.lock_minutes.setValue(0)  # below the range: the box keeps 1, never "off"
    assert page.lock_minutes.value() == 1
    page.reload().wait()
    assert "update" in [line.action for line in page.model.rows]  # the change is audited
