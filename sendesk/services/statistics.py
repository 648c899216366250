"""Anonymised register statistics: what read-only users (SLT, governors) may see.

Counts only, and any count from 1 to 4 is shown as "fewer than 5" so that no child can be
picked out of a small group (the usual DfE suppression practice).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from sendesk.db import Database
from sendesk.models import Pupil
from sendesk.rules.census import Area, area_of
from sendesk.services.actor import Actor
from sendesk.services.register import load_current

SUPPRESS_BELOW = 5


def shown(count: int) -> str:
    """A count as it may be published: small non-zero numbers are suppressed."""
    return "fewer than 5" if 0 < count < SUPPRESS_BELOW else f"{count:,}"


@dataclass(frozen=True)
class RegisterStatistics:
    pupils: int
    by_provision: dict[str, int]
    by_area: dict[str, int]  # primary need's area, pupils on the register
    by_year: dict[int, dict[str, int]]  # year -> provision -> count


def register_statistics(db: Database, actor: Actor) -> RegisterStatistics:
    """Counts for every role; nothing identifies a pupil."""
    with db.session() as s:
        current = load_current(s)
        years: dict[int, int | None] = {
            pid: y for pid, y in s.execute(select(Pupil.id, Pupil.year_group))
        }
    by_provision: Counter[str] = Counter()
    by_area: Counter[str] = Counter({a.value: 0 for a in Area})
    by_year: dict[int, Counter[str]] = {}
    for pupil_id, year in years.items():
        status = current.get(pupil_id)
        provision = status.provision if status and status.provision else "N"
        by_provision[provision] += 1
        by_year.setdefault(year if year is not None else -99, Counter())[provision] += 1
        if provision in ("K", "E") and status and status.codes:
            area = area_of(status.codes[0])
            by_area[area.value if area else "Other / not assessed"] += 1
    return RegisterStatistics(
        pupils=len(years),
        by_provision={p: by_provision.get(p, 0) for p in ("N", "K", "E")},
        by_area=dict(by_area),
        by_year={y: dict(c) for y, c in sorted(by_year.items())},
    )
