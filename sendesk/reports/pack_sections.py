"""What the request pack says, worked out once for both of its documents (PDF and DOCX).

A panel member may read the PDF while the LA's caseworker pastes from the DOCX; if the
two disagreed — a different total, a sentence in one and not the other — the school would
look careless at the moment it most needs to be believed. So every table row, pair of
label and value, and explanatory sentence the sections show is built here, from
:class:`sendesk.services.ehc.pack.PackData`, as plain data, and
:mod:`sendesk.reports.pack_pdf` and :mod:`sendesk.reports.pack_docx` only lay it out.

A sentence is a tuple of :class:`Span` (text, bold, italic) so that emphasis — a total,
the verdict — is the same in both documents; text a user typed is never parsed for
markup. A table is a :class:`Grid`: header, rows of strings, column widths as shares of
the text width, and whether the last row is a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sendesk.rules import readiness as rr
from sendesk.services.graduated.support_plans import RESULTS

if TYPE_CHECKING:
    from sendesk.services.ehc.pack import EvidenceChoice, InterventionRecord, PackData
    from sendesk.services.ehc.records import RequestItem
    from sendesk.services.evidence.agencies import InvolvementItem
    from sendesk.services.graduated.intervention_records import Progress
    from sendesk.services.graduated.progress_data import AttainmentPoint
    from sendesk.services.graduated.support_plans import PlanDetail


@dataclass(frozen=True)
class Span:
    """A run of text in a sentence, perhaps bold or italic."""

    text: str
    bold: bool = False
    italic: bool = False


Sentence = tuple[Span, ...]
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table: its header, its rows (strings; a line break starts a new line in the
    cell), each column's share of the text width, and whether the last row is a total."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...]
    total_row: bool = False


NOTHING = "Nothing recorded."  # in place of a text the user left empty


def plain(text: str) -> Sentence:
    return (Span(text),)


# --- words for values -----------------------------------------------------------------------


def day_text(day: date | None) -> str:
    """31/12/2025, or a dash for no date."""
    return f"{day:%d/%m/%Y}" if day else "—"


def money_text(pence: int) -> str:
    return rr.money(Decimal(pence) / 100)


def hours_text(minutes: float) -> str:
    """Hours to one decimal place without a trailing ".0" ("1.5", "2", "0")."""
    hours = minutes / 60
    return f"{hours:,.1f}".rstrip("0").rstrip(".") if hours else "0"


def span_text(span: tuple[int, int]) -> str:
    """A page range: "7–9", or "7" for one page."""
    return f"{span[0]}–{span[1]}" if span[0] != span[1] else str(span[0])


def evidence_kind(choice: EvidenceChoice) -> str:
    """What kind of document it is, and from which agency ("PDF, Educational psychologist")."""
    return choice.kind + (f", {choice.agency}" if choice.agency else "")


# --- the cover ------------------------------------------------------------------------------


def cover_facts(data: PackData) -> Pairs:
    p = data.pupil
    school = data.school_name + (f" (URN {data.school_urn})" if data.school_urn else "")
    return [
        ("Date of birth", f"{day_text(p.dob)} (age {p.age})"),
        ("UPN", p.upn),
        ("Year group", p.year_text or "—"),
        ("School", school),
        ("School contact", contact_text(data) or "—"),
        ("Local authority", data.la.name or "—"),
        ("Request", request_status(data.request)),
        ("Pack produced", day_text(data.produced_on)),
    ]


BEING_PREPARED = "Being prepared: not yet sent to the local authority."


def request_status(request: RequestItem | None) -> str:
    """Where the request stands: sent (with the date) only when a date sent is recorded;
    until then it is being prepared and no statutory date runs (reg 5(1): the LA's six
    weeks run from the request it receives)."""
    if request is None:
        return "No request is recorded yet."
    if request.sent_on is None:
        return BEING_PREPARED
    text = f"Sent to {request.la_name or 'the LA'} on {day_text(request.sent_on)}"
    if request.received_on and request.received_on != request.sent_on:
        text += f", received {day_text(request.received_on)}"
    return text + "."


def contact_text(data: PackData) -> str:
    """The school's named contact on one line: "Ms Shah (SENCo), 01632 960 123, …"."""
    d = data.school
    name = f"{d.senco_name} (SENCo)" if d.senco_name else ""
    return ", ".join(t for t in (name, d.senco_phone, d.senco_email) if t)


def missing_summary(data: PackData) -> Sentence:
    """What the cover says before the missing items (or that nothing is missing)."""
    n, missing = len(data.readiness), len(data.missing)
    if not missing:
        return plain(f"Nothing a panel looks for is missing ({n} of {n} present).")
    return (
        Span(f"Missing from this pack ({missing} of {n}).", bold=True),
        Span(
            " A panel will look for these; they are listed here so that it can see the school "
            "knows."
        ),
    )


def present_summary(data: PackData) -> Sentence | None:
    """What the cover says before the items present (None when none is)."""
    present = sum(1 for i in data.readiness if i.ok)
    if not present:
        return None
    return (Span(f"In this pack ({present} of {len(data.readiness)}).", bold=True),)


def readiness_line(item: rr.ReadinessItem) -> Sentence:
    return (Span(item.label, bold=True), Span(f" — {item.reason}"))


# --- about the child ------------------------------------------------------------------------


def about_facts(data: PackData) -> Pairs:
    p = data.pupil
    yes_no = {True: "Yes", False: "No"}
    year = p.year_text or "—"
    if p.chronological_year_text:
        year += f" (by age: {p.chronological_year_text})"
    provision = p.provision or "—"
    if p.provision_since:
        provision += f" since {day_text(p.provision_since)}"
    return [
        ("Name", p.name),
        ("Legal name", p.legal_name),
        ("Date of birth", f"{day_text(p.dob)} (age {p.age})"),
        ("Gender", {"M": "Male", "F": "Female"}.get(p.gender or "", p.gender or "—")),
        ("UPN", p.upn),
        ("NHS number", p.nhs_number or "—"),
        ("Year group", year),
        ("Tutor group", p.reg_group or "—"),
        ("On roll since", day_text(p.admission_date)),
        ("SEN provision", provision),
        ("Home language", p.home_language or "Not recorded"),
        ("Ethnicity", p.ethnicity or "Not recorded"),
        ("English as an additional language", yes_no[p.eal]),
        ("Pupil premium", yes_no[p.pupil_premium]),
        ("Looked after", yes_no[p.looked_after]),
        ("Parental responsibility", "\n".join(p.parents) or "—"),
    ]


NO_PARENT_CONTACTS = "No one with parental responsibility is recorded."


def parent_contacts(data: PackData) -> list[tuple[str, Pairs]]:
    """Each person with parental responsibility: (heading, their address and contacts) —
    LA forms ask for everyone with parental responsibility and how to reach them."""
    out: list[tuple[str, Pairs]] = []
    for c in data.pupil.contacts:
        heading = f"{c.name} ({c.relationship})" if c.relationship else c.name
        out.append(
            (
                heading,
                [
                    ("Address", c.address or "Not recorded"),
                    ("Phone", c.phone or "Not recorded"),
                    ("Email", c.email or "Not recorded"),
                    *([("Prefers", c.preferred)] if c.preferred else []),
                ],
            )
        )
    return out


def request_facts(request: RequestItem) -> Pairs:
    """The request's details; the statutory dates only once it has been sent (a request
    being prepared has no clock: reg 5(1) runs from the LA's receipt)."""
    pairs: Pairs = [
        ("Requested by", request.requested_by_label),
        ("Local authority", request.la_name),
        ("LA caseworker", request.caseworker or "—"),
        ("Status", request_status(request)),
        ("Parental consent", day_text(request.consent_on)),
        ("Young person's consent", day_text(request.young_person_consent_on)),
    ]
    if request.sent_on is not None:
        due = {m.key: m for m in request.milestones}
        for key, label in (
            ("decide_to_assess", "Decision whether to assess due (reg 5(1), 6 weeks)"),
            ("final_plan", "Final plan due if one is issued (reg 13(2), 20 weeks)"),
        ):
            mark = due.get(key)
            if mark is not None and mark.status != "not applicable":
                done = f", done {day_text(mark.done_on)}" if mark.done_on else ""
                pairs.append((label, day_text(mark.due) + done))
    return pairs


def school_contact_facts(data: PackData) -> Pairs:
    """The school's named contact for the request and the head teacher."""
    d = data.school
    return [
        ("SENCo", d.senco_name or "Not recorded"),
        ("Phone", d.senco_phone or "Not recorded"),
        ("Email", d.senco_email or "Not recorded"),
        ("Head teacher", d.head_teacher_name or "Not recorded"),
    ]


def sign_off_facts(data: PackData) -> Pairs:
    """Who signed the request off for the school, and when (the form's signature block)."""
    s = data.sign_off
    if s is None:
        return [("Signed off by", "Not yet signed off"), ("Date", "—")]
    who = s.by + (f" ({s.role})" if s.role else "") if s.by else "Not recorded"
    return [("Signed off by", who), ("Date", day_text(s.on))]


def history_grid(data: PackData) -> Grid | None:
    if not data.history:
        return None
    return Grid(
        ("Date", "Change", "From", "To", "Reason"),
        [
            (
                day_text(h.on),
                "SEN status" if h.kind == "status" else "Needs",
                h.before or "—",
                h.after,
                h.reason or "",
            )
            for h in data.history
        ],
        (0.13, 0.12, 0.22, 0.22, 0.31),
    )


ASPIRATIONS = "What is important to me, my hopes for the future"


def views(data: PackData) -> list[tuple[str, str, str]]:
    """(heading, the text as typed, where it was recorded) for the child's views, their
    aspirations, and the parents' views."""
    v = data.views
    hopes = "Recorded for this request." if data.aspirations else ""
    return [
        ("The child's or young person's views", v.pupil, v.pupil_source),
        (ASPIRATIONS, data.aspirations, hopes),
        ("The parents' or carers' views", v.parents, v.parents_source),
    ]


# --- needs ----------------------------------------------------------------------------------

NO_NEEDS = "No type of need is recorded on the register."
NO_PROFILE = "No description of needs in this area is recorded."


def needs_grid(data: PackData) -> Grid | None:
    if not data.needs:
        return None
    return Grid(
        ("Rank", "Type of need", "Area of need"),
        [
            (
                "Primary" if n.rank == 1 else "Secondary" if n.rank == 2 else str(n.rank),
                f"{n.description} ({n.code})" if n.description else n.code,
                n.area or "—",
            )
            for n in data.needs
        ],
        (0.14, 0.5, 0.36),
    )


def need_profiles(data: PackData) -> list[tuple[str, Pairs | None]]:
    """Each area of need (the register's first, then any other with a profile) with its
    strengths, difficulties and strategies as (label, text typed) — None: no profile."""
    profiles = {p.area: p for p in data.profiles}
    areas = dict.fromkeys([*(n.area for n in data.needs if n.area), *profiles])
    out: list[tuple[str, Pairs | None]] = []
    for area in areas:
        profile = profiles.get(area)
        parts = (
            None
            if profile is None
            else [
                ("Strengths", profile.strengths),
                ("What the child finds hard", profile.difficulties),
                ("What helps", profile.strategies),
            ]
        )
        out.append((area, parts))
    return out


# --- attendance and attainment --------------------------------------------------------------

NO_ATTENDANCE = "No attendance is recorded."
NO_ATTAINMENT = "No attainment data is recorded."
ATTAINMENT_NOTE = (
    "Each column shows the measure nearest that point in time, against what was expected then."
)


def attendance_summary(data: PackData) -> Sentence | None:
    year = data.attendance_year
    if year.percentage is None:
        return None
    to = f", to {day_text(data.attendance_to)}" if data.attendance_to else ""
    return (
        Span("Attendance over the last year: "),
        Span(f"{year.percentage:.1f}%", bold=True),
        Span(f" ({year.attended_sessions:,} of {year.possible_sessions:,} sessions{to})."),
    )


def attendance_grid(data: PackData) -> Grid | None:
    if not data.attendance_terms:
        return None
    return Grid(
        ("Term", "Began", "Possible sessions", "Attended", "Attendance"),
        [
            (
                t.term,
                day_text(t.term_start),
                f"{t.possible_sessions:,}",
                f"{t.attended_sessions:,}",
                f"{t.percentage:.1f}%",
            )
            for t in data.attendance_terms
        ],
        (0.28, 0.16, 0.2, 0.18, 0.18),
    )


def _point(pt: AttainmentPoint | None) -> str:
    if pt is None:
        return "—"
    expected = f" (expected {pt.expected})" if pt.expected else ""
    return f"{pt.value}{expected}\n{day_text(pt.taken_on)}"


def attainment_grid(data: PackData) -> Grid | None:
    if not data.attainment:
        return None
    return Grid(
        ("Subject", "Measure", "12 months ago", "6 months ago", "Now"),
        [
            (
                t.subject,
                t.measure,
                _point(t.twelve_months_ago),
                _point(t.six_months_ago),
                _point(t.now),
            )
            for t in data.attainment
        ],
        (0.16, 0.18, 0.22, 0.22, 0.22),
    )


def older_attainment(data: PackData) -> Sentence | None:
    """Subjects held with no snapshot near now, 6 or 12 months ago: their latest result,
    so every subject held is in the pack (None: there are none)."""
    if not data.older_attainment:
        return None
    parts = [
        f"{a.subject} ({a.measure}) {a.value}"
        + (f", expected {a.expected}" if a.expected else "")
        + f", {day_text(a.taken_on)}"
        for a in data.older_attainment
    ]
    return (Span("Also held, from longer ago: ", italic=True), Span("; ".join(parts) + "."))


# --- the graduated response (assess, plan, do, review) --------------------------------------

NO_CYCLES = "No assess–plan–do–review cycles are recorded."
NO_OUTCOMES = "No outcomes recorded."
NO_PROVISION = "No provision recorded."
ASSESS = "Assess: what started this cycle"
PLAN = "Plan: outcomes"
DO = "Do: provision"
VIEWS_THEN = "Views at the start of the cycle"
REVIEW = "Review"


CONCERNS = "How it began: causes for concern"


def concerns_grid(data: PackData) -> Grid | None:
    """Each cause for concern raised about the pupil: when, by whom, what was seen and
    tried, and what was decided — where the graduated response began."""
    if not data.concerns:
        return None
    rows = []
    for c in data.concerns:
        decided = [s for s in c.steps if s.kind in ("monitor", "assess", "register")]
        outcome = decided[-1].words if decided else c.status_words
        if c.support_plan_start is not None:
            outcome += f"; first support plan started {day_text(c.support_plan_start)}"
        rows.append(
            (
                day_text(c.raised_on),
                c.raised_by or "—",
                c.area,
                c.seen,
                c.tried_words,
                outcome,
            )
        )
    return Grid(
        ("Raised", "By", "Area of need", "What was seen", "Already tried", "Decision"),
        rows,
        (0.11, 0.13, 0.14, 0.24, 0.2, 0.18),
    )


def cycles_summary(data: PackData) -> Sentence:
    plans = data.plans
    reviewed = sum(1 for p in plans if p.reviewed_on is not None)
    return plain(
        f"{len(plans)} assess–plan–do–review cycle{'s' if len(plans) != 1 else ''}, "
        f"{reviewed} reviewed ({data.la.name or 'the LA'} looks for "
        f"{data.la.reviewed_cycles})."
    )


def cycles_grid(data: PackData) -> Grid:
    return Grid(
        ("Cycle", "Started", "Reviewed", "Outcomes", "Achieved", "Partly", "Not yet"),
        [
            (
                str(p.cycle),
                day_text(p.start_date),
                day_text(p.reviewed_on) if p.reviewed_on else f"due {day_text(p.review_due)}",
                str(len(p.outcomes)),
                str(sum(1 for o in p.outcomes if o.result == "achieved")),
                str(sum(1 for o in p.outcomes if o.result == "partly")),
                str(sum(1 for o in p.outcomes if o.result == "not")),
            )
            for p in data.plans
        ],
        (0.1, 0.15, 0.19, 0.14, 0.14, 0.14, 0.14),
    )


def cycle_heading(plan: PlanDetail) -> str:
    state = (
        f"reviewed {day_text(plan.reviewed_on)}"
        if plan.reviewed_on
        else f"review due {day_text(plan.review_due)}"
    )
    return f"Cycle {plan.cycle}: {day_text(plan.start_date)}, {state}"


def outcomes_grid(plan: PlanDetail) -> Grid | None:
    if not plan.outcomes:
        return None
    return Grid(
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


def provision_grid(plan: PlanDetail) -> Grid | None:
    if not plan.provisions:
        return None
    return Grid(
        ("Kind", "Provision", "Minutes a week"),
        [
            (
                p.kind_label,
                p.description + (f" ({p.intervention_name})" if p.intervention_name else ""),
                str(p.minutes_per_week) if p.minutes_per_week else "—",
            )
            for p in plan.provisions
        ],
        (0.16, 0.66, 0.18),
    )


def _labelled(label: str, text: str) -> Sentence:
    return (Span(f"{label}:", italic=True), Span(f" {text.strip()}"))


def cycle_views(plan: PlanDetail) -> list[Sentence]:
    """The child's and the parents' views recorded at the start of the cycle, if any."""
    out = []
    if plan.pupil_views.strip():
        out.append(_labelled("The child", plan.pupil_views))
    if plan.parent_views.strip():
        out.append(_labelled("Parents", plan.parent_views))
    return out


def not_reviewed(plan: PlanDetail) -> str:
    return f"Not reviewed yet (due {day_text(plan.review_due)})."


def next_steps(plan: PlanDetail) -> Sentence | None:
    return _labelled("What changes next", plan.next_steps) if plan.next_steps.strip() else None


# --- interventions --------------------------------------------------------------------------

NO_INTERVENTIONS = "No interventions are recorded."


def _hours_cell(record: InterventionRecord) -> str:
    hours = record.hours
    if hours is None:
        return "—"
    attended = hours_text(hours.attended_minutes) if hours.attended_minutes is not None else "—"
    return (
        f"{hours_text(hours.planned_minutes)} / {hours_text(hours.delivered_minutes)} / {attended}"
    )


def interventions_grid(data: PackData) -> Grid | None:
    if not data.interventions:
        return None
    rows = []
    for r in data.interventions:
        e, pr = r.enrolment, r.progress
        ended = day_text(e.end_date) if e.end_date else "running"
        rows.append(
            (
                f"{r.title}\nMeasure: {pr.measure}",
                f"{day_text(e.start_date)} – {ended}",
                pr.formatted(e.entry_measure) if e.entry_measure is not None else "—",
                pr.formatted(e.exit_measure) if e.exit_measure is not None else "—",
                _hours_cell(r),
            )
        )
    return Grid(
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


def intervention_about(record: InterventionRecord) -> str:
    """What is measured, who leads it, the area of need."""
    about = f"Measure: {record.progress.measure}."
    if record.staff_role:
        about += f" Led by: {record.staff_role}."
    if record.area:
        about += f" Area of need: {record.area}."
    return about


def measures_grid(progress: Progress) -> Grid | None:
    """Each measure with its date, and whether it was the entry, exit or in between."""
    if not progress.points:
        return None
    measure = progress.measure[:1].upper() + progress.measure[1:]
    return Grid(
        ("Date", measure, "When"),
        [
            (day_text(p.on), progress.formatted(p.value), p.label or "during")
            for p in progress.points
        ],
        (0.25, 0.4, 0.35),
    )


def verdict(record: InterventionRecord) -> Sentence:
    return (Span("Verdict:", bold=True), Span(f" {record.progress.verdict_text}"))


# --- provision and its costs ----------------------------------------------------------------

NO_SESSIONS = "No sessions were logged for this pupil in the period."


def costs_summary(data: PackData) -> Sentence:
    c = data.costs
    return plain(
        f"What was delivered from {day_text(c.period_start)} to {day_text(c.period_end)}, "
        "from the sessions staff logged as held and the pupil attended. A group's staff time "
        "is shared among the pupils present."
    )


def costs_grid(data: PackData) -> Grid | None:
    c = data.costs
    if not c.lines:
        return None
    rows = [
        (
            ln.intervention,
            ln.area,
            ln.staff_role or "—",
            money_text(ln.cost_per_hour_pence),
            str(ln.sessions_attended),
            hours_text(ln.minutes),
            money_text(ln.cost_pence),
        )
        for ln in c.lines
    ]
    rows.append(
        (
            "Total delivered",
            "",
            "",
            "",
            str(sum(ln.sessions_attended for ln in c.lines)),
            hours_text(c.total_minutes),
            money_text(c.total_pence),
        )
    )
    return Grid(
        ("Intervention", "Area", "Staff", "Rate an hour", "Sessions", "Hours", "Cost"),
        rows,
        (0.21, 0.18, 0.15, 0.1, 0.13, 0.09, 0.14),
        total_row=True,
    )


DELIVERED_HEADING = "What was delivered in the last 12 months"
PLANNED = "The provision in place now, costed for a full year"
NO_PLANNED = "No provision in the current support plan gives minutes a week to cost."


def planned_summary(data: PackData) -> Sentence | None:
    """What the full-year table is (None: no plan line has minutes a week)."""
    c = data.costs
    if not c.planned or c.plan_start is None:
        return None
    return plain(
        f"Every line of the support plan starting {day_text(c.plan_start)} that gives minutes "
        f"a week, including in-class support and staff time: hours a week × the rate an hour "
        f"× {c.weeks_per_year} school weeks, divided among the places when a group shares "
        "the staff time."
    )


def planned_grid(data: PackData) -> Grid | None:
    """The provision in place now, each line costed for the year, and the total."""
    c = data.costs
    if not c.planned:
        return None
    rows = [
        (
            ln.provision,
            ln.kind,
            str(ln.minutes_per_week),
            (money_text(ln.rate_pence) + f"\n{ln.rate_from}") if ln.rate_pence is not None else "—",
            "1:1" if ln.share == 1 else f"1 of {ln.share}",
            money_text(ln.cost_pence) if ln.cost_pence is not None else "not costed",
        )
        for ln in c.planned
    ]
    rows.append(
        (
            "Total a year",
            "",
            str(c.planned_minutes_per_week),
            "",
            "",
            money_text(c.planned_pence),
        )
    )
    return Grid(
        ("Provision", "Kind", "Minutes a week", "Rate an hour", "Share", "A year"),
        rows,
        (0.34, 0.15, 0.1, 0.18, 0.09, 0.14),
        total_row=True,
    )


def uncosted_note(data: PackData) -> Sentence | None:
    """Which lines have no rate (None: all are costed)."""
    missing = data.costs.uncosted
    if not missing:
        return None
    return plain(
        f"{len(missing)} line{'s' if len(missing) != 1 else ''} could not be costed: no rate "
        "is given on the line, and neither the school's default staff rate (File, School "
        "details) nor the LA's staff rate is set."
    )


def against_threshold(data: PackData) -> Sentence | None:
    """Which yearly cost is set against the notional SEN threshold, why, and where it
    stands (None: nothing to compare)."""
    c = data.costs
    compared = c.compared
    if compared is None:
        return None
    threshold = rr.money(c.threshold)
    if compared > c.threshold:
        position = f"{rr.money(compared - c.threshold)} above"
    elif compared == c.threshold:
        position = "exactly"
    else:
        position = f"{rr.money(c.threshold - compared)} below"
    if c.basis == "planned":
        which = "The full-year cost of the provision in place now"
        why = (
            "because the threshold is a budget per pupil per year and this is what the school "
            "now provides; what was delivered counts only logged intervention sessions, not "
            "in-class support or staff time"
        )
    else:
        which = "What was delivered in the last 12 months"
        why = "because no line of the current plan can be costed for a year"
    return (
        Span(f"{which} is set against the notional SEN threshold of "),
        Span(threshold, bold=True),
        Span(f" ({why}): "),
        Span(rr.money(compared), bold=True),
        Span(
            f" a year, {position} the threshold. The first {threshold} of additional support "
            "is met from the school's own budget (element 2)."
        ),
    )


# --- professionals, health and social care ---------------------------------------------------

NO_INVOLVEMENTS = "No outside professionals' involvement is recorded."
ADVICE = "Advice"
NO_HEALTH_RECORDED = "No health or social care information is recorded."
NO_HEALTH_KNOWN = "No health or social care involvement is known."


def involvement_heading(involvement: InvolvementItem) -> str:
    return involvement.agency + (
        f": {involvement.professional}" if involvement.professional else ""
    )


def involvement_facts(data: PackData, involvement: InvolvementItem, noun: str = "pack") -> Pairs:
    """When the agency was asked and came, and which appended documents are its reports
    (``noun``: what the document is called, "pack" or "file")."""
    docs = [label for i in involvement.document_ids if (label := data.evidence_label(i))]
    return [
        ("Referred", day_text(involvement.referral_date)),
        ("Seen", day_text(involvement.seen_date)),
        (f"Reports in this {noun}", ", ".join(docs) if docs else "None appended"),
    ]


def health_and_social_care(data: PackData) -> Pairs | None:
    """The health and social care information as (heading, text typed); an empty list
    when the request records that none is known, None when no request records anything
    (:data:`NO_HEALTH_KNOWN` and :data:`NO_HEALTH_RECORDED` say so)."""
    r = data.request
    if r is None:
        return None
    if r.health_none_known and not (r.health_info.strip() or r.social_care_info.strip()):
        return []
    return [("Health", r.health_info), ("Social care", r.social_care_info)]


# --- the evidence index ---------------------------------------------------------------------

NO_EVIDENCE = "No evidence documents are appended."
NOT_APPENDED = "Not appended"


__all__ = [
    "ADVICE",
    "ASPIRATIONS",
    "ASSESS",
    "ATTAINMENT_NOTE",
    "BEING_PREPARED",
    "DELIVERED_HEADING",
    "DO",
    "NOTHING",
    "NOT_APPENDED",
    "NO_ATTAINMENT",
    "NO_ATTENDANCE",
    "NO_CYCLES",
    "NO_EVIDENCE",
    "NO_HEALTH_KNOWN",
    "NO_HEALTH_RECORDED",
    "NO_INTERVENTIONS",
    "NO_INVOLVEMENTS",
    "NO_NEEDS",
    "NO_OUTCOMES",
    "NO_PARENT_CONTACTS",
    "NO_PLANNED",
    "NO_PROFILE",
    "NO_PROVISION",
    "NO_SESSIONS",
    "PLAN",
    "PLANNED",
    "REVIEW",
    "VIEWS_THEN",
    "Grid",
    "Pairs",
    "Sentence",
    "Span",
    "about_facts",
    "against_threshold",
    "attainment_grid",
    "attendance_grid",
    "attendance_summary",
    "contact_text",
    "costs_grid",
    "costs_summary",
    "cover_facts",
    "cycle_heading",
    "cycle_views",
    "cycles_grid",
    "cycles_summary",
    "day_text",
    "evidence_kind",
    "health_and_social_care",
    "history_grid",
    "hours_text",
    "intervention_about",
    "interventions_grid",
    "involvement_facts",
    "involvement_heading",
    "measures_grid",
    "missing_summary",
    "money_text",
    "need_profiles",
    "needs_grid",
    "next_steps",
    "not_reviewed",
    "older_attainment",
    "outcomes_grid",
    "parent_contacts",
    "plain",
    "planned_grid",
    "planned_summary",
    "present_summary",
    "provision_grid",
    "readiness_line",
    "request_facts",
    "request_status",
    "school_contact_facts",
    "sign_off_facts",
    "span_text",
    "uncosted_note",
    "verdict",
    "views",
]
