"""What the intervention screens send and get back, the vocabulary (missed-session
reasons, weekdays, limits) and the small helpers every part shares (names, weekdays, the
sessions a group should have had, what a session cost).

Why one module: the catalogue, groups, enrolments, session logging and the cost rows all
read the same items, so the dataclasses live once, below every use case.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sendesk.models import Role
from sendesk.rules import progress as rules
from sendesk.services.common import checked_text

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


def weekdays_column(days: Iterable[int]) -> str:
    """Weekdays (0 = Monday) as the group's column stores them: "0,2,4"."""
    return ",".join(str(d) for d in sorted(set(days)))


def name_key(pupil: Any) -> tuple[str, str]:
    """Sort key for a list of pupils: surname, then forename, accents ignored."""
    forename = pupil.preferred_forename or pupil.legal_forename
    surname = pupil.preferred_surname or pupil.legal_surname
    return (folded(surname), folded(forename))


def folded(text: str) -> str:
    """``text`` with accents removed and case folded, for sorting and matching names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def display_name(pupil: Any) -> str:
    """Preferred names where recorded: what staff call the pupil."""
    forename = pupil.preferred_forename or pupil.legal_forename
    return f"{forename} {pupil.preferred_surname or pupil.legal_surname}"


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


def clean_text(value: str, name: str, limit: int, problems: list[str], *, required: bool) -> str:
    """``value`` stripped; adds a problem naming ``name`` when it is empty (and
    ``required``) or longer than ``limit``."""
    missing = f"the {name} is empty" if required else None
    return checked_text(value or "", limit, f"the {name} is", problems, lines=True, missing=missing)


def check_whole(value: int, name: str, low: int, high: int, problems: list[str]) -> None:
    """Add a problem naming ``name`` unless ``value`` is a whole number from ``low`` to
    ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"the {name} must be a whole number")
    elif not low <= value <= high:
        problems.append(f"the {name} must be from {low:,} to {high:,}")


def check_measure(kind: str, value: float | None, which: str, problems: list[str]) -> None:
    """Add a problem when ``value`` is not a possible ``kind`` measure; ``which`` ("entry",
    "exit" or "") names it in the sentence."""
    if value is None:
        return
    problem = rules.measure_problem(kind, float(value))
    if problem:
        clause = problem[:1].lower() + problem[1:].rstrip(".")
        problems.append(f"the {which} measure: {clause}" if which else clause)
