"""Support plan rules: outcomes, dates, provision, reviews and the carry-over."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from sendesk.rules.census import Area
from sendesk.rules.support_plans import (
    AREAS,
    CARRIED_RESULTS,
    MAX_OUTCOMES,
    MINUTES_PER_WEEK_MAX,
    OUTCOME_TEXT_MAX,
    PROVISION_KINDS,
    RESULTS,
    TEXT_MAX,
    OutcomeDraft,
    PlanDraft,
    PreviousOutcome,
    ProvisionDraft,
    ReviewDraft,
    as_sentences,
    carried_over,
    date_problems,
    default_review_due,
    meetings_in_last_year,
    outcome_problems,
    plan_problems,
    provision_problems,
    review_problems,
    rhythm_warnings,
    sentence,
    year_before,
)

START = date(2025, 9, 8)
CL = Area.COGNITION_LEARNING.value
SEMH = Area.SEMH.value


def outcomes(n: int, area: str = CL) -> tuple[OutcomeDraft, ...]:
    return tuple(OutcomeDraft(f"Reads {i * 10} common exception words", area) for i in range(n))


def good_draft(**changes: object) -> PlanDraft:
    return dataclasses.replace(
        PlanDraft(
            start_date=START,
            review_due=START + timedelta(weeks=12),
            assessment="Reading age 7y2m on the Salford test",
            outcomes=outcomes(2),
            provisions=(ProvisionDraft("intervention", "Phonics catch-up", 60),),
        ),
        **changes,
    )


# --- vocabulary --------------------------------------------------------------------------


def test_vocabulary() -> None:
    assert AREAS == (
        "Cognition and learning",
        "Communication and interaction",
        "Social, emotional and mental health",
        "Sensory and/or physical",
    )
    assert list(PROVISION_KINDS) == ["intervention", "strategy", "equipment", "staff"]
    assert list(RESULTS) == ["achieved", "partly", "not"]
    assert CARRIED_RESULTS == ("partly", "not")


def test_a_good_draft_has_no_problems() -> None:
    assert plan_problems(good_draft()) == []
    assert plan_problems(good_draft(provisions=())) == []  # provision may come later


# --- outcomes ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_two_to_five_outcomes_are_allowed(n: int) -> None:
    assert outcome_problems(outcomes(n)) == []


@pytest.mark.parametrize(
    ("n", "problem"),
    [
        (0, "a plan needs 2 to 5 outcomes (it has none)"),
        (1, "a plan needs at least 2 outcomes (it has 1)"),
        (6, "a plan has at most 5 outcomes (it has 6)"),
        (9, "a plan has at most 5 outcomes (it has 9)"),
    ],
)
def test_outcome_count(n: int, problem: str) -> None:
    assert outcome_problems(outcomes(n)) == [problem]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_outcome_needs_text(text: str) -> None:
    found = outcome_problems((OutcomeDraft("Counts to 100", CL), OutcomeDraft(text, CL)))
    assert found == ["outcome 2 has no text"]


def test_outcome_text_limit() -> None:
    at_limit = "x" * OUTCOME_TEXT_MAX
    assert outcome_problems((OutcomeDraft(at_limit, CL), OutcomeDraft("y", CL))) == []
    found = outcome_problems((OutcomeDraft(at_limit + "x", CL), OutcomeDraft("y", CL)))
    assert found == [f"outcome 1 is longer than {OUTCOME_TEXT_MAX:,} characters"]


@pytest.mark.parametrize("area", AREAS)
def test_every_broad_area_is_known(area: str) -> None:
    assert outcome_problems(outcomes(2, area)) == []


@pytest.mark.parametrize(
    ("area", "problem"),
    [
        ("", "outcome 1 has no area of need"),
        ("Other", "outcome 1 names 'Other', which is not an area of need"),
        ("cognition and learning", "outcome 1 names 'cognition and learning', which is not"),
        ("SPLD", "outcome 1 names 'SPLD', which is not an area of need"),
    ],
)
def test_outcome_needs_a_known_area(area: str, problem: str) -> None:
    found = outcome_problems((OutcomeDraft("Counts to 100", area), OutcomeDraft("Reads", CL)))
    assert len(found) == 1 and found[0].startswith(problem)


def test_repeated_outcome_is_named_whatever_its_case_and_spacing() -> None:
    found = outcome_problems(
        (
            OutcomeDraft("Asks for help  when stuck", SEMH),
            OutcomeDraft("Reads", CL),
            OutcomeDraft("asks for help when STUCK", CL),
        )
    )
    assert found == ["outcome 3 repeats outcome 1"]


def test_every_outcome_problem_is_listed_in_order() -> None:
    found = outcome_problems((OutcomeDraft("", ""), OutcomeDraft("", "Nowhere")))
    assert found == [
        "outcome 1 has no text",
        "outcome 1 has no area of need",
        "outcome 2 has no text",
        "outcome 2 names 'Nowhere', which is not an area of need",
    ]


# --- dates -------------------------------------------------------------------------------


def test_review_must_come_after_the_start() -> None:
    assert date_problems(START, START + timedelta(days=1)) == []
    assert date_problems(START, START) == [
        "the review is due 08/09/2025, which is not after the plan starts (08/09/2025)"
    ]
    assert date_problems(START, START - timedelta(days=1)) == [
        "the review is due 07/09/2025, which is not after the plan starts (08/09/2025)"
    ]


def test_review_within_a_year() -> None:
    assert date_problems(START, START + timedelta(days=366)) == []
    found = date_problems(START, START + timedelta(days=367))
    assert len(found) == 1 and "more than a year after the plan starts" in found[0]


def test_a_new_cycle_cannot_start_before_the_last_review() -> None:
    reviewed = date(2025, 12, 1)
    assert date_problems(reviewed, reviewed + timedelta(weeks=12), not_before=reviewed) == []
    found = date_problems(START, START + timedelta(weeks=12), not_before=reviewed)
    assert found == ["the plan cannot start before the last cycle's review on 01/12/2025"]


def test_default_review_is_twelve_weeks_on() -> None:
    assert default_review_due(START) == date(2025, 12, 1)
    assert date_problems(START, default_review_due(START)) == []


# --- provision ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PROVISION_KINDS))
def test_every_provision_kind_is_allowed(kind: str) -> None:
    assert provision_problems((ProvisionDraft(kind, "Something that helps"),)) == []


@pytest.mark.parametrize("kind", ["", "Intervention", "therapy", "staff time"])
def test_unknown_provision_kind(kind: str) -> None:
    found = provision_problems((ProvisionDraft(kind, "Something"),))
    assert found == [
        "provision 1 is of no known kind (choose one of: intervention, in-class strategy, "
        "equipment, staff time)"
    ]


def test_provision_needs_a_description_within_limits() -> None:
    assert provision_problems((ProvisionDraft("strategy", " "),)) == [
        "provision 1 has no description"
    ]
    assert provision_problems((ProvisionDraft("strategy", "x" * 1001),)) == [
        "provision 1 is longer than 1,000 characters"
    ]


@pytest.mark.parametrize("minutes", [None, 1, 30, MINUTES_PER_WEEK_MAX])
def test_minutes_a_week_allowed(minutes: int | None) -> None:
    assert provision_problems((ProvisionDraft("staff", "TA support in maths", minutes),)) == []


@pytest.mark.parametrize("minutes", [0, -5, MINUTES_PER_WEEK_MAX + 1, True])
def test_minutes_a_week_refused(minutes: int) -> None:
    found = provision_problems((ProvisionDraft("staff", "TA support", minutes),))
    assert found == ["provision 1: minutes a week must be between 1 and 2,400"]


def test_only_an_intervention_names_a_catalogue_entry() -> None:
    assert provision_problems((ProvisionDraft("intervention", "Lexia", 60, 3),)) == []
    assert provision_problems((ProvisionDraft("equipment", "Coloured overlay", None, 3),)) == [
        "provision 1 names a catalogue intervention but is not one"
    ]


def test_plan_problems_come_dates_first_then_outcomes_then_provision() -> None:
    draft = good_draft(
        review_due=START,
        outcomes=outcomes(1),
        provisions=(ProvisionDraft("magic", "x"),),
        pupil_views="v" * (TEXT_MAX + 1),
    )
    found = plan_problems(draft)
    assert [p.split()[1] for p in found] == ["review", "plan", "1", "pupil's"]


def test_long_texts_are_refused() -> None:
    draft = good_draft(assessment="a" * (TEXT_MAX + 1), parent_views="p" * (TEXT_MAX + 1))
    assert plan_problems(draft) == [
        "the assessment is longer than 20,000 characters",
        "the parents' views are longer than 20,000 characters",
    ]


# --- reviews -----------------------------------------------------------------------------

TODAY = date(2025, 12, 5)


def review(**changes: object) -> ReviewDraft:
    return dataclasses.replace(
        ReviewDraft(
            reviewed_on=date(2025, 12, 1),
            results={11: "achieved", 12: "partly"},
            comments={12: "Nearly there"},
            review_summary="Good progress",
            next_steps="Carry on with phonics",
        ),
        **changes,
    )


def test_a_full_review_has_no_problems() -> None:
    assert review_problems(review(), [11, 12], START, TODAY) == []
    assert review_problems(review(reviewed_on=START), [11, 12], START, TODAY) == []
    assert review_problems(review(reviewed_on=TODAY), [11, 12], START, TODAY) == []


def test_every_outcome_needs_a_result() -> None:
    found = review_problems(review(results={11: "achieved"}), [11, 12], START, TODAY)
    assert found == ["say whether outcome 2 was achieved, partly achieved or not achieved"]
    found = review_problems(review(results={12: ""}), [10, 11, 12], START, TODAY)
    assert found == ["say whether outcomes 1, 2, 3 were achieved, partly achieved or not achieved"]


def test_unknown_result_and_stranger_outcomes() -> None:
    found = review_problems(
        review(results={11: "achieved", 12: "mostly", 99: "not"}, comments={98: "?"}),
        [11, 12],
        START,
        TODAY,
    )
    assert found == [
        "outcome 2 has an unknown result 'mostly'",
        "the review names 2 outcomes not in this plan",
    ]


def test_review_dates() -> None:
    found = review_problems(review(reviewed_on=START - timedelta(days=1)), [11, 12], START, TODAY)
    assert found == ["the review date 07/09/2025 is before the plan started (08/09/2025)"]
    found = review_problems(review(reviewed_on=TODAY + timedelta(days=1)), [11, 12], START, TODAY)
    assert found == ["the review date cannot be in the future"]


@pytest.mark.parametrize("steps", ["", "  \n"])
def test_review_says_what_changes_next(steps: str) -> None:
    found = review_problems(review(next_steps=steps), [11, 12], START, TODAY)
    assert found == ["say what changes next (even if it is to carry on as before)"]


def test_review_text_limits() -> None:
    found = review_problems(
        review(
            comments={11: "c" * (OUTCOME_TEXT_MAX + 1)},
            review_summary="s" * (TEXT_MAX + 1),
        ),
        [11, 12],
        START,
        TODAY,
    )
    assert found == [
        "the comment on outcome 1 is longer than 2,000 characters",
        "the review summary is longer than 20,000 characters",
    ]


# --- carry-over --------------------------------------------------------------------------


def test_partly_and_not_achieved_outcomes_carry_over_in_order() -> None:
    previous = [
        PreviousOutcome("Reads 50 words", CL, "achieved"),
        PreviousOutcome("Asks for help", SEMH, "not"),
        PreviousOutcome("Spells 20 words", CL, "partly"),
        PreviousOutcome("Writes a paragraph", CL, None),
    ]
    assert carried_over(previous) == (
        OutcomeDraft("Asks for help", SEMH),
        OutcomeDraft("Spells 20 words", CL),
    )


def test_nothing_carries_when_all_were_achieved_or_none_exist() -> None:
    assert carried_over([PreviousOutcome("Reads", CL, "achieved")]) == ()
    assert carried_over([]) == ()


@pytest.mark.parametrize("result", [*RESULTS, None, "unknown"])
def test_carry_over_by_result(result: str | None) -> None:
    carried = carried_over([PreviousOutcome("Reads", CL, result)])
    assert bool(carried) is (result in ("partly", "not"))


def test_max_outcomes_carry_over_whole() -> None:
    previous = [PreviousOutcome(f"Outcome {i}", CL, "not") for i in range(MAX_OUTCOMES)]
    assert len(carried_over(previous)) == MAX_OUTCOMES


# --- sentences ---------------------------------------------------------------------------


def test_sentences() -> None:
    assert sentence(["outcome 1 has no text", "outcome 2 has no area"]) == (
        "Outcome 1 has no text; outcome 2 has no area."
    )
    assert as_sentences(["outcome 1 has no text", "done."]) == ["Outcome 1 has no text.", "Done."]


# --- the SEN Support rhythm (Code of Practice 6.65) -----------------------------------------


@pytest.mark.parametrize(
    ("weeks", "warned"),
    [(12, False), (16, False), (17, True), (40, True)],
)
def test_a_review_more_than_a_term_away_is_a_warning(weeks: int, warned: bool) -> None:
    """CoP 6.65: parents met at least three times a year, so a review each term (16 weeks
    at most). Longer is warned of, never refused: plan_problems still accepts it."""
    start = date(2026, 9, 7)
    due = start + timedelta(weeks=weeks)
    found = rhythm_warnings(start, due)
    assert bool(found) is warned
    assert plan_problems(PlanDraft(start, due, outcomes=two_outcomes())) == []
    if warned:
        assert found == [
            f"the review is {weeks} weeks after the plan starts, more than a term (16 weeks): "
            "the Code of Practice (6.65) expects parents to be met at least three times a "
            "year, so a review each term"
        ]


def two_outcomes() -> tuple[OutcomeDraft, ...]:
    return (
        OutcomeDraft("Reads 20 high-frequency words", Area.COGNITION_LEARNING.value),
        OutcomeDraft("Joins in a group task", Area.COMMUNICATION_INTERACTION.value),
    )


def test_meetings_are_different_days_in_the_twelve_months_to_today() -> None:
    """The CoP 6.65 count: one meeting a day, the day a year ago excluded, none ahead."""
    today = date(2026, 11, 23)
    days = [
        date(2025, 11, 23),  # a year ago today: outside
        date(2025, 11, 24),
        date(2026, 3, 2),
        date(2026, 3, 2),  # a review and the next plan's start on one day: one meeting
        date(2026, 11, 23),
        date(2026, 11, 24),  # tomorrow: not yet
    ]
    assert meetings_in_last_year(days, today) == 3
    assert meetings_in_last_year([], today) == 0
    assert year_before(date(2028, 2, 29)) == date(2027, 2, 28)
