"""A small school for the intervention-effectiveness tests (service, PDF/XLSX, command line),
with every figure worked out by hand below.

Reading catch-up (reading age, £24/hour, group "Reading A"):
  Zoë   entry 8:00 on 2/9/2024, exit 9:00 on 2/12/2024: 12 months gained in 3.0 months,
        ratio gain 4.0 (remarkable), 9 months of catch-up.
  Quinn entry 7:06 on 2/9/2024, exit 7:09 on 2/12/2024: 3 months in 3.0, ratio gain 1.0
        (modest), 0 months of catch-up.
  Tara  enrolled 8/1/2024 to 19/7/2024 (last year), no measures, no sessions.
  Sessions: 1/10/2024, 60 min, Zoë and Quinn present → £12.00 each;
            3/10/2024, 60 min, Zoë present, Quinn absent → £24.00 to Zoë.
  Zoë £36.00, Quinn £12.00: £48.00; staff time 2.0 hours, pupil time 3.0 hours.
  Whole report: 3 pupils, £16.00 a pupil. Measured cost £48.00 ÷ 9 months of catch-up
  = £5.33 per month of catch-up.
Maths boost (standardised score, £30/hour, one-to-one):
  Rhys  entry 80 on 10/9/2024, exit 86 on 10/12/2024: +6 (moderate gain).
  Session 2/10/2024, 30 min → £15.00. £15.00 ÷ 6 points = £2.50 per standard-score point.
Spelling boost (standardised score, £20/hour):
  Quinn entry 90 on 10/9/2024, exit 85 on 10/12/2024: −5 (decline).
  Session 2/10/2024, 30 min → £10.00: no measured progress.
ELSA (self-rating, £20/hour, area SEMH):
  Zoë   entry 3 on 4/9/2024, no later measure: not measured.
  Session 4/10/2024, 45 min → £15.00: no measured progress.
  Also a session logged not delivered (staff absent) on 7/10/2024: costs nothing.

School: 4 pupils (Zoë, Quinn, Rhys, Tara), 6 enrolments, 4 measured, 5 sessions delivered
(3.75 staff hours), pupil time 4.75 hours, £88.00, £22.00 a pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from sendesk.db import Database
from sendesk.services.actor import Actor
from tests.factories import (
    add_test_intervention,
    add_test_pupil,
    enrol_test_pupil,
    log_test_session,
)

CL = "Cognition and learning"
SEMH = "Social, emotional and mental health"


@dataclass
class EffectSchool:
    zoe: int
    quinn: int
    rhys: int
    tara: int


def _intervention(
    db: Database, name: str, area: str, rate: int, measure: str, kind: str, group: str
) -> int:
    """A catalogue entry and one group of it (Mondays and Wednesdays since 8 January 2024);
    returns the group's id."""
    return add_test_intervention(
        db,
        name,
        area,
        rate,
        measure=measure,
        kind=kind,
        group=group,
        weekdays="1,3",
        start=date(2024, 1, 8),
    )


_enrol = partial(enrol_test_pupil, start=date(2024, 9, 2))
"""An enrolment from the first day of the autumn term 2024 unless ``start`` says otherwise."""


def _log(
    db: Database, group: int, on: date, minutes: int, present: dict[int, bool], *, held: bool = True
) -> None:
    """A session of ``minutes``, attended in full by the enrolments ``present`` maps to True."""
    attendance = {enrolment: minutes if there else None for enrolment, there in present.items()}
    log_test_session(db, group, on, minutes, attendance, delivered=held)


def make_effect_school(db: Database, senco: Actor) -> EffectSchool:
    """The school described at the top of this module."""
    zoe = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Zoë")
    quinn = add_test_pupil(db, senco, 2, provision="K", needs=("SPLD",), forename="Quinn")
    rhys = add_test_pupil(db, senco, 3, provision="K", needs=("MLD",), forename="Rhys")
    tara = add_test_pupil(db, senco, 4, provision="K", needs=("SPLD",), forename="Tara")
    reading = _intervention(
        db, "Reading catch-up", CL, 2400, "reading age", "age_months", "Reading A"
    )
    maths = _intervention(db, "Maths boost", CL, 3000, "maths score", "standardised", "Maths 1:1")
    spelling = _intervention(
        db, "Spelling boost", CL, 2000, "spelling score", "standardised", "Spelling"
    )
    elsa = _intervention(db, "ELSA", SEMH, 2000, "self-rating", "rating", "ELSA Tuesday")
    rz = _enrol(db, reading, zoe, (96, date(2024, 9, 2)), (108, date(2024, 12, 2)))
    rq = _enrol(db, reading, quinn, (90, date(2024, 9, 2)), (93, date(2024, 12, 2)))
    _enrol(db, reading, tara, start=date(2024, 1, 8), end=date(2024, 7, 19))
    mr = _enrol(db, maths, rhys, (80, date(2024, 9, 10)), (86, date(2024, 12, 10)))
    sq = _enrol(db, spelling, quinn, (90, date(2024, 9, 10)), (85, date(2024, 12, 10)))
    ez = _enrol(db, elsa, zoe, (3, date(2024, 9, 4)))
    _log(db, reading, date(2024, 10, 1), 60, {rz: True, rq: True})
    _log(db, reading, date(2024, 10, 3), 60, {rz: True, rq: False})
    _log(db, maths, date(2024, 10, 2), 30, {mr: True})
    _log(db, spelling, date(2024, 10, 2), 30, {sq: True})
    _log(db, elsa, date(2024, 10, 4), 45, {ez: True})
    _log(db, elsa, date(2024, 10, 7), 45, {ez: True}, held=False)
    return EffectSchool(zoe, quinn, rhys, tara)
