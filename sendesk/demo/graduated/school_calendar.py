"""The school calendar the demo's history keeps to: terms, half-terms and school days, so
that no session is logged on a Saturday or in a holiday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

TERMS_OF_GROUPS = 3
_DAY = timedelta(days=1)


# --- the school calendar ----------------------------------------------------------------------


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += _DAY
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class _Term:
    year: int  # the academic year's first calendar year
    season: str
    start: date
    end: date
    half_term: date  # the Monday of the half-term week

    @property
    def name(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d} {self.season}"

    @property
    def label(self) -> str:
        return f"{self.season.capitalize()} {self.start.year}"

    def open_on(self, day: date) -> bool:
        if not self.start <= day <= self.end or day.weekday() >= 5:
            return False
        return not self.half_term <= day < self.half_term + timedelta(days=5)


@cache
def _year_terms(year: int) -> tuple[_Term, _Term, _Term]:
    """An English academic year, near enough: three terms, each with a half-term week."""
    last_may = date(year + 1, 5, 31)
    return (
        _Term(
            year,
            "autumn",
            _weekday_on_or_after(date(year, 9, 2)),
            _weekday_on_or_before(date(year, 12, 19)),
            _monday_on_or_before(date(year, 10, 27)),
        ),
        _Term(
            year,
            "spring",
            _weekday_on_or_after(date(year + 1, 1, 6)),
            _weekday_on_or_before(date(year + 1, 3, 28)),
            _monday_on_or_before(date(year + 1, 2, 16)),
        ),
        _Term(
            year,
            "summer",
            _weekday_on_or_after(date(year + 1, 4, 14)),
            _weekday_on_or_before(date(year + 1, 7, 22)),
            _monday_on_or_before(last_may),
        ),
    )


def _academic_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


@cache
def is_school_day(day: date) -> bool:
    """Whether ``day`` is a term-time weekday in the demo school's calendar."""
    return any(t.open_on(day) for t in _year_terms(_academic_year(day)))


def _school_day_on_or_before(day: date) -> date:
    for _ in range(120):
        if is_school_day(day):
            return day
        day -= _DAY
    return day


def _school_day_on_or_after(day: date) -> date:
    for _ in range(120):
        if is_school_day(day):
            return day
        day += _DAY
    return day


def recent_terms(today: date, count: int = TERMS_OF_GROUPS) -> list[_Term]:
    """The last ``count`` terms that have started by ``today``, oldest first."""
    year = _academic_year(today)
    terms = [t for y in range(year - 2, year + 1) for t in _year_terms(y) if t.start <= today]
    return terms[-count:]


def _school_days(lo: date, hi: date) -> list[date]:
    days, day = [], lo
    while day <= hi:
        if is_school_day(day):
            days.append(day)
        day += _DAY
    return days


def _months(lo: date, hi: date) -> float:
    return (hi - lo).days / (365.25 / 12)


def _age_text(months: float) -> str:
    whole = round(months)
    return f"{whole // 12}y {whole % 12}m"


def _at(day: date, minutes: int, now: datetime) -> datetime:
    return min(datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC), now)
