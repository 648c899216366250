"""A small school for the access-arrangement screens' tests, made through the services.

Three Year 10–11 candidates and one pupil without arrangements, two teachers and three
classes, so every screen has something true to show: Ann has 25% extra time (approved,
resting on a Form 8 assessment) and a reader in English; Ben a word processor in every
subject; Cal supervised rest breaks, only proposed; Dee nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sendesk.db import Database
from sendesk.models import Role
from sendesk.services.access.arrangement_edits import propose_arrangement, set_arrangement_status
from sendesk.services.access.assessments import record_assessment
from sendesk.services.access.records import ArrangementData, AssessmentData, ScoreData
from sendesk.services.actor import Actor
from sendesk.services.staff.teaching_groups import GroupData, save_group
from tests.factories import add_test_pupil, make_user

TODAY = date(2026, 3, 2)


@dataclass
class School:
    senco: Actor
    teacher: Actor  # Mr Maths: teaches 11X/Ma1 and 10Y/Ma2
    english: Actor  # Ms English: teaches 11X/En1
    ann: int
    ben: int
    cal: int
    dee: int
    maths_11: int
    english_11: int
    maths_10: int
    ann_extra_time: int
    ann_reader: int
    ben_word_processor: int
    cal_rest_breaks: int
    ann_assessment: int


def make_school(db: Database, senco: Actor) -> School:
    teacher = make_user(db, "maths", Role.TEACHER, "Mr Maths")
    english = make_user(db, "english", Role.TEACHER, "Ms English")
    ann = add_test_pupil(db, senco, 1, forename="Ann", surname="Able", year=11, provision="K")
    ben = add_test_pupil(db, senco, 2, forename="Ben", surname="Baker", year=11)
    cal = add_test_pupil(db, senco, 3, forename="Cal", surname="Cole", year=10)
    dee = add_test_pupil(db, senco, 4, forename="Dee", surname="Dunn", year=11)
    maths_11 = save_group(
        db,
        senco,
        None,
        None,
        GroupData("11X/Ma1", "Maths", teacher_id=teacher.user_id, pupil_ids=(ann, ben, dee)),
    )
    english_11 = save_group(
        db,
        senco,
        None,
        None,
        GroupData("11X/En1", "English", teacher_id=english.user_id, pupil_ids=(ann, ben)),
    )
    maths_10 = save_group(
        db,
        senco,
        None,
        None,
        GroupData("10Y/Ma2", "Maths", teacher_id=teacher.user_id, pupil_ids=(cal,)),
    )
    assessment = record_assessment(
        db,
        senco,
        ann,
        AssessmentData(
            assessor_name="Ms A Assessor",
            assessor_qualification="Level 7 Certificate in specialist assessment",
            assessed_on=date(2025, 10, 6),
            picture_of_need_on=date(2025, 9, 22),
            picture_of_need="Slow to finish written work in every subject.",
            scores=(
                ScoreData("writing speed", 82, "DASH 17+"),
                ScoreData("reading speed", 86, "TOWRE-2"),
            ),
        ),
        today=TODAY,
    )
    extra = propose_arrangement(
        db,
        senco,
        ann,
        ArrangementData(
            "extra_time_25",
            "assessment",
            date(2025, 9, 15),
            subjects=("Maths", "English"),
            assessment_id=assessment,
        ),
        today=TODAY,
    )
    version = set_arrangement_status(
        db, senco, extra, 1, "gathering evidence", date(2025, 9, 20), today=TODAY
    )
    version = set_arrangement_status(
        db, senco, extra, version, "applied online", date(2025, 10, 20), today=TODAY
    )
    set_arrangement_status(
        db, senco, extra, version, "approved by awarding body", date(2025, 10, 21), today=TODAY
    )
    reader = propose_arrangement(
        db,
        senco,
        ann,
        ArrangementData("reader", "picture_of_need", date(2025, 9, 15), subjects=("English",)),
        today=TODAY,
    )
    word = propose_arrangement(
        db,
        senco,
        ben,
        ArrangementData("word_processor", "picture_of_need", date(2025, 9, 15)),
        today=TODAY,
    )
    set_arrangement_status(db, senco, word, 1, "approved in centre", date(2025, 11, 3), today=TODAY)
    rest = propose_arrangement(
        db,
        senco,
        cal,
        ArrangementData("rest_breaks", "picture_of_need", date(2026, 1, 12)),
        today=TODAY,
    )
    return School(
        senco=senco,
        teacher=teacher,
        english=english,
        ann=ann,
        ben=ben,
        cal=cal,
        dee=dee,
        maths_11=maths_11,
        english_11=english_11,
        maths_10=maths_10,
        ann_extra_time=extra,
        ann_reader=reader,
        ben_word_processor=word,
        cal_rest_breaks=rest,
        ann_assessment=assessment,
    )
