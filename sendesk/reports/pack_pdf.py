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
module lays it out, in the styles, paragraphs and tables of
:mod:`sendesk.reports.pack_pdf_style`; reading the evidence documents and stamping their
pages is :mod:`sendesk.reports.pack_appendix`.

Text is DejaVu Sans (bundled; :func:`sendesk.reports.pdf_layout.register_fonts`) so every
Latin, Greek and Cyrillic name renders. All of it is assembled in memory; the only file
written is ``dest``, which the caller names beside the target and renames when complete.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
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
    Spacer,
    Table,
    TableStyle,
)

from sendesk.reports import pack_sections as ps
from sendesk.reports.pack_appendix import (
    Appendix,
    Encoded,
    Prepared,
    faults_note,
    image_pages,
    page_ranges,
    pdf_stamp_lines,
    prepare,
    pypdf_messages,
    stamp_pages,
)
from sendesk.reports.pack_charts import measure_chart
from sendesk.reports.pack_pdf_style import (
    FOOTER,
    INK,
    MARGIN,
    MISSING,
    MUTED,
    PRESENT,
    RULE,
    STAMP_SIZE,
    Heading,
    Para,
    Styles,
    data_table,
    pairs_table,
    para_text,
    sentence_markup,
)
from sendesk.reports.pack_sections import Grid, Sentence, day_text
from sendesk.reports.pdf_layout import register_fonts
from sendesk.rules import readiness as rr
from sendesk.services.ehc.pack import PackData
from sendesk.services.graduated.support_plans import PlanDetail


@dataclass(frozen=True)
class PdfKind:
    """Which document this layout writes: its title (the footer, the file's metadata) and
    what a reader calls it ("pack page 7 of 41" at the foot of appended pages)."""

    title: str
    noun: str


PACK = PdfKind("EHC needs assessment request", "pack")


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


# --- the document template -------------------------------------------------------------------


class _PackDoc(BaseDocTemplate):
    """A4 pages with a footer; records the page of every heading for the contents page.

    Numbers that are only known once the last page is laid out — a heading's page on the
    contents page, the pack's page count in the footer, the appended documents' pages in
    the index — are marked where they go (:class:`_PageRef`) and written in by
    :class:`_PackCanvas` just before saving. One layout pass, real numbers. So are the
    appended pages' stamp lines, which ``stamp_texts(body_pages)`` gives: encoded in the
    pack's font then (:attr:`stamps`), drawn by :func:`stamp_pages`.
    """

    def __init__(
        self,
        buffer: io.BytesIO,
        data: PackData,
        prepared: Sequence[Prepared],
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
        self.stamps: dict[str, Encoded] = {}
        self._step = step
        self.st = Styles()
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
        if isinstance(flowable, Heading) and flowable.toc_key not in self.heading_pages:
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

    def encode(self, text: str, font_name: str, size: float) -> Encoded:
        """``text`` in ``font_name`` as this document embeds it (new glyphs join the
        subsets written on saving)."""
        font = getFont(font_name)
        runs = tuple(
            (font.getSubsetInternalName(subset, self._doc)[1:], bytes(chunk))
            for subset, chunk in font.splitString(text, self._doc)
        )
        return Encoded(runs, stringWidth(text, font_name, size))

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

    def __init__(self, doc: _PackDoc, data: PackData, prepared: Sequence[Prepared]) -> None:
        self.doc = doc
        self.data = data
        self.st = doc.st
        self.width = doc.width
        self.prepared = prepared
        self.headings: list[Heading] = []

    def _heading(self, text: str, style: ParagraphStyle, level: int) -> Heading:
        heading = Heading(text, style, level, f"h{len(self.headings) + 1}")
        self.headings.append(heading)
        return heading

    def h1(self, text: str) -> list[Flowable]:
        return [CondPageBreak(70 * mm), self._heading(text, self.st.h1, 0)]

    def h2(self, text: str, *, toc: bool = False) -> Flowable:
        if toc:
            return self._heading(text, self.st.h2, 1)
        return Para(escape(text), self.st.h2)

    def grid(self, grid: Grid) -> Table:
        """``grid`` as a table across the text width."""
        widths = [w * self.width for w in grid.widths]
        return data_table(self.st, grid.header, grid.rows, widths, total_row=grid.total_row)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> Table:
        """Labels (bold) and values across the text width."""
        return pairs_table(self.st, rows, self.width)

    def sentence(self, sentence: Sentence, *, muted: bool = False) -> Flowable:
        """A :data:`Sentence` (its bold and italic runs kept) as a paragraph."""
        return self.st.p(sentence_markup(sentence), self.st.muted if muted else self.st.body)

    def grid_or(self, grid: Grid | None, nothing: str) -> Flowable:
        """``grid`` as a table, or the sentence ``nothing`` in grey when there is none."""
        return self.grid(grid) if grid is not None else self.st.p(nothing, self.st.muted)

    def parent_contacts(self) -> list[Flowable]:
        """ "Parents and carers": each contact's name and details, or a sentence saying
        none is recorded."""
        st = self.st
        out: list[Flowable] = [self.h2("Parents and carers")]
        contacts = ps.parent_contacts(self.data)
        if not contacts:
            out.append(st.p(ps.NO_PARENT_CONTACTS, st.muted))
        for heading, pairs in contacts:
            out.append(st.p(escape(heading), st.h3))
            out.append(self.pairs(pairs))
        return out

    # cover and contents

    def cover_top(self, kicker: str) -> list[Flowable]:
        """A cover's opening: what the document is (``kicker``), the child's name large,
        and their legal name when it is not the name they go by."""
        st, p = self.st, self.data.pupil
        out: list[Flowable] = [st.p(kicker, st.kicker), st.p(escape(p.name), st.name)]
        if p.legal_name != p.name:
            out.append(st.p(f"Legal name: {escape(p.legal_name)}", st.body))
        return out

    def cover(self) -> list[Flowable]:
        st, d = self.st, self.data
        out = self.cover_top("REQUEST FOR AN EDUCATION, HEALTH AND CARE NEEDS ASSESSMENT")
        out += [Spacer(1, 4 * mm), self.pairs(ps.cover_facts(d)), Spacer(1, 7 * mm)]
        out.append(st.p("Readiness check", st.h2))
        out.append(st.p(sentence_markup(ps.missing_summary(d)), st.body))
        for item in d.missing:
            out.append(self._item(item, "✗", MISSING))
        present = ps.present_summary(d)
        if present is not None:
            out.append(Spacer(1, 3 * mm))
            out.append(st.p(sentence_markup(present), st.body))
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
                + sentence_markup(ps.readiness_line(item)),
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
                    Para(f'<a href="#{h.toc_key}">{escape(h.toc_text)}</a>', style),
                    _PageRef(f"heading:{h.toc_key}", number_width, style, "right"),
                ]
            )
        for item in self.prepared:
            if item.pages:
                a = item.appendix
                rows.append(
                    [
                        Para(f"{a.label}  {escape(a.choice.title)}", st.toc[0]),
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
        return [PageBreak(), Para("Contents", st.h1), table, PageBreak()]

    # sections

    def section(self, key: str) -> list[Flowable]:
        return self.h1(rr.SECTION_TITLES[key]) + self.section_body(key)

    def section_body(self, key: str) -> list[Flowable]:
        """A section of the pack without its heading (another document heads it)."""
        built: list[Flowable] = getattr(self, f"_{key}")()
        return built

    def _about(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = [self.pairs(ps.about_facts(d)), *self.parent_contacts()]
        r = d.request
        if r is not None:
            out.append(self.h2("The request"))
            out.append(self.pairs(ps.request_facts(r)))
            out.append(self.h2("Why now"))
            out.append(st.user(r.why_now))
        out.append(self.h2("The school's named contact"))
        out.append(self.pairs(ps.school_contact_facts(d)))
        out.append(self.h2("Sign-off"))
        out.append(self.pairs(ps.sign_off_facts(d)))
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
            out.append(st.p(sentence_markup(summary)))
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
            out.append(st.p(sentence_markup(older)))
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
            st.p(sentence_markup(ps.cycles_summary(d))),
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
                out += [st.p(sentence_markup(view)) for view in views]
            out.append(st.p(ps.REVIEW, st.h3))
            if plan.reviewed_on is None:
                out.append(st.p(ps.not_reviewed(plan), st.muted))
            else:
                out.append(st.user(plan.review_summary))
                next_steps = ps.next_steps(plan)
                if next_steps is not None:
                    out.append(st.p(sentence_markup(next_steps)))
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
            block.append(st.p(sentence_markup(ps.verdict(r))))
            out.append(KeepTogether(block))  # a chart is no use a page away from its name
        return out

    def _provision_costs(self) -> list[Flowable]:
        st, d = self.st, self.data
        out: list[Flowable] = []
        against = ps.against_threshold(d)
        if against is not None:
            out.append(st.p(sentence_markup(against)))
        out.append(self.h2(ps.PLANNED))
        summary = ps.planned_summary(d)
        if summary is not None:
            out.append(st.p(sentence_markup(summary)))
        out.append(self.grid_or(ps.planned_grid(d), ps.NO_PLANNED))
        note = ps.uncosted_note(d)
        if note is not None:
            out.append(st.p(sentence_markup(note), st.muted))
        out.append(self.h2(ps.DELIVERED_HEADING))
        out.append(st.p(sentence_markup(ps.costs_summary(d))))
        out.append(self.grid_or(ps.costs_grid(d), ps.NO_SESSIONS))
        return out

    def _professional_advice(self) -> list[Flowable]:
        st, d = self.st, self.data
        if not d.involvements:
            return [st.p(ps.NO_INVOLVEMENTS, st.muted)]
        out: list[Flowable] = []
        for inv in d.involvements:
            out.append(self.h2(ps.involvement_heading(inv), toc=True))
            out.append(self.pairs(ps.involvement_facts(d, inv, self.doc.kind.noun)))
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
                    Para(
                        f"{escape(c.title)}<br/><font color='{MUTED.hexval()}'>{kind}</font>{note}",
                        st.cell,
                    ),
                    day_text(c.document_date),
                    pages,
                    Para(para_text(sha), st.hash),
                )
            )
        out.append(
            data_table(
                st,
                ("", "Document", "Dated", "Pages", "SHA-256"),
                rows,
                [w * self.width for w in (0.06, 0.37, 0.13, 0.14, 0.30)],
            )
        )
        return out


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
    prepared = [prepare(a, kind.noun) for a in appendices]
    appended = sum(i.pages for i in prepared)
    buffer = io.BytesIO()
    doc = _PackDoc(
        buffer,
        data,
        prepared,
        step,
        lambda body_pages: [text for _, text in pdf_stamp_lines(prepared, body_pages, kind.noun)],
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
    images = image_pages(prepared, image_stamps, font, bold)
    image_index = 0
    for item in prepared:
        label, c = item.appendix.label, item.appendix.choice
        span = ranges[label]
        if item.kind == "pdf" and item.reader is not None and span is not None:
            with pypdf_messages() as messages:
                writer.append(item.reader, outline_item=f"{label}  {c.title}", import_outline=False)
            if messages and not item.note:
                item.note = faults_note(messages)
        elif item.kind == "image" and images is not None and span is not None:
            writer.append(
                images,
                pages=(image_index, image_index + 1),
                outline_item=f"{label}  {c.title}",
                import_outline=False,
            )
            image_index += 1
        step()
    stamp_pages(writer, pdf_stamp_lines(prepared, body_pages, kind.noun), doc.stamps)
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
