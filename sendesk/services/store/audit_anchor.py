"""The audit chain's anchor: its length and head hash, kept outside the database.

Why: the hash chain proves that no event *inside* the chain was edited, removed or
reordered — but someone holding the key can delete the newest events (or all of them), or
rewrite events and recompute every hash after them, and the chain still checks out. So
each time SENDesk commits audit events it writes the chain's length and the hash of its
newest event to a small file in the settings folder (which the database does not
contain), every backup carries the anchor of the moment it was made, and ``sendesk
audit`` prints it so a school can note it on paper. ``sendesk verify`` then checks the
chain still *extends* the anchor: at least that many events, and the event at that
position still has that hash.

The anchor file holds no personal data: a hash of the database's location, a count, a
hash and a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from sendesk.models import AuditEvent
from sendesk.settings import config_path

ANCHOR_FILE = "audit-anchors.json"
BACKUP_SETTING = "audit_anchor_at_backup"
"""The setting a backup file carries: the source's anchor when the backup was made."""

_lock = threading.Lock()


@dataclass(frozen=True)
class Anchor:
    """How long the chain was, and the hash of its newest event, at ``recorded_at``."""

    length: int
    head: str
    recorded_at: str = ""

    def text(self) -> str:
        return f"{self.length:,} events, newest {self.head[:16]}…"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Anchor | None:
        try:
            data = json.loads(text)
            return cls(int(data["length"]), str(data["head"]), str(data.get("recorded_at", "")))
        except (ValueError, KeyError, TypeError):
            return None


def database_id(session: Session) -> str:
    """Which database an anchor belongs to: a hash of where it is (a file's full path, or
    the server, port and database name), never its key or a password."""
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite":
        where = str(Path(url.database or "").resolve())
    else:
        where = f"{url.host}:{url.port}/{url.database}"
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:32]


def _anchor_path() -> Path:
    return config_path().parent / ANCHOR_FILE


def _load_all() -> dict[str, Any]:
    try:
        data = json.loads(_anchor_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stored_anchor(db_id: str) -> Anchor | None:
    """The anchor this computer last recorded for the database, if any."""
    entry = _load_all().get(db_id)
    return Anchor.from_json(json.dumps(entry)) if isinstance(entry, dict) else None


def save_anchor(db_id: str, anchor: Anchor, *, replace: bool = False) -> None:
    """Record ``anchor``, unless a longer one is already recorded (another process of
    ours committed later): the anchor only ever moves forward — except when a backup is
    restored (``replace``), which puts the whole database back in time."""
    with _lock:
        data = _load_all()
        known = data.get(db_id)
        if not replace and isinstance(known, dict) and int(known.get("length", 0)) > anchor.length:
            return
        data[db_id] = asdict(anchor)
        path = _anchor_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
            os.replace(tmp, path)
        except OSError:
            # A read-only settings folder must not stop the work: verify then says that
            # no anchor was recorded.
            with contextlib.suppress(OSError):
                tmp.unlink()


def current_anchor(session: Session) -> Anchor:
    """The chain as it stands in the database now."""
    length = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return Anchor(length, head or "0" * 64, _now())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- kept up to date as events are committed ------------------------------------------------

_PENDING = "sendesk_audit_anchor"


def note_appended(session: Session, length: int, head: str) -> None:
    """Remember the chain's new length and head; written out when the session commits."""
    info = session.info
    info[_PENDING] = (length, head)
    if not info.get("sendesk_anchor_hooked"):
        info["sendesk_anchor_hooked"] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def appended_head(session: Session) -> tuple[int, str] | None:
    """The chain's length and head after the last event appended in this session's open
    transaction (by any writer), or None when none has been."""
    pending: tuple[int, str] | None = session.info.get(_PENDING)
    return pending


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        save_anchor(database_id(session), Anchor(pending[0], pending[1], _now()))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- checking ------------------------------------------------------------------------------


def anchor_problems(
    session: Session, anchor: Anchor, *, source: str, only_writer: bool = False
) -> list[str]:
    """Where the chain no longer extends ``anchor`` (an empty list when it does).

    ``source`` says where the anchor came from, for the sentence ("this computer's
    record", "the backup"). ``only_writer``: the anchor's keeper is the only SENDesk that
    writes to this database (a file on this computer), so events beyond it are forged.
    """
    if anchor.length == 0:
        return []
    length = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if length < anchor.length:
        missing = anchor.length - length
        return [
            f"{missing:,} audit event{'s are' if missing != 1 else ' is'} missing: {source} "
            f"says the trail had {anchor.length:,} (newest {anchor.head[:16]}…), it now has "
            f"{length:,}"
        ]
    at = session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id).offset(anchor.length - 1).limit(1)
    )
    if at != anchor.head:
        return [
            f"the audit trail was rewritten: event {anchor.length:,} no longer has the hash "
            f"{source} recorded ({anchor.head[:16]}…)"
        ]
    if only_writer and length > anchor.length:
        extra = length - anchor.length
        return [
            f"{extra:,} audit event{'s were' if extra != 1 else ' was'} added after the newest "
            f"one SENDesk recorded ({source}): written by another program, or by SENDesk on "
            "another computer"
        ]
    return []


__all__ = [
    "ANCHOR_FILE",
    "BACKUP_SETTING",
    "Anchor",
    "anchor_problems",
    "current_anchor",
    "database_id",
    "note_appended",
    "save_anchor",
    "stored_anchor",
]
