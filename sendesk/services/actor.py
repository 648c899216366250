"""Who is acting: every service function takes one, so permission and audit always know."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError
from sendesk.models import ROLE_LABELS, Role, User


@dataclass(frozen=True)
class Actor:
    """The signed-in user (plain data, safe to hand across threads and to the UI)."""

    user_id: int
    username: str
    display_name: str
    role: Role
    os_user: str | None = None

    def require(self, *roles: Role, doing: str) -> None:
        """Refuse unless the actor has one of ``roles``; ``doing`` completes the sentence."""
        if self.role not in roles:
            raise PermissionDeniedError(
                f"{ROLE_LABELS[self.role]} accounts cannot {doing}; ask the SENCo."
            )

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.display_name, Role(user.role), _os_user())


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return None


def acting_user(db: Database, username: str | None) -> Actor:
    """:func:`actor_for` in a session of its own, for callers that hold no session."""
    with db.session() as session:
        return actor_for(session, username)


def actor_for(session: Session, username: str | None) -> Actor:
    """The actor for a command-line run: the named user, or the first active SENCo."""
    if username:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise NotFoundError(f"There is no active SENDesk user called '{username}'.")
        return Actor.of(user)
    user = session.scalar(
        select(User).where(User.role == Role.SENCO, User.active.is_(True)).order_by(User.id)
    )
    if user is None:
        raise NotFoundError("This database has no active SENCo account to act as.")
    return Actor.of(user)
