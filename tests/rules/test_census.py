"""Tests for sendesk.rules.census: codes, areas, legacy mapping and DfE validation rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.rules import census
from sendesk.rules.census import Area, Provision

# The reference table (reference/census.md), typed out again so a slip in the module shows.
REFERENCE = {
    "SPLD": ("Specific learning difficulty", "Cognition and learning"),
    "MLD": ("Moderate learning difficulty", "Cognition and learning"),
    "SLD": ("Severe learning difficulty", "Cognition and learning"),
    "PMLD": ("Profound and multiple learning difficulty", "Cognition and learning"),
    "SLCN": ("Speech, language and communication needs", "Communication and interaction"),
    "ASD": ("Autistic spectrum disorder", "Communication and interaction"),
    "SEMH": ("Social, emotional and mental health", "Social, emotional and mental health"),
    "HI": ("Hearing impairment", "Sensory and/or physical"),
    "VI": ("Vision impairment", "Sensory and/or physical"),
    "MSI": ("Multi-sensory impairment", "Sensory and/or physical"),
    "PD": ("Physical disability", "Sensory and/or physical"),
    "OTH": ("Other difficulty/disability", None),
    "NSA": ("SEN support but no specialist assessment of type of need", None),
    "DS": ("Down syndrome", None),
}


# --- enums and tables -----------------------------------------------------------------------


def test_areas() -> None:
    assert [a.value for a in Area] == [
        "Cognition and learning",
        "Communication and interaction",
        "Social, emotional and mental health",
        "Sensory and/or physical",
    ]
    assert Area.SEMH == "Social, emotional and mental health"
    assert Area.COGNITION_LEARNING.name == "COGNITION_LEARNING"
    assert Area.COMMUNICATION_INTERACTION.name == "COMMUNICATION_INTERACTION"
    assert Area.SENSORY_PHYSICAL == "Sensory and/or physical"


def test_provisions_and_labels() -> None:
    assert [p.value for p in Provision] == ["N", "K", "E"]
    assert Provision.K == "K"
    assert census.PROVISION_LABELS == {
        "N": "No special educational need",
        "K": "SEN support",
        "E": "Education, health and care plan",
    }
    assert set(census.PROVISION_LABELS) == set(Provision)


def test_need_codes_are_exactly_the_reference() -> None:
    assert set(census.NEED_CODES) == set(REFERENCE)
    for code, need in census.NEED_CODES.items():
        assert need.code == code


@pytest.mark.parametrize("code", sorted(REFERENCE))
def test_each_code_description_and_area(code: str) -> None:
    description, area = REFERENCE[code]
    assert census.describe(code) == description
    assert census.area_of(code) == area
    assert census.NEED_CODES[code].area == area
    if area is not None:
        assert isinstance(census.area_of(code), Area)


def test_every_area_has_a_code() -> None:
    assert {census.area_of(c) for c in REFERENCE} == set(Area) | {None}


def test_need_code_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        census.NEED_CODES["SPLD"].area = None  # type: ignore[misc]


@pytest.mark.parametrize("code", ["XYZ", "spld", "", "BESD", " SPLD"])
def test_unknown_codes_raise_value_error(code: str) -> None:
    with pytest.raises(ValueError, match=f"unknown type-of-need code '{code}'"):
        census.area_of(code)
    with pytest.raises(ValueError, match="unknown type-of-need code"):
        census.describe(code)


def test_legacy_tables() -> None:
    assert census.LEGACY_PROVISION == {"S": "E", "A": "K", "P": "K"}
    assert census.LEGACY_NEED == {"BESD": "SEMH"}


# --- normalise_provision --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N", Provision.N),
        ("K", Provision.K),
        ("E", Provision.E),
        (" k ", Provision.K),
        ("e", Provision.E),
        ("n\t", Provision.N),
    ],
)
def test_normalise_provision_current(raw: str, expected: Provision) -> None:
    assert census.normalise_provision(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "expected", "note"),
    [
        ("S", Provision.E, "legacy code 'S' (statement) read as E"),
        ("s", Provision.E, "legacy code 'S' (statement) read as E"),
        ("A", Provision.K, "legacy code 'A' (School Action) read as K"),
        (" P ", Provision.K, "legacy code 'P' (School Action Plus) read as K"),
    ],
)
def test_normalise_provision_legacy(raw: str, expected: Provision, note: str) -> None:
    provision, got_note = census.normalise_provision(raw)
    assert provision is expected
    assert got_note == note


@pytest.mark.parametrize("raw", ["", "   ", "X", "SEN", "KE", "Statement", "0"])
def test_normalise_provision_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=r"N, K or E"):
        census.normalise_provision(raw)


# --- normalise_need -------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(REFERENCE))
def test_normalise_need_current_any_case(code: str) -> None:
    assert census.normalise_need(code) == (code, None)
    assert census.normalise_need(f"  {code.lower()} ") == (code, None)
    assert census.normalise_need(code.title()) == (code, None)


def test_normalise_need_legacy_besd() -> None:
    code, note = census.normalise_need("besd ")
    assert code == "SEMH"
    assert note is not None
    assert "'BESD'" in note and note.endswith("read as SEMH")


@pytest.mark.parametrize("raw", ["", "  ", "\t"])
def test_normalise_need_rejects_blank(raw: str) -> None:
    with pytest.raises(ValueError, match="blank"):
        census.normalise_need(raw)


@pytest.mark.parametrize("raw", ["XYZ", "SP LD", "Dyslexia", "SEN", "N"])
def test_normalise_need_rejects_unknown(raw: str) -> None:
    with pytest.raises(ValueError, match=f"unknown type-of-need code '{raw}'"):
        census.normalise_need(raw)


# --- census_problems ------------------------------------------------------------------------


@pytest.mark.parametrize("provision", [Provision.K, Provision.E, "K", "E"])
@pytest.mark.parametrize("needs", [["SPLD"], ["ASD", "SLCN"], ["SEMH", "MLD", "HI", "PD"]])
def test_valid_combinations_have_no_problems(provision: str, needs: list[str]) -> None:
    assert census.census_problems(provision, needs) == []


def test_n_without_needs_is_fine() -> None:
    assert census.census_problems(Provision.N, []) == []
    assert census.census_problems("N", ()) == []


def test_nsa_with_k_is_fine() -> None:
    assert census.census_problems(Provision.K, ["NSA"]) == []


@pytest.mark.parametrize(
    ("provision", "label"),
    [(Provision.K, "SEN support (K)"), (Provision.E, "Education, health and care plan (E)")],
)
def test_rule_2170_k_or_e_needs_a_type(provision: Provision, label: str) -> None:
    assert census.census_problems(provision, []) == [f"{label} needs at least one type of need"]


def test_rule_2125_n_carries_no_type() -> None:
    problems = census.census_problems(Provision.N, ["SPLD", "MLD"])
    assert problems == [
        "a pupil with no special educational need (N) cannot have a type of need (found SPLD, MLD)"
    ]


@pytest.mark.parametrize("provision", [Provision.E, "E"])
def test_rule_2175_nsa_only_with_k(provision: str) -> None:
    assert census.census_problems(provision, ["NSA"]) == [
        "NSA can only be used with SEN support (K), not E"
    ]


def test_nsa_with_n_breaks_both_2125_and_2175() -> None:
    problems = census.census_problems(Provision.N, ["NSA"])
    assert len(problems) == 2
    assert any("(N) cannot have a type of need" in p for p in problems)
    assert "NSA can only be used with SEN support (K), not N" in problems


def test_duplicates() -> None:
    assert census.census_problems(Provision.K, ["SPLD", "ASD", "SPLD"]) == [
        "SPLD is recorded twice"
    ]
    assert census.census_problems(Provision.K, ["HI"] * 3) == ["HI is recorded three times"]
    assert census.census_problems(Provision.K, ["HI"] * 4) == ["HI is recorded 4 times"]


def test_unknown_and_legacy_need_codes() -> None:
    assert census.census_problems(Provision.K, ["SPLD", "XYZ"]) == [
        "'XYZ' is not a type-of-need code"
    ]
    assert census.census_problems(Provision.K, ["spld"]) == ["'spld' is not a type-of-need code"]
    assert census.census_problems(Provision.K, ["BESD"]) == [
        "BESD is a legacy code; record it as SEMH"
    ]
    assert census.census_problems(Provision.K, ["SPLD", ""]) == ["a type of need is blank"]


def test_unknown_and_legacy_provision() -> None:
    assert census.census_problems("X", ["SPLD"]) == ["SEN provision 'X' is not N, K or E"]
    assert census.census_problems("S", ["SPLD"]) == [
        "SEN provision 'S' is a legacy code; record it as E"
    ]
    assert census.census_problems("A", []) == ["SEN provision 'A' is a legacy code; record it as K"]


def test_several_problems_are_all_reported() -> None:
    problems = census.census_problems(Provision.E, ["NSA", "XYZ", "NSA"])
    assert "'XYZ' is not a type-of-need code" in problems
    assert "NSA is recorded twice" in problems
    assert "NSA can only be used with SEN support (K), not E" in problems
    assert len(problems) == 3


def test_more_than_two_needs_is_not_a_problem() -> None:
    """Rule 2166 limits what is *returned*, not what the school records."""
    assert census.census_problems(Provision.E, ["ASD", "SLCN", "SEMH", "SPLD", "PD"]) == []


_current = sorted(REFERENCE)


@given(
    st.sampled_from(list(Provision)),
    st.lists(st.sampled_from(_current), max_size=5, unique=True),
)
def test_problems_property(provision: Provision, needs: list[str]) -> None:
    """Against a restatement of the rules: unique known codes break only 2125/2170/2175."""
    problems = census.census_problems(provision, needs)
    expected = 0
    expected += provision in (Provision.K, Provision.E) and not needs  # 2170
    expected += provision is Provision.N and bool(needs)  # 2125
    expected += "NSA" in needs and provision is not Provision.K  # 2175
    assert len(problems) == expected
    assert all(isinstance(p, str) and p for p in problems)


# --- census_return --------------------------------------------------------------------------


def test_census_return_takes_ranks_one_and_two() -> None:
    assert census.census_return([]) == []
    assert census.census_return(["ASD"]) == ["ASD"]
    assert census.census_return(["ASD", "SLCN"]) == ["ASD", "SLCN"]
    assert census.census_return(["ASD", "SLCN", "SEMH"]) == ["ASD", "SLCN"]
    assert census.census_return(("MLD", "HI", "VI", "PD")) == ["MLD", "HI"]


@given(st.lists(st.sampled_from(_current), max_size=6))
def test_census_return_property(needs: list[str]) -> None:
    returned = census.census_return(needs)
    assert isinstance(returned, list)
    assert returned == needs[: min(2, len(needs))]
    assert len(returned) <= 2
