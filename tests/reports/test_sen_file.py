"""The leaver's SEN file (issue 15), built for a demo pupil with a long history and read
back: what the next school's SENCo reads, and what the school then records.

The demo pupil of the pack tests (several reviewed cycles, interventions with measures,
needs in each area, agencies, four evidence documents) is marked as leaving for Hill
Academy; the file is built through the operation the app and the CLI run, with two
documents ticked, and read with pypdf.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role
from sendesk.operations.sen_file import SenFileResult, build_sen_file
from sendesk.reports.sen_file import SECTIONS
from sendesk.services.access.arrangement_edits import propose_arrangement
from sendesk.services.access.records import ArrangementData
from sendesk.services.actor import Actor
from sendesk.services.due import due_items
from sendesk.services.register.pupil_record import get_record
from sendesk.services.transfer.leavers import leaver_status, record_leaving
from sendesk.services.transfer.sen_file import LATEST_CYCLES, gather_sen_file, record_sen_file_sent
from tests.factories import make_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from pack_story import EP_MARKER, TODAY, Story, demo_school_with_story

LEAVES = date(2025, 3, 14)


@dataclass(frozen=True)
class Leaver:
    db: Database
    senco: Actor
    story: Story
    result: SenFileResult
    name: str
    out: Path


@pytest.fixture(scope="module")
def leaver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Leaver]:
    folder = tmp_path_factory.mktemp("sen-file")
    db, senco, story = demo_school_with_story(folder / "school.db")
    pid = story.pupil_id
    propose_arrangement(
        db,
        senco,
        pid,
        ArrangementData("word_processor", "picture_of_need", TODAY, ("English",)),
        today=TODAY,
    )
    record_leaving(db, senco, pid, LEAVES, "Hill Academy", "801/4001")
    out = folder / "out"
    out.mkdir()
    seen: list[tuple[int, int]] = []
    result = build_sen_file(
        db,
        senco,
        pid,
        out,
        evidence_ids=(story.ep_report, story.letter),
        today=TODAY,
        progress=lambda done, total: seen.append((done, total)) is None,
    )
    assert seen[-1][0] == seen[-1][1] and len(seen) > 5  # every step heard, to the end
    try:
        yield Leaver(db, senco, story, result, get_record(db, senco, pid).display_name, out)
    finally:
        db.dispose()


def flat(text: str) -> str:
    return " ".join(text.split())


def pages(pdf: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(pdf).pages]


def test_the_file_has_every_section_with_the_pupils_story(leaver: Leaver) -> None:
    pdf = leaver.result.pdf
    assert pdf.name == f"sen-file-{leaver.story.upn}-2025-03-03.pdf"  # no name in it
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    reader = PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == "SEN file for the receiving school"
    text = pages(pdf)
    cover = text[0]
    assert "SEN FILE FOR THE RECEIVING SCHOOL" in cover and leaver.name in cover
    assert f"UPN {leaver.story.upn}" in cover
    assert "To Hill Academy (DfE 801/4001)" in cover and "Leaving 14/03/2025" in cover
    contents = text[1]
    assert all(title in contents for title in SECTIONS)
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [t for t in outline if t in SECTIONS] == list(SECTIONS)  # in order, bookmarked
    body = " ".join(text)
    data = gather_sen_file(leaver.db, leaver.senco, leaver.story.pupil_id, today=TODAY)
    record = data.record
    assert 0 < len(record.plans) <= LATEST_CYCLES
    latest = record.plans[-1]
    assert f"Cycle {latest.cycle}: {latest.start_date:%d/%m/%Y}" in body
    assert latest.assessment.split()[0] in body
    for need in record.needs:
        assert need.code in body
    for intervention in record.interventions:
        assert intervention.title in body
    assert "Word processor" in body and "proposed" in body  # access arrangements
    assert "The pupil has no EHC plan." in body
    for involvement in record.involvements:
        assert involvement.agency in body
    history = [h for h in record.history if h.kind == "status"]
    assert history and history[0].reason and flat(history[0].reason)[:20] in body


def test_the_ticked_documents_are_appended_and_marked(leaver: Leaver) -> None:
    result = leaver.result
    assert result.appended == ("E1",)  # the EP report; the Word letter is listed only
    assert result.notes == ("E2: A Word document is not appended: send it with the file.",)
    text = pages(result.pdf)
    first = next(i for i, t in enumerate(text) if f"{EP_MARKER} page 1 of 3" in t)
    assert first == result.pages - 3
    assert (
        f"E1 · Educational psychology report · page 1 of 3 · file page {first + 1} of "
        f"{result.pages}"
    ) in text[first]
    index = next(t for t in text if "Index of evidence" in t and "SHA-256" in t)
    assert "E2" in index and "Not appended" in index


def test_the_file_is_audited_and_sent_clears_whats_due(leaver: Leaver) -> None:
    db, senco, pid = leaver.db, leaver.senco, leaver.story.pupil_id
    with db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "sen_file", AuditEvent.entity_id == pid)
        ).one()
    assert leaver.result.pdf.name in str(event.detail)
    assert any(
        i.kind == "SEN file" and i.pupil_id == pid for i in due_items(db, senco, today=LEAVES)
    )
    record_sen_file_sent(db, senco, pid, date(2025, 3, 20))
    assert leaver_status(db, senco, pid).sentence().endswith("SEN file sent on 20/03/2025.")
    assert not any(i.kind == "SEN file" for i in due_items(db, senco, today=LEAVES))


def test_only_the_senco_and_only_for_a_leaver(leaver: Leaver, tmp_path: Path) -> None:
    db, senco = leaver.db, leaver.senco
    support = make_user(db, "ls1", Role.LEARNING_SUPPORT, "Ls")
    with pytest.raises(PermissionDeniedError):
        build_sen_file(db, support, leaver.story.pupil_id, tmp_path, today=TODAY)
    staying = next(p for p in range(1, 80) if p != leaver.story.pupil_id and _exists(db, senco, p))
    with pytest.raises(ValidationError, match="not recorded as leaving"):
        build_sen_file(db, senco, staying, tmp_path, today=TODAY)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file


def _exists(db: Database, senco: Actor, pupil_id: int) -> bool:
    try:
        return leaver_status(db, senco, pupil_id).leaving_date is None
    except Exception:
        return False


def test_a_pupil_with_an_ehc_plan_has_it_in_their_file(leaver: Leaver, tmp_path: Path) -> None:
    from sendesk.models import EhcPlan

    db, senco = leaver.db, leaver.senco
    with db.session() as s:
        pid = s.scalars(select(EhcPlan.pupil_id).where(EhcPlan.ceased_on.is_(None))).first()
    assert pid is not None, "the demo school has a pupil with an EHC plan"
    record_leaving(db, senco, pid, LEAVES, "Brook School")
    result = build_sen_file(db, senco, pid, tmp_path, today=TODAY)
    data = gather_sen_file(db, senco, pid, today=TODAY)
    plan = data.ehc_plans[0]
    body = " ".join(pages(result.pdf))
    assert f"EHC plan Issued {plan.issued_on:%d/%m/%Y} by {plan.la_name}" in body  # the cover
    assert "To Brook School" in body
    assert "Needs (section B)" in body and flat(plan.needs)[:40] in body
    assert "Provision (section F)" in body and flat(plan.provision)[:40] in body
    assert "Annual reviews" in body
    for review in plan.reviews:
        assert f"{review.meeting_on:%d/%m/%Y}" in body
