"""Checking the SEND register against the DfE school census rules before census day.

Why this module exists: the census return is built from the MIS, but the SEN provision and
needs in it are the SENCo's, and a return the DfE rejects (or queries) costs the school
office days just before the deadline. SENDesk already refuses a wrong combination when it
is *entered*; this check finds what is wrong in the register as it *stands* (old data, an
import from before a rule, a UPN typed in lower case in the MIS) and says, per pupil, which
rule, what it means and how to fix it.

The rules themselves (number, wording, source, whether the number is confirmed, the fix)
live in one data file, ``resources/census_rules.json``, so the text shown to the
SENCo and the reference can be checked against the DfE's in one place. This module only
reads that file (:func:`sendesk.resource_files.resource_path`) and applies the checks; it
does no other I/O.

Census days (DfE school census guide): the autumn census is on the first Thursday of
October, the spring census on the third Thursday of January and the summer census on the
third Thursday of May. The DfE publishes each year's dates and can move one; this is the
usual pattern, which is what a SENCo plans by.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sendesk.resource_files import resource_path
from sendesk.rules import upn as upn_rules
from sendesk.rules.census import LEGACY_NEED, LEGACY_PROVISION, NEED_CODES, Provision

RULES_FILE = "census_rules.json"
"""The rules' file in ``resources/``."""
_THURSDAY = 3  # date.weekday()


# --- the rules file ---------------------------------------------------------------------


@dataclass(frozen=True)
class CensusRule:
    """One census rule as the data file gives it."""

    key: str
    number: str | None  # the DfE rule number; None where it could not be confirmed
    confirmed: bool  # number and wording checked against ``source``
    kind: str  # "error" (the return fails) or "query" (the DfE asks the school to confirm)
    checked: bool  # False: listed for completeness, SENDesk never reports it
    text: str
    source: str  # the source's description
    fix: str

    @property
    def label(self) -> str:
        """How the rule is named to the SENCo: "rule 2170", or that it has no number yet."""
        if self.number is None:
            return "rule (number not confirmed)"
        return f"rule {self.number}" + ("" if self.confirmed else " (number not confirmed)")


@cache
def rules() -> dict[str, CensusRule]:
    """Every rule in the data file, by key, in the file's order (read once)."""
    text = resource_path(RULES_FILE).read_text("utf-8")
    data = json.loads(text)
    sources: dict[str, str] = data["sources"]
    return {
        raw["key"]: CensusRule(
            key=raw["key"],
            number=raw["number"],
            confirmed=bool(raw["confirmed"]),
            kind=raw["kind"],
            checked=bool(raw["checked"]),
            text=raw["text"],
            source=sources[raw["source"]],
            fix=raw["fix"],
        )
        for raw in data["rules"]
    }


# --- census days --------------------------------------------------------------------------

CENSUS_NAMES = {10: "autumn", 1: "spring", 5: "summer"}


def _nth_thursday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (_THURSDAY - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def census_days(year: int) -> list[date]:
    """The year's three census days in date order: spring (third Thursday of January),
    summer (third Thursday of May), autumn (first Thursday of October)."""
    return [
        _nth_thursday(year, 1, 3),
        _nth_thursday(year, 5, 3),
        _nth_thursday(year, 10, 1),
    ]


def next_census_day(on: date) -> date:
    """The first census day on or after ``on`` (census day itself counts: the return is
    taken that day, so the register still has to be right)."""
    return next(day for day in census_days(on.year) + census_days(on.year + 1) if day >= on)


def census_name(day: date) -> str:
    """ "autumn", "spring" or "summer" for a census day (by its month)."""
    return CENSUS_NAMES[day.month]


# --- what is checked -----------------------------------------------------------------------


@dataclass(frozen=True)
class PupilRegister:
    """One pupil on roll as the register holds them now (what the check reads).

    ``provisions`` are the provision codes of the pupil's open, not voided, register
    entries (one, normally); ``needs`` the open needs as ``(rank, code)``.
    """

    pupil_id: int
    upn: str
    name: str
    provisions: tuple[str, ...]
    needs: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class CensusProblem:
    """One thing the census would reject or query: the pupil, the rule and the detail."""

    pupil_id: int
    upn: str
    name: str
    rule: CensusRule
    detail: str  # what this pupil's record says, e.g. "SEN provision S"


def upn_rule(upn: str) -> str | None:
    """The key of the first UPN rule ``upn`` breaks, or None for a valid UPN.

    In the order a person fixes them: missing, shape (length/spaces), capitals, then the
    DfE's own checks by character position (2-4, 5-12, 13) and the check letter (1510).
    """
    if not upn:
        return "upn-missing"
    if upn != upn.strip() or len(upn) != upn_rules.LENGTH or " " in upn:
        return "upn-shape"
    if upn != upn.upper():
        return "upn-capitals"
    if not (upn[1:4].isascii() and upn[1:4].isdigit()):
        return "upn-la"
    if not (upn[4:12].isascii() and upn[4:12].isdigit()):
        return "upn-digits"
    last = upn[12]
    if not ((last.isascii() and last.isdigit()) or last in upn_rules.LETTERS):
        return "upn-last"
    if upn_rules.check_letter(upn[1:]) != upn[0]:
        return "upn-check-letter"
    return None


def _provision_keys(provisions: Sequence[str]) -> list[tuple[str, str]]:
    if not provisions:
        return [("no-provision", "no current SEN provision")]
    if len(provisions) > 1:
        return [("two-provisions", f"SEN provisions {', '.join(sorted(provisions))}")]
    code = provisions[0]
    if code in Provision.__members__:
        return []
    if code == "S":
        return [("statement", "SEN provision S")]
    if code in LEGACY_PROVISION:
        return [("school-action", f"SEN provision {code}")]
    return [("provision-unknown", f"SEN provision {code!r}")]


def _need_keys(provision: str | None, needs: Sequence[tuple[int, str]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    codes = [code for _, code in sorted(needs)]
    ranks = Counter(rank for rank, _ in needs)
    shown = ", ".join(codes)
    if provision == Provision.N.value and needs:
        found.append(("n-with-type", f"SEN provision N with {shown}"))
    if provision in (Provision.K.value, Provision.E.value) and not needs:
        found.append(("k-e-need-type", f"SEN provision {provision} with no type of need"))
    if needs and ranks[1] == 0:
        ranked = ", ".join(f"{code} (rank {rank})" for rank, code in sorted(needs))
        found.append(("one-type-is-primary", f"no primary need: {ranked}"))
    if ranks[1] > 1 or ranks[2] > 1:
        twice = 1 if ranks[1] > 1 else 2
        same = ", ".join(code for rank, code in sorted(needs) if rank == twice)
        found.append(("one-primary", f"{same} all ranked {twice}"))
    if "NSA" in codes and provision not in (None, Provision.K.value):
        found.append(("nsa-only-k", f"NSA with SEN provision {provision}"))
    for code in dict.fromkeys(codes):
        if code in LEGACY_NEED:
            found.append(("besd", f"SEN type {code}"))
        elif code == "DS":
            found.append(("down-syndrome-code", "SEN type DS"))
        elif code not in NEED_CODES:
            found.append(("type-unknown", f"SEN type {code!r}"))
    for code, count in Counter(codes).items():
        if count > 1:
            found.append(("type-twice", f"{code} recorded {count} times"))
    return found


def check_pupil(pupil: PupilRegister) -> list[CensusProblem]:
    """Every census rule this pupil's record breaks, UPN first, then provision, then needs."""
    found: list[tuple[str, str]] = []
    if (key := upn_rule(pupil.upn)) is not None:
        found.append((key, f"UPN {pupil.upn!r}" if pupil.upn else "no UPN"))
    found += _provision_keys(pupil.provisions)
    provision = pupil.provisions[0] if len(pupil.provisions) == 1 else None
    found += _need_keys(provision, pupil.needs)
    table = rules()
    return [
        CensusProblem(pupil.pupil_id, pupil.upn, pupil.name, table[key], detail)
        for key, detail in found
    ]


def check_register(pupils: Iterable[PupilRegister]) -> list[CensusProblem]:
    """Every problem in the register: each pupil's, and UPNs held by more than one pupil
    (rule 1520, compared in capitals, since the census does). Sorted by pupil name."""
    everyone = list(pupils)
    problems: list[CensusProblem] = []
    by_upn: dict[str, list[PupilRegister]] = defaultdict(list)
    for pupil in everyone:
        problems += check_pupil(pupil)
        if pupil.upn.strip():
            by_upn[upn_rules.normalise(pupil.upn)].append(pupil)
    duplicate = rules()["upn-duplicate"]
    for key, holders in by_upn.items():
        if len(holders) > 1:
            for pupil in holders:
                problems.append(
                    CensusProblem(
                        pupil.pupil_id,
                        pupil.upn,
                        pupil.name,
                        duplicate,
                        f"UPN {key} is held by {len(holders)} pupils",
                    )
                )
    order = {key: i for i, key in enumerate(rules())}
    problems.sort(key=lambda p: (p.name.casefold(), p.upn, p.pupil_id, order[p.rule.key]))
    return problems


__all__ = [
    "CensusProblem",
    "CensusRule",
    "PupilRegister",
    "census_days",
    "census_name",
    "check_pupil",
    "check_register",
    "next_census_day",
    "rules",
    "upn_rule",
]
