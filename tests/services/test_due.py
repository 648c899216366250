"""What's due: review dates, EHC annual reviews and gaps, soonest first."""

from __future__ import annotations

from datetime import date

import pytest

from sendesk.errors import PermissionDeniedError
from sendesk.models import NeedProfile, Role, SupportPlan
from sendesk.services.due import add_months, due_items
from sendesk.services.graduated.interventions_due import MEASURES_KIND
from sendesk.services.graduated.support_plans import RHYTHM_KIND
from sendesk.services.staff.users import create_user, sign_in
from tests.factories import add_test_contact, add_test_pupil, make_user

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
        # On SEN support with no support plan: parents not met on record (CoP 6.65).
        ("Ana Pupil", "gap", None),
        ("Ben Pupil", "gap", None),
    ]
    assert "a review is due by 01/10/2026" in items[0].text
    assert items[1].text == "SEN support review due 01/11/2026"


def test_gaps_are_named(db, senco) -> None:
    add_test_pupil(
        db, senco, 5, provision="K", needs=("SEMH",), forename="Eve", leaving_date=date(2026, 7, 20)
    )
    texts = {i.text for i in due_items(db, senco, today=TODAY) if i.kind != RHYTHM_KIND}
    assert texts == {
        "No date set for the next SEN support review",
        "Left on 20/07/2026 but still on the SEN register",
        "No description of needs in social, emotional and mental health",
        "No contact with parental responsibility recorded",
        # a leaver with SEN history: their SEN file goes on (issue 15)
        "Left 20/07/2026 for their new school: send the SEN file and CTF within 15 school "
        "days (weekdays counted; take off any holiday)",
    }


def test_read_only_sees_no_named_items(db, senco) -> None:
    create_user(db, senco, "gov", "A Governor", Role.READ_ONLY, "password1")
    with pytest.raises(PermissionDeniedError):
        due_items(db, sign_in(db, "gov", "password1"), today=TODAY)


# --- SEN support rhythm: parents met at least three times a year (CoP 6.65) ---------------


def add_cycle(
    db, pupil_id: int, start: date, reviewed_on: date | None, parent_views: str = ""
) -> None:
    with db.transaction() as s:
        s.add(
            SupportPlan(
                pupil_id=pupil_id,
                start_date=start,
                review_due=reviewed_on or add_months(start, 3),
                reviewed_on=reviewed_on,
                parent_views=parent_views,
            )
        )


def rhythm(db, senco) -> dict[str, str]:
    return {
        i.pupil_name: i.text
        for i in due_items(db, senco, today=TODAY)
        if i.kind == RHYTHM_KIND and i.severity == "gap" and i.due is None
    }


def test_pupils_on_sen_support_met_fewer_than_three_times_are_due(db, senco) -> None:
    """CoP 6.65: parents of a pupil on SEN support met at least three times a year. With
    no meeting log yet, support-plan reviews and plan starts with parents' views count."""
    kind = dict(provision="K", needs=("SPLD",))
    met_three = add_test_pupil(db, senco, 1, forename="Ana", **kind)
    add_cycle(db, met_three, date(2025, 12, 1), date(2026, 3, 2), "Mum")
    add_cycle(db, met_three, date(2026, 3, 2), date(2026, 6, 8), "Mum: reading at home")
    add_cycle(db, met_three, date(2026, 6, 8), None, "Dad came")  # a review and a start: 1 day
    met_twice = add_test_pupil(db, senco, 2, forename="Ben", **kind)
    add_cycle(db, met_twice, date(2025, 6, 2), date(2025, 11, 23))  # a year ago today: out
    add_cycle(db, met_twice, date(2025, 11, 24), date(2026, 3, 2))
    add_cycle(db, met_twice, date(2026, 3, 9), None, "Both parents")
    met_once = add_test_pupil(db, senco, 3, forename="Cai", **kind)
    add_cycle(db, met_once, date(2026, 9, 7), None, "")  # no parents' views: not a meeting
    add_cycle(db, met_once, date(2026, 9, 1), date(2026, 9, 7))
    add_test_pupil(db, senco, 4, forename="Dee", **kind)
    add_test_pupil(db, senco, 5, forename="Eve", leaving_date=date(2026, 7, 20), **kind)
    add_test_pupil(db, senco, 6, forename="Fay", provision="E", needs=("ASD",), plan=True)
    add_test_pupil(db, senco, 7, forename="Gus")  # N: not on the register

    assert rhythm(db, senco) == {
        "Ben Pupil": "Parents met twice in the last 12 months (counting support-plan reviews "
        "and plan starts with parents' views): on SEN support, at least three times a year "
        "(CoP 6.65)",
        "Cai Pupil": "Parents met once in the last 12 months (counting support-plan reviews "
        "and plan starts with parents' views): on SEN support, at least three times a year "
        "(CoP 6.65)",
        "Dee Pupil": "Parents met not once in the last 12 months (counting support-plan "
        "reviews and plan starts with parents' views): on SEN support, at least three times "
        "a year (CoP 6.65)",
    }


# --- each member of staff sees their own pupils (issue 13) ---------------------------------


def test_staff_see_only_their_own_pupils_deadlines(db, senco) -> None:
    from sendesk.models import (
        Enrolment,
        Intervention,
        InterventionGroup,
        PupilAssignment,
        TeachingGroup,
        TeachingGroupMember,
    )

    today = date(2026, 3, 2)
    soon = {"next_review_due": date(2026, 3, 16)}
    amy, ben, cal, dee = (
        add_test_pupil(db, senco, n, provision="K", needs=("SPLD",), forename=f, **soon)
        for n, f in ((1, "Amy"), (2, "Ben"), (3, "Cal"), (4, "Dee"))
    )
    teacher = make_user(db, "teacher", Role.TEACHER)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    with db.transaction() as s:
        group = TeachingGroup(code="9X/En1", subject="English", teacher_id=teacher.user_id)
        s.add(group)
        s.flush()
        s.add(TeachingGroupMember(group_id=group.id, pupil_id=amy))
        reading = Intervention(
            name="Reading catch-up",
            area="Cognition and learning",
            staff_role="TA",
            measure="reading age",
            measure_kind="age_months",
        )
        s.add(reading)
        s.flush()
        led = InterventionGroup(
            intervention_id=reading.id,
            name="Reading A",
            staff_id=ta.user_id,
            start_date=date(2026, 1, 5),
        )
        s.add(led)
        s.flush()
        s.add(Enrolment(group_id=led.id, pupil_id=ben, start_date=date(2026, 1, 5)))
        s.add(PupilAssignment(user_id=ta.user_id, pupil_id=cal))

    def shown(actor) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for item in due_items(db, actor, today=today):
            found.setdefault(item.pupil_id, set()).add(item.kind)
        return found

    everyone = shown(senco)
    assert {amy, ben, cal, dee} <= set(everyone)
    assert "review" in everyone[dee] and len(everyone[dee]) > 1  # gaps too, for the SENCo
    # The teacher: the pupils in their class, their reviews; no record gaps.
    assert shown(teacher) == {amy: {"review"}}
    # Learning support: the pupils in the groups they lead and those assigned to them, and
    # the measures due in their groups (Ben was enrolled with no entry measure).
    assert shown(ta) == {ben: {"review", MEASURES_KIND}, cal: {"review"}}
