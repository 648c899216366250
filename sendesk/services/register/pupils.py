"""Pupils: the checked data that makes one, and adding a pupil with their first register entry.

:class:`PupilData` is plain, already-typed data (dates are dates, codes are current census
codes). :func:`validate_pupil` checks it without a database and without caring where it
came from, so the GUI's "add pupil" form and the MIS import give the same reasons for the
same mistakes. Register entries are only ever opened through
:func:`sendesk.services.register.register.apply_change`, so census rules and history hold.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import Pupil
from sendesk.rules import nhs, upn
from sendesk.rules.census import Provision, census_problems
from sendesk.services.actor import Actor
from sendesk.services.common import sentence
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.register.register import CurrentStatus, apply_change, load_current
from sendesk.services.store.audit import AuditWriter

NAME_MAX = 120  # Pupil.legal_surname etc.
HELD_TEXT_MAX = 60  # Pupil.home_language, Pupil.ethnicity
REG_GROUP_MAX = 20
YEAR_GROUPS = range(-2, 15)  # N1 (-2), N2 (-1), Reception (0), Years 1-14
GENDERS = ("M", "F")

SCHOOL_DETAILS: tuple[str, ...] = (
    "gender",
    "year_group",
    "reg_group",
    "admission_date",
    "leaving_date",
    "eal",
    "pupil_premium",
    "looked_after",
    "nhs_number",
)
"""The pupil's school details: an MIS import writes them, and the SENCo may also edit them
in SENDesk (unlike the UPN, legal names and date of birth, which only the MIS changes)."""

PUPIL_ATTRS: tuple[str, ...] = (
    "legal_surname",
    "legal_forename",
    "preferred_surname",
    "preferred_forename",
    "dob",
    *SCHOOL_DETAILS,
    "home_language",
    "ethnicity",
)
"""PupilData attributes stored on the Pupil row (besides the UPN, which is its key)."""


@dataclass(frozen=True)
class PupilData:
    """One pupil's details as SENDesk stores them.

    ``upn`` is normalised (stripped, upper case) on construction. ``provision`` is a
    current census code (N, K or E) and ``needs`` the ranked type-of-need codes (index 0 =
    primary need). ``sen_start_date`` is when the current SEN status began, when known.
    """

    upn: str
    legal_surname: str
    legal_forename: str
    dob: date
    preferred_surname: str | None = None
    preferred_forename: str | None = None
    gender: str | None = None
    year_group: int | None = None
    reg_group: str | None = None
    admission_date: date | None = None
    leaving_date: date | None = None
    eal: bool = False
    pupil_premium: bool = False
    looked_after: bool = False
    nhs_number: str | None = None
    provision: str = Provision.N.value
    needs: tuple[str, ...] = ()
    sen_start_date: date | None = None
    # Held where the MIS gives them (an LA's request form asks for both); free text as
    # the MIS words it, since SIMS, Arbor and Bromcom each use their own code lists.
    home_language: str | None = None
    ethnicity: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "upn", self.upn.strip().upper())
        object.__setattr__(self, "needs", tuple(self.needs))

    def pupil_values(self) -> dict[str, Any]:
        """The values stored on the Pupil row, by attribute name (NHS number as 10 digits)."""
        values = {name: getattr(self, name) for name in PUPIL_ATTRS}
        if values["nhs_number"]:
            with suppress(ValueError):  # validate_pupil reports a malformed number
                values["nhs_number"] = nhs.normalise(values["nhs_number"])
        return values


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pupil's data: the PupilData attribute and a plain reason.

    The reason names the field itself ("date of birth 31/02/2013 does not exist"), so it
    reads on its own in an import report or under a form field.
    """

    field: str
    reason: str


_TEXT_MAX = {"home_language": HELD_TEXT_MAX, "ethnicity": HELD_TEXT_MAX}


def _name_problems(data: PupilData) -> list[Problem]:
    problems: list[Problem] = []
    for attr, label, required in (
        ("legal_surname", "legal surname", True),
        ("legal_forename", "legal forename", True),
        ("preferred_surname", "preferred surname", False),
        ("preferred_forename", "preferred forename", False),
        ("home_language", "home language", False),
        ("ethnicity", "ethnicity", False),
    ):
        value: str | None = getattr(data, attr)
        if required and not (value or "").strip():
            problems.append(Problem(attr, f"{label} is missing"))
        elif value and len(value) > (limit := _TEXT_MAX.get(attr, NAME_MAX)):
            problems.append(Problem(attr, f"{label} is longer than {limit} characters"))
        elif value and any(ch in value for ch in "\r\n\t"):
            problems.append(Problem(attr, f"{label} contains a line break or tab"))
    return problems


def validate_pupil(data: PupilData, *, today: date | None = None) -> list[Problem]:
    """Every problem with ``data`` (empty when it may be saved). No database needed.

    Checks the UPN (format and check letter; temporary UPNs allowed), names, dates that
    make sense together, year group, gender, NHS number, and the census rules for the
    provision and needs (one primary need; K/E need a type of need; NSA only with K; N
    carries none).
    """
    today = today or date.today()
    problems: list[Problem] = []
    if not data.upn:
        problems.append(Problem("upn", "UPN is missing"))
    elif (why := upn.problem(data.upn)) is not None:
        problems.append(Problem("upn", why))
    problems += _name_problems(data)
    if data.dob > today:
        problems.append(Problem("dob", f"date of birth {data.dob:%d/%m/%Y} is in the future"))
    for attr, label in (
        ("admission_date", "admission date"),
        ("leaving_date", "leaving date"),
        ("sen_start_date", "SEN start date"),
    ):
        value: date | None = getattr(data, attr)
        if value is not None and value < data.dob:
            problems.append(Problem(attr, f"{label} {value:%d/%m/%Y} is before the date of birth"))
    if (
        data.admission_date is not None
        and data.leaving_date is not None
        and data.leaving_date < data.admission_date
    ):
        problems.append(
            Problem(
                "leaving_date",
                f"leaving date {data.leaving_date:%d/%m/%Y} is before the admission date "
                f"{data.admission_date:%d/%m/%Y}",
            )
        )
    if data.year_group is not None and data.year_group not in YEAR_GROUPS:
        problems.append(
            Problem("year_group", f"year group {data.year_group} is not between N1 and 14")
        )
    if data.reg_group and len(data.reg_group) > REG_GROUP_MAX:
        problems.append(
            Problem("reg_group", f"registration group is longer than {REG_GROUP_MAX} characters")
        )
    if data.gender is not None and data.gender not in GENDERS:
        problems.append(Problem("gender", f"gender '{data.gender}' is not M or F"))
    if data.nhs_number:
        try:
            number = nhs.normalise(data.nhs_number)
        except ValueError as exc:
            problems.append(Problem("nhs_number", str(exc)))
        else:
            if not nhs.is_valid(number):
                problems.append(
                    Problem("nhs_number", f"NHS number {number} has a wrong check digit")
                )
    for why in census_problems(data.provision, list(data.needs)):
        problems.append(Problem("needs" if data.needs else "provision", why))
    return problems


def first_entry_date(data: PupilData, today: date) -> date:
    """When a new pupil's first register entry starts: the SEN start date when known, the
    admission date for a pupil with no SEN, otherwise today."""
    if data.sen_start_date is not None:
        return data.sen_start_date
    if data.provision == Provision.N.value and data.admission_date is not None:
        return data.admission_date
    return today


def new_pupil_row(data: PupilData) -> Pupil:
    """An unsaved Pupil row holding ``data`` (the NHS number stored as 10 digits)."""
    return Pupil(upn=data.upn, **data.pupil_values())


def open_first_entry(
    session: Session,
    audit: AuditWriter,
    pupil_id: int,
    data: PupilData,
    today: date,
    reason: str,
    *,
    record_create: bool = True,
) -> None:
    """Open a stored pupil's first register entry, recording their creation.

    The register change is always audited (from no status to the first one). A bulk
    caller may pass ``record_create=False`` and audit the creations in one event of its
    own (the MIS import lists the new pupils' ids in its summary event).
    """
    if record_create:
        audit.record("create", "pupil", pupil_id, {"source": reason})
    apply_change(
        session,
        audit,
        pupil_id,
        CurrentStatus(None, []),
        data.provision,
        data.needs,
        first_entry_date(data, today),
        reason,
    )


def add_pupil(
    db: Database,
    actor: Actor,
    data: PupilData,
    *,
    today: date | None = None,
    reason: str = "Added in SENDesk",
) -> int:
    """The SENCo adds one pupil and their first register entry; returns the pupil's id.

    Raises ValidationError naming every problem (see :func:`validate_pupil`), or when the
    UPN is already another pupil's.
    """
    permit(actor, Action.EDIT_PUPILS)
    today = today or date.today()
    problems = validate_pupil(data, today=today)
    if problems:
        raise ValidationError(sentence(p.reason for p in problems))
    with db.transaction() as s:
        if s.scalar(select(Pupil.id).where(Pupil.upn == data.upn)) is not None:
            raise ValidationError(f"UPN {data.upn} already belongs to a pupil in SENDesk.")
        pupil = new_pupil_row(data)
        s.add(pupil)
        s.flush()
        open_first_entry(s, AuditWriter(s, actor), pupil.id, data, today, reason)
        return pupil.id


def pupil_data_of(pupil: Pupil, current: CurrentStatus | None) -> PupilData:
    """A stored pupil (and their open register entry) as PupilData."""
    entry = current.entry if current else None
    return PupilData(
        upn=pupil.upn,
        provision=entry.provision if entry else Provision.N.value,
        needs=current.codes if current else (),
        sen_start_date=entry.start_date if entry else None,
        **{name: getattr(pupil, name) for name in PUPIL_ATTRS},
    )


def pupil_id_of(
    db: Database, actor: Actor, upn_text: str, action: Action = Action.VIEW_RECORD
) -> int:
    """The id of the pupil with this UPN, for a command that then takes ``action`` on them
    (NotFoundError when there is none; refused outside the actor's scope). The one way
    every command finds a pupil by UPN (spaces and case ignored)."""
    permit(actor, action)
    key = upn_text.replace(" ", "").upper()
    with db.session() as s:
        pupil_id = s.scalar(select(Pupil.id).where(Pupil.upn == key))
        if pupil_id is None:
            raise NotFoundError(f"There is no pupil with UPN {key} in SENDesk.")
        permit_pupil(s, actor, action, pupil_id)
        return pupil_id


def get_pupil(db: Database, actor: Actor, upn_text: str) -> PupilData:
    """A pupil's details and current SEN status by UPN (staff who may see named records)."""
    permit(actor, Action.VIEW_RECORD)
    key = upn_text.strip().upper()
    with db.session() as s:
        pupil = s.scalar(select(Pupil).where(Pupil.upn == key))
        if pupil is None:
            raise NotFoundError(f"There is no pupil with UPN {key} in SENDesk.")
        permit_pupil(s, actor, Action.VIEW_RECORD, pupil.id)
        current = load_current(s, [pupil.id]).get(pupil.id)
        return pupil_data_of(pupil, current)


__all__ = [
    "PUPIL_ATTRS",
    "SCHOOL_DETAILS",
    "Problem",
    "PupilData",
    "add_pupil",
    "get_pupil",
    "sentence",
    "validate_pupil",
]
