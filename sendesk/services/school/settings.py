"""School settings kept inside the database: the notional SEN threshold and the like.

These belong to the school (the controller), not to one computer, so they live in the
``setting`` table beside the data they govern and travel with a backup — unlike
:mod:`sendesk.settings`, the app's own file that only says which database to open.

Values are stored as text keyed by name. The typed helpers read them back as ``int``,
``bool`` or ``date`` and fall back to the default when a value is missing; a stored value
that no longer parses (edited by hand) also falls back rather than breaking a report, and
the SENCo sees the default on the settings screen and can save it again. Anyone signed in
may read a setting (they are not personal data); only the SENCo changes one, in one
transaction with its audit event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import Setting
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

KEY_MAX = 80
VALUE_MAX = 2_000

NOTIONAL_THRESHOLD = "notional_sen_threshold_pence"
"""The school's notional SEN threshold per pupil per year, in pence (element 2)."""

DEFAULT_NOTIONAL_THRESHOLD_PENCE = 600_000
"""£6,000: DfE, "The notional SEN budget for mainstream schools: operational guide"."""

NOTIONAL_THRESHOLD_MAX_PENCE = 100_000_00  # £100,000: a typing slip, not a threshold


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > KEY_MAX:
        raise ValidationError(f"A setting name must have 1 to {KEY_MAX} characters.")
    return key


def read_setting(session: Session, key: str) -> str | None:
    """A setting's stored text within an open session (None when never set)."""
    return session.scalar(select(Setting.value).where(Setting.key == key))


def get_setting(db: Database, key: str, default: str | None = None) -> str | None:
    """A setting's stored text, or ``default`` when it has never been set."""
    with db.session() as s:
        value = read_setting(s, _check_key(key))
    return default if value is None else value


def set_setting(db: Database, actor: Actor, key: str, value: str) -> None:
    """The SENCo stores a setting (audited with its old and new value); same value → no-op."""
    permit(actor, Action.CHANGE_SETTINGS)
    key = _check_key(key)
    if not isinstance(value, str):
        raise TypeError("a setting's value is text; use the typed helpers for other types")
    if len(value) > VALUE_MAX:
        raise ValidationError(f"The value of {key} is longer than {VALUE_MAX:,} characters.")
    with db.transaction() as s:
        write_setting(s, AuditWriter(s, actor), key, value)


def write_setting(session: Session, audit: AuditWriter, key: str, value: str) -> bool:
    """Store ``value`` under ``key`` inside the caller's transaction, audited with the old
    and new value; False (nothing written) when it is already so. One way for every service
    that keeps several settings in one transaction (school details, the JCQ edition)."""
    row = session.get(Setting, key)
    before = None if row is None else row.value
    if before == value:
        return False
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    audit.record("update", "setting", None, {"key": key, "from": before, "to": value})
    return True


# --- typed helpers ---------------------------------------------------------------------


def parse_int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text.strip())
    except ValueError:
        return default


def parse_bool(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    word = text.strip().lower()
    if word in {"1", "true", "yes", "y"}:
        return True
    if word in {"0", "false", "no", "n"}:
        return False
    return default


def parse_date(text: str | None, default: date | None) -> date | None:
    if text is None or not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return default


def get_int(db: Database, key: str, default: int) -> int:
    return parse_int(get_setting(db, key), default)


def set_int(db: Database, actor: Actor, key: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an int")
    set_setting(db, actor, key, str(value))


def get_bool(db: Database, key: str, default: bool) -> bool:
    return parse_bool(get_setting(db, key), default)


def set_bool(db: Database, actor: Actor, key: str, value: bool) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be True or False")
    set_setting(db, actor, key, "true" if value else "false")


def get_date(db: Database, key: str, default: date | None = None) -> date | None:
    return parse_date(get_setting(db, key), default)


def set_date(db: Database, actor: Actor, key: str, value: date) -> None:
    if not isinstance(value, date):
        raise TypeError(f"{key} must be a date")
    set_setting(db, actor, key, value.isoformat())


# --- the notional SEN threshold ---------------------------------------------------------


def read_threshold(session: Session) -> int:
    """The notional SEN threshold in pence, within an open session (one query)."""
    value = parse_int(read_setting(session, NOTIONAL_THRESHOLD), DEFAULT_NOTIONAL_THRESHOLD_PENCE)
    return value if value >= 0 else DEFAULT_NOTIONAL_THRESHOLD_PENCE


def notional_threshold_pence(db: Database) -> int:
    """The school's notional SEN threshold per pupil per year in pence (£6,000 unless set)."""
    with db.session() as s:
        return read_threshold(s)


def set_notional_threshold_pence(db: Database, actor: Actor, pence: int) -> None:
    """The SENCo sets the notional SEN threshold (whole pence, £0 to £100,000)."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError("the threshold is a whole number of pence")
    if not 0 <= pence <= NOTIONAL_THRESHOLD_MAX_PENCE:
        raise ValidationError("The notional SEN threshold must be between £0 and £100,000.")
    set_int(db, actor, NOTIONAL_THRESHOLD, pence)


__all__ = [
    "DEFAULT_NOTIONAL_THRESHOLD_PENCE",
    "NOTIONAL_THRESHOLD",
    "get_bool",
    "get_date",
    "get_int",
    "get_setting",
    "notional_threshold_pence",
    "read_setting",
    "read_threshold",
    "set_bool",
    "set_date",
    "set_int",
    "set_notional_threshold_pence",
    "set_setting",
]
