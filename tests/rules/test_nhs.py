"""Tests for sendesk.rules.nhs: modulus-11 check digit, formats and the test range."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules import nhs


def oracle_check(first9: str) -> int | None:
    """Independent restatement: weights 10..2, 11 - (sum mod 11), 11 -> 0, 10 -> invalid."""
    weights = [10, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(w * int(c) for w, c in zip(weights, first9, strict=True))
    result = 11 - (total % 11)
    return {11: 0, 10: None}.get(result, result)


# --- the reference example ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_reference_number_is_valid(text: str) -> None:
    assert nhs.is_valid(text)
    assert nhs.normalise(text) == "9434765919"


def test_reference_check_digit() -> None:
    # 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11-2 = 9.
    assert nhs.check_digit("943476591") == 9


@pytest.mark.parametrize("last", "012345678")
def test_reference_with_wrong_check_digit_is_invalid(last: str) -> None:
    assert not nhs.is_valid("943476591" + last)


# --- check digit edge cases -----------------------------------------------------------------


def test_remainder_giving_ten_is_invalid() -> None:
    # 1*10 + 1*2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> no valid check digit exists.
    assert nhs.check_digit("100000001") is None
    for last in "0123456789":
        assert not nhs.is_valid("100000001" + last)
        assert not nhs.is_valid("999000000" + last)  # 243 mod 11 = 1 as well


def test_remainder_zero_gives_check_digit_zero() -> None:
    # 11 - 0 = 11, which is written as 0.
    assert nhs.check_digit("000000000") == 0
    assert nhs.check_digit("200000001") == 0  # 2*10 + 1*2 = 22 = 2*11
    assert nhs.is_valid("2000000010")
    assert not nhs.is_valid("2000000011")


def test_remainder_ten_gives_check_digit_one() -> None:
    assert nhs.check_digit("100000000") == 1  # 10 mod 11 = 10; 11 - 10 = 1
    assert nhs.is_valid("1000000001")


def test_more_known_check_digits() -> None:
    assert nhs.check_digit("400000006") == 3  # 40 + 12 = 52; 52 mod 11 = 8; 11 - 8 = 3
    assert nhs.check_digit("999000001") == 8  # 243 + 2 = 245; 245 mod 11 = 3; 11 - 3 = 8


@pytest.mark.parametrize("bad", ["", "94347659", "9434765919", "94347659A", "943 47659", "٩" * 9])
def test_check_digit_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        nhs.check_digit(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_matches_oracle(first9: str) -> None:
    assert nhs.check_digit(first9) == oracle_check(first9)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_is_valid_iff_last_digit_is_the_check(first9: str) -> None:
    expected = oracle_check(first9)
    for last in range(10):
        assert nhs.is_valid(f"{first9}{last}") == (expected == last)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.integers(1, 9))
def test_single_digit_change_is_detected(first9: str, pos: int, delta: int) -> None:
    check = oracle_check(first9)
    if check is None:
        return
    valid = f"{first9}{check}"
    assert nhs.is_valid(valid)
    changed = valid[:pos] + str((int(valid[pos]) + delta) % 10) + valid[pos + 1 :]
    assert not nhs.is_valid(changed)


# --- is_valid / normalise formats -----------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "943476591",
        "94347659190",
        "943.476.5919",
        "943/476/5919",
        "943476591O",
        "+449434765919",
        "٩٤٣٤٧٦٥٩١٩",
    ],
)
def test_bad_formats_are_invalid(bad: str) -> None:
    assert not nhs.is_valid(bad)
    with pytest.raises(ValueError, match="10 digits"):
        nhs.normalise(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("  9434765919  ", "9434765919"),
        ("9434765918", "9434765918"),
    ],  # normalise checks format only, not the check digit
)
def test_normalise(raw: str, expected: str) -> None:
    assert nhs.normalise(raw) == expected


# --- test range -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "is_test"),
    [
        ("9990000000", True),
        ("999 000 0000", True),
        ("999 999 9999", True),
        ("9990000018", True),
        ("9989999999", False),
        ("9434765919", False),
        ("0999999999", False),
        ("999", False),  # not a 10-digit number at all
        ("", False),
    ],
)
def test_is_test_number(number: str, is_test: bool) -> None:
    assert nhs.is_test_number(number) is is_test


def test_test_numbers_can_be_valid() -> None:
    assert nhs.is_valid("9990000018") and nhs.is_test_number("9990000018")
    assert nhs.is_valid("9999999999") and nhs.is_test_number("9999999999")


@given(st.integers(0, 9_999_999_999))
def test_test_range_property(n: int) -> None:
    text = f"{n:010d}"
    assert nhs.is_test_number(text) == (9_990_000_000 <= n <= 9_999_999_999)
