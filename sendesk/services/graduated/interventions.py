"""Interventions: the catalogue, running groups, enrolments with measures, and session logs.

Why this module exists: "what did the school try, for how long, and with what effect" is
the heart of an EHC needs assessment request. The SENCo keeps a catalogue of programmes
(:class:`sendesk.models.Intervention`), runs them as groups led by a member of staff, and
enrols pupils with an entry measure and later an exit measure; :func:`enrolment_progress`
turns those into a verdict (:mod:`sendesk.rules.progress`). Learning support staff log each
session — who attended, for how many minutes, why anyone missed it — for the groups they
lead, and that log is what planned-versus-delivered hours and the costed provision map are
worked out from (never from the plan alone).

Rules kept here, whatever screen or script calls in:

- Only the SENCo edits the catalogue, groups and enrolments. Sessions may be logged by the
  SENCo, or by the member of staff who leads the group (nobody else's groups).
- A session is one transaction for the whole group, with one audit event. Logging the same
  group on the same date again replaces the earlier log (the audit event says so).
- A session not delivered needs a reason; a pupil who missed a delivered session needs a
  reason. Every pupil enrolled on that date has a line — nobody is silently left out.
- No session is logged ahead of time, or outside the group's dates.
- Cost (:func:`session_costs`): a group's staff time is shared among the pupils present.

Errors carry no pupil names (see :mod:`sendesk.errors`).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import (
    DeliveredSession,
    Enrolment,
    Intervention,
    InterventionGroup,
    Measurement,
    Pupil,
    Role,
    SessionAttendance,
    User,
    utcnow,
)
from sendesk.rules import progress as rules
from sendesk.rules.permissions import Scope, out_of_scope, refusal
from sendesk.services.actor import Actor
from sendesk.services.common import (
    check_version,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
)
from sendesk.services.permissions import Action, permit, permit_pupil, pupils_allowed
from sendesk.services.register.pupil_record import AREAS
from sendesk.services.store.audit import AuditWriter

# --- vocabulary ------------------------------------------------------------------------------

MISSED_REASONS: tuple[str, ...] = ("absent", "staff absent", "trip", "exam", "refused", "other")
"""Why a pupil missed a session that was delivered (offered in the logging screen)."""

SCHOOL_CLOSED = "school closed"
NOT_DELIVERED_REASONS: tuple[str, ...] = (
    "staff absent",
    SCHOOL_CLOSED,
    "trip",
    "exam",
    "room unavailable",
    "other",
)
"""Why a session did not happen. "school closed" (holidays, INSET, snow) is not a shortfall:
those dates do not count towards the planned hours."""

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NAME_MAX = 120
SHORT_MAX = 60
NOTE_MAX = 1000
MAX_GROUP_SIZE = 40
MAX_SESSIONS_PER_WEEK = 10
MAX_MINUTES = 480  # a school day
MAX_COST_PENCE = 100_000  # £1,000 an hour: anything above is a typing slip
MAX_TERM_DAYS = 400

GROUP_LEADERS = (Role.SENCO, Role.LEARNING_SUPPORT, Role.TEACHER)

CONFLICT = "Someone else changed this since you opened it; reopen it to see their changes."
LOGGED_CONCURRENTLY = (
    "Someone else logged this group's session for that date at the same moment; "
    "reload the day to see their log."
)


# --- plain data in and out ------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionData:
    """What the SENCo types for a catalogue entry (add or update)."""

    name: str
    area: str
    staff_role: str
    measure: str
    measure_kind: str
    group_size: int = 1
    sessions_per_week: int = 1
    minutes_per_session: int = 30
    cost_per_hour_pence: int = 0
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class InterventionItem(InterventionData):
    """A catalogue entry as stored (with its id and version for optimistic locking)."""

    id: int = 0
    version: int = 0

    @property
    def planned_minutes_per_week(self) -> int:
        return self.sessions_per_week * self.minutes_per_session

    @property
    def cost_per_hour_text(self) -> str:
        return pounds(self.cost_per_hour_pence)


@dataclass(frozen=True)
class GroupData:
    """What the SENCo types for a group: which intervention, who leads it, which days."""

    intervention_id: int
    name: str
    staff_id: int | None
    weekdays: tuple[int, ...]  # 0 = Monday … 6 = Sunday
    start_date: date
    end_date: date | None = None


@dataclass(frozen=True)
class GroupItem(GroupData):
    """A group as stored, with the names a screen shows."""

    id: int = 0
    intervention_name: str = ""
    staff_name: str | None = None
    enrolled: int = 0  # pupils enrolled now (no end date)

    @property
    def weekdays_text(self) -> str:
        return weekdays_text(self.weekdays)


@dataclass(frozen=True)
class EnrolmentItem:
    """A pupil in a group, with the measures (raw values; see ``measure_kind``)."""

    id: int
    group_id: int
    pupil_id: int
    pupil_name: str
    year_group: int | None
    start_date: date
    planned_end: date | None
    end_date: date | None
    entry_measure: float | None
    entry_date: date | None
    exit_measure: float | None
    exit_date: date | None
    measure: str
    measure_kind: str
    version: int

    @property
    def current(self) -> bool:
        return self.end_date is None


@dataclass(frozen=True)
class MeasurePoint:
    """One measure on a date; ``label`` is "entry", "exit" or "" (taken in between)."""

    on: date
    value: float
    label: str = ""


@dataclass(frozen=True)
class Progress:
    """An enrolment's progress: the points for a chart and the verdict sentence.

    The verdict compares the entry measure with the exit measure, or — while the pupil is
    still in the group — with the latest measure so far (``final`` is then False).
    """

    enrolment_id: int
    pupil_id: int
    pupil_name: str
    group_name: str
    intervention_name: str
    measure: str
    measure_kind: str
    start_date: date
    planned_end: date | None
    end_date: date | None
    points: tuple[MeasurePoint, ...]
    verdict: rules.Verdict | None
    final: bool

    @property
    def verdict_text(self) -> str:
        if self.verdict is None:
            if not any(p.label == "entry" for p in self.points):
                return "No entry measure is recorded, so progress cannot be judged."
            return "Only the entry measure is recorded so far."
        return self.verdict.text if self.final else f"So far: {self.verdict.text}"

    def formatted(self, value: float) -> str:
        return rules.format_measure(self.measure_kind, value)


@dataclass(frozen=True)
class GroupPupil:
    """A pupil enrolled in a group on the day shown."""

    enrolment_id: int
    pupil_id: int
    name: str
    year_group: int | None


@dataclass(frozen=True)
class AttendanceEntry:
    """One pupil's line in a session log.

    ``minutes`` None means "the whole session". A pupil who did not attend needs a
    ``missed_reason``; their minutes are recorded as 0.
    """

    enrolment_id: int
    attended: bool
    minutes: int | None = None
    missed_reason: str | None = None
    note: str = ""


@dataclass(frozen=True)
class LoggedSession:
    """A session already logged (to show, or to correct and save again)."""

    id: int
    group_id: int
    held_on: date
    delivered: bool
    not_delivered_reason: str | None
    minutes: int
    logged_by: str | None
    attendance: tuple[AttendanceEntry, ...]

    def entry_for(self, enrolment_id: int) -> AttendanceEntry | None:
        return next((a for a in self.attendance if a.enrolment_id == enrolment_id), None)


@dataclass(frozen=True)
class GroupToday:
    """A group meeting on a day: its pupils that day, and the log if already made."""

    group_id: int
    name: str
    intervention_id: int
    intervention_name: str
    staff_id: int | None
    staff_name: str | None
    weekdays: tuple[int, ...]
    minutes_per_session: int
    on: date
    pupils: tuple[GroupPupil, ...]
    logged: LoggedSession | None = None
    start_date: date | None = None  # the group's own dates
    end_date: date | None = None

    @property
    def title(self) -> str:
        if self.name == self.intervention_name:
            return self.name
        return f"{self.name} — {self.intervention_name}"


@dataclass(frozen=True)
class TermException:
    """A date in a term log that was not a normal session.

    With no ``enrolment_id`` the whole session was not delivered (``reason`` says why;
    "school closed" for holidays and closures). With one, that pupil missed the session.
    """

    on: date
    reason: str
    enrolment_id: int | None = None


@dataclass(frozen=True)
class TermLog:
    """What :func:`log_term` wrote: dates logged, and dates skipped as already logged."""

    logged: tuple[date, ...]
    skipped: tuple[date, ...]
    not_delivered: tuple[date, ...] = ()


@dataclass(frozen=True)
class TermPreview:
    """The scheduled dates in a range: those a term log would fill, those already logged."""

    to_log: tuple[date, ...]
    already_logged: tuple[date, ...]


@dataclass(frozen=True)
class ProvisionHours:
    """Planned against delivered (and attended) time for one enrolment, or a whole group.

    Planned: the catalogue's sessions per week × minutes per session, spread over the
    group's scheduled days in the period (see :func:`planned_sessions`). Delivered: the
    minutes of sessions logged as delivered while the pupil was enrolled. Attended: the
    minutes the pupil was logged as present (None for a whole-group row).
    """

    group_id: int
    group_name: str
    intervention_name: str
    enrolment_id: int | None
    pupil_id: int | None
    pupil_name: str | None
    period_start: date
    period_end: date
    planned_sessions: float
    planned_minutes: float
    delivered_sessions: int
    delivered_minutes: int
    not_delivered_sessions: int
    attended_sessions: int | None = None
    attended_minutes: int | None = None

    @property
    def planned_hours(self) -> float:
        return self.planned_minutes / 60

    @property
    def delivered_hours(self) -> float:
        return self.delivered_minutes / 60

    @property
    def attended_hours(self) -> float | None:
        return None if self.attended_minutes is None else self.attended_minutes / 60


@dataclass(frozen=True)
class AttendedRow:
    """A pupil present at a delivered session: the input to :func:`session_costs`.

    ``present`` is how many pupils were present at that session in all (counted across the
    whole session, whichever pupils a query asked for).
    """

    session_id: int
    held_on: date
    enrolment_id: int
    pupil_id: int
    group_id: int
    intervention_id: int
    intervention_name: str
    area: str
    minutes: int
    present: int
    cost_per_hour_pence: int


@dataclass(frozen=True)
class SessionCost:
    """What one pupil's share of one session cost, in pence (unrounded; round when shown)."""

    row: AttendedRow
    cost_pence: float


# --- small helpers -------------------------------------------------------------------------


def pounds(pence: float) -> str:
    """£12.50 for 1250 pence (rounded to the penny, halves up)."""
    whole = math.floor(pence + 0.5)
    return f"£{whole // 100:,}.{whole % 100:02d}"


def weekdays_text(days: Iterable[int]) -> str:
    """ "Mon, Wed" for (0, 2)."""
    return ", ".join(WEEKDAY_NAMES[d] for d in sorted(set(days)))


def parse_weekdays(stored: str) -> tuple[int, ...]:
    """The model's "0,2" as (0, 2); blanks and junk are ignored."""
    return tuple(sorted({int(p) for p in stored.split(",") if p.strip().isdigit()} & set(range(7))))


def _weekdays_column(days: Iterable[int]) -> str:
    return ",".join(str(d) for d in sorted(set(days)))


def name_key(pupil: Any) -> tuple[str, str]:
    """Sort key for a list of pupils: surname, then forename, accents ignored."""
    forename = pupil.preferred_forename or pupil.legal_forename
    surname = pupil.preferred_surname or pupil.legal_surname
    return (_folded(surname), _folded(forename))


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def display_name(pupil: Any) -> str:
    """Preferred names where recorded: what staff call the pupil."""
    forename = pupil.preferred_forename or pupil.legal_forename
    return f"{forename} {pupil.preferred_surname or pupil.legal_surname}"


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def scheduled_dates(
    weekdays: Collection[int],
    start: date,
    end: date,
    *,
    group_start: date | None = None,
    group_end: date | None = None,
) -> list[date]:
    """Every date from ``start`` to ``end`` (inclusive) that falls on one of ``weekdays``
    and inside the group's own dates."""
    if group_start is not None:
        start = max(start, group_start)
    if group_end is not None:
        end = min(end, group_end)
    days = set(weekdays)
    out: list[date] = []
    day = start
    while day <= end:
        if day.weekday() in days:
            out.append(day)
        day += timedelta(days=1)
    return out


def planned_sessions(
    sessions_per_week: int, weekdays: Collection[int], scheduled_days: int
) -> float:
    """Sessions planned over ``scheduled_days`` of the group's days (closures left out).

    Each scheduled day carries sessions_per_week ÷ days-a-week-the-group-meets sessions,
    so a full week always plans exactly the catalogue's sessions per week, and a part week
    (the first or last, or one with a closure) plans its share.
    """
    if not weekdays:
        return 0.0
    return scheduled_days * sessions_per_week / len(set(weekdays))


def session_costs(rows: Iterable[AttendedRow]) -> list[SessionCost]:
    """The cost of each pupil's share of each session they attended.

    The rule: a group's staff hour is shared among the pupils present. A pupil's share of
    a session is ``minutes attended ÷ 60 × the staff role's cost per hour ÷ pupils
    present``. So six pupils present for an hour with a £24/hour assistant cost £4 each,
    and a pupil alone with the assistant costs the whole £24 (that time was theirs). Rows
    with no minutes, or no one present, cost nothing. Pure: works over plain rows, so the
    provision map can sum by pupil, area of need, intervention or year as it needs.
    """
    out: list[SessionCost] = []
    for row in rows:
        if row.minutes <= 0 or row.present <= 0:
            cost = 0.0
        else:
            cost = row.minutes / 60 * row.cost_per_hour_pence / row.present
        out.append(SessionCost(row, cost))
    return out


def _text(value: str, name: str, limit: int, problems: list[str], *, required: bool) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        problems.append(f"the {name} is empty")
    elif len(cleaned) > limit:
        problems.append(f"the {name} is longer than {limit} characters")
    return cleaned


def _whole(value: int, name: str, low: int, high: int, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"the {name} must be a whole number")
    elif not low <= value <= high:
        problems.append(f"the {name} must be from {low:,} to {high:,}")


def _measure(kind: str, value: float | None, which: str, problems: list[str]) -> None:
    if value is None:
        return
    problem = rules.measure_problem(kind, float(value))
    if problem:
        clause = problem[:1].lower() + problem[1:].rstrip(".")
        problems.append(f"the {which} measure: {clause}" if which else clause)


# --- the catalogue -------------------------------------------------------------------------


def _clean_intervention(data: InterventionData) -> InterventionData:
    problems: list[str] = []
    name = _text(data.name, "name", NAME_MAX, problems, required=True)
    area = _text(data.area, "area of need", SHORT_MAX, problems, required=True)
    if area and area not in AREAS:
        problems.append(f"'{area}' is not an area of need: use one of {', '.join(AREAS)}")
    staff_role = _text(data.staff_role, "staff role", SHORT_MAX, problems, required=True)
    measure = _text(data.measure, "measure", SHORT_MAX, problems, required=True)
    if data.measure_kind not in rules.MEASURE_KINDS:
        problems.append(
            f"'{data.measure_kind}' is not a kind of measure: use one of "
            + ", ".join(rules.MEASURE_KINDS)
        )
    _whole(data.group_size, "group size", 1, MAX_GROUP_SIZE, problems)
    _whole(data.sessions_per_week, "sessions per week", 1, MAX_SESSIONS_PER_WEEK, problems)
    _whole(data.minutes_per_session, "minutes per session", 1, MAX_MINUTES, problems)
    _whole(data.cost_per_hour_pence, "cost per hour (pence)", 0, MAX_COST_PENCE, problems)
    refuse(problems)
    return InterventionData(
        name=name,
        area=area,
        staff_role=staff_role,
        measure=measure,
        measure_kind=data.measure_kind,
        group_size=data.group_size,
        sessions_per_week=data.sessions_per_week,
        minutes_per_session=data.minutes_per_session,
        cost_per_hour_pence=data.cost_per_hour_pence,
        description=(data.description or "").strip(),
        active=bool(data.active),
    )


def _intervention_item(row: Intervention) -> InterventionItem:
    return InterventionItem(
        name=row.name,
        area=row.area,
        staff_role=row.staff_role,
        measure=row.measure,
        measure_kind=row.measure_kind,
        group_size=row.group_size,
        sessions_per_week=row.sessions_per_week,
        minutes_per_session=row.minutes_per_session,
        cost_per_hour_pence=row.cost_per_hour_pence,
        description=row.description,
        active=row.active,
        id=row.id,
        version=row.version,
    )


_INTERVENTION_FIELDS = tuple(InterventionData.__dataclass_fields__)


def list_interventions(
    db: Database, actor: Actor, *, include_inactive: bool = True
) -> list[InterventionItem]:
    """The catalogue, by name. It names no pupil, so every signed-in role may read it."""
    with db.session() as s:
        stmt = select(Intervention).order_by(Intervention.name, Intervention.id)
        if not include_inactive:
            stmt = stmt.where(Intervention.active.is_(True))
        return [_intervention_item(row) for row in s.scalars(stmt)]


def _name_taken(s: Session, name: str, other_than: int | None = None) -> bool:
    stmt = select(Intervention.id).where(func.lower(Intervention.name) == name.lower())
    if other_than is not None:
        stmt = stmt.where(Intervention.id != other_than)
    return s.scalar(stmt) is not None


def add_intervention(db: Database, actor: Actor, data: InterventionData) -> int:
    """The SENCo adds a programme to the catalogue; returns its id."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    clean = _clean_intervention(data)
    with db.transaction() as s:
        if _name_taken(s, clean.name):
            raise ValidationError(
                f"The catalogue already has an intervention called '{clean.name}'."
            )
        row = Intervention(**{f: getattr(clean, f) for f in _INTERVENTION_FIELDS})
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "add", "intervention", row.id, {f: getattr(clean, f) for f in _INTERVENTION_FIELDS}
        )
        return row.id


def update_intervention(
    db: Database, actor: Actor, intervention_id: int, version: int, data: InterventionData
) -> int:
    """The SENCo edits a catalogue entry (retire one with ``active=False``); returns the new
    version. ``version`` is the one the SENCo opened: a later save by someone else wins
    and this one is refused with a ConflictError."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    clean = _clean_intervention(data)
    with db.transaction() as s:
        row = get_or_gone(
            s,
            Intervention,
            intervention_id,
            "That intervention is not in the catalogue.",
            NotFoundError,
        )
        check_version(row.version, version, CONFLICT, optional=True)
        if _name_taken(s, clean.name, intervention_id):
            raise ValidationError(
                f"The catalogue already has an intervention called '{clean.name}'."
            )
        changed = {
            f: {"from": getattr(row, f), "to": getattr(clean, f)}
            for f in _INTERVENTION_FIELDS
            if getattr(row, f) != getattr(clean, f)
        }
        if not changed:
            return row.version
        for f in changed:
            setattr(row, f, getattr(clean, f))
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record("update", "intervention", row.id, changed)
        return row.version


# --- groups -----------------------------------------------------------------------------------


def _clean_group(s: Session, data: GroupData) -> GroupData:
    problems: list[str] = []
    name = _text(data.name, "group name", NAME_MAX, problems, required=True)
    days = tuple(sorted(set(data.weekdays)))
    if not days:
        problems.append("choose at least one day of the week the group meets")
    elif any(not 0 <= d <= 6 for d in days):
        problems.append("days of the week go from 0 (Monday) to 6 (Sunday)")
    if data.end_date is not None and data.end_date < data.start_date:
        problems.append(
            f"the end date {_day(data.end_date)} is before the start date {_day(data.start_date)}"
        )
    if s.get(Intervention, data.intervention_id) is None:
        problems.append("that intervention is not in the catalogue")
    if data.staff_id is not None:
        staff = s.get(User, data.staff_id)
        if staff is None or not staff.active:
            problems.append("the member of staff leading the group has no active account")
        elif staff.role not in {r.value for r in GROUP_LEADERS}:
            problems.append("read-only accounts cannot lead a group")
    refuse(problems)
    return GroupData(
        data.intervention_id, name, data.staff_id, days, data.start_date, data.end_date
    )


def _group_columns(data: GroupData) -> dict[str, Any]:
    return {
        "intervention_id": data.intervention_id,
        "name": data.name,
        "staff_id": data.staff_id,
        "weekdays": _weekdays_column(data.weekdays),
        "start_date": data.start_date,
        "end_date": data.end_date,
    }


def add_group(db: Database, actor: Actor, data: GroupData) -> int:
    """The SENCo starts a group of an intervention; returns its id."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.transaction() as s:
        clean = _clean_group(s, data)
        row = InterventionGroup(**_group_columns(clean))
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record("add", "intervention_group", row.id, _group_columns(clean))
        return row.id


def update_group(db: Database, actor: Actor, group_id: int, data: GroupData) -> None:
    """The SENCo changes a group (leader, days, dates)."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.transaction() as s:
        row = get_or_gone(
            s, InterventionGroup, group_id, "That intervention group does not exist.", NotFoundError
        )
        clean = _clean_group(s, data)
        new = _group_columns(clean)
        changed = {
            k: {"from": getattr(row, k), "to": v} for k, v in new.items() if getattr(row, k) != v
        }
        if not changed:
            return
        for k in changed:
            setattr(row, k, new[k])
        AuditWriter(s, actor).record("update", "intervention_group", row.id, changed)


def list_groups(
    db: Database, actor: Actor, *, intervention_id: int | None = None
) -> list[GroupItem]:
    """Groups, newest first: all of them for the SENCo, the ones they lead for other staff."""
    permit(actor, Action.VIEW_INTERVENTIONS)
    with db.session() as s:
        enrolled = (
            select(Enrolment.group_id, func.count().label("n"))
            .where(Enrolment.end_date.is_(None))
            .group_by(Enrolment.group_id)
            .subquery()
        )
        stmt = (
            select(InterventionGroup, Intervention.name, User.display_name, enrolled.c.n)
            .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
            .join(User, User.id == InterventionGroup.staff_id, isouter=True)
            .join(enrolled, enrolled.c.group_id == InterventionGroup.id, isouter=True)
            .order_by(InterventionGroup.start_date.desc(), InterventionGroup.name)
        )
        if intervention_id is not None:
            stmt = stmt.where(InterventionGroup.intervention_id == intervention_id)
        if actor.role != Role.SENCO:
            stmt = stmt.where(InterventionGroup.staff_id == actor.user_id)
        return [
            GroupItem(
                intervention_id=g.intervention_id,
                name=g.name,
                staff_id=g.staff_id,
                weekdays=parse_weekdays(g.weekdays),
                start_date=g.start_date,
                end_date=g.end_date,
                id=g.id,
                intervention_name=iname,
                staff_name=staff,
                enrolled=n or 0,
            )
            for g, iname, staff, n in s.execute(stmt)
        ]


def group_leaders(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """(user id, name) of the active staff who may lead a group, for the SENCo's choice."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.session() as s:
        return [
            (uid, name)
            for uid, name in s.execute(
                select(User.id, User.display_name)
                .where(User.active.is_(True), User.role.in_([r.value for r in GROUP_LEADERS]))
                .order_by(User.display_name, User.id)
            )
        ]


# --- enrolments and measures --------------------------------------------------------------


def _group_and_intervention(s: Session, group_id: int) -> tuple[InterventionGroup, Intervention]:
    row = s.execute(
        select(InterventionGroup, Intervention)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(InterventionGroup.id == group_id)
    ).first()
    if row is None:
        raise NotFoundError("That intervention group does not exist.")
    return row[0], row[1]


def _enrolment_context(
    s: Session, enrolment_id: int
) -> tuple[Enrolment, InterventionGroup, Intervention]:
    row = s.execute(
        select(Enrolment, InterventionGroup, Intervention)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(Enrolment.id == enrolment_id)
    ).first()
    if row is None:
        raise NotFoundError("That enrolment does not exist.")
    return row[0], row[1], row[2]


def _require_leader(actor: Actor, group: InterventionGroup, action: Action) -> None:
    """The SENCo, or the member of staff who leads this group (their scope, MINE, is the
    groups they lead: checked on the group itself, which is what the session or measure
    belongs to)."""
    if permit(actor, action) is not Scope.ALL and group.staff_id != actor.user_id:
        raise PermissionDeniedError(out_of_scope(actor.role, action))


def enrol(
    db: Database,
    actor: Actor,
    group_id: int,
    pupil_id: int,
    start: date,
    planned_end: date | None,
    entry_measure: float | None,
    entry_date: date | None = None,
) -> int:
    """The SENCo enrols a pupil in a group from ``start``; returns the enrolment id.

    The entry measure is dated ``entry_date`` (the start date when not given). A pupil can
    be in a group once at a time: enrol again only after their exit.
    """
    permit(actor, Action.MANAGE_INTERVENTIONS)
    if entry_measure is not None and entry_date is None:
        entry_date = start
    with db.transaction() as s:
        group, intervention = _group_and_intervention(s, group_id)
        pupil_or_gone(s, pupil_id)
        problems: list[str] = []
        if planned_end is not None and planned_end < start:
            problems.append(
                f"the planned end {_day(planned_end)} is before the start {_day(start)}"
            )
        if start < group.start_date or (group.end_date is not None and start > group.end_date):
            problems.append(f"the start date {_day(start)} is outside the group's dates")
        if entry_measure is None and entry_date is not None:
            problems.append("an entry date was given without an entry measure")
        _measure(intervention.measure_kind, entry_measure, "entry", problems)
        refuse(problems)
        already = s.scalar(
            select(Enrolment.id).where(
                Enrolment.group_id == group_id,
                Enrolment.pupil_id == pupil_id,
                (Enrolment.end_date.is_(None)) | (Enrolment.start_date == start),
            )
        )
        if already is not None:
            raise ValidationError("That pupil is already enrolled in this group.")
        row = Enrolment(
            group_id=group_id,
            pupil_id=pupil_id,
            start_date=start,
            planned_end=planned_end,
            entry_measure=entry_measure,
            entry_date=entry_date,
        )
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "enrol",
            "enrolment",
            row.id,
            {
                "group_id": group_id,
                "pupil_id": pupil_id,
                "start": start,
                "planned_end": planned_end,
                "entry_measure": entry_measure,
                "entry_date": entry_date,
            },
        )
        return row.id


def record_exit(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    exit_measure: float | None,
    exit_date: date,
    *,
    end_date: date | None = None,
    version: int | None = None,
) -> int:
    """Record the exit measure and end the enrolment (on ``end_date``, else the exit date).

    The SENCo, or the member of staff who leads the group (they take the scores). An exit
    with no measure still ends the enrolment (a pupil who left the school). Returns the
    enrolment's new version.
    """
    with db.transaction() as s:
        row, group, intervention = _enrolment_context(s, enrolment_id)
        _require_leader(actor, group, Action.RECORD_MEASURES)
        check_version(row.version, version, CONFLICT, optional=True)
        end = end_date or exit_date
        problems: list[str] = []
        if row.end_date is not None:
            problems.append("this enrolment has already ended")
        if exit_date < row.start_date or end < row.start_date:
            problems.append(f"the exit is before the enrolment began ({_day(row.start_date)})")
        if exit_measure is not None and row.entry_date is not None and exit_date < row.entry_date:
            problems.append(
                f"the exit measure is dated before the entry measure ({_day(row.entry_date)})"
            )
        if exit_date > date.today():
            problems.append("the exit date is in the future")
        _measure(intervention.measure_kind, exit_measure, "exit", problems)
        refuse(problems)
        row.exit_measure = exit_measure
        row.exit_date = exit_date if exit_measure is not None else None
        row.end_date = end
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "exit",
            "enrolment",
            row.id,
            {"exit_measure": exit_measure, "exit_date": exit_date, "end_date": end},
        )
        return row.version


def record_entry(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    entry_measure: float,
    entry_date: date,
    *,
    version: int | None = None,
) -> int:
    """Record the entry measure of an enrolment that started without one; its new version.

    Why: the measure is often taken in the first session, after the SENCo enrolled the
    pupil, by whoever leads the group — and without it progress cannot be judged (the
    pack's readiness check says "no entry measure"). The SENCo, or the group's leader;
    only while no entry measure is recorded (a recorded one is the SENCo's to correct).
    """
    with db.transaction() as s:
        row, group, intervention = _enrolment_context(s, enrolment_id)
        _require_leader(actor, group, Action.RECORD_MEASURES)
        check_version(row.version, version, CONFLICT, optional=True)
        problems: list[str] = []
        if row.entry_measure is not None:
            problems.append("this enrolment already has an entry measure")
        if entry_date < row.start_date or (row.end_date is not None and entry_date > row.end_date):
            problems.append(f"{_day(entry_date)} is outside the enrolment's dates")
        if row.exit_date is not None and entry_date > row.exit_date:
            problems.append(f"the entry is dated after the exit ({_day(row.exit_date)})")
        if entry_date > date.today():
            problems.append("the entry date is in the future")
        _measure(intervention.measure_kind, entry_measure, "entry", problems)
        refuse(problems)
        row.entry_measure = entry_measure
        row.entry_date = entry_date
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "entry",
            "enrolment",
            row.id,
            {"entry_measure": entry_measure, "entry_date": entry_date},
        )
        return row.version


def add_measurement(
    db: Database, actor: Actor, enrolment_id: int, taken_on: date, value: float
) -> int:
    """A measure taken during the enrolment (for the chart); returns its id."""
    with db.transaction() as s:
        row, group, intervention = _enrolment_context(s, enrolment_id)
        _require_leader(actor, group, Action.RECORD_MEASURES)
        problems: list[str] = []
        _measure(intervention.measure_kind, value, "", problems)
        if taken_on < row.start_date or (row.end_date is not None and taken_on > row.end_date):
            problems.append(f"{_day(taken_on)} is outside the enrolment's dates")
        if taken_on > date.today():
            problems.append("the date is in the future")
        refuse(problems)
        m = Measurement(enrolment_id=enrolment_id, taken_on=taken_on, value=float(value))
        s.add(m)
        s.flush()
        AuditWriter(s, actor).record(
            "add",
            "measurement",
            m.id,
            {"enrolment_id": enrolment_id, "on": taken_on, "value": value},
        )
        return m.id


def _enrolment_items(s: Session, stmt: Any) -> list[EnrolmentItem]:
    return [
        EnrolmentItem(
            id=e.id,
            group_id=e.group_id,
            pupil_id=e.pupil_id,
            pupil_name=display_name(p),
            year_group=p.year_group,
            start_date=e.start_date,
            planned_end=e.planned_end,
            end_date=e.end_date,
            entry_measure=e.entry_measure,
            entry_date=e.entry_date,
            exit_measure=e.exit_measure,
            exit_date=e.exit_date,
            measure=i.measure,
            measure_kind=i.measure_kind,
            version=e.version,
        )
        for e, p, i in s.execute(stmt)
    ]


def _enrolment_select() -> Any:
    return (
        select(Enrolment, Pupil, Intervention)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
    )


def list_enrolments(db: Database, actor: Actor, group_id: int) -> list[EnrolmentItem]:
    """A group's enrolments, current ones first, then by name."""
    with db.session() as s:
        allowed = pupils_allowed(s, actor, Action.VIEW_INTERVENTIONS)
        _group_and_intervention(s, group_id)
        items = _enrolment_items(s, _enrolment_select().where(Enrolment.group_id == group_id))
    if allowed is not None:  # staff see the pupils they work with (issue 13)
        items = [e for e in items if e.pupil_id in allowed]
    return sorted(items, key=lambda e: (not e.current, _folded(e.pupil_name), e.start_date))


def pupil_enrolments(db: Database, actor: Actor, pupil_id: int) -> list[EnrolmentItem]:
    """Every enrolment of one pupil, newest first (for the pupil's record and pack)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        items = _enrolment_items(s, _enrolment_select().where(Enrolment.pupil_id == pupil_id))
    return sorted(items, key=lambda e: (e.start_date, e.id), reverse=True)


def enrolment_progress(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    *,
    bands: rules.ScoreBands = rules.DEFAULT_SCORE_BANDS,
) -> Progress:
    """Measures over time and the verdict for one enrolment (see :class:`Progress`)."""
    with db.session() as s:
        pupil_id = s.scalar(select(Enrolment.pupil_id).where(Enrolment.id == enrolment_id))
        if pupil_id is not None:
            permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        found = _progress_where(s, Enrolment.id == enrolment_id, bands)
    if enrolment_id not in found:
        raise NotFoundError("That enrolment does not exist.")
    return found[enrolment_id]


def pupil_progress(
    db: Database,
    actor: Actor,
    pupil_id: int,
    *,
    bands: rules.ScoreBands = rules.DEFAULT_SCORE_BANDS,
) -> dict[int, Progress]:
    """:func:`enrolment_progress` for every enrolment of one pupil, by enrolment id, read
    together (the EHC request pack charts them all)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        return _progress_where(s, Enrolment.pupil_id == pupil_id, bands)


def _progress_where(
    s: Session, condition: ColumnElement[bool], bands: rules.ScoreBands
) -> dict[int, Progress]:
    """Progress of the enrolments matching ``condition``: two queries however many."""
    rows = s.execute(
        select(Enrolment, InterventionGroup, Intervention, Pupil)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .where(condition)
    ).all()
    between: dict[int, list[tuple[date, float]]] = defaultdict(list)
    if rows:
        for eid, on, value in s.execute(
            select(Measurement.enrolment_id, Measurement.taken_on, Measurement.value)
            .where(Measurement.enrolment_id.in_([e.id for e, *_ in rows]))
            .order_by(Measurement.taken_on, Measurement.id)
        ):
            between[eid].append((on, value))
    return {e.id: _progress(e, g, i, p, between.get(e.id, []), bands) for e, g, i, p in rows}


def _progress(
    e: Enrolment,
    g: InterventionGroup,
    i: Intervention,
    p: Pupil,
    between: list[tuple[date, float]],
    bands: rules.ScoreBands,
) -> Progress:
    """An enrolment's points (entry, the measures ``between``, exit) and verdict."""
    points: list[MeasurePoint] = []
    if e.entry_measure is not None and e.entry_date is not None:
        points.append(MeasurePoint(e.entry_date, e.entry_measure, "entry"))
    points.extend(MeasurePoint(on, value) for on, value in between)
    if e.exit_measure is not None and e.exit_date is not None:
        points.append(MeasurePoint(e.exit_date, e.exit_measure, "exit"))
    points.sort(key=lambda pt: (pt.on, {"entry": 0, "": 1, "exit": 2}[pt.label]))
    entry = next((pt for pt in points if pt.label == "entry"), None)
    exit_point = next((pt for pt in points if pt.label == "exit"), None)
    last = exit_point or (points[-1] if points and points[-1] is not entry else None)
    judged: rules.Verdict | None = None
    if entry is not None and last is not None and last.on >= entry.on:
        judged = rules.verdict(
            i.measure_kind, entry.value, last.value, entry.on, last.on, bands=bands, unit=i.measure
        )
    return Progress(
        enrolment_id=e.id,
        pupil_id=p.id,
        pupil_name=display_name(p),
        group_name=g.name,
        intervention_name=i.name,
        measure=i.measure,
        measure_kind=i.measure_kind,
        start_date=e.start_date,
        planned_end=e.planned_end,
        end_date=e.end_date,
        points=tuple(points),
        verdict=judged,
        final=exit_point is not None,
    )


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
            _require_leader(actor, group, Action.LOG_SESSIONS)
        return found[0]


# --- logging sessions -----------------------------------------------------------------------


def _check_session_date(group: InterventionGroup, on: date) -> list[str]:
    problems: list[str] = []
    if on > date.today():
        problems.append(f"{_day(on)} is in the future: log a session once it has happened")
    if on < group.start_date or (group.end_date is not None and on > group.end_date):
        end = _day(group.end_date) if group.end_date else "now"
        problems.append(f"the group runs from {_day(group.start_date)} to {end}, not on {_day(on)}")
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
        group, _intervention = _group_and_intervention(s, group_id)
        _require_leader(actor, group, Action.LOG_SESSIONS)
        problems = _check_session_date(group, on)
        reason = _clean_reason(reason)
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
            if reason is None:
                problems.append("say why the session was not delivered")
            elif len(reason) > SHORT_MAX:
                problems.append(f"the reason is longer than {SHORT_MAX} characters")
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
        problems.append(f"the end {_day(end)} is before the start {_day(start)}")
    elif (end - start).days > MAX_TERM_DAYS:
        problems.append("log at most a school year at a time")
    if end > date.today():
        problems.append("the range ends in the future: log sessions once they have happened")
    return problems


def term_preview(db: Database, actor: Actor, group_id: int, start: date, end: date) -> TermPreview:
    """The group's scheduled dates from ``start`` to ``end``: to log, and already logged."""
    with db.session() as s:
        group, _ = _group_and_intervention(s, group_id)
        _require_leader(actor, group, Action.LOG_SESSIONS)
        dates = scheduled_dates(
            parse_weekdays(group.weekdays),
            start,
            end,
            group_start=group.start_date,
            group_end=group.end_date,
        )
        logged = _logged_dates(s, group_id, start, end)
    return TermPreview(
        tuple(d for d in dates if d not in logged), tuple(d for d in dates if d in logged)
    )


def _logged_dates(s: Session, group_id: int, start: date, end: date) -> set[date]:
    return set(
        s.scalars(
            select(DeliveredSession.held_on).where(
                DeliveredSession.group_id == group_id,
                DeliveredSession.held_on >= start,
                DeliveredSession.held_on <= end,
            )
        )
    )


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
        group, _ = _group_and_intervention(s, group_id)
        _require_leader(actor, group, Action.LOG_SESSIONS)
        problems = _term_bounds(group, start, end)
        if isinstance(default_minutes, bool) or not 0 < default_minutes <= MAX_MINUTES:
            problems.append(f"the session's minutes must be from 1 to {MAX_MINUTES}")
        refuse(problems)
        dates = scheduled_dates(
            parse_weekdays(group.weekdays),
            start,
            end,
            group_start=group.start_date,
            group_end=group.end_date,
        )
        logged = _logged_dates(s, group_id, start, end)
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
            reason = _clean_reason(ex.reason)
            if reason is None:
                problems.append(f"the exception on {_day(ex.on)} has no reason")
            elif len(reason) > SHORT_MAX:
                problems.append(
                    f"the reason for {_day(ex.on)} is longer than {SHORT_MAX} characters"
                )
            if ex.on not in wanted:
                problems.append(f"{_day(ex.on)} is not one of the group's days in that range")
                continue
            if ex.enrolment_id is None:
                whole[ex.on] = reason or ""
            else:
                e = by_id.get(ex.enrolment_id)
                if e is None or e not in enrolled_on(ex.on):
                    problems.append(
                        f"an exception on {_day(ex.on)} is for a pupil not enrolled then"
                    )
                pupil[(ex.on, ex.enrolment_id)] = reason or ""
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
            groups[group_id] = _group_and_intervention(s, group_id)
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
