"""The demo school's teaching groups, teachers and access arrangements: complete, consistent
with the JCQ rules and the services' own permission rules, the same for the same seed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database, create_database
from sendesk.demo import write_demo_school
from sendesk.demo.access import CLASSES_PER_TEACHER, SUBJECTS
from sendesk.keystore import new_raw_key
from sendesk.models import (
    AccessArrangement,
    AccessAssessment,
    AuditEvent,
    NwwEvidence,
    Pupil,
    Role,
    TeachingGroup,
    TeachingGroupMember,
    User,
)
from sendesk.rules import jcq
from sendesk.services.access.class_lists import my_class_lists
from sendesk.services.access.overviews import exams_officer_rows, gap_view
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import covers, split_subjects
from sendesk.services.actor import acting_user
from sendesk.services.due import due_items
from sendesk.services.staff.users import sign_in
from sendesk.services.store.audit import chain_problems
from tests.db_reads import dates_of

TODAY = date(2026, 3, 2)
PUPILS = 300
SEED = 2
PASSWORD = "demo-password"


@pytest.fixture(scope="module")
def school(module_db: Database) -> Database:
    """One demo school per backend, shared by the tests that only read it."""
    write_demo_school(module_db, pupils=PUPILS, seed=SEED, today=TODAY, password=PASSWORD)
    return module_db


def summary(db: Database) -> dict[str, object]:
    with db.session() as s:
        detail = s.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "create_demo_access")
        )
    return json.loads(detail)


def test_a_class_for_every_subject_in_every_year(school: Database) -> None:
    with school.session() as s:
        groups = s.scalars(select(TeachingGroup)).all()
        members = defaultdict(set)
        for group_id, pupil_id in s.execute(
            select(TeachingGroupMember.group_id, TeachingGroupMember.pupil_id)
        ):
            members[group_id].add(pupil_id)
        years = dict(s.execute(select(Pupil.id, Pupil.year_group)).all())
        users = {u.id: u for u in s.scalars(select(User))}
    subjects = {name for name, _ in SUBJECTS}
    assert len(subjects) == 11
    seen: dict[int, set[str]] = defaultdict(set)  # year -> subjects
    per_pupil: Counter[tuple[int, str]] = Counter()
    load: Counter[int] = Counter()
    for g in groups:
        assert g.source == "mis" and members[g.id]
        group_years = {years[p] for p in members[g.id]}
        assert len(group_years) == 1  # a class is one tutor group
        seen[group_years.pop()].add(g.subject)
        for pupil in members[g.id]:
            per_pupil[(pupil, g.subject)] += 1
        teacher = users[g.teacher_id]
        assert teacher.role == Role.TEACHER and teacher.display_name == g.teacher_name
        load[teacher.id] += 1
    assert {y: seen[y] for y in (7, 8, 9, 10, 11)} == dict.fromkeys((7, 8, 9, 10, 11), subjects)
    # Every pupil is in exactly one class of every subject.
    assert set(per_pupil.values()) == {1} and len(per_pupil) == PUPILS * len(subjects)
    assert max(load.values()) <= CLASSES_PER_TEACHER


def test_new_teachers_sign_in_and_see_only_their_classes(school: Database) -> None:
    created = summary(school)["teachers_created"]
    assert isinstance(created, int) and created > 0
    with school.session() as s:
        newest = s.scalars(
            select(User).where(User.role == Role.TEACHER).order_by(User.id.desc())
        ).first()
        assert newest is not None
        mine = set(
            s.scalars(select(TeachingGroup.code).where(TeachingGroup.teacher_id == newest.id))
        )
    teacher = sign_in(school, newest.username, PASSWORD)
    lists = my_class_lists(school, teacher, today=TODAY)
    assert {c.code for c in lists} == mine and mine
    for class_list in lists:
        for row in class_list.rows:
            assert row.arrangements
            assert set(row.last_evidence) == {a.id for a in row.arrangements}


def test_arrangements_at_every_status_for_years_10_and_11(school: Database) -> None:
    with school.session() as s:
        rows = s.scalars(select(AccessArrangement)).all()
        years = dict(s.execute(select(Pupil.id, Pupil.year_group)).all())
    assert {r.status for r in rows} == set(jcq.STATUSES)
    assert {years[r.pupil_id] for r in rows} == {10, 11}
    assert len({r.pupil_id for r in rows}) >= 10
    for r in rows:
        arrangement = jcq.ARRANGEMENTS[r.arrangement]
        assert r.evidence_route in arrangement.evidence_routes, r.arrangement
        steps = [r.proposed_on, r.applied_on, r.awarding_body_on]
        steps = [d for d in steps if d is not None]
        assert steps == sorted(steps) and steps[-1] <= TODAY
        approval = r.approved_on or r.awarding_body_on
        if approval is not None:
            assert r.proposed_on <= approval <= TODAY
            assert r.expires_on == jcq.expires_on(approval)
            assert (r.approved_on is not None) == (arrangement.route == jcq.DELEGATED)
        if r.status in (jcq.APPROVED_IN_CENTRE, jcq.APPROVED_BY_AB):
            assert approval is not None
        if r.status in jcq.FINAL_STATUSES:
            assert r.ended_on is not None and r.ended_on <= TODAY
        if r.evidence_route == "assessment" and r.status != jcq.EXPIRED:
            assert r.assessment_id is not None
    # Some approvals from Year 9 have lapsed: marked expired, or still waiting to be.
    lapsed = [r for r in rows if r.expires_on and r.expires_on < TODAY]
    assert any(r.status == jcq.EXPIRED for r in lapsed)


def test_form8_assessments_mostly_in_order_and_some_flagged(school: Database) -> None:
    senco = acting_user(school, "senco")
    with school.session() as s:
        pupils = sorted(set(s.scalars(select(AccessAssessment.pupil_id))))
    access = [pupil_access(school, senco, p, today=TODAY) for p in pupils]
    assessments = [a for pa in access for a in pa.assessments]
    assert len(assessments) >= 5
    assert all(a.scores and a.assessor_name for a in assessments)
    clean = [a for a in assessments if not a.problems]
    assert len(clean) >= 0.75 * len(assessments)
    # Approved arrangements resting on scores meet the criteria; a verdict is given in words.
    for pa in access:
        for item in pa.arrangements:
            if item.needs_scores and item.assessment_id is not None:
                assert item.verdict is not None and item.verdict.reasons
                if item.status in (jcq.APPLIED_ONLINE, jcq.APPROVED_BY_AB):
                    assert item.verdict.met, item.verdict.reasons


def test_evidence_comes_from_the_subject_teacher(school: Database) -> None:
    with school.session() as s:
        evidence = s.execute(
            select(NwwEvidence, AccessArrangement).join(
                AccessArrangement, AccessArrangement.id == NwwEvidence.arrangement_id
            )
        ).all()
        teaches = {
            (pupil, subject, teacher)
            for pupil, subject, teacher in s.execute(
                select(
                    TeachingGroupMember.pupil_id, TeachingGroup.subject, TeachingGroup.teacher_id
                ).join(TeachingGroup, TeachingGroup.id == TeachingGroupMember.group_id)
            )
        }
        senco = s.scalar(select(User.id).where(User.username == "senco"))
    assert len(evidence) >= 50
    kinds = Counter(e.task_kind for e, _ in evidence)
    assert set(kinds) == {"classwork", "timed test", "mock"}
    for e, arrangement in evidence:
        assert e.recorded_on <= TODAY and arrangement.status not in (jcq.PROPOSED, jcq.WITHDRAWN)
        assert covers(split_subjects(arrangement.subjects), e.subject)
        assert e.recorded_by_id == senco or (
            (arrangement.pupil_id, e.subject, e.recorded_by_id) in teaches
        )
        if e.extra_minutes_used is not None:
            assert e.used and jcq.ARRANGEMENTS[arrangement.arrangement].extra_time_percent
    mocks = [e for e, a in evidence if e.task_kind == "mock"]
    assert mocks and {e.task for e in mocks} <= {"Paper 1", "Paper 2"}


def test_the_senco_views_have_content(school: Database) -> None:
    senco = acting_user(school, "senco")
    gaps = gap_view(school, senco, today=TODAY)
    assert any(g.current for g in gaps) and any(not g.current for g in gaps)
    officer = exams_officer_rows(school, senco, today=TODAY)
    assert officer and any(r.extra_time_percent for r in officer)
    assert [r.pupil_name.casefold() for r in officer] == sorted(
        r.pupil_name.casefold() for r in officer
    )
    due = [i for i in due_items(school, senco, today=TODAY) if i.kind.startswith("access")]
    assert any("before the exams from 01/05/2026" in i.text for i in due)
    with school.session() as s:
        assert list(chain_problems(s)) == []
        arrangements = len(s.scalars(select(AccessArrangement.id)).all())
        evidence = len(s.scalars(select(NwwEvidence.id)).all())
    counts = summary(school)
    assert (counts["arrangements"], counts["nww_evidence"]) == (arrangements, evidence)
    assert counts["teaching_groups"] == 11 * 10  # 60 pupils a year: two tutor groups


def test_same_seed_and_day_same_arrangements(tmp_path: Path) -> None:
    def build(name: str) -> tuple[object, ...]:
        with create_database(str(tmp_path / name), new_raw_key()) as db:
            write_demo_school(db, pupils=120, seed=SEED, today=TODAY)
            with db.session() as s:
                return (
                    s.execute(
                        select(
                            AccessArrangement.pupil_id,
                            AccessArrangement.arrangement,
                            AccessArrangement.status,
                            AccessArrangement.proposed_on,
                        ).order_by(AccessArrangement.id)
                    ).all(),
                    s.execute(
                        select(NwwEvidence.subject, NwwEvidence.recorded_on).order_by(
                            NwwEvidence.id
                        )
                    ).all(),
                    s.scalars(select(TeachingGroup.teacher_name).order_by(TeachingGroup.id)).all(),
                )

    first = build("a.db")
    assert first[0] and first == build("b.db")


@pytest.mark.parametrize("today", [date(2024, 9, 1), date(2025, 7, 31), date(2026, 11, 23)])
def test_any_day_of_the_year(tmp_path: Path, today: date) -> None:
    """Early September, the summer holiday and late autumn: nothing dated after today."""
    with create_database(str(tmp_path / "school.db"), new_raw_key()) as db:
        write_demo_school(db, pupils=150, seed=4, today=today)
        with db.session() as s:
            rows = s.scalars(select(AccessArrangement)).all()
            latest = max(
                dates_of(
                    rows, "proposed_on", "approved_on", "applied_on", "awarding_body_on", "ended_on"
                )
            )
            evidence = s.scalars(select(NwwEvidence.recorded_on)).all()
        assert rows and latest <= today
        assert all(d <= today for d in evidence)


def test_demo_candidates_have_exam_entries(school: Database) -> None:
    """The gap view asks only for subjects sat; a candidate with no entries is said."""
    from sendesk.models import ExamEntry
    from sendesk.services.access.records import NO_ENTRIES

    senco = acting_user(school, "senco")
    with school.session() as s:
        entered: dict[int, set[str]] = {}
        for pupil_id, subject in s.execute(select(ExamEntry.pupil_id, ExamEntry.subject)):
            entered.setdefault(pupil_id, set()).add(subject)
    assert entered and all({"English", "Mathematics", "Science"} <= v for v in entered.values())
    assert all(6 <= len(v) <= 8 for v in entered.values())
    gaps = gap_view(school, senco, today=TODAY)
    assert any(g.subject == NO_ENTRIES and not g.entered for g in gaps)
    for g in gaps:
        if g.entered:
            assert g.subject in entered[g.pupil_id]
        else:
            assert g.pupil_id not in entered or g.subject.startswith("Not entered for")
    assert summary(school)["exam_entries"] == sum(len(v) for v in entered.values())
