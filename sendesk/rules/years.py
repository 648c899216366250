"""Year groups as schools write them: the one place the numbering convention lives.

SENDesk stores National Curriculum years as integers: 0 is Reception, -2 and -1 are the two
nursery years (N1, N2), 1–14 the years from Year 1 up to post-16.
"""

from __future__ import annotations


def year_label(year: int | None) -> str:
    """How schools write a year group: "R" for Reception, "N1"/"N2" for nursery."""
    if year is None:
        return ""
    if year == 0:
        return "R"
    if year < 0:
        return f"N{year + 3}"
    return str(year)
