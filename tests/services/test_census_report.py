"""The census check service on a real database: what the SENCo is told before census day."""

from __future__ import annotations

from datetime import date

import pytest
from census_school import TODAY, plant_census_problems

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.register.census_check import census_check

TEACHER = Actor(user_id=99, username="teacher", display_name="A Teacher", role=Role.TEACHER)


def test_planted_problems_are_found_with_rule_and_fix(db: Database, senco: Actor) -> None:
    ids = plant_census_problems(db, senco)
    report = census_check(db, senco, today=TODAY)
    assert report.census_day == date(2027, 1, 21)
    assert report.census == "the spring census on Thursday 21 January 2027"
    found = [(p.name, p.rule.number, p.rule.key, p.detail) for p in report.problems]
    assert found == [
        ("Ben Lower", None, "upn-capitals", "UPN 'z801200024002'"),
        ("Cara Statement", "2115", "statement", "SEN provision S"),
        ("Dan Noneed", "2170", "k-e-need-type", "SEN provision E with no type of need"),
        ("Gus Besd", None, "besd", "SEN type BESD"),
    ]
    assert report.problems[1].pupil_id == ids["Cara"]
    assert report.problems[1].rule.fix.startswith("Change the pupil's SEN status to E")
    # Eve's voided E entry (no needs) is ignored; Finn left before census day.
    assert report.pupils_checked == 7
    assert report.summary() == (
        "4 problems for 4 pupils (7 pupils on roll checked) to fix before the spring census "
        "on Thursday 21 January 2027."
    )


def test_a_leaver_after_census_day_is_still_checked(db: Database, senco: Actor) -> None:
    plant_census_problems(db, senco)
    # On 1 July 2026 the next census day is 1 October 2026: Finn (leaving 22 July) is not
    # on roll then; on 10 May 2026 it is 21 May 2026, and he still is.
    july = census_check(db, senco, today=date(2026, 7, 1))
    assert "Finn Leaver" not in {p.name for p in july.problems}
    may = census_check(db, senco, today=date(2026, 5, 10))
    assert may.census_day == date(2026, 5, 21)
    finn = [p for p in may.problems if p.name == "Finn Leaver"]
    assert [p.rule.number for p in finn] == ["2125"]


def test_a_clean_register_says_so(db: Database, senco: Actor) -> None:
    report = census_check(db, senco, today=date(2026, 9, 1))
    assert report.problems == ()
    assert report.summary() == (
        "No census problems: 0 pupils on roll checked for the autumn census on Thursday "
        "1 October 2026."
    )


def test_only_the_senco_runs_it(db: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="check the register against the census"):
        census_check(db, TEACHER, today=TODAY)
