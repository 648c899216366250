"""A reader's attack on published counts (issue 16 review): every way of filling in the
hidden counts that agrees with the shown ones and the sums a reader knows. Shared by the
small-numbers tests of the figures service, the reports and the figures page; a plain
search, independent of the service's own algebra."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from sendesk.services.school.statistics import NOT_SHOWN, Count

Sums = Sequence[tuple[Hashable, Sequence[Hashable]]]


def possible_values(
    shown: Mapping[Hashable, Count], sums: Sums, bound: int
) -> dict[Hashable, set[int]]:
    """Every value each hidden count can take in some filling-in of all the hidden counts
    that makes every sum add up: "fewer than 5" (None) 1 to 4, "not shown" (NOT_SHOWN)
    5 to ``bound`` — a reader takes both at their word."""
    hidden = [k for k, v in shown.items() if not isinstance(v, int)]
    found: dict[Hashable, set[int]] = {k: set() for k in hidden}
    values: dict[Hashable, int] = {k: v for k, v in shown.items() if isinstance(v, int)}
    ranges = {k: range(1, 5) if shown[k] is None else range(5, bound + 1) for k in hidden}

    def consistent() -> bool:
        for total, parts in sums:
            if total not in values:
                continue
            unfilled = [p for p in parts if p not in values]
            added = sum(values[p] for p in parts if p in values)
            added += sum(ranges[p][0] for p in unfilled)  # each at least its least
            if added > values[total] or (not unfilled and added != values[total]):
                return False
        return True

    def fill(i: int) -> None:
        if all(len(v) > 1 for v in found.values()):
            return  # every hidden count already has two possible values
        if i == len(hidden):
            for k in hidden:
                found[k].add(values[k])
            return
        for n in ranges[hidden[i]]:
            values[hidden[i]] = n
            if consistent():
                fill(i + 1)
        del values[hidden[i]]

    fill(0)
    return found


def assert_nothing_small_worked_out(
    counts: Mapping[Hashable, int], shown: Mapping[Hashable, Count], sums: Sums
) -> None:
    """Every count from 1 to 4 reads "fewer than 5", every other hidden one "not shown",
    and each small one could be more than one number."""
    assert all(shown[k] is None for k, n in counts.items() if 0 < n < 5)
    assert all(shown[k] is NOT_SHOWN for k, n in counts.items() if n >= 5 and shown[k] != n)
    assert all(shown[k] in (n, None, NOT_SHOWN) for k, n in counts.items())  # nothing changed
    bound = max(counts.values())
    found = possible_values(shown, sums, bound)
    for k, n in counts.items():
        if 0 < n < 5:
            assert len(found[k]) > 1, (k, n, found[k])
