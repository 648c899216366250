"""Access arrangements: proposals, Form 8 checks, approvals and expiry, NWW evidence by the
teachers who may give it, the class lists, the gap view, the exams officer's list and
"what's due" — on SQLCipher and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from pupil_factory import add_test_pupil
from sqlalchemy import event, select

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role, User
from sendesk.rules import jcq
from sendesk.services.access_arrangements import (
    ALL_SUBJECTS,
    ArrangementData,
    AssessmentData,
    NwwData,
    ScoreData,
    exams_officer_rows,
    find_pupil,
    gap_view,
    list_nww,
    my_class_lists,
    next_exam_season,
    nww_for_pupil,
    propose_arrangement,
    pupil_access,
    record_assessment,
    record_nww,
    remove_arrangement,
    remove_nww,
    set_arrangement_status,
    update_arrangement,
    update_assessment,
)
from sendesk.services.actor import Actor
from sendesk.services.due import due_items
from sendesk.services.settings import set_int
from sendesk.services.teaching_groups import GroupData, save_group

TODAY = date(2026, 3, 2)  # pupils from the factory are born 1 Jan 2012: Year 9 from 1/9/2025


def make_user(db: Database, username: str, role: Role, name: str) -> Actor:
    with db.transaction() as s:
        user = User(username=username, display_name=name, role=role)
        s.add(user)
        s.flush()
        return Actor.of(user)


def arrangement(
    key: str,
    route: str = "picture_of_need",
    *subjects: str,
    on: date = date(2025, 11, 3),
    assessment_id: int | None = None,
    room_note: str = "",
) -> ArrangementData:
    return ArrangementData(
        arrangement=key,
        evidence_route=route,
        proposed_on=on,
        subjects=subjects,
        room_note=room_note,
        assessment_id=assessment_id,
    )


def form8(*scores: tuple[str, int], **changes: object) -> AssessmentData:
    values: dict[str, object] = {
        "assessor_name": "Dr Ann Assessor",
        "assessor_qualification": "Level 7 APC in specialist assessment",
        "assessed_on": date(2025, 10, 6),
        "picture_of_need_on": date(2025, 9, 22),
        "picture_of_need": "Slow to finish written work in every subject; runs out of time.",
        "scores": tuple(ScoreData(area, score, "DASH / TOWRE-2") for area, score in scores),
    }
    values.update(changes)
    return AssessmentData(**values)  # type: ignore[arg-type]


def move(db: Database, actor: Actor, arrangement_id: int, status: str, on: date) -> int:
    item = item_of(db, actor, arrangement_id)
    return set_arrangement_status(db, actor, arrangement_id, item.version, status, on, today=TODAY)


def item_of(db: Database, actor: Actor, arrangement_id: int):  # type: ignore[no-untyped-def]
    with db.session() as s:
        from sendesk.models import AccessArrangement

        pupil_id = s.get(AccessArrangement, arrangement_id).pupil_id  # type: ignore[union-attr]
    found = pupil_access(db, actor, pupil_id, today=TODAY).arrangements
    return next(a for a in found if a.id == arrangement_id)


@pytest.fixture
def people(db: Database, senco: Actor) -> dict[str, object]:
    """Three Year 11 pupils; a maths teacher and an English teacher with their groups."""
    amy = add_test_pupil(db, senco, 1, forename="Amy", surname="Zephyr", year=11)
    ben = add_test_pupil(db, senco, 2, forename="Ben", surname="Adams", year=11)
    cal = add_test_pupil(db, senco, 3, forename="Cal", surname="Moss", year=11)
    maths = make_user(db, "mteach", Role.TEACHER, "Mo Maths")
    english = make_user(db, "eteach", Role.TEACHER, "Em English")
    g_maths = save_group(
        db, senco, None, None, GroupData("11X/Ma1", "Mathematics", "", maths.user_id, (amy, ben))
    )
    g_english = save_group(
        db, senco, None, None, GroupData("11X/En1", "English", "", english.user_id, (amy, cal))
    )
    return {
        "amy": amy,
        "ben": ben,
        "cal": cal,
        "maths": maths,
        "english": english,
        "g_maths": g_maths,
        "g_english": g_english,
    }


def test_propose_and_read_back(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    wp = propose_arrangement(
        db,
        senco,
        amy,
        arrangement("word_processor", "picture_of_need", "English", " english "),
        today=TODAY,
    )
    room = propose_arrangement(
        db,
        senco,
        amy,
        arrangement("separate_invigilation", room_note="Small room near exit"),
        today=TODAY,
    )
    access = pupil_access(db, senco, amy, today=TODAY)
    assert access.subjects_taught == ("English", "Mathematics")
    by_id = {a.id: a for a in access.arrangements}
    word = by_id[wp]
    assert (word.name, word.status, word.subjects) == ("Word processor", "proposed", ("English",))
    assert word.route == jcq.DELEGATED
    assert word.route_label == "Decided in the centre (delegated)"
    assert word.next_statuses == ("gathering evidence", "approved in centre", "withdrawn")
    assert word.live and word.verdict is None and word.evidence_by_subject == {"English": None}
    # No subjects = all: each subject the pupil is taught.
    assert by_id[room].evidence_by_subject == {"English": None, "Mathematics": None}
    assert by_id[room].room_note == "Small room near exit" and by_id[room].covers_all_subjects
    assert find_pupil(db, senco, "k801200024001") == amy
    with db.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "access_arrangement")
        ).all()
        assert [e.action for e in events] == ["create", "create"]


def test_bad_proposals_are_one_sentence(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    with pytest.raises(ValidationError) as bad:
        propose_arrangement(
            db,
            senco,
            amy,
            arrangement("extra_time_25", "picture_of_need", on=TODAY + timedelta(1)),
            today=TODAY,
        )
    assert str(bad.value) == (
        "25% extra time is supported by 'specialist assessment with standardised scores "
        "(form 8)', not by that evidence; the proposal date 03/03/2026 is in the future."
    )
    with pytest.raises(ValidationError, match="'time_and_a_half' is not an arrangement"):
        propose_arrangement(db, senco, amy, arrangement("time_and_a_half"), today=TODAY)
    other = record_assessment(db, senco, people["ben"], form8(), today=TODAY)
    with pytest.raises(ValidationError, match="The assessment chosen is another pupil's"):
        propose_arrangement(
            db, senco, amy, arrangement("scribe", "assessment", assessment_id=other), today=TODAY
        )
    for role, name in ((Role.TEACHER, "t"), (Role.LEARNING_SUPPORT, "l")):
        with pytest.raises(PermissionDeniedError):
            propose_arrangement(
                db, make_user(db, name, role, name), amy, arrangement("prompter"), today=TODAY
            )


def test_form8_verdict_and_problems(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    assessment = record_assessment(
        db,
        senco,
        amy,
        form8(("writing speed", 82), ("cognitive processing speed", 88), ("spelling accuracy", 79)),
        today=TODAY,
    )
    extra = propose_arrangement(
        db,
        senco,
        amy,
        arrangement("extra_time_25", "assessment", assessment_id=assessment),
        today=TODAY,
    )
    access = pupil_access(db, senco, amy, today=TODAY)
    (form,) = access.assessments
    assert form.problems == ()
    assert [s.area for s in form.scores] == [
        "writing speed",
        "cognitive processing speed",
        "spelling accuracy",
    ]
    verdict = access.arrangements[0].verdict
    assert verdict is not None and verdict.met
    assert "Writing speed 82 counts: below average (84 or less)" in verdict.reasons[0]
    assert "Spelling accuracy 79 does not count for extra time" in verdict.reasons[2]
    assert verdict.reasons[3].startswith("Met: one below-average score and one low-average")

    # Corrected: the processing speed was 91. Now one qualifying area only: not met.
    update_assessment(
        db,
        senco,
        assessment,
        form.version,
        form8(("writing speed", 82), ("cognitive processing speed", 91)),
        today=TODAY,
    )
    again = pupil_access(db, senco, amy, today=TODAY)
    assert again.assessments[0].version == form.version + 1
    assert not again.arrangements[0].verdict.met
    assert "only one was found" in again.arrangements[0].verdict.reasons[-1]
    with pytest.raises(ConflictError, match="Someone else changed this assessment"):
        update_assessment(db, senco, assessment, form.version, form8(), today=TODAY)
    assert item_of(db, senco, extra).needs_scores

    # Taken before Year 9, Part 1 dated after it, no qualification: all three flagged.
    early = record_assessment(
        db,
        senco,
        amy,
        form8(
            ("reading speed", 80),
            assessed_on=date(2025, 6, 2),
            picture_of_need_on=date(2025, 6, 9),
            assessor_qualification=" ",
        ),
        today=TODAY,
    )
    problems = next(
        a.problems for a in pupil_access(db, senco, amy, today=TODAY).assessments if a.id == early
    )
    assert len(problems) == 3
    assert "too early for GCSE" in problems[0] and "01/09/2025 for this pupil" in problems[0]
    assert "dated 09/06/2025, after the assessment on 02/06/2025" in problems[1]
    assert problems[2].startswith("No assessor qualification is on file")
    with pytest.raises(ValidationError) as bad:
        record_assessment(
            db,
            senco,
            amy,
            form8(("reading speed", 300), ("typing speed", 80), assessor_name=""),
            today=TODAY,
        )
    assert str(bad.value).startswith(
        "The assessor's name is missing; score 1: a reading speed score of 300 is not a "
        "plausible standardised score (expected 40 to 160); score 2: 'typing speed' is not "
        "a Form 8 score area"
    )


def test_status_moves_dates_and_expiry(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    extra = propose_arrangement(
        db, senco, amy, arrangement("extra_time_25", "assessment"), today=TODAY
    )
    with pytest.raises(ValidationError) as wrong:
        move(db, senco, extra, "applied online", date(2025, 11, 10))
    assert str(wrong.value) == (
        "25% extra time cannot go from proposed to applied online; it can go to gathering "
        "evidence or withdrawn."
    )
    move(db, senco, extra, "gathering evidence", date(2025, 11, 10))
    with pytest.raises(ValidationError, match="link the Form 8 assessment first"):
        move(db, senco, extra, "applied online", date(2025, 12, 1))
    form = record_assessment(
        db, senco, amy, form8(("writing speed", 80), ("reading speed", 81)), today=TODAY
    )
    item = item_of(db, senco, extra)
    update_arrangement(
        db,
        senco,
        extra,
        item.version,
        arrangement("extra_time_25", "assessment", assessment_id=form),
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="The date 03/03/2026 is in the future"):
        move(db, senco, extra, "applied online", TODAY + timedelta(days=1))
    move(db, senco, extra, "applied online", date(2025, 12, 1))
    # Refused online: back to gathering evidence, and the application date goes.
    move(db, senco, extra, "gathering evidence", date(2025, 12, 3))
    assert item_of(db, senco, extra).applied_on is None
    move(db, senco, extra, "applied online", date(2026, 1, 5))
    with pytest.raises(ValidationError, match="before the application"):
        move(db, senco, extra, "approved by awarding body", date(2026, 1, 4))
    move(db, senco, extra, "approved by awarding body", date(2026, 1, 6))
    approved = item_of(db, senco, extra)
    assert (approved.applied_on, approved.awarding_body_on) == (date(2026, 1, 5), date(2026, 1, 6))
    assert approved.approval_date == date(2026, 1, 6)
    assert approved.expires_on == date(2028, 3, 6)  # 26 months
    assert approved.next_statuses == ("expired", "withdrawn")

    # Delegated, approved in the centre; a school that sets approval to 24 months.
    set_int(db, senco, "jcq.approval_months", 24)
    wp = propose_arrangement(db, senco, amy, arrangement("word_processor"), today=TODAY)
    version = move(db, senco, wp, "approved in centre", date(2025, 12, 31))
    done = item_of(db, senco, wp)
    assert (done.approved_on, done.expires_on, done.version) == (
        date(2025, 12, 31),
        date(2027, 12, 31),
        version,
    )
    with pytest.raises(ConflictError):
        set_arrangement_status(db, senco, wp, version - 1, "withdrawn", TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="cannot be changed once it is approved in centre"):
        update_arrangement(db, senco, wp, version, arrangement("prompter"), today=TODAY)
    move(db, senco, wp, "withdrawn", date(2026, 2, 1))
    gone = item_of(db, senco, wp)
    assert (gone.status, gone.ended_on, gone.live, gone.next_statuses) == (
        "withdrawn",
        date(2026, 2, 1),
        False,
        (),
    )
    with pytest.raises(ValidationError, match="Word processor is withdrawn: its status cannot"):
        move(db, senco, wp, "approved in centre", TODAY)
    # Past its expiry date it is no longer live, whatever its status says.
    assert item_of(db, senco, extra).live
    later = pupil_access(db, senco, amy, today=date(2028, 3, 7)).arrangements
    assert not next(a for a in later if a.id == extra).live


def test_remove_only_a_fresh_proposal(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    first = propose_arrangement(db, senco, amy, arrangement("prompter"), today=TODAY)
    remove_arrangement(db, senco, first, 1)
    assert pupil_access(db, senco, amy, today=TODAY).arrangements == []
    second = propose_arrangement(db, senco, amy, arrangement("prompter"), today=TODAY)
    version = move(db, senco, second, "gathering evidence", TODAY)
    with pytest.raises(ValidationError, match="withdraw it instead"):
        remove_arrangement(db, senco, second, version)


def test_who_may_record_evidence(db: Database, senco: Actor, people: dict) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    maths, english = people["maths"], people["english"]
    rest = propose_arrangement(db, senco, amy, arrangement("rest_breaks"), today=TODAY)
    wp_ben = propose_arrangement(
        db, senco, ben, arrangement("word_processor", "picture_of_need", "English"), today=TODAY
    )
    wp_cal = propose_arrangement(
        db, senco, cal, arrangement("word_processor", "picture_of_need", "English"), today=TODAY
    )

    def nww(arrangement_id: int, subject: str, **more: object) -> NwwData:
        values: dict[str, object] = {
            "arrangement_id": arrangement_id,
            "subject": subject,
            "recorded_on": date(2026, 2, 10),
            "task_kind": "timed test",
            "task": "Algebra end-of-unit test",
        }
        values.update(more)
        return NwwData(**values)  # type: ignore[arg-type]

    # The maths teacher teaches Amy maths: yes (the subject as the group spells it).
    mine = record_nww(
        db, maths, nww(rest, "mathematics", note="Two breaks; finished."), today=TODAY
    )
    # …but not English, and not Cal at all.
    with pytest.raises(PermissionDeniedError, match="only for pupils in their own teaching"):
        record_nww(db, maths, nww(rest, "English"), today=TODAY)
    with pytest.raises(PermissionDeniedError):
        record_nww(db, maths, nww(wp_cal, "Mathematics"), today=TODAY)
    # Ben is in maths, but his word processor covers English only.
    with pytest.raises(ValidationError, match="Word processor does not cover Mathematics"):
        record_nww(db, maths, nww(wp_ben, "Mathematics"), today=TODAY)
    english_one = record_nww(
        db,
        english,
        nww(wp_cal, "English", task_kind="mock", task="Paper 1", recorded_on=date(2026, 1, 12)),
        today=TODAY,
    )
    for role, name in ((Role.LEARNING_SUPPORT, "lsa"), (Role.READ_ONLY, "gov")):
        with pytest.raises(PermissionDeniedError):
            record_nww(db, make_user(db, name, role, name), nww(rest, "Mathematics"), today=TODAY)
    # The SENCo records for anyone, in any covered subject.
    senco_one = record_nww(
        db,
        senco,
        nww(rest, "Science", used=False, task_kind="classwork", note="Did not need them."),
        today=TODAY,
    )
    with pytest.raises(ValidationError) as bad:
        record_nww(
            db,
            senco,
            nww(
                rest,
                " ",
                task_kind="exam",
                used=False,
                extra_minutes_used=10,
                recorded_on=TODAY + timedelta(days=1),
            ),
            today=TODAY,
        )
    assert str(bad.value) == (
        "The subject is missing; the date 03/03/2026 is in the future; the kind of task must "
        "be classwork, timed test or mock; extra minutes are given but the arrangement is "
        "marked as not used."
    )
    listed = list_nww(db, senco, rest)
    assert [(n.id, n.subject, n.recorded_by) for n in listed] == [
        (senco_one, "Science", "Ms Senco"),
        (mine, "Mathematics", "Mo Maths"),
    ]
    assert listed[1].note == "Two breaks; finished." and listed[0].used is False
    # Evidence of it *not* being used is kept, but is not evidence of the normal way of working.
    rest_item = item_of(db, senco, rest)
    assert rest_item.evidence_by_subject == {"English": None, "Mathematics": date(2026, 2, 10)}
    assert [n.id for n in nww_for_pupil(db, senco, cal)] == [english_one]
    # Removing: the recorder or the SENCo, nobody else.
    with pytest.raises(PermissionDeniedError, match="Only the teacher who recorded"):
        remove_nww(db, english, mine)
    remove_nww(db, maths, mine)
    remove_nww(db, senco, english_one)
    assert [n.id for n in list_nww(db, senco, rest)] == [senco_one]
    # Nothing more for a withdrawn arrangement.
    move(db, senco, rest, "withdrawn", TODAY)
    with pytest.raises(ValidationError, match="Supervised rest breaks is withdrawn"):
        record_nww(db, senco, nww(rest, "Mathematics"), today=TODAY)


def test_class_lists_show_only_my_pupils_with_arrangements_in_my_subject(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    maths, english = people["maths"], people["english"]
    rest = propose_arrangement(db, senco, amy, arrangement("rest_breaks"), today=TODAY)
    reader = propose_arrangement(
        db, senco, amy, arrangement("read_aloud", "picture_of_need", "English"), today=TODAY
    )
    propose_arrangement(
        db, senco, ben, arrangement("word_processor", "picture_of_need", "English"), today=TODAY
    )
    gone = propose_arrangement(db, senco, cal, arrangement("prompter"), today=TODAY)
    move(db, senco, gone, "withdrawn", TODAY)
    record_nww(
        db,
        maths,
        NwwData(rest, "Mathematics", date(2026, 2, 2), "classwork"),
        today=TODAY,
    )

    (maths_list,) = my_class_lists(db, maths, today=TODAY)
    assert (maths_list.code, maths_list.subject, maths_list.teacher) == (
        "11X/Ma1",
        "Mathematics",
        "Mo Maths",
    )
    # Ben's word processor is for English only; Amy's reader too: only her rest breaks.
    (row,) = maths_list.rows
    assert (row.pupil_name, row.upn) == ("Amy Zephyr", "K801200024001")
    assert [(a.name, a.status) for a in row.arrangements] == [
        ("Supervised rest breaks", "proposed")
    ]
    assert row.last_evidence == {rest: date(2026, 2, 2)}

    (english_list,) = my_class_lists(db, english, today=TODAY)
    # Cal's only arrangement is withdrawn; Ben is not in this English group.
    assert [r.pupil_name for r in english_list.rows] == ["Amy Zephyr"]
    # In the JCQ list's order: rest breaks come before reading aloud.
    assert [a.id for a in english_list.rows[0].arrangements] == [rest, reader]
    assert english_list.rows[0].last_evidence == {rest: None, reader: None}

    everyone = my_class_lists(db, senco, today=TODAY)
    assert [c.code for c in everyone] == ["11X/En1", "11X/Ma1"]
    with pytest.raises(PermissionDeniedError):
        my_class_lists(db, make_user(db, "lsa", Role.LEARNING_SUPPORT, "L S"), today=TODAY)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_class_lists_and_gap_view_take_a_few_queries_whatever_the_size(
    db: Database, senco: Actor, people: dict
) -> None:
    maths = people["maths"]
    propose_arrangement(db, senco, people["amy"], arrangement("rest_breaks"), today=TODAY)

    def queries() -> tuple[int, int]:
        with counting(db) as small:
            my_class_lists(db, maths, today=TODAY)
        with counting(db) as gaps:
            gap_view(db, senco, today=TODAY)
        return len(small), len(gaps)

    before = queries()
    pupils = [add_test_pupil(db, senco, n, year=11) for n in range(10, 40)]
    save_group(
        db, senco, None, None, GroupData("11Y/Ma2", "Mathematics", "", maths.user_id, tuple(pupils))
    )
    for pupil in pupils:
        propose_arrangement(db, senco, pupil, arrangement("word_processor"), today=TODAY)
    assert len(my_class_lists(db, maths, today=TODAY)[1].rows) == 30
    assert queries() == before


def test_gap_view(db: Database, senco: Actor, people: dict) -> None:
    amy, cal = people["amy"], people["cal"]
    maths, english = people["maths"], people["english"]
    rest = propose_arrangement(db, senco, amy, arrangement("rest_breaks"), today=TODAY)
    reader = propose_arrangement(
        db,
        senco,
        cal,
        arrangement("read_aloud", "picture_of_need", "English", "History"),
        today=TODAY,
    )
    record_nww(db, maths, NwwData(rest, "Mathematics", date(2025, 3, 1), "mock"), today=TODAY)
    record_nww(db, english, NwwData(rest, "English", date(2025, 3, 3), "mock"), today=TODAY)
    record_nww(db, english, NwwData(reader, "English", date(2026, 1, 20), "classwork"), today=TODAY)
    loner = add_test_pupil(db, senco, 9, forename="Dee", surname="Nobody", year=10)
    room = propose_arrangement(db, senco, loner, arrangement("separate_invigilation"), today=TODAY)

    rows = gap_view(db, senco, today=TODAY)
    seen = [(r.pupil_name, r.name, r.subject, r.last_evidence, r.current) for r in rows]
    assert seen == [
        (
            "Cal Moss",
            "Read aloud or an examination reading pen",
            "English",
            date(2026, 1, 20),
            True,
        ),
        ("Cal Moss", "Read aloud or an examination reading pen", "History", None, False),
        ("Dee Nobody", "Separate invigilation", ALL_SUBJECTS, None, False),
        # 2 March 2025 is 366 days before 2 March 2026: not current; 3 March is.
        ("Amy Zephyr", "Supervised rest breaks", "English", date(2025, 3, 3), True),
        ("Amy Zephyr", "Supervised rest breaks", "Mathematics", date(2025, 3, 1), False),
    ]
    assert {r.arrangement_id for r in rows} == {rest, reader, room}
    assert rows[0].year_group == 11 and rows[0].upn == "N801200024003"
    set_int(db, senco, "jcq.evidence_days", 45)
    assert [r.current for r in gap_view(db, senco, today=TODAY)] == [True] + [False] * 4
    with pytest.raises(PermissionDeniedError):
        gap_view(db, maths, today=TODAY)


def test_exams_officer_rows(db: Database, senco: Actor, people: dict) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    form = record_assessment(
        db, senco, amy, form8(("writing speed", 80), ("reading speed", 81)), today=TODAY
    )
    extra = propose_arrangement(
        db,
        senco,
        amy,
        arrangement("extra_time_25", "assessment", assessment_id=form),
        today=TODAY,
    )
    for status, on in (
        ("gathering evidence", date(2025, 11, 4)),
        ("applied online", date(2025, 11, 5)),
        ("approved by awarding body", date(2025, 11, 6)),
    ):
        move(db, senco, extra, status, on)
    reader = propose_arrangement(
        db,
        senco,
        amy,
        arrangement("reader", "picture_of_need", "English", room_note="Room 12"),
        today=TODAY,
    )
    move(db, senco, reader, "gathering evidence", date(2025, 12, 1))
    move(db, senco, reader, "applied online", date(2025, 12, 2))
    wp = propose_arrangement(
        db, senco, ben, arrangement("word_processor", on=date(2024, 1, 2)), today=TODAY
    )
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expired 10/03/2026…
    propose_arrangement(db, senco, cal, arrangement("prompter"), today=TODAY)  # not approved

    (row,) = exams_officer_rows(db, senco, today=date(2026, 3, 11))
    assert row.pupil_name == "Zephyr, Amy" and row.upn == "K801200024001"
    assert row.arrangements == ("25% extra time", "Reader (applied for)")
    assert row.subjects == "25% extra time: all subjects; Reader: English"
    assert row.extra_time_percent == 25
    assert row.room == "Separate room (reader); Room 12"
    assert (row.approved_on, row.expires_on) == (date(2025, 11, 6), date(2028, 1, 6))
    # …the day before it lapsed, Ben was on the list too, before Amy (by surname).
    both = exams_officer_rows(db, senco, today=date(2026, 3, 10))
    assert [r.pupil_name for r in both] == ["Adams, Ben", "Zephyr, Amy"]
    assert (
        both[0].subjects == ALL_SUBJECTS
        and both[0].room == ""
        and both[0].extra_time_percent is None
    )
    with pytest.raises(PermissionDeniedError):
        exams_officer_rows(db, people["maths"], today=TODAY)


def test_whats_due(db: Database, senco: Actor, people: dict) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    maths = people["maths"]
    wp = propose_arrangement(
        db, senco, ben, arrangement("word_processor", on=date(2024, 1, 2)), today=TODAY
    )
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expires 10/03/2026
    old = propose_arrangement(
        db, senco, cal, arrangement("prompter", on=date(2023, 9, 4)), today=TODAY
    )
    move(db, senco, old, "approved in centre", date(2023, 9, 5))  # expired 05/11/2025
    propose_arrangement(db, senco, amy, arrangement("extra_time_25", "assessment"), today=TODAY)
    rest = propose_arrangement(
        db, senco, amy, arrangement("rest_breaks", "picture_of_need", "Mathematics"), today=TODAY
    )
    record_nww(db, maths, NwwData(rest, "Mathematics", date(2026, 2, 2), "mock"), today=TODAY)

    assert next_exam_season(TODAY) == date(2026, 5, 1)
    assert next_exam_season(date(2026, 7, 1)) == date(2027, 5, 1)
    items = [i for i in due_items(db, senco, today=TODAY, horizon_days=90) if "access" in i.kind]
    said = {(i.pupil_name, i.severity, i.text) for i in items}
    assert (
        "Cal Moss",
        "overdue",
        "Prompter: the approval expired on 05/11/2025; renew it, or mark it expired",
    ) in said
    assert ("Ben Adams", "soon", "Word processor: approval expires 10/03/2026") in said
    assert (
        "Amy Zephyr",
        "later",
        "25% extra time: no specialist assessment (Form 8) linked before the exams from 01/05/2026",
    ) in said
    assert (
        "Amy Zephyr",
        "later",
        "25% extra time: no current evidence of normal way of working in English, "
        "Mathematics before the exams from 01/05/2026",
    ) in said
    assert (
        "Ben Adams",
        "later",
        "Word processor: no current evidence of normal way of working in Mathematics "
        "before the exams from 01/05/2026",
    ) in said
    # Amy's rest breaks have current maths evidence: nothing due for them.
    assert not [i for i in items if i.text.startswith("Supervised rest breaks")]
    assert len(items) == 5
    # With a short horizon, the exam season is not yet in view.
    near = [i for i in due_items(db, senco, today=TODAY, horizon_days=14) if "access" in i.kind]
    assert {i.text.split(":")[0] for i in near} == {"Prompter", "Word processor"}
