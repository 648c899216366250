"""Recording a school's past interventions in one call: groups, their pupils' enrolments
and measures, and every session logged with who attended.

Why a batch: the day-to-day services (:func:`~.intervention_setup.add_group`,
:func:`~.enrolments.enrol`, :func:`~.enrolments.add_measurement`,
:func:`~.sessions.log_session`) check and audit one thing at a time, a transaction each.
Three terms of a 1,200-pupil school are tens of thousands of sessions and marks: called a
row at a time that is minutes, and the audit trail would hold an event a mark. Here the
whole history is checked with the same rules (a group's days and leader, measures of the
intervention's kind, a session's minutes and reasons, a line for every pupil enrolled on
the day), then written by executemany inside the caller's transaction, and audited once
per batch with what was written. The demo school (:mod:`sendesk.demo.graduated`) is the
first caller; a school bringing in its history from another system would be the next.

A past session is logged by the group's leader (as they would have logged it on the day),
not by whoever records the batch; the audit event says who recorded it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from sendesk.errors import ValidationError
from sendesk.models import (
    DeliveredSession,
    Enrolment,
    Intervention,
    InterventionGroup,
    Measurement,
    SessionAttendance,
)
from sendesk.rules.dates import dmy
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.bulk_rows import bulk, insert_rows
from sendesk.services.graduated.intervention_records import (
    MAX_MINUTES,
    NOTE_MAX,
    SHORT_MAX,
    GroupData,
    check_measure,
)
from sendesk.services.graduated.intervention_setup import (
    clean_group,
    group_columns,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class PastMark:
    """One pupil's line in a past session: ``enrolment`` is the index of their enrolment
    in the group's :attr:`PastGroup.enrolments`."""

    enrolment: int
    attended: bool
    minutes: int
    missed_reason: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PastSession:
    """A session of the group on ``held_on``, as its leader logged it at ``logged_at``;
    not delivered: ``reason`` and no marks."""

    held_on: date
    delivered: bool
    minutes: int
    logged_at: datetime
    reason: str | None = None
    marks: tuple[PastMark, ...] = ()


@dataclass(frozen=True)
class PastEnrolment:
    """A pupil's time in the group, with the measures taken in it (date, value)."""

    pupil_id: int
    start: date
    planned_end: date | None
    end: date | None = None
    entry_measure: float | None = None
    entry_date: date | None = None
    exit_measure: float | None = None
    exit_date: date | None = None
    measures: tuple[tuple[date, float], ...] = ()


@dataclass(frozen=True)
class PastGroup:
    """A group (as the SENCo sets one up), its enrolments and its sessions."""

    group: GroupData
    enrolments: tuple[PastEnrolment, ...]
    sessions: tuple[PastSession, ...]


@dataclass(frozen=True)
class PastCounts:
    """What :func:`record_past_interventions` wrote."""

    groups: int
    enrolments: int
    measurements: int
    sessions: int
    session_marks: int


def _current(e: PastEnrolment, on: date) -> bool:
    return e.start <= on and (e.end is None or on <= e.end)


def _enrolment_problems(
    where: str, group: GroupData, e: PastEnrolment, kind: str, today: date
) -> list[str]:
    problems: list[str] = []
    if e.start < group.start_date or (group.end_date is not None and e.start > group.end_date):
        problems.append(f"{where}: the start date {dmy(e.start)} is outside the group's dates")
    if e.planned_end is not None and e.planned_end < e.start:
        problems.append(f"{where}: the planned end is before the start")
    if e.end is not None and (e.end < e.start or e.end > today):
        problems.append(f"{where}: the end {dmy(e.end)} is before the start or after today")
    for which, value, on in (
        ("entry", e.entry_measure, e.entry_date),
        ("exit", e.exit_measure, e.exit_date),
    ):
        if (value is None) != (on is None):
            problems.append(f"{where}: the {which} measure needs both a value and a date")
        check_measure(kind, value, which, problems)
    for on, value in e.measures:
        check_measure(kind, value, "", problems)
        if not _current(e, on) or on > today:
            problems.append(f"{where}: a measure on {dmy(on)} is outside the enrolment's dates")
    return problems


def _session_problems(
    where: str, group: GroupData, enrolments: Sequence[PastEnrolment], ps: PastSession, today: date
) -> list[str]:
    """The checks :func:`~.sessions.log_session` makes of one session, for a past one."""
    problems: list[str] = []
    on = ps.held_on
    if on > today:
        problems.append(f"{where}: {dmy(on)} is after today")
    if on < group.start_date or (group.end_date is not None and on > group.end_date):
        problems.append(f"{where}: the group did not run on {dmy(on)}")
    if not ps.delivered:
        reason = (ps.reason or "").strip()
        if not reason:
            problems.append(f"{where}: say why the session was not delivered")
        elif len(reason) > SHORT_MAX:
            problems.append(f"{where}: the reason is longer than {SHORT_MAX} characters")
        if ps.marks:
            problems.append(f"{where}: a session not delivered has no attendance")
        return problems
    if isinstance(ps.minutes, bool) or not 0 < ps.minutes <= MAX_MINUTES:
        problems.append(f"{where}: the session's minutes must be from 1 to {MAX_MINUTES}")
    lines = Counter(m.enrolment for m in ps.marks)
    if any(n > 1 for n in lines.values()):
        problems.append(f"{where}: a pupil has more than one line")
    due = {i for i, e in enumerate(enrolments) if _current(e, on)}
    if set(lines) - due:
        problems.append(f"{where}: a line is for a pupil not enrolled on that date")
    if due - set(lines):
        problems.append(f"{where}: {len(due - set(lines))} pupil(s) enrolled have no line")
    for m in ps.marks:
        if len(m.note) > NOTE_MAX:
            problems.append(f"{where}: a note is longer than {NOTE_MAX} characters")
        if m.attended and not 0 < m.minutes <= ps.minutes:
            problems.append(f"{where}: a pupil's minutes must be from 1 to {ps.minutes}")
        if not m.attended and not (m.missed_reason or "").strip():
            problems.append(f"{where}: a pupil missed the session with no reason given")
        if m.missed_reason is not None and len(m.missed_reason) > SHORT_MAX:
            problems.append(f"{where}: a missed reason is longer than {SHORT_MAX} characters")
    return problems


def _checked(session: Session, groups: Sequence[PastGroup], today: date) -> list[GroupData]:
    """Every group cleaned as :func:`~.intervention_setup.add_group` cleans one, and every
    enrolment and session checked; one sentence naming the first problems, else the
    cleaned groups."""
    problems: list[str] = []
    cleaned: list[GroupData] = []
    names = Counter(g.group.name.strip() for g in groups)
    for past in groups:
        name = past.group.name.strip()
        try:
            clean = clean_group(session, past.group)
        except ValidationError as exc:
            problems.append(f"the group {name!r}: {as_clause(str(exc))}")
            continue
        if names[name] > 1:
            problems.append(f"the group name {name!r} is used more than once")
        cleaned.append(clean)
        intervention = session.get(Intervention, clean.intervention_id)
        kind = intervention.measure_kind if intervention is not None else ""
        for e in past.enrolments:
            where = f"the group {name!r}, pupil {e.pupil_id}"
            problems += _enrolment_problems(where, clean, e, kind, today)
        held = Counter(ps.held_on for ps in past.sessions)
        if twice := sorted(day for day, n in held.items() if n > 1):
            problems.append(f"the group {name!r} has two sessions on {dmy(twice[0])}")
        for ps in past.sessions:
            where = f"the group {name!r} on {dmy(ps.held_on)}"
            problems += _session_problems(where, clean, past.enrolments, ps, today)
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    return cleaned


def record_past_interventions(
    session: Session, audit: AuditWriter, groups: Sequence[PastGroup], *, today: date
) -> PastCounts:
    """Record ``groups`` with their enrolments, measures and sessions, in the caller's
    transaction (``session``, whose writer ``audit`` names who records them: the SENCo).

    Checked whole first (nothing is written if anything is wrong), then written by
    executemany; one audit event ("record_past_interventions") holds the counts and the
    new groups' ids. Nothing may be dated after ``today``.
    """
    permit(audit.actor, Action.MANAGE_INTERVENTIONS)
    cleaned = _checked(session, groups, today)
    session.flush()
    group_ids = insert_rows(
        session, InterventionGroup, [group_columns(g) for g in cleaned], InterventionGroup.name
    )
    enrolment_rows = [
        {
            "group_id": gid,
            "pupil_id": e.pupil_id,
            "start_date": e.start,
            "planned_end": e.planned_end,
            "end_date": e.end,
            "entry_measure": e.entry_measure,
            "entry_date": e.entry_date,
            "exit_measure": e.exit_measure,
            "exit_date": e.exit_date,
            "version": 1,
        }
        for past, gid in zip(groups, group_ids, strict=True)
        for e in past.enrolments
    ]
    enrolment_ids = insert_rows(
        session,
        Enrolment,
        enrolment_rows,
        Enrolment.group_id,
        Enrolment.pupil_id,
        Enrolment.start_date,
    )
    first_of: list[int] = []  # where each group's enrolments start in enrolment_ids
    offset = 0
    for past in groups:
        first_of.append(offset)
        offset += len(past.enrolments)
    measurements = [
        {"enrolment_id": enrolment_ids[first + i], "taken_on": on, "value": float(value)}
        for past, first in zip(groups, first_of, strict=True)
        for i, e in enumerate(past.enrolments)
        for on, value in e.measures
    ]
    if measurements:
        session.execute(bulk(Measurement), measurements)
    session_rows = [
        {
            "group_id": gid,
            "held_on": ps.held_on,
            "delivered": ps.delivered,
            "not_delivered_reason": None if ps.delivered else (ps.reason or "").strip(),
            "minutes": ps.minutes if ps.delivered else 0,
            "logged_by_id": past.group.staff_id,
            "logged_at": ps.logged_at,
        }
        for past, gid in zip(groups, group_ids, strict=True)
        for ps in past.sessions
    ]
    session_ids = insert_rows(
        session, DeliveredSession, session_rows, DeliveredSession.group_id, DeliveredSession.held_on
    )
    marks: list[dict[str, object]] = []
    sid = iter(session_ids)
    for past, first in zip(groups, first_of, strict=True):
        for ps in past.sessions:
            session_id = next(sid)
            marks.extend(
                {
                    "session_id": session_id,
                    "enrolment_id": enrolment_ids[first + m.enrolment],
                    "attended": m.attended,
                    "minutes": m.minutes if m.attended else 0,
                    "missed_reason": None if m.attended else (m.missed_reason or "").strip(),
                    "note": m.note.strip(),
                }
                for m in ps.marks
            )
    if marks:
        session.execute(bulk(SessionAttendance), marks)
    counts = PastCounts(
        groups=len(group_ids),
        enrolments=len(enrolment_ids),
        measurements=len(measurements),
        sessions=len(session_ids),
        session_marks=len(marks),
    )
    audit.record(
        "record_past_interventions",
        "intervention_group",
        None,
        {**counts.__dict__, "group_ids": group_ids, "today": today},
    )
    return counts
