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
STATUSES: tuple[str, ...] = ("N", "K", "E")
OTHER_AREA = "Other / not assessed"
"""The area a primary need in no broad area (OTH, NSA, DS) is counted under."""

_K = TypeVar("_K")


class NotShown:
    """The type of :data:`NOT_SHOWN` (one instance: compare with ``is``)."""

    def __repr__(self) -> str:
        return "NOT_SHOWN"


NOT_SHOWN = NotShown()
"""A count hidden to protect another (secondary suppression): it is 5 or more, and reads
"not shown" — never "fewer than 5", which would be false (a register of 18)."""

Count = int | None | NotShown
"""A published count: None is one suppressed for being small (1 to 4), :data:`NOT_SHOWN`
one hidden so that a small one cannot be worked out from it."""


SMALL_NUMBERS_NOTE = (
    "“fewer than 5” is a count from 1 to 4; “not shown” is a count hidden so that a small "
    "one cannot be worked out from it"
)
"""The one sentence every report and page that publishes counts gives where it explains
small numbers (the lead's wording, issue 16)."""


def hidden(count: Count) -> bool:
    """Whether a published count was hidden, either way."""
    return not isinstance(count, int)


def shown(count: Count) -> str:
    """A published count in words: a suppressed one reads "fewer than 5", one hidden to
    protect another "not shown"."""
    if count is NOT_SHOWN:
        return "not shown"
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
    hidden = any(v is None for v in shown_parts.values()) and total >= SUPPRESS_BELOW
    return shown_parts, NOT_SHOWN if hidden else suppress_count(total)


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
        # Pairs only among the counts that share a sum with a small count still worked out
        # (the usual rule looks in its row): every pair of a whole school's linked tables
        # took minutes at 500 pupils.
        worked_out = _worked_out(counts, equations, hidden) & target
        near = {
            k for total, parts in equations if worked_out & {total, *parts} for k in (total, *parts)
        }
        choices = [(k,) for k in free]
        best = min(choices, key=lambda ks: (exposed(ks), sum(counts[k] for k in ks)), default=())
        if best and exposed(best) >= now:
            pairs = list(combinations([k for k in free if k in near] or free, 2))
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
    return {k: None if k in small else NOT_SHOWN if k in hidden else n for k, n in counts.items()}


def _worked_out(
    counts: Mapping[_K, int],
    equations: Sequence[tuple[_K, tuple[_K, ...]]],
    hidden: Collection[_K],
) -> set[_K]:
    """The hidden counts a reader could work out exactly from the shown ones and the sums.

    Each sum is a linear equation in the hidden counts (the shown ones are numbers); a
    hidden count is worked out exactly when the equations fix it whatever the others are:
    in the equations' reduced row echelon form it leads a row with nothing in the free
    columns. Exact fractions; the tables are small. Then the bounds a reader knows
    (:func:`_pinned`) are pushed through the sums and the reduced rows alike."""
    names = sorted(hidden, key=repr)
    column = {k: i for i, k in enumerate(names)}
    width = len(names)
    rows: list[list[Fraction]] = []
    for total, parts in equations:
        row = [Fraction(0)] * (width + 1)  # the last column is the shown counts' side
        for k, sign in ((total, 1), *((p, -1) for p in parts)):
            if k in column:
                row[column[k]] += sign
            else:
                row[width] -= sign * counts[k]
        if any(row[:width]):
            rows.append(row)
    sums = [list(row) for row in rows]
    pivots: list[int] = []
    r = 0
    for c in range(width):
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
    free = [c for c in range(width) if c not in pivots]
    exact = {names[c] for i, c in enumerate(pivots) if all(rows[i][f] == 0 for f in free)}
    return exact | _pinned(counts, names, sums + rows[:r])


def _pinned(
    counts: Mapping[_K, int], names: Sequence[_K], rows: Sequence[Sequence[Fraction]]
) -> set[_K]:
    """Hidden counts pinned by their bounds rather than by algebra alone.

    A reader knows each hidden count's range from its words: "fewer than 5" is 1 to 4;
    "not shown" (hidden to protect another) is 5 or more — so one of each adding up to 6
    are 5 and 1. Each equation (a sum, or a row of the reduced form) narrows each count to
    what the others' ranges leave it; repeated until nothing narrows, a count whose range
    is one number is pinned."""
    low = [1 if counts[k] < SUPPRESS_BELOW else SUPPRESS_BELOW for k in names]
    high: list[int | None] = [
        SUPPRESS_BELOW - 1 if counts[k] < SUPPRESS_BELOW else None for k in names
    ]
    changed = True
    # A sum taken as exact when it is not (a pupil with two arrangements counted in both)
    # has no solution: its bounds would climb for ever. Stop at a contradiction, and after
    # enough passes for any honest table to settle.
    passes = 0
    while changed and passes < 4 * len(names) + 8:
        if any(hi is not None and lo > hi for lo, hi in zip(low, high, strict=True)):
            return set()
        changed = False
        passes += 1
        for row in rows:
            terms = [(i, a) for i, a in enumerate(row[:-1]) if a != 0]
            for i, a in terms:
                # a·x_i = c − Σ a_j·x_j over the others: the others' least and most.
                least: Fraction | None = Fraction(0)
                most: Fraction | None = Fraction(0)
                for j, b in terms:
                    if j == i:
                        continue
                    lo_j, hi_j = (low[j], high[j]) if b > 0 else (high[j], low[j])
                    least = None if least is None or lo_j is None else least + b * lo_j
                    most = None if most is None or hi_j is None else most + b * hi_j
                ends = [None if m is None else (row[-1] - m) / a for m in (most, least)]
                lower, upper = ends if a > 0 else ends[::-1]
                if lower is not None and -((-lower.numerator) // lower.denominator) > low[i]:
                    low[i] = -((-lower.numerator) // lower.denominator)
                    changed = True
                if upper is not None:
                    top = upper.numerator // upper.denominator
                    if high[i] is None or top < high[i]:
                        high[i] = top
                        changed = True
    return {k for k, lo, hi in zip(names, low, high, strict=True) if lo == hi}


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
    The three tables are one linked table (:func:`suppress_linked`): each year group's
    N, K and E add up to its roll, each status's column over the year groups to the
    status's total, and the areas to the pupils on the register (K and E; one with no need
    recorded is "Other / not assessed"), so no hidden count is given away by another table.
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
        if provision in ("K", "E"):
            area = area_of(first_need) if first_need else None
            by_area[area.value if area else OTHER_AREA] += pupils
    roll = sum(f[3] for f in figures)
    years = sorted(by_year)
    cells: dict[Hashable, int] = {("roll",): roll, ("on",): by_provision["K"] + by_provision["E"]}
    cells |= {("status", p): by_provision.get(p, 0) for p in STATUSES}
    cells |= {("area", a): n for a, n in by_area.items()}
    for y in years:
        cells[("roll", y)] = sum(by_year[y].values())
        cells |= {("year", y, p): by_year[y].get(p, 0) for p in STATUSES}
    sums: list[tuple[Hashable, list[Hashable]]] = [
        (("roll",), [("status", p) for p in STATUSES]),
        (("on",), [("status", "K"), ("status", "E")]),
        (("on",), [("area", a) for a in by_area]),
        *((("roll", y), [("year", y, p) for p in STATUSES]) for y in years),
        *((("status", p), [("year", y, p) for y in years]) for p in STATUSES),
    ]
    # The year groups' rolls are public (the DfE publishes them); the pupils on the
    # register are not shown on the page, but are taken as known: that only hides more.
    out = suppress_linked(cells, sums, public={("roll",), *(("roll", y) for y in years)})
    return RegisterStatistics(
        pupils=roll,
        by_provision={p: out[("status", p)] for p in STATUSES},
        by_area={a: out[("area", a)] for a in by_area},
        by_year={y: {p: out[("year", y, p)] for p in STATUSES} for y in years},
    )
