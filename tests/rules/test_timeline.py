"""The statutory EHC timeline: deadlines, reviews, phase transfer, the clock and milestones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules.timeline import (
    AMBER_DAYS,
    EXCEPTION_APPLIES,
    EXCEPTION_KINDS,
    MILESTONE_LABELS,
    STAGES,
    STATUSES,
    TRANSFER_KINDS,
    CaseFacts,
    ClockException,
    Milestone,
    add_months,
    advice_due,
    amended_plan_due,
    amendment_response_ends,
    annual_review_due,
    appeal_deadline,
    assessment_deadlines,
    clock_text,
    consultation_ends,
    early_years_review_due,
    end_of_compulsory_school_age,
    is_young_person,
    la_review_decision_due,
    latest_draft_date,
    milestones,
    phase_transfer_deadline,
    rag,
    reassessment_final_plan_due,
    review_invitations_by,
    review_meeting_by,
    review_report_due,
    school_consultation_ends,
    stage,
    transfer_deadline,
    transfer_source,
    week_of,
)

RECEIVED = date(2025, 11, 20)  # a Thursday; the 20 weeks cross the new year
DECIDE = date(2026, 1, 1)
NO_PLAN = date(2026, 3, 12)
FINAL = date(2026, 4, 9)
LATEST_DRAFT = date(2026, 3, 25)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def by_key(items: list[Milestone]) -> dict[str, Milestone]:
    return {m.key: m for m in items}


def keys(items: list[Milestone]) -> list[str]:
    return [m.key for m in items]


def closure(recorded_on: date = date(2025, 12, 1), reason: str = "") -> ClockException:
    return ClockException("summer_closure", reason or "EP advice asked in July", recorded_on)


# --- the 20 weeks -------------------------------------------------------------------------


def test_assessment_deadlines_cross_the_year_end() -> None:
    assert assessment_deadlines(RECEIVED) == {
        "decide_to_assess": DECIDE,
        "notify_no_plan": NO_PLAN,
        "final_plan": FINAL,
    }
    assert list(assessment_deadlines(RECEIVED)) == [
        "decide_to_assess",
        "notify_no_plan",
        "final_plan",
    ]


def test_assessment_deadlines_count_29_february_in_a_leap_year() -> None:
    leap = assessment_deadlines(date(2028, 1, 20))
    plain = assessment_deadlines(date(2027, 1, 20))
    assert leap["decide_to_assess"] == date(2028, 3, 2)  # 29 Feb 2028 is one of the 42 days
    assert plain["decide_to_assess"] == date(2027, 3, 3)
    assert leap["notify_no_plan"] == date(2028, 5, 11)
    assert leap["final_plan"] == date(2028, 6, 8)


@given(dates)
def test_deadlines_are_ordered_and_exact_in_days(received: date) -> None:
    d = assessment_deadlines(received)
    assert received < d["decide_to_assess"] < d["notify_no_plan"] < d["final_plan"]
    assert (d["decide_to_assess"] - received).days == 42
    assert (d["notify_no_plan"] - received).days == 112
    assert (d["final_plan"] - received).days == 140
    assert d["final_plan"].weekday() == received.weekday()
    assert d["notify_no_plan"] < latest_draft_date(received) < d["final_plan"]
    assert consultation_ends(latest_draft_date(received)) < d["final_plan"]


def test_advice_is_due_six_weeks_after_it_was_asked() -> None:
    assert advice_due(date(2025, 12, 22)) == date(2026, 2, 2)
    assert advice_due(date(2028, 2, 1)) == date(2028, 3, 14)


def test_the_familys_15_days_begin_with_the_day_the_draft_was_served() -> None:
    assert consultation_ends(date(2026, 3, 1)) == date(2026, 3, 15)
    assert consultation_ends(date(2025, 12, 24)) == date(2026, 1, 7)


def test_a_consulted_school_has_15_days() -> None:
    assert school_consultation_ends(date(2026, 3, 1)) == date(2026, 3, 16)
    assert school_consultation_ends(date(2028, 2, 20)) == date(2028, 3, 6)


def test_latest_draft_leaves_the_15_days_before_week_20() -> None:
    assert latest_draft_date(RECEIVED) == LATEST_DRAFT
    assert consultation_ends(LATEST_DRAFT) == FINAL - timedelta(days=1)


# --- month arithmetic and reviews ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 10), 12, date(2026, 3, 10)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(dates, st.integers(min_value=0, max_value=36))
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(
    start: date, months: int
) -> None:
    later = add_months(start, months)
    assert (later.year - start.year) * 12 + later.month - start.month == months
    assert later.day == start.day or (later.day < start.day and (later + timedelta(1)).day == 1)


def test_annual_review_is_due_within_the_12_months_starting_with_the_plan() -> None:
    # CFA 2014 s44(1), CoP 9.166: "within 12 months starting with" the date of issue; the
    # code's own example: a plan issued on 1 January 2019 is reviewed by 31 December 2019.
    assert annual_review_due(date(2019, 1, 1)) == date(2019, 12, 31)
    assert annual_review_due(date(2025, 3, 10)) == date(2026, 3, 9)
    assert annual_review_due(date(2025, 12, 31)) == date(2026, 12, 30)


def test_annual_review_of_a_plan_made_on_29_february() -> None:
    # The 12 months starting with 29 February 2028 end on 28 February 2029 (its
    # anniversary in a common year is 1 March).
    assert annual_review_due(date(2028, 2, 29)) == date(2029, 2, 28)
    # a review on 28 February 2027: the 12 months end on 27 February 2028, not the 28th
    assert annual_review_due(date(2027, 2, 28)) == date(2028, 2, 27)
    assert annual_review_due(date(2027, 3, 1)) == date(2028, 2, 29)


@given(dates)
def test_annual_review_is_due_the_day_before_the_anniversary(start: date) -> None:
    assert 364 <= (annual_review_due(start) - start).days <= 365
    assert annual_review_due(start).year == start.year + (
        0 if start == date(start.year, 1, 1) else 1
    )


def test_review_meeting_leaves_4_weeks_for_the_la_decision_inside_the_12_months() -> None:
    # CoP 9.176, reg 20: the LA decides within 4 weeks of the meeting, and that decision
    # must fall within the 12 months (CFA s44(1)): plan 1 January 2019, meeting by 3 Dec.
    assert review_meeting_by(date(2019, 1, 1)) == date(2019, 12, 3)
    meeting = review_meeting_by(date(2025, 3, 10))
    assert la_review_decision_due(meeting) == annual_review_due(date(2025, 3, 10))


def test_early_years_reviews_every_three_to_six_months() -> None:
    assert early_years_review_due(date(2025, 11, 30)) == (date(2026, 2, 28), date(2026, 5, 30))
    assert early_years_review_due(date(2027, 11, 29)) == (date(2028, 2, 29), date(2028, 5, 29))


def test_review_meeting_dates() -> None:
    meeting = date(2026, 1, 8)
    assert review_invitations_by(meeting) == date(2025, 12, 25)
    assert review_report_due(meeting) == date(2026, 1, 22)
    assert la_review_decision_due(meeting) == date(2026, 2, 5)


def test_amendments_and_reassessment() -> None:
    proposed = date(2026, 2, 20)
    assert amendment_response_ends(proposed) == date(2026, 3, 6)
    assert amended_plan_due(proposed) == date(2026, 4, 17)
    assert reassessment_final_plan_due(date(2025, 12, 1)) == date(2026, 3, 9)
    assert reassessment_final_plan_due(date(2028, 1, 1)) - date(2028, 1, 1) == timedelta(98)


# --- phase transfer -----------------------------------------------------------------------


def test_phase_transfer_deadlines_are_the_day_before_the_dates_in_reg_18() -> None:
    # reg 18(1): "before 15th February" / "before 31st March" in the year of the transfer
    assert phase_transfer_deadline(2027) == date(2027, 2, 14)
    assert phase_transfer_deadline(2027, to_post16=True) == date(2027, 3, 30)
    assert phase_transfer_deadline(2028, False) == date(2028, 2, 14)


@pytest.mark.parametrize(
    ("kind", "moves_on", "expected"),
    [
        ("school_phase", date(2027, 9, 2), date(2027, 2, 14)),  # reg 18(1): Year 6 → 7
        ("school_phase", date(2026, 9, 3), date(2026, 2, 14)),  # nursery → Reception
        ("secondary_to_post16", date(2027, 9, 6), date(2027, 3, 30)),  # reg 18(1)
        ("post16_to_post16", date(2027, 1, 6), date(2026, 8, 6)),  # reg 18: 5 months
        ("post16_to_post16", date(2027, 7, 31), date(2027, 2, 28)),
        ("own_sixth_form", date(2027, 9, 6), None),  # staying on: no transfer at all
        ("", date(2027, 9, 6), None),  # nothing recorded: no deadline guessed
        ("school_phase", None, None),  # the move's date is not known yet
    ],
)
def test_transfer_deadline_by_kind(kind: str, moves_on: date | None, expected: date | None) -> None:
    assert transfer_deadline(kind, moves_on) == expected


def test_transfer_kinds_are_named_and_an_unknown_kind_is_refused() -> None:
    assert set(TRANSFER_KINDS) == {
        "school_phase",
        "secondary_to_post16",
        "post16_to_post16",
        "own_sixth_form",
    }
    assert "no transfer" in TRANSFER_KINDS["own_sixth_form"]
    assert transfer_source("secondary_to_post16") == transfer_source("school_phase") == "reg 18(1)"
    assert transfer_source("post16_to_post16") == "reg 18"
    with pytest.raises(ValueError, match="year_7"):
        transfer_deadline("year_7", date(2027, 9, 1))


# --- compulsory school age ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "ends"),
    [
        # Education Act 1996 s8(3); the last Friday of June of the school year of the 16th
        # birthday (1 September to 31 August).
        (date(2010, 9, 1), date(2027, 6, 25)),  # first of the school year: 16 on 1/9/2026
        (date(2011, 8, 31), date(2027, 6, 25)),  # last of the same year: still 15 that day
        (date(2010, 8, 31), date(2026, 6, 26)),
        (date(2010, 12, 25), date(2027, 6, 25)),
        (date(2011, 6, 26), date(2027, 6, 25)),  # 16 the day after: leaves at 15
        (date(2011, 6, 25), date(2027, 6, 25)),  # s8(3)(b): 16 on the leaving date itself
        (date(2012, 2, 29), date(2028, 6, 30)),
    ],
)
def test_end_of_compulsory_school_age(born: date, ends: date) -> None:
    assert end_of_compulsory_school_age(born) == ends
    assert ends.weekday() == 4 and ends.month == 6 and (ends + timedelta(7)).month == 7


def test_a_young_person_from_the_end_of_compulsory_school_age_not_the_16th_birthday() -> None:
    # CFA 2014 s83(2): "young person" = over compulsory school age. Born 1 September 2010:
    # 16 on 1 September 2026, but a child until the end of Friday 25 June 2027.
    born = date(2010, 9, 1)
    assert not is_young_person(born, date(2026, 9, 1))
    assert not is_young_person(born, date(2027, 6, 25))
    assert is_young_person(born, date(2027, 6, 26))
    # Born 31 August 2010: a young person from 27 June 2026, while still 15.
    assert is_young_person(date(2010, 8, 31), date(2026, 6, 27))


# --- appeal -------------------------------------------------------------------------------


def test_appeal_deadline_is_two_months_after_the_decision() -> None:
    assert appeal_deadline(date(2026, 1, 15)) == date(2026, 3, 15)
    assert appeal_deadline(date(2025, 12, 31)) == date(2026, 2, 28)
    assert appeal_deadline(date(2027, 12, 31)) == date(2028, 2, 29)


def test_appeal_deadline_after_mediation_is_the_later_date() -> None:
    decision = date(2026, 1, 15)
    assert appeal_deadline(decision, date(2026, 3, 1)) == date(2026, 4, 1)
    assert appeal_deadline(decision, date(2026, 1, 20)) == date(2026, 3, 15)
    assert appeal_deadline(decision, date(2026, 2, 15)) == date(2026, 3, 15)  # equal: either


# --- the clock ----------------------------------------------------------------------------


def test_week_of() -> None:
    assert week_of(RECEIVED, RECEIVED) == 1
    assert week_of(RECEIVED, RECEIVED + timedelta(days=6)) == 1
    assert week_of(RECEIVED, RECEIVED + timedelta(days=7)) == 2
    assert week_of(RECEIVED, DECIDE) == 7  # the 6-week deadline day starts week 7
    assert week_of(RECEIVED, FINAL - timedelta(days=1)) == 20
    assert week_of(RECEIVED, RECEIVED - timedelta(days=1)) == 0


def test_clock_text_shows_a_late_la_at_a_glance() -> None:
    assert clock_text(RECEIVED, RECEIVED) == "week 1 of 20"
    assert clock_text(RECEIVED, RECEIVED + timedelta(weeks=22)) == "week 23 of 20"
    assert clock_text(RECEIVED, date(2026, 4, 30)) == "week 24 of 20"
    assert clock_text(RECEIVED, RECEIVED + timedelta(days=20), limit_weeks=6) == "week 3 of 6"


# --- RAG ----------------------------------------------------------------------------------

DUE = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=AMBER_DAYS + 1), "green"),
        (DUE - timedelta(days=AMBER_DAYS), "amber"),  # exactly 14 days to go
        (DUE - timedelta(days=1), "amber"),
        (DUE, "amber"),  # due today is not yet late
        (DUE + timedelta(days=1), "red"),  # one day over
        (DUE + timedelta(days=400), "red"),
    ],
)
def test_rag_boundaries(today: date, expected: str) -> None:
    assert rag(DUE, today) == expected


def test_rag_done_on_time_or_late() -> None:
    assert rag(DUE, DUE + timedelta(days=30), done_on=DUE) == "done"
    assert rag(DUE, DUE + timedelta(days=30), done_on=DUE - timedelta(days=40)) == "done"
    assert rag(DUE, DUE + timedelta(days=30), done_on=DUE + timedelta(days=1)) == "done late"
    assert rag(DUE, DUE + timedelta(days=30), done_on=DUE, extended=True) == "done"


def test_rag_extended_replaces_amber_and_red_but_not_green() -> None:
    assert rag(DUE, DUE + timedelta(days=1), extended=True) == "extended"
    assert rag(DUE, DUE, extended=True) == "extended"
    assert rag(DUE, DUE - timedelta(days=AMBER_DAYS + 1), extended=True) == "green"


# --- milestones: nothing decided yet ------------------------------------------------------

EVERY_STEP = [
    "decide_to_assess",
    "advice",
    "notify_no_plan",
    "draft_plan",
    "consultation",
    "final_plan",
]
"""The milestones of a request with no refusal on the way (none yet, or a plan being
issued), in order."""


def test_a_new_request_shows_every_step_with_its_date() -> None:
    result = milestones(CaseFacts(received=RECEIVED), RECEIVED + timedelta(days=3))
    assert keys(result) == EVERY_STEP
    m = by_key(result)
    assert m["decide_to_assess"].due == DECIDE
    assert m["advice"].due == advice_due(DECIDE)
    assert m["notify_no_plan"].due == NO_PLAN
    assert m["draft_plan"].due == LATEST_DRAFT
    assert m["consultation"].due == FINAL - timedelta(days=1)
    assert m["final_plan"].due == FINAL
    assert {x.status for x in result} == {"green"}
    assert all(x.done_on is None for x in result)
    assert "only if" in m["notify_no_plan"].note
    assert all(x.label == MILESTONE_LABELS[x.key] for x in result)


def test_an_undecided_request_turns_amber_then_red() -> None:
    facts = CaseFacts(received=RECEIVED)
    assert by_key(milestones(facts, DECIDE - timedelta(days=14)))["decide_to_assess"].status == (
        "amber"
    )
    late = by_key(milestones(facts, DECIDE + timedelta(days=1)))
    assert late["decide_to_assess"].status == "red"
    assert late["final_plan"].status == "green"
    assert by_key(milestones(facts, FINAL + timedelta(days=1)))["final_plan"].status == "red"


# --- milestones: refused to assess --------------------------------------------------------


refused_to_assess = partial(
    replace,
    CaseFacts(
        received=RECEIVED,
        decided_to_assess=False,
        decision_to_assess_on=date(2025, 12, 18),
    ),
)
"""A request the LA refused to assess; call with changes (``refused_to_assess(x=...)``)."""


def test_refusal_to_assess_stops_the_clock_and_offers_a_way_forward_and_appeal() -> None:
    today = date(2026, 1, 5)
    result = milestones(refused_to_assess(), today)
    assert keys(result) == [
        "decide_to_assess",
        "way_forward",
        "appeal",
        "advice",
        "notify_no_plan",
        "draft_plan",
        "consultation",
        "final_plan",
    ]
    m = by_key(result)
    assert m["decide_to_assess"].status == "done"
    assert m["decide_to_assess"].done_on == date(2025, 12, 18)
    assert m["appeal"].due == date(2026, 2, 18)
    assert m["appeal"].status == "green"
    assert "not to assess" in m["appeal"].note
    assert m["way_forward"].due == m["appeal"].due
    assert "no statutory limit" in m["way_forward"].note
    for key in ("advice", "notify_no_plan", "draft_plan", "consultation", "final_plan"):
        assert m[key].status == "not applicable"
        assert "decided not to assess on 18/12/2025" in m[key].note
    # long after week 20 nothing of the 20 weeks is red: the clock stopped
    later = milestones(refused_to_assess(), date(2026, 9, 1))
    assert "red" not in {x.status for x in later}


def test_a_late_refusal_to_assess_is_done_late() -> None:
    m = by_key(milestones(refused_to_assess(decision_to_assess_on=date(2026, 1, 2)), DECIDE))
    assert m["decide_to_assess"].status == "done late"


def test_appeal_window_after_refusal() -> None:
    closing = by_key(milestones(refused_to_assess(), date(2026, 2, 10)))
    assert closing["appeal"].status == "amber"
    closed = by_key(milestones(refused_to_assess(), date(2026, 2, 19)))
    assert closed["appeal"].status == "not applicable"
    assert "nothing recorded by 18/02/2026" in closed["appeal"].note
    assert closed["way_forward"].status == "not applicable"


def test_mediation_certificate_moves_the_appeal_deadline() -> None:
    facts = refused_to_assess(mediation_certificate_on=date(2026, 2, 10))
    m = by_key(milestones(facts, date(2026, 2, 24)))  # past the 2 months, 14 days to go
    assert m["appeal"].due == date(2026, 3, 10)
    assert m["appeal"].status == "amber"
    assert "mediation certificate 10/02/2026" in m["appeal"].note


def test_appeal_lodged_and_way_forward_held() -> None:
    facts = refused_to_assess(way_forward_on=date(2026, 1, 9), appeal_lodged_on=date(2026, 2, 1))
    m = by_key(milestones(facts, date(2026, 5, 1)))
    assert (m["way_forward"].status, m["way_forward"].done_on) == ("done", date(2026, 1, 9))
    assert (m["appeal"].status, m["appeal"].done_on) == ("done", date(2026, 2, 1))
    late = by_key(milestones(refused_to_assess(appeal_lodged_on=date(2026, 2, 20)), DUE))
    assert late["appeal"].status == "done late"


def test_refusal_without_a_recorded_date_counts_from_the_deadline() -> None:
    m = by_key(milestones(refused_to_assess(decision_to_assess_on=None), date(2026, 1, 5)))
    assert m["decide_to_assess"].status == "done"
    assert m["decide_to_assess"].done_on is None
    assert "date not recorded" in m["decide_to_assess"].note
    assert m["appeal"].due == appeal_deadline(DECIDE)
    assert "decision date not recorded" in m["appeal"].note


# --- milestones: assessed, refused to issue -----------------------------------------------


ASSESSING = CaseFacts(
    received=RECEIVED, decided_to_assess=True, decision_to_assess_on=date(2025, 12, 22)
)
"""A request the LA decided to assess on 22 December: where both endings below start."""

refused_to_issue = partial(
    replace,
    replace(
        ASSESSING,
        advice_asked_on=date(2025, 12, 23),
        advice_received_on=date(2026, 1, 30),
        decided_to_issue=False,
        decision_to_issue_on=date(2026, 3, 5),
    ),
)
"""An assessment that ended in a decision not to issue a plan; call with changes."""


def test_refusal_to_issue_is_due_by_week_16_and_leads_to_appeal() -> None:
    result = milestones(refused_to_issue(), date(2026, 3, 10))
    assert keys(result) == [
        "decide_to_assess",
        "advice",
        "notify_no_plan",
        "way_forward",
        "appeal",
        "draft_plan",
        "consultation",
        "final_plan",
    ]
    m = by_key(result)
    assert m["advice"].due == date(2026, 2, 3)
    assert (m["advice"].status, m["advice"].done_on) == ("done", date(2026, 1, 30))
    assert (m["notify_no_plan"].status, m["notify_no_plan"].due) == ("done", NO_PLAN)
    assert m["appeal"].due == date(2026, 5, 5)
    assert "not to issue a plan" in m["appeal"].note
    for key in ("draft_plan", "consultation", "final_plan"):
        assert m[key].status == "not applicable"
        assert "decided not to issue a plan on 05/03/2026" in m[key].note


def test_refusal_to_issue_after_week_16_is_done_late() -> None:
    facts = refused_to_issue(decision_to_issue_on=NO_PLAN + timedelta(days=1))
    m = by_key(milestones(facts, date(2026, 4, 1)))
    assert m["notify_no_plan"].status == "done late"


def test_no_decision_to_issue_by_week_16_is_red() -> None:
    facts = refused_to_issue(decided_to_issue=None, decision_to_issue_on=None)
    m = by_key(milestones(facts, NO_PLAN + timedelta(days=1)))
    assert m["notify_no_plan"].status == "red"
    assert m["draft_plan"].status == "amber"  # latest draft date is 13 days later
    assert m["advice"].status == "done"


# --- milestones: issuing a plan -----------------------------------------------------------


issuing = partial(
    replace,
    replace(
        ASSESSING,
        decided_to_issue=True,
        decision_to_issue_on=date(2026, 2, 26),
        draft_sent_on=date(2026, 3, 2),
    ),
)
"""An assessment that is issuing a plan (draft sent); call with changes."""


def test_decision_to_issue_leads_to_draft_consultation_and_final_plan() -> None:
    result = milestones(issuing(), date(2026, 3, 10))
    assert keys(result) == EVERY_STEP
    m = by_key(result)
    assert m["notify_no_plan"].status == "not applicable"
    assert (m["draft_plan"].status, m["draft_plan"].done_on) == ("done", date(2026, 3, 2))
    assert m["consultation"].due == date(2026, 3, 16)
    assert m["consultation"].status == "amber"
    assert "by 16/03/2026" in m["consultation"].note
    assert m["final_plan"].status == "green"
    # advice asked date unknown: counted from the decision to assess, and done by now
    assert m["advice"].due == advice_due(date(2025, 12, 22))
    assert m["advice"].status == "done"


def test_consultation_is_over_after_its_last_day() -> None:
    last_day = by_key(milestones(issuing(), date(2026, 3, 16)))
    assert (last_day["consultation"].status, last_day["consultation"].done_on) == ("amber", None)
    m = by_key(milestones(issuing(), date(2026, 3, 17)))
    assert (m["consultation"].status, m["consultation"].done_on) == ("done", date(2026, 3, 16))


def test_final_plan_issued_on_time_then_the_appeal_against_its_contents() -> None:
    facts = issuing(final_issued_on=FINAL)
    result = milestones(facts, date(2026, 4, 20))
    assert keys(result)[-2:] == ["final_plan", "appeal"]
    m = by_key(result)
    assert (m["final_plan"].status, m["final_plan"].done_on) == ("done", FINAL)
    assert m["appeal"].due == date(2026, 6, 9)
    assert m["appeal"].status == "green"
    assert "(B, F, I)" in m["appeal"].note
    assert stage(facts) == "final plan issued"


def test_final_plan_one_day_late() -> None:
    m = by_key(milestones(issuing(final_issued_on=FINAL + timedelta(days=1)), date(2026, 5, 1)))
    assert m["final_plan"].status == "done late"


def test_final_plan_issued_before_the_15_days_ended_is_flagged() -> None:
    m = by_key(milestones(issuing(final_issued_on=date(2026, 3, 10)), date(2026, 3, 20)))
    assert m["consultation"].status == "done"
    assert m["consultation"].done_on == date(2026, 3, 10)
    assert "before the 15 days ended" in m["consultation"].note


def test_late_draft_and_no_final_plan() -> None:
    facts = issuing(draft_sent_on=date(2026, 4, 1))
    m = by_key(milestones(facts, FINAL + timedelta(days=1)))
    assert m["draft_plan"].status == "done late"
    assert m["consultation"].due == date(2026, 4, 15)
    assert m["consultation"].status == "amber"
    assert m["final_plan"].status == "red"


def test_draft_not_sent_in_time_goes_red_before_the_final_plan() -> None:
    facts = issuing(draft_sent_on=None)
    m = by_key(milestones(facts, LATEST_DRAFT + timedelta(days=1)))
    assert m["draft_plan"].status == "red"
    assert m["consultation"].status == "amber"
    assert "projected" in m["consultation"].note
    assert m["final_plan"].status == "amber"


def test_a_draft_implies_the_decision_to_issue() -> None:
    facts = issuing(decided_to_issue=None, decision_to_issue_on=None)
    assert by_key(milestones(facts, date(2026, 3, 10)))["notify_no_plan"].status == (
        "not applicable"
    )
    assert stage(facts) == "draft plan"


# --- exceptions ---------------------------------------------------------------------------


def test_an_exception_turns_a_red_final_plan_into_extended_with_its_reason() -> None:
    facts = issuing(exceptions=(closure(reason="school closed 23 July to 3 September"),))
    m = by_key(milestones(facts, FINAL + timedelta(days=10)))
    assert m["final_plan"].status == "extended"
    assert "school closed 23 July to 3 September" in m["final_plan"].note
    assert EXCEPTION_KINDS["summer_closure"] in m["final_plan"].note
    without = by_key(milestones(issuing(), FINAL + timedelta(days=10)))
    assert without["final_plan"].status == "red"
    assert without["final_plan"].note == ""


def test_an_exception_also_covers_an_amber_step_but_leaves_green_alone() -> None:
    facts = issuing(exceptions=(closure(),))
    amber = by_key(milestones(facts, FINAL - timedelta(days=3)))
    assert amber["final_plan"].status == "extended"
    green = by_key(milestones(facts, date(2026, 3, 10)))
    assert green["final_plan"].status == "green"
    assert green["final_plan"].note.startswith("exception recorded:")


def test_a_missed_appointment_excuses_advice_only() -> None:
    missed = ClockException("missed_appointment", "paediatric clinic missed", date(2026, 1, 20))
    facts = replace(ASSESSING, advice_asked_on=date(2025, 12, 23), exceptions=(missed,))
    m = by_key(milestones(facts, FINAL + timedelta(days=1)))
    assert m["advice"].status == "extended"
    assert "paediatric clinic missed" in m["advice"].note
    assert m["final_plan"].status == "red"
    assert m["notify_no_plan"].status == "red"
    assert "missed_appointment" not in EXCEPTION_APPLIES["final_plan"]


def test_an_exception_recorded_after_today_does_not_count_yet() -> None:
    facts = issuing(exceptions=(closure(recorded_on=FINAL + timedelta(days=20)),))
    m = by_key(milestones(facts, FINAL + timedelta(days=10)))
    assert m["final_plan"].status == "red"


def test_a_late_step_done_under_an_exception_keeps_done_late_and_says_why() -> None:
    facts = issuing(final_issued_on=FINAL + timedelta(days=21), exceptions=(closure(),))
    m = by_key(milestones(facts, FINAL + timedelta(days=30)))
    assert m["final_plan"].status == "done late"
    assert "EP advice asked in July" in m["final_plan"].note


def test_an_exception_extends_the_decision_to_assess() -> None:
    away = ClockException("away_from_area", "", date(2025, 12, 1))
    m = by_key(milestones(CaseFacts(received=RECEIVED, exceptions=(away,)), DECIDE))
    assert m["decide_to_assess"].status == "extended"
    assert m["decide_to_assess"].note == "extended: " + EXCEPTION_KINDS["away_from_area"]


def test_way_forward_and_appeal_have_no_exceptions() -> None:
    facts = refused_to_assess(exceptions=(closure(),))
    m = by_key(milestones(facts, date(2026, 2, 10)))
    assert m["appeal"].status == "amber"
    assert "way_forward" not in EXCEPTION_APPLIES
    assert "appeal" not in EXCEPTION_APPLIES


def test_an_unknown_exception_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="not an exception"):
        ClockException("staff_shortage", "no EPs", date(2026, 1, 1))


def test_exception_kinds() -> None:
    assert set(EXCEPTION_KINDS) == {
        "summer_closure",
        "personal_circumstances",
        "away_from_area",
        "missed_appointment",
    }
    assert all(set(v) <= set(EXCEPTION_KINDS) for v in EXCEPTION_APPLIES.values())
    assert set(EXCEPTION_APPLIES) <= set(MILESTONE_LABELS)


# --- stage --------------------------------------------------------------------------------


STAGE_CASES = [
    (CaseFacts(received=RECEIVED), "request sent"),
    (CaseFacts(received=RECEIVED, decided_to_assess=True), "decision to assess"),
    (
        CaseFacts(received=RECEIVED, decided_to_assess=True, advice_asked_on=DECIDE),
        "assessment and advice",
    ),
    (issuing(draft_sent_on=None), "decision to issue"),
    (issuing(), "draft plan"),
    (issuing(final_issued_on=FINAL), "final plan issued"),
    (refused_to_assess(), "refused"),
    (refused_to_issue(), "refused"),
]
"""A case at each point of the process, and the stage it is shown at."""


@pytest.mark.parametrize(("facts", "expected"), STAGE_CASES)
def test_stage(facts: CaseFacts, expected: str) -> None:
    assert stage(facts) == expected
    assert expected in STAGES


def test_every_stage_is_reachable() -> None:
    assert {stage(facts) for facts, _ in STAGE_CASES} == set(STAGES)


# --- properties of milestones -------------------------------------------------------------

maybe_date = st.none() | dates
decisions = st.sampled_from([None, True, False])


@st.composite
def case_facts(draw: st.DrawFn) -> CaseFacts:
    exceptions = draw(
        st.lists(
            st.builds(
                ClockException,
                kind=st.sampled_from(sorted(EXCEPTION_KINDS)),
                reason=st.text(max_size=20),
                recorded_on=dates,
            ),
            max_size=2,
        )
    )
    return CaseFacts(
        received=draw(dates),
        decided_to_assess=draw(decisions),
        decision_to_assess_on=draw(maybe_date),
        decided_to_issue=draw(decisions),
        decision_to_issue_on=draw(maybe_date),
        draft_sent_on=draw(maybe_date),
        final_issued_on=draw(maybe_date),
        exceptions=tuple(exceptions),
        advice_asked_on=draw(maybe_date),
        advice_received_on=draw(maybe_date),
        way_forward_on=draw(maybe_date),
        mediation_certificate_on=draw(maybe_date),
        appeal_lodged_on=draw(maybe_date),
    )


@given(case_facts(), dates)
def test_milestones_are_well_formed_for_any_facts(facts: CaseFacts, today: date) -> None:
    result = milestones(facts, today)
    found = keys(result)
    assert found[0] == "decide_to_assess"
    assert len(found) == len(set(found))
    assert set(found) <= set(MILESTONE_LABELS)
    assert {"final_plan", "draft_plan", "notify_no_plan"} <= set(found)
    assert all(m.status in STATUSES for m in result)
    assert all((m.status == "done late") <= (m.done_on is not None) for m in result)
    assert stage(facts) in STAGES
    by = by_key(result)
    assert by["final_plan"].due == assessment_deadlines(facts.received)["final_plan"]
    if facts.decided_to_assess is False:
        assert by["final_plan"].status == "not applicable"
        assert "appeal" in by
