"""The request pack's written sections as a Word document (DOCX).

Many LAs want their own request form filled in, or the text pasted into their portal; a
PDF is a poor source for that. So the same sections as the PDF, in the same (the LA's)
order, go into a DOCX with real Word headings (the built-in "Heading 1"/"Heading 2"
styles, so Word's navigation pane and contents field work) and real tables, which paste
into another form cell by cell. Charts become tables of the measures; the evidence itself
is not copied in — the index gives each document's pages in the PDF pack and its SHA-256.

Fonts: a DOCX names its font rather than carrying it, so the document names Arial, which
Windows and macOS both have and which covers Latin Extended, Greek and Cyrillic, for every
script slot (ASCII, high ANSI, complex script, East Asian) and for the heading styles too
(Word's defaults point headings at the theme's font and switch fonts per script); a
pupil's name in any of those scripts then shows in one consistent face.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from sendesk.rules import readiness as rr
from sendesk.services.pack import PackData
from sendesk.services.support_plans import RESULTS

FONT = "Arial"
ACCENT = RGBColor(0x1A, 0x4F, 0x9C)
MUTED = RGBColor(0x5A, 0x5A, 0x5A)
NOTHING = "Nothing recorded."
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


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def _money(pence: int) -> str:
    return rr.money(Decimal(pence) / 100)


def _hours(minutes: float) -> str:
    hours = minutes / 60
    return f"{hours:,.1f}".rstrip("0").rstrip(".") if hours else "0"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for a w:t element: escaped, and without the control characters XML forbids."""
    return escape(_NOT_XML.sub("", text))


def _set_font(style: Any, name: str = FONT) -> None:
    """Name ``name`` for every script slot of ``style``, dropping theme fonts."""
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


class _Writer:
    def __init__(self, data: PackData, ranges: dict[str, tuple[int, int] | None]) -> None:
        self.data = data
        self.ranges = ranges
        self.doc: DocxDocument = Document()
        styles = self.doc.styles
        self.ids = {name: styles[name].style_id for name in _STYLES}
        for name in _STYLES:
            if name != "Table Grid":
                _set_font(styles[name])
        styles["Normal"].font.size = Pt(10)
        for name in ("Heading 1", "Heading 2", "Title"):
            styles[name].font.color.rgb = ACCENT
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(18))
        footer = section.footer.paragraphs[0]
        run = footer.add_run(
            f"{data.school_name} · EHC needs assessment request · UPN {data.pupil.upn} · "
            f"produced by SENDesk on {_d(data.produced_on)}. Confidential: special-category "
            "personal data about a child."
        )
        run.font.size = Pt(7.5)
        run.font.color.rgb = MUTED
        props = self.doc.core_properties
        props.title = "EHC needs assessment request"
        props.author = "SENDesk"
        props.comments = ""

    # building blocks (styles are set by id: python-docx's lookup by name costs a scan of
    # every style each time, a third of the whole build)

    def styled(self, text: str, style: str) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        paragraph._p.style = self.ids[style]
        if text:
            paragraph.add_run(text)
        return paragraph

    def h1(self, text: str) -> None:
        self.styled(text, "Heading 1")

    def h2(self, text: str) -> None:
        self.styled(text, "Heading 2")

    def h3(self, text: str) -> None:
        self.styled(text, "Heading 3")

    def bullet(self, text: str, *, level: int = 1) -> None:
        self.styled(text, "List Bullet" if level == 1 else "List Bullet 2")

    def para(self, text: str, *, muted: bool = False, bold: bool = False) -> None:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        if muted:
            run.font.color.rgb = MUTED

    def user(self, text: str) -> None:
        """Text a user typed: each line its own paragraph; "Nothing recorded." if empty."""
        lines = [line.strip() for line in text.strip().splitlines()]
        if not any(lines):
            self.para(NOTHING, muted=True)
            return
        for line in lines:
            if line:
                self.doc.add_paragraph(line)

    def _grid(
        self,
        values: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        bold_rows: Collection[int] = (),
        bold_columns: Collection[int] = (),
        header: bool = False,
    ) -> Table:
        """A "Table Grid" table of ``values`` (lines in a value become paragraphs).

        The rows are written as WordprocessingML and parsed once: python-docx's cell-by-cell
        calls took half of the DOCX's time for a long history.
        """
        table = self.doc.add_table(rows=0, cols=len(widths))
        table._tbl.tblPr.style = self.ids["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        twips = [round(TEXT_WIDTH_MM * share / 25.4 * 1440) for share in widths]
        for column, width in zip(table.columns, twips, strict=True):
            column.width = Twips(width)
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
        parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows_xml)}</w:tbl>")
        for tr in list(parsed):
            table._tbl.append(tr)
        return table

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float] | None = None,
        *,
        total_row: bool = False,
    ) -> Table:
        """A table with a header row repeated on every page (and a bold total row)."""
        shares = widths or [1 / len(header)] * len(header)
        bold = {0, len(rows)} if total_row else {0}
        return self._grid([list(header), *rows], shares, bold_rows=bold, header=True)

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
        self.pairs(
            [
                ("Date of birth", f"{_d(p.dob)} (age {p.age})"),
                ("UPN", p.upn),
                ("Year group", p.year_text or "—"),
                ("School", d.school_name + (f" (URN {d.school_urn})" if d.school_urn else "")),
                ("Local authority", d.la.name or "—"),
                ("Pack produced", _d(d.produced_on)),
            ]
        )
        self.h1("Readiness check")
        missing, n = d.missing, len(d.readiness)
        if missing:
            self.para(f"Missing from this pack ({len(missing)} of {n}):", bold=True)
            for item in missing:
                self.bullet(f"{item.label} — {item.reason}")
                for line in item.detail:
                    self.bullet(line, level=2)
        else:
            self.para(f"Nothing a panel looks for is missing ({n} of {n} present).")
        present = [i for i in d.readiness if i.ok]
        if present:
            self.para(f"In this pack ({len(present)} of {n}):", bold=True)
            for item in present:
                self.bullet(f"{item.label} — {item.reason}")

    def about(self) -> None:
        d, p = self.data, self.data.pupil
        year = p.year_text or "—"
        if p.chronological_year_text:
            year += f" (by age: {p.chronological_year_text})"
        yes_no = {True: "Yes", False: "No"}
        provision = p.provision or "—"
        if p.provision_since:
            provision += f" since {_d(p.provision_since)}"
        self.pairs(
            [
                ("Name", p.name),
                ("Legal name", p.legal_name),
                ("Date of birth", f"{_d(p.dob)} (age {p.age})"),
                ("Gender", {"M": "Male", "F": "Female"}.get(p.gender or "", p.gender or "—")),
                ("UPN", p.upn),
                ("NHS number", p.nhs_number or "—"),
                ("Year group", year),
                ("Tutor group", p.reg_group or "—"),
                ("On roll since", _d(p.admission_date)),
                ("SEN provision", provision),
                ("English as an additional language", yes_no[p.eal]),
                ("Pupil premium", yes_no[p.pupil_premium]),
                ("Looked after", yes_no[p.looked_after]),
                ("Parental responsibility", "\n".join(p.parents) or "—"),
            ]
        )
        r = d.request
        if r is not None:
            self.h2("The request")
            self.pairs(
                [
                    ("Requested by", r.requested_by_label),
                    ("Local authority", r.la_name),
                    ("LA caseworker", r.caseworker or "—"),
                    ("Sent to the LA", _d(r.sent_on)),
                    ("Parental consent", _d(r.consent_on)),
                    ("Young person's consent", _d(r.young_person_consent_on)),
                ]
            )
            self.h2("Why now")
            self.user(r.why_now)
        if d.history:
            self.h2("SEN register history")
            self.table(
                ("Date", "Change", "From", "To", "Reason"),
                [
                    (
                        _d(h.on),
                        "SEN status" if h.kind == "status" else "Needs",
                        h.before or "—",
                        h.after,
                        h.reason or "",
                    )
                    for h in d.history
                ],
                (0.13, 0.12, 0.22, 0.22, 0.31),
            )

    def views(self) -> None:
        v = self.data.views
        self.h2("The child's or young person's views")
        self.user(v.pupil)
        if v.pupil_source:
            self.para(v.pupil_source, muted=True)
        self.h2("The parents' or carers' views")
        self.user(v.parents)
        if v.parents_source:
            self.para(v.parents_source, muted=True)

    def needs(self) -> None:
        d = self.data
        if d.needs:
            self.table(
                ("Rank", "Type of need", "Area of need"),
                [
                    (
                        "Primary" if n.rank == 1 else "Secondary" if n.rank == 2 else str(n.rank),
                        f"{n.description} ({n.code})" if n.description else n.code,
                        n.area or "—",
                    )
                    for n in d.needs
                ],
                (0.14, 0.5, 0.36),
            )
        else:
            self.para("No type of need is recorded on the register.", muted=True)
        profiles = {p.area: p for p in d.profiles}
        for area in dict.fromkeys([*(n.area for n in d.needs if n.area), *profiles]):
            self.h2(area)
            profile = profiles.get(area)
            if profile is None:
                self.para("No description of needs in this area is recorded.", muted=True)
                continue
            for label, text in (
                ("Strengths", profile.strengths),
                ("What the child finds hard", profile.difficulties),
                ("What helps", profile.strategies),
            ):
                self.h3(label)
                self.user(text)

    def attendance(self) -> None:
        d = self.data
        year = d.attendance_year
        if year.percentage is not None:
            to = f", to {_d(d.attendance_to)}" if d.attendance_to else ""
            self.para(
                f"Attendance over the last year: {year.percentage:.1f}% "
                f"({year.attended_sessions:,} of {year.possible_sessions:,} sessions{to})."
            )
        if not d.attendance_terms:
            self.para("No attendance is recorded.", muted=True)
            return
        self.table(
            ("Term", "Began", "Possible sessions", "Attended", "Attendance"),
            [
                (
                    t.term,
                    _d(t.term_start),
                    f"{t.possible_sessions:,}",
                    f"{t.attended_sessions:,}",
                    f"{t.percentage:.1f}%",
                )
                for t in d.attendance_terms
            ],
        )

    def attainment(self) -> None:
        d = self.data
        if not d.attainment:
            self.para("No attainment data is recorded.", muted=True)
            return

        def point(pt: Any) -> str:
            if pt is None:
                return "—"
            expected = f" (expected {pt.expected})" if pt.expected else ""
            return f"{pt.value}{expected}\n{_d(pt.taken_on)}"

        self.table(
            ("Subject", "Measure", "12 months ago", "6 months ago", "Now"),
            [
                (
                    t.subject,
                    t.measure,
                    point(t.twelve_months_ago),
                    point(t.six_months_ago),
                    point(t.now),
                )
                for t in d.attainment
            ],
        )

    def graduated_response(self) -> None:
        d = self.data
        if not d.plans:
            self.para("No assess–plan–do–review cycles are recorded.", muted=True)
            return
        reviewed = sum(1 for p in d.plans if p.reviewed_on is not None)
        self.para(
            f"{len(d.plans)} assess–plan–do–review cycle{'s' if len(d.plans) != 1 else ''}, "
            f"{reviewed} reviewed ({d.la.name or 'the LA'} looks for {d.la.reviewed_cycles})."
        )
        self.table(
            ("Cycle", "Started", "Reviewed", "Outcomes", "Achieved", "Partly", "Not yet"),
            [
                (
                    str(p.cycle),
                    _d(p.start_date),
                    _d(p.reviewed_on) if p.reviewed_on else f"due {_d(p.review_due)}",
                    str(len(p.outcomes)),
                    str(sum(1 for o in p.outcomes if o.result == "achieved")),
                    str(sum(1 for o in p.outcomes if o.result == "partly")),
                    str(sum(1 for o in p.outcomes if o.result == "not")),
                )
                for p in d.plans
            ],
        )
        for plan in d.plans:
            state = (
                f"reviewed {_d(plan.reviewed_on)}"
                if plan.reviewed_on
                else f"review due {_d(plan.review_due)}"
            )
            self.h2(f"Cycle {plan.cycle}: {_d(plan.start_date)}, {state}")
            self.h3("Assess: what started this cycle")
            self.user(plan.assessment)
            self.h3("Plan: outcomes")
            if plan.outcomes:
                self.table(
                    ("#", "Outcome", "Area", "Result", "Review comment"),
                    [
                        (
                            str(i),
                            o.text,
                            o.area,
                            RESULTS.get(o.result or "", "Not yet reviewed"),
                            o.review_comment,
                        )
                        for i, o in enumerate(plan.outcomes, start=1)
                    ],
                    (0.05, 0.39, 0.16, 0.13, 0.27),
                )
            else:
                self.para("No outcomes recorded.", muted=True)
            self.h3("Do: provision")
            if plan.provisions:
                self.table(
                    ("Kind", "Provision", "Minutes a week"),
                    [
                        (
                            p.kind_label,
                            p.description
                            + (f" ({p.intervention_name})" if p.intervention_name else ""),
                            str(p.minutes_per_week) if p.minutes_per_week else "—",
                        )
                        for p in plan.provisions
                    ],
                    (0.16, 0.66, 0.18),
                )
            else:
                self.para("No provision recorded.", muted=True)
            if plan.pupil_views.strip():
                self.para(f"The child's views: {plan.pupil_views.strip()}")
            if plan.parent_views.strip():
                self.para(f"Parents' views: {plan.parent_views.strip()}")
            self.h3("Review")
            if plan.reviewed_on is None:
                self.para(f"Not reviewed yet (due {_d(plan.review_due)}).", muted=True)
            else:
                self.user(plan.review_summary)
                if plan.next_steps.strip():
                    self.para(f"What changes next: {plan.next_steps.strip()}")

    def interventions(self) -> None:
        d = self.data
        if not d.interventions:
            self.para("No interventions are recorded.", muted=True)
            return
        rows = []
        for r in d.interventions:
            e, pr = r.enrolment, r.progress
            hours = r.hours
            hours_text = "—"
            if hours is not None:
                attended = (
                    _hours(hours.attended_minutes) if hours.attended_minutes is not None else "—"
                )
                hours_text = (
                    f"{_hours(hours.planned_minutes)} / {_hours(hours.delivered_minutes)} / "
                    f"{attended}"
                )
            rows.append(
                (
                    r.title,
                    f"{_d(e.start_date)} – {_d(e.end_date) if e.end_date else 'running'}",
                    pr.formatted(e.entry_measure) if e.entry_measure is not None else "—",
                    pr.formatted(e.exit_measure) if e.exit_measure is not None else "—",
                    hours_text,
                )
            )
        self.table(
            (
                "Intervention and group",
                "Dates",
                "Entry",
                "Exit",
                "Hours planned / delivered / attended",
            ),
            rows,
            (0.32, 0.22, 0.1, 0.1, 0.26),
        )
        for r in d.interventions:
            pr = r.progress
            self.h2(r.title)
            about = f"Measure: {pr.measure}."
            if r.staff_role:
                about += f" Led by: {r.staff_role}."
            if r.area:
                about += f" Area of need: {r.area}."
            self.para(about, muted=True)
            if pr.points:
                self.table(
                    ("Date", pr.measure[:1].upper() + pr.measure[1:], "When"),
                    [(_d(p.on), pr.formatted(p.value), p.label or "during") for p in pr.points],
                    (0.25, 0.4, 0.35),
                )
            self.para(f"Verdict: {pr.verdict_text}")

    def provision_costs(self) -> None:
        d = self.data
        c = d.costs
        self.para(
            f"Provision delivered from {_d(c.period_start)} to {_d(c.period_end)}, from the "
            "sessions staff logged as held and the pupil attended. A group's staff time is "
            "shared among the pupils present."
        )
        if c.lines:
            rows: list[tuple[str, ...]] = [
                (
                    ln.intervention,
                    ln.area,
                    ln.staff_role or "—",
                    _money(ln.cost_per_hour_pence),
                    str(ln.sessions),
                    _hours(ln.minutes),
                    _money(ln.cost_pence),
                )
                for ln in c.lines
            ]
            rows.append(
                (
                    "Total",
                    "",
                    "",
                    "",
                    str(sum(ln.sessions for ln in c.lines)),
                    _hours(c.total_minutes),
                    _money(c.total_pence),
                )
            )
            self.table(
                ("Intervention", "Area", "Staff", "Rate an hour", "Sessions", "Hours", "Cost"),
                rows,
                (0.24, 0.2, 0.16, 0.1, 0.1, 0.08, 0.12),
                total_row=True,
            )
        else:
            self.para("No sessions were logged for this pupil in the period.", muted=True)
        threshold = rr.money(c.threshold)
        if c.la_rate_cost is not None and c.la_rate_per_hour is not None:
            self.para(
                f"At {d.la.name}'s rate of {rr.money(c.la_rate_per_hour)} an hour, the current "
                f"plan's {c.planned_minutes_per_week:,} minutes a week for {c.weeks_per_year} "
                f"weeks cost {rr.money(c.la_rate_cost)} a year."
            )
        if c.lines or c.la_rate_cost is not None:
            compared = c.compared
            if compared > c.threshold:
                verdict = f"{rr.money(compared - c.threshold)} above"
            elif compared == c.threshold:
                verdict = "exactly"
            else:
                verdict = f"{rr.money(c.threshold - compared)} below"
            self.para(
                f"Against the notional SEN threshold of {threshold} a year (the first "
                f"{threshold} of additional support is met from the school's own budget): "
                f"{rr.money(compared)}, {verdict} the threshold."
            )
        if d.plans:
            timed = [p for p in d.plans[-1].provisions if p.minutes_per_week]
            if timed:
                self.h2("Planned provision in the current cycle")
                self.table(
                    ("Provision", "Minutes a week"),
                    [(p.description, str(p.minutes_per_week)) for p in timed]
                    + [("Total", str(sum(p.minutes_per_week or 0 for p in timed)))],
                    (0.8, 0.2),
                    total_row=True,
                )

    def professional_advice(self) -> None:
        d = self.data
        if not d.involvements:
            self.para("No outside professionals' involvement is recorded.", muted=True)
            return
        for inv in d.involvements:
            self.h2(inv.agency + (f": {inv.professional}" if inv.professional else ""))
            docs = [lab for i in inv.document_ids if (lab := d.evidence_label(i))]
            self.pairs(
                [
                    ("Referred", _d(inv.referral_date)),
                    ("Seen", _d(inv.seen_date)),
                    ("Reports in this pack", ", ".join(docs) if docs else "None appended"),
                ]
            )
            self.h3("Advice")
            self.user(inv.advice)

    def health_social_care(self) -> None:
        r = self.data.request
        if r is None:
            self.para("No health or social care information is recorded.", muted=True)
            return
        if r.health_none_known and not (r.health_info.strip() or r.social_care_info.strip()):
            self.para("No health or social care involvement is known.")
            return
        self.h2("Health")
        self.user(r.health_info)
        self.h2("Social care")
        self.user(r.social_care_info)

    def evidence_index(self) -> None:
        d = self.data
        if not d.evidence:
            self.para("No evidence documents are appended.", muted=True)
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
            pages = (
                (f"{span[0]}–{span[1]}" if span[0] != span[1] else str(span[0]))
                if span
                else "Not appended"
            )
            kind = c.kind + (f", {c.agency}" if c.agency else "")
            rows.append((label, f"{c.title}\n{kind}", _d(c.document_date), pages, c.sha256))
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
    with open(dest, "wb") as fh:
        writer.doc.save(fh)
    step()


__all__ = ["FONT", "steps_needed", "write_pack_docx"]
