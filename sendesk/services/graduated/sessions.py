"""The day's groups and logging sessions: what each leader runs today, who attended, and
logging a whole term at once.

Why all or nothing: a session's attendance for every pupil is saved in one transaction,
and a session logged twice (two leaders at once) is refused, not doubled.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError
from sendesk.models import (
    DeliveredSession,
    Enrolment,
    Intervention,
    InterventionGroup,
    Pupil,
    Role,
    SessionAttendance,
    User,
    utcnow,
)
from sendesk.rules.dates import dmy
from sendesk.services.actor import Actor
from sendesk.services.common import checked_text, get_or_gone, refuse
from sendesk.services.graduated.enrolments import group_and_intervention, require_leader
from sendesk.services.graduated.intervention_records import (
    LOGGED_CONCURRENTLY,
    MAX_MINUTES,
    MAX_TERM_DAYS,
    NOTE_MAX,
    SHORT_MAX,
    AttendanceEntry,
    GroupPupil,
    GroupToday,
    LoggedSession,
    TermException,
    TermLog,
    TermPreview,
    display_name,
    name_key,
    parse_weekdays,
    scheduled_dates,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

# --- the day's groups ----------------------------------------------------------------------


def _current_on(on: date) -> Any:
    return (Enrolment.start_date <= on) & (
        Enrolment.end_date.is_(None) | (Enrolment.end_date >= on)
    )


def _logged_sessions(s: Session, group_ids: Collection[int], on: date) -> dict[int, LoggedSession]:
    if not group_ids:
        return {}
    sessions = s.execute(
        select(DeliveredSession, User.display_name)
        .join(User, User.id == DeliveredSession.logged_by_id, isouter=True)
        .where(DeliveredSession.group_id.in_(group_ids), DeliveredSession.held_on == on)
    ).all()
    if not sessions:
        return {}
    attendance: dict[int, list[AttendanceEntry]] = defaultdict(list)
    for a in s.scalars(
        select(SessionAttendance)
        .where(SessionAttendance.session_id.in_([ds.id for ds, _ in sessions]))
        .order_by(SessionAttendance.id)
    ):
        attendance[a.session_id].append(
            AttendanceEntry(a.enrolment_id, a.attended, a.minutes, a.missed_reason, a.note)
        )
    return {
        ds.group_id: LoggedSession(
            ds.id,
            ds.group_id,
            ds.held_on,
            ds.delivered,
            ds.not_delivered_reason,
            ds.minutes,
            who,
            tuple(attendance.get(ds.id, ())),
        )
        for ds, who in sessions
    }


def _groups_on(
    s: Session, actor: Actor, on: date, *, group_id: int | None = None
) -> list[GroupToday]:
    stmt = (
        select(InterventionGroup, Intervention, User.display_name)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .join(User, User.id == InterventionGroup.staff_id, isouter=True)
        .order_by(InterventionGroup.name, InterventionGroup.id)
    )
    if group_id is not None:
        stmt = stmt.where(InterventionGroup.id == group_id)
    else:
        stmt = stmt.where(
            InterventionGroup.start_date <= on,
            InterventionGroup.end_date.is_(None) | (InterventionGroup.end_date >= on),
        )
    if actor.role != Role.SENCO:
        stmt = stmt.where(InterventionGroup.staff_id == actor.user_id)
    groups = [
        (g, i, staff)
        for g, i, staff in s.execute(stmt)
        if group_id is not None or on.weekday() in parse_weekdays(g.weekdays)
    ]
    ids = [g.id for g, _, _ in groups]
    pupils: dict[int, list[tuple[tuple[str, str], GroupPupil]]] = defaultdict(list)
    if ids:
        for e, p in s.execute(
            select(Enrolment, Pupil)
            .join(Pupil, Pupil.id == Enrolment.pupil_id)
            .where(Enrolment.group_id.in_(ids), _current_on(on))
        ):
            pupil = GroupPupil(e.id, p.id, display_name(p), p.year_group)
            pupils[e.group_id].append((name_key(p), pupil))
    logged = _logged_sessions(s, ids, on)
    return [
        GroupToday(
            group_id=g.id,
            name=g.name,
            intervention_id=i.id,
            intervention_name=i.name,
            staff_id=g.staff_id,
            staff_name=staff,
            weekdays=parse_weekdays(g.weekdays),
            minutes_per_session=i.minutes_per_session,
            on=on,
            pupils=tuple(gp for _, gp in sorted(pupils.get(g.id, []), key=lambda kp: kp[0])),
            logged=logged.get(g.id),
            start_date=g.start_date,
            end_date=g.end_date,
        )
        for g, i, staff in groups
    ]


def my_groups(db: Database, actor: Actor, on: date) -> list[GroupToday]:
    """The groups meeting on ``on`` that the actor leads (every group, for the SENCo), each
    with the pupils enrolled that day and the session log if one was made.

    Four queries however many groups: groups, enrolments, sessions, attendance.
    """
    permit(actor, Action.LOG_SESSIONS)
    with db.session() as s:
        return _groups_on(s, actor, on)


def group_day(db: Database, actor: Actor, group_id: int, on: date) -> GroupToday:
    """One group on one date (any date, scheduled or not), as :func:`my_groups` gives it."""
    permit(actor, Action.LOG_SESSIONS)
    with db.session() as s:
        found = _groups_on(s, actor, on, group_id=group_id)
        if not found:
            group = get_or_gone(
                s,
                InterventionGroup,
                group_id,
                "That intervention group does not exist.",
                NotFoundError,
            )
            require_leader(actor, group, Action.LOG_SESSIONS)
        return found[0]


# --- logging sessions -----------------------------------------------------------------------


def _check_session_date(group: InterventionGroup, on: date) -> list[str]:
    problems: list[str] = []
    if on > date.today():
        problems.append(f"{dmy(on)} is in the future: log a session once it has happened")
    if on < group.start_date or (group.end_date is not None and on > group.end_date):
        end = dmy(group.end_date) if group.end_date else "now"
        problems.append(f"the group runs from {dmy(group.start_date)} to {end}, not on {dmy(on)}")
    return problems


def _clean_reason(reason: str | None) -> str | None:
    cleaned = (reason or "").strip()
    return cleaned or None


def _attendance_rows(
    enrolled: Mapping[int, Enrolment],
    attendance: Sequence[AttendanceEntry],
    session_minutes: int,
    problems: list[str],
) -> list[dict[str, Any]]:
    """Check each pupil's line; return column values for the rows to write."""
    rows: list[dict[str, Any]] = []
    seen: Counter[int] = Counter(a.enrolment_id for a in attendance)
    if any(n > 1 for n in seen.values()):
        problems.append("a pupil has more than one line in the log")
    unknown = [a for a in attendance if a.enrolment_id not in enrolled]
    if unknown:
        problems.append(
            f"{len(unknown)} line(s) are for pupils not enrolled in this group on that date"
        )
    missing = len(set(enrolled) - set(seen))
    if missing:
        problems.append(f"{missing} pupil(s) in the group have no line in the log")
    no_reason = 0
    for a in attendance:
        reason = _clean_reason(a.missed_reason)
        note = (a.note or "").strip()
        if len(note) > NOTE_MAX:
            problems.append(f"a note is longer than {NOTE_MAX} characters")
        if reason is not None and len(reason) > SHORT_MAX:
            problems.append(f"a missed reason is longer than {SHORT_MAX} characters")
        if a.attended:
            minutes = session_minutes if a.minutes is None else a.minutes
            if not 0 < minutes <= session_minutes:
                problems.append(
                    f"a pupil's minutes must be from 1 to the session's {session_minutes}"
                )
            reason = None
        else:
            minutes = 0
            if reason is None:
                no_reason += 1
        rows.append(
            {
                "enrolment_id": a.enrolment_id,
                "attended": a.attended,
                "minutes": minutes,
                "missed_reason": reason,
                "note": note,
            }
        )
    if no_reason:
        problems.append(
            f"{no_reason} pupil(s) missed the session with no reason given: choose one "
            "(absent, staff absent, trip…)"
        )
    return rows


def log_session(
    db: Database,
    actor: Actor,
    group_id: int,
    on: date,
    delivered: bool,
    reason: str | None,
    minutes: int,
    attendance: Sequence[AttendanceEntry],
) -> int:
    """Log one session of a group: one transaction and one audit event for the whole group.

    ``delivered`` False needs a ``reason`` (and records no attendance: there was no
    session to attend). Delivered needs ``minutes`` and a line for every pupil enrolled on
    ``on``; a pupil who missed it needs a reason. A log already made for the same date is
    replaced. Returns the session's id.
    """
    with db.transaction() as s:
        group, _intervention = group_and_intervention(s, group_id)
        require_leader(actor, group, Action.LOG_SESSIONS)
        problems = _check_session_date(group, on)
        rows: list[dict[str, Any]] = []
        if delivered:
            if isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
                problems.append(f"the session's minutes must be from 1 to {MAX_MINUTES}")
            else:
                enrolled = {
                    e.id: e
                    for e in s.scalars(
                        select(Enrolment).where(Enrolment.group_id == group_id, _current_on(on))
                    )
                }
                rows = _attendance_rows(enrolled, attendance, minutes, problems)
            reason = None
        else:
            minutes = 0
            reason = checked_text(
                reason or "",
                SHORT_MAX,
                "the reason is",
                problems,
                lines=True,
                missing="say why the session was not delivered",
            )
        refuse(problems)
        existing = s.scalar(
            select(DeliveredSession).where(
                DeliveredSession.group_id == group_id, DeliveredSession.held_on == on
            )
        )
        before: dict[str, Any] | None = None
        if existing is not None:
            before = {
                "delivered": existing.delivered,
                "reason": existing.not_delivered_reason,
                "minutes": existing.minutes,
                "logged_by": existing.logged_by_id,
            }
            s.execute(delete(SessionAttendance).where(SessionAttendance.session_id == existing.id))
            session_row = existing
            session_row.delivered = delivered
            session_row.not_delivered_reason = reason
            session_row.minutes = minutes
            session_row.logged_by_id = actor.user_id or None
            session_row.logged_at = utcnow()
        else:
            session_row = DeliveredSession(
                group_id=group_id,
                held_on=on,
                delivered=delivered,
                not_delivered_reason=reason,
                minutes=minutes,
                logged_by_id=actor.user_id or None,
            )
            s.add(session_row)
        try:
            s.flush()
            if rows:  # one executemany for the whole group, not a statement per pupil
                s.execute(
                    insert(SessionAttendance), [{"session_id": session_row.id, **r} for r in rows]
                )
        except IntegrityError as exc:
            raise ConflictError(LOGGED_CONCURRENTLY) from exc
        detail: dict[str, Any] = {
            "group_id": group_id,
            "on": on,
            "delivered": delivered,
            "reason": reason,
            "minutes": minutes,
            "attended": [r["enrolment_id"] for r in rows if r["attended"]],
            "missed": {
                str(r["enrolment_id"]): r["missed_reason"] for r in rows if not r["attended"]
            },
        }
        if before is not None:
            detail["replaced"] = before
        AuditWriter(s, actor).record(
            "relog_session" if before is not None else "log_session",
            "delivered_session",
            session_row.id,
            detail,
        )
        return session_row.id


def _term_bounds(group: InterventionGroup, start: date, end: date) -> list[str]:
    problems: list[str] = []
    if end < start:
        problems.append(f"the end {dmy(end)} is before the start {dmy(start)}")
    elif (end - start).days > MAX_TERM_DAYS:
        problems.append("log at most a school year at a time")
    if end > date.today():
        problems.append("the range ends in the future: log sessions once they have happened")
    return problems


def term_preview(db: Database, actor: Actor, group_id: int, start: date, end: date) -> TermPreview:
    """The group's scheduled dates from ``start`` to ``end``: to log, and already logged."""
    with db.session() as s:
        group, _ = group_and_intervention(s, group_id)
        require_leader(actor, group, Action.LOG_SESSIONS)
        dates, logged = _term_dates(s, group, start, end)
    return TermPreview(
        tuple(d for d in dates if d not in logged), tuple(d for d in dates if d in logged)
    )


def _term_dates(
    s: Session, group: InterventionGroup, start: date, end: date
) -> tuple[list[date], set[date]]:
    """The group's scheduled days from ``start`` to ``end``, and those already logged: the
    preview shows both and logging a term skips the logged ones, so both read them here."""
    dates = scheduled_dates(
        parse_weekdays(group.weekdays),
        start,
        end,
        group_start=group.start_date,
        group_end=group.end_date,
    )
    logged = set(
        s.scalars(
            select(DeliveredSession.held_on).where(
                DeliveredSession.group_id == group.id,
                DeliveredSession.held_on >= start,
                DeliveredSession.held_on <= end,
            )
        )
    )
    return dates, logged


def log_term(
    db: Database,
    actor: Actor,
    group_id: int,
    start: date,
    end: date,
    default_minutes: int,
    exceptions: Sequence[TermException] = (),
) -> TermLog:
    """Log every scheduled day of a group from ``start`` to ``end`` in one go.

    Each day the group meets (its weekdays, within its dates) that has no log yet becomes a
    delivered session of ``default_minutes`` with every enrolled pupil present — except
    what ``exceptions`` say: a whole-group exception marks that day not delivered (with the
    reason; "school closed" for holidays), a pupil exception marks that pupil absent with
    the reason. Days already logged are skipped (and their exceptions ignored), so a term
    can be filled in after a few days were logged one by one. One transaction, one audit
    event.
    """
    with db.transaction() as s:
        group, _ = group_and_intervention(s, group_id)
        require_leader(actor, group, Action.LOG_SESSIONS)
        problems = _term_bounds(group, start, end)
        if isinstance(default_minutes, bool) or not 0 < default_minutes <= MAX_MINUTES:
            problems.append(f"the session's minutes must be from 1 to {MAX_MINUTES}")
        refuse(problems)
        dates, logged = _term_dates(s, group, start, end)
        enrolments = list(s.scalars(select(Enrolment).where(Enrolment.group_id == group_id)))
        by_id = {e.id: e for e in enrolments}

        def enrolled_on(day: date) -> list[Enrolment]:
            return [
                e
                for e in enrolments
                if e.start_date <= day and (e.end_date is None or e.end_date >= day)
            ]

        whole: dict[date, str] = {}
        pupil: dict[tuple[date, int], str] = {}
        wanted = set(dates)
        for ex in exceptions:
            reason = checked_text(
                ex.reason or "",
                SHORT_MAX,
                f"the reason for {dmy(ex.on)} is",
                problems,
                lines=True,
                missing=f"the exception on {dmy(ex.on)} has no reason",
            )
            if ex.on not in wanted:
                problems.append(f"{dmy(ex.on)} is not one of the group's days in that range")
                continue
            if ex.enrolment_id is None:
                whole[ex.on] = reason
            else:
                e = by_id.get(ex.enrolment_id)
                if e is None or e not in enrolled_on(ex.on):
                    problems.append(
                        f"an exception on {dmy(ex.on)} is for a pupil not enrolled then"
                    )
                pupil[(ex.on, ex.enrolment_id)] = reason
        refuse(problems)

        to_log = [d for d in dates if d not in logged]
        sessions = [
            DeliveredSession(
                group_id=group_id,
                held_on=d,
                delivered=d not in whole,
                not_delivered_reason=whole.get(d),
                minutes=0 if d in whole else default_minutes,
                logged_by_id=actor.user_id or None,
            )
            for d in to_log
        ]
        s.add_all(sessions)
        try:
            s.flush()
            lines = [
                {
                    "session_id": ds.id,
                    "enrolment_id": e.id,
                    "attended": (missed := pupil.get((ds.held_on, e.id))) is None,
                    "minutes": 0 if missed is not None else default_minutes,
                    "missed_reason": missed,
                    "note": "",
                }
                for ds in sessions
                if ds.delivered
                for e in enrolled_on(ds.held_on)
            ]
            if lines:
                s.execute(insert(SessionAttendance), lines)
        except IntegrityError as exc:
            raise ConflictError(LOGGED_CONCURRENTLY) from exc
        result = TermLog(
            logged=tuple(to_log),
            skipped=tuple(d for d in dates if d in logged),
            not_delivered=tuple(d for d in to_log if d in whole),
        )
        AuditWriter(s, actor).record(
            "log_term",
            "intervention_group",
            group_id,
            {
                "from": start,
                "to": end,
                "minutes": default_minutes,
                "logged": list(result.logged),
                "skipped": list(result.skipped),
                "not_delivered": {d.isoformat(): r for d, r in whole.items() if d in to_log},
                "missed": [
                    {"on": d, "enrolment_id": eid, "reason": r}
                    for (d, eid), r in pupil.items()
                    if d in to_log and d not in whole
                ],
            },
        )
        return result
