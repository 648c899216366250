"""The demo school's EHC history: every stage of a request, plans with reviews, LA profiles,
the evidence each case has, all of it passing the service's own checks and the same for the
same seed and day."""

from __future__ import annotations

import hashlib
import io
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database, create_database
from sendesk.demo import LA_NAME, write_demo_school
from sendesk.demo.ehc import NEIGHBOUR_LA, OLD_REPORT_STAGES
from sendesk.keystore import new_raw_key
from sendesk.models import (
    AgencyInvolvement,
    AnnualReview,
    AuditEvent,
    EhcClockException,
    EhcPlan,
    EhcRequest,
    EvidenceDocument,
    Pupil,
    RegisterEntry,
)
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER
from sendesk.services.actor import Actor, acting_user
from sendesk.services.due import due_items
from sendesk.services.ehc import la_profiles, pack, request_steps
from sendesk.services.ehc import plans as ehc_plans
from sendesk.services.ehc import records as ehc_records
from sendesk.services.ehc import requests as ehc_requests
from sendesk.services.ehc import reviews as ehc_reviews
from sendesk.services.store.audit import chain_problems
from tests.db_reads import dates_of

TODAY = date(2025, 3, 14)  # a Friday in the spring term; last summer's request is extended
PUPILS = 300
SEED = 5


@pytest.fixture(scope="module")
def school(module_db: Database) -> Database:
    """One demo school per backend, shared by the tests that only read it."""
    write_demo_school(module_db, pupils=PUPILS, seed=SEED, today=TODAY)
    return module_db


@pytest.fixture
def senco(school: Database) -> Actor:
    return acting_user(school, "senco")


def requests_of(db: Database, actor: Actor, today: date = TODAY) -> list[ehc_records.RequestItem]:
    with db.session() as s:
        pupil_ids = sorted(set(s.scalars(select(EhcRequest.pupil_id))))
    return [r for pid in pupil_ids for r in ehc_requests.list_requests(db, actor, pid, today=today)]


def plans_of(db: Database, senco: Actor) -> list[ehc_records.PlanItem]:
    with db.session() as s:
        pupil_ids = sorted(set(s.scalars(select(EhcPlan.pupil_id))))
    return [p for pid in pupil_ids for p in ehc_plans.list_plans(db, senco, pid, today=TODAY)]


def test_la_profiles_for_the_school_and_its_neighbour(school, senco) -> None:
    names = [p.name for p in la_profiles.list_la_profiles(school, senco)]
    assert names == sorted([LA_NAME, NEIGHBOUR_LA])
    home = la_profiles.la_rules(school, LA_NAME)
    assert (home.reviewed_cycles, home.report_max_age_months) == (2, 12)
    assert home.staff_rate_per_hour == Decimal("23.50")
    assert home.section_order == DEFAULT_SECTION_ORDER
    neighbour = la_profiles.la_rules(school, NEIGHBOUR_LA)
    assert (neighbour.reviewed_cycles, neighbour.report_max_age_months) == (3, 18)
    assert neighbour.staff_rate_per_hour is None
    assert neighbour.section_order[:3] == ("about", "views", "health_social_care")
    assert sorted(neighbour.section_order) == sorted(DEFAULT_SECTION_ORDER)


def test_every_pupil_with_an_ehc_plan_has_one_with_reviews(school, senco) -> None:
    with school.session() as s:
        ehc_pupils = set(
            s.scalars(
                select(RegisterEntry.pupil_id)
                .join(Pupil, Pupil.id == RegisterEntry.pupil_id)
                .where(
                    RegisterEntry.provision == "E",
                    RegisterEntry.end_date.is_(None),
                    Pupil.leaving_date.is_(None),
                )
            )
        )
        next_review = {pid: due for pid, due in s.execute(select(Pupil.id, Pupil.next_review_due))}
        forenames = {
            pid: name
            for pid, name in s.execute(
                select(Pupil.id, func.coalesce(Pupil.preferred_forename, Pupil.legal_forename))
            )
        }
    plans = plans_of(school, senco)
    assert len(ehc_pupils) >= 5
    assert sorted(p.pupil_id for p in plans) == sorted(ehc_pupils)
    for plan in plans:
        assert plan.needs and plan.outcomes and plan.provision, plan.id
        assert forenames[plan.pupil_id] in plan.outcomes
        assert "a week" in plan.provision
        assert plan.hours_per_week is not None and 10 <= plan.hours_per_week <= 25
        assert plan.top_up_pence is not None and 300_000 <= plan.top_up_pence <= 1_400_000
        assert plan.named_setting and plan.ceased_on is None
        meetings = [r.meeting_on for r in plan.reviews]
        assert meetings == sorted(meetings) and all(m > plan.issued_on for m in meetings)
        assert next_review[plan.pupil_id] == plan.next_review_due
        for review in plan.reviews:
            if review.meeting_on <= TODAY - timedelta(weeks=4):
                assert review.report_sent_on is not None and review.la_decision in ("keep", "amend")
    reviewed = [p for p in plans if p.reviews]
    assert len(reviewed) >= 3
    statuses = {p.next_review_status for p in plans}
    assert "red" in statuses and "green" in statuses
    linked = [p for p in plans if p.request_id is not None]
    assert linked, "plans issued in the last two years carry their request"


def test_requests_at_every_stage(school, senco) -> None:
    items = requests_of(school, senco)
    stages = {i.stage for i in items}
    assert stages >= {
        "preparing",
        "request sent",
        "decision to assess",
        "decision to issue",
        "draft plan",
        "final plan issued",
        "refused",
    }
    late = [i for i in items if i.late]
    assert sorted((i.clock, i.stage) for i in late) == [
        ("week 15 of 20", "assessment and advice"),
        ("week 23 of 20", "decision to issue"),
    ]
    (extended,) = [i for i in items if i.exceptions]
    assert [e.kind for e in extended.exceptions] == ["summer_closure"]
    final = next(m for m in extended.milestones if m.key == "final_plan")
    assert final.status == "extended"
    assert "closed for the summer" in final.note
    refused_to_assess = [i for i in items if i.decided_to_assess is False]
    assert len(refused_to_assess) == 1
    r = refused_to_assess[0]
    assert r.way_forward_on is not None and r.mediation_on is not None and r.next_steps
    refused_to_issue = [i for i in items if i.decided_to_issue is False]
    assert len(refused_to_issue) == 1
    assert refused_to_issue[0].appeal_lodged_on is not None
    assert refused_to_issue[0].mediation_certificate_on is not None
    pupils = [i.pupil_id for i in items if i.is_open]
    assert len(pupils) == len(set(pupils)), "one open request per pupil"


def test_advice_asked_and_received_and_one_advice_late(school, senco) -> None:
    items = requests_of(school, senco)
    assessed = [i for i in items if i.decided_to_assess]
    asked = [i for i in assessed if i.advice_asked_on is not None]
    assert len(asked) >= 5 and len(asked) >= len(assessed) - 2
    for item in asked:
        assert item.decision_to_assess_on <= item.advice_asked_on <= TODAY
        received = item.advice_received_on
        assert received is None or item.advice_asked_on < received <= TODAY
    marks = [
        (i, next(m for m in i.milestones if m.key == "advice"))
        for i in items
        if i.is_open and i.milestones
    ]
    late = [(i, m) for i, m in marks if m.status == "red"]
    assert len(late) == 1
    item, mark = late[0]
    assert (item.stage, item.advice_received_on) == ("assessment and advice", None)
    assert mark.due == item.advice_asked_on + timedelta(weeks=6) < TODAY
    on_time = [m for i, m in marks if i.advice_received_on is not None]
    assert on_time and all(m.status == "done" for m in on_time)
    due = [
        i
        for i in due_items(school, senco, today=TODAY)
        if i.pupil_id == item.pupil_id and i.kind.startswith("EHC")
    ]
    assert [(i.kind, i.severity) for i in due] == [("EHC request", "overdue")]
    assert due[0].text.startswith(f"Health and social care advice due {mark.due:%d/%m/%Y} (")
    assert "): the advice is late" in due[0].text


def test_one_amended_plan_is_overdue_after_proposed_amendments(school, senco) -> None:
    plans = plans_of(school, senco)
    proposed = [(p, r) for p in plans for r in p.reviews if r.amendments_proposed_on]
    assert len(proposed) >= 3
    for _, r in proposed:
        assert r.la_decision == "amend" and r.la_decision_on == r.amendments_proposed_on
        assert r.amended_plan_due == r.amendments_proposed_on + timedelta(weeks=8)
        assert [m.key for m in r.milestones][4:] == ["amendment_response", "amended_plan"]
    overdue = [(p, r) for p, r in proposed if r.milestones[-1].status == "red"]
    assert len(overdue) == 1
    plan, review = overdue[0]
    assert review is plan.reviews[-1] and review.amended_plan_on is None
    assert review.amended_plan_due is not None and review.amended_plan_due < TODAY
    # The others are amended, or their amended plan is not yet due (reg 22(3): 8 weeks).
    assert all(
        r.amended_plan_on is not None or r.amended_plan_due >= TODAY
        for _, r in proposed
        if r is not review
    )
    due = [
        i
        for i in due_items(school, senco, today=TODAY)
        if i.kind == "EHC amended plan" and i.pupil_id == plan.pupil_id
    ]
    assert [(i.due, i.severity) for i in due] == [(review.amended_plan_due, "overdue")]
    assert due[0].text.endswith("reg 22): the LA is late")


def test_demo_rows_pass_the_services_own_checks(school, senco) -> None:
    """Saving each record unchanged runs every check the SENCo's edits meet: none fails,
    and nothing is written."""
    with school.session() as s:
        events = s.scalar(select(func.count(AuditEvent.id)))
    for item in requests_of(school, senco):
        assert ehc_requests.update_request(
            school, senco, item.id, item.version, item.data(), today=TODAY
        ) == (item.version)
    for plan in plans_of(school, senco):
        assert ehc_plans.update_plan(
            school, senco, plan.id, plan.version, plan.data(), today=TODAY
        ) == (plan.version)
        for review in plan.reviews:
            assert (
                ehc_reviews.update_review(
                    school, senco, review.id, review.version, review.data(), today=TODAY
                )
                == review.version
            )
    with school.session() as s:
        assert s.scalar(select(func.count(AuditEvent.id))) == events


def test_whats_due_shows_each_kind_of_ehc_date_once(school, senco) -> None:
    items = due_items(school, senco, today=TODAY)
    ehc_items = [i for i in items if i.kind.startswith("EHC")]
    kinds = {(i.kind, i.severity) for i in ehc_items}
    assert ("EHC annual review", "overdue") in kinds
    assert ("EHC review paperwork", "soon") in kinds
    assert ("EHC review decision", "soon") in kinds
    assert ("EHC amended plan", "overdue") in kinds
    texts = [i.text for i in ehc_items]
    assert any("invitations and advice out by" in t for t in texts)
    assert any("): the advice is late" in t for t in texts)
    assert any("week 23 of 20): the LA is late" in t for t in texts)
    assert any("; extended: School or setting closed" in t for t in texts)
    with_plans = {p.pupil_id for p in plans_of(school, senco)}
    register_reviews = [
        i for i in items if i.kind in ("review", "annual review") and i.pupil_id in with_plans
    ]
    assert register_reviews == []


def created(s: Session, entity: str) -> int:
    return s.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "create", AuditEvent.entity == entity
        )
    )


def test_history_is_audited_and_the_chain_intact(school) -> None:
    with school.session() as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "create_demo_ehc"))
        assert '"plans": ' in event.detail
        *_, batch = (
            json.loads(detail)
            for detail in s.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "record_past_involvements")
                .order_by(AuditEvent.id)
            )
        )
        counts = {
            "plans": s.scalar(select(func.count(EhcPlan.id))),
            "reviews": s.scalar(select(func.count(AnnualReview.id))),
            "requests": s.scalar(select(func.count(EhcRequest.id))),
            "exceptions": s.scalar(select(func.count(EhcClockException.id))),
            # New involvements and their reports go in one batch event (the graduated
            # history's batch comes first); reports on older involvements and work samples
            # are each stored as the SENCo stores one.
            "involvements": batch["involvements"],
            "documents": batch["documents"] + created(s, "evidence_document"),
        }
        assert counts["documents"] > counts["involvements"] > 0
        for name, n in counts.items():
            assert f'"{name}": {n}' in event.detail, name
        assert list(chain_problems(s)) == []


# --- the evidence each case has ---------------------------------------------------------------

EP = "Educational psychologist"
PDF, PNG = "application/pdf", "image/png"
PEN_RED = (190, 30, 40)  # the teacher's note on a work sample


def cases(db: Database, senco: Actor) -> tuple[set[int], set[int]]:
    """(pupils with an open request, pupils with an EHC plan)."""
    return (
        {i.pupil_id for i in requests_of(db, senco) if i.is_open},
        {p.pupil_id for p in plans_of(db, senco)},
    )


def test_every_open_request_and_plan_has_reports_and_a_work_sample(school, senco) -> None:
    """An educational psychologist's report, a specialist's report (both PDFs on the
    agency's involvement, seen before written) and a work sample image, for every case."""
    requested, planned = cases(school, senco)
    assert len(requested) >= 9 and len(planned) >= 5
    with school.session() as s:
        rows = s.execute(
            select(EvidenceDocument, AgencyInvolvement)
            .outerjoin(AgencyInvolvement, AgencyInvolvement.id == EvidenceDocument.involvement_id)
            .where(EvidenceDocument.pupil_id.in_(requested | planned))
            .order_by(EvidenceDocument.id)
        ).all()
        names = {
            pid: (forename, surname)
            for pid, forename, surname in s.execute(
                select(Pupil.id, Pupil.legal_forename, Pupil.legal_surname)
            )
        }
    by_pupil: dict[int, list[tuple[EvidenceDocument, AgencyInvolvement | None]]] = defaultdict(list)
    for doc, involvement in rows:
        by_pupil[doc.pupil_id].append((doc, involvement))
    for pid in requested | planned:
        docs = by_pupil[pid]
        agencies = {inv.agency for doc, inv in docs if inv is not None}
        assert EP in agencies, pid
        assert agencies - {EP, "School nurse"}, f"pupil {pid} has no specialist's report"
        samples = [doc for doc, inv in docs if inv is None]
        assert [d.media_type for d in samples] == [PNG], pid
        for doc, inv in docs:
            assert doc.sha256 == hashlib.sha256(doc.content).hexdigest()
            # Small files: a one-page report (a name outside ASCII embeds a font subset,
            # about 24 KB) or a 10 KB work sample.
            assert doc.size == len(doc.content) and doc.size < 40_000
            assert doc.document_date is not None and doc.document_date <= TODAY
            if inv is None:
                continue
            assert doc.media_type == PDF and doc.content.startswith(b"%PDF")
            assert inv.pupil_id == pid and inv.advice
            assert inv.referral_date <= inv.seen_date <= doc.document_date
    # A report reads as one: the title, who wrote it, about whom; a request's psychologist
    # advises an assessment, a plan's gave advice for it.
    for pid, wanted in ((min(requested), "EHC needs assessment"), (min(planned), "sections E")):
        doc, inv = next((d, i) for d, i in by_pupil[pid] if i is not None and i.agency == EP)
        text = " ".join(PdfReader(io.BytesIO(doc.content)).pages[0].extract_text().split())
        assert doc.title in text and inv.professional in text and wanted in text
        forename, surname = names[pid]
        if f"{forename}{surname}".isascii():
            assert f"{forename} {surname}" in text


def test_a_work_sample_is_a_picture_of_the_pupils_writing(school, senco) -> None:
    requested, _ = cases(school, senco)
    with school.session() as s:
        samples = s.scalars(
            select(EvidenceDocument)
            .where(EvidenceDocument.pupil_id.in_(requested), EvidenceDocument.media_type == PNG)
            .order_by(EvidenceDocument.id)
        ).all()
    assert len(samples) == len(requested)
    assert len({d.sha256 for d in samples}) == len(samples)  # each with its own name and date
    for doc in samples:
        assert doc.title.startswith("Work sample: ")
        assert doc.filename == f"work-sample-{doc.document_date:%Y-%m-%d}.png"
        image = Image.open(io.BytesIO(doc.content))
        assert image.format == "PNG" and image.width == 640 and 250 < image.height < 500
        colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=256) or []}
        assert PEN_RED in colours  # the teacher's note


def test_the_readiness_check_finds_reports_attached_and_some_out_of_date(school, senco) -> None:
    """Every open request's pack has its professionals' reports attached; those prepared
    with an old report (:data:`OLD_REPORT_STAGES`) are told it is past their LA's limit."""
    flagged = []
    for item in requests_of(school, senco):
        if not item.is_open:
            continue
        checks = {i.key: i for i in pack.readiness_for(school, senco, item.pupil_id, today=TODAY)}
        assert checks["professional_advice"].ok, checks["professional_advice"].reason
        kinds = [c.media_type for c in pack.available_evidence(school, senco, item.pupil_id)]
        assert kinds.count(PDF) >= 2 and kinds.count(PNG) == 1
        if not checks["report_age"].ok:
            flagged.append((item, checks["report_age"]))
    assert len(flagged) >= len(OLD_REPORT_STAGES)
    for item, check in flagged:
        months = la_profiles.la_rules(school, item.la_name).report_max_age_months
        assert f"older than {months} months (the limit for {item.la_name})" in check.reason


def fingerprint(db: Database) -> list[tuple[object, ...]]:
    with db.session() as s:
        requests = s.execute(
            select(
                EhcRequest.pupil_id,
                EhcRequest.sent_on,
                EhcRequest.decided_to_assess,
                EhcRequest.advice_asked_on,
                EhcRequest.advice_received_on,
                EhcRequest.draft_sent_on,
                EhcRequest.why_now,
            ).order_by(EhcRequest.id)
        ).all()
        plans = s.execute(
            select(
                EhcPlan.pupil_id, EhcPlan.issued_on, EhcPlan.outcomes, EhcPlan.top_up_pence
            ).order_by(EhcPlan.id)
        ).all()
        reviews = s.execute(
            select(
                AnnualReview.meeting_on,
                AnnualReview.summary,
                AnnualReview.amendments_proposed_on,
                AnnualReview.amended_plan_on,
            ).order_by(AnnualReview.id)
        ).all()
        documents = s.execute(
            select(
                EvidenceDocument.pupil_id,
                EvidenceDocument.title,
                EvidenceDocument.document_date,
                EvidenceDocument.sha256,
                AgencyInvolvement.seen_date,
                AgencyInvolvement.professional,
            )
            .outerjoin(AgencyInvolvement, AgencyInvolvement.id == EvidenceDocument.involvement_id)
            .order_by(EvidenceDocument.id)
        ).all()
    assert any(d.title.startswith("Work sample") for d in documents)
    return [tuple(r) for r in (*requests, *plans, *reviews, *documents)]


def test_same_seed_and_day_give_the_same_history(tmp_path: Path) -> None:
    made = []
    for name in ("a.db", "b.db"):
        db = create_database(str(tmp_path / name), new_raw_key())
        write_demo_school(db, pupils=120, seed=SEED, today=TODAY)
        made.append(db)
    try:
        first, second = (fingerprint(db) for db in made)
        assert first == second and len(first) > 10
    finally:
        for db in made:
            db.dispose()


@pytest.mark.parametrize("today", [date(2025, 9, 20), date(2025, 12, 1), date(2026, 7, 28)])
def test_any_day_of_the_year_gives_a_consistent_history(tmp_path: Path, today: date) -> None:
    """Dates are anchored on today: in the summer holiday, before Christmas or in July,
    every request still passes the order rules and the extended clock is there."""
    with create_database(str(tmp_path / "s.db"), new_raw_key()) as db:
        write_demo_school(db, pupils=150, seed=SEED, today=today)
        actor = acting_user(db, "senco")
        with db.session() as s:
            rows = list(s.scalars(select(EhcRequest)))
            assert all(
                request_steps.case_problems(
                    {n: getattr(r, n) for n in request_steps.CASE_FIELDS}, today
                )
                == []
                for r in rows
            )
            dated = dates_of(
                rows,
                "sent_on",
                "decision_to_assess_on",
                "advice_asked_on",
                "advice_received_on",
                "draft_sent_on",
                "appeal_lodged_on",
            )
            assert all(d <= today for d in dated)
        items = requests_of(db, actor, today)
        (summer,) = [i for i in items if i.exceptions]
        assert summer.exceptions[0].recorded_on <= today
        assert any(i.clock == "week 23 of 20" and i.late for i in items)
        assert any(i.stage == "assessment and advice" and i.late for i in items)


def test_requests_carry_aspirations_and_a_sign_off_and_year_11_plans_a_transfer(
    school, senco
) -> None:
    items = requests_of(school, senco)
    assert all(i.aspirations for i in items)
    sent = [i for i in items if i.sent_on is not None]
    assert sent and all(
        (i.signed_off_by, i.signed_off_role, i.signed_off_on)
        == ("Mrs Helen Ward", "Head teacher", i.sent_on)
        for i in sent
    )
    (preparing,) = [i for i in items if i.stage == "preparing"]
    assert (preparing.signed_off_by, preparing.signed_off_on, preparing.milestones) == (
        "",
        None,
        [],
    )
    moving = [p for p in plans_of(school, senco) if p.transfer_kind]
    assert moving, "Year 11 pupils with plans move on to college"
    for plan in moving:
        # reg 18(1): secondary school to a post-16 institution, before 31 March.
        assert plan.transfer_kind == "secondary_to_post16" and plan.transfer_destination
        assert plan.transfer_on is not None
        assert plan.transfer_deadline == date(plan.transfer_on.year, 3, 30)
