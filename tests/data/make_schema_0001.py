"""Make tests/data/schema-0001.sendesk: a database as SENDesk's first schema left it.

Kept so tests prove an old school's file opens, is backed up, and upgrades. Run once per
released schema (with the revision it should stop at); the output is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from sendesk.db import alembic_config

KEY = "x'" + "5E" * 32 + "'"  # a published test key: this fixture holds made-up data only


def main(dest: Path) -> None:
    engine = create_engine(f"sqlite+pysqlcipher://:{KEY}@/{dest}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "insert into school (id, name, urn, la_name, created_at, version) values "
                "(1, 'Old Schema School', '111111', 'Oldshire', '2025-01-01 00:00:00', 1)"
            )
        )
        conn.execute(
            text(
                "insert into user_account (id, username, display_name, role, active, created_at, "
                "version) values (1, 'senco', 'Ms Old', 'senco', 1, '2025-01-01 00:00:00', 1)"
            )
        )
        conn.execute(
            text(
                "insert into pupil (id, upn, legal_surname, legal_forename, dob, year_group, eal, "
                "pupil_premium, looked_after, created_at, updated_at, version) values "
                "(1, 'H801200001001', 'Wójcik', 'Zoë', '2012-05-01', 9, 0, 0, 0, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
            )
        )
        conn.execute(
            text(
                "insert into register_entry (pupil_id, provision, start_date, reason, "
                "recorded_by_id, recorded_at) values (1, 'K', '2024-09-10', 'MIS import', 1, "
                "'2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "insert into need (pupil_id, code, rank, start_date, recorded_by_id, recorded_at) "
                "values (1, 'SPLD', 1, '2024-09-10', 1, '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
