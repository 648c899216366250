"""The look SENDesk's reportlab documents share: fonts, page, footer, styles, tables.

Why one module: the exams officer's list, the access evidence file, the costed provision
maps and the pupil passport are read side by side (an inspector, a panel, a teacher), so
they should look like one product — the same typeface, margins, footer and tables — and a
change to that look (a colour, a margin, the confidential line) should be made once.

Text is set in DejaVu Sans, shipped with SENDesk (``resources/fonts``, with
its licence) so that names in any Latin, Greek or Cyrillic script — Łucja, Фёдор, Ωmega,
Nguyễn — render the same on Windows, macOS and Linux. Every text a user typed goes into a
paragraph escaped, so a name with "&" or "<" prints as written.

reportlab is imported inside the functions: the command line and the app import the
report modules at start-up, and reportlab is only needed once a PDF is written. The
request pack (:mod:`sendesk.reports.pack_pdf`) has a layout of its own (contents page,
page numbers known only at the end) and takes only the fonts from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sendesk.errors import SendeskError
from sendesk.reports.tabular import cell_text
from sendesk.resource_files import resource_path

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

FONT_DIR = resource_path("fonts")
FONT = "SENDeskSans"
FONT_BOLD = "SENDeskSans-Bold"
MARGIN_MM = 14  # every side; the footer's line sits below the bottom margin
FOOTER_MM = 2  # room added to the bottom margin for the footer's line
FOOTER_Y_MM = 8  # the footer's baseline, from the foot of the page

_font_lock = threading.Lock()


def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) with reportlab once; returns their names.

    Every PDF SENDesk writes uses these fonts, so every pupil's name renders.
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


# --- text -----------------------------------------------------------------------------------


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: a name with '&' or '<' prints as written)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


def bullet(text: str, style: ParagraphStyle) -> Paragraph:
    """A bulleted paragraph of plain text."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style, bulletText="•")


# --- the page -------------------------------------------------------------------------------


def pdf_doc(
    path: Path,
    pagesize: tuple[float, float],
    title: str,
    *,
    subject: str | None = None,
    footer_mm: float = FOOTER_MM,
) -> SimpleDocTemplate:
    """A document at ``path`` with SENDesk's margins, its title and SENDesk as author.

    ``footer_mm`` is the room kept below the bottom margin for the footer's line.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    margin = MARGIN_MM * mm
    return SimpleDocTemplate(
        str(path),
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + footer_mm * mm,
        title=title,
        author="SENDesk",
        subject=subject,
    )


def page_footer(label: str, *, numbered: bool = True) -> Callable[[Any, Any], None]:
    """Draws ``label`` (who, what, when, "confidential") at the foot of each page, and the
    page number at the right unless ``numbered`` is false (a one-page document)."""

    def draw(canvas: Any, doc: Any) -> None:
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillGray(0.35)
        canvas.drawString(doc.leftMargin, FOOTER_Y_MM * mm, label)
        if numbered:
            canvas.drawRightString(
                doc.pagesize[0] - doc.rightMargin,
                FOOTER_Y_MM * mm,
                f"Page {canvas.getPageNumber()}",
            )
        canvas.restoreState()

    return draw


ONE_PAGE_FOOTER_MM = 4  # a one-page document's footer line is long: more room below the margin
_FRAME_PAD = 6  # the frame's own padding on each side (reportlab's default)


def one_page_size() -> tuple[float, float]:
    """The width and height a one-page A4 document's story has inside the frame."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    margin = MARGIN_MM * mm
    return (
        A4[0] - 2 * margin - 2 * _FRAME_PAD,
        A4[1] - 2 * margin - ONE_PAGE_FOOTER_MM * mm - 2 * _FRAME_PAD,
    )


def write_one_page(
    path: Path,
    story: Sequence[object],
    title: str,
    *,
    subject: str,
    school_name: str,
    produced_on: date,
    readers: str,
) -> Path:
    """Write ``story`` as a one-page A4 PDF at ``path`` (all or nothing), with a footer
    naming the school, the day and who the page is confidential to (``readers``).

    The passport and the pupil's profile promise one page, so the story is framed to
    shrink: whatever a measurement missed, the page count stays one."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import KeepInFrame

    from sendesk.reports.atomic import atomic_output

    width, height = one_page_size()
    framed = KeepInFrame(width, height, list(story), mode="shrink")
    school = f"{school_name} · " if school_name else ""
    footer = f"{school}Produced by SENDesk on {produced_on:%d/%m/%Y}. Confidential: for {readers}"
    with atomic_output(path) as tmp:
        doc = pdf_doc(tmp, A4, title, subject=subject, footer_mm=ONE_PAGE_FOOTER_MM)
        build_with_footer(doc, [framed], footer, numbered=False)
    return path


def build_with_footer(
    doc: SimpleDocTemplate, story: Sequence[object], footer: str, *, numbered: bool = True
) -> None:
    """Lay ``story`` out in ``doc`` with ``footer`` (and the page number, unless
    ``numbered`` is false) at the foot of every page: how every SENDesk PDF ends."""
    draw = page_footer(footer, numbered=numbered)
    doc.build(list(story), onFirstPage=draw, onLaterPages=draw)


# --- styles and tables ----------------------------------------------------------------------


def pdf_styles(*, size: float = 9.5, leading: float = 12.5) -> dict[str, ParagraphStyle]:
    """Paragraph styles in DejaVu Sans around a body text of ``size`` on ``leading``.

    body; cell and num (a table's text, numbers right-aligned) with head and headnum (its
    header, bold); title, sub (the line under it), h2, h3; strong (bold body), lead (a bold
    line a little larger: a name, a conclusion); muted (small grey), note (grey body);
    bullet and warn (a bulleted line, warn in dark red).
    """
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=leading)
    grey = colors.HexColor("#555555")
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("num", parent=body, fontSize=8.5, leading=10.5, alignment=2),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "headnum": ParagraphStyle(
            "headnum", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5, alignment=2
        ),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20),
        "sub": ParagraphStyle("sub", parent=body, fontSize=10, leading=13),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=3,
            textColor=colors.HexColor("#1A4F9C"),
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6
        ),
        "strong": ParagraphStyle("strong", parent=body, fontName=FONT_BOLD),
        "lead": ParagraphStyle("lead", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14),
        "muted": ParagraphStyle("muted", parent=body, fontSize=8.5, leading=11, textColor=grey),
        "note": ParagraphStyle("note", parent=body, textColor=grey),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=11, bulletIndent=0),
        "warn": ParagraphStyle(
            "warn",
            parent=body,
            leftIndent=11,
            bulletIndent=0,
            textColor=colors.HexColor("#8A2A0A"),
        ),
    }


def pdf_table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    st: dict[str, ParagraphStyle],
    *,
    numeric: Collection[int] = (),
    total_row: bool = False,
    bottom_padding: float = 3,
) -> Table:
    """A table whose first row is a header repeated on every page; cells wrap.

    Columns in ``numeric`` are right-aligned; with ``total_row`` the last row is bold
    under a rule. Values read as :func:`sendesk.reports.tabular.cell_text` gives them.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    last = len(rows) - 1

    def cell(value: object, column: int, bold: bool) -> Paragraph:
        if column in numeric:
            style = "headnum" if bold else "num"
        else:
            style = "head" if bold else "cell"
        return para(cell_text(value), st[style])

    data = [
        [cell(v, c, i == 0 or (total_row and i == last)) for c, v in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    commands: list[tuple[object, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E3E8EF")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#44546A")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8C2CC")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom_padding),
    ]
    if total_row and len(rows) > 1:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor("#44546A")))
    table.setStyle(TableStyle(commands))
    return table


__all__ = [
    "FONT",
    "FONT_BOLD",
    "FONT_DIR",
    "MARGIN_MM",
    "bullet",
    "page_footer",
    "para",
    "pdf_doc",
    "pdf_styles",
    "pdf_table",
    "register_fonts",
]
