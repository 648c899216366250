"""Opening, creating and refusing databases: the storage guarantees of DESIGN.md."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text

from sendesk.db import create_database, open_database, schema_differences
from sendesk.errors import NotADatabaseError, WrongKeyError
from sendesk.keystore import new_raw_key
from sendesk.services.school.school import school_info


def test_schema_from_migrations_equals_models(db) -> None:
    assert schema_differences(db) == []


def test_school_round_trip(db) -> None:
    info = school_info(db)
    assert (info.name, info.urn, info.la_name) == ("Test Academy", "123456", "Testshire")


def test_file_is_not_plain_sqlite(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "s.db"
    create_database(str(path), raw_key).dispose()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("select count(*) from sqlite_master").fetchall()


def test_standard_sqlcipher_opens_file_with_the_same_key(tmp_path: Path) -> None:
    """Disaster recovery: the key works in a plain SQLCipher connection, as in the README."""
    key = new_raw_key()
    path = tmp_path / "s.db"
    create_database(str(path), key).dispose()
    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{key}"')
    names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"pupil", "register_entry", "audit_event"} <= names


def test_passphrase_key_works(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    create_database(str(path), "correct horse 'battery' \"staple\"").dispose()
    open_database(str(path), "correct horse 'battery' \"staple\"").dispose()
    with pytest.raises(WrongKeyError):
        open_database(str(path), "correct horse")


def test_wrong_key_changes_nothing(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "s.db"
    create_database(str(path), raw_key).dispose()
    before = path.read_bytes()
    with pytest.raises(WrongKeyError, match="key is wrong"):
        open_database(str(path), new_raw_key())
    assert path.read_bytes() == before


def test_missing_path_is_not_created(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(NotADatabaseError, match="does not exist"):
        open_database(str(path), raw_key)
    assert not path.exists()


def test_plain_sqlite_file_is_refused(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "plain.db"
    sqlite3.connect(path).execute("create table t(x)").connection.commit()
    with pytest.raises(NotADatabaseError, match="plain"):
        open_database(str(path), raw_key)


def test_random_file_is_refused(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 200)
    with pytest.raises(NotADatabaseError, match="not a SENDesk database"):
        open_database(str(path), raw_key)
    assert path.read_text() == "shopping list\n" * 200
    whole_pages = tmp_path / "pages.bin"
    whole_pages.write_bytes(b"shopping list\n" * 4096)  # a whole number of pages: a key try
    with pytest.raises(WrongKeyError):
        open_database(str(whole_pages), raw_key)


def test_create_refuses_existing_file(tmp_path: Path, raw_key: str) -> None:
    path = tmp_path / "x.db"
    path.write_text("keep me")
    with pytest.raises(NotADatabaseError, match="already exists"):
        create_database(str(path), raw_key)
    assert path.read_text() == "keep me"


def test_encrypted_sqlcipher_without_sendesk_tables_is_refused(tmp_path: Path) -> None:
    key = new_raw_key()
    path = tmp_path / "other.db"
    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{key}"')
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabaseError, match="not a SENDesk database"):
        open_database(str(path), key)


@pytest.mark.postgres
def test_empty_postgres_database_is_refused_by_open(pg_server) -> None:
    url = pg_server.new_database()
    with pytest.raises(NotADatabaseError, match="not a SENDesk database"):
        open_database(url)


def test_key_derivation_paid_once_per_connection(tmp_path: Path) -> None:
    """Many queries on one thread reuse one connection (so one PBKDF2 run)."""
    from sqlalchemy import event, text

    path = tmp_path / "k.db"
    create_database(str(path), "a passphrase").dispose()
    db = open_database(str(path), "a passphrase")
    connects: list[object] = []
    event.listen(db.engine, "connect", lambda *a: connects.append(a))
    db.engine.dispose()
    for _ in range(50):
        with db.session() as s:
            s.execute(text("select count(*) from pupil")).scalar()
    assert len(connects) == 1
    db.dispose()


def test_plain_reads_and_sessions_share_one_database(db) -> None:
    """The start-up reads (no SQLAlchemy) and the sessions see the same rows on each
    backend: what one commits, the other reads."""
    from sendesk.services.actor import acting_user

    with db.reading() as read:
        assert read.rows("SELECT name FROM school") == [("Test Academy",)]
    actor = acting_user(db, None)
    assert (actor.username, actor.role) == ("senco", "senco")
    with db.transaction() as s:
        s.execute(text("UPDATE school SET name = 'Renamed Academy'"))
    assert school_info(db).name == "Renamed Academy"


def test_a_passphrase_file_opens_and_reads_without_sqlalchemy(tmp_path: Path) -> None:
    """The plain reader keys its connection exactly as the engine does (quotes and all):
    a file made through SQLAlchemy opens, and is read, in a process that never imports it."""
    import subprocess
    import sys

    from sendesk.services.school.school import init_school

    key = "correct horse 'battery' \"staple\""
    path = tmp_path / "p.db"
    with create_database(str(path), key) as made:
        init_school(made, 'Quote\'s "Academy"', senco_username="senco", senco_name="S")
    child = (
        "import sys\n"
        "from sendesk.db import open_database\n"
        "from sendesk.services.actor import acting_user\n"
        "from sendesk.services.school.school import school_info\n"
        "from sendesk.services.register.register_view import register_rows\n"
        "db = open_database(sys.argv[1], sys.argv[2])\n"
        "print(school_info(db).name, len(register_rows(db, acting_user(db, 'senco'))))\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, str(path), key],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],  # this checkout's sendesk
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['Quote\'s "Academy" 0', "False"]


@pytest.mark.parametrize("key", ["a", "123456789", "x'abcd'", "x'" + "g" * 64 + "'"])
def test_a_weak_key_never_protects_a_new_database(tmp_path: Path, key: str) -> None:
    """The prompt asks for 10 characters; the environment variable and the library hold
    to the same minimum (issue 12: SENDESK_DB_KEY=a made a database)."""
    path = tmp_path / "school.db"
    with pytest.raises(WrongKeyError, match="Nothing was created"):
        create_database(str(path), key)
    assert not path.exists()


def test_cli_init_refuses_a_short_environment_key(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli_password: str,
) -> None:
    from sendesk.cli import main

    monkeypatch.setenv("SENDESK_DB_KEY", "a")
    path = tmp_path / "school.db"
    assert main(["init", "--db", str(path), "--school", "Hill School"]) != 0
    err = capsys.readouterr().err
    assert "at least 10 characters" in err and err.count("\n") == 1
    assert not path.exists()
