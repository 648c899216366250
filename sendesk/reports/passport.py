"""The pupil passport: a one-page profile a teacher can read before the lesson starts.

One A4 page, always: the pupil's (preferred) name, year and tutor group, their needs, and
four boxes — "About me", "What I find hard", "What helps me" (the widest: it is what a
teacher acts on) and "My targets now". No photo. Text is set in DejaVu Sans, shipped
with SENDesk (``resources/fonts``, with its licence) so that names in any
Latin, Greek or Cyrillic script — Łucja, Фёдор, Ωmega, Nguyễn — render the same on
Windows, macOS and Linux.

Fitting one page: the text is set at 10.5 pt and made smaller, step by step, down to 8 pt
until it fits; if it still does not, each block is shortened (marked "…") and the page
says that the full profile is in SENDesk. The file is written all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from sendesk.services.actor import Actor
from sendesk.services.graduated.passport import AreaText, PassportData, passport_data

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

    def bullets(self, text: str) -> list[object]:
        text = self.clip(text)
        points = _points(text)
        if len(points) <= 1:
            return [para(text.replace("\n", " "), self.body)]
        return [bullet(p, self.bullet) for p in points]

    def by_area(self, blocks: Sequence[AreaText]) -> list[object]:
        out: list[object] = []
        many = len(blocks) > 1
        for block in blocks:
            if many:
                out.append(para(block.area, self.area))
            out += self.bullets(block.text)
        return out

    def box(self, key: str, content: list[object], width: float) -> object:
        from reportlab.platypus import Table, TableStyle

        if not content:
            content = [para(NOTHING, self.muted)]
        pad = self.style.size * 0.55
        table = Table(
            [[para(HEADINGS[key], self.heading)], [content]],
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
        empty = [para(NOTHING, self.muted)]
        table = Table(
            [
                [
                    para(HEADINGS[lkey], self.heading),
                    "",
                    para(HEADINGS[rkey], self.heading),
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
            out.append(para(lead + ":", self.area))
            out.append(para(f"“{self.clip(d.pupil_views)}”", self.quote))
        return out

    def targets(self) -> list[object]:
        d = self.data
        out: list[object] = []
        for target in d.targets:
            out.append(bullet(self.clip(target.text), self.bullet))
        if d.targets and d.targets_review_due:
            out.append(para(f"To be reviewed by {d.targets_review_due:%d/%m/%Y}.", self.muted))
        elif d.targets and d.targets_reviewed_on:
            out.append(
                para(
                    f"Reviewed on {d.targets_reviewed_on:%d/%m/%Y}; these stay until the "
                    "next plan starts.",
                    self.muted,
                )
            )
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
            para("PUPIL PASSPORT · ONE-PAGE PROFILE", kicker),
            para(d.name, title),
            para("   ·   ".join(facts) or " ", sub),
        ]
        if d.needs:
            story.append(para("My needs: " + "; ".join(d.needs), sub))
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
            story += [Spacer(1, gap * 0.5), para(SHORTENED, self.muted)]
        return story


def _height(story: Sequence[object], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, height)  # type: ignore[attr-defined]
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()  # type: ignore[attr-defined]
    return total


def write_passport(data: PassportData, path: Path | str) -> Path:
    """Write ``data`` as a one-page A4 PDF at ``path`` (all or nothing); returns the path."""
    register_fonts()
    width, height = one_page_size()
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
    return write_one_page(
        Path(path),
        story,
        "Pupil passport",
        subject="One-page profile",
        school_name=data.school_name,
        produced_on=data.produced_on,
        readers="staff who teach or support this pupil. Keep it safe and out of sight.",
    )


def passport_for(
    db: Database, actor: Actor, upn: str, out: Path | str, *, today: date | None = None
) -> Path:
    """Write the passport of the pupil with ``upn`` to ``out``; returns the path.

    What ``sendesk passport --db DB --upn UPN --out FILE`` and the pupil window call. The
    file leaving SENDesk is audited with its name (issue 13: every export is an event).
    """
    from sendesk.services.evidence.exports import record_export

    data = passport_data(db, actor, upn, today=today)
    written = write_passport(data, Path(out))
    record_export(db, actor, "pupil passport", 1, written, pupil_id=data.pupil_id)
    return written


__all__ = ["HEADINGS", "passport_for", "write_passport"]
