"""Anonymised statistics: counts only, small numbers suppressed."""

from __future__ import annotations

from pupil_factory import add_test_pupil

from sendesk.models import Role
from sendesk.services.statistics import register_statistics, shown
from sendesk.services.users import create_user, sign_in


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
    assert stats.by_provision == {"N": 1, "K": 6, "E": 1}
    assert stats.by_area["Cognition and learning"] == 6
    assert stats.by_area["Communication and interaction"] == 1
    assert stats.by_year == {7: {"K": 6}, 9: {"E": 1, "N": 1}}
