"""The costed provision map: what each pupil's support actually cost, against £6,000.

An LA reading an EHC needs assessment request wants to see that the school has spent its
notional SEN budget — the first £6,000 per pupil per year (element 2) — and on what. A
plan says what was *meant* to happen; this map counts only what was delivered: sessions
staff logged as held (``DeliveredSession.delivered``) at which the pupil was marked
present (``SessionAttendance.attended``) with the minutes logged for them. A session
planned but never logged, logged as not delivered, or missed by the pupil costs nothing.

**The cost rule** is
:func:`sendesk.services.graduated.intervention_records.session_costs`, used here so every
screen prices a session the same way: a group's staff time is shared among the
pupils present — a pupil's share of a session is minutes attended ÷ 60 × the staff role's
cost per hour ÷ pupils present (so one-to-one time is the pupil's alone). It uses each
intervention's current cost per hour. Shares are summed per intervention and rounded half
up to whole pence once per line; area and grand totals add up the rounded lines, so a
printed map always adds up.

**Academic year** ``academic_year_start`` = 2024 means 1 September 2024 to 31 August 2025.

The pupil map names a child and their costs: it is the SENCo's (it goes into a request
pack). The whole-school map by intervention names nobody, so read-only accounts (SLT,
governors) may see it too. Each map reads in a fixed number of queries, however many
sessions were logged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import (
    DeliveredSession,
    Intervention,
    InterventionGroup,
)
from sendesk.rules.census import Area
from sendesk.rules.years import academic_year_of, year_label
from sendesk.services.actor import Actor
from sendesk.services.common import pupil_or_gone
from sendesk.services.graduated.costs import attended_rows_in, by_intervention
from sendesk.services.graduated.intervention_records import SessionCost, session_costs
from sendesk.services.permissions import Action, permit
from sendesk.services.school.settings import read_threshold

AREA_ORDER: tuple[str, ...] = (*(a.value for a in Area), "Other")


# --- academic years ----------------------------------------------------------------------


def academic_year_bounds(start_year: int) -> tuple[date, date]:
    """First and last day of the academic year starting in September of ``start_year``."""
    _check_year(start_year)
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def academic_year_label(start_year: int) -> str:
    """ "2024–25" for the year starting in September 2024."""
    return f"{start_year}–{(start_year + 1) % 100:02d}"


def _check_year(start_year: int) -> None:
    if isinstance(start_year, bool) or not isinstance(start_year, int):
        raise TypeError("academic_year_start is a calendar year (e.g. 2024)")
    if not 1990 <= start_year <= 2200:
        raise ValidationError(f"{start_year} is not an academic year SENDesk can map.")


def whole_pence(exact: float) -> int:
    """Whole pence, halves up (the tiny allowance absorbs float sums of thirds and such)."""
    return math.floor(exact + 0.5 + 1e-6)


def area_key(area: str) -> tuple[int, str]:
    """Sort key for an area of need: the Code of Practice's order, anything else after."""
    return (AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER), area)


def _priced(
    session: Session, first: date, last: date, pupil_id: int | None = None
) -> list[SessionCost]:
    """Every pupil's share of every session delivered in [first, last], priced."""
    return session_costs(attended_rows_in(session, pupil_id=pupil_id, start=first, end=last))


class _Hours:
    """``hours`` for a line or total that counts ``minutes``: kept in minutes so sums stay
    exact, shown in hours."""

    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


# --- one pupil ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionLine(_Hours):
    """One intervention on a pupil's map: what was delivered to them and what it cost."""

    intervention_id: int
    intervention: str
    area: str
    staff_role: str
    cost_per_hour_pence: int
    sessions_attended: int
    minutes: int
    cost_pence: int


@dataclass(frozen=True)
class AreaTotal(_Hours):
    """The hours and cost of everything delivered in one area of need."""

    area: str
    minutes: int
    cost_pence: int


@dataclass(frozen=True)
class PupilProvision:
    """A pupil's costed provision for one academic year, against the notional threshold."""

    pupil_id: int
    upn: str
    name: str
    year_group: int | None
    academic_year_start: int
    lines: tuple[ProvisionLine, ...]
    areas: tuple[AreaTotal, ...]
    total_minutes: int
    total_cost_pence: int
    threshold_pence: int

    @property
    def academic_year(self) -> str:
        return academic_year_label(self.academic_year_start)

    @property
    def year_group_label(self) -> str:
        return year_label(self.year_group)

    @property
    def total_hours(self) -> float:
        return self.total_minutes / 60

    @property
    def sessions_attended(self) -> int:
        return sum(line.sessions_attended for line in self.lines)

    @property
    def remainder_pence(self) -> int:
        """How much of the threshold is still unspent (0 once it is reached)."""
        return max(self.threshold_pence - self.total_cost_pence, 0)

    @property
    def excess_pence(self) -> int:
        """How far the cost goes beyond the threshold (0 below it)."""
        return max(self.total_cost_pence - self.threshold_pence, 0)

    @property
    def above_threshold(self) -> bool:
        return self.total_cost_pence > self.threshold_pence


def _roles(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Staff role and group size of the given interventions (one query)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Intervention.id, Intervention.staff_role, Intervention.group_size).where(
            Intervention.id.in_(ids)
        )
    )
    return {iid: (role, size) for iid, role, size in rows}


def pupil_provision(
    db: Database, actor: Actor, pupil_id: int, academic_year_start: int
) -> PupilProvision:
    """A pupil's costed provision map for an academic year, from logged sessions only.

    Four queries whatever the number of sessions: the pupil, the threshold setting, the
    priced attendance, and the interventions' staff roles.
    """
    permit(actor, Action.VIEW_PROVISION_COSTS)
    first, last = academic_year_bounds(academic_year_start)
    with db.session() as s:
        pupil = pupil_or_gone(s, pupil_id)
        threshold = read_threshold(s)
        priced = _priced(s, first, last, pupil_id)
        roles = _roles(s, sorted({c.row.intervention_id for c in priced}))
    lines = [
        ProvisionLine(
            intervention_id=c.intervention_id,
            intervention=c.intervention,
            area=c.area,
            staff_role=roles.get(c.intervention_id, ("", 1))[0],
            cost_per_hour_pence=c.cost_per_hour_pence,
            sessions_attended=c.sessions,
            minutes=c.minutes,
            cost_pence=whole_pence(c.pence),
        )
        for c in by_intervention(priced)
    ]
    lines.sort(key=lambda ln: (area_key(ln.area), ln.intervention.casefold()))
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        by_area[line.area][0] += line.minutes
        by_area[line.area][1] += line.cost_pence
    areas = tuple(
        AreaTotal(area, m, c)
        for area, (m, c) in sorted(by_area.items(), key=lambda kv: area_key(kv[0]))
    )
    return PupilProvision(
        pupil_id=pupil.id,
        upn=pupil.upn,
        name=pupil.display_name,
        year_group=pupil.year_group,
        academic_year_start=academic_year_start,
        lines=tuple(lines),
        areas=areas,
        total_minutes=sum(ln.minutes for ln in lines),
        total_cost_pence=sum(ln.cost_pence for ln in lines),
        threshold_pence=threshold,
    )


# --- the whole school -------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionLine:
    """One intervention on the whole-school map for a year.

    ``staff_minutes`` is the staff time delivered (each delivered session's minutes) and
    ``cost_pence`` what that time cost at the role's rate. ``allocated_pence`` is the part
    of it that pupils' own maps carry (their shares of the sessions they attended); it is
    less than the cost when a delivered session had nobody present, or pupils present for
    fewer minutes than the session ran.
    """

    intervention_id: int
    intervention: str
    area: str
    staff_role: str
    group_size: int
    cost_per_hour_pence: int
    pupils: int
    sessions_delivered: int
    staff_minutes: int
    pupil_minutes: int
    cost_pence: int
    allocated_pence: int

    @property
    def hours(self) -> float:
        """Staff hours delivered."""
        return self.staff_minutes / 60


# What a whole-school line shows of its intervention: selected and grouped by alike.
_LINE_COLUMNS = (
    Intervention.id,
    Intervention.name,
    Intervention.area,
    Intervention.staff_role,
    Intervention.group_size,
    Intervention.cost_per_hour_pence,
)


def school_provision(
    db: Database, actor: Actor, academic_year_start: int
) -> list[InterventionLine]:
    """The whole-school map by intervention for an academic year (two queries).

    Only interventions with at least one session logged as delivered in the year appear.
    """
    permit(actor, Action.VIEW_SCHOOL_COSTS)
    first, last = academic_year_bounds(academic_year_start)
    sessions = (
        select(
            *_LINE_COLUMNS,
            func.count(DeliveredSession.id),
            func.sum(DeliveredSession.minutes),
        )
        .select_from(DeliveredSession)
        .join(InterventionGroup, InterventionGroup.id == DeliveredSession.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(
            DeliveredSession.delivered.is_(True),
            DeliveredSession.held_on >= first,
            DeliveredSession.held_on <= last,
        )
        .group_by(*_LINE_COLUMNS)
    )
    with db.session() as s:
        delivered = s.execute(sessions).all()
        priced = _priced(s, first, last)
    pupils: dict[int, set[int]] = defaultdict(set)
    minutes: dict[int, int] = defaultdict(int)
    allocated: dict[int, float] = defaultdict(float)
    for cost in priced:
        iid = cost.row.intervention_id
        pupils[iid].add(cost.row.pupil_id)
        minutes[iid] += cost.row.minutes
        allocated[iid] += cost.cost_pence
    lines: list[InterventionLine] = []
    for iid, name, area, role, size, rate, n_sessions, staff_minutes in delivered:
        staff_minutes = int(staff_minutes or 0)
        lines.append(
            InterventionLine(
                intervention_id=iid,
                intervention=name,
                area=area,
                staff_role=role,
                group_size=size,
                cost_per_hour_pence=rate,
                pupils=len(pupils.get(iid, ())),
                sessions_delivered=int(n_sessions or 0),
                staff_minutes=staff_minutes,
                pupil_minutes=minutes.get(iid, 0),
                cost_pence=whole_pence(staff_minutes * rate / 60),
                allocated_pence=whole_pence(allocated.get(iid, 0.0)),
            )
        )
    lines.sort(key=lambda ln: (area_key(ln.area), ln.intervention.casefold()))
    return lines


__all__ = [
    "AREA_ORDER",
    "AreaTotal",
    "InterventionLine",
    "ProvisionLine",
    "PupilProvision",
    "academic_year_bounds",
    "academic_year_label",
    "academic_year_of",
    "pupil_provision",
    "school_provision",
]
