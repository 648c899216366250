"""Exam access arrangements: proposals, Form 8 assessments, approvals, expiry and NWW evidence.

Why this module exists: an access arrangement put in place without the evidence JCQ asks
for can cost a candidate their results, and an inspector may ask to see the evidence for
any candidate at any time. The evidence is spread over several people — the SENCo decides
and approves, an assessor tests, every subject teacher sees how the candidate works — so
SENDesk keeps it in one place and answers the questions each of them asks:

- the SENCo: which arrangements each pupil has, at which stage, on which evidence, with
  the JCQ criteria checked in words (:mod:`sendesk.rules.jcq`) and the approval's expiry;
  where evidence of the normal way of working (NWW) is missing (:func:`gap_view`); the
  exams officer's list (:func:`exams_officer_rows`); and "what's due" (:func:`access_items`);
- a teacher: the pupils *they* teach who have (or are proposed for) arrangements in *their*
  subject, with the date of the last evidence (:func:`my_class_lists`), and a quick way to
  record the next piece — for a whole class at once, all or nothing, so a mock paper is
  never half-logged (:func:`record_nww_many`; :func:`record_nww` is a batch of one).

Permissions are enforced here, not by hiding buttons: only the SENCo proposes, changes and
approves arrangements and records assessments; a teacher records NWW evidence only for a
pupil in one of their own teaching groups of that subject; learning support staff and
teachers may read a pupil's arrangements; read-only accounts see none of it. Every change
is one transaction with its audit event (ids and keys only — never a pupil's name), and
arrangements and assessments carry a version so a second saver is told, not overwritten.

Choices made here (the JCQ does not fix them):

- *Current evidence.* Evidence of the normal way of working counts as current for
  :data:`CURRENT_EVIDENCE_DAYS` (365) days — one school year, so a candidate's Year 11
  arrangements rest on how they work in Year 11, not on a Year 9 memory. The SENCo may
  change it with the setting ``jcq.evidence_days``.
- *What counts as evidence.* A record that the arrangement was *not* used in a task is
  kept (it is part of the story an inspector reads), but only records of it being used
  count as evidence that it is the normal way of working.
- *Removing an assessment.* A Form 8 recorded by mistake may be removed while no
  arrangement resting on it is applied for online or approved by the awarding body;
  the arrangements that linked it are unlinked (:func:`remove_assessment`); while one is,
  its assessment and evidence route cannot be changed either (:func:`update_arrangement`).
- *Removing evidence.* A teacher may take back their own NWW entry only on the day they
  keyed it in, and only while they still teach that pupil that subject; the SENCo may
  remove any entry until its arrangement is applied for online, approved by the awarding
  body or expired — from then on it is what an inspector reads, and stays
  (:func:`remove_nww`).
- *Live.* An arrangement is live until it is withdrawn, marked expired, or its approval's
  expiry date has passed; "what's due" lists those past expiry but not yet marked.
- *The exam season.* Missing evidence is due by the start of the next summer series
  (1 May): from July onwards that is next year's. "What's due" asks for evidence that will
  still be current on that day, so evidence current in February that lapses before May is
  flagged in time.
- *Leavers.* A pupil whose leaving date has passed sits no more exams here: their
  arrangements stay on their record, but leave the gap view, the exams officer's list and
  "what's due".
- *Approval.* An approval lasts ``jcq.APPROVAL_MONTHS`` months (setting
  ``jcq.approval_months``) from the date the centre approved it, or the awarding body did
  for arrangements applied for online.
- *Exam entries.* Evidence of the normal way of working is needed in the subjects a
  candidate sits, not every class they attend (PE, art, music…): the gap view and "what's
  due" count only the subjects in the candidate's exam entries (:class:`ExamEntry`, from
  the class-list import's "entered" column or added by the SENCo on the Access tab). An
  arrangement for named subjects counts those of them the candidate is entered for. A
  candidate with *no* entries recorded is not silently dropped: the gap view shows one
  row per arrangement saying "No exam entries recorded", and "what's due" asks for the
  entries to be recorded. (The Access tab's evidence by subject uses the entries too,
  falling back to the classes the pupil is taught while none are recorded.)
- *Professional evidence.* 25% extra time for another impairment (AARA 2025–26 ch. 5,
  §5.2: confirm number) rests on a professional's evidence; SENDesk counts as recorded an
  EHC plan in force, or a document filed under an outside agency's involvement (a
  professional's letter or report) — :func:`professional_evidence`. Without either the
  criteria check is not met and "what's due" says so.
- *The edition.* The AARA edition's name and dates are settings (``jcq.edition_name``,
  ``jcq.edition_starts``, ``jcq.edition_ends``; defaults: 2025–26, amended March 2026,
  1 September 2025 to 31 August 2026). Past its end the rules still apply and
  :func:`access_notice` says so in plain words (the gap view and ``sendesk deadlines``).
- *What's due, per candidate.* Missing evidence before the exam season is one line per
  candidate naming every arrangement and subject, not a line per arrangement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from sendesk.db import Database
from sendesk.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    SendeskError,
    ValidationError,
)
from sendesk.models import (
    AccessArrangement,
    AccessAssessment,
    AgencyInvolvement,
    AssessmentScore,
    EhcPlan,
    EvidenceDocument,
    ExamEntry,
    NwwEvidence,
    Pupil,
    Role,
    School,
    TeachingGroup,
    TeachingGroupMember,
    User,
)
from sendesk.rules import jcq
from sendesk.services.actor import Actor
from sendesk.services.common import (
    check_version,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
    sentence,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.school.settings import parse_date, parse_int, read_setting, write_setting
from sendesk.services.staff.teaching_groups import fold, squash, teacher_label
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:  # due.py lists this module's provider: import it lazily, no cycle
    from sendesk.services.due import DueItem

TASK_KINDS: tuple[str, ...] = ("classwork", "timed test", "mock")
"""What a piece of NWW evidence was: the mock rows are the log of mock papers."""

ALL_SUBJECTS = "All subjects"
"""How an arrangement that covers every subject is named (the gap view's subject for a
candidate with such an arrangement and no teaching groups on file)."""

CURRENT_EVIDENCE_DAYS = 365
"""How many days NWW evidence counts as current (see the module's docstring)."""
EVIDENCE_DAYS_SETTING = "jcq.evidence_days"
APPROVAL_MONTHS_SETTING = "jcq.approval_months"
EDITION_NAME_SETTING = "jcq.edition_name"
EDITION_STARTS_SETTING = "jcq.edition_starts"
EDITION_ENDS_SETTING = "jcq.edition_ends"
NO_ENTRIES = "No exam entries recorded"
"""The gap view's subject for a candidate with no exam entries on file."""
SUMMER_SERIES = (5, 1)
"""(month, day) the summer exam series starts: missing evidence is due by then."""

EXAM_STATUSES: tuple[str, ...] = (jcq.APPROVED_IN_CENTRE, jcq.APPLIED_ONLINE, jcq.APPROVED_BY_AB)
"""Statuses the exams officer plans for: approved, or applied for and awaiting a decision."""
APPROVED_STATUSES: tuple[str, ...] = (jcq.APPROVED_IN_CENTRE, jcq.APPROVED_BY_AB)
LIVE_APPLICATION_STATUSES: tuple[str, ...] = (jcq.APPLIED_ONLINE, jcq.APPROVED_BY_AB)
"""Statuses in which an arrangement's assessment is the evidence of a live application
(to the awarding body, or approved by it): that assessment may not be removed, unlinked or
swapped, nor the evidence route changed."""
EVIDENCE_KEPT_STATUSES: tuple[str, ...] = (*LIVE_APPLICATION_STATUSES, jcq.EXPIRED)
"""Statuses in which an arrangement's NWW evidence is what an inspector may ask to see:
no entry of it is removed, not even by the SENCo (see :func:`remove_nww`)."""

SUBJECT_MAX = 60
SUBJECTS_MAX = 40
ROOM_NOTE_MAX = 200
NOTES_MAX = 20_000
ASSESSOR_MAX = 120
QUALIFICATION_MAX = 200
TEST_MAX = 120
TASK_MAX = 200
NOTE_MAX = 2_000
SCORES_MAX = 30
ENTRY_CONFLICT = "That exam entry has been removed since you opened it."
EXTRA_MINUTES_MAX = 600

ARRANGEMENT_CONFLICT = (
    "Someone else changed this access arrangement since you opened it; reopen it to see "
    "their changes."
)
ARRANGEMENT_GONE = "That access arrangement has been removed since you opened it."
EVIDENCE_FOR_GONE = "that access arrangement has been removed since you opened it"
ASSESSMENT_CONFLICT = (
    "Someone else changed this assessment since you opened it; reopen it to see their changes."
)
ASSESSMENT_GONE = "That assessment has been removed since you opened it."
NOT_YOUR_PUPIL = (
    "Teachers can record evidence only for pupils in their own teaching groups of that "
    "subject; ask the SENCo."
)


# --- what screens send and get ---------------------------------------------------------------


@dataclass(frozen=True)
class ArrangementData:
    """An arrangement as the SENCo proposes or corrects it; ``subjects`` empty = all."""

    arrangement: str
    evidence_route: str
    proposed_on: date
    subjects: tuple[str, ...] = ()
    room_note: str = ""
    notes: str = ""
    assessment_id: int | None = None


@dataclass(frozen=True)
class ScoreData:
    """One test of a Form 8 assessment: its JCQ score area and standardised score."""

    area: str
    score: int
    test: str = ""


@dataclass(frozen=True)
class AssessmentData:
    """A specialist assessment (Form 8) as the SENCo records it."""

    assessor_name: str
    assessor_qualification: str
    assessed_on: date
    picture_of_need_on: date | None
    picture_of_need: str = ""
    notes: str = ""
    scores: tuple[ScoreData, ...] = ()


@dataclass(frozen=True)
class AssessmentItem:
    """An assessment as shown, with what is wrong with its dates and paperwork."""

    id: int
    pupil_id: int
    assessor_name: str
    assessor_qualification: str
    assessed_on: date
    picture_of_need_on: date | None
    picture_of_need: str
    notes: str
    scores: tuple[ScoreData, ...]
    problems: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class ArrangementItem:
    """One arrangement as shown on the pupil's tab (plain data, no ORM).

    ``verdict`` is the JCQ criteria check on the linked assessment's scores (None when the
    arrangement needs no scores or no assessment is linked); ``evidence_by_subject`` the
    date of the latest NWW evidence (of the arrangement being used) for each subject it
    covers — for an arrangement covering all subjects, each subject the pupil is taught
    and any other with evidence.
    """

    id: int
    pupil_id: int
    arrangement: str
    name: str
    route: str
    route_label: str
    status: str
    next_statuses: tuple[str, ...]
    evidence_route: str
    subjects: tuple[str, ...]
    proposed_on: date
    approved_on: date | None
    applied_on: date | None
    awarding_body_on: date | None
    expires_on: date | None
    ended_on: date | None
    room_note: str
    notes: str
    assessment_id: int | None
    version: int
    verdict: jcq.Verdict | None
    evidence_by_subject: dict[str, date | None]
    live: bool

    @property
    def needs_scores(self) -> bool:
        found = jcq.ARRANGEMENTS.get(self.arrangement)
        return bool(found and found.needs_scores)

    @property
    def approval_date(self) -> date | None:
        """When it was approved: by the centre, else by the awarding body (online)."""
        return self.approved_on or self.awarding_body_on

    @property
    def covers_all_subjects(self) -> bool:
        return not self.subjects


@dataclass(frozen=True)
class PupilAccess:
    """Everything about one pupil's access arrangements, for the pupil's tab."""

    arrangements: list[ArrangementItem]
    assessments: list[AssessmentItem]
    subjects_taught: tuple[str, ...]
    exam_entries: tuple[ExamEntryItem, ...] = ()
    professional_evidence: str | None = None  # what is on file (see professional_evidence)


@dataclass(frozen=True)
class ExamEntryItem:
    """A subject the candidate is entered for; ``source`` "mis" (imported) or "manual"."""

    id: int
    subject: str
    source: str


@dataclass(frozen=True)
class NwwData:
    """One piece of normal-way-of-working evidence as a teacher records it."""

    arrangement_id: int
    subject: str
    recorded_on: date
    task_kind: str
    task: str = ""
    used: bool = True
    extra_minutes_used: int | None = None
    note: str = ""


@dataclass(frozen=True)
class NwwItem:
    """A recorded piece of NWW evidence, with who recorded it."""

    id: int
    arrangement_id: int
    subject: str
    recorded_on: date
    task_kind: str
    task: str
    used: bool
    extra_minutes_used: int | None
    note: str
    recorded_by: str
    recorded_by_id: int | None = None


@dataclass(frozen=True)
class ArrangementBrief:
    """An arrangement named on a class list."""

    id: int
    arrangement: str
    name: str
    status: str


@dataclass(frozen=True)
class ClassListRow:
    """A pupil on a teacher's class list; ``last_evidence`` by arrangement id, in the
    group's subject."""

    pupil_id: int
    pupil_name: str
    upn: str
    arrangements: tuple[ArrangementBrief, ...]
    last_evidence: dict[int, date | None]


@dataclass(frozen=True)
class ClassList:
    """A teaching group with only its pupils who have arrangements in its subject."""

    group_id: int
    code: str
    subject: str
    teacher: str
    rows: list[ClassListRow]


@dataclass(frozen=True)
class GapRow:
    """One candidate × live arrangement × subject, and whether its evidence is current."""

    pupil_id: int
    pupil_name: str
    upn: str
    year_group: int | None
    arrangement_id: int
    arrangement: str
    name: str
    status: str
    subject: str
    last_evidence: date | None
    current: bool
    entered: bool = True  # False: no exam entries recorded for the subjects it covers


@dataclass(frozen=True)
class ExamsRow:
    """One candidate on the exams officer's list."""

    pupil_id: int
    pupil_name: str
    upn: str
    year_group: int | None
    arrangements: tuple[str, ...]
    subjects: str
    extra_time_percent: int | None
    room: str
    approved_on: date | None
    expires_on: date | None


# --- small helpers ------------------------------------------------------------------------------


def split_subjects(text: str) -> tuple[str, ...]:
    """The stored newline-separated subjects as a tuple (empty = all subjects)."""
    return tuple(s for s in (line.strip() for line in (text or "").splitlines()) if s)


def covers(subjects: Sequence[str], subject: str) -> bool:
    """Whether an arrangement with ``subjects`` covers ``subject`` (none listed = all)."""
    return not subjects or fold(subject) in {fold(s) for s in subjects}


def is_live(status: str, expires_on: date | None, today: date) -> bool:
    """Not withdrawn, not marked expired, and not past its approval's expiry date."""
    if status in jcq.FINAL_STATUSES:
        return False
    return expires_on is None or expires_on >= today


def approval_months(session: Session) -> int:
    """How many months an approval lasts: the setting, else ``jcq.APPROVAL_MONTHS``."""
    months = parse_int(read_setting(session, APPROVAL_MONTHS_SETTING), jcq.APPROVAL_MONTHS)
    return months if months >= 1 else jcq.APPROVAL_MONTHS


def evidence_days(session: Session) -> int:
    """How many days NWW evidence counts as current: the setting, else 365."""
    days = parse_int(read_setting(session, EVIDENCE_DAYS_SETTING), CURRENT_EVIDENCE_DAYS)
    return days if days >= 1 else CURRENT_EVIDENCE_DAYS


def edition(session: Session) -> jcq.Edition:
    """The AARA edition the school says is in force: its settings, else 2025–26."""
    default = jcq.EDITION_2025_26
    name = (read_setting(session, EDITION_NAME_SETTING) or "").strip() or default.name
    starts = parse_date(read_setting(session, EDITION_STARTS_SETTING), default.starts)
    ends = parse_date(read_setting(session, EDITION_ENDS_SETTING), default.ends)
    assert starts is not None and ends is not None
    return jcq.Edition(name, starts, ends)


def access_notice(db: Database, actor: Actor, *, today: date | None = None) -> str | None:
    """A plain warning when today is outside the edition's dates (None otherwise): the
    rules still apply; the SENCo is asked to check JCQ's current edition."""
    permit(actor, Action.VIEW_ACCESS_ARRANGEMENTS)
    with db.session() as s:
        found = edition(s)
    return jcq.edition_notice(today or date.today(), found)


def current_edition(db: Database, actor: Actor) -> jcq.Edition:
    """The AARA edition the school's settings name (2025–26 by default)."""
    permit(actor, Action.VIEW_ACCESS_ARRANGEMENTS)
    with db.session() as s:
        return edition(s)


EDITION_NAME_MAX = 120


def set_edition(db: Database, actor: Actor, found: jcq.Edition) -> None:
    """The SENCo records the AARA edition in force and its dates (e.g. JCQ keeps 2025–26
    for 2026–27: move the end date on). One transaction, an audit event per changed key."""
    permit(actor, Action.CHANGE_SETTINGS)
    name = squash(found.name or "")
    if not name:
        raise ValidationError("The edition's name is missing.")
    if len(name) > EDITION_NAME_MAX:
        raise ValidationError(f"The edition's name is longer than {EDITION_NAME_MAX} characters.")
    _check_date("edition's start date", found.starts)
    _check_date("edition's end date", found.ends)
    if found.ends < found.starts:
        raise ValidationError("The edition's end date must be on or after its start date.")
    values = {
        EDITION_NAME_SETTING: name,
        EDITION_STARTS_SETTING: found.starts.isoformat(),
        EDITION_ENDS_SETTING: found.ends.isoformat(),
    }
    with db.transaction() as s:
        audit = AuditWriter(s, actor)
        for key, value in values.items():
            write_setting(s, audit, key, value)


def next_exam_season(today: date) -> date:
    """The first day of the next summer series (1 May), or of this one while it runs."""
    month, day = SUMMER_SERIES
    start = date(today.year, month, day)
    return start if today.month < 7 else date(today.year + 1, month, day)


def _name(forename: str, surname: str, pref_fore: str | None, pref_sur: str | None) -> str:
    return f"{pref_fore or forename} {pref_sur or surname}"


def _arrangement_name(key: str) -> str:
    found = jcq.ARRANGEMENTS.get(key)
    return found.name if found else key


def _catalogue_order(key: str) -> int:
    keys = list(jcq.ARRANGEMENTS)
    return keys.index(key) if key in keys else len(keys)


def _check_date(label: str, value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"the {label} must be a date")


def find_pupil(db: Database, actor: Actor, upn: str) -> int:
    """The id of the pupil with ``upn`` for the command line
    (:func:`sendesk.services.register.pupils.pupil_id_of`)."""
    from sendesk.services.register.pupils import pupil_id_of

    return pupil_id_of(db, actor, upn, Action.VIEW_ACCESS_ARRANGEMENTS)


# --- arrangements ---------------------------------------------------------------------------


def _clean_arrangement(data: ArrangementData, today: date) -> dict[str, Any]:
    problems: list[str] = []
    found = jcq.ARRANGEMENTS.get(data.arrangement)
    if found is None:
        problems.append(f"'{data.arrangement}' is not an arrangement on the JCQ list")
    elif data.evidence_route not in found.evidence_routes:
        allowed = " or ".join(f"'{jcq.EVIDENCE_ROUTES[r].lower()}'" for r in found.evidence_routes)
        problems.append(f"{found.name} is supported by {allowed}, not by that evidence")
    _check_date("proposal date", data.proposed_on)
    if data.proposed_on > today:
        problems.append(f"the proposal date {data.proposed_on:%d/%m/%Y} is in the future")
    subjects: list[str] = []
    seen: set[str] = set()
    for raw in data.subjects:
        subject = squash(raw)
        if not subject or fold(subject) in seen:
            continue
        if len(subject) > SUBJECT_MAX:
            problems.append(
                f"the subject '{subject[:20]}…' is longer than {SUBJECT_MAX} characters"
            )
        seen.add(fold(subject))
        subjects.append(subject)
    if len(subjects) > SUBJECTS_MAX:
        problems.append(f"at most {SUBJECTS_MAX} subjects may be listed (leave none for all)")
    room_note = " ".join(data.room_note.split())
    if len(room_note) > ROOM_NOTE_MAX:
        problems.append(f"the room note is longer than {ROOM_NOTE_MAX} characters")
    notes = data.notes.strip()
    if len(notes) > NOTES_MAX:
        problems.append(f"the notes are longer than {NOTES_MAX:,} characters")
    refuse(problems)
    return {
        "arrangement": data.arrangement,
        "evidence_route": data.evidence_route,
        "proposed_on": data.proposed_on,
        "subjects": "\n".join(subjects),
        "room_note": room_note,
        "notes": notes,
        "assessment_id": data.assessment_id,
    }


def _check_assessment(session: Session, assessment_id: int | None, pupil_id: int) -> None:
    if assessment_id is None:
        return
    owner = session.scalar(
        select(AccessAssessment.pupil_id).where(AccessAssessment.id == assessment_id)
    )
    if owner is None:
        raise ValidationError("The assessment chosen has been removed.")
    if owner != pupil_id:
        raise ValidationError("The assessment chosen is another pupil's.")


def propose_arrangement(
    db: Database,
    actor: Actor,
    pupil_id: int,
    data: ArrangementData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo proposes an arrangement for a pupil (status "proposed"); returns its id."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = _clean_arrangement(data, today or date.today())
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        _check_assessment(s, values["assessment_id"], pupil_id)
        row = AccessArrangement(pupil_id=pupil_id, status=jcq.PROPOSED, **values)
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "create",
            "access_arrangement",
            row.id,
            {"pupil_id": pupil_id, "arrangement": row.arrangement},
        )
        return row.id


def _read_arrangement(session: Session, arrangement_id: int) -> AccessArrangement:
    row = get_or_gone(session, AccessArrangement, arrangement_id, ARRANGEMENT_GONE)
    return row


def update_arrangement(
    db: Database,
    actor: Actor,
    arrangement_id: int,
    version: int,
    data: ArrangementData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects an arrangement; returns its new version (ConflictError if stale).

    The kind of arrangement can only change while it is proposed or gathering evidence:
    once approved or applied for, a different arrangement is a new proposal. While it is
    applied for online or approved by the awarding body (:data:`LIVE_APPLICATION_STATUSES`)
    its assessment cannot be unlinked or swapped, nor its evidence route changed: that is
    the evidence behind the application, and unlinking it would let
    :func:`remove_assessment` delete it.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = _clean_arrangement(data, today or date.today())
    with db.transaction() as s:
        row = _read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        _check_assessment(s, values["assessment_id"], row.pupil_id)
        if values["arrangement"] != row.arrangement and row.status not in (
            jcq.PROPOSED,
            jcq.GATHERING,
        ):
            raise ValidationError(
                f"The arrangement cannot be changed once it is {row.status}: withdraw it and "
                "propose the other one."
            )
        if row.status in LIVE_APPLICATION_STATUSES and (
            values["assessment_id"] != row.assessment_id
            or values["evidence_route"] != row.evidence_route
        ):
            raise ValidationError(
                f"{_arrangement_name(row.arrangement)} is {row.status}, so the assessment it "
                "rests on and its evidence route cannot be changed: they are the evidence "
                "behind a live application (correct the assessment instead)."
            )
        later = [d for d in (row.approved_on, row.applied_on, row.awarding_body_on) if d]
        if later and values["proposed_on"] > min(later):
            raise ValidationError(
                f"The proposal date {values['proposed_on']:%d/%m/%Y} is after the "
                f"arrangement was approved or applied for ({min(later):%d/%m/%Y})."
            )
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if not changed:
            return row.version
        for name in changed:
            setattr(row, name, values[name])
        flush_or_conflict(s, ARRANGEMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "access_arrangement",
            arrangement_id,
            {"pupil_id": row.pupil_id, "fields": changed},
        )
        return row.version


def set_arrangement_status(
    db: Database,
    actor: Actor,
    arrangement_id: int,
    version: int,
    status: str,
    on: date,
    *,
    today: date | None = None,
) -> int:
    """The SENCo moves an arrangement to ``status`` on date ``on``; returns the new version.

    Only the moves :func:`jcq.next_statuses` allows. Approval in the centre sets
    ``approved_on``, applying online ``applied_on``, the awarding body's approval
    ``awarding_body_on``; either approval sets ``expires_on`` (``jcq.approval_months``
    months on); expired and withdrawn set ``ended_on``; an application sent back to
    gathering evidence clears ``applied_on``. An arrangement resting on a specialist
    assessment cannot be approved or applied for without one linked.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    today = today or date.today()
    _check_date("date", on)
    with db.transaction() as s:
        row = _read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        name = _arrangement_name(row.arrangement)
        if status not in jcq.STATUSES:
            raise ValidationError(
                f"'{status}' is not an arrangement status (known: {', '.join(jcq.STATUSES)})."
            )
        allowed = jcq.next_statuses(row.arrangement, row.status)
        if status not in allowed:
            if not allowed:
                raise ValidationError(f"{name} is {row.status}: its status cannot change now.")
            raise ValidationError(
                f"{name} cannot go from {row.status} to {status}; it can go to "
                f"{' or '.join(allowed)}."
            )
        problems: list[str] = []
        if on > today:
            problems.append(f"the date {on:%d/%m/%Y} is in the future")
        if on < row.proposed_on:
            problems.append(
                f"the date {on:%d/%m/%Y} is before the arrangement was proposed "
                f"({row.proposed_on:%d/%m/%Y})"
            )
        if status == jcq.APPROVED_BY_AB and row.applied_on and on < row.applied_on:
            problems.append(
                f"the approval date {on:%d/%m/%Y} is before the application "
                f"({row.applied_on:%d/%m/%Y})"
            )
        if (
            status in (jcq.APPROVED_IN_CENTRE, jcq.APPLIED_ONLINE)
            and row.evidence_route == "assessment"
            and row.assessment_id is None
        ):
            problems.append(
                f"{name} rests on a specialist assessment: link the Form 8 assessment first"
            )
        refuse(problems)
        before = row.status
        row.status = status
        if status == jcq.APPROVED_IN_CENTRE:
            row.approved_on = on
            row.approved_by_id = actor.user_id
            row.expires_on = jcq.expires_on(on, approval_months(s))
        elif status == jcq.APPLIED_ONLINE:
            row.applied_on = on
        elif status == jcq.APPROVED_BY_AB:
            row.awarding_body_on = on
            row.approved_by_id = actor.user_id
            row.expires_on = jcq.expires_on(on, approval_months(s))
        elif status in jcq.FINAL_STATUSES:
            row.ended_on = on
        elif status == jcq.GATHERING and before == jcq.APPLIED_ONLINE:
            row.applied_on = None
        flush_or_conflict(s, ARRANGEMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "status",
            "access_arrangement",
            arrangement_id,
            {"pupil_id": row.pupil_id, "from": before, "to": status, "on": on},
        )
        return row.version


def remove_arrangement(db: Database, actor: Actor, arrangement_id: int, version: int) -> None:
    """The SENCo removes an arrangement entered by mistake, with its evidence.

    Only while it is proposed and no evidence has been recorded: anything further along is
    history an inspector may ask for, so it is withdrawn instead.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = _read_arrangement(s, arrangement_id)
        check_version(row.version, version, ARRANGEMENT_CONFLICT)
        evidence = s.scalar(
            select(func.count(NwwEvidence.id)).where(NwwEvidence.arrangement_id == arrangement_id)
        )
        if row.status != jcq.PROPOSED or evidence:
            raise ValidationError(
                "Only a proposed arrangement with no evidence recorded can be removed; "
                "withdraw it instead, so its history is kept."
            )
        pupil_id = row.pupil_id
        s.delete(row)
        flush_or_conflict(s, ARRANGEMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "delete", "access_arrangement", arrangement_id, {"pupil_id": pupil_id}
        )


# --- assessments -----------------------------------------------------------------------------


def _clean_assessment(data: AssessmentData, today: date) -> dict[str, Any]:
    problems: list[str] = []
    assessor = " ".join(data.assessor_name.split())
    qualification = " ".join(data.assessor_qualification.split())
    if not assessor:
        problems.append("the assessor's name is missing")
    elif len(assessor) > ASSESSOR_MAX:
        problems.append(f"the assessor's name is longer than {ASSESSOR_MAX} characters")
    if len(qualification) > QUALIFICATION_MAX:
        problems.append(
            f"the assessor's qualification is longer than {QUALIFICATION_MAX} characters"
        )
    _check_date("assessment date", data.assessed_on)
    if data.picture_of_need_on is not None:
        _check_date("picture of need date", data.picture_of_need_on)
    if data.assessed_on > today:
        problems.append(f"the assessment date {data.assessed_on:%d/%m/%Y} is in the future")
    if data.picture_of_need_on is not None and data.picture_of_need_on > today:
        problems.append(
            f"the picture of need date {data.picture_of_need_on:%d/%m/%Y} is in the future"
        )
    picture, notes = data.picture_of_need.strip(), data.notes.strip()
    if len(picture) > NOTES_MAX:
        problems.append(f"the picture of need is longer than {NOTES_MAX:,} characters")
    if len(notes) > NOTES_MAX:
        problems.append(f"the notes are longer than {NOTES_MAX:,} characters")
    if len(data.scores) > SCORES_MAX:
        problems.append(f"at most {SCORES_MAX} scores may be recorded")
    scores: list[dict[str, Any]] = []
    for number, score in enumerate(data.scores, start=1):
        test = " ".join(score.test.split())
        try:
            jcq.Score(score.area, score.score)
        except ValueError as exc:
            text = str(exc).rstrip(".")
            problems.append(f"score {number}: {text[:1].lower()}{text[1:]}")
            continue
        if len(test) > TEST_MAX:
            problems.append(f"score {number}: the test's name is longer than {TEST_MAX} characters")
        scores.append({"position": number, "area": score.area, "score": score.score, "test": test})
    refuse(problems)
    return {
        "assessor_name": assessor,
        "assessor_qualification": qualification,
        "assessed_on": data.assessed_on,
        "picture_of_need_on": data.picture_of_need_on,
        "picture_of_need": picture,
        "notes": notes,
        "scores": scores,
    }


def record_assessment(
    db: Database,
    actor: Actor,
    pupil_id: int,
    data: AssessmentData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo records a specialist assessment (Form 8) with its scores; returns its id.

    What the JCQ rules flag (a test taken before Year 9, Part 1 dated after the
    assessment, no qualification on file) is recorded as it is and shown as problems.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = _clean_assessment(data, today or date.today())
    scores = values.pop("scores")
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        row = AccessAssessment(
            pupil_id=pupil_id,
            created_by_id=actor.user_id,
            scores=[AssessmentScore(**sc) for sc in scores],
            **values,
        )
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "create",
            "access_assessment",
            row.id,
            {"pupil_id": pupil_id, "scores": len(scores)},
        )
        return row.id


def update_assessment(
    db: Database,
    actor: Actor,
    assessment_id: int,
    version: int,
    data: AssessmentData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects an assessment (its scores become ``data.scores``); new version."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    values = _clean_assessment(data, today or date.today())
    scores = values.pop("scores")
    with db.transaction() as s:
        row = s.get(
            AccessAssessment, assessment_id, options=[selectinload(AccessAssessment.scores)]
        )
        if row is None:
            raise ConflictError(ASSESSMENT_GONE)
        check_version(row.version, version, ASSESSMENT_CONFLICT)
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        held = [
            {"position": x.position, "area": x.area, "score": x.score, "test": x.test}
            for x in row.scores
        ]
        if held != scores:
            changed.append("scores")
            row.scores = [AssessmentScore(**sc) for sc in scores]
        if not changed:
            return row.version
        for name in changed:
            if name != "scores":
                setattr(row, name, values[name])
        flag_modified(row, "assessor_name")  # scores alone must move the version on too
        flush_or_conflict(s, ASSESSMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "update",
            "access_assessment",
            assessment_id,
            {"pupil_id": row.pupil_id, "fields": changed},
        )
        return row.version


def remove_assessment(db: Database, actor: Actor, assessment_id: int, version: int) -> None:
    """The SENCo removes a Form 8 assessment recorded by mistake, with its scores.

    Arrangements that linked it are unlinked (explicitly, not left to ON DELETE SET NULL,
    and each moves on a version so an open edit of it is told), and the audit says how
    many. Refused, with nothing changed, while any of them is applied for online or
    approved by the awarding body: the evidence behind a live application must stay
    (correct the assessment instead). An arrangement resting on a specialist assessment
    that is left with none cannot be approved or applied for until another is linked, and
    "what's due" asks for one before the exams.
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = get_or_gone(s, AccessAssessment, assessment_id, ASSESSMENT_GONE)
        check_version(row.version, version, ASSESSMENT_CONFLICT)
        linked = s.execute(
            select(AccessArrangement.id, AccessArrangement.arrangement, AccessArrangement.status)
            .where(AccessArrangement.assessment_id == assessment_id)
            .order_by(AccessArrangement.id)
        ).all()
        live = [r for r in linked if r.status in LIVE_APPLICATION_STATUSES]
        if live:
            which = ", ".join(f"{_arrangement_name(r.arrangement)} ({r.status})" for r in live)
            raise ValidationError(
                f"This assessment is the evidence behind {which}, so it cannot be removed: "
                "the evidence behind a live application must be kept (correct the assessment "
                "instead)."
            )
        unlinked = [r.id for r in linked]
        if unlinked:
            s.execute(
                update(AccessArrangement)
                .where(AccessArrangement.assessment_id == assessment_id)
                .values(assessment_id=None, version=AccessArrangement.version + 1)
                .execution_options(synchronize_session=False)
            )
        pupil_id = row.pupil_id
        s.delete(row)
        flush_or_conflict(s, ASSESSMENT_CONFLICT)
        AuditWriter(s, actor).record(
            "delete",
            "access_assessment",
            assessment_id,
            {
                "pupil_id": pupil_id,
                "arrangements_unlinked": len(unlinked),
                "arrangement_ids": unlinked,
            },
        )


def _assessment_item(row: AccessAssessment, dob: date | None, today: date) -> AssessmentItem:
    return AssessmentItem(
        id=row.id,
        pupil_id=row.pupil_id,
        assessor_name=row.assessor_name,
        assessor_qualification=row.assessor_qualification,
        assessed_on=row.assessed_on,
        picture_of_need_on=row.picture_of_need_on,
        picture_of_need=row.picture_of_need,
        notes=row.notes,
        scores=tuple(ScoreData(x.area, x.score, x.test) for x in row.scores),
        problems=tuple(
            jcq.assessment_problems(
                taken_on=row.assessed_on,
                date_of_birth=dob,
                picture_of_need_on=row.picture_of_need_on,
                assessor_qualification=row.assessor_qualification,
                today=today,
            )
        ),
        version=row.version,
    )


def verdict_for(
    key: str, assessment: AssessmentItem | None, professional: str | None = None
) -> jcq.Verdict | None:
    """The JCQ criteria check of ``assessment``'s scores for arrangement ``key``; None when
    the arrangement needs no scores (or is unknown) or no assessment is given.

    25% extra time for another impairment is checked on ``professional`` instead — what
    :func:`professional_evidence` found on file (None: nothing) — so it is never "met" on
    no evidence (AARA 2025–26 ch. 5, §5.2: confirm number).
    """
    if key == "extra_time_25_other":
        return jcq.check(key, [], professional_evidence=professional)
    found = jcq.ARRANGEMENTS.get(key)
    if found is None or not found.needs_scores or assessment is None:
        return None
    scores = []
    for x in assessment.scores:
        try:
            scores.append(jcq.Score(x.area, x.score, assessment.assessed_on, x.test or None))
        except ValueError:
            continue  # recorded under an older rule; the assessment's own check shows it
    return jcq.check(key, scores)


# --- professional evidence and exam entries ------------------------------------------------


def professional_evidence(session: Session, pupil_ids: Any, today: date) -> dict[int, str]:
    """Pupil id -> what professional evidence is on file, in words, for the pupils selected
    by ``pupil_ids``: an EHC plan in force ("EHC plan issued 01/02/2024"), else a document
    filed under an outside agency's involvement ("a document from Sensory support service,
    dated 03/03/2026"). Pupils with neither are absent. Two queries."""
    found: dict[int, str] = {}
    for pupil_id, issued in session.execute(
        select(EhcPlan.pupil_id, func.max(EhcPlan.issued_on))
        .where(EhcPlan.pupil_id.in_(pupil_ids))
        .where(EhcPlan.issued_on <= today)
        .where(or_(EhcPlan.ceased_on.is_(None), EhcPlan.ceased_on > today))
        .group_by(EhcPlan.pupil_id)
    ):
        found[pupil_id] = f"EHC plan issued {issued:%d/%m/%Y}"
    for pupil_id, agency, on in session.execute(
        select(EvidenceDocument.pupil_id, AgencyInvolvement.agency, EvidenceDocument.document_date)
        .join(AgencyInvolvement, AgencyInvolvement.id == EvidenceDocument.involvement_id)
        .where(EvidenceDocument.pupil_id.in_(pupil_ids))
        .order_by(EvidenceDocument.document_date.desc(), EvidenceDocument.id.desc())
    ):
        if pupil_id not in found:
            dated = f", dated {on:%d/%m/%Y}" if on else ""
            found[pupil_id] = f"a document from {agency}{dated}"
    return found


def _entries(session: Session, pupil_ids: Any) -> dict[int, dict[str, str]]:
    """Pupil id -> {folded subject: subject} of their exam entries; one query."""
    entered: dict[int, dict[str, str]] = defaultdict(dict)
    for pupil_id, subject in session.execute(
        select(ExamEntry.pupil_id, ExamEntry.subject)
        .where(ExamEntry.pupil_id.in_(pupil_ids))
        .order_by(ExamEntry.subject)
    ):
        entered[pupil_id].setdefault(fold(subject), subject)
    return entered


def _entry_items(session: Session, pupil_id: int) -> tuple[ExamEntryItem, ...]:
    rows = session.execute(
        select(ExamEntry.id, ExamEntry.subject, ExamEntry.source).where(
            ExamEntry.pupil_id == pupil_id
        )
    ).all()
    return tuple(
        ExamEntryItem(i, subject, source)
        for i, subject, source in sorted(rows, key=lambda r: (r[1].casefold(), r[0]))
    )


def exam_entries(db: Database, actor: Actor, pupil_id: int) -> tuple[ExamEntryItem, ...]:
    """The subjects a candidate is entered for, alphabetically."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, pupil_id)
        pupil_or_gone(s, pupil_id)
        return _entry_items(s, pupil_id)


def add_exam_entry(db: Database, actor: Actor, pupil_id: int, subject: str) -> int:
    """The SENCo records by hand that a candidate is entered for ``subject``; its id.

    An import never touches an entry made by hand (see
    :func:`sendesk.services.staff.teaching_groups.import_classes`).
    """
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    name = squash(subject or "")
    if not name:
        raise ValidationError("The exam entry's subject is missing.")
    if len(name) > SUBJECT_MAX:
        raise ValidationError(f"The exam entry's subject is longer than {SUBJECT_MAX} characters.")
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        held = _entries(s, [pupil_id]).get(pupil_id, {})
        if fold(name) in held:
            raise ValidationError(f"This candidate is already entered for {held[fold(name)]}.")
        row = ExamEntry(pupil_id=pupil_id, subject=name, source="manual")
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "create", "exam_entry", row.id, {"pupil_id": pupil_id, "source": "manual"}
        )
        return row.id


def remove_exam_entry(db: Database, actor: Actor, entry_id: int) -> None:
    """The SENCo removes an exam entry (imported or by hand); a later import with the
    candidate marked entered for that subject adds it back."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    with db.transaction() as s:
        row = get_or_gone(s, ExamEntry, entry_id, ENTRY_CONFLICT, NotFoundError)
        pupil_id, source = row.pupil_id, row.source
        s.delete(row)
        s.flush()
        AuditWriter(s, actor).record(
            "delete", "exam_entry", entry_id, {"pupil_id": pupil_id, "source": source}
        )


def _to_evidence(
    subjects: Sequence[str], entered: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The subjects an arrangement needs evidence in — those it covers that the candidate
    is entered for — and the named subjects it covers that they are not entered for."""
    if not subjects:
        return list(entered.values()), []
    wanted = [entered[fold(x)] for x in subjects if fold(x) in entered]
    return wanted, [x for x in subjects if fold(x) not in entered]


# --- reading a pupil's arrangements --------------------------------------------------------


def _subjects_taught(session: Session, pupil_ids: Any) -> dict[int, dict[str, str]]:
    """Pupil id -> {folded subject: subject as the group spells it} for the pupils selected
    by ``pupil_ids`` (a list or a subquery of ids); one query."""
    taught: dict[int, dict[str, str]] = defaultdict(dict)
    for pupil_id, subject in session.execute(
        select(TeachingGroupMember.pupil_id, TeachingGroup.subject)
        .join(TeachingGroup, TeachingGroup.id == TeachingGroupMember.group_id)
        .where(TeachingGroupMember.pupil_id.in_(pupil_ids))
        .order_by(TeachingGroup.subject)
    ):
        taught[pupil_id].setdefault(fold(subject), subject)
    return taught


def _latest_evidence(
    session: Session, arrangement_ids: Any
) -> dict[int, dict[str, tuple[str, date]]]:
    """Arrangement id -> {folded subject: (subject, latest date it was used)}; one query."""
    latest: dict[int, dict[str, tuple[str, date]]] = defaultdict(dict)
    for arrangement_id, subject, on in session.execute(
        select(NwwEvidence.arrangement_id, NwwEvidence.subject, func.max(NwwEvidence.recorded_on))
        .where(NwwEvidence.arrangement_id.in_(arrangement_ids))
        .where(NwwEvidence.used.is_(True))
        .group_by(NwwEvidence.arrangement_id, NwwEvidence.subject)
    ):
        key = fold(subject)
        held = latest[arrangement_id].get(key)
        if held is None or on > held[1]:
            latest[arrangement_id][key] = (held[0] if held else subject, on)
    return latest


def _latest_in(latest: Mapping[str, tuple[str, date]], subject: str) -> date | None:
    found = latest.get(fold(subject))
    return found[1] if found else None


def _evidence_by_subject(
    subjects: Sequence[str],
    taught: Mapping[str, str],
    latest: Mapping[str, tuple[str, date]],
) -> dict[str, date | None]:
    """Each covered subject with its latest evidence date (None: none yet)."""
    if subjects:
        return {s: (latest[fold(s)][1] if fold(s) in latest else None) for s in subjects}
    out: dict[str, date | None] = {name: None for name in taught.values()}
    for key, (name, on) in latest.items():
        out[taught.get(key, name)] = on
    return dict(sorted(out.items(), key=lambda kv: kv[0].casefold()))


def _arrangement_item(
    row: AccessArrangement,
    today: date,
    verdict: jcq.Verdict | None,
    evidence: dict[str, date | None],
) -> ArrangementItem:
    found = jcq.ARRANGEMENTS.get(row.arrangement)
    try:
        nexts = jcq.next_statuses(row.arrangement, row.status)
    except ValueError:
        nexts = ()
    return ArrangementItem(
        id=row.id,
        pupil_id=row.pupil_id,
        arrangement=row.arrangement,
        name=found.name if found else row.arrangement,
        route=found.route if found else "",
        route_label=jcq.ROUTE_LABELS[found.route] if found else "",
        status=row.status,
        next_statuses=nexts,
        evidence_route=row.evidence_route,
        subjects=split_subjects(row.subjects),
        proposed_on=row.proposed_on,
        approved_on=row.approved_on,
        applied_on=row.applied_on,
        awarding_body_on=row.awarding_body_on,
        expires_on=row.expires_on,
        ended_on=row.ended_on,
        room_note=row.room_note,
        notes=row.notes,
        assessment_id=row.assessment_id,
        version=row.version,
        verdict=verdict,
        evidence_by_subject=evidence,
        live=is_live(row.status, row.expires_on, today),
    )


def _status_order(item: ArrangementItem) -> tuple[int, int, int, int]:
    """Live arrangements first, then by the JCQ list's order, newest proposal first."""
    live = 0 if item.live else 1
    return (live, _catalogue_order(item.arrangement), -item.proposed_on.toordinal(), item.id)


def pupil_access(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> PupilAccess:
    """A pupil's arrangements (live first), assessments (newest first) and the subjects
    they are taught, their exam entries and the professional evidence on file; nine queries
    whatever the history."""
    today = today or date.today()
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, pupil_id)
        pupil = pupil_or_gone(s, pupil_id)
        dob = pupil.dob
        assessments = s.scalars(
            select(AccessAssessment)
            .where(AccessAssessment.pupil_id == pupil_id)
            .options(selectinload(AccessAssessment.scores))
            .order_by(AccessAssessment.assessed_on.desc(), AccessAssessment.id.desc())
        ).all()
        assessment_items = [_assessment_item(a, dob, today) for a in assessments]
        by_id = {a.id: a for a in assessment_items}
        rows = s.scalars(
            select(AccessArrangement).where(AccessArrangement.pupil_id == pupil_id)
        ).all()
        taught = _subjects_taught(s, [pupil_id]).get(pupil_id, {})
        entries = _entry_items(s, pupil_id)
        # the subjects sat, once entries are recorded; until then the classes taught
        sat = {fold(e.subject): e.subject for e in entries} or taught
        latest = _latest_evidence(s, [r.id for r in rows]) if rows else {}
        professional = professional_evidence(s, [pupil_id], today).get(pupil_id)
        items = [
            _arrangement_item(
                r,
                today,
                verdict_for(r.arrangement, by_id.get(r.assessment_id or -1), professional),
                _evidence_by_subject(split_subjects(r.subjects), sat, latest.get(r.id, {})),
            )
            for r in rows
        ]
    items.sort(key=_status_order)
    return PupilAccess(
        arrangements=items,
        assessments=assessment_items,
        subjects_taught=tuple(sorted(taught.values(), key=str.casefold)),
        exam_entries=entries,
        professional_evidence=professional,
    )


# --- normal-way-of-working evidence ---------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one item of a batch of evidence: ``row`` is its 1-based position
    in the batch, ``text`` a clause that names no pupil (a screen adds the name it shows)."""

    row: int
    text: str


class RowsRefusedError(SendeskError):
    """A batch of evidence refused, with nothing written: its message names rows, never
    pupils (it may reach a log), and ``problems`` lets a screen name the pupils it shows."""

    def __init__(self, message: str, problems: Sequence[RowProblem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class RowsInvalidError(RowsRefusedError, ValidationError):
    """Some items of a batch are invalid, or their arrangement no longer takes evidence."""


class RowsNotPermittedError(RowsRefusedError, PermissionDeniedError):
    """The teacher may not record some items of a batch (not their pupil in that subject)."""


def _clean_nww(data: NwwData, today: date) -> tuple[dict[str, Any], list[str]]:
    """The item's values as stored, and what is wrong with it (clauses; none when valid)."""
    problems: list[str] = []
    subject = squash(data.subject)
    if not subject:
        problems.append("the subject is missing")
    elif len(subject) > SUBJECT_MAX:
        problems.append(f"the subject is longer than {SUBJECT_MAX} characters")
    _check_date("date", data.recorded_on)
    if data.recorded_on > today:
        problems.append(f"the date {data.recorded_on:%d/%m/%Y} is in the future")
    if data.task_kind not in TASK_KINDS:
        problems.append(
            f"the kind of task must be {', '.join(TASK_KINDS[:-1])} or {TASK_KINDS[-1]}"
        )
    task = " ".join(data.task.split())
    if len(task) > TASK_MAX:
        problems.append(f"the task is longer than {TASK_MAX} characters")
    note = data.note.strip()
    if len(note) > NOTE_MAX:
        problems.append(f"the note is longer than {NOTE_MAX:,} characters")
    minutes = data.extra_minutes_used
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError("the extra minutes used must be a whole number or None")
        if not 0 <= minutes <= EXTRA_MINUTES_MAX:
            problems.append(f"the extra minutes used must be 0 to {EXTRA_MINUTES_MAX}")
        elif minutes and not data.used:
            problems.append("extra minutes are given but the arrangement is marked as not used")
    values = {
        "subject": subject,
        "recorded_on": data.recorded_on,
        "task_kind": data.task_kind,
        "task": task,
        "used": bool(data.used),
        "extra_minutes_used": minutes,
        "note": note,
    }
    return values, problems


def _teacher_subjects(
    session: Session, user_id: int, pupil_ids: Iterable[int]
) -> dict[int, dict[str, str]]:
    """Pupil id -> {folded subject: the subject as the group spells it} for the groups
    ``user_id`` teaches each pupil in; one query whatever the size of the batch."""
    taught: dict[int, dict[str, str]] = defaultdict(dict)
    ids = sorted(set(pupil_ids))
    if not ids:
        return taught
    for pupil_id, subject in session.execute(
        select(TeachingGroupMember.pupil_id, TeachingGroup.subject)
        .join(TeachingGroup, TeachingGroup.id == TeachingGroupMember.group_id)
        .where(TeachingGroup.teacher_id == user_id)
        .where(TeachingGroupMember.pupil_id.in_(ids))
        .order_by(TeachingGroup.id)
    ):
        taught[pupil_id].setdefault(fold(subject), subject)
    return taught


def _rows_text(rows: Sequence[int], total: int) -> str:
    """ "row 3", "rows 2 and 5", "rows 1–4 and 7" or, for all of a batch, "every row"."""
    if total > 1 and len(rows) == total:
        return "every row"
    runs: list[list[int]] = []
    for n in rows:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for run in runs:
        parts += [f"{run[0]}–{run[-1]}"] if len(run) > 2 else [str(n) for n in run]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"row{'s' if len(rows) > 1 else ''} {listed}"


def _refusal(problems: Sequence[RowProblem], total: int) -> str:
    """One sentence: a single item's problems as they are; a batch's by what is wrong,
    each with the rows it applies to ("Rows 1–3: the date … is in the future; row 5: …")."""
    if total == 1:
        return sentence(p.text for p in problems)
    grouped: dict[str, list[int]] = {}
    for p in sorted(problems, key=lambda p: p.row):
        rows = grouped.setdefault(p.text, [])
        if p.row not in rows:
            rows.append(p.row)
    return sentence(f"{_rows_text(rows, total)}: {text}" for text, rows in grouped.items())


def record_nww_many(
    db: Database, actor: Actor, items: Sequence[NwwData], *, today: date | None = None
) -> list[int]:
    """Record a batch of normal-way-of-working evidence — a mock paper for a whole class —
    all or nothing; returns the new ids in the order of ``items``.

    Every item is checked first: its fields, that its arrangement still exists, is still
    live (not withdrawn or expired, nor past its approval's expiry date) and covers the
    subject, and — for a teacher — that the pupil is in one of
    their own teaching groups of that subject (the SENCo may record for anyone). Any
    refusal raises :class:`RowsNotPermittedError` (a teacher's pupil problem, reported
    before anything else) or :class:`RowsInvalidError`, one sentence naming the rows by
    their position in ``items``, and nothing is written. Otherwise every item is written
    in one transaction, each with its audit event. Three queries whatever the size of the
    batch (the arrangements, the teacher's groups, the audit chain's last link).
    """
    permit(actor, Action.RECORD_NWW)
    today = today or date.today()
    items = list(items)
    if not items:
        return []
    cleaned: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for row, data in enumerate(items, start=1):
        values, found = _clean_nww(data, today)
        cleaned.append(values)
        problems += [RowProblem(row, text) for text in found]
    with db.transaction() as s:
        held = {
            r.id: r
            for r in s.scalars(
                select(AccessArrangement).where(
                    AccessArrangement.id.in_(sorted({d.arrangement_id for d in items}))
                )
            )
        }
        teacher = actor.role != Role.SENCO
        taught = (
            _teacher_subjects(s, actor.user_id, (r.pupil_id for r in held.values()))
            if teacher
            else {}
        )
        refused: list[RowProblem] = []
        for row, (data, values) in enumerate(zip(items, cleaned, strict=True), start=1):
            arrangement = held.get(data.arrangement_id)
            if arrangement is None:
                problems.append(RowProblem(row, EVIDENCE_FOR_GONE))
                continue
            subject = values["subject"]
            if not subject:
                continue  # already said: the subject is missing
            subjects = split_subjects(arrangement.subjects)
            spelled = next((x for x in subjects if fold(x) == fold(subject)), None)
            if teacher:
                group_subject = taught.get(arrangement.pupil_id, {}).get(fold(subject))
                if group_subject is None:
                    refused.append(
                        RowProblem(
                            row,
                            f"the pupil is not in one of your teaching groups for {subject}, "
                            "so only the SENCo can record it",
                        )
                    )
                    continue
                spelled = spelled or group_subject
            name = _arrangement_name(arrangement.arrangement)
            if arrangement.status in jcq.FINAL_STATUSES:
                problems.append(
                    RowProblem(
                        row, f"{name} is {arrangement.status}, so no more evidence is recorded"
                    )
                )
            elif not is_live(arrangement.status, arrangement.expires_on, today):
                problems.append(
                    RowProblem(
                        row,
                        f"{name} expired on {arrangement.expires_on:%d/%m/%Y}, so no more "
                        "evidence is recorded (a renewal is a new proposal)",
                    )
                )
            elif not covers(subjects, subject):
                problems.append(
                    RowProblem(
                        row, f"{name} does not cover {subject} (it covers {', '.join(subjects)})"
                    )
                )
            values["subject"] = spelled or subject
        if refused:
            message = NOT_YOUR_PUPIL if len(items) == 1 else _refusal(refused, len(items))
            raise RowsNotPermittedError(message, refused)
        if problems:
            problems.sort(key=lambda p: p.row)
            raise RowsInvalidError(_refusal(problems, len(items)), problems)
        rows = [
            NwwEvidence(arrangement_id=data.arrangement_id, recorded_by_id=actor.user_id, **values)
            for data, values in zip(items, cleaned, strict=True)
        ]
        s.add_all(rows)
        s.flush()
        audit = AuditWriter(s, actor)
        for evidence in rows:
            audit.record(
                "create",
                "nww_evidence",
                evidence.id,
                {
                    "arrangement_id": evidence.arrangement_id,
                    "pupil_id": held[evidence.arrangement_id].pupil_id,
                    "subject": evidence.subject,
                    "task_kind": evidence.task_kind,
                },
            )
        return [evidence.id for evidence in rows]


def record_nww(db: Database, actor: Actor, data: NwwData, *, today: date | None = None) -> int:
    """A teacher (for a pupil in one of their groups of that subject) or the SENCo records
    one piece of normal-way-of-working evidence; returns its id. A batch of one through
    :func:`record_nww_many`, so its checks and messages are the same (no row numbers)."""
    [evidence_id] = record_nww_many(db, actor, [data], today=today)
    return evidence_id


def remove_nww(db: Database, actor: Actor, evidence_id: int, *, today: date | None = None) -> None:
    """A piece of NWW evidence recorded by mistake is removed — within limits, because the
    evidence is the history a JCQ inspector may ask to see.

    - A teacher removes only an entry they recorded themselves, on the day they recorded it
      (its ``recorded_at``, in local time, is ``today``) and while they still teach the
      pupil in that subject: a slip taken back the same day, before it became part of the
      story. After that only the SENCo can.
    - The SENCo removes any entry, except while its arrangement is applied for online,
      approved by the awarding body, or expired (marked so, or past its approval's expiry
      date): then the evidence is what an inspector reads, and a mistaken entry stays
      (a later entry's note can say so; the audit shows who recorded what).
    """
    permit(actor, Action.RECORD_NWW)
    today = today or date.today()
    with db.transaction() as s:
        row = get_or_gone(
            s, NwwEvidence, evidence_id, "That evidence has already been removed.", NotFoundError
        )
        arrangement = _read_arrangement(s, row.arrangement_id)
        if actor.role != Role.SENCO:
            if row.recorded_by_id != actor.user_id:
                raise PermissionDeniedError(
                    "Only the teacher who recorded this evidence, or the SENCo, can remove it."
                )
            recorded = row.recorded_at.astimezone().date()
            if recorded != today:
                raise PermissionDeniedError(
                    f"You recorded this entry on {recorded:%d/%m/%Y} and a teacher can remove "
                    "an entry only on the day they recorded it, so it now stays as evidence "
                    "(ask the SENCo if it is wrong)."
                )
            taught = _teacher_subjects(s, actor.user_id, [arrangement.pupil_id])
            if fold(row.subject) not in taught.get(arrangement.pupil_id, {}):
                raise PermissionDeniedError(
                    f"You no longer teach this pupil {row.subject}, so only the SENCo can "
                    "remove this entry."
                )
        else:
            expired = arrangement.status != jcq.WITHDRAWN and not is_live(
                arrangement.status, arrangement.expires_on, today
            )
            if arrangement.status in EVIDENCE_KEPT_STATUSES or expired:
                state = (
                    arrangement.status
                    if arrangement.status in EVIDENCE_KEPT_STATUSES
                    else f"past its expiry date ({arrangement.expires_on:%d/%m/%Y})"
                )
                raise ValidationError(
                    f"{_arrangement_name(arrangement.arrangement)} is {state}, so its evidence "
                    "is what a JCQ inspector may ask to see and this entry cannot be removed: "
                    "a mistaken entry stays, with the audit of who recorded it (a new "
                    "entry's note can say what was wrong)."
                )
        arrangement_id = row.arrangement_id
        s.delete(row)
        s.flush()
        AuditWriter(s, actor).record(
            "delete", "nww_evidence", evidence_id, {"arrangement_id": arrangement_id}
        )


def list_nww(db: Database, actor: Actor, arrangement_id: int) -> list[NwwItem]:
    """An arrangement's NWW evidence, newest first, with who recorded each (two queries)."""
    with db.session() as s:
        arrangement = s.get(AccessArrangement, arrangement_id)
        permit_pupil(
            s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, arrangement and arrangement.pupil_id
        )
        rows = s.scalars(
            select(NwwEvidence)
            .where(NwwEvidence.arrangement_id == arrangement_id)
            .order_by(NwwEvidence.recorded_on.desc(), NwwEvidence.id.desc())
        ).all()
        return _nww_items(s, rows)


def nww_for_pupil(db: Database, actor: Actor, pupil_id: int) -> list[NwwItem]:
    """Every piece of NWW evidence for a pupil's arrangements, newest first (two queries)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_ACCESS_ARRANGEMENTS, pupil_id)
        rows = s.scalars(
            select(NwwEvidence)
            .join(AccessArrangement, AccessArrangement.id == NwwEvidence.arrangement_id)
            .where(AccessArrangement.pupil_id == pupil_id)
            .order_by(NwwEvidence.recorded_on.desc(), NwwEvidence.id.desc())
        ).all()
        return _nww_items(s, rows)


def _nww_items(session: Session, rows: Sequence[NwwEvidence]) -> list[NwwItem]:
    ids = {r.recorded_by_id for r in rows if r.recorded_by_id is not None}
    names: dict[int, str] = {}
    if ids:
        names = dict(
            session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
        )
    return [
        NwwItem(
            id=r.id,
            arrangement_id=r.arrangement_id,
            subject=r.subject,
            recorded_on=r.recorded_on,
            task_kind=r.task_kind,
            task=r.task,
            used=r.used,
            extra_minutes_used=r.extra_minutes_used,
            note=r.note,
            recorded_by=names.get(r.recorded_by_id or -1, ""),
            recorded_by_id=r.recorded_by_id,
        )
        for r in rows
    ]


# --- the teacher's class lists -----------------------------------------------------------------


def _pupil_names(session: Session, pupil_ids: Any) -> dict[int, Any]:
    return {
        r.id: r
        for r in session.execute(
            select(
                Pupil.id,
                Pupil.upn,
                Pupil.legal_forename,
                Pupil.legal_surname,
                Pupil.preferred_forename,
                Pupil.preferred_surname,
                Pupil.year_group,
            ).where(Pupil.id.in_(pupil_ids))
        )
    }


def _display(row: Any) -> str:
    return _name(
        row.legal_forename, row.legal_surname, row.preferred_forename, row.preferred_surname
    )


def _surname_key(row: Any) -> tuple[str, str, str]:
    return (
        (row.preferred_surname or row.legal_surname).casefold(),
        (row.preferred_forename or row.legal_forename).casefold(),
        row.upn,
    )


def my_class_lists(db: Database, actor: Actor, *, today: date | None = None) -> list[ClassList]:
    """The acting teacher's groups (the SENCo's: every group), each with only its pupils
    who have live (or proposed) arrangements covering the group's subject and who have not
    left the school.

    Five queries whatever the size of the school: groups, members with names, those
    pupils' live arrangements, the latest evidence of each, and account names.
    """
    permit(actor, Action.RECORD_NWW)
    today = today or date.today()
    with db.session() as s:
        groups_q = select(TeachingGroup)
        if actor.role != Role.SENCO:
            groups_q = groups_q.where(TeachingGroup.teacher_id == actor.user_id)
        groups = s.scalars(groups_q).all()
        if not groups:
            return []
        member_q = select(TeachingGroupMember.group_id, TeachingGroupMember.pupil_id)
        pupil_q = select(TeachingGroupMember.pupil_id)
        if actor.role != Role.SENCO:
            mine = select(TeachingGroup.id).where(TeachingGroup.teacher_id == actor.user_id)
            member_q = member_q.where(TeachingGroupMember.group_id.in_(mine))
            pupil_q = pupil_q.where(TeachingGroupMember.group_id.in_(mine))
        arrangements = [
            r
            for r in s.scalars(
                select(AccessArrangement)
                .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
                .where(AccessArrangement.pupil_id.in_(pupil_q))
                .where(AccessArrangement.status.not_in(jcq.FINAL_STATUSES))
                .where(_still_here(today))  # a leaver is no longer in anyone's class
            )
            if is_live(r.status, r.expires_on, today)
        ]
        by_pupil: dict[int, list[AccessArrangement]] = defaultdict(list)
        for r in arrangements:
            by_pupil[r.pupil_id].append(r)
        members: dict[int, list[int]] = defaultdict(list)
        for group_id, pupil_id in s.execute(member_q):
            if pupil_id in by_pupil:
                members[group_id].append(pupil_id)
        people = _pupil_names(s, list(by_pupil)) if by_pupil else {}
        latest = _latest_evidence(s, [r.id for r in arrangements]) if arrangements else {}
        names = dict(s.execute(select(User.id, User.display_name)).all())
        lists: list[ClassList] = []
        for g in groups:
            rows: list[ClassListRow] = []
            for pupil_id in members.get(g.id, ()):
                here = [
                    r for r in by_pupil[pupil_id] if covers(split_subjects(r.subjects), g.subject)
                ]
                if not here:
                    continue
                here.sort(key=lambda r: (_catalogue_order(r.arrangement), r.id))
                person = people[pupil_id]
                rows.append(
                    ClassListRow(
                        pupil_id=pupil_id,
                        pupil_name=_display(person),
                        upn=person.upn,
                        arrangements=tuple(
                            ArrangementBrief(
                                r.id, r.arrangement, _arrangement_name(r.arrangement), r.status
                            )
                            for r in here
                        ),
                        last_evidence={
                            r.id: _latest_in(latest.get(r.id, {}), g.subject) for r in here
                        },
                    )
                )
            rows.sort(key=lambda row: _surname_key(people[row.pupil_id]))
            lists.append(
                ClassList(
                    group_id=g.id,
                    code=g.code,
                    subject=g.subject,
                    teacher=teacher_label(g.teacher_id, g.teacher_name, names),
                    rows=rows,
                )
            )
    lists.sort(key=lambda c: (fold(c.code), c.group_id))
    return lists


# --- the SENCo's views --------------------------------------------------------------------------


def _still_here(today: date) -> Any:
    """The condition that an arrangement's pupil has not left the school by ``today`` (a
    leaving date in the future is a pupil still here) — for a query joined to Pupil."""
    return or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= today)


def _live_arrangements(
    session: Session, today: date, statuses: Iterable[str] | None = None
) -> list[AccessArrangement]:
    """Live arrangements of pupils who have not left (a leaver sits no more exams here)."""
    q = (
        select(AccessArrangement)
        .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
        .where(AccessArrangement.status.not_in(jcq.FINAL_STATUSES))
        .where(_still_here(today))
    )
    if statuses is not None:
        q = q.where(AccessArrangement.status.in_(list(statuses)))
    return [r for r in session.scalars(q) if is_live(r.status, r.expires_on, today)]


def _gap_row(
    r: AccessArrangement, person: Any, subject: str, on: date | None, oldest: date, entered: bool
) -> GapRow:
    return GapRow(
        pupil_id=r.pupil_id,
        pupil_name=_display(person),
        upn=person.upn,
        year_group=person.year_group,
        arrangement_id=r.id,
        arrangement=r.arrangement,
        name=_arrangement_name(r.arrangement),
        status=r.status,
        subject=subject,
        last_evidence=on,
        current=on is not None and on >= oldest,
        entered=entered,
    )


def gap_view(db: Database, actor: Actor, *, today: date | None = None) -> list[GapRow]:
    """For each candidate, each live arrangement and each subject it covers that the
    candidate is entered for: the latest NWW evidence and whether it is current (within
    ``jcq.evidence_days`` days, 365 unless set). Only exam entries count — not every class
    the pupil attends. A candidate with no entries recorded gets one row per arrangement
    saying "No exam entries recorded" (``entered`` False), and so does an arrangement for
    named subjects none of which is entered; nothing is silently left out. Pupils who have
    left are not listed. Four queries."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    today = today or date.today()
    with db.session() as s:
        days = evidence_days(s)
        arrangements = _live_arrangements(s, today)
        if not arrangements:
            return []
        pupil_ids = sorted({r.pupil_id for r in arrangements})
        people = _pupil_names(s, pupil_ids)
        entered = _entries(s, pupil_ids)
        latest = _latest_evidence(s, [r.id for r in arrangements])
    oldest = today - timedelta(days=days)
    rows: list[GapRow] = []
    for r in arrangements:
        person = people[r.pupil_id]
        held = latest.get(r.id, {})
        mine = entered.get(r.pupil_id, {})
        wanted, not_entered = _to_evidence(split_subjects(r.subjects), mine)
        if not mine:
            rows.append(_gap_row(r, person, NO_ENTRIES, None, oldest, False))
        elif not wanted:
            shown = f"Not entered for {', '.join(not_entered)}"
            rows.append(_gap_row(r, person, shown, None, oldest, False))
        for subject in wanted:
            rows.append(_gap_row(r, person, subject, _latest_in(held, subject), oldest, True))
    rows.sort(
        key=lambda g: (
            *_surname_key(people[g.pupil_id]),
            _catalogue_order(g.arrangement),
            g.arrangement_id,
            g.subject.casefold(),
        )
    )
    return rows


def _subjects_line(items: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    """Subjects for the exams officer: one list when every arrangement covers the same
    subjects, else per arrangement ("Reader: English, History; Word processor: all")."""
    sets = {tuple(sorted(fold(x) for x in subjects)) for _, subjects in items}
    if len(sets) == 1:
        subjects = items[0][1]
        return ", ".join(subjects) if subjects else ALL_SUBJECTS
    return "; ".join(
        f"{name}: {', '.join(subjects) if subjects else 'all subjects'}" for name, subjects in items
    )


def exams_officer_rows(db: Database, actor: Actor, *, today: date | None = None) -> list[ExamsRow]:
    """The exams officer's list: each candidate with live arrangements that are approved
    (or applied for online and awaiting the decision), by legal surname — the name the
    awarding bodies know. Extra time is the largest percentage; the room says why a
    separate room is needed and adds the SENCo's room notes; approval is the earliest
    approval and expiry the earliest expiry, so the list never overstates how long an
    approval lasts. Pupils who have left are not listed. Two queries."""
    permit(actor, Action.VIEW_EXAMS_LIST)
    today = today or date.today()
    with db.session() as s:
        arrangements = _live_arrangements(s, today, EXAM_STATUSES)
        if not arrangements:
            return []
        people = _pupil_names(s, sorted({r.pupil_id for r in arrangements}))
    by_pupil: dict[int, list[AccessArrangement]] = defaultdict(list)
    for r in arrangements:
        by_pupil[r.pupil_id].append(r)
    out: list[ExamsRow] = []
    for pupil_id, rows in by_pupil.items():
        rows.sort(key=lambda r: (_catalogue_order(r.arrangement), r.id))
        person = people[pupil_id]
        names = tuple(
            _arrangement_name(r.arrangement)
            + ("" if r.status in APPROVED_STATUSES else " (applied for)")
            for r in rows
        )
        percents = [
            a.extra_time_percent
            for r in rows
            if (a := jcq.ARRANGEMENTS.get(r.arrangement)) and a.extra_time_percent
        ]
        room_for = [
            _arrangement_name(r.arrangement).lower()
            for r in rows
            if (a := jcq.ARRANGEMENTS.get(r.arrangement)) and a.room
        ]
        room_parts: list[str] = []
        if room_for:
            room_parts.append(f"Separate room ({', '.join(room_for)})")
        room_parts += list(dict.fromkeys(r.room_note for r in rows if r.room_note))
        approvals = [d for r in rows if (d := r.approved_on or r.awarding_body_on)]
        expiries = [r.expires_on for r in rows if r.expires_on]
        out.append(
            ExamsRow(
                pupil_id=pupil_id,
                pupil_name=f"{person.legal_surname}, {person.legal_forename}",
                upn=person.upn,
                year_group=person.year_group,
                arrangements=names,
                subjects=_subjects_line(
                    [(_arrangement_name(r.arrangement), split_subjects(r.subjects)) for r in rows]
                ),
                extra_time_percent=max(percents) if percents else None,
                room="; ".join(room_parts),
                approved_on=min(approvals) if approvals else None,
                expires_on=min(expiries) if expiries else None,
            )
        )
    out.sort(
        key=lambda e: (
            people[e.pupil_id].legal_surname.casefold(),
            people[e.pupil_id].legal_forename.casefold(),
            e.upn,
        )
    )
    return out


# --- the evidence file -----------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFileData:
    """Everything the per-candidate evidence file shows (see
    :mod:`sendesk.reports.access_evidence`)."""

    school: str
    pupil_id: int
    name: str
    legal_name: str
    upn: str
    dob: date
    year_group: int | None
    reg_group: str | None
    access: PupilAccess
    evidence: list[NwwItem]
    approved_by: dict[int, str]  # arrangement id -> who approved it, by name
    evidence_days: int = CURRENT_EVIDENCE_DAYS  # how long evidence counts as current


def evidence_file_data(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> EvidenceFileData:
    """The SENCo gathers a candidate's evidence file (audited: it leaves SENDesk)."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    today = today or date.today()
    access = pupil_access(db, actor, pupil_id, today=today)
    evidence = nww_for_pupil(db, actor, pupil_id)
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        school = s.scalar(select(School.name).order_by(School.id)) or ""
        approvers = dict(
            s.execute(
                select(AccessArrangement.id, User.display_name)
                .join(User, User.id == AccessArrangement.approved_by_id)
                .where(AccessArrangement.pupil_id == pupil_id)
            ).all()
        )
        data = EvidenceFileData(
            school=school,
            pupil_id=pupil_id,
            name=pupil.display_name,
            legal_name=f"{pupil.legal_forename} {pupil.legal_surname}",
            upn=pupil.upn,
            dob=pupil.dob,
            year_group=pupil.year_group,
            reg_group=pupil.reg_group,
            access=access,
            evidence=evidence,
            approved_by=approvers,
            evidence_days=evidence_days(s),
        )
        AuditWriter(s, actor).record("evidence_file", "pupil", pupil_id, {})
    return data


# --- what's due ----------------------------------------------------------------------------------


def access_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """ "What's due" for access arrangements, within the caller's session:

    - approvals that expire within the horizon ("25% extra time: approval expires …");
    - arrangements past their expiry date but not yet marked expired (overdue);
    - before the next summer series (1 May, when within the horizon), ONE line per
      candidate naming what is missing: a subject the candidate is entered for with no NWW
      evidence that will still be current when the series starts (evidence current in
      February may lapse before May), a Form 8 not linked to an arrangement that needs
      scores, no professional evidence for 25% extra time for another impairment, or no
      exam entries recorded at all (only entered subjects count: not PE, art or music
      unless the candidate sits them).

    Pupils who have left the school are skipped. Seven queries whatever the number of
    arrangements.
    """
    from sendesk.services.due import SOON_DAYS, DueItem

    rows = list(
        session.scalars(
            select(AccessArrangement)
            .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
            .where(AccessArrangement.status.not_in(jcq.FINAL_STATUSES))
            .where(_still_here(today))
        )
    )
    if not rows:
        return []
    horizon = today + timedelta(days=horizon_days)
    season = next_exam_season(today)
    pupil_ids = sorted({r.pupil_id for r in rows})
    people = _pupil_names(session, pupil_ids)
    entered = _entries(session, pupil_ids)
    latest = _latest_evidence(session, [r.id for r in rows])
    professional = professional_evidence(session, pupil_ids, today)
    days = evidence_days(session)
    stale = today - timedelta(days=days)  # older than this is not current even now
    oldest = season - timedelta(days=days)  # older than this lapses before the season

    def severity(due: date) -> str:
        if due < today:
            return "overdue"
        return "soon" if due <= today + timedelta(days=SOON_DAYS) else "later"

    def item(pupil_id: int, due: date, kind: str, text: str) -> DueItem:
        person = people[pupil_id]
        return DueItem(due, severity(due), kind, pupil_id, _display(person), person.upn, text)

    items: list[DueItem] = []
    missing: dict[int, list[str]] = defaultdict(list)  # pupil id -> what is missing
    ordered = sorted(rows, key=lambda r: (_catalogue_order(r.arrangement), r.id))
    for r in ordered:
        name = _arrangement_name(r.arrangement)
        if r.expires_on is not None and r.expires_on < today:
            items.append(
                item(
                    r.pupil_id,
                    r.expires_on,
                    "access arrangement",
                    f"{name}: the approval expired on {r.expires_on:%d/%m/%Y}; renew it, or "
                    "mark it expired",
                )
            )
            continue
        if r.expires_on is not None and r.expires_on <= horizon:
            items.append(
                item(
                    r.pupil_id,
                    r.expires_on,
                    "access arrangement",
                    f"{name}: approval expires {r.expires_on:%d/%m/%Y}",
                )
            )
        if season > horizon:
            continue
        missing[r.pupil_id] += _missing_parts(
            r,
            name,
            entered.get(r.pupil_id, {}),
            latest.get(r.id, {}),
            professional.get(r.pupil_id),
            (stale, oldest, days),
        )
    for pupil_id, parts in missing.items():
        if not entered.get(pupil_id):
            parts.insert(
                0,
                "no exam entries recorded (import them with the class lists, or add them on "
                "the Access tab), so evidence cannot be checked subject by subject",
            )
        if parts:
            items.append(
                item(
                    pupil_id,
                    season,
                    "access evidence",
                    f"before the exams from {season:%d/%m/%Y}: {'; '.join(parts)}",
                )
            )
    return items


def _missing_parts(
    r: AccessArrangement,
    name: str,
    entered: Mapping[str, str],
    latest: Mapping[str, tuple[str, date]],
    professional: str | None,
    limits: tuple[date, date, int],
) -> list[str]:
    """What one arrangement still lacks before the exam season, as phrases for the
    candidate's single "what's due" line (empty: nothing)."""
    stale, oldest, days = limits
    parts: list[str] = []
    found = jcq.ARRANGEMENTS.get(r.arrangement)
    if (
        found is not None
        and found.needs_scores
        and r.evidence_route == "assessment"
        and r.assessment_id is None
    ):
        parts.append(f"{name}: no specialist assessment (Form 8) linked")
    if r.arrangement == "extra_time_25_other" and not professional:
        parts.append(
            f"{name}: no professional evidence recorded (an EHC plan, or a professional's "
            "letter filed with their involvement)"
        )
    if not entered:
        return parts  # the candidate's line says no entries are recorded
    wanted, not_entered = _to_evidence(split_subjects(r.subjects), entered)
    if not wanted:
        parts.append(f"{name}: the candidate is not entered for {', '.join(not_entered)}")
        return parts
    dates = {subject: _latest_in(latest, subject) for subject in wanted}
    none = [subject for subject, on in dates.items() if on is None or on < stale]
    lapsing = [
        f"{subject} (last {on:%d/%m/%Y})"
        for subject, on in dates.items()
        if on is not None and stale <= on < oldest
    ]
    if none:
        parts.append(f"{name}: no current evidence of normal way of working in {', '.join(none)}")
    if lapsing:
        parts.append(
            f"{name}: the evidence in {', '.join(lapsing)} will be more than {days} days old "
            "by then; record more"
        )
    return parts


__all__ = [
    "ALL_SUBJECTS",
    "APPROVAL_MONTHS_SETTING",
    "CURRENT_EVIDENCE_DAYS",
    "EVIDENCE_DAYS_SETTING",
    "EVIDENCE_KEPT_STATUSES",
    "LIVE_APPLICATION_STATUSES",
    "NO_ENTRIES",
    "TASK_KINDS",
    "ArrangementBrief",
    "ArrangementData",
    "ArrangementItem",
    "AssessmentData",
    "AssessmentItem",
    "ClassList",
    "ClassListRow",
    "EvidenceFileData",
    "ExamEntryItem",
    "ExamsRow",
    "GapRow",
    "NwwData",
    "NwwItem",
    "PupilAccess",
    "RowProblem",
    "RowsInvalidError",
    "RowsNotPermittedError",
    "RowsRefusedError",
    "ScoreData",
    "access_items",
    "access_notice",
    "add_exam_entry",
    "approval_months",
    "covers",
    "current_edition",
    "edition",
    "evidence_days",
    "evidence_file_data",
    "exam_entries",
    "exams_officer_rows",
    "find_pupil",
    "gap_view",
    "is_live",
    "list_nww",
    "my_class_lists",
    "next_exam_season",
    "nww_for_pupil",
    "professional_evidence",
    "propose_arrangement",
    "pupil_access",
    "record_assessment",
    "record_nww",
    "record_nww_many",
    "remove_arrangement",
    "remove_assessment",
    "remove_exam_entry",
    "remove_nww",
    "set_arrangement_status",
    "set_edition",
    "split_subjects",
    "update_arrangement",
    "update_assessment",
    "verdict_for",
]
