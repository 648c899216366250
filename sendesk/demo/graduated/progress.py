"""School attendance for the last three terms and English and maths attainment now, six
and twelve months ago."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sendesk.demo.graduated.pupils import _Pupil
from sendesk.demo.graduated.school_calendar import (
    _DAY,
    _age_text,
    _months,
    _school_day_on_or_before,
    _school_days,
    recent_terms,
)
from sendesk.models import (
    AttainmentSnapshot,
    AttendanceRecord,
)
from sendesk.services.bulk_rows import bulk

# --- attendance and attainment ----------------------------------------------------------------


def _grade(value: float) -> str:
    """A fine GCSE grade as schools write them: 3.67 -> "4-", 4.0 -> "4", 4.33 -> "4+"."""
    thirds = max(3, round(value * 3))
    whole, part = divmod(thirds, 3)
    if part == 1:
        return f"{whole}+"
    if part == 2:
        return f"{whole + 1}-"
    return str(whole)


def _write_progress(
    session: Session, rng: random.Random, people: list[_Pupil], today: date
) -> dict[str, int]:
    yesterday = today - _DAY
    terms = recent_terms(today)
    term_days = {t: _school_days(t.start, min(t.end, yesterday)) for t in terms}
    attendance: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    points = [_school_day_on_or_before(today - timedelta(days=days)) for days in (365, 182, 0)]
    for pupil in people:
        if not pupil.current:
            continue
        roll = rng.random()
        low = 0.25 if "SEMH" in pupil.needs else 0.08
        if roll < low * 0.3:
            base = rng.uniform(0.6, 0.8)
        elif roll < low:
            base = rng.uniform(0.8, 0.88)
        else:
            base = rng.uniform(0.88, 0.99)
        for term in terms:
            days = [d for d in term_days[term] if pupil.admission is None or d >= pupil.admission]
            possible = 2 * len(days)
            if not possible:
                continue
            rate = min(1.0, max(0.4, base + rng.uniform(-0.03, 0.03)))
            attendance.append(
                {
                    "pupil_id": pupil.id,
                    "term": term.name,
                    "term_start": term.start,
                    "possible_sessions": possible,
                    "attended_sessions": round(possible * rate),
                }
            )
        snapshots += _attainment(rng, pupil, points, today)
    if attendance:
        session.execute(bulk(AttendanceRecord), attendance)
    if snapshots:
        session.execute(bulk(AttainmentSnapshot), snapshots)
    return {"attendance_records": len(attendance), "attainment_snapshots": len(snapshots)}


def _attainment(
    rng: random.Random, pupil: _Pupil, points: list[date], today: date
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    taken = [d for d in points if pupil.admission is None or d >= pupil.admission]
    if not taken:
        return rows
    year_group = pupil.year_group or 9
    hard = pupil.provision == "E"
    if year_group <= 9:
        gap = pupil.gap.get("Reading age")
        if gap is None:
            gap = float(rng.randint(24, 60) if hard else rng.randint(10, 40))
        rate = rng.uniform(0.5, 1.5)  # months of reading age a month
        now_value = _months(pupil.dob, today) - gap
        score_now = rng.randint(62, 84) if hard else rng.randint(72, 92)
        trend = rng.uniform(-4, 6)
        for day in taken:
            back = _months(day, today)
            reading = max(60.0, now_value - rate * back)
            chrono = _months(pupil.dob, day)
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": "English",
                    "measure": "Reading age",
                    "value": _age_text(reading),
                    "expected": _age_text(chrono),
                    "taken_on": day,
                }
            )
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": "Maths",
                    "measure": "Standardised score",
                    "value": str(round(score_now - trend * back / 12)),
                    "expected": "100",
                    "taken_on": day,
                }
            )
        return rows
    for subject in ("English", "Maths"):
        target = rng.choice((3, 4, 4, 5)) if not hard else rng.choice((2, 3, 3, 4))
        now_grade = target - rng.choice((0, 1 / 3, 2 / 3, 1, 4 / 3))
        growth = rng.uniform(0.3, 1.0)  # grades a year
        for day in taken:
            back = _months(day, today)
            rows.append(
                {
                    "pupil_id": pupil.id,
                    "subject": subject,
                    "measure": "GCSE working-at grade",
                    "value": _grade(now_grade - growth * back / 12),
                    "expected": str(target),
                    "taken_on": day,
                }
            )
    return rows
