"""Tests for sendesk.rules.upn: the DfE check letter, validation messages and make()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules import upn

# An independent oracle written the way python-stdnum does it: digits sit after the 23
# letters, so a digit d has index 23 + d, which is d mod 23. Deliberately not upn._value.
_ORACLE_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def oracle_letter(body12: str) -> str:
    total = sum(i * _ORACLE_ALPHABET.index(c) for i, c in enumerate(body12, start=2))
    return _ORACLE_ALPHABET[total % 23]


REFERENCE_VALID = ["H801200001001", "B801200005001", "G80120000101A"]

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
temp_letter = st.sampled_from(upn.LETTERS)
permanent_body = st.builds(lambda d, last: d + last, digits, st.sampled_from("0123456789"))
temporary_body = st.builds(lambda d, last: d + last, digits, temp_letter)


# --- the letter table -------------------------------------------------------------------


def test_letters_are_23_without_i_o_s() -> None:
    assert upn.LETTERS == "ABCDEFGHJKLMNPQRTUVWXYZ"
    assert len(upn.LETTERS) == 23
    assert len(set(upn.LETTERS)) == 23
    assert not set("IOS") & set(upn.LETTERS)
    assert list(upn.LETTERS) == sorted(upn.LETTERS)


@pytest.mark.parametrize(
    ("valid", "remainder"),
    [
        ("X801200001002", 20),
        ("Y801200001022", 21),  # hand check: 16+4+10+10+24+26 = 90 = 3*23 + 21
        ("Z801200001013", 22),  # hand check: 16+4+10+10+12+39 = 91 = 3*23 + 22
        ("Y80120000100V", 21),  # temporary: V is index 18
        ("Z80120000100M", 22),  # temporary: M is index 11; 40 + 143 = 183 = 7*23 + 22
    ],
)
def test_letter_table_does_not_stop_at_x(valid: str, remainder: int) -> None:
    """A table that stops at X would reject every UPN whose remainder is 21 or 22."""
    assert upn.LETTERS[remainder] == valid[0]
    assert upn.check_letter(valid[1:]) == valid[0]
    assert upn.is_valid(valid)


def test_every_remainder_is_reachable() -> None:
    seen = {upn.check_letter(f"801200001{s:03d}") for s in range(1000)}
    assert seen == set(upn.LETTERS)


# --- check_letter ---------------------------------------------------------------------------


@pytest.mark.parametrize("valid", REFERENCE_VALID)
def test_reference_examples_check_letter(valid: str) -> None:
    assert upn.check_letter(valid[1:]) == valid[0]


def test_known_check_letters() -> None:
    assert upn.check_letter("801200001001") == "H"
    assert upn.check_letter("801200005001") == "B"
    assert upn.check_letter("80120000101A") == "G"
    assert upn.check_letter("000000000000") == "A"
    # 13 * 1 = 13 -> P; a final letter B counts as 1, the same as the digit 1.
    assert upn.check_letter("000000000001") == "P"
    assert upn.check_letter("00000000000B") == "P"
    # Z counts as 22: 13 * 22 = 286 = 12 * 23 + 10 -> L.
    assert upn.check_letter("00000000000Z") == "L"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "80120000100",  # 11
        "8012000010011",  # 13
        "A01200001001",  # letter in the digits
        "8012000010A1",  # letter at position 12
        "80120000100I",
        "80120000100O",
        "80120000100S",
        "80120000100a",  # lower case is the caller's job
        "80120000100-",
        "8012 0000100",
        "80120000100\u0661",  # Arabic-Indic digit one: isdigit() but not ASCII
        "\u0668" + "01200001001",
    ],
)
def test_check_letter_rejects_malformed_body(body: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        upn.check_letter(body)


def test_check_letter_error_says_length() -> None:
    with pytest.raises(ValueError, match=r"12 characters \(this one has 11\)"):
        upn.check_letter("80120000100")


@pytest.mark.parametrize("valid", REFERENCE_VALID)
def test_every_single_substitution_changes_the_check_letter(valid: str) -> None:
    """Any one wrong body character (digit for digit, letter for letter) is caught.

    Weights 2..13 are all non-zero mod 23 (a prime) and two characters of one kind differ
    by less than 23, so the sum mod 23 always moves.
    """
    body = valid[1:]
    changed = 0
    for pos, original in enumerate(body):
        alphabet = "0123456789" if original.isdigit() else upn.LETTERS
        for replacement in alphabet:
            if replacement == original:
                continue
            mutated = body[:pos] + replacement + body[pos + 1 :]
            assert upn.check_letter(mutated) != valid[0], mutated
            assert not upn.is_valid(valid[0] + mutated)
            changed += 1
    assert changed >= 11 * 9 + 9


def test_permanent_and_temporary_with_same_final_value_share_a_letter() -> None:
    """Documented property: a final digit d and the letter LETTERS[d] count the same."""
    for d in range(10):
        assert upn.check_letter(f"80120000100{d}") == upn.check_letter(
            f"80120000100{upn.LETTERS[d]}"
        )


@given(permanent_body)
def test_check_letter_matches_oracle_permanent(body: str) -> None:
    assert upn.check_letter(body) == oracle_letter(body)


@given(temporary_body)
def test_check_letter_matches_oracle_temporary(body: str) -> None:
    assert upn.check_letter(body) == oracle_letter(body)


@given(digits, st.integers(min_value=0, max_value=10), st.integers(1, 9))
def test_adjacent_digit_transposition_or_change_detected(d: str, pos: int, delta: int) -> None:
    body = d + "0"
    changed = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    assert upn.check_letter(changed) != upn.check_letter(body)


# --- is_valid / problem -------------------------------------------------------------------


@pytest.mark.parametrize("valid", REFERENCE_VALID)
def test_reference_examples_valid(valid: str) -> None:
    assert upn.is_valid(valid)
    assert upn.problem(valid) is None


@pytest.mark.parametrize(
    ("messy", "reason"),
    [
        ("h801200001001", "UPN must be in capital letters (H801200001001)"),
        ("g80120000101a", "UPN must be in capital letters (G80120000101A)"),
        ("  H801200001001", "UPN has a space or line break before or after it"),
        ("H801200001001\n", "UPN has a space or line break before or after it"),
    ],
)
def test_is_valid_is_strict_about_case_and_spaces(messy: str, reason: str) -> None:
    """The DfE format is capitals with nothing around them: a lower-case UPN is not valid
    (the importer upper-cases it and says so; see test_pupil_import)."""
    assert not upn.is_valid(messy)
    assert upn.problem(messy) == reason
    assert not upn.is_temporary(messy)
    assert upn.is_valid(upn.normalise(messy))


def test_normalise_strips_and_upper_cases() -> None:
    assert upn.normalise(" g80120000101a\t") == "G80120000101A"
    assert upn.normalise("H801200001001") == "H801200001001"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "UPN must be 13 characters (this one has 0)"),
        ("H80120000100", "UPN must be 13 characters (this one has 12)"),
        ("H8012000010011", "UPN must be 13 characters (this one has 14)"),
        ("H 801200001001", "UPN must be 13 characters (this one has 14)"),
        ("B801200001001", "UPN check letter should be 'H', not 'B'"),
        ("1801200001001", "UPN check letter should be 'H', not '1'"),
        ("I801200001001", "UPN check letter should be 'H', not 'I'"),
        ("H8012000A1001", "UPN characters 2\u201312 must be digits"),
        ("H8012000010A1", "UPN characters 2\u201312 must be digits"),
        ("H8012-0001001", "UPN characters 2\u201312 must be digits"),
        ("G80120000101I", "a temporary UPN's last character cannot be I, O or S"),
        ("G80120000101O", "a temporary UPN's last character cannot be I, O or S"),
        ("G80120000101S", "a temporary UPN's last character cannot be I, O or S"),
        ("g80120000101s", "UPN must be in capital letters (G80120000101S)"),
        ("G80120000101-", "UPN's last character must be a digit, or a letter for a temporary UPN"),
        ("G80120000101B", "UPN check letter should be 'W', not 'G'"),  # 6 + 13 = 19 -> W
    ],
)
def test_problem_messages(bad: str, message: str) -> None:
    assert upn.problem(bad) == message
    assert not upn.is_valid(bad)
    assert not upn.is_temporary(bad)


def test_surrounding_space_is_reported_before_length() -> None:
    assert upn.problem(" H80120000100 ") == "UPN has a space or line break before or after it"


def test_non_ascii_digits_are_not_digits() -> None:
    assert upn.problem("H80120000100\u0661") is not None
    assert upn.problem("H\u0668" + "01200001001") == "UPN characters 2\u201312 must be digits"


@given(permanent_body | temporary_body)
def test_is_valid_agrees_with_problem(body: str) -> None:
    for letter in upn.LETTERS:
        candidate = letter + body
        assert upn.is_valid(candidate) == (upn.problem(candidate) is None)


@given(permanent_body | temporary_body, st.sampled_from(upn.LETTERS))
def test_changing_the_check_letter_always_invalidates(body: str, other: str) -> None:
    right = upn.check_letter(body)
    assert upn.is_valid(right + body)
    if other != right:
        assert not upn.is_valid(other + body)
        assert upn.problem(other + body) == (f"UPN check letter should be '{right}', not '{other}'")


# --- is_temporary ---------------------------------------------------------------------------


def test_is_temporary_reference() -> None:
    assert upn.is_temporary("G80120000101A")
    assert not upn.is_temporary(" g80120000101a ")  # strict: normalise first
    assert upn.is_temporary(upn.normalise(" g80120000101a "))
    assert not upn.is_temporary("H801200001001")
    assert not upn.is_temporary("B801200005001")
    assert not upn.is_temporary("H80120000101A")  # right shape, wrong check letter


@given(temporary_body)
def test_temporary_upns_validate_and_are_temporary(body: str) -> None:
    candidate = oracle_letter(body) + body
    assert upn.is_valid(candidate)
    assert upn.is_temporary(candidate)
    assert not upn.is_valid(candidate.lower())
    assert upn.is_valid(upn.normalise(candidate.lower()))


@given(permanent_body)
def test_permanent_upns_are_not_temporary(body: str) -> None:
    candidate = oracle_letter(body) + body
    assert upn.is_valid(candidate)
    assert not upn.is_temporary(candidate)


# --- make -----------------------------------------------------------------------------------


def test_make_reference() -> None:
    assert upn.make(801, 2000, 1, 1) == "H801200001001"
    assert upn.make(801, 2000, 5, 1) == "B801200005001"
    assert upn.make(0, 0, 0, 0) == "A000000000000"
    assert upn.make(999, 9999, 99, 999)[1:] == "999999999999"


@given(st.integers(0, 999), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 999))
def test_make_always_validates(la: int, estab: int, year2: int, serial: int) -> None:
    made = upn.make(la, estab, year2, serial)
    assert len(made) == 13
    assert upn.is_valid(made)
    assert not upn.is_temporary(made)
    assert made[0] == oracle_letter(made[1:])
    assert made[1:4] == f"{la:03d}"
    assert made[4:8] == f"{estab:04d}"
    assert made[8:10] == f"{year2:02d}"
    assert made[10:13] == f"{serial:03d}"


@pytest.mark.parametrize(
    ("args", "part"),
    [
        ((1000, 0, 0, 0), "LA number"),
        ((-1, 0, 0, 0), "LA number"),
        ((801, 10000, 0, 0), "establishment number"),
        ((801, -1, 0, 0), "establishment number"),
        ((801, 2000, 100, 0), "year"),
        ((801, 2000, -1, 0), "year"),
        ((801, 2000, 1, 1000), "serial"),
        ((801, 2000, 1, -5), "serial"),
        ((True, 2000, 1, 1), "LA number"),
    ],
)
def test_make_rejects_out_of_range(args: tuple[int, int, int, int], part: str) -> None:
    with pytest.raises(ValueError, match=part):
        upn.make(*args)
