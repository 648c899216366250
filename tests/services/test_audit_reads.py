"""Reads and exports are on the audit chain: who opened a child's record or document, and
who took a list of pupils out of SENDesk (UK GDPR Art. 5(2) accountability; a parent's
subject access request may ask who has seen their child's record)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.cli import main
from sendesk.db import Database, create_database, open_database
from sendesk.errors import NotFoundError, PermissionDeniedError
from sendesk.models import AuditEvent, Role
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence.evidence import add_document, document_bytes
from sendesk.services.evidence.exports import STANDARD_OUTPUT, record_export
from sendesk.services.register.pupil_record import get_record, view_record
from sendesk.services.school.school import init_school
from sendesk.services.staff.users import create_user, sign_in
from sendesk.services.store.audit import chain_problems
from sendesk.services.store.audit_log import audit_actions, audit_listing
from tests.factories import add_test_pupil, small_pdf, works_with

TODAY = date(2026, 12, 7)
PASSWORD = "correct horse"
SALT = "Speech and language report (test)"  # what the uploaded PDF says


def last(db: Database) -> AuditEvent:
    with db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        return event


def count(db: Database) -> int:
    with db.session() as s:
        return len(s.scalars(select(AuditEvent.id)).all())


def test_opening_a_pupils_record_is_one_view_event_and_a_reread_is_none(
    db: Database, senco: Actor
) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    before = count(db)
    record = view_record(db, senco, pupil)
    assert record.pupil_id == pupil
    event = last(db)
    assert (event.action, event.entity, event.entity_id, event.user_id) == (
        "view",
        "pupil",
        pupil,
        senco.user_id,
    )
    assert count(db) == before + 1
    get_record(db, senco, pupil)  # the open window reading again after a save
    assert count(db) == before + 1
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_a_refused_or_missing_record_is_no_view(db: Database, senco: Actor) -> None:
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "governor1")
    governor = sign_in(db, "gov", "governor1")
    pupil = add_test_pupil(db, senco, 1)
    before = count(db)
    with pytest.raises(PermissionDeniedError):
        view_record(db, governor, pupil)
    with pytest.raises(NotFoundError):
        view_record(db, senco, pupil + 99)
    assert count(db) == before


def test_a_document_opened_is_found_under_the_pupils_upn(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SLCN",))
    other = add_test_pupil(db, senco, 2)
    doc = add_document(db, senco, pupil, small_pdf(SALT), "SALT report", None, filename="salt.pdf")
    add_document(db, senco, other, small_pdf(SALT), "Other", None, filename="o.pdf")
    document_bytes(db, senco, doc)
    upn = get_record(db, senco, pupil).upn
    listing = audit_listing(db, senco, upn=upn, action="open")
    assert [(line.action, line.entity, line.entity_id, line.upn) for line in listing.lines] == [
        ("open", "evidence_document", doc, upn)
    ]
    # the add of each document names its pupil too: only this pupil's is listed
    added = audit_listing(db, senco, upn=upn, action="create")
    assert [(line.entity, line.entity_id) for line in added.lines] == [("evidence_document", doc)]
    everything = audit_listing(db, senco, action="open")
    assert [line.upn for line in everything.lines] == [upn]  # the UPN shown unfiltered too


def test_an_export_names_what_how_many_pupils_and_the_file(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    pupil = add_test_pupil(db, senco, 1)
    out = tmp_path / "private folder" / "send-register.csv"
    out.parent.mkdir()
    out.write_text("UPN\n", encoding="utf-8")
    record_export(db, senco, "register", 312, out)
    event = last(db)
    assert (event.action, event.entity, event.entity_id) == ("export", "export", None)
    assert json.loads(event.detail) == {  # not about one pupil: nothing else in it
        "what": "register",
        "pupils": 312,
        "file": "send-register.csv",  # the name, not the member of staff's folder
    }
    record_export(db, senco, "provision map", 1, tmp_path / "pm.pdf", pupil_id=pupil)
    upn = get_record(db, senco, pupil).upn
    mine = audit_listing(db, senco, upn=upn, action="export").lines
    assert [(line.entity, line.entity_id) for line in mine] == [("pupil", pupil)]
    record_export(db, senco, "census check", 3, None)
    assert json.loads(last(db).detail)["file"] == STANDARD_OUTPUT
    assert "export" in audit_actions(db, senco)


def test_filters_by_action_user_and_date(db: Database, senco: Actor) -> None:
    create_user(db, senco, "ls1", "Mr Support", Role.LEARNING_SUPPORT, "support12")
    support = sign_in(db, "ls1", "support12")
    pupil = add_test_pupil(db, senco, 1)
    works_with(db, support, pupil)
    view_record(db, support, pupil)
    view_record(db, senco, pupil)
    views = audit_listing(db, senco, action="view").lines
    assert [line.username for line in views] == ["ls1", "senco"]
    assert [
        line.username for line in audit_listing(db, senco, action="view", username="ls1").lines
    ] == ["ls1"]
    assert audit_listing(db, senco, action="view", since=date(2999, 1, 1)).lines == []
    assert audit_listing(db, senco, action="no such action").lines == []
    with pytest.raises(PermissionDeniedError):
        audit_actions(db, support)


def test_the_register_and_census_commands_audit_their_exports(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raw_key: str,
) -> None:
    path = tmp_path / "school.sendesk"
    db = create_database(str(path), raw_key)
    try:
        senco = init_school(
            db, "Hill School", senco_username="senco", senco_name="Ms S", senco_password=PASSWORD
        )
        add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
        add_test_pupil(db, senco, 2, provision="K", needs=("MLD",))
    finally:
        db.dispose()
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    monkeypatch.setenv("SENDESK_PASSWORD", PASSWORD)  # where the command line signs in
    out = tmp_path / "register.csv"
    assert main(["register", "--db", str(path), "--out", str(out)]) == 0
    assert main(["register", "--db", str(path)]) == 0  # to the screen
    main(["census-check", "--db", str(path), "--format", "csv", "--on", "07/12/2026"])
    capsys.readouterr()
    reopened = open_database(str(path), raw_key)
    try:
        senco = acting_user(reopened, "senco")
        lines = audit_listing(reopened, senco, action="export").lines
        assert len(lines) == 3
        with reopened.session() as s:
            details = [
                json.loads(d)
                for d in s.scalars(
                    select(AuditEvent.detail)
                    .where(AuditEvent.action == "export")
                    .order_by(AuditEvent.id)
                )
            ]
    finally:
        reopened.dispose()
    assert details == [
        {"what": "register", "pupils": 2, "file": "register.csv"},
        {"what": "register", "pupils": 2, "file": STANDARD_OUTPUT},
        {"what": "census check", "pupils": details[2]["pupils"], "file": STANDARD_OUTPUT},
    ]
