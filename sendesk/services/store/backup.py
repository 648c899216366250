"""Backup, restore and verify: the school's safety net.

A backup of a SQLCipher database is made with ``sqlcipher_export`` into a new file keyed
with the same key, so it is exactly as encrypted as its source and opens with the same key
(and with the standard ``sqlcipher`` tool). Files are written under a temporary name in the
destination folder and renamed when complete, so a crash never leaves a half backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import (
    Database,
    copy_database,
    current_revision,
    head_revision,
    open_database,
    private_file,
    schema_differences,
)
from sendesk.errors import SendeskError
from sendesk.models import AuditEvent, EvidenceDocument, Pupil, RegisterEntry, Setting
from sendesk.rules.census import census_problems
from sendesk.services.register.register import load_current
from sendesk.services.store.audit import GENESIS, chain_problems
from sendesk.services.store.audit_anchor import (
    BACKUP_SETTING,
    Anchor,
    anchor_problems,
    current_anchor,
    database_id,
    save_anchor,
    stored_anchor,
)
from sendesk.services.store.row_seals import seal_problems


def backup_file(db: Database, dest: Path) -> Path:
    """Copy a SQLCipher database to ``dest`` (which must not exist), encrypted alike, with
    the audit chain's anchor of this moment stamped into the copy."""
    return copy_database(db, dest, finish=_stamp_anchor)


def _stamp_anchor(cur: Any) -> None:
    """Write the chain's anchor at this moment into the backup (see audit_anchor): a
    restored copy can then be checked against what the trail held when it was made."""
    cur.execute(
        "SELECT count(*), (SELECT hash FROM main.audit_event ORDER BY id DESC LIMIT 1) "
        "FROM main.audit_event"
    )
    length, head = cur.fetchone()
    has_settings = cur.execute(
        "SELECT 1 FROM backup.sqlite_master WHERE type = 'table' AND name = 'setting'"
    ).fetchone()
    if not has_settings:  # a schema older than settings (backed up before its upgrade)
        return
    stamp = Anchor(int(length), head or GENESIS, datetime.now(UTC).isoformat(timespec="seconds"))
    cur.execute(
        "INSERT OR REPLACE INTO backup.setting (key, value) VALUES (?, ?)",
        (BACKUP_SETTING, stamp.to_json()),
    )


def _copy_encrypted(source: Path, dest: Path) -> None:
    """Copy a file byte for byte under a temporary name, then rename it into place."""
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        if partial.exists():
            partial.unlink()
        private_file(partial)  # copyfile keeps the mode of the file it writes into
        shutil.copyfile(source, partial)
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
    finally:
        if partial.exists():
            partial.unlink()


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    previous_copy: Path | None


def restore_file(dest: Path, backup: Path, key: str) -> RestoreResult:
    """Put a backup in place of ``dest``, keeping what ``dest`` held as a safety copy.

    The backup must open with ``key`` and pass SQLite's and SQLCipher's integrity checks
    before anything is touched. If ``dest`` exists it must itself be a SENDesk database
    (we never overwrite a stranger's file), and it is copied aside first — restore can be
    undone by restoring that copy.
    """
    backup = backup.expanduser()
    dest = dest.expanduser()
    if backup.resolve() == dest.resolve():
        raise SendeskError("The backup and the database are the same file.")
    try:
        candidate = open_database(str(backup), key, upgrade=False)
    except SendeskError as exc:
        raise SendeskError(f"Nothing was restored: {exc}") from exc
    try:
        problems = integrity_problems(candidate)
    finally:
        candidate.dispose()
    if problems:
        raise SendeskError(f"{backup} is damaged and was not restored: {problems[0]}.")
    previous: Path | None = None
    if dest.exists():
        current = open_database(str(dest), key, upgrade=False)
        try:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            previous = backup_file(
                current, dest.with_name(f"{dest.name}.before-restore-{stamp}.bak")
            )
        finally:
            current.dispose()
    elif not dest.parent.exists():
        raise SendeskError(f"The folder {dest.parent} does not exist.")
    _copy_encrypted(backup, dest)
    restored = open_database(str(dest), key, upgrade=False)
    try:
        with restored.session() as s:
            # The database went back in time on purpose: its trail is the new anchor.
            save_anchor(database_id(s), current_anchor(s), replace=True)
    finally:
        restored.dispose()
    return RestoreResult(dest, previous)


def integrity_problems(db: Database) -> list[str]:
    """Page-level checks: SQLite's integrity check and, for files, SQLCipher's HMACs."""
    problems: list[str] = []
    if not db.is_file:
        return problems
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        result = [r[0] for r in cur.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems += [f"integrity check: {r}" for r in result[:5]]
        bad_pages = [r[0] for r in cur.execute("PRAGMA cipher_integrity_check").fetchall()]
        problems += [f"encryption check: {r}" for r in bad_pages[:5]]
        # A row deleted with foreign keys off (a pupil removed with another tool) leaves
        # rows that point at nothing: name the table and how many.
        orphans: dict[str, int] = {}
        for table, *_rest in cur.execute("PRAGMA foreign_key_check").fetchall():
            orphans[table] = orphans.get(table, 0) + 1
        problems += [
            f"{n:,} row{'s' if n != 1 else ''} of {table} point at a row that no longer exists"
            for table, n in sorted(orphans.items())
        ]
        cur.close()
    finally:
        raw.close()
    return problems


@dataclass
class Check:
    """One line of ``sendesk verify``: what was checked, and what was wrong (if anything)."""

    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchor_check(session: Session) -> Check:
    """The chain still extends every anchor we hold: this computer's record of it, and the
    one a restored backup carries. With no anchor yet (a database new to this computer)
    the current head becomes the anchor."""
    check = Check("audit trail still holds every event recorded before (its anchors)")
    db_id = database_id(session)
    mine = stored_anchor(db_id)
    if mine is None:
        save_anchor(db_id, current_anchor(session))
    else:
        # A file is written by this computer's SENDesk alone; a server by many computers.
        only_writer = session.get_bind().dialect.name == "sqlite"
        check.problems += anchor_problems(
            session, mine, source="this computer's record", only_writer=only_writer
        )
    stamped = session.scalar(select(Setting.value).where(Setting.key == BACKUP_SETTING))
    from_backup = Anchor.from_json(stamped) if stamped else None
    if from_backup is not None:
        check.problems += anchor_problems(session, from_backup, source="the backup it came from")
    return check


def _documents_check(session: Session) -> Check:
    """Every evidence document's bytes still hash to the SHA-256 that was recorded, in its
    row and on the audit chain when it was added (so replacing the bytes *and* the row's
    hash is caught too)."""
    check = Check("evidence documents are as they were added (SHA-256)")
    recorded: dict[int, str] = {}
    for entity_id, detail in session.execute(
        select(AuditEvent.entity_id, AuditEvent.detail).where(
            AuditEvent.entity == "evidence_document", AuditEvent.action == "create"
        )
    ):
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            recorded[int(entity_id)] = str(json.loads(detail)["sha256"])
    rows = session.execute(
        select(EvidenceDocument.id, EvidenceDocument.sha256, EvidenceDocument.content)
    ).yield_per(50)
    for doc_id, sha, content in rows:
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha or recorded.get(doc_id, sha) != sha:
            check.problems.append(
                f"evidence document {doc_id}: its contents are not what was added "
                f"(SHA-256 {actual[:16]}…, recorded {recorded.get(doc_id, sha)[:16]}…)"
            )
    return check


def verify(db: Database) -> list[Check]:
    """Integrity, schema and audit-chain checks; changes nothing."""
    checks = [Check("file integrity (SQLite and SQLCipher)", integrity_problems(db))]
    schema = Check("schema is current and matches this SENDesk")
    current, head = current_revision(db.engine), head_revision()
    if current != head:
        # The other checks read the tables as this SENDesk defines them: on an older schema
        # they would fail on a missing table, not on the school's data. Say what to do.
        schema.problems.append(
            f"schema {current} is older than {head}: open the file with this SENDesk (it "
            "takes a backup, then upgrades it) and verify again to check the audit trail "
            "and the register"
        )
        checks.append(schema)
        return checks
    schema.problems += schema_differences(db)
    checks.append(schema)
    with db.session() as s:
        checks.append(Check("audit trail is unbroken", list(chain_problems(s))))
        checks.append(_anchor_check(s))
        checks.append(_documents_check(s))
        checks.append(
            Check("pupils, register entries and users are as SENDesk wrote them", seal_problems(s))
        )
        register = Check("every pupil has one current SEN status that meets census rules")
        open_counts = dict(
            s.execute(
                select(RegisterEntry.pupil_id, func.count())
                .where(RegisterEntry.end_date.is_(None))
                .group_by(RegisterEntry.pupil_id)
            ).all()
        )
        current_status = load_current(s)
        for pupil_id, upn in s.execute(select(Pupil.id, Pupil.upn).order_by(Pupil.id)):
            count = open_counts.get(pupil_id, 0)
            if count != 1:
                register.problems.append(f"pupil {upn} has {count} current register entries")
                continue
            status = current_status[pupil_id]
            for problem in census_problems(status.provision or "N", list(status.codes)):
                register.problems.append(f"pupil {upn}: {problem}")
        checks.append(register)
    return checks
