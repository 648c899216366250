"""What's due for intervention groups (issue 13): sessions not logged and measures due go
to whoever leads the group — and to the SENCo — and go away once put right.

Dates are relative to the real today: sessions and exits cannot be logged in the future
(sendesk.services.graduated.sessions), so the test logs them the way staff would.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from sendesk.db import Database
from sendesk.models import Intervention, Pupil, PupilAssignment, Role
from sendesk.services.actor import Actor
from sendesk.services.due import DueItem, due_items
from sendesk.services.graduated.enrolments import enrol, record_exit
from sendesk.services.graduated.intervention_records import (
    SCHOOL_CLOSED,
    AttendanceEntry,
    GroupData,
)
from sendesk.services.graduated.intervention_setup import add_group, add_intervention
from sendesk.services.graduated.interventions_due import MEASURES_KIND, SESSIONS_KIND
from sendesk.services.graduated.sessions import log_session
from tests.factories import READING_RECOVERY, add_test_pupil, make_user

TODAY = date.today()


def _group(
    db: Database,
    senco: Actor,
    leader: Actor,
    name: str,
    start: date,
    end: date | None = None,
    *,
    weekday: int,
) -> int:
    """A group of the one intervention in the catalogue, meeting once a week."""
    with db.session() as s:
        reading = s.scalar(select(Intervention.id))
    if reading is None:
        reading = add_intervention(db, senco, READING_RECOVERY)
    return add_group(db, senco, GroupData(reading, name, leader.user_id, (weekday,), start, end))


def _shown(db: Database, actor: Actor, kind: str) -> list[tuple[str, str, str, date | None]]:
    """(who, status, what, when) of ``actor``'s items of ``kind``, as the home page lists
    them."""
    return [(i.who, i.severity, i.text, i.due) for i in due_items(db, actor) if i.kind == kind]


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def test_sessions_not_logged_appear_for_the_leader_and_go_once_logged(
    db: Database, senco: Actor
) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    # Reading A meets once a week on the weekday three days ago, since three weeks ago:
    # three sessions have passed (17, 10 and 3 days ago), none logged yet.
    weekday = (TODAY - timedelta(days=3)).weekday()
    group = _group(db, senco, ta, "Reading A", TODAY - timedelta(days=21), weekday=weekday)
    pupil = add_test_pupil(db, senco, 1, forename="Amy")
    enrolment = enrol(db, senco, group, pupil, TODAY - timedelta(days=21), None, 84)
    # Another assistant's group, also behind with its log, is not this assistant's to do.
    theirs = _group(
        db, senco, other, "Maths B", TODAY - timedelta(days=21), weekday=(weekday + 1) % 7
    )
    ben = add_test_pupil(db, senco, 2, forename="Ben")
    enrol(db, senco, theirs, ben, TODAY - timedelta(days=21), None, 84)
    first, second, last = (TODAY - timedelta(days=n) for n in (17, 10, 3))

    assert _shown(db, ta, SESSIONS_KIND) == [
        (
            "Group: Reading A",
            "overdue",  # the first has waited more than a week
            f"3 sessions not logged (from {_d(first)}, the last on {_d(last)}): log each, "
            "or say why it did not happen",
            first + timedelta(days=7),
        )
    ]
    assert [who for who, *_ in _shown(db, other, SESSIONS_KIND)] == ["Group: Maths B"]
    assert {who for who, *_ in _shown(db, senco, SESSIONS_KIND)} == {
        "Group: Maths B",
        "Group: Reading A",
    }  # the SENCo answers for every group

    log_session(db, ta, group, first, True, None, 30, [AttendanceEntry(enrolment, True)])
    log_session(db, ta, group, second, False, SCHOOL_CLOSED, 0, [])  # a closure is logged too
    assert _shown(db, ta, SESSIONS_KIND) == [
        (
            "Group: Reading A",
            "soon",  # the one left is three days old: due within the week
            f"1 session not logged (on {_d(last)}): log each, or say why it did not happen",
            last + timedelta(days=7),
        )
    ]
    missed = AttendanceEntry(enrolment, False, None, "absent")
    log_session(db, ta, group, last, True, None, 30, [missed])
    assert _shown(db, ta, SESSIONS_KIND) == []
    assert [who for who, *_ in _shown(db, senco, SESSIONS_KIND)] == ["Group: Maths B"]


def test_a_missing_exit_measure_appears_and_recording_it_removes_it(
    db: Database, senco: Actor
) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    other = make_user(db, "other", Role.LEARNING_SUPPORT)
    start, ended = TODAY - timedelta(days=70), TODAY - timedelta(days=14)
    group = _group(db, senco, ta, "Reading A", start, ended, weekday=start.weekday())
    amy = add_test_pupil(db, senco, 1, forename="Amy", surname="Able")
    cal = add_test_pupil(db, senco, 3, forename="Cal", surname="Cole")
    amy_in = enrol(db, senco, group, amy, start, ended, 84)
    enrol(db, senco, group, cal, start, ended, None)  # no entry measure taken either
    theirs = _group(db, senco, other, "Maths B", start, ended, weekday=start.weekday())
    ben = add_test_pupil(db, senco, 2, forename="Ben")
    enrol(db, senco, theirs, ben, start, None, 84)
    with db.transaction() as s:  # Ben is assigned to this assistant too: not their group
        s.add(PupilAssignment(user_id=ta.user_id, pupil_id=ben))

    exit_text = (
        f"The exit measure in Reading A is due: the group ended {_d(ended)} (recording it "
        "ends the enrolment)"
    )
    assert _shown(db, ta, MEASURES_KIND) == [
        ("Amy Able (" + _upn(db, amy) + ")", "overdue", exit_text, ended),
        (
            "Cal Cole (" + _upn(db, cal) + ")",
            "overdue",
            f"No entry measure in Reading A (enrolled {_d(start)}), so its progress cannot be "
            "shown; t" + exit_text[1:],
            ended,
        ),
    ]
    assert {i.pupil_name for i in due_items(db, other) if i.kind == MEASURES_KIND} == {"Ben Pupil"}
    assert {i.pupil_name for i in due_items(db, senco) if i.kind == MEASURES_KIND} == {
        "Amy Able",
        "Ben Pupil",
        "Cal Cole",
    }

    record_exit(db, ta, amy_in, 96, ended)
    assert [who for who, *_ in _shown(db, ta, MEASURES_KIND)] == [
        "Cal Cole (" + _upn(db, cal) + ")"
    ]


def test_an_enrolment_under_way_without_an_entry_measure_is_a_gap(
    db: Database, senco: Actor
) -> None:
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    start = TODAY - timedelta(days=7)
    group = _group(db, senco, ta, "Reading A", start, weekday=start.weekday())
    amy = add_test_pupil(db, senco, 1, forename="Amy")
    enrol(db, senco, group, amy, start, TODAY + timedelta(days=60), None)
    items: list[DueItem] = [i for i in due_items(db, ta) if i.kind == MEASURES_KIND]
    assert [(i.pupil_name, i.severity, i.due) for i in items] == [("Amy Pupil", "gap", None)]
    assert items[0].text.startswith("No entry measure in Reading A")
    # A teacher's list has none of the groups' items, even for a group they lead.
    teacher = make_user(db, "teacher", Role.TEACHER)
    _group(db, senco, teacher, "Maths B", start, weekday=start.weekday())
    assert not [i for i in due_items(db, teacher) if i.group_id is not None]


def _upn(db: Database, pupil_id: int) -> str:
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        return pupil.upn
