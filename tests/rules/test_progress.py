"""Tests for sendesk.rules.progress: ages, ratio gain, score change and the verdict bands."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules import progress
from sendesk.rules.progress import (
    AGE_MONTHS,
    DECLINE,
    DECLINED,
    IMPROVED,
    MODERATE,
    MODEST,
    NO_CLEAR_CHANGE,
    RATING,
    REMARKABLE,
    SIGNIFICANT,
    STANDARDISED,
    SUBSTANTIAL,
    UNCHANGED,
    USEFUL,
    ScoreBands,
    format_age,
    format_measure,
    measure_problem,
    months_elapsed,
    parse_age,
    parse_measure,
    rating_band,
    ratio_gain,
    ratio_gain_band,
    round_ratio,
    score_change,
    score_change_band,
    verdict,
)

# --- ages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("8:06", 102),
        ("8:6", 102),
        ("8.06", 102),
        ("8.6", 102),
        (" 8 : 06 ", 102),
        ("8y 6m", 102),
        ("8y6m", 102),
        ("8 yrs 6 mos", 102),
        ("8 years 6 months", 102),
        ("8 years, 6 months", 102),
        ("8Y 6M", 102),
        ("8 years", 96),
        ("8y", 96),
        ("0:11", 11),
        ("10:00", 120),
        ("15:11", 191),
        ("1 year 1 month", 13),
    ],
)
def test_parse_age(text: str, months: int) -> None:
    assert parse_age(text) == months


@pytest.mark.parametrize("text", ["", "eight", "102", "8", "8:", ":06", "8:06:01", "-8:06", "8m"])
def test_parse_age_refuses_what_is_not_an_age(text: str) -> None:
    with pytest.raises(ValueError, match="not an age"):
        parse_age(text)


@pytest.mark.parametrize("text", ["8:12", "8:99", "8y 13m"])
def test_parse_age_refuses_twelve_months_or_more(text: str) -> None:
    with pytest.raises(ValueError, match="months go from 0 to 11"):
        parse_age(text)


@pytest.mark.parametrize(
    ("months", "text"),
    [(102, "8:06"), (96, "8:00"), (11, "0:11"), (0, "0:00"), (191, "15:11"), (120, "10:00")],
)
def test_format_age(months: int, text: str) -> None:
    assert format_age(months) == text


def test_format_age_rounds_a_fraction_to_the_nearest_month_halves_up() -> None:
    assert format_age(101.5) == "8:06"
    assert format_age(101.49) == "8:05"
    assert format_age(102.4) == "8:06"


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_format_age_refuses_negative_and_non_numbers(bad: float) -> None:
    with pytest.raises(ValueError):
        format_age(bad)


@given(st.integers(min_value=0, max_value=299))
def test_age_round_trip(months: int) -> None:
    assert parse_age(format_age(months)) == months


# --- measures as typed ----------------------------------------------------------------------


def test_parse_measure_by_kind() -> None:
    assert parse_measure(AGE_MONTHS, "8:06") == 102.0
    assert parse_measure(STANDARDISED, " 84 ") == 84.0
    assert parse_measure(RATING, "3.5") == 3.5
    assert parse_measure(RATING, "-2") == -2.0


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (AGE_MONTHS, "", "empty"),
        (AGE_MONTHS, "84", "not an age"),
        (AGE_MONTHS, "0:00", "between 0:01 and 25:00"),
        (AGE_MONTHS, "26:00", "between 0:01 and 25:00"),
        (STANDARDISED, "eighty", "not a number"),
        (STANDARDISED, "0", "between 1 and 199"),
        (STANDARDISED, "250", "between 1 and 199"),
        (RATING, "nan", "not a number"),
        ("shoe size", "3", "not a kind of measure"),
    ],
)
def test_parse_measure_refuses(kind: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_measure(kind, text)


def test_measure_problem() -> None:
    assert measure_problem(AGE_MONTHS, 102) is None
    assert measure_problem(AGE_MONTHS, 300) is None
    assert measure_problem(AGE_MONTHS, 301) is not None
    assert measure_problem(STANDARDISED, 55) is None
    assert measure_problem(RATING, 1000) is None
    assert measure_problem(RATING, float("inf")) == "The measure is not a number."


def test_format_measure() -> None:
    assert format_measure(AGE_MONTHS, 102) == "8:06"
    assert format_measure(STANDARDISED, 84.0) == "84"
    assert format_measure(RATING, 3.25) == "3.3"
    assert format_measure(RATING, 3.5) == "3.5"
    assert format_measure(RATING, None) == ""


def test_labels_cover_every_kind() -> None:
    assert set(progress.MEASURE_KIND_LABELS) == set(progress.MEASURE_KINDS)


# --- months elapsed and ratio gain -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 9, 1), date(2024, 12, 1), 3.0),
        (date(2024, 9, 1), date(2025, 9, 1), 12.0),
        (date(2024, 9, 1), date(2024, 9, 1), 0.0),
        (date(2024, 1, 31), date(2024, 2, 29), 1.0),
        (date(2023, 1, 31), date(2023, 3, 1), 1 + 1 / (365.25 / 12)),
        (date(2024, 12, 1), date(2024, 9, 1), -3.0),
    ],
)
def test_months_elapsed(start: date, end: date, months: float) -> None:
    assert months_elapsed(start, end) == pytest.approx(months)


def test_months_elapsed_counts_leftover_days_as_a_fraction_of_an_average_month() -> None:
    assert months_elapsed(date(2024, 9, 15), date(2024, 10, 1)) == pytest.approx(16 / 30.4375)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=2000),
)
def test_months_elapsed_tracks_days(start: date, days: int) -> None:
    # Within a day or two of days / average month, never going backwards.
    end = start + timedelta(days=days)
    assert months_elapsed(start, end) == pytest.approx(days / 30.4375, abs=0.1)
    assert months_elapsed(start, end + timedelta(days=1)) > months_elapsed(start, end)
    assert months_elapsed(end, start) == -months_elapsed(start, end)


def test_ratio_gain_is_months_gained_over_months_elapsed() -> None:
    # Reading age 7:00 → 8:00 in four months: 12 / 4 = 3.0.
    assert ratio_gain(84, 96, date(2024, 9, 1), date(2025, 1, 1)) == pytest.approx(3.0)
    assert ratio_gain(84, 90, date(2024, 9, 1), date(2025, 3, 1)) == pytest.approx(1.0)


def test_ratio_gain_is_none_when_no_time_elapsed() -> None:
    assert ratio_gain(84, 96, date(2024, 9, 1), date(2024, 9, 1)) is None


def test_ratio_gain_is_negative_when_the_score_fell() -> None:
    assert ratio_gain(96, 90, date(2024, 9, 1), date(2025, 3, 1)) == pytest.approx(-1.0)


def test_ratio_gain_refuses_an_exit_before_the_entry() -> None:
    with pytest.raises(ValueError, match="before the entry"):
        ratio_gain(84, 96, date(2025, 1, 1), date(2024, 9, 1))


# --- Brooks bands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "band"),
    [
        (-2.0, MODEST),
        (0.0, MODEST),
        (0.9, MODEST),
        (1.0, MODEST),
        (1.3, MODEST),
        (1.34, MODEST),
        (1.35, USEFUL),  # rounds to 1.4
        (1.4, USEFUL),
        (1.9, USEFUL),
        (1.94, USEFUL),
        (1.95, SUBSTANTIAL),  # rounds to 2.0
        (2.0, SUBSTANTIAL),
        (2.9, SUBSTANTIAL),
        (2.94, SUBSTANTIAL),
        (2.95, REMARKABLE),  # rounds to 3.0
        (3.0, REMARKABLE),
        (7.5, REMARKABLE),
    ],
)
def test_ratio_gain_band(ratio: float, band: str) -> None:
    assert ratio_gain_band(ratio) == band


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(1.35, 1.4), (1.349, 1.3), (2.05, 2.1), (0.25, 0.3), (-0.25, -0.3), (3.0, 3.0)],
)
def test_round_ratio_halves_up(value: float, rounded: float) -> None:
    assert round_ratio(value) == rounded


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_ratio_bands_never_go_down_as_the_ratio_goes_up(ratio: float) -> None:
    order = [MODEST, USEFUL, SUBSTANTIAL, REMARKABLE]
    assert order.index(ratio_gain_band(ratio)) <= order.index(ratio_gain_band(ratio + 0.05))


# --- standardised scores -------------------------------------------------------------------


def test_score_change() -> None:
    assert score_change(84, 92) == 8
    assert score_change(92, 84) == -8


@pytest.mark.parametrize(
    ("change", "band"),
    [
        (12, SIGNIFICANT),
        (7, SIGNIFICANT),
        (6.5, SIGNIFICANT),  # rounds to 7
        (6.4, MODERATE),
        (6, MODERATE),
        (4, MODERATE),
        (3.5, MODERATE),  # rounds to 4
        (3.4, NO_CLEAR_CHANGE),
        (3, NO_CLEAR_CHANGE),
        (0, NO_CLEAR_CHANGE),
        (-3, NO_CLEAR_CHANGE),
        (-3.4, NO_CLEAR_CHANGE),
        (-3.5, DECLINE),  # rounds to -4
        (-4, DECLINE),
        (-20, DECLINE),
    ],
)
def test_score_change_band_defaults(change: float, band: str) -> None:
    assert score_change_band(change) == band


def test_score_bands_are_a_setting() -> None:
    strict = ScoreBands(significant=10, moderate=5, decline=-5)
    assert score_change_band(8, strict) == MODERATE
    assert score_change_band(-4, strict) == NO_CLEAR_CHANGE
    assert score_change_band(10, strict) == SIGNIFICANT


@pytest.mark.parametrize(
    ("significant", "moderate", "decline"), [(4, 7, -4), (7, 0, -4), (7, 4, 0), (7, 7, -4)]
)
def test_score_bands_must_be_in_order(significant: int, moderate: int, decline: int) -> None:
    with pytest.raises(ValueError, match="decline < 0 < moderate < significant"):
        ScoreBands(significant, moderate, decline)


@pytest.mark.parametrize(("change", "band"), [(2, IMPROVED), (0.5, IMPROVED), (0, UNCHANGED)])
def test_rating_band(change: float, band: str) -> None:
    assert rating_band(change) == band
    if change:
        assert rating_band(-change) == DECLINED


# --- verdicts ------------------------------------------------------------------------------


def test_age_verdict_text() -> None:
    v = verdict(AGE_MONTHS, 84, 93, date(2024, 9, 1), date(2025, 1, 1))
    assert v.band == SUBSTANTIAL
    assert v.figure == 2.3  # 9 / 4 = 2.25 → 2.3
    assert not v.gap_widened
    assert v.text == (
        "Ratio gain 2.3: substantial impact (Brooks). 7:00 → 7:09, 9 months gained in 4 months."
    )


def test_age_verdict_below_one_says_the_gap_widened() -> None:
    v = verdict(AGE_MONTHS, 84, 86, date(2024, 9, 1), date(2025, 1, 1))
    assert v.band == MODEST
    assert v.figure == 0.5
    assert v.gap_widened
    assert "2 months gained in 4 months" in v.text
    assert v.text.endswith("Below 1, the pupil fell further behind their age: the gap widened.")


def test_age_verdict_at_exactly_one_is_modest_but_not_widened() -> None:
    v = verdict(AGE_MONTHS, 84, 88, date(2024, 9, 1), date(2025, 1, 1))
    assert v.figure == 1.0 and v.band == MODEST and not v.gap_widened


def test_age_verdict_when_the_score_fell() -> None:
    v = verdict(AGE_MONTHS, 90, 89, date(2024, 9, 1), date(2024, 10, 1))
    assert v.figure == -1.0
    assert "1 month lost in 1 month" in v.text
    assert v.gap_widened


def test_age_verdict_with_no_time_elapsed_has_no_band() -> None:
    v = verdict(AGE_MONTHS, 84, 90, date(2024, 9, 1), date(2024, 9, 1))
    assert v.band is None and v.figure is None
    assert "same date" in v.text


def test_age_verdict_with_fractional_months() -> None:
    v = verdict(AGE_MONTHS, 84, 90, date(2024, 9, 15), date(2024, 12, 1))
    assert "6 months gained in 2.5 months" in v.text
    assert v.figure == 2.4


def test_standardised_verdict_text() -> None:
    v = verdict(STANDARDISED, 84, 92, date(2024, 9, 1), date(2025, 1, 1))
    assert (v.band, v.figure) == (SIGNIFICANT, 8)
    assert v.text == "Standardised score 84 → 92 (+8): significant gain."
    down = verdict(STANDARDISED, 92, 86, date(2024, 9, 1), date(2025, 1, 1))
    assert down.text == "Standardised score 92 → 86 (-6): decline."
    same = verdict(STANDARDISED, 92, 92, date(2024, 9, 1), date(2024, 9, 1))
    assert same.text == "Standardised score 92 → 92 (0): no clear change."


def test_standardised_verdict_uses_given_bands() -> None:
    v = verdict(
        STANDARDISED, 84, 92, date(2024, 9, 1), date(2025, 1, 1), bands=ScoreBands(10, 5, -5)
    )
    assert v.band == MODERATE


def test_rating_verdict_text() -> None:
    v = verdict(RATING, 2, 4.5, date(2024, 9, 1), date(2025, 1, 1))
    assert v.text == "Rating 2 → 4.5 (+2.5): improved."
    assert v.band == IMPROVED


def test_a_verdict_names_the_measure_by_its_unit() -> None:
    """The pack reads "words per minute 8 → 13", never a generic "Rating" (issue 11)."""
    v = verdict(RATING, 8, 13, date(2024, 9, 1), date(2025, 1, 1), unit="words per minute")
    assert v.text == "Words per minute 8 → 13 (+5): improved."
    v = verdict(STANDARDISED, 84, 92, date(2024, 9, 1), date(2025, 1, 1), unit="SWRT")
    assert v.text == "SWRT 84 → 92 (+8): significant gain."


def test_verdict_refuses_unknown_kind_and_backwards_dates() -> None:
    with pytest.raises(ValueError, match="not a kind of measure"):
        verdict("shoe size", 1, 2, date(2024, 9, 1), date(2025, 1, 1))
    with pytest.raises(ValueError, match="before the entry"):
        verdict(STANDARDISED, 1, 2, date(2025, 9, 1), date(2025, 1, 1))
