"""What the access arrangement screens send and get back, the limits and sentences every
part shares, and the small helpers they all use (subjects, live statuses, finding a pupil).

Why one module: proposals, assessments, NWW evidence, class lists and the SENCo's views all
read the same items, so the dataclasses live once, below every use case.

An item (:class:`ArrangementItem`, :class:`AssessmentItem`, :class:`NwwItem`) is its data
class (what the SENCo or teacher types) extended with its id, version and what is worked
out from it: a subclass rather than a second list of the same fields, so an editor that
starts from an item finds every field it saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_

from sendesk.db import Database
from sendesk.models import Pupil
from sendesk.rules import jcq
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action
from sendesk.services.staff.teaching_groups import fold

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


@dataclass(frozen=True, kw_only=True)
class AssessmentItem(AssessmentData):
    """An assessment as shown, with what is wrong with its dates and paperwork."""

    id: int
    pupil_id: int
    problems: tuple[str, ...]
    version: int


@dataclass(frozen=True, kw_only=True)
class ArrangementItem(ArrangementData):
    """One arrangement as shown on the pupil's tab (plain data, no ORM).

    ``verdict`` is the JCQ criteria check on the linked assessment's scores (None when the
    arrangement needs no scores or no assessment is linked); ``evidence_by_subject`` the
    date of the latest NWW evidence (of the arrangement being used) for each subject it
    covers — for an arrangement covering all subjects, each subject the pupil is taught
    and any other with evidence.
    """

    id: int
    pupil_id: int
    name: str
    route: str
    route_label: str
    status: str
    next_statuses: tuple[str, ...]
    approved_on: date | None
    applied_on: date | None
    awarding_body_on: date | None
    expires_on: date | None
    ended_on: date | None
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


@dataclass(frozen=True, kw_only=True)
class NwwItem(NwwData):
    """A recorded piece of NWW evidence, with who recorded it."""

    id: int
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


def preferred_name(forename: str, surname: str, pref_fore: str | None, pref_sur: str | None) -> str:
    """Forename and surname as staff use them: preferred where recorded, legal otherwise."""
    return f"{pref_fore or forename} {pref_sur or surname}"


def arrangement_name(key: str) -> str:
    """The JCQ name of the arrangement ``key`` (the key itself when the catalogue no longer
    has it, so an old record still reads)."""
    found = jcq.ARRANGEMENTS.get(key)
    return found.name if found else key


def catalogue_order(key: str) -> int:
    """Where ``key`` stands in the JCQ catalogue, so lists follow the regulations' order
    (unknown keys last)."""
    keys = list(jcq.ARRANGEMENTS)
    return keys.index(key) if key in keys else len(keys)


def check_date(label: str, value: object) -> None:
    """Programming errors, not the user's: ``value`` for the field ``label`` must be a date
    (not a datetime)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"the {label} must be a date")


def find_pupil(db: Database, actor: Actor, upn: str) -> int:
    """The id of the pupil with ``upn`` for the command line
    (:func:`sendesk.services.register.pupils.pupil_id_of`)."""
    from sendesk.services.register.pupils import pupil_id_of

    return pupil_id_of(db, actor, upn, Action.VIEW_ACCESS_ARRANGEMENTS)


def still_here(today: date) -> Any:
    """The condition that an arrangement's pupil has not left the school by ``today`` (a
    leaving date in the future is a pupil still here) — for a query joined to Pupil."""
    return or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= today)
