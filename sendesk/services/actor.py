"""Who is acting: every service function takes one, so permission and audit always know.

Looking the actor up is a plain read (:meth:`sendesk.db.Database.reading`): it happens at
every start-up, before SQLAlchemy is needed.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sendesk.db import Database
from sendesk.errors import NotFoundError
from sendesk.roles import Role

if TYPE_CHECKING:
    from sendesk.models import User


@dataclass(frozen=True)
class Actor:
    """The signed-in user (plain data, safe to hand across threads and to the UI)."""

    user_id: int
    username: str
    display_name: str
    role: Role
    os_user: str | None = None
    # A first password (a new account, a reset by the SENCo) is replaced before any work:
    # the app asks for a new one before the window opens, the command line refuses.
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            user.id,
            user.username,
            user.display_name,
            Role(user.role),
            login_name(),
            bool(user.must_change_password),
        )


def login_name() -> str | None:
    """The operating system's login name, for the audit trail (None where there is none,
    as in some containers)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return None


_USER_SQL = "SELECT id, username, display_name, role, active FROM user_account"


def acting_user(db: Database, username: str | None) -> Actor:
    """The actor for the app's throwaway demo school and for tests, without a password:
    the named user, or the first active SENCo. The command line signs in instead
    (:func:`sendesk.services.staff.users.sign_in`, issue 13)."""
    with db.reading() as read:
        if username:
            found = read.rows(_USER_SQL + " WHERE username = ?", (username,))
            if not found or not found[0][4]:
                raise NotFoundError(f"There is no active SENDesk user called '{username}'.")
        else:
            found = read.rows(
                _USER_SQL + " WHERE role = ? AND active = ? ORDER BY id LIMIT 1",
                (Role.SENCO.value, True),
            )
            if not found:
                raise NotFoundError("This database has no active SENCo account to act as.")
    user_id, name, display_name, role, _active = found[0]
    return Actor(user_id, name, display_name, Role(role), login_name())
