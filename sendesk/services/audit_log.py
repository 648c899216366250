"""Reading the audit trail: who did what, to which pupil, and when (SENCo only).

Why: the school is the controller of special-category data and must be able to show who
accessed or changed a child's record (UK GDPR accountability; a parent's subject access
request may ask). The trail itself is written by :mod:`sendesk.services.audit`; this
module only reads it, filtered, and says how long the chain is and what its newest hash
is — the anchor a school can write down (:mod:`sendesk.services.audit_anchor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError
from sendesk.models import AuditEvent, Pupil, Role, User
from sendesk.services.actor import Actor
from sendesk.services.audit_anchor import Anchor, current_anchor

LIMIT = 100_000
"""At most this many events are listed at once (narrow the filter for more)."""


@dataclass(frozen=True)
class AuditLine:
    """One event as the SENCo reads it; the detail (which may name people) is left out."""

    event_id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: int | None
    upn: str


@dataclass(frozen=True)
class AuditListing:
    lines: list[AuditLine]
    anchor: Anchor  # the whole chain's length and newest hash, whatever the filter


def audit_listing(
    db: Database,
    actor: Actor,
    *,
    upn: str | None = None,
    username: str | None = None,
    since: date | None = None,
) -> AuditListing:
    """Events oldest first, filtered by pupil (UPN), user and date, with the chain's anchor."""
    actor.require(Role.SENCO, doing="read the audit trail")
    with db.session() as s:
        stmt = (
            select(AuditEvent, User.username)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .order_by(AuditEvent.id)
        )
        upns: dict[int, str] = {}
        if upn is not None:
            pupil = s.scalar(select(Pupil).where(Pupil.upn == upn.strip().upper()))
            if pupil is None:
                raise NotFoundError(f"No pupil has the UPN {upn}.")
            stmt = stmt.where(AuditEvent.entity == "pupil", AuditEvent.entity_id == pupil.id)
            upns[pupil.id] = pupil.upn
        if username is not None:
            user_id = s.scalar(select(User.id).where(User.username == username))
            if user_id is None:
                raise NotFoundError(f"There is no SENDesk user called '{username}'.")
            stmt = stmt.where(AuditEvent.user_id == user_id)
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= datetime.combine(since, time(), tzinfo=UTC))
        rows = s.execute(stmt.limit(LIMIT)).all()
        if upn is None:
            ids = {e.entity_id for e, _ in rows if e.entity == "pupil" and e.entity_id}
            if ids:
                upns = dict(s.execute(select(Pupil.id, Pupil.upn).where(Pupil.id.in_(ids))).all())
        anchor = current_anchor(s)
    lines = [
        AuditLine(
            event_id=e.id,
            at=e.at,
            username=name or (f"({e.os_user})" if e.os_user else "(system)"),
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            upn=upns.get(e.entity_id or 0, "") if e.entity == "pupil" else "",
        )
        for e, name in rows
    ]
    return AuditListing(lines, anchor)


__all__ = ["LIMIT", "AuditLine", "AuditListing", "audit_listing"]
