"""Hostile input for SENDesk's readers and validators.

Text mixes arbitrary Unicode with strings known to upset software: blanks, control
characters, NUL, bidirectional overrides, combining marks, spreadsheet formulas, very
long runs, line breaks inside names, dates in every wrong form. Dataclasses of the
services' form data are built from their type hints with those strategies.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from typing import Any

from hypothesis import strategies as st

NASTY = [
    "",
    " ",
    "\t",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\u202eevil",
    "e\u0301",
    "Zoë",
    "O’Neill",
    "Ó Súilleabháin",
    "Trần Thị",
    '=HYPERLINK("http://x")',
    "+1",
    "-1",
    "@SUM(A1)",
    "'; DROP TABLE pupil; --",
    "<script>",
    "31/02/2013",
    "12/31/2013",
    "2013-02-29",
    "01/01/0001",
    "9999-12-31",
    "N1",
    "Year 14",
    "E",
    "K - SEN Support",
    "SPLD",
    "NaN",
    "1e308",
    "A" * 201,
    "x" * 5_000,
    "\ufeff",
    "\ud7ff",
    "😀" * 50,
]

TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.sampled_from(NASTY), max_size=4).map("".join),
)
"""Text a person (or a damaged file) might put in any field."""

DATES = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)),
    st.dates(),
    st.sampled_from([date.min, date.max, date(2000, 2, 29)]),
)
INTS = st.one_of(
    st.integers(min_value=-5, max_value=1_000), st.integers(min_value=-(2**31), max_value=2**31)
)
"""Whole numbers as a form's number box (a 32-bit spin box) or a typed figure carries."""
FLOATS = st.floats()


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A hostile strategy for one annotation."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(for_type(arg) for arg in typing.get_args(tp)))
    if tp is type(None):
        return st.none()
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(for_type(args[0]), max_size=6).map(tuple)
        return st.tuples(*(for_type(a) for a in args))
    if tp is str:
        return TEXT
    if tp is bool:
        return st.booleans()
    if tp is int:
        return INTS
    if tp is float:
        return FLOATS
    if tp is date:
        return DATES
    if dataclasses.is_dataclass(tp):
        return full(tp)
    return st.from_type(tp)


def full(cls: type, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Every field of a dataclass generated (not only the required ones)."""
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: overrides.get(f.name, for_type(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.init
    }
    return st.builds(cls, **kwargs)
