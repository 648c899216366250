"""Graduated-response history for the demo school: plans, interventions, sessions, agencies.

So that every graduated-response screen and report of a demo school has believable content,
:func:`add_graduated_history` gives the pupils already written by
:func:`sendesk.demo.write_demo_school`:

- a catalogue of ten interventions typical of an English secondary school, costed at the
  hourly rate of the staff who run them;
- groups of those interventions over the last three terms, run by the learning support
  staff (and teachers, for teacher-led ones), with pupils enrolled by the areas of their
  needs, entry, mid and exit measures, and every session logged: held or not (and why),
  who attended, who missed it (and why), with a short note now and then;
- assess–plan–do–review cycles for most pupils on the register (and some who have come
  off it): SMART outcomes for the areas of their needs, the provision planned, the pupil's
  and the parents' views, and reviews of all but the current cycle;
- outside agencies' involvement, most with a one-page report kept as a PDF evidence
  document;
- school attendance for the last three terms and English and maths attainment now, six
  and twelve months ago.

Everything is drawn from ``random.Random(f"{seed}-graduated")`` and anchored on
``today``, so the same seed and day give the same history; a generator of its own leaves
the school's other draws as they were. Rows are written in bulk (tens of thousands of
session marks for a school of 1,200) inside the caller's transaction, and one audit event
records what was made.

Dates of things that happened are never after ``today``; dates that are planned (a review
due, a group's planned end) may be. Sessions are only logged up to yesterday: today's are
left for the "my groups today" screen.
"""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.demo.bulk import bulk, insert_rows
from sendesk.demo.tables import load, tuples
from sendesk.models import (
    AgencyInvolvement,
    AttainmentSnapshot,
    AttendanceRecord,
    DeliveredSession,
    Enrolment,
    EvidenceDocument,
    Intervention,
    InterventionGroup,
    Measurement,
    Need,
    PlannedProvision,
    PlanOutcome,
    Pupil,
    RegisterEntry,
    School,
    SessionAttendance,
    SupportPlan,
)
from sendesk.resource_files import resource_path
from sendesk.rules.census import Area, area_of
from sendesk.rules.confidentiality import default_level
from sendesk.services.store.audit import AuditWriter

_TABLES = load("graduated")
"""The text tables of this module (names, phrases, advice): ``resources/demo/graduated.json``."""

AGE, SCORE, RATING = "age_months", "standardised", "rating"
C_L = Area.COGNITION_LEARNING
C_I = Area.COMMUNICATION_INTERACTION
SEMH = Area.SEMH
S_P = Area.SENSORY_PHYSICAL
TERMS_OF_GROUPS = 3
PDF = "application/pdf"
_DAY = timedelta(days=1)
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    resource_path("fonts", "DejaVuSans.ttf"),
)
FONT_NAME = "SENDeskDemoSans"


@dataclass(frozen=True)
class GraduatedSummary:
    """What :func:`add_graduated_history` wrote, table by table."""

    interventions: int
    groups: int
    enrolments: int
    measurements: int
    sessions: int
    session_marks: int
    support_plans: int
    plan_outcomes: int
    planned_provisions: int
    involvements: int
    documents: int
    attendance_records: int
    attainment_snapshots: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    key: str
    name: str
    short: str
    area: Area
    description: str
    group_size: int
    staff_role: str
    sessions_per_week: int
    minutes: int
    cost_pence: int
    measure: str
    kind: str
    # how the measure moves: entry range (for scores and ratings), change per term, ceiling
    entry: tuple[int, int] = (0, 0)
    change: tuple[int, ...] = ()
    ceiling: int = 0
    teacher_led: bool = False


TA, HLTA, TEACHER = "Teaching assistant", "HLTA", "Teacher"

CATALOGUE: tuple[_Spec, ...] = tuple(
    _Spec(**{**tuples(row), "area": Area(row["area"])}) for row in _TABLES["CATALOGUE"]
)
SPECS: dict[str, _Spec] = {s.key: s for s in CATALOGUE}

# need code -> (intervention key, weight)
NEED_INTERVENTIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "SPLD": (("reading", 3), ("spelling", 3), ("typing", 2), ("handwriting", 1)),
    "MLD": (("reading", 3), ("maths", 3), ("spelling", 1), ("language", 1)),
    "SLD": (("maths", 2), ("reading", 2), ("handwriting", 1), ("language", 1)),
    "PMLD": (("handwriting", 1), ("language", 1)),
    "SLCN": (("language", 4), ("reading", 1), ("lego", 1)),
    "ASD": (("lego", 3), ("zones", 2), ("language", 1), ("elsa", 1)),
    "SEMH": (("elsa", 3), ("mentoring", 2), ("zones", 2)),
    "HI": (("language", 2), ("reading", 1)),
    "VI": (("typing", 3),),
    "MSI": (("typing", 1), ("language", 1)),
    "PD": (("handwriting", 3), ("typing", 3)),
    "OTH": (("mentoring", 1), ("elsa", 1), ("handwriting", 1)),
    "NSA": (("reading", 2), ("maths", 2), ("mentoring", 1)),
    "DS": (("reading", 1), ("language", 1), ("maths", 1)),
}
AREA_FOR_CODE: dict[str, Area] = {"OTH": S_P, "NSA": C_L, "DS": C_L}


def _area(code: str) -> Area:
    try:
        found = area_of(code)
    except ValueError:
        found = None
    return found or AREA_FOR_CODE.get(code, C_L)


# --- the school calendar ----------------------------------------------------------------------


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += _DAY
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class _Term:
    year: int  # the academic year's first calendar year
    season: str
    start: date
    end: date
    half_term: date  # the Monday of the half-term week

    @property
    def name(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d} {self.season}"

    @property
    def label(self) -> str:
        return f"{self.season.capitalize()} {self.start.year}"

    def open_on(self, day: date) -> bool:
        if not self.start <= day <= self.end or day.weekday() >= 5:
            return False
        return not self.half_term <= day < self.half_term + timedelta(days=5)


@cache
def _year_terms(year: int) -> tuple[_Term, _Term, _Term]:
    """An English academic year, near enough: three terms, each with a half-term week."""
    last_may = date(year + 1, 5, 31)
    return (
        _Term(
            year,
            "autumn",
            _weekday_on_or_after(date(year, 9, 2)),
            _weekday_on_or_before(date(year, 12, 19)),
            _monday_on_or_before(date(year, 10, 27)),
        ),
        _Term(
            year,
            "spring",
            _weekday_on_or_after(date(year + 1, 1, 6)),
            _weekday_on_or_before(date(year + 1, 3, 28)),
            _monday_on_or_before(date(year + 1, 2, 16)),
        ),
        _Term(
            year,
            "summer",
            _weekday_on_or_after(date(year + 1, 4, 14)),
            _weekday_on_or_before(date(year + 1, 7, 22)),
            _monday_on_or_before(last_may),
        ),
    )


def _academic_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


@cache
def is_school_day(day: date) -> bool:
    """Whether ``day`` is a term-time weekday in the demo school's calendar."""
    return any(t.open_on(day) for t in _year_terms(_academic_year(day)))


def _school_day_on_or_before(day: date) -> date:
    for _ in range(120):
        if is_school_day(day):
            return day
        day -= _DAY
    return day


def _school_day_on_or_after(day: date) -> date:
    for _ in range(120):
        if is_school_day(day):
            return day
        day += _DAY
    return day


def recent_terms(today: date, count: int = TERMS_OF_GROUPS) -> list[_Term]:
    """The last ``count`` terms that have started by ``today``, oldest first."""
    year = _academic_year(today)
    terms = [t for y in range(year - 2, year + 1) for t in _year_terms(y) if t.start <= today]
    return terms[-count:]


def _school_days(lo: date, hi: date) -> list[date]:
    days, day = [], lo
    while day <= hi:
        if is_school_day(day):
            days.append(day)
        day += _DAY
    return days


def _months(lo: date, hi: date) -> float:
    return (hi - lo).days / (365.25 / 12)


def _age_text(months: float) -> str:
    whole = round(months)
    return f"{whole // 12}y {whole % 12}m"


def _at(day: date, minutes: int, now: datetime) -> datetime:
    return min(datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC), now)


# --- who is in the story ------------------------------------------------------------------------


@dataclass
class _EnrolPlan:
    spec: _Spec
    start: date
    planned_end: date | None
    end: date | None
    entry: float
    entry_date: date
    exit: float | None
    mids: list[tuple[date, float]] = field(default_factory=list)
    attend: float = 0.9


@dataclass
class _Pupil:
    id: int
    provision: str
    needs: tuple[str, ...]
    since: date
    until: date | None  # the day a former pupil came off the register
    dob: date
    forename: str
    legal_name: str
    gender: str | None
    year_group: int | None
    admission: date | None
    next_review_due: date | None
    gap: dict[str, float] = field(default_factory=dict)  # measure -> months behind
    state: dict[str, tuple[float, date]] = field(default_factory=dict)  # measure -> last
    enrolments: list[_EnrolPlan] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.until is None

    def on_register(self, lo: date, hi: date) -> bool:
        return self.since <= lo and (self.until is None or self.until >= hi)

    def words(self) -> dict[str, str]:
        he, him, his = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}.get(
            self.gender or "", ("they", "them", "their")
        )
        return {
            "name": self.forename,
            "he": he,
            "him": him,
            "his": his,
            "He": he.capitalize(),
            "His": his.capitalize(),
        }


def _load_pupils(
    session: Session,
    pupils: Sequence[tuple[int, str, tuple[str, ...], date | None]],
    today: date,
) -> list[_Pupil]:
    """Everyone on the register now, and those who were, with what the text needs."""
    rows = {
        r.id: r
        for r in session.execute(
            select(
                Pupil.id,
                Pupil.dob,
                Pupil.legal_forename,
                Pupil.legal_surname,
                Pupil.preferred_forename,
                Pupil.gender,
                Pupil.year_group,
                Pupil.admission_date,
                Pupil.next_review_due,
            )
        )
    }
    former_ids = {pid for pid, provision, _, _ in pupils if provision not in ("K", "E")}
    periods: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for pid, start, end in session.execute(
        select(RegisterEntry.pupil_id, RegisterEntry.start_date, RegisterEntry.end_date)
        .where(RegisterEntry.provision.in_(("K", "E")), RegisterEntry.end_date.is_not(None))
        .order_by(RegisterEntry.pupil_id, RegisterEntry.start_date)
    ):
        if pid in former_ids:
            periods[pid].append((start, end))
    ended: dict[tuple[int, date], list[str]] = defaultdict(list)
    for pid, code, end in session.execute(
        select(Need.pupil_id, Need.code, Need.end_date)
        .where(Need.end_date.is_not(None))
        .order_by(Need.pupil_id, Need.end_date, Need.rank)
    ):
        if pid in former_ids:
            ended[(pid, end)].append(code)

    found: list[_Pupil] = []
    for pid, provision, needs, since in sorted(pupils, key=lambda p: p[0]):
        row = rows.get(pid)
        if row is None:
            continue
        until: date | None = None
        if provision in ("K", "E"):
            if not needs:  # not census-valid; nothing to write plans about
                continue
            start = since or row.admission_date or today - timedelta(days=365)
        else:
            runs = periods.get(pid)
            if not runs:
                continue
            start, until = runs[-1]
            for lo, hi in reversed(runs[:-1]):  # a run of K and E periods back to back
                if hi != start:
                    break
                start = lo
            needs = tuple(ended.get((pid, until), ()))
            if not needs:
                continue
        found.append(
            _Pupil(
                id=pid,
                provision=provision,
                needs=tuple(needs),
                since=min(start, today),
                until=until,
                dob=row.dob,
                forename=row.preferred_forename or row.legal_forename,
                legal_name=f"{row.legal_forename} {row.legal_surname}",
                gender=row.gender,
                year_group=row.year_group,
                admission=row.admission_date,
                next_review_due=row.next_review_due,
            )
        )
    return found


def _weighted_pick(rng: random.Random, table: dict[str, int], exclude: set[str]) -> str | None:
    keys = sorted(k for k in table if k not in exclude)
    if not keys:
        return None
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _intervention_weights(needs: tuple[str, ...]) -> dict[str, int]:
    weights: dict[str, int] = defaultdict(int)
    for rank, code in enumerate(needs[:2]):
        for key, weight in NEED_INTERVENTIONS.get(code, ()):
            weights[key] += weight * (2 if rank == 0 else 1)
    return dict(weights)


# --- measures ---------------------------------------------------------------------------------


def _ratio(rng: random.Random) -> float:
    """A ratio gain: mostly useful to substantial (1-3), some less, a few remarkable."""
    roll = rng.random()
    if roll < 0.08:
        return rng.uniform(0.4, 1.0)
    if roll < 0.92:
        return rng.uniform(1.1, 2.8)
    return rng.uniform(3.0, 4.2)


def _first_gap(rng: random.Random, pupil: _Pupil, spec: _Spec) -> float:
    codes = set(pupil.needs)
    if codes & {"SLD", "PMLD", "DS"}:
        lo, hi = 48, 84
    elif codes & {"SPLD", "MLD", "NSA"}:
        lo, hi = 22, 54
    else:
        lo, hi = 8, 30
    if pupil.provision == "E":
        lo, hi = lo + 6, hi + 12
    if spec.key == "spelling":
        lo, hi = lo + 3, hi + 6
    return float(rng.randint(lo, hi))


def _entry_value(rng: random.Random, pupil: _Pupil, spec: _Spec, on: date) -> float:
    last = pupil.state.get(spec.measure)
    if spec.kind == AGE:
        chrono = _months(pupil.dob, on)
        if last is not None:  # a little progress since, out of the group
            value = last[0] + round(_months(last[1], on) * rng.uniform(0.2, 0.8))
        else:
            gap = pupil.gap.setdefault(spec.measure, _first_gap(rng, pupil, spec))
            value = round(chrono - gap)
        return float(max(60, min(value, round(chrono) + 6, 204)))
    if last is not None:
        return last[0]
    lo, hi = spec.entry
    if pupil.provision == "E":
        lo, hi = lo - (3 if spec.kind == SCORE else 1), hi - (4 if spec.kind == SCORE else 1)
    return float(rng.randint(max(lo, 1), max(hi, lo, 1)))


def _exit_value(
    rng: random.Random, spec: _Spec, entry: float, lo: date, hi: date, ratio: float
) -> float:
    if spec.kind == AGE:
        return float(min(204, entry + max(0, round(ratio * _months(lo, hi)))))
    change = rng.choice(spec.change)
    if spec.kind == SCORE:
        return float(max(45, min(spec.ceiling, entry + change)))
    return float(max(1, min(spec.ceiling, entry + change)))


def _between(spec: _Spec, entry: float, target: float, frac: float, rng: random.Random) -> float:
    value = entry + (target - entry) * frac
    if spec.kind == SCORE:
        value += rng.choice((-2, -1, 0, 1, 2))
    elif spec.kind == RATING and target != entry:
        value += rng.choice((-1, 0, 0, 1)) * 0.5
    value = round(value)
    if spec.kind == AGE:
        value = max(value, entry)
    return float(max(1, value))


# --- groups, enrolments and sessions ----------------------------------------------------------


@dataclass
class _GroupPlan:
    spec: _Spec
    name: str
    staff_id: int | None
    weekdays: tuple[int, ...]
    start: date
    end: date | None  # None: still running
    planned_end: date
    days: list[date]  # the scheduled days up to its end (or yesterday)
    closed: list[date]  # its days in the half-term week
    members: list[tuple[_Pupil, _EnrolPlan]] = field(default_factory=list)


WEEKDAY_SETS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((0,), (1,), (2,), (3,), (4,)),
    2: ((0, 2), (1, 3), (2, 4), (0, 3), (1, 4)),
    3: ((0, 2, 4), (0, 1, 3), (1, 2, 4)),
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri")


class _Rota:
    """Spreads groups over the staff of a role: the least-loaded person takes the next."""

    def __init__(self, staff: dict[str, list[int]]) -> None:
        fallback = staff.get("learning_support") or staff.get("senco") or []
        self.support = sorted(staff.get("learning_support") or fallback)
        self.teachers = sorted(staff.get("teacher") or self.support)
        self.load: dict[int, int] = defaultdict(int)

    def take(self, spec: _Spec) -> int | None:
        people = self.teachers if spec.teacher_led else self.support
        if not people:
            return None
        chosen = min(people, key=lambda uid: (self.load[uid], uid))
        self.load[chosen] += spec.sessions_per_week * spec.minutes
        return chosen


def _plan_groups(
    rng: random.Random, people: list[_Pupil], staff: dict[str, list[int]], today: date
) -> list[_GroupPlan]:
    yesterday = today - _DAY
    rota = _Rota(staff)
    groups: list[_GroupPlan] = []
    for term in recent_terms(today):
        anchor = term.start + timedelta(days=10)
        if anchor > today:
            continue
        wanted: dict[str, list[_Pupil]] = defaultdict(list)
        for pupil in people:
            if not pupil.on_register(anchor, min(term.end, today)):
                continue
            chance = 0.85 if pupil.provision == "E" else 0.65
            if pupil.until is not None:
                chance = 0.4
            if rng.random() >= chance:
                continue
            weights = _intervention_weights(pupil.needs)
            # Carrying on with last term's intervention is common.
            previous = [e.spec.key for e in pupil.enrolments if e.end is not None]
            count = 2 if rng.random() < (0.35 if pupil.provision == "E" else 0.15) else 1
            chosen: set[str] = set()
            for _ in range(count):
                key = None
                if previous and not chosen and rng.random() < 0.4 and previous[-1] in weights:
                    key = previous[-1]
                key = key or _weighted_pick(rng, weights, chosen)
                if key is not None:
                    chosen.add(key)
                    wanted[key].append(pupil)
        for spec in CATALOGUE:
            members = sorted(wanted.get(spec.key, []), key=lambda p: (p.year_group or 0, p.id))
            size = spec.group_size
            chunks = [members[i : i + size] for i in range(0, len(members), size)]
            if size > 2 and len(chunks) > 1 and len(chunks[-1]) == 1:
                chunks[-2].extend(chunks.pop())
            for n, chunk in enumerate(chunks):
                group = _make_group(rng, spec, term, n, chunk, rota, today, yesterday)
                if group is not None:
                    groups.append(group)
    names: set[str] = set()
    for group in groups:  # two one-to-one pupils could share a forename and initial
        name, n = group.name, 1
        while name in names:
            n += 1
            name = f"{group.name} {n}"
        group.name = name
        names.add(name)
    return groups


def _make_group(
    rng: random.Random,
    spec: _Spec,
    term: _Term,
    n: int,
    chunk: list[_Pupil],
    rota: _Rota,
    today: date,
    yesterday: date,
) -> _GroupPlan | None:
    weekdays = rng.choice(WEEKDAY_SETS[spec.sessions_per_week])
    first = term.start + timedelta(days=rng.randint(4, 12))
    planned_end = _weekday_on_or_before(term.end - timedelta(days=rng.randint(0, 7)))
    scheduled = [d for d in _school_days(first, planned_end) if d.weekday() in weekdays]
    if not scheduled or scheduled[0] > today:
        return None
    start = scheduled[0]
    finished = planned_end < today
    end = scheduled[-1] if finished else None
    days = [d for d in scheduled if d <= yesterday]
    # Half-term falls inside the group's life: logged "school closed", as staff do, so that
    # those days do not count as planned sessions that never happened.
    last = days[-1] if days else start
    closed = [
        d
        for d in (start + timedelta(days=i) for i in range((last - start).days + 1))
        if d.weekday() in weekdays and not is_school_day(d)
    ]
    if spec.group_size == 1:
        pupil = chunk[0]
        who = pupil.legal_name.split()[-1][:1]
        name = f"{spec.short} · {term.label} · {pupil.forename} {who}."
    else:
        years = sorted({p.year_group for p in chunk if p.year_group})
        band = f"Y{years[0]}" if len(years) == 1 else f"Y{years[0]}–{years[-1]}" if years else ""
        name = f"{spec.short} · {term.label} · {band} {chr(ord('A') + n % 26)}".strip()
    slots = "/".join(DAY_NAMES[d] for d in weekdays)
    group = _GroupPlan(
        spec=spec,
        name=f"{name} ({slots})",
        staff_id=rota.take(spec),
        weekdays=weekdays,
        start=start,
        end=end,
        planned_end=planned_end,
        days=days,
        closed=closed,
    )
    for pupil in chunk:
        enrolment = _enrol(rng, pupil, group, scheduled, today)
        if enrolment is not None:
            pupil.enrolments.append(enrolment)
            group.members.append((pupil, enrolment))
    return group if group.members else None


def _enrol(
    rng: random.Random, pupil: _Pupil, group: _GroupPlan, scheduled: list[date], today: date
) -> _EnrolPlan | None:
    spec = group.spec
    yesterday = today - _DAY
    start = group.start
    if rng.random() < 0.1 and len(scheduled) > 8:  # joined a few weeks in
        start = scheduled[rng.randint(2, 6)]
        if start > today:
            start = group.start
    end = group.end
    if end is not None and rng.random() < 0.05:  # left early
        later = [d for d in scheduled if d > start]
        if len(later) > 6:
            end = later[int(len(later) * rng.uniform(0.5, 0.8))]
    if pupil.until is not None and (end is None or end > pupil.until):
        end = _school_day_on_or_before(pupil.until)
    if end is not None and end < start:
        return None
    entry_date = _school_day_on_or_before(start - timedelta(days=rng.randint(0, 6)))
    entry_date = max(entry_date, pupil.since)
    entry = _entry_value(rng, pupil, spec, entry_date)
    ratio = _ratio(rng)
    enrolment = _EnrolPlan(
        spec=spec,
        start=start,
        planned_end=group.planned_end,
        end=end,
        entry=entry,
        entry_date=entry_date,
        exit=None,
        attend=rng.choice((0.97, 0.95, 0.93, 0.92, 0.9, 0.88, 0.85, 0.8, 0.72)),
    )
    last = end if end is not None else group.planned_end
    target = _exit_value(rng, spec, entry, entry_date, last, ratio)
    mid = _school_day_on_or_before(entry_date + (last - entry_date) / 2)
    if (last - entry_date).days >= 35 and entry_date < mid <= yesterday:
        frac = (mid - entry_date).days / max(1, (last - entry_date).days)
        enrolment.mids.append((mid, _between(spec, entry, target, frac, rng)))
    if end is not None:
        enrolment.exit = target
        pupil.state[spec.measure] = (target, end)
    elif enrolment.mids:
        pupil.state[spec.measure] = enrolment.mids[-1][::-1]
    else:
        pupil.state[spec.measure] = (entry, entry_date)
    return enrolment


# The logging screen's words (sendesk.services.graduated.intervention_records), with how often
# each happens.
SCHOOL_CLOSED = "school closed"
NOT_DELIVERED = (("staff absent", 6), ("trip", 2), ("exam", 1), ("room unavailable", 1))
MISSED = (("absent", 12), ("trip", 2), ("exam", 2), ("refused", 2))
NOTES: dict[str, tuple[str, ...]] = tuples(_TABLES["NOTES"])


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([t for t, _ in table], weights=[w for _, w in table])[0]


# --- support plans --------------------------------------------------------------------------

# code -> templates: (text, lowest n, highest n); {name}, {he}, {his}, {month}, {n}
OUTCOMES: dict[str, tuple[tuple[str, int, int], ...]] = tuples(_TABLES["OUTCOMES"])
OUTCOMES["NSA"] = OUTCOMES["MLD"][:2] + OUTCOMES["SPLD"][:1]
OUTCOMES["DS"] = OUTCOMES["SLD"]

STRATEGIES: dict[str, tuple[str, ...]] = tuples(_TABLES["STRATEGIES"])
STRATEGIES["NSA"] = STRATEGIES["MLD"]
STRATEGIES["DS"] = STRATEGIES["SLD"]
EQUIPMENT: dict[str, tuple[str, ...]] = tuples(_TABLES["EQUIPMENT"])

PUPIL_VIEWS: dict[Area, tuple[str, ...]] = {
    Area(k): v for k, v in tuples(_TABLES["PUPIL_VIEWS"]).items()
}
PUPIL_VIEWS_ANY = tuples(_TABLES["PUPIL_VIEWS_ANY"])
PARENT_VIEWS = tuples(_TABLES["PARENT_VIEWS"])
ASSESSMENTS: dict[Area, tuple[str, ...]] = {
    Area(k): v for k, v in tuples(_TABLES["ASSESSMENTS"]).items()
}
REVIEW_COMMENTS: dict[str, tuple[str, ...]] = tuples(_TABLES["REVIEW_COMMENTS"])
NEXT_STEPS = tuples(_TABLES["NEXT_STEPS"])
OFF_REGISTER_STEPS = (
    "Outcomes met; removed from SEN support with parents' agreement. Monitor through the "
    "half-termly progress review."
)

AGENCY_BY_NEED: dict[str, tuple[str, ...]] = tuples(_TABLES["AGENCY_BY_NEED"])


@dataclass(frozen=True)
class _Agency:
    title: str  # the professional's job title
    service: str  # the heading of their report ({la} is the local authority)
    document: str  # the report's title
    slug: str
    wait: tuple[int, int]  # weeks from referral to being seen
    findings: tuple[str, ...]
    advice: tuple[str, ...]


AGENCY_INFO: dict[str, _Agency] = {
    key: _Agency(**tuples(row)) for key, row in _TABLES["AGENCY_INFO"].items()
}
PROFESSIONALS = tuples(_TABLES["PROFESSIONALS"])
BACKGROUND = (
    "Referred by the school SENCo with parental consent. School reports {concern}. The "
    "pupil was seen in school and parents were consulted by telephone."
)


# --- the PDF reports ---------------------------------------------------------------------------

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
_CYRILLIC_LATIN = (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g"
)
_GREEK = "αβγδεζηθικλμνξοπρσςτυφχψω"
_GREEK_LATIN = "a v g d e z i th i k l m n x o p r s s t y f ch ps o"
_TRANSLIT = str.maketrans(
    {
        **{
            c: "" if latin == "-" else latin
            for c, latin in zip(_CYRILLIC, _CYRILLIC_LATIN.split(), strict=True)
        },
        **dict(zip(_GREEK, _GREEK_LATIN.split(), strict=True)),
        **{"ł": "l", "đ": "d", "ı": "i", "ø": "o", "ß": "ss"},
    }
)


def ascii_name(text: str) -> str:
    """``text`` in plain ASCII letters, for a PDF that has no font covering it."""
    out = []
    for word in unicodedata.normalize("NFKD", text).split(" "):
        bare = "".join(c for c in word if not unicodedata.combining(c))
        latin = bare.lower().translate(_TRANSLIT) if not bare.isascii() else bare
        if latin != bare and bare[:1].isupper():
            latin = latin.capitalize()
        out.append("".join(c for c in latin if c.isascii()) or "?")
    return " ".join(out)


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _unicode_font() -> str | None:
    """The name of a registered Unicode TrueType font, or None when there is none."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES:
        if path.is_file():
            # Not "ASCII readable": the subset then holds only the glyphs used (~6 KB).
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), asciiReadable=False))
            return FONT_NAME
    return None


def report_pdf(
    *,
    service: str,
    title: str,
    name: str,
    dob: date,
    school: str,
    seen: date,
    professional: str,
    paragraphs: Sequence[tuple[str, str]],
) -> bytes:
    """A one-page agency report as PDF bytes (the same bytes for the same arguments).

    Everything is in Helvetica (Latin-1) except the pupil's name when Helvetica cannot
    show it: then a Unicode TrueType font is embedded for the name alone, or, without one,
    the name is written in ASCII.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    def safe(text: str) -> str:
        return text if _latin1(text) else ascii_name(text)

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=True)
    pdf.setTitle(title)
    width, height = A4
    left, y = 56.0, height - 64
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(left, y, safe(service))
    y -= 22
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(left, y, title)
    y -= 26
    name_font = "Helvetica"
    if not _latin1(name):
        font = _unicode_font()
        if font is None:
            name = ascii_name(name)
        else:
            name_font = font
    for label, value, font in (
        ("Name:", name, name_font),
        ("Date of birth:", f"{dob:%d/%m/%Y}", "Helvetica"),
        ("School:", safe(school), "Helvetica"),
        ("Seen on:", f"{seen:%d/%m/%Y}", "Helvetica"),
        ("Report by:", safe(professional), "Helvetica"),
    ):
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(left, y, label)
        pdf.setFont(font, 10)
        pdf.drawString(left + 80, y, value)
        y -= 15
    for heading, text in paragraphs:
        y -= 12
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(left, y, heading)
        y -= 15
        pdf.setFont("Helvetica", 10)
        for line in simpleSplit(safe(text), "Helvetica", 10, width - 2 * left):
            pdf.drawString(left, y, line)
            y -= 13
    pdf.setFont("Helvetica-Oblique", 8)
    pdf.drawString(left, 40, "Made-up report for the SENDesk demo school: not a real child.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- the writer ---------------------------------------------------------------------------------


def add_graduated_history(
    session: Session,
    audit: AuditWriter,
    *,
    seed: int,
    today: date,
    pupils: list[tuple[int, str, tuple[str, ...], date | None]],
    staff: dict[str, list[int]],
) -> GraduatedSummary:
    """Write the demo school's graduated-response history through ``session``.

    ``pupils`` is (pupil id, provision "N"/"K"/"E", current need codes, the date the pupil
    joined the register or None) for every pupil; pupils with "N" who were on the register
    before are found from their register history. ``staff`` maps role values ("senco",
    "learning_support", "teacher") to user ids. Runs inside the caller's transaction and
    records one audit event ("create_demo_history") with the counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-graduated")
    now = datetime.now(UTC)
    senco = min(staff.get("senco") or [0]) or None
    people = _load_pupils(session, pupils, today)
    school = session.execute(select(School.id, School.name, School.la_name)).first()
    school_id, school_name, la_name = school if school else (None, "", "")

    # The catalogue.
    ids = insert_rows(
        session,
        Intervention,
        [
            {
                "name": s.name,
                "area": s.area.value,
                "description": s.description,
                "group_size": s.group_size,
                "staff_role": s.staff_role,
                "sessions_per_week": s.sessions_per_week,
                "minutes_per_session": s.minutes,
                "cost_per_hour_pence": s.cost_pence,
                "measure": s.measure,
                "measure_kind": s.kind,
                "active": True,
                "version": 1,
            }
            for s in CATALOGUE
        ],
        Intervention.name,
    )
    spec_ids = {s.key: i for s, i in zip(CATALOGUE, ids, strict=True)}

    counts: dict[str, int] = {"interventions": len(CATALOGUE)}
    counts.update(
        _write_groups(session, random.Random(rng.random()), people, staff, spec_ids, today, now)
    )
    counts.update(
        _write_plans(session, random.Random(rng.random()), people, spec_ids, senco, today, now)
    )
    counts.update(
        _write_agencies(
            session,
            random.Random(rng.random()),
            people,
            senco,
            school_name or "",
            la_name or "",
            today,
            now,
        )
    )
    counts.update(_write_progress(session, random.Random(rng.random()), people, today))
    summary = GraduatedSummary(**counts)
    audit.record(
        "create_demo_history",
        "school",
        school_id,
        {"seed": seed, "today": today, **summary.as_dict()},
    )
    return summary


def _left_to_do(
    groups: list[_GroupPlan], staff: dict[str, list[int]], today: date
) -> tuple[set[tuple[int, date]], tuple[_EnrolPlan | None, date | None]]:
    """What one learning support assistant has not done yet, so their "what's due" shows
    what it is for (issue 13): the last two sessions of a running group of theirs left
    unlogged, and a pupil in it kept on past their planned end with no exit measure yet.

    Decided from the plan alone (no random draws), so the rest of the demo is unchanged.
    Returns the (group's index, day) of the sessions not to log — the caller maps the
    index to the group's id — and the enrolment whose planned end moves to a week ago.
    """
    support = sorted(staff.get("learning_support") or [])
    recent = today - timedelta(days=28)
    running = [
        (n, g)
        for n, g in enumerate(groups)
        if g.end is None and g.staff_id in support and len([d for d in g.days if d >= recent]) >= 2
    ]
    if not running:
        return set(), (None, None)
    n, group = min(running, key=lambda ng: (support.index(ng[1].staff_id), ng[0]))
    skipped = {(n, day) for day in group.days[-2:]}
    week_ago = _school_day_on_or_before(today - timedelta(days=7))
    started = [e for _, e in group.members if e.start < week_ago and e.end is None]
    return skipped, (started[0], week_ago) if started else (None, None)


def _write_groups(
    session: Session,
    rng: random.Random,
    people: list[_Pupil],
    staff: dict[str, list[int]],
    spec_ids: dict[str, int],
    today: date,
    now: datetime,
) -> dict[str, int]:
    groups = _plan_groups(rng, people, staff, today)
    group_ids = insert_rows(
        session,
        InterventionGroup,
        [
            {
                "intervention_id": spec_ids[g.spec.key],
                "name": g.name,
                "staff_id": g.staff_id,
                "weekdays": ",".join(str(d) for d in g.weekdays),
                "start_date": g.start,
                "end_date": g.end,
            }
            for g in groups
        ],
        InterventionGroup.name,
    )
    members = [
        (gid, pupil, e) for g, gid in zip(groups, group_ids, strict=True) for pupil, e in g.members
    ]
    skipped, overrun = _left_to_do(groups, staff, today)
    behind = {(group_ids[n], day) for n, day in skipped}
    enrolment_ids = insert_rows(
        session,
        Enrolment,
        [
            {
                "group_id": gid,
                "pupil_id": pupil.id,
                "start_date": e.start,
                "planned_end": overrun[1] if e is overrun[0] else e.planned_end,
                "end_date": e.end,
                "entry_measure": e.entry,
                "entry_date": e.entry_date,
                "exit_measure": e.exit,
                "exit_date": e.end if e.exit is not None else None,
                "version": 1,
            }
            for gid, pupil, e in members
        ],
        Enrolment.group_id,
        Enrolment.pupil_id,
        Enrolment.start_date,
    )
    measurements = [
        {"enrolment_id": eid, "taken_on": on, "value": value}
        for (_, _, e), eid in zip(members, enrolment_ids, strict=True)
        for on, value in e.mids
    ]
    if measurements:
        session.execute(bulk(Measurement), measurements)

    # Sessions: every scheduled day up to yesterday; a few not delivered.
    held: list[dict[str, Any]] = []
    held_for: list[tuple[_GroupPlan, int, date, int]] = []  # group, its id, day, minutes
    for g, gid in zip(groups, group_ids, strict=True):
        closed = set(g.closed)
        for day in sorted([*g.days, *g.closed]):
            delivered = day not in closed and rng.random() >= 0.05
            reason = None
            if not delivered:
                reason = SCHOOL_CLOSED if day in closed else _pick(rng, NOT_DELIVERED)
            minutes = g.spec.minutes
            if delivered and rng.random() < 0.08:
                minutes -= rng.choice((5, 10))
            held.append(
                {
                    "group_id": gid,
                    "held_on": day,
                    "delivered": delivered,
                    "not_delivered_reason": reason,
                    "minutes": minutes if delivered else 0,
                    "logged_by_id": g.staff_id,
                    "logged_at": _at(day, rng.randint(9 * 60, 16 * 60 + 30), now),
                }
            )
            if delivered:
                held_for.append((g, gid, day, minutes))
    kept = [row for row in held if (row["group_id"], row["held_on"]) not in behind]
    session_ids = insert_rows(
        session, DeliveredSession, kept, DeliveredSession.group_id, DeliveredSession.held_on
    )
    sid_for = {
        (row["group_id"], row["held_on"]): sid for sid, row in zip(session_ids, kept, strict=True)
    }
    enrolment_id = {id(e): eid for (_, _, e), eid in zip(members, enrolment_ids, strict=True)}
    marks: list[dict[str, Any]] = []
    for g, gid, day, minutes in held_for:
        sid = sid_for.get((gid, day))  # None: left unlogged (the marks are drawn all the same)
        general = NOTES[""]
        own = NOTES.get(g.spec.key, ())
        for _, e in g.members:
            if day < e.start or (e.end is not None and day > e.end):
                continue
            attended = rng.random() < e.attend
            note = ""
            if attended:
                late = minutes - 5 if rng.random() < 0.03 and minutes > 10 else minutes
                if rng.random() < 0.08:
                    note = rng.choice(own if own and rng.random() < 0.6 else general)
                marks.append(
                    {
                        "session_id": sid,
                        "enrolment_id": enrolment_id[id(e)],
                        "attended": True,
                        "minutes": late,
                        "missed_reason": None,
                        "note": note,
                    }
                )
            else:
                reason = _pick(rng, MISSED)
                if reason == "absent" and rng.random() < 0.15:
                    note = rng.choice(("Ill", "Medical appointment", "Off site with family"))
                marks.append(
                    {
                        "session_id": sid,
                        "enrolment_id": enrolment_id[id(e)],
                        "attended": False,
                        "minutes": 0,
                        "missed_reason": reason,
                        "note": note,
                    }
                )
    marks = [m for m in marks if m["session_id"] is not None]
    if marks:
        session.execute(bulk(SessionAttendance), marks)
    return {
        "groups": len(groups),
        "enrolments": len(members),
        "measurements": len(measurements),
        "sessions": len(kept),
        "session_marks": len(marks),
    }


# --- plans ------------------------------------------------------------------------------------


@dataclass
class _Cycle:
    start: date
    review_due: date
    reviewed_on: date | None
    outcomes: list[tuple[str, int, int]] = field(default_factory=list)  # code, template, n
    results: list[str] = field(default_factory=list)


def _cycles(rng: random.Random, pupil: _Pupil, today: date) -> list[_Cycle]:
    """Dates of the pupil's last few cycles, oldest first (the newest open unless a former
    pupil's)."""
    lo = pupil.since
    target = rng.choice((2, 3, 3, 4)) if pupil.current else rng.choice((1, 2, 2, 3))
    cycles: list[_Cycle] = []
    if pupil.current:
        due = pupil.next_review_due if pupil.provision == "K" else None
        if due is None or due <= lo + timedelta(days=14):
            if rng.random() < 0.12:
                due = _school_day_on_or_before(today - timedelta(days=rng.randint(3, 30)))
            else:
                due = today + timedelta(days=rng.randint(7, 85))
                due = max(_school_day_on_or_before(due), today + _DAY)
        start = min(
            due - timedelta(days=rng.randint(75, 95)), today - timedelta(rng.randint(0, 10))
        )
        start = max(_school_day_on_or_before(start), lo)
        if due <= start:
            due = _weekday_on_or_before(start + timedelta(weeks=12))
        cycles.append(_Cycle(start, due, None))
        reviewed = _school_day_on_or_before(start - timedelta(days=rng.randint(0, 4)))
    else:
        assert pupil.until is not None
        reviewed = pupil.until
    while len(cycles) < target:
        if reviewed < lo + timedelta(days=35):
            break
        start = _school_day_on_or_before(reviewed - timedelta(days=rng.randint(75, 100)))
        start = max(start, lo)
        if (reviewed - start).days < 35:
            break
        due = _weekday_on_or_before(start + timedelta(days=rng.randint(77, 91)))
        cycles.insert(0, _Cycle(start, due, reviewed))
        reviewed = _school_day_on_or_before(start - timedelta(days=rng.randint(0, 4)))
    return cycles


def _render(template: tuple[str, int, int], n: int, words: dict[str, str], month: str) -> str:
    return template[0].format(n=n, month=month, **words)


def _choose_outcomes(
    rng: random.Random, pupil: _Pupil, cycle: _Cycle, carried: list[tuple[str, int, int]]
) -> None:
    cycle.outcomes = list(carried)[:4]
    want = max(len(cycle.outcomes), rng.randint(2, 4))
    want = max(want, 2)
    codes = [c for c in pupil.needs if c in OUTCOMES] or ["NSA"]
    weights = [3 if i == 0 else 2 for i in range(len(codes))]
    used = {(code, t) for code, t, _ in cycle.outcomes}
    tries = 0
    while len(cycle.outcomes) < want and tries < 40:
        tries += 1
        code = rng.choices(codes, weights=weights)[0]
        index = rng.randrange(len(OUTCOMES[code]))
        if (code, index) in used:
            continue
        template = OUTCOMES[code][index]
        used.add((code, index))
        cycle.outcomes.append((code, index, rng.randint(template[1], template[2])))
    # Codes that share templates (NSA, DS) could still repeat a text: keep the first.
    seen: set[str] = set()
    unique = []
    for item in cycle.outcomes:
        text = OUTCOMES[item[0]][item[1]][0]
        if text not in seen:
            seen.add(text)
            unique.append(item)
    cycle.outcomes = unique


def _measure_note(e: _EnrolPlan) -> str:
    """A sentence on how the pupil did in an enrolment that has ended."""
    spec = e.spec
    if e.exit is None or e.end is None:
        return ""
    if spec.kind == AGE:
        months = _months(e.entry_date, e.end)
        ratio = (e.exit - e.entry) / months if months > 0 else 0.0
        return (
            f"{spec.name}: {spec.measure.lower()} from {_age_text(e.entry)} to "
            f"{_age_text(e.exit)} (ratio gain {ratio:.1f})."
        )
    measure = spec.measure[:1].lower() + spec.measure[1:]
    return f"{spec.name}: {measure} from {e.entry:g} to {e.exit:g}."


def _results_sentence(results: list[str]) -> str:
    """ "2 of 3 outcomes achieved, 1 partly achieved." and the like."""
    total = len(results)
    achieved, partly, missed = (results.count(r) for r in ("achieved", "partly", "not"))
    if achieved == total:
        return f"All {total} outcomes achieved."
    parts = [f"{achieved} of {total} outcomes achieved"]
    if partly:
        parts.append(f"{partly} partly achieved")
    if missed:
        parts.append(f"{missed} not achieved")
    return ", ".join(parts) + "."


def _write_plans(
    session: Session,
    rng: random.Random,
    people: list[_Pupil],
    spec_ids: dict[str, int],
    senco: int | None,
    today: date,
    now: datetime,
) -> dict[str, int]:
    chains: list[tuple[_Pupil, list[_Cycle]]] = []
    for pupil in people:
        chance = (0.95 if pupil.provision == "E" else 0.9) if pupil.current else 0.6
        if rng.random() >= chance:
            continue
        cycles = _cycles(rng, pupil, today)
        if not cycles:
            continue
        carried: list[tuple[str, int, int]] = []
        for i, cycle in enumerate(cycles):
            _choose_outcomes(rng, pupil, cycle, carried)
            if cycle.reviewed_on is None:
                break
            last = i == len(cycles) - 1
            weights = (80, 15, 5) if last and not pupil.current else (45, 35, 20)
            cycle.results = rng.choices(
                ("achieved", "partly", "not"), weights, k=len(cycle.outcomes)
            )
            carried = [
                o for o, r in zip(cycle.outcomes, cycle.results, strict=True) if r != "achieved"
            ]
        chains.append((pupil, cycles))

    plan_rows: list[dict[str, Any]] = []
    outcome_rows: list[list[dict[str, Any]]] = []
    provision_rows: list[list[dict[str, Any]]] = []
    depth: list[int] = []
    for pupil, cycles in chains:
        words = pupil.words()
        for level, cycle in enumerate(cycles):
            last_cycle = level == len(cycles) - 1
            month = f"{cycle.review_due:%B}"
            outcomes = [
                {
                    "position": n,
                    "text": _render(OUTCOMES[code][index], value, words, month),
                    "area": _area(code).value,
                    "result": cycle.results[n - 1] if cycle.results else None,
                    "review_comment": (
                        rng.choice(REVIEW_COMMENTS[cycle.results[n - 1]]).format(**words)
                        if cycle.results
                        else ""
                    ),
                }
                for n, (code, index, value) in enumerate(cycle.outcomes, start=1)
            ]
            until = cycle.reviewed_on or today
            during = [
                e for e in pupil.enrolments if e.start <= until and (e.end or today) >= cycle.start
            ]
            provisions = _provisions(rng, pupil, cycle, during, spec_ids)
            ended = [e for e in during if e.end is not None and e.end <= until]
            review_summary = next_steps = ""
            if cycle.reviewed_on is not None:
                parts = [_results_sentence(cycle.results)]
                parts += [_measure_note(e) for e in ended]
                if rng.random() < 0.5:
                    parts.append(
                        f"{words['name']} took part in the review with {words['his']} parents."
                    )
                review_summary = " ".join(p for p in parts if p)
                if last_cycle and not pupil.current:
                    next_steps = OFF_REGISTER_STEPS
                else:
                    next_steps = " ".join(rng.sample(NEXT_STEPS, 2))
            if level == 0:
                area = _area(pupil.needs[0])
                assessment = rng.choice(ASSESSMENTS[area])
            else:
                previous = cycles[level - 1].reviewed_on
                assert previous is not None
                assessment = f"Review of the last cycle on {previous:%d/%m/%Y}."
                before = [e for e in pupil.enrolments if e.end is not None and e.end <= cycle.start]
                if before:
                    assessment += " " + _measure_note(before[-1])
            pool = list(PUPIL_VIEWS[_area(pupil.needs[0])]) + list(PUPIL_VIEWS_ANY)
            pupil_views = (
                " ".join(rng.sample(pool, rng.randint(1, 2))) if rng.random() < 0.85 else ""
            )
            parent_views = (
                " ".join(v.format(**words) for v in rng.sample(PARENT_VIEWS, rng.randint(1, 2)))
                if rng.random() < 0.8
                else ""
            )
            plan_rows.append(
                {
                    "pupil_id": pupil.id,
                    "previous_plan_id": None,
                    "start_date": cycle.start,
                    "review_due": cycle.review_due,
                    "assessment": assessment,
                    "pupil_views": pupil_views,
                    "parent_views": parent_views,
                    "reviewed_on": cycle.reviewed_on,
                    "review_summary": review_summary,
                    "next_steps": next_steps,
                    "created_by_id": senco,
                    "created_at": _at(cycle.start, rng.randint(8 * 60, 17 * 60), now),
                    "version": 1,
                }
            )
            outcome_rows.append(outcomes)
            provision_rows.append(provisions)
            depth.append(level)

    # Each level in one insert, so each cycle can name the one before it.
    plan_ids: list[int] = [0] * len(plan_rows)
    for level in range(max(depth, default=-1) + 1):
        at = [i for i, d in enumerate(depth) if d == level]
        for i in at:
            if level:
                plan_rows[i]["previous_plan_id"] = plan_ids[i - 1]
        new_ids = insert_rows(
            session,
            SupportPlan,
            [plan_rows[i] for i in at],
            SupportPlan.pupil_id,
            SupportPlan.start_date,
        )
        for i, pid in zip(at, new_ids, strict=True):
            plan_ids[i] = pid
    outcomes = [
        dict(o, plan_id=pid) for pid, os in zip(plan_ids, outcome_rows, strict=True) for o in os
    ]
    provisions = [
        dict(p, plan_id=pid) for pid, ps in zip(plan_ids, provision_rows, strict=True) for p in ps
    ]
    if outcomes:
        session.execute(bulk(PlanOutcome), outcomes)
    if provisions:
        session.execute(bulk(PlannedProvision), provisions)
    return {
        "support_plans": len(plan_rows),
        "plan_outcomes": len(outcomes),
        "planned_provisions": len(provisions),
    }


def _provisions(
    rng: random.Random,
    pupil: _Pupil,
    cycle: _Cycle,
    during: list[_EnrolPlan],
    spec_ids: dict[str, int],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(kind: str, description: str, minutes: int | None, intervention: int | None) -> None:
        rows.append(
            {
                "position": len(rows) + 1,
                "kind": kind,
                "description": description,
                "minutes_per_week": minutes,
                "intervention_id": intervention,
            }
        )

    specs: list[_Spec] = []
    for e in during:
        if e.spec not in specs:
            specs.append(e.spec)
    if not specs and rng.random() < 0.6:
        key = _weighted_pick(rng, _intervention_weights(pupil.needs), set())
        if key is not None:
            specs.append(SPECS[key])
    for spec in specs:
        weekly = spec.sessions_per_week * spec.minutes
        times = "once" if spec.sessions_per_week == 1 else f"{spec.sessions_per_week} times"
        add(
            "intervention",
            f"{spec.name}: {times} a week, {spec.minutes} minutes, "
            f"{'one-to-one' if spec.group_size == 1 else f'group of up to {spec.group_size}'}",
            weekly,
            spec_ids[spec.key],
        )
    codes = list(pupil.needs)
    strategies = [s for c in codes for s in STRATEGIES.get(c, ())]
    for text in rng.sample(strategies, min(len(strategies), rng.randint(1, 2))):
        add("strategy", text, None, None)
    equipment = [s for c in codes for s in EQUIPMENT.get(c, ())]
    if equipment and rng.random() < 0.6:
        add("equipment", rng.choice(equipment), None, None)
    if pupil.provision == "E" and rng.random() < 0.7:
        minutes = rng.choice((150, 240, 300, 450, 600))
        add("staff", "Teaching assistant support in English and maths lessons", minutes, None)
    elif rng.random() < 0.15:
        add("staff", "Key worker check-in each morning", 50, None)
    return rows


# --- agencies and their reports -------------------------------------------------------------


def _write_agencies(
    session: Session,
    rng: random.Random,
    people: list[_Pupil],
    senco: int | None,
    school: str,
    la_name: str,
    today: date,
    now: datetime,
) -> dict[str, int]:
    rows: list[dict[str, Any]] = []
    reports: list[dict[str, Any] | None] = []
    la = la_name if la_name and _latin1(la_name) else (ascii_name(la_name) if la_name else "")
    for pupil in people:
        if not pupil.current:
            continue
        chance = 0.4 if pupil.provision == "E" else 0.15
        if rng.random() >= chance:
            continue
        options = [a for code in pupil.needs for a in AGENCY_BY_NEED.get(code, ())]
        if not options:
            continue
        count = 2 if rng.random() < 0.25 else 1
        chosen = []
        for _ in range(count):
            agency = rng.choice(options)
            if agency not in chosen:
                chosen.append(agency)
        for agency in chosen:
            info = AGENCY_INFO[agency]
            earliest = max(pupil.since, today - timedelta(days=730))
            latest = today - timedelta(days=14)
            if latest < earliest:
                continue
            referred = _school_day_on_or_before(
                earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            )
            referred = max(referred, earliest)
            waited = referred + timedelta(weeks=rng.randint(*info.wait))
            seen: date | None = _school_day_on_or_after(waited)
            if seen is None or seen > today or rng.random() < 0.1:
                seen = None  # still waiting for an appointment
            person = rng.choice(PROFESSIONALS)
            if agency in ("Educational psychologist", "CAMHS") and rng.random() < 0.6:
                person = f"Dr {person}"
            professional = f"{person}, {info.title}"
            advice = ""
            finding = rng.choice(info.findings)
            recommendation = rng.choice(info.advice)
            if seen is not None:
                advice = f"{finding} {recommendation}"
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "agency": agency,
                    "professional": professional,
                    "referral_date": referred,
                    "seen_date": seen,
                    "advice": advice,
                    "confidentiality": default_level(agency),
                    "version": 1,
                }
            )
            report = None
            if seen is not None and rng.random() < 0.85:
                written = min(today, seen + timedelta(days=rng.randint(5, 21)))
                concern = {
                    C_L: "slow progress in reading and spelling despite support",
                    C_I: "difficulties with understanding and social communication",
                    SEMH: "anxiety and falling attendance",
                    S_P: "difficulties with access to lessons and written work",
                }[_area(pupil.needs[0])]
                content = report_pdf(
                    service=info.service.format(la=la).strip(),
                    title=info.document,
                    name=pupil.legal_name,
                    dob=pupil.dob,
                    school=school,
                    seen=seen,
                    professional=professional,
                    paragraphs=(
                        ("Background", BACKGROUND.format(concern=concern)),
                        ("Findings", finding),
                        ("Recommendations", recommendation),
                    ),
                )
                report = {
                    "pupil_id": pupil.id,
                    "title": info.document,
                    "filename": f"{info.slug}-{written:%Y-%m-%d}.pdf",
                    "media_type": PDF,
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "document_date": written,
                    "content": content,
                    "added_by_id": senco,
                    "added_at": _at(written, rng.randint(9 * 60, 16 * 60), now),
                    "confidentiality": default_level(agency),  # as the advice
                }
            reports.append(report)
    ids = insert_rows(
        session, AgencyInvolvement, rows, AgencyInvolvement.pupil_id, AgencyInvolvement.agency
    )
    documents = [
        dict(report, involvement_id=iid)
        for iid, report in zip(ids, reports, strict=True)
        if report is not None
    ]
    if documents:
        session.execute(bulk(EvidenceDocument), documents)
    return {"involvements": len(rows), "documents": len(documents)}


# --- attendance and attainment ----------------------------------------------------------------


def _grade(value: float) -> str:
    """A fine GCSE grade as schools write them: 3.67 -> "4-", 4.0 -> "4", 4.33 -> "4+"."""
    thirds = max(3, round(value * 3))
    whole, part = divmod(thirds, 3)
    if part == 1:
        return f"{whole}+"
    if part == 2:
        return f"{whole + 1}-"
    return str(whole)


def _write_progress(
    session: Session, rng: random.Random, people: list[_Pupil], today: date
) -> dict[str, int]:
    yesterday = today - _DAY
    terms = recent_terms(today)
    term_days = {t: _school_days(t.start, min(t.end, yesterday)) for t in terms}
    attendance: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    points = [_school_day_on_or_before(today - timedelta(days=days)) for days in (365, 182, 0)]
    for pupil in people:
        if not pupil.current:
            continue
        roll = rng.random()
        low = 0.25 if "SEMH" in pupil.needs else 0.08
        if roll < low * 0.3:
            base = rng.uniform(0.6, 0.8)
        elif roll < low:
            base = rng.uniform(0.8, 0.88)
        else:
            base = rng.uniform(0.88, 0.99)
        for term in terms:
            days = [d for d in term_days[term] if pupil.admission is None or d >= pupil.admission]
            possible = 2 * len(days)
            if not possible:
                continue
            rate = min(1.0, max(0.4, base + rng.uniform(-0.03, 0.03)))
            attendance.append(
                {
                    "pupil_id": pupil.id,
                    "term": term.name,
                    "term_start": term.start,
                    "possible_sessions": possible,
                    "attended_sessions": round(possible * rate),
                }
            )
        snapshots += _attainment(rng, pupil, points, today)
    if attendance:
        session.execute(bulk(AttendanceRecord), attendance)
    if snapshots:
        session.execute(bulk(AttainmentSnapshot), snapshots)
    return {"attendance_records": len(attendance), "attainment_snapshots": len(snapshots)}


def _attainment(
    rng: random.Random, pupil: _Pupil, points: list[date], today: date
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    taken = [d for d in points if pupil.admission is None or d >= pupil.admission]
    if not taken:
        return rows
    year_group = pupil.year_group or 9
    hard = pupil.provision == "E"
    if year_group <= 9:
        gap = pupil.gap.get("Reading age")
        if gap is None:
            gap = float(rng.randint(24, 60) if hard else rng.randint(10, 40))
        rate = rng.uniform(0.5, 1.5)  # months of reading age a month
        now_value = _months(pupil.dob, today) - gap
        score_now = rng.randint(62, 84) if hard else rng.randint(72, 92)
        trend = rng.uniform(-4, 6)
        for day in taken:
            back = _months(day, today)
            reading = max(60.0, now_value - rate * back)
            chrono = _months(pupil.dob, day)
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": "English",
                    "measure": "Reading age",
                    "value": _age_text(reading),
                    "expected": _age_text(chrono),
                    "taken_on": day,
                }
            )
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": "Maths",
                    "measure": "Standardised score",
                    "value": str(round(score_now - trend * back / 12)),
                    "expected": "100",
                    "taken_on": day,
                }
            )
        return rows
    for subject in ("English", "Maths"):
        target = rng.choice((3, 4, 4, 5)) if not hard else rng.choice((2, 3, 3, 4))
        now_grade = target - rng.choice((0, 1 / 3, 2 / 3, 1, 4 / 3))
        growth = rng.uniform(0.3, 1.0)  # grades a year
        for day in taken:
            back = _months(day, today)
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": subject,
                    "measure": "GCSE working-at grade",
                    "value": _grade(now_grade - growth * back / 12),
                    "expected": str(target),
                    "taken_on": day,
                }
            )
    return rows


__all__ = [
    "CATALOGUE",
    "GraduatedSummary",
    "add_graduated_history",
    "ascii_name",
    "is_school_day",
    "recent_terms",
    "report_pdf",
]
