"""Access arrangements for the demo school: teaching groups, teachers, Form 8s and evidence.

So that every access-arrangement screen and document of a demo school has believable
content, :func:`add_access_history` gives the school written by
:func:`sendesk.demo.write_demo_school`:

- teaching groups for every subject in every year group (one class per tutor group and
  subject, as a small school's MIS exports them), each with its teacher and pupils;
- a department of teacher accounts for each subject — the demo's own teachers first, then
  enough new ones that nobody teaches more than :data:`CLASSES_PER_TEACHER` classes —
  with the demo password, so any of them can sign in and see their own class lists;
- access arrangements for many Year 10 and 11 pupils, chosen from their needs (extra time
  and a reader for a specific learning difficulty, a separate room and rest breaks for
  anxiety or autism, enlarged papers for a vision impairment…), at every status: Year 11
  mostly approved (some renewed after an approval expired, a few withdrawn), Year 10
  mostly proposed or gathering evidence, with approval and expiry dates that follow the
  JCQ rules in :mod:`sendesk.rules.jcq`;
- a specialist assessment (Form 8) for each arrangement that rests on one, with scores
  that meet the criteria for most and fall short for a few, and — as in real schools — the
  odd Part 1 dated after the tests or an assessor's qualification not yet on file;
- exam entries for every Year 10 and 11 pupil, as the MIS's entries would come with the
  class lists: English, mathematics and science, and three to five option subjects — so
  the gap view and "what's due" ask for evidence in the subjects a candidate sits, not in
  every class they attend. Every twentieth Year 10 candidate has none on file yet, so
  the screens show what happens then;
- teachers' normal-way-of-working evidence in the subjects they teach the candidate:
  classwork, timed tests and, for Year 11, the mock papers with the extra minutes used.
  Some subjects are left without evidence so the gap view has gaps to show.

Everything is drawn from ``random.Random(f"{seed}-access")`` and anchored on ``today``, so
the same seed and day give the same school; a generator of its own leaves the school's
other draws as they were. The assessments, arrangements and evidence go through
:func:`~sendesk.services.access.past_access.record_past_access` (checked as the day-to-day
services check them, audited once); the teaching groups, their pupils and the exam entries
go in as the MIS's class list would, through
:func:`~sendesk.services.staff.teaching_groups.record_class_list` (the class-list import's
checks, teacher linking and writing). All inside the caller's transaction, with one audit
event for each new account, the import's and one for the whole.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.demo.counts import DemoCounts
from sendesk.demo.tables import load, tuples
from sendesk.errors import SendeskError
from sendesk.models import (
    Need,
    Pupil,
    RegisterEntry,
    Role,
    School,
    User,
)
from sendesk.rules import jcq
from sendesk.services.access.past_access import (
    PastArrangement,
    PastAssessment,
    PastEvidence,
    record_past_access,
)
from sendesk.services.access.records import ArrangementData, AssessmentData, ScoreData
from sendesk.services.actor import Actor
from sendesk.services.staff.teaching_groups import ClassRow, record_class_list
from sendesk.services.staff.users import create_user, list_users
from sendesk.services.store.audit import AuditWriter

_TABLES = load("access")
"""The text tables of this module (names, phrases, advice): ``resources/demo/access.json``."""

CLASSES_PER_TEACHER = 12
"""At most this many classes per demo teacher (a full timetable in a secondary school)."""

SUBJECTS: tuple[tuple[str, str], ...] = (
    ("English", "En"),
    ("Mathematics", "Ma"),
    ("Science", "Sc"),
    ("History", "Hi"),
    ("Geography", "Gg"),
    ("French", "Fr"),
    ("Computing", "Cp"),
    ("Art", "Ar"),
    ("Music", "Mu"),
    ("Religious Education", "RE"),
    ("Physical Education", "PE"),
)
"""Every subject taught in every year group, with the short code of its classes."""

CORE = ("English", "Mathematics", "Science")
OPTIONS = tuple(subject for subject, _ in SUBJECTS if subject not in CORE)
"""Subjects a candidate may choose at GCSE besides the core (PE among them, for a few)."""
ESSAY_SUBJECTS = ("English", "History", "Geography", "Religious Education")
READ_SUBJECTS = ("Mathematics", "Science", "History", "Geography")

# Made-up teachers for the new accounts, from the many backgrounds of an English staffroom.
TEACHER_NAMES: tuple[tuple[str, str], ...] = tuples(_TABLES["TEACHER_NAMES"])

ASSESSORS: tuple[tuple[str, str], ...] = tuples(_TABLES["ASSESSORS"])
TESTS: dict[str, tuple[str, ...]] = tuples(_TABLES["TESTS"])

TASKS: dict[str, tuple[str, ...]] = tuples(_TABLES["TASKS"])
NOTES_USED = tuples(_TABLES["NOTES_USED"])
NOTES_NOT_USED = tuples(_TABLES["NOTES_NOT_USED"])


@dataclass(frozen=True)
class AccessSummary(DemoCounts):
    """What :func:`add_access_history` wrote, table by table."""

    teachers_created: int
    teaching_groups: int
    group_members: int
    assessments: int
    assessment_scores: int
    arrangements: int
    nww_evidence: int
    by_status: dict[str, int] = field(default_factory=dict)
    exam_entries: int = 0


@dataclass
class _Pupil:
    id: int
    upn: str
    year_group: int
    form: str
    dob: date
    provision: str
    needs: tuple[str, ...]


@dataclass
class _Plan:
    """One arrangement as planned, with its assessment and evidence."""

    pupil: _Pupil
    key: str
    route: str
    subjects: tuple[str, ...]
    status: str
    proposed_on: date
    approved_on: date | None = None
    applied_on: date | None = None
    awarding_body_on: date | None = None
    expires_on: date | None = None
    ended_on: date | None = None
    room_note: str = ""
    notes: str = ""
    assessment: int | None = None  # index into the assessments planned
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _latin(text: str) -> str:
    folded = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def _username(forename: str, surname: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]", "", _latin(forename[:1] + surname).lower()) or "teacher"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _academic_year_start(today: date) -> date:
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _school_day(rng: random.Random, lo: date, hi: date) -> date:
    """A weekday between ``lo`` and ``hi`` (``lo`` itself when the range is empty)."""
    if hi <= lo:
        return lo
    for _ in range(20):
        day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
        if day.weekday() < 5:
            return day
    return lo


# --- pupils, groups and teachers -------------------------------------------------------------


def _load_pupils(session: Session) -> list[_Pupil]:
    provision = dict(
        session.execute(
            select(RegisterEntry.pupil_id, RegisterEntry.provision).where(
                RegisterEntry.end_date.is_(None)
            )
        ).all()
    )
    needs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pupil_id, rank, code in session.execute(
        select(Need.pupil_id, Need.rank, Need.code).where(Need.end_date.is_(None))
    ):
        needs[pupil_id].append((rank, code))
    pupils = []
    for pid, upn, year, form, dob in session.execute(
        select(Pupil.id, Pupil.upn, Pupil.year_group, Pupil.reg_group, Pupil.dob).order_by(Pupil.id)
    ):
        if year is None or not form:
            continue
        pupils.append(
            _Pupil(
                id=pid,
                upn=upn,
                year_group=year,
                form=form,
                dob=dob,
                provision=provision.get(pid, "N"),
                needs=tuple(code for _, code in sorted(needs.get(pid, []))),
            )
        )
    return pupils


@dataclass(frozen=True)
class Departments:
    """The teachers of each subject (user ids), and how many accounts were added for them."""

    members: dict[str, list[int]]
    created: int


def add_departments(
    db: Database, senco: Actor, *, seed: int, forms: int, staff: dict[str, list[int]]
) -> Departments:
    """A department for each subject: the demo's teachers first, then accounts the SENCo
    adds through the users service (its checks, its audit event) until nobody has more
    than CLASSES_PER_TEACHER classes, one class per subject for each of the ``forms``
    tutor groups. Before the history's transaction, which then fills the classes
    (:func:`add_access_history`); its draws are the first of the access history's."""
    rng = random.Random(random.Random(f"{seed}-access").random())
    existing = list(staff.get(Role.TEACHER.value, []))
    rng.shuffle(existing)
    taken = {u.username for u in list_users(db, senco)}
    names = list(TEACHER_NAMES)
    rng.shuffle(names)
    departments: dict[str, list[int]] = {}
    created = 0
    for subject, _ in SUBJECTS:
        need = max(1, math.ceil(forms / CLASSES_PER_TEACHER))
        members: list[int] = []
        while existing and len(members) < need:
            members.append(existing.pop())
        departments[subject] = members
        for _ in range(need - len(members)):
            forename, surname = names.pop() if names else ("Alex", f"Teacher{created + 1}")
            username = _username(forename, surname, taken)
            members.append(create_user(db, senco, username, f"{forename} {surname}", Role.TEACHER))
            created += 1
    return Departments(departments, created)


@dataclass(frozen=True)
class _Class:
    """One class as planned: its code, subject, teacher (user id) and pupils."""

    code: str
    subject: str
    teacher: int
    pupils: tuple[_Pupil, ...]


def _plan_groups(
    rng: random.Random, pupils: Sequence[_Pupil], departments: dict[str, list[int]]
) -> tuple[list[_Class], dict[tuple[int, str], int]]:
    """One class per tutor group per subject, and (pupil id, subject) -> teacher id."""
    forms: dict[str, list[_Pupil]] = defaultdict(list)
    for p in pupils:
        forms[p.form].append(p)
    classes: list[_Class] = []
    teacher_of: dict[tuple[int, str], int] = {}
    for subject, short in SUBJECTS:
        staff = departments[subject]
        load = dict.fromkeys(staff, 0)
        for form in sorted(forms, key=lambda f: (len(f), f)):
            # The least-loaded teacher of the department takes the class (ties at random).
            teacher = min(staff, key=lambda t: (load[t], rng.random()))
            load[teacher] += 1
            classes.append(_Class(f"{form}/{short}", subject, teacher, tuple(forms[form])))
            for p in forms[form]:
                teacher_of[(p.id, subject)] = teacher
    return classes, teacher_of


def _plan_entries(
    rng: random.Random, pupils: Sequence[_Pupil], missing: set[int]
) -> set[tuple[int, str]]:
    """Exam entries (pupil id, subject) for Year 10 and 11: the core and three to five
    options; the pupils in ``missing`` have none recorded yet."""
    entries: set[tuple[int, str]] = set()
    for p in pupils:
        if p.year_group not in (10, 11) or p.id in missing:
            continue
        options = rng.sample(OPTIONS, rng.choice((3, 4, 4, 5)))
        entries.update((p.id, subject) for subject in (*CORE, *sorted(options)))
    return entries


def _class_list(
    classes: Sequence[_Class], entries: set[tuple[int, str]], teacher_names: dict[int, str]
) -> list[ClassRow]:
    """The classes as the MIS exports them: a row per pupil per class, with the teacher's
    name (the account it is linked to by) and whether the pupil is entered for the exam."""
    rows: list[ClassRow] = []
    for c in classes:
        for p in c.pupils:
            values = {
                "code": c.code,
                "subject": c.subject,
                "teacher": teacher_names[c.teacher],
                "upn": p.upn,
                "entered": "yes" if (p.id, c.subject) in entries else "no",
            }
            rows.append(ClassRow(len(rows) + 2, values))  # line 1: the header
    return rows


# --- arrangements ----------------------------------------------------------------------------


def _choose(rng: random.Random, pupil: _Pupil) -> list[tuple[str, str, tuple[str, ...]]]:
    """(arrangement key, evidence route, subjects) for a candidate, from their needs."""
    needs = set(pupil.needs)
    chosen: list[tuple[str, str, tuple[str, ...]]] = []

    def add(key: str, route: str, subjects: tuple[str, ...] = ()) -> None:
        if key not in {c[0] for c in chosen}:
            chosen.append((key, route, subjects))

    if needs & {"SPLD", "MLD", "SLCN"}:
        if rng.random() < 0.12:
            add("extra_time_50", "assessment")
        else:
            add("extra_time_25", "assessment")
        if rng.random() < 0.45:
            add("reader", "picture_of_need", READ_SUBJECTS)
        elif rng.random() < 0.3:
            add("computer_reader", "picture_of_need", READ_SUBJECTS)
        if rng.random() < 0.35:
            add("word_processor", "picture_of_need", ESSAY_SUBJECTS)
        if "SPLD" in needs and rng.random() < 0.12:
            add("scribe", "assessment", ESSAY_SUBJECTS)
        if rng.random() < 0.15:
            add("coloured_overlay", "picture_of_need")
    if needs & {"SEMH", "ASD"}:
        add(
            "separate_invigilation", "professional" if pupil.provision == "E" else "picture_of_need"
        )
        if rng.random() < 0.5:
            add("rest_breaks", "picture_of_need")
        if "ASD" in needs and rng.random() < 0.35:
            add("prompter", "picture_of_need")
        if rng.random() < 0.2:
            add("extra_time_25_other", "professional")
    if "VI" in needs:
        add("enlarged_papers", "professional")
        add("extra_time_25_other", "professional")
    if "HI" in needs:
        add("live_speaker", "professional")
        add("extra_time_25_other", "professional")
    if needs & {"PD", "MSI"}:
        add("word_processor", "professional")
        add("rest_breaks", "professional")
        if rng.random() < 0.4:
            add("extra_time_25_other", "professional")
    if not chosen and needs:
        add("rest_breaks", "picture_of_need")
    if not needs:  # a pupil not on the register: a medical need, say, or overlays
        add(
            rng.choice(("rest_breaks", "coloured_overlay", "word_processor")),
            "picture_of_need",
        )
    return chosen


def _scores(rng: random.Random, key: str, meets: bool) -> list[tuple[str, int]]:
    """Form 8 scores for the arrangement's rule; meeting it, or just missing it."""
    speed = list(jcq.SPEED_AREAS)
    rng.shuffle(speed)
    if key == "extra_time_50":
        low = (rng.randint(58, 69), rng.randint(62, 79)) if meets else (rng.randint(72, 80),) * 2
    elif key in ("scribe", "speech_recognition"):
        spelling = rng.randint(68, 84) if meets else rng.randint(86, 95)
        return [
            (jcq.SPELLING_ACCURACY, spelling),
            (jcq.WRITING_SPEED, rng.randint(75, 92)),
            (jcq.READING_ACCURACY, rng.randint(78, 96)),
        ]
    elif meets:
        low = (rng.randint(70, 84), rng.randint(72, 89))
    else:
        low = (rng.randint(80, 84), rng.randint(90, 98))
    out = [(speed[0], low[0]), (speed[1], low[1])]
    out.append((speed[2], rng.randint(86, 104)))
    out.append((rng.choice((jcq.READING_ACCURACY, jcq.SPELLING_ACCURACY)), rng.randint(76, 98)))
    return out


def _plan_candidate(
    rng: random.Random,
    pupil: _Pupil,
    today: date,
    assessments: list[dict[str, Any]],
) -> list[_Plan]:
    year0 = _academic_year_start(today)
    y9 = jcq.year9_start(pupil.dob)
    plans: list[_Plan] = []
    form8: int | None = None
    for key, route, subjects in _choose(rng, pupil):
        arrangement = jcq.ARRANGEMENTS[key]
        if pupil.year_group == 11:
            # Year 11: the work was done in Year 10; a few renewed after Year 9 approvals.
            start = min(
                today, _school_day(rng, year0 - timedelta(days=340), year0 - timedelta(days=220))
            )
        else:
            start = min(
                today, _school_day(rng, year0 + timedelta(days=14), year0 + timedelta(days=120))
            )
        start = max(start, y9 + timedelta(days=7))
        if start > today:
            continue
        if route == "assessment" and form8 is None:
            meets = rng.random() < 0.85
            assessor, qualification = rng.choice(ASSESSORS)
            if rng.random() < 0.06:
                qualification = ""  # the certificate is not on file yet: flagged
            assessed_on = start
            part1 = assessed_on - timedelta(days=rng.randint(7, 28))
            if rng.random() < 0.05:  # Part 1 late: flagged, unless that is after today (the
                # service refuses a date in the future, as it would the SENCo's typing one)
                late = assessed_on + timedelta(days=rng.randint(1, 6))
                part1 = late if late <= today else part1
            assessments.append(
                {
                    "pupil_id": pupil.id,
                    "assessor_name": assessor,
                    "assessor_qualification": qualification,
                    "assessed_on": assessed_on,
                    "picture_of_need_on": part1,
                    "picture_of_need": _picture_of_need(pupil),
                    "notes": "",
                    "meets": meets,
                    "scores": _scores(rng, key, meets),
                }
            )
            form8 = len(assessments) - 1
        plan = _Plan(
            pupil=pupil,
            key=key,
            route=route,
            subjects=subjects,
            status=jcq.PROPOSED,
            proposed_on=start,
            assessment=form8 if route == "assessment" else None,
        )
        if arrangement.room and rng.random() < 0.3:
            plan.room_note = rng.choice(
                ("Room S4 (small exam room)", "Library office", "Near the door")
            )
        met = plan.assessment is None or assessments[plan.assessment]["meets"]
        _advance(rng, plan, arrangement, met, today)
        plans.append(plan)
    return plans


def _advance(
    rng: random.Random, plan: _Plan, arrangement: jcq.Arrangement, met: bool, today: date
) -> None:
    """Move the plan along its route as far as the year and chance allow."""
    delegated = arrangement.route == jcq.DELEGATED
    roll = rng.random()
    if plan.pupil.year_group == 11:
        target = "approved" if roll < 0.82 else ("gathering" if roll < 0.9 else "withdrawn")
    else:
        target = "proposed" if roll < 0.35 else ("gathering" if roll < 0.75 else "approved")
    if not met and target == "approved":
        target = "gathering"
    if target == "approved" and plan.pupil.year_group == 11 and not delegated and roll > 0.75:
        target = "applied"  # awaiting the decision
    day = plan.proposed_on

    def step(days: int) -> date | None:
        nonlocal day
        nxt = day + timedelta(days=days)
        if nxt > today:
            return None
        day = nxt
        return day

    if target == "proposed":
        return
    if target == "withdrawn":
        on = step(rng.randint(10, 60))
        if on is not None:
            plan.status, plan.ended_on = jcq.WITHDRAWN, on
            plan.notes = "Withdrawn: the candidate prefers to sit in the main room without it."
        return
    if not delegated or target == "gathering":
        if step(rng.randint(2, 10)) is None:
            return
        plan.status = jcq.GATHERING
    if target == "gathering":
        return
    if delegated:
        on = step(rng.randint(5, 40))
        if on is None:
            return
        plan.status, plan.approved_on = jcq.APPROVED_IN_CENTRE, on
        plan.expires_on = jcq.expires_on(on)
        return
    on = step(rng.randint(5, 30))
    if on is None:
        return
    plan.status, plan.applied_on = jcq.APPLIED_ONLINE, on
    if target == "applied":
        return
    on = step(rng.randint(1, 3) if arrangement.route == jcq.ONLINE else rng.randint(10, 30))
    if on is None:
        return
    plan.status, plan.awarding_body_on = jcq.APPROVED_BY_AB, on
    plan.expires_on = jcq.expires_on(on)


def _picture_of_need(pupil: _Pupil) -> str:
    needs = set(pupil.needs)
    if needs & {"SPLD", "MLD"}:
        return (
            "Teachers in English, history and science report that written work is slow and "
            "often unfinished in timed conditions; reading of longer texts is laboured. "
            "Extra time has been used in class tests since Year 9 and work is then completed."
        )
    if "SLCN" in needs:
        return (
            "Needs questions read and re-read; processing of spoken and written language is "
            "slow, and answers are incomplete without more time."
        )
    return "Teachers report that the candidate needs the arrangement to show what they know."


def _afresh(plan: _Plan, status: str, proposed_on: date) -> _Plan:
    """The same arrangement for the same pupil and subjects, proposed on ``proposed_on``
    with none of ``plan``'s dates, notes or evidence: an earlier approval or a renewal."""
    return _Plan(
        pupil=plan.pupil,
        key=plan.key,
        route=plan.route,
        subjects=plan.subjects,
        status=status,
        proposed_on=proposed_on,
        room_note=plan.room_note,
    )


def _from_year9(rng: random.Random, plan: _Plan, today: date) -> list[_Plan]:
    """Now and then a Year 11 approval that dates from Year 9, so that it runs out during
    Year 11: once expired it is either marked expired and renewed, or left for "what's
    due" to flag; not yet expired, it is due to expire. Returns the plans it becomes."""
    if (
        plan.pupil.year_group != 11
        or plan.status not in (jcq.APPROVED_IN_CENTRE, jcq.APPROVED_BY_AB)
        or plan.assessment is not None  # a Form 8 is dated in Year 10: leave those alone
        or rng.random() > 0.3
    ):
        return [plan]
    y9 = jcq.year9_start(plan.pupil.dob)
    old = _afresh(
        plan, plan.status, _school_day(rng, y9 + timedelta(days=3), y9 + timedelta(days=30))
    )
    approved = old.proposed_on + timedelta(days=rng.randint(3, 14))
    if plan.status == jcq.APPROVED_IN_CENTRE:
        old.approved_on = approved
    else:
        old.applied_on = approved - timedelta(days=rng.randint(1, 3))
        old.awarding_body_on = approved
    old.expires_on = jcq.expires_on(approved)
    if approved > today:
        return [plan]
    if old.expires_on >= today or rng.random() < 0.4:
        return [old]  # due to expire, or expired and not yet marked: both on "what's due"
    old.status, old.ended_on = jcq.EXPIRED, old.expires_on
    old.notes = "The approval lapsed after 26 months; renewed for the rest of Year 11."
    renewal = _afresh(
        plan,
        jcq.PROPOSED,
        max(old.proposed_on, old.expires_on - timedelta(days=rng.randint(0, 20))),
    )
    _advance(rng, renewal, jcq.ARRANGEMENTS[plan.key], True, today)
    return [old, renewal]


# --- evidence ---------------------------------------------------------------------------------


def _evidence(
    rng: random.Random,
    plan: _Plan,
    taught: dict[tuple[int, str], int],
    senco: int | None,
    today: date,
) -> None:
    """Teachers' NWW records for a live arrangement beyond its proposal."""
    if plan.status in (jcq.PROPOSED, jcq.WITHDRAWN, jcq.EXPIRED):
        return
    arrangement = jcq.ARRANGEMENTS[plan.key]
    pupil = plan.pupil
    if plan.subjects:
        subjects = list(plan.subjects)
    else:
        subjects = list(CORE) + rng.sample(
            [s for s, _ in SUBJECTS if s not in CORE and s in TASKS], k=rng.randint(0, 2)
        )
    year0 = _academic_year_start(today)
    mocks: list[tuple[date, str]] = []
    if pupil.year_group == 11:
        mocks = [(year0 + timedelta(days=85), "Paper 1"), (year0 + timedelta(days=170), "Paper 2")]
    for subject in subjects:
        teacher = taught.get((pupil.id, subject))
        if teacher is None or rng.random() < 0.18:  # a gap for the gap view to show
            continue
        records = rng.randint(1, 3)
        for _ in range(records):
            lo = max(plan.proposed_on, today - timedelta(days=300))
            on = _school_day(rng, lo, today - timedelta(days=1))
            if on > today:
                continue
            _record(
                rng,
                plan,
                arrangement,
                subject,
                on,
                rng.choice(("classwork", "timed test")),
                rng.choice(TASKS.get(subject, ("Class task",))),
                teacher,
            )
        for on, paper in mocks:
            on = on if on.weekday() < 5 else on + timedelta(days=7 - on.weekday())
            if plan.proposed_on <= on < today and subject in TASKS and rng.random() < 0.9:
                _record(rng, plan, arrangement, subject, on, "mock", paper, teacher)
    if senco is not None and rng.random() < 0.15 and subjects:
        on = _school_day(
            rng, max(plan.proposed_on, today - timedelta(days=120)), today - timedelta(days=1)
        )
        if on <= today:
            _record(
                rng,
                plan,
                arrangement,
                subjects[0],
                on,
                "classwork",
                "Observed in a lesson (learning walk)",
                senco,
            )


def _record(
    rng: random.Random,
    plan: _Plan,
    arrangement: jcq.Arrangement,
    subject: str,
    on: date,
    kind: str,
    task: str,
    teacher: int,
) -> None:
    used = rng.random() < 0.88
    minutes = None
    if used and arrangement.extra_time_percent:
        paper = 90 if kind == "mock" else rng.choice((45, 60))
        allowed = paper * arrangement.extra_time_percent // 100
        minutes = rng.randint(max(1, allowed // 3), allowed)
    plan.evidence.append(
        {
            "subject": subject,
            "recorded_on": on,
            "task_kind": kind,
            "task": task,
            "used": used,
            "extra_minutes_used": minutes,
            "note": rng.choice(NOTES_USED if used else NOTES_NOT_USED),
            "recorded_by_id": teacher,
        }
    )


# --- the writer --------------------------------------------------------------------------------


def add_access_history(
    session: Session,
    audit: AuditWriter,
    *,
    seed: int,
    today: date,
    staff: dict[str, list[int]],
    departments: Departments,
) -> AccessSummary:
    """Write the demo school's teaching groups and access arrangements.

    ``staff`` maps role values to user ids, as for the graduated-response history;
    ``departments`` are the teachers of each subject (:func:`add_departments`, saved
    before). Runs inside the caller's transaction; records one "create_demo_access"
    event with the counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-access")
    rng.random()  # the draw of add_departments
    pupils = _load_pupils(session)
    classes, taught = _plan_groups(random.Random(rng.random()), pupils, departments.members)

    plan_rng = random.Random(rng.random())
    assessments: list[dict[str, Any]] = []
    plans: list[_Plan] = []
    for pupil in pupils:
        if pupil.year_group not in (10, 11):
            continue
        on_register = pupil.provision in ("K", "E")
        chance = 0.75 if on_register else 0.02
        if plan_rng.random() < chance:
            if not on_register:
                pupil = _Pupil(
                    pupil.id, pupil.upn, pupil.year_group, pupil.form, pupil.dob, "N", ()
                )
            for plan in _plan_candidate(plan_rng, pupil, today, assessments):
                plans += _from_year9(plan_rng, plan, today)
    # Entries from a generator of their own, so every other draw stays as it was; every
    # twentieth Year 10 candidate (at least one) has none on file yet.
    year10 = sorted({p.pupil.id for p in plans if p.pupil.year_group == 10})
    entries = _plan_entries(random.Random(f"{seed}-entries"), pupils, set(year10[::20]))
    # The classes, their pupils and the entries go in as the MIS's class list would:
    # through the class-list import's checks and writing, each teacher linked by name.
    names = dict(session.execute(select(User.id, User.display_name)).all())
    imported = record_class_list(
        session, audit, _class_list(classes, entries, names), source="demo school"
    )
    if imported.unmatched_teachers:
        raise SendeskError(
            "The demo's classes could not be linked to their teachers "
            f"({', '.join(imported.unmatched_teachers)}): two accounts share a name."
        )
    senco = min(staff.get(Role.SENCO.value) or [0]) or None
    evidence_rng = random.Random(rng.random())
    for plan in plans:
        _evidence(evidence_rng, plan, taught, senco, today)

    # Recorded through the service as any other caller's history: checked, audited once.
    past_assessments = [
        PastAssessment(
            a["pupil_id"],
            AssessmentData(
                assessor_name=a["assessor_name"],
                assessor_qualification=a["assessor_qualification"],
                assessed_on=a["assessed_on"],
                picture_of_need_on=a["picture_of_need_on"],
                picture_of_need=a["picture_of_need"],
                notes=a["notes"],
                scores=tuple(
                    ScoreData(area, score, rng.choice(TESTS[area])) for area, score in a["scores"]
                ),
            ),
        )
        for a in assessments
    ]
    past_arrangements = [
        PastArrangement(
            pupil_id=p.pupil.id,
            data=ArrangementData(
                arrangement=p.key,
                evidence_route=p.route,
                proposed_on=p.proposed_on,
                subjects=p.subjects,
                room_note=p.room_note,
                notes=p.notes,
            ),
            status=p.status,
            assessment=p.assessment,
            approved_on=p.approved_on,
            applied_on=p.applied_on,
            awarding_body_on=p.awarding_body_on,
            expires_on=p.expires_on,
            ended_on=p.ended_on,
            evidence=tuple(PastEvidence(**e) for e in p.evidence),
        )
        for p in plans
    ]
    counts = record_past_access(session, audit, past_assessments, past_arrangements, today=today)

    by_status: dict[str, int] = defaultdict(int)
    for p in plans:
        by_status[p.status] += 1
    summary = AccessSummary(
        teachers_created=departments.created,
        teaching_groups=imported.created,
        group_members=imported.members_added,
        assessments=counts.assessments,
        assessment_scores=counts.assessment_scores,
        arrangements=counts.arrangements,
        nww_evidence=counts.nww_evidence,
        by_status=dict(sorted(by_status.items())),
        exam_entries=imported.entries_added,
    )
    summary.record(
        audit, "create_demo_access", session.scalar(select(School.id)), seed=seed, today=today
    )
    return summary


__all__ = [
    "CLASSES_PER_TEACHER",
    "SUBJECTS",
    "AccessSummary",
    "Departments",
    "add_access_history",
    "add_departments",
]
