"""What's due for intervention groups: sessions not yet logged, and measures not yet taken.

Why: learning support run the school's intervention groups, and two things they owe the
record decide whether the SENCo can show what the school did and with what effect (issue
13). Delivered hours in the provision map and the EHC pack come only from logged sessions,
so a session nobody logged counts as provision that never happened; and an enrolment with
no entry or no exit measure cannot show its impact (the pack's readiness check says so).
These providers put both on the home page of the person who can put them right — the
member of staff who leads the group (:func:`sendesk.services.scope.groups_led`) — and on
the SENCo's, who answers for the school's provision and logs for groups led by staff with
no account.

What counts:

- A session is logged when its group has a session log for that date, delivered or not
  (a "school closed" day is logged too: that is how holidays and closures are recorded, so
  they do not count as planned time). Only scheduled dates before today count — today's
  session may not have happened yet — and only in the last :data:`RECENT_DAYS` days: an
  older gap is history for the SENCo's provision map, not a to-do. Dates when nobody was
  enrolled in the group are not counted. One item per group, due :data:`LOG_WITHIN_DAYS`
  days after the earliest unlogged date (overdue after that).
- An entry measure is due for every enrolment under way with none; an exit measure for
  every enrolment still open after its group's end or its planned end — once the enrolment
  is ended its exit can no longer be recorded, so ended ones are not listed. One item per
  enrolment, naming the pupil. Pupils who have left the school are skipped, as the other
  providers do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import DeliveredSession, Enrolment, InterventionGroup, Pupil
from sendesk.services.graduated.intervention_records import parse_weekdays, scheduled_dates

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

SESSIONS_KIND = "session log"
MEASURES_KIND = "intervention measure"

RECENT_DAYS = 28
"""How far back an unlogged session is still asked for (four weeks)."""

LOG_WITHIN_DAYS = 7
"""A session is expected in the log within a week of it; after that the item is overdue."""


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def session_log_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: one item per group with scheduled sessions not yet logged.

    Three queries however many groups: groups, their enrolments, their logged dates.
    """
    from sendesk.services.due import DueItem, severity_of

    first = today - timedelta(days=RECENT_DAYS)
    last = today - timedelta(days=1)
    groups = session.scalars(
        select(InterventionGroup)
        .where(
            InterventionGroup.start_date <= last,
            InterventionGroup.end_date.is_(None) | (InterventionGroup.end_date >= first),
        )
        .order_by(InterventionGroup.name, InterventionGroup.id)
    ).all()
    if not groups:
        return []
    ids = [g.id for g in groups]
    enrolled: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for group_id, start, end in session.execute(
        select(Enrolment.group_id, Enrolment.start_date, Enrolment.end_date).where(
            Enrolment.group_id.in_(ids),
            Enrolment.start_date <= last,
            Enrolment.end_date.is_(None) | (Enrolment.end_date >= first),
        )
    ):
        enrolled[group_id].append((start, end))
    logged: dict[int, set[date]] = defaultdict(set)
    for group_id, held_on in session.execute(
        select(DeliveredSession.group_id, DeliveredSession.held_on).where(
            DeliveredSession.group_id.in_(ids),
            DeliveredSession.held_on >= first,
            DeliveredSession.held_on <= last,
        )
    ):
        logged[group_id].add(held_on)
    items: list[DueItem] = []
    for g in groups:
        spans = enrolled.get(g.id, [])
        missing = [
            day
            for day in scheduled_dates(
                parse_weekdays(g.weekdays),
                first,
                last,
                group_start=g.start_date,
                group_end=g.end_date,
            )
            if day not in logged[g.id]
            and any(start <= day and (end is None or day <= end) for start, end in spans)
        ]
        if not missing:
            continue
        due = missing[0] + timedelta(days=LOG_WITHIN_DAYS)
        dates = (
            f"on {missing[0]:%d/%m/%Y}"
            if len(missing) == 1
            else f"from {missing[0]:%d/%m/%Y}, the last on {missing[-1]:%d/%m/%Y}"
        )
        items.append(
            DueItem(
                due,
                severity_of(due, today),
                SESSIONS_KIND,
                None,
                "",
                "",
                f"{_n(len(missing), 'session')} not logged ({dates}): log each, or say why "
                "it did not happen",
                group_id=g.id,
                group_name=g.name,
            )
        )
    return items


def measure_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: one item per enrolment whose entry or exit measure is due.

    One query: the open enrolments missing one, with their group and pupil.
    """
    from sendesk.services.due import DueItem, severity_of

    rows = session.execute(
        select(Enrolment, InterventionGroup, Pupil)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .where(
            Enrolment.end_date.is_(None),
            Enrolment.start_date <= today,
            Enrolment.entry_measure.is_(None)
            | (InterventionGroup.end_date < today)
            | (Enrolment.planned_end < today),
        )
        .order_by(Enrolment.id)
    ).all()
    items: list[DueItem] = []
    for e, g, pupil in rows:
        if pupil.leaving_date is not None and pupil.leaving_date < today:
            continue
        problems: list[str] = []
        due: date | None = None
        if e.entry_measure is None:
            problems.append(
                f"no entry measure in {g.name} (enrolled {e.start_date:%d/%m/%Y}), so its "
                "progress cannot be shown"
            )
        ended = [d for d in (g.end_date, e.planned_end) if d is not None and d < today]
        if ended:
            due = min(ended)
            what = "the group ended" if due == g.end_date else "its planned end was"
            problems.append(
                f"the exit measure in {g.name} is due: {what} {due:%d/%m/%Y} (recording "
                "it ends the enrolment)"
            )
        text = "; ".join(problems)
        items.append(
            DueItem(
                due,
                "gap" if due is None else severity_of(due, today),
                MEASURES_KIND,
                pupil.id,
                pupil.display_name,
                pupil.upn,
                text[:1].upper() + text[1:],
                group_id=g.id,
                group_name=g.name,
            )
        )
    return items


__all__ = [
    "LOG_WITHIN_DAYS",
    "MEASURES_KIND",
    "RECENT_DAYS",
    "SESSIONS_KIND",
    "measure_items",
    "session_log_items",
]
