"""The request pack PDF's look: its colours and margins, its paragraph styles, and the
paragraphs and tables it is built of (:mod:`sendesk.reports.pack_pdf` lays the pack out
with them).

Paragraphs skip reportlab's markup parser for plain text and break their lines once per
width (:class:`Para`); a table cell is a plain string when it fits on one line
(:func:`table_cell`). Both matter: a pack has hundreds of each.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from sendesk.reports import pack_sections as ps
from sendesk.reports.pack_sections import Sentence
from sendesk.reports.pdf_layout import register_fonts

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


# --- text ---------------------------------------------------------------------------


def para_text(value: str) -> str:
    """User text for a Paragraph: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in value.strip().splitlines())


def sentence_markup(sentence: Sentence) -> str:
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


# --- styles ---------------------------------------------------------------------------------


class Styles:
    """The pack's paragraph styles, in its embedded font."""

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

    def p(self, text: str, style: ParagraphStyle | None = None) -> Para:
        return Para(text, style or self.body)

    def user(self, text: str, style: ParagraphStyle | None = None) -> Para:
        """A paragraph of text a user typed (escaped), or "Nothing recorded."."""
        if not text.strip():
            return Para(ps.NOTHING, self.muted)
        return Para(para_text(text), style or self.body)


_PLAIN: weakref.WeakKeyDictionary[ParagraphStyle, Any] = weakref.WeakKeyDictionary()


def plain_frags(text: str, style: ParagraphStyle) -> list[Any] | None:
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


class Para(Paragraph):
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
        frags = plain_frags(cleaned, style)
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


class Heading(Para):
    """A heading the contents page lists and the PDF's bookmarks point to; never split
    (a heading that does not fit moves whole to the next page)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(escape(text), style)
        self.toc_text = text
        self.toc_level = level
        self.toc_key = key

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []


def table_cell(value: object, style: ParagraphStyle, width: float) -> object:
    """A table cell: plain text when it fits on one line (reportlab draws a string cell
    several times faster than a Paragraph, and a pack has hundreds), else a Paragraph that
    wraps. Flowables are kept as they are."""
    if isinstance(value, Flowable):
        return value
    text = "" if value is None else str(value)
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 6.5:
        return text
    return Para(para_text(text), style)


CELL_PADDING: tuple[tuple[object, ...], ...] = (
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
)
"""Table style commands for the pack's tight cells, text at the top of each (every table
but the contents page's)."""


def cell_fonts(
    st: Styles, bold_rows: Sequence[int], bold_columns: Sequence[int] = ()
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


def data_table(
    st: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    total_row: bool = False,
) -> Table:
    """A table with a shaded header row repeated on every page it runs to; the last row
    bold and ruled above when ``total_row``."""
    data = [[table_cell(h, st.cell_bold, w) for h, w in zip(header, widths, strict=True)]]
    for i, row in enumerate(rows):
        style = st.cell_bold if total_row and i == len(rows) - 1 else st.cell
        data.append([table_cell(v, style, w) for v, w in zip(row, widths, strict=True)])
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        *cell_fonts(st, [0, -1] if total_row else [0]),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        *CELL_PADDING,
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    table.setStyle(TableStyle(commands))
    table.spaceBefore, table.spaceAfter = 2, 7
    return table


def pairs_table(st: Styles, rows: Sequence[tuple[str, str]], width: float) -> Table:
    """A two-column table of labels (bold) and values, no header."""
    widths = (width * 0.32, width * 0.68)
    data = [
        [table_cell(k, st.cell_bold, widths[0]), table_cell(v or "—", st.cell, widths[1])]
        for k, v in rows
    ]
    table = Table(data, colWidths=list(widths), hAlign="LEFT", spaceAfter=7)
    table.setStyle(
        TableStyle(
            [
                *cell_fonts(st, [], [0]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                *CELL_PADDING,
            ]
        )
    )
    return table
