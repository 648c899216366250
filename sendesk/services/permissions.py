"""Asking the permission table before reading or writing (issue 13).

Why here and not in :mod:`sendesk.rules.permissions`: the table is pure, but a scope ("the
pupils I teach") is answered from the database — the classes, groups and assignments of
:mod:`sendesk.services.scope`. Every service function calls one of these three before it
touches the data:

- :func:`permit` for an action not about one pupil (or before a scope is needed);
- :func:`permit_pupil` for one pupil (refuses a pupil outside the actor's scope);
- :func:`pupils_allowed` for a list (the ids to keep, None for every pupil).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.rules.permissions import Action, Scope, out_of_scope, refusal, scope_of
from sendesk.services.actor import Actor

if TYPE_CHECKING:  # the register opens for the SENCo before SQLAlchemy is imported
    from sqlalchemy.orm import Session


def permit(actor: Actor, action: Action) -> Scope:
    """Refuse unless ``actor``'s role may take ``action`` on some pupils; return the scope."""
    scope = scope_of(actor.role, action)
    if scope is Scope.NONE:
        raise PermissionDeniedError(refusal(actor.role, action))
    return scope


def pupils_allowed(session: Session, actor: Actor, action: Action) -> frozenset[int] | None:
    """The ids of the pupils ``actor`` may take ``action`` on; None for every pupil."""
    scope = permit(actor, action)
    if scope is Scope.ALL:
        return None
    from sendesk.services.scope import pupils_in_scope

    return pupils_in_scope(session, actor)


def pupils_allowed_in(db: Database, actor: Actor, action: Action) -> frozenset[int] | None:
    """:func:`pupils_allowed` for callers without a session: the SENCo's answer (every
    pupil) needs no query, so the register still opens without SQLAlchemy for them."""
    if permit(actor, action) is Scope.ALL:
        return None
    from sendesk.services.scope import pupils_in_scope

    with db.session() as s:
        return pupils_in_scope(s, actor)


def permit_pupil(session: Session, actor: Actor, action: Action, pupil_id: int | None) -> None:
    """Refuse ``action`` on the pupil ``pupil_id`` unless it is in ``actor``'s scope."""
    allowed = pupils_allowed(session, actor, action)
    if allowed is not None and pupil_id not in allowed:
        raise PermissionDeniedError(out_of_scope(actor.role, action))


def permit_pupils(session: Session, actor: Actor, action: Action, pupil_ids: Iterable[int]) -> None:
    """Refuse ``action`` unless every one of ``pupil_ids`` is in ``actor``'s scope."""
    allowed = pupils_allowed(session, actor, action)
    if allowed is not None and any(p not in allowed for p in pupil_ids):
        raise PermissionDeniedError(out_of_scope(actor.role, action))


__all__ = [
    "Action",
    "permit",
    "permit_pupil",
    "permit_pupils",
    "pupils_allowed",
    "pupils_allowed_in",
]
