"""School attendance for the last three terms and English and maths attainment now, six
and twelve months ago."""

from __future__ import annotations

import random
from datetime import date, timedelta

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
from sendesk.services.graduated.progress_data import (
    AttainmentData,
    PastAttainment,
    PastAttendance,
    record_past_progress,
)
from sendesk.services.store.audit import AuditWriter

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
    session: Session, audit: AuditWriter, rng: random.Random, people: list[_Pupil], today: date
) -> dict[str, int]:
    """Every current pupil's attendance and attainment, recorded through
    :func:`~sendesk.services.graduated.progress_data.record_past_progress` (its checks, one
    audit event)."""
    yesterday = today - _DAY
    terms = recent_terms(today)
    term_days = {t: _school_days(t.start, min(t.end, yesterday)) for t in terms}
    attendance: list[PastAttendance] = []
    snapshots: list[PastAttainment] = []
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
                PastAttendance(pupil.id, term.name, term.start, possible, round(possible * rate))
            )
        snapshots += _attainment(rng, pupil, points, today)
    counts = record_past_progress(session, audit, attendance, snapshots, today=today)
    return {
        "attendance_records": counts.attendance_records,
        "attainment_snapshots": counts.attainment_snapshots,
    }


def _attainment(
    rng: random.Random, pupil: _Pupil, points: list[date], today: date
) -> list[PastAttainment]:
    rows: list[PastAttainment] = []
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
            english = AttainmentData(
                "English", "Reading age", _age_text(reading), _age_text(chrono), day
            )
            score = str(round(score_now - trend * back / 12))
            maths = AttainmentData("Maths", "Standardised score", score, "100", day)
            rows += [PastAttainment(pupil.id, english), PastAttainment(pupil.id, maths)]
        return rows
    for subject in ("English", "Maths"):
        target = rng.choice((3, 4, 4, 5)) if not hard else rng.choice((2, 3, 3, 4))
        now_grade = target - rng.choice((0, 1 / 3, 2 / 3, 1, 4 / 3))
        growth = rng.uniform(0.3, 1.0)  # grades a year
        for day in taken:
            back = _months(day, today)
            grade = _grade(now_grade - growth * back / 12)
            data = AttainmentData(subject, "GCSE working-at grade", grade, str(target), day)
            rows.append(PastAttainment(pupil.id, data))
    return rows
