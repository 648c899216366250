"""The request pack's written sections as a Word document (DOCX).

Many LAs want their own request form filled in, or the text pasted into their portal; a
PDF is a poor source for that. So the same sections as the PDF, in the same (the LA's)
order, go into a DOCX with real Word headings (the built-in "Heading 1"/"Heading 2"
styles, so Word's navigation pane and contents field work) and real tables, which paste
into another form cell by cell. Charts become tables of the measures; the evidence itself
is not copied in — the index gives each document's pages in the PDF pack and its SHA-256.
The rows and sentences are :mod:`sendesk.reports.pack_sections`'s, the PDF's own, so what
is pasted from the DOCX is what the panel reads in the PDF.

The body is written as WordprocessingML text and parsed once into the document python-docx
opened: python-docx's paragraph, run and cell calls each search the XML around them, and
made up nearly all of the DOCX's time; the XML written is the XML those calls wrote.

Fonts: a DOCX names its font rather than carrying it, so the document names Arial, which
Windows and macOS both have and which covers Latin Extended, Greek and Cyrillic, for every
script slot (ASCII, high ANSI, complex script, East Asian) and for the heading styles too
(Word's defaults point headings at the theme's font and switch fonts per script); a
pupil's name in any of those scripts then shows in one consistent face.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from sendesk.reports import pack_sections as ps
from sendesk.reports.pack_sections import Grid, Sentence, day_text
from sendesk.reports.plain_document import DOCX_FONT, set_docx_font
from sendesk.rules import readiness as rr
from sendesk.services.ehc.pack import PackData

FONT = DOCX_FONT
ACCENT = RGBColor(0x1A, 0x4F, 0x9C)
MUTED = RGBColor(0x5A, 0x5A, 0x5A)
TEXT_WIDTH_MM = 174.0  # A4 less 18 mm margins
_STYLES = (
    "Normal",
    "Title",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "List Bullet 2",
    "Table Grid",
)


def steps_needed(data: PackData) -> int:
    """How many times :func:`write_pack_docx` calls ``step``."""
    return len(data.sections) + 1


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for a w:t element: escaped, and without the control characters XML forbids."""
    return escape(_NOT_XML.sub("", text))


def _run_text(text: str) -> str:
    """A run's content as python-docx writes ``run.text``: tabs as w:tab, line breaks as
    w:br, the rest in w:t elements (space-preserving when they start or end with space)."""
    out: list[str] = []
    for k, part in enumerate(re.split(r"(\t|\r|\n)", _NOT_XML.sub("", text))):
        if k % 2:
            out.append("<w:tab/>" if part == "\t" else "<w:br/>")
        elif part:
            space = ' xml:space="preserve"' if len(part.strip()) < len(part) else ""
            out.append(f"<w:t{space}>{escape(part)}</w:t>")
    return "".join(out)


def _run(
    text: str | None, *, bold: bool | None = None, italic: bool = False, muted: bool = False
) -> str:
    """A w:r: ``text`` (None: an empty run), bold (False: explicitly not), italic, grey."""
    props = ""
    if bold is not None:
        props += "<w:b/>" if bold else '<w:b w:val="0"/>'
    if italic:
        props += "<w:i/>"
    if muted:
        props += f'<w:color w:val="{MUTED}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{rpr}{_run_text(text) if text else ''}</w:r>"


def _paragraph(runs: str, style_id: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def _unused_table_styles(doc: DocxDocument, keep: Collection[str]) -> list[Any]:
    """The table styles of ``doc`` that neither ``keep`` (style ids) nor any style they are
    based on names: python-docx's default document defines all hundred of Word's, which
    Word itself only writes when a table uses one (it offers them all either way)."""
    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.iterchildren(qn("w:style"))}
    needed: set[str] = set()
    for style_id in keep:
        while style_id and style_id not in needed and style_id in by_id:
            needed.add(style_id)
            based = by_id[style_id].find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else ""
    default = {
        s.get(qn("w:styleId"))
        for s in by_id.values()
        if s.get(qn("w:type")) == "table" and s.get(qn("w:default")) in ("1", "true", "on")
    }
    return [
        s
        for style_id, s in by_id.items()
        if s.get(qn("w:type")) == "table" and style_id not in needed | default
    ]


@functools.cache
def _template() -> tuple[bytes, dict[str, str]]:
    """The empty document every pack's DOCX starts from, and its style ids by name.

    Made once a process (it is the same for every pupil): python-docx's default document
    with the pack's fonts, sizes and colours and an A4 page with 18 mm margins, less the
    table styles no pack uses (98 of its 100, nine tenths of its styles, which every
    pack would otherwise read, write and compress).
    """
    doc = Document()
    styles = doc.styles
    found = {name: styles[name] for name in _STYLES}
    for name, style in found.items():
        if name != "Table Grid":
            set_docx_font(style)
    found["Normal"].font.size = Pt(10)
    for name in ("Heading 1", "Heading 2", "Title"):
        found[name].font.color.rgb = ACCENT
    for style in _unused_table_styles(doc, [found["Table Grid"].style_id]):
        style.getparent().remove(style)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue(), {name: style.style_id for name, style in found.items()}


def house_document() -> tuple[DocxDocument, dict[str, str]]:
    """A new, empty document in the pack's house style (Arial for every script, A4 with
    18 mm margins, blue headings) and its style ids by name: SENDesk's other Word
    documents start from it, so every DOCX the school gets from SENDesk looks alike."""
    template, ids = _template()
    return Document(io.BytesIO(template)), dict(ids)


class _Writer:
    def __init__(self, data: PackData, ranges: dict[str, tuple[int, int] | None]) -> None:
        self.data = data
        self.ranges = ranges
        template, self.ids = _template()
        self.doc: DocxDocument = Document(io.BytesIO(template))
        section = self.doc.sections[0]
        footer = section.footer.paragraphs[0]
        run = footer.add_run(
            f"{data.school_name} · EHC needs assessment request · UPN {data.pupil.upn} · "
            f"produced by SENDesk on {day_text(data.produced_on)}. Confidential: special-category "
            "personal data about a child."
        )
        run.font.size = Pt(7.5)
        run.font.color.rgb = MUTED
        props = self.doc.core_properties
        props.title = "EHC needs assessment request"
        props.author = "SENDesk"
        props.comments = ""
        self.body: list[str] = []  # the body's elements as XML, in order

    # building blocks: each appends an element's XML to ``body`` (styles by id:
    # python-docx's lookup by name scans every style each time)

    def styled(self, text: str, style: str) -> None:
        self.body.append(_paragraph(_run(text) if text else "", self.ids[style]))

    def h1(self, text: str) -> None:
        self.styled(text, "Heading 1")

    def h2(self, text: str) -> None:
        self.styled(text, "Heading 2")

    def h3(self, text: str) -> None:
        self.styled(text, "Heading 3")

    def bullet(self, text: str, *, level: int = 1) -> None:
        self.styled(text, "List Bullet" if level == 1 else "List Bullet 2")

    def para(self, text: str, *, muted: bool = False, bold: bool = False) -> None:
        self.body.append(_paragraph(_run(text, bold=bold, muted=muted)))

    def sentence(self, sentence: Sentence, *, style: str | None = None) -> None:
        """A paragraph of ``sentence``, each span a run in bold or italic as it says."""
        runs = "".join(
            _run(span.text, bold=True if span.bold else None, italic=span.italic)
            for span in sentence
        )
        self.body.append(_paragraph(runs, self.ids[style] if style is not None else None))

    def user(self, text: str) -> None:
        """Text a user typed: each line its own paragraph; "Nothing recorded." if empty."""
        lines = [line.strip() for line in text.strip().splitlines()]
        if not any(lines):
            self.para(ps.NOTHING, muted=True)
            return
        for line in lines:
            if line:
                self.body.append(_paragraph(_run(line)))

    def _grid(
        self,
        values: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        bold_rows: Collection[int] = (),
        bold_columns: Collection[int] = (),
        header: bool = False,
    ) -> None:
        """A "Table Grid" table of ``values`` (lines in a value become paragraphs), left
        aligned, with its columns' widths."""
        twips = [round(TEXT_WIDTH_MM * share / 25.4 * 1440) for share in widths]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        rows_xml = []
        for r, row in enumerate(values):
            cells = []
            for c, (value, width) in enumerate(zip(row, twips, strict=True)):
                bold = "<w:rPr><w:b/></w:rPr>" if r in bold_rows or c in bold_columns else ""
                lines = _xml_text(str(value if value is not None else "")).splitlines() or [""]
                paragraphs = "".join(
                    f'<w:p><w:r>{bold}<w:t xml:space="preserve">{line}</w:t></w:r></w:p>'
                    for line in lines
                )
                cells.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'
                )
            head = "<w:trPr><w:tblHeader/></w:trPr>" if header and r == 0 else ""
            rows_xml.append(f"<w:tr>{head}{''.join(cells)}</w:tr>")
        self.body.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.ids["Table Grid"]}"/>'
            '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="left"/>'
            '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
            'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows_xml)}</w:tbl>"
        )

    def finish(self) -> DocxDocument:
        """The document with the body written so far put in, before its page settings."""
        parsed = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.body)}</w:body>")
        body = self.doc.element.body
        end = body.sectPr
        for element in list(parsed):
            if end is not None:
                end.addprevious(element)
            else:
                body.append(element)
        self.body.clear()
        return self.doc

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float] | None = None,
        *,
        total_row: bool = False,
    ) -> None:
        """A table with a header row repeated on every page (and a bold total row)."""
        shares = widths or [1 / len(header)] * len(header)
        bold = {0, len(rows)} if total_row else {0}
        self._grid([list(header), *rows], shares, bold_rows=bold, header=True)

    def grid(self, grid: Grid) -> None:
        self.table(grid.header, grid.rows, grid.widths, total_row=grid.total_row)

    def grid_or(self, grid: Grid | None, nothing: str) -> None:
        """``grid`` as a table, or the sentence ``nothing`` in grey when there is none."""
        if grid is None:
            self.para(nothing, muted=True)
        else:
            self.grid(grid)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        """Labels (bold) and values, two columns, no header."""
        self._grid([(k, v or "—") for k, v in rows], (0.32, 0.68), bold_columns={0})

    # the document

    def cover(self) -> None:
        d, p = self.data, self.data.pupil
        self.styled("Request for an education, health and care needs assessment", "Title")
        self.para(p.name, bold=True)
        if p.legal_name != p.name:
            self.para(f"Legal name: {p.legal_name}")
        self.pairs(ps.cover_facts(d))
        self.h1("Readiness check")
        self.sentence(ps.missing_summary(d))
        for item in d.missing:
            self.sentence(ps.readiness_line(item), style="List Bullet")
            for line in item.detail:
                self.bullet(line, level=2)
        present = ps.present_summary(d)
        if present is not None:
            self.sentence(present)
            for item in d.readiness:
                if item.ok:
                    self.sentence(ps.readiness_line(item), style="List Bullet")

    def about(self) -> None:
        d = self.data
        self.pairs(ps.about_facts(d))
        self.h2("Parents and carers")
        contacts = ps.parent_contacts(d)
        if not contacts:
            self.para(ps.NO_PARENT_CONTACTS, muted=True)
        for heading, pairs in contacts:
            self.h3(heading)
            self.pairs(pairs)
        r = d.request
        if r is not None:
            self.h2("The request")
            self.pairs(ps.request_facts(r))
            self.h2("Why now")
            self.user(r.why_now)
        self.h2("The school's named contact")
        self.pairs(ps.school_contact_facts(d))
        self.h2("Sign-off")
        self.pairs(ps.sign_off_facts(d))
        history = ps.history_grid(d)
        if history is not None:
            self.h2("SEN register history")
            self.grid(history)

    def views(self) -> None:
        for heading, text, source in ps.views(self.data):
            self.h2(heading)
            self.user(text)
            if source:
                self.para(source, muted=True)

    def needs(self) -> None:
        d = self.data
        self.grid_or(ps.needs_grid(d), ps.NO_NEEDS)
        for area, parts in ps.need_profiles(d):
            self.h2(area)
            if parts is None:
                self.para(ps.NO_PROFILE, muted=True)
                continue
            for label, text in parts:
                self.h3(label)
                self.user(text)

    def attendance(self) -> None:
        d = self.data
        summary = ps.attendance_summary(d)
        if summary is not None:
            self.sentence(summary)
        self.grid_or(ps.attendance_grid(d), ps.NO_ATTENDANCE)

    def attainment(self) -> None:
        trends = ps.attainment_grid(self.data)
        if trends is None:
            self.para(ps.NO_ATTAINMENT, muted=True)
        else:
            self.para(ps.ATTAINMENT_NOTE)
            self.grid(trends)
        older = ps.older_attainment(self.data)
        if older is not None:
            self.sentence(older)

    def graduated_response(self) -> None:
        d = self.data
        if (concerns := ps.concerns_grid(d)) is not None:
            self.h3(ps.CONCERNS)
            self.grid(concerns)
        if not d.plans:
            self.para(ps.NO_CYCLES, muted=True)
            return
        self.sentence(ps.cycles_summary(d))
        self.grid(ps.cycles_grid(d))
        for plan in d.plans:
            self.h2(ps.cycle_heading(plan))
            self.h3(ps.ASSESS)
            self.user(plan.assessment)
            self.h3(ps.PLAN)
            self.grid_or(ps.outcomes_grid(plan), ps.NO_OUTCOMES)
            self.h3(ps.DO)
            self.grid_or(ps.provision_grid(plan), ps.NO_PROVISION)
            views = ps.cycle_views(plan)
            if views:
                self.h3(ps.VIEWS_THEN)
                for view in views:
                    self.sentence(view)
            self.h3(ps.REVIEW)
            if plan.reviewed_on is None:
                self.para(ps.not_reviewed(plan), muted=True)
            else:
                self.user(plan.review_summary)
                next_steps = ps.next_steps(plan)
                if next_steps is not None:
                    self.sentence(next_steps)

    def interventions(self) -> None:
        d = self.data
        summary = ps.interventions_grid(d)
        if summary is None:
            self.para(ps.NO_INTERVENTIONS, muted=True)
            return
        self.grid(summary)
        for r in d.interventions:
            self.h2(r.title)
            self.para(ps.intervention_about(r), muted=True)
            measures = ps.measures_grid(r.progress)
            if measures is not None:  # the PDF's chart, as a table that pastes
                self.grid(measures)
            self.sentence(ps.verdict(r))

    def provision_costs(self) -> None:
        d = self.data
        against = ps.against_threshold(d)
        if against is not None:
            self.sentence(against)
        self.h2(ps.PLANNED)
        summary = ps.planned_summary(d)
        if summary is not None:
            self.sentence(summary)
        self.grid_or(ps.planned_grid(d), ps.NO_PLANNED)
        note = ps.uncosted_note(d)
        if note is not None:
            self.sentence(note)
        self.h2(ps.DELIVERED_HEADING)
        self.sentence(ps.costs_summary(d))
        self.grid_or(ps.costs_grid(d), ps.NO_SESSIONS)

    def professional_advice(self) -> None:
        d = self.data
        if not d.involvements:
            self.para(ps.NO_INVOLVEMENTS, muted=True)
            return
        for inv in d.involvements:
            self.h2(ps.involvement_heading(inv))
            self.pairs(ps.involvement_facts(d, inv))
            self.h3(ps.ADVICE)
            self.user(inv.advice)

    def health_social_care(self) -> None:
        parts = ps.health_and_social_care(self.data)
        if parts is None:
            self.para(ps.NO_HEALTH_RECORDED, muted=True)
            return
        if not parts:
            self.para(ps.NO_HEALTH_KNOWN)
            return
        for heading, text in parts:
            self.h2(heading)
            self.user(text)

    def evidence_index(self) -> None:
        d = self.data
        if not d.evidence:
            self.para(ps.NO_EVIDENCE, muted=True)
            return
        self.para(
            "The documents are appended to the PDF of this pack, after the written sections, "
            "at the pages given here. The SHA-256 is the fingerprint taken when each "
            "document was stored."
        )
        rows = []
        for n, c in enumerate(d.evidence, start=1):
            label = f"E{n}"
            span = self.ranges.get(label)
            pages = ps.span_text(span) if span else ps.NOT_APPENDED
            document = f"{c.title}\n{ps.evidence_kind(c)}"
            rows.append((label, document, day_text(c.document_date), pages, c.sha256))
        self.table(
            ("", "Document", "Dated", "Pages in the PDF", "SHA-256"),
            rows,
            (0.07, 0.36, 0.13, 0.14, 0.3),
        )


def write_pack_docx(
    data: PackData,
    ranges: dict[str, tuple[int, int] | None],
    dest: Path,
    *,
    step: Callable[[], None] = lambda: None,
) -> None:
    """Write the pack's written sections to ``dest`` (the caller's temporary name).

    ``ranges`` are the evidence documents' pages in the PDF, by label ("E1"). ``step`` is
    called after each section and once the file is saved (:func:`steps_needed`).
    """
    writer = _Writer(data, ranges)
    writer.cover()
    for key in data.sections:
        writer.h1(rr.SECTION_TITLES[key])
        getattr(writer, key)()
        step()
    document = writer.finish()
    with open(dest, "wb") as fh:
        document.save(fh)
    step()


__all__ = ["FONT", "house_document", "steps_needed", "write_pack_docx"]
