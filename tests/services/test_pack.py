"""The request pack service: what it gathers, what it checks, and how it writes (or not).

Runs on a demo school with a long history (SQLCipher and PostgreSQL), the pupil made ready
for a request by :mod:`pack_story`. The rendering itself is read back in
tests/reports/test_pack_pdf.py and test_pack_docx.py.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.demo import DEMO_STAFF_RATE_PENCE, write_demo_school
from sendesk.errors import CancelledError, PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import AuditEvent, Pupil, RegisterEntry, Role
from sendesk.operations.pack import build_pack, pack_file_names
from sendesk.services.actor import Actor, acting_user
from sendesk.services.ehc import pack
from sendesk.services.ehc.la_profiles import LaProfileData, la_rules, save_la_profile
from sendesk.services.ehc.requests import list_requests
from sendesk.services.evidence.evidence import list_documents
from sendesk.services.graduated.enrolments import pupil_enrolments
from sendesk.services.graduated.intervention_records import InterventionItem
from sendesk.services.graduated.intervention_setup import list_interventions
from sendesk.services.graduated.progress_data import AttendanceItem
from sendesk.services.graduated.provision_map import pupil_provision
from sendesk.services.graduated.support_plans import (
    OutcomeItem,
    PlanDetail,
    ProvisionItem,
    list_plans,
)
from sendesk.services.register.pupil_record import NeedItem
from sendesk.services.school.school import school_info
from sendesk.services.school.school_details import save_school_details, school_details
from sendesk.services.store.audit import AuditWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack_story import (
    ASPIRATIONS,
    DEMO_PUPILS,
    DEMO_SEED,
    ETHNICITY,
    HOME_LANGUAGE,
    IN_CLASS,
    IN_CLASS_MINUTES,
    PARENT_ADDRESS,
    PARENT_VIEWS,
    PUPIL_VIEWS,
    SIGNED_BY,
    SIGNED_ON,
    SIGNED_ROLE,
    TODAY,
    WHY_NOW,
    Story,
    long_history_pupil,
    ready_for_a_request,
)


@dataclass(frozen=True)
class School:
    db: Database
    senco: Actor
    story: Story


@pytest.fixture(scope="module")
def school(module_db: Database) -> School:
    write_demo_school(module_db, pupils=DEMO_PUPILS, seed=DEMO_SEED, today=TODAY)
    senco = acting_user(module_db, None)
    story = ready_for_a_request(module_db, senco, long_history_pupil(module_db))
    return School(module_db, senco, story)


def other_pupil_with_plans(school: School) -> int:
    """A demo pupil with support plans and no EHC request."""
    with school.db.session() as s:
        ids = s.scalars(select(Pupil.id).order_by(Pupil.id)).all()
    for pid in ids:
        if (
            pid != school.story.pupil_id
            and list_plans(school.db, school.senco, pid)
            and not list_requests(school.db, school.senco, pid, today=TODAY)
        ):
            return pid
    raise AssertionError("the demo school has no other pupil with plans and no request")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- gathering ------------------------------------------------------------------------------


def test_gather_brings_the_whole_story_together(school: School) -> None:
    story = school.story
    data = pack.gather(school.db, school.senco, story.pupil_id, today=TODAY)
    assert data.pupil.upn == story.upn
    assert data.la == la_rules(school.db, story.la_name)  # the request's LA
    plans = list_plans(school.db, school.senco, story.pupil_id)
    assert [p.cycle for p in data.plans] == sorted(p.cycle for p in plans)
    assert len(data.plans) >= 3
    assert [p.start_date for p in data.plans] == sorted(p.start_date for p in data.plans)
    enrolments = pupil_enrolments(school.db, school.senco, story.pupil_id)
    assert {r.enrolment.id for r in data.interventions} == {e.id for e in enrolments}
    assert all(r.hours is not None for r in data.interventions)
    assert data.request is not None and data.request.why_now == WHY_NOW
    assert data.views.pupil == PUPIL_VIEWS and data.views.parents == PARENT_VIEWS
    assert data.views.pupil_source == "Recorded for this request."
    # every document, oldest first; the agency named where the document belongs to one
    assert [c.id for c in data.evidence] == list(story.every_document)
    agencies = {c.id: c.agency for c in data.evidence}
    assert [agencies[i] for i in story.documents] == [
        "Speech and language therapy",
        "Educational psychologist",
        None,
        None,
    ]
    assert data.evidence_label(story.every_document[1]) == "E2"
    assert set(data.sections) == set(pack.rr.DEFAULT_SECTION_ORDER)
    assert data.sections[: len(data.la.section_order)] == data.la.section_order


def test_costs_agree_with_the_provision_map(school: School) -> None:
    """The 12 months to the pack's day span two academic years' maps; every demo session
    falls inside them, so the totals agree (to a penny a line: each rounds its lines)."""
    story = school.story
    costs = pack.gather(school.db, school.senco, story.pupil_id, today=TODAY).costs
    maps = [pupil_provision(school.db, school.senco, story.pupil_id, y) for y in (2023, 2024)]
    assert costs.lines, "the demo pupil had no sessions costed"
    assert costs.period_start == date(2024, 3, 4) and costs.period_end == TODAY
    assert costs.total_minutes == sum(m.total_minutes for m in maps)
    lines = sum(len(m.lines) for m in maps)
    assert abs(costs.total_pence - sum(m.total_cost_pence for m in maps)) <= lines
    la = la_rules(school.db, story.la_name)
    assert costs.threshold == la.notional_threshold
    assert costs.total == Decimal(costs.total_pence) / 100


def test_the_provision_in_place_is_costed_for_a_full_year(school: School) -> None:
    """Staff time in the plan (in-class support) is costed hours × rate, not only the
    interventions; the full-year figure is the one set against the £6,000 (element 2)."""
    story = school.story
    data = pack.gather(school.db, school.senco, story.pupil_id, today=TODAY)
    costs, la = data.costs, data.la
    in_class = next(ln for ln in costs.planned if ln.provision == IN_CLASS)
    # No rate on the line: the school's default staff rate comes before the LA's.
    assert (in_class.rate_pence, in_class.rate_from) == (
        DEMO_STAFF_RATE_PENCE,
        "school's default staff rate",
    )
    assert in_class.share == 1 and in_class.weeks == la.weeks_per_year
    exact = Decimal(IN_CLASS_MINUTES * DEMO_STAFF_RATE_PENCE * la.weeks_per_year) / 60
    assert in_class.cost_pence == int(exact.quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    catalogue = {i.name: i for i in list_interventions(school.db, school.senco)}
    for line in costs.planned:
        if line.kind == "Intervention":  # the catalogue's rate, shared among the places
            item = next(i for n, i in catalogue.items() if line.provision.startswith(n))
            assert line.rate_pence == item.cost_per_hour_pence
            assert line.share == item.group_size
    assert costs.basis == pack.PLANNED
    assert costs.compared == costs.planned_total == Decimal(costs.planned_pence) / 100
    cost = next(i for i in data.readiness if i.key == "cost")
    assert cost.ok  # below £6,000 is stated, never "missing"
    assert cost.reason.startswith(f"{pack.rr.money(costs.planned_total)} a year against")
    assert cost.detail[0].startswith("The figure is the full-year cost")


def test_without_a_school_rate_the_las_rate_costs_staff_time(school: School) -> None:
    before = school_details(school.db)
    save_school_details(school.db, school.senco, replace(before, staff_rate_per_hour_pence=None))
    try:
        data = pack.gather(school.db, school.senco, school.story.pupil_id, today=TODAY)
        in_class = next(ln for ln in data.costs.planned if ln.provision == IN_CLASS)
        assert data.la.staff_rate_per_hour is not None
        assert in_class.rate_pence == int(data.la.staff_rate_per_hour * 100)
        assert in_class.rate_from == f"{data.la.name}'s staff rate"
        data = pack.gather(
            school.db, school.senco, school.story.pupil_id, la_name="Norateshire", today=TODAY
        )
        in_class = next(ln for ln in data.costs.planned if ln.provision == IN_CLASS)
        assert in_class.rate_pence is None and in_class.cost_pence is None
    finally:
        save_school_details(school.db, school.senco, before)


def test_what_an_la_request_form_asks_for_is_gathered(school: School) -> None:
    data = pack.gather(school.db, school.senco, school.story.pupil_id, today=TODAY)
    assert (data.pupil.home_language, data.pupil.ethnicity) == (HOME_LANGUAGE, ETHNICITY)
    assert PARENT_ADDRESS in [c.address for c in data.pupil.contacts]
    assert len(data.pupil.contacts) == len(data.pupil.parents)
    assert data.aspirations == ASPIRATIONS
    assert data.sign_off == pack.SignOff(SIGNED_BY, SIGNED_ROLE, SIGNED_ON)
    assert data.school.senco_phone and data.school.senco_email and data.school.senco_name
    assert "Science" in [t.subject for t in data.attainment]  # every subject, not only two
    assert [(a.subject, a.taken_on) for a in data.older_attainment] == [
        ("French", date(2022, 7, 1))
    ]
    items = {i.key: i for i in data.readiness}
    assert items["school_contact"].ok and items["sign_off"].ok
    assert items["sign_off"].reason == f"By {SIGNED_BY} ({SIGNED_ROLE}) on {SIGNED_ON:%d/%m/%Y}."


def test_a_running_intervention_is_in_progress(school: School) -> None:
    data = pack.gather(school.db, school.senco, school.story.pupil_id, today=TODAY)
    item = next(i for i in data.readiness if i.key == "interventions")
    running = [
        r.title
        for r in data.interventions
        if r.enrolment.end_date is None and r.enrolment.exit_measure is None
    ]
    for title in running:
        assert title not in " ".join(item.detail)  # not listed as lacking an exit measure
    assert ("In progress" in item.reason) == bool(running)


def test_voided_register_entries_are_left_out_of_the_history(school: School) -> None:
    pupil_id = school.story.pupil_id
    before = pack.gather(school.db, school.senco, pupil_id, today=TODAY).history
    with school.db.transaction() as s:
        entry = s.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.pupil_id == pupil_id)
            .order_by(RegisterEntry.start_date)
        ).first()
        assert entry is not None
        entry_id, started = entry.id, entry.start_date
        entry.voided_at = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    try:
        after = pack.gather(school.db, school.senco, pupil_id, today=TODAY).history
    finally:
        with school.db.transaction() as s:
            row = s.get(RegisterEntry, entry_id)
            assert row is not None
            row.voided_at = None
    statuses = [h for h in before if h.kind == "status"]
    assert len([h for h in after if h.kind == "status"]) == len(statuses) - 1
    assert not [h for h in after if h.kind == "status" and h.on == started]


def test_plan_areas_come_from_the_plan() -> None:
    """An intervention's area is the one the pupil's plan gives it (issue 11)."""
    reading = InterventionItem(
        "Lego", "Communication and interaction", "TA", "rating", "rating", id=7
    )

    def plan(*areas: str) -> PlanDetail:
        return PlanDetail(
            1,
            1,
            1,
            None,
            date(2025, 1, 6),
            date(2025, 3, 28),
            "",
            "",
            "",
            None,
            "",
            "",
            "",
            None,
            1,
            tuple(OutcomeItem(n, n, "x", a, None, "") for n, a in enumerate(areas, 1)),
            (ProvisionItem(1, 1, "intervention", "Lego", 60, 7, "Lego"),),
        )

    semh = "Social, emotional and mental health"
    cl = "Communication and interaction"
    needs = (NeedItem(1, "ASD", "Autistic spectrum disorder", cl),)
    assert pack._plan_areas([plan(semh)], {7: reading}, needs) == {7: semh}
    assert pack._plan_areas([plan(semh, cl)], {7: reading}, needs) == {7: cl}
    assert pack._plan_areas([plan()], {7: reading}, needs) == {7: cl}
    assert pack._plan_areas([], {7: reading}, needs) == {}


def test_readiness_items_say_what_is_there_and_what_is_not(school: School) -> None:
    items = {
        i.key: i
        for i in pack.readiness_for(school.db, school.senco, school.story.pupil_id, today=TODAY)
    }
    assert set(items) == set(pack.rr.ITEM_KEYS)
    for key in ("consent", "pupil_views", "parent_views", "needs", "health_social_care"):
        assert items[key].ok, items[key].reason
    assert items["professional_advice"].ok  # both reports stored
    age = items["report_age"]
    months = la_rules(school.db, school.story.la_name).report_max_age_months
    assert not age.ok
    assert f"older than {months} months (the limit for {school.story.la_name})" in age.reason
    assert (
        "Speech and language therapy: Speech and language assessment, dated 15/11/2021."
        in age.detail
    )


def test_a_report_left_out_of_the_pack_is_not_attached(school: School) -> None:
    story = school.story
    # Every document but the speech and language report (the demo school's own included).
    chosen = [d for d in story.every_document if d != story.salt_report]
    data = pack.gather(school.db, school.senco, story.pupil_id, evidence_ids=chosen, today=TODAY)
    advice = next(i for i in data.readiness if i.key == "professional_advice")
    assert not advice.ok
    assert "Speech and language therapy: Speech and language assessment" in advice.reason
    assert "Educational psychologist" not in advice.reason
    assert "is not attached" in advice.reason or "are not attached" in advice.reason


def test_the_las_own_rules_apply(school: School) -> None:
    save_la_profile(
        school.db,
        school.senco,
        None,
        None,
        LaProfileData(name="Strictshire", reviewed_cycles=6, report_max_age_months=18),
    )
    items = {
        i.key: i
        for i in pack.readiness_for(
            school.db, school.senco, school.story.pupil_id, la_name="Strictshire", today=TODAY
        )
    }
    assert not items["cycles"].ok and items["cycles"].reason.endswith("Strictshire looks for 6.")
    assert "older than 18 months (the limit for Strictshire)" in items["report_age"].reason


def test_views_come_from_the_latest_plan_when_no_request_has_them(school: School) -> None:
    pupil_id = other_pupil_with_plans(school)
    data = pack.gather(school.db, school.senco, pupil_id, today=TODAY)
    assert data.request is None
    with_views = [p for p in data.plans if p.pupil_views.strip()]
    if with_views:
        latest = with_views[-1]
        assert data.views.pupil == latest.pupil_views.strip()
        assert data.views.pupil_source == (
            f"From the support plan starting {latest.start_date:%d/%m/%Y} (cycle {latest.cycle})."
        )
    consent = next(i for i in data.readiness if i.key == "consent")
    assert not consent.ok
    assert data.la.name == school_info(school.db).la_name  # no request: the school's LA


def test_available_evidence_lists_documents_oldest_first_without_contents(school: School) -> None:
    story = school.story
    choices = pack.available_evidence(school.db, school.senco, story.pupil_id)
    assert [c.id for c in choices] == list(story.every_document)
    stored = {d.id: d for d in list_documents(school.db, school.senco, story.pupil_id)}
    for c in choices:
        assert (c.sha256, c.size, c.media_type) == (
            stored[c.id].sha256,
            stored[c.id].size,
            stored[c.id].media_type,
        )
        assert not hasattr(c, "content")
    kinds = {c.id: c.kind for c in choices}
    assert [kinds[i] for i in story.documents] == ["PDF", "PDF", "PNG image", "Word (.docx)"]


# --- choosing evidence ------------------------------------------------------------------------


def test_evidence_choices_are_checked_and_nothing_is_written(
    school: School, tmp_path: Path
) -> None:
    story = school.story
    other = other_pupil_with_plans(school)
    cases = {
        (
            story.ep_report,
            999_999,
        ): "Document 999999 is not one of this pupil's evidence documents.",
        (story.ep_report, story.ep_report): f"Document {story.ep_report} is chosen twice.",
    }
    for ids, message in cases.items():
        with pytest.raises(ValidationError) as caught:
            build_pack(
                school.db, school.senco, story.pupil_id, tmp_path, evidence_ids=ids, today=TODAY
            )
        assert str(caught.value) == message
    with pytest.raises(ValidationError, match=f"Document {story.letter} is not one of"):
        build_pack(
            school.db, school.senco, other, tmp_path, evidence_ids=[story.letter], today=TODAY
        )
    assert files_in(tmp_path) == []


def test_parse_evidence() -> None:
    assert pack.parse_evidence("all") is None
    assert pack.parse_evidence(" None ") == []
    assert pack.parse_evidence("12, 7,9") == [12, 7, 9]
    for bad in ("", "1,,2", "x", "3;4", "-1"):
        with pytest.raises(ValidationError, match="--evidence takes none, all, or document"):
            pack.parse_evidence(bad)


# --- building -----------------------------------------------------------------------------------


def test_build_reports_progress_and_writes_two_private_files(
    school: School, tmp_path: Path
) -> None:
    story = school.story
    seen: list[tuple[int, int]] = []
    result = build_pack(
        school.db,
        school.senco,
        story.pupil_id,
        tmp_path,
        evidence_ids=story.documents,
        today=TODAY,
        progress=lambda done, total: seen.append((done, total)),
    )
    pdf_name, docx_name = pack_file_names(story.upn, TODAY)
    assert (result.pdf, result.docx) == (tmp_path / pdf_name, tmp_path / docx_name)
    assert files_in(tmp_path) == sorted([pdf_name, docx_name])  # no temporary file left
    for path in (result.pdf, result.docx):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    total = seen[-1][1]
    assert [done for done, _ in seen] == list(range(1, total + 1))
    assert {t for _, t in seen} == {total}
    data = pack.gather(
        school.db, school.senco, story.pupil_id, evidence_ids=story.documents, today=TODAY
    )
    # gather, 4 documents read, then every section and document of the PDF, every section
    # of the DOCX, the PDF and DOCX saved, and the rename
    assert total == 1 + 4 + (len(data.sections) + 4 + 1) + (len(data.sections) + 1) + 1
    assert result.missing == tuple(i.label for i in data.missing)
    assert result.missing_reasons == tuple(f"{i.label}: {i.reason}" for i in data.missing)
    assert "Professional reports up to date" in result.missing


def test_building_is_audited_without_names(school: School, tmp_path: Path) -> None:
    story = school.story
    build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    data = pack.gather(school.db, school.senco, story.pupil_id, today=TODAY)
    with school.db.session() as s:
        event = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "pack", AuditEvent.entity_id == story.pupil_id)
            .order_by(AuditEvent.id.desc())
        ).first()
        opened = s.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.action == "open", AuditEvent.entity == "evidence_document"
            )
        ).all()
    assert event is not None
    detail = json.loads(event.detail)
    assert detail["documents"] == list(story.every_document)
    assert detail["la"] == story.la_name
    assert detail["files"] == list(pack_file_names(data.pupil.upn, TODAY))
    assert set(story.every_document) <= set(opened)  # each document read is an audited opening
    for name_part in data.pupil.name.split():
        assert name_part not in event.detail


@pytest.mark.parametrize("stop_after", [0, 1, 6, 20, -1])
def test_a_cancel_at_any_step_leaves_no_file(
    school: School, tmp_path: Path, stop_after: int
) -> None:
    story = school.story
    calls: list[int] = []
    total_steps: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        total_steps.append(total)

    def cancelled() -> bool:
        limit = stop_after if stop_after >= 0 else (total_steps[-1] - 1 if total_steps else 0)
        return len(calls) >= limit

    with pytest.raises(CancelledError, match="no file was written"):
        build_pack(
            school.db,
            school.senco,
            story.pupil_id,
            tmp_path,
            today=TODAY,
            progress=progress,
            cancelled=cancelled,
        )
    assert files_in(tmp_path) == []


def test_a_failure_keeps_the_earlier_pack_and_leaves_no_partial_file(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = school.story
    first = build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    from sendesk.reports import pack_docx

    monkeypatch.setattr(pack_docx, "write_pack_docx", broken)
    with pytest.raises(OSError, match="disk full"):
        build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert first.pdf.exists() and first.docx.exists()


def pack_audits(db: Database, pupil_id: int) -> int:
    with db.session() as s:
        return len(
            s.scalars(
                select(AuditEvent.id).where(
                    AuditEvent.action == "pack", AuditEvent.entity_id == pupil_id
                )
            ).all()
        )


def earlier_pack(school: School, folder: Path) -> dict[str, bytes]:
    """A pack built yesterday into ``folder`` and today's one made different from it, so a
    test can tell the old files from the new (the same names: the date is in them)."""
    build_pack(school.db, school.senco, school.story.pupil_id, folder, today=TODAY)
    for path in folder.iterdir():
        path.write_bytes(b"yesterday's " + path.suffix.encode() + b" pack")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("stuck", ["set aside", "renamed in"])
def test_a_failed_rename_keeps_both_earlier_files_and_is_not_audited(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stuck: str
) -> None:
    """The second file cannot be replaced (on Windows: the old DOCX is open in Word): the
    new PDF must not stay beside the old DOCX, nothing is audited, and the error says so."""
    story = school.story
    before = earlier_pack(school, tmp_path)
    audits = pack_audits(school.db, story.pupil_id)
    _, docx_name = pack_file_names(story.upn, TODAY)
    docx = tmp_path / docx_name
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if (
            (Path(src) == docx)
            if stuck == "set aside"
            else (Path(dst) == docx and ".partial" in str(src))
        ):
            raise PermissionError(13, "The file is in use by another program", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(SendeskError) as failed:
        build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert str(failed.value) == (
        f"The pack could not be saved as {docx_name} (The file is in use by another "
        "program): close it if another program has it open, then try again; the files "
        "already in the folder were left as they were."
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no hidden file
    assert pack_audits(school.db, story.pupil_id) == audits
    monkeypatch.setattr(os, "replace", real_replace)
    result = build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert files_in(tmp_path) == sorted([result.pdf.name, result.docx.name])
    assert result.docx.read_bytes()[:2] == b"PK" and result.pdf.read_bytes()[:5] == b"%PDF-"
    assert pack_audits(school.db, story.pupil_id) == audits + 1


def test_a_file_that_cannot_be_put_back_is_named(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing may be renamed onto the DOCX's name, not even the earlier DOCX going back:
    the error says where the earlier one is rather than claiming all is as it was."""
    story = school.story
    earlier_pack(school, tmp_path)
    pdf_name, docx_name = pack_file_names(story.upn, TODAY)
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == docx_name:
            raise PermissionError(13, "Access is denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(SendeskError) as failed:
        build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert failed.value.__notes__ == [
        f"Some files could not be put back as they were: .{docx_name}.previous "
        "(in the pack's folder)."
    ]
    assert files_in(tmp_path) == sorted([f".{docx_name}.previous", pdf_name])
    assert (tmp_path / pdf_name).read_bytes() == b"yesterday's .pdf pack"
    assert (tmp_path / f".{docx_name}.previous").read_bytes() == b"yesterday's .docx pack"


def test_a_folder_where_the_docx_goes_is_left_alone(school: School, tmp_path: Path) -> None:
    story = school.story
    before = earlier_pack(school, tmp_path)
    audits = pack_audits(school.db, story.pupil_id)
    _, docx_name = pack_file_names(story.upn, TODAY)
    (tmp_path / docx_name).unlink()
    (tmp_path / docx_name).mkdir()
    (tmp_path / docx_name / "notes.txt").write_text("mine")
    del before[docx_name]
    with pytest.raises(SendeskError, match=f"could not be saved as {docx_name}"):
        build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert files_in(tmp_path) == sorted([*before, docx_name])
    assert (tmp_path / docx_name / "notes.txt").read_text() == "mine"
    assert pack_audits(school.db, story.pupil_id) == audits


def test_when_the_audit_cannot_be_written_no_file_is_kept(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are put in place first and the audit is written after them: if it fails,
    the new files go and the earlier ones come back, so no pack exists unaudited."""
    story = school.story
    before = earlier_pack(school, tmp_path)
    audits = pack_audits(school.db, story.pupil_id)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("the database is locked")

    monkeypatch.setattr(AuditWriter, "record", broken)
    with pytest.raises(OSError, match="the database is locked"):
        build_pack(school.db, school.senco, story.pupil_id, tmp_path, today=TODAY)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert pack_audits(school.db, story.pupil_id) == audits


def test_the_folder_must_exist(school: School, tmp_path: Path) -> None:
    missing = tmp_path / "not-here"
    with pytest.raises(SendeskError, match="does not exist"):
        build_pack(school.db, school.senco, school.story.pupil_id, missing, today=TODAY)
    assert not missing.exists()


@pytest.mark.parametrize("role", [Role.LEARNING_SUPPORT, Role.TEACHER, Role.READ_ONLY])
def test_only_the_senco_builds_packs(school: School, tmp_path: Path, role: Role) -> None:
    actor = Actor(school.senco.user_id, "someone", "Someone", role)
    pupil_id = school.story.pupil_id
    for call in (
        lambda: build_pack(school.db, actor, pupil_id, tmp_path, today=TODAY),
        lambda: pack.readiness_for(school.db, actor, pupil_id, today=TODAY),
        lambda: pack.available_evidence(school.db, actor, pupil_id),
        lambda: pack.find_pupil(school.db, actor, school.story.upn),
    ):
        with pytest.raises(PermissionDeniedError, match="cannot build EHC needs assessment"):
            call()
    assert files_in(tmp_path) == []


def test_find_pupil(school: School) -> None:
    upn = school.story.upn
    spaced = f" {upn[:4]} {upn[4:].lower()} "
    assert pack.find_pupil(school.db, school.senco, spaced) == school.story.pupil_id
    with pytest.raises(SendeskError, match=r"There is no pupil with UPN A123 in SENDesk\."):
        pack.find_pupil(school.db, school.senco, "a123")


# --- small rules of the gathering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "on", "year"),
    [
        (date(2012, 1, 1), date(2025, 3, 3), 8),
        (date(2011, 9, 1), date(2025, 3, 3), 8),  # oldest of the cohort
        (date(2012, 8, 31), date(2025, 3, 3), 8),  # youngest of the cohort
        (date(2012, 9, 1), date(2025, 3, 3), 7),
        (date(2012, 9, 1), date(2025, 9, 1), 8),  # a new school year
        (date(2020, 2, 29), date(2024, 9, 2), 0),  # Reception
    ],
)
def test_chronological_year(dob: date, on: date, year: int) -> None:
    assert pack.chronological_year(dob, on) == year


@pytest.mark.parametrize(
    ("term", "start", "today", "runs_to"),
    [
        ("2024-25 autumn", date(2024, 9, 2), date(2025, 3, 3), date(2024, 12, 20)),
        ("2024-25 spring", date(2025, 1, 6), date(2025, 3, 3), date(2025, 3, 3)),  # still on
        ("2024-25 spring", date(2025, 1, 6), date(2025, 6, 1), date(2025, 3, 31)),
        ("2024-25 summer", date(2025, 4, 22), date(2025, 9, 1), date(2025, 7, 22)),
        ("Half term 3", date(2025, 1, 6), date(2025, 6, 1), date(2025, 4, 7)),  # 13 weeks on
    ],
)
def test_attendance_runs_to_the_end_of_its_term(
    term: str, start: date, today: date, runs_to: date
) -> None:
    item = AttendanceItem(1, 1, term, start, 100, 90)
    assert pack.attendance_runs_to(item, today) == runs_to
