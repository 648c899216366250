"""Seals: a digest of a row as SENDesk wrote it, carried on the audit chain.

Why: the hash chain proves the *events* are as written, but not that the data still
matches them. Someone with the key can change a pupil's name or date of birth, promote a
teacher to SENCo or back-date a register entry with the ``sqlcipher`` shell, and every
event still checks out. So whenever SENDesk records an event about a pupil, a register
entry or a user, the event's detail carries a digest of the rows it concerns — the pupil's
identity, all of that pupil's register entries, the user's account — and ``sendesk
verify`` checks that each sealed row still matches the newest seal of it
(:func:`seal_problems`). Rows SENDesk never sealed (a demo school's bulk history, data
from before seals existed) are not judged.

Only fields that change through an audited service are sealed, so normal work never trips
the check: a pupil's identity (not, say, the next review date), a register entry's status,
dates and void, a user's name, role and whether the account is active.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import AuditEvent, Pupil, RegisterEntry, User

SEALED = "sealed"
"""The key of an event's detail that holds its seals: {"table:id": digest or None}."""

PUPIL_FIELDS = (
    "upn",
    "legal_surname",
    "legal_forename",
    "preferred_surname",
    "preferred_forename",
    "dob",
    "nhs_number",
)
ENTRY_FIELDS = ("pupil_id", "provision", "start_date", "end_date", "voided_at")
USER_FIELDS = ("username", "display_name", "role", "active")

_MODELS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "pupil": (Pupil, PUPIL_FIELDS),
    "register_entry": (RegisterEntry, ENTRY_FIELDS),
    "user_account": (User, USER_FIELDS),
}


def _value(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return value


def digest(row: object, fields: tuple[str, ...]) -> str:
    """The seal of ``row``: a SHA-256 of the named fields' values, in order."""
    values = [_value(getattr(row, name)) for name in fields]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _pupil_seals(session: Session, pupil_id: int) -> dict[str, str | None]:
    pupil = session.get(Pupil, pupil_id)
    if pupil is None:
        return {f"pupil:{pupil_id}": None}
    seals: dict[str, str | None] = {f"pupil:{pupil_id}": digest(pupil, PUPIL_FIELDS)}
    for entry in session.scalars(select(RegisterEntry).where(RegisterEntry.pupil_id == pupil_id)):
        seals[f"register_entry:{entry.id}"] = digest(entry, ENTRY_FIELDS)
    return seals


def seals_for(session: Session, entity: str, entity_id: int | None) -> dict[str, str | None]:
    """The seals an event about ``entity`` ``entity_id`` carries (empty for other kinds).

    A pupil's event seals the pupil and every register entry of theirs (a register change
    closes one and opens another); a register entry's event (a void) seals its pupil's the
    same way; a user's event seals the account. None marks a row that no longer exists.
    """
    if entity_id is None:
        return {}
    if entity == "pupil":
        return _pupil_seals(session, entity_id)
    if entity == "register_entry":
        pupil_id = session.scalar(
            select(RegisterEntry.pupil_id).where(RegisterEntry.id == entity_id)
        )
        return {} if pupil_id is None else _pupil_seals(session, pupil_id)
    if entity == "user":
        user = session.get(User, entity_id)
        key = f"user_account:{entity_id}"
        return {key: None if user is None else digest(user, USER_FIELDS)}
    return {}


_WORDS = {"pupil": "pupil", "register_entry": "register entry", "user_account": "user"}


def seal_problems(session: Session) -> list[str]:
    """Each sealed row that no longer matches its newest seal, in one sentence each."""
    latest: dict[str, str | None] = {}
    stmt = (
        select(AuditEvent.detail)
        .where(AuditEvent.detail.like(f'%"{SEALED}"%'))
        .order_by(AuditEvent.id)
        .execution_options(yield_per=2000)
    )
    for detail in session.scalars(stmt):
        try:
            seals = json.loads(detail).get(SEALED)
        except (ValueError, AttributeError):
            continue
        if isinstance(seals, dict):
            latest.update(seals)
    wanted: dict[str, dict[int, str | None]] = defaultdict(dict)
    for key, seal in latest.items():
        table, _, row_id = key.partition(":")
        if table in _MODELS and row_id.isdigit():
            wanted[table][int(row_id)] = seal
    problems: list[str] = []
    for table, seals in wanted.items():
        model, fields = _MODELS[table]
        rows = {
            row.id: row for row in session.scalars(select(model).where(model.id.in_(list(seals))))
        }
        for row_id, seal in sorted(seals.items()):
            row = rows.get(row_id)
            what = f"{_WORDS[table]} {row_id}" + (
                f" (UPN {row.upn})" if isinstance(row, Pupil) else ""
            )
            if row is None and seal is not None:
                problems.append(f"{what} was deleted without SENDesk")
            elif row is not None and seal is None:
                problems.append(f"{what} was put back without SENDesk after it was removed")
            elif row is not None and digest(row, fields) != seal:
                problems.append(
                    f"{what} was changed without SENDesk since SENDesk last recorded it"
                )
    return problems


__all__ = ["SEALED", "digest", "seal_problems", "seals_for"]
