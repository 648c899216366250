"""A school's past interventions recorded in one call (issue 14): read back through the
day-to-day services as if logged on the day, checked by the same rules, audited once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, DeliveredSession, Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.enrolments import enrolment_progress, list_enrolments
from sendesk.services.graduated.intervention_records import GroupData
from sendesk.services.graduated.intervention_setup import add_intervention, list_groups
from sendesk.services.graduated.past_interventions import (
    PastCounts,
    PastEnrolment,
    PastGroup,
    PastMark,
    PastSession,
    record_past_interventions,
)
from sendesk.services.graduated.sessions import group_day
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import count_rows
from tests.factories import READING_RECOVERY as READING
from tests.factories import add_test_pupil, make_user

MONDAY, WEDNESDAY = date(2025, 3, 3), date(2025, 3, 5)
START, TODAY = date(2025, 1, 6), date(2025, 3, 7)
LOGGED = datetime(2025, 3, 3, 15, 30, tzinfo=UTC)


def history(intervention_id: int, leader: int, pupils: list[int]) -> PastGroup:
    """A Monday/Wednesday reading group of two: Monday both came (one for 20 minutes),
    Wednesday the second missed it; a mid measure for the first pupil."""
    return PastGroup(
        group=GroupData(intervention_id, "Y8 reading (past)", leader, (0, 2), START, None),
        enrolments=(
            PastEnrolment(
                pupils[0], START, date(2025, 4, 4), entry_measure=84, entry_date=START,
                measures=((date(2025, 2, 10), 88),),
            ),
            PastEnrolment(pupils[1], START, date(2025, 4, 4)),
        ),
        sessions=(
            PastSession(
                MONDAY, True, 30, LOGGED,
                marks=(PastMark(0, True, 30), PastMark(1, True, 20, note="Tired")),
            ),
            PastSession(
                WEDNESDAY, True, 30, LOGGED,
                marks=(PastMark(0, True, 30), PastMark(1, False, 0, "absent")),
            ),
            PastSession(date(2025, 2, 19), False, 0, LOGGED, reason="school closed"),
        ),
    )  # fmt: skip


def record(db: Database, actor: Actor, groups: list[PastGroup]) -> PastCounts:
    with db.transaction() as s:
        return record_past_interventions(s, AuditWriter(s, actor), groups, today=TODAY)


def test_a_past_group_reads_back_as_if_logged_on_the_day(db: Database, senco: Actor) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    reading = add_intervention(db, senco, READING)
    pupils = [add_test_pupil(db, senco, n, forename=f"Pupil{n}") for n in (1, 2)]
    counts = record(db, senco, [history(reading, ta.user_id, pupils)])
    assert (counts.groups, counts.enrolments, counts.measurements) == (1, 2, 1)
    assert (counts.sessions, counts.session_marks) == (3, 4)

    [group] = [g for g in list_groups(db, senco) if g.name == "Y8 reading (past)"]
    enrolments = {e.pupil_id: e.id for e in list_enrolments(db, senco, group.id)}
    monday = group_day(db, ta, group.id, MONDAY).logged
    assert monday is not None and monday.logged_by == ta.display_name
    assert monday.entry_for(enrolments[pupils[1]]).minutes == 20  # type: ignore[union-attr]
    wednesday = group_day(db, ta, group.id, WEDNESDAY).logged
    assert wednesday is not None
    missed = wednesday.entry_for(enrolments[pupils[1]])
    assert missed is not None and not missed.attended and missed.missed_reason == "absent"
    closed = group_day(db, ta, group.id, date(2025, 2, 19)).logged
    assert closed is not None and not closed.delivered
    assert closed.not_delivered_reason == "school closed"
    points = enrolment_progress(db, senco, enrolments[pupils[0]]).points
    assert [(p.on, p.value) for p in points] == [(START, 84), (date(2025, 2, 10), 88)]

    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
        assert actions.count("record_past_interventions") == 1  # once for the whole batch
        assert list(chain_problems(s)) == []


def test_a_pupil_enrolled_with_no_line_refuses_the_whole_batch(db: Database, senco: Actor) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    reading = add_intervention(db, senco, READING)
    pupils = [add_test_pupil(db, senco, n) for n in (1, 2)]
    good = history(reading, ta.user_id, pupils)
    short = PastSession(MONDAY, True, 30, LOGGED, marks=(PastMark(0, True, 30),))
    bad = PastGroup(good.group, good.enrolments, (short, *good.sessions[1:]))
    with pytest.raises(ValidationError) as refused:
        record(db, senco, [bad])
    assert str(refused.value) == (
        "The group 'Y8 reading (past)' on 03/03/2025: 1 pupil(s) enrolled have no line. "
        "Nothing was recorded."
    )
    assert count_rows(db, DeliveredSession) == 0


MISSED_NO_REASON = (PastMark(0, False, 0), PastMark(1, True, 30))
TOO_LONG = (PastMark(0, True, 45), PastMark(1, True, 30))


@pytest.mark.parametrize(
    ("session", "problem"),
    [
        (PastSession(date(2025, 3, 10), True, 30, LOGGED), "is after today"),
        (PastSession(MONDAY, True, 600, LOGGED), "minutes must be from 1 to 480"),
        (PastSession(MONDAY, False, 0, LOGGED), "say why the session was not delivered"),
        (
            PastSession(MONDAY, True, 30, LOGGED, marks=MISSED_NO_REASON),
            "a pupil missed the session with no reason given",
        ),
        (
            PastSession(MONDAY, True, 30, LOGGED, marks=TOO_LONG),
            "a pupil's minutes must be from 1 to 30",
        ),
    ],
)  # fmt: skip
def test_each_session_is_checked_as_log_session_checks_one(
    db: Database, senco: Actor, session: PastSession, problem: str
) -> None:
    reading = add_intervention(db, senco, READING)
    pupils = [add_test_pupil(db, senco, n) for n in (1, 2)]
    good = history(reading, senco.user_id, pupils)
    with pytest.raises(ValidationError, match=problem):
        record(db, senco, [PastGroup(good.group, good.enrolments, (session,))])


def test_only_the_senco_records_a_history(db: Database, senco: Actor) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    reading = add_intervention(db, senco, READING)
    pupils = [add_test_pupil(db, senco, n) for n in (1, 2)]
    with pytest.raises(PermissionDeniedError):
        record(db, ta, [history(reading, ta.user_id, pupils)])
