"""The governors' figures on a small school counted by hand (tests/figures_school.py)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import pytest

from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import EhcClockException, EhcRequest, Role
from sendesk.rules.attainment import at_or_above, compare
from sendesk.services.school.figures import (
    ALL_SEND,
    EHC_PLAN,
    NO_SEND,
    OTHER_AREA,
    SEN_SUPPORT,
    WHOLE_SCHOOL,
    EhcFigures,
    _register_cells,
    counts_of,
    school_figures,
    spring_census_day,
)
from sendesk.services.school.statistics import NOT_SHOWN, Count, suppress_count, suppress_each
from tests.factories import add_test_pupil, make_user
from tests.figures_school import END, START, TODAY, _issued, build
from tests.small_numbers import possible_values


@pytest.fixture
def figures(db, senco):
    build(db, senco)
    return school_figures(db, senco, start=START, end=END, today=TODAY)


def test_the_register_as_it_stood_on_the_periods_last_day(figures) -> None:
    r = figures.register
    assert (figures.start, figures.end, r.counted_on) == (START, END, END)
    # 21 pupils, Ignatius left in June 2025: 20 on roll. N 2 (Hamish, Jolyon) is hidden.
    # E 6 is public in effect (Year 8's roll is 6, none of them N or K), so K and the
    # register's total are hidden with N, or 20 - 6 - K would give N away.
    assert r.pupils == 20
    assert r.by_status == {"N": None, "K": NOT_SHOWN, "E": 6}
    assert r.on_register is NOT_SHOWN
    # Communication and interaction 7 is SLCN 1 (Kassandra) and ASD 6: both needs are
    # hidden; so are SEMH and its area (5 each), or the register's total, and with it N,
    # could be added up from the areas.
    assert r.by_area == {
        "Cognition and learning": 6,
        "Communication and interaction": 7,
        "Social, emotional and mental health": NOT_SHOWN,
        "Sensory and/or physical": 0,
        OTHER_AREA: 0,
    }
    assert {k: v for k, v in r.by_need.items() if v != 0} == {
        "SPLD": 6,
        "SLCN": None,
        "ASD": NOT_SHOWN,
        "SEMH": NOT_SHOWN,
    }
    # Year groups as they were in 2025-26 (the recorded ones are 2026-27's, a year on).
    assert r.by_year == {
        6: {"N": 0, "K": 5, "E": 0},
        7: {"N": None, "K": NOT_SHOWN, "E": 0},
        8: {"N": 0, "K": 0, "E": 6},
    }
    # The reader's attack, on the published numbers: N (2), Year 7's N (2) and SLCN (1)
    # could each be more than one number.
    shown = _published_register(r)
    _, sums = _register_cells(
        r.pupils,
        {"N": 0, "K": 0, "E": 0},
        dict.fromkeys(r.by_area, 0),
        dict.fromkeys(r.by_need, 0),
        {y: dict.fromkeys(row, 0) for y, row in r.by_year.items()},
    )
    found = possible_values(shown, sums, r.pupils)
    for key in (("status", "N"), ("year", 7, "N"), ("need", "SLCN")):
        assert len(found[key]) > 1, key


def _published_register(r) -> dict[object, object]:  # type: ignore[no-untyped-def]
    """The register's published counts, keyed as the service links them; the year groups'
    rolls (public: the school census) counted by hand from tests/figures_school.py."""
    shown: dict[object, object] = {("roll",): r.pupils, ("on register",): r.on_register}
    shown |= {("status", k): n for k, n in r.by_status.items()}
    shown |= {("area", a): n for a, n in r.by_area.items()}
    shown |= {("need", c): n for c, n in r.by_need.items()}
    rolls = {6: 5, 7: 9, 8: 6}
    for y, row in r.by_year.items():
        shown[("roll", y)] = rolls[y]
        shown |= {("year", y, k): n for k, n in row.items()}
    return shown


def test_three_years_of_change_from_the_registers_history(figures) -> None:
    assert [spring_census_day(y) for y in (2023, 2024, 2025)] == [
        date(2024, 1, 18),
        date(2025, 1, 16),
        date(2026, 1, 15),
    ]
    rows = [
        (c.label, c.counted_on, c.to_date, c.support, c.plans, c.on_register, c.joined, c.left)
        for c in figures.changes
    ]
    assert rows == [
        # Six K and Ignatius on census day; the plans began in March 2024. Joined: the
        # seven, and the six with plans.
        ("2023–24", date(2024, 1, 18), False, 7, 0, 7, 13, 0),
        # Hamish on K from October: K 8, E 6; he joined and Ignatius left (1 each).
        ("2024–25", date(2025, 1, 16), False, 8, 6, 14, None, None),
        # Kassandra and five more joined, Hamish came off in November.
        ("2025–26", date(2026, 1, 15), False, 12, 6, 18, 6, None),
    ]


def test_attendance_and_progress_against_the_whole_school(figures) -> None:
    rows = {
        o.group: (
            o.attendance_pupils,
            o.attendance_percent,
            o.attainment_pupils,
            o.at_expected_percent,
            o.progress_pupils,
            o.progress_percent,
        )
        for o in figures.outcomes
    }
    assert rows == {
        # Six at 90/100 and Hamish, on K on the autumn term's first day, at 70/100.
        SEN_SUPPORT: (7, 87.1, 6, 50.0, 6, 100.0),
        EHC_PLAN: (6, 80.0, 6, 0.0, 6, 83.3),
        ALL_SEND: (13, 83.8, 12, 25.0, 12, 91.7),
        # Hamish's spring and Jolyon: 2 pupils, no percentage; Jolyon's words uncounted.
        NO_SEND: (None, None, 0, None, 0, None),
        # 14 pupils in all, less 13 with SEND, would give the hidden 2 away (as 1: Hamish
        # is counted in both): hidden too.
        WHOLE_SCHOOL: (NOT_SHOWN, 85.3, 12, 25.0, 12, 91.7),
    }


def test_access_arrangements_in_place(figures) -> None:
    a = figures.access
    assert a.counted_on == END
    assert a.pupils == 10
    assert a.by_arrangement == {
        "25% extra time": 6,
        "Reader": None,
        "Supervised rest breaks": None,
    }


def test_ehc_requests_decisions_and_the_20_week_deadline(figures) -> None:
    e = figures.ehc
    assert (e.requests_made, e.agreed_to_assess, e.refused_to_assess) == (14, 14, None)
    assert (e.refused_to_issue, e.plans_issued) == (None, 9)
    # 6 on time (one on the deadline day itself), 3 issued late, 2 with no plan by their
    # deadline day; 2 of the 5 missed had an exception recorded.
    assert (e.deadlines, e.deadlines_met, e.deadlines_missed) == (11, 6, 5)
    assert e.missed_with_exception is None


def test_no_published_count_is_from_1_to_4(figures) -> None:
    assert not [n for n in counts_of(figures) if isinstance(n, int) and 0 < n < 5]
    with pytest.raises(FrozenInstanceError):
        figures.register.pupils = 1  # type: ignore[misc]


def test_a_read_only_account_may_run_it_a_teacher_may_not_see_more(db, senco) -> None:
    for serial in range(1, 7):
        add_test_pupil(db, senco, serial, provision="K", needs=("SPLD",))
    governor = make_user(db, "gov", Role.READ_ONLY)
    figures = school_figures(db, governor, end=date(2025, 1, 1), today=TODAY)
    assert figures.start == date(2024, 9, 1)  # the academic year's first day
    assert figures.register.by_status == {"N": 0, "K": 6, "E": 0}
    # The spring census of 2024-25 is still to come on 1 January 2025: counted that day.
    last = figures.changes[-1]
    assert (last.label, last.counted_on, last.to_date, last.support) == (
        "2024–25",
        date(2025, 1, 1),
        True,
        6,
    )
    exams = make_user(db, "exams", Role.EXAMS_OFFICER)
    with pytest.raises(PermissionDeniedError):
        school_figures(db, exams, today=TODAY)


def test_a_period_that_ends_before_it_starts_is_refused(db, senco) -> None:
    with pytest.raises(ValidationError, match=r"start \(02/01/2026\) is after its end"):
        school_figures(db, senco, start=date(2026, 1, 2), end=date(2026, 1, 1), today=TODAY)
    # An end after today is counted to today.
    figures = school_figures(db, senco, end=date(2030, 1, 1), today=TODAY)
    assert (figures.start, figures.end) == (date(2026, 9, 1), TODAY)


def test_single_counts_are_suppressed_on_their_own() -> None:
    assert [suppress_count(n) for n in (0, 1, 4, 5)] == [0, None, None, 5]
    assert suppress_each({"a": 3, "b": 40}) == {"a": None, "b": 40}


@pytest.mark.parametrize(
    ("value", "expected", "meets"),
    [
        ("100", "100", True),
        ("96", "100", False),
        ("4-", "4", False),
        ("4=", "4", True),
        ("4+", "4", True),
        ("5-", "4+", True),
        ("7:04", "7y 6m", False),
        ("Expected", "expected", True),
        ("Working towards", "Expected", None),
        ("102", "8:06", None),  # a score against an age: not comparable
        ("102", "", None),  # no expected value recorded
    ],
)
def test_attainment_values_are_compared_only_when_they_can_be(value, expected, meets) -> None:
    assert at_or_above(value, expected) is meets
    if meets is not None:
        assert compare(value, expected) in (0, 1) if meets else compare(value, expected) == -1


def test_missed_deadlines_with_an_exception_are_counted_apart(db, senco) -> None:
    """Five plans on time, five late with an exception the regulations allow (reg 13(3)),
    five late without: every count 5, so none is hidden."""
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    received = [date(2025, 9, 1) + timedelta(days=7 * n) for n in range(15)]
    with db.transaction() as s:
        for n, day in enumerate(received):
            deadline = day + timedelta(weeks=20)
            issued = deadline if n < 5 else deadline + timedelta(days=1)
            row = EhcRequest(
                pupil_id=pupil,
                requested_by="school",
                la_name="Testshire",
                sent_on=day,
                **_issued(day, issued),
            )
            s.add(row)
            s.flush()
            # The second five: a summer closure, an exception the regulations allow. The
            # last five: a missed appointment, not an exception to the final plan (reg 8(2):
            # advice only), so still missed.
            if n >= 5:
                kind = "summer_closure" if n < 10 else "missed_appointment"
                recorded_on = day + timedelta(weeks=10)
                s.add(
                    EhcClockException(
                        request_id=row.id, kind=kind, reason="", recorded_on=recorded_on
                    )
                )
    e = school_figures(db, senco, start=START, end=END, today=TODAY).ehc
    assert (e.deadlines, e.deadlines_met, e.deadlines_missed) == (15, 5, 10)
    assert e.missed_with_exception == 5
    assert e.plans_issued == 15


def _ehc(deadlines: Count, met: Count, missed: Count, excused: Count = 0) -> EhcFigures:
    return EhcFigures(0, 0, 0, 0, 0, deadlines, met, missed, excused)


@pytest.mark.parametrize(
    ("ehc", "sentence"),
    [
        (_ehc(0, 0, 0), "No 20-week deadline fell in the period."),
        (
            _ehc(11, 6, 5, None),
            "6 of the 11 20-week deadlines in the period were met (5 missed, fewer than 5 of "
            "them with an exception the regulations allow).",
        ),
        (_ehc(9, 9, 0), "9 of the 9 20-week deadlines in the period were met."),
        (
            _ehc(7, None, 5),
            "Fewer than 5 of the 7 20-week deadlines in the period were met (5 missed, 0 of "
            "them with an exception the regulations allow).",
        ),
        (
            _ehc(8, 5, None),
            "5 of the 8 20-week deadlines in the period were met (fewer than 5 missed).",
        ),
        # A hidden count has words of its own: never "Not shown of the 7 …".
        (
            _ehc(7, NOT_SHOWN, None),
            "How many of the 7 20-week deadlines in the period were met is not shown: it would "
            "let a count under 5 be worked out.",
        ),
        (
            _ehc(None, None, None),
            "Fewer than 5 20-week deadlines fell in the period; how many were met is not shown.",
        ),
    ],
)
def test_the_deadlines_sentence_reads_as_english(ehc: EhcFigures, sentence: str) -> None:
    assert ehc.deadlines_sentence() == sentence
