"""How SENDesk writes a date for people (31/01/2026, as English schools write it) and
counts calendar months.

One function for every layer (the services' sentences, the reports' cells, the screens'
columns), so a date reads the same in a refusal, a PDF and a table; and one month rule
for every date a rule puts months after another (a review, an approval's expiry, a
report's age, a measure's months elapsed), so that 31 August + 6 months is the same day
everywhere.
"""

from __future__ import annotations

import calendar
from datetime import date


def dmy(value: date | None, empty: str = "") -> str:
    """A date as the school writes it (dd/mm/yyyy); ``empty`` when there is none."""
    return f"{value:%d/%m/%Y}" if value is not None else empty


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative); a day the
    month lacks becomes its last day: 29 February + 12 months is 28 February, 31 August +
    1 month is 30 September (the corresponding-date rule the courts use for periods of
    months)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
