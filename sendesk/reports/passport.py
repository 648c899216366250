"""The pupil passport: a one-page profile a teacher can read before the lesson starts.

One A4 page, always: the pupil's (preferred) name, year and tutor group, their needs, and
four boxes — "About me", "What I find hard", "What helps me" (the widest: it is what a
teacher acts on) and "My targets now". No photo. Text is set in DejaVu Sans, shipped
inside the package (``sendesk/resources/fonts``, with its licence) so that names in any
Latin, Greek or Cyrillic script — Łucja, Фёдор, Ωmega, Nguyễn — render the same on
Windows, macOS and Linux.

Fitting one page: the text is set at 10.5 pt and made smaller, step by step, down to 8 pt
until it fits; if it still does not, each block is shortened (marked "…") and the page
says that the full profile is in SENDesk. The file is written all or nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from sendesk.db import Database
from sendesk.errors import SendeskError
from sendesk.reports.atomic import atomic_output
from sendesk.services.actor import Actor
from sendesk.services.passport import AreaText, PassportData, passport_data

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
FONT = "SENDeskSans"
FONT_BOLD = "SENDeskSans-Bold"

_font_lock = threading.Lock()


def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) with reportlab once; returns their names.

    Other reports use the same fonts so every PDF renders every pupil's name.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _font_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return FONT, FONT_BOLD
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        for path in (regular, bold):
            if not path.is_file():
                raise SendeskError(
                    f"The font file {path.name} is missing from this SENDesk installation; "
                    "reinstall SENDesk."
                )
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
        for bold_flag, italic_flag, name in (
            (0, 0, FONT),
            (1, 0, FONT_BOLD),
            (0, 1, FONT),
            (1, 1, FONT_BOLD),
        ):
            addMapping(FONT, bold_flag, italic_flag, name)
    return FONT, FONT_BOLD


# --- layout -----------------------------------------------------------------------------

HEADINGS = {
    "about": "About me",
    "hard": "What I find hard",
    "helps": "What helps me",
    "targets": "My targets now",
}
_COLOURS = {  # white text on each passes WCAG AA for large bold text
    "about": "#00695C",
    "hard": "#A0360F",
    "helps": "#2E6B30",
    "targets": "#1A4F9C",
}
NOTHING = "Nothing recorded yet."
SHORTENED = "Shortened to fit one page: the full profile is in SENDesk."
_SIZES = (10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
_LIMITS = (None, 900, 600, 400, 260, 160, 100)
_MARGIN_MM = 14


@dataclass(frozen=True)
class _Style:
    size: float
    limit: int | None


def _clip(text: str, limit: int | None) -> tuple[str, bool]:
    text = text.strip()
    if limit is None or len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…", True


def _points(text: str) -> list[str]:
    """A block of text as bullet points: one per line, list marks removed."""
    out = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•*·–").strip()
        if line:
            out.append(line)
    return out


class _Builder:
    def __init__(self, data: PassportData, width: float, style: _Style) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.data = data
        self.width = width
        self.style = style
        self.shortened = False
        size = style.size
        lead = size * 1.28
        self.colors = colors
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead)
        self.bullet = ParagraphStyle(
            "bullet",
            parent=self.body,
            leftIndent=size * 1.1,
            bulletIndent=0,
            bulletFontName=FONT,
            spaceBefore=size * 0.15,
        )
        self.area = ParagraphStyle(
            "area",
            parent=self.body,
            fontName=FONT_BOLD,
            textColor=colors.HexColor("#333333"),
            spaceBefore=size * 0.45,
        )
        self.quote = ParagraphStyle(
            "quote",
            parent=self.body,
            leftIndent=size * 0.6,
            textColor=colors.HexColor("#1F3A5F"),
            spaceBefore=size * 0.45,
        )
        self.muted = ParagraphStyle("muted", parent=self.body, textColor=colors.HexColor("#666666"))
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=FONT_BOLD,
            fontSize=size + 2.5,
            leading=(size + 2.5) * 1.2,
            textColor=colors.white,
        )

    def clip(self, text: str) -> str:
        clipped, was = _clip(text, self.style.limit)
        self.shortened |= was
        return clipped

    def para(self, text: str, style: object) -> object:
        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), style)

    def bullets(self, text: str) -> list[object]:
        from reportlab.platypus import Paragraph

        text = self.clip(text)
        points = _points(text)
        if len(points) <= 1:
            return [Paragraph(escape(text.replace("\n", " ")), self.body)]
        return [Paragraph(escape(p), self.bullet, bulletText="•") for p in points]

    def by_area(self, blocks: Sequence[AreaText]) -> list[object]:
        out: list[object] = []
        many = len(blocks) > 1
        for block in blocks:
            if many:
                out.append(self.para(block.area, self.area))
            out += self.bullets(block.text)
        return out

    def box(self, key: str, content: list[object], width: float) -> object:
        from reportlab.platypus import Table, TableStyle

        if not content:
            content = [self.para(NOTHING, self.muted)]
        pad = self.style.size * 0.55
        table = Table(
            [[self.para(HEADINGS[key], self.heading)], [content]],
            colWidths=[width],
        )
        colour = self.colors.HexColor(_COLOURS[key])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (0, 0), colour),
                    ("BOX", (0, 0), (-1, -1), 1.2, colour),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ]
            )
        )
        return table

    def pair(
        self, left: tuple[str, list[object]], right: tuple[str, list[object]], gap: float
    ) -> object:
        """Two boxes side by side, of equal height (one table, a blank column between)."""
        from reportlab.platypus import Table, TableStyle

        half = (self.width - gap) / 2
        (lkey, lcontent), (rkey, rcontent) = left, right
        empty = [self.para(NOTHING, self.muted)]
        table = Table(
            [
                [
                    self.para(HEADINGS[lkey], self.heading),
                    "",
                    self.para(HEADINGS[rkey], self.heading),
                ],
                [lcontent or empty, "", rcontent or empty],
            ],
            colWidths=[half, gap, half],
        )
        pad = self.style.size * 0.55
        lcol = self.colors.HexColor(_COLOURS[lkey])
        rcol = self.colors.HexColor(_COLOURS[rkey])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (0, 0), lcol),
                    ("BACKGROUND", (2, 0), (2, 0), rcol),
                    ("BOX", (0, 0), (0, 1), 1.2, lcol),
                    ("BOX", (2, 0), (2, 1), 1.2, rcol),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("LEFTPADDING", (1, 0), (1, -1), 0),
                    ("RIGHTPADDING", (1, 0), (1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ]
            )
        )
        return table

    def about(self) -> list[object]:
        d = self.data
        out = self.by_area(d.strengths)
        if d.pupil_views:
            lead = "In my own words"
            if d.pupil_views_on:
                lead += f" ({d.pupil_views_on:%B %Y})"
            out.append(self.para(lead + ":", self.area))
            out.append(self.para(f"“{self.clip(d.pupil_views)}”", self.quote))
        return out

    def targets(self) -> list[object]:
        d = self.data
        out: list[object] = []
        for target in d.targets:
            from reportlab.platypus import Paragraph

            text = escape(self.clip(target.text))
            out.append(Paragraph(text, self.bullet, bulletText="•"))
        if d.targets and d.targets_review_due:
            out.append(self.para(f"To be reviewed by {d.targets_review_due:%d/%m/%Y}.", self.muted))
        return out

    def story(self) -> list[object]:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Spacer

        d = self.data
        size = self.style.size
        gap = size * 0.9
        title = ParagraphStyle(
            "title", parent=self.body, fontName=FONT_BOLD, fontSize=22, leading=26
        )
        sub = ParagraphStyle("sub", parent=self.body, fontSize=10.5, leading=13.5)
        kicker = ParagraphStyle(
            "kicker",
            parent=self.body,
            fontName=FONT_BOLD,
            fontSize=9,
            leading=11,
            textColor=self.colors.HexColor("#555555"),
        )
        facts = [x for x in (d.year_text, f"Tutor group {d.reg_group}" if d.reg_group else "") if x]
        if d.provision:
            facts.append(d.provision)
        story: list[object] = [
            self.para("PUPIL PASSPORT · ONE-PAGE PROFILE", kicker),
            self.para(d.name, title),
            self.para("   ·   ".join(facts) or " ", sub),
        ]
        if d.needs:
            story.append(self.para("My needs: " + "; ".join(d.needs), sub))
        story.append(Spacer(1, gap))
        pair = self.pair(("about", self.about()), ("hard", self.by_area(d.difficulties)), gap)
        story += [
            pair,
            Spacer(1, gap),
            self.box("helps", self.by_area(d.strategies), self.width),
            Spacer(1, gap),
            self.box("targets", self.targets(), self.width),
        ]
        if self.shortened:
            story += [Spacer(1, gap * 0.5), self.para(SHORTENED, self.muted)]
        return story


def _height(story: Sequence[object], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, height)  # type: ignore[attr-defined]
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()  # type: ignore[attr-defined]
    return total


def _footer(data: PassportData):  # type: ignore[no-untyped-def]
    def draw(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillGray(0.35)
        left = doc.leftMargin
        y = 8 * mm
        school = f"{data.school_name} · " if data.school_name else ""
        canvas.drawString(
            left,
            y,
            f"{school}Produced by SENDesk on {data.produced_on:%d/%m/%Y}. Confidential: for "
            "staff who teach or support this pupil. Keep it safe and out of sight.",
        )
        canvas.restoreState()

    return draw


def write_passport(data: PassportData, path: Path | str) -> Path:
    """Write ``data`` as a one-page A4 PDF at ``path`` (all or nothing); returns the path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, SimpleDocTemplate

    register_fonts()
    dest = Path(path)
    margin = _MARGIN_MM * mm
    pad = 6  # the frame's own padding on each side (reportlab's default)
    width = A4[0] - 2 * margin - 2 * pad
    height = A4[1] - 2 * margin - 4 * mm - 2 * pad  # 4 mm more for the footer's line
    story: list[object] | None = None
    for limit in _LIMITS:
        for size in _SIZES:
            candidate = _Builder(data, width, _Style(size, limit)).story()
            if _height(candidate, width, height) <= height * 0.98:
                story = candidate
                break
        if story is not None:
            break
    if story is None:  # nothing fitted: the smallest, shortest version, shrunk to fit
        story = _Builder(data, width, _Style(_SIZES[-1], _LIMITS[-1])).story()
    # A last guard: whatever the measurement missed, the page count stays one.
    framed = KeepInFrame(width, height, story, mode="shrink")
    with atomic_output(dest) as tmp:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=A4,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin + 4 * mm,
            title="Pupil passport",
            author="SENDesk",
            subject="One-page profile",
        )
        footer = _footer(data)
        doc.build([framed], onFirstPage=footer, onLaterPages=footer)
    return dest


def passport_for(
    db: Database, actor: Actor, upn: str, out: Path | str, *, today: date | None = None
) -> Path:
    """Write the passport of the pupil with ``upn`` to ``out``; returns the path.

    What ``sendesk passport --db DB --upn UPN --out FILE`` and the pupil window call.
    """
    return write_passport(passport_data(db, actor, upn, today=today), Path(out))


__all__ = ["FONT", "FONT_BOLD", "HEADINGS", "passport_for", "register_fonts", "write_passport"]
