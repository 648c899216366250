"""The school every test builds: staff, pupils, contacts and who works with whom.

One module so that a change to what a pupil or an account needs (a new required column, a
register rule) is made once, not in every test file that sets up a school. The factories
write straight through the models and the register service, as the MIS import and the
SENCo would, without going through permission checks the tests are not about.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from sendesk.db import Database, create_database
from sendesk.models import (
    Contact,
    DeliveredSession,
    EhcPlan,
    Enrolment,
    Intervention,
    InterventionGroup,
    Need,
    Pupil,
    PupilAssignment,
    RegisterEntry,
    Role,
    SessionAttendance,
    TeachingGroup,
    TeachingGroupMember,
    User,
)
from sendesk.rules.progress import AGE_MONTHS
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import PlanData
from sendesk.services.graduated.intervention_records import InterventionData
from sendesk.services.register.pupils import PupilData, add_pupil
from sendesk.services.register.register import CurrentStatus, apply_change
from sendesk.services.school.school import init_school
from sendesk.services.staff.users import hash_password
from sendesk.services.store.audit import AuditWriter

READING_RECOVERY = InterventionData(
    name="Reading Recovery",
    area="Cognition and learning",
    staff_role="Teaching assistant",
    measure="reading age",
    measure_kind=AGE_MONTHS,
    group_size=8,
    sessions_per_week=2,
    minutes_per_session=30,
    cost_per_hour_pence=2400,
)
"""The catalogue entry the intervention service tests add through the catalogue service: a
reading group of up to 8, twice a week for 30 minutes at £24 an hour."""


def ehc_plan_data(**changes: object) -> PlanData:
    """An EHC plan as the SENCo records it from the LA's final plan (sections B, E and F,
    hours and top-up), with ``changes``: the one the EHC service tests start from."""
    return dataclasses.replace(
        PlanData(
            issued_on=date(2025, 3, 10),
            la_name="Testshire",
            named_setting="Test Academy",
            needs="B: reading and spelling well below age.",
            outcomes="E: read a Year 6 text aloud by July 2026.",
            provision="F: 1:1 reading with a TA, 3 × 20 minutes a week.",
            hours_per_week=12.5,
            top_up_pence=450_000,
        ),
        **changes,
    )


MakeDb = Callable[[], Database]
"""The ``make_db`` fixture (tests/conftest.py): each call, a new empty database."""


def hill_school(where: str, key: str, password: str) -> tuple[Database, Actor]:
    """Hill School on a new SQLCipher file at ``where``; its SENCo ``senco`` (Ms S) signs in
    with ``password``: the school a command-line test runs a command against."""
    db = create_database(where, key)
    senco = init_school(
        db, "Hill School", senco_username="senco", senco_name="Ms S", senco_password=password
    )
    return db, senco


def staffed_hill_school(
    where: str, key: str, password: str, build: Callable[[Database, Actor], object]
) -> str:
    """:func:`hill_school` at ``where``, filled by ``build`` (as its SENCo), with a head
    teacher ``head`` (read-only) and a teacher ``teacher`` who sign in with ``password``
    too; closed again and returned as the file a command-line test opens."""
    db, senco = hill_school(where, key, password)
    build(db, senco)
    make_user(db, "head", Role.READ_ONLY, password=password)
    make_user(db, "teacher", Role.TEACHER, password=password)
    db.dispose()
    return where


def make_user(
    db: Database,
    username: str,
    role: Role,
    name: str | None = None,
    *,
    active: bool = True,
    password: str | None = None,
) -> Actor:
    """A staff account with ``role``, made directly (no audit of the setup); with
    ``password`` it can sign in on the command line, otherwise not at all.

    The display name defaults to ``username.title()``; pass ``name`` where a test reads it
    back from a screen, a report or the audit trail.
    """
    with db.transaction() as s:
        user = User(
            username=username,
            display_name=username.title() if name is None else name,
            role=role,
            active=active,
            password_hash=None if password is None else hash_password(password),
        )
        s.add(user)
        s.flush()
        return Actor.of(user)


def add_test_pupil(
    db: Database,
    actor: Actor,
    serial: int,
    *,
    provision: str = "N",
    needs: tuple[str, ...] = (),
    since: date = date(2024, 9, 1),
    year: int = 8,
    forename: str = "Test",
    surname: str = "Pupil",
    plan: bool = False,
    **fields: object,
) -> int:
    """A pupil with one register entry from ``since``.

    For E, ``plan=True`` records an issued plan (Testshire, issued on ``since``) first, as
    the register now requires. Without it the pupil is written as a database from before
    that guard holds them: E with no plan recorded (the tests of such legacy data, and of
    recording the plan afterwards, need it).
    """
    with db.transaction() as s:
        pupil = Pupil(
            upn=make(801, 2000, 24, serial),
            legal_surname=surname,
            legal_forename=forename,
            dob=date(2012, 1, 1),
            year_group=year,
            **fields,
        )
        s.add(pupil)
        s.flush()
        if provision == "E" and not plan:
            s.add(RegisterEntry(pupil_id=pupil.id, provision="E", start_date=since, reason="test"))
            s.add_all(
                Need(pupil_id=pupil.id, code=code, rank=rank, start_date=since)
                for rank, code in enumerate(needs, start=1)
            )
            return pupil.id
        if provision == "E":
            s.add(EhcPlan(pupil_id=pupil.id, issued_on=since, la_name="Testshire"))
            s.flush()
        apply_change(
            s,
            AuditWriter(s, actor),
            pupil.id,
            CurrentStatus(None, []),
            provision,
            needs,
            since,
            "test",
        )
        return pupil.id


def admit_pupil(
    db: Database,
    actor: Actor,
    serial: int,
    forename: str,
    *,
    surname: str = "Pupil",
    dob: date = date(2012, 1, 1),
    year: int | None = 8,
    upn_year: int = 24,
    **fields: Any,
) -> int:
    """A pupil (by default "Pupil", born 1 January 2012, in Year 8) added through the register
    service as the admissions screen adds one (audited, no SEN status yet).

    ``upn_year`` is the UPN's year of allocation; ``fields`` are any other ``PupilData``
    fields the admissions screen takes (registration group, home language, admission date).
    """
    return add_pupil(
        db,
        actor,
        PupilData(
            upn=make(801, 2000, upn_year, serial),
            legal_surname=surname,
            legal_forename=forename,
            dob=dob,
            year_group=year,
            **fields,
        ),
    )


def add_test_contact(db: Database, pupil_id: int, *, pr: bool = True) -> None:
    """One parent contact, with parental responsibility unless ``pr=False``."""
    with db.transaction() as s:
        s.add(Contact(pupil_id=pupil_id, name="A Parent", parental_responsibility=pr))


def works_with(db: Database, staff: Actor, *pupil_ids: int) -> None:
    """Put ``pupil_ids`` in ``staff``'s scope (issue 13): a class the teacher teaches, or
    pupils assigned to learning support — what the school's MIS and SENCo would set up."""
    with db.transaction() as s:
        if staff.role is Role.TEACHER:
            group = TeachingGroup(
                code=f"T{staff.user_id}-{s.scalar(select(func.count(TeachingGroup.id)))}",
                subject="English",
                teacher_id=staff.user_id,
            )
            s.add(group)
            s.flush()
            s.add_all(TeachingGroupMember(group_id=group.id, pupil_id=p) for p in pupil_ids)
        elif staff.role is Role.LEARNING_SUPPORT:
            s.add_all(PupilAssignment(user_id=staff.user_id, pupil_id=p) for p in pupil_ids)


def add_test_intervention(
    db: Database,
    name: str,
    area: str,
    rate: int,
    *,
    size: int = 4,
    measure: str = "reading age",
    kind: str = "age_months",
    group: str | None = None,
    weekdays: str = "0,2",
    start: date = date(2024, 9, 1),
) -> int:
    """A catalogue entry run by a teaching assistant, 2 × 60 minutes a week at ``rate`` pence
    an hour, and one group of it (``group``, or "<name> group"); returns the group's id.

    Written as rows, not through the catalogue service, so that a costing or effectiveness
    test sets up its school without the SENCo's permission checks it is not about.
    """
    with db.transaction() as s:
        iv = Intervention(
            name=name,
            area=area,
            group_size=size,
            staff_role="Teaching assistant",
            sessions_per_week=2,
            minutes_per_session=60,
            cost_per_hour_pence=rate,
            measure=measure,
            measure_kind=kind,
        )
        s.add(iv)
        s.flush()
        row = InterventionGroup(
            intervention_id=iv.id,
            name=f"{name} group" if group is None else group,
            weekdays=weekdays,
            start_date=start,
        )
        s.add(row)
        s.flush()
        return row.id


def enrol_test_pupil(
    db: Database,
    group: int,
    pupil: int,
    entry: tuple[float, date] | None = None,
    exit_: tuple[float, date] | None = None,
    *,
    start: date = date(2024, 9, 1),
    end: date | None = None,
) -> int:
    """``pupil`` in ``group`` from ``start``, with the (measure, date) taken on entry and exit
    where given; returns the enrolment's id."""
    with db.transaction() as s:
        row = Enrolment(
            group_id=group,
            pupil_id=pupil,
            start_date=start,
            end_date=end,
            entry_measure=entry[0] if entry else None,
            entry_date=entry[1] if entry else None,
            exit_measure=exit_[0] if exit_ else None,
            exit_date=exit_[1] if exit_ else None,
        )
        s.add(row)
        s.flush()
        return row.id


def log_test_session(
    db: Database,
    group: int,
    on: date,
    minutes: int,
    attendance: dict[int, int | None],
    *,
    delivered: bool = True,
) -> None:
    """A session of ``minutes`` (not delivered: staff absent); ``attendance`` maps enrolment →
    minutes attended (None = missed, absent)."""
    with db.transaction() as s:
        session = DeliveredSession(
            group_id=group,
            held_on=on,
            delivered=delivered,
            not_delivered_reason=None if delivered else "staff absent",
            minutes=minutes if delivered else 0,
        )
        s.add(session)
        s.flush()
        for enrolment, attended in attendance.items():
            s.add(
                SessionAttendance(
                    session_id=session.id,
                    enrolment_id=enrolment,
                    attended=attended is not None,
                    minutes=attended or 0,
                    missed_reason=None if attended is not None else "absent",
                )
            )


def small_pdf(text: str = "Educational psychology report (test)") -> bytes:
    """A real one-page PDF with ``text`` on it: what a member of staff uploads as a report."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buf.getvalue()
