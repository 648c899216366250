"""The annual SEN information report as an editable Word document (DOCX).

Every maintained school and academy must publish an SEN information report on its website
and update it every year (Children and Families Act 2014 section 69; SEND Code of Practice
6.79–6.83). What it must say is schedule 1 of the SEND Regulations 2014 (regulation 51):
thirteen paragraphs, the third in seven parts. SENDesk cannot write a school's policies,
but it can save the SENCo the two things that take time: the structure — every heading the
regulations require, in their order, so that nothing is missed — and the figures, which it
already holds.

So each heading gets a short drafted paragraph in [square brackets], highlighted, which
the SENCo rewrites in the school's own words (the brackets and highlight make every piece
still to edit easy to find, and obviously unfinished if it slips onto the website), and
under it the school's own figures where SENDesk has them: pupils on SEN Support and with
EHC plans by area of need, the interventions in the catalogue, access arrangements in
place, EHC needs assessments asked for, the SENCo's name and contact details, and staff
using SENDesk by role. The figures are :mod:`sendesk.services.school.figures`'s, already
anonymised: the report names no pupil, and a count from 1 to 4 reads "fewer than 5".

It is a DOCX, not a PDF, because it is a draft: the SENCo edits it and pastes it into the
school's website. It starts from the request pack's house document
(:func:`sendesk.reports.pack_docx.house_document`): the same fonts and page, and real Word
headings, so the navigation pane lists the schedule's headings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt

from sendesk.db import Database
from sendesk.errors import CancelledError, ValidationError
from sendesk.reports.atomic import atomic_output
from sendesk.reports.pack_docx import MUTED, house_document
from sendesk.rules.census import describe
from sendesk.services.actor import Actor
from sendesk.services.evidence.exports import record_export
from sendesk.services.school.figures import EHC_PLAN, SEN_SUPPORT
from sendesk.services.school.sen_information import SenInformation, sen_information
from sendesk.services.school.statistics import SMALL_NUMBERS_NOTE, shown, shown_percent

ProgressFn = Callable[[int, int], bool]
"""The one progress protocol: ``progress(done, total)``; False asks the writer to stop."""

CANCELLED = "The SEN information report was cancelled; no file was written."

TITLE = "SEN information report"

HEADINGS: tuple[str, ...] = (
    "1. The kinds of special educational needs we provide for",
    "2. How we identify and assess pupils' special educational needs",
    "3. How we make provision for pupils with SEN, with or without an EHC plan",
    "3(a) How we evaluate the effectiveness of our provision",
    "3(b) How we assess and review pupils' progress",
    "3(c) Our approach to teaching pupils with SEN",
    "3(d) How we adapt the curriculum and the learning environment",
    "3(e) Additional support for learning",
    "3(f) Taking part in all the activities of the school",
    "3(g) Support for emotional, mental and social development",
    "4. Our SENCo and how to contact them",
    "5. Staff expertise and training, and how we secure specialist expertise",
    "6. How we secure equipment and facilities",
    "7. How we consult and involve parents and carers",
    "8. How we consult and involve pupils",
    "9. Complaints",
    "10. How we involve other bodies: health, social care, the local authority and others",
    "11. Support services for parents and carers",
    "12. Moving between phases of education and preparing for adulthood",
    "13. The local authority's local offer",
)
"""The report's headings, in the order of schedule 1 (each numbered as its paragraph):
3(a)–3(g) are sub-headings of 3. The test reads them back in this order."""

DISABILITY_HEADING = "Disabled pupils: admission, access and the accessibility plan"
"""Not schedule 1 but section 69(3)(b) of the Act, which the same report usually covers."""


def draft(text: str) -> str:
    """A drafted sentence for the SENCo to rewrite, as the report marks it."""
    return f"[{text}]"


class _Report:
    """Appends the report to a house document, paragraph by paragraph."""

    def __init__(self, info: SenInformation, produced_on: date) -> None:
        self.info = info
        self.doc: DocxDocument
        self.doc, _ids = house_document()
        self.produced_on = produced_on
        footer = self.doc.sections[0].footer.paragraphs[0]
        run = footer.add_run(
            f"{info.school_name} · SEN information report · drafted by SENDesk on "
            f"{produced_on:%d/%m/%Y}. Text in [square brackets] is a draft to edit."
        )
        run.font.size = Pt(7.5)
        run.font.color.rgb = MUTED
        props = self.doc.core_properties
        props.title = f"{TITLE} — {info.school_name}"
        props.author = "SENDesk"
        props.comments = ""

    # building blocks

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level)

    def para(self, text: str, *, muted: bool = False, bold: bool = False) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.bold = bold or None
        if muted:
            run.font.color.rgb = MUTED

    def draft(self, text: str) -> None:
        """A paragraph for the SENCo to rewrite: bracketed and highlighted."""
        run = self.doc.add_paragraph().add_run(draft(text))
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(text, style="List Bullet")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        for r, values in enumerate([list(header), *rows]):
            for c, value in enumerate(values):
                cell = table.rows[r].cells[c]
                run = cell.paragraphs[0].add_run(value)
                if r == 0:
                    run.bold = True
        self.doc.add_paragraph()

    # the report

    def cover(self) -> None:
        info = self.info
        self.doc.add_heading(TITLE, 0)
        self.para(info.school_name, bold=True)
        self.para(
            f"Drafted by SENDesk on {day_text(self.produced_on)}. The figures cover "
            f"{day_text(info.figures.start)} to {day_text(info.figures.end)}.",
            muted=True,
        )
        self.draft(
            "This is a draft. Every paragraph in square brackets is a suggestion for the SENCo "
            "to rewrite in the school's own words, or delete; the figures come from SENDesk's "
            f"records and are anonymised (no child is named; {SMALL_NUMBERS_NOTE}). "
            "Remove this note before publishing."
        )
        self.draft(
            f"{info.school_name} is a mainstream school. This report tells parents and carers "
            "how we support pupils with special educational needs (SEN): it follows schedule 1 "
            "of the Special Educational Needs and Disability Regulations 2014 and paragraphs "
            "6.79 to 6.83 of the SEND Code of Practice, and we update it every year."
        )

    def write(self) -> DocxDocument:
        self.cover()
        la = self.info.la_name or "the local authority"
        for heading, (text, then) in zip(HEADINGS, _SECTIONS, strict=True):
            self.heading(heading, 2 if heading.startswith("3(") else 1)
            if text:
                self.draft(text.format(la=la))
            if then is not None:
                then(self)
        self.heading(DISABILITY_HEADING, 1)
        self.draft(
            "Set out how disabled pupils are admitted, the steps we take so that they are not "
            "treated less favourably than other pupils, the facilities that help them use the "
            "school, and where to read our accessibility plan (Children and Families Act 2014, "
            "section 69(3)(b))."
        )
        return self.doc

    def offered_interventions(self) -> None:
        offered = self.info.interventions
        if not offered:
            self.para("No interventions are in SENDesk's catalogue yet.", muted=True)
            return
        self.para("The interventions we offer this year:")
        for item in offered:
            self.bullet(f"{item.name} ({item.area})" if item.area else item.name)

    def semh_interventions(self) -> None:
        semh = [
            item.name
            for item in self.info.interventions
            if "emotional" in item.area.lower() or "social" in item.area.lower()
        ]
        if semh:
            self.para("Interventions for social, emotional and mental health: " + ", ".join(semh))

    def staff_by_role(self) -> None:
        staff = self.info.staff_by_role
        if staff:
            self.para("Staff using SENDesk to support pupils with SEN, by role:")
            self.table(("Role", "Staff"), [(role, f"{n:,}") for role, n in staff.items()])

    def senco(self) -> None:
        info = self.info
        details = info.details
        name = info.senco_name
        self.para(
            f"Our SENCo is {name}." if name else draft("Give the SENCo's name."),
        )
        contact = [
            f"Telephone: {details.senco_phone}" if details.senco_phone else "",
            f"Email: {details.senco_email}" if details.senco_email else "",
        ]
        for line in filter(None, contact):
            self.para(line)
        if not details.senco_phone or not details.senco_email:
            self.draft(
                "Add the SENCo's telephone number and email address (SENDesk: File > School "
                "details…)."
            )
        self.draft(
            "The SENCo is a qualified teacher who holds (or is working towards) the National "
            "Professional Qualification for SENCos. Parents and carers can contact them about "
            "any concern, through the school office or directly."
        )

    # the school's own figures

    def register_figures(self) -> None:
        f = self.info.figures
        r = f.register
        status = r.by_status
        # A table, not a sentence: a hidden count ("not shown", "fewer than 5") reads
        # plainly in a cell, where in prose it made "not shown on SEN support".
        self.para(f"On {day_text(r.counted_on)} there were {r.pupils:,} pupils on roll.")
        self.table(
            ("On our SEN register", "Pupils"),
            [
                (SEN_SUPPORT, shown(status.get("K"))),
                ("With an education, health and care (EHC) plan", shown(status.get("E"))),
                ("On the SEN register in all", shown(r.on_register)),
            ],
        )
        areas = [(area, shown(n)) for area, n in r.by_area.items() if n != 0]
        if areas:
            self.para("Pupils on the SEN register by the broad area of their main need:")
            self.table(("Area of need", "Pupils"), areas)
        needs = [(_need_name(code), shown(n)) for code, n in r.by_need.items() if n != 0]
        if needs:
            self.para("By their main need:")
            self.table(("Main need", "Pupils"), needs)
        if f.changes:
            self.para("How the register has changed over the last three years:")
            self.table(
                ("Academic year", "Counted on", SEN_SUPPORT, EHC_PLAN, "Joined", "Left"),
                [
                    (
                        c.label,
                        day_text(c.counted_on) + (" (so far)" if c.to_date else ""),
                        shown(c.support),
                        shown(c.plans),
                        shown(c.joined),
                        shown(c.left),
                    )
                    for c in f.changes
                ],
            )

    def attainment_figures(self) -> None:
        outcomes = self.info.figures.outcomes
        if not any(o.attendance_pupils or o.attainment_pupils for o in outcomes):
            self.para("SENDesk holds no attendance or attainment for this period.", muted=True)
            return
        self.para(
            "Attendance and attainment of pupils with SEN against the whole school over the "
            "period (a percentage drawn from fewer than 5 pupils is not shown):"
        )
        self.table(
            ("Pupils", "Attendance", "At or above expected", "Made progress"),
            [
                (
                    o.group,
                    shown_percent(o.attendance_percent, o.attendance_pupils),
                    shown_percent(o.at_expected_percent, o.attainment_pupils),
                    shown_percent(o.progress_percent, o.progress_pupils),
                )
                for o in outcomes
            ],
        )

    def access_figures(self) -> None:
        access = self.info.figures.access
        rows = [(name, shown(n)) for name, n in access.by_arrangement.items() if n != 0]
        if not rows:
            self.para(
                f"No exam access arrangements were in place on {day_text(access.counted_on)}.",
                muted=True,
            )
            return
        self.para(
            f"On {day_text(access.counted_on)}, {shown(access.pupils)} pupils had exam access "
            "arrangements in place (a pupil may have more than one):"
        )
        self.table(("Access arrangement", "Pupils"), rows)

    def ehc_figures(self) -> None:
        e = self.info.figures.ehc
        f = self.info.figures
        self.para(
            f"EHC needs assessments from {day_text(f.start)} to {day_text(f.end)} "
            "(requests made by the school or by parents, and the local authority's decisions):"
        )
        self.table(
            ("EHC needs assessments", "Number"),
            [
                ("Requests for an EHC needs assessment made", shown(e.requests_made)),
                ("The local authority agreed to assess", shown(e.agreed_to_assess)),
                ("The local authority refused to assess", shown(e.refused_to_assess)),
                (
                    "Assessed, and the local authority decided not to issue a plan",
                    shown(e.refused_to_issue),
                ),
                ("EHC plans issued", shown(e.plans_issued)),
                ("20-week deadlines in the period", shown(e.deadlines)),
                ("… met (the plan issued within 20 weeks)", shown(e.deadlines_met)),
            ],
        )


_SECTIONS: tuple[tuple[str, Callable[[_Report], None] | None], ...] = (
    (
        "We are an inclusive mainstream school. We make provision for pupils in all four "
        "broad areas of need in the SEND Code of Practice: communication and interaction; "
        "cognition and learning; social, emotional and mental health; and sensory and/or "
        "physical needs.",
        _Report.register_figures,
    ),
    (
        "Class teachers watch every pupil's progress. When a teacher is concerned, they "
        "record what they see and what they have already tried in class, and the SENCo "
        "looks at it with them and with the pupil's parents or carers. We use assessments "
        "in school and, where needed, advice from specialists outside it. If a pupil needs "
        "support that is additional to or different from what other pupils get, we add "
        "them to our SEN register at SEN Support, always telling their parents.",
        None,
    ),
    (
        "We follow the graduated approach of the SEND Code of Practice — assess, plan, do, "
        "review — for every pupil on SEN Support. Pupils with an education, health and care "
        "(EHC) plan get the provision their plan sets out, and their plan is reviewed with "
        "them and their family at least once a year.",
        None,
    ),
    (
        "We check the effectiveness of our provision by measuring each pupil's progress at "
        "the start and end of every intervention, by reviewing each pupil's support plan "
        "every term, and by comparing the attendance and progress of pupils with SEN with "
        "those of all pupils. The SENCo reports to governors every year.",
        _Report.attainment_figures,
    ),
    (
        "Each pupil on SEN Support has a support plan with outcomes agreed with them and "
        "their parents or carers. We review it with them every term: what was achieved, "
        "what helped, and what happens next.",
        None,
    ),
    (
        "High-quality teaching, adapted to each pupil, is the first step in responding to "
        "pupils who have or may have SEN. Teachers are responsible for the progress of every "
        "pupil in their class, including where pupils get support from teaching assistants "
        "or specialist staff.",
        None,
    ),
    (
        "We adapt the curriculum and the classroom to each pupil's needs: for example, "
        "resources adapted for them, seating, visual timetables, a quiet space, and extra "
        "time or other access arrangements in tests and examinations.",
        _Report.access_figures,
    ),
    (
        "Beyond high-quality teaching, pupils may take part in small-group or one-to-one "
        "interventions. Each has a clear aim, a set number of sessions, and a measure taken "
        "before and after so that we know whether it worked.",
        _Report.offered_interventions,
    ),
    (
        "All our clubs, trips and activities, including physical activities and residential "
        "visits, are open to pupils with SEN. We plan with pupils and their families, and "
        "make reasonable adjustments, so that they can take part alongside their friends.",
        None,
    ),
    (
        "We support pupils' emotional, mental and social development through our pastoral "
        "care, our personal, social and health education, and targeted support such as "
        "mentoring and social skills groups. We take bullying seriously and act on it.",
        _Report.semh_interventions,
    ),
    (
        "",
        _Report.senco,
    ),
    (
        "All staff have training on SEN every year. List here the training staff have "
        "had this year, any specialist qualifications (for example in assessment for "
        "access arrangements, or in speech and language), and the specialist services we "
        "buy in or are referred to.",
        _Report.staff_by_role,
    ),
    (
        "We buy equipment a pupil needs from the school's budget, and ask the local "
        "authority or health services for specialist equipment. Say here how the building "
        "is accessible and which specialist facilities we have.",
        None,
    ),
    (
        "We involve parents and carers at every step: when a concern is first raised, when "
        "we plan support, and at every review. We meet at least three times a year, and "
        "parents can contact the SENCo at any time.",
        None,
    ),
    (
        "Pupils help to plan their own support. We ask for their views before every "
        "review, in the way that suits them best, and record them in their support plan and "
        "one-page profile.",
        None,
    ),
    (
        "If you are worried about the support your child is getting, please talk first to "
        "their class teacher or to the SENCo. If that does not resolve it, our complaints "
        "policy (on the school's website) explains what to do next. You may also be able to "
        "appeal to the SEND Tribunal about some decisions of the local authority.",
        None,
    ),
    (
        "We work with health services (for example speech and language therapy, CAMHS "
        "and school nursing), social care, {la}'s support services such as the educational "
        "psychology service, and voluntary organisations, with parents' consent, to meet "
        "pupils' needs and to support their families.",
        _Report.ehc_figures,
    ),
    (
        "The SEND Information, Advice and Support Service (SENDIASS) for {la} gives free, "
        "impartial and confidential advice to parents and carers. Add its telephone number, "
        "email address and website here.",
        None,
    ),
    (
        "We plan every move with the pupil and their family: joining us, moving to a new "
        "class or key stage, and leaving for their next school or college. We share "
        "information with the next setting (with consent), arrange extra visits, and from "
        "Year 9 we plan for adulthood and independent living.",
        None,
    ),
    (
        "{la}'s local offer sets out the support available for children and young "
        "people with SEND in the area. Add the address of its web page here.",
        None,
    ),
)
"""Each heading's drafted paragraph (``{la}``: the LA's name), in :data:`HEADINGS`' order,
and what follows it where SENDesk has the school's own figures. One table: the section's
words sit beside the others', and the writer reads them all the same way."""


def day_text(day: date) -> str:
    """A date as the report writes it: "1 September 2025"."""
    return f"{day.day} {day:%B %Y}"


def _need_name(code: str) -> str:
    """ "Specific learning difficulty (SPLD)" for a census code."""
    try:
        return f"{describe(code)} ({code})"
    except (KeyError, ValueError):
        return code


def write_sen_information(
    db: Database,
    actor: Actor,
    out: Path | str,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: ProgressFn | None = None,
    today: date | None = None,
) -> Path:
    """Write the SEN information report for [start, end] to ``out`` (a .docx), completely
    or not at all (:func:`~sendesk.reports.atomic.atomic_output`: owner-only, 0600), and
    audit the export; returns the file written. The period's defaults (this academic year
    so far) are :func:`~sendesk.services.school.figures.school_figures`'s.

    ``progress`` hears (0, 3) before the figures are read, (1, 3) once they are, (2, 3)
    once the document is laid out and (3, 3) when it is saved; False from it (before
    the save) stops the report with :class:`~sendesk.errors.CancelledError`, leaving no
    file. ``today`` dates the draft (tests pass one).
    """

    def step(done: int) -> None:
        if progress is not None and not progress(done, 3):
            raise CancelledError(CANCELLED)

    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise ValidationError(
            f"The SEN information report is a Word document: give a file name ending in "
            f".docx, not '{out.name}'."
        )
    step(0)
    info = sen_information(db, actor, start=start, end=end, today=today)
    step(1)
    document = _Report(info, today or date.today()).write()
    step(2)
    with atomic_output(out) as partial, open(partial, "wb") as fh:
        document.save(fh)
    written = out.expanduser()
    # Audited as every export is, by the writer, so the app and the command line both are
    # (a file whose audit event cannot be written is removed again).
    record_export(db, actor, "SEN information report (no pupils named)", 0, written)
    if progress is not None:
        progress(3, 3)  # written: too late to stop, and nothing left to stop
    return written


__all__ = ["HEADINGS", "TITLE", "day_text", "draft", "write_sen_information"]
