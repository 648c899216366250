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
from sendesk.services.register_view import register_rows

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
