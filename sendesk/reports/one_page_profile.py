"""The one-page profile a pupil helps write, as a one-page PDF.

Kept beside the staff-written passport (:mod:`sendesk.reports.passport`): the same page,
typeface and colours, but this one is the pupil's. Three boxes — "What people like and
admire about me", "What is important to me", "How best to support me" — and in each the
pupil's own words are marked as theirs: a line "In my own words" and the words in
quotation marks, set larger beside a bar, so that a reader never mistakes an adult's
summary for the child's voice (a part written by staff with the pupil says so instead).
The page always stays one page (the frame shrinks the text if it must).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sendesk.db import Database
from sendesk.reports.pdf_layout import (
    FONT,
    FONT_BOLD,
    bullet,
    one_page_size,
    para,
    register_fonts,
    write_one_page,
)
from sendesk.reports.plain_document import quoted
from sendesk.rules.meetings import long_date
from sendesk.services.actor import Actor
from sendesk.services.graduated.one_page_profile import ProfileData, ProfilePart, profile_data

OWN_WORDS = "In my own words"
WRITTEN_WITH = "Written with me by staff"
NOTHING = "Not written yet."
_COLOURS = ("#00695C", "#7B3F99", "#2E6B30")  # white text on each passes WCAG AA (large)


def _part(part: ProfilePart, colour: str, width: float, min_height: float = 0) -> object:
    """One part as a box; at least ``min_height`` tall, so that three short parts still
    fill the page as a designed page rather than a form left half empty."""
    box = _box(part, colour, width, 0)
    _, height = box.wrap(width, 10_000)  # type: ignore[attr-defined]
    return _box(part, colour, width, min_height - height) if height < min_height else box


def _box(part: ProfilePart, colour: str, width: float, pad: float) -> object:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15)
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=FONT_BOLD,
        fontSize=14,
        leading=18,
        textColor=colors.white,
    )
    lead = ParagraphStyle(
        "lead",
        parent=body,
        fontName=FONT_BOLD,
        fontSize=9.5,
        leading=12,
        textColor=colors.HexColor(colour),
        spaceAfter=3,
    )
    muted = ParagraphStyle("muted", parent=lead, textColor=colors.HexColor("#666666"))
    quote = ParagraphStyle(
        "quote",
        parent=body,
        fontSize=13,
        leading=18,
        textColor=colors.HexColor("#1F3A5F"),
    )
    point = ParagraphStyle("point", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=2)
    text = part.text.strip()
    content: list[object]
    if not text:
        content = [para(NOTHING, muted)]
    elif part.own_words:
        words = Table([[para(quoted(text).replace("\n", " "), quote)]], colWidths=[width - 24])
        words.setStyle(
            TableStyle(
                [
                    ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(colour)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 9),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        content = [para(OWN_WORDS, lead), words]
    else:
        lines = [ln.strip().lstrip("-•*").strip() for ln in text.splitlines() if ln.strip()]
        content = [para(WRITTEN_WITH, muted)]
        content += [bullet(ln, point) for ln in lines] if len(lines) > 1 else [para(lines[0], body)]
    if pad > 0:
        from reportlab.platypus import Spacer

        content.append(Spacer(1, pad))
    box = Table([[para(part.heading, heading)], [content]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, 0), colors.HexColor(colour)),
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor(colour)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return box


def write_profile(data: ProfileData, path: Path | str) -> Path:
    """Write the profile as a one-page A4 PDF at ``path`` (all or nothing)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Spacer

    register_fonts()
    width, height = one_page_size()
    kicker = ParagraphStyle(
        "kicker",
        fontName=FONT_BOLD,
        fontSize=9,
        leading=11,
        textColor=colors.HexColor("#555555"),
    )
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=24, leading=29)
    sub = ParagraphStyle("sub", fontName=FONT, fontSize=11, leading=14)
    muted = ParagraphStyle(
        "muted", fontName=FONT, fontSize=9, leading=12, textColor=colors.HexColor("#555555")
    )  # fmt: skip
    facts = "   ·   ".join(x for x in (data.year_text, data.school_name) if x)
    story: list[object] = [
        para("ONE-PAGE PROFILE · ALL ABOUT ME", kicker),
        para(data.name, title),
        para(facts or " ", sub),
        Spacer(1, 10),
    ]
    # the three boxes share what the page leaves below the title and above the note
    box_height = (height - 130) / 3
    for part, colour in zip(data.parts, _COLOURS, strict=True):
        story += [_part(part, colour, width, box_height), Spacer(1, 10)]
    first = data.name.split(" ", 1)[0]
    when = (
        f"Written with {first} on {long_date(data.written_on, weekday=False)}. "
        if data.written_on
        else ""
    )
    story.append(
        para(
            f"{when}Words in quotation marks are {first}'s own. The staff-written pupil "
            "passport sits beside this profile in SENDesk.",
            muted,
        )
    )
    return write_one_page(
        Path(path),
        story,
        "One-page profile",
        subject=data.name,
        school_name=data.school_name,
        produced_on=data.produced_on,
        readers="the pupil, their family and the staff who work with them.",
    )


def profile_for(
    db: Database, actor: Actor, pupil_id: int, out: Path | str, *, today: date | None = None
) -> Path:
    """Write the pupil's one-page profile to ``out``; audited as an export."""
    from sendesk.services.evidence.exports import record_export

    data = profile_data(db, actor, pupil_id, today=today)
    written = write_profile(data, Path(out).expanduser())
    record_export(db, actor, "one-page profile", 1, written, pupil_id=pupil_id)
    return written


__all__ = ["NOTHING", "OWN_WORDS", "WRITTEN_WITH", "profile_for", "write_profile"]
