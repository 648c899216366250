"""The values in an export's cells: dates (text or Excel dates), year groups, yes/no,
gender, and the SEN provision and need codes written the way schools write them.

Why lenient and exact: schools type these by hand in many ways, so each reader accepts the
usual forms and says plainly when it cannot tell.
"""

from __future__ import annotations

import re
from datetime import date

from sendesk.rules.census import NEED_CODES
from sendesk.services.register.mis_columns import normalise_header

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time after the date is ignored
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})" + _TIME)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)


def parse_date(text: str) -> date | None:
    """Read a date written day first: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or
    yyyy-mm-dd (a trailing time, as Excel and some MIS add, is ignored). Blank -> None.

    Never month first: "12/31/2013" is the 12th of a 31st month, so it does not exist.
    Raises ValueError("31/02/2013 does not exist") and the like.
    """
    text = text.strip()
    if not text:
        return None
    if m := _DMY.fullmatch(text):
        day, month, year_text = m.groups()
        if len(year_text) == 2:
            raise ValueError(f"{text} has a two-digit year (write it as dd/mm/yyyy)")
        year = int(year_text)
    elif m := _YMD.fullmatch(text):
        year_s, month, day = m.groups()
        year = int(year_s)
    else:
        raise ValueError(f"'{text}' is not a date in the form dd/mm/yyyy")
    shown = text.split()[0].split("T")[0]
    try:
        return date(year, int(month), int(day))
    except ValueError:
        hint = ""
        if m.re is _DMY and int(month) > 12 >= int(day):
            hint = " (dates are read day first, dd/mm/yyyy)"
        raise ValueError(f"{shown} does not exist{hint}") from None


_YEAR_WORDS = {"r": 0, "rec": 0, "reception": 0, "n1": -2, "n2": -1}
_YEAR = re.compile(r"(?:year|yr|y|ncy|nc)?(-?\d{1,2}|r|rec|reception|n1|n2)")


def parse_year(text: str) -> int | None:
    """Read a year group: "7", "Year 7", "Y7", "R"/"Reception" -> 0, "N1" -> -2, "N2" -> -1.

    Blank -> None. Raises ValueError for anything else. The range is checked by the caller.
    """
    raw = text.strip()
    if not raw:
        return None
    if m := _YEAR.fullmatch("".join(raw.casefold().split())):
        value = m.group(1)
        return _YEAR_WORDS[value] if value in _YEAR_WORDS else int(value)
    raise ValueError(f"'{raw}' is not a year group (e.g. 7, Year 7, Y7, R, N1)")


_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0", ""}


def parse_bool(text: str) -> bool:
    """Y/N, Yes/No, True/False, 1/0 (any case); blank is No. Else ValueError."""
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no (Y/N)")


_GENDERS = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}


def parse_gender(text: str) -> str | None:
    """M/F (or Male/Female); blank -> None. Other values raise ValueError."""
    folded = text.strip().casefold()
    if not folded:
        return None
    if folded in _GENDERS:
        return _GENDERS[folded]
    raise ValueError(f"'{text.strip()}' is not M or F")


_NEED_DESCRIPTIONS = {normalise_header(nc.description): nc.code for nc in NEED_CODES.values()}

_PROVISION_WORDS = {
    "sensupport": "K",
    "support": "K",
    "ehcplan": "E",
    "ehcp": "E",
    "ehc": "E",
    "educationhealthandcareplan": "E",
    "statement": "S",
    "statementofsen": "S",
    "schoolaction": "A",
    "schoolactionplus": "P",
    "nospecialeducationalneed": "N",
    "nospecialeducationalneeds": "N",
    "nosen": "N",
    "none": "N",
}


def code_text(text: str) -> str:
    """The code part of an MIS code cell: "K - SEN Support" -> "K", "SPLD: Specific..." ->
    "SPLD"; a bare code is returned stripped."""
    text = text.strip()
    for sep in (" - ", " – ", ": ", " ("):
        if sep in text:
            return text.split(sep, 1)[0].strip()
    return text


def provision_text(text: str) -> str:
    """An SEN status cell as a code for :func:`rules.census.normalise_provision`.

    Blank means no SEN ("N"); descriptions some MIS export ("SEN Support", "EHC Plan",
    "Statement") become their codes; anything else is passed on for the census rules to
    judge.
    """
    code = code_text(text)
    if not code:
        return "N"
    return _PROVISION_WORDS.get(normalise_header(code), code)


def need_text(text: str) -> str:
    """A type-of-need cell as a code: "SPLD - Specific learning difficulty" -> "SPLD";
    a DfE description on its own ("Specific learning difficulty") -> its code."""
    code = code_text(text)
    return _NEED_DESCRIPTIONS.get(normalise_header(code), code)
