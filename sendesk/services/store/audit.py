"""Recording and checking the audit trail.

Each event's hash covers its own fields and the previous event's hash. Services call
:func:`record` inside their transaction, so an event exists exactly when its change does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sendesk.models import AuditEvent, utcnow
from sendesk.services.actor import Actor
from sendesk.services.store.audit_anchor import appended_head, note_appended
from sendesk.services.store.row_seals import SEALED, seals_for

GENESIS = "0" * 64


def _json_default(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _digest(
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    os_user: str | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str,
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), user_id, os_user, action, entity, entity_id, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


AUDIT_LOCK_KEY = 0x5E0D_A0D1
"""The PostgreSQL advisory lock that serialises appends to the chain (any fixed bigint)."""


def _serialise_appends(session: Session) -> None:
    """Hold the chain until this transaction ends, so no other writer reads the same last
    hash and forks the chain.

    On a SQLCipher file every write transaction already holds the file's write lock from
    its start (BEGIN IMMEDIATE, :mod:`sendesk.db`). On PostgreSQL two transactions run at
    once: a transaction-scoped advisory lock makes the second wait for the first's commit
    (or rollback) before it reads the head of the chain.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def _chain_head(session: Session) -> tuple[str, int]:
    """The newest event's hash and the chain's length, for the next append.

    On a PostgreSQL database with SENDesk's roles (:mod:`sendesk.services.store.pg_security`)
    a teacher's login may not read other people's audit events, so the two values come
    from the owner's SECURITY DEFINER function ``sendesk_audit_head()``, which reveals
    nothing else. Whether it exists is asked once per server connection.
    """
    if session.get_bind().dialect.name == "postgresql":
        conn = session.connection()
        secured = conn.info.get("sendesk_audit_head")
        if secured is None:
            found = conn.scalar(text("SELECT to_regproc('sendesk_audit_head') IS NOT NULL"))
            secured = conn.info["sendesk_audit_head"] = bool(found)
        if secured:
            length, head = conn.execute(text("SELECT length, head FROM sendesk_audit_head()")).one()
            return head or GENESIS, int(length)
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return last or GENESIS, session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@dataclass
class AuditWriter:
    """Appends events to the chain within one session, remembering the last hash.

    Bulk services (an import of 2,000 pupils) write many events; fetching the previous
    hash once per transaction keeps that cheap.
    """

    session: Session
    actor: Actor
    _last: str | None = None
    _length: int | None = None

    def record(
        self,
        action: str,
        entity: str,
        entity_id: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        appended = appended_head(self.session)
        if appended is not None:
            # This transaction has appended already (this writer, or another one on the same
            # session: a service called by a caller that writes too, as the demo school calls
            # store_document): follow on from it. The appends are already serialised, and
            # the chain's head need not be read again (a count over the whole trail).
            self._length, self._last = appended
        elif self._last is None:
            _serialise_appends(self.session)
            self._last, self._length = _chain_head(self.session)
        at = utcnow()
        values = dict(detail or {})
        seals = seals_for(self.session, entity, entity_id)
        if seals:
            values[SEALED] = seals  # the rows as written (row_seals; checked by verify)
        text = json.dumps(values, ensure_ascii=False, default=_json_default, sort_keys=True)
        event = AuditEvent(
            at=at,
            user_id=self.actor.user_id or None,
            os_user=self.actor.os_user,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=text,
            prev_hash=self._last,
        )
        event.hash = _digest(
            self._last, at, event.user_id, event.os_user, action, entity, entity_id, text
        )
        self.session.add(event)
        self._last = event.hash
        self._length = (self._length or 0) + 1
        note_appended(self.session, self._length, event.hash)
        return event


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record one event (for services that make a single change)."""
    return AuditWriter(session, actor).record(action, entity, entity_id, detail)


def chain_problems(session: Session) -> Iterator[str]:
    """Yield one sentence for each place the audit chain is broken (none when intact)."""
    prev = GENESIS
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
    for event in session.scalars(stmt):
        if event.prev_hash != prev:
            yield f"audit event {event.id} does not follow the event before it (a gap or edit)"
        expected = _digest(
            event.prev_hash,
            event.at,
            event.user_id,
            event.os_user,
            event.action,
            event.entity,
            event.entity_id,
            event.detail,
        )
        if expected != event.hash:
            yield f"audit event {event.id} was altered after it was written"
        prev = event.hash
