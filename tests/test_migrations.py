"""A database made by an older SENDesk opens, is backed up first, and upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlcipher3

from sendesk.db import (
    current_revision,
    head_revision,
    open_database,
    schema_differences,
    script_head_revision,
)
from sendesk.errors import SchemaTooNewError
from sendesk.services.actor import acting_user
from sendesk.services.register.register_view import register_rows

DATA = Path(__file__).parent / "data"
OLD_KEY = "x'" + "5E" * 32 + "'"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "old.sendesk"
    shutil.copyfile(DATA / "schema-0001.sendesk", path)
    return path


def test_old_schema_upgrades_after_a_backup(old_db: Path) -> None:
    db = open_database(str(old_db), OLD_KEY)
    try:
        assert current_revision(db.engine) == head_revision()
        assert schema_differences(db) == []
        actor = acting_user(db, None)
        rows = register_rows(db, actor)
        assert [(r.upn, r.legal_forename, r.provision, r.needs) for r in rows] == [
            ("H801200001001", "Zoë", "K", ("SPLD",))
        ]
    finally:
        db.dispose()
    backups = list(old_db.parent.glob("old.sendesk.before-upgrade-0001-*.bak"))
    assert len(backups) == 1
    conn = sqlcipher3.connect(str(backups[0]))
    conn.execute(f'PRAGMA key = "{OLD_KEY}"')
    assert conn.execute("select version_num from alembic_version").fetchone() == ("0001",)


def test_newer_schema_is_refused_untouched(old_db: Path) -> None:
    conn = sqlcipher3.connect(str(old_db))
    conn.execute(f'PRAGMA key = "{OLD_KEY}"')
    conn.execute("update alembic_version set version_num = '9999'")
    conn.commit()
    conn.close()
    before = old_db.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer SENDesk"):
        open_database(str(old_db), OLD_KEY)
    assert old_db.read_bytes() == before


def test_head_constant_matches_the_migrations_folder() -> None:
    assert head_revision() == script_head_revision()


def test_0006_mends_a_raced_register_and_keeps_health_advice_senco_only(old_db: Path) -> None:
    """Before 0006 a PostgreSQL race could leave two open register entries; the upgrade
    keeps the newest open (the database then holds one current entry itself), and advice
    from health and social care starts SENCo only."""
    from sqlalchemy import create_engine, text

    from sendesk.db import alembic_config

    engine = create_engine(f"sqlite+pysqlcipher://:{OLD_KEY}@/{old_db}")
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        pupil = conn.execute(text("SELECT id FROM pupil")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO register_entry (pupil_id, provision, start_date, recorded_at) "
                "VALUES (:p, 'E', '2026-11-02', '2026-11-02 09:00:00')"
            ),
            {"p": pupil},
        )
        for agency in ("CAMHS", "Educational psychologist"):
            conn.execute(
                text(
                    "INSERT INTO agency_involvement (pupil_id, agency, professional, advice, "
                    "version) VALUES (:p, :a, '', 'advice', 1)"
                ),
                {"p": pupil, "a": agency},
            )
        assert (
            conn.execute(
                text("SELECT count(*) FROM register_entry WHERE end_date IS NULL")
            ).scalar_one()
            == 2
        )
    engine.dispose()

    db = open_database(str(old_db), OLD_KEY)
    try:
        with db.reading() as read:
            assert read.rows("SELECT provision FROM register_entry WHERE end_date IS NULL") == [
                ("E",)
            ]
            assert sorted(read.rows("SELECT agency, confidentiality FROM agency_involvement")) == [
                ("CAMHS", "senco"),
                ("Educational psychologist", "staff"),
            ]
    finally:
        db.dispose()


def test_verify_of_an_old_file_says_to_open_it_first_and_changes_nothing(
    old_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sendesk verify` on a file an older SENDesk wrote: no traceback about a missing
    table, but the schema check failing in a sentence that says what to do; the file is
    neither upgraded nor backed up (verify changes nothing)."""
    from tests.cli_run import run

    monkeypatch.setenv("SENDESK_DB_KEY", OLD_KEY)
    before = old_db.read_bytes()
    code, out, err = run(capsys, "verify", "--db", str(old_db))
    assert code == 1 and "Traceback" not in out + err
    assert "ok    file integrity (SQLite and SQLCipher)" in out
    assert "FAIL  schema is current and matches this SENDesk" in out
    assert f"schema 0001 is older than {head_revision()}: open the file with this SENDesk" in out
    assert old_db.read_bytes() == before
    assert not list(old_db.parent.glob("*.bak"))


def test_a_pupils_audit_events_are_read_through_the_entity_index(old_db: Path) -> None:
    """Opening a pupil reads that pupil's register changes from the audit trail: after the
    upgrade (migration 0010) SQLite finds them by the (entity, entity_id) index instead of
    scanning every event the school has ever recorded."""
    from sqlalchemy import select, text

    from sendesk.models import AuditEvent

    db = open_database(str(old_db), OLD_KEY)
    try:
        query = select(AuditEvent).where(
            AuditEvent.action == "register_change",
            AuditEvent.entity == "pupil",
            AuditEvent.entity_id == 1,
        )
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with db.engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "USING INDEX ix_audit_event_entity" in plan, plan
    finally:
        db.dispose()


def test_the_register_is_read_in_its_index_order_without_a_sort(old_db: Path) -> None:
    """The register's pupils come in year-group and name order: after the upgrade
    (migration 0011) SQLite reads them through that index and sorts nothing, so loading
    the register grows with the pupils, not faster."""
    from sqlalchemy import text

    from sendesk.services.register.register_view import _PUPILS_SQL

    db = open_database(str(old_db), OLD_KEY)
    try:
        for where in ("", "WHERE e.provision IN ('K', 'E')"):
            sql = _PUPILS_SQL.format(where=where)
            with db.engine.connect() as conn:
                plan = " ".join(
                    str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql))
                )
            assert "USING INDEX ix_pupil_register_order" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
    finally:
        db.dispose()
