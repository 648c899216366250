"""The EHC needs assessment request pack: gather one pupil's whole story, check it, write it.

Why this module exists: a local authority decides whether to assess on the paperwork alone,
at a panel nobody from the school or family attends, so the pack must tell the whole story —
needs, what was tried over time, what it cost, what changed and what the professionals say.
Everything in it is already in SENDesk, scattered over the register, the support plans, the
intervention logs, the agencies and the progress data; :func:`gather` brings it together as
plain, frozen data (:class:`PackData`) by calling the services that own each part (never
copies of their queries), and fills :class:`sendesk.rules.readiness.PackFacts` so the
readiness check on screen (:func:`readiness_for`) and the one printed on the pack's cover
cannot disagree.

The files themselves are written by :func:`sendesk.operations.pack.build_pack`, above
both this module and the report writers: services never import reports.

Where the parts come from and the choices made:

- the LA's rules: the saved LA profile, or the defaults named after the LA
  (:func:`sendesk.services.ehc.la_profiles.la_rules`); the LA is the one named by the caller,
  else the open EHC request's, else the school's;
- views, consent, why now, health and social care: the pupil's latest open EHC request (the
  latest request of any kind when none is open); views fall back to the most recent support
  plan that records them, and the pack says which plan they came from;
- costs, two figures: what was *delivered* in the 12 months to the day of the pack, priced
  by the same rule as the provision map
  (:func:`sendesk.services.graduated.intervention_records.session_costs`),
  one line per intervention rounded to the penny; and the *full-year* cost of the provision
  in place now — the latest support plan that has started (after its review too, until the
  next cycle starts) — every line with weekly minutes costed as hours × rate × the LA's
  school weeks (:func:`sendesk.rules.readiness.annual_cost`): in-class support and staff
  time as well as interventions. A line's rate is, in this order: the line's own rate; for
  an intervention, its staff role's rate in the catalogue, shared among the group's places;
  the school's default staff rate (File, School details); the LA profile's staff rate; else
  it is shown uncosted. The full-year figure is the one set against the notional £6,000
  (a budget per pupil per *year*, and what the school now provides), unless no line of the
  plan can be costed: then the delivered figure is;
- an intervention's area of need is the one the pupil's plan gives it: the area of an
  outcome in the latest plan listing it — the catalogue's area when that plan has an
  outcome in it, else the area of the pupil's highest-ranked need among the plan's
  outcomes, else the plan's first outcome's; the catalogue's area when no plan lists it;
- the request is "being prepared" until it has a date sent (``EhcRequest.sent_on``); only
  then does the pack give the statutory dates;
- register history leaves out voided register entries (``voided_at`` set): they were
  mistakes, and the pack tells the pupil's effective history;
- the school's named contact and its default staff rate: the settings of
  :mod:`sendesk.services.school.school_details`; aspirations and the sign-off: the request's row;
- a professional report is "attached" when one of the agency's documents is appended to
  the pack (before documents are chosen: when it has one stored), and dated by its latest
  document's date, else by when the pupil was seen, else by the referral;
- attendance runs to the usual last day of its latest term, or today while that term is on.

Only the SENCo builds packs or sees their readiness (DESIGN.md: learning support staff and
teachers may not build packs). Errors carry no pupil names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import EhcRequest, Pupil
from sendesk.rules import readiness as rr
from sendesk.rules.census import PROVISION_LABELS, Area, Provision
from sendesk.rules.years import academic_year_of, year_label
from sendesk.services.actor import Actor
from sendesk.services.common import data_of, pupil_or_gone, refuse
from sendesk.services.ehc.la_profiles import la_rules
from sendesk.services.ehc.records import RequestItem
from sendesk.services.ehc.requests import list_requests
from sendesk.services.evidence.agencies import InvolvementItem, list_involvements
from sendesk.services.evidence.evidence import KIND_NAMES, DocumentItem, list_documents
from sendesk.services.graduated.concerns import ConcernItem, list_concerns
from sendesk.services.graduated.costs import (
    attended_rows,
    by_intervention,
    planned_vs_delivered,
)
from sendesk.services.graduated.enrolments import pupil_enrolments, pupil_progress
from sendesk.services.graduated.intervention_records import (
    EnrolmentItem,
    InterventionItem,
    ProvisionHours,
    session_costs,
)
from sendesk.services.graduated.intervention_records import Progress as EnrolmentProgress
from sendesk.services.graduated.intervention_setup import list_interventions
from sendesk.services.graduated.progress_data import (
    AttainmentItem,
    AttainmentTrend,
    AttendanceItem,
    AttendanceSummary,
    attainment_over_time,
    attendance_last_year,
    list_attainment,
    list_attendance,
    months_before,
)
from sendesk.services.graduated.provision_map import ProvisionLine
from sendesk.services.graduated.support_plans import PlanDetail, plan_details
from sendesk.services.permissions import Action, permit
from sendesk.services.register.pupil_record import (
    HistoryItem,
    NeedItem,
    NeedProfileItem,
    get_record,
)
from sendesk.services.school.school import school_info
from sendesk.services.school.school_details import SchoolDetails, read_school_details

COST_PERIOD_MONTHS = 12
_TERM_ENDS = {"autumn": (12, 20), "spring": (3, 31), "summer": (7, 22)}  # (month, day)
_TERM_WEEKS = 13  # a term whose season is not in its name: about 13 weeks
_WRITE = "build EHC request packs"


# --- plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceChoice:
    """A stored evidence document as offered for the pack (never its contents)."""

    id: int
    title: str
    filename: str
    media_type: str
    size: int
    document_date: date | None
    agency: str | None
    sha256: str

    @property
    def kind(self) -> str:
        return KIND_NAMES.get(self.media_type, self.media_type)


@dataclass(frozen=True)
class PupilDetails:
    """Who the child is, as the LA's forms ask (legal and preferred names both)."""

    name: str  # preferred names where recorded
    legal_name: str
    upn: str
    dob: date
    age: int
    gender: str | None
    year_text: str  # "Year 8"
    chronological_year_text: str  # the year group by date of birth, when it differs
    reg_group: str | None
    admission_date: date | None
    eal: bool
    pupil_premium: bool
    looked_after: bool
    nhs_number: str | None
    provision: str  # "SEN support (K)"
    provision_since: date | None
    parents: tuple[str, ...]  # everyone with parental responsibility: "Name (relationship)"
    home_language: str | None = None
    ethnicity: str | None = None
    contacts: tuple[ParentContact, ...] = ()  # those with parental responsibility, in full


@dataclass(frozen=True)
class ParentContact:
    """Someone with parental responsibility, with how to reach them (LA forms ask)."""

    name: str
    relationship: str
    address: str
    phone: str
    email: str
    preferred: str


@dataclass(frozen=True)
class SignOff:
    """Who signed the request off for the school, their role, and when."""

    by: str
    role: str
    on: date | None


@dataclass(frozen=True)
class Views:
    """The child's and the parents' views, and where each was recorded."""

    pupil: str
    pupil_source: str
    parents: str
    parents_source: str


@dataclass(frozen=True)
class InterventionRecord:
    """One enrolment: the measures over time with the verdict, and the hours."""

    enrolment: EnrolmentItem
    progress: EnrolmentProgress
    hours: ProvisionHours | None
    staff_role: str
    area: str

    @property
    def title(self) -> str:
        """The group's name, which usually names the intervention; else both."""
        name, group = self.progress.intervention_name, self.progress.group_name
        if name.casefold() in group.casefold():
            return group
        return f"{name} ({group})" if group else name


@dataclass(frozen=True)
class PlannedCostLine:
    """One line of the provision in place now, costed for a full school year.

    ``share`` is how many places the staff time is shared among (an intervention's group
    size; 1 for one-to-one and in-class support); ``rate_from`` says where the rate came
    from; ``cost_pence`` is None when no rate could be found."""

    provision: str
    kind: str
    area: str
    minutes_per_week: int
    rate_pence: int | None
    rate_from: str
    share: int
    weeks: int
    cost_pence: int | None


DELIVERED, PLANNED = "delivered", "planned"


@dataclass(frozen=True)
class Costs:
    """Delivered provision over the costing period, the full-year cost of the provision in
    place now, and which of the two is set against the notional threshold (``basis``)."""

    period_start: date
    period_end: date
    lines: tuple[ProvisionLine, ...]  # what each intervention delivered in the period
    threshold: Decimal
    weeks_per_year: int
    planned: tuple[PlannedCostLine, ...] = ()
    plan_start: date | None = None  # the plan the planned lines come from
    basis: str | None = None  # PLANNED, DELIVERED, or None: nothing to compare

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def total_pence(self) -> int:
        return sum(line.cost_pence for line in self.lines)

    @property
    def total(self) -> Decimal:
        return Decimal(self.total_pence) / 100

    @property
    def planned_pence(self) -> int:
        return sum(ln.cost_pence or 0 for ln in self.planned)

    @property
    def planned_total(self) -> Decimal:
        return Decimal(self.planned_pence) / 100

    @property
    def planned_minutes_per_week(self) -> int:
        return sum(ln.minutes_per_week for ln in self.planned)

    @property
    def uncosted(self) -> tuple[PlannedCostLine, ...]:
        return tuple(ln for ln in self.planned if ln.cost_pence is None)

    @property
    def compared(self) -> Decimal | None:
        """The yearly cost set against the threshold (None: nothing to compare)."""
        if self.basis == PLANNED:
            return self.planned_total
        if self.basis == DELIVERED:
            return self.total
        return None

    @property
    def basis_text(self) -> str:
        """What the compared figure is, to finish "The figure is …"."""
        if self.basis == PLANNED:
            return (
                f"the full-year cost ({self.weeks_per_year} school weeks) of the provision "
                "in place now"
            )
        if self.basis == DELIVERED:
            return (
                "what was delivered in the last 12 months (no line of the current plan "
                "has weekly minutes and a rate to cost)"
            )
        return ""


@dataclass(frozen=True)
class PackData:
    """Everything the pack shows about one pupil, gathered at one moment, as plain data."""

    produced_on: date
    school_name: str
    school_urn: str | None
    la: rr.LaRules
    pupil: PupilDetails
    needs: tuple[NeedItem, ...]
    history: tuple[HistoryItem, ...]
    profiles: tuple[NeedProfileItem, ...]
    request: RequestItem | None
    views: Views
    plans: tuple[PlanDetail, ...]  # oldest cycle first
    interventions: tuple[InterventionRecord, ...]  # oldest first
    costs: Costs
    attendance_terms: tuple[AttendanceItem, ...]
    attendance_year: AttendanceSummary
    attendance_to: date | None
    attainment: tuple[AttainmentTrend, ...]
    involvements: tuple[InvolvementItem, ...]
    evidence: tuple[EvidenceChoice, ...]  # in the order they are appended
    readiness: tuple[rr.ReadinessItem, ...]
    school: SchoolDetails = field(default_factory=SchoolDetails)
    aspirations: str = ""  # "what is important to me, my hopes for the future"
    sign_off: SignOff | None = None
    older_attainment: tuple[AttainmentItem, ...] = ()  # subjects with no recent snapshot
    concerns: tuple[ConcernItem, ...] = ()  # causes for concern, oldest first

    @property
    def sections(self) -> tuple[str, ...]:
        """The section keys in the LA's order (any it leaves out follow in the usual order)."""
        known = [k for k in dict.fromkeys(self.la.section_order) if k in rr.SECTION_TITLES]
        return (*known, *(k for k in rr.DEFAULT_SECTION_ORDER if k not in known))

    @property
    def missing(self) -> tuple[rr.ReadinessItem, ...]:
        return tuple(rr.missing(self.readiness))

    def evidence_label(self, doc_id: int) -> str | None:
        """ "E3" for the third appended document (None when not appended)."""
        for n, choice in enumerate(self.evidence, start=1):
            if choice.id == doc_id:
                return f"E{n}"
        return None


# --- small helpers ------------------------------------------------------------------------


def _require_pupil(db: Database, pupil_id: int) -> None:
    with db.session() as s:
        pupil_or_gone(s, pupil_id)


def _year_text(year: int | None) -> str:
    label = year_label(year)
    if not label:
        return ""
    if label == "R":
        return "Reception"
    return f"Year {label}" if label[0].isdigit() else f"Nursery ({label})"


def chronological_year(dob: date, on: date) -> int:
    """The National Curriculum year a child born on ``dob`` is in by age on ``on``.

    Children born from 1 September to 31 August are one cohort; they start Reception (0) in
    the September after they turn four.
    """
    return academic_year_of(on) - academic_year_of(dob) - 5


def attendance_runs_to(term: AttendanceItem, today: date) -> date:
    """The last day a term's attendance figure covers: the usual end of that term (autumn 20
    December, spring 31 March, summer 22 July; 13 weeks on when the season is not named),
    or ``today`` while the term is still on."""
    season = term.term.strip().rsplit(" ", 1)[-1].lower()
    end = term.term_start + timedelta(weeks=_TERM_WEEKS)
    if season in _TERM_ENDS:
        month, day = _TERM_ENDS[season]
        year = term.term_start.year
        end = date(year, month, day)
        if end < term.term_start:
            end = date(year + 1, month, day)
    return min(end, today)


def _round_pence(exact: float) -> int:
    """Whole pence, halves up (as the provision map rounds its lines)."""
    return int(Decimal(repr(exact)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _request(db: Database, actor: Actor, pupil_id: int, today: date) -> RequestItem | None:
    """The pupil's open EHC request (the newest of any when none is open)."""
    requests = list_requests(db, actor, pupil_id, today=today)  # newest first
    return next((r for r in requests if r.is_open), requests[0] if requests else None)


def _views(request: RequestItem | None, plans: Sequence[PlanDetail]) -> Views:
    def pick(attr: str) -> tuple[str, str]:
        if request is not None and getattr(request, attr).strip():
            return getattr(request, attr).strip(), "Recorded for this request."
        for plan in reversed(plans):
            text = getattr(plan, attr).strip()
            if text:
                return text, (
                    f"From the support plan starting {plan.start_date:%d/%m/%Y} "
                    f"(cycle {plan.cycle})."
                )
        return "", ""

    pupil, pupil_source = pick("pupil_views")
    parents, parents_source = pick("parent_views")
    return Views(pupil, pupil_source, parents, parents_source)


def _choices(
    docs: Sequence[DocumentItem], involvements: Sequence[InvolvementItem]
) -> list[EvidenceChoice]:
    agency_of = {i.id: i.agency for i in involvements}
    return [
        data_of(
            d,
            EvidenceChoice,
            agency=agency_of.get(d.involvement_id) if d.involvement_id is not None else None,
        )
        for d in docs
    ]


def _date_order(choices: Sequence[EvidenceChoice]) -> list[EvidenceChoice]:
    """Oldest document first, undated ones last (then in the order they were added)."""
    return sorted(
        choices, key=lambda c: (c.document_date is None, c.document_date or date.min, c.id)
    )


def _chosen(
    available: Sequence[EvidenceChoice], evidence_ids: Sequence[int] | None
) -> list[EvidenceChoice]:
    if evidence_ids is None:
        return _date_order(available)
    by_id = {c.id: c for c in available}
    problems: list[str] = []
    seen: set[int] = set()
    chosen: list[EvidenceChoice] = []
    for doc_id in evidence_ids:
        if isinstance(doc_id, bool) or not isinstance(doc_id, int):
            raise TypeError("evidence ids are whole numbers")
        if doc_id in seen:
            problems.append(f"document {doc_id} is chosen twice")
        elif doc_id not in by_id:
            problems.append(f"document {doc_id} is not one of this pupil's evidence documents")
        else:
            chosen.append(by_id[doc_id])
        seen.add(doc_id)
    refuse(problems)
    return chosen


# --- gathering ----------------------------------------------------------------------------


def _delivered(
    db: Database,
    actor: Actor,
    pupil_id: int,
    roles: dict[int, str],
    areas: dict[int, str],
    start: date,
    today: date,
) -> list[ProvisionLine]:
    """What the sessions logged in [start, today] cost, one line per intervention."""
    priced = session_costs(attended_rows(db, actor, pupil_id=pupil_id, start=start, end=today))
    return [
        ProvisionLine(
            intervention_id=c.intervention_id,
            intervention=c.intervention,
            area=areas.get(c.intervention_id, c.area),
            staff_role=roles.get(c.intervention_id, ""),
            cost_per_hour_pence=c.cost_per_hour_pence,
            sessions_attended=c.sessions,
            minutes=c.minutes,
            cost_pence=_round_pence(c.pence),
        )
        for c in by_intervention(priced)
    ]


def _in_place(plans: Sequence[PlanDetail], today: date) -> PlanDetail | None:
    """The plan whose provision is in place now: the latest that has started (its review
    does not end it; the next cycle does)."""
    started = [p for p in plans if p.start_date <= today]
    return started[-1] if started else None


def _planned(
    plan: PlanDetail | None,
    catalogue: dict[int, InterventionItem],
    areas: dict[int, str],
    school_rate: int | None,
    la: rr.LaRules,
) -> list[PlannedCostLine]:
    """The plan's lines with weekly minutes, each costed for the LA's school year.

    Rates, in order: the line's own; an intervention's staff role in the catalogue (shared
    among the group's places); the school's default staff rate; the LA's; else none.
    """
    if plan is None:
        return []
    la_rate = (
        int((la.staff_rate_per_hour * 100).to_integral_value(ROUND_HALF_UP))
        if la.staff_rate_per_hour is not None
        else None
    )
    whose = f"{la.name}'s staff rate" if la.name.strip() else "the LA's staff rate"
    lines: list[PlannedCostLine] = []
    for p in plan.provisions:
        if not p.minutes_per_week:
            continue
        item = catalogue.get(p.intervention_id) if p.intervention_id is not None else None
        share = max(item.group_size, 1) if item is not None else 1
        options: list[tuple[int | None, str]] = [(p.cost_per_hour_pence, "this plan line")]
        if item is not None and item.cost_per_hour_pence:
            options.append((item.cost_per_hour_pence, f"{item.staff_role or 'staff'} rate"))
        options += [(school_rate, "school's default staff rate"), (la_rate, whose)]
        rate, source = next(((r, w) for r, w in options if r is not None), (None, ""))
        cost: int | None = None
        if rate is not None:  # minutes ÷ 60 × rate × weeks ÷ places, rounded once
            exact = Decimal(p.minutes_per_week * rate * la.weeks_per_year) / (60 * share)
            cost = int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        lines.append(
            PlannedCostLine(
                provision=p.description,
                kind=p.kind_label,
                area=areas.get(p.intervention_id, item.area if item else "")
                if p.intervention_id is not None
                else "",
                minutes_per_week=p.minutes_per_week,
                rate_pence=rate,
                rate_from=source,
                share=share,
                weeks=la.weeks_per_year,
                cost_pence=cost,
            )
        )
    return lines


def _costs(
    delivered: list[ProvisionLine],
    planned: list[PlannedCostLine],
    plan: PlanDetail | None,
    la: rr.LaRules,
    start: date,
    today: date,
) -> Costs:
    area_order = [a.value for a in Area]
    delivered.sort(
        key=lambda ln: (
            area_order.index(ln.area) if ln.area in area_order else len(area_order),
            ln.intervention.casefold(),
        )
    )
    basis: str | None = None
    if any(ln.cost_pence is not None for ln in planned):
        basis = PLANNED  # a budget per pupil per year, set against what is provided now
    elif delivered:
        basis = DELIVERED
    return Costs(
        period_start=start,
        period_end=today,
        lines=tuple(delivered),
        threshold=la.notional_threshold,
        weeks_per_year=la.weeks_per_year,
        planned=tuple(planned),
        plan_start=plan.start_date if plan is not None and planned else None,
        basis=basis,
    )


def _plan_areas(
    plans: Sequence[PlanDetail],
    catalogue: dict[int, InterventionItem],
    needs: Sequence[NeedItem],
) -> dict[int, str]:
    """Each intervention's area of need as the pupil's plans give it (see the module's
    docstring): the latest plan listing it decides."""
    need_order = [n.area for n in sorted(needs, key=lambda n: n.rank) if n.area]
    areas: dict[int, str] = {}
    for plan in plans:  # oldest first: a later plan overrides
        outcome_areas = list(dict.fromkeys(o.area for o in plan.outcomes if o.area))
        for p in plan.provisions:
            if p.intervention_id is None or p.intervention_id not in catalogue:
                continue
            own = catalogue[p.intervention_id].area
            if not outcome_areas or own in outcome_areas:
                areas[p.intervention_id] = own
                continue
            by_need = [a for a in need_order if a in outcome_areas]
            areas[p.intervention_id] = by_need[0] if by_need else outcome_areas[0]
    return areas


def _facts(
    data: PackData,
    attainment_dates: Sequence[date],
    stored: Sequence[EvidenceChoice],
    attached: set[int],
) -> rr.PackFacts:
    request = data.request
    areas: list[Area] = []
    for need in data.needs:
        if need.area in {a.value for a in Area} and Area(need.area) not in areas:
            areas.append(Area(need.area))
    descriptions: dict[Area, str] = {}
    for profile in data.profiles:
        if profile.area in {a.value for a in Area}:
            text = "\n".join(
                t.strip()
                for t in (profile.strengths, profile.difficulties, profile.strategies)
                if t.strip()
            )
            descriptions[Area(profile.area)] = text
    reports: list[rr.ReportFact] = []
    for inv in data.involvements:
        docs = [c for c in stored if c.id in set(inv.document_ids)]
        dated_docs = [c.document_date for c in docs if c.document_date is not None]
        dated = max(dated_docs) if dated_docs else (inv.seen_date or inv.referral_date)
        title = next((c.title for c in docs), inv.professional)
        reports.append(
            rr.ReportFact(
                agency=inv.agency,
                title=title,
                dated=dated,
                attached=any(d in attached for d in inv.document_ids),
            )
        )
    cost = data.costs
    health = ""
    if request is not None:
        health = "\n".join(
            t.strip() for t in (request.health_info, request.social_care_info) if t.strip()
        )
    return rr.PackFacts(
        date_of_birth=data.pupil.dob,
        consent_recorded_on=request.consent_on if request else None,
        young_person_consent_on=request.young_person_consent_on if request else None,
        pupil_views=data.views.pupil,
        parent_views=data.views.parents,
        need_areas=tuple(areas),
        need_descriptions=descriptions,
        cycles=tuple(
            rr.CycleFact(
                started_on=p.start_date,
                reviewed_on=p.reviewed_on,
                outcomes=tuple(o.text for o in p.outcomes),
                provision=tuple(x.description for x in p.provisions),
            )
            for p in data.plans
        ),
        interventions=tuple(
            rr.InterventionFact(
                name=r.title,
                entry_measure=r.enrolment.entry_measure is not None,
                exit_measure=r.enrolment.exit_measure is not None,
                running=r.enrolment.end_date is None,
            )
            for r in data.interventions
        ),
        attendance_percent=data.attendance_year.percentage,
        attendance_to=data.attendance_to,
        attainment_dates=tuple(attainment_dates),
        reports=tuple(reports),
        provision_cost_per_year=cost.compared,
        provision_cost_basis=cost.basis_text,
        health_info=health or None,
        health_none_known=bool(request and request.health_none_known),
        senco_name=data.school.senco_name,
        senco_phone=data.school.senco_phone,
        senco_email=data.school.senco_email,
        signed_off_by=data.sign_off.by if data.sign_off else "",
        signed_off_role=data.sign_off.role if data.sign_off else "",
        signed_off_on=data.sign_off.on if data.sign_off else None,
    )


def gather(
    db: Database,
    actor: Actor,
    pupil_id: int,
    *,
    evidence_ids: Sequence[int] | None = None,
    la_name: str | None = None,
    today: date | None = None,
) -> PackData:
    """Everything the pack shows about ``pupil_id``, with its readiness check.

    ``evidence_ids``: the documents to append, in order (None: every document, oldest first).
    """
    permit(actor, Action.BUILD_PACK)
    today = today or date.today()
    record = get_record(db, actor, pupil_id)
    school = school_info(db)
    request = _request(db, actor, pupil_id, today)
    extra = _extras(db, pupil_id, request.id if request else None)
    history = record.history  # already the effective history: no voided entry in it
    name = (la_name or "").strip() or (request.la_name if request else "") or (school.la_name or "")
    la = la_rules(db, name)
    plans = tuple(plan_details(db, actor, pupil_id))
    concerns = tuple(reversed(list_concerns(db, actor, pupil_id)))
    catalogue = {i.id: i for i in list_interventions(db, actor)}
    roles = {iid: i.staff_role for iid, i in catalogue.items()}
    areas = _plan_areas(plans, catalogue, record.needs)
    enrolments = sorted(pupil_enrolments(db, actor, pupil_id), key=lambda e: (e.start_date, e.id))
    hours = {
        h.enrolment_id: h
        for h in planned_vs_delivered(db, actor, pupil_id=pupil_id, as_of=today)
        if h.enrolment_id is not None
    }
    by_name = {i.name: i for i in catalogue.values()}
    progress_of = pupil_progress(db, actor, pupil_id)
    records = []
    for e in enrolments:
        progress = progress_of[e.id]
        item = by_name.get(progress.intervention_name)
        records.append(
            InterventionRecord(
                enrolment=e,
                progress=progress,
                hours=hours.get(e.id),
                staff_role=item.staff_role if item else "",
                area=areas.get(item.id, item.area) if item else "",
            )
        )
    terms = tuple(list_attendance(db, actor, pupil_id))
    year = attendance_last_year(db, actor, pupil_id, today)
    recent = [t for t in terms if t.term_start <= today]
    attendance_to = attendance_runs_to(recent[-1], today) if recent else None
    snapshots = list_attainment(db, actor, pupil_id)
    attainment_dates = [a.taken_on for a in snapshots]
    trends = tuple(attainment_over_time(db, actor, pupil_id, today))
    involvements = tuple(list_involvements(db, actor, pupil_id))
    stored = _choices(list_documents(db, actor, pupil_id), involvements)
    chosen = _chosen(stored, evidence_ids)
    start = months_before(today, COST_PERIOD_MONTHS) + timedelta(days=1)
    in_place = _in_place(plans, today)
    costs = _costs(
        _delivered(db, actor, pupil_id, roles, areas, start, today),
        _planned(in_place, catalogue, areas, extra.school.staff_rate_per_hour_pence, la),
        in_place,
        la,
        start,
        today,
    )
    age = rr.age_on(record.dob, today)
    chrono = chronological_year(record.dob, today)
    chrono_text = _year_text(chrono) if chrono != record.year_group else ""
    provision = ""
    if record.provision in Provision.__members__:
        provision = f"{PROVISION_LABELS[Provision(record.provision)]} ({record.provision})"
    responsible = [c for c in record.contacts if c.parental_responsibility]
    pupil = data_of(
        record,
        PupilDetails,
        name=record.display_name,
        legal_name=f"{record.legal_forename} {record.legal_surname}",
        age=age,
        year_text=_year_text(record.year_group),
        chronological_year_text=chrono_text,
        provision=provision,
        parents=tuple(
            f"{c.name} ({c.relationship_to_pupil})" if c.relationship_to_pupil else c.name
            for c in responsible
        ),
        home_language=extra.home_language,
        ethnicity=extra.ethnicity,
        contacts=tuple(
            ParentContact(
                name=c.name,
                relationship=c.relationship_to_pupil or "",
                address=(c.address or "").strip(),
                phone=(c.phone or "").strip(),
                email=(c.email or "").strip(),
                preferred=(c.preferred_contact or "").strip(),
            )
            for c in responsible
        ),
    )
    held = {(t.subject.casefold(), t.measure.casefold()) for t in trends}
    older: dict[tuple[str, str], AttainmentItem] = {}
    for snap in snapshots:  # every subject held: the latest of any the table leaves out
        key = (snap.subject.casefold(), snap.measure.casefold())
        later = key not in older or snap.taken_on >= older[key].taken_on
        if key not in held and snap.taken_on <= today and later:
            older[key] = snap
    data = PackData(
        produced_on=today,
        school_name=school.name,
        school_urn=school.urn,
        la=la,
        pupil=pupil,
        needs=tuple(n for n in record.needs if n.code != "NSA"),
        history=history,
        profiles=record.need_profiles,
        request=request,
        views=_views(request, plans),
        plans=plans,
        interventions=tuple(records),
        costs=costs,
        attendance_terms=terms,
        attendance_year=year,
        attendance_to=attendance_to,
        attainment=trends,
        involvements=involvements,
        evidence=tuple(chosen),
        readiness=(),
        school=extra.school,
        aspirations=extra.aspirations,
        sign_off=extra.sign_off,
        older_attainment=tuple(
            sorted(older.values(), key=lambda a: (a.subject.casefold(), a.measure.casefold()))
        ),
        concerns=concerns,
    )
    # Before documents are chosen, a report counts as attached when one is stored.
    attached = {c.id for c in (chosen if evidence_ids is not None else stored)}
    facts = _facts(data, attainment_dates, stored, attached)
    return dataclasses.replace(data, readiness=tuple(rr.readiness(facts, la, today)))


@dataclass(frozen=True)
class _Extras:
    """What the pack reads itself, beside the services it calls: the pupil's home language
    and ethnicity, the request's aspirations and sign-off, and the school's details."""

    home_language: str | None
    ethnicity: str | None
    aspirations: str
    sign_off: SignOff | None
    school: SchoolDetails


def _extras(db: Database, pupil_id: int, request_id: int | None) -> _Extras:
    """Read :class:`_Extras` in one session (three or four small queries)."""
    with db.session() as s:
        language, ethnicity = s.execute(
            select(Pupil.home_language, Pupil.ethnicity).where(Pupil.id == pupil_id)
        ).one()
        aspirations, sign_off = "", None
        if request_id is not None:
            row = s.execute(
                select(
                    EhcRequest.aspirations,
                    EhcRequest.signed_off_by,
                    EhcRequest.signed_off_role,
                    EhcRequest.signed_off_on,
                ).where(EhcRequest.id == request_id)
            ).one()
            aspirations = (row.aspirations or "").strip()
            if (row.signed_off_by or "").strip() or row.signed_off_on is not None:
                sign_off = SignOff(
                    (row.signed_off_by or "").strip(),
                    (row.signed_off_role or "").strip(),
                    row.signed_off_on,
                )
        details = read_school_details(s)
    return _Extras(
        home_language=(language or "").strip() or None,
        ethnicity=(ethnicity or "").strip() or None,
        aspirations=aspirations,
        sign_off=sign_off,
        school=details,
    )


# --- what the wizard asks -----------------------------------------------------------------


def available_evidence(db: Database, actor: Actor, pupil_id: int) -> list[EvidenceChoice]:
    """The pupil's evidence documents that may be appended, oldest first (no contents)."""
    permit(actor, Action.BUILD_PACK)
    _require_pupil(db, pupil_id)
    involvements = list_involvements(db, actor, pupil_id)
    return _date_order(_choices(list_documents(db, actor, pupil_id), involvements))


def readiness_for(
    db: Database,
    actor: Actor,
    pupil_id: int,
    *,
    la_name: str | None = None,
    today: date | None = None,
) -> list[rr.ReadinessItem]:
    """The readiness check for a pupil's pack, as its cover page will show it."""
    return list(gather(db, actor, pupil_id, la_name=la_name, today=today).readiness)


def find_pupil(db: Database, actor: Actor, upn: str) -> int:
    """The id of the pupil with ``upn`` for ``sendesk pack``
    (:func:`sendesk.services.register.pupils.pupil_id_of`)."""
    from sendesk.services.register.pupils import pupil_id_of

    return pupil_id_of(db, actor, upn, Action.BUILD_PACK)


def parse_evidence(text: str) -> list[int] | None:
    """``--evidence`` as typed: "all" (None: every document), "none" ([]) or "3,7,5"."""
    cleaned = text.strip().lower()
    if cleaned == "all":
        return None
    if cleaned == "none":
        return []
    ids: list[int] = []
    for part in cleaned.split(","):
        part = part.strip()
        if not part.isdigit():
            raise ValidationError(
                f"--evidence takes none, all, or document numbers separated by commas "
                f"(not '{part or text.strip()}')."
            )
        ids.append(int(part))
    return ids


__all__ = [
    "DELIVERED",
    "PLANNED",
    "Costs",
    "EvidenceChoice",
    "InterventionRecord",
    "PackData",
    "ParentContact",
    "PlannedCostLine",
    "PupilDetails",
    "SignOff",
    "Views",
    "attendance_runs_to",
    "available_evidence",
    "chronological_year",
    "find_pupil",
    "gather",
    "parse_evidence",
    "readiness_for",
]
