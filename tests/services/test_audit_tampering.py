"""``sendesk verify`` detects tampering done with the key in hand (issue 12).

Each case makes a small school, does real audited work through the services, then
tampers with the file directly — as someone holding the key could with the ``sqlcipher``
shell — and runs ``sendesk verify``, which must fail and name what it found. The chain
itself catches an edited, deleted or reordered event; the anchor kept outside the database
(the settings folder) catches events deleted from the end, a rewritten-and-recomputed
chain and forged appended events; ``PRAGMA foreign_key_check`` a pupil deleted with
foreign keys off; the documents' SHA-256 (row and audit event) replaced bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import select

from sendesk.cli import main
from sendesk.db import Database, _key_pragma, create_database
from sendesk.models import AuditEvent, Role
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence.evidence import add_document
from sendesk.services.school.school import init_school
from sendesk.services.school.settings import set_setting
from sendesk.services.staff.users import create_user
from sendesk.services.store.audit import AuditWriter, _digest, chain_problems
from tests.factories import add_test_pupil

Tamper = Callable[[sqlcipher3.Connection], None]

_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _school(tmp_path: Path, key: str) -> Path:
    path = tmp_path / "school.db"
    db = create_database(str(path), key)
    try:
        init_school(
            db,
            "Hill School",
            senco_username="senco",
            senco_name="Ms Senco",
            senco_password="hill-school-pw",
        )
        senco = acting_user(db, "senco")
        pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
        create_user(db, senco, "tkay", "Mr T Kay", Role.TEACHER, "teacher-password-1")
        add_document(db, senco, pupil, _PDF, "EP report", None, filename="ep-report.pdf")
        for i in range(120):
            set_setting(db, senco, f"note_{i}", str(i))
    finally:
        db.dispose()
    return path


def _events(conn: sqlcipher3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT id, at, user_id, os_user, action, entity, entity_id, detail, prev_hash, hash "
        "FROM audit_event ORDER BY id"
    ).fetchall()


def _rechain(conn: sqlcipher3.Connection, start_index: int = 0) -> None:
    """What a forger does after editing: recompute every hash from there on."""
    rows = _events(conn)
    prev = rows[start_index - 1][9] if start_index else "0" * 64
    for row in rows[start_index:]:
        at = datetime.fromisoformat(row[1]).replace(tzinfo=UTC)  # stored as naive UTC text
        new = _digest(prev, at, row[2], row[3], row[4], row[5], row[6], row[7])
        conn.execute(
            "UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row[0])
        )
        prev = new


def _edit_detail(conn):
    conn.execute("UPDATE audit_event SET detail = '{}' WHERE id = 10")


def _delete_middle(conn):
    conn.execute("DELETE FROM audit_event WHERE id = 10")


def _reorder(conn):
    conn.execute("UPDATE audit_event SET id = -1 WHERE id = 10")
    conn.execute("UPDATE audit_event SET id = 10 WHERE id = 11")
    conn.execute("UPDATE audit_event SET id = 11 WHERE id = -1")


def _delete_last(conn):
    conn.execute("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")


def _delete_last_100(conn):
    conn.execute(
        "DELETE FROM audit_event WHERE id IN "
        "(SELECT id FROM audit_event ORDER BY id DESC LIMIT 100)"
    )


def _delete_all(conn):
    conn.execute("DELETE FROM audit_event")


def _edit_and_rechain(conn):
    conn.execute('UPDATE audit_event SET detail = \'{"key": "nothing here"}\' WHERE id = 20')
    _rechain(conn, 19)


def _delete_and_rechain(conn):
    conn.execute("DELETE FROM audit_event WHERE id BETWEEN 30 AND 40")
    _rechain(conn, 0)


def _append_forged(conn):
    last = _events(conn)[-1]
    at = datetime.fromisoformat("2026-12-07T09:00:00+00:00")
    detail = json.dumps({"key": "forged"})
    new = _digest(last[9], at, last[2], None, "update", "setting", None, detail)
    conn.execute(
        "INSERT INTO audit_event (at, user_id, os_user, action, entity, entity_id, detail, "
        "prev_hash, hash) VALUES (?, ?, NULL, 'update', 'setting', NULL, ?, ?, ?)",
        ("2026-12-07 09:00:00.000000", last[2], detail, last[9], new),
    )


def _delete_pupil(conn):
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM pupil")


def _replace_document(conn):
    fake = _PDF.replace(b"endobj", b"endobj ")
    conn.execute(
        "UPDATE evidence_document SET content = ?, size = ?, sha256 = ?",
        (fake, len(fake), hashlib.sha256(fake).hexdigest()),
    )


def _rename_pupil(conn):
    conn.execute("UPDATE pupil SET legal_surname = 'Someone-Else'")


def _change_dob(conn):
    conn.execute("UPDATE pupil SET dob = '2011-01-01'")


def _promote_teacher(conn):
    conn.execute("UPDATE user_account SET role = 'senco' WHERE username = 'tkay'")


def _backdate_entry(conn):
    conn.execute("UPDATE register_entry SET start_date = '2019-09-01'")


CASES: dict[str, tuple[Tamper, str]] = {
    "pupil renamed without the app": (_rename_pupil, "changed without SENDesk"),
    "date of birth changed without the app": (_change_dob, "changed without SENDesk"),
    "teacher promoted to SENCo without the app": (_promote_teacher, "user 2 was changed"),
    "register entry back-dated without the app": (_backdate_entry, "register entry 1 was"),
    "edited event": (_edit_detail, "altered after it was written"),
    "deleted event": (_delete_middle, "does not follow"),
    "reordered events": (_reorder, "does not follow"),
    "last event deleted": (_delete_last, "1 audit event is missing"),
    "last 100 deleted": (_delete_last_100, "100 audit events are missing"),
    "all deleted": (_delete_all, "audit events are missing"),
    "edited and chain recomputed": (_edit_and_rechain, "rewritten"),
    "deleted and chain recomputed": (_delete_and_rechain, "missing"),
    "forged event appended": (_append_forged, "added after the newest one SENDesk recorded"),
    "pupil deleted without the app": (_delete_pupil, "point at a row that no longer exists"),
    "document bytes replaced": (_replace_document, "not what was added"),
}


def test_an_untouched_school_verifies(
    tmp_path: Path, raw_key: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    path = _school(tmp_path, raw_key)
    assert main(["verify", "--db", str(path)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("case", list(CASES))
def test_verify_names_the_tampering(
    case: str, tmp_path: Path, raw_key: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    path = _school(tmp_path, raw_key)
    tamper, words = CASES[case]
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(_key_pragma(raw_key))
    conn.execute("BEGIN")
    tamper(conn)
    conn.execute("COMMIT")
    conn.close()
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert words in out, out


def test_audit_command_prints_the_anchor_and_verify_checks_a_restored_backup(
    tmp_path: Path, raw_key: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    monkeypatch.setenv("SENDESK_PASSWORD", "hill-school-pw")
    path = _school(tmp_path, raw_key)
    capsys.readouterr()
    assert main(["audit", "--db", str(path), "--since", date.today().isoformat()]) == 0
    out = capsys.readouterr().out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("Audit trail: ") and "events; newest hash " in summary
    assert "update" in out and "setting" in out

    backup = tmp_path / "school.bak"
    assert main(["backup", "--db", str(path), "--out", str(backup)]) == 0
    # Someone truncates the trail in the backup file itself, then it is restored.
    conn = sqlcipher3.connect(str(backup), isolation_level=None)
    conn.execute(_key_pragma(raw_key))
    _delete_last_100(conn)
    conn.close()
    restored = tmp_path / "restored.db"
    assert main(["restore", "--db", str(restored), str(backup)]) == 0
    capsys.readouterr()
    assert main(["verify", "--db", str(restored)]) == 1
    out = capsys.readouterr().out
    assert "the backup it came from" in out and "100 audit events are missing" in out


def test_two_writers_in_one_transaction_keep_one_chain(db: Database, senco: Actor) -> None:
    """A caller holding a writer and a service called with the same session (the demo
    school stores its documents through store_document) append in turn: each event
    follows the one before, whoever wrote it, and verify finds nothing."""
    with db.transaction() as s:
        caller = AuditWriter(s, senco)
        caller.record("note", "school", None, {"n": 1})
        AuditWriter(s, senco).record("note", "school", None, {"n": 2})  # the service's
        caller.record("note", "school", None, {"n": 3})
    with db.session() as s:
        assert list(chain_problems(s)) == []
        notes = s.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "note").order_by(AuditEvent.id)
        )
        assert list(notes) == ['{"n": 1}', '{"n": 2}', '{"n": 3}']
