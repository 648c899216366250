"""Anonymised register statistics: what read-only users (SLT, governors) may see.

Counts only, and any count from 1 to 4 is shown as "fewer than 5" so that no child can be
picked out of a small group (the usual DfE suppression practice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.models import Pupil
from sendesk.rules.census import Area, area_of
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.register.register import load_current
from sendesk.services.store import pg_security

SUPPRESS_BELOW = 5

_K = TypeVar("_K")

Count = int | None
"""A published count: None stands for one that was suppressed (1 to 4)."""


def shown(count: Count) -> str:
    """A published count in words: a suppressed one reads "fewer than 5"."""
    if count is None or 0 < count < SUPPRESS_BELOW:
        return "fewer than 5"
    return f"{count:,}"


def shown_percent(value: float | None, pupils: Count) -> str:
    """A published percentage in words: "83.8%"; "no records" when no pupil had any;
    "not shown" when it was withheld, being drawn from fewer than 5 pupils."""
    if value is not None:
        return f"{value:.1f}%"
    return "no records" if pupils == 0 else "not shown"


def suppress_count(count: int) -> Count:
    """One count standing alone (no total it adds up to is published): 1 to 4 becomes None.

    For figures that are not cells of one row — pupils who joined the register in a year,
    pupils with a given access arrangement (a pupil may have several) — so there is nothing
    to subtract a hidden count from, and primary suppression is all that is needed.
    """
    return None if 0 < count < SUPPRESS_BELOW else count


def suppress_each(counts: Mapping[_K, int]) -> dict[_K, Count]:
    """Counts that do not add up to a published total, each suppressed on its own."""
    return {k: suppress_count(n) for k, n in counts.items()}


def suppress(counts: Mapping[_K, int]) -> dict[_K, Count]:
    """The counts of one table row (whose total is known) as they may be published.

    Primary suppression: a count from 1 to 4 becomes None. Secondary: when that leaves a
    single cell suppressed, the smallest other non-zero cell is suppressed too, or the
    hidden one could be worked out by subtracting the rest from the total. Done here, in
    the service, so no caller can publish a small count by mistake.
    """
    result = suppress_each(counts)
    hidden = [k for k, v in result.items() if v is None]
    if len(hidden) == 1:
        others = [(n, k) for k, n in counts.items() if k not in hidden and n > 0]
        if others:
            result[min(others, key=lambda pair: pair[0])[1]] = None
    return result


@dataclass(frozen=True)
class RegisterStatistics:
    """Register counts, already suppressed (:func:`suppress`): None is "fewer than 5"."""

    pupils: int
    by_provision: dict[str, Count]
    by_area: dict[str, Count]  # primary need's area, pupils on the register
    by_year: dict[int, dict[str, Count]]  # year -> provision -> count


def _figures(s: Session) -> list[tuple[int | None, str | None, str | None, int]]:
    """(year group, open provision, primary need, 1) for each pupil."""
    current = load_current(s)
    out: list[tuple[int | None, str | None, str | None, int]] = []
    for pupil_id, year in s.execute(select(Pupil.id, Pupil.year_group)):
        status = current.get(pupil_id)
        codes = status.codes if status else ()
        out.append((year, status.provision if status else None, codes[0] if codes else None, 1))
    return out


def register_statistics(db: Database, actor: Actor) -> RegisterStatistics:
    """Counts (small ones suppressed): nothing identifies a pupil.

    On a PostgreSQL server with SENDesk's roles the read-only login may not read pupil
    rows at all, so the counts come from the database's own function
    (:func:`~sendesk.services.store.pg_security.register_figures`), for every role alike.
    """
    permit(actor, Action.VIEW_SCHOOL_FIGURES)
    with db.session() as s:
        if not db.is_file and pg_security.is_secured(s):
            figures = pg_security.register_figures(s)
        else:
            figures = _figures(s)
    by_provision: Counter[str] = Counter()
    by_area: Counter[str] = Counter({a.value: 0 for a in Area})
    by_year: dict[int, Counter[str]] = {}
    for year, open_provision, first_need, pupils in figures:
        provision = open_provision or "N"
        by_provision[provision] += pupils
        by_year.setdefault(year if year is not None else -99, Counter())[provision] += pupils
        if provision in ("K", "E") and first_need:
            area = area_of(first_need)
            by_area[area.value if area else "Other / not assessed"] += pupils
    return RegisterStatistics(
        pupils=sum(f[3] for f in figures),
        by_provision=suppress({p: by_provision.get(p, 0) for p in ("N", "K", "E")}),
        by_area=suppress(dict(by_area)),
        by_year={
            y: suppress({p: c.get(p, 0) for p in ("N", "K", "E")})
            for y, c in sorted(by_year.items())
        },
    )
