"""Pupils' EHC plans recorded in one call (issue 14): new plans, and plans already recorded
(the register's move to E records one) completed, read back as if recorded and corrected
one by one, checked by the same rules, refused whole in one sentence and audited once; the
pupil's next review date kept on the live plan."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import EhcPlan, Pupil, Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.plans import (
    PastPlan,
    PlanData,
    end_plan,
    list_plans,
    record_past_ehc_plans,
    record_plan,
)
from sendesk.services.ehc.records import PlanItem, RequestData, ReviewData
from sendesk.services.ehc.requests import open_request
from sendesk.services.ehc.reviews import record_review
from sendesk.services.register.register import CurrentStatus, apply_change, load_current
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import audit_events, count_rows
from tests.factories import add_test_pupil, ehc_plan_data, make_user

TODAY = date(2025, 3, 14)
PLAN = ehc_plan_data(
    issued_on=date(2023, 1, 16),
    la_name=" Testshire ",
    needs="B: reading and spelling well below age.\n",
    outcomes="E: read a Year 6 text aloud.",
    provision="F: 1:1 reading with a TA.",
    transfer_kind="secondary_to_post16",
    transfer_destination="Test College",
    transfer_on=date(2025, 9, 1),
)
# What the register records on a move to E: the day, the LA and the school.
BARE = PlanData(issued_on=date(2023, 1, 16), la_name="Testshire", named_setting="Test Academy")


def record(db: Database, actor: Actor, plans: list[PastPlan]) -> list[int]:
    with db.transaction() as s:
        return record_past_ehc_plans(s, AuditWriter(s, actor), plans, today=TODAY)


def seen(item: PlanItem) -> dict[str, object]:
    """What the SENCo sees of a plan, less what says which row it is."""
    shown = dataclasses.asdict(item)
    for name in ("id", "pupil_id", "version"):
        del shown[name]
    return shown


def next_review_of(db: Database, pupil_id: int) -> date | None:
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        return pupil.next_review_due


def test_new_and_completed_plans_read_back_as_if_recorded_one_by_one(
    db: Database, senco: Actor
) -> None:
    new, completed, by_hand = (add_test_pupil(db, senco, n, provision="K") for n in (1, 2, 3))
    recorded = record_plan(db, senco, completed, BARE, today=TODAY)
    ids = record(db, senco, [PastPlan(new, PLAN), PastPlan(completed, PLAN, recorded)])
    assert ids[1] == recorded
    record_plan(db, senco, by_hand, PLAN, today=TODAY)
    [hand] = list_plans(db, senco, by_hand, today=TODAY)
    for pupil in (new, completed):
        [item] = list_plans(db, senco, pupil, today=TODAY)
        assert seen(item) == seen(hand)
        assert item.la_name == "Testshire" and item.transfer_deadline is not None
        assert next_review_of(db, pupil) == date(2024, 1, 15)  # 12 months from the issue
    assert count_rows(db, EhcPlan) == 3
    # By hand, the plan recorded and the one recorded after; the batch once between.
    actions = [e.action for e in audit_events(db, "ehc_plan")]
    assert actions == ["create", "record_past_ehc_plans", "create"]
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_a_plan_with_its_request(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    data = RequestData(requested_by="school", la_name="Testshire", sent_on=date(2022, 9, 5))
    request_id = open_request(db, senco, pupil, data, today=TODAY)
    record(db, senco, [PastPlan(pupil, dataclasses.replace(PLAN, request_id=request_id))])
    [item] = list_plans(db, senco, pupil, today=TODAY)
    assert item.request_id == request_id


def test_a_register_history_records_and_ends_a_plan_in_its_own_transaction(
    db: Database, senco: Actor
) -> None:
    """How the demo's register history records the plan before the move to E, and ends it
    with the move off E: each in the change's transaction, the plan first (the register
    refuses E without a live plan), the pupil's next review date following the plan."""
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), since=date(2022, 9, 1))

    def move(s: Session, audit: AuditWriter, provision: str, on: date) -> None:
        current = load_current(s, [pupil]).get(pupil, CurrentStatus(None, []))
        assert apply_change(s, audit, pupil, current, provision, ("SPLD",), on, "EHC plan")

    with db.transaction() as s:
        audit = AuditWriter(s, senco)
        [plan_id] = record_past_ehc_plans(s, audit, [PastPlan(pupil, BARE)], today=TODAY)
        move(s, audit, "E", BARE.issued_on)
    [item] = list_plans(db, senco, pupil, today=TODAY)
    assert (item.issued_on, item.la_name, item.needs) == (BARE.issued_on, "Testshire", "")
    assert next_review_of(db, pupil) == date(2024, 1, 15)
    with db.transaction() as s:
        audit = AuditWriter(s, senco)
        with pytest.raises(ValidationError, match=r"cannot cease .* before it was issued"):
            end_plan(s, audit, plan_id, item.version, date(2022, 12, 1), TODAY)
        end_plan(s, audit, plan_id, item.version, date(2023, 10, 2), TODAY)
        move(s, audit, "K", date(2023, 10, 2))
    [item] = list_plans(db, senco, pupil, today=TODAY)
    assert item.ceased_on == date(2023, 10, 2)
    assert next_review_of(db, pupil) is None


def test_a_bad_plan_refuses_the_whole_batch(db: Database, senco: Actor) -> None:
    good, live, other, reviewed = (
        add_test_pupil(db, senco, n, provision="K") for n in (1, 2, 3, 4)
    )
    record_plan(db, senco, live, BARE, today=TODAY)
    others = record_plan(db, senco, other, BARE, today=TODAY)
    first_review = record_plan(db, senco, reviewed, BARE, today=TODAY)
    record_review(db, senco, first_review, ReviewData(meeting_on=date(2023, 12, 4)), today=TODAY)
    with pytest.raises(ValidationError) as refused:
        record(
            db,
            senco,
            [
                PastPlan(good, PLAN),
                PastPlan(live, PLAN),
                PastPlan(good, dataclasses.replace(PLAN, hours_per_week=45.0)),
                PastPlan(live, PLAN, others),
                PastPlan(
                    reviewed, dataclasses.replace(PLAN, issued_on=date(2024, 1, 8)), first_review
                ),
                PastPlan(999, PLAN),
                PastPlan(good, dataclasses.replace(PLAN, request_id=12345)),
            ],
        )
    assert str(refused.value) == (
        f"Plan 2 (pupil {live}): the pupil already has an EHC plan (issued 16/01/2023); "
        f"plan 3 (pupil {good}): the hours a week must be from 0 to 40 (not 45); "
        f"plan 4 (pupil {live}): plan {others} is not one of this pupil's EHC plans; "
        f"plan 5 (pupil {reviewed}): the plan's date (08/01/2024) is after its first review "
        "meeting (04/12/2023); "
        "plan 6 (pupil 999): the pupil is not in this database; 1 more problem(s). "
        "Nothing was recorded."
    )
    assert count_rows(db, EhcPlan) == 3
    [item] = list_plans(db, senco, other, today=TODAY)
    assert item.needs == ""  # the recorded plan is as it was


@pytest.mark.parametrize(
    ("plans", "problem"),
    [
        (
            lambda p, _: [PastPlan(p, PLAN), PastPlan(p, PLAN)],
            "plan 2 (pupil {p}): the pupil is given a second live EHC plan",
        ),
        (
            lambda p, plan: [PastPlan(p, PLAN, plan), PastPlan(p, PLAN, plan)],
            "plan 1 (pupil {p}): plan {plan} is given more than once; "
            "plan 2 (pupil {p}): plan {plan} is given more than once",
        ),
        (
            lambda p, _: [PastPlan(p, dataclasses.replace(PLAN, issued_on=date(2025, 3, 17)))],
            "plan 1 (pupil {p}): the plan's date (17/03/2025) is in the future",
        ),
        (
            lambda p, _: [PastPlan(p, dataclasses.replace(PLAN, request_id=999))],
            "plan 1 (pupil {p}): the plan's request is not one of this pupil's EHC requests",
        ),
    ],
)
def test_one_live_plan_a_pupil_and_its_own_request(
    db: Database, senco: Actor, plans, problem: str
) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    other = add_test_pupil(db, senco, 2, provision="K")
    plan = record_plan(db, senco, other, BARE, today=TODAY) if "given more" in problem else 0
    if plan:  # the plan given twice is the pupil's own
        pupil = other
    with pytest.raises(ValidationError) as refused:
        record(db, senco, plans(pupil, plan))
    text = problem.format(p=pupil, plan=plan)
    assert str(refused.value) == text[:1].upper() + text[1:] + ". Nothing was recorded."
    assert count_rows(db, EhcPlan) == (1 if plan else 0)


def test_only_the_senco_records_past_plans(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    teacher = make_user(db, "teacher", Role.TEACHER)
    with pytest.raises(PermissionDeniedError):
        record(db, teacher, [PastPlan(pupil, PLAN)])
    assert count_rows(db, EhcPlan) == 0
