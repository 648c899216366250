"""The request pack as one PDF: cover, contents, the written sections, then the evidence.

What a panel member holds is one file they can read from front to back and cite by page:

- a cover naming the child, the school and the LA, with the readiness check — what is
  missing first (a missing item never blocks the pack, but the panel should see the school
  knows), then what is there;
- a contents page whose page numbers are real, listing the appended documents too;
- the sections in the LA's order (:data:`sendesk.rules.readiness.SECTION_TITLES`): tables
  of the APDR history and of the provision with its costs against the notional threshold,
  a chart of each intervention's measures over time (:mod:`sendesk.reports.pack_charts`);
- the evidence documents appended in the order chosen: PDFs page for page (pypdf), images
  each on a page of their own, anything else (a Word file) listed as "not appended". Each
  appended page carries a line saying which document and page it is and its page in the
  pack, and the evidence index gives each document's page range and its SHA-256.

Page numbers that are only known once everything is laid out — a section's page on the
contents page (which comes first), the appended documents' pages in the index (which
depend on how long the written part is, index included), "page 3 of 41" in the footer —
are marked in the page's drawing code where they go and written in just before the file
is saved (reportlab keeps each page's code as text until then). So one layout pass is
enough, and the contents page's height is fixed from the start because every heading is
known before layout. (They were PDF forms once: one object per number, each listed on its
page, made the file a third bigger to write and for pypdf to read back.)

The line at the foot of every appended page is written into that page by pypdf as one
small extra content stream, in the pack's own embedded font (the stamp's text is encoded
while the written part is saved, so its glyphs join the font subset the written part
already carries): nothing of the appended page is decoded or parsed, and no second font
or second PDF is made for the stamps.

What the sections say — every table's rows, every explanatory sentence — comes from
:mod:`sendesk.reports.pack_sections`, as the DOCX's does, so the two never disagree; this
module lays it out.

Text is DejaVu Sans (bundled; :func:`sendesk.reports.pdf_layout.register_fonts`) so every
Latin, Greek and Cyrillic name renders. All of it is assembled in memory; the only file
written is ``dest``, which the caller names beside the target and renames when complete.
"""

from __future__ import annotations

import copy
import io
import logging
import secrets
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from sendesk.reports import pack_sections as ps
from sendesk.reports.pack_charts import measure_chart
from sendesk.reports.pack_sections import Grid, Sentence, day_text
from sendesk.reports.pdf_layout import register_fonts
from sendesk.rules import readiness as rr
from sendesk.services.ehc.pack import EvidenceChoice, PackData
from sendesk.services.evidence.evidence import DOCX, JPEG, PDF, PNG
from sendesk.services.graduated.support_plans import PlanDetail

MARGIN = 18 * mm
FOOTER = 11 * mm
INK = colors.HexColor("#1F1F1F")
ACCENT = colors.HexColor("#1A4F9C")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#B8C4D6")
HEAD_BG = colors.HexColor("#E8EEF7")
MISSING = colors.HexColor("#A0360F")
PRESENT = colors.HexColor("#2E6B30")
STAMP_INSET = 10 * mm  # where the line naming an appended page sits, from its corner
STAMP_SIZE = 7  # its font size


@dataclass(frozen=True)
class PdfKind:
    """Which document this layout writes: its title (the footer, the file's metadata) and
    what a reader calls it ("pack page 7 of 41" at the foot of appended pages)."""

    title: str
    noun: str


PACK = PdfKind("EHC needs assessment request", "pack")


@dataclass(frozen=True)
class Appendix:
    """An evidence document to append: its label ("E1"), details and checked contents."""

    label: str
    choice: EvidenceChoice
    content: bytes


@dataclass(frozen=True)
class WrittenPdf:
    """What was written: pages in all, the body's pages, and each document's pack pages
    (first, last) by label — None for a document listed but not appended."""

    pages: int
    body_pages: int
    ranges: dict[str, tuple[int, int] | None]
    notes: dict[str, str]


def steps_needed(data: PackData) -> int:
    """How many times :func:`write_pack_pdf` calls ``step``."""
    return len(data.sections) + len(data.evidence) + 1


# --- text helpers ---------------------------------------------------------------------------


def _text(value: str) -> str:
    """User text for a Paragraph: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in value.strip().splitlines())


def _markup(sentence: Sentence) -> str:
    """A sentence for a Paragraph: each span escaped, in bold or italic as it says."""
    out = []
    for span in sentence:
        text = "<br/>".join(escape(line) for line in span.text.splitlines())
        if span.bold:
            text = f"<b>{text}</b>"
        if span.italic:
            text = f"<i>{text}</i>"
        out.append(text)
    return "".join(out)


# --- the appended documents -----------------------------------------------------------------


@dataclass
class _Prepared:
    appendix: Appendix
    kind: str  # "pdf" / "image" / "listed"
    pages: int
    note: str = ""
    reader: PdfReader | None = None
    image: Any = None  # reportlab ImageReader


class _PypdfMessages(logging.Handler):
    """pypdf's complaints about a damaged file ("EOF marker not found") while one document
    is read or copied: kept for the pack's notes instead of reaching the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_messages() -> Iterator[list[str]]:
    log = logging.getLogger("pypdf")
    handler = _PypdfMessages()
    propagate = log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler.messages
        handler.messages.extend(str(w.message) for w in caught)
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _faults_note(messages: list[str]) -> str:
    unique = list(dict.fromkeys(m.strip().rstrip(".") for m in messages if m.strip()))
    shown = "; ".join(unique[:3]) + ("…" if len(unique) > 3 else "")
    return (
        f"The PDF has faults ({shown}), read as far as possible: check its pages "
        "against the original."
    )


def _prepare(appendix: Appendix, noun: str = PACK.noun) -> _Prepared:
    with _pypdf_messages() as messages:
        prepared = _prepare_quietly(appendix, noun)
    if messages and prepared.kind == "pdf":
        prepared.note = _faults_note(messages)
    return prepared


def _prepare_quietly(appendix: Appendix, noun: str) -> _Prepared:
    media = appendix.choice.media_type
    if media == PDF:
        try:
            reader = PdfReader(io.BytesIO(appendix.content))
            if reader.is_encrypted and not reader.decrypt(""):
                return _Prepared(
                    appendix,
                    "listed",
                    0,
                    "It is protected by a password, so it is not appended: send it with the "
                    f"{noun}.",
                )
            pages = len(reader.pages)
        except Exception:
            return _Prepared(
                appendix,
                "listed",
                0,
                f"It could not be read as a PDF, so it is not appended: send it with the {noun}.",
            )
        if pages == 0:
            return _Prepared(appendix, "listed", 0, "The PDF has no pages, so nothing is appended.")
        return _Prepared(appendix, "pdf", pages, reader=reader)
    if media in (PNG, JPEG):
        from reportlab.lib.utils import ImageReader

        try:
            image = ImageReader(io.BytesIO(appendix.content))
            width, height = image.getSize()
        except Exception:
            return _Prepared(
                appendix,
                "listed",
                0,
                f"The image could not be read, so it is not appended: send it with the {noun}.",
            )
        if width <= 0 or height <= 0:
            return _Prepared(appendix, "listed", 0, "The image is empty, so nothing is appended.")
        return _Prepared(appendix, "image", 1, image=image)
    if media == DOCX:
        return _Prepared(
            appendix, "listed", 0, f"A Word document is not appended: send it with the {noun}."
        )
    return _Prepared(
        appendix, "listed", 0, f"Only PDFs and images are appended: send it with the {noun}."
    )


# --- styles ---------------------------------------------------------------------------------


class _Styles:
    def __init__(self) -> None:
        font, bold = register_fonts()
        self.font, self.bold = font, bold
        self.body = ParagraphStyle(
            "body", fontName=font, fontSize=9.5, leading=12.6, textColor=INK, spaceAfter=3
        )
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10.2)
        self.muted = ParagraphStyle("muted", parent=self.small, textColor=MUTED)
        self.cell = ParagraphStyle(
            "cell", parent=self.body, fontSize=8.3, leading=10.4, spaceAfter=0
        )
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=bold)
        self.hash = ParagraphStyle("hash", parent=self.cell, fontSize=6.2, leading=7.6)
        self.h1 = self._heading("h1", 15, leading=19, color=ACCENT, before=4, after=8)
        self.h2 = self._heading("h2", 11.5, leading=14.5, color=INK, before=8, after=4)
        self.h3 = self._heading("h3", 9.5, leading=self.body.leading, color=INK, before=5, after=2)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=22, leading=27, textColor=ACCENT
        )
        self.name = ParagraphStyle(
            "name", parent=self.body, fontName=bold, fontSize=26, leading=32, spaceBefore=10
        )
        self.kicker = ParagraphStyle(
            "kicker", parent=self.body, fontName=bold, fontSize=9, textColor=MUTED
        )
        self.item = ParagraphStyle("item", parent=self.body, leftIndent=14, firstLineIndent=-14)
        self.detail = ParagraphStyle(
            "detail", parent=self.small, leftIndent=24, textColor=MUTED, spaceAfter=1
        )
        # The contents page: chapters, then their sections indented and muted.
        self.toc = [
            self._contents("toc0", 10, leading=15, indent=0, color=INK),
            self._contents("toc1", 8.8, leading=12, indent=14, color=MUTED),
        ]

    def _heading(
        self, name: str, size: float, *, leading: float, color: Any, before: float, after: float
    ) -> ParagraphStyle:
        """A bold heading kept with what follows it (never alone at a page's foot)."""
        return ParagraphStyle(
            name,
            parent=self.body,
            fontName=self.bold,
            fontSize=size,
            leading=leading,
            textColor=color,
            spaceBefore=before,
            spaceAfter=after,
            keepWithNext=1,
        )

    def _contents(
        self, name: str, size: float, *, leading: float, indent: float, color: Any
    ) -> ParagraphStyle:
        """One level of the contents page: tight lines, indented by level."""
        return ParagraphStyle(
            name,
            parent=self.body,
            fontSize=size,
            leading=leading,
            leftIndent=indent,
            textColor=color,
            spaceAfter=0,
        )

    def p(self, text: str, style: ParagraphStyle | None = None) -> _Para:
        return _Para(text, style or self.body)

    def user(self, text: str, style: ParagraphStyle | None = None) -> _Para:
        """A paragraph of text a user typed (escaped), or "Nothing recorded."."""
        if not text.strip():
            return _Para(ps.NOTHING, self.muted)
        return _Para(_text(text), style or self.body)


_PLAIN: weakref.WeakKeyDictionary[ParagraphStyle, Any] = weakref.WeakKeyDictionary()


def _plain_frags(text: str, style: ParagraphStyle) -> list[Any] | None:
    """The fragments reportlab's markup parser makes of ``text`` when it has no markup (no
    tag, no entity): a copy of the one fragment it makes of a letter in ``style``, holding
    ``text``. None when ``text`` has markup, which the parser must read."""
    if "<" in text or "&" in text or style.textTransform:
        return None
    if not text:
        return []
    template = _PLAIN.get(style)
    if template is None:
        _, parsed, _ = ParaParser().parse("x", style)
        if not parsed or len(parsed) != 1:
            return None
        template = _PLAIN[style] = parsed[0]
    frag = copy.copy(template)
    frag.text, frag.link, frag.us_lines = text, [], []
    return [frag]


class _Para(Paragraph):
    """A Paragraph that skips reportlab's markup parser for plain text and breaks its lines
    once for a given width.

    reportlab parses every paragraph's text as markup with a new HTML parser, though two in
    three of a pack's have none; the fragments it would make are made directly. And it asks
    a paragraph its height several times at the same width — a table cell when the table
    is measured and again when it is drawn, a heading kept with what follows, a block kept
    together — and breaks the lines anew each time; the answer cannot change, so the first
    is kept. Half the paragraph work in a pack went on repeats.
    """

    _laid: tuple[float, tuple[Any, ...]] | None = None

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        cleaned = cleanBlockQuotedText(text)
        frags = _plain_frags(cleaned, style)
        super().__init__(text if frags is None else cleaned, style, frags=frags)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        laid = self._laid
        if laid is not None and laid[0] == availWidth:
            self.width, self.height, self.blPara, self._wrapWidths = laid[1]
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if hasattr(self, "blPara") and self.width == availWidth:
            self._laid = (availWidth, (self.width, self.height, self.blPara, self._wrapWidths))
        return size


class _Heading(_Para):
    """A heading the contents page lists and the PDF's bookmarks point to; never split
    (a heading that does not fit moves whole to the next page)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(escape(text), style)
        self.toc_text = text
        self.toc_level = level
        self.toc_key = key

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []


def _cell(value: object, style: ParagraphStyle, width: float) -> object:
    """A table cell: plain text when it fits on one line (reportlab draws a string cell
    several times faster than a Paragraph, and a pack has hundreds), else a Paragraph that
    wraps. Flowables are kept as they are."""
    if isinstance(value, Flowable):
        return value
    text = "" if value is None else str(value)
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 6.5:
        return text
    return _Para(_text(text), style)


def _cell_fonts(
    st: _Styles, bold_rows: Sequence[int], bold_columns: Sequence[int] = ()
) -> list[tuple[object, ...]]:
    """Table style commands setting plain-text cells in the pack's font (tables default to
    Helvetica), bold in the given rows and columns."""
    size, leading = st.cell.fontSize, st.cell.leading
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), st.font, size, leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]
    commands += [("FONT", (0, r), (-1, r), st.bold, size, leading) for r in bold_rows]
    commands += [("FONT", (c, 0), (c, -1), st.bold, size, leading) for c in bold_columns]
    return commands


def _table(
    st: _Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    total_row: bool = False,
) -> Table:
    data = [[_cell(h, st.cell_bold, w) for h, w in zip(header, widths, strict=True)]]
    for i, row in enumerate(rows):
        style = st.cell_bold if total_row and i == len(rows) - 1 else st.cell
        data.append([_cell(v, style, w) for v, w in zip(row, widths, strict=True)])
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        *_cell_fonts(st, [0, -1] if total_row else [0]),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    table.setStyle(TableStyle(commands))
    table.spaceBefore, table.spaceAfter = 2, 7
    return table


def _pairs(st: _Styles, rows: Sequence[tuple[str, str]], width: float) -> Table:
    """A two-column table of labels (bold) and values, no header."""
    widths = (width * 0.32, width * 0.68)
    data = [
        [_cell(k, st.cell_bold, widths[0]), _cell(v or "—", st.cell, widths[1])] for k, v in rows
    ]
    table = Table(data, colWidths=list(widths), hAlign="LEFT", spaceAfter=7)
    table.setStyle(
        TableStyle(
            [
                *_cell_fonts(st, [], [0]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


# --- the document template -------------------------------------------------------------------


class _PackDoc(BaseDocTemplate):
    """A4 pages with a footer; records the page of every heading for the contents page.

    Numbers that are only known once the last page is laid out — a heading's page on the
    contents page, the pack's page count in the footer, the appended documents' pages in
    the index — are marked where they go (:class:`_PageRef`) and written in by
    :class:`_PackCanvas` just before saving. One layout pass, real numbers. So are the
    appended pages' stamp lines, which ``stamp_texts(body_pages)`` gives: encoded in the
    pack's font then (:attr:`stamps`), drawn by :func:`_stamp`.
    """

    def __init__(
        self,
        buffer: io.BytesIO,
        data: PackData,
        prepared: Sequence[_Prepared],
        step: Callable[[], None],
        stamp_texts: Callable[[int], Sequence[str]] = lambda body_pages: (),
        kind: PdfKind = PACK,
        **kw: Any,
    ) -> None:
        super().__init__(buffer, pagesize=A4, **kw)
        self.kind = kind
        self.data = data
        self.prepared = prepared
        self.appended_pages = sum(i.pages for i in prepared)
        self.heading_pages: dict[str, int] = {}
        self.stamp_texts = stamp_texts
        self.stamps: dict[str, _Encoded] = {}
        self._step = step
        self.st = _Styles()
        frame = Frame(
            MARGIN,
            MARGIN + FOOTER,
            A4[0] - 2 * MARGIN,
            A4[1] - 2 * MARGIN - FOOTER,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._footer)])

    @property
    def body_pages(self) -> int:
        return self.page

    def late_text(self, name: str) -> str:
        """What the late number ``name`` reads, now that every page is laid out."""
        kind, _, key = name.partition(":")
        if kind == "heading":
            return str(self.heading_pages.get(key, ""))
        if kind == "total":
            return str(self.body_pages + self.appended_pages)
        span = page_ranges(self.body_pages, self.prepared).get(key)
        if span is None:
            return ""
        if kind == "first":
            return str(span[0])
        return ps.span_text(span)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading) and flowable.toc_key not in self.heading_pages:
            key = flowable.toc_key
            self.heading_pages[key] = self.page
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.toc_text, key, flowable.toc_level, closed=True)
            if flowable.toc_level == 0:
                self._step()

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        data = self.data
        canvas.saveState()
        canvas.setFont(self.st.font, 7.2)
        canvas.setFillColor(MUTED)
        y = MARGIN + 2
        canvas.drawString(
            MARGIN,
            y + 9,
            f"{data.school_name} · {self.kind.title} · {data.pupil.name} · UPN {data.pupil.upn}",
        )
        canvas.drawString(
            MARGIN,
            y,
            f"Produced by SENDesk on {day_text(data.produced_on)}. Confidential: special-category "
            "personal data about a child.",
        )
        right = A4[0] - MARGIN
        canvas.drawRightString(right - 15, y + 9, f"Page {canvas.getPageNumber()} of")
        canvas.translate(right - 13, y + 9)
        _late(canvas).late_number("total", self.st.font, 7.2, MUTED, "left")
        canvas.restoreState()


@dataclass(frozen=True)
class _Encoded:
    """A line of text as the pack's font draws it: (font resource name, glyph codes) for
    each run in one subset of the font, and its width at :data:`STAMP_SIZE`."""

    runs: tuple[tuple[str, bytes], ...]
    width: float


def _late(canvas: Canvas) -> _PackCanvas:
    if not isinstance(canvas, _PackCanvas):
        raise TypeError("the pack is drawn on a _PackCanvas")
    return canvas


class _PackCanvas(Canvas):
    """Writes the numbers known only once every page is laid out into the pages, and
    encodes the stamp lines, just before saving.

    :meth:`late_number` leaves a marker line (a PDF comment, with a random part no text can
    forge) in the page's drawing code; reportlab keeps that code as text until the file is
    saved, so :meth:`save` replaces each marker with the number, drawn as reportlab would
    have drawn it there.
    """

    def __init__(self, *args: Any, doc: _PackDoc, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._pack_doc = doc
        self._marker = f"%SENDesk-late-{secrets.token_hex(8)}-"
        self._late: dict[str, tuple[str, str, float, colors.Color, str]] = {}

    def late_number(
        self, name: str, font: str, size: float, colour: colors.Color, align: str
    ) -> None:
        """Draw the late number ``name`` at the origin (ending there when right-aligned)."""
        marker = f"{self._marker}{len(self._late)}"
        self._late[marker] = (name, font, size, colour, align)
        self._code.append(marker)

    def _number(self, marker: str) -> str:
        name, font, size, colour, align = self._late[marker]
        text = self._pack_doc.late_text(name)
        x = -stringWidth(text, font, size) if align == "right" else 0
        line = self.beginText(x, 0)
        line.setFont(font, size)
        line.setFillColor(colour)
        line.textOut(text)
        return f"q {line.getCode()} Q"

    def encode(self, text: str, font_name: str, size: float) -> _Encoded:
        """``text`` in ``font_name`` as this document embeds it (new glyphs join the
        subsets written on saving)."""
        font = getFont(font_name)
        runs = tuple(
            (font.getSubsetInternalName(subset, self._doc)[1:], bytes(chunk))
            for subset, chunk in font.splitString(text, self._doc)
        )
        return _Encoded(runs, stringWidth(text, font_name, size))

    def save(self) -> None:
        if self._code:
            self.showPage()
        for page in self._doc.Pages.pages:
            code = page.stream
            if self._marker in code:
                page.stream = "\n".join(
                    self._number(line) if line.startswith(self._marker) else line
                    for line in code.split("\n")
                )
        doc = self._pack_doc
        doc.stamps = {
            text: self.encode(text, doc.st.font, STAMP_SIZE)
            for text in doc.stamp_texts(doc.body_pages)
        }
        super().save()


class _PageRef(Flowable):
    """A page number known only after layout, written in when the pack is saved.

    ``name`` is "heading:KEY" (the page a heading is on), "first:E1" or "range:E1" (an
    appended document's first page or page range). It sits on the baseline a one-line
    Paragraph of ``style`` would, so it lines up with the text beside it.
    """

    def __init__(self, name: str, width: float, style: ParagraphStyle, align: str) -> None:
        super().__init__()
        self.name, self.width, self.style, self.align = name, width, style, align
        self.height = style.leading

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = _late(self.canv)
        style = self.style
        canvas.saveState()
        x = self.width if self.align == "right" else 0
        canvas.translate(x, self.height - style.fontSize)
        canvas.late_number(self.name, style.fontName, style.fontSize, INK, self.align)
        canvas.restoreState()


# --- the sections ----------------------------------------------------------------------------


class PackBody:
    """The flowables of a document laid out as the pack is: headings the contents page
    lists, tables of :class:`Grid`, label–value pairs, and the pack's sections by key.
    The leaver's SEN file (:mod:`sendesk.reports.sen_file`) builds its story from it too."""

    def __init__(self, doc: _PackDoc, data: PackData, prepared: Sequence[_Prepared]) -> None:
        self.doc = doc
        self.data = data
        self.st = doc.st
        self.width = doc.width
        self.prepared = prepared
        self.headings: list[_Heading] = []

    def _heading(self, text: str, style: ParagraphStyle, level: int) -> _Heading:
        heading = _Heading(text, style, level, f"h{len(self.headings) + 1}")
        self.headings.append(heading)
        return heading

    def h1(self, text: str) -> list[Flowable]:
        return [CondPageBreak(70 * mm), self._heading(text, self.st.h1, 0)]

    def h2(self, text: str, *, toc: bool = False) -> Flowable:
        if toc:
            return self._heading(text, self.st.h2, 1)
        return _Para(escape(text), self.st.h2)

    def grid(self, grid: Grid) -> Table:
        """``grid`` as a table across the text width."""
        widths = [w * self.width for w in grid.widths]
        return _table(self.st, grid.header, grid.rows, widths, total_row=grid.total_row)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> Table:
        """Labels (bold) and values across the text width."""
        return _pairs(self.st, rows, self.width)

    def sentence(self, sentence: Sentence, *, muted: bool = False) -> Flowable:
        """A :data:`Sentence` (its bold and italic runs kept) as a paragraph."""
        return self.st.p(_markup(sentence), self.st.muted if muted else self.st.body)

    def grid_or(self, grid: Grid | None, nothing: str) -> Flowable:
        """``grid`` as a table, or the sentence ``nothing`` in grey when there is none."""
        return self.grid(grid) if grid is not None else self.st.p(nothing, self.st.muted)

    # cover and contents

    def cover(self) -> list[Flowable]:
        st, d = self.st, self.data
        p = d.pupil
        out: list[Flowable] = [
            st.p("REQUEST FOR AN EDUCATION, HEALTH AND CARE NEEDS ASSESSMENT", st.kicker),
            st.p(escape(p.name), st.name),
        ]
        if p.legal_name != p.name:
            out.append(st.p(f"Legal name: {escape(p.legal_name)}", st.body))
        out += [Spacer(1, 4 * mm), _pairs(st, ps.cover_facts(d), self.width), Spacer(1, 7 * mm)]
        out.append(st.p("Readiness check", st.h2))
        out.append(st.p(_markup(ps.missing_summary(d)), st.body))
        for item in d.missing:
            out.append(self._item(item, "✗", MISSING))
        present = ps.present_summary(d)
        if present is not None:
            out.append(Spacer(1, 3 * mm))
            out.append(st.p(_markup(present), st.body))
            for item in d.readiness:
                if item.ok:
                    out.append(self._item(item, "✓", PRESENT, details=False))
        return out

    def _item(
        self, item: rr.ReadinessItem, mark: str, colour: colors.Color, *, details: bool = True
    ) -> Flowable:
        st = self.st
        lines: list[Flowable] = [
            st.p(
                f'<font color="{colour.hexval()}"><b>{mark}</b></font>  '
                + _markup(ps.readiness_line(item)),
                st.item,
            )
        ]
        if details:
            lines += [st.p(escape(line), st.detail) for line in item.detail]
        return KeepTogether(lines)

    def contents(self) -> list[Flowable]:
        """The contents page: every heading made so far, then the appended documents.

        Call after the sections are made (it lists their headings); place it before them.
        """
        st = self.st
        number_width = 14 * mm
        rows: list[list[Flowable]] = []
        for h in self.headings:
            style = st.toc[h.toc_level]
            rows.append(
                [
                    _Para(f'<a href="#{h.toc_key}">{escape(h.toc_text)}</a>', style),
                    _PageRef(f"heading:{h.toc_key}", number_width, style, "right"),
                ]
            )
        for item in self.prepared:
            if item.pages:
                a = item.appendix
                rows.append(
                    [
                        _Para(f"{a.label}  {escape(a.choice.title)}", st.toc[0]),
                        _PageRef(f"first:{a.label}", number_width, st.toc[0], "right"),
                    ]
                )
        table = Table(rows, colWidths=[self.width - number_width, number_width], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("FONT", (0, 0), (-1, -1), st.font),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ]
            )
        )
        return [PageBreak(), _Para("Contents", st.h1), table, PageBreak()]

    # sections

    def section(self, key: str) -> list[Flowable]:
        return self.h1(rr.SECTION_TITLES[key]) + self.section_body(key)

    def section_body(self, key: str) -> list[Flowable]:
        """A section of the pack without its heading (another document heads it)."""
        built: list[Flowable] = getattr(self, f"_{key}")()
        return built

    def _about(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = [_pairs(st, ps.about_facts(d), self.width)]
        out.append(self.h2("Parents and carers"))
        contacts = ps.parent_contacts(d)
        if not contacts:
            out.append(st.p(ps.NO_PARENT_CONTACTS, st.muted))
        for heading, pairs in contacts:
            out.append(st.p(escape(heading), st.h3))
            out.append(_pairs(st, pairs, self.width))
        r = d.request
        if r is not None:
            out.append(self.h2("The request"))
            out.append(_pairs(st, ps.request_facts(r), self.width))
            out.append(self.h2("Why now"))
            out.append(st.user(r.why_now))
        out.append(self.h2("The school's named contact"))
        out.append(_pairs(st, ps.school_contact_facts(d), self.width))
        out.append(self.h2("Sign-off"))
        out.append(_pairs(st, ps.sign_off_facts(d), self.width))
        history = ps.history_grid(d)
        if history is not None:
            out.append(self.h2("SEN register history"))
            out.append(self.grid(history))
        return out

    def _views(self) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = []
        for heading, text, source in ps.views(self.data):
            out.append(self.h2(heading))
            out.append(st.user(text))
            if source:
                out.append(st.p(escape(source), st.muted))
        return out

    def _needs(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = [self.grid_or(ps.needs_grid(d), ps.NO_NEEDS)]
        for area, parts in ps.need_profiles(d):
            out.append(self.h2(area, toc=True))
            if parts is None:
                out.append(st.p(ps.NO_PROFILE, st.muted))
                continue
            for label, text in parts:
                out.append(st.p(label, st.h3))
                out.append(st.user(text))
        return out

    def _attendance(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = []
        summary = ps.attendance_summary(d)
        if summary is not None:
            out.append(st.p(_markup(summary)))
        out.append(self.grid_or(ps.attendance_grid(d), ps.NO_ATTENDANCE))
        return out

    def _attainment(self) -> list[Flowable]:
        st = self.st
        trends = ps.attainment_grid(self.data)
        older = ps.older_attainment(self.data)
        out: list[Flowable] = (
            [st.p(ps.ATTAINMENT_NOTE), self.grid(trends)]
            if trends is not None
            else [st.p(ps.NO_ATTAINMENT, st.muted)]
        )
        if older is not None:
            out.append(st.p(_markup(older)))
        return out

    def _graduated_response(self) -> list[Flowable]:
        st, d = self.st, self.data
        began: list[Flowable] = []
        if (concerns := ps.concerns_grid(d)) is not None:
            began = [st.p(ps.CONCERNS, st.h3), self.grid(concerns)]
        if not d.plans:
            return [*began, st.p(ps.NO_CYCLES, st.muted)]
        out: list[Flowable] = [
            *began,
            st.p(_markup(ps.cycles_summary(d))),
            self.grid(ps.cycles_grid(d)),
        ]
        return out + self.cycles(d.plans)

    def cycles(self, plans: Sequence[PlanDetail]) -> list[Flowable]:
        """Each cycle in full: assess, plan, do, the views then, and its review."""
        st = self.st
        out: list[Flowable] = []
        for plan in plans:
            out.append(self.h2(ps.cycle_heading(plan), toc=True))
            out.append(st.p(ps.ASSESS, st.h3))
            out.append(st.user(plan.assessment))
            out.append(st.p(ps.PLAN, st.h3))
            out.append(self.grid_or(ps.outcomes_grid(plan), ps.NO_OUTCOMES))
            out.append(st.p(ps.DO, st.h3))
            out.append(self.grid_or(ps.provision_grid(plan), ps.NO_PROVISION))
            views = ps.cycle_views(plan)
            if views:
                out.append(st.p(ps.VIEWS_THEN, st.h3))
                out += [st.p(_markup(view)) for view in views]
            out.append(st.p(ps.REVIEW, st.h3))
            if plan.reviewed_on is None:
                out.append(st.p(ps.not_reviewed(plan), st.muted))
            else:
                out.append(st.user(plan.review_summary))
                next_steps = ps.next_steps(plan)
                if next_steps is not None:
                    out.append(st.p(_markup(next_steps)))
        return out

    def _interventions(self) -> list[Flowable]:
        st, d = self.st, self.data
        summary = ps.interventions_grid(d)
        if summary is None:
            return [st.p(ps.NO_INTERVENTIONS, st.muted)]
        out: list[Flowable] = [self.grid(summary)]
        for r in d.interventions:
            pr = r.progress
            block: list[Flowable] = []
            block.append(self.h2(r.title, toc=True))
            block.append(st.p(escape(ps.intervention_about(r)), st.small))
            chart = measure_chart(pr, self.width, 52 * mm)
            if chart is not None:
                block.append(chart)
                unit = pr.measure[:1].upper() + pr.measure[1:]
                legend = f"{unit} over time (entry and exit labelled)."
                if pr.measure_kind == "age_months":
                    legend += (
                        " The dashed line is age-expected progress from the entry: a month "
                        "gained for every month that passed."
                    )
                block.append(st.p(legend, st.muted))
            else:
                points = "; ".join(
                    f"{day_text(p.on)}: {pr.formatted(p.value)}"
                    + (f" ({p.label})" if p.label else "")
                    for p in pr.points
                )
                block.append(st.p(escape(points or "No measures recorded."), st.muted))
            block.append(st.p(_markup(ps.verdict(r))))
            out.append(KeepTogether(block))  # a chart is no use a page away from its name
        return out

    def _provision_costs(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = []
        against = ps.against_threshold(d)
        if against is not None:
            out.append(st.p(_markup(against)))
        out.append(self.h2(ps.PLANNED))
        summary = ps.planned_summary(d)
        if summary is not None:
            out.append(st.p(_markup(summary)))
        out.append(self.grid_or(ps.planned_grid(d), ps.NO_PLANNED))
        note = ps.uncosted_note(d)
        if note is not None:
            out.append(st.p(_markup(note), st.muted))
        out.append(self.h2(ps.DELIVERED_HEADING))
        out.append(st.p(_markup(ps.costs_summary(d))))
        out.append(self.grid_or(ps.costs_grid(d), ps.NO_SESSIONS))
        return out

    def _professional_advice(self) -> list[Flowable]:
        st, d = self.st, self.data
        if not d.involvements:
            return [st.p(ps.NO_INVOLVEMENTS, st.muted)]
        out: list[Flowable] = []
        for inv in d.involvements:
            out.append(self.h2(ps.involvement_heading(inv), toc=True))
            out.append(_pairs(st, ps.involvement_facts(d, inv, self.doc.kind.noun), self.width))
            out.append(st.p(ps.ADVICE, st.h3))
            out.append(st.user(inv.advice))
        return out

    def _health_social_care(self) -> list[Flowable]:
        st = self.st
        parts = ps.health_and_social_care(self.data)
        if parts is None:
            return [st.p(ps.NO_HEALTH_RECORDED, st.muted)]
        if not parts:
            return [st.p(ps.NO_HEALTH_KNOWN)]
        out: list[Flowable] = []
        for heading, text in parts:
            out.append(self.h2(heading))
            out.append(st.user(text))
        return out

    def _evidence_index(self) -> list[Flowable]:
        st = self.st
        if not self.prepared:
            return [st.p(ps.NO_EVIDENCE, st.muted)]
        out: list[Flowable] = [
            st.p(
                "The documents follow the written sections in this order. Each appended "
                "page is marked at its foot with the document's number (E1, E2…) and its "
                f"page in the {self.doc.kind.noun}. The SHA-256 is the fingerprint taken when "
                "the document was stored: the copy appended was checked against it."
            )
        ]

        rows = []
        for item in self.prepared:
            c = item.appendix.choice
            pages: object = (
                _PageRef(f"range:{item.appendix.label}", 24 * mm, st.cell, "left")
                if item.pages
                else ps.NOT_APPENDED
            )
            sha = f"{c.sha256[:32]}\n{c.sha256[32:]}"
            kind = escape(ps.evidence_kind(c))
            note = (
                f"<br/><font color='{MISSING.hexval()}'>{escape(item.note)}</font>"
                if item.note
                else ""
            )
            rows.append(
                (
                    item.appendix.label,
                    _Para(
                        f"{escape(c.title)}<br/><font color='{MUTED.hexval()}'>{kind}</font>{note}",
                        st.cell,
                    ),
                    day_text(c.document_date),
                    pages,
                    _Para(_text(sha), st.hash),
                )
            )
        out.append(
            _table(
                st,
                ("", "Document", "Dated", "Pages", "SHA-256"),
                rows,
                [w * self.width for w in (0.06, 0.37, 0.13, 0.14, 0.30)],
            )
        )
        return out


def page_ranges(
    body_pages: int, prepared: Sequence[_Prepared]
) -> dict[str, tuple[int, int] | None]:
    """Each appended document's first and last page in the pack (None: listed only)."""
    out: dict[str, tuple[int, int] | None] = {}
    page = body_pages
    for item in prepared:
        if item.pages:
            out[item.appendix.label] = (page + 1, page + item.pages)
            page += item.pages
        else:
            out[item.appendix.label] = None
    return out


# --- assembling ----------------------------------------------------------------------------


def _image_pages(
    items: Sequence[_Prepared], stamps: dict[str, str], font: str, bold: str
) -> PdfReader | None:
    """One A4 page per image, scaled to fit under a caption, with its line at the foot
    (the stamp other appended pages get); None when there are no images."""
    images = [i for i in items if i.kind == "image"]
    if not images:
        return None
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    width, height = A4
    for item in images:
        c = item.appendix.choice
        canvas.setFont(bold, 11)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, height - MARGIN, f"{item.appendix.label}  {c.title}")
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN,
            height - MARGIN - 12,
            f"{c.kind}, dated {day_text(c.document_date)} · {c.filename}",
        )
        iw, ih = item.image.getSize()
        box_w = width - 2 * MARGIN
        box_h = height - 2 * MARGIN - 22 - FOOTER
        scale = min(box_w / iw, box_h / ih)
        w, h = iw * scale, ih * scale
        canvas.drawImage(item.image, MARGIN + (box_w - w) / 2, height - MARGIN - 22 - h, w, h)
        canvas.setFont(font, 7)
        canvas.setFillColor(INK)
        canvas.drawString(STAMP_INSET, STAMP_INSET, stamps[item.appendix.label])
        canvas.showPage()
    canvas.save()
    buffer.seek(0)
    return PdfReader(buffer)


def _pdf_stamp_lines(
    prepared: Sequence[_Prepared], body_pages: int, noun: str = PACK.noun
) -> list[tuple[int, str]]:
    """The line at the foot of each appended PDF page, by its page index in the pack."""
    ranges = page_ranges(body_pages, prepared)
    total = body_pages + sum(i.pages for i in prepared)
    lines: list[tuple[int, str]] = []
    for item in prepared:
        label, c = item.appendix.label, item.appendix.choice
        span = ranges[label]
        if item.kind != "pdf" or span is None:
            continue
        for k in range(item.pages):
            lines.append(
                (
                    span[0] - 1 + k,
                    f"{label} · {c.title} · page {k + 1} of {item.pages} · "
                    f"{noun} page {span[0] + k} of {total}",
                )
            )
    return lines


def _font_name(fonts: DictionaryObject, wanted: str, font: IndirectObject) -> NameObject:
    """The name ``font`` has, or is given, in a page's font resources: "/SENDesk" and the
    pack's own name for it, numbered on when that name means another font there (a page of
    an earlier pack, appended as evidence)."""
    base = "/SENDesk" + "".join(ch if ch.isalnum() else "_" for ch in wanted)
    name, n = base, 0
    while name in fonts and fonts.raw_get(name) != font:
        n += 1
        name = f"{base}_{n}"
    fonts[NameObject(name)] = font
    return NameObject(name)


def _stamp(
    writer: PdfWriter, lines: Sequence[tuple[int, str]], encoded: dict[str, _Encoded]
) -> None:
    """Put each line at the foot of its page (by index) of ``writer``, over what is there.

    The line is drawn by a small content stream added after the page's own, which is left
    as it is and wrapped in q…Q so that whatever state it leaves cannot move or hide the
    line; the text is in the pack's own font (``encoded``: the runs the written part's
    font subsets give it), which the page's font resources are given under a name of their
    own. Nothing of the appended page is decoded or parsed, so stamping costs the same for
    a scanned page as for a blank one.
    """
    if not lines:
        return
    body_fonts = writer.pages[0]["/Resources"]["/Font"].get_object()
    opening = writer._add_object(DecodedStreamObject())  # pypdf has no public way to add one
    opening.get_object().set_data(b"q\n")
    ink = fp_str(INK.red, INK.green, INK.blue)
    for index, text in lines:
        page = writer.pages[index]
        if page.rotation:
            page.transfer_rotation_to_content()  # draw the stamp upright as the page shows
        box = page.mediabox
        width, left, bottom = float(box.width), float(box.left), float(box.bottom)
        line = encoded[text]
        if "/Resources" not in page:
            page[NameObject("/Resources")] = DictionaryObject()
        resources = page["/Resources"].get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        fonts = resources["/Font"].get_object()
        x = min(STAMP_INSET, width / 20)  # inside a printer's margin, on any page size
        runs = " ".join(
            f"{_font_name(fonts, name, body_fonts.raw_get('/' + name))} {STAMP_SIZE} Tf "
            f"<{codes.hex()}> Tj"
            for name, codes in line.runs
        )
        closing = DecodedStreamObject()
        closing.set_data(
            (
                f"\nQ\nq 1 0 0 1 {fp_str(left, bottom)} cm 1 1 1 rg "
                f"{fp_str(x - 4, x - 3, line.width + 8, 11)} re f {ink} rg "
                f"BT {fp_str(x, x)} Td {runs} ET Q\n"
            ).encode("ascii")
        )
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        if isinstance(contents, StreamObject):  # a stream held in the page itself
            contents = writer._add_object(contents)
        own = (
            []
            if contents is None
            else list(contents)
            if isinstance(contents, ArrayObject)
            else [contents]
        )
        page[NameObject("/Contents")] = ArrayObject([opening, *own, writer._add_object(closing)])


def write_pack_pdf(
    data: PackData,
    appendices: Sequence[Appendix],
    dest: Path,
    *,
    step: Callable[[], None] = lambda: None,
) -> WrittenPdf:
    """Write the pack to ``dest`` (the caller's temporary name); returns what was written.

    ``step`` is called once per section per counted layout pass, once per appended
    document and once when the file is written (:func:`steps_needed` in all); it may raise
    (a cancel) to stop the build.
    """

    def story(body: PackBody) -> tuple[list[Flowable], list[Flowable]]:
        sections: list[Flowable] = []
        for key in data.sections:
            sections += body.section(key)
        return body.cover(), sections

    return write_pdf(
        data,
        appendices,
        dest,
        kind=PACK,
        subject=f"Request pack produced {day_text(data.produced_on)}",
        story=story,
        step=step,
    )


def write_pdf(
    data: PackData,
    appendices: Sequence[Appendix],
    dest: Path,
    *,
    kind: PdfKind,
    subject: str,
    story: Callable[[PackBody], tuple[list[Flowable], list[Flowable]]],
    step: Callable[[], None] = lambda: None,
) -> WrittenPdf:
    """A document laid out as the pack is: ``story(body)`` gives its cover and its
    sections (made with ``body``), a contents page goes between them, and the evidence
    ``appendices`` follow, each page marked at its foot. Used by the pack and by the
    leaver's SEN file, so both lay out and append evidence the same way."""
    font, bold = register_fonts()
    prepared = [_prepare(a, kind.noun) for a in appendices]
    appended = sum(i.pages for i in prepared)
    buffer = io.BytesIO()
    doc = _PackDoc(
        buffer,
        data,
        prepared,
        step,
        lambda body_pages: [text for _, text in _pdf_stamp_lines(prepared, body_pages, kind.noun)],
        kind=kind,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=kind.title,
        author="SENDesk",
        subject=subject,
        creator="SENDesk",
        initialFontName=font,  # not Helvetica: every page's text is in the embedded font
    )
    body = PackBody(doc, data, prepared)
    cover, sections = story(body)
    doc.build(
        [*cover, *body.contents(), *sections],
        canvasmaker=lambda *a, **kw: _PackCanvas(*a, doc=doc, **kw),
    )
    body_pages = doc.body_pages
    ranges = page_ranges(body_pages, prepared)
    total = body_pages + appended

    buffer.seek(0)
    writer = PdfWriter(clone_from=PdfReader(buffer))
    image_stamps = {
        item.appendix.label: (
            f"{item.appendix.label} · {item.appendix.choice.title} · {kind.noun} page "
            f"{span[0]} of {total}"
        )
        for item in prepared
        if item.kind == "image" and (span := ranges[item.appendix.label]) is not None
    }
    images = _image_pages(prepared, image_stamps, font, bold)
    image_index = 0
    for item in prepared:
        label, c = item.appendix.label, item.appendix.choice
        span = ranges[label]
        if item.kind == "pdf" and item.reader is not None and span is not None:
            with _pypdf_messages() as messages:
                writer.append(item.reader, outline_item=f"{label}  {c.title}", import_outline=False)
            if messages and not item.note:
                item.note = _faults_note(messages)
        elif item.kind == "image" and images is not None and span is not None:
            writer.append(
                images,
                pages=(image_index, image_index + 1),
                outline_item=f"{label}  {c.title}",
                import_outline=False,
            )
            image_index += 1
        step()
    _stamp(writer, _pdf_stamp_lines(prepared, body_pages, kind.noun), doc.stamps)
    writer.add_metadata({"/Title": kind.title, "/Author": "SENDesk"})
    with open(dest, "wb") as fh:
        writer.write(fh)
    step()
    notes = {i.appendix.label: i.note for i in prepared if i.note}
    return WrittenPdf(pages=total, body_pages=body_pages, ranges=ranges, notes=notes)


__all__ = [
    "PACK",
    "Appendix",
    "PackBody",
    "PdfKind",
    "WrittenPdf",
    "page_ranges",
    "steps_needed",
    "write_pack_pdf",
    "write_pdf",
]
