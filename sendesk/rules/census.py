"""DfE school census codes for SEN provision and type of need, and the rules that bind them.

Why this module exists: the SEN register is returned to the DfE in the school census, and
the census rejects or queries returns that break its validation rules. Checking the same
rules at the moment a SENCO edits a record (and when old MIS data is imported) means the
census return is right first time, and that legacy codes from before the 2014 reforms are
read consistently instead of being guessed at by each screen.

Sources: DfE School Census guide (SEN provision, SEN type); DfE validation rules
2115, 2125, 2160, 2165, 2166, 2170, 2175; SEND Code of Practice 0-25 (2014) 6.28-6.35 for the
four broad areas of need. See ``reference/census.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Area(StrEnum):
    """The four broad areas of need (Code of Practice 2014, 6.28-6.35).

    Used to group pupils for provision mapping and reports; a pupil's needs can sit in
    several areas, and some census codes sit in none.
    """

    COGNITION_LEARNING = "Cognition and learning"
    COMMUNICATION_INTERACTION = "Communication and interaction"
    SEMH = "Social, emotional and mental health"
    SENSORY_PHYSICAL = "Sensory and/or physical"


class Provision(StrEnum):
    """The current census SEN provision codes: the only ones SENDesk ever writes."""

    N = "N"
    K = "K"
    E = "E"


PROVISION_LABELS: dict[Provision, str] = {
    Provision.N: "No special educational need",
    Provision.K: "SEN support",
    Provision.E: "Education, health and care plan",
}

ON_REGISTER: tuple[str, ...] = (Provision.K.value, Provision.E.value)
"""The provision codes that put a pupil on the SEND register: SEN support and EHC plan."""


@dataclass(frozen=True)
class NeedCode:
    """One census SEN type-of-need code, its DfE description and its broad area (or None)."""

    code: str
    description: str
    area: Area | None


_C = Area.COGNITION_LEARNING
_CI = Area.COMMUNICATION_INTERACTION
_SP = Area.SENSORY_PHYSICAL

NEED_CODES: dict[str, NeedCode] = {
    nc.code: nc
    for nc in (
        NeedCode("SPLD", "Specific learning difficulty", _C),
        NeedCode("MLD", "Moderate learning difficulty", _C),
        NeedCode("SLD", "Severe learning difficulty", _C),
        NeedCode("PMLD", "Profound and multiple learning difficulty", _C),
        NeedCode("SLCN", "Speech, language and communication needs", _CI),
        NeedCode("ASD", "Autistic spectrum disorder", _CI),
        NeedCode("SEMH", "Social, emotional and mental health", Area.SEMH),
        NeedCode("HI", "Hearing impairment", _SP),
        NeedCode("VI", "Vision impairment", _SP),
        NeedCode("MSI", "Multi-sensory impairment", _SP),
        NeedCode("PD", "Physical disability", _SP),
        # No single area: the school chooses one, or reports it as "other".
        NeedCode("OTH", "Other difficulty/disability", None),
        # Only meaningful with SEN support (rule 2175); not a need in any area.
        NeedCode("NSA", "SEN support but no specialist assessment of type of need", None),
        # Added from the January 2025 census; spelling to be confirmed against the guide.
        NeedCode("DS", "Down syndrome", None),
    )
}

LEGACY_PROVISION: dict[str, Provision] = {
    "S": Provision.E,  # Statement -> EHC plan (validation 2115)
    "A": Provision.K,  # School Action -> SEN support (2014 reforms)
    "P": Provision.K,  # School Action Plus -> SEN support (2014 reforms)
}
_LEGACY_PROVISION_NAMES = {"S": "statement", "A": "School Action", "P": "School Action Plus"}

LEGACY_NEED: dict[str, str] = {"BESD": "SEMH"}  # pre-2015 name of SEMH
_LEGACY_NEED_NAMES = {"BESD": "behaviour, emotional and social difficulty"}


def _need(code: str) -> NeedCode:
    """Look up a current need code, turning KeyError into a sentence a user can act on."""
    try:
        return NEED_CODES[code]
    except KeyError:
        raise ValueError(f"unknown type-of-need code {code!r}") from None


def area_of(code: str) -> Area | None:
    """The broad area of need for a current census code, or None for OTH, NSA and DS.

    Raises ValueError for an unknown code: a silent None would be mistaken for "no area".
    """
    return _need(code).area


def describe(code: str) -> str:
    """The DfE description of a current census code, e.g. ``"SPLD"`` -> "Specific ..."."""
    return _need(code).description


def normalise_provision(raw: str) -> tuple[Provision, str | None]:
    """Read a provision code from imported data, mapping pre-2014 codes to current ones.

    Returns the provision and, when a legacy code was mapped, a note for the import report
    (so the user can see that S, A or P was re-read, never written). Case and surrounding
    whitespace are ignored. Raises ValueError for an empty or unknown code.
    """
    code = raw.strip().upper()
    if not code:
        raise ValueError("SEN provision is blank (expected N, K or E)")
    if code in Provision.__members__:
        return Provision(code), None
    if code in LEGACY_PROVISION:
        new = LEGACY_PROVISION[code]
        return new, f"legacy code {code!r} ({_LEGACY_PROVISION_NAMES[code]}) read as {new}"
    raise ValueError(f"unknown SEN provision code {raw.strip()!r} (expected N, K or E)")


def normalise_need(raw: str) -> tuple[str, str | None]:
    """Read a type-of-need code from imported data, mapping BESD to SEMH.

    Returns the current code and, when a legacy code was mapped, a note for the import
    report. Case and surrounding whitespace are ignored (``" spld "`` -> ``"SPLD"``).
    Raises ValueError for an empty string (a blank cell is not a need) or an unknown code.
    """
    code = raw.strip().upper()
    if not code:
        raise ValueError("a blank type of need is not a type-of-need code")
    if code in NEED_CODES:
        return code, None
    if code in LEGACY_NEED:
        new = LEGACY_NEED[code]
        return new, f"legacy code {code!r} ({_LEGACY_NEED_NAMES[code]}) read as {new}"
    raise ValueError(f"unknown type-of-need code {raw.strip()!r}")


_TIMES = {2: "twice", 3: "three times"}


def census_problems(provision: Provision | str, needs: Sequence[str]) -> list[str]:
    """Every DfE census rule that this provision and ranked list of needs breaks.

    ``needs`` is the school's ranked list of type-of-need codes (index 0 is the primary
    need). An empty list means "all is well". Codes are compared exactly: normalise imported
    data with :func:`normalise_need` first. Rules 2160 and 2165 (one primary need, at most
    one secondary) are structural in a ranked list and cannot be broken here; more than two
    needs is allowed (2166), only :func:`census_return` trims them.
    """
    problems: list[str] = []

    prov: Provision | None
    if isinstance(provision, Provision):
        prov = provision
    elif provision in Provision.__members__:
        prov = Provision(provision)
    else:
        prov = None
        if provision in LEGACY_PROVISION:
            problems.append(
                f"SEN provision {provision!r} is a legacy code; record it as "
                f"{LEGACY_PROVISION[provision]}"
            )
        else:
            problems.append(f"SEN provision {provision!r} is not N, K or E")

    for code in needs:
        if code in NEED_CODES:
            continue
        if code == "":
            problems.append("a type of need is blank")
        elif code in LEGACY_NEED:
            problems.append(f"{code} is a legacy code; record it as {LEGACY_NEED[code]}")
        else:
            problems.append(f"{code!r} is not a type-of-need code")

    for code, count in Counter(needs).items():
        if count > 1 and code != "":
            problems.append(f"{code} is recorded {_TIMES.get(count, f'{count} times')}")

    if prov in (Provision.K, Provision.E) and not needs:
        # 2170: provision K or E must have an SEN type.
        problems.append(f"{PROVISION_LABELS[prov]} ({prov}) needs at least one type of need")
    if prov is Provision.N and needs:
        # 2125: provision N carries no SEN type.
        problems.append(
            f"a pupil with no special educational need (N) cannot have a type of need "
            f"(found {', '.join(needs)})"
        )
    if "NSA" in needs and prov is not None and prov is not Provision.K:
        # 2175: NSA (no specialist assessment) only with SEN support.
        problems.append(f"NSA can only be used with SEN support (K), not {prov}")
    return problems


def census_return(needs: Sequence[str]) -> list[str]:
    """The needs returned to the census: ranks 1 and 2 only (rule 2166).

    A school may record more needs for its own planning; the census takes the primary and
    secondary need and nothing else.
    """
    return list(needs[:2])
