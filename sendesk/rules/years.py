"""Year groups as schools write them: the one place the numbering convention lives.

SENDesk stores National Curriculum years as integers: 0 is Reception, -2 and -1 are the two
nursery years (N1, N2), 1–14 the years from Year 1 up to post-16. A school year runs from
September to August, for a day and for a birth cohort alike (:func:`academic_year_of`).
"""

from __future__ import annotations

from datetime import date


def academic_year_of(day: date) -> int:
    """The academic year a date falls in, by its starting calendar year (Sept–Aug); for a
    date of birth, the cohort: children born 1 September to 31 August are one school year."""
    return day.year if day.month >= 9 else day.year - 1


def year_label(year: int | None) -> str:
    """How schools write a year group: "R" for Reception, "N1"/"N2" for nursery."""
    if year is None:
        return ""
    if year == 0:
        return "R"
    if year < 0:
        return f"N{year + 3}"
    return str(year)
