"""Access arrangements: proposals, Form 8 checks, approvals and expiry, NWW evidence by the
teachers who may give it, the class lists, the gap view, the exams officer's list and
"what's due" — on SQLCipher and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import AssessmentScore, AuditEvent, NwwEvidence, Role
from sendesk.rules import jcq
from sendesk.services.access.arrangement_edits import (
    propose_arrangement,
    remove_arrangement,
    set_arrangement_status,
    update_arrangement,
)
from sendesk.services.access.assessments import (
    record_assessment,
    remove_assessment,
    update_assessment,
)
from sendesk.services.access.class_lists import my_class_lists
from sendesk.services.access.edition import next_exam_season
from sendesk.services.access.exam_entries import add_exam_entry
from sendesk.services.access.nww import (
    RowProblem,
    RowsInvalidError,
    RowsNotPermittedError,
    list_nww,
    nww_for_pupil,
    record_nww,
    record_nww_many,
    remove_nww,
)
from sendesk.services.access.overviews import exams_officer_rows, gap_view
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import (
    ALL_SUBJECTS,
    NO_ENTRIES,
    ArrangementData,
    AssessmentData,
    NwwData,
    ScoreData,
    find_pupil,
)
from sendesk.services.actor import Actor
from sendesk.services.due import due_items
from sendesk.services.school.settings import set_int
from sendesk.services.staff.teaching_groups import GroupData, save_group
from tests.db_reads import audit_events, count_rows, count_selects
from tests.factories import add_test_pupil, make_user

TODAY = date(2026, 3, 2)  # pupils from the factory are born 1 Jan 2012: Year 9 from 1/9/2025


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


def propose(db: Database, actor: Actor, pupil_id: int, key: str, *args: Any, **kw: Any) -> int:
    """Propose :func:`arrangement` ``(key, *args, **kw)`` for the pupil, as of TODAY."""
    return propose_arrangement(db, actor, pupil_id, arrangement(key, *args, **kw), today=TODAY)


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


def stamp(db: Database, evidence_id: int, day: date) -> None:
    """Say an entry was recorded at noon (local time) on ``day``: when it was keyed in, not
    the date of the task, is what decides whether a teacher may still take it back."""
    with db.transaction() as s:
        s.get(NwwEvidence, evidence_id).recorded_at = datetime.combine(  # type: ignore[union-attr]
            day, time(12)
        ).astimezone()


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
    wp = propose(db, senco, amy, "word_processor", "picture_of_need", "English", " english ")
    room = propose(db, senco, amy, "separate_invigilation", room_note="Small room near exit")
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
    assert [e.action for e in audit_events(db, "access_arrangement")] == ["create", "create"]


def test_bad_proposals_are_one_sentence(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    with pytest.raises(ValidationError) as bad:
        propose(db, senco, amy, "extra_time_25", "picture_of_need", on=TODAY + timedelta(1))
    assert str(bad.value) == (
        "25% extra time is supported by 'specialist assessment with standardised scores "
        "(form 8)', not by that evidence; the proposal date 03/03/2026 is in the future."
    )
    with pytest.raises(ValidationError, match="'time_and_a_half' is not an arrangement"):
        propose(db, senco, amy, "time_and_a_half")
    other = record_assessment(db, senco, people["ben"], form8(), today=TODAY)
    with pytest.raises(ValidationError, match="The assessment chosen is another pupil's"):
        propose(db, senco, amy, "scribe", "assessment", assessment_id=other)
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
    extra = propose(db, senco, amy, "extra_time_25", "assessment", assessment_id=assessment)
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
    extra = propose(db, senco, amy, "extra_time_25", "assessment")
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
    wp = propose(db, senco, amy, "word_processor")
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
    first = propose(db, senco, amy, "prompter")
    remove_arrangement(db, senco, first, 1)
    assert pupil_access(db, senco, amy, today=TODAY).arrangements == []
    second = propose(db, senco, amy, "prompter")
    version = move(db, senco, second, "gathering evidence", TODAY)
    with pytest.raises(ValidationError, match="withdraw it instead"):
        remove_arrangement(db, senco, second, version)


def test_who_may_record_evidence(db: Database, senco: Actor, people: dict) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    maths, english = people["maths"], people["english"]
    rest = propose(db, senco, amy, "rest_breaks")
    wp_ben = propose(db, senco, ben, "word_processor", "picture_of_need", "English")
    wp_cal = propose(db, senco, cal, "word_processor", "picture_of_need", "English")

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
    # Removing: the recorder (on the day they recorded it) or the SENCo, nobody else.
    stamp(db, mine, TODAY)
    with pytest.raises(PermissionDeniedError, match="Only the teacher who recorded"):
        remove_nww(db, english, mine, today=TODAY)
    remove_nww(db, maths, mine, today=TODAY)
    remove_nww(db, senco, english_one, today=TODAY)
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
    rest = propose(db, senco, amy, "rest_breaks")
    reader = propose(db, senco, amy, "read_aloud", "picture_of_need", "English")
    propose(db, senco, ben, "word_processor", "picture_of_need", "English")
    gone = propose(db, senco, cal, "prompter")
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


def test_class_lists_and_gap_view_take_a_few_queries_whatever_the_size(
    db: Database, senco: Actor, people: dict
) -> None:
    maths = people["maths"]
    propose(db, senco, people["amy"], "rest_breaks")

    def queries() -> tuple[int, int]:
        with count_selects(db) as small:
            my_class_lists(db, maths, today=TODAY)
        with count_selects(db) as gaps:
            gap_view(db, senco, today=TODAY)
        return len(small), len(gaps)

    before = queries()
    pupils = [add_test_pupil(db, senco, n, year=11) for n in range(10, 40)]
    save_group(
        db, senco, None, None, GroupData("11Y/Ma2", "Mathematics", "", maths.user_id, tuple(pupils))
    )
    for pupil in pupils:
        propose(db, senco, pupil, "word_processor")
    assert len(my_class_lists(db, maths, today=TODAY)[1].rows) == 30
    assert queries() == before


def enter(db: Database, senco: Actor, pupil_id: int, *subjects: str) -> None:
    """Record by hand that the candidate is entered for ``subjects``."""
    for subject in subjects:
        add_exam_entry(db, senco, pupil_id, subject)


def test_gap_view(db: Database, senco: Actor, people: dict) -> None:
    amy, cal = people["amy"], people["cal"]
    maths, english = people["maths"], people["english"]
    # Amy also has PE, which she is not entered for: it is not a gap.
    save_group(db, senco, None, None, GroupData("11X/PE1", "PE", "", maths.user_id, (amy,)))
    enter(db, senco, amy, "English", "Mathematics")
    enter(db, senco, cal, "English", "History", "Art")
    rest = propose(db, senco, amy, "rest_breaks")
    reader = propose(db, senco, cal, "read_aloud", "picture_of_need", "English", "History")
    record_nww(db, maths, NwwData(rest, "Mathematics", date(2025, 3, 1), "mock"), today=TODAY)
    record_nww(db, english, NwwData(rest, "English", date(2025, 3, 3), "mock"), today=TODAY)
    record_nww(db, english, NwwData(reader, "English", date(2026, 1, 20), "classwork"), today=TODAY)
    loner = add_test_pupil(db, senco, 9, forename="Dee", surname="Nobody", year=10)
    room = propose(db, senco, loner, "separate_invigilation")

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
        # no entries recorded: said, not silently left out
        ("Dee Nobody", "Separate invigilation", NO_ENTRIES, None, False),
        # 2 March 2025 is 366 days before 2 March 2026: not current; 3 March is.
        ("Amy Zephyr", "Supervised rest breaks", "English", date(2025, 3, 3), True),
        ("Amy Zephyr", "Supervised rest breaks", "Mathematics", date(2025, 3, 1), False),
    ]
    assert [r.entered for r in rows] == [True, True, False, True, True]
    assert {r.arrangement_id for r in rows} == {rest, reader, room}
    assert rows[0].year_group == 11 and rows[0].upn == "N801200024003"
    set_int(db, senco, "jcq.evidence_days", 45)
    assert [r.current for r in gap_view(db, senco, today=TODAY)] == [True] + [False] * 4
    with pytest.raises(PermissionDeniedError):
        gap_view(db, maths, today=TODAY)


def test_gap_view_for_named_subjects_not_entered(db: Database, senco: Actor, people: dict) -> None:
    cal = people["cal"]
    enter(db, senco, cal, "Mathematics")
    propose(db, senco, cal, "read_aloud", "picture_of_need", "English")
    (row,) = gap_view(db, senco, today=TODAY)
    assert (row.subject, row.entered, row.current) == ("Not entered for English", False, False)


def test_exams_officer_rows(db: Database, senco: Actor, people: dict) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    form = record_assessment(
        db, senco, amy, form8(("writing speed", 80), ("reading speed", 81)), today=TODAY
    )
    extra = propose(db, senco, amy, "extra_time_25", "assessment", assessment_id=form)
    for status, on in (
        ("gathering evidence", date(2025, 11, 4)),
        ("applied online", date(2025, 11, 5)),
        ("approved by awarding body", date(2025, 11, 6)),
    ):
        move(db, senco, extra, status, on)
    reader = propose(db, senco, amy, "reader", "picture_of_need", "English", room_note="Room 12")
    move(db, senco, reader, "gathering evidence", date(2025, 12, 1))
    move(db, senco, reader, "applied online", date(2025, 12, 2))
    wp = propose(db, senco, ben, "word_processor", on=date(2024, 1, 2))
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expired 10/03/2026…
    propose(db, senco, cal, "prompter")  # not approved

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
    enter(db, senco, amy, "English", "Mathematics")
    enter(db, senco, ben, "Mathematics")
    wp = propose(db, senco, ben, "word_processor", on=date(2024, 1, 2))
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expires 10/03/2026
    old = propose(db, senco, cal, "prompter", on=date(2023, 9, 4))
    move(db, senco, old, "approved in centre", date(2023, 9, 5))  # expired 05/11/2025
    propose(db, senco, amy, "extra_time_25", "assessment")
    rest = propose(db, senco, amy, "rest_breaks", "picture_of_need", "Mathematics")
    record_nww(db, maths, NwwData(rest, "Mathematics", date(2026, 2, 2), "mock"), today=TODAY)

    assert next_exam_season(TODAY) == date(2026, 5, 1)
    assert next_exam_season(date(2026, 7, 1)) == date(2027, 5, 1)
    items = [i for i in due_items(db, senco, today=TODAY, horizon_days=90) if "access" in i.kind]
    said = {(i.pupil_name, i.severity, i.kind, i.text) for i in items}
    assert said == {
        (
            "Cal Moss",
            "overdue",
            "access arrangement",
            "Prompter: the approval expired on 05/11/2025; renew it, or mark it expired",
        ),
        ("Ben Adams", "soon", "access arrangement", "Word processor: approval expires 10/03/2026"),
        # one line per candidate, naming each arrangement's gaps
        (
            "Amy Zephyr",
            "later",
            "access evidence",
            "before the exams from 01/05/2026: 25% extra time: no specialist assessment "
            "(Form 8) linked; 25% extra time: no current evidence of normal way of working in "
            "English, Mathematics",
        ),
        (
            "Ben Adams",
            "later",
            "access evidence",
            "before the exams from 01/05/2026: Word processor: no current evidence of normal "
            "way of working in Mathematics",
        ),
    }
    # Amy's rest breaks have current maths evidence: nothing due for them.
    assert not [i for i in items if "Supervised rest breaks" in i.text]
    # With a short horizon, the exam season is not yet in view.
    near = [i for i in due_items(db, senco, today=TODAY, horizon_days=14) if "access" in i.kind]
    assert {i.text.split(":")[0] for i in near} == {"Prompter", "Word processor"}


def test_whats_due_counts_only_entered_subjects(db: Database, senco: Actor, people: dict) -> None:
    amy, ben = people["amy"], people["ben"]
    maths = people["maths"]
    for code, subject in (("11X/PE1", "PE"), ("11X/Ar1", "Art"), ("11X/Mu1", "Music")):
        save_group(db, senco, None, None, GroupData(code, subject, "", maths.user_id, (amy, ben)))
    enter(db, senco, amy, "Mathematics")
    rest = propose(db, senco, amy, "rest_breaks")
    record_nww(db, maths, NwwData(rest, "Mathematics", date(2026, 2, 2), "mock"), today=TODAY)
    propose(db, senco, ben, "rest_breaks")

    items = [i for i in due_items(db, senco, today=TODAY, horizon_days=90) if "access" in i.kind]
    # Amy sits maths only, and has its evidence: PE, art and music are not asked for.
    assert [(i.pupil_name, i.text) for i in items] == [
        (
            "Ben Adams",
            "before the exams from 01/05/2026: no exam entries recorded (import them with the "
            "class lists, or add them on the Access tab), so evidence cannot be checked "
            "subject by subject",
        )
    ]


def test_extra_time_for_another_impairment_needs_professional_evidence(
    db: Database, senco: Actor, people: dict
) -> None:
    # AARA 2025–26 ch. 5 §5.2 (confirm number): never "met" on no evidence.
    from sendesk.models import AgencyInvolvement, EhcPlan, EvidenceDocument

    amy, ben = people["amy"], people["ben"]
    enter(db, senco, amy, "English")
    enter(db, senco, ben, "English")
    key = "extra_time_25_other"
    on_amy = propose(db, senco, amy, key, "professional")
    propose(db, senco, ben, key, "professional")
    verdict = item_of(db, senco, on_amy).verdict
    assert verdict is not None and not verdict.met
    assert verdict.reasons[0].startswith("Not met: no professional evidence is recorded.")
    assert any("supervised rest breaks should be considered" in r for r in verdict.reasons)
    due = {i.pupil_name: i.text for i in due_items(db, senco, today=TODAY, horizon_days=90)}
    assert (
        "25% extra time (other impairment): no professional evidence recorded" in due["Amy Zephyr"]
    )

    with db.transaction() as s:
        s.add(EhcPlan(pupil_id=amy, issued_on=date(2024, 2, 1), la_name="Testshire"))
        involvement = AgencyInvolvement(pupil_id=ben, agency="Sensory support service")
        s.add(involvement)
        s.flush()
        s.add(
            EvidenceDocument(
                pupil_id=ben,
                involvement_id=involvement.id,
                title="Report",
                filename="report.pdf",
                media_type="application/pdf",
                size=3,
                sha256="0" * 64,
                document_date=date(2026, 1, 12),
                content=b"pdf",
            )
        )
    access = pupil_access(db, senco, amy, today=TODAY)
    assert access.professional_evidence == "EHC plan issued 01/02/2024"
    verdict = item_of(db, senco, on_amy).verdict
    assert verdict is not None and verdict.met
    assert (
        verdict.reasons[0] == "Met: professional evidence is recorded (EHC plan issued 01/02/2024)."
    )
    assert pupil_access(db, senco, ben, today=TODAY).professional_evidence == (
        "a document from Sensory support service, dated 12/01/2026"
    )
    due_now = [i.text for i in due_items(db, senco, today=TODAY, horizon_days=90)]
    assert not [t for t in due_now if "no professional evidence" in t]


# --- a class's evidence in one go, and removing a mistaken Form 8 --------------------------


def nww_events(db: Database) -> list[dict]:
    return [json.loads(e.detail) for e in audit_events(db, "nww_evidence")]


def paper(arrangement_id: int, subject: str = "Mathematics", **more: object) -> NwwData:
    values: dict[str, object] = {
        "arrangement_id": arrangement_id,
        "subject": subject,
        "recorded_on": date(2026, 2, 23),
        "task_kind": "mock",
        "task": "Paper 1",
    }
    values.update(more)
    return NwwData(**values)  # type: ignore[arg-type]


def test_a_batch_with_one_bad_item_writes_nothing(db: Database, senco: Actor, people: dict):
    amy, ben = people["amy"], people["ben"]
    maths = people["maths"]
    rest_amy = propose(db, senco, amy, "rest_breaks")
    rest_ben = propose(db, senco, ben, "rest_breaks")
    wp_ben = propose(db, senco, ben, "word_processor", "picture_of_need", "English")
    ids = (rest_amy, wp_ben, rest_ben)
    batch = [paper(a) for a in ids]
    with pytest.raises(RowsInvalidError) as bad:
        record_nww_many(db, maths, batch, today=TODAY)
    assert str(bad.value) == (
        "Row 2: Word processor does not cover Mathematics (it covers English)."
    )
    assert isinstance(bad.value, ValidationError)
    assert bad.value.problems == (
        RowProblem(2, "Word processor does not cover Mathematics (it covers English)"),
    )
    assert count_rows(db, NwwEvidence) == 0 and nww_events(db) == []

    # The same problem on every row is said once; each row's own problem after it.
    future = TODAY + timedelta(days=1)
    with pytest.raises(RowsInvalidError) as bad:
        record_nww_many(db, maths, [paper(a, recorded_on=future) for a in ids], today=TODAY)
    assert str(bad.value) == (
        "Every row: the date 03/03/2026 is in the future; row 2: Word processor does not "
        "cover Mathematics (it covers English)."
    )
    # An arrangement removed since the list was opened is a refusal too.
    gone = propose(db, senco, amy, "prompter")
    remove_arrangement(db, senco, gone, 1)
    with pytest.raises(RowsInvalidError, match=r"^Row 3: that access arrangement has been"):
        record_nww_many(db, senco, [paper(rest_amy), paper(rest_ben), paper(gone)], today=TODAY)
    assert count_rows(db, NwwEvidence) == 0 and nww_events(db) == []


def test_a_good_batch_writes_every_item_with_its_audit_event(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, ben = people["amy"], people["ben"]
    maths = people["maths"]
    rest_amy = propose(db, senco, amy, "rest_breaks")
    rest_ben = propose(db, senco, ben, "rest_breaks")
    wp_ben = propose(db, senco, ben, "word_processor")
    ids = record_nww_many(
        db,
        maths,
        [paper(rest_amy, "mathematics"), paper(wp_ben, " MATHEMATICS "), paper(rest_ben)],
        today=TODAY,
    )
    assert len(ids) == 3 and count_rows(db, NwwEvidence) == 3
    stored = {n.id: n for n in nww_for_pupil(db, senco, ben)}
    stored.update({n.id: n for n in nww_for_pupil(db, senco, amy)})
    # In the order given, the subject as the teacher's group spells it, by the teacher.
    assert [(stored[i].arrangement_id, stored[i].subject, stored[i].recorded_by) for i in ids] == [
        (rest_amy, "Mathematics", "Mo Maths"),
        (wp_ben, "Mathematics", "Mo Maths"),
        (rest_ben, "Mathematics", "Mo Maths"),
    ]
    assert nww_events(db) == [
        {"arrangement_id": a, "pupil_id": p, "subject": "Mathematics", "task_kind": "mock"}
        for a, p in ((rest_amy, amy), (wp_ben, ben), (rest_ben, ben))
    ]
    assert record_nww_many(db, maths, [], today=TODAY) == []


def test_a_crash_mid_batch_leaves_nothing_written(
    db: Database, senco: Actor, people: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    amy, ben = people["amy"], people["ben"]
    rest_amy = propose(db, senco, amy, "rest_breaks")
    rest_ben = propose(db, senco, ben, "rest_breaks")

    from sendesk.services.access import nww

    real = nww.AuditWriter.record
    calls: list[str] = []

    def record(self, action, entity, *args, **kwargs):  # type: ignore[no-untyped-def]
        if entity == "nww_evidence":
            calls.append(action)
            if len(calls) == 2:
                raise RuntimeError("the disk went away")
        return real(self, action, entity, *args, **kwargs)

    monkeypatch.setattr(nww.AuditWriter, "record", record)
    with pytest.raises(RuntimeError):
        record_nww_many(db, people["maths"], [paper(rest_amy), paper(rest_ben)], today=TODAY)
    assert calls == ["create", "create"]  # the first was written in the session…
    assert count_rows(db, NwwEvidence) == 0 and nww_events(db) == []  # …and rolled back


def test_a_teacher_is_checked_for_every_item_of_a_batch(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    maths = people["maths"]
    rest_amy = propose(db, senco, amy, "rest_breaks")
    rest_ben = propose(db, senco, ben, "rest_breaks")
    rest_cal = propose(db, senco, cal, "rest_breaks")
    # Cal is not in the maths teacher's group: refused, before row 1's bad date is mentioned.
    batch = [paper(rest_amy, recorded_on=TODAY + timedelta(days=1)), paper(rest_cal)]
    with pytest.raises(RowsNotPermittedError) as refused:
        record_nww_many(db, maths, [*batch, paper(rest_ben)], today=TODAY)
    assert isinstance(refused.value, PermissionDeniedError)
    assert str(refused.value) == (
        "Row 2: the pupil is not in one of your teaching groups for Mathematics, so only the "
        "SENCo can record it."
    )
    assert [p.row for p in refused.value.problems] == [2]
    # The subject counts: Amy is in his maths group, not in an English one of his.
    with pytest.raises(RowsNotPermittedError, match=r"^Rows 1 and 3: the pupil is not in"):
        record_nww_many(
            db,
            maths,
            [paper(rest_amy, "English"), paper(rest_ben), paper(rest_amy, "English")],
            today=TODAY,
        )
    # A batch of one says what record_nww always said.
    with pytest.raises(RowsNotPermittedError, match=r"^Teachers can record evidence only for"):
        record_nww_many(db, maths, [paper(rest_cal)], today=TODAY)
    assert count_rows(db, NwwEvidence) == 0
    # The English teacher may record Cal's and Amy's; the SENCo anyone's.
    assert (
        len(
            record_nww_many(
                db,
                people["english"],
                [paper(rest_cal, "English"), paper(rest_amy, "English")],
                today=TODAY,
            )
        )
        == 2
    )
    assert len(record_nww_many(db, senco, [paper(rest_cal), paper(rest_ben)], today=TODAY)) == 2
    for role, name in ((Role.LEARNING_SUPPORT, "lsa"), (Role.READ_ONLY, "gov")):
        with pytest.raises(PermissionDeniedError):
            record_nww_many(db, make_user(db, name, role, name), [paper(rest_amy)], today=TODAY)
    assert count_rows(db, NwwEvidence) == 4


def test_a_batch_takes_the_same_queries_whatever_its_size(
    db: Database, senco: Actor, people: dict
) -> None:
    maths = people["maths"]
    pupils = [add_test_pupil(db, senco, n, year=11) for n in range(10, 40)]
    save_group(
        db, senco, None, None, GroupData("11Y/Ma2", "Mathematics", "", maths.user_id, tuple(pupils))
    )
    rests = [propose(db, senco, p, "rest_breaks") for p in pupils]
    with count_selects(db) as two:
        record_nww_many(db, maths, [paper(a) for a in rests[:2]], today=TODAY)
    with count_selects(db) as thirty:
        record_nww_many(db, maths, [paper(a, task="Paper 2") for a in rests], today=TODAY)
    assert len(thirty) == len(two)
    assert count_rows(db, NwwEvidence) == 32


def test_rows_are_named_in_runs() -> None:
    from sendesk.services.access.nww import _rows_text

    assert _rows_text([3], 5) == "row 3"
    assert _rows_text([2, 3], 5) == "rows 2 and 3"
    assert _rows_text([1, 2, 3, 5, 7, 8], 10) == "rows 1–3, 5, 7 and 8"
    assert _rows_text([1, 2], 2) == "every row"
    assert _rows_text([1], 1) == "row 1"


def test_remove_a_mistaken_assessment_unlinks_its_arrangements(
    db: Database, senco: Actor, people: dict
) -> None:
    amy = people["amy"]
    mistake = record_assessment(db, senco, amy, form8(("writing speed", 82)), today=TODAY)
    keep = record_assessment(db, senco, amy, form8(("reading speed", 80)), today=TODAY)
    extra = propose(db, senco, amy, "extra_time_25", "assessment", assessment_id=mistake)
    wp = propose(db, senco, amy, "word_processor", assessment_id=mistake)
    move(db, senco, wp, "approved in centre", TODAY)
    other = propose(db, senco, amy, "scribe", "assessment", assessment_id=keep)
    before = {a.id: a.version for a in pupil_access(db, senco, amy, today=TODAY).arrangements}

    with pytest.raises(PermissionDeniedError):
        remove_assessment(db, people["maths"], mistake, 1)
    with pytest.raises(ConflictError, match="Someone else changed this assessment"):
        remove_assessment(db, senco, mistake, 2)
    remove_assessment(db, senco, mistake, 1)

    access = pupil_access(db, senco, amy, today=TODAY)
    assert [a.id for a in access.assessments] == [keep]
    assert count_rows(db, AssessmentScore, AssessmentScore.assessment_id == mistake) == 0
    linked = {a.id: (a.assessment_id, a.version) for a in access.arrangements}
    assert linked == {
        extra: (None, before[extra] + 1),  # unlinked, and an open edit of it is told
        wp: (None, before[wp] + 1),
        other: (keep, before[other]),
    }
    event_ = audit_events(db, "access_assessment")[-1]
    assert (event_.action, event_.entity_id) == ("delete", mistake)
    assert json.loads(event_.detail) == {
        "pupil_id": amy,
        "arrangements_unlinked": 2,
        "arrangement_ids": [extra, wp],
    }
    # "What's due" now asks for the extra time's assessment again.
    due = [i.text for i in due_items(db, senco, today=TODAY, horizon_days=90)]
    assert any("25% extra time: no specialist assessment (Form 8) linked" in t for t in due)
    with pytest.raises(ConflictError, match="That assessment has been removed"):
        remove_assessment(db, senco, mistake, 1)
    # One linked to nothing goes with no unlinking to report.
    lone = record_assessment(db, senco, amy, form8(("reading speed", 81)), today=TODAY)
    remove_assessment(db, senco, lone, 1)
    assert [a.id for a in pupil_access(db, senco, amy, today=TODAY).assessments] == [keep]


def test_the_assessment_behind_a_live_application_stays(
    db: Database, senco: Actor, people: dict
) -> None:
    amy = people["amy"]
    form = record_assessment(db, senco, amy, form8(("writing speed", 82)), today=TODAY)
    extra = propose(db, senco, amy, "extra_time_25", "assessment", assessment_id=form)
    scribe = propose(db, senco, amy, "scribe", "assessment", assessment_id=form)
    move(db, senco, extra, "gathering evidence", date(2026, 1, 5))
    move(db, senco, extra, "applied online", date(2026, 1, 12))
    events = count_rows(db, AuditEvent)
    with pytest.raises(ValidationError) as refused:
        remove_assessment(db, senco, form, 1)
    assert str(refused.value) == (
        "This assessment is the evidence behind 25% extra time (applied online), so it cannot "
        "be removed: the evidence behind a live application must be kept (correct the "
        "assessment instead)."
    )
    move(db, senco, extra, "approved by awarding body", date(2026, 2, 2))
    with pytest.raises(ValidationError, match=r"25% extra time \(approved by awarding body\)"):
        remove_assessment(db, senco, form, 1)
    # Nothing changed: both still rest on it, and nothing was audited.
    access = pupil_access(db, senco, amy, today=TODAY)
    assert [a.id for a in access.assessments] == [form]
    assert {a.id: a.assessment_id for a in access.arrangements} == {extra: form, scribe: form}
    assert count_rows(db, AuditEvent) == events + 1  # the awarding body's approval only
    # Once the application is withdrawn the mistaken assessment may go.
    move(db, senco, extra, "withdrawn", TODAY)
    remove_assessment(db, senco, form, 1)
    assert pupil_access(db, senco, amy, today=TODAY).assessments == []


# --- what a live application, an inspector and the exam season need kept ------------------


def test_a_live_application_keeps_its_assessment_and_evidence_route(
    db: Database, senco: Actor, people: dict
) -> None:
    amy = people["amy"]
    form = record_assessment(db, senco, amy, form8(("writing speed", 82)), today=TODAY)
    other = record_assessment(db, senco, amy, form8(("reading speed", 80)), today=TODAY)
    scribe = propose(db, senco, amy, "scribe", "assessment", assessment_id=form)
    move(db, senco, scribe, "gathering evidence", date(2026, 1, 5))
    move(db, senco, scribe, "applied online", date(2026, 1, 12))
    refusal = (
        "Scribe is applied online, so the assessment it rests on and its evidence route "
        "cannot be changed: they are the evidence behind a live application (correct the "
        "assessment instead)."
    )
    version = item_of(db, senco, scribe).version
    events = count_rows(db, AuditEvent)
    for change in (
        arrangement("scribe", "assessment"),  # unlinked…
        arrangement("scribe", "assessment", assessment_id=other),  # …or swapped
        arrangement("scribe", "professional", assessment_id=form),  # another route
    ):
        with pytest.raises(ValidationError) as refused:
            update_arrangement(db, senco, scribe, version, change, today=TODAY)
        assert str(refused.value) == refusal
    # Nothing changed, so the Form 8 behind the application still cannot be removed.
    assert item_of(db, senco, scribe).assessment_id == form
    assert count_rows(db, AuditEvent) == events
    with pytest.raises(ValidationError, match="evidence behind Scribe"):
        remove_assessment(db, senco, form, 1)
    # Anything else may still be corrected.
    kept = arrangement("scribe", "assessment", assessment_id=form, room_note="Room 4")
    version = update_arrangement(db, senco, scribe, version, kept, today=TODAY)
    assert item_of(db, senco, scribe).room_note == "Room 4"
    move(db, senco, scribe, "approved by awarding body", date(2026, 2, 2))
    version = item_of(db, senco, scribe).version
    with pytest.raises(ValidationError, match="Scribe is approved by awarding body, so the"):
        update_arrangement(
            db, senco, scribe, version, arrangement("scribe", "assessment"), today=TODAY
        )
    # Sent back to gathering evidence, the application is no longer live: it may change.
    other_pupil = propose(db, senco, amy, "scribe", "assessment", assessment_id=form)
    move(db, senco, other_pupil, "gathering evidence", date(2026, 1, 5))
    move(db, senco, other_pupil, "applied online", date(2026, 1, 12))
    move(db, senco, other_pupil, "gathering evidence", date(2026, 2, 3))
    version = item_of(db, senco, other_pupil).version
    update_arrangement(
        db,
        senco,
        other_pupil,
        version,
        arrangement("scribe", "professional"),
        today=TODAY,
    )
    assert item_of(db, senco, other_pupil).assessment_id is None


def test_leavers_leave_the_gap_view_the_exams_list_and_whats_due(
    db: Database, senco: Actor
) -> None:
    left = add_test_pupil(
        db, senco, 21, forename="Lea", surname="Gone", year=11, leaving_date=date(2026, 2, 27)
    )
    today_leaver = add_test_pupil(
        db, senco, 22, forename="Tod", surname="Last", year=11, leaving_date=TODAY
    )
    later = add_test_pupil(
        db, senco, 23, forename="Fay", surname="Soon", year=11, leaving_date=date(2026, 7, 17)
    )
    stays = add_test_pupil(db, senco, 24, forename="Sam", surname="Stays", year=11)
    for pupil in (left, today_leaver, later, stays):
        wp = propose(db, senco, pupil, "word_processor", on=date(2024, 1, 2))
        move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expires 10/03/2026
    here = ["Fay Soon", "Sam Stays", "Tod Last"]  # leaving today or later: still here

    assert sorted(r.pupil_name for r in gap_view(db, senco, today=TODAY)) == here
    assert [r.pupil_name for r in exams_officer_rows(db, senco, today=TODAY)] == [
        "Last, Tod",
        "Soon, Fay",
        "Stays, Sam",
    ]
    due = [i for i in due_items(db, senco, today=TODAY, horizon_days=90) if "access" in i.kind]
    assert sorted({i.pupil_name for i in due}) == here
    assert "Word processor: approval expires 10/03/2026" in {
        i.text for i in due if i.pupil_name == "Sam Stays"
    }
    # Nor is a leaver in anyone's class list any more.
    save_group(
        db,
        senco,
        None,
        None,
        GroupData("11L/En", "English", "", None, (left, today_leaver, later, stays)),
    )
    (english,) = [c for c in my_class_lists(db, senco, today=TODAY) if c.code == "11L/En"]
    assert sorted(r.pupil_name for r in english.rows) == here
    # The leaver's record keeps the arrangement: it is history, not deleted.
    assert [a.name for a in pupil_access(db, senco, left, today=TODAY).arrangements] == [
        "Word processor"
    ]


def test_a_teacher_takes_back_only_todays_entry_for_a_pupil_they_still_teach(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, ben, maths = people["amy"], people["ben"], people["maths"]
    rest = propose(db, senco, amy, "rest_breaks")
    move(db, senco, rest, "approved in centre", date(2026, 2, 2))

    def entry(day: date) -> int:
        evidence_id = record_nww(db, maths, paper(rest, recorded_on=date(2026, 2, 23)), today=day)
        stamp(db, evidence_id, day)
        return evidence_id

    yesterdays, todays, slip = entry(TODAY - timedelta(days=1)), entry(TODAY), entry(TODAY)
    events = count_rows(db, AuditEvent)
    with pytest.raises(PermissionDeniedError) as refused:
        remove_nww(db, maths, yesterdays, today=TODAY)
    assert str(refused.value) == (
        "You recorded this entry on 01/03/2026 and a teacher can remove an entry only on the "
        "day they recorded it, so it now stays as evidence (ask the SENCo if it is wrong)."
    )
    # Today's slip is taken back, even on an approved arrangement: no application rested
    # on it yet.
    remove_nww(db, maths, todays, today=TODAY)
    assert count_rows(db, AuditEvent) == events + 1
    # Amy moves out of the maths group: her entries are no longer the teacher's to remove.
    save_group(
        db,
        senco,
        people["g_maths"],
        1,
        GroupData("11X/Ma1", "Mathematics", "", maths.user_id, (ben,)),
    )
    with pytest.raises(PermissionDeniedError) as refused:
        remove_nww(db, maths, slip, today=TODAY)
    assert str(refused.value) == (
        "You no longer teach this pupil Mathematics, so only the SENCo can remove this entry."
    )
    assert [n.id for n in list_nww(db, senco, rest)] == [slip, yesterdays]
    # The SENCo may remove any entry of an arrangement approved in the centre.
    remove_nww(db, senco, yesterdays, today=TODAY)
    assert [n.id for n in list_nww(db, senco, rest)] == [slip]


def test_inspection_evidence_stays_even_for_the_senco(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, ben, cal = people["amy"], people["ben"], people["cal"]
    form = record_assessment(db, senco, amy, form8(("writing speed", 82)), today=TODAY)
    extra = propose(db, senco, amy, "extra_time_25", "assessment", assessment_id=form)
    move(db, senco, extra, "gathering evidence", date(2026, 1, 5))
    wp = propose(db, senco, ben, "word_processor", on=date(2024, 1, 2))
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expires 10/03/2026
    old = propose(db, senco, cal, "prompter", on=date(2023, 9, 4))
    move(db, senco, old, "approved in centre", date(2023, 9, 5))  # expired 05/11/2025
    gone = propose(db, senco, cal, "rest_breaks")
    before_expiry = date(2025, 10, 1)
    extra_one, extra_two = record_nww_many(db, senco, [paper(extra), paper(extra)], today=TODAY)
    wp_one = record_nww(db, senco, paper(wp), today=TODAY)
    old_one = record_nww(db, senco, paper(old, recorded_on=before_expiry), today=before_expiry)
    gone_one = record_nww(db, senco, paper(gone, "English"), today=TODAY)

    def refused(evidence_id: int, today: date = TODAY) -> str:
        events = count_rows(db, AuditEvent)
        with pytest.raises(ValidationError) as error:
            remove_nww(db, senco, evidence_id, today=today)
        assert count_rows(db, NwwEvidence, NwwEvidence.id == evidence_id) == 1
        assert count_rows(db, AuditEvent) == events
        return str(error.value)

    # Gathering evidence: the SENCo may still remove a mistaken entry.
    remove_nww(db, senco, extra_one, today=TODAY)
    move(db, senco, extra, "applied online", date(2026, 1, 12))
    assert refused(extra_two) == (
        "25% extra time is applied online, so its evidence is what a JCQ inspector may ask "
        "to see and this entry cannot be removed: a mistaken entry stays, with the audit of "
        "who recorded it (a new entry's note can say what was wrong)."
    )
    move(db, senco, extra, "approved by awarding body", date(2026, 2, 2))
    assert refused(extra_two).startswith("25% extra time is approved by awarding body, so its")
    # Past its approval's expiry date, marked expired or not.
    assert refused(old_one).startswith("Prompter is past its expiry date (05/11/2025), so its")
    move(db, senco, old, "expired", TODAY)
    assert refused(old_one).startswith("Prompter is expired, so its evidence")
    # The day after the word processor lapses its entry stays; while it lasts, it may go.
    assert refused(wp_one, date(2026, 3, 11)).startswith("Word processor is past its expiry")
    # A withdrawn arrangement is not an exam arrangement: a mistaken entry may go.
    move(db, senco, gone, "withdrawn", TODAY)
    remove_nww(db, senco, gone_one, today=TODAY)
    remove_nww(db, senco, wp_one, today=TODAY)
    assert count_rows(db, NwwEvidence) == 2  # the 25% extra time's and the prompter's


def test_no_evidence_once_an_approval_has_lapsed(db: Database, senco: Actor, people: dict) -> None:
    ben, maths = people["ben"], people["maths"]
    wp = propose(db, senco, ben, "word_processor", on=date(2024, 1, 2))
    move(db, senco, wp, "approved in centre", date(2024, 1, 10))  # expires 10/03/2026
    on_the_day = date(2026, 3, 10)
    record_nww(db, maths, paper(wp, recorded_on=on_the_day), today=on_the_day)
    after = date(2026, 3, 11)
    for actor in (maths, senco):
        with pytest.raises(ValidationError) as refused:
            record_nww(db, actor, paper(wp, recorded_on=after), today=after)
        assert str(refused.value) == (
            "Word processor expired on 10/03/2026, so no more evidence is recorded (a renewal "
            "is a new proposal)."
        )
    rest = propose_arrangement(db, senco, ben, arrangement("rest_breaks"), today=after)
    with pytest.raises(RowsInvalidError, match=r"^Row 2: Word processor expired on 10/03/2026"):
        record_nww_many(
            db, senco, [paper(rest, recorded_on=after), paper(wp, recorded_on=after)], today=after
        )
    assert count_rows(db, NwwEvidence) == 1


def test_whats_due_asks_for_evidence_that_lasts_until_the_exams(
    db: Database, senco: Actor, people: dict
) -> None:
    amy, maths, english = people["amy"], people["maths"], people["english"]
    enter(db, senco, amy, "English", "Mathematics")
    rest = propose(db, senco, amy, "rest_breaks")
    # The season starts 01/05/2026; 365 days before is 01/05/2025.
    for teacher, subject, on in (
        (maths, "Mathematics", date(2025, 4, 30)),  # current today, lapses on 30/04/2026
        (english, "English", date(2025, 5, 1)),  # still current on 01/05/2026
    ):
        record_nww(db, teacher, paper(rest, subject, recorded_on=on), today=TODAY)

    def due() -> list[str]:
        return [
            i.text for i in due_items(db, senco, today=TODAY, horizon_days=90) if "access" in i.kind
        ]

    assert [r.current for r in gap_view(db, senco, today=TODAY)] == [True, True]
    assert due() == [
        "before the exams from 01/05/2026: Supervised rest breaks: the evidence in "
        "Mathematics (last 30/04/2025) will be more than 365 days old by then; record more"
    ]
    # Evidence already out of date is still asked for as missing.
    set_int(db, senco, "jcq.evidence_days", 300)
    assert due() == [
        "before the exams from 01/05/2026: Supervised rest breaks: no current evidence of "
        "normal way of working in English, Mathematics"
    ]
    # Once the new evidence is in, nothing is due.
    set_int(db, senco, "jcq.evidence_days", 365)
    record_nww(db, maths, paper(rest, recorded_on=TODAY), today=TODAY)
    assert due() == []


# --- exam entries and the edition --------------------------------------------------------------


def test_exam_entries_by_hand_are_audited(db: Database, senco: Actor, people: dict) -> None:
    from sendesk.services.access.exam_entries import exam_entries, remove_exam_entry

    amy = people["amy"]
    first = add_exam_entry(db, senco, amy, "  Mathematics ")
    add_exam_entry(db, senco, amy, "English")
    assert [(e.subject, e.source) for e in exam_entries(db, senco, amy)] == [
        ("English", "manual"),
        ("Mathematics", "manual"),
    ]
    with pytest.raises(ValidationError, match="already entered for Mathematics"):
        add_exam_entry(db, senco, amy, "mathematics")
    with pytest.raises(ValidationError, match="subject is missing"):
        add_exam_entry(db, senco, amy, "  ")
    with pytest.raises(ValidationError, match="longer than 60 characters"):
        add_exam_entry(db, senco, amy, "x" * 61)
    with pytest.raises(PermissionDeniedError):
        add_exam_entry(db, people["maths"], amy, "History")
    with pytest.raises(PermissionDeniedError):
        remove_exam_entry(db, people["maths"], first)
    remove_exam_entry(db, senco, first)
    assert [e.subject for e in pupil_access(db, senco, amy, today=TODAY).exam_entries] == [
        "English"
    ]
    events = [(e.action, e.entity_id, json.loads(e.detail)) for e in audit_events(db, "exam_entry")]
    assert events[0] == ("create", first, {"pupil_id": amy, "source": "manual"})
    assert events[-1] == ("delete", first, {"pupil_id": amy, "source": "manual"})
    assert len(events) == 3
    with pytest.raises(NotFoundError, match="removed since you opened it"):
        remove_exam_entry(db, senco, first)


def test_the_tab_counts_entries_once_recorded(db: Database, senco: Actor, people: dict) -> None:
    amy = people["amy"]
    room = propose(db, senco, amy, "separate_invigilation")
    # taught English and Mathematics; no entries yet: the classes taught stand in
    assert item_of(db, senco, room).evidence_by_subject == {"English": None, "Mathematics": None}
    enter(db, senco, amy, "Mathematics")
    assert item_of(db, senco, room).evidence_by_subject == {"Mathematics": None}


def test_edition_dates_are_settings_with_a_plain_notice(db: Database, senco: Actor) -> None:
    from sendesk.services.access.edition import access_notice
    from sendesk.services.school.settings import set_setting

    assert access_notice(db, senco, today=date(2026, 3, 2)) is None
    notice = access_notice(db, senco, today=date(2026, 12, 7))
    assert notice is not None
    assert "AARA 2025–26 (amended March 2026), in force until 31/08/2026" in notice
    assert "SENDesk still applies them" in notice
    # JCQ keeps 2025–26 in force for 2026–27: the SENCo moves the end date on
    set_setting(db, senco, "jcq.edition_ends", "2027-08-31")
    assert access_notice(db, senco, today=date(2026, 12, 7)) is None
    set_setting(db, senco, "jcq.edition_ends", "not a date")  # falls back to the default
    assert access_notice(db, senco, today=date(2026, 12, 7)) is not None


def test_the_senco_records_the_edition_in_one_audited_step(
    db: Database, senco: Actor, people: dict
) -> None:
    from sendesk.services.access.edition import current_edition, set_edition

    assert current_edition(db, senco) == jcq.EDITION_2025_26
    later = jcq.Edition("AARA 2025–26 (amended March 2026)", date(2025, 9, 1), date(2027, 8, 31))
    with pytest.raises(PermissionDeniedError):
        set_edition(db, people["maths"], later)
    with pytest.raises(ValidationError, match="end date must be on or after its start date"):
        set_edition(db, senco, jcq.Edition("AARA", date(2026, 9, 1), date(2026, 8, 31)))
    with pytest.raises(ValidationError, match="name is missing"):
        set_edition(db, senco, jcq.Edition(" ", date(2025, 9, 1), date(2026, 8, 31)))
    set_edition(db, senco, later)
    set_edition(db, senco, later)  # the same again: nothing to write
    assert current_edition(db, senco) == later

    changed = [json.loads(e.detail) for e in audit_events(db, "setting")]
    # each key is written and audited once, the first time; the repeat wrote nothing
    assert [c["key"] for c in changed] == [
        "jcq.edition_name",
        "jcq.edition_starts",
        "jcq.edition_ends",
    ]
    assert changed[-1] == {"key": "jcq.edition_ends", "from": None, "to": "2027-08-31"}
