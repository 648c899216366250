"""The demo school's graduated-response history: believable, consistent, the same each time."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.demo import write_demo_school
from sendesk.demo.graduated import (
    GraduatedSummary,
    add_graduated_history,
    ascii_name,
    is_school_day,
    recent_terms,
    report_pdf,
)
from sendesk.models import (
    AgencyInvolvement,
    AttainmentSnapshot,
    AttendanceRecord,
    AuditEvent,
    DeliveredSession,
    Enrolment,
    EvidenceDocument,
    Intervention,
    InterventionGroup,
    Measurement,
    Need,
    PlannedProvision,
    PlanOutcome,
    RegisterEntry,
    SessionAttendance,
    SupportPlan,
    User,
)
from sendesk.rules.confidentiality import default_level
from sendesk.rules.support_plans import (
    OutcomeDraft,
    PlanDraft,
    ProvisionDraft,
    ReviewDraft,
    plan_problems,
    review_problems,
)
from sendesk.services.actor import acting_user
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.factories import MakeDb

TODAY = date(2025, 3, 14)
PUPILS = 150
SEED = 3


TABLES = {
    "interventions": Intervention,
    "groups": InterventionGroup,
    "enrolments": Enrolment,
    "measurements": Measurement,
    "sessions": DeliveredSession,
    "session_marks": SessionAttendance,
    "support_plans": SupportPlan,
    "plan_outcomes": PlanOutcome,
    "planned_provisions": PlannedProvision,
    "involvements": AgencyInvolvement,
    "documents": EvidenceDocument,
    "attendance_records": AttendanceRecord,
    "attainment_snapshots": AttainmentSnapshot,
}


def register_pupils(s: Session) -> list[tuple[int, str, tuple[str, ...], date | None]]:
    """(id, provision, needs, on the register since) for every pupil, from the register."""
    entries: dict[int, list[RegisterEntry]] = {}
    for entry in s.scalars(
        select(RegisterEntry).order_by(RegisterEntry.pupil_id, RegisterEntry.start_date)
    ):
        entries.setdefault(entry.pupil_id, []).append(entry)
    needs: dict[int, list[str]] = {}
    for need in s.scalars(select(Need).where(Need.end_date.is_(None)).order_by(Need.rank)):
        needs.setdefault(need.pupil_id, []).append(need.code)
    pupils = []
    for pupil_id, rows in entries.items():
        provision = rows[-1].provision
        since = None
        if provision in ("K", "E"):
            since = rows[-1].start_date
            for row in reversed(rows[:-1]):
                if row.provision not in ("K", "E") or row.end_date != since:
                    break
                since = row.start_date
        pupils.append((pupil_id, provision, tuple(needs.get(pupil_id, ())), since))
    return pupils


def build(db: Database, pupils: int = PUPILS, today: date = TODAY) -> GraduatedSummary | None:
    """A demo school with its graduated-response history (None when the demo wrote it)."""
    write_demo_school(db, pupils=pupils, seed=SEED, today=today)
    actor = acting_user(db, "senco")
    with db.transaction() as s:
        if s.scalar(select(func.count(Intervention.id))):
            return None  # write_demo_school already adds the history
        staff: dict[str, list[int]] = {}
        for user in s.scalars(select(User).order_by(User.id)):
            staff.setdefault(user.role, []).append(user.id)
        return add_graduated_history(
            s,
            AuditWriter(s, actor),
            seed=SEED,
            today=today,
            pupils=register_pupils(s),
            staff=staff,
        )


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            name: s.scalar(select(func.count()).select_from(m)) or 0 for name, m in TABLES.items()
        }


@pytest.fixture(scope="module")
def school(module_db: Database) -> Database:
    """One demo school with its history per backend, shared by the tests that only read it."""
    build(module_db)
    return module_db


def test_same_seed_and_day_give_the_same_history(make_db: MakeDb) -> None:
    first, second = make_db(), make_db()
    summary = build(first)
    build(second)
    found = counts(first)
    assert found == counts(second)
    if summary is not None:
        assert summary.as_dict() == found
    for name in ("enrolments", "session_marks", "support_plans", "documents", "involvements"):
        assert found[name] > 0, name

    def story(db: Database) -> tuple[object, ...]:
        with db.session() as s:
            plan = s.scalars(select(SupportPlan).order_by(SupportPlan.id)).first()
            assert plan is not None
            return (
                plan.start_date,
                [o.text for o in plan.outcomes],
                s.scalars(select(EvidenceDocument.sha256).order_by(EvidenceDocument.id)).all(),
                s.scalars(select(Enrolment.entry_measure).order_by(Enrolment.id)).all(),
            )

    assert story(first) == story(second)


def test_history_is_believable_and_consistent(school: Database) -> None:
    with school.session() as s:
        ever_on = set(
            s.scalars(select(RegisterEntry.pupil_id).where(RegisterEntry.provision.in_(("K", "E"))))
        )
        enrolled = set(s.scalars(select(Enrolment.pupil_id)))
        assert enrolled and enrolled <= ever_on
        assert set(s.scalars(select(SupportPlan.pupil_id))) <= ever_on
        assert set(s.scalars(select(AgencyInvolvement.pupil_id))) <= ever_on

        # Nothing that happened is dated after today; nothing logged is in the future.
        happened = [
            Enrolment.start_date,
            Enrolment.end_date,
            Enrolment.entry_date,
            Enrolment.exit_date,
            Measurement.taken_on,
            DeliveredSession.held_on,
            InterventionGroup.start_date,
            InterventionGroup.end_date,
            SupportPlan.start_date,
            SupportPlan.reviewed_on,
            AgencyInvolvement.referral_date,
            AgencyInvolvement.seen_date,
            EvidenceDocument.document_date,
            AttendanceRecord.term_start,
            AttainmentSnapshot.taken_on,
        ]
        for column in happened:
            latest = s.scalar(select(func.max(column)))
            assert latest is None or latest <= TODAY, column
        now = datetime.now(UTC)
        for stamp in (
            DeliveredSession.logged_at,
            SupportPlan.created_at,
            EvidenceDocument.added_at,
        ):
            assert s.scalar(select(func.max(stamp))) <= now

        # Sessions on weekdays, never in the summer holiday; held only on school days (the
        # group's days in a half-term week are logged "school closed").
        logged = s.execute(
            select(
                DeliveredSession.held_on,
                DeliveredSession.delivered,
                DeliveredSession.not_delivered_reason,
            )
        ).all()
        assert logged
        for day, delivered, reason in logged:
            assert day.weekday() < 5, day
            assert day.month != 8 and not (day.month == 7 and day.day > 22), day
            assert day < TODAY  # today's sessions are left for staff to log
            assert is_school_day(day) == (reason != "school closed"), day
            assert delivered == (reason is None)
        assert any(reason == "school closed" for _, _, reason in logged)

        # Attendance marks only for pupils enrolled on the day; missed ones say why.
        marks = s.execute(
            select(
                SessionAttendance.attended,
                SessionAttendance.missed_reason,
                DeliveredSession.held_on,
                DeliveredSession.delivered,
                Enrolment.start_date,
                Enrolment.end_date,
            )
            .join(DeliveredSession, DeliveredSession.id == SessionAttendance.session_id)
            .join(Enrolment, Enrolment.id == SessionAttendance.enrolment_id)
        ).all()
        for attended, reason, held_on, delivered, start, end in marks:
            assert delivered
            assert start <= held_on and (end is None or held_on <= end)
            assert attended == (reason is None)
        share = sum(1 for m in marks if m.attended) / len(marks)
        assert 0.8 < share < 0.97

        # Finished enrolments have an exit measure; age measures rise at a plausible rate.
        rows = s.execute(
            select(Enrolment, Intervention.measure_kind)
            .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
            .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        ).all()
        for enrolment, _kind in rows:
            assert (enrolment.exit_measure is None) == (enrolment.end_date is None)
        ratios = [
            (e.exit_measure - e.entry_measure) / ((e.exit_date - e.entry_date).days / 30.44)
            for e, kind in rows
            if kind == "age_months" and e.exit_measure is not None
        ]
        assert ratios
        assert all(0 <= r < 6 for r in ratios)
        ratios.sort()
        assert 1 <= ratios[len(ratios) // 2] <= 3  # mostly useful to substantial progress


def test_plans_chain_and_keep_the_rules(school: Database) -> None:
    with school.session() as s:
        plans = s.scalars(select(SupportPlan).order_by(SupportPlan.id)).all()
        assert plans
        by_pupil: dict[int, list[SupportPlan]] = {}
        for plan in plans:
            by_pupil.setdefault(plan.pupil_id, []).append(plan)
        assert sum(1 for chain in by_pupil.values() if len(chain) >= 2) > len(by_pupil) / 2
        ever_left = set(
            s.scalars(
                select(RegisterEntry.pupil_id).where(
                    RegisterEntry.provision == "N", RegisterEntry.end_date.is_(None)
                )
            )
        )
        for pupil_id, chain in by_pupil.items():
            chain.sort(key=lambda p: p.start_date)
            assert chain[0].previous_plan_id is None
            for before, after in pairwise(chain):
                assert after.previous_plan_id == before.id
            for plan in chain[:-1]:
                assert plan.reviewed_on is not None and plan.next_steps
                assert all(o.result in ("achieved", "partly", "not") for o in plan.outcomes)
            newest = chain[-1]
            if pupil_id in ever_left:  # came off the register at the last review
                assert newest.reviewed_on is not None
            else:
                assert newest.reviewed_on is None
                assert all(o.result is None for o in newest.outcomes)

            previous = None
            for plan in chain:
                draft = PlanDraft(
                    plan.start_date,
                    plan.review_due,
                    plan.assessment,
                    tuple(OutcomeDraft(o.text, o.area) for o in plan.outcomes),
                    tuple(
                        ProvisionDraft(p.kind, p.description, p.minutes_per_week, p.intervention_id)
                        for p in plan.provisions
                    ),
                    plan.pupil_views,
                    plan.parent_views,
                )
                not_before = previous.reviewed_on if previous else None
                assert plan_problems(draft, not_before=not_before) == []
                if plan.reviewed_on is not None:
                    review = ReviewDraft(
                        plan.reviewed_on,
                        {o.id: o.result for o in plan.outcomes if o.result},
                        {},
                        plan.review_summary,
                        plan.next_steps,
                    )
                    ids = [o.id for o in plan.outcomes]
                    assert review_problems(review, ids, plan.start_date, TODAY) == []
                previous = plan
        open_dues = [p.review_due for p in plans if p.reviewed_on is None]
        assert any(d < TODAY for d in open_dues)  # a few overdue
        assert sum(1 for d in open_dues if d >= TODAY) > len(open_dues) / 2
        linked = s.scalars(
            select(PlannedProvision.intervention_id).where(
                PlannedProvision.intervention_id.is_not(None)
            )
        ).all()
        assert linked


def test_agency_reports_are_real_pdfs(school: Database) -> None:
    with school.session() as s:
        docs = s.execute(
            select(EvidenceDocument, AgencyInvolvement).join(
                AgencyInvolvement, AgencyInvolvement.id == EvidenceDocument.involvement_id
            )
        ).all()
        assert docs
        # Every report is on its agency's involvement (the EHC history's work samples,
        # pictures of a pupil's writing, belong to no agency).
        assert (
            s.scalar(
                select(func.count(EvidenceDocument.id)).where(
                    EvidenceDocument.involvement_id.is_(None),
                    EvidenceDocument.media_type == "application/pdf",
                )
            )
            == 0
        )
        for doc, involvement in docs:
            assert doc.content.startswith(b"%PDF")
            assert doc.sha256 == hashlib.sha256(doc.content).hexdigest()
            assert doc.size == len(doc.content) and doc.media_type == "application/pdf"
            assert doc.pupil_id == involvement.pupil_id
            assert involvement.seen_date is not None and involvement.advice
            assert involvement.seen_date <= doc.document_date <= TODAY
            assert doc.size < 16_000
            # Health and social care advice and letters are the SENCo's only (issue 13).
            assert (
                doc.confidentiality
                == involvement.confidentiality
                == default_level(involvement.agency)
            )
        assert {i.confidentiality for _, i in docs} == {"senco", "staff"}
        doc, involvement = docs[0]
        text = PdfReader(io.BytesIO(doc.content)).pages[0].extract_text()
        assert doc.title in text
        assert involvement.professional in text


def test_one_audit_event_for_the_whole_history(school: Database) -> None:
    with school.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "create_demo_history")
        ).all()
        assert len(events) == 1
        assert '"support_plans"' in events[0].detail
        assert list(chain_problems(s)) == []


@pytest.mark.parametrize("today", [date(2025, 8, 12), date(2025, 9, 4)])
def test_a_holiday_or_the_first_days_of_term(make_db: MakeDb, today: date) -> None:
    db = make_db()
    build(db, pupils=60, today=today)
    with db.session() as s:
        assert s.scalar(select(func.max(DeliveredSession.held_on))) < today
        assert s.scalar(select(func.max(SupportPlan.start_date))) <= today


def test_school_calendar() -> None:
    assert not is_school_day(date(2025, 3, 15))  # a Saturday
    assert not is_school_day(date(2025, 8, 12))  # summer holiday
    assert not is_school_day(date(2024, 10, 23))  # October half-term
    assert not is_school_day(date(2025, 2, 12))  # February half-term
    assert not is_school_day(date(2024, 12, 27))  # Christmas
    assert is_school_day(date(2025, 3, 14))
    assert [t.name for t in recent_terms(TODAY)] == [
        "2023-24 summer",
        "2024-25 autumn",
        "2024-25 spring",
    ]


def test_report_pdf_writes_any_name(tmp_path: Path) -> None:
    for name in ("Zoë O'Brien", "Łukasz Wójcik", "Γιώργος Παπαδόπουλος"):
        content = report_pdf(
            service="Testshire Educational Psychology Service",
            title="Educational psychology report",
            name=name,
            dob=date(2012, 5, 3),
            school="Test Academy",
            seen=date(2025, 1, 20),
            professional="Priya Raman, Educational Psychologist",
            paragraphs=(("Findings", "Working memory is weak."),),
        )
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert "Testshire Educational Psychology Service" in text
        assert name in text or ascii_name(name) in text
    assert ascii_name("Дмитрий Иванов") == "Dmitrii Ivanov"
    assert ascii_name("Nguyễn Thị Hương") == "Nguyen Thi Huong"
