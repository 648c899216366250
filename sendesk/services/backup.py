"""Backup, restore and verify: the school's safety net.

A backup of a SQLCipher database is made with ``sqlcipher_export`` into a new file keyed
with the same key, so it is exactly as encrypted as its source and opens with the same key
(and with the standard ``sqlcipher`` tool). Files are written under a temporary name in the
destination folder and renamed when complete, so a crash never leaves a half backup.
"""

from __future__ import annotations

import os
from pathlib import Path

from sendesk.db import Database, _sqlite_quote
from sendesk.errors import SendeskError


def backup_file(db: Database, dest: Path) -> Path:
    """Copy a SQLCipher database to ``dest`` (which must not exist), encrypted alike."""
    if not db.is_file or db.key is None:
        raise SendeskError(
            "Backups of a PostgreSQL database are made with the server's own tools "
            "(pg_dump); 'sendesk backup' copies encrypted database files."
        )
    dest = dest.expanduser()
    if dest.exists():
        raise SendeskError(f"{dest} already exists: choose a new backup file name.")
    if not dest.parent.exists():
        raise SendeskError(f"The folder {dest.parent} does not exist.")
    partial = dest.with_name(f".{dest.name}.partial")
    if partial.exists():
        partial.unlink()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            f"ATTACH DATABASE {_sqlite_quote(str(partial))} AS backup KEY {_sqlite_quote(db.key)}"
        )
        try:
            cur.execute("SELECT sqlcipher_export('backup')")
        finally:
            cur.execute("DETACH DATABASE backup")
        cur.close()
    except BaseException:
        if partial.exists():
            partial.unlink()
        raise
    finally:
        raw.close()
    os.replace(partial, dest)
    return dest
