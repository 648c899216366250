"""The demo school: a believable English secondary school, written in one transaction.

``sendesk demo`` and ``sendesk --demo`` use it so that the app can be tried, shown and
tested on a school that looks real without a single real child in it: Years 7-11 with
names from the many languages of an English town, about 14% on SEN support (K) and 3-5%
with an EHC plan (E), needs in all four broad areas, and several years of register history
(identification, re-coding after a diagnosis, EHC plans issued, pupils coming off the
register) recorded by the SENCo with believable reasons.

Everything comes from ``random.Random(seed)`` and dates are anchored on ``today``, so the
same seed and the same day give the same school: the same pupils, names, UPNs, statuses,
needs and history dates. The whole school is planned in memory first (no database reads),
then written: the pupils, their contacts, need profiles and register history through
:func:`~sendesk.services.register.past_register.record_past_pupils` (checked by the rules
that check a pupil added in the app; every change applied by :func:`register.apply_change`),
so the history and the audit trail are what the app itself would have written.

All contact details are fictional by construction: phone numbers come from Ofcom's range
for drama (07700 900000-900999), e-mail addresses are at example.org and NHS numbers are
in the range the NHS reserves for testing (999...).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.demo.access import add_access_history, add_departments
from sendesk.demo.concerns import add_demo_concerns
from sendesk.demo.ehc import HEAD_TEACHER, add_ehc_history
from sendesk.demo.ehc.plans import add_la_profiles
from sendesk.demo.graduated import add_graduated_history
from sendesk.demo.graduated.catalogue import add_catalogue
from sendesk.demo.school_plan import (
    DEMO_STAFF_RATE_PENCE,
    LA_NAME,
    LA_NUMBER,
    MAX_PUPILS,
    PROGRESS_EVERY,
    SCHOOL_NAME,
    E,
    K,
    N,
    _Change,
    _plan,
    _PupilPlan,
    _StaffPlan,
)
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import Role, School, User
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.past_register import (
    PastChange,
    PastProfile,
    PastPupil,
    record_past_pupils,
)
from sendesk.services.register.pupil_record import ContactData
from sendesk.services.register.pupils import PupilData
from sendesk.services.school.school import init_school
from sendesk.services.school.school_details import SchoolDetails, save_school_details
from sendesk.services.staff.users import (
    create_user,
    hash_password,
    password_problem,
    set_password_hashes,
)
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo_school` wrote (for the CLI's one-line report)."""

    school: str
    urn: str
    la_name: str
    pupils: int
    sen_support: int
    ehcp: int
    users: int
    register_changes: int
    accounts: tuple[tuple[str, Role, str], ...] = ()
    """Every account made: (username, role, name), SENCo first."""


# --- writing ------------------------------------------------------------------------------------


def _report(progress: Callable[[int, int], bool] | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise SendeskError("Demo school cancelled.")


def _past_pupil(plan: _PupilPlan, now: datetime) -> PastPupil:
    """The planned pupil as the register service takes one: their details, contacts, need
    profiles and register history (each change recorded on its day, or now if later). A
    change to E comes with the plan the LA issued that day; the EHC history
    (:mod:`sendesk.demo.ehc`) fills in the live plans' sections and reviews."""
    return PastPupil(
        data=PupilData(
            upn=plan.upn,
            legal_surname=plan.legal_surname,
            legal_forename=plan.legal_forename,
            preferred_forename=plan.preferred_forename,
            dob=plan.dob,
            gender=plan.gender,
            year_group=plan.year_group,
            reg_group=plan.reg_group,
            admission_date=plan.admission_date,
            eal=plan.eal,
            pupil_premium=plan.pupil_premium,
            looked_after=plan.looked_after,
            nhs_number=plan.nhs_number,
            home_language=plan.home_language,
            ethnicity=plan.ethnicity,
            provision=plan.status,
            needs=plan.needs,
        ),
        history=tuple(
            PastChange(
                change.on,
                change.provision,
                change.needs,
                change.reason,
                min(change.recorded_at, now),  # a change dated today
                _plan_with(change, held),
            )
            for held, change in zip(
                (None, *(c.provision for c in plan.history[:-1])), plan.history, strict=True
            )
        ),
        contacts=tuple(
            ContactData(
                name=c.name,
                relationship_to_pupil=c.relationship,
                parental_responsibility=c.parental_responsibility,
                priority=priority,
                phone=c.phone,
                email=c.email,
                preferred_contact=c.preferred_contact,
            )
            for priority, c in enumerate(plan.contacts, start=1)
        ),
        profiles=tuple(PastProfile(*profile) for profile in plan.profiles),
        next_review_due=plan.next_review_due,
    )


def _plan_with(change: _Change, held: str | None) -> PlanData | None:
    """The EHC plan issued on the day of a move to E: the register never says E without
    one (register.plan_problem)."""
    if change.provision == E and held != E:
        return PlanData(issued_on=change.on, la_name=LA_NAME, named_setting=SCHOOL_NAME)
    return None


def _register_since(pupil: _PupilPlan) -> date | None:
    """When the pupil's current unbroken spell on the register (K or E) began."""
    since: date | None = None
    for change in pupil.history:
        if change.provision == N:
            since = None
        elif since is None:
            since = change.on
    return since


_DEMO_HASHES: dict[str, list[str]] = {}
"""Distinct scrypt hashes (each with its own salt) of a demo password, made once per process:
each costs about half a second, a demo school has about 40 accounts, and the test suite
builds many demo schools. One database never uses the same hash twice."""
_HASHING = threading.Lock()  # one demo's hashes at a time extend the list


def demo_password_hashes(
    password: str, count: int, stop: threading.Event | None = None
) -> list[str]:
    """``count`` hashes of ``password``, each with its own salt (issue 12: the demo accounts
    used to share one). Missing ones are made in threads: hashlib.scrypt releases the GIL,
    and each needs 128 MiB, so at most four at once. ``stop`` set (the demo was cancelled
    or failed) ends the work after the hashes being made: fewer than ``count`` come back."""
    with _HASHING:
        known = _DEMO_HASHES.setdefault(password, [])
        workers = max(1, min(4, os.cpu_count() or 1, count - len(known)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            while len(known) < count and not (stop is not None and stop.is_set()):
                batch = min(workers, count - len(known))
                known.extend(pool.map(hash_password, [password] * batch))
        return known[:count]


def _hashes_meanwhile(password: str, count: int) -> tuple[Future[list[str]], threading.Event]:
    """:func:`demo_password_hashes` started now on a thread of its own, and the event that
    stops it: the accounts' scrypt hashes (about 100 of them on a 1,200-pupil school, over
    half the demo's time when made at the end) are worked out while the pupils and their
    history are written."""
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-hashes")
    try:
        return pool.submit(demo_password_hashes, password, count, stop), stop
    finally:
        pool.shutdown(wait=False)  # the thread ends when its hashes are made


def _add_staff(db: Database, senco: Actor, planned: Sequence[_StaffPlan]) -> dict[str, list[int]]:
    """The other staff's accounts, added by the SENCo through the users service (no
    password yet: :func:`write_demo_school` gives the demo's afterwards); returns the user
    ids by role value, the SENCo's included."""
    staff: dict[str, list[int]] = {Role.SENCO.value: [senco.user_id]}
    for person in planned:
        user_id = create_user(db, senco, person.username, person.display_name, person.role)
        staff.setdefault(person.role.value, []).append(user_id)
    return staff


def write_demo_school(
    db: Database,
    *,
    pupils: int = 1200,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], bool] | None = None,
    password: str | None = None,
) -> DemoSummary:
    """Write the demo school into ``db``, a new database with no school yet.

    The school and its SENCo (username ``senco``) are made by :func:`init_school`; the
    SENCo then sets up, through the services, the other staff's accounts (and the teachers
    each subject's classes need), the intervention catalogue and the LA profiles. The
    pupils, their contacts, their register history and the histories of
    :mod:`.graduated`, :mod:`.access` and :mod:`.ehc` follow in one transaction, so a
    failure or a cancel (``progress`` returning False) leaves no pupils behind.
    ``progress(done, total)`` is called about every 50 pupils. Register entries and needs
    carry the date of the change as their ``recorded_at``, as if the SENCo had recorded each
    one on the day; the audit trail records when they were really written.

    Accounts get no password unless ``password`` is given: then every demo account has
    it (each with its own salt, see :func:`demo_password_hashes`), so the file can be
    opened and signed in to in the app and on the command line.
    """
    if isinstance(pupils, bool) or not 1 <= pupils <= MAX_PUPILS:
        raise ValidationError(f"The demo school needs between 1 and {MAX_PUPILS:,} pupils.")
    if password is not None and (problem := password_problem(password)):
        raise ValidationError(problem)
    today = today or date.today()
    plan = _plan(pupils, seed, today)
    _report(progress, 0, pupils)
    senco = plan.staff[0]
    actor = init_school(
        db,
        SCHOOL_NAME,
        urn=plan.urn,
        la_name=LA_NAME,
        dfe_number=f"{LA_NUMBER}{plan.estab}",
        senco_username=senco.username,
        senco_name=senco.display_name,
    )
    # The named contact every request pack gives the LA (Ofcom's drama numbers, .example).
    save_school_details(
        db,
        actor,
        SchoolDetails(
            senco_name=senco.display_name,
            senco_phone="01632 960 481",
            senco_email="senco@riverside-academy.example",
            head_teacher_name=HEAD_TEACHER,  # who signs the demo requests off
            staff_rate_per_hour_pence=DEMO_STAFF_RATE_PENCE,
        ),
    )
    # Set up as the SENCo would, through the services (their checks, their audit events):
    # the staff accounts, the intervention catalogue, the LA profiles and the teachers each
    # subject needs for its classes.
    staff = _add_staff(db, actor, plan.staff[1:])
    add_catalogue(db, actor)
    add_la_profiles(db, actor, LA_NAME)
    forms = {p.reg_group for p in plan.pupils if p.reg_group}  # the tutor groups
    departments = add_departments(db, actor, seed=seed, forms=len(forms), staff=staff)
    hashes, stop_hashing = None, threading.Event()
    if password:  # every account is made by now: hash their passwords meanwhile
        with db.session() as s:
            count = s.scalar(select(func.count(User.id))) or 0
        hashes, stop_hashing = _hashes_meanwhile(password, count)
    try:
        now = datetime.now(UTC)
        with db.transaction() as s:
            audit = AuditWriter(s, actor)
            written = record_past_pupils(
                s,
                audit,
                [_past_pupil(p, now) for p in plan.pupils],
                today=today,
                progress=lambda done, total: (
                    _report(progress, done, total)
                    if done % PROGRESS_EVERY == 0 or done == total
                    else None
                ),
            )
            changes = written.register_changes
            registered = [
                (pid, p.status, p.needs, _register_since(p))
                for pid, p in zip(written.pupil_ids, plan.pupils, strict=True)
            ]
            add_graduated_history(s, audit, seed=seed, today=today, pupils=registered, staff=staff)
            access = add_access_history(
                s,
                audit,
                seed=seed,
                today=today,
                staff=staff,
                departments=departments,
            )
            add_ehc_history(s, audit, seed=seed, today=today, pupils=registered)
            accounts = list(s.scalars(select(User).order_by(User.id)))
            if hashes is not None:
                given = zip((u.id for u in accounts), hashes.result(), strict=True)
                set_password_hashes(s, audit, dict(given))
            made = tuple((u.username, Role(u.role), u.display_name) for u in accounts)
            school_id = s.scalar(select(School.id))
            audit.record(
                "create_demo", "school", school_id, {"pupils": pupils, "seed": seed, "today": today}
            )
    except BaseException:
        stop_hashing.set()  # cancelled or failed: no more hashes for a school not written
        raise
    add_demo_concerns(db, actor, seed=seed, today=today)
    return DemoSummary(
        school=SCHOOL_NAME,
        urn=plan.urn,
        la_name=LA_NAME,
        pupils=pupils,
        sen_support=sum(1 for p in plan.pupils if p.status == K),
        ehcp=sum(1 for p in plan.pupils if p.status == E),
        users=len(plan.staff) + access.teachers_created,
        register_changes=changes,
        accounts=made,
    )
