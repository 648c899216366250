"""The school's named contact and default staff rate, as an LA's request form asks for them.

Why this module exists: every LA request form ends with who at the school to contact about
the request (the SENCo's name, phone and email) and whose signature stands behind it, and a
costed provision map prices staff time at some rate. These are the school's, not one
pupil's, so they live in the ``setting`` table (:mod:`sendesk.services.school.settings`) and travel
with a backup; the SENCo edits them in the "School details…" dialog, and the request pack
reads them (:func:`sendesk.services.ehc.pack.gather`).

The default staff rate prices staff time in a support plan (in-class support, a key adult)
whose line gives no rate of its own. The order is documented in
:func:`sendesk.services.ehc.pack.gather`: the line's own rate, then this school default, then
the LA profile's staff rate, else the line is shown uncosted.

All the details are saved together, in one transaction with one audit event per changed
value (as :func:`sendesk.services.school.settings.set_setting` audits), or none when any is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import School
from sendesk.rules import dfe_number as dfe_rules
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.school.settings import parse_int, read_setting, write_setting
from sendesk.services.store.audit import AuditWriter

SENCO_NAME = "senco_name"
SENCO_PHONE = "senco_phone"
SENCO_EMAIL = "senco_email"
HEAD_TEACHER_NAME = "head_teacher_name"
STAFF_RATE = "staff_rate_per_hour_pence"
"""The school's default staff cost an hour, in pence, for plan lines with no rate."""

NAME_MAX = 120
PHONE_MAX = 40
EMAIL_MAX = 200
RATE_MAX_PENCE = 100_000  # £1,000 an hour: as the intervention catalogue, a typing slip

_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,}(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SchoolDetails:
    """The school's named contact for EHC requests, its head teacher, and its default staff
    rate (pence an hour; None: not set)."""

    senco_name: str = ""
    senco_phone: str = ""
    senco_email: str = ""
    head_teacher_name: str = ""
    staff_rate_per_hour_pence: int | None = None
    dfe_number: str = ""
    """The school's DfE number, "LLL/EEEE": a CTF names its sender by it (kept on the
    school's own row, not in the settings)."""


_KEYS = {
    "senco_name": SENCO_NAME,
    "senco_phone": SENCO_PHONE,
    "senco_email": SENCO_EMAIL,
    "head_teacher_name": HEAD_TEACHER_NAME,
    "staff_rate_per_hour_pence": STAFF_RATE,
}


def read_school_details(session: Session) -> SchoolDetails:
    """The details within an open session (a stored rate that no longer parses, or is out
    of range, reads as not set)."""
    texts = {name: (read_setting(session, key) or "").strip() for name, key in _KEYS.items()}
    rate = parse_int(texts.pop("staff_rate_per_hour_pence") or None, -1)
    number = session.scalar(select(School.dfe_number).order_by(School.id)) or ""
    return SchoolDetails(
        **texts,
        staff_rate_per_hour_pence=rate if 0 <= rate <= RATE_MAX_PENCE else None,
        dfe_number=number,
    )


def school_details(db: Database) -> SchoolDetails:
    """The school's details as stored (anyone signed in may read them: no personal data
    about a pupil, and the contact is printed on every pack)."""
    with db.session() as s:
        return read_school_details(s)


def details_problems(details: SchoolDetails) -> list[str]:
    """What is wrong with ``details`` as typed, one clause per field (empty: nothing)."""
    problems: list[str] = []
    for label, value, limit in (
        ("the SENCo's name", details.senco_name, NAME_MAX),
        ("the head teacher's name", details.head_teacher_name, NAME_MAX),
        ("the SENCo's phone number", details.senco_phone, PHONE_MAX),
        ("the SENCo's email address", details.senco_email, EMAIL_MAX),
    ):
        if len(value.strip()) > limit:
            problems.append(f"{label} is longer than {limit} characters")
    phone, email = details.senco_phone.strip(), details.senco_email.strip()
    if phone and not _PHONE.match(phone):
        problems.append(f"the SENCo's phone number '{phone}' is not a phone number")
    if email and not _EMAIL.match(email):
        problems.append(f"the SENCo's email address '{email}' is not an email address")
    rate = details.staff_rate_per_hour_pence
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= RATE_MAX_PENCE
    ):
        problems.append("the default staff rate must be between £0 and £1,000 an hour")
    if details.dfe_number.strip() and dfe_rules.parse(details.dfe_number) is None:
        problems.append(
            f"the DfE number '{details.dfe_number.strip()}' is not 3 digits for the LA and 4 "
            "for the school (e.g. 801/4000)"
        )
    return problems


def save_school_details(db: Database, actor: Actor, details: SchoolDetails) -> None:
    """The SENCo saves the school's details: all of them or, when any is wrong, none
    (ValidationError naming each field)."""
    permit(actor, Action.CHANGE_SETTINGS)
    problems = details_problems(details)
    if problems:
        text = "; ".join(problems)
        raise ValidationError(text[0].upper() + text[1:] + ".")
    with db.transaction() as s:
        audit = AuditWriter(s, actor)
        school = s.scalar(select(School).order_by(School.id))
        number = dfe_rules.normalise(details.dfe_number) if details.dfe_number.strip() else None
        if school is not None and school.dfe_number != number:
            audit.record(
                "update",
                "school",
                school.id,
                {"dfe_number": {"from": school.dfe_number, "to": number}},
            )
            school.dfe_number = number
        for f in fields(SchoolDetails):
            if f.name not in _KEYS:
                continue
            value = getattr(details, f.name)
            text = "" if value is None else str(value).strip()
            key = _KEYS[f.name]
            if text or read_setting(s, key) is not None:  # a blank never set stays unset
                write_setting(s, audit, key, text)


__all__ = [
    "HEAD_TEACHER_NAME",
    "SENCO_EMAIL",
    "SENCO_NAME",
    "SENCO_PHONE",
    "STAFF_RATE",
    "SchoolDetails",
    "details_problems",
    "read_school_details",
    "save_school_details",
    "school_details",
]
