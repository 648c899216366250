"""Pupils' past support-plan cycles recorded in one call (issue 14): read back through the
support-plan services as if written and reviewed on the day, checked by the same rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role, SupportPlan
from sendesk.rules.support_plans import OutcomeDraft, PlanDraft, ProvisionDraft
from sendesk.services.actor import Actor
from sendesk.services.graduated.past_plans import (
    PastCycles,
    PastPlan,
    PastPlanCounts,
    PastReview,
    record_past_plans,
)
from sendesk.services.graduated.support_plans import plan_details
from sendesk.services.store.audit import AuditWriter
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user

TODAY = date(2025, 3, 7)
CL = "Cognition and learning"
WRITTEN = datetime(2024, 9, 9, 9, 0, tzinfo=UTC)


def draft(start: date, review: date, *outcomes: str) -> PlanDraft:
    return PlanDraft(
        start_date=start,
        review_due=review,
        assessment="Reading age two years below.",
        outcomes=tuple(OutcomeDraft(text, CL) for text in outcomes),
        provisions=(ProvisionDraft("strategy", "Chunked instructions"),),
        pupil_views="I like the quiet room.",
    )


def two_cycles(pupil_id: int) -> PastCycles:
    """An autumn cycle reviewed in December, and the open spring cycle after it."""
    autumn = PastPlan(
        draft(date(2024, 9, 9), date(2024, 12, 13), "Reads 40 words", "Spells 20 words"),
        WRITTEN,
        PastReview(
            date(2024, 12, 12),
            ("achieved", "partly"),
            ("Reads them all", "12 of 20"),
            review_summary="1 of 2 outcomes achieved.",
            next_steps="Carry on with spelling.",
        ),
    )
    spring = PastPlan(
        draft(date(2025, 1, 6), date(2025, 4, 4), "Spells 20 words", "Reads aloud"), WRITTEN
    )
    return PastCycles(pupil_id, (autumn, spring))


def record(db: Database, actor: Actor, cycles: list[PastCycles]) -> PastPlanCounts:
    with db.transaction() as s:
        return record_past_plans(s, AuditWriter(s, actor), cycles, today=TODAY)


def test_past_cycles_read_back_as_plans_written_and_reviewed(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    counts = record(db, senco, [two_cycles(pupil)])
    assert (counts.support_plans, counts.plan_outcomes, counts.planned_provisions) == (2, 4, 2)
    autumn, spring = plan_details(db, senco, pupil)
    assert (autumn.cycle, spring.cycle) == (1, 2)
    assert spring.previous_plan_id == autumn.id and spring.reviewed_on is None
    assert autumn.reviewed_on == date(2024, 12, 12)
    assert [(o.text, o.result_label, o.review_comment) for o in autumn.outcomes] == [
        ("Reads 40 words", "Achieved", "Reads them all"),
        ("Spells 20 words", "Partly achieved", "12 of 20"),
    ]
    assert autumn.next_steps == "Carry on with spelling."
    assert autumn.created_by == "Ms Senco"
    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
    assert actions.count("record_past_plans") == 1


def test_a_cycle_before_the_last_review_refuses_the_batch(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    good = two_cycles(pupil)
    early = PastPlan(draft(date(2024, 12, 1), date(2025, 3, 1), "A", "B"), WRITTEN)
    with pytest.raises(ValidationError) as refused:
        record(db, senco, [PastCycles(pupil, (good.plans[0], early))])
    assert str(refused.value).startswith(f"Pupil {pupil}, cycle 2: ")
    assert str(refused.value).endswith("Nothing was recorded.")
    assert count_rows(db, SupportPlan) == 0


def test_only_the_last_cycle_may_be_open_and_each_review_is_checked(
    db: Database, senco: Actor
) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    autumn, spring = two_cycles(pupil).plans
    with pytest.raises(ValidationError, match="only the last cycle may be without a review"):
        record(db, senco, [PastCycles(pupil, (spring, autumn))])
    unjudged = PastPlan(
        autumn.draft, WRITTEN, PastReview(date(2024, 12, 12), ("achieved", "maybe"))
    )
    with pytest.raises(ValidationError, match=r"Pupil \d+, cycle 1: "):
        record(db, senco, [PastCycles(pupil, (unjudged,))])


def test_a_pupil_with_plans_already_is_refused(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    record(db, senco, [two_cycles(pupil)])
    with pytest.raises(ValidationError, match=f"Pupil {pupil} has support plans already"):
        record(db, senco, [two_cycles(pupil)])


def test_only_the_senco_records_past_plans(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    with pytest.raises(PermissionDeniedError):
        record(db, ta, [two_cycles(pupil)])
