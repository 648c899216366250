"""Anonymised register statistics: what read-only users (SLT, governors) may see.

Counts only, and any count from 1 to 4 is shown as "fewer than 5" so that no child can be
picked out of a small group (the usual DfE suppression practice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
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


def suppress_with_total(parts: Mapping[_K, int], total: int) -> tuple[dict[_K, Count], Count]:
    """Parts each suppressed on their own, and their total hidden too when any part is.

    For rows whose total is not the rest's public sum and whose rows matter more than the
    total (the interventions: a pupil may attend several, and each intervention's own
    figures are what governors read): hiding the total, rather than the next-smallest
    row, is the rule's other way of leaving nothing to subtract from."""
    shown_parts = suppress_each(parts)
    hidden = any(v is None for v in shown_parts.values())
    return shown_parts, None if hidden else suppress_count(total)


def suppress(counts: Mapping[_K, int]) -> dict[_K, Count]:
    """The counts of one table row whose total is known (published, or public anyway, as
    the pupils on roll are) as they may be published: :func:`suppress_linked` with that
    one sum."""
    total = _RowTotal()
    cells: dict[Hashable, int] = {**counts, total: sum(counts.values())}
    shown_cells = suppress_linked(cells, [(total, list(counts))], public={total})
    return {k: shown_cells[k] for k in counts}


class _RowTotal:
    """The key of a row's total in :func:`suppress` (equal only to itself)."""


def suppress_linked(
    counts: Mapping[_K, int],
    sums: Iterable[tuple[_K, Sequence[_K]]],
    *,
    public: Collection[_K] = (),
) -> dict[_K, Count]:
    """Counts published together, some adding up to others, as they may be published.

    ``sums`` says which published counts add up to which: ``(total, parts)`` means
    ``counts[total] == sum(counts[p] for p in parts)`` — or may be taken to by a reader
    (a pupil counted in two groups makes the real total smaller; assuming it equal only
    hides more). ``public`` counts are known anyway (the pupils on roll: the DfE publishes
    them) and are never hidden.

    Primary suppression: a count from 1 to 4 becomes None. Then complementary: while any
    hidden count could be worked out exactly from the shown counts — by subtracting the
    others from a total, or through several sums at once (a year group's column and its
    row; an area and the needs in it) — one more count is hidden, the one that leaves
    fewest counts worked out, the smallest of those (the usual rule: the next-smallest
    cell of the row). Zeros are shown: hiding them protects nobody. Done once, here, for
    every table the figures service publishes, so no report or screen can publish a
    hidden count by subtraction.
    """
    equations = [(total, tuple(parts)) for total, parts in sums]
    small = {k for k, n in counts.items() if 0 < n < SUPPRESS_BELOW and k not in public}
    in_play = {k for total, parts in equations for k in (total, *parts)}
    hideable = [k for k in counts if k in in_play and k not in public and counts[k] > 0]
    # A small count the public counts and the zeros give away whatever is hidden (a year
    # group of 3 pupils, all with a plan) cannot be protected here: it is left out of the
    # target rather than hiding the whole table for nothing.
    target = small - _worked_out(counts, equations, set(hideable) | small)
    hidden = set(small)

    def exposed(extra: Collection[_K] = ()) -> int:
        return len(_worked_out(counts, equations, hidden | set(extra)) & target)

    while now := exposed():
        free = [k for k in hideable if k not in hidden]
        # One more count, else two (where two sums meet in the hidden one, no single count
        # helps): whatever leaves fewest small counts worked out, then hides least.
        choices = [(k,) for k in free]
        best = min(choices, key=lambda ks: (exposed(ks), sum(counts[k] for k in ks)), default=())
        if best and exposed(best) >= now:
            pairs = list(combinations(free, 2))
            best = min(pairs, key=lambda ks: (exposed(ks), sum(counts[k] for k in ks)), default=())
            if best and exposed(best) >= now:
                best = tuple(free)  # nothing less will do
        if not best:
            break
        hidden |= set(best)
    # Show again, largest first, any count hidden on the way that protects nothing.
    for k in sorted(hidden - small, key=lambda k: -counts[k]):
        hidden.discard(k)
        if exposed():
            hidden.add(k)
    return {k: None if k in hidden else n for k, n in counts.items()}


def _worked_out(
    counts: Mapping[_K, int],
    equations: Sequence[tuple[_K, tuple[_K, ...]]],
    hidden: Collection[_K],
) -> set[_K]:
    """The hidden counts a reader could work out exactly from the shown ones and the sums.

    Each sum is a linear equation in the hidden counts (the shown ones are numbers); a
    hidden count is worked out exactly when the equations fix it whatever the others are:
    in the equations' reduced row echelon form it leads a row with nothing in the free
    columns. Exact fractions; the tables are small."""
    names = sorted(hidden, key=repr)
    column = {k: i for i, k in enumerate(names)}
    rows: list[list[Fraction]] = []
    for total, parts in equations:
        row = [Fraction(0)] * len(names)
        for k, sign in ((total, 1), *((p, -1) for p in parts)):
            if k in column:
                row[column[k]] += sign
        if any(row):
            rows.append(row)
    pivots: list[int] = []
    r = 0
    for c in range(len(names)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [x - factor * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    free = [c for c in range(len(names)) if c not in pivots]
    exact = {names[c] for i, c in enumerate(pivots) if all(rows[i][f] == 0 for f in free)}
    return exact | _pinned(counts, equations, hidden)


def _pinned(
    counts: Mapping[_K, int],
    equations: Sequence[tuple[_K, tuple[_K, ...]]],
    hidden: Collection[_K],
) -> set[_K]:
    """Hidden parts a sum pins down by their bounds rather than by algebra: parts that
    must add up to as many as there are of them are 1 each (a hidden count is never 0),
    and small ones that add up to 4 each are 4 each (a reader takes "fewer than 5" at its
    word)."""
    out: set[_K] = set()
    for total, parts in equations:
        if total in hidden:
            continue
        gone = [p for p in parts if p in hidden]
        if not gone:
            continue
        left = counts[total] - sum(counts[p] for p in parts if p not in hidden)
        small = all(counts[p] < SUPPRESS_BELOW for p in gone)
        if left == len(gone) or (small and left == (SUPPRESS_BELOW - 1) * len(gone)):
            out.update(gone)
    return out


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
