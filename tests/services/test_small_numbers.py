"""Small numbers (issue 16 review): no count from 1 to 4 that the figures hide can be
worked out from the counts they show, by subtraction within a table or across tables.

Each table is checked as a reader would attack it: every way of filling in the hidden
counts (each at least 1: zeros are shown) that agrees with every count shown and every sum
the reader knows is tried, and a hidden small count must be left with more than one
possible value. The search is a plain one, independent of the service's own algebra."""

from __future__ import annotations

from typing import Any

from sendesk.rules.census import NEED_CODES, Area
from sendesk.services.school import statistics
from sendesk.services.school.figures import (
    ALL_SEND,
    EHC_PLAN,
    NO_SEND,
    OTHER_AREA,
    SEN_SUPPORT,
    WHOLE_SCHOOL,
    _access_counts,
    _group_counts,
    _met_or_missed,
    _register_cells,
)
from sendesk.services.school.statistics import (
    NOT_SHOWN,
    Count,
    suppress,
    suppress_linked,
    suppress_with_total,
)
from tests.small_numbers import assert_nothing_small_worked_out, possible_values


def _every_need_other(sen: int) -> tuple[dict[str, int], dict[str, int]]:
    """The counts by area and by need of a register whose ``sen`` pupils all have the need
    "other" (so only the status and year-group cells are in play)."""
    areas = {a.value: 0 for a in Area} | {OTHER_AREA: sen}
    return areas, dict.fromkeys(NEED_CODES, 0) | {"OTH": sen}


Cells = dict[tuple[object, ...], int]
Sums = list[tuple[tuple[object, ...], list[Any]]]
"""The register table as :func:`_register_cells` gives it: counts, and the sums among them."""


def _published_register(
    roll: int,
    statuses: dict[str, int],
    areas: dict[str, int],
    needs: dict[str, int],
    years: dict[int, dict[str, int]],
) -> tuple[Cells, dict[tuple[object, ...], Count], Sums]:
    """The register's counts, what the figures show of them, and the sums a reader knows,
    with the roll and each year group's roll public (the school publishes them)."""
    cells, sums = _register_cells(roll, statuses, areas, needs, years)
    public = {("roll",), *(("roll", year) for year in years)}
    return cells, suppress_linked(cells, sums, public=public), sums


def test_the_reviews_example_the_register_and_ehc_plans() -> None:
    # On roll 20, on the register 18, K 12, E 6, N 2: with N hidden, 20 - 18 gives N; hiding
    # the smaller of K and E as well still leaves 18 - 12 = E.
    statuses = {"N": 2, "K": 12, "E": 6}
    areas, needs = _every_need_other(18)
    years = {7: dict(statuses)}
    cells, shown, sums = _published_register(20, statuses, areas, needs, years)
    assert shown[("status", "N")] is None
    assert_nothing_small_worked_out(cells, shown, sums)


def test_an_area_and_the_needs_in_it() -> None:
    # Communication and interaction 7 = SLCN 1 + ASD 6: hiding SLCN and the next smallest
    # need (SEMH 5, in another area) would leave SLCN = 7 - 6.
    statuses = {"N": 100, "K": 12, "E": 6}
    areas = {a.value: 0 for a in Area} | {
        Area.COGNITION_LEARNING.value: 6,
        Area.COMMUNICATION_INTERACTION.value: 7,
        Area.SEMH.value: 5,
        OTHER_AREA: 0,
    }
    needs = dict.fromkeys(NEED_CODES, 0) | {"SPLD": 6, "SLCN": 1, "ASD": 6, "SEMH": 5}
    years = {7: {"N": 50, "K": 6, "E": 3}, 8: {"N": 50, "K": 6, "E": 3}}
    cells, shown, sums = _published_register(118, statuses, areas, needs, years)
    assert shown[("need", "SLCN")] is None
    assert (
        shown[("area", Area.COMMUNICATION_INTERACTION.value)] is NOT_SHOWN
        or shown[("need", "ASD")] is NOT_SHOWN
    )
    assert_nothing_small_worked_out(cells, shown, sums)


def test_a_year_group_column_and_its_status_total() -> None:
    # E: Year 7 has 3, Year 8 10, 13 in all. A row-by-row rule hides Year 7's E and the
    # smallest other cell of Year 7's row, but 13 - 10 still gives the 3.
    statuses = {"N": 60, "K": 20, "E": 13}
    areas, needs = _every_need_other(33)
    years = {7: {"N": 30, "K": 10, "E": 3}, 8: {"N": 30, "K": 10, "E": 10}}
    cells, shown, sums = _published_register(93, statuses, areas, needs, years)
    row_by_row = {y: suppress(row) for y, row in years.items()}
    assert row_by_row[8]["E"] == 10 and statuses["E"] - 10 == 3  # the old leak
    assert_nothing_small_worked_out(cells, shown, sums)


def test_a_year_of_change() -> None:
    cells = {"K": 12, "E": 3, "on": 15}
    sums = [("on", ["K", "E"])]
    assert_nothing_small_worked_out(cells, suppress_linked(cells, sums), sums)


def test_the_groups_compared() -> None:
    # EHC plan 3 = all with SEND 10 - SEN support 7; no SEND 2 = whole school 12 - 10.
    counts = {SEN_SUPPORT: 7, EHC_PLAN: 3, ALL_SEND: 10, NO_SEND: 2, WHOLE_SCHOOL: 12}
    shown = _group_counts({g: set(range(n)) for g, n in counts.items()})
    sums = [(ALL_SEND, [SEN_SUPPORT, EHC_PLAN]), (WHOLE_SCHOOL, [ALL_SEND, NO_SEND])]
    assert_nothing_small_worked_out(counts, shown, sums)


def test_access_arrangements() -> None:
    # 9 pupils: 6 with extra time, 3 with a reader.
    shown = _access_counts(9, {"25% extra time": 6, "Reader": 3})
    cells = {"pupils": 9, "25% extra time": 6, "Reader": 3}
    published = {"pupils": shown["pupils"], **shown["by_arrangement"]}
    assert_nothing_small_worked_out(cells, published, [("pupils", ["25% extra time", "Reader"])])


def test_deadlines_met_and_missed() -> None:
    shown = _met_or_missed(8, 3)
    cells = {"deadlines": 11, "met": 8, "missed": 3}
    published = {
        "deadlines": shown["deadlines"],
        "met": shown["deadlines_met"],
        "missed": shown["deadlines_missed"],
    }
    assert_nothing_small_worked_out(cells, published, [("deadlines", ["met", "missed"])])


def test_intervention_rows_and_their_total() -> None:
    # The reading group's 6 and ELSA's 2: a total of 8 would give ELSA's away.
    rows, total = suppress_with_total({"Reading": 6, "ELSA": 2}, 8)
    assert rows == {"Reading": 6, "ELSA": None} and total is NOT_SHOWN
    assert suppress_with_total({"Reading": 6, "Maths": 9}, 15) == (
        {"Reading": 6, "Maths": 9},
        15,
    )
    cells = {"total": 8, "Reading": 6, "ELSA": 2}
    published = {"total": total, **rows}
    assert_nothing_small_worked_out(cells, published, [("total", ["Reading", "ELSA"])])


def test_a_small_count_given_away_by_public_counts_alone_hides_nothing_more() -> None:
    # A year group of 3, all with a plan: its roll (public) gives the 3 away whatever is
    # hidden, so hiding the rest of the table would protect nobody.
    cells = {"roll": 3, "N": 0, "K": 0, "E": 3, "other": 40}
    shown = suppress_linked(cells, [("roll", ["N", "K", "E"])], public={"roll"})
    assert shown == {"roll": 3, "N": 0, "K": 0, "E": None, "other": 40}


def test_hidden_counts_pinned_by_their_bounds() -> None:
    # 8 on roll, 6 on SEN support: N and E add up to 2, so both are 1 — hidden counts are
    # never 0. And 4 + 4 = 8 beside 40 in 48: "fewer than 5" each, so 4 each.
    for counts in ({"N": 1, "K": 6, "E": 1}, {"N": 4, "K": 40, "E": 4}):
        shown = suppress(counts)
        assert shown == {"N": None, "K": NOT_SHOWN, "E": None}
        cells = {"roll": sum(counts.values()), **counts}
        published = {"roll": cells["roll"], **shown}
        assert_nothing_small_worked_out(cells, published, [("roll", ["N", "K", "E"])])


def test_a_small_count_and_a_not_shown_one_adding_up_to_6() -> None:
    # 26 on roll: N 1, K 5, E 20. Hiding K beside N leaves N + K = 6, and "not shown" is 5
    # or more, so K = 5 and N = 1: the suppressor must hide differently.
    counts = {"N": 1, "K": 5, "E": 20}
    shown = suppress(counts)
    assert shown["N"] is None
    assert shown != {"N": None, "K": NOT_SHOWN, "E": 20}
    cells = {"roll": 26, **counts}
    published = {"roll": 26, **shown}
    assert_nothing_small_worked_out(cells, published, [("roll", ["N", "K", "E"])])
    # The reader's search pins the naive choice, so the test above can fail.
    naive = {"roll": 26, "N": None, "K": NOT_SHOWN, "E": 20}
    assert possible_values(naive, [("roll", ["N", "K", "E"])], 26) == {"N": {1}, "K": {5}}


def test_a_count_hidden_to_protect_another_reads_not_shown() -> None:
    # The review's register of 18: it is hidden so that N 2 cannot be worked out, and it is
    # not "fewer than 5".
    statuses = {"N": 2, "K": 12, "E": 6}
    areas, needs = _every_need_other(18)
    cells, shown, sums = _published_register(20, statuses, areas, needs, {7: dict(statuses)})
    secondary = [k for k, v in shown.items() if v is NOT_SHOWN]
    assert secondary and all(cells[k] >= 5 for k in secondary)
    assert [k for k, v in shown.items() if v is None] == [k for k, n in cells.items() if 0 < n < 5]
    assert {statistics.shown(shown[k]) for k in secondary} == {"not shown"}
    assert statistics.shown(None) == "fewer than 5"
    assert_nothing_small_worked_out(cells, shown, sums)


def test_two_secondary_counts_and_a_small_one_across_a_column_and_a_row() -> None:
    # Years 7 and 8, each N/K/E, and the status totals: Year 7's E of 2. Whatever is hidden
    # with it, the bound "not shown ≥ 5" must not pin it.
    statuses = {"N": 40, "K": 11, "E": 8}
    areas, needs = _every_need_other(19)
    years = {7: {"N": 20, "K": 5, "E": 2}, 8: {"N": 20, "K": 6, "E": 6}}
    cells, shown, sums = _published_register(59, statuses, areas, needs, years)
    assert_nothing_small_worked_out(cells, shown, sums)


def test_a_sum_taken_as_exact_that_is_not_still_gives_an_answer() -> None:
    """Access arrangements by kind against the pupils with any: a pupil with two
    arrangements is counted in both, so the parts add up to more than the total. The
    bounds a reader would push through such a sum never settle (they climbed for ever,
    and the governors' report of a 500-pupil demo school never finished); SENDesk stops at
    the contradiction and still hides the small counts."""
    from sendesk.services.school.statistics import suppress_linked

    counts = {"any": 9, "extra time": 7, "reader": 3, "rest breaks": 2, "scribe": 6}
    out = suppress_linked(counts, [("any", ["extra time", "reader", "rest breaks", "scribe"])])
    assert out["reader"] is None and out["rest breaks"] is None
    assert out["any"] is not None  # 9 pupils: never "fewer than 5"
