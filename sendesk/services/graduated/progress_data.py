"""Progress data a request pack needs: school attendance per term and attainment over time.

LA request forms ask for attendance over the last year and for attainment "now, 6 months
ago and 12 months ago" against what was expected. Schools keep both in their MIS, so the
SENCo either types a figure in or imports the MIS's assessment export
(:func:`import_attainment_csv`); SENDesk keeps the snapshots with their dates, and
:func:`attainment_over_time` picks, for each subject and measure, the snapshot nearest
each of the three points in time.

Attendance is recorded per term (possible and attended sessions, as the MIS reports them);
a term recorded again replaces its figures. Attainment values are kept as the school
writes them ("4-", "Working towards", "102", "7y 4m"): grading schemes differ too much to
be made numbers, and a panel reads them side by side with the expected value.

The SENCo records and imports; learning support staff and teachers may read; read-only
accounts see no named pupil's data. Every change is audited in its transaction; an import
writes one event with its counts and the pupils it touched (never values or names).
"""

from __future__ import annotations

import calendar
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import AttainmentSnapshot, AttendanceRecord, Pupil
from sendesk.rules.sentences import first_problems
from sendesk.services.actor import Actor
from sendesk.services.bulk_rows import bulk
from sendesk.services.common import (
    add_audited,
    apply_changes,
    checked_text,
    get_or_gone,
    pupil_or_gone,
    refuse,
    sentence,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.register import mis_columns, mis_reading, mis_values
from sendesk.services.store.audit import AuditWriter

TERM_MAX = 30
SUBJECT_MAX = 60
MEASURE_MAX = 60
VALUE_MAX = 30
SESSIONS_MAX = 1_000  # a whole year is about 380 half-day sessions
DEFAULT_TOLERANCE_DAYS = 92  # about a term either side of "6 months ago"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def _check_date(value: object, label: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{label} must be a date")


# --- attendance -------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceItem:
    """A pupil's attendance over one term."""

    id: int
    pupil_id: int
    term: str
    term_start: date
    possible_sessions: int
    attended_sessions: int

    @property
    def percentage(self) -> float:
        """Attendance as a percentage to one decimal place (as the DfE reports it)."""
        return percentage(self.attended_sessions, self.possible_sessions)


@dataclass(frozen=True)
class AttendanceSummary:
    """Attendance over the terms that started in the twelve months before a date."""

    terms: tuple[AttendanceItem, ...]
    possible_sessions: int
    attended_sessions: int

    @property
    def percentage(self) -> float | None:
        if not self.possible_sessions:
            return None
        return percentage(self.attended_sessions, self.possible_sessions)


def percentage(attended: int, possible: int) -> float:
    """Attended ÷ possible as a percentage, one decimal place, rounded half up."""
    if possible <= 0:
        return 0.0
    tenths = (attended * 1000 * 2 + possible) // (possible * 2)  # half up, exact integers
    return tenths / 10


def term_name(academic_year_start: int, season: str) -> str:
    """The conventional term name: ``term_name(2025, "autumn")`` → "2025-26 autumn"."""
    season = season.strip().lower()
    if season not in ("autumn", "spring", "summer"):
        raise ValidationError(f"'{season}' is not a term (autumn, spring or summer).")
    return f"{academic_year_start}-{(academic_year_start + 1) % 100:02d} {season}"


def _attendance_problems(
    term: str, term_start: date, possible_sessions: int, attended_sessions: int
) -> tuple[str, list[str]]:
    """The term's name as stored and every problem with a term's figures; a wrong type
    (a programming error, not a typing one) is a TypeError. Shared by :func:`add_attendance`
    and :func:`record_past_progress`."""
    _check_date(term_start, "term_start")
    problems: list[str] = []
    term = checked_text(
        _one_line(term), TERM_MAX, "the term's name is", problems, missing="the term is missing"
    )
    for label, value in (("possible", possible_sessions), ("attended", attended_sessions)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{label} sessions must be a whole number")
    if not 1 <= possible_sessions <= SESSIONS_MAX:
        problems.append(f"possible sessions must be between 1 and {SESSIONS_MAX:,}")
    if attended_sessions < 0:
        problems.append("attended sessions cannot be negative")
    elif attended_sessions > possible_sessions:
        problems.append(
            f"attended sessions ({attended_sessions}) are more than the possible "
            f"sessions ({possible_sessions})"
        )
    return term, problems


def add_attendance(
    db: Database,
    actor: Actor,
    pupil_id: int,
    term: str,
    term_start: date,
    possible_sessions: int,
    attended_sessions: int,
) -> int:
    """The SENCo records a pupil's attendance for a term; returns the record's id.

    Recording a term the pupil already has replaces its figures (audited as an update).
    """
    permit(actor, Action.RECORD_PROGRESS)
    term, problems = _attendance_problems(term, term_start, possible_sessions, attended_sessions)
    refuse(problems)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        row = s.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.pupil_id == pupil_id, AttendanceRecord.term == term
            )
        )
        audit = AuditWriter(s, actor)
        values = {
            "term_start": term_start,
            "possible_sessions": possible_sessions,
            "attended_sessions": attended_sessions,
        }
        if row is None:
            row = AttendanceRecord(pupil_id=pupil_id, term=term, **values)
            return add_audited(s, audit, row, "attendance_record", {"pupil_id": pupil_id})
        changed = apply_changes(row, values)
        if changed:
            s.flush()
            audit.record(
                "update", "attendance_record", row.id, {"pupil_id": pupil_id, "fields": changed}
            )
        return row.id


def list_attendance(db: Database, actor: Actor, pupil_id: int) -> list[AttendanceItem]:
    """A pupil's termly attendance, oldest term first (one query)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_PROGRESS, pupil_id)
        rows = s.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.pupil_id == pupil_id)
            .order_by(AttendanceRecord.term_start, AttendanceRecord.id)
        ).all()
        return [
            AttendanceItem(
                r.id, r.pupil_id, r.term, r.term_start, r.possible_sessions, r.attended_sessions
            )
            for r in rows
        ]


def attendance_last_year(
    db: Database, actor: Actor, pupil_id: int, today: date
) -> AttendanceSummary:
    """Attendance over the terms that started in the 12 months up to ``today``."""
    since = months_before(today, 12)
    terms = tuple(t for t in list_attendance(db, actor, pupil_id) if since < t.term_start <= today)
    return AttendanceSummary(
        terms,
        sum(t.possible_sessions for t in terms),
        sum(t.attended_sessions for t in terms),
    )


def remove_attendance(db: Database, actor: Actor, record_id: int) -> None:
    """The SENCo removes a term's attendance record."""
    _remove(
        db,
        actor,
        AttendanceRecord,
        record_id,
        "That attendance record is no longer in this database.",
    )


def _remove(
    db: Database,
    actor: Actor,
    model: type[AttendanceRecord | AttainmentSnapshot],
    row_id: int,
    gone: str,
) -> None:
    """Delete one of a pupil's progress records and audit it under its table's name; a
    NotFoundError saying ``gone`` when it has already been removed."""
    permit(actor, Action.RECORD_PROGRESS)
    with db.transaction() as s:
        row = get_or_gone(s, model, row_id, gone, NotFoundError)
        pupil_id = row.pupil_id
        s.delete(row)
        s.flush()
        AuditWriter(s, actor).record("delete", model.__tablename__, row_id, {"pupil_id": pupil_id})


# --- attainment -------------------------------------------------------------------------


@dataclass(frozen=True)
class AttainmentData:
    """One attainment measure as typed in (or read from an import row)."""

    subject: str
    measure: str
    value: str
    expected: str
    taken_on: date


@dataclass(frozen=True)
class AttainmentItem:
    id: int
    pupil_id: int
    subject: str
    measure: str
    value: str
    expected: str
    taken_on: date


def _attainment_problems(data: AttainmentData, today: date) -> tuple[AttainmentData, list[str]]:
    """The cleaned data and every problem with it (texts on one line, NFC)."""
    clean = AttainmentData(
        _one_line(data.subject),
        _one_line(data.measure),
        _one_line(data.value),
        _one_line(data.expected),
        data.taken_on,
    )
    problems: list[str] = []
    for label, text, limit, required in (
        ("subject", clean.subject, SUBJECT_MAX, True),
        ("measure", clean.measure, MEASURE_MAX, True),
        ("value", clean.value, VALUE_MAX, True),
        ("expected value", clean.expected, VALUE_MAX, False),
    ):
        missing = f"the {label} is missing" if required else None
        checked_text(text, limit, f"the {label} is", problems, missing=missing)
    if clean.taken_on > today:
        problems.append(f"the date {clean.taken_on:%d/%m/%Y} is in the future")
    return clean, problems


def add_attainment(
    db: Database, actor: Actor, pupil_id: int, data: AttainmentData, *, today: date | None = None
) -> int:
    """The SENCo records one attainment snapshot; returns its id."""
    permit(actor, Action.RECORD_PROGRESS)
    _check_date(data.taken_on, "taken_on")
    clean, problems = _attainment_problems(data, today or date.today())
    refuse(problems)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        row = AttainmentSnapshot(
            pupil_id=pupil_id,
            subject=clean.subject,
            measure=clean.measure,
            value=clean.value,
            expected=clean.expected,
            taken_on=clean.taken_on,
        )
        return add_audited(
            s, AuditWriter(s, actor), row, "attainment_snapshot", {"pupil_id": pupil_id}
        )


def list_attainment(db: Database, actor: Actor, pupil_id: int) -> list[AttainmentItem]:
    """A pupil's attainment snapshots by subject and measure, oldest first (one query)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_PROGRESS, pupil_id)
        rows = s.scalars(
            select(AttainmentSnapshot).where(AttainmentSnapshot.pupil_id == pupil_id)
        ).all()
        items = [
            AttainmentItem(r.id, r.pupil_id, r.subject, r.measure, r.value, r.expected, r.taken_on)
            for r in rows
        ]
    items.sort(key=lambda i: (i.subject.casefold(), i.measure.casefold(), i.taken_on, i.id))
    return items


def remove_attainment(db: Database, actor: Actor, snapshot_id: int) -> None:
    """The SENCo removes an attainment snapshot (a mistyped one, say)."""
    _remove(
        db,
        actor,
        AttainmentSnapshot,
        snapshot_id,
        "That attainment record is no longer in this database.",
    )


# --- now, 6 months ago, 12 months ago -----------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the 31st → the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class AttainmentPoint:
    """The snapshot standing for one point in time."""

    value: str
    expected: str
    taken_on: date


@dataclass(frozen=True)
class AttainmentTrend:
    """One subject and measure: the snapshots nearest now, 6 and 12 months ago."""

    subject: str
    measure: str
    now: AttainmentPoint | None
    six_months_ago: AttainmentPoint | None
    twelve_months_ago: AttainmentPoint | None

    @property
    def points(self) -> tuple[AttainmentPoint | None, ...]:
        """Oldest first: 12 months ago, 6 months ago, now."""
        return (self.twelve_months_ago, self.six_months_ago, self.now)


def attainment_over_time(
    db: Database,
    actor: Actor,
    pupil_id: int,
    today: date,
    *,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> list[AttainmentTrend]:
    """For each subject and measure, the snapshot nearest now, 6 and 12 months ago.

    A point takes the snapshot (on or before ``today``) nearest to it within
    ``tolerance_days``; on a tie the later one. "Now" is chosen first, then 6, then 12
    months ago, and a snapshot stands for one point only, so the three columns never
    repeat a measurement. A point with none near enough is None (the pack shows a gap, not
    a guess). Subjects and measures are matched ignoring case; rows with no point at all
    are left out.
    """
    targets = (today, months_before(today, 6), months_before(today, 12))
    tolerance = timedelta(days=tolerance_days)
    groups: dict[tuple[str, str], list[AttainmentItem]] = defaultdict(list)
    for item in list_attainment(db, actor, pupil_id):
        if item.taken_on <= today:
            groups[(item.subject.casefold(), item.measure.casefold())].append(item)
    trends: list[AttainmentTrend] = []
    for items in groups.values():
        used: set[int] = set()
        chosen: list[AttainmentPoint | None] = []
        for target in targets:
            near = [i for i in items if i.id not in used and abs(i.taken_on - target) <= tolerance]
            if not near:
                chosen.append(None)
                continue
            best = min(near, key=lambda i: (abs(i.taken_on - target), -i.taken_on.toordinal()))
            used.add(best.id)
            chosen.append(AttainmentPoint(best.value, best.expected, best.taken_on))
        if any(chosen):
            latest = items[-1]  # spelled as most recently recorded
            trends.append(AttainmentTrend(latest.subject, latest.measure, *chosen))
    trends.sort(key=lambda t: (t.subject.casefold(), t.measure.casefold()))
    return trends


# --- importing an MIS assessment export ---------------------------------------------------

_HEADERS: dict[str, str] = {
    "upn": "upn",
    "pupilupn": "upn",
    "uniquepupilnumber": "upn",
    "subject": "subject",
    "measure": "measure",
    "aspect": "measure",
    "assessment": "measure",
    "value": "value",
    "result": "value",
    "grade": "value",
    "score": "value",
    "expected": "expected",
    "expectedvalue": "expected",
    "expectedgrade": "expected",
    "date": "date",
    "assessmentdate": "date",
    "dateassessed": "date",
}
_REQUIRED = ("upn", "subject", "measure", "value", "date")
_LABELS = {
    "upn": "UPN",
    "subject": "Subject",
    "measure": "Measure",
    "value": "Value",
    "expected": "Expected",
    "date": "Date",
}


@dataclass
class AttainmentImportReport:
    """What an attainment import found and did; :meth:`format` is the printed report.

    ``problems`` are ``(line, text)``. The import is all or nothing: with any problem,
    nothing is written. A row matching a stored snapshot (same pupil, subject, measure
    and date) updates its value and expected value, so importing a file again changes
    nothing.
    """

    file_name: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. the lines read as Windows-1252

    @property
    def problem_lines(self) -> list[int]:
        return sorted({line for line, _ in self.problems})

    def lines(self) -> list[str]:
        rows = "row" if self.rows_read == 1 else "rows"
        out = [f"Attainment import from {self.file_name}: {self.rows_read:,} {rows} read."]
        if self.problems:
            bad = len(self.problem_lines)
            out += ["", f"{bad:,} {'line' if bad == 1 else 'lines'} with problems:"]
            out += [f"  line {line}: {text}" for line, text in sorted(self.problems)]
            out += [
                "",
                "Nothing was written: an import is all or nothing. Fix the lines above "
                "and import again.",
            ]
        elif self.written:
            out.append(
                f"Imported: {self.created} new, {self.updated} updated, {self.unchanged} unchanged."
            )
        if self.notes:
            out += ["", "Notes:", *(f"  {note}" for note in self.notes)]
        return out

    def format(self) -> str:
        return "\n".join(self.lines()) + "\n"


def _norm_header(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass(frozen=True)
class _Row:
    line: int
    upn: str
    data: AttainmentData


def _read_table(path: Path) -> tuple[list[tuple[int, dict[str, str]]], str, list[str]]:
    """The rows of an assessment export by column key, read within the MIS export limits
    (:data:`mis_reading.MAX_FILE_BYTES` and the rest, checked before parsing); its name;
    notes for the report (the lines not UTF-8, read as Windows-1252)."""
    name = path.name
    if path.is_dir():
        raise ValidationError(f"{path} is a folder, not an export file.")
    records = mis_reading.open_records(path, "csv")

    def resolve(cells: list[str]) -> tuple[list[str], dict[str, int]]:
        headers = [h.strip() for h in cells]
        columns: dict[str, int] = {}
        for index, header in enumerate(headers):
            key = _HEADERS.get(_norm_header(header))
            if key is not None and key not in columns:
                columns[key] = index
        missing = [_LABELS[k] for k in _REQUIRED if k not in columns]
        if missing:
            shown = mis_columns.shown_columns(headers)
            raise ValidationError(
                f"{name} has no column for {', '.join(missing)} (the columns are: {shown}); "
                "the columns needed are UPN, Subject, Measure, Value, Expected and Date."
            )
        return headers, columns

    rows: list[tuple[int, dict[str, str]]] = []
    with closing(records.rows):
        (_headers, columns), rest = mis_reading.split_header(
            records, 1, resolve, f"{name} is empty: there is no header row."
        )
        for line, cells in rest:
            if not any(c.strip() for c in cells):
                continue
            rows.append(
                (
                    line,
                    {k: (cells[i] if i < len(cells) else "").strip() for k, i in columns.items()},
                )
            )
    notes = [text[:1].upper() + text[1:] + "." for text in records.warnings]
    return rows, name, notes


def _store_attainment(
    session: Session, rows: Sequence[tuple[int, AttainmentData]]
) -> tuple[int, int, int, set[int]]:
    """Write checked snapshots (pupil id, cleaned data): a new one is inserted, one matching
    a stored snapshot (same pupil, subject, measure and date, case ignored) updates that
    snapshot's value and expected value. Returns (created, updated, unchanged, the pupils
    touched). One writer for the MIS import and :func:`record_past_progress`, so a
    snapshot is stored the same way whoever brings it in."""
    ids = sorted({pid for pid, _ in rows})
    stored: dict[tuple[int, str, str, date], AttainmentSnapshot] = {}
    for start in range(0, len(ids), 500):
        for snap in session.scalars(
            select(AttainmentSnapshot).where(
                AttainmentSnapshot.pupil_id.in_(ids[start : start + 500])
            )
        ):
            key = (snap.pupil_id, snap.subject.casefold(), snap.measure.casefold(), snap.taken_on)
            stored.setdefault(key, snap)
    new: list[dict[str, object]] = []
    touched: set[int] = set()
    updated = unchanged = 0
    for pid, d in rows:
        snap = stored.get((pid, d.subject.casefold(), d.measure.casefold(), d.taken_on))
        if snap is None:
            new.append(
                {
                    "pupil_id": pid,
                    "subject": d.subject,
                    "measure": d.measure,
                    "value": d.value,
                    "expected": d.expected,
                    "taken_on": d.taken_on,
                }
            )
            touched.add(pid)
        elif (snap.value, snap.expected) != (d.value, d.expected):
            snap.value, snap.expected = d.value, d.expected
            updated += 1
            touched.add(pid)
        else:
            unchanged += 1
    if new:
        session.execute(insert(AttainmentSnapshot), new)
    return len(new), updated, unchanged, touched


def import_attainment_csv(
    db: Database, actor: Actor, path: Path | str, *, today: date | None = None
) -> AttainmentImportReport:
    """Import attainment snapshots from an MIS CSV export, all or nothing.

    Columns (any order, header case and spacing ignored): UPN, Subject, Measure, Value,
    Expected (may be blank or absent) and Date (dd/mm/yyyy). Every row is checked first;
    the report lists each problem with its line, and with any problem nothing is written.
    A file that cannot be read as such an export at all raises ValidationError.
    Queries: the pupils named, their stored snapshots, then one bulk insert.
    """
    permit(actor, Action.IMPORT_DATA)
    today = today or date.today()
    path = Path(path).expanduser()
    raw_rows, name, notes = _read_table(path)
    report = AttainmentImportReport(file_name=name, rows_read=len(raw_rows), notes=notes)
    upns = {values["upn"].replace(" ", "").upper() for _, values in raw_rows} - {""}
    with db.transaction() as s:
        pupil_ids: dict[str, int] = {}
        upn_list = sorted(upns)
        for start in range(0, len(upn_list), 500):
            chunk = upn_list[start : start + 500]
            pupil_ids.update(
                (upn, pid)
                for upn, pid in s.execute(select(Pupil.upn, Pupil.id).where(Pupil.upn.in_(chunk)))
            )
        rows: list[_Row] = []
        first_line: dict[tuple[int, str, str, date], int] = {}
        for line, values in raw_rows:
            problems: list[str] = []
            upn = values["upn"].replace(" ", "").upper()
            if not upn:
                problems.append("the UPN is missing")
            elif upn not in pupil_ids:
                problems.append(f"UPN {upn} is not a pupil in SENDesk")
            taken_on: date | None = None
            try:
                taken_on = mis_values.parse_date(values["date"])
                if taken_on is None:
                    problems.append("the date is missing")
            except ValueError as exc:
                problems.append(f"the date {exc}")
            data = AttainmentData(
                values["subject"],
                values["measure"],
                values["value"],
                values.get("expected", ""),
                taken_on or today,
            )
            data, more = _attainment_problems(data, today)
            problems += more
            if not problems and taken_on is not None:
                key = (pupil_ids[upn], data.subject.casefold(), data.measure.casefold(), taken_on)
                if key in first_line:
                    problems.append(
                        f"UPN {upn} has the same subject, measure and date on line "
                        f"{first_line[key]}"
                    )
                else:
                    first_line[key] = line
            if problems:
                report.problems += [(line, sentence([p])[:-1]) for p in problems]
            else:
                rows.append(_Row(line, upn, data))
        if report.problems:
            return report
        report.created, report.updated, report.unchanged, touched = _store_attainment(
            s, [(pupil_ids[r.upn], r.data) for r in rows]
        )
        if touched:
            AuditWriter(s, actor).record(
                "import",
                "attainment_snapshot",
                None,
                {
                    "file": name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "pupil_ids": sorted(touched),
                },
            )
        report.written = True
    return report


# --- a school's past progress data in one call --------------------------------------------


@dataclass(frozen=True)
class PastAttendance:
    """A pupil's attendance over one past term (as :func:`add_attendance` takes it)."""

    pupil_id: int
    term: str
    term_start: date
    possible_sessions: int
    attended_sessions: int


@dataclass(frozen=True)
class PastAttainment:
    """One past attainment snapshot of a pupil (as :func:`add_attainment` takes it)."""

    pupil_id: int
    data: AttainmentData


@dataclass(frozen=True)
class PastProgressCounts:
    """What :func:`record_past_progress` wrote: new rows, and stored ones it replaced."""

    attendance_records: int
    attendance_updated: int
    attainment_snapshots: int
    attainment_updated: int


def _known_pupils(session: Session, pupil_ids: set[int]) -> set[int]:
    """Which of ``pupil_ids`` are pupils (500 to a query)."""
    ids = sorted(pupil_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(
            session.scalars(select(Pupil.id).where(Pupil.id.in_(ids[start : start + 500])))
        )
    return found


def _past_progress_problems(
    session: Session,
    attendance: Sequence[PastAttendance],
    attainment: Sequence[PastAttainment],
    today: date,
) -> tuple[list[tuple[PastAttendance, str]], list[tuple[int, AttainmentData]]]:
    """Every item checked as :func:`add_attendance` and :func:`add_attainment` check one,
    and none given twice; one sentence naming the first problems, else the cleaned items
    (an attendance item with its term's name as stored)."""
    problems: list[str] = []
    known = _known_pupils(
        session, {a.pupil_id for a in attendance} | {a.pupil_id for a in attainment}
    )
    terms: list[tuple[PastAttendance, str]] = []
    seen_terms: set[tuple[int, str]] = set()
    for item in attendance:
        where = f"pupil {item.pupil_id}'s attendance for {item.term.strip() or 'a term'}"
        if item.pupil_id not in known:
            problems.append(f"{where}: pupil {item.pupil_id} is not in this database")
        term, found = _attendance_problems(
            item.term, item.term_start, item.possible_sessions, item.attended_sessions
        )
        problems += [f"{where}: {p}" for p in found]
        if (item.pupil_id, term) in seen_terms:
            problems.append(f"{where}: the term is given twice")
        seen_terms.add((item.pupil_id, term))
        terms.append((item, term))
    snapshots: list[tuple[int, AttainmentData]] = []
    seen: set[tuple[int, str, str, date]] = set()
    for snap in attainment:
        _check_date(snap.data.taken_on, "taken_on")
        clean, found = _attainment_problems(snap.data, today)
        where = (
            f"pupil {snap.pupil_id}'s {clean.subject or 'attainment'} on {clean.taken_on:%d/%m/%Y}"
        )
        if snap.pupil_id not in known:
            problems.append(f"{where}: pupil {snap.pupil_id} is not in this database")
        problems += [f"{where}: {p}" for p in found]
        key = (snap.pupil_id, clean.subject.casefold(), clean.measure.casefold(), clean.taken_on)
        if key in seen:
            problems.append(f"{where}: the same subject, measure and date are given twice")
        seen.add(key)
        snapshots.append((snap.pupil_id, clean))
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    return terms, snapshots


def record_past_progress(
    session: Session,
    audit: AuditWriter,
    attendance: Sequence[PastAttendance],
    attainment: Sequence[PastAttainment],
    *,
    today: date,
) -> PastProgressCounts:
    """Record pupils' past termly attendance and attainment snapshots in the caller's
    transaction (``session``, whose writer ``audit`` names who records them: the SENCo).

    Why a batch: :func:`add_attendance` and :func:`add_attainment` take one figure a
    transaction and an audit event each; a school's history (the demo school's first) is
    thousands. Every item is checked with their rules first and nothing is written if any
    is wrong; then, as they do, a term already recorded for the pupil has its figures
    replaced and a snapshot matching a stored one (as the MIS import matches them) its
    values. Written by executemany; one audit event ("record_past_progress") holds the
    counts and the pupils touched.
    """
    permit(audit.actor, Action.RECORD_PROGRESS)
    session.flush()
    terms, snapshots = _past_progress_problems(session, attendance, attainment, today)
    pupils = sorted({a.pupil_id for a in attendance})
    stored: dict[tuple[int, str], AttendanceRecord] = {}
    for start in range(0, len(pupils), 500):
        for row in session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.pupil_id.in_(pupils[start : start + 500])
            )
        ):
            stored[(row.pupil_id, row.term)] = row
    new: list[dict[str, object]] = []
    updated = 0
    for item, term in terms:
        values = {
            "term_start": item.term_start,
            "possible_sessions": item.possible_sessions,
            "attended_sessions": item.attended_sessions,
        }
        row = stored.get((item.pupil_id, term))
        if row is None:
            new.append({"pupil_id": item.pupil_id, "term": term, **values})
        elif apply_changes(row, values):
            updated += 1
    if new:
        session.execute(bulk(AttendanceRecord), new)
    created, snaps_updated, _, touched = _store_attainment(session, snapshots)
    session.flush()
    counts = PastProgressCounts(len(new), updated, created, snaps_updated)
    audit.record(
        "record_past_progress",
        "attendance_record",
        None,
        {
            **counts.__dict__,
            "pupil_ids": sorted(touched | set(pupils)),
            "today": today,
        },
    )
    return counts


__all__ = [
    "AttainmentData",
    "AttainmentImportReport",
    "AttainmentItem",
    "AttainmentPoint",
    "AttainmentTrend",
    "AttendanceItem",
    "AttendanceSummary",
    "PastAttainment",
    "PastAttendance",
    "PastProgressCounts",
    "add_attainment",
    "add_attendance",
    "attainment_over_time",
    "attendance_last_year",
    "import_attainment_csv",
    "list_attainment",
    "list_attendance",
    "months_before",
    "percentage",
    "record_past_progress",
    "remove_attainment",
    "remove_attendance",
    "term_name",
]
