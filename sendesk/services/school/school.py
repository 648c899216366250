"""Creating a school database and reading the school's details.

The school's details are read at every start-up, before SQLAlchemy is imported (see
:mod:`sendesk.db`): so :func:`school_info` is a plain read, and :func:`init_school`
imports the models and the audit trail only when it runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sendesk.db import Database
from sendesk.errors import NotADatabaseError, ValidationError
from sendesk.roles import Role
from sendesk.services.actor import Actor

URN = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    urn: str | None
    dfe_number: str | None
    la_name: str | None


def validate_school(name: str, urn: str | None, dfe: str | None = None) -> None:
    """Check the set-up fields before anything is created."""
    from sendesk.rules import dfe_number as dfe_rules

    if not name.strip():
        raise ValidationError("The school name is empty.")
    if urn and not URN.match(urn.strip()):
        raise ValidationError(f"URN '{urn}' is not a 6-digit unique reference number.")
    if dfe and dfe_rules.parse(dfe) is None:
        raise ValidationError(
            f"'{dfe.strip()}' is not a DfE number: 3 digits for the LA and 4 for the school, "
            "e.g. 801/4000."
        )


def init_school(
    db: Database,
    name: str,
    *,
    urn: str | None = None,
    la_name: str | None = None,
    dfe_number: str | None = None,
    senco_username: str,
    senco_name: str,
    senco_password: str | None = None,
) -> Actor:
    """Write the school row and its first SENCo account; returns that SENCo as the actor."""
    from sqlalchemy import select

    from sendesk.models import School, User
    from sendesk.rules import dfe_number as dfe_rules
    from sendesk.services.staff.users import hash_password, password_problem
    from sendesk.services.store.audit import record

    validate_school(name, urn, dfe_number)
    if dfe_number:
        dfe_number = dfe_rules.normalise(dfe_number)
    if not senco_username.strip():
        raise ValidationError("The SENCo's username is empty.")
    if senco_password is not None and (problem := password_problem(senco_password)):
        raise ValidationError(problem)
    with db.transaction() as s:
        if s.scalar(select(School.id)) is not None:
            raise NotADatabaseError("This database already has a school.")
        user = User(
            username=senco_username.strip(),
            display_name=senco_name.strip() or senco_username.strip(),
            role=Role.SENCO,
            password_hash=hash_password(senco_password) if senco_password else None,
        )
        s.add(user)
        school = School(
            name=name.strip(),
            urn=(urn or "").strip() or None,
            la_name=(la_name or "").strip() or None,
            dfe_number=dfe_number,
        )
        s.add(school)
        s.flush()
        actor = Actor.of(user)
        record(s, actor, "create", "user", user.id, {"role": user.role, "first_senco": True})
        record(
            s,
            actor,
            "create",
            "school",
            school.id,
            {"name": school.name, "urn": school.urn, "la": school.la_name},
        )
    return actor


def school_info(db: Database) -> SchoolInfo:
    """The school's name, URN, DfE number and local authority."""
    with db.reading() as read:
        found = read.rows("SELECT name, urn, dfe_number, la_name FROM school ORDER BY id")
    if len(found) != 1:
        raise NotADatabaseError(
            f"{db.target.describe()} should hold one school and holds {len(found)}."
        )
    return SchoolInfo(*found[0])


def schema_revision(db: Database) -> str:
    """The database's schema revision (Alembic's), for the About box: which SENDesk made
    or last upgraded the file tells IT which release can open it."""
    with db.reading() as read:
        found = read.rows("SELECT version_num FROM alembic_version")
    return str(found[0][0]) if found else "unknown"
