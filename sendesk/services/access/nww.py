"""Normal-way-of-working evidence: teachers record how a pupil works in class, one row or
many at once, and the SENCo reads it back.

Why all or nothing: a teacher's rows from one lesson are saved together or not at all,
each refused row named with its reason, so nothing is half-written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import (
    AccessArrangement,
    NwwEvidence,
    Role,
    TeachingGroup,
    TeachingGroupMember,
)
from sendesk.rules import jcq
from sendesk.services.access.arrangement_edits import read_arrangement
from sendesk.services.access.records import (
    EVIDENCE_FOR_GONE,
    EVIDENCE_KEPT_STATUSES,
    EXTRA_MINUTES_MAX,
    NOT_YOUR_PUPIL,
    NOTE_MAX,
    SUBJECT_MAX,
    TASK_KINDS,
    TASK_MAX,
    NwwData,
    NwwItem,
    arrangement_name,
    check_date,
    covers,
    is_live,
    split_subjects,
)
from sendesk.services.actor import Actor
from sendesk.services.common import checked_text, data_of, get_or_gone, sentence, user_names
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.staff.teaching_groups import fold, squash
from sendesk.services.store.audit import AuditWriter


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


def clean_nww(data: NwwData, today: date) -> tuple[dict[str, Any], list[str]]:
    """The item's values as stored, and what is wrong with it (clauses; none when valid)."""
    problems: list[str] = []
    subject = squash(data.subject)
    if not subject:
        problems.append("the subject is missing")
    elif len(subject) > SUBJECT_MAX:
        problems.append(f"the subject is longer than {SUBJECT_MAX} characters")
    check_date("date", data.recorded_on)
    if data.recorded_on > today:
        problems.append(f"the date {data.recorded_on:%d/%m/%Y} is in the future")
    if data.task_kind not in TASK_KINDS:
        problems.append(
            f"the kind of task must be {', '.join(TASK_KINDS[:-1])} or {TASK_KINDS[-1]}"
        )
    task = checked_text(data.task, TASK_MAX, "the task is", problems)
    note = checked_text(data.note, NOTE_MAX, "the note is", problems, lines=True)
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
        values, found = clean_nww(data, today)
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
            name = arrangement_name(arrangement.arrangement)
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
        arrangement = read_arrangement(s, row.arrangement_id)
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
                    f"{arrangement_name(arrangement.arrangement)} is {state}, so its evidence "
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
    names = user_names(session, (r.recorded_by_id for r in rows))
    return [data_of(r, NwwItem, recorded_by=names.get(r.recorded_by_id or -1, "")) for r in rows]
