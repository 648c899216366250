"""The whole school's SEND figures for the governors: anonymised, over a period.

Why this module exists: governors are told every year how the school's pupils with SEND
are doing (the SEN information report, CoP 6.79; the governors' SEND report), and the
SENCo used to count it by hand from the register, the MIS and the LA's letters. Every
figure here is worked out from what SENDesk already keeps — the register's dated history,
the attendance and attainment records, the access arrangements and the EHC requests — in
one place, so the governors' PDF, the SEN information report and the figures page can
never disagree.

Anonymised twice over: no name, UPN or pupil id leaves this module (only counts and
percentages), and every count from 1 to 4 is suppressed to None — "fewer than 5" — by
:mod:`sendesk.services.school.statistics`. Counts that add up to others (the statuses to
the roll, the areas and the needs to the register, the year groups to the statuses, the
groups compared, the access arrangements, the 20-week deadlines met and missed) are
suppressed together by :func:`suppress_linked`, which hides more counts until no hidden
one can be worked out from the shown ones by subtraction; a count standing alone goes
through :func:`suppress_count`. A percentage of a group of fewer than 5 pupils is None
too. Callers print counts with :func:`sendesk.services.school.statistics.shown`.

The period: ``start`` to ``end`` (both days counted). ``end`` defaults to today and is
never later than today (figures are facts, not forecasts); ``start`` defaults to 1
September of the academic year ``end`` falls in. The register is counted as it stood on
the period's last day (:attr:`SchoolFigures.counted_on`), rebuilt from the dated history,
so a report for last year reads last year's register.

Who may run it: anyone who may see the school's anonymised figures
(:attr:`~sendesk.rules.permissions.Action.VIEW_SCHOOL_FIGURES`: the SENCo and the
read-only role among them). On a secured PostgreSQL server the row-level security lets a
login read only its own pupils' rows (the read-only login none at all), so figures worked
out by anyone but the SENCo would be quietly short: there only the SENCo may run it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import (
    AccessArrangement,
    AttainmentSnapshot,
    AttendanceRecord,
    EhcClockException,
    EhcRequest,
    Need,
    Pupil,
    RegisterEntry,
    School,
)
from sendesk.roles import Role
from sendesk.rules import attainment, jcq, timeline
from sendesk.rules.census import NEED_CODES, ON_REGISTER, Area, area_of
from sendesk.rules.census_check import census_days
from sendesk.services.access.records import APPROVED_STATUSES, is_live
from sendesk.services.actor import Actor
from sendesk.services.ehc.request_steps import case_facts
from sendesk.services.graduated.progress_data import percentage
from sendesk.services.graduated.provision_map import academic_year_label, academic_year_of
from sendesk.services.permissions import Action, permit
from sendesk.services.school.statistics import (
    OTHER_AREA,
    STATUSES,
    SUPPRESS_BELOW,
    Count,
    shown,
    suppress_count,
    suppress_linked,
)
from sendesk.services.store import pg_security

YEARS_OF_CHANGE = 3

SEN_SUPPORT = "SEN support"
EHC_PLAN = "EHC plan"
ALL_SEND = "All pupils with SEND"
NO_SEND = "Pupils without SEND"
WHOLE_SCHOOL = "Whole school"
GROUPS: tuple[str, ...] = (SEN_SUPPORT, EHC_PLAN, ALL_SEND, NO_SEND, WHOLE_SCHOOL)
"""The groups attendance and progress are compared across, in the order shown."""


# --- what the figures are ---------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFigures:
    """The register as it stood on ``counted_on``: pupils on roll that day.

    ``pupils`` is the whole roll (not suppressed: it identifies nobody). ``by_status`` is
    N (no SEN), K (SEN support) and E (EHC plan), suppressed as one row adding up to
    ``pupils``. ``by_area`` (the four broad areas and :data:`OTHER_AREA`) and ``by_need``
    (every census need code, in the DfE's order) count pupils on the register (K or E) by
    their primary need, each suppressed as one row. ``by_year`` is year group → N/K/E,
    each year a row of its own (-99 stands for no year group recorded).
    """

    counted_on: date
    pupils: int
    by_status: dict[str, Count]
    on_register: Count
    by_area: dict[str, Count]
    by_need: dict[str, Count]
    by_year: dict[int, dict[str, Count]]


@dataclass(frozen=True)
class YearChange:
    """One academic year of the register's history.

    ``support`` (K), ``plans`` (E) and ``on_register`` (both) are counted on
    ``counted_on``: the spring census day (the third Thursday of January, the census the
    DfE's SEN statistics are taken from), or the period's last day when that census day is
    still to come (``to_date`` is then True). ``joined`` counts pupils who came onto the
    register during the year (from N, or new to the school on it), ``left`` those who came
    off it (moved to N, or left the school while on it), up to the period's last day.
    """

    academic_year: int
    label: str
    counted_on: date
    to_date: bool
    support: Count
    plans: Count
    on_register: Count
    joined: Count
    left: Count


@dataclass(frozen=True)
class GroupOutcome:
    """Attendance and progress of one group (:data:`GROUPS`) over the period.

    Attendance: every term recorded that started in the period, the pupil's group read on
    the term's first day; ``attendance_percent`` is sessions attended ÷ possible, to one
    decimal place. Attainment: each pupil's subjects and measures with a snapshot taken in
    the period, the group read on the day of the latest; ``at_expected_percent`` is the
    share of those whose latest value meets the expected value written beside it,
    ``progress_percent`` the share (of those measured twice or more) whose latest value is
    above their first in the period — only values that can honestly be put in order count
    (:mod:`sendesk.rules.attainment`). The ``*_pupils`` counts say how many pupils each
    figure is drawn from; a percentage drawn from fewer than 5 pupils is None.
    """

    group: str
    attendance_pupils: Count
    attendance_percent: float | None
    attainment_pupils: Count
    at_expected_percent: float | None
    progress_pupils: Count
    progress_percent: float | None


@dataclass(frozen=True)
class AccessFigures:
    """Exam access arrangements in place now: approved in the centre or by the awarding
    body, not expired or withdrawn, for pupils who have not left. ``pupils`` have at least
    one; ``by_arrangement`` counts pupils per arrangement (JCQ's name), each on its own (a
    pupil may have several, so they add up to no total)."""

    counted_on: date
    pupils: Count
    by_arrangement: dict[str, Count]


@dataclass(frozen=True)
class EhcFigures:
    """EHC needs assessment requests and how the LA dealt with them, in the period.

    ``requests_made``: requests sent (or received by the LA) in the period.
    ``agreed_to_assess`` / ``refused_to_assess``: the LA's decisions dated in the period (a
    decision whose date was not recorded counts on the request's date).
    ``refused_to_issue``: assessed, then no plan, dated likewise. ``plans_issued``: final
    plans issued in the period.

    The 20-week deadline (reg 13(2): the final plan within 20 weeks of the LA receiving
    the request, :mod:`sendesk.rules.timeline`): ``deadlines`` counts those settled in the
    period — a final plan issued in it (``deadlines_met`` when on or before the deadline
    day) or a deadline day that passed in it with no plan (missed). A request the LA
    refused, or that was closed before its deadline, has no 20-week deadline.
    ``missed_with_exception``: of the missed, those with an exception recorded that the
    regulations allow (reg 13(3)), which the LA may rely on.
    """

    requests_made: Count
    agreed_to_assess: Count
    refused_to_assess: Count
    refused_to_issue: Count
    plans_issued: Count
    deadlines: Count
    deadlines_met: Count
    deadlines_missed: Count
    missed_with_exception: Count

    def deadlines_sentence(self) -> str:
        """The 20-week deadlines in one sentence, as the report and the Figures page lead
        with them: a hidden count is said in words of its own, never pasted in where a
        number belongs ("Not shown of the 7 deadlines…" read as nonsense)."""
        if self.deadlines == 0:
            return "No 20-week deadline fell in the period."
        if not isinstance(self.deadlines, int):
            return (
                f"{shown(self.deadlines).capitalize()} 20-week deadlines fell in the period; "
                "how many were met is not shown."
            )
        of_them = f"of the {self.deadlines:,} 20-week deadlines in the period"
        if self.deadlines_met is None:
            met = f"Fewer than 5 {of_them} were met"
        elif not isinstance(self.deadlines_met, int):
            return (
                f"How many {of_them} were met is not shown: it would let a count under 5 "
                "be worked out."
            )
        else:
            met = f"{self.deadlines_met:,} {of_them} were met"
        if self.deadlines_missed is None:
            return f"{met} (fewer than 5 missed)."
        if not isinstance(self.deadlines_missed, int) or self.deadlines_missed == 0:
            return f"{met}."
        return (
            f"{met} ({self.deadlines_missed:,} missed, {shown(self.missed_with_exception)} "
            "of them with an exception the regulations allow)."
        )


@dataclass(frozen=True)
class SchoolFigures:
    """Everything the governors' report and the SEN information report show, anonymised.

    ``school`` is the school's name. ``start`` and ``end`` are the period (``end`` no
    later than the day it was worked out); ``counted_on`` is the day the register and the
    access arrangements are counted on (``end``). ``changes`` holds the last
    :data:`YEARS_OF_CHANGE` academic years, oldest first, the last being the one ``end``
    falls in. ``outcomes`` follows :data:`GROUPS`.
    """

    school: str
    start: date
    end: date
    counted_on: date
    register: RegisterFigures
    changes: tuple[YearChange, ...]
    outcomes: tuple[GroupOutcome, ...]
    access: AccessFigures
    ehc: EhcFigures


# --- the register's history, pupil by pupil ---------------------------------------------


@dataclass
class _History:
    """One pupil's register history: effective (not voided) entries, oldest first."""

    year_group: int | None
    admitted: date | None
    left: date | None
    entries: list[tuple[date, date | None, str]]  # start, end, provision
    needs: list[tuple[date, date | None, str]]  # primary need: start, end, code

    def on_roll(self, day: date) -> bool:
        if self.left is not None and self.left < day:
            return False
        if self.admitted is not None:
            return self.admitted <= day
        # No admission date (an old import): on roll from the first register entry.
        return not self.entries or self.entries[0][0] <= day

    def status(self, day: date) -> str:
        """N, K or E on ``day`` (a pupil on roll with no entry in force is N)."""
        for start, end, provision in reversed(self.entries):
            if start <= day and (end is None or day < end):
                return provision
        return "N"

    def primary_need(self, day: date) -> str | None:
        for start, end, code in reversed(self.needs):
            if start <= day and (end is None or day < end):
                return code
        return None

    def year_on(self, day: date, today: date) -> int | None:
        """The year group on ``day``: the recorded one is today's (or the leaving day's)."""
        if self.year_group is None:
            return None
        now = min(today, self.left) if self.left else today
        return self.year_group - (academic_year_of(now) - academic_year_of(day))

    def moves(self) -> list[tuple[date, bool]]:
        """(day, came onto the register?) for each time the pupil came on or went off it."""
        points = [(start, provision in ON_REGISTER) for start, _end, provision in self.entries]
        if self.left is not None:
            points = [(d, on) for d, on in points if d <= self.left]
            points.append((self.left + timedelta(days=1), False))
        out: list[tuple[date, bool]] = []
        on = False
        for day, now_on in points:
            if now_on != on:
                out.append((day, now_on))
                on = now_on
        return out


def _histories(s: Session) -> dict[int, _History]:
    """Every pupil's history: three queries, no names read."""
    pupils = {
        pid: _History(year, admitted, left, [], [])
        for pid, year, admitted, left in s.execute(
            select(Pupil.id, Pupil.year_group, Pupil.admission_date, Pupil.leaving_date)
        )
    }
    for pid, start, end, provision in s.execute(
        select(
            RegisterEntry.pupil_id,
            RegisterEntry.start_date,
            RegisterEntry.end_date,
            RegisterEntry.provision,
        )
        .where(RegisterEntry.voided_at.is_(None))
        .order_by(RegisterEntry.start_date, RegisterEntry.id)
    ):
        pupils[pid].entries.append((start, end, provision))
    for pid, start, end, code in s.execute(
        select(Need.pupil_id, Need.start_date, Need.end_date, Need.code)
        .where(Need.rank == 1)
        .order_by(Need.start_date, Need.id)
    ):
        pupils[pid].needs.append((start, end, code))
    return pupils


def _group_of(status: str) -> tuple[str, ...]:
    if status == "K":
        return (SEN_SUPPORT, ALL_SEND, WHOLE_SCHOOL)
    if status == "E":
        return (EHC_PLAN, ALL_SEND, WHOLE_SCHOOL)
    return (NO_SEND, WHOLE_SCHOOL)


# --- each section -------------------------------------------------------------------------


def _register(pupils: dict[int, _History], day: date, today: date) -> RegisterFigures:
    statuses: dict[str, int] = dict.fromkeys(STATUSES, 0)
    areas: dict[str, int] = {a.value: 0 for a in Area} | {OTHER_AREA: 0}
    needs: dict[str, int] = dict.fromkeys(NEED_CODES, 0)
    years: dict[int, dict[str, int]] = {}
    roll = 0
    for history in pupils.values():
        if not history.on_roll(day):
            continue
        roll += 1
        status = history.status(day)
        statuses[status] = statuses.get(status, 0) + 1
        year = history.year_on(day, today)
        row = years.setdefault(year if year is not None else -99, dict.fromkeys(STATUSES, 0))
        row[status] = row.get(status, 0) + 1
        if status in ON_REGISTER:
            code = history.primary_need(day)
            area = area_of(code) if code in NEED_CODES else None
            areas[area.value if area else OTHER_AREA] += 1
            if code in needs:
                needs[code] += 1
    cells, sums = _register_cells(roll, statuses, areas, needs, years)
    out = suppress_linked(cells, sums, public={ROLL, *(("roll", y) for y in years)})
    return RegisterFigures(
        counted_on=day,
        pupils=roll,
        by_status={k: out[("status", k)] for k in statuses},
        on_register=out[ON],
        by_area={a: out[("area", a)] for a in areas},
        by_need={c: out[("need", c)] for c in needs},
        by_year={y: {k: out[("year", y, k)] for k in row} for y, row in sorted(years.items())},
    )


ROLL = ("roll",)
ON = ("on register",)


def _register_cells(
    roll: int,
    statuses: dict[str, int],
    areas: dict[str, int],
    needs: dict[str, int],
    years: dict[int, dict[str, int]],
) -> tuple[dict[tuple[object, ...], int], list[tuple[tuple[object, ...], list[Any]]]]:
    """The register's counts as one linked table for :func:`suppress_linked`, with every
    sum a reader could use: the roll is N + K + E; the register is K + E, and is the sum of
    the areas; each area is the sum of its needs (the "other" area taken to be the sum of
    the needs in no area, though it also holds pupils with no census need: assuming more
    sums only hides more); each status is the sum of its column of year groups, and each
    year group's roll (public: it is in the school census) the sum of its row."""
    cells: dict[tuple[object, ...], int] = {ROLL: roll, ON: statuses["K"] + statuses["E"]}
    cells |= {("status", k): n for k, n in statuses.items()}
    cells |= {("area", a): n for a, n in areas.items()}
    cells |= {("need", c): n for c, n in needs.items()}
    for y, row in years.items():
        cells[("roll", y)] = sum(row.values())
        cells |= {("year", y, k): n for k, n in row.items()}
    in_area: dict[str, list[Any]] = {a: [] for a in areas}
    for code in needs:
        area = area_of(code)
        in_area[area.value if area else OTHER_AREA].append(("need", code))
    sums: list[tuple[tuple[object, ...], list[Any]]] = [
        (ROLL, [("status", k) for k in statuses]),
        (ON, [("status", "K"), ("status", "E")]),
        (ON, [("area", a) for a in areas]),
        *((("area", a), parts) for a, parts in in_area.items()),
        *((("status", k), [("year", y, k) for y in years]) for k in statuses),
        *((("roll", y), [("year", y, k) for k in row]) for y, row in years.items()),
    ]
    return cells, sums


def spring_census_day(academic_year: int) -> date:
    """The spring census day of an academic year: the third Thursday of the January."""
    return census_days(academic_year + 1)[0]


def _changes(
    pupils: dict[int, _History], end: date, register: RegisterFigures
) -> tuple[YearChange, ...]:
    last = academic_year_of(end)
    moves = [history.moves() for history in pupils.values()]
    out: list[YearChange] = []
    for year in range(last - YEARS_OF_CHANGE + 1, last + 1):
        census = spring_census_day(year)
        day = min(census, end)
        counts = {"K": 0, "E": 0}
        for history in pupils.values():
            if history.on_roll(day):
                status = history.status(day)
                if status in counts:
                    counts[status] += 1
        first, final = date(year, 9, 1), min(date(year + 1, 8, 31), end)
        joined = sum(1 for m in moves if any(on and first <= d <= final for d, on in m))
        left = sum(1 for m in moves if any(not on and first <= d <= final for d, on in m))
        if day == register.counted_on:
            # The register's own day: the same counts, hidden as the register hides them
            # (hidden differently, one table would give away what the other hides).
            shown = {k: register.by_status[k] for k in counts}
            on_register = register.on_register
        else:
            cells = {**counts, "on": counts["K"] + counts["E"]}
            shown = suppress_linked(cells, [("on", ["K", "E"])])
            on_register = shown["on"]
        out.append(
            YearChange(
                academic_year=year,
                label=academic_year_label(year),
                counted_on=day,
                to_date=day < census,
                support=shown["K"],
                plans=shown["E"],
                on_register=on_register,
                joined=suppress_count(joined),
                left=suppress_count(left),
            )
        )
    return tuple(out)


def _share(hits: int, of: int, pupils: int) -> float | None:
    """A percentage, or None when drawn from fewer than 5 pupils (or from nothing)."""
    if of == 0 or pupils < SUPPRESS_BELOW:
        return None
    return percentage(hits, of)


def _outcomes(
    s: Session, pupils: dict[int, _History], start: date, end: date
) -> tuple[GroupOutcome, ...]:
    attended: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    attending: dict[str, set[int]] = {g: set() for g in GROUPS}
    for pid, term_start, possible, present in s.execute(
        select(
            AttendanceRecord.pupil_id,
            AttendanceRecord.term_start,
            AttendanceRecord.possible_sessions,
            AttendanceRecord.attended_sessions,
        ).where(AttendanceRecord.term_start >= start, AttendanceRecord.term_start <= end)
    ):
        for group in _group_of(pupils[pid].status(term_start)):
            attended[group][0] += present
            attended[group][1] += possible
            attending[group].add(pid)

    measures: dict[tuple[int, str, str], list[tuple[date, int, str, str]]] = defaultdict(list)
    for sid, pid, subject, measure, value, expected, taken_on in s.execute(
        select(
            AttainmentSnapshot.id,
            AttainmentSnapshot.pupil_id,
            AttainmentSnapshot.subject,
            AttainmentSnapshot.measure,
            AttainmentSnapshot.value,
            AttainmentSnapshot.expected,
            AttainmentSnapshot.taken_on,
        ).where(AttainmentSnapshot.taken_on >= start, AttainmentSnapshot.taken_on <= end)
    ):
        measures[(pid, subject.casefold(), measure.casefold())].append(
            (taken_on, sid, value, expected)
        )
    met: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    met_pupils: dict[str, set[int]] = {g: set() for g in GROUPS}
    moved: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    moved_pupils: dict[str, set[int]] = {g: set() for g in GROUPS}
    for (pid, _subject, _measure), snaps in measures.items():
        snaps.sort()
        latest, first = snaps[-1], snaps[0]
        groups = _group_of(pupils[pid].status(latest[0]))
        meets = attainment.at_or_above(latest[2], latest[3])
        order = attainment.compare(latest[2], first[2]) if first[0] < latest[0] else None
        for group in groups:
            if meets is not None:
                met[group][0] += meets
                met[group][1] += 1
                met_pupils[group].add(pid)
            if order is not None:
                moved[group][0] += order > 0
                moved[group][1] += 1
                moved_pupils[group].add(pid)
    shown_attending = _group_counts(attending)
    shown_met = _group_counts(met_pupils)
    shown_moved = _group_counts(moved_pupils)
    return tuple(
        GroupOutcome(
            group=g,
            attendance_pupils=shown_attending[g],
            attendance_percent=_share(attended[g][0], attended[g][1], len(attending[g])),
            attainment_pupils=shown_met[g],
            at_expected_percent=_share(met[g][0], met[g][1], len(met_pupils[g])),
            progress_pupils=shown_moved[g],
            progress_percent=_share(moved[g][0], moved[g][1], len(moved_pupils[g])),
        )
        for g in GROUPS
    )


GROUP_SUMS: tuple[tuple[str, list[str]], ...] = (
    (ALL_SEND, [SEN_SUPPORT, EHC_PLAN]),
    (WHOLE_SCHOOL, [ALL_SEND, NO_SEND]),
)
"""How the groups' pupil counts add up, as a reader would take them (a pupil whose
status changed between terms is in both K and E but once in all pupils with SEND: taking
the sums as exact only hides more)."""


def _group_counts(pupils: dict[str, set[int]]) -> dict[str, Count]:
    """How many pupils each group's figure is drawn from, as one linked table."""
    return suppress_linked({g: len(pupils[g]) for g in GROUPS}, GROUP_SUMS)


def _access(s: Session, day: date) -> AccessFigures:
    holders: dict[str, set[int]] = {a.name: set() for a in jcq.ARRANGEMENTS.values()}
    for pid, key, status, expires in s.execute(
        select(
            AccessArrangement.pupil_id,
            AccessArrangement.arrangement,
            AccessArrangement.status,
            AccessArrangement.expires_on,
        )
        .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
        .where(AccessArrangement.status.in_(APPROVED_STATUSES))
        .where(or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= day))
    ):
        if is_live(status, expires, day):
            found = jcq.ARRANGEMENTS.get(key)
            holders.setdefault(found.name if found else key, set()).add(pid)
    everyone = set().union(*holders.values()) if holders else set()
    return AccessFigures(
        counted_on=day,
        **_access_counts(len(everyone), {k: len(v) for k, v in holders.items() if v}),
    )


def _access_counts(pupils: int, held: dict[str, int]) -> dict[str, Any]:
    """The pupils with an arrangement and those with each, as one linked table: a pupil
    may have several, so they add up to no less than the pupils; a reader taking them as
    adding up exactly could narrow a hidden one down, so the table is hidden as if they
    did."""
    total = ("pupils",)
    cells: dict[Any, int] = {total: pupils, **held}
    out = suppress_linked(cells, [(total, list(held))])
    return {"pupils": out[total], "by_arrangement": {k: out[k] for k in held}}


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _ehc(s: Session, start: date, end: date) -> EhcFigures:
    exceptions: dict[int, list[EhcClockException]] = defaultdict(list)
    for exc in s.scalars(select(EhcClockException).order_by(EhcClockException.id)):
        exceptions[exc.request_id].append(exc)
    n = dict.fromkeys(
        (
            "made",
            "agreed",
            "refused",
            "no_plan",
            "issued",
            "deadlines",
            "met",
            "missed",
            "excused",
        ),
        0,
    )
    for row in s.scalars(select(EhcRequest).order_by(EhcRequest.id)):
        made_on = row.sent_on or row.received_on
        n["made"] += _within(made_on, start, end)
        if row.decided_to_assess is not None:
            decided = _within(row.decision_to_assess_on or made_on, start, end)
            n["agreed" if row.decided_to_assess else "refused"] += decided
        if row.decided_to_assess and row.decided_to_issue is False:
            n["no_plan"] += _within(row.decision_to_issue_on or made_on, start, end)
        n["issued"] += _within(row.final_issued_on, start, end)
        facts = case_facts(row, exceptions[row.id], reasons=False)
        if facts is None:
            continue
        seen = min(end, row.closed_on) if row.closed_on else end
        mark = next(m for m in timeline.milestones(facts, seen) if m.key == "final_plan")
        if mark.status == "not applicable":
            continue  # refused: the clock stopped, there is no 20-week deadline
        if row.final_issued_on is not None:
            if not _within(row.final_issued_on, start, end):
                continue
            on_time = row.final_issued_on <= mark.due
        elif start <= mark.due < seen:
            on_time = False
        else:
            continue  # still to come, or closed before its deadline day
        n["deadlines"] += 1
        if on_time:
            n["met"] += 1
        else:
            n["missed"] += 1
            n["excused"] += mark.status == "extended" or "exception" in mark.note
    return EhcFigures(
        requests_made=suppress_count(n["made"]),
        agreed_to_assess=suppress_count(n["agreed"]),
        refused_to_assess=suppress_count(n["refused"]),
        refused_to_issue=suppress_count(n["no_plan"]),
        plans_issued=suppress_count(n["issued"]),
        **_met_or_missed(n["met"], n["missed"]),
        missed_with_exception=suppress_count(n["excused"]),
    )


def _met_or_missed(met: int, missed: int) -> dict[str, Count]:
    """The deadlines, met and missed: one linked table (met + missed = deadlines)."""
    row = suppress_linked(
        {"deadlines": met + missed, "met": met, "missed": missed},
        [("deadlines", ["met", "missed"])],
    )
    return {
        "deadlines": row["deadlines"],
        "deadlines_met": row["met"],
        "deadlines_missed": row["missed"],
    }


# --- the figures --------------------------------------------------------------------------


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period as the figures count it: ``end`` (default today) no later than today,
    ``start`` (default 1 September of ``end``'s academic year) no later than ``end``."""
    for label, value in (("start", start), ("end", end)):
        if value is not None and not isinstance(value, date):
            raise TypeError(f"the period's {label} must be a date")
    last = min(end, today) if end is not None else today
    first = start if start is not None else date(academic_year_of(last), 9, 1)
    if first > last:
        raise ValidationError(
            f"The period's start ({first:%d/%m/%Y}) is after its end ({last:%d/%m/%Y})."
        )
    return first, last


def _check_reader(s: Session, db: Database, actor: Actor) -> None:
    if not db.is_file and actor.role is not Role.SENCO and pg_security.is_secured(s):
        raise PermissionDeniedError(
            "On this PostgreSQL server only the SENCo can work out the school's figures: "
            "other logins may not read every pupil's records they are counted from."
        )


def school_figures(
    db: Database,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> SchoolFigures:
    """The school's SEND figures for ``start``–``end`` (see the module's docstring).

    ``today`` is for tests and for reports dated on another day; it defaults to the date.
    Reads only: nothing is written and no audit event is made (no pupil is shown).
    """
    permit(actor, Action.VIEW_SCHOOL_FIGURES)
    today = today or date.today()
    first, last = period(start, end, today)
    with db.session() as s:
        _check_reader(s, db, actor)
        pupils = _histories(s)
        register = _register(pupils, last, today)
        return SchoolFigures(
            school=s.scalar(select(School.name).order_by(School.id)) or "",
            start=first,
            end=last,
            counted_on=last,
            register=register,
            changes=_changes(pupils, last, register),
            outcomes=_outcomes(s, pupils, first, last),
            access=_access(s, last),
            ehc=_ehc(s, first, last),
        )


def counts_of(figures: SchoolFigures) -> Iterable[Count]:
    """Every count the figures publish (a test checks none is from 1 to 4)."""
    r = figures.register
    yield from (r.pupils, r.on_register)
    for row in (r.by_status, r.by_area, r.by_need, *r.by_year.values()):
        yield from row.values()
    for c in figures.changes:
        yield from (c.support, c.plans, c.on_register, c.joined, c.left)
    for o in figures.outcomes:
        yield from (o.attendance_pupils, o.attainment_pupils, o.progress_pupils)
    yield figures.access.pupils
    yield from figures.access.by_arrangement.values()
    e = figures.ehc
    yield from (
        e.requests_made,
        e.agreed_to_assess,
        e.refused_to_assess,
        e.refused_to_issue,
        e.plans_issued,
        e.deadlines,
        e.deadlines_met,
        e.deadlines_missed,
        e.missed_with_exception,
    )


__all__ = [
    "ALL_SEND",
    "EHC_PLAN",
    "GROUPS",
    "NO_SEND",
    "OTHER_AREA",
    "SEN_SUPPORT",
    "WHOLE_SCHOOL",
    "AccessFigures",
    "EhcFigures",
    "GroupOutcome",
    "RegisterFigures",
    "SchoolFigures",
    "YearChange",
    "counts_of",
    "period",
    "school_figures",
    "spring_census_day",
]
