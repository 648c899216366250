"""Outside agencies' involvement with the demo's pupils, most with a one-page report kept as
a PDF evidence document (also used by the EHC history)."""

from __future__ import annotations

import io
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from sendesk.demo.graduated.catalogue import C_I, C_L, S_P, SEMH, _area
from sendesk.demo.graduated.pupils import _Pupil
from sendesk.demo.graduated.school_calendar import (
    _at,
    _school_day_on_or_after,
    _school_day_on_or_before,
)
from sendesk.demo.tables import load, tuples
from sendesk.resource_files import resource_path
from sendesk.rules.confidentiality import default_level
from sendesk.services.evidence.agencies import InvolvementData
from sendesk.services.evidence.past_agencies import (
    PastDocument,
    PastInvolvement,
    record_past_involvements,
)
from sendesk.services.store.audit import AuditWriter

_TABLES = load("graduated")
"""The text tables of the graduated history: ``resources/demo/graduated.json``."""

FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    resource_path("fonts", "DejaVuSans.ttf"),
)
FONT_NAME = "SENDeskDemoSans"


AGENCY_BY_NEED: dict[str, tuple[str, ...]] = tuples(_TABLES["AGENCY_BY_NEED"])


@dataclass(frozen=True)
class _Agency:
    title: str  # the professional's job title
    service: str  # the heading of their report ({la} is the local authority)
    document: str  # the report's title
    slug: str
    wait: tuple[int, int]  # weeks from referral to being seen
    findings: tuple[str, ...]
    advice: tuple[str, ...]


AGENCY_INFO: dict[str, _Agency] = {
    key: _Agency(**tuples(row)) for key, row in _TABLES["AGENCY_INFO"].items()
}
PROFESSIONALS = tuples(_TABLES["PROFESSIONALS"])
BACKGROUND = (
    "Referred by the school SENCo with parental consent. School reports {concern}. The "
    "pupil was seen in school and parents were consulted by telephone."
)


def past_document(
    rng: random.Random,
    title: str,
    filename: str,
    content: bytes,
    written: date,
    now: datetime,
    confidentiality: str | None = None,
) -> PastDocument:
    """A demo evidence document written on ``written``, as the SENCo would add it, added to
    SENDesk some time in the school day it was written (never after ``now``)."""
    added_at = _at(written, rng.randint(9 * 60, 16 * 60), now)
    return PastDocument(content, title, filename, written, added_at, confidentiality)


# --- the PDF reports ---------------------------------------------------------------------------

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
_CYRILLIC_LATIN = (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g"
)
_GREEK = "αβγδεζηθικλμνξοπρσςτυφχψω"
_GREEK_LATIN = "a v g d e z i th i k l m n x o p r s s t y f ch ps o"
_TRANSLIT = str.maketrans(
    {
        **{
            c: "" if latin == "-" else latin
            for c, latin in zip(_CYRILLIC, _CYRILLIC_LATIN.split(), strict=True)
        },
        **dict(zip(_GREEK, _GREEK_LATIN.split(), strict=True)),
        **{"ł": "l", "đ": "d", "ı": "i", "ø": "o", "ß": "ss"},
    }
)


def ascii_name(text: str) -> str:
    """``text`` in plain ASCII letters, for a PDF that has no font covering it."""
    out = []
    for word in unicodedata.normalize("NFKD", text).split(" "):
        bare = "".join(c for c in word if not unicodedata.combining(c))
        latin = bare.lower().translate(_TRANSLIT) if not bare.isascii() else bare
        if latin != bare and bare[:1].isupper():
            latin = latin.capitalize()
        out.append("".join(c for c in latin if c.isascii()) or "?")
    return " ".join(out)


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _unicode_font() -> str | None:
    """The name of a registered Unicode TrueType font, or None when there is none."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES:
        if path.is_file():
            # Not "ASCII readable": the subset then holds only the glyphs used (~6 KB).
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), asciiReadable=False))
            return FONT_NAME
    return None


def report_pdf(
    *,
    service: str,
    title: str,
    name: str,
    dob: date,
    school: str,
    seen: date,
    professional: str,
    paragraphs: Sequence[tuple[str, str]],
) -> bytes:
    """A one-page agency report as PDF bytes (the same bytes for the same arguments).

    Everything is in Helvetica (Latin-1) except the pupil's name when Helvetica cannot
    show it: then a Unicode TrueType font is embedded for the name alone, or, without one,
    the name is written in ASCII.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    def safe(text: str) -> str:
        return text if _latin1(text) else ascii_name(text)

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=True)
    pdf.setTitle(title)
    width, height = A4
    left, y = 56.0, height - 64
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(left, y, safe(service))
    y -= 22
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(left, y, title)
    y -= 26
    name_font = "Helvetica"
    if not _latin1(name):
        font = _unicode_font()
        if font is None:
            name = ascii_name(name)
        else:
            name_font = font
    for label, value, font in (
        ("Name:", name, name_font),
        ("Date of birth:", f"{dob:%d/%m/%Y}", "Helvetica"),
        ("School:", safe(school), "Helvetica"),
        ("Seen on:", f"{seen:%d/%m/%Y}", "Helvetica"),
        ("Report by:", safe(professional), "Helvetica"),
    ):
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(left, y, label)
        pdf.setFont(font, 10)
        pdf.drawString(left + 80, y, value)
        y -= 15
    for heading, text in paragraphs:
        y -= 12
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(left, y, heading)
        y -= 15
        pdf.setFont("Helvetica", 10)
        for line in simpleSplit(safe(text), "Helvetica", 10, width - 2 * left):
            pdf.drawString(left, y, line)
            y -= 13
    pdf.setFont("Helvetica-Oblique", 8)
    pdf.drawString(left, 40, "Made-up report for the SENDesk demo school: not a real child.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def report_paragraphs(
    concern: str, finding: str, recommendation: str
) -> tuple[tuple[str, str], ...]:
    """What every demo agency's :func:`report_pdf` says: the background (the school's
    ``concern``, :data:`BACKGROUND`), the findings, then the recommendations."""
    return (
        ("Background", BACKGROUND.format(concern=concern)),
        ("Findings", finding),
        ("Recommendations", recommendation),
    )


# --- agencies and their reports -------------------------------------------------------------


def _write_agencies(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    people: list[_Pupil],
    school: str,
    la_name: str,
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Outside agencies' involvements with current pupils, most seen ones with a report,
    recorded through :func:`~sendesk.services.evidence.past_agencies.record_past_involvements`
    (the agencies and evidence services' checks, one audit event)."""
    items: list[PastInvolvement] = []
    la = la_name if la_name and _latin1(la_name) else (ascii_name(la_name) if la_name else "")
    for pupil in people:
        if not pupil.current:
            continue
        chance = 0.4 if pupil.provision == "E" else 0.15
        if rng.random() >= chance:
            continue
        options = [a for code in pupil.needs for a in AGENCY_BY_NEED.get(code, ())]
        if not options:
            continue
        count = 2 if rng.random() < 0.25 else 1
        chosen = []
        for _ in range(count):
            agency = rng.choice(options)
            if agency not in chosen:
                chosen.append(agency)
        for agency in chosen:
            info = AGENCY_INFO[agency]
            earliest = max(pupil.since, today - timedelta(days=730))
            latest = today - timedelta(days=14)
            if latest < earliest:
                continue
            referred = _school_day_on_or_before(
                earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            )
            referred = max(referred, earliest)
            waited = referred + timedelta(weeks=rng.randint(*info.wait))
            seen: date | None = _school_day_on_or_after(waited)
            if seen is None or seen > today or rng.random() < 0.1:
                seen = None  # still waiting for an appointment
            person = rng.choice(PROFESSIONALS)
            if agency in ("Educational psychologist", "CAMHS") and rng.random() < 0.6:
                person = f"Dr {person}"
            professional = f"{person}, {info.title}"
            advice = ""
            finding = rng.choice(info.findings)
            recommendation = rng.choice(info.advice)
            if seen is not None:
                advice = f"{finding} {recommendation}"
            level = default_level(agency)
            data = InvolvementData(agency, professional, referred, seen, advice, level)
            documents: tuple[PastDocument, ...] = ()
            if seen is not None and rng.random() < 0.85:
                written = min(today, seen + timedelta(days=rng.randint(5, 21)))
                concern = {
                    C_L: "slow progress in reading and spelling despite support",
                    C_I: "difficulties with understanding and social communication",
                    SEMH: "anxiety and falling attendance",
                    S_P: "difficulties with access to lessons and written work",
                }[_area(pupil.needs[0])]
                content = report_pdf(
                    service=info.service.format(la=la).strip(),
                    title=info.document,
                    name=pupil.legal_name,
                    dob=pupil.dob,
                    school=school,
                    seen=seen,
                    professional=professional,
                    paragraphs=report_paragraphs(concern, finding, recommendation),
                )
                filename = f"{info.slug}-{written:%Y-%m-%d}.pdf"
                # (SENCo only or not as the advice: its involvement's level)
                documents = (past_document(rng, info.document, filename, content, written, now),)
            items.append(PastInvolvement(pupil.id, data, documents))
    counts = record_past_involvements(session, audit, items, today=today)
    return {"involvements": counts.involvements, "documents": counts.documents}
