"""Tests for sendesk.rules.jcq: scores, verdicts, the catalogue, statuses and dates."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules import jcq
from sendesk.rules.jcq import (
    APPROVAL_MONTHS,
    AREAS,
    ARRANGEMENTS,
    AWARDING_BODY,
    DELEGATED,
    EVIDENCE_ROUTES,
    ONLINE,
    SPEED_AREAS,
    STATUSES,
    Arrangement,
    Score,
    Verdict,
    assessment_problems,
    check,
    evidence_route_needed,
    expires_on,
    next_statuses,
    route_label,
    year9_start,
)

WS = "writing speed"
RS = "reading speed"
RCS = "reading comprehension speed"
CPS = "cognitive processing speed"
RA = "reading accuracy"
RC = "reading comprehension"
SA = "spelling accuracy"

DELEGATED_KEYS = (
    "word_processor",
    "rest_breaks",
    "separate_invigilation",
    "prompter",
    "coloured_overlay",
    "coloured_paper",
    "read_aloud",
    "live_speaker",
)
MODIFIED_KEYS = ("enlarged_papers", "braille_papers", "modified_language")
NO_SCORE_KEYS = (
    "extra_time_25_other",
    "reader",
    "computer_reader",
    "practical_assistant",
    *DELEGATED_KEYS,
    *MODIFIED_KEYS,
)
ALL_KEYS = (
    "extra_time_25",
    "extra_time_25_other",
    "extra_time_50",
    "reader",
    "computer_reader",
    "scribe",
    "speech_recognition",
    *DELEGATED_KEYS,
    "practical_assistant",
    *MODIFIED_KEYS,
)
"""The catalogue's order: the practical assistant still sits after the live speaker."""


def text(verdict: Verdict) -> str:
    return "\n".join(verdict.reasons)


def et25(*pairs: tuple[str, int]) -> Verdict:
    return check("extra_time_25", [Score(area, score) for area, score in pairs])


def et50(*pairs: tuple[str, int]) -> Verdict:
    return check("extra_time_50", [Score(area, score) for area, score in pairs])


# --- Score ---------------------------------------------------------------------------------


def test_score_areas_are_exactly_the_form_8_areas() -> None:
    assert AREAS == (RS, RCS, WS, CPS, RA, RC, SA)
    assert SPEED_AREAS == (RS, RCS, WS, CPS)
    for area in AREAS:
        assert Score(area, 100).area == area


def test_score_is_frozen_and_keeps_date_and_test() -> None:
    s = Score(WS, 82, date(2025, 3, 3), "DASH")
    assert (s.taken_on, s.test) == (date(2025, 3, 3), "DASH")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.score = 90  # type: ignore[misc]


@pytest.mark.parametrize("area", ["maths", "Writing speed", "writing  speed", "", "speed"])
def test_unknown_area_is_refused_by_name(area: str) -> None:
    with pytest.raises(ValueError, match="is not a Form 8 score area") as caught:
        Score(area, 80)
    assert f"'{area}'" in str(caught.value)
    assert "writing speed" in str(caught.value)  # the known areas are listed


@pytest.mark.parametrize("value", [39, 161, 0, -5, 200])
def test_implausible_score_is_refused_naming_area_and_score(value: int) -> None:
    with pytest.raises(ValueError, match="not a plausible standardised score") as caught:
        Score(RS, value)
    assert f"reading speed score of {value}" in str(caught.value)


@pytest.mark.parametrize("value", [40, 160])
def test_range_ends_are_plausible(value: int) -> None:
    assert Score(RS, value).score == value


@pytest.mark.parametrize("value", [84.0, "84", True, None])
def test_score_must_be_a_whole_number(value: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        Score(RS, value)  # type: ignore[arg-type]


# --- check: unknown keys --------------------------------------------------------------------


def test_unknown_arrangement_lists_the_known_keys() -> None:
    with pytest.raises(ValueError, match="not a known access arrangement") as caught:
        check("extra_time", [])
    message = str(caught.value)
    for key in ALL_KEYS:
        assert key in message


def test_verdict_is_frozen_with_a_list_of_reasons() -> None:
    verdict = et25((WS, 80), (RS, 80))
    assert isinstance(verdict.reasons, list)
    assert all(isinstance(r, str) for r in verdict.reasons)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.met = False  # type: ignore[misc]
    assert Verdict(met=False).reasons == []


def test_check_accepts_any_iterable_of_scores() -> None:
    scores = (Score(a, 80) for a in (WS, RS))
    assert check("extra_time_25", scores).met


# --- 25% extra time ---------------------------------------------------------------------------


def test_two_below_average_in_two_speed_areas_is_met() -> None:
    verdict = et25((WS, 82), (RS, 80))
    assert verdict.met
    assert "Writing speed 82 counts: below average (84 or less)." in verdict.reasons
    assert "Reading speed 80 counts: below average (84 or less)." in verdict.reasons
    assert "Met: below-average scores in two different areas of speed of working" in text(verdict)
    assert "(reading speed and writing speed)" in text(verdict)
    # a met verdict still reminds the SENCo that scores are not the whole evidence
    assert "Form 8 Part 1" in verdict.reasons[-1]


def test_one_below_average_and_one_low_average_is_met() -> None:
    verdict = et25((CPS, 84), (RCS, 89))
    assert verdict.met
    assert "Cognitive processing speed 84 counts: below average (84 or less)." in verdict.reasons
    assert "Reading comprehension speed 89 counts: low average (85–89)." in verdict.reasons
    assert "one below-average score and one low-average score" in text(verdict)


@pytest.mark.parametrize(
    ("first", "second", "met"),
    [
        (84, 84, True),  # two below average
        (84, 85, True),  # below + low average, lowest edge
        (84, 89, True),  # below + low average, top edge
        (84, 90, False),  # 90 is average
        (85, 85, False),  # two low averages
        (89, 89, False),
        (85, 84, True),  # order does not matter
        (90, 84, False),
        (90, 90, False),
    ],
)
def test_extra_time_25_boundaries(first: int, second: int, met: bool) -> None:
    assert et25((WS, first), (RS, second)).met is met


@pytest.mark.parametrize(
    ("score", "sentence"),
    [
        (84, "Writing speed 84 counts: below average (84 or less)."),
        (85, "Writing speed 85 counts: low average (85–89)."),
        (89, "Writing speed 89 counts: low average (85–89)."),
        (90, "Writing speed 90 does not count: 90 or more is average or above"),
    ],
)
def test_extra_time_25_boundary_sentences(score: int, sentence: str) -> None:
    assert sentence in text(et25((WS, score), (RS, 80)))


def test_two_low_averages_say_one_must_be_below_average() -> None:
    verdict = et25((WS, 87), (RS, 86))
    assert not verdict.met
    assert "Two low-average scores are not enough" in verdict.reasons[-1]
    assert "below average (84 or less)" in verdict.reasons[-1]


def test_two_scores_in_the_same_area_count_once_and_the_lowest_is_used() -> None:
    verdict = et25((RS, 88), (RS, 70))
    assert not verdict.met
    assert (
        "Reading speed 88 is not counted: reading speed counts once, and the lowest reading "
        "speed score (70) is used."
    ) in verdict.reasons
    assert "Reading speed 70 counts: below average (84 or less)." in verdict.reasons
    assert verdict.reasons[-1] == (
        "Two scores in two different areas of speed of working are needed; only one was found."
    )


def test_the_lowest_in_an_area_is_used_whatever_the_order() -> None:
    # 95 then 80 in writing speed: 80 counts, so with reading speed 86 it is met
    assert et25((WS, 95), (WS, 80), (RS, 86)).met
    assert et25((WS, 80), (WS, 95), (RS, 86)).met


def test_identical_scores_in_one_area_count_once() -> None:
    same = Score(WS, 80)
    verdict = check("extra_time_25", [same, same])
    assert not verdict.met
    assert sum("counts: below average" in r for r in verdict.reasons) == 1
    assert "Writing speed 80 is not counted: writing speed counts once" in text(verdict)


def test_non_speed_areas_are_ignored_with_the_reason_saying_so() -> None:
    verdict = et25((RA, 80), (SA, 70), (RC, 75), (WS, 82))
    assert not verdict.met
    assert (
        "Reading accuracy 80 does not count for extra time: it is not a speed of working or "
        "processing area."
    ) in verdict.reasons
    assert "Spelling accuracy 70 does not count for extra time" in text(verdict)
    assert "Reading comprehension 75 does not count for extra time" in text(verdict)
    assert "only one was found" in verdict.reasons[-1]


def test_no_scores_says_none_was_found() -> None:
    verdict = et25()
    assert not verdict.met
    assert verdict.reasons == [
        "Two scores in two different areas of speed of working are needed; none was found."
    ]


def test_only_average_scores_say_none_was_found() -> None:
    verdict = et25((WS, 100), (RS, 95))
    assert not verdict.met
    assert "none was found" in verdict.reasons[-1]


def test_three_areas_are_all_named_when_met() -> None:
    verdict = et25((WS, 70), (RS, 72), (CPS, 75))
    assert verdict.met
    assert "(reading speed, writing speed and cognitive processing speed)" in text(verdict)


def test_each_score_gets_one_sentence_in_order_then_the_verdict() -> None:
    verdict = et25((WS, 82), (RA, 80), (RS, 95))
    assert verdict.reasons[0].startswith("Writing speed 82")
    assert verdict.reasons[1].startswith("Reading accuracy 80")
    assert verdict.reasons[2].startswith("Reading speed 95")
    assert verdict.reasons[3].startswith("Two scores")
    assert len(verdict.reasons) == 4


def test_dated_scores_say_which_test_and_when() -> None:
    verdict = check(
        "extra_time_25",
        [
            Score(WS, 82, taken_on=date(2025, 3, 3), test="DASH"),
            Score(RS, 86, taken_on=date(2025, 3, 4)),
            Score(CPS, 99, test="SDMT"),
        ],
    )
    assert verdict.met
    assert (
        "Writing speed 82 counts: below average (84 or less) — DASH, taken 03/03/2025."
        in verdict.reasons
    )
    assert "Reading speed 86 counts: low average (85–89) — taken 04/03/2025." in verdict.reasons
    assert any(
        r.startswith("Cognitive processing speed 99 does not count") for r in verdict.reasons
    )
    assert any(r.endswith("— SDMT.") for r in verdict.reasons)


def test_two_different_cognitive_processing_tests_are_two_areas() -> None:
    # AARA 2025–26 ch. 5 §5.2 (confirm number): rapid naming and a symbol-search processing
    # speed test are two different cognitive processing measures, so two areas of speed of
    # working — the issue's own example.
    verdict = check(
        "extra_time_25",
        [
            Score("cognitive processing speed", 80, test="CTOPP-2 Rapid Naming"),
            Score("cognitive processing speed", 82, test="WISC-V Symbol Search"),
        ],
    )
    assert verdict.met
    assert (
        "Cognitive processing speed 80 counts: below average (84 or less) — CTOPP-2 Rapid Naming."
        in verdict.reasons
    )
    assert (
        "Met: below-average scores in two different areas of speed of working (cognitive "
        "processing speed (CTOPP-2 Rapid Naming) and cognitive processing speed (WISC-V "
        "Symbol Search))."
    ) in verdict.reasons


def test_the_same_cognitive_processing_test_twice_is_one_area() -> None:
    verdict = check(
        "extra_time_25",
        [Score(CPS, 80, test="Rapid naming"), Score(CPS, 82, test="rapid  NAMING")],
    )
    assert not verdict.met
    assert (
        "Cognitive processing speed 82 is not counted: cognitive processing speed (Rapid "
        "naming) counts once, and the lowest cognitive processing speed (Rapid naming) score "
        "(80) is used — rapid  NAMING."
    ) in verdict.reasons
    assert verdict.reasons[-1].endswith("only one was found.")


def test_unnamed_cognitive_processing_scores_cannot_be_told_apart() -> None:
    verdict = check("extra_time_25", [Score(CPS, 80, test="Rapid naming"), Score(CPS, 82)])
    assert not verdict.met
    assert any("only when each names its test" in r for r in verdict.reasons)


def test_two_cognitive_tests_and_a_low_average_count_for_more_than_25_percent() -> None:
    # the same reading of "areas" applies to more than 25% extra time (two 69-or-less)
    verdict = check(
        "extra_time_50", [Score(CPS, 65, test="Rapid naming"), Score(CPS, 68, test="Coding")]
    )
    assert verdict.met


def test_a_named_cognitive_test_beside_other_areas() -> None:
    verdict = check("extra_time_25", [Score(CPS, 88, test="Symbol search"), Score(WS, 84)])
    assert verdict.met
    assert "(writing speed and cognitive processing speed (Symbol search))" in text(verdict)


def test_dates_do_not_change_which_score_counts() -> None:
    # a later, higher retest does not replace the lower score: the lowest counts
    verdict = check(
        "extra_time_25",
        [Score(WS, 80, date(2024, 10, 1)), Score(WS, 92, date(2025, 5, 1)), Score(RS, 84)],
    )
    assert verdict.met
    assert "Writing speed 92 is not counted" in text(verdict)


_speed_scores = st.lists(
    st.builds(Score, st.sampled_from(AREAS), st.integers(jcq.SCORE_MIN, jcq.SCORE_MAX)),
    max_size=6,
)


@given(_speed_scores, st.data())
def test_lowering_a_score_never_undoes_a_met_extra_time_verdict(
    scores: list[Score], data: st.DataObject
) -> None:
    for key in ("extra_time_25", "extra_time_50", "scribe"):
        before = check(key, scores)
        if not before.met or not scores:
            continue
        i = data.draw(st.integers(0, len(scores) - 1))
        lower = data.draw(st.integers(jcq.SCORE_MIN, scores[i].score))
        changed = [*scores[:i], dataclasses.replace(scores[i], score=lower), *scores[i + 1 :]]
        assert check(key, changed).met, (key, scores, changed)


@given(_speed_scores, st.randoms(use_true_random=False))
def test_order_of_scores_never_changes_the_verdict(scores: list[Score], rnd: random.Random) -> None:
    shuffled = list(scores)
    rnd.shuffle(shuffled)
    for key in ("extra_time_25", "extra_time_50", "scribe"):
        assert check(key, scores).met == check(key, shuffled).met


@given(_speed_scores)
def test_every_score_gets_exactly_one_sentence(scores: list[Score]) -> None:
    for key in ALL_KEYS:
        verdict = check(key, scores)
        for s in scores:
            prefix = f"{s.area.capitalize()} {s.score} "
            same = sum((t.area, t.score) == (s.area, s.score) for t in scores)
            assert sum(r.startswith(prefix) for r in verdict.reasons) == same
        # then at least one closing sentence with the verdict
        assert len(verdict.reasons) > len(scores)


@given(_speed_scores)
def test_50_percent_met_implies_25_percent_met(scores: list[Score]) -> None:
    if check("extra_time_50", scores).met:
        assert check("extra_time_25", scores).met


# --- 25% extra time, other impairment -------------------------------------------------------


def test_extra_time_other_is_not_met_on_no_evidence() -> None:
    # AARA 2025–26 ch. 5 §5.2 (confirm number): 25% extra time for a medical, sensory,
    # physical or emotional impairment rests on a professional's evidence or the EHC plan.
    verdict = check("extra_time_25_other")
    assert not verdict.met
    assert verdict.reasons[0].startswith("Not met: no professional evidence is recorded.")
    assert "the EHC plan, or a letter or report from a professional" in verdict.reasons[0]


def test_extra_time_other_is_met_when_professional_evidence_is_recorded() -> None:
    verdict = check("extra_time_25_other", [], professional_evidence="EHC plan issued 01/02/2024")
    assert verdict.met
    assert verdict.reasons[0] == (
        "Met: professional evidence is recorded (EHC plan issued 01/02/2024)."
    )
    assert "normal way of working" in verdict.reasons[-1]


def test_extra_time_other_blank_evidence_is_no_evidence() -> None:
    assert not check("extra_time_25_other", [], professional_evidence="  ").met


def test_extra_time_other_ignores_scores() -> None:
    verdict = check("extra_time_25_other", [Score(WS, 70), Score(RS, 70)])
    assert not verdict.met  # low scores are not the evidence this route needs
    assert verdict.reasons[0].startswith("Writing speed 70 is not used")


@pytest.mark.parametrize("evidence", [None, "a consultant's letter"])
def test_rest_breaks_first_is_a_recommendation_not_a_refusal(evidence: str | None) -> None:
    # AARA 2025–26 §5.1 as amended in March 2026: supervised rest breaks "should" be
    # considered before 25% extra time for anxiety or attention needs — a should, not a must.
    verdict = check("extra_time_25_other", [], professional_evidence=evidence)
    assert verdict.met is (evidence is not None)
    advice = [r for r in verdict.reasons if "rest breaks" in r]
    assert advice == [jcq.REST_BREAKS_FIRST]
    assert "should be considered before 25% extra time" in advice[0]
    assert "a recommendation, not a bar" in advice[0]
    assert "must" not in ARRANGEMENTS["extra_time_25_other"].evidence
    assert "should be considered first" in ARRANGEMENTS["extra_time_25_other"].evidence


# --- up to 50% extra time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "met"),
    [
        (69, 69, True),  # two very low
        (69, 70, True),  # very low + below average
        (69, 84, True),
        (69, 85, False),  # 85 is not below average
        (70, 70, False),  # no very low score
        (70, 84, False),
        (84, 69, True),
        (40, 40, True),
    ],
)
def test_extra_time_50_boundaries(first: int, second: int, met: bool) -> None:
    assert et50((WS, first), (CPS, second)).met is met


@pytest.mark.parametrize(
    ("score", "sentence"),
    [
        (69, "Writing speed 69 counts: very substantially below average (69 or less)."),
        (70, "Writing speed 70 counts: below average (70–84)."),
        (84, "Writing speed 84 counts: below average (70–84)."),
        (85, "Writing speed 85 does not count for more than 25% extra time"),
    ],
)
def test_extra_time_50_boundary_sentences(score: int, sentence: str) -> None:
    assert sentence in text(et50((WS, score), (RS, 60)))


def test_extra_time_50_without_a_very_low_score_says_so_and_offers_the_other_route() -> None:
    verdict = et50((WS, 70), (RS, 75))
    assert not verdict.met
    assert "At least one score of 69 or less" in text(verdict)
    assert "exceptional need" in text(verdict)
    assert "awarding body decides" in verdict.reasons[-1]


def test_extra_time_50_same_area_counts_once() -> None:
    verdict = et50((WS, 60), (WS, 65))
    assert not verdict.met
    assert "only one was found" in text(verdict)
    assert "Writing speed 65 is not counted" in text(verdict)


def test_extra_time_50_ignores_accuracy_areas() -> None:
    verdict = et50((SA, 50), (WS, 60))
    assert not verdict.met
    assert "Spelling accuracy 50 does not count for extra time" in text(verdict)


def test_extra_time_50_met_still_goes_to_the_awarding_body() -> None:
    verdict = et50((WS, 60), (RS, 65))
    assert verdict.met
    assert "Met: very substantially below-average scores (69 or less)" in text(verdict)
    assert "awarding body decides" in verdict.reasons[-1]


# --- scribe and speech recognition ----------------------------------------------------------


@pytest.mark.parametrize("key", ["scribe", "speech_recognition"])
@pytest.mark.parametrize(
    ("area", "score", "met"), [(SA, 84, True), (WS, 84, True), (SA, 85, False), (WS, 85, False)]
)
def test_scribe_boundaries(key: str, area: str, score: int, met: bool) -> None:
    assert check(key, [Score(area, score)]).met is met


def test_scribe_names_the_qualifying_score() -> None:
    verdict = check("scribe", [Score(SA, 78)])
    assert verdict.met
    assert "Spelling accuracy 78 counts: below average (84 or less)." in verdict.reasons
    assert verdict.reasons[-1].startswith("Met: spelling accuracy below average")


def test_scribe_not_met_mentions_the_physical_or_medical_route() -> None:
    verdict = check("scribe", [Score(SA, 85), Score(WS, 90)])
    assert not verdict.met
    assert "Spelling accuracy 85 does not count: a scribe needs 84 or less." in verdict.reasons
    assert verdict.reasons[-1] == (
        "No spelling accuracy or writing speed score of 84 or less was found; a scribe may still "
        "be granted for a physical or medical need with a professional's evidence."
    )


def test_speech_recognition_names_itself() -> None:
    verdict = check("speech_recognition", [Score(RS, 70)])
    assert not verdict.met
    assert (
        "Reading speed 70 does not count for speech recognition technology: only spelling "
        "accuracy and writing speed are used."
    ) in verdict.reasons
    assert "speech recognition technology may still be granted" in verdict.reasons[-1]


def test_scribe_uses_the_lowest_in_each_area() -> None:
    verdict = check("scribe", [Score(WS, 90), Score(WS, 80)])
    assert verdict.met
    assert "Writing speed 90 is not counted" in text(verdict)


def test_scribe_with_no_scores_is_not_met() -> None:
    verdict = check("scribe", [])
    assert not verdict.met
    assert verdict.reasons[-1].startswith("No spelling accuracy or writing speed score")


# --- arrangements that need no scores -------------------------------------------------------


@pytest.mark.parametrize("key", [k for k in NO_SCORE_KEYS if k != "extra_time_25_other"])
def test_arrangements_without_a_score_rule(key: str) -> None:
    arrangement = ARRANGEMENTS[key]
    assert not arrangement.needs_scores
    verdict = check(key, [])
    assert verdict.met
    assert verdict.reasons == [
        f"No standardised scores are needed for {arrangement.called}. Needed instead: "
        f"{arrangement.evidence[0].lower()}{arrangement.evidence[1:]}"
    ]
    with_scores = check(key, [Score(RS, 60)])
    assert with_scores.met
    assert with_scores.reasons[0] == (
        f"Reading speed 60 is not used: {arrangement.called} needs no standardised scores."
    )


def test_reader_rests_on_the_picture_of_need() -> None:
    for key in ("reader", "computer_reader"):
        assert "picture of need" in check(key, []).reasons[-1]
        assert evidence_route_needed(key) == ("picture_of_need",)


def test_delegated_verdicts_say_the_senco_decides() -> None:
    assert "the SENCo's decision" in check("word_processor", []).reasons[-1]
    assert "normal way of working" in check("word_processor", []).reasons[-1]


def test_modified_papers_mention_the_deadline() -> None:
    for key in MODIFIED_KEYS:
        assert "modified papers deadline" in check(key, []).reasons[-1]


# --- the catalogue --------------------------------------------------------------------------


def test_catalogue_holds_every_key_in_the_senco_order() -> None:
    assert tuple(ARRANGEMENTS) == ALL_KEYS
    for key, arrangement in ARRANGEMENTS.items():
        assert isinstance(arrangement, Arrangement)
        assert arrangement.key == key
        assert arrangement.name and not arrangement.name[0].islower()
        assert arrangement.evidence.endswith(".")
        assert arrangement.route in (DELEGATED, ONLINE, AWARDING_BODY)
        assert arrangement.extra_time_percent in (25, 50, None)
        assert arrangement.room in ("separate room", None)
        assert arrangement.evidence_routes
        assert set(arrangement.evidence_routes) <= set(EVIDENCE_ROUTES)


def test_arrangement_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ARRANGEMENTS["reader"].route = DELEGATED  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "route"),
    [
        ("extra_time_25", ONLINE),
        ("extra_time_25_other", ONLINE),
        ("extra_time_50", AWARDING_BODY),
        ("reader", ONLINE),
        ("computer_reader", ONLINE),
        ("scribe", ONLINE),
        ("speech_recognition", ONLINE),
        # JCQ's AAO FAQ: a practical assistant "must be forwarded to the relevant awarding
        # body" through the online application — not a centre-delegated arrangement.
        ("practical_assistant", ONLINE),
        *((k, DELEGATED) for k in DELEGATED_KEYS),
        *((k, AWARDING_BODY) for k in MODIFIED_KEYS),
    ],
)
def test_routes(key: str, route: str) -> None:
    assert ARRANGEMENTS[key].route == route


def test_route_constants_and_labels() -> None:
    assert (DELEGATED, ONLINE, AWARDING_BODY) == (
        "delegated",
        "online application",
        "awarding body",
    )
    assert route_label("word_processor") == "Decided in the centre (delegated)"
    assert route_label("extra_time_25") == "Needs an online application (AAO)"
    assert route_label("extra_time_50") == "Needs an awarding body decision"
    assert route_label("braille_papers") == "Needs an awarding body decision"
    with pytest.raises(ValueError, match="not a known access arrangement"):
        route_label("nope")


def test_extra_time_percent() -> None:
    assert ARRANGEMENTS["extra_time_25"].extra_time_percent == 25
    assert ARRANGEMENTS["extra_time_25_other"].extra_time_percent == 25
    assert ARRANGEMENTS["extra_time_50"].extra_time_percent == 50
    others = [k for k in ALL_KEYS if not k.startswith("extra_time")]
    assert all(ARRANGEMENTS[k].extra_time_percent is None for k in others)


def test_needs_scores_only_where_a_score_rule_exists() -> None:
    scored = {k for k, a in ARRANGEMENTS.items() if a.needs_scores}
    assert scored == {"extra_time_25", "extra_time_50", "scribe", "speech_recognition"}


def test_rooms() -> None:
    separate = {k for k, a in ARRANGEMENTS.items() if a.room == "separate room"}
    assert separate == {
        "reader",
        "scribe",
        "speech_recognition",
        "separate_invigilation",
        "read_aloud",
        "live_speaker",
        "practical_assistant",
    }
    assert ARRANGEMENTS["rest_breaks"].room is None
    assert ARRANGEMENTS["extra_time_25"].room is None


def test_names() -> None:
    assert ARRANGEMENTS["extra_time_25"].name == "25% extra time"
    assert ARRANGEMENTS["rest_breaks"].name == "Supervised rest breaks"
    names = [a.name for a in ARRANGEMENTS.values()]
    assert len(names) == len(set(names))


# --- evidence routes -------------------------------------------------------------------------


def test_evidence_routes_wording() -> None:
    assert EVIDENCE_ROUTES == {
        "assessment": "Specialist assessment with standardised scores (Form 8)",
        "professional": "EHC plan or a professional's letter",
        "picture_of_need": "The SENCo's picture of need",
    }


@pytest.mark.parametrize(
    ("key", "routes"),
    [
        ("extra_time_25", ("assessment",)),
        ("extra_time_25_other", ("professional",)),
        ("extra_time_50", ("assessment", "professional")),
        ("scribe", ("assessment", "professional")),
        ("speech_recognition", ("assessment", "professional")),
        ("reader", ("picture_of_need",)),
        ("rest_breaks", ("picture_of_need", "professional")),
        ("braille_papers", ("professional", "picture_of_need")),
    ],
)
def test_evidence_route_needed(key: str, routes: tuple[str, ...]) -> None:
    assert evidence_route_needed(key) == routes


def test_evidence_route_needed_unknown_key() -> None:
    with pytest.raises(ValueError, match="not a known access arrangement"):
        evidence_route_needed("ghost")


# --- statuses --------------------------------------------------------------------------------


def test_statuses() -> None:
    assert STATUSES == (
        "proposed",
        "gathering evidence",
        "approved in centre",
        "applied online",
        "approved by awarding body",
        "expired",
        "withdrawn",
    )


@pytest.mark.parametrize("key", DELEGATED_KEYS)
def test_delegated_flow_never_applies_online(key: str) -> None:
    reachable = {s for status in STATUSES for s in next_statuses(key, status)}
    assert "applied online" not in reachable
    assert "approved by awarding body" not in reachable
    assert "approved in centre" in next_statuses(key, "proposed")
    assert next_statuses(key, "gathering evidence") == ("approved in centre", "withdrawn")
    assert next_statuses(key, "approved in centre") == ("expired", "withdrawn")


@pytest.mark.parametrize(
    "key",
    [
        "extra_time_25",
        "extra_time_50",
        "reader",
        "scribe",
        "enlarged_papers",
        "practical_assistant",
    ],
)
def test_online_flow(key: str) -> None:
    reachable = {s for status in STATUSES for s in next_statuses(key, status)}
    assert "approved in centre" not in reachable
    assert next_statuses(key, "proposed") == ("gathering evidence", "withdrawn")
    assert "approved by awarding body" not in next_statuses(key, "gathering evidence")
    assert next_statuses(key, "gathering evidence") == ("applied online", "withdrawn")
    assert "approved by awarding body" in next_statuses(key, "applied online")
    assert "gathering evidence" in next_statuses(key, "applied online")  # refused: try again
    assert next_statuses(key, "approved by awarding body") == ("expired", "withdrawn")


@pytest.mark.parametrize("key", ALL_KEYS)
def test_withdrawn_from_every_live_status_and_final_statuses_lead_nowhere(key: str) -> None:
    delegated = ARRANGEMENTS[key].route == DELEGATED
    live = ["proposed", "gathering evidence"]
    live.append("approved in centre" if delegated else "applied online")
    if not delegated:
        live.append("approved by awarding body")
    for status in live:
        assert "withdrawn" in next_statuses(key, status), status
    assert next_statuses(key, "expired") == ()
    assert next_statuses(key, "withdrawn") == ()
    # a status the route never uses leads nowhere — except that an arrangement approved in
    # the centre before its route became an online application (a practical assistant,
    # AARA 2025–26) can still expire or be withdrawn
    if delegated:
        assert next_statuses(key, "applied online") == ()
    else:
        assert next_statuses(key, "approved in centre") == ("expired", "withdrawn")


def test_next_statuses_refuses_unknown_status_and_key() -> None:
    with pytest.raises(ValueError, match="not an arrangement status") as caught:
        next_statuses("reader", "approved")
    assert "gathering evidence" in str(caught.value)
    with pytest.raises(ValueError, match="not a known access arrangement"):
        next_statuses("ghost", "proposed")


# --- approval validity ------------------------------------------------------------------------


def test_approval_months_default() -> None:
    assert APPROVAL_MONTHS == 26
    assert expires_on(date(2024, 9, 15)) == date(2026, 11, 15)


@pytest.mark.parametrize(
    ("approved", "months", "expected"),
    [
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # leap year
        (date(2024, 12, 31), 2, date(2025, 2, 28)),  # not a leap year
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 29), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 15), 11, date(2025, 12, 15)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
        (date(2023, 12, 31), 26, date(2026, 2, 28)),
        (date(2025, 12, 31), 26, date(2028, 2, 29)),
    ],
)
def test_expires_on_clamps_to_month_end(approved: date, months: int, expected: date) -> None:
    assert expires_on(approved, months) == expected


@pytest.mark.parametrize("months", [0, -1, True])
def test_expires_on_refuses_silly_months(months: int) -> None:
    with pytest.raises(ValueError, match="whole number of months"):
        expires_on(date(2025, 1, 1), months)


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 120))
def test_expiry_is_later_and_months_apart(approved: date, months: int) -> None:
    end = expires_on(approved, months)
    assert end > approved
    assert (end.year - approved.year) * 12 + end.month - approved.month == months
    assert end.day <= approved.day


# --- Year 9 and assessment problems ---------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "start"),
    [
        (date(2010, 9, 1), date(2024, 9, 1)),
        (date(2011, 8, 31), date(2024, 9, 1)),
        (date(2010, 8, 31), date(2023, 9, 1)),
        (date(2011, 9, 1), date(2025, 9, 1)),
        (date(2012, 2, 29), date(2025, 9, 1)),
        (date(2010, 12, 25), date(2024, 9, 1)),
    ],
)
def test_year9_start(born: date, start: date) -> None:
    assert year9_start(born) == start


BORN = date(2010, 9, 1)  # starts Year 9 on 1 Sep 2024


def problems(**changes: object) -> list[str]:
    args: dict[str, object] = {
        "taken_on": date(2025, 3, 3),
        "date_of_birth": BORN,
        "picture_of_need_on": date(2025, 2, 1),
        "assessor_qualification": "Level 7 CPT3A",
        "today": date(2025, 6, 1),
    }
    args.update(changes)
    return assessment_problems(**args)  # type: ignore[arg-type]


def test_clean_assessment_has_no_problems() -> None:
    assert problems() == []


def test_assessment_on_the_first_day_of_year_9_is_fine() -> None:
    assert problems(taken_on=date(2024, 9, 1), picture_of_need_on=date(2024, 9, 1)) == []


def test_assessment_before_year_9_is_too_early() -> None:
    found = problems(taken_on=date(2024, 8, 31), picture_of_need_on=date(2024, 7, 1))
    assert len(found) == 1
    assert (
        "too early for GCSE: tests must be taken no earlier than the start of Year 9" in (found[0])
    )
    assert "01/09/2024" in found[0]
    assert "31/08/2024" in found[0]


def test_picture_of_need_missing() -> None:
    found = problems(picture_of_need_on=None)
    assert found == [
        "Form 8 Part 1 (the SENCo's picture of need) is missing: it must be completed before "
        "the assessment."
    ]


def test_picture_of_need_after_the_assessment() -> None:
    found = problems(picture_of_need_on=date(2025, 3, 4))
    assert len(found) == 1
    assert "dated 04/03/2025, after the assessment on 03/03/2025" in found[0]
    assert "must be completed before the assessment" in found[0]


def test_picture_of_need_on_the_day_of_the_assessment_is_accepted() -> None:
    assert problems(picture_of_need_on=date(2025, 3, 3)) == []


@pytest.mark.parametrize("qualification", [None, "", "   "])
def test_no_assessor_qualification(qualification: str | None) -> None:
    found = problems(assessor_qualification=qualification)
    assert len(found) == 1
    assert found[0].startswith("No assessor qualification is on file")


def test_assessment_in_the_future() -> None:
    found = problems(taken_on=date(2025, 6, 2))
    assert found == ["The assessment date 02/06/2025 is in the future."]
    assert problems(taken_on=date(2025, 6, 1)) == []  # today is fine


def test_missing_date_of_birth_is_reported_not_guessed() -> None:
    found = problems(date_of_birth=None)
    assert found == [
        "The pupil's date of birth is not on file, so the Year 9 rule cannot be checked."
    ]


def test_every_problem_at_once() -> None:
    found = problems(
        taken_on=date(2024, 8, 1),
        picture_of_need_on=None,
        assessor_qualification=None,
        today=date(2024, 7, 1),
    )
    assert len(found) == 4
    assert all(p.endswith(".") for p in found)


def test_assessment_problems_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        assessment_problems(  # type: ignore[misc]
            date(2025, 3, 3), BORN, date(2025, 2, 1), "L7", date(2025, 6, 1)
        )


# --- the edition ------------------------------------------------------------------------------


def test_default_edition_is_aara_2025_26_amended_march_2026() -> None:
    edition = jcq.EDITION_2025_26
    assert (edition.starts, edition.ends) == (date(2025, 9, 1), date(2026, 8, 31))
    assert edition.name == "AARA 2025–26 (amended March 2026)"


@pytest.mark.parametrize("today", [date(2025, 9, 1), date(2026, 3, 15), date(2026, 8, 31)])
def test_no_notice_while_the_edition_is_in_force(today: date) -> None:
    assert jcq.edition_notice(today) is None


def test_notice_after_the_edition_ends_but_the_rules_still_apply() -> None:
    notice = jcq.edition_notice(date(2026, 9, 1))
    assert notice is not None
    assert "in force until 31/08/2026; today is after that" in notice
    assert "SENDesk still applies them" in notice
    # nothing in check() depends on the date: the same scores, the same verdict
    assert et25((WS, 80), (RS, 80)).met


def test_notice_before_the_edition_starts() -> None:
    notice = jcq.edition_notice(date(2025, 8, 31))
    assert notice is not None and "in force from 01/09/2025" in notice


def test_edition_dates_are_a_parameter() -> None:
    # JCQ has said 2025–26 stays in force for 2026–27: a school moves the end date on
    later = jcq.Edition("AARA 2025–26 (amended March 2026)", date(2025, 9, 1), date(2027, 8, 31))
    assert jcq.edition_notice(date(2026, 12, 7), later) is None
    assert jcq.edition_notice(date(2026, 12, 7)) is not None
