"""Planned against delivered, and what the sessions cost: the rows the provision map and
the pack add up.

Why from attendance: a pupil's provision is what they attended, not what was timetabled,
so costs are computed from the logged sessions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import (
    DeliveredSession,
    Enrolment,
    Intervention,
    InterventionGroup,
    Pupil,
    SessionAttendance,
)
from sendesk.rules.permissions import Scope, refusal
from sendesk.services.actor import Actor
from sendesk.services.common import pupil_or_gone
from sendesk.services.graduated.enrolments import group_and_intervention
from sendesk.services.graduated.intervention_records import (
    SCHOOL_CLOSED,
    AttendedRow,
    ProvisionHours,
    SessionCost,
    display_name,
    parse_weekdays,
    planned_sessions,
    scheduled_dates,
)
from sendesk.services.permissions import Action, permit, permit_pupil, pupils_allowed

# --- planned against delivered ------------------------------------------------------------


def planned_vs_delivered(
    db: Database,
    actor: Actor,
    *,
    pupil_id: int | None = None,
    group_id: int | None = None,
    as_of: date | None = None,
) -> list[ProvisionHours]:
    """Hours planned against hours delivered and attended, up to ``as_of`` (today).

    For a pupil: one row per enrolment. For a group: a whole-group row first, then one row
    per enrolment. Planned time follows :func:`planned_sessions` over the group's scheduled
    days in the period, leaving out days logged "school closed".
    """
    if (pupil_id is None) == (group_id is None):
        raise TypeError("give exactly one of pupil_id or group_id")
    as_of = as_of or date.today()
    with db.session() as s:
        allowed = pupils_allowed(s, actor, Action.VIEW_INTERVENTIONS)
        if pupil_id is not None and allowed is not None and pupil_id not in allowed:
            permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)  # refuses
        stmt = (
            select(Enrolment, Pupil, InterventionGroup, Intervention)
            .join(Pupil, Pupil.id == Enrolment.pupil_id)
            .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
            .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
            .order_by(Enrolment.start_date, Enrolment.id)
        )
        if pupil_id is not None:
            pupil_or_gone(s, pupil_id)
            stmt = stmt.where(Enrolment.pupil_id == pupil_id)
        else:
            stmt = stmt.where(Enrolment.group_id == group_id)
        enrolments = s.execute(stmt).all()
        if allowed is not None:  # a group's row counts only the pupils the user works with
            enrolments = [row for row in enrolments if row[0].pupil_id in allowed]
        groups: dict[int, tuple[InterventionGroup, Intervention]] = {
            g.id: (g, i) for _, _, g, i in enrolments
        }
        if group_id is not None and group_id not in groups:
            groups[group_id] = group_and_intervention(s, group_id)
        sessions: dict[int, list[Any]] = defaultdict(list)  # rows of the columns used
        if groups:
            for ds in s.execute(
                select(
                    DeliveredSession.group_id,
                    DeliveredSession.held_on,
                    DeliveredSession.delivered,
                    DeliveredSession.not_delivered_reason,
                    DeliveredSession.minutes,
                ).where(DeliveredSession.group_id.in_(groups), DeliveredSession.held_on <= as_of)
            ):
                sessions[ds.group_id].append(ds)
        attended: dict[int, list[tuple[date, bool, int]]] = defaultdict(list)
        if enrolments:
            for eid, held_on, was_there, minutes in s.execute(
                select(
                    SessionAttendance.enrolment_id,
                    DeliveredSession.held_on,
                    SessionAttendance.attended,
                    SessionAttendance.minutes,
                )
                .join(DeliveredSession, DeliveredSession.id == SessionAttendance.session_id)
                .where(
                    SessionAttendance.enrolment_id.in_([e.id for e, *_ in enrolments]),
                    DeliveredSession.held_on <= as_of,
                )
            ):
                attended[eid].append((held_on, was_there, minutes))

    def hours(
        g: InterventionGroup,
        i: Intervention,
        start: date,
        end: date,
        **who: Any,
    ) -> ProvisionHours:
        end = min(end, as_of, g.end_date or as_of)
        start = max(start, g.start_date)
        in_period = [ds for ds in sessions.get(g.id, []) if start <= ds.held_on <= end]
        closed = {
            ds.held_on
            for ds in in_period
            if not ds.delivered and ds.not_delivered_reason == SCHOOL_CLOSED
        }
        days = parse_weekdays(g.weekdays)
        scheduled = [d for d in scheduled_dates(days, start, end) if d not in closed]
        planned = planned_sessions(i.sessions_per_week, days, len(scheduled))
        delivered = [ds for ds in in_period if ds.delivered]
        missed = [ds for ds in in_period if not ds.delivered and ds.held_on not in closed]
        return ProvisionHours(
            group_id=g.id,
            group_name=g.name,
            intervention_name=i.name,
            period_start=start,
            period_end=end,
            planned_sessions=planned,
            planned_minutes=planned * i.minutes_per_session,
            delivered_sessions=len(delivered),
            delivered_minutes=sum(ds.minutes for ds in delivered),
            not_delivered_sessions=len(missed),
            **who,
        )

    out: list[ProvisionHours] = []
    if group_id is not None:
        g, i = groups[group_id]
        out.append(
            hours(
                g,
                i,
                g.start_date,
                g.end_date or as_of,
                enrolment_id=None,
                pupil_id=None,
                pupil_name=None,
            )
        )
    for e, p, g, i in enrolments:
        end = min(e.end_date or as_of, as_of)
        lines = [(m, there) for on, there, m in attended.get(e.id, []) if e.start_date <= on <= end]
        out.append(
            hours(
                g,
                i,
                e.start_date,
                end,
                enrolment_id=e.id,
                pupil_id=p.id,
                pupil_name=display_name(p),
                attended_sessions=sum(1 for _, there in lines if there),
                attended_minutes=sum(m for m, there in lines if there),
            )
        )
    return out


# --- cost rows ---------------------------------------------------------------------------


def attended_rows_in(
    session: Session,
    *,
    pupil_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[AttendedRow]:
    """Every pupil present at a delivered session (optionally one pupil, a date range),
    with how many were present in all: the rows :func:`session_costs` prices.

    No permission check: for services that check their own (the provision map shows only
    sums to read-only users). One query.
    """
    present_q = (
        select(SessionAttendance.session_id, func.count().label("present"))
        .where(SessionAttendance.attended.is_(True), SessionAttendance.minutes > 0)
        .group_by(SessionAttendance.session_id)
        .subquery()
    )
    stmt = (
        select(
            SessionAttendance.session_id,
            DeliveredSession.held_on,
            SessionAttendance.enrolment_id,
            Enrolment.pupil_id,
            InterventionGroup.id,
            Intervention.id,
            Intervention.name,
            Intervention.area,
            SessionAttendance.minutes,
            present_q.c.present,
            Intervention.cost_per_hour_pence,
        )
        .select_from(SessionAttendance)
        .join(DeliveredSession, DeliveredSession.id == SessionAttendance.session_id)
        .join(present_q, present_q.c.session_id == SessionAttendance.session_id)
        .join(Enrolment, Enrolment.id == SessionAttendance.enrolment_id)
        .join(InterventionGroup, InterventionGroup.id == DeliveredSession.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(
            DeliveredSession.delivered.is_(True),
            SessionAttendance.attended.is_(True),
            SessionAttendance.minutes > 0,
        )
        .order_by(DeliveredSession.held_on, SessionAttendance.session_id, SessionAttendance.id)
    )
    if pupil_id is not None:
        stmt = stmt.where(Enrolment.pupil_id == pupil_id)
    if start is not None:
        stmt = stmt.where(DeliveredSession.held_on >= start)
    if end is not None:
        stmt = stmt.where(DeliveredSession.held_on <= end)
    return [AttendedRow(*row) for row in session.execute(stmt)]


def attended_rows(
    db: Database,
    actor: Actor,
    *,
    pupil_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[AttendedRow]:
    """:func:`attended_rows_in` for staff who may see named pupils."""
    with db.session() as s:
        if pupil_id is None:  # the whole school's sessions: the SENCo's view of costs
            if permit(actor, Action.VIEW_INTERVENTIONS) is not Scope.ALL:
                raise PermissionDeniedError(refusal(actor.role, Action.VIEW_SCHOOL_COSTS))
        else:
            permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        return attended_rows_in(s, pupil_id=pupil_id, start=start, end=end)


@dataclass
class CostTotals:
    """Sums of :class:`SessionCost` by a key (a pupil, an area, an intervention…)."""

    minutes: dict[Any, int] = field(default_factory=dict)
    pence: dict[Any, float] = field(default_factory=dict)


def total_costs(costs: Iterable[SessionCost], key: Any) -> CostTotals:
    """Add up minutes attended and cost by ``key(row)``, e.g. ``lambda r: r.pupil_id``."""
    totals = CostTotals()
    for c in costs:
        k = key(c.row)
        totals.minutes[k] = totals.minutes.get(k, 0) + c.row.minutes
        totals.pence[k] = totals.pence.get(k, 0.0) + c.cost_pence
    return totals


@dataclass(frozen=True)
class InterventionCost:
    """What the priced sessions of one intervention add up to: the intervention as its
    latest session names it, the sessions attended, their minutes and exact cost (pence,
    unrounded: each report rounds its own lines)."""

    intervention_id: int
    intervention: str
    area: str
    cost_per_hour_pence: int
    sessions: int
    minutes: int
    pence: float


def by_intervention(costs: Iterable[SessionCost]) -> list[InterventionCost]:
    """Sum priced sessions per intervention, in the order each first appears.

    Why one function: the provision map and the EHC pack both list "what each intervention
    delivered to this pupil and cost", and must count it the same way.
    """
    sums: dict[int, tuple[int, int, float]] = {}
    about: dict[int, tuple[str, str, int]] = {}
    for cost in costs:
        row = cost.row
        n, minutes, pence = sums.get(row.intervention_id, (0, 0, 0.0))
        sums[row.intervention_id] = (n + 1, minutes + row.minutes, pence + cost.cost_pence)
        about[row.intervention_id] = (row.intervention_name, row.area, row.cost_per_hour_pence)
    return [
        InterventionCost(iid, *about[iid], n, minutes, pence)
        for iid, (n, minutes, pence) in sums.items()
    ]
