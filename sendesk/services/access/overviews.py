"""The SENCo's and exams officer's views: the gap view (arrangements whose evidence is
missing or out of date) and the exams officer's list.

Why apart: they read every live arrangement at once, for people who do not open pupils one
by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.models import AccessArrangement, Pupil
from sendesk.rules import jcq
from sendesk.services.access.class_lists import pupil_name_rows, shown_name, surname_key
from sendesk.services.access.edition import evidence_days
from sendesk.services.access.exam_entries import entries_by_pupil, subjects_to_evidence
from sendesk.services.access.pupil_access import latest_evidence, latest_in
from sendesk.services.access.records import (
    ALL_SUBJECTS,
    APPROVED_STATUSES,
    EXAM_STATUSES,
    NO_ENTRIES,
    ExamsRow,
    GapRow,
    arrangement_name,
    catalogue_order,
    is_live,
    split_subjects,
    still_here,
)
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.staff.teaching_groups import fold


def _live_arrangements(
    session: Session, today: date, statuses: Iterable[str] | None = None
) -> list[AccessArrangement]:
    """Live arrangements of pupils who have not left (a leaver sits no more exams here)."""
    q = (
        select(AccessArrangement)
        .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
        .where(AccessArrangement.status.not_in(jcq.FINAL_STATUSES))
        .where(still_here(today))
    )
    if statuses is not None:
        q = q.where(AccessArrangement.status.in_(list(statuses)))
    return [r for r in session.scalars(q) if is_live(r.status, r.expires_on, today)]


def _gap_row(
    r: AccessArrangement, person: Any, subject: str, on: date | None, oldest: date, entered: bool
) -> GapRow:
    return GapRow(
        pupil_id=r.pupil_id,
        pupil_name=shown_name(person),
        upn=person.upn,
        year_group=person.year_group,
        arrangement_id=r.id,
        arrangement=r.arrangement,
        name=arrangement_name(r.arrangement),
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
        people = pupil_name_rows(s, pupil_ids)
        entered = entries_by_pupil(s, pupil_ids)
        latest = latest_evidence(s, [r.id for r in arrangements])
    oldest = today - timedelta(days=days)
    rows: list[GapRow] = []
    for r in arrangements:
        person = people[r.pupil_id]
        held = latest.get(r.id, {})
        mine = entered.get(r.pupil_id, {})
        wanted, not_entered = subjects_to_evidence(split_subjects(r.subjects), mine)
        if not mine:
            rows.append(_gap_row(r, person, NO_ENTRIES, None, oldest, False))
        elif not wanted:
            shown = f"Not entered for {', '.join(not_entered)}"
            rows.append(_gap_row(r, person, shown, None, oldest, False))
        for subject in wanted:
            rows.append(_gap_row(r, person, subject, latest_in(held, subject), oldest, True))
    rows.sort(
        key=lambda g: (
            *surname_key(people[g.pupil_id]),
            catalogue_order(g.arrangement),
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
        people = pupil_name_rows(s, sorted({r.pupil_id for r in arrangements}))
    by_pupil: dict[int, list[AccessArrangement]] = defaultdict(list)
    for r in arrangements:
        by_pupil[r.pupil_id].append(r)
    out: list[ExamsRow] = []
    for pupil_id, rows in by_pupil.items():
        rows.sort(key=lambda r: (catalogue_order(r.arrangement), r.id))
        person = people[pupil_id]
        names = tuple(
            arrangement_name(r.arrangement)
            + ("" if r.status in APPROVED_STATUSES else " (applied for)")
            for r in rows
        )
        percents = [
            a.extra_time_percent
            for r in rows
            if (a := jcq.ARRANGEMENTS.get(r.arrangement)) and a.extra_time_percent
        ]
        room_for = [
            arrangement_name(r.arrangement).lower()
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
                    [(arrangement_name(r.arrangement), split_subjects(r.subjects)) for r in rows]
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
