"""Tests for sendesk.rules.census_check: census days, the rules file, and each rule's check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sendesk.rules.census_check import (
    PupilRegister,
    census_days,
    census_name,
    check_pupil,
    check_register,
    next_census_day,
    rules,
    upn_rule,
)

GOOD = "H801200001001"


def pupil(
    provisions: tuple[str, ...] = ("K",),
    needs: tuple[tuple[int, str], ...] = ((1, "SPLD"),),
    *,
    upn: str = GOOD,
    name: str = "Ann Smith",
    pupil_id: int = 1,
) -> PupilRegister:
    return PupilRegister(pupil_id, upn, name, provisions, needs)


def keys(p: PupilRegister) -> list[str]:
    return [problem.rule.key for problem in check_pupil(p)]


# --- census days (DfE school census guide) ------------------------------------------------


@pytest.mark.parametrize(
    ("year", "days"),
    [
        # Real census days: spring 16/01/2025, summer 15/05/2025, autumn 02/10/2025.
        (2025, [date(2025, 1, 16), date(2025, 5, 15), date(2025, 10, 2)]),
        # 2026: 1 January and 1 October are Thursdays, so they count as the first.
        (2026, [date(2026, 1, 15), date(2026, 5, 21), date(2026, 10, 1)]),
        (2024, [date(2024, 1, 18), date(2024, 5, 16), date(2024, 10, 3)]),
        (2027, [date(2027, 1, 21), date(2027, 5, 20), date(2027, 10, 7)]),
    ],
)
def test_census_days_first_thursday_october_third_thursday_january_and_may(
    year: int, days: list[date]
) -> None:
    assert census_days(year) == days
    assert all(day.weekday() == 3 for day in days)  # Thursdays


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 12, 7), date(2027, 1, 21)),  # after autumn: next January
        (date(2025, 10, 2), date(2025, 10, 2)),  # census day itself counts
        (date(2025, 10, 3), date(2026, 1, 15)),
        (date(2026, 1, 16), date(2026, 5, 21)),
        (date(2026, 5, 22), date(2026, 10, 1)),
        (date(2026, 9, 30), date(2026, 10, 1)),
        (date(2025, 12, 31), date(2026, 1, 15)),
    ],
)
def test_next_census_day(on: date, expected: date) -> None:
    assert next_census_day(on) == expected


def test_next_census_day_is_never_more_than_five_months_away() -> None:
    day = date(2024, 1, 1)
    while day < date(2029, 1, 1):
        nxt = next_census_day(day)
        assert day <= nxt < day + timedelta(days=150)
        day += timedelta(days=1)


def test_census_names() -> None:
    assert [census_name(d) for d in census_days(2026)] == ["spring", "summer", "autumn"]


# --- the rules file -------------------------------------------------------------------------


def test_rules_file_has_every_reference_rule_with_source_and_fix() -> None:
    table = rules()
    numbers = {r.number for r in table.values()}
    # reference/census.md and reference/identifiers.md
    assert {"2115", "2125", "2160", "2165", "2166", "2170", "2175"} <= numbers
    assert {"1510", "1520", "1530", "1540", "1550"} <= numbers
    for rule in table.values():
        assert rule.text and rule.fix and rule.source, rule.key
        assert rule.kind in ("error", "query")
        assert rule.confirmed == (rule.number is not None), rule.key


def test_unconfirmed_numbers_say_so() -> None:
    table = rules()
    assert table["k-e-need-type"].label == "rule 2170"
    assert table["statement"].label == "rule 2115"
    # Legacy A/P and BESD have no DfE number SENDesk could confirm: the label says so.
    assert table["school-action"].label == "rule (number not confirmed)"
    assert table["besd"].number is None
    assert "spelling is not yet confirmed" in table["down-syndrome-code"].text
    assert table["down-syndrome-code"].kind == "query"


# --- UPN rules 1510-1550 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (GOOD, None),
        ("G80120000101A", None),  # temporary UPN
        ("", "upn-missing"),
        ("H80120000100", "upn-shape"),
        (" H801200001001", "upn-shape"),
        ("H8012 0001001", "upn-shape"),
        ("h801200001001", "upn-capitals"),
        ("G80120000101a", "upn-capitals"),
        ("HX01200001001", "upn-la"),  # characters 2-4 (rule 1530)
        ("H8012000A1001", "upn-digits"),  # characters 5-12 (rule 1540)
        ("G80120000101I", "upn-last"),  # character 13 (rule 1550)
        ("G80120000101-", "upn-last"),
        ("B801200001001", "upn-check-letter"),  # rule 1510
    ],
)
def test_upn_rules(value: str, key: str | None) -> None:
    assert upn_rule(value) == key


def test_upn_rule_numbers() -> None:
    table = rules()
    assert [table[k].number for k in ("upn-check-letter", "upn-duplicate", "upn-la")] == [
        "1510",
        "1520",
        "1530",
    ]
    assert [table[k].number for k in ("upn-digits", "upn-last")] == ["1540", "1550"]


# --- SEN rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected", "detail"),
    [
        (pupil(("K",), ((1, "SPLD"), (2, "SLCN"))), [], None),
        (pupil(("N",), ()), [], None),
        (pupil(("E",), ((1, "ASD"), (2, "SLCN"), (3, "MLD"))), [], None),  # 2166: allowed
        (pupil(("S",), ((1, "ASD"),)), ["statement"], "SEN provision S"),  # 2115
        (pupil(("A",), ((1, "MLD"),)), ["school-action"], "SEN provision A"),
        (pupil(("P",), ((1, "MLD"),)), ["school-action"], "SEN provision P"),
        (pupil(("X",), ()), ["provision-unknown"], "SEN provision 'X'"),
        (pupil(("N",), ((1, "SPLD"),)), ["n-with-type"], "SEN provision N with SPLD"),  # 2125
        (pupil(("K",), ((2, "SPLD"),)), ["one-type-is-primary"], "no primary need: SPLD (rank 2)"),
        (pupil(("K",), ((1, "SPLD"), (1, "MLD"))), ["one-primary"], "MLD, SPLD all ranked 1"),
        (pupil(("E",), ()), ["k-e-need-type"], "SEN provision E with no type of need"),  # 2170
        (pupil(("E",), ((1, "NSA"),)), ["nsa-only-k"], "NSA with SEN provision E"),  # 2175
        (pupil(("K",), ((1, "BESD"),)), ["besd"], "SEN type BESD"),
        (pupil(("K",), ((1, "XYZ"),)), ["type-unknown"], "SEN type 'XYZ'"),
        (pupil(("K",), ((1, "MLD"), (2, "MLD"))), ["type-twice"], "MLD recorded 2 times"),
        (pupil(("K",), ((1, "DS"),)), ["down-syndrome-code"], "SEN type DS"),
        (pupil((), ()), ["no-provision"], "no current SEN provision"),
        (pupil(("K", "N"), ((1, "MLD"),)), ["two-provisions"], "SEN provisions K, N"),
        (pupil(upn="h801200001001"), ["upn-capitals"], "UPN 'h801200001001'"),
    ],
)
def test_each_rule(record: PupilRegister, expected: list[str], detail: str | None) -> None:
    found = check_pupil(record)
    assert [p.rule.key for p in found] == expected
    if detail is not None:
        assert found[0].detail == detail
        assert (found[0].upn, found[0].name) == (record.upn, record.name)


def test_several_problems_for_one_pupil_upn_first() -> None:
    assert keys(pupil(("E",), ((1, "NSA"), (2, "BESD")), upn="B801200001001")) == [
        "upn-check-letter",
        "nsa-only-k",
        "besd",
    ]


def test_every_checked_rule_can_be_found() -> None:
    """No rule in the file is marked checked that the checker can never report."""
    planted = [
        pupil(upn=""),
        pupil(upn="H80120000100"),
        pupil(upn="h801200001001"),
        pupil(upn="HX01200001001"),
        pupil(upn="H8012000A1001"),
        pupil(upn="G80120000101I"),
        pupil(upn="B801200001001"),
        pupil(upn="B801200005001", pupil_id=2),
        pupil(upn="B801200005001", pupil_id=3),
        pupil((), ()),
        pupil(("K", "N")),
        pupil(("X",), ()),
        pupil(("S",)),
        pupil(("A",)),
        pupil(("N",)),
        pupil(("K",), ((2, "SPLD"),)),
        pupil(("K",), ((1, "SPLD"), (1, "MLD"))),
        pupil(("E",), ()),
        pupil(("E",), ((1, "NSA"),)),
        pupil(("K",), ((1, "BESD"),)),
        pupil(("K",), ((1, "XYZ"),)),
        pupil(("K",), ((1, "MLD"), (2, "MLD"))),
        pupil(("K",), ((1, "DS"),)),
    ]
    found = {p.rule.key for p in check_register(planted)}
    assert found == {key for key, rule in rules().items() if rule.checked}


def test_duplicate_upns_are_found_in_capitals_rule_1520() -> None:
    problems = check_register(
        [
            pupil(upn="H801200001001", name="Ann Smith", pupil_id=1),
            pupil(upn="h801200001001", name="Anne Smith", pupil_id=2),
            pupil(upn="B801200005001", name="Bo Lee", pupil_id=3),
        ]
    )
    dupes = [(p.pupil_id, p.detail) for p in problems if p.rule.number == "1520"]
    assert dupes == [
        (1, "UPN H801200001001 is held by 2 pupils"),
        (2, "UPN H801200001001 is held by 2 pupils"),
    ]
    assert [p.name for p in problems] == ["Ann Smith", "Anne Smith", "Anne Smith"]


def test_the_docs_page_lists_every_rule_as_the_file_has_it() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "census-rules.md").read_text("utf-8")
    for rule in rules().values():
        assert f"| {rule.number or '—'} | {'yes' if rule.confirmed else 'no'} |" in page
        assert f"| {rule.text} | {rule.fix} |" in page, rule.key
