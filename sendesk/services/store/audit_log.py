"""Reading the audit trail: who did what, to which pupil, and when (SENCo only).

Why: the school is the controller of special-category data and must be able to show who
accessed or changed a child's record (UK GDPR accountability; a parent's subject access
request may ask). The trail itself is written by :mod:`sendesk.services.store.audit`; this
module only reads it, filtered, and says how long the chain is and what its newest hash
is — the anchor a school can write down (:mod:`sendesk.services.store.audit_anchor`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import or_, select

from sendesk.db import Database
from sendesk.errors import NotFoundError
from sendesk.models import AuditEvent, Pupil, User
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit_anchor import Anchor, current_anchor

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


def _names_pupil(pupil_id: int) -> object:
    """Events about the pupil: on the pupil itself, or on something of theirs whose detail
    names them (a document opened, a plan, an arrangement: ``"pupil_id": N`` in the
    detail as :mod:`sendesk.services.store.audit` writes it, keys sorted, ``", "`` between)."""
    return or_(
        (AuditEvent.entity == "pupil") & (AuditEvent.entity_id == pupil_id),
        AuditEvent.detail.like(f'%"pupil_id": {pupil_id},%'),
        AuditEvent.detail.like(f'%"pupil_id": {pupil_id}}}%'),
    )


def _detail_pupil(event: AuditEvent) -> int | None:
    """The pupil an event is about: its entity, or the ``pupil_id`` its detail names."""
    if event.entity == "pupil":
        return event.entity_id
    if '"pupil_id": ' not in event.detail:
        return None
    try:
        value = json.loads(event.detail).get("pupil_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def audit_listing(
    db: Database,
    actor: Actor,
    *,
    upn: str | None = None,
    username: str | None = None,
    since: date | None = None,
    action: str | None = None,
) -> AuditListing:
    """Events oldest first, filtered by pupil (UPN), user, date and action, with the
    chain's anchor. A pupil's events include those on their documents, plans and the like
    (the detail names the pupil), so a subject access request finds every opening."""
    permit(actor, Action.READ_AUDIT)
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
            stmt = stmt.where(_names_pupil(pupil.id))
            upns[pupil.id] = pupil.upn
        if username is not None:
            user_id = s.scalar(select(User.id).where(User.username == username))
            if user_id is None:
                raise NotFoundError(f"There is no SENDesk user called '{username}'.")
            stmt = stmt.where(AuditEvent.user_id == user_id)
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= datetime.combine(since, time(), tzinfo=UTC))
        if action is not None and action.strip():
            stmt = stmt.where(AuditEvent.action == action.strip())
        rows = s.execute(stmt.limit(LIMIT)).all()
        about = {e.id: _detail_pupil(e) for e, _ in rows}
        if upn is None:
            ids = {pupil_id for pupil_id in about.values() if pupil_id}
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
            upn=upns.get(about[e.id] or 0, ""),
        )
        for e, name in rows
    ]
    return AuditListing(lines, anchor)


def audit_actions(db: Database, actor: Actor) -> list[str]:
    """Every action the trail holds, for the audit view's filter (SENCo only)."""
    permit(actor, Action.READ_AUDIT)
    with db.session() as s:
        return sorted(s.scalars(select(AuditEvent.action).distinct()))


__all__ = [
    "LIMIT",
    "AuditLine",
    "AuditListing",
    "audit_actions",
    "audit_listing",
]
