"""Who is in the graduated-response story: the pupils on the register now and those who
were, with what the text needs, and how their measures move."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.demo.graduated.catalogue import AGE, NEED_INTERVENTIONS, RATING, SCORE, _Spec
from sendesk.demo.graduated.school_calendar import _months
from sendesk.models import (
    Need,
    Pupil,
    RegisterEntry,
)

# --- who is in the story ------------------------------------------------------------------------


@dataclass
class _EnrolPlan:
    spec: _Spec
    start: date
    planned_end: date | None
    end: date | None
    entry: float
    entry_date: date
    exit: float | None
    mids: list[tuple[date, float]] = field(default_factory=list)
    attend: float = 0.9


@dataclass
class _Pupil:
    id: int
    provision: str
    needs: tuple[str, ...]
    since: date
    until: date | None  # the day a former pupil came off the register
    dob: date
    forename: str
    legal_name: str
    gender: str | None
    year_group: int | None
    admission: date | None
    next_review_due: date | None
    gap: dict[str, float] = field(default_factory=dict)  # measure -> months behind
    state: dict[str, tuple[float, date]] = field(default_factory=dict)  # measure -> last
    enrolments: list[_EnrolPlan] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.until is None

    def on_register(self, lo: date, hi: date) -> bool:
        return self.since <= lo and (self.until is None or self.until >= hi)

    def words(self) -> dict[str, str]:
        he, him, his = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}.get(
            self.gender or "", ("they", "them", "their")
        )
        return {
            "name": self.forename,
            "he": he,
            "him": him,
            "his": his,
            "He": he.capitalize(),
            "His": his.capitalize(),
        }


def _load_pupils(
    session: Session,
    pupils: Sequence[tuple[int, str, tuple[str, ...], date | None]],
    today: date,
) -> list[_Pupil]:
    """Everyone on the register now, and those who were, with what the text needs."""
    rows = {
        r.id: r
        for r in session.execute(
            select(
                Pupil.id,
                Pupil.dob,
                Pupil.legal_forename,
                Pupil.legal_surname,
                Pupil.preferred_forename,
                Pupil.gender,
                Pupil.year_group,
                Pupil.admission_date,
                Pupil.next_review_due,
            )
        )
    }
    former_ids = {pid for pid, provision, _, _ in pupils if provision not in ("K", "E")}
    periods: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for pid, start, end in session.execute(
        select(RegisterEntry.pupil_id, RegisterEntry.start_date, RegisterEntry.end_date)
        .where(RegisterEntry.provision.in_(("K", "E")), RegisterEntry.end_date.is_not(None))
        .order_by(RegisterEntry.pupil_id, RegisterEntry.start_date)
    ):
        if pid in former_ids:
            periods[pid].append((start, end))
    ended: dict[tuple[int, date], list[str]] = defaultdict(list)
    for pid, code, end in session.execute(
        select(Need.pupil_id, Need.code, Need.end_date)
        .where(Need.end_date.is_not(None))
        .order_by(Need.pupil_id, Need.end_date, Need.rank)
    ):
        if pid in former_ids:
            ended[(pid, end)].append(code)

    found: list[_Pupil] = []
    for pid, provision, needs, since in sorted(pupils, key=lambda p: p[0]):
        row = rows.get(pid)
        if row is None:
            continue
        until: date | None = None
        if provision in ("K", "E"):
            if not needs:  # not census-valid; nothing to write plans about
                continue
            start = since or row.admission_date or today - timedelta(days=365)
        else:
            runs = periods.get(pid)
            if not runs:
                continue
            start, until = runs[-1]
            for lo, hi in reversed(runs[:-1]):  # a run of K and E periods back to back
                if hi != start:
                    break
                start = lo
            needs = tuple(ended.get((pid, until), ()))
            if not needs:
                continue
        found.append(
            _Pupil(
                id=pid,
                provision=provision,
                needs=tuple(needs),
                since=min(start, today),
                until=until,
                dob=row.dob,
                forename=row.preferred_forename or row.legal_forename,
                legal_name=f"{row.legal_forename} {row.legal_surname}",
                gender=row.gender,
                year_group=row.year_group,
                admission=row.admission_date,
                next_review_due=row.next_review_due,
            )
        )
    return found


def _weighted_pick(rng: random.Random, table: dict[str, int], exclude: set[str]) -> str | None:
    keys = sorted(k for k in table if k not in exclude)
    if not keys:
        return None
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _intervention_weights(needs: tuple[str, ...]) -> dict[str, int]:
    weights: dict[str, int] = defaultdict(int)
    for rank, code in enumerate(needs[:2]):
        for key, weight in NEED_INTERVENTIONS.get(code, ()):
            weights[key] += weight * (2 if rank == 0 else 1)
    return dict(weights)


# --- measures ---------------------------------------------------------------------------------


def _ratio(rng: random.Random) -> float:
    """A ratio gain: mostly useful to substantial (1-3), some less, a few remarkable."""
    roll = rng.random()
    if roll < 0.08:
        return rng.uniform(0.4, 1.0)
    if roll < 0.92:
        return rng.uniform(1.1, 2.8)
    return rng.uniform(3.0, 4.2)


def _first_gap(rng: random.Random, pupil: _Pupil, spec: _Spec) -> float:
    codes = set(pupil.needs)
    if codes & {"SLD", "PMLD", "DS"}:
        lo, hi = 48, 84
    elif codes & {"SPLD", "MLD", "NSA"}:
        lo, hi = 22, 54
    else:
        lo, hi = 8, 30
    if pupil.provision == "E":
        lo, hi = lo + 6, hi + 12
    if spec.key == "spelling":
        lo, hi = lo + 3, hi + 6
    return float(rng.randint(lo, hi))


def _entry_value(rng: random.Random, pupil: _Pupil, spec: _Spec, on: date) -> float:
    last = pupil.state.get(spec.measure)
    if spec.kind == AGE:
        chrono = _months(pupil.dob, on)
        if last is not None:  # a little progress since, out of the group
            value = last[0] + round(_months(last[1], on) * rng.uniform(0.2, 0.8))
        else:
            gap = pupil.gap.setdefault(spec.measure, _first_gap(rng, pupil, spec))
            value = round(chrono - gap)
        return float(max(60, min(value, round(chrono) + 6, 204)))
    if last is not None:
        return last[0]
    lo, hi = spec.entry
    if pupil.provision == "E":
        lo, hi = lo - (3 if spec.kind == SCORE else 1), hi - (4 if spec.kind == SCORE else 1)
    return float(rng.randint(max(lo, 1), max(hi, lo, 1)))


def _exit_value(
    rng: random.Random, spec: _Spec, entry: float, lo: date, hi: date, ratio: float
) -> float:
    if spec.kind == AGE:
        return float(min(204, entry + max(0, round(ratio * _months(lo, hi)))))
    change = rng.choice(spec.change)
    if spec.kind == SCORE:
        return float(max(45, min(spec.ceiling, entry + change)))
    return float(max(1, min(spec.ceiling, entry + change)))


def _between(spec: _Spec, entry: float, target: float, frac: float, rng: random.Random) -> float:
    value = entry + (target - entry) * frac
    if spec.kind == SCORE:
        value += rng.choice((-2, -1, 0, 1, 2))
    elif spec.kind == RATING and target != entry:
        value += rng.choice((-1, 0, 0, 1)) * 0.5
    value = round(value)
    if spec.kind == AGE:
        value = max(value, entry)
    return float(max(1, value))
