"""Documents for families, as PDF and DOCX from one list of blocks.

Why one module: the invitation letter and the parents' summary of a support plan are read
by parents, often printed, sometimes edited in Word before they go (a SENCo adds a line
about a sibling, a translation is pasted in). The words must be the same in both files, so
each document is written once as plain blocks — a heading, a paragraph, facts (label and
value), bullet points, a quotation — and this module sets them as a PDF (reportlab, in
SENDesk's fonts, :mod:`sendesk.reports.pdf_layout`) and as a DOCX (python-docx, in Arial,
which Word on Windows and macOS both have). The type is larger than the staff reports'
(11 pt): plain words in a readable size are the point.

Both files are written all or nothing (:func:`sendesk.reports.atomic.atomic_output`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sendesk.reports.atomic import atomic_output

ACCENT = "#1A4F9C"
QUOTE = "#1F3A5F"
MUTED = "#555555"
DOCX_FONT = "Arial"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    muted: bool = False
    right: bool = False  # a letter's date


@dataclass(frozen=True)
class Facts:
    """Labelled lines ("When:", "Where:"): a two-column table without lines."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """Someone's own words: in quotation marks, set apart, with who said them."""

    text: str
    lead: str  # "In my own words", "What Amy says"


@dataclass(frozen=True)
class Gap:
    """Extra space (before a signature)."""

    lines: int = 1


Block = Heading | Para | Facts | Bullets | Quote | Gap


@dataclass(frozen=True)
class PlainDocument:
    title: str  # the big line at the top
    blocks: tuple[Block, ...]
    kicker: str = ""  # the small line above the title (the school's name)
    footer: str = ""


def quoted(text: str) -> str:
    return f"“{text.strip()}”"


# --- PDF --------------------------------------------------------------------------------------


def write_pdf(doc: PlainDocument, path: Path | str, *, subject: str = "") -> Path:
    """Set ``doc`` as an A4 PDF at ``path`` (all or nothing); returns the path."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    from sendesk.reports.pdf_layout import (
        FONT,
        FONT_BOLD,
        MARGIN_MM,
        build_with_footer,
        bullet,
        para,
        pdf_doc,
        pdf_styles,
    )

    st = pdf_styles(size=11, leading=15)
    body = st["body"]
    styles = {
        "kicker": ParagraphStyle(
            "kicker", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12,
            textColor=colors.HexColor(MUTED),
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=23, spaceAfter=6,
            textColor=colors.HexColor(ACCENT),
        ),
        "h": ParagraphStyle(
            "h", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=12,
            spaceAfter=4, textColor=colors.HexColor(ACCENT),
        ),
        "p": ParagraphStyle("p", parent=body, spaceAfter=6),
        "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD, spaceAfter=6),
        "muted": ParagraphStyle(
            "muted", parent=body, fontSize=9.5, leading=13, textColor=colors.HexColor(MUTED),
            spaceAfter=4,
        ),
        "right": ParagraphStyle("right", parent=body, alignment=2, spaceAfter=6),
        "label": ParagraphStyle("label", parent=body, fontName=FONT_BOLD),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=14, bulletIndent=3, spaceAfter=3,
            bulletFontName=FONT,
        ),
        "quote": ParagraphStyle(
            "quote", parent=body, fontSize=12, leading=16.5, textColor=colors.HexColor(QUOTE),
        ),
        "quotelead": ParagraphStyle(
            "quotelead", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12,
            textColor=colors.HexColor(QUOTE), spaceAfter=2,
        ),
    }  # fmt: skip
    width = A4[0] - 2 * MARGIN_MM * mm
    story: list[object] = []
    if doc.kicker:
        story.append(para(doc.kicker.upper(), styles["kicker"]))
    story.append(para(doc.title, styles["title"]))
    pending_heading: object | None = None
    for block in doc.blocks:
        flow: list[object] = []
        if isinstance(block, Heading):
            pending_heading = para(block.text, styles["h"])
            continue
        if isinstance(block, Para):
            name = (
                "right"
                if block.right
                else "bold"
                if block.bold
                else "muted"
                if block.muted
                else "p"
            )
            flow.append(para(block.text, styles[name]))
        elif isinstance(block, Facts):
            table = Table(
                [[para(k, styles["label"]), para(v, body)] for k, v in block.rows],
                colWidths=[width * 0.22, width * 0.78],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ]
                )
            )
            flow += [table, Spacer(1, 4)]
        elif isinstance(block, Bullets):
            flow += [bullet(item, styles["bullet"]) for item in block.items]
            flow.append(Spacer(1, 3))
        elif isinstance(block, Quote):
            inner = [
                para(block.lead, styles["quotelead"]),
                para(quoted(block.text), styles["quote"]),
            ]
            table = Table([[inner]], colWidths=[width - 4])
            table.setStyle(
                TableStyle(
                    [
                        ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(QUOTE)),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#EEF3F9")),
                        ("LEFTPADDING", (0, 0), (-1, -1), 10),
                        ("TOPPADDING", (0, 0), (-1, -1), 6),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                    ]
                )
            )
            flow += [table, Spacer(1, 6)]
        elif isinstance(block, Gap):
            flow.append(Spacer(1, 15 * block.lines))
        if pending_heading is not None:
            story.append(KeepTogether([pending_heading, *flow[:1]]))
            story += flow[1:]
            pending_heading = None
        else:
            story += flow
    if pending_heading is not None:
        story.append(pending_heading)
    dest = Path(path)
    with atomic_output(dest) as tmp:
        pdf = pdf_doc(tmp, A4, doc.title, subject=subject or None)
        if doc.footer:
            build_with_footer(pdf, story, doc.footer, numbered=False)
        else:
            pdf.build(story)
    return dest


# --- DOCX -------------------------------------------------------------------------------------


def set_docx_font(style: object, size: float | None = None, name: str = DOCX_FONT) -> None:
    """Name ``name`` for every script slot of a Word style (and set its size), dropping the
    theme fonts: otherwise Word sets a Greek or Cyrillic name in the theme's face, so one
    pupil's name shows in two typefaces. Every SENDesk document (the pack, letters,
    summaries) sets its styles through this."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = name  # type: ignore[attr-defined]
    if size:
        style.font.size = Pt(size)  # type: ignore[attr-defined]
    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _rgb(hex_colour: str):  # type: ignore[no-untyped-def] - docx.shared.RGBColor
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))


def write_docx(doc: PlainDocument, path: Path | str) -> Path:
    """Set ``doc`` as a Word document at ``path`` (all or nothing); returns the path.

    Real Word headings ("Heading 1") and bullets ("List Bullet"), so a SENCo editing it
    in Word keeps its structure; facts are a table without borders."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    word = Document()
    section = word.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    for name, size in (("Normal", 11), ("Title", 18), ("Heading 1", 13), ("List Bullet", 11)):
        set_docx_font(word.styles[name], size)
    for name in ("Title", "Heading 1"):
        word.styles[name].font.color.rgb = _rgb(ACCENT)
        word.styles[name].font.bold = True
    word.core_properties.title = doc.title
    word.core_properties.author = "SENDesk"
    if doc.kicker:
        run = word.add_paragraph().add_run(doc.kicker.upper())
        run.bold, run.font.size, run.font.color.rgb = True, Pt(9.5), _rgb(MUTED)
    word.add_paragraph(doc.title, style="Title")
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_paragraph(block.text, style="Heading 1")
        elif isinstance(block, Para):
            p = word.add_paragraph()
            run = p.add_run(block.text)
            run.bold = block.bold
            if block.muted:
                run.font.color.rgb, run.font.size = _rgb(MUTED), Pt(9.5)
            if block.right:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, Facts):
            table = word.add_table(rows=0, cols=2)
            for label, value in block.rows:
                cells = table.add_row().cells
                cells[0].width, cells[1].width = Mm(38), Mm(136)
                cells[0].paragraphs[0].add_run(label).bold = True
                cells[1].paragraphs[0].add_run(value)
            word.add_paragraph()
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Quote):
            lead = word.add_paragraph().add_run(block.lead)
            lead.bold, lead.font.color.rgb = True, _rgb(QUOTE)
            p = word.add_paragraph()
            p.paragraph_format.left_indent = Mm(6)
            run = p.add_run(quoted(block.text))
            run.italic, run.font.size, run.font.color.rgb = True, Pt(12), _rgb(QUOTE)
        elif isinstance(block, Gap):
            for _ in range(block.lines):
                word.add_paragraph()
    if doc.footer:
        footer = section.footer.paragraphs[0]
        run = footer.add_run(doc.footer)
        run.font.size, run.font.color.rgb = Pt(8), _rgb(MUTED)
    dest = Path(path)
    with atomic_output(dest) as tmp:
        word.save(str(tmp))
    return dest


__all__ = [
    "Block",
    "Bullets",
    "Facts",
    "Gap",
    "Heading",
    "Para",
    "PlainDocument",
    "Quote",
    "quoted",
    "set_docx_font",
    "write_docx",
    "write_pdf",
]
