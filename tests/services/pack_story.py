"""A demo pupil with a long history, made ready for an EHC request pack, for the pack tests.

The demo school (:func:`sendesk.demo.write_demo_school`) gives pupils several
assess–plan–do–review cycles, intervention groups with every session logged, attendance
and attainment. On top of that, for the pupil on SEN support with the most cycles (then
the most interventions), :func:`ready_for_a_request` records through the services what a
SENCo adds while preparing a request: the request itself (consent, views, why now, health),
a description of needs in each area, two outside agencies, and four evidence documents of
different kinds — a one-page report on a landscape, rotated US Letter page (older than
any LA's limit), a three-page educational psychology report, a photo of work and a Word letter.
Each PDF page carries a marker text so a test can find where it landed in the pack.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from sendesk.db import Database, create_database
from sendesk.demo import HEAD_TEACHER, write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.models import (
    EhcRequest,
    Enrolment,
    PlannedProvision,
    Pupil,
    RegisterEntry,
    SupportPlan,
)
from sendesk.operations.pack import PackResult, build_pack
from sendesk.rules.concerns import ConcernDraft
from sendesk.rules.timeline import is_young_person
from sendesk.services.actor import Actor, acting_user
from sendesk.services.common import data_of
from sendesk.services.ehc.la_profiles import LaProfileData, save_la_profile
from sendesk.services.ehc.pack import PackData, gather
from sendesk.services.ehc.records import RequestData
from sendesk.services.ehc.requests import list_requests, open_request, update_request
from sendesk.services.evidence.agencies import InvolvementData, add_involvement
from sendesk.services.evidence.evidence import add_document, list_documents
from sendesk.services.graduated import concerns
from sendesk.services.graduated.progress_data import AttainmentData, add_attainment
from sendesk.services.register.pupil_record import (
    ContactData,
    get_record,
    save_need_profile,
    update_contact,
)

TODAY = date(2025, 3, 3)
DEMO_PUPILS = 80
DEMO_SEED = 2
WHY_NOW = "Progress has stalled despite four reviewed cycles of support; why-now marker."
PUPIL_VIEWS = "I like building things. Reading out loud makes me worried. Pupil-views marker."
PARENT_VIEWS = "We want help with reading at home and a calm start to the day. Parent marker."
HEALTH = "Mild asthma, managed with an inhaler; hearing checked in 2024 (normal)."
EP_MARKER = "EP-REPORT-MARKER"
SALT_MARKER = "SALT-REPORT-MARKER"
SALT_DATED = date(2021, 11, 15)  # older than any LA's limit (36 months at most)
ASPIRATIONS = "I want to be a vet and have a dog. Aspirations marker."
SIGNED_BY, SIGNED_ROLE, SIGNED_ON = HEAD_TEACHER, "Head teacher", TODAY - timedelta(days=2)
HOME_LANGUAGE, ETHNICITY = "Polish", "White - Polish"
PARENT_ADDRESS = "14 Mill Lane, Riverside, AB1 2CD"
IN_CLASS = "In-class support from a teaching assistant in English lessons, 5 × 30 minutes"
IN_CLASS_MINUTES = 150
CONCERN_SEEN = "Copies words letter by letter; concern marker"


@dataclass(frozen=True)
class Story:
    """What :func:`ready_for_a_request` made, for the tests to look for."""

    pupil_id: int
    upn: str
    la_name: str  # the request's LA
    salt_report: int  # the documents added here, in date order (oldest first)
    ep_report: int
    work_photo: int
    letter: int
    every_document: tuple[int, ...]  # with any the demo school gave the pupil, oldest first

    @property
    def documents(self) -> tuple[int, ...]:
        """The four documents added here, oldest first."""
        return (self.salt_report, self.ep_report, self.work_photo, self.letter)


def marked_pdf(
    marker: str, pages: int, *, pagesize: tuple[float, float] = A4, rotate: int = 0
) -> bytes:
    """A PDF whose page k says "<marker> page k of n" (and some body text)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize)
    for k in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(60, pagesize[1] - 80, f"{marker} page {k} of {pages}")
        canvas.setFont("Helvetica", 11)
        for line in range(12):
            canvas.drawString(60, pagesize[1] - 120 - 16 * line, f"Observation {line + 1}.")
        canvas.showPage()
    canvas.save()
    data = buffer.getvalue()
    if not rotate:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def work_photo() -> bytes:
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 860, 560), outline="navy", width=6)
    draw.line((60, 300, 840, 300), fill="darkred", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def word_letter() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("A letter from home about mornings.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def long_history_pupil(db: Database) -> int:
    """The demo pupil on SEN support with the most support-plan cycles, then enrolments."""
    with db.session() as s:
        on_support = select(RegisterEntry.pupil_id).where(
            RegisterEntry.end_date.is_(None), RegisterEntry.provision == "K"
        )
        cycles = dict(
            s.execute(
                select(SupportPlan.pupil_id, func.count())
                .where(SupportPlan.pupil_id.in_(on_support))
                .group_by(SupportPlan.pupil_id)
            ).all()
        )
        groups = dict(
            s.execute(select(Enrolment.pupil_id, func.count()).group_by(Enrolment.pupil_id)).all()
        )
    assert cycles, "the demo school has no pupil on SEN support with support plans"
    return max(cycles, key=lambda pid: (cycles[pid], groups.get(pid, 0), -pid))


def _raised_concern(db: Database, senco: Actor, pupil_id: int) -> None:
    """Where it began: a teacher's cause for concern, which the SENCo decided to assess."""
    raised = TODAY - timedelta(days=700)
    draft = ConcernDraft(
        "Cognition and learning", CONCERN_SEEN, "Word mats, pair reading", 6, raised
    )
    cid = concerns.raise_concern(db, senco, pupil_id, draft, today=TODAY)
    version = concerns.list_concerns(db, senco, pupil_id)[0].version
    concerns.decide(db, senco, cid, version, "assess", on=raised + timedelta(days=9))


def ready_for_a_request(db: Database, senco: Actor, pupil_id: int) -> Story:
    """Record a request, needs in each area, agencies and evidence for ``pupil_id``.

    The demo school may already have opened a request for the pupil: then its details are
    completed (its LA and dates kept), as a SENCo would before building the pack.
    """
    requests = [r for r in list_requests(db, senco, pupil_id, today=TODAY) if r.is_open]
    record = get_record(db, senco, pupil_id)
    _raised_concern(db, senco, pupil_id)
    adult = is_young_person(record.dob, TODAY)
    details = {
        "caseworker": "Sam Okafor",
        "consent_on": TODAY - timedelta(days=12),
        "young_person_consent_on": TODAY - timedelta(days=12) if adult else None,
        "why_now": WHY_NOW,
        "pupil_views": PUPIL_VIEWS,
        "parent_views": PARENT_VIEWS,
        "health_info": HEALTH,
        "health_none_known": False,
    }
    if requests:
        current = requests[0]
        update_request(
            db,
            senco,
            current.id,
            current.version,
            dataclasses.replace(current.data(), **details),
            today=TODAY,
        )
        la_name = current.la_name
    else:
        la_name = "Hertfordshire"
        open_request(
            db,
            senco,
            pupil_id,
            RequestData(requested_by="school", la_name=la_name, sent_on=None, **details),
            today=TODAY,
        )
    for area in record.areas:
        profile = record.profile_for(area)
        save_need_profile(
            db,
            senco,
            pupil_id,
            area,
            f"Strengths in {area.lower()}: practical problem solving.",
            f"Difficulties in {area.lower()}: working memory and decoding.",
            f"Strategies for {area.lower()}: visual timetable; pre-teaching vocabulary.",
            profile.version if profile else None,
        )
    _request_form_details(db, senco, pupil_id)
    ep = add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData(
            agency="Educational psychologist",
            professional="Dr Ana Ruiz",
            referral_date=TODAY - timedelta(days=120),
            seen_date=TODAY - timedelta(days=70),
            advice="Assess phonological awareness termly; precision teaching 3 × 10 minutes.",
        ),
        today=TODAY,
    )
    salt = add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData(
            agency="Speech and language therapy",
            professional="Jo Kim",
            referral_date=SALT_DATED - timedelta(days=50),
            seen_date=SALT_DATED - timedelta(days=10),
            advice="Narrative therapy group; shared vocabulary lists with class teachers.",
        ),
        today=TODAY,
    )
    salt_doc = add_document(
        db,
        senco,
        pupil_id,
        marked_pdf(SALT_MARKER, 1, pagesize=letter[::-1], rotate=90),
        "Speech and language assessment",
        SALT_DATED,
        salt,
        filename="salt.pdf",
        today=TODAY,
    )
    ep_doc = add_document(
        db,
        senco,
        pupil_id,
        marked_pdf(EP_MARKER, 3),
        "Educational psychology report",
        TODAY - timedelta(days=60),
        ep,
        filename="ep-report.pdf",
        today=TODAY,
    )
    photo = add_document(
        db,
        senco,
        pupil_id,
        work_photo(),
        "Photo of a writing sample",
        TODAY - timedelta(days=30),
        filename="writing.png",
        today=TODAY,
    )
    letter_doc = add_document(
        db,
        senco,
        pupil_id,
        word_letter(),
        "Letter from home",
        TODAY - timedelta(days=20),
        filename="letter.docx",
        today=TODAY,
    )
    everything = sorted(
        list_documents(db, senco, pupil_id),
        key=lambda d: (d.document_date is None, d.document_date or date.min, d.id),
    )
    return Story(
        pupil_id,
        record.upn,
        la_name,
        salt_doc,
        ep_doc,
        photo,
        letter_doc,
        tuple(d.id for d in everything),
    )


def _request_form_details(db: Database, senco: Actor, pupil_id: int) -> None:
    """What an LA's request form asks for beyond the story so far: the request's aspirations
    and sign-off, home language and ethnicity, a parent's address, Science and an older
    French result, and in-class support (staff time at no rate of its own) in the current
    plan. The request's row and the plan line are written directly: their editors belong
    to other screens, and the pack only reads them."""
    record = get_record(db, senco, pupil_id)
    parent = next(c for c in record.contacts if c.parental_responsibility)
    changed = data_of(parent, ContactData, address=PARENT_ADDRESS)
    update_contact(db, senco, parent.id, parent.version, changed)
    for subject, measure, value, expected, taken_on in (
        (
            "Science",
            "Teacher assessment",
            "Working towards",
            "Expected",
            TODAY - timedelta(days=20),
        ),
        ("Science", "Teacher assessment", "Emerging", "Expected", TODAY - timedelta(days=190)),
        ("French", "Teacher assessment", "Emerging", "Developing", date(2022, 7, 1)),
    ):
        add_attainment(
            db,
            senco,
            pupil_id,
            AttainmentData(subject, measure, value, expected, taken_on),
            today=TODAY,
        )
    with db.transaction() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        pupil.home_language, pupil.ethnicity = HOME_LANGUAGE, ETHNICITY
        request = s.scalars(
            select(EhcRequest)
            .where(EhcRequest.pupil_id == pupil_id, EhcRequest.closed_on.is_(None))
            .order_by(EhcRequest.id.desc())
        ).first()
        assert request is not None
        request.aspirations = ASPIRATIONS
        request.signed_off_by, request.signed_off_role = SIGNED_BY, SIGNED_ROLE
        request.signed_off_on = SIGNED_ON
        plan = s.scalars(
            select(SupportPlan)
            .where(SupportPlan.pupil_id == pupil_id, SupportPlan.start_date <= TODAY)
            .order_by(SupportPlan.start_date.desc(), SupportPlan.id.desc())
        ).first()
        assert plan is not None
        last = s.scalar(
            select(func.max(PlannedProvision.position)).where(PlannedProvision.plan_id == plan.id)
        )
        s.add(
            PlannedProvision(
                plan_id=plan.id,
                position=(last or 0) + 1,
                kind="staff",
                description=IN_CLASS,
                minutes_per_week=IN_CLASS_MINUTES,
            )
        )


@dataclass(frozen=True)
class Built:
    """A demo school with the story's pupil, and the pack built for them."""

    db: Database
    senco: Actor
    story: Story
    pdf: Path
    docx: Path
    pages: int
    data: PackData  # what the pack was built from


def demo_school_with_story(where: Path) -> tuple[Database, Actor, Story]:
    """A new SQLCipher demo school at ``where`` with the story's pupil ready."""
    db = create_database(str(where), new_raw_key())
    write_demo_school(db, pupils=DEMO_PUPILS, seed=DEMO_SEED, today=TODAY)
    senco = acting_user(db, None)
    return db, senco, ready_for_a_request(db, senco, long_history_pupil(db))


def build_story_pack(db: Database, senco: Actor, story: Story, out: Path) -> Built:
    """The pack of the story's pupil with its four documents, as a SENCo would build it."""
    result = build_pack(db, senco, story.pupil_id, out, evidence_ids=story.documents, today=TODAY)
    data = gather(db, senco, story.pupil_id, evidence_ids=story.documents, today=TODAY)
    return Built(db, senco, story, result.pdf, result.docx, result.pages, data)


def story_pack_in(folder: Path) -> Iterator[Built]:
    """The story's pack built in ``folder`` (a module fixture's temporary folder): yields
    it, then closes the database whatever the tests did."""
    db, senco, story = demo_school_with_story(folder / "school.db")
    out = folder / "out"
    out.mkdir()
    try:
        yield build_story_pack(db, senco, story, out)
    finally:
        db.dispose()


def pack_in_la_order(built: Built, out: Path, la_name: str, order: tuple[str, ...]) -> PackResult:
    """The story pupil's pack, no documents appended, for an LA profile saved now that
    lists the sections in ``order``."""
    save_la_profile(
        built.db, built.senco, None, None, LaProfileData(name=la_name, section_order=order)
    )
    return build_pack(
        built.db,
        built.senco,
        built.story.pupil_id,
        out,
        evidence_ids=[],
        la_name=la_name,
        today=TODAY,
    )


def documents_for(
    built: Built, pupil_id: int, *files: tuple[bytes, str, str], dated: date = date(2025, 1, 10)
) -> list[int]:
    """Upload each (content, title, file name) for the pupil, dated ``dated``; their ids."""
    return [
        add_document(
            built.db, built.senco, pupil_id, content, title, dated, filename=name, today=TODAY
        )
        for content, title, name in files
    ]
