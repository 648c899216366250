"""Intervention groups, enrolments, measures and logged sessions over the last three
terms: planned whole from the catalogue and the pupils' needs, then written."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from sendesk.demo.graduated.catalogue import CATALOGUE, _Spec
from sendesk.demo.graduated.pupils import (
    _between,
    _EnrolPlan,
    _entry_value,
    _exit_value,
    _intervention_weights,
    _Pupil,
    _ratio,
    _weighted_pick,
)
from sendesk.demo.graduated.school_calendar import (
    _DAY,
    _at,
    _school_day_on_or_before,
    _school_days,
    _Term,
    _weekday_on_or_before,
    is_school_day,
    recent_terms,
)
from sendesk.demo.tables import load, tuples
from sendesk.services.graduated.intervention_records import GroupData
from sendesk.services.graduated.past_interventions import (
    PastEnrolment,
    PastGroup,
    PastMark,
    PastSession,
    record_past_interventions,
)
from sendesk.services.store.audit import AuditWriter

_TABLES = load("graduated")
"""The text tables of the graduated history: ``resources/demo/graduated.json``."""

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
    audit: AuditWriter,
    rng: random.Random,
    people: list[_Pupil],
    staff: dict[str, list[int]],
    spec_ids: dict[str, int],
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Plan the groups, their sessions and every mark, then record them through
    :func:`~sendesk.services.graduated.past_interventions.record_past_interventions`
    (checked like any other caller's, audited once)."""
    groups = _plan_groups(rng, people, staff, today)
    skipped, overrun = _left_to_do(groups, staff, today)
    # Sessions: every scheduled day up to yesterday; a few not delivered.
    planned: list[list[PastSession]] = []
    for g in groups:
        closed = set(g.closed)
        sessions: list[PastSession] = []
        for day in sorted([*g.days, *g.closed]):
            delivered = day not in closed and rng.random() >= 0.05
            reason = None
            if not delivered:
                reason = SCHOOL_CLOSED if day in closed else _pick(rng, NOT_DELIVERED)
            minutes = g.spec.minutes
            if delivered and rng.random() < 0.08:
                minutes -= rng.choice((5, 10))
            sessions.append(
                PastSession(
                    held_on=day,
                    delivered=delivered,
                    minutes=minutes if delivered else 0,
                    logged_at=_at(day, rng.randint(9 * 60, 16 * 60 + 30), now),
                    reason=reason,
                )
            )
        planned.append(sessions)
    # Then who came to each, group by group; the marks of the sessions left unlogged are
    # drawn all the same, so the other draws do not move.
    past: list[PastGroup] = []
    for n, (g, sessions) in enumerate(zip(groups, planned, strict=True)):
        members = [e for _, e in g.members]
        place = {id(e): i for i, e in enumerate(members)}
        marked = [
            replace(ps, marks=_marks(rng, g, members, place, ps)) if ps.delivered else ps
            for ps in sessions
        ]
        past.append(
            PastGroup(
                group=GroupData(
                    intervention_id=spec_ids[g.spec.key],
                    name=g.name,
                    staff_id=g.staff_id,
                    weekdays=g.weekdays,
                    start_date=g.start,
                    end_date=g.end,
                ),
                enrolments=tuple(
                    PastEnrolment(
                        pupil_id=pupil.id,
                        start=e.start,
                        planned_end=overrun[1] if e is overrun[0] else e.planned_end,
                        end=e.end,
                        entry_measure=e.entry,
                        entry_date=e.entry_date,
                        exit_measure=e.exit,
                        exit_date=e.end if e.exit is not None else None,
                        measures=tuple(e.mids),
                    )
                    for pupil, e in g.members
                ),
                sessions=tuple(ps for ps in marked if (n, ps.held_on) not in skipped),
            )
        )
    counts = record_past_interventions(session, audit, past, today=today)
    return {
        "groups": counts.groups,
        "enrolments": counts.enrolments,
        "measurements": counts.measurements,
        "sessions": counts.sessions,
        "session_marks": counts.session_marks,
    }


def _marks(
    rng: random.Random,
    g: _GroupPlan,
    members: list[_EnrolPlan],
    place: dict[int, int],
    ps: PastSession,
) -> tuple[PastMark, ...]:
    """Who came to a delivered session, who missed it and why, and a note now and then."""
    day, minutes = ps.held_on, ps.minutes
    general = NOTES[""]
    own = NOTES.get(g.spec.key, ())
    marks: list[PastMark] = []
    for e in members:
        if day < e.start or (e.end is not None and day > e.end):
            continue
        attended = rng.random() < e.attend
        note = ""
        if attended:
            late = minutes - 5 if rng.random() < 0.03 and minutes > 10 else minutes
            if rng.random() < 0.08:
                note = rng.choice(own if own and rng.random() < 0.6 else general)
            marks.append(PastMark(place[id(e)], True, late, None, note))
        else:
            reason = _pick(rng, MISSED)
            if reason == "absent" and rng.random() < 0.15:
                note = rng.choice(("Ill", "Medical appointment", "Off site with family"))
            marks.append(PastMark(place[id(e)], False, 0, reason, note))
    return tuple(marks)
