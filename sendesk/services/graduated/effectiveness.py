"""Intervention effectiveness: per programme, who took part, how far they moved, what it
cost, and what a unit of that progress cost (issue 16).

Why this module exists: a governor or head teacher asks of each intervention "does it work,
and is it worth the money?". The answer has to use the arithmetic the rest of the app uses,
or the report and the pupil's record would disagree:

- **progress** is each enrolment's progress exactly as the progress view and the request
  pack read it (:func:`sendesk.services.graduated.enrolments.progress_where`): the entry
  measure against the exit measure, or against the latest measure while the pupil is still
  in the group ("so far"), judged by :func:`sendesk.rules.progress.verdict` — a ratio gain
  for an age-equivalent measure, a change in points for a standardised score or a rating;
- **hours and cost** come from attendance, as the provision map counts them
  (:func:`sendesk.services.graduated.costs.attended_rows_in` priced by
  :func:`sendesk.services.graduated.intervention_records.session_costs`): a pupil's share of
  a session is the minutes attended × the staff role's cost per hour ÷ the pupils present.
  Each enrolment's cost is rounded to whole pence once; an intervention's cost adds its
  enrolments' rounded costs and the school's adds the interventions', so a printed table
  always adds up.

**The unit of progress** depends on the intervention's kind of measure, and is named on
every row (:attr:`InterventionEffect.unit`):

- age-equivalent measures (reading age, spelling age): a **month of catch-up** — months
  gained on the measure beyond the months that passed between the two measures (months
  gained − months elapsed, i.e. (ratio gain − 1) × months elapsed). A pupil with a ratio
  gain of 1.0 kept pace with the calendar and caught up nothing, so counting every month
  gained would credit the intervention with growing up;
- standardised scores: a **standard-score point** (exit − entry);
- rating scales: a **point on the school's scale** (the intervention's measure, named).

Cost per unit of progress is the cost of the enrolments whose progress could be measured
(an entry measure and a later one) ÷ the progress they made, in that unit, added up (a pupil
who went backwards counts against the gains). When nothing was measured, or the sum is not
above zero, there is no cost per unit: the row says "no measured progress" — never a
division by zero, never a negative price.

**The period** [start, end] (both optional, inclusive): an enrolment is in the report when
it overlaps the period or attended a session in it; hours and cost count only sessions held
in the period; progress is the enrolment's whole progress (measures are not cut at the
period's edges: a ratio gain over half a measure means nothing).

**Who may run it**: the action is :attr:`Action.VIEW_SCHOOL_COSTS` (the whole-school
provision map's), so the SENCo and the read-only role (SLT, governors) may, teachers and
learning support may not. Pupils are named only for callers who may see every pupil's
interventions by name (the SENCo); for the read-only role every pupil line is unnamed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import DeliveredSession, Enrolment, Intervention, InterventionGroup
from sendesk.rules import progress as rules
from sendesk.rules.permissions import Scope
from sendesk.services.actor import Actor
from sendesk.services.graduated.costs import attended_rows_in
from sendesk.services.graduated.enrolments import progress_where
from sendesk.services.graduated.intervention_records import (
    MeasurePoint,
    Progress,
    folded,
    pounds,
    session_costs,
)
from sendesk.services.graduated.provision_map import area_key, whole_pence
from sendesk.services.permissions import Action, permit, scope_of

ProgressCallback = Callable[[int, int], object]
"""``progress(done, total)``, called as the report's steps finish (a terminal's percentage)."""

CATCH_UP_MONTH = "month of catch-up"
SCORE_POINT = "standard-score point"
NO_MEASURED_PROGRESS = "no measured progress"

UNIT_EXPLAINED: dict[str, str] = {
    rules.AGE_MONTHS: (
        "a month of catch-up is a month gained on the age measure beyond the months that "
        "passed between the two measures (months gained − months elapsed; a ratio gain of "
        "1.0 is no catch-up)"
    ),
    rules.STANDARDISED: "a standard-score point is one point of change in the standardised "
    "score (exit − entry)",
    rules.RATING: "a point on a rating scale is one point of change on the intervention's own "
    "measure, read as higher is better",
}


def unit_of(measure_kind: str, measure: str) -> str:
    """The unit an intervention's progress is counted in, in words (singular)."""
    if measure_kind == rules.AGE_MONTHS:
        return CATCH_UP_MONTH
    if measure_kind == rules.STANDARDISED:
        return SCORE_POINT
    return f"point of {measure.strip()}" if measure.strip() else "rating point"


def _entry_and_last(p: Progress) -> tuple[MeasurePoint | None, MeasurePoint | None]:
    """The entry measure and the one it is judged against (the exit, else the latest), as
    :func:`sendesk.services.graduated.enrolments._progress` picks them."""
    entry = next((pt for pt in p.points if pt.label == "entry"), None)
    exit_point = next((pt for pt in p.points if pt.label == "exit"), None)
    last = exit_point or (p.points[-1] if p.points and p.points[-1] is not entry else None)
    return entry, last


def progress_units(p: Progress) -> float | None:
    """How much progress an enrolment made, in its intervention's unit; None when it could
    not be measured (no entry measure, no later one, or both on one date)."""
    v = p.verdict
    if v is None or v.band is None:
        return None
    entry, last = _entry_and_last(p)
    if entry is None or last is None:
        return None
    if p.measure_kind == rules.AGE_MONTHS:
        return (last.value - entry.value) - rules.months_elapsed(entry.on, last.on)
    return rules.score_change(entry.value, last.value)


# --- what the report returns ----------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentEffect:
    """One pupil's time in one intervention: the measures, the progress, the cost.

    ``pupil`` is the pupil's name, or None when the caller may not see names. ``figure`` is
    the ratio gain (to 0.1) for an age measure, the change in points otherwise (None: not
    measured); ``units`` the progress in the intervention's unit (see :func:`progress_units`).
    """

    enrolment_id: int
    pupil: str | None
    group: str
    start_date: date
    end_date: date | None
    entry: str
    entry_date: date | None
    latest: str
    latest_date: date | None
    final: bool
    figure: float | None
    band: str | None
    units: float | None
    verdict: str
    attended_sessions: int
    attended_minutes: int
    cost_pence: int

    @property
    def measured(self) -> bool:
        return self.units is not None

    @property
    def attended_hours(self) -> float:
        return self.attended_minutes / 60


def _per(total_pence: int, count: float) -> int | None:
    return whole_pence(total_pence / count) if count > 0 else None


class _TimeAndCost:
    """Staff and pupil time in hours, and the cost per pupil: the same sums on an
    intervention's row and on the whole school's."""

    pupils: int
    delivered_minutes: int
    attended_minutes: int
    cost_pence: int

    @property
    def delivered_hours(self) -> float:
        return self.delivered_minutes / 60

    @property
    def attended_hours(self) -> float:
        return self.attended_minutes / 60

    @property
    def cost_per_pupil_pence(self) -> int | None:
        return _per(self.cost_pence, self.pupils)


@dataclass(frozen=True)
class InterventionEffect(_TimeAndCost):
    """One catalogue intervention over the period: one row of the report."""

    intervention_id: int
    name: str
    area: str
    measure: str
    measure_kind: str
    staff_role: str
    cost_per_hour_pence: int
    enrolments: tuple[EnrolmentEffect, ...]
    pupils: int
    delivered_sessions: int
    delivered_minutes: int
    """Staff time: the minutes of the sessions logged as delivered in the period."""

    @property
    def unit(self) -> str:
        return unit_of(self.measure_kind, self.measure)

    @property
    def unit_explained(self) -> str:
        return UNIT_EXPLAINED.get(self.measure_kind, UNIT_EXPLAINED[rules.RATING])

    @property
    def attended_minutes(self) -> int:
        """Pupil time: the minutes each pupil was logged present, added up."""
        return sum(e.attended_minutes for e in self.enrolments)

    @property
    def cost_pence(self) -> int:
        return sum(e.cost_pence for e in self.enrolments)

    @property
    def measured(self) -> tuple[EnrolmentEffect, ...]:
        """The enrolments whose progress could be measured."""
        return tuple(e for e in self.enrolments if e.measured)

    @property
    def progress_units(self) -> float | None:
        """The measured enrolments' progress added up, in :attr:`unit` (None: none)."""
        measured = self.measured
        return sum(e.units or 0.0 for e in measured) if measured else None

    @property
    def measured_cost_pence(self) -> int:
        return sum(e.cost_pence for e in self.measured)

    @property
    def mean_figure(self) -> float | None:
        """The average ratio gain (age measures) or change in points of the measured
        enrolments, to one decimal place."""
        figures = [e.figure for e in self.measured if e.figure is not None]
        if not figures:
            return None
        return rules.round_ratio(sum(figures) / len(figures))

    @property
    def cost_per_unit_pence(self) -> int | None:
        """Cost of the measured enrolments ÷ their progress; None with no progress above 0."""
        units = self.progress_units
        if units is None or units <= 0 or math.isclose(units, 0.0, abs_tol=1e-9):
            return None
        return whole_pence(self.measured_cost_pence / units)

    @property
    def cost_per_unit_text(self) -> str:
        """ "£12.34 per month of catch-up", or "no measured progress"."""
        pence = self.cost_per_unit_pence
        if pence is None:
            return NO_MEASURED_PROGRESS
        return f"{pounds(pence)} per {self.unit}"


@dataclass(frozen=True)
class EffectivenessTotal(_TimeAndCost):
    """The whole school's row: every intervention in the report together.

    Progress is not added across interventions: their units differ (months, points).
    """

    pupils: int
    enrolments: int
    measured: int
    delivered_sessions: int
    delivered_minutes: int
    attended_minutes: int
    cost_pence: int


@dataclass(frozen=True)
class EffectivenessReport:
    """The report: one row per intervention (by area of need, then name), and the total."""

    start: date | None
    end: date | None
    named: bool
    """Whether pupil lines carry names (the caller may see named pupils)."""
    rows: tuple[InterventionEffect, ...]
    total: EffectivenessTotal

    @property
    def period_text(self) -> str:
        """ "1 September 2025 to 31 August 2026", "up to …", "from …", or "all dates"."""
        if self.start and self.end:
            return f"{long_date(self.start)} to {long_date(self.end)}"
        if self.start:
            return f"from {long_date(self.start)}"
        if self.end:
            return f"up to {long_date(self.end)}"
        return "all dates"


def long_date(day: date) -> str:
    """7 December 2026."""
    return f"{day.day} {day:%B %Y}"


# --- the service ----------------------------------------------------------------------------


def check_period(start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts, in one sentence."""
    if start is not None and end is not None and start > end:
        raise ValidationError(
            f"The period starts on {start:%d/%m/%Y}, after it ends on {end:%d/%m/%Y}: "
            "give a start date on or before the end date."
        )


def intervention_effectiveness(
    db: Database,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: ProgressCallback | None = None,
) -> EffectivenessReport:
    """Each intervention's pupils, progress, hours and cost over [start, end].

    A fixed number of queries however many pupils and sessions: the priced attendance, the
    sessions delivered, the enrolments in the period, their progress (two).
    """
    permit(actor, Action.VIEW_SCHOOL_COSTS)
    check_period(start, end)
    named = scope_of(actor.role, Action.VIEW_INTERVENTIONS) is Scope.ALL
    steps = 4

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    with db.session() as s:
        priced = session_costs(attended_rows_in(s, start=start, end=end))
        tick(1)
        sessions = select(
            InterventionGroup.intervention_id,
            DeliveredSession.minutes,
        ).join(InterventionGroup, InterventionGroup.id == DeliveredSession.group_id)
        sessions = sessions.where(DeliveredSession.delivered.is_(True))
        if start is not None:
            sessions = sessions.where(DeliveredSession.held_on >= start)
        if end is not None:
            sessions = sessions.where(DeliveredSession.held_on <= end)
        delivered: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # sessions, minutes
        for iid, minutes in s.execute(sessions):
            delivered[iid][0] += 1
            delivered[iid][1] += minutes
        tick(2)
        overlap = []
        if end is not None:
            overlap.append(Enrolment.start_date <= end)
        if start is not None:
            overlap.append(or_(Enrolment.end_date.is_(None), Enrolment.end_date >= start))
        attended_ids = sorted({c.row.enrolment_id for c in priced})
        in_period = and_(*overlap) if overlap else Enrolment.id.is_not(None)
        if attended_ids:
            in_period = or_(in_period, Enrolment.id.in_(attended_ids))
        found = progress_where(s, in_period, rules.DEFAULT_SCORE_BANDS)
        tick(3)
        enrolled = (
            s.execute(
                select(Enrolment.id, Enrolment.pupil_id, InterventionGroup.intervention_id)
                .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
                .where(Enrolment.id.in_(list(found)))
            ).all()
            if found
            else []
        )
        ids = {iid for _, _, iid in enrolled} | set(delivered)
        catalogue = {
            i.id: i
            for i in (
                s.scalars(select(Intervention).where(Intervention.id.in_(ids))).all() if ids else []
            )
        }
        tick(4)

    cost: dict[int, float] = defaultdict(float)
    minutes: dict[int, int] = defaultdict(int)
    sessions_attended: dict[int, int] = defaultdict(int)
    for c in priced:
        eid = c.row.enrolment_id
        cost[eid] += c.cost_pence
        minutes[eid] += c.row.minutes
        sessions_attended[eid] += 1
    pupils_of: dict[int, set[int]] = defaultdict(set)
    enrolments_of: dict[int, list[EnrolmentEffect]] = defaultdict(list)
    for eid, pupil_id, iid in enrolled:
        pupils_of[iid].add(pupil_id)
        enrolments_of[iid].append(
            _enrolment_effect(found[eid], named, sessions_attended[eid], minutes[eid], cost[eid])
        )
    rows: list[InterventionEffect] = []
    for iid, i in catalogue.items():
        lines = sorted(
            enrolments_of.get(iid, []),
            key=lambda e: (
                folded(e.group),
                folded(e.pupil or "") if named else "",
                e.start_date,
                e.enrolment_id,
            ),
        )
        rows.append(
            InterventionEffect(
                intervention_id=iid,
                name=i.name,
                area=i.area,
                measure=i.measure,
                measure_kind=i.measure_kind,
                staff_role=i.staff_role,
                cost_per_hour_pence=i.cost_per_hour_pence,
                enrolments=tuple(lines),
                pupils=len(pupils_of.get(iid, ())),
                delivered_sessions=delivered.get(iid, [0, 0])[0],
                delivered_minutes=delivered.get(iid, [0, 0])[1],
            )
        )
    rows.sort(key=lambda r: (area_key(r.area), r.name.casefold()))
    total = EffectivenessTotal(
        pupils=len({p for _, p, _ in enrolled}),
        enrolments=sum(len(r.enrolments) for r in rows),
        measured=sum(len(r.measured) for r in rows),
        delivered_sessions=sum(r.delivered_sessions for r in rows),
        delivered_minutes=sum(r.delivered_minutes for r in rows),
        attended_minutes=sum(r.attended_minutes for r in rows),
        cost_pence=sum(r.cost_pence for r in rows),
    )
    return EffectivenessReport(start, end, named, tuple(rows), total)


def _enrolment_effect(
    p: Progress, named: bool, sessions: int, minutes: int, cost_pence: float
) -> EnrolmentEffect:
    entry, last = _entry_and_last(p)
    units = progress_units(p)
    v = p.verdict
    return EnrolmentEffect(
        enrolment_id=p.enrolment_id,
        pupil=p.pupil_name if named else None,
        group=p.group_name,
        start_date=p.start_date,
        end_date=p.end_date,
        entry=p.formatted(entry.value) if entry else "",
        entry_date=entry.on if entry else None,
        latest=p.formatted(last.value) if last else "",
        latest_date=last.on if last else None,
        final=p.final,
        figure=v.figure if v is not None and units is not None else None,
        band=v.band if v is not None else None,
        units=units,
        verdict=p.verdict_text,
        attended_sessions=sessions,
        attended_minutes=minutes,
        cost_pence=whole_pence(cost_pence),
    )


__all__ = [
    "CATCH_UP_MONTH",
    "NO_MEASURED_PROGRESS",
    "SCORE_POINT",
    "UNIT_EXPLAINED",
    "EffectivenessReport",
    "EffectivenessTotal",
    "EnrolmentEffect",
    "InterventionEffect",
    "check_period",
    "intervention_effectiveness",
    "long_date",
    "progress_units",
    "unit_of",
]
