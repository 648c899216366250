"""What's due from access arrangements: evidence to gather before the next exam season
and arrangements whose approval runs out.

Why here: :mod:`sendesk.services.due` lists every provider; this one reads the same evidence
the Access tab shows, so the list and the tab agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import AccessArrangement, Pupil
from sendesk.rules import jcq
from sendesk.services.access.class_lists import pupil_name_rows, shown_name
from sendesk.services.access.edition import evidence_days, next_exam_season
from sendesk.services.access.exam_entries import (
    entries_by_pupil,
    professional_evidence,
    subjects_to_evidence,
)
from sendesk.services.access.pupil_access import latest_evidence, latest_in
from sendesk.services.access.records import (
    arrangement_name,
    catalogue_order,
    split_subjects,
    still_here,
)

if TYPE_CHECKING:
    from sendesk.services.due import DueItem


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
            .where(still_here(today))
        )
    )
    if not rows:
        return []
    horizon = today + timedelta(days=horizon_days)
    season = next_exam_season(today)
    pupil_ids = sorted({r.pupil_id for r in rows})
    people = pupil_name_rows(session, pupil_ids)
    entered = entries_by_pupil(session, pupil_ids)
    latest = latest_evidence(session, [r.id for r in rows])
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
        return DueItem(due, severity(due), kind, pupil_id, shown_name(person), person.upn, text)

    items: list[DueItem] = []
    missing: dict[int, list[str]] = defaultdict(list)  # pupil id -> what is missing
    ordered = sorted(rows, key=lambda r: (catalogue_order(r.arrangement), r.id))
    for r in ordered:
        name = arrangement_name(r.arrangement)
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
    wanted, not_entered = subjects_to_evidence(split_subjects(r.subjects), entered)
    if not wanted:
        parts.append(f"{name}: the candidate is not entered for {', '.join(not_entered)}")
        return parts
    dates = {subject: latest_in(latest, subject) for subject in wanted}
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
