"""Interventions: catalogue, groups, enrolments, progress, session logging, hours and cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from sendesk.db import Database
from sendesk.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from sendesk.models import AuditEvent, DeliveredSession, Role, SessionAttendance
from sendesk.rules.progress import RATING, STANDARDISED, SUBSTANTIAL
from sendesk.services.actor import Actor
from sendesk.services.graduated.costs import attended_rows, planned_vs_delivered, total_costs
from sendesk.services.graduated.enrolments import (
    add_measurement,
    enrol,
    enrolment_progress,
    list_enrolments,
    pupil_enrolments,
    pupil_progress,
    record_entry,
    record_exit,
)
from sendesk.services.graduated.intervention_records import (
    SCHOOL_CLOSED,
    AttendanceEntry,
    AttendedRow,
    GroupData,
    InterventionData,
    TermException,
    planned_sessions,
    pounds,
    scheduled_dates,
    session_costs,
    weekdays_text,
)
from sendesk.services.graduated.intervention_setup import (
    add_group,
    add_intervention,
    group_leaders,
    list_groups,
    list_interventions,
    update_group,
    update_intervention,
)
from sendesk.services.graduated.sessions import (
    group_day,
    log_session,
    log_term,
    my_groups,
    term_preview,
)
from sendesk.services.store.audit import chain_problems
from tests.db_reads import count_rows
from tests.factories import READING_RECOVERY, add_test_pupil, make_user

MONDAY = date(2025, 3, 3)
WEDNESDAY = date(2025, 3, 5)
TERM_START = date(2025, 1, 6)  # a Monday
MON_WED = (0, 2)


@pytest.fixture
def ta(db: Database) -> Actor:
    return make_user(db, "ta", Role.LEARNING_SUPPORT)


@pytest.fixture
def reading(db: Database, senco: Actor) -> int:
    return add_intervention(db, senco, READING_RECOVERY)


def make_group(
    db: Database,
    senco: Actor,
    intervention_id: int,
    staff: Actor | None,
    *,
    name: str = "Y8 reading",
    weekdays: tuple[int, ...] = MON_WED,
    start: date = TERM_START,
    end: date | None = None,
) -> int:
    return add_group(
        db,
        senco,
        GroupData(intervention_id, name, staff.user_id if staff else None, weekdays, start, end),
    )


def enrol_pupils(
    db: Database, senco: Actor, group_id: int, count: int, *, first_serial: int = 1
) -> list[int]:
    out = []
    for serial in range(first_serial, first_serial + count):
        pid = add_test_pupil(db, senco, serial, forename=f"Pupil{serial:02d}")
        out.append(enrol(db, senco, group_id, pid, TERM_START, date(2025, 7, 18), 84, TERM_START))
    return out


def everyone(enrolments: list[int], **overrides: AttendanceEntry) -> list[AttendanceEntry]:
    return [overrides.get(str(e), AttendanceEntry(e, True)) for e in enrolments]


@contextmanager
def commits(db: Database) -> Iterator[list[int]]:
    """Counts transactions committed on the engine while the block runs."""
    seen: list[int] = []

    def on_commit(_conn: object) -> None:
        seen.append(1)

    event.listen(db.engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "commit", on_commit)


def audit_actions(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- the catalogue ---------------------------------------------------------------------------


def test_senco_adds_and_lists_the_catalogue(db: Database, senco: Actor, ta: Actor) -> None:
    iid = add_intervention(db, senco, READING_RECOVERY)
    add_intervention(
        db,
        senco,
        InterventionData(
            "ELSA", "Social, emotional and mental health", "ELSA", "wellbeing", RATING
        ),
    )
    items = list_interventions(db, ta)  # the catalogue names no pupil: any role reads it
    assert [i.name for i in items] == ["ELSA", "Reading Recovery"]
    item = next(i for i in items if i.id == iid)
    assert item.planned_minutes_per_week == 60
    assert item.cost_per_hour_text == "£24.00"
    assert item.version == 1
    assert "add" in audit_actions(db)


def test_catalogue_is_the_sencos(db: Database, ta: Actor) -> None:
    with pytest.raises(PermissionDeniedError, match="Learning support accounts cannot"):
        add_intervention(db, ta, READING_RECOVERY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "The name is empty"),
        ({"area": "Maths"}, "'Maths' is not an area of need"),
        ({"measure_kind": "shoe size"}, "not a kind of measure"),
        ({"group_size": 0}, "group size must be from 1 to 40"),
        ({"minutes_per_session": 0}, "minutes per session must be from 1"),
        ({"cost_per_hour_pence": -1}, "cost per hour (pence) must be from 0"),
        ({"sessions_per_week": 2.5}, "sessions per week must be a whole number"),
    ],
)
def test_catalogue_entries_are_checked(
    db: Database, senco: Actor, change: dict[str, object], message: str
) -> None:
    from dataclasses import replace

    with pytest.raises(ValidationError) as raised:
        add_intervention(db, senco, replace(READING_RECOVERY, **change))  # type: ignore[arg-type]
    assert message in str(raised.value)


def test_catalogue_names_are_unique_whatever_the_case(
    db: Database, senco: Actor, reading: int
) -> None:
    from dataclasses import replace

    with pytest.raises(ValidationError, match="already has an intervention"):
        add_intervention(db, senco, replace(READING_RECOVERY, name="reading recovery"))


def test_update_with_optimistic_locking(db: Database, senco: Actor, reading: int) -> None:
    from dataclasses import replace

    v2 = update_intervention(
        db, senco, reading, 1, replace(READING_RECOVERY, minutes_per_session=40)
    )
    assert v2 == 2
    assert (
        update_intervention(
            db, senco, reading, 2, replace(READING_RECOVERY, minutes_per_session=40)
        )
        == 2
    )
    with pytest.raises(ConflictError):
        update_intervention(db, senco, reading, 1, replace(READING_RECOVERY, active=False))
    assert list_interventions(db, senco, include_inactive=False)[0].minutes_per_session == 40
    update_intervention(db, senco, reading, 2, replace(READING_RECOVERY, active=False))
    assert list_interventions(db, senco, include_inactive=False) == []
    with db.session() as s:
        detail = json.loads(
            s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "update")).first()
        )
    assert detail == {"minutes_per_session": {"from": 30, "to": 40}}


# --- groups -------------------------------------------------------------------------------------


def test_groups_and_who_sees_them(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    mine = make_group(db, senco, reading, ta, name="Mine")
    make_group(db, senco, reading, other, name="Theirs")
    assert {g.name for g in list_groups(db, senco)} == {"Mine", "Theirs"}
    [only] = list_groups(db, ta)
    assert (only.id, only.staff_name, only.weekdays_text) == (mine, "Ta", "Mon, Wed")
    assert only.intervention_name == "Reading Recovery"
    assert {name for _, name in group_leaders(db, senco)} == {"Ms Senco", "Ta", "Other"}
    with pytest.raises(PermissionDeniedError):
        list_groups(db, make_user(db, "gov", Role.READ_ONLY))


def test_group_leaders_are_offered_by_name_whatever_the_letter_case(
    db: Database, senco: Actor, ta: Actor
) -> None:
    """The SENCo's choice of who leads a group lists the active staff who may, as the class
    teachers' list does: by name, "de Souza" among the Ds, not after every capital."""
    make_user(db, "souza", Role.LEARNING_SUPPORT, "de Souza")
    make_user(db, "evans", Role.TEACHER, "Evans")
    make_user(db, "gone", Role.LEARNING_SUPPORT, "Able Gone", active=False)
    make_user(db, "exams", Role.EXAMS_OFFICER, "Abe Exams")
    names = [name for _, name in group_leaders(db, senco)]
    assert names == ["de Souza", "Evans", "Ms Senco", "Ta"]


def test_group_checks(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    with pytest.raises(ValidationError, match="at least one day"):
        make_group(db, senco, reading, ta, weekdays=())
    with pytest.raises(ValidationError, match="before the start date"):
        make_group(db, senco, reading, ta, end=TERM_START - timedelta(days=1))
    gov = make_user(db, "gov", Role.READ_ONLY)
    with pytest.raises(ValidationError, match="Read-only accounts cannot lead"):
        make_group(db, senco, reading, gov)
    with pytest.raises(PermissionDeniedError):
        make_group(db, ta, reading, ta)
    gid = make_group(db, senco, reading, ta)
    update_group(db, senco, gid, GroupData(reading, "Renamed", ta.user_id, (1,), TERM_START))
    [group] = list_groups(db, ta)
    assert (group.name, group.weekdays) == ("Renamed", (1,))


# --- enrolments and progress ---------------------------------------------------------------------


def test_ratio_gain_end_to_end(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    pid = add_test_pupil(db, senco, 1, forename="Ada")
    eid = enrol(db, senco, gid, pid, TERM_START, None, None)
    assert enrolment_progress(db, senco, eid).verdict_text.startswith("No entry measure")

    gid2 = make_group(db, senco, reading, ta, name="Autumn", start=date(2024, 9, 2))
    eid = enrol(db, senco, gid2, pid, date(2024, 9, 2), date(2024, 12, 20), 84, date(2024, 9, 2))
    progress = enrolment_progress(db, ta, eid)
    assert progress.verdict is None
    assert progress.verdict_text == "Only the entry measure is recorded so far."

    add_measurement(db, ta, eid, date(2024, 11, 2), 89)  # the TA leads the group
    so_far = enrolment_progress(db, senco, eid)
    assert not so_far.final
    assert so_far.verdict_text.startswith("So far: Ratio gain 2.5")

    record_exit(db, senco, eid, 93, date(2025, 1, 2))
    done = enrolment_progress(db, senco, eid)
    assert done.final and done.end_date == date(2025, 1, 2)
    assert [(p.on, p.value, p.label) for p in done.points] == [
        (date(2024, 9, 2), 84, "entry"),
        (date(2024, 11, 2), 89, ""),
        (date(2025, 1, 2), 93, "exit"),
    ]
    assert done.verdict is not None and done.verdict.band == SUBSTANTIAL
    assert done.verdict_text == (
        "Ratio gain 2.3: substantial impact (Brooks). 7:00 → 7:09, 9 months gained in 4 months."
    )
    assert done.formatted(93) == "7:09"
    assert [e.start_date for e in pupil_enrolments(db, senco, pid)] == [
        TERM_START,
        date(2024, 9, 2),
    ]
    assert "exit" in audit_actions(db)
    every = pupil_progress(db, ta, pid)  # both enrolments at once, as each reads alone
    assert sorted(every) == sorted(e.id for e in pupil_enrolments(db, senco, pid))
    for enrolment_id, progress in every.items():
        assert progress == enrolment_progress(db, senco, enrolment_id)
    assert every[eid].points == done.points and every[eid].verdict_text == done.verdict_text
    assert pupil_progress(db, senco, add_test_pupil(db, senco, 4)) == {}
    with pytest.raises(PermissionDeniedError):
        pupil_progress(db, make_user(db, "gov", Role.READ_ONLY), pid)


def test_standardised_change_end_to_end(db: Database, senco: Actor, ta: Actor) -> None:
    from dataclasses import replace

    iid = add_intervention(
        db,
        senco,
        replace(READING_RECOVERY, name="Toe by Toe", measure="SWRT", measure_kind=STANDARDISED),
    )
    gid = make_group(db, senco, iid, ta)
    pid = add_test_pupil(db, senco, 2)
    eid = enrol(db, senco, gid, pid, TERM_START, None, 82)
    with pytest.raises(ValidationError, match="standardised score must be between"):
        record_exit(db, senco, eid, 900, date(2025, 3, 28))
    record_exit(db, ta, eid, 90, date(2025, 3, 28))
    assert enrolment_progress(db, senco, eid).verdict_text == (
        "SWRT 82 → 90 (+8): significant gain."
    )


def test_enrolment_rules(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    pid = add_test_pupil(db, senco, 3)
    with pytest.raises(PermissionDeniedError):
        enrol(db, ta, gid, pid, TERM_START, None, 84)
    with pytest.raises(ValidationError, match="age-equivalent score must be between"):
        enrol(db, senco, gid, pid, TERM_START, None, 900)
    with pytest.raises(ValidationError, match="planned end"):
        enrol(db, senco, gid, pid, TERM_START, TERM_START - timedelta(days=1), 84)
    with pytest.raises(ValidationError, match="outside the group's dates"):
        enrol(db, senco, gid, pid, TERM_START - timedelta(days=7), None, 84)
    with pytest.raises(NotFoundError):
        enrol(db, senco, gid, 99_999, TERM_START, None, 84)
    eid = enrol(db, senco, gid, pid, TERM_START, None, 84)
    with pytest.raises(ValidationError, match="already enrolled"):
        enrol(db, senco, gid, pid, TERM_START + timedelta(days=7), None, 84)
    [item] = list_enrolments(db, senco, gid)
    assert (item.id, item.entry_measure, item.entry_date, item.current) == (
        eid,
        84,
        TERM_START,
        True,
    )
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    with pytest.raises(PermissionDeniedError, match="only for the groups they lead"):
        record_exit(db, other, eid, 90, date(2025, 3, 1))
    with pytest.raises(ValidationError, match="before the enrolment began"):
        record_exit(db, senco, eid, 90, TERM_START - timedelta(days=1))
    with pytest.raises(ConflictError):
        record_exit(db, senco, eid, 90, date(2025, 3, 1), version=7)
    record_exit(db, senco, eid, 90, date(2025, 3, 1), version=1)
    with pytest.raises(ValidationError, match="already ended"):
        record_exit(db, senco, eid, 91, date(2025, 3, 2))
    # Re-enrolling after the exit is a new enrolment.
    enrol(db, senco, gid, pid, date(2025, 4, 21), None, 90)
    assert len(list_enrolments(db, senco, gid)) == 2


# --- the day's groups -------------------------------------------------------------------------


def test_my_groups_are_the_ones_meeting_that_day(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    mine = make_group(db, senco, reading, ta, name="Mine")
    make_group(db, senco, reading, other, name="Theirs")
    make_group(db, senco, reading, ta, name="Thursdays", weekdays=(3,))
    make_group(db, senco, reading, ta, name="Ended", end=date(2025, 2, 1))
    enrolments = enrol_pupils(db, senco, mine, 3)
    record_exit(db, senco, enrolments[2], 90, date(2025, 2, 28))

    today = my_groups(db, ta, MONDAY)
    assert [g.name for g in today] == ["Mine"]
    assert [p.name for p in today[0].pupils] == ["Pupil01 Pupil", "Pupil02 Pupil"]
    assert today[0].minutes_per_session == 30 and today[0].logged is None
    assert today[0].title == "Mine — Reading Recovery"
    assert {g.name for g in my_groups(db, senco, MONDAY)} == {"Mine", "Theirs"}
    assert my_groups(db, ta, date(2025, 3, 4)) == []  # a Tuesday
    assert [p.name for p in my_groups(db, ta, date(2025, 2, 26))[0].pupils] == [
        "Pupil01 Pupil",
        "Pupil02 Pupil",
        "Pupil03 Pupil",
    ]
    assert group_day(db, ta, mine, date(2025, 3, 4)).group_id == mine  # an extra session
    with pytest.raises(PermissionDeniedError):
        group_day(db, other, mine, MONDAY)


# --- logging a session --------------------------------------------------------------------------


def test_a_session_for_a_group_of_eight_is_one_transaction(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    gid = make_group(db, senco, reading, ta)
    enrolments = enrol_pupils(db, senco, gid, 8)
    entries = everyone(
        enrolments,
        **{str(enrolments[3]): AttendanceEntry(enrolments[3], False, None, "absent", "ill")},
    )
    entries[0] = AttendanceEntry(enrolments[0], True, 20, None, "left early for music")
    events_before = len(audit_actions(db))
    with commits(db) as seen:
        sid = log_session(db, ta, gid, MONDAY, True, None, 30, entries)
    assert len(seen) == 1
    assert len(audit_actions(db)) == events_before + 1
    logged = my_groups(db, ta, MONDAY)[0].logged
    assert logged is not None and logged.id == sid and logged.logged_by == "Ta"
    assert (logged.delivered, logged.minutes, len(logged.attendance)) == (True, 30, 8)
    first = logged.entry_for(enrolments[0])
    assert first is not None and (first.minutes, first.note) == (20, "left early for music")
    missed = logged.entry_for(enrolments[3])
    assert missed is not None
    assert (missed.attended, missed.minutes, missed.missed_reason) == (False, 0, "absent")
    assert logged.entry_for(enrolments[1]) == AttendanceEntry(enrolments[1], True, 30, None, "")
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_relogging_the_same_date_replaces_it(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    gid = make_group(db, senco, reading, ta)
    enrolments = enrol_pupils(db, senco, gid, 3)
    first = log_session(db, ta, gid, MONDAY, True, None, 30, everyone(enrolments))
    again = log_session(db, senco, gid, MONDAY, False, "staff absent", 0, [])
    assert again == first
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(DeliveredSession)) == 1
        assert s.scalar(select(func.count()).select_from(SessionAttendance)) == 0
        event_row = s.scalars(select(AuditEvent).where(AuditEvent.action == "relog_session")).one()
    detail = json.loads(event_row.detail)
    assert detail["replaced"]["delivered"] is True and detail["reason"] == "staff absent"
    logged = group_day(db, ta, gid, MONDAY).logged
    assert logged is not None
    assert (logged.delivered, logged.not_delivered_reason, logged.logged_by) == (
        False,
        "staff absent",
        "Ms Senco",
    )


def test_a_missed_pupil_needs_a_reason(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    enrolments = enrol_pupils(db, senco, gid, 3)
    entries = everyone(enrolments)
    entries[1] = AttendanceEntry(enrolments[1], False, None, "  ")
    with pytest.raises(ValidationError, match="1 pupil\\(s\\) missed the session with no reason"):
        log_session(db, ta, gid, MONDAY, True, None, 30, entries)
    assert count_rows(db, DeliveredSession) == 0


def test_a_session_not_delivered_needs_a_reason(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    gid = make_group(db, senco, reading, ta)
    with pytest.raises(ValidationError, match="Say why the session was not delivered"):
        log_session(db, ta, gid, MONDAY, False, None, 0, [])


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda e: e[:-1], "1 pupil\\(s\\) in the group have no line"),
        (lambda e: [*e, e[0]], "more than one line"),
        (lambda e: [*e, AttendanceEntry(99_999, True)], "not enrolled in this group"),
        (
            lambda e: [AttendanceEntry(e[0].enrolment_id, True, 45), *e[1:]],
            "minutes must be from 1 to the session's 30",
        ),
        (
            lambda e: [AttendanceEntry(e[0].enrolment_id, True, None, None, "x" * 1001), *e[1:]],
            "note is longer than 1000",
        ),
    ],
)
def test_every_line_is_checked(
    db: Database, senco: Actor, ta: Actor, reading: int, mangle, message: str
) -> None:  # type: ignore[no-untyped-def]
    gid = make_group(db, senco, reading, ta)
    entries = everyone(enrol_pupils(db, senco, gid, 3))
    with pytest.raises(ValidationError, match=message):
        log_session(db, ta, gid, MONDAY, True, None, 30, mangle(entries))


def test_learning_support_cannot_log_another_staff_members_group(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    gid = make_group(db, senco, reading, other)
    entries = everyone(enrol_pupils(db, senco, gid, 2))
    with pytest.raises(PermissionDeniedError, match="only for the groups they lead"):
        log_session(db, ta, gid, MONDAY, True, None, 30, entries)
    with pytest.raises(PermissionDeniedError):
        log_term(db, ta, gid, TERM_START, date(2025, 2, 14), 30)
    gov = make_user(db, "gov", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError, match="Read-only accounts cannot"):
        log_session(db, gov, gid, MONDAY, True, None, 30, entries)
    log_session(db, other, gid, MONDAY, True, None, 30, entries)  # their own: fine


def test_sessions_are_not_logged_ahead_or_outside_the_group(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    gid = make_group(db, senco, reading, ta, end=date(2025, 3, 31))
    with pytest.raises(ValidationError, match="in the future"):
        log_session(db, ta, gid, date.today() + timedelta(days=1), False, "trip", 0, [])
    with pytest.raises(ValidationError, match="The group runs from 06/01/2025 to 31/03/2025"):
        log_session(db, ta, gid, date(2025, 4, 2), False, "trip", 0, [])


# --- a whole term ------------------------------------------------------------------------------


def test_log_term_fills_every_scheduled_day(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    gid = make_group(db, senco, reading, ta)
    enrolments = enrol_pupils(db, senco, gid, 4)
    late = add_test_pupil(db, senco, 50)
    late_eid = enrol(db, senco, gid, late, date(2025, 2, 3), None, 84)
    log_session(  # one day logged by hand first: skipped by the term log
        db, ta, gid, date(2025, 1, 8), True, None, 25, everyone(enrolments)
    )
    end = date(2025, 2, 14)  # six weeks of Mondays and Wednesdays = 12 days
    preview = term_preview(db, ta, gid, TERM_START, end)
    assert (len(preview.to_log), preview.already_logged) == (11, (date(2025, 1, 8),))

    exceptions = [
        TermException(date(2025, 2, 12), SCHOOL_CLOSED),
        TermException(date(2025, 1, 13), "absent", enrolments[0]),
        TermException(date(2025, 2, 10), "trip", late_eid),
    ]
    with commits(db) as seen:
        result = log_term(db, ta, gid, TERM_START, end, 30, exceptions)
    assert len(seen) == 1
    assert len(result.logged) == 11 and result.skipped == (date(2025, 1, 8),)
    assert result.not_delivered == (date(2025, 2, 12),)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(DeliveredSession)) == 12
        rows = s.execute(
            select(SessionAttendance.enrolment_id, DeliveredSession.held_on)
            .join(DeliveredSession)
            .where(SessionAttendance.attended.is_(False))
        ).all()
        late_count = s.scalar(
            select(func.count())
            .select_from(SessionAttendance)
            .where(SessionAttendance.enrolment_id == late_eid)
        )
    assert sorted(rows) == sorted(
        [(enrolments[0], date(2025, 1, 13)), (late_eid, date(2025, 2, 10))]
    )
    # The late joiner has lines from 3 February only (Feb 3, 5, 10; the 12th was closed).
    assert late_count == 3
    assert term_preview(db, ta, gid, TERM_START, end).to_log == ()
    assert log_term(db, ta, gid, TERM_START, end, 30).logged == ()  # nothing twice


def test_log_term_checks(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    [eid] = enrol_pupils(db, senco, gid, 1)
    end = date(2025, 2, 14)
    with pytest.raises(ValidationError, match="not one of the group's days"):
        log_term(db, ta, gid, TERM_START, end, 30, [TermException(date(2025, 1, 7), "trip")])
    with pytest.raises(ValidationError, match="has no reason"):
        log_term(db, ta, gid, TERM_START, end, 30, [TermException(TERM_START, " ", eid)])
    with pytest.raises(ValidationError, match="before the start"):
        log_term(db, ta, gid, end, TERM_START, 30)
    with pytest.raises(ValidationError, match="ends in the future"):
        log_term(db, ta, gid, TERM_START, date.today() + timedelta(days=3), 30)
    with pytest.raises(ValidationError, match="minutes must be from 1"):
        log_term(db, ta, gid, TERM_START, end, 0)
    assert count_rows(db, DeliveredSession) == 0


# --- planned against delivered, and cost ------------------------------------------------------


def test_planned_vs_delivered(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    [eid] = enrol_pupils(db, senco, gid, 1)
    end = date(2025, 1, 31)  # four weeks, Mon + Wed: 8 scheduled days
    log_term(
        db,
        ta,
        gid,
        TERM_START,
        end,
        30,
        [
            TermException(date(2025, 1, 15), "staff absent"),  # a shortfall
            TermException(date(2025, 1, 29), SCHOOL_CLOSED),  # not planned at all
            TermException(date(2025, 1, 20), "absent", eid),
        ],
    )
    group_row, pupil_row = planned_vs_delivered(db, senco, group_id=gid, as_of=end)
    assert group_row.enrolment_id is None and group_row.attended_minutes is None
    assert group_row.planned_sessions == 7  # 8 days less the closure; 2 a week over 2 days
    assert group_row.planned_minutes == 210 and group_row.planned_hours == 3.5
    assert (group_row.delivered_sessions, group_row.delivered_minutes) == (6, 180)
    assert group_row.not_delivered_sessions == 1
    assert pupil_row.enrolment_id == eid and pupil_row.pupil_name == "Pupil01 Pupil"
    assert (pupil_row.attended_sessions, pupil_row.attended_minutes) == (5, 150)
    assert pupil_row.attended_hours == 2.5
    [by_pupil] = planned_vs_delivered(db, senco, pupil_id=pupil_row.pupil_id, as_of=end)
    assert by_pupil == pupil_row
    with pytest.raises(TypeError):
        planned_vs_delivered(db, senco)


def test_planned_sessions_share_the_week_over_the_groups_days() -> None:
    assert planned_sessions(2, (0, 2), 8) == 8
    assert planned_sessions(3, (0,), 4) == 12  # three a week, all on Mondays
    assert planned_sessions(1, (0, 1, 2, 3, 4), 5) == 1
    assert planned_sessions(2, (), 5) == 0
    assert scheduled_dates((0,), date(2025, 3, 1), date(2025, 3, 31)) == [
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]
    assert scheduled_dates(
        (0,), date(2025, 3, 1), date(2025, 3, 31), group_start=date(2025, 3, 4)
    ) == [date(2025, 3, 10), date(2025, 3, 17), date(2025, 3, 24), date(2025, 3, 31)]
    assert weekdays_text((4, 0, 2)) == "Mon, Wed, Fri"


def _row(session: int, pupil: int, minutes: int, present: int, pence: int = 2400) -> AttendedRow:
    return AttendedRow(
        session, MONDAY, pupil, pupil, 1, 1, "Reading", "Cognition and learning",
        minutes, present, pence,
    )  # fmt: skip


def test_session_costs_share_the_staff_hour_among_the_pupils_present() -> None:
    costs = session_costs(
        [
            _row(1, 1, 60, 6),  # six present for an hour at £24/h: £4 each
            _row(2, 1, 30, 1),  # alone for half an hour: the whole £12
            _row(3, 2, 20, 4),  # 20 min among four: 2400 / 3 / 4 = 200p
            _row(4, 2, 0, 3),  # no minutes, no cost
            _row(5, 2, 30, 0),  # nobody present (bad row): no cost, no crash
        ]
    )
    assert [c.cost_pence for c in costs] == [400, 1200, 200, 0, 0]
    totals = total_costs(costs, lambda r: r.pupil_id)
    assert totals.pence == {1: 1600, 2: 200} and totals.minutes == {1: 90, 2: 50}
    assert pounds(1600) == "£16.00" and pounds(123456.5) == "£1,234.57"


def test_cost_from_logged_sessions(db: Database, senco: Actor, ta: Actor, reading: int) -> None:
    gid = make_group(db, senco, reading, ta)
    enrolments = enrol_pupils(db, senco, gid, 4)
    log_session(db, ta, gid, MONDAY, True, None, 30, everyone(enrolments))  # 4 present
    entries = everyone(enrolments)
    entries[0] = AttendanceEntry(enrolments[0], False, None, "trip")
    log_session(db, ta, gid, WEDNESDAY, True, None, 30, entries)  # 3 present
    log_session(db, ta, gid, date(2025, 3, 10), False, "staff absent", 0, [])  # nothing

    rows = attended_rows(db, senco)
    assert len(rows) == 7
    costs = session_costs(rows)
    by_pupil = total_costs(costs, lambda r: r.enrolment_id)
    # £24/h, 30 minutes = £12 a session: £3 each among four, £4 each among three.
    assert by_pupil.pence[enrolments[0]] == pytest.approx(300)
    assert by_pupil.pence[enrolments[1]] == pytest.approx(700)
    assert sum(c.cost_pence for c in costs) == pytest.approx(2400)  # two sessions' staff time
    # Asking for one pupil still divides by everyone present at each session.
    pupil_rows = attended_rows(db, senco, pupil_id=rows[1].pupil_id, start=WEDNESDAY)
    assert [r.present for r in pupil_rows] == [3]
    assert total_costs(session_costs(pupil_rows), lambda r: r.area).pence == {
        "Cognition and learning": pytest.approx(400)
    }


def test_the_groups_leader_records_a_missing_entry_measure(
    db: Database, senco: Actor, ta: Actor, reading: int
) -> None:
    """Learning support record entry and exit measures for their groups' enrolments
    (issue 13): the entry measure of a pupil enrolled without one, once, by the leader."""
    gid = make_group(db, senco, reading, ta)
    pid = add_test_pupil(db, senco, 1, forename="Ada")
    eid = enrol(db, senco, gid, pid, TERM_START, None, None)
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    with pytest.raises(PermissionDeniedError, match="only for the groups they lead"):
        record_entry(db, other, eid, 84, TERM_START)
    with pytest.raises(ValidationError, match="outside the enrolment's dates"):
        record_entry(db, ta, eid, 84, TERM_START - timedelta(days=1))
    record_entry(db, ta, eid, 84, TERM_START)
    progress = enrolment_progress(db, ta, eid)
    assert progress.verdict_text == "Only the entry measure is recorded so far."
    with pytest.raises(ValidationError, match="already has an entry measure"):
        record_entry(db, ta, eid, 90, TERM_START)
    with db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "entry").order_by(AuditEvent.id)
        ).one()
    assert (event.entity, event.entity_id, event.user_id) == ("enrolment", eid, ta.user_id)
