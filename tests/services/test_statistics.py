"""Anonymised statistics: counts only, small numbers suppressed."""

from __future__ import annotations

from sendesk.models import Role
from sendesk.services.school.statistics import NOT_SHOWN, register_statistics, shown, suppress
from sendesk.services.staff.users import create_user, sign_in
from tests.factories import add_test_pupil
from tests.small_numbers import assert_nothing_small_worked_out, possible_values


def test_shown_suppresses_small_numbers() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 1200)] == [
        "0",
        "fewer than 5",
        "fewer than 5",
        "5",
        "1,200",
    ]


def test_counts_for_a_read_only_user(db, senco) -> None:
    for serial in range(1, 7):
        add_test_pupil(db, senco, serial, provision="K", needs=("SPLD",), year=7)
    add_test_pupil(db, senco, 7, provision="E", needs=("ASD", "SLCN"), year=9)
    add_test_pupil(db, senco, 8, year=9)
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "password1")
    stats = register_statistics(db, sign_in(db, "gov", "password1"))
    assert stats.pupils == 8
    # Suppressed in the service: counts of 1-4 never leave it (issue 12). N and E are 1
    # each, and Year 9's roll (2, public) with its K of 0 gives that away whatever is
    # hidden: hiding K 6 (Year 7's whole roll) too would protect nobody, so it is shown.
    assert stats.by_provision == {"N": None, "K": 6, "E": None}
    # One area of 1 would be 7 - 6 (the register's total): both are hidden.
    assert stats.by_area["Cognition and learning"] is NOT_SHOWN
    assert stats.by_area["Communication and interaction"] is None
    assert stats.by_year == {7: {"N": 0, "K": 6, "E": 0}, 9: {"N": None, "K": 0, "E": None}}
    counts = [
        n
        for row in (stats.by_provision, stats.by_area, *stats.by_year.values())
        for n in row.values()
    ]
    assert not [n for n in counts if isinstance(n, int) and 0 < n < 5]


def test_one_small_count_hides_a_second_so_it_cannot_be_subtracted_out() -> None:
    # A total of 120 is published elsewhere: 3 alone hidden would be 120 - 100 - 17.
    assert suppress({"N": 100, "K": 17, "E": 3}) == {"N": 100, "K": NOT_SHOWN, "E": None}
    assert suppress({"N": 100, "K": 2, "E": 3}) == {"N": 100, "K": None, "E": None}
    assert suppress({"N": 100, "K": 0, "E": 3}) == {"N": NOT_SHOWN, "K": 0, "E": None}
    assert suppress({"N": 100, "K": 20, "E": 0}) == {"N": 100, "K": 20, "E": 0}
    assert shown(None) == "fewer than 5"
    assert shown(NOT_SHOWN) == "not shown"


def test_the_statistics_pages_tables_are_linked(db, senco) -> None:
    # Year 7: N 5, K 6, E 3; Year 8: N 5, K 6, E 5. Row by row, Year 7's E and another
    # cell of its row are hidden, but E's column (8 in all, less Year 8's 5) gives the 3.
    serial = iter(range(1, 100))
    rows = {7: {"N": 5, "K": 6, "E": 3}, 8: {"N": 5, "K": 6, "E": 5}}
    for year, row in rows.items():
        for provision, n in row.items():
            for _ in range(n):
                add_test_pupil(db, senco, next(serial), provision=provision, year=year)
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "password1")
    stats = register_statistics(db, sign_in(db, "gov", "password1"))
    totals = {p: sum(r[p] for r in rows.values()) for p in ("N", "K", "E")}
    cells: dict[object, int] = {"roll": 30, **{("status", p): n for p, n in totals.items()}}
    published: dict[object, object] = {"roll": stats.pupils}
    published |= {("status", p): n for p, n in stats.by_provision.items()}
    sums: list[tuple[object, list[object]]] = [("roll", [("status", p) for p in totals])]
    for y, row in rows.items():
        cells[("roll", y)] = published[("roll", y)] = sum(row.values())  # public
        cells |= {(y, p): n for p, n in row.items()}
        published |= {(y, p): n for p, n in stats.by_year[y].items()}
        sums.append((("roll", y), [(y, p) for p in row]))
    sums += [(("status", p), [(y, p) for y in rows]) for p in totals]
    assert stats.by_year[7]["E"] is None
    # The old row-by-row page: the reader's search pins Year 7's E, so this test can fail.
    old = dict(published)
    old |= {(y, p): n for y, row in rows.items() for p, n in suppress(row).items()}
    old |= {("status", p): n for p, n in suppress(totals).items()}
    assert possible_values(old, sums, 30)[(7, "E")] == {3}  # type: ignore[arg-type]
    assert shown(stats.by_year[7]["E"]) == "fewer than 5"
    assert_nothing_small_worked_out(cells, published, sums)  # type: ignore[arg-type]
    # What the page says of them.
    hidden_big = [k for k, v in published.items() if v is NOT_SHOWN]
    assert hidden_big and all(cells[k] >= 5 for k in hidden_big)
