"""A school's past exam access arrangements recorded in one call (issue 14): read back on
the pupil's access tab as if recorded step by step, checked by the same rules."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AccessArrangement, AuditEvent, Role
from sendesk.rules import jcq
from sendesk.services.access.nww import nww_for_pupil
from sendesk.services.access.past_access import (
    PastAccessCounts,
    PastArrangement,
    PastAssessment,
    PastEvidence,
    record_past_access,
)
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import ArrangementData, AssessmentData, ScoreData
from sendesk.services.actor import Actor
from sendesk.services.store.audit import AuditWriter
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user

TODAY = date(2026, 3, 2)
PROPOSED = date(2025, 11, 3)
FORM8 = AssessmentData(
    assessor_name="Dr Ann Assessor",
    assessor_qualification="Level 7 APC in specialist assessment",
    assessed_on=date(2025, 10, 6),
    picture_of_need_on=date(2025, 9, 22),
    picture_of_need="Slow to finish written work in every subject.",
    scores=(
        ScoreData("writing speed", 82, "DASH"),
        ScoreData("cognitive processing speed", 88, "WRIT"),
    ),
)


def extra_time(pupil_id: int, teacher: int, **status: object) -> PastArrangement:
    """25% extra time on the batch's first Form 8, with one item of evidence."""
    values: dict[str, object] = {
        "status": jcq.APPROVED_IN_CENTRE,
        "approved_on": PROPOSED,
        "assessment": 0,
    }
    values.update(status)
    return PastArrangement(
        pupil_id=pupil_id,
        data=ArrangementData("extra_time_25", "assessment", PROPOSED, ("English",)),
        evidence=(
            PastEvidence(
                "English", date(2025, 12, 1), "mock", "Paper 1", True, 20, recorded_by_id=teacher
            ),
        ),
        **values,  # type: ignore[arg-type]
    )


def record(
    db: Database,
    actor: Actor,
    assessments: list[PastAssessment],
    arrangements: list[PastArrangement],
) -> PastAccessCounts:
    with db.transaction() as s:
        return record_past_access(s, AuditWriter(s, actor), assessments, arrangements, today=TODAY)


def test_a_past_arrangement_reads_back_on_the_pupil_s_tab(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    teacher = make_user(db, "teacher", Role.TEACHER, "Mr Teach")
    counts = record(db, senco, [PastAssessment(pupil, FORM8)], [extra_time(pupil, teacher.user_id)])
    assert counts == PastAccessCounts(1, 2, 1, 1)
    access = pupil_access(db, senco, pupil, today=TODAY)
    [arrangement] = access.arrangements
    [assessment] = access.assessments
    assert arrangement.status == jcq.APPROVED_IN_CENTRE and arrangement.approved_on == PROPOSED
    assert arrangement.assessment_id == assessment.id and arrangement.subjects == ("English",)
    assert [(s.area, s.score) for s in assessment.scores] == [
        ("writing speed", 82),
        ("cognitive processing speed", 88),
    ]
    [evidence] = nww_for_pupil(db, senco, pupil)
    assert (evidence.recorded_by, evidence.extra_minutes_used) == ("Mr Teach", 20)
    with db.session() as s:
        assert list(s.scalars(select(AuditEvent.action))).count("record_past_access") == 1


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"approved_on": None}, "approved in centre needs its date"),
        ({"approved_on": date(2025, 10, 1)}, "before the proposal or after today"),
        ({"assessment": None}, "rests on a specialist assessment: link the Form 8"),
        ({"status": "lost"}, "'lost' is not an arrangement status"),
    ],
)
def test_each_arrangement_is_checked_and_nothing_is_written(
    db: Database, senco: Actor, changes: dict[str, object], problem: str
) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    with pytest.raises(ValidationError, match=problem) as refused:
        record(
            db, senco, [PastAssessment(pupil, FORM8)], [extra_time(pupil, senco.user_id, **changes)]
        )
    assert str(refused.value).endswith("Nothing was recorded.")
    assert count_rows(db, AccessArrangement) == 0


def test_the_assessment_and_evidence_are_cleaned_as_one_at_a_time(
    db: Database, senco: Actor
) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    nameless = dataclasses.replace(FORM8, assessor_name="")
    with pytest.raises(
        ValidationError,
        match=r"Assessment 1 \(pupil \d+\): the assessor's name is missing\. Nothing",
    ):
        record(db, senco, [PastAssessment(pupil, nameless)], [])
    future = PastArrangement(
        pupil,
        ArrangementData("extra_time_25", "assessment", PROPOSED),
        jcq.PROPOSED,
        evidence=(PastEvidence("English", date(2026, 4, 1), "mock", recorded_by_id=senco.user_id),),
    )
    with pytest.raises(ValidationError, match="the date 01/04/2026 is in the future"):
        record(db, senco, [], [future])


def test_only_the_senco_records_past_arrangements(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    with pytest.raises(PermissionDeniedError):
        record(db, ta, [PastAssessment(pupil, FORM8)], [])
