"""Causes for concern (issue 15): a teacher raises one, the SENCo asks and decides."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import Role
from sendesk.rules.census import Area
from sendesk.rules.concerns import ConcernDraft
from sendesk.services import due
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence import evidence
from sendesk.services.graduated import concerns, support_plans
from sendesk.services.register import register
from sendesk.services.staff import users
from tests.factories import add_test_pupil, works_with

TODAY = date(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _staff(db: Database, senco: Actor, role: Role) -> Actor:
    users.create_user(db, senco, role.value, f"Mr {role.value.title()}", role, "first-password-1")
    return acting_user(db, role.value)


def _draft(**over: object) -> ConcernDraft:
    return dataclasses.replace(
        ConcernDraft(
            area=Area.COGNITION_LEARNING.value,
            seen="Cannot recall spellings taught the day before",
            tried="Spelling practice in pairs, word mats",
            tried_weeks=6,
            raised_on=TODAY,
        ),
        **over,
    )


@pytest.fixture
def school(db: Database, senco: Actor) -> tuple[Database, Actor, Actor, int, int]:
    teacher = _staff(db, senco, Role.TEACHER)
    taught = add_test_pupil(db, senco, 1, forename="Amy")
    other = add_test_pupil(db, senco, 2, forename="Ben")
    works_with(db, teacher, taught)
    return db, senco, teacher, taught, other


def _only(db: Database, actor: Actor, pupil: int) -> concerns.ConcernItem:
    (item,) = concerns.list_concerns(db, actor, pupil)
    return item


def _raised(school: tuple[Database, Actor, Actor, int, int]) -> tuple[int, int]:
    """The teacher raises the usual concern about the pupil they teach: its id, and the
    version the SENCo's decision starts from."""
    db, senco, teacher, taught, _ = school
    cid = concerns.raise_concern(db, teacher, taught, _draft(), today=TODAY)
    return cid, _only(db, senco, taught).version


def test_a_teacher_raises_a_concern_with_a_work_sample_and_the_senco_sees_it(school) -> None:
    db, senco, teacher, taught, _ = school
    cid = concerns.raise_concern(
        db,
        teacher,
        taught,
        _draft(),
        (concerns.WorkSample(PDF, "Spelling test", filename="spelling.pdf", taken_on=TODAY),),
        today=TODAY,
    )
    item = _only(db, senco, taught)
    assert item.id == cid
    assert item.raised_by == "Mr Teacher"
    assert item.status_words == "New: waiting for the SENCo"
    assert item.tried_words == "Spelling practice in pairs, word mats (for 6 weeks)"
    assert [s.words for s in item.steps] == ["Raised"]
    (doc_id,) = item.document_ids
    assert evidence.document_bytes(db, senco, doc_id) == PDF
    assert evidence.get_document(db, senco, doc_id).title == "Spelling test"
    waiting = [d for d in due.due_items(db, senco, today=TODAY) if d.kind == concerns.KIND_NEW]
    assert [(d.pupil_id, d.due, d.text) for d in waiting] == [
        (
            taught,
            TODAY + timedelta(days=14),
            "Cause for concern (cognition and learning) raised 02/11/2026: decide what happens",
        )
    ]
    # a new concern is the SENCo's to decide: not on the teacher's own list
    assert not [d for d in due.due_items(db, teacher, today=TODAY) if d.kind == "concern"]


def test_a_teacher_may_not_raise_a_concern_about_a_pupil_they_do_not_teach(school) -> None:
    db, _, teacher, _, other = school
    with pytest.raises(PermissionDeniedError, match="only for the pupils they teach"):
        concerns.raise_concern(db, teacher, other, _draft(), today=TODAY)


def test_the_exams_officer_may_not_raise_or_read_concerns(school) -> None:
    db, senco, _, taught, _ = school
    exams = _staff(db, senco, Role.EXAMS_OFFICER)
    with pytest.raises(PermissionDeniedError, match="cannot raise a cause for concern"):
        concerns.raise_concern(db, exams, taught, _draft(), today=TODAY)
    with pytest.raises(PermissionDeniedError, match="cannot see causes for concern"):
        concerns.list_concerns(db, exams, taught)


@pytest.mark.parametrize(
    ("over", "sentence"),
    [
        ({"seen": "  "}, "say what you see"),
        ({"area": "Maths"}, "the area of need must be one of"),
        ({"tried": "", "tried_weeks": 4}, "say what you have tried for those weeks"),
        ({"tried_weeks": 200}, "the weeks tried must be between 0 and 104"),
        ({"raised_on": TODAY + timedelta(days=1)}, "is in the future"),
    ],
)
def test_a_concern_missing_its_facts_is_refused_in_one_sentence(
    school, over: dict[str, object], sentence: str
) -> None:
    db, senco, teacher, taught, _ = school
    with pytest.raises(ValidationError, match=f"(?i){sentence}"):
        concerns.raise_concern(db, teacher, taught, _draft(**over), today=TODAY)
    assert concerns.list_concerns(db, senco, taught) == []


def test_a_bad_work_sample_writes_nothing(school) -> None:
    db, senco, teacher, taught, _ = school
    with pytest.raises(ValidationError, match=r"(?i)the file is empty"):
        concerns.raise_concern(
            db,
            teacher,
            taught,
            _draft(),
            (concerns.WorkSample(b"", "Empty", "e.pdf"),),
            today=TODAY,
        )
    assert concerns.list_concerns(db, senco, taught) == []
    assert evidence.list_documents(db, senco, taught) == []


def test_more_evidence_goes_to_the_teacher_and_back_to_the_senco(school) -> None:
    db, senco, teacher, taught, _ = school
    cid = concerns.raise_concern(db, teacher, taught, _draft(tried="", tried_weeks=0), today=TODAY)
    item = _only(db, senco, taught)
    assert item.tried_words == "Nothing tried yet"
    asked_on = TODAY + timedelta(days=3)
    version = concerns.ask_for_evidence(
        db, senco, cid, item.version, "What have you tried in class?", on=asked_on
    )
    teacher_due = [d for d in due.due_items(db, teacher, today=asked_on) if d.pupil_id == taught]
    assert [(d.kind, d.due) for d in teacher_due if d.kind.startswith("concern")] == [
        (concerns.KIND_EVIDENCE, asked_on + timedelta(days=14))
    ]
    with pytest.raises(PermissionDeniedError, match="cannot ask for more evidence"):
        concerns.ask_for_evidence(db, teacher, cid, version, "more", on=asked_on)
    version = concerns.add_evidence(
        db,
        teacher,
        cid,
        version,
        "Visual timetable for three weeks: no change",
        (concerns.WorkSample(PDF, "Writing sample", "writing.pdf"),),
        on=asked_on + timedelta(days=5),
    )
    item = _only(db, senco, taught)
    assert item.version == version
    assert item.status == "new"
    assert [s.words for s in item.steps] == [
        "Raised",
        "More evidence asked for",
        "Evidence added",
    ]
    assert item.steps[1].text == "What have you tried in class?"
    assert item.steps[2].by == "Mr Teacher"
    assert len(item.document_ids) == 1


def test_a_stale_version_is_a_conflict_and_writes_nothing(school) -> None:
    db, senco, _, taught, _ = school
    cid, version = _raised(school)
    concerns.ask_for_evidence(db, senco, cid, version, "Samples please", on=TODAY)
    with pytest.raises(ConflictError, match="Someone else changed this concern"):
        concerns.decide(db, senco, cid, version, "monitor", on=TODAY, review_on=TODAY)
    assert _only(db, senco, taught).status == "evidence asked"


def test_monitor_puts_the_date_to_look_again_on_whats_due(school) -> None:
    db, senco, _, taught, _ = school
    cid, version = _raised(school)
    with pytest.raises(ValidationError, match=r"(?i)give the date to look at it again"):
        concerns.decide(db, senco, cid, version, "monitor", on=TODAY)
    look = TODAY + timedelta(days=42)
    concerns.decide(
        db, senco, cid, version, "monitor", on=TODAY, review_on=look, note="Watch spelling"
    )
    item = _only(db, senco, taught)
    assert item.status_words == "Monitoring"
    assert item.steps[-1].words == "Decided: monitor — look again on 14/12/2026"
    items = [d for d in due.due_items(db, senco, today=TODAY) if d.pupil_id == taught]
    assert [(d.kind, d.due) for d in items if d.kind.startswith("concern")] == [
        (concerns.KIND_REVIEW, look)
    ]


def test_adding_to_the_register_makes_the_pupil_k_with_the_primary_need(school) -> None:
    db, senco, _, taught, _ = school
    cid, version = _raised(school)
    with pytest.raises(ValidationError, match=r"(?i)primary need"):
        concerns.decide(db, senco, cid, version, "register", on=TODAY)
    concerns.decide(db, senco, cid, version, "register", on=TODAY, need_code="spld")
    snapshot = register.read_register(db, senco, taught)
    assert (snapshot.provision, snapshot.needs) == ("K", ("SPLD",))
    item = _only(db, senco, taught)
    assert item.status_words == "Added to the register (K)"
    assert (
        item.steps[-1].words == "Decided: add to the register — SPLD (Specific learning difficulty)"
    )
    with pytest.raises(ValidationError, match="already decided"):
        concerns.decide(db, senco, cid, item.version, "monitor", on=TODAY, review_on=TODAY)


def test_a_pupil_already_on_the_register_is_not_added_again(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 3, provision="K", needs=("MLD",))
    cid = concerns.raise_concern(db, senco, pupil, _draft(), today=TODAY)
    version = _only(db, senco, pupil).version
    with pytest.raises(ValidationError, match="already on the register"):
        concerns.decide(db, senco, cid, version, "register", on=TODAY, need_code="SPLD")
    assert register.read_register(db, senco, pupil).needs == ("MLD",)
    assert _only(db, senco, pupil).status == "new"


def test_assess_links_the_first_support_plan_back_to_the_concern(school) -> None:
    db, senco, teacher, taught, _ = school
    cid = concerns.raise_concern(db, teacher, taught, _draft(), today=TODAY)
    concerns.decide(db, senco, cid, _only(db, senco, taught).version, "assess", on=TODAY)
    waiting = [d for d in due.due_items(db, senco, today=TODAY) if d.pupil_id == taught]
    assert any("write the first support plan" in d.text for d in waiting)
    plan_id = support_plans.create_plan(
        db,
        senco,
        taught,
        support_plans.PlanDraft(
            start_date=TODAY + timedelta(days=7),
            review_due=TODAY + timedelta(days=70),
            assessment="Spelling age 7y; the concern of 02/11/2026",
            outcomes=(
                support_plans.OutcomeDraft(
                    "Spells 20 high-frequency words", "Cognition and learning"
                ),
                support_plans.OutcomeDraft("Uses a word mat unprompted", "Cognition and learning"),
            ),
        ),
    )
    item = _only(db, senco, taught)
    assert (item.support_plan_id, item.support_plan_start) == (plan_id, TODAY + timedelta(days=7))
    waiting = [d for d in due.due_items(db, senco, today=TODAY) if d.pupil_id == taught]
    assert not any("write the first support plan" in d.text for d in waiting)
