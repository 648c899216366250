"""What's due: review dates, EHC annual reviews and gaps, soonest first."""

from __future__ import annotations

from datetime import date

import pytest
from pupil_factory import add_test_contact, add_test_pupil

from sendesk.errors import PermissionDeniedError
from sendesk.models import NeedProfile, Role
from sendesk.services.due import add_months, due_items
from sendesk.services.users import create_user, sign_in

TODAY = date(2026, 11, 23)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_items_in_order_with_reasons(db, senco) -> None:
    overdue = add_test_pupil(
        db,
        senco,
        1,
        provision="K",
        needs=("SPLD",),
        forename="Ana",
        next_review_due=date(2026, 11, 1),
    )
    soon = add_test_pupil(
        db,
        senco,
        2,
        provision="K",
        needs=("ASD",),
        forename="Ben",
        next_review_due=date(2026, 12, 1),
    )
    ehcp = add_test_pupil(
        db, senco, 3, provision="E", needs=("SLCN",), forename="Cai", since=date(2025, 10, 1)
    )
    add_test_pupil(db, senco, 4, provision="N", forename="Dee")  # not on the register
    for pid in (overdue, soon, ehcp):
        add_test_contact(db, pid)
    with db.transaction() as s:
        for pid, area in (
            (overdue, "Cognition and learning"),
            (soon, "Communication and interaction"),
            (ehcp, "Communication and interaction"),
        ):
            s.add(NeedProfile(pupil_id=pid, area=area, difficulties="Reading", strategies="x"))
    items = due_items(db, senco, today=TODAY)
    assert [(i.pupil_name, i.severity, i.due) for i in items] == [
        ("Cai Pupil", "overdue", date(2026, 10, 1)),
        ("Ana Pupil", "overdue", date(2026, 11, 1)),
        ("Ben Pupil", "soon", date(2026, 12, 1)),
    ]
    assert "a review is due by 01/10/2026" in items[0].text
    assert items[1].text == "SEN support review due 01/11/2026"


def test_gaps_are_named(db, senco) -> None:
    add_test_pupil(
        db, senco, 5, provision="K", needs=("SEMH",), forename="Eve", leaving_date=date(2026, 7, 20)
    )
    texts = {i.text for i in due_items(db, senco, today=TODAY)}
    assert texts == {
        "No date set for the next SEN support review",
        "Left on 20/07/2026 but still on the SEN register",
        "No description of needs in social, emotional and mental health",
        "No contact with parental responsibility recorded",
    }


def test_read_only_sees_no_named_items(db, senco) -> None:
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "password1")
    with pytest.raises(PermissionDeniedError):
        due_items(db, sign_in(db, "gov", "password1"), today=TODAY)
