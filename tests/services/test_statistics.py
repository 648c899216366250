"""Anonymised statistics: counts only, small numbers suppressed."""

from __future__ import annotations

from sendesk.models import Role
from sendesk.services.school.statistics import NOT_SHOWN, register_statistics, shown, suppress
from sendesk.services.staff.users import create_user, sign_in
from tests.factories import add_test_pupil


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
    # each; K 6 shown would leave them adding up to 2, so each 1: K is hidden too.
    assert stats.by_provision == {"N": None, "K": NOT_SHOWN, "E": None}
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
