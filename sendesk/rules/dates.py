"""How SENDesk writes a date for people: 31/01/2026, as English schools write it.

One function for every layer (the services' sentences, the reports' cells, the screens'
columns), so a date reads the same in a refusal, a PDF and a table.
"""

from __future__ import annotations

from datetime import date


def dmy(value: date | None, empty: str = "") -> str:
    """A date as the school writes it (dd/mm/yyyy); ``empty`` when there is none."""
    return f"{value:%d/%m/%Y}" if value is not None else empty
