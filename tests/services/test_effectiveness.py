"""Intervention effectiveness: each programme's pupils, progress, hours and cost, checked
against the figures worked out by hand in tests/services/effect_school.py."""

from __future__ import annotations

from datetime import date

import pytest

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.effectiveness import (
    CATCH_UP_MONTH,
    NO_MEASURED_PROGRESS,
    EffectivenessReport,
    InterventionEffect,
    intervention_effectiveness,
)
from tests.db_reads import count_selects
from tests.factories import add_test_pupil, make_user
from tests.services.effect_school import make_effect_school


def by_name(report: EffectivenessReport) -> dict[str, InterventionEffect]:
    return {r.name: r for r in report.rows}


@pytest.fixture
def school(db: Database, senco: Actor) -> None:
    make_effect_school(db, senco)


def test_each_intervention_worked_out_by_hand(db: Database, senco: Actor, school: None) -> None:
    report = intervention_effectiveness(db, senco)
    assert report.named and report.period_text == "all dates"
    # by area of need (Code of Practice order), then name
    assert [r.name for r in report.rows] == [
        "Maths boost",
        "Reading catch-up",
        "Spelling boost",
        "ELSA",
    ]
    rows = by_name(report)

    reading = rows["Reading catch-up"]
    assert reading.pupils == 3 and reading.measure == "reading age"
    assert reading.delivered_sessions == 2 and reading.delivered_hours == 2.0
    assert reading.attended_hours == 3.0
    assert reading.cost_pence == 4800 and reading.cost_per_pupil_pence == 1600
    assert reading.unit == CATCH_UP_MONTH
    assert reading.progress_units == pytest.approx(9.0)
    assert reading.measured_cost_pence == 4800
    assert reading.cost_per_unit_pence == 533
    assert reading.cost_per_unit_text == "£5.33 per month of catch-up"
    assert reading.mean_figure == 2.5
    lines = {e.pupil: e for e in reading.enrolments}
    assert set(lines) == {"Zoë Pupil", "Quinn Pupil", "Tara Pupil"}
    zoe = lines["Zoë Pupil"]
    assert (zoe.entry, zoe.latest, zoe.figure, zoe.band) == (
        "8:00",
        "9:00",
        4.0,
        "remarkable impact",
    )
    assert zoe.final and zoe.units == pytest.approx(9.0)
    assert (zoe.attended_sessions, zoe.attended_minutes, zoe.cost_pence) == (2, 120, 3600)
    assert zoe.verdict.startswith("Ratio gain 4.0: remarkable impact (Brooks).")
    quinn = lines["Quinn Pupil"]
    assert (quinn.figure, quinn.units, quinn.cost_pence) == (1.0, 0.0, 1200)
    tara = lines["Tara Pupil"]
    assert not tara.measured and tara.cost_pence == 0 and tara.entry == ""

    maths = rows["Maths boost"]
    assert maths.pupils == 1 and maths.cost_pence == 1500
    assert maths.enrolments[0].figure == 6 and maths.enrolments[0].band == "moderate gain"
    assert maths.cost_per_unit_text == "£2.50 per standard-score point"

    spelling = rows["Spelling boost"]  # went backwards: no price for a loss
    assert spelling.progress_units == -5 and spelling.cost_pence == 1000
    assert spelling.cost_per_unit_pence is None
    assert spelling.cost_per_unit_text == NO_MEASURED_PROGRESS

    elsa = rows["ELSA"]  # only an entry measure; the session not delivered costs nothing
    assert elsa.measured == () and elsa.progress_units is None
    assert elsa.cost_pence == 1500 and elsa.delivered_sessions == 1
    assert elsa.cost_per_unit_text == NO_MEASURED_PROGRESS
    assert elsa.enrolments[0].verdict == "Only the entry measure is recorded so far."
    assert elsa.unit == "point of self-rating"

    total = report.total
    assert (total.pupils, total.enrolments, total.measured) == (4, 6, 4)
    assert total.delivered_sessions == 5 and total.delivered_minutes == 225
    assert total.attended_minutes == 285
    assert total.cost_pence == 8800 == sum(r.cost_pence for r in report.rows)
    assert total.cost_per_pupil_pence == 2200


def test_a_period_counts_its_sessions_and_the_enrolments_in_it(
    db: Database, senco: Actor, school: None
) -> None:
    report = intervention_effectiveness(db, senco, start=date(2024, 10, 2), end=date(2024, 10, 3))
    assert report.period_text == "2 October 2024 to 3 October 2024"
    rows = by_name(report)
    reading = rows["Reading catch-up"]
    assert reading.pupils == 2  # Tara's enrolment ended in July
    assert reading.delivered_sessions == 1 and reading.cost_pence == 2400
    # progress is each enrolment's whole progress, not cut at the period's edges
    assert reading.progress_units == pytest.approx(9.0)
    assert reading.cost_per_unit_text == "£2.67 per month of catch-up"
    assert rows["ELSA"].cost_pence == 0 and rows["ELSA"].cost_per_pupil_pence == 0
    assert report.total.cost_pence == 2400 + 1500 + 1000
    before = intervention_effectiveness(db, senco, end=date(2024, 8, 31))
    assert [(r.name, r.pupils, r.cost_pence) for r in before.rows] == [("Reading catch-up", 1, 0)]
    assert before.period_text == "up to 31 August 2024"


def test_a_period_that_ends_before_it_starts_is_refused(db: Database, senco: Actor) -> None:
    with pytest.raises(ValidationError, match="starts on 02/10/2024, after it ends on 01/10/2024"):
        intervention_effectiveness(db, senco, start=date(2024, 10, 2), end=date(2024, 10, 1))


def test_an_empty_school_has_an_empty_report(db: Database, senco: Actor) -> None:
    report = intervention_effectiveness(db, senco)
    assert report.rows == ()
    assert report.total.cost_pence == 0 and report.total.cost_per_pupil_pence is None


def test_read_only_sees_the_figures_without_names(db: Database, senco: Actor, school: None) -> None:
    head = make_user(db, "head", Role.READ_ONLY)
    report = intervention_effectiveness(db, head)
    assert not report.named
    assert all(e.pupil is None for r in report.rows for e in r.enrolments)
    named = intervention_effectiveness(db, senco)
    assert [(r.name, r.pupils, r.cost_pence, r.cost_per_unit_text) for r in report.rows] == [
        (r.name, r.pupils, r.cost_pence, r.cost_per_unit_text) for r in named.rows
    ]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.LEARNING_SUPPORT, Role.EXAMS_OFFICER])
def test_other_staff_are_refused(db: Database, senco: Actor, school: None, role: Role) -> None:
    staff = make_user(db, "staff", role)
    with pytest.raises(PermissionDeniedError, match="provision map and costs"):
        intervention_effectiveness(db, staff)


def test_progress_is_reported_and_queries_do_not_grow(
    db: Database, senco: Actor, school: None
) -> None:
    ticks: list[tuple[int, int]] = []
    with count_selects(db) as few:
        intervention_effectiveness(db, senco, progress=lambda d, t: ticks.append((d, t)))
    assert ticks[-1][0] == ticks[-1][1] and len(ticks) >= 2
    for n in range(10, 30):
        add_test_pupil(db, senco, n)
    with count_selects(db) as more:
        intervention_effectiveness(db, senco)
    assert len(more) == len(few)
