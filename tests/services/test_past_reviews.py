"""A school's past EHC annual reviews recorded in one call (issue 14): read back through
the EHC service as if recorded one by one, checked by the same rules, audited once, and
the pupil's next review date kept on the plan's reviews."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AnnualReview, AuditEvent, Pupil, Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.plans import list_plans, record_plan
from sendesk.services.ehc.records import ReviewData
from sendesk.services.ehc.reviews import PastReviews, record_past_reviews
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import count_rows
from tests.factories import ehc_plan_data, make_user

TODAY = date(2025, 3, 14)
PLAN = ehc_plan_data(
    issued_on=date(2023, 1, 16),
    outcomes="E: read a Year 6 text aloud.",
    provision="F: 1:1 reading with a TA.",
)
FIRST = ReviewData(
    meeting_on=date(2023, 12, 4),
    invitations_sent_on=date(2023, 11, 13),
    report_sent_on=date(2023, 12, 11),
    attendees="Parent, SENCo",
    summary="Good progress.",
    recommendation="keep",
    la_decision="keep",
    la_decision_on=date(2023, 12, 22),
)
SECOND = dataclasses.replace(
    FIRST,
    meeting_on=date(2024, 11, 25),
    invitations_sent_on=date(2024, 11, 4),
    report_sent_on=date(2024, 12, 2),
    la_decision_on=date(2024, 12, 13),
)
BOOKED = ReviewData(meeting_on=date(2025, 11, 3))  # booked ahead, nothing sent yet


def record(db: Database, actor: Actor, plans: list[PastReviews]) -> int:
    with db.transaction() as s:
        return record_past_reviews(s, AuditWriter(s, actor), plans, today=TODAY)


def next_review_of(db: Database, pupil_id: int) -> date | None:
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        return pupil.next_review_due


def test_past_reviews_read_back_and_move_the_next_review(
    db: Database, senco: Actor, pupil: int
) -> None:
    plan_id = record_plan(db, senco, pupil, PLAN, today=TODAY)
    assert next_review_of(db, pupil) == date(2024, 1, 15)  # 12 months from the issue
    assert record(db, senco, [PastReviews(plan_id, (FIRST, SECOND, BOOKED))]) == 3
    [item] = list_plans(db, senco, pupil, today=TODAY)
    meetings = [(r.meeting_on, r.la_decision) for r in item.reviews]
    assert sorted(meetings) == [
        (date(2023, 12, 4), "keep"),
        (date(2024, 11, 25), "keep"),
        (date(2025, 11, 3), ""),
    ]
    # From the last meeting held, not the one booked ahead.
    assert next_review_of(db, pupil) == item.next_review_due == date(2025, 11, 24)
    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
        assert actions.count("record_past_reviews") == 1  # once for the whole batch
        assert list(chain_problems(s)) == []


@pytest.mark.parametrize(
    ("reviews", "problem"),
    [
        (
            (ReviewData(meeting_on=date(2022, 12, 5)),),
            "Plan {p}, the review of 05/12/2022: the review meeting (05/12/2022) is before "
            "the plan was issued (16/01/2023)",
        ),
        (
            (dataclasses.replace(FIRST, report_sent_on=date(2023, 11, 30)),),
            "Plan {p}, the review of 04/12/2023: the report (30/11/2023) is before the "
            "meeting (04/12/2023)",
        ),
        (
            (dataclasses.replace(FIRST, la_decision="maybe"),),
            "Plan {p}, the review of 04/12/2023: the LA's decision must be keep, amend or cease",
        ),
        (
            (FIRST, FIRST),
            "Plan {p}, the review of 04/12/2023: it is given twice; plan {p}, the review of "
            "04/12/2023: it is given twice",
        ),
    ],
)
def test_a_bad_review_refuses_the_whole_batch(
    db: Database,
    senco: Actor,
    pupil: int,
    reviews: tuple[ReviewData, ...],
    problem: str,
) -> None:
    plan_id = record_plan(db, senco, pupil, PLAN, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        record(db, senco, [PastReviews(plan_id, (SECOND, *reviews))])
    assert str(refused.value) == problem.format(p=plan_id) + ". Nothing was recorded."
    assert count_rows(db, AnnualReview) == 0
    assert next_review_of(db, pupil) == date(2024, 1, 15)


def test_a_plan_not_in_the_database_is_named(db: Database, senco: Actor) -> None:
    with pytest.raises(ValidationError, match="Plan 999 is not in this database"):
        record(db, senco, [PastReviews(999, (FIRST,))])


def test_only_the_senco_records_past_reviews(db: Database, senco: Actor, pupil: int) -> None:
    plan_id = record_plan(db, senco, pupil, PLAN, today=TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    with pytest.raises(PermissionDeniedError):
        record(db, teacher, [PastReviews(plan_id, (FIRST,))])
    assert count_rows(db, AnnualReview) == 0
