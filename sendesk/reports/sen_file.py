"""The leaver's SEN file as one PDF for the next school's SENCo.

What the receiving SENCo holds is one file they can read front to back and cite by page,
laid out exactly as the EHC request pack is (:func:`sendesk.reports.pack_pdf.write_pdf`: a
cover, a contents page with real page numbers, the sections, then the evidence documents
appended, each page marked at its foot). Its sections answer what a SENCo asks about a new
arrival:

- who the pupil is, where they are going, and who to ask here;
- the SEN register history (including any earlier school's, from its CTF);
- current needs and strengths in each area, and the provision in place now;
- the latest support-plan cycles (assess, plan, do, review) with their reviews;
- interventions with the measures over time, and attainment;
- access arrangements (for exams) and the assessments behind them;
- the EHC plan, if there is one, with its annual reviews;
- the professionals involved and their advice; the index of the evidence appended.

Every table and sentence shared with the pack comes from :mod:`sendesk.reports.pack_sections`
(the same words in both documents); the sections only the SEN file has are built here.
The data is :class:`sendesk.services.transfer.sen_file.SenFileData`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from sendesk.reports import pack_sections as ps
from sendesk.reports.pack_pdf import Appendix, PackBody, PdfKind, WrittenPdf, write_pdf
from sendesk.reports.pack_sections import Grid, day_text, plain
from sendesk.services.ehc.records import PlanItem
from sendesk.services.graduated.support_plans import PlanDetail
from sendesk.services.transfer.sen_file import LATEST_CYCLES, SenFileData

SEN_FILE = PdfKind("SEN file for the receiving school", "file")

SECTIONS = (
    "About the pupil",
    "SEN register history",
    "Needs and strengths in each area",
    "Provision in place now",
    "Support plans: the latest cycles and reviews",
    "Interventions and their impact",
    "Attainment and progress",
    "Access arrangements",
    "EHC plan",
    "Advice from professionals",
    "Index of evidence",
)
"""The file's top-level headings, in order (tests and the contents page read them)."""

NO_HISTORY = "No register history is recorded."
NO_PLAN_IN_PLACE = "No support plan is in place now."
NO_ARRANGEMENTS = "No access arrangements are recorded."
NO_ASSESSMENTS = "No access arrangements assessment is recorded."
NO_EHC_PLAN = "The pupil has no EHC plan."
NO_REVIEWS = "No annual review is recorded yet."


def sen_file_name(upn: str, today: date) -> str:
    """The PDF's file name: the UPN and the date, never the child's name (a folder listing
    or a mail attachment shows file names)."""
    return f"sen-file-{upn}-{today:%Y-%m-%d}.pdf"


def steps_needed(data: SenFileData) -> int:
    """How many times :func:`write_sen_file_pdf` calls ``step`` (headings, documents, save)."""
    return len(SECTIONS) + len(data.evidence) + 1


def _dfe(name: str | None, number: str | None) -> str:
    text = name or "Not recorded"
    return f"{text} (DfE {number})" if number else text


def cover_facts(data: SenFileData) -> list[tuple[str, str]]:
    d, leaver = data.record, data.leaver
    p = d.pupil
    provision = p.provision or "—"
    if p.provision_since:
        provision += f" since {day_text(p.provision_since)}"
    plan = data.ehc_plans[0] if data.ehc_plans else None
    ehc = (
        f"Issued {day_text(plan.issued_on)} by {plan.la_name}"
        + (f", ceased {day_text(plan.ceased_on)}" if plan.ceased_on else "")
        if plan is not None
        else "None"
    )
    return [
        ("Date of birth", f"{day_text(p.dob)} (age {p.age})"),
        ("UPN", p.upn),
        ("Year group", p.year_text or "—"),
        ("Leaving", day_text(leaver.leaving_date)),
        ("From", _dfe(d.school_name, data.school_dfe)),
        ("To", _dfe(leaver.destination_school, leaver.destination_dfe)),
        ("SEN provision", provision),
        ("EHC plan", ehc),
        ("Ask about this file", ps.contact_text(d) or "The SENCo at " + d.school_name),
        ("File produced", day_text(d.produced_on)),
    ]


def in_place(plans: Sequence[PlanDetail], today: date) -> PlanDetail | None:
    """The support plan in place now: the latest that has started."""
    started = [p for p in plans if p.start_date <= today]
    return started[-1] if started else None


def arrangements_grid(data: SenFileData) -> Grid | None:
    items = data.access.arrangements
    if not items:
        return None
    return Grid(
        ("Arrangement", "Status", "Subjects", "Approved", "Expires"),
        [
            (
                a.name,
                a.status + ("" if a.live or a.ended_on is None else f" {day_text(a.ended_on)}"),
                ", ".join(a.subjects) or "All subjects",
                day_text(a.approval_date) if a.approval_date else "—",
                day_text(a.expires_on) if a.expires_on else "—",
            )
            for a in items
        ],
        (0.3, 0.2, 0.22, 0.14, 0.14),
    )


def assessments_grid(data: SenFileData) -> Grid | None:
    items = data.access.assessments
    if not items:
        return None
    return Grid(
        ("Assessed", "By", "Scores (standardised)"),
        [
            (
                day_text(a.assessed_on),
                f"{a.assessor_name}\n{a.assessor_qualification}".strip(),
                "\n".join(f"{sc.test or sc.area}: {sc.score}" for sc in a.scores) or "—",
            )
            for a in items
        ],
        (0.16, 0.34, 0.5),
    )


def ehc_facts(plan: PlanItem) -> list[tuple[str, str]]:
    return [
        ("Issued", day_text(plan.issued_on)),
        ("Local authority", plan.la_name or "—"),
        ("Named setting", plan.named_setting or "—"),
        ("Hours a week", f"{plan.hours_per_week:g}" if plan.hours_per_week else "—"),
        ("Ceased", day_text(plan.ceased_on) if plan.ceased_on else "No"),
        ("Next annual review by", day_text(plan.next_review_due) if plan.next_review_due else "—"),
    ]


def reviews_grid(plan: PlanItem) -> Grid | None:
    if not plan.reviews:
        return None
    return Grid(
        ("Meeting", "Recommendation", "LA decision"),
        [
            (
                day_text(r.meeting_on),
                r.recommendation or "—",
                (r.la_decision or "—")
                + (f" ({day_text(r.la_decision_on)})" if r.la_decision_on else ""),
            )
            for r in plan.reviews
        ],
        (0.16, 0.42, 0.42),
    )


def _story(data: SenFileData) -> Callable[[PackBody], tuple[list[Flowable], list[Flowable]]]:
    d = data.record

    def story(body: PackBody) -> tuple[list[Flowable], list[Flowable]]:
        st = body.st
        cover = body.cover_top("SEN FILE FOR THE RECEIVING SCHOOL")
        cover += [
            Spacer(1, 4 * mm),
            body.pairs(cover_facts(data)),
            Spacer(1, 5 * mm),
            st.p(
                "This file goes with the pupil's Common Transfer File. It tells the story "
                "behind the SEN codes the CTF carries: what the pupil needs, what was tried "
                "and how it went, and what is in place now. It is confidential — special-"
                "category personal data about a child: keep it as you keep your own pupils' "
                "SEN records."
            ),
        ]
        out: list[Flowable] = []
        titles = iter(SECTIONS)

        def h1(title: str) -> None:
            assert title == next(titles), title  # SECTIONS is the file's order
            out.extend(body.h1(title))

        h1("About the pupil")
        out.append(body.pairs(ps.about_facts(d)))
        out += body.parent_contacts()

        h1("SEN register history")
        out.append(
            st.p(
                "Every change of SEN status and of ranked needs, oldest first; entries "
                "marked \u201c(CTF)\u201d came from an earlier school's Common Transfer File."
            )
        )
        out.append(body.grid_or(ps.history_grid(d), NO_HISTORY))

        h1("Needs and strengths in each area")
        out += body.section_body("needs")

        h1("Provision in place now")
        plan = in_place(d.plans, d.produced_on)
        if plan is None:
            out.append(st.p(NO_PLAN_IN_PLACE, st.muted))
        else:
            out.append(st.p(escape(f"From the support plan: {ps.cycle_heading(plan)}.")))
            out.append(body.grid_or(ps.provision_grid(plan), ps.NO_PROVISION))

        h1("Support plans: the latest cycles and reviews")
        if not d.plans:
            out.append(st.p(ps.NO_CYCLES, st.muted))
        else:
            earlier = (
                f" {data.earlier_cycles} earlier cycle{'s' if data.earlier_cycles != 1 else ''}"
                " are not given here (ask the school for them)."
                if data.earlier_cycles
                else ""
            )
            shown = len(d.plans)
            out.append(
                body.sentence(
                    plain(
                        f"The latest {shown} assess–plan–do–review cycle"
                        f"{'s' if shown != 1 else ''} (at most {LATEST_CYCLES}), oldest "
                        f"first.{earlier}"
                    )
                )
            )
            out.append(body.grid(ps.cycles_grid(d)))
            out += body.cycles(d.plans)

        h1("Interventions and their impact")
        out += body.section_body("interventions")
        h1("Attainment and progress")
        out += body.section_body("attainment")

        h1("Access arrangements")
        out.append(body.grid_or(arrangements_grid(data), NO_ARRANGEMENTS))
        out.append(body.h2("Assessments"))
        out.append(body.grid_or(assessments_grid(data), NO_ASSESSMENTS))
        if data.access.professional_evidence:
            out.append(
                st.p(escape(f"Professional evidence on file: {data.access.professional_evidence}."))
            )

        h1("EHC plan")
        if not data.ehc_plans:
            out.append(st.p(NO_EHC_PLAN, st.muted))
        for ehc in data.ehc_plans[:1]:  # the latest: an earlier one is in its history
            out.append(body.pairs(ehc_facts(ehc)))
            for heading, text in (
                ("Needs (section B)", ehc.needs),
                ("Outcomes (section E)", ehc.outcomes),
                ("Provision (section F)", ehc.provision),
            ):
                out.append(body.h2(heading))
                out.append(st.user(text))
            out.append(body.h2("Annual reviews"))
            out.append(body.grid_or(reviews_grid(ehc), NO_REVIEWS))

        h1("Advice from professionals")
        out += body.section_body("professional_advice")
        h1("Index of evidence")
        out += body.section_body("evidence_index")
        return cover, out

    return story


def write_sen_file_pdf(
    data: SenFileData,
    appendices: Sequence[Appendix],
    dest: Path,
    *,
    step: Callable[[], None] = lambda: None,
) -> WrittenPdf:
    """Write the SEN file to ``dest`` (the caller's temporary name); ``step`` as
    :func:`steps_needed` counts, and may raise (a cancel) to stop."""
    return write_pdf(
        data.record,
        appendices,
        dest,
        kind=SEN_FILE,
        subject=f"SEN file produced {day_text(data.record.produced_on)}",
        story=_story(data),
        step=step,
    )


__all__ = ["SECTIONS", "SEN_FILE", "sen_file_name", "steps_needed", "write_sen_file_pdf"]
