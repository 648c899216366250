"""The costed provision map: cost from logged sessions only, by area, against the threshold."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import (
    AuditEvent,
    InterventionGroup,
    PlannedProvision,
    Role,
    SupportPlan,
)
from sendesk.services.actor import Actor
from sendesk.services.graduated.provision_map import (
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
    pupil_provision,
    school_provision,
)
from sendesk.services.school import settings
from tests.db_reads import count_selects
from tests.factories import (
    add_test_intervention,
    add_test_pupil,
    enrol_test_pupil,
    log_test_session,
    make_user,
)

CL = "Cognition and learning"
SEMH = "Social, emotional and mental health"


@pytest.fixture
def school(db: Database, senco: Actor) -> dict[str, int]:
    """Two pupils, a reading group (£24/hour) and a one-to-one mentor (£30/hour).

    Pupil P in 2024–25: reading 1 Oct (with Q, 60 min each) → £12.00; reading 3 Oct (Q
    absent) → £24.00; mentor 30 min → £15.00. Total £51.00: C&L £36.00, SEMH £15.00.
    Also logged, and costing P nothing: a reading session not delivered, one the day before
    the year began, and one in the next year; and a planned group never logged.
    """
    p = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD", "SEMH"), forename="Zoë")
    q = add_test_pupil(db, senco, 2, provision="K", needs=("SPLD",))
    reading = add_test_intervention(db, "Reading catch-up", CL, 2400)
    mentor = add_test_intervention(db, "ELSA mentor", SEMH, 3000, size=1)
    planned = add_test_intervention(db, "Social skills group", SEMH, 2000, size=6)
    rp, rq = enrol_test_pupil(db, reading, p), enrol_test_pupil(db, reading, q)
    mp = enrol_test_pupil(db, mentor, p)
    enrol_test_pupil(db, planned, p)
    with db.transaction() as s:  # planned in a support plan, never logged
        plan = SupportPlan(pupil_id=p, start_date=date(2024, 9, 2), review_due=date(2024, 12, 13))
        s.add(plan)
        s.flush()
        group = s.get(InterventionGroup, planned)
        assert group is not None
        s.add(
            PlannedProvision(
                plan_id=plan.id,
                position=1,
                kind="intervention",
                description="Social skills twice a week",
                intervention_id=group.intervention_id,
                minutes_per_week=120,
            )
        )
    log_test_session(db, reading, date(2024, 10, 1), 60, {rp: 60, rq: 60})
    log_test_session(db, reading, date(2024, 10, 3), 60, {rp: 60, rq: None})
    log_test_session(db, reading, date(2024, 10, 8), 60, {rp: 60, rq: 60}, delivered=False)
    log_test_session(db, reading, date(2024, 8, 31), 60, {rp: 60})  # 2023–24
    log_test_session(db, reading, date(2025, 9, 1), 60, {rp: 60})  # 2025–26
    log_test_session(db, mentor, date(2025, 8, 31), 30, {mp: 30})  # last day of 2024–25
    return {"p": p, "q": q, "reading": reading, "mentor": mentor, "rp": rp, "mp": mp}


def test_academic_years() -> None:
    assert academic_year_of(date(2024, 9, 1)) == 2024
    assert academic_year_of(date(2025, 8, 31)) == 2024
    assert academic_year_bounds(2024) == (date(2024, 9, 1), date(2025, 8, 31))
    assert academic_year_label(2024) == "2024–25"
    assert academic_year_label(2099) == "2099–00"
    with pytest.raises(ValidationError):
        academic_year_bounds(24)


def test_pupil_cost_comes_from_logged_sessions_only(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    data = pupil_provision(db, senco, school["p"], 2024)
    assert data.name == "Zoë Pupil"
    assert data.academic_year == "2024–25"
    lines = {ln.intervention: ln for ln in data.lines}
    assert set(lines) == {"Reading catch-up", "ELSA mentor"}  # the planned group costs nothing
    reading = lines["Reading catch-up"]
    assert (reading.sessions_attended, reading.minutes, reading.cost_pence) == (2, 120, 3600)
    assert reading.area == CL and reading.staff_role == "Teaching assistant"
    assert reading.hours == 2.0
    mentor = lines["ELSA mentor"]
    assert (mentor.sessions_attended, mentor.minutes, mentor.cost_pence) == (1, 30, 1500)
    assert [ln.area for ln in data.lines] == [CL, SEMH]  # Code of Practice order
    assert data.total_minutes == 150 and data.total_cost_pence == 5100
    assert data.sessions_attended == 3


def test_split_by_area(db: Database, senco: Actor, school: dict[str, int]) -> None:
    data = pupil_provision(db, senco, school["p"], 2024)
    assert [(a.area, a.minutes, a.cost_pence) for a in data.areas] == [
        (CL, 120, 3600),
        (SEMH, 30, 1500),
    ]
    assert sum(a.cost_pence for a in data.areas) == data.total_cost_pence


def test_against_the_threshold(db: Database, senco: Actor, school: dict[str, int]) -> None:
    data = pupil_provision(db, senco, school["p"], 2024)
    assert data.threshold_pence == 600_000  # £6,000 by default
    assert data.remainder_pence == 594_900 and data.excess_pence == 0
    assert not data.above_threshold
    settings.set_notional_threshold_pence(db, senco, 4_000)
    data = pupil_provision(db, senco, school["p"], 2024)
    assert data.threshold_pence == 4_000
    assert data.excess_pence == 1_100 and data.remainder_pence == 0
    assert data.above_threshold


def test_other_years_and_pupils(db: Database, senco: Actor, school: dict[str, int]) -> None:
    before = pupil_provision(db, senco, school["p"], 2023)
    assert [(ln.intervention, ln.cost_pence) for ln in before.lines] == [("Reading catch-up", 2400)]
    after = pupil_provision(db, senco, school["p"], 2025)
    assert after.total_cost_pence == 2400
    q = pupil_provision(db, senco, school["q"], 2024)
    assert [(ln.sessions_attended, ln.cost_pence) for ln in q.lines] == [(1, 1200)]
    empty = pupil_provision(db, senco, school["p"], 2020)
    assert empty.lines == () and empty.areas == () and empty.total_cost_pence == 0
    assert empty.remainder_pence == 600_000


def test_shares_round_once_per_line(db: Database, senco: Actor) -> None:
    """Three pupils share 20 minutes at £10/hour three times: each owes 3 × 111⅑p = 333⅓p."""
    ids = [add_test_pupil(db, senco, n) for n in (1, 2, 3)]
    group = add_test_intervention(db, "Phonics", CL, 1000, size=3)
    enrolments = [enrol_test_pupil(db, group, pid) for pid in ids]
    for day in (1, 2, 3):
        log_test_session(db, group, date(2024, 10, day), 20, dict.fromkeys(enrolments, 20))
    data = pupil_provision(db, senco, ids[0], 2024)
    assert data.total_cost_pence == 333
    line = school_provision(db, senco, 2024)[0]
    assert line.cost_pence == 1000 and line.allocated_pence == 1000


def test_school_map_by_intervention(db: Database, senco: Actor, school: dict[str, int]) -> None:
    lines = school_provision(db, senco, 2024)
    assert [ln.intervention for ln in lines] == ["Reading catch-up", "ELSA mentor"]
    reading, mentor = lines
    assert reading.pupils == 2
    assert reading.sessions_delivered == 2  # the one not delivered does not count
    assert reading.staff_minutes == 120 and reading.hours == 2.0
    assert reading.cost_pence == 4800
    assert reading.pupil_minutes == 180
    assert reading.allocated_pence == 4800  # P £12 + £24, Q £12
    assert (mentor.pupils, mentor.sessions_delivered, mentor.cost_pence) == (1, 1, 1500)
    assert mentor.group_size == 1
    assert school_provision(db, senco, 2020) == []


def test_a_delivered_session_nobody_attended_costs_the_school_not_a_pupil(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    log_test_session(db, school["reading"], date(2024, 11, 5), 60, {school["rp"]: None})
    reading = school_provision(db, senco, 2024)[0]
    assert reading.sessions_delivered == 3
    assert reading.cost_pence == 7200 and reading.allocated_pence == 4800
    assert pupil_provision(db, senco, school["p"], 2024).total_cost_pence == 5100


def test_fixed_number_of_queries(db: Database, senco: Actor, school: dict[str, int]) -> None:
    with count_selects(db, with_ctes=True) as few:
        pupil_provision(db, senco, school["p"], 2024)
    with count_selects(db, with_ctes=True) as few_school:
        school_provision(db, senco, 2024)
    for day in range(1, 29):  # a month more of sessions
        log_test_session(db, school["reading"], date(2025, 2, day), 45, {school["rp"]: 45})
        log_test_session(db, school["mentor"], date(2025, 2, day), 30, {school["mp"]: 30})
    with count_selects(db, with_ctes=True) as many:
        data = pupil_provision(db, senco, school["p"], 2024)
    with count_selects(db, with_ctes=True) as many_school:
        school_provision(db, senco, 2024)
    assert data.sessions_attended == 3 + 56
    assert len(many) == len(few) <= 4
    assert len(many_school) == len(few_school) <= 2


def test_who_may_see_the_maps(db: Database, senco: Actor, school: dict[str, int]) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    governor = make_user(db, "governor", Role.READ_ONLY)
    for who in (teacher, ta, governor):
        with pytest.raises(PermissionDeniedError):
            pupil_provision(db, who, school["p"], 2024)
    assert len(school_provision(db, governor, 2024)) == 2  # anonymous: by intervention
    for who in (teacher, ta):
        with pytest.raises(PermissionDeniedError):
            school_provision(db, who, 2024)


# --- the threshold setting ---------------------------------------------------------------


def test_threshold_setting(db: Database, senco: Actor) -> None:
    assert settings.notional_threshold_pence(db) == 600_000
    settings.set_notional_threshold_pence(db, senco, 650_000)
    assert settings.notional_threshold_pence(db) == 650_000
    settings.set_notional_threshold_pence(db, senco, 650_000)  # unchanged: no second event
    with pytest.raises(ValidationError, match="between £0 and £100,000"):
        settings.set_notional_threshold_pence(db, senco, -1)
    teacher = make_user(db, "teacher", Role.TEACHER)
    with pytest.raises(PermissionDeniedError):
        settings.set_notional_threshold_pence(db, teacher, 1)
    with db.session() as s:
        audit = list(s.scalars(select(AuditEvent).where(AuditEvent.entity == "setting")))
    assert len(audit) == 1
    assert '"from": null' in audit[0].detail and '"to": "650000"' in audit[0].detail


def test_typed_settings(db: Database, senco: Actor) -> None:
    assert settings.get_setting(db, "retention_years") is None
    assert settings.get_int(db, "retention_years", 31) == 31
    settings.set_int(db, senco, "retention_years", 25)
    assert settings.get_int(db, "retention_years", 31) == 25
    settings.set_bool(db, senco, "show_tips", False)
    assert settings.get_bool(db, "show_tips", True) is False
    settings.set_date(db, senco, "series_end", date(2026, 9, 30))
    assert settings.get_date(db, "series_end") == date(2026, 9, 30)
    settings.set_setting(db, senco, "retention_years", "thirty")  # hand-edited nonsense
    assert settings.get_int(db, "retention_years", 31) == 31  # falls back, never breaks
    with pytest.raises(ValidationError):
        settings.set_setting(db, senco, "", "x")
    with pytest.raises(TypeError):
        settings.set_int(db, senco, "retention_years", True)  # type: ignore[arg-type]
