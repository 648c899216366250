"""The census check: the SEND register as it stands, against the DfE school census rules.

Why this is a service of its own: the SENCo runs it before each census day (from the app's
"Census check" page or ``sendesk census-check``) to fix the register *before* the MIS
builds the return, rather than reading the DfE's error report afterwards. It reads the
effective register only:

* pupils on roll on census day: a pupil whose leaving date is before the census day is not
  in the return, so is not checked;
* their open register entries that are not voided (``voided_at IS NULL``: a voided entry
  was a mistake and is no longer part of the pupil's history);
* their open needs.

The checks themselves are pure and live in :mod:`sendesk.rules.census_check`, with the
rules' numbers, wording and sources in ``resources/census_rules.json``. Nothing is
written and nothing is logged about pupils.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from sendesk.db import Database
from sendesk.models import Need, Pupil, RegisterEntry
from sendesk.rules.census_check import (
    CensusProblem,
    PupilRegister,
    census_name,
    check_register,
    next_census_day,
)
from sendesk.services.actor import Actor
from sendesk.services.common import PUPIL_NAME_COLUMNS
from sendesk.services.permissions import Action, permit


@dataclass(frozen=True)
class CensusReport:
    """What the check found: the census day it was run for, pupils checked, problems."""

    census_day: date
    pupils_checked: int
    problems: tuple[CensusProblem, ...]

    @property
    def census(self) -> str:
        """ "the spring census on Thursday 21 January 2027" """
        day = self.census_day
        return f"the {census_name(day)} census on {day:%A} {day.day} {day:%B %Y}"

    @property
    def pupils_with_problems(self) -> int:
        return len({p.pupil_id for p in self.problems})

    def summary(self) -> str:
        """One sentence for the end of the list (CLI) or the top of the page (app)."""
        checked = f"{self.pupils_checked:,} {_plural(self.pupils_checked, 'pupil')}"
        if not self.problems:
            return f"No census problems: {checked} on roll checked for {self.census}."
        n, who = len(self.problems), self.pupils_with_problems
        return (
            f"{n:,} {_plural(n, 'problem')} for {who:,} {_plural(who, 'pupil')} "
            f"({checked} on roll checked) to fix before {self.census}."
        )


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _read_register(db: Database, census_day: date) -> list[PupilRegister]:
    """Pupils on roll on ``census_day`` with their open, not voided, entries and open needs."""
    with db.session() as s:
        pupils = s.execute(
            select(*PUPIL_NAME_COLUMNS).where(
                or_(Pupil.leaving_date.is_(None), Pupil.leaving_date >= census_day)
            )
        ).all()
        provisions: dict[int, list[str]] = defaultdict(list)
        for pupil_id, provision in s.execute(
            select(RegisterEntry.pupil_id, RegisterEntry.provision).where(
                RegisterEntry.end_date.is_(None), RegisterEntry.voided_at.is_(None)
            )
        ):
            provisions[pupil_id].append(provision)
        needs: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pupil_id, rank, code in s.execute(
            select(Need.pupil_id, Need.rank, Need.code).where(Need.end_date.is_(None))
        ):
            needs[pupil_id].append((rank, code))
    return [
        PupilRegister(
            pupil_id=pid,
            upn=upn,
            name=f"{pref_fore or fore} {pref_sur or sur}",
            provisions=tuple(sorted(provisions.get(pid, []))),
            needs=tuple(sorted(needs.get(pid, []))),
        )
        for pid, upn, fore, sur, pref_fore, pref_sur in pupils
    ]


def census_check(db: Database, actor: Actor, *, today: date | None = None) -> CensusReport:
    """The SENCo checks the register against the census rules for the next census day.

    ``today`` picks the census day (the first on or after it, see
    :func:`sendesk.rules.census_check.next_census_day`). Raises PermissionDeniedError for
    anyone but the SENCo: the list names pupils and their needs, and fixing it is theirs.
    """
    permit(actor, Action.CHECK_CENSUS)
    day = next_census_day(today or date.today())
    register = _read_register(db, day)
    return CensusReport(day, len(register), tuple(check_register(register)))


__all__ = ["CensusReport", "census_check"]
