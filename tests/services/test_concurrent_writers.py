"""Many writers at once, in separate processes, against the real backends (issue 12).

A hostile tester found that two processes writing to a SQLCipher file died with "database
is locked" (and printed pupils' names in a traceback), and that concurrent writers on
PostgreSQL forked the audit chain (both read the same last hash). These tests run real
writer processes — each opens the database itself, as the app and the command line do —
and then check what a user would: every write is there, and ``verify``'s chain check finds
nothing wrong.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select

from sendesk.cli import main
from sendesk.db import Database, _key_pragma, open_database
from sendesk.models import AuditEvent, Setting
from sendesk.services.actor import acting_user
from sendesk.services.school.settings import set_setting
from sendesk.services.store.audit import chain_problems
from tests.cli_run import init_hill_school

WRITERS = 8
WRITES_EACH = 125  # 1,000 concurrent audited writes in all: the figure


def _writer(target: str, key: str, number: int, writes: int) -> int:
    """One process: its own connection, ``writes`` audited changes to its own settings."""
    db = open_database(target, key, upgrade=False)
    try:
        actor = acting_user(db, "senco")
        for i in range(writes):
            set_setting(db, actor, f"writer_{number}_{i}", str(i))
        return writes
    finally:
        db.dispose()


def _run_writers(target: str, key: str, writers: int, writes: int) -> list[int]:
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters, like separate programs
    with ctx.Pool(writers) as pool:
        jobs = [pool.apply_async(_writer, (target, key, n, writes)) for n in range(writers)]
        return [job.get(timeout=600) for job in jobs]


def _target_and_key(db: Database) -> tuple[str, str]:
    if db.target.path is not None:
        return str(db.target.path), db.key or ""
    return db.target.url.render_as_string(hide_password=False), db.key or ""


def test_concurrent_writers_lose_nothing_and_never_fork_the_chain(db: Database) -> None:
    target, key = _target_and_key(db)
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))

    done = _run_writers(target, key, WRITERS, WRITES_EACH)

    assert done == [WRITES_EACH] * WRITERS
    with db.session() as s:
        written = s.scalar(
            select(func.count()).select_from(Setting).where(Setting.key.like("writer_%"))
        )
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        forks = s.scalar(
            select(func.count()).select_from(
                select(AuditEvent.prev_hash)
                .group_by(AuditEvent.prev_hash)
                .having(func.count() > 1)
                .subquery()
            )
        )
        problems = list(chain_problems(s))
    assert written == WRITERS * WRITES_EACH
    assert events == before + WRITERS * WRITES_EACH
    assert forks == 0
    assert problems == []


def test_a_writer_kept_waiting_too_long_gets_one_sentence(
    tmp_path: Path,
    raw_key: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Another program holds the file's write lock: the command waits (briefly here), then
    says so in one sentence, exits non-zero, and writes nothing — no traceback, no SQL, no
    pupil's name."""
    path = tmp_path / "school.db"
    init_hill_school(monkeypatch, raw_key, path)
    csv = tmp_path / "pupils.csv"
    csv.write_text(
        "UPN,Legal Surname,Legal Forename,DOB,Gender,Year\n"
        "H801200001001,Zebedee-Quimby,Ottoline,2012-05-01,F,9\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    monkeypatch.setattr("sendesk.db.BUSY_TIMEOUT_MS", 300)
    holder = sqlcipher3.connect(str(path), isolation_level=None)
    holder.execute(_key_pragma(raw_key))
    holder.execute("BEGIN IMMEDIATE")  # another process's write in progress
    try:
        code = main(["import-pupils", "--db", str(path), str(csv)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _, err = capsys.readouterr()
    assert code != 0
    assert err.count("\n") == 1 and "busy" in err
    assert "Traceback" not in err and "Ottoline" not in err and "INSERT" not in err
    check = open_database(str(path), raw_key, upgrade=False)
    try:
        with check.reading() as read:
            assert read.rows("SELECT count(*) FROM pupil") == [(0,)]
    finally:
        check.dispose()


def test_database_files_and_backups_are_private(tmp_path: Path, raw_key: str) -> None:
    """Made 0600, so other accounts on a shared computer cannot even copy them."""
    from sendesk.db import create_database
    from sendesk.services.store.backup import backup_file

    db = create_database(str(tmp_path / "school.db"), raw_key)
    try:
        backup = backup_file(db, tmp_path / "school.bak")
    finally:
        db.dispose()
    for path in (tmp_path / "school.db", backup):
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_a_cut_short_backup_is_called_damaged_not_a_wrong_key(
    tmp_path: Path,
    raw_key: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    from sendesk.db import create_database
    from sendesk.services.store.backup import backup_file

    db = create_database(str(tmp_path / "school.db"), raw_key)
    try:
        backup = backup_file(db, tmp_path / "school.bak")
    finally:
        db.dispose()
    data = backup.read_bytes()
    for cut in (len(data) // 2 + 100, len(data) - 4096):
        torn = tmp_path / f"torn-{cut}.bak"
        torn.write_bytes(data[:cut])
        code = main(["restore", "--db", str(tmp_path / "new.db"), str(torn)])
        err = capsys.readouterr().err
        assert code != 0
        assert "damaged" in err and "key is wrong" not in err, err
        assert not (tmp_path / "new.db").exists()


def test_plain_sqlite_tools_cannot_read_the_file(tmp_path: Path, raw_key: str) -> None:
    """Sanity: the private file is still an encrypted one."""
    from sendesk.db import create_database

    create_database(str(tmp_path / "school.db"), raw_key).dispose()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(tmp_path / "school.db").execute("SELECT * FROM sqlite_master").fetchall()
