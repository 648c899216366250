"""Locking an idle SENDesk window: how long it waits, and who may unlock it.

Why: a SENCo's screen shows special-category data about children (UK GDPR Art. 9), and a
desk in a busy school office is left for a moment many times a day. Art. 32 asks for
"appropriate technical measures"; the ICO's guidance on security names automatic screen
locking. The window locks after a school-wide idle time (a setting in the database, so
every computer of the school behaves the same) and only the same person's password opens
it again; signing out is the other way on.

The idle time is read once at sign-in with a plain read (:meth:`Database.reading`): the
window is drawn before SQLAlchemy is imported (see :mod:`sendesk.db`), and a lock must
be armed from the start. Lock, unlock and a refused unlock are audit events.
"""

from __future__ import annotations

from sendesk.db import Database
from sendesk.errors import SendeskError, ValidationError
from sendesk.services.actor import Actor

LOCK_AFTER_MINUTES = "lock_after_minutes"
"""The ``setting`` key: minutes without keyboard or mouse input before the window locks."""

DEFAULT_LOCK_AFTER_MINUTES = 5
MIN_LOCK_AFTER_MINUTES = 1
MAX_LOCK_AFTER_MINUTES = 60
"""The idle lock cannot be turned off: an hour at most (a stored 0, a negative or a typing
slip falls back to the default of five minutes)."""

REFUSED = "That is not the password of the person signed in."


def parse_lock_minutes(text: str | None) -> int:
    """The idle time in minutes from the stored text; the default when missing or out of
    range (edited by hand), so a bad value never leaves the window unlocked."""
    try:
        minutes = int((text or "").strip())
    except ValueError:
        return DEFAULT_LOCK_AFTER_MINUTES
    if not MIN_LOCK_AFTER_MINUTES <= minutes <= MAX_LOCK_AFTER_MINUTES:
        return DEFAULT_LOCK_AFTER_MINUTES
    return minutes


def lock_after_minutes(db: Database) -> int:
    """The school's idle time before the window locks (5 minutes unless set).

    A plain read, quick enough for start-up (no SQLAlchemy).
    """
    with db.reading() as read:
        rows = read.rows("SELECT value FROM setting WHERE key = ?", (LOCK_AFTER_MINUTES,))
    return parse_lock_minutes(rows[0][0] if rows else None)


def set_lock_after_minutes(db: Database, actor: Actor, minutes: int) -> None:
    """The SENCo sets the idle time (1 to 60 minutes; audited as a setting change)."""
    from sendesk.services.school.settings import set_int

    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError("the idle time is a whole number of minutes")
    if not MIN_LOCK_AFTER_MINUTES <= minutes <= MAX_LOCK_AFTER_MINUTES:
        raise ValidationError(
            f"The lock time must be between {MIN_LOCK_AFTER_MINUTES} and "
            f"{MAX_LOCK_AFTER_MINUTES} minutes."
        )
    set_int(db, actor, LOCK_AFTER_MINUTES, minutes)


def _record(db: Database, actor: Actor, action: str, detail: dict[str, str]) -> None:
    from sendesk.services.store.audit import record

    with db.transaction() as s:
        record(s, actor, action, "user", actor.user_id or None, detail)


def record_lock(db: Database, actor: Actor, *, idle: bool) -> None:
    """Audit that the window locked, and why (idle, or File → Lock)."""
    _record(db, actor, "lock", {"why": "idle" if idle else "chosen"})


def unlock(db: Database, actor: Actor, password: str) -> None:
    """Check that ``password`` is the signed-in person's own; audited either way.

    Raises :class:`SendeskError` with one sentence when it is not (or the account can no
    longer sign in). The password is checked by :func:`sendesk.services.staff.users.sign_in`,
    so an account's sign-in rules (throttling after failures) hold here too.
    """
    from sendesk.services.staff.users import sign_in

    try:
        again = sign_in(db, actor.username, password)
    except SendeskError as exc:
        _record(db, actor, "unlock_failed", {})
        message = str(exc)
        if "username or password" in message:  # the sign-in's vague wording
            message = REFUSED
        raise SendeskError(message) from None
    if again.user_id != actor.user_id:  # a renamed account: not the same person
        _record(db, actor, "unlock_failed", {})
        raise SendeskError(REFUSED)
    _record(db, actor, "unlock", {})


__all__ = [
    "DEFAULT_LOCK_AFTER_MINUTES",
    "LOCK_AFTER_MINUTES",
    "MAX_LOCK_AFTER_MINUTES",
    "MIN_LOCK_AFTER_MINUTES",
    "REFUSED",
    "lock_after_minutes",
    "parse_lock_minutes",
    "record_lock",
    "set_lock_after_minutes",
    "unlock",
]
