"""Reading attainment values as the school writes them: can two be put in order?

Why this module exists: schools keep attainment in their MIS as text ("4-", "102",
"7y 4m", "Working towards"), and SENDesk keeps it as written
(:mod:`sendesk.services.graduated.progress_data`). A governor asks two questions of it —
are pupils with SEND at the standard expected of them, and are they moving on — and both
need two values compared. This module compares only what can be compared honestly:

- numbers ("102", "6.5"): by value;
- graded numbers with a fine grade ("4-", "4=", "4+", "5"): by the number, then ``-``
  below ``=`` (or none) below ``+``;
- ages ("7:04", "7y 4m", "8 years"): in months (:func:`sendesk.rules.progress.parse_age`);
- the same words ("Expected", "expected"): equal, and nothing more.

Anything else ("Working towards" against "Expected") is not ordered: :func:`compare`
answers None and the figures leave the pair out rather than guess at a grading scheme.
"""

from __future__ import annotations

import re

from sendesk.rules.progress import parse_age

_GRADED = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*([+=-]?)$")
_FINE = {"-": -1, "": 0, "=": 0, "+": 1}


def _key(text: str) -> tuple[str, tuple[float, int]] | None:
    """The value as something ordered, with its kind ("number" or "age"); None if neither."""
    cleaned = " ".join(text.split())
    match = _GRADED.match(cleaned)
    if match:
        return "number", (float(match.group(1)), _FINE[match.group(2)])
    try:
        return "age", (float(parse_age(cleaned)), 0)
    except ValueError:
        return None


def compare(value: str, other: str) -> int | None:
    """-1, 0 or 1 as ``value`` is below, level with or above ``other``; None when the two
    cannot be put in order (different kinds, or words that are not the same words)."""
    a, b = _key(value), _key(other)
    if a is not None and b is not None:
        if a[0] != b[0]:
            return None
        return (a[1] > b[1]) - (a[1] < b[1])
    if (
        a is None
        and b is None
        and value.strip()
        and value.strip().casefold() == other.strip().casefold()
    ):
        return 0
    return None


def at_or_above(value: str, expected: str) -> bool | None:
    """Whether ``value`` meets ``expected``; None when no expected value is recorded or the
    two cannot be compared."""
    if not expected.strip():
        return None
    order = compare(value, expected)
    return None if order is None else order >= 0


__all__ = ["at_or_above", "compare"]
