"""A small school whose register breaks census rules on purpose (old data, a bad MIS).

SENDesk refuses these combinations when they are entered, so they are written straight to
the tables, as data from before a rule (or another tool) would be.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sendesk.db import Database
from sendesk.models import Need, Pupil, RegisterEntry
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from tests.factories import add_test_pupil

SINCE = date(2024, 9, 1)
TODAY = date(2026, 12, 7)  # the next census day is Thursday 21 January 2027


def _raw_pupil(
    db: Database,
    upn: str,
    forename: str,
    surname: str,
    entries: list[tuple[str, datetime | None]],
    needs: list[tuple[int, str]],
    *,
    leaving_date: date | None = None,
) -> int:
    with db.transaction() as s:
        pupil = Pupil(
            upn=upn,
            legal_forename=forename,
            legal_surname=surname,
            dob=date(2012, 1, 1),
            year_group=9,
            leaving_date=leaving_date,
        )
        s.add(pupil)
        s.flush()
        for provision, voided_at in entries:
            s.add(
                RegisterEntry(
                    pupil_id=pupil.id,
                    provision=provision,
                    start_date=SINCE,
                    # a voided entry covers no day, as register.void_entry leaves it (the
                    # database holds one open entry per pupil)
                    end_date=SINCE if voided_at else None,
                    voided_at=voided_at,
                    void_reason="recorded by mistake" if voided_at else None,
                )
            )
        for rank, code in needs:
            s.add(Need(pupil_id=pupil.id, code=code, rank=rank, start_date=SINCE))
        return pupil.id


def plant_census_problems(db: Database, actor: Actor) -> dict[str, int]:
    """Pupils by first name: two clean, four with one problem each, one voided mistake
    (clean once the voided entry is ignored) and one leaver whose problem is not counted."""
    voided = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    return {
        "Amy": add_test_pupil(
            db, actor, 1, provision="K", needs=("SPLD",), forename="Amy", surname="Clean"
        ),
        "Ben": _raw_pupil(db, make(801, 2000, 24, 2).lower(), "Ben", "Lower", [("N", None)], []),
        "Cara": _raw_pupil(
            db, make(801, 2000, 24, 3), "Cara", "Statement", [("S", None)], [(1, "ASD")]
        ),
        "Dan": _raw_pupil(db, make(801, 2000, 24, 4), "Dan", "Noneed", [("E", None)], []),
        "Eve": _raw_pupil(
            db,
            make(801, 2000, 24, 5),
            "Eve",
            "Voided",
            [("E", voided), ("K", None)],
            [(1, "MLD")],
        ),
        "Finn": _raw_pupil(
            db,
            make(801, 2000, 24, 6),
            "Finn",
            "Leaver",
            [("N", None)],
            [(1, "SPLD")],
            leaving_date=date(2026, 7, 22),
        ),
        "Gus": _raw_pupil(db, make(801, 2000, 24, 7), "Gus", "Besd", [("K", None)], [(1, "BESD")]),
        "Hana": add_test_pupil(db, actor, 8, forename="Hana", surname="Clean"),
    }
