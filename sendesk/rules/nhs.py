"""NHS numbers: format and modulus-11 check digit.

Why this module exists: SENDesk records a pupil's NHS number to match health reports and
EHC advice to the right child. A transposed digit would attach a clinician's letter to the
wrong pupil, so the check digit is verified wherever a number is entered or imported.

Rule: multiply digits 1-9 by 10, 9, ..., 2; sum; remainder mod 11; check digit is
11 - remainder, where 11 becomes 0 and 10 means no valid number has those nine digits.
Numbers 999 000 0000 to 999 999 9999 are reserved for testing and never issued.
"""

from __future__ import annotations

_SEPARATORS = str.maketrans("", "", " -")


def normalise(nhs: str) -> str:
    """Return ``nhs`` as 10 bare digits, removing spaces and hyphens (``"943 476 5919"``).

    Only the format is checked, not the check digit (use :func:`is_valid`), so the caller
    can say which of the two is wrong. Raises ValueError when the result is not 10 digits.
    """
    digits = nhs.translate(_SEPARATORS)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValueError("an NHS number must be 10 digits (spaces and hyphens are allowed)")
    return digits


def check_digit(first9: str) -> int | None:
    """The check digit for the first nine digits, or None when no check digit can exist.

    A remainder that gives 10 means the nine digits are never issued as an NHS number.
    Raises ValueError unless ``first9`` is exactly nine digits.
    """
    if len(first9) != 9 or not (first9.isascii() and first9.isdigit()):
        raise ValueError("the first part of an NHS number must be 9 digits")
    total = sum(weight * int(d) for weight, d in zip(range(10, 1, -1), first9, strict=True))
    check = 11 - total % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def is_valid(nhs: str) -> bool:
    """True when ``nhs`` (spaces and hyphens allowed) is 10 digits with a correct check."""
    try:
        digits = normalise(nhs)
    except ValueError:
        return False
    return check_digit(digits[:9]) == int(digits[9])


def is_test_number(nhs: str) -> bool:
    """True for numbers in 999 000 0000-999 999 9999, reserved by the NHS for testing.

    Real pupil records should not carry one; the demo school and the tests should. A string
    that is not 10 digits is not a test number.
    """
    try:
        return normalise(nhs).startswith("999")
    except ValueError:
        return False
