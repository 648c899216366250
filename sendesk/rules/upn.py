"""Unique Pupil Numbers (UPNs): check letters, validation and construction.

Why this module exists: the UPN is the key that ties a pupil's SEN record to the school's
MIS export and to the DfE census. A mistyped or mis-exported UPN silently splits one pupil
into two records, so every UPN that enters SENDesk is checked here first, and the importer
shows :func:`problem`'s sentence to the person who has to fix the source data.

Facts (DfE "UPN guide"; GovTalk UniquePupilNumber-2-0; census rules 1510-1550):

* 13 characters. Character 1 is the check letter; 2-4 the DfE LA number; 5-8 the
  establishment number; 9-10 the last two digits of the year of allocation; 11-13 a serial.
* A *temporary* UPN has a letter from :data:`LETTERS` as character 13.
* Check letter: weight characters 2-13 by 2, 3, ..., 13, sum, take the remainder mod 23 and
  look it up in :data:`LETTERS`. A final letter counts as its index in :data:`LETTERS`.

Consequence worth knowing: a permanent UPN ending in digit ``d`` and the temporary UPN
ending in ``LETTERS[d]`` (otherwise identical) share the same check letter, because both
final characters count as ``d``.
"""

from __future__ import annotations

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 check letters, A-Z without I, O and S (0 -> A ... 22 -> Z).

Kept as the full 23 letters on purpose: one public validator's table stops at X, which
makes every UPN whose remainder is 21 (Y) or 22 (Z) look invalid.
"""

LENGTH = 13
_WEIGHTS = range(2, 14)  # weights for characters 2..13
_FORBIDDEN_LETTERS = "IOS"


def _value(char: str) -> int:
    """Value of one body character: a digit is itself, a letter is its index in LETTERS."""
    if char.isascii() and char.isdigit():
        return int(char)
    return LETTERS.index(char)


def check_letter(body12: str) -> str:
    """Return the check letter for ``body12``, characters 2-13 of a UPN.

    ``body12`` is 11 digits followed by a digit (permanent UPN) or an upper-case letter from
    :data:`LETTERS` (temporary UPN). It is not normalised here: callers that take user input
    should use :func:`normalise`, then :func:`is_valid` or :func:`problem`.

    Raises ValueError with a plain sentence when ``body12`` is malformed, because a check
    letter computed from garbage would look authoritative when it is not.
    """
    if len(body12) != 12:
        raise ValueError(f"a UPN body must be 12 characters (this one has {len(body12)})")
    head, last = body12[:11], body12[11]
    if not (head.isascii() and head.isdigit()):
        raise ValueError("the first 11 characters of a UPN body must be digits")
    if not ((last.isascii() and last.isdigit()) or last in LETTERS):
        raise ValueError(
            "the last character of a UPN body must be a digit or a capital letter other "
            "than I, O or S"
        )
    total = sum(weight * _value(char) for weight, char in zip(_WEIGHTS, body12, strict=True))
    return LETTERS[total % 23]


def normalise(upn: str) -> str:
    """``upn`` as an importer or a form should store it: stripped and upper-cased.

    Spreadsheets and MIS exports add trailing spaces, and people type lower case; those
    are not errors in the number, but they are not the DfE's format either, so the caller
    normalises *and says so* (the MIS import notes it on the line) before checking with
    :func:`is_valid`, which is strict.
    """
    return upn.strip().upper()


def problem(upn: str) -> str | None:
    """Return None when ``upn`` is valid, else one plain-English sentence fragment saying why.

    Strict, as the DfE's format is (UPN guide; census rules 1510-1550): no surrounding
    space and capital letters only, so ``"h801200001001"`` is refused with the reason.
    Only the first problem found is reported, in the order a person would fix them:
    spaces, length, capitals, the digits, the last character, then the check letter.
    """
    if upn != upn.strip():
        return "UPN has a space or line break before or after it"
    if len(upn) != LENGTH:
        return f"UPN must be {LENGTH} characters (this one has {len(upn)})"
    if upn != upn.upper():
        return f"UPN must be in capital letters ({upn.upper()})"
    middle, last = upn[1:12], upn[12]
    if not (middle.isascii() and middle.isdigit()):
        return "UPN characters 2\u201312 must be digits"
    if last in _FORBIDDEN_LETTERS:
        return "a temporary UPN's last character cannot be I, O or S"
    if not ((last.isascii() and last.isdigit()) or last in LETTERS):
        return "UPN's last character must be a digit, or a letter for a temporary UPN"
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        return f"UPN check letter should be '{expected}', not '{upn[0]}'"
    return None


def is_valid(upn: str) -> bool:
    """True when ``upn`` is a valid permanent or temporary UPN, exactly as the DfE writes it.

    Nothing is normalised: ``"h801200001001"`` and ``" H801200001001"`` are not valid (a
    census return with them fails rule 1510). Callers taking typed or imported text use
    :func:`normalise` first and tell the user they did.
    """
    return problem(upn) is None


def is_temporary(upn: str) -> bool:
    """True when ``upn`` is a *valid* temporary UPN (character 13 is a letter).

    Temporary UPNs should be replaced by a permanent one when it arrives, so the app flags
    them; an invalid UPN is neither temporary nor permanent, hence False. Strict like
    :func:`is_valid`.
    """
    return is_valid(upn) and upn[12] in LETTERS


def make(la: int, estab: int, year2: int, serial: int) -> str:
    """Build a valid permanent UPN from its parts (used by the demo-school generator).

    ``la`` is the 3-digit DfE LA number, ``estab`` the 4-digit establishment number,
    ``year2`` the last two digits of the year of allocation and ``serial`` a 3-digit serial.
    Raises ValueError when a part does not fit its width, rather than silently truncating.
    """
    for name, value, top in (
        ("LA number", la, 999),
        ("establishment number", estab, 9999),
        ("year", year2, 99),
        ("serial", serial, 999),
    ):
        if isinstance(value, bool) or not 0 <= value <= top:
            raise ValueError(f"UPN {name} must be between 0 and {top} (got {value!r})")
    body = f"{la:03d}{estab:04d}{year2:02d}{serial:03d}"
    return check_letter(body) + body
