"""EHC history for the demo school: LA profiles, requests at every stage, plans and reviews.

So that the EHC screens, "what's due" and ``sendesk deadlines`` of a demo school show
every state a SENCo meets, :func:`add_ehc_history` gives the pupils already written by
:func:`sendesk.demo.write_demo_school`:

- LA profiles for the school's LA and a neighbouring one with different panel rules;
- an EHC plan for every pupil with an EHC plan on the register (sections B, E and F from
  their needs, hours a week and top-up funding), issued the day the register says, with
  an annual review for each year since: invitations, the meeting, the report and the
  LA's decision (after a decision to amend: the amendments proposed with it and the
  amended plan 6 weeks later). One pupil's review is overdue, one has a meeting held last
  week with the paperwork still to send, one has next month's meeting booked, and one had
  amendments proposed 11 weeks ago with the amended plan still not issued (due after 8);
  plans issued in the last two years carry the completed request that led to them;
- open requests for pupils on SEN support at every stage: being prepared, just sent,
  agreed to assess, health and social care advice asked for and now late (reg 8: 6
  weeks), agreed to issue, a draft with the family, refused to assess (with a way-forward
  meeting and mediation), refused to issue (mediation certificate and an appeal), an LA
  running late ("week 23 of 20") and one whose clock is extended by a recorded
  summer-closure exception. Requests past the decision to assess record when the advice
  was asked for and when it arrived;
- the evidence a real case has, for every pupil with a plan or an open request: an
  educational psychologist's report, a specialist's report for their needs (speech and
  language, specialist teacher, occupational therapy…) and a work sample, stored as
  evidence documents, the reports linked to the agency's involvement. The reports are the
  one-page PDFs of :func:`sendesk.demo.graduated.report_pdf`; a report the
  graduated history already stored stands in for one. Three open requests
  (:data:`OLD_REPORT_STAGES`) have a specialist's report a few months past their LA's limit,
  so the request pack's readiness check has one to flag.

Everything is drawn from ``random.Random(f"{seed}-ehc")`` and anchored on ``today``, so
the same seed and day give the same history. Rows are written inside the caller's
transaction (a few per pupil, the documents small: fast), and every request is checked
against the service's own order rules
(:func:`sendesk.services.ehc.request_steps.case_problems`) before it is
written, so the demo never shows a case the app itself would refuse.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.demo.graduated import (
    AGENCY_BY_NEED,
    AGENCY_INFO,
    BACKGROUND,
    FONT_FILES,
    PROFESSIONALS,
    report_pdf,
)
from sendesk.demo.tables import load, tuples
from sendesk.models import (
    AgencyInvolvement,
    AnnualReview,
    EhcClockException,
    EhcPlan,
    EhcRequest,
    EvidenceDocument,
    LaProfile,
    NeedProfile,
    Pupil,
    RegisterEntry,
    School,
    SupportPlan,
)
from sendesk.rules.census import Area, area_of
from sendesk.rules.confidentiality import default_level
from sendesk.rules.readiness import (
    DEFAULT_REPORT_MAX_AGE_MONTHS,
    DEFAULT_SECTION_ORDER,
    add_months,
    la_rules_problems,
)
from sendesk.rules.timeline import annual_review_due, review_meeting_by
from sendesk.services.ehc.la_profiles import LaProfileData, rules_of
from sendesk.services.ehc.request_steps import CASE_FIELDS, case_problems
from sendesk.services.store.audit import AuditWriter

_TABLES = load("ehc")
"""The text tables of this module (names, phrases, advice): ``resources/demo/ehc.json``."""

NEIGHBOUR_LA = "Bedford Borough"
CASEWORKERS = tuples(_TABLES["CASEWORKERS"])
HEAD_TEACHER = "Mrs Helen Ward"
"""The demo school's head teacher (School details), who signs its requests off."""
SIGNED_OFF_BY = (HEAD_TEACHER, "Head teacher")
"""Who signs the demo school's requests off, as the LA's form asks (name, role)."""
ASPIRATIONS = tuples(_TABLES["ASPIRATIONS"])
"""What is important to the pupil and their hopes for the future (LA forms ask for it)."""
POST16_DESTINATIONS = tuples(_TABLES["POST16_DESTINATIONS"])
"""Where the demo's Year 11 pupils with plans move on to (the school has no sixth form)."""
REVIEWS_KEPT = 6  # Years 7–11 and the transfer review from primary
MAX_YEARS_BACK = 8
REQUEST_AFTER_CYCLES = 2  # reviewed support plans before a demo school asks for an assessment
ADVICE_ASKED_AFTER = timedelta(days=2)  # the LA writes to health and social care
ADVICE_TAKES = timedelta(weeks=5)  # inside the 6 weeks of reg 8
AMENDED_PLAN_TAKES = timedelta(weeks=6)  # inside the 8 weeks of reg 22
_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)

# What each area of need looks like in a plan's sections E (outcome) and F (provision).
AREA_PLAN: dict[Area, tuple[str, str]] = {
    Area(k): v for k, v in tuples(_TABLES["AREA_PLAN"]).items()
}
GENERIC_PLAN = tuples(_TABLES["GENERIC_PLAN"])

REVIEW_SUMMARIES = tuples(_TABLES["REVIEW_SUMMARIES"])
PUPIL_VIEWS = tuples(_TABLES["PUPIL_VIEWS"])
PARENT_VIEWS = tuples(_TABLES["PARENT_VIEWS"])
WHY_NOW = tuples(_TABLES["WHY_NOW"])
HEALTH = tuples(_TABLES["HEALTH"])
SOCIAL_CARE = tuples(_TABLES["SOCIAL_CARE"])


@dataclass(frozen=True)
class EhcSummary:
    """What :func:`add_ehc_history` made (for the audit event and tests)."""

    la_profiles: int
    plans: int
    reviews: int
    requests: int
    exceptions: int
    involvements: int
    documents: int

    def as_dict(self) -> dict[str, int]:
        return {
            "la_profiles": self.la_profiles,
            "plans": self.plans,
            "reviews": self.reviews,
            "requests": self.requests,
            "exceptions": self.exceptions,
            "involvements": self.involvements,
            "documents": self.documents,
        }


@dataclass
class _Pupil:
    row: Pupil
    needs: tuple[str, ...]
    since: date  # the day the current E (or K) spell began
    reason: str
    profiles: dict[str, str]

    @property
    def name(self) -> str:
        return self.row.preferred_forename or self.row.legal_forename

    def words(self) -> dict[str, str]:
        he, him, his = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}.get(
            self.row.gender or "", ("they", "them", "their")
        )
        year = (self.row.year_group or 7) + 1
        return {"name": self.name, "he": he, "him": him, "his": his, "year": str(year)}


def _fill(text: str, pupil: _Pupil) -> str:
    return text.format(**pupil.words())


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += _DAY
    return day


def _profile_data(la_name: str) -> tuple[LaProfileData, ...]:
    """The school's LA and a neighbour with stricter panel rules and a longer report limit."""
    return (
        LaProfileData(
            la_name,
            reviewed_cycles=2,
            report_max_age_months=12,
            notional_threshold_pence=600_000,
            staff_rate_per_hour_pence=2_350,
            weeks_per_year=38,
        ),
        LaProfileData(
            NEIGHBOUR_LA,
            reviewed_cycles=3,
            report_max_age_months=18,
            notional_threshold_pence=600_000,
            staff_rate_per_hour_pence=None,
            weeks_per_year=39,
            section_order=(
                "about",
                "views",
                "health_social_care",
                *(
                    k
                    for k in DEFAULT_SECTION_ORDER
                    if k not in ("about", "views", "health_social_care")
                ),
            ),
        ),
    )


def _profiles(session: Session, audit: AuditWriter, la_name: str) -> int:
    profiles = _profile_data(la_name)
    for data in profiles:
        rules = rules_of(data)
        if problems := la_rules_problems(rules):
            raise AssertionError(f"demo LA profile {data.name}: {problems}")
        row = LaProfile(
            name=data.name,
            reviewed_cycles=data.reviewed_cycles,
            report_max_age_months=data.report_max_age_months,
            notional_threshold_pence=data.notional_threshold_pence,
            staff_rate_per_hour_pence=data.staff_rate_per_hour_pence,
            weeks_per_year=data.weeks_per_year,
            section_order=",".join(rules.section_order),
        )
        session.add(row)
        session.flush()
        audit.record("create", "la_profile", row.id, {"name": row.name, "source": "demo"})
    return len(profiles)


def _load(
    session: Session, pupils: list[tuple[int, str, tuple[str, ...], date | None]], provision: str
) -> list[_Pupil]:
    ids = [pid for pid, status, _, _ in pupils if status == provision]
    if not ids:
        return []
    needs = {pid: n for pid, status, n, _ in pupils if status == provision}
    rows = {p.id: p for p in session.scalars(select(Pupil).where(Pupil.id.in_(ids)))}
    since: dict[int, tuple[date, str]] = {}
    for pid, start, reason in session.execute(
        select(RegisterEntry.pupil_id, RegisterEntry.start_date, RegisterEntry.reason).where(
            RegisterEntry.pupil_id.in_(ids), RegisterEntry.end_date.is_(None)
        )
    ):
        since[pid] = (start, reason or "")
    profiles: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, area, difficulties in session.execute(
        select(NeedProfile.pupil_id, NeedProfile.area, NeedProfile.difficulties).where(
            NeedProfile.pupil_id.in_(ids)
        )
    ):
        if (difficulties or "").strip():
            profiles[pid][area] = difficulties.strip()
    return [
        _Pupil(rows[pid], needs[pid], since[pid][0], since[pid][1], profiles[pid])
        for pid in sorted(ids)
        if pid in rows and pid in since and rows[pid].leaving_date is None
    ]


def _areas(pupil: _Pupil) -> list[Area]:
    found: list[Area] = []
    for code in pupil.needs:
        area = area_of(code)
        if area is not None and area not in found:
            found.append(area)
    return found


def _sections(pupil: _Pupil) -> tuple[str, str, str]:
    """Sections B (needs), E (outcomes) and F (provision) of the pupil's plan."""
    areas = _areas(pupil)
    needs = [
        f"{area.value}: {pupil.profiles[area.value]}"
        for area in areas
        if area.value in pupil.profiles
    ] or [f"{area.value}: needs as described in the advice appended to the plan." for area in areas]
    if not needs:
        needs = ["Needs as described in the advice appended to the plan."]
    plans = [AREA_PLAN[a] for a in areas] or [GENERIC_PLAN]
    outcomes = [f"{i}. {_fill(o, pupil)}" for i, (o, _) in enumerate(plans, start=1)]
    provision = [f"{i}. {_fill(p, pupil)}" for i, (_, p) in enumerate(plans, start=1)]
    return "\n".join(needs), "\n".join(outcomes), "\n".join(provision)


def _review(
    rng: random.Random, pupil: _Pupil, plan_id: int, meeting: date, today: date
) -> dict[str, Any]:
    report = meeting + timedelta(days=rng.randint(4, 13))
    decision_on = meeting + timedelta(days=rng.randint(12, 27))
    recommendation = rng.choices(("keep", "amend"), (3, 2))[0]
    return {
        "plan_id": plan_id,
        "meeting_on": meeting,
        "invitations_sent_on": meeting - timedelta(days=rng.randint(14, 21)),
        "report_sent_on": report if report <= today else None,
        "attendees": rng.choice(
            (
                "Parent, SENCo, form tutor, teaching assistant",
                "Both parents, SENCo, head of year, educational psychologist",
                "Parent, SENCo, speech and language therapist, class teacher",
            )
        ),
        "pupil_views": _fill(rng.choice(PUPIL_VIEWS), pupil),
        "parent_views": _fill(rng.choice(PARENT_VIEWS), pupil),
        "summary": _fill(rng.choice(REVIEW_SUMMARIES), pupil),
        "recommendation": recommendation,
        "la_decision": recommendation if decision_on <= today else "",
        "la_decision_on": decision_on if decision_on <= today else None,
        "version": 1,
    }


def _amendments(review: dict[str, Any], today: date) -> dict[str, date | None]:
    """After an LA decision to amend: the amendments proposed with the decision, and the
    amended plan 6 weeks later (of the 8 allowed) unless that is still to come."""
    decided = review["la_decision_on"]
    if review["la_decision"] != "amend" or decided is None:
        return {"amendments_proposed_on": None, "amended_plan_on": None}
    amended = decided + AMENDED_PLAN_TAKES
    return {
        "amendments_proposed_on": decided,
        "amended_plan_on": amended if amended <= today else None,
    }


def _meetings(rng: random.Random, issued: date, today: date) -> list[date]:
    """A review meeting a few weeks before each anniversary, up to ``today``."""
    meetings: list[date] = []
    anchor = issued
    while True:
        # The meeting leaves the LA's decision (4 weeks later) inside the 12 months.
        meeting = _weekday_on_or_before(review_meeting_by(anchor) - timedelta(rng.randint(0, 28)))
        if meeting > today:
            return meetings[-REVIEWS_KEPT:]
        meetings.append(meeting)
        anchor = meeting


def _completed_request(
    rng: random.Random, pupil: _Pupil, issued: date, la_name: str, today: date
) -> dict[str, Any]:
    """The request that led to a plan issued on ``issued``, every step on time."""
    received = _weekday_on_or_before(issued - timedelta(weeks=19, days=rng.randint(0, 4)))
    draft = _weekday_on_or_before(issued - timedelta(days=rng.randint(17, 24)))
    by_parent = "parent" in pupil.reason.lower()
    values: dict[str, Any] = {
        "requested_by": "parent" if by_parent else "school",
        "la_name": la_name,
        "caseworker": rng.choice(CASEWORKERS),
        "sent_on": received - _DAY,
        "received_on": received,
        "consent_on": received - timedelta(days=rng.randint(7, 20)),
        "why_now": _fill(rng.choice(WHY_NOW), pupil),
        "pupil_views": _fill(rng.choice(PUPIL_VIEWS), pupil),
        "parent_views": _fill(rng.choice(PARENT_VIEWS), pupil),
        "health_info": rng.choice(HEALTH),
        "social_care_info": rng.choice(SOCIAL_CARE),
        "health_none_known": False,
        **_extras(pupil, received - _DAY),
        "decided_to_assess": True,
        "decision_to_assess_on": received + timedelta(weeks=5, days=rng.randint(0, 6)),
        "decided_to_issue": True,
        "decision_to_issue_on": draft - timedelta(days=rng.randint(1, 8)),
        "draft_sent_on": draft,
        "draft_setting": "",
        "final_issued_on": issued,
    }
    return values | _advice(values["decision_to_assess_on"], today)


def _extras(pupil: _Pupil, sent: date | None) -> dict[str, Any]:
    """The pupil's hopes for the future, and the sign-off given the day the request went
    (none while it is being prepared). Chosen by the pupil's id, not the random stream, so
    the rest of the demo stays as it was."""
    by, role = SIGNED_OFF_BY if sent is not None else ("", "")
    return {
        "aspirations": ASPIRATIONS[pupil.row.id % len(ASPIRATIONS)],
        "signed_off_by": by,
        "signed_off_role": role,
        "signed_off_on": sent,
    }


def _transfer(pupil: _Pupil, today: date) -> dict[str, Any]:
    """A Year 11 pupil with a plan moves to a post-16 college next September: a recorded
    transfer from secondary school to a post-16 institution (reg 18(1)). Others have
    none recorded (the school has no sixth form to stay on in)."""
    if pupil.row.year_group != 11:
        return {}
    year = today.year if today.month < 9 else today.year + 1
    return {
        "transfer_kind": "secondary_to_post16",
        "transfer_destination": POST16_DESTINATIONS[pupil.row.id % len(POST16_DESTINATIONS)],
        "transfer_on": _weekday_on_or_before(date(year, 9, 7)),
    }


def _advice(assessed: date, today: date) -> dict[str, date | None]:
    """Health and social care advice asked for just after the decision to assess, and in
    5 weeks (of the 6 allowed); a date still to come is left unrecorded."""
    asked = assessed + ADVICE_ASKED_AFTER
    received = asked + ADVICE_TAKES
    return {
        "advice_asked_on": asked if asked <= today else None,
        "advice_received_on": received if received <= today else None,
    }


def _write_request(
    session: Session, audit: AuditWriter, pupil: _Pupil, values: dict[str, Any], today: date
) -> EhcRequest:
    case = {name: values.get(name) for name in CASE_FIELDS}
    case["draft_setting"] = values.get("draft_setting", "")
    case["next_steps"] = values.get("next_steps", "")
    if problems := case_problems(case, today):
        raise AssertionError(f"demo EHC request for pupil {pupil.row.id}: {problems}")
    row = EhcRequest(pupil_id=pupil.row.id, version=1, **values)
    session.add(row)
    session.flush()
    audit.record("create", "ehc_request", row.id, {"pupil_id": pupil.row.id, "source": "demo"})
    return row


def _plans(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    pupils: list[_Pupil],
    school: str,
    la_name: str,
    today: date,
    evidence: list[_Case],
) -> tuple[int, int, int]:
    """Plans and reviews for the EHC pupils; returns (plans, reviews, requests) made and
    adds each pupil to ``evidence``, whose documents are written afterwards."""
    plans = reviews = requests = 0
    order = list(range(len(pupils)))
    rng.shuffle(order)
    # Who shows which case on "what's due": chosen among pupils whose plan is old enough.
    special: dict[int, str] = {}
    cases = iter(("overdue", "paperwork", "booked", "amendment"))
    for i in order:
        if (today - pupils[i].since).days > 400:
            case = next(cases, None)
            if case is None:
                break
            special[i] = case
    # The register recorded each live plan before the move to E (demo._plan_for): fill in
    # those, issued on the day the pupil became E.
    recorded = {
        p.pupil_id: p
        for p in session.scalars(
            select(EhcPlan).where(
                EhcPlan.pupil_id.in_([p.row.id for p in pupils]), EhcPlan.ceased_on.is_(None)
            )
        )
    }
    for i, pupil in enumerate(pupils):
        issued = max(pupil.since, today - timedelta(days=365 * MAX_YEARS_BACK))
        plan_la = NEIGHBOUR_LA if rng.random() < 0.15 else la_name
        needs, outcomes, provision = _sections(pupil)
        values: dict[str, Any] = {
            "la_name": plan_la,
            "named_setting": school,
            "needs": needs,
            "outcomes": outcomes,
            "provision": provision,
            "hours_per_week": rng.choice((10.0, 12.5, 15.0, 17.5, 20.0, 25.0)),
            "top_up_pence": rng.randrange(300_000, 1_400_001, 25_000),
            **_transfer(pupil, today),
        }
        plan = recorded.get(pupil.row.id) or EhcPlan(
            pupil_id=pupil.row.id, issued_on=issued, version=1
        )
        issued = plan.issued_on
        for name, value in values.items():
            setattr(plan, name, value)
        admitted = pupil.row.admission_date
        recent = (today - issued).days <= 2 * 365
        if recent and (admitted is None or (issued - admitted).days > 200):
            request = _write_request(
                session, audit, pupil, _completed_request(rng, pupil, issued, plan_la, today), today
            )
            plan.request_id = request.id
            requests += 1
        if plan.id is None:
            session.add(plan)
            session.flush()
            audit.record(
                "create", "ehc_plan", plan.id, {"pupil_id": pupil.row.id, "source": "demo"}
            )
        else:
            session.flush()
        plans += 1
        evidence.append(_Case(pupil, "plan", issued, plan_la, old_report=False))
        meetings = _meetings(rng, issued, today)
        case = special.get(i)
        booked: date | None = None
        year_ago = today - timedelta(days=365)
        if case == "overdue":
            # No review for over a year: the last meeting was 13 months or so ago.
            meetings = [m for m in meetings if m < year_ago - timedelta(days=15)]
            last = max([issued, *meetings])
            if annual_review_due(last) < today - timedelta(days=60):
                meeting = _weekday_on_or_before(year_ago - timedelta(days=rng.randint(15, 40)))
                meetings += [meeting] if meeting > last else []
        elif case == "paperwork":
            # Met last week: the report and the LA's decision are still to come.
            meetings = [m for m in meetings if m < year_ago]
            meetings.append(_weekday_on_or_before(today - timedelta(days=6)))
        elif case == "booked":
            # Last met ten months ago; next month's meeting is booked, invitations due.
            meetings = [m for m in meetings if m < year_ago - timedelta(days=30)]
            last = _weekday_on_or_before(year_ago + timedelta(days=60))
            meetings.append(last)
            booked = _weekday_on_or_before(review_meeting_by(last) - timedelta(days=5))
        elif case == "amendment":
            # Met 14 weeks ago; the LA decided to amend and proposed the amendments 3 weeks
            # later, so the amended plan was due 3 weeks ago and has not come.
            meetings = [m for m in meetings if m < today - timedelta(weeks=40)]
            meetings.append(_weekday_on_or_before(today - timedelta(weeks=14)))
        rows = [_review(rng, pupil, plan.id, m, today) for m in meetings]
        for values in rows:
            values.update(_amendments(values, today))
        if case == "paperwork" and rows:
            rows[-1].update(
                report_sent_on=None,
                la_decision="",
                la_decision_on=None,
                amendments_proposed_on=None,
                amended_plan_on=None,
            )
        if case == "amendment" and rows:
            proposed = rows[-1]["meeting_on"] + timedelta(weeks=3)
            rows[-1].update(
                report_sent_on=rows[-1]["meeting_on"] + _WEEK,
                recommendation="amend",
                la_decision="amend",
                la_decision_on=proposed,
                amendments_proposed_on=proposed,
                amended_plan_on=None,
            )
        if booked is not None:
            row = _review(rng, pupil, plan.id, booked, today)
            row.update(
                invitations_sent_on=None,
                report_sent_on=None,
                recommendation="",
                summary="",
                pupil_views="",
                parent_views="",
                la_decision="",
                la_decision_on=None,
            )
            rows.append(row)
        for values in rows:
            review = AnnualReview(**values)
            session.add(review)
        session.flush()
        reviews += len(rows)
        held = [m for m in meetings if m <= today]
        pupil.row.next_review_due = annual_review_due(max([issued, *held]))
    return plans, reviews, requests


# --- open requests for pupils on SEN support ------------------------------------------------

Stage = Callable[[random.Random, date], dict[str, Any]]


def _summer(today: date) -> tuple[date, date]:
    """The last summer closure that began at least two weeks before ``today``."""
    year = today.year if date(today.year, 7, 22) + timedelta(days=14) <= today else today.year - 1
    return date(year, 7, 22), date(year, 9, 2)


def _open_stages(
    today: date, school: str
) -> list[tuple[str, dict[str, Any], list[tuple[str, str, date]]]]:
    """(stage, the request's dates and decisions, exceptions) for each open demo request."""
    w, d = _WEEK, _DAY
    stages: list[tuple[str, dict[str, Any], list[tuple[str, str, date]]]] = []
    stages.append(("preparing", {"sent_on": None}, []))
    stages.append(("request sent", {"sent_on": today - 16 * d}, []))
    received = today - 9 * w - 2 * d
    stages.append(
        (
            "decision to assess",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 5 * w + 4 * d,
            },
            [],
        )
    )
    received = today - 15 * w
    stages.append(
        (
            "advice late",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 5 * w + 5 * d,
                # Asked 8½ weeks ago: the 6 weeks of reg 8 ran out 3 weeks ago.
                "advice_asked_on": received + 6 * w,
            },
            [],
        )
    )
    received = today - 13 * w
    stages.append(
        (
            "decision to issue",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 6 * w,
                **_advice(received + 6 * w, today),
                "decided_to_issue": True,
                "decision_to_issue_on": received + 12 * w + 3 * d,
            },
            [],
        )
    )
    received = today - 17 * w - 2 * d
    stages.append(
        (
            "draft plan",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 5 * w + 6 * d,
                **_advice(received + 5 * w + 6 * d, today),
                "decided_to_issue": True,
                "decision_to_issue_on": received + 13 * w,
                "draft_sent_on": received + 16 * w + 3 * d,
                "draft_setting": school,
            },
            [],
        )
    )
    received = today - 12 * w
    refused = received + 6 * w
    stages.append(
        (
            "refused to assess",
            {
                "sent_on": received,
                "decided_to_assess": False,
                "decision_to_assess_on": refused,
                "way_forward_on": refused + 12 * d,
                "mediation_on": refused + 4 * w,
                "next_steps": "Way-forward meeting held with the family and the LA's SEN "
                "officer: the school will run a further reviewed cycle with speech and "
                "language therapy advice; the parents have taken up mediation.",
            },
            [],
        )
    )
    received = today - 30 * w
    refused = received + 15 * w + 4 * d
    stages.append(
        (
            "refused to issue",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 6 * w,
                **_advice(received + 6 * w, today),
                "decided_to_issue": False,
                "decision_to_issue_on": refused,
                "way_forward_on": refused + 9 * d,
                "mediation_on": received + 18 * w,
                "mediation_certificate_on": received + 19 * w,
                "appeal_lodged_on": received + 22 * w,
                "next_steps": "Mediation did not resolve it; the parents have appealed to "
                "the First-tier Tribunal (SEND). The school has sent its evidence bundle.",
            },
            [],
        )
    )
    received = today - 22 * w - 3 * d
    stages.append(
        (
            "LA late",
            {
                "sent_on": received,
                "decided_to_assess": True,
                "decision_to_assess_on": received + 6 * w,
                **_advice(received + 6 * w, today),
                "decided_to_issue": True,
                "decision_to_issue_on": received + 15 * w,
            },
            [],
        )
    )
    start, end = _summer(today)
    received = start - 3 * w
    summer: dict[str, Any] = {"sent_on": received}
    if end + 6 * d <= today:
        summer.update(decided_to_assess=True, decision_to_assess_on=end + 6 * d)
        summer.update(_advice(end + 6 * d, today))
    if end + 8 * w <= today:
        summer.update(decided_to_issue=True, decision_to_issue_on=end + 8 * w)
    if summer.get("decided_to_issue") and received + 21 * w <= today:
        summer.update(draft_sent_on=received + 21 * w, draft_setting=school)
    reason = (
        f"The LA asked the school for advice on {start + 3 * d:%d/%m/%Y}, while it was closed "
        f"for the summer ({start:%d/%m} to {end:%d/%m/%Y}); the panel was moved to September."
    )
    stages.append(("summer closure", summer, [("summer_closure", reason, start + 3 * d)]))
    return stages


def _reviewed_cycles(session: Session, ids: list[int], today: date) -> dict[int, int]:
    """How many reviewed support plans each of ``ids`` has."""
    if not ids:
        return {}
    return dict(
        session.execute(
            select(SupportPlan.pupil_id, func.count(SupportPlan.id))
            .where(
                SupportPlan.pupil_id.in_(ids),
                SupportPlan.reviewed_on.is_not(None),
                SupportPlan.reviewed_on <= today,
            )
            .group_by(SupportPlan.pupil_id)
        ).all()
    )


def _open_requests(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    pupils: list[_Pupil],
    school: str,
    la_name: str,
    today: date,
    evidence: list[_Case],
) -> tuple[int, int]:
    """Open requests at every stage for pupils on SEN support; (requests, exceptions). Each
    pupil is added to ``evidence``; those at :data:`OLD_REPORT_STAGES` have a report past
    their LA's limit."""
    stages = _open_stages(today, school)
    # Pupils who have been on the register long enough to have a story to tell.
    candidates = [
        p for p in pupils if (today - p.since).days > 365 and (p.row.year_group or 0) < 11
    ]
    candidates = candidates if len(candidates) >= len(stages) else pupils
    # A school asks after reviewed cycles of support, with the needs written up: when the
    # school is big enough to have that many such pupils, the requests are theirs.
    reviewed = _reviewed_cycles(session, [p.row.id for p in candidates], today)
    prepared = [
        p
        for p in candidates
        if reviewed.get(p.row.id, 0) >= REQUEST_AFTER_CYCLES
        and _areas(p)
        and all(a.value in p.profiles for a in _areas(p))
    ]
    candidates = prepared if len(prepared) >= len(stages) else candidates
    chosen = rng.sample(candidates, min(len(stages), len(candidates)))
    made = exceptions = 0
    for pupil, (stage, dates, excs) in zip(chosen, stages, strict=False):
        sent = dates.get("sent_on")
        values: dict[str, Any] = {
            "requested_by": "school" if rng.random() < 0.8 else "parent",
            "la_name": la_name if rng.random() < 0.85 else NEIGHBOUR_LA,
            "caseworker": rng.choice(CASEWORKERS) if sent else "",
            "received_on": sent + _DAY if sent else None,
            "consent_on": (sent or today) - timedelta(days=rng.randint(5, 20)),
            "why_now": _fill(rng.choice(WHY_NOW), pupil),
            "pupil_views": _fill(rng.choice(PUPIL_VIEWS), pupil),
            "parent_views": _fill(rng.choice(PARENT_VIEWS), pupil) if sent else "",
            "health_info": rng.choice(HEALTH) if rng.random() < 0.6 else "",
            "social_care_info": rng.choice(SOCIAL_CARE) if rng.random() < 0.3 else "",
            **_extras(pupil, sent),
            **dates,
        }
        values["health_none_known"] = not values["health_info"] and sent is not None
        row = _write_request(session, audit, pupil, values, today)
        made += 1
        anchor = sent or today
        evidence.append(
            _Case(pupil, "request", anchor, values["la_name"], stage in OLD_REPORT_STAGES)
        )
        for kind, reason, on in excs:
            exc = EhcClockException(request_id=row.id, kind=kind, reason=reason, recorded_on=on)
            session.add(exc)
            session.flush()
            audit.record(
                "create",
                "ehc_clock_exception",
                exc.id,
                {"pupil_id": pupil.row.id, "request_id": row.id, "kind": kind, "source": "demo"},
            )
            exceptions += 1
    return made, exceptions


# --- the evidence a real case has ---------------------------------------------------------------

EP = "Educational psychologist"
SPECIALISTS_BY_DEFAULT = (
    "Speech and language therapy",
    "Specialist teacher (learning)",
    "Occupational therapy",
)
"""Where a specialist report comes from when the pupil's needs suggest none of their own."""
NOT_SPECIALISTS = frozenset({EP, "School nurse"})
OLD_REPORT_STAGES = frozenset({"preparing", "refused to assess", "LA late"})
"""Open requests whose specialist report is a few months past their LA's limit, so the
readiness check has an out-of-date report to flag: the SENCo preparing a request now, a
refusal that asks for fresh advice, and the request on the screenshots."""
PDF = "application/pdf"
PNG = "image/png"
EHC_CONCERN: dict[Area, str] = {Area(k): v for k, v in _TABLES["EHC_CONCERN"].items()}
EP_REQUEST_ADVICE = (
    " Given the needs described and the support already tried, the school and parents "
    "should consider asking the local authority for an EHC needs assessment."
)
EP_PLAN_TITLE = "Educational psychology advice for the EHC needs assessment"
EP_PLAN_ADVICE = (
    " These recommendations should be written into the outcomes and provision of the EHC "
    "plan (sections E and F)."
)
WORK_SAMPLES: dict[Area, tuple[str, str, str, str]] = {
    Area(k): v for k, v in tuples(_TABLES["WORK_SAMPLES"]).items()
}
_PAPER, _RULE, _MARGIN, _PENCIL, _PEN = (
    (252, 251, 245),
    (196, 210, 232),
    (232, 160, 160),
    (62, 64, 76),
    (190, 30, 40),
)
_INK = 100  # grey levels 0.._INK shade paper into pencil; _RED_BASE+1.._RED_BASE+_INK into pen
_RED_BASE = 150
_RULE_INDEX, _MARGIN_INDEX = 101, 102
_RED_LUT = [0] + [_RED_BASE + min(v, _INK) for v in range(1, 256)]
_MASK_LUT = [0] + [255] * 255


@dataclass(frozen=True)
class _Case:
    """A pupil whose EHC case needs its evidence: ``anchor`` is the day a request was sent
    (today while it is being prepared) or the day a plan was issued; ``la`` the LA whose
    report limit applies."""

    pupil: _Pupil
    kind: str  # "request" or "plan"
    anchor: date
    la: str
    old_report: bool


@dataclass
class _Planned:
    """One evidence document to write, and the involvement it belongs to (None: a work
    sample; an id: an involvement already there; a dict: a new one)."""

    pupil_id: int
    involvement: int | dict[str, Any] | None
    values: dict[str, Any]


def _shade(colour: tuple[int, int, int], steps: int) -> list[int]:
    """``steps + 1`` palette entries from the paper colour to ``colour``."""
    return [
        round(p + (c - p) * i / steps)
        for i in range(steps + 1)
        for p, c in zip(_PAPER, colour, strict=True)
    ]


@cache
def _palette() -> list[int]:
    entries = _shade(_PENCIL, _INK)  # 0.._INK
    entries += [*_RULE, *_MARGIN]  # _RULE_INDEX, _MARGIN_INDEX
    entries += list(_PAPER) * (_RED_BASE - _MARGIN_INDEX)  # unused up to _RED_BASE
    entries += _shade(_PEN, _INK)[3:]  # _RED_BASE+1.._RED_BASE+_INK
    return entries + [0] * (768 - len(entries))


@cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in FONT_FILES:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(words: list[str], widths: dict[str, float], space: float, room: float) -> list[str]:
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        width = widths[word]
        if lines[-1] and used + space + width > room:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + width
        lines[-1].append(word)
    return [" ".join(line) for line in lines]


_WIDTH, _LEFT, _RIGHT, _STEP, _FIRST = 640, 64, 28, 34, 92  # _FIRST: the rule under the title


@cache
def _sample_page(heading: str, text: str, note: str) -> Any:
    """The lined page with the writing and the note, in grey levels (a PIL "L" image; copy
    it before drawing on it). Made once per sample: only the name and date differ."""
    from PIL import Image, ImageDraw

    hand, small = _font(19), _font(14)
    room = _WIDTH - _LEFT - _RIGHT
    words, note_words = text.split(), note.split()
    lines = _wrap(words, {w: hand.getlength(w) for w in set(words)}, hand.getlength(" "), room)
    note_lines = _wrap(
        note_words, {w: small.getlength(w) for w in set(note_words)}, small.getlength(" "), room
    )
    height = _FIRST + _STEP * (len(lines) + 1) + 20 * len(note_lines) + 24
    page = Image.new("L", (_WIDTH, height), 0)
    draw = ImageDraw.Draw(page)
    for y in range(_FIRST, height, _STEP):
        draw.line([(0, y), (_WIDTH, y)], fill=_RULE_INDEX)
    draw.line([(_LEFT - 12, 0), (_LEFT - 12, height)], fill=_MARGIN_INDEX, width=2)
    draw.text((_LEFT, _FIRST - 4), heading, font=hand, fill=_INK, anchor="ls")
    underline = [(_LEFT, _FIRST - 1), (_LEFT + hand.getlength(heading), _FIRST - 1)]
    draw.line(underline, fill=_INK, width=2)
    wobble = random.Random(text)  # a hand is not a printer: lines start and sit unevenly
    for i, line in enumerate(lines, start=1):
        at = (_LEFT + wobble.randint(0, 5), _FIRST + i * _STEP - 6 + wobble.randint(-2, 1))
        draw.text(at, line, font=hand, fill=_INK, anchor="ls")
    top = _FIRST + _STEP * len(lines) + 16
    layer = Image.new("L", (_WIDTH, height - top), 0)
    pen = ImageDraw.Draw(layer)
    for i, line in enumerate(note_lines):
        pen.text((_LEFT, 6 + 20 * i), line, font=small, fill=_INK)
    page.paste(layer.point(_RED_LUT), (0, top), layer.point(_MASK_LUT))
    return page


def work_sample_png(*, forename: str, on: date, heading: str, text: str, note: str) -> bytes:
    """A lined page of a pupil's writing with the teacher's note in red, as PNG bytes (the
    same bytes for the same arguments).

    Small (a palette image 640 pixels wide: a few kilobytes) and quick: the page is drawn
    once per sample in grey levels, the note on a layer of its own; each pupil's copy only
    adds their name and the date, and the levels become colours through the palette.
    """
    from PIL import Image, ImageDraw

    page = _sample_page(heading, text, note).copy()
    draw = ImageDraw.Draw(page)
    hand = _font(19)
    draw.text((_LEFT, 18), forename, font=hand, fill=_INK)
    draw.text((_WIDTH - _RIGHT, 18), f"{on:%d/%m/%Y}", font=hand, fill=_INK, anchor="ra")
    image = Image.frombytes("P", page.size, page.tobytes())
    image.putpalette(_palette())
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _report_values(
    rng: random.Random,
    case: _Case,
    agency: str,
    written: date,
    seen: date,
    professional: str,
    finding: str,
    recommendation: str,
    school: str,
    now: datetime,
) -> dict[str, Any]:
    info = AGENCY_INFO[agency]
    pupil = case.pupil.row
    title = info.document
    if agency == EP and case.kind == "plan":
        title, recommendation = EP_PLAN_TITLE, recommendation + EP_PLAN_ADVICE
    elif agency == EP:
        recommendation += EP_REQUEST_ADVICE
    areas = _areas(case.pupil)
    concern = EHC_CONCERN[areas[0]] if areas else "needs that SEN support has not met"
    content = report_pdf(
        service=info.service.format(la=case.la).strip(),
        title=title,
        name=f"{pupil.legal_forename} {pupil.legal_surname}",
        dob=pupil.dob,
        school=school,
        seen=seen,
        professional=professional,
        paragraphs=(
            ("Background", BACKGROUND.format(concern=concern)),
            ("Findings", finding),
            ("Recommendations", recommendation),
        ),
    )
    document = _document(
        rng, title, f"{info.slug}-{written:%Y-%m-%d}.pdf", PDF, content, written, now
    )
    return {**document, "confidentiality": default_level(agency)}  # as the agency's advice


def _document(
    rng: random.Random,
    title: str,
    filename: str,
    media_type: str,
    content: bytes,
    written: date,
    now: datetime,
) -> dict[str, Any]:
    minutes = rng.randint(9 * 60, 16 * 60)
    added = datetime.combine(written, time(minutes // 60, minutes % 60), tzinfo=UTC)
    return {
        "title": title,
        "filename": filename,
        "media_type": media_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "document_date": written,
        "content": content,
        "added_at": min(added, now),
    }


def _written_on(rng: random.Random, case: _Case, limit: int, specialist: bool, today: date) -> date:
    """The day a report was written. A request's: a few weeks before it was sent (the
    specialist's a few months before), within the LA's limit unless it is the case's old
    report; a plan's: the psychologist's advice during the assessment, the specialist's
    for the last annual review."""
    if case.kind == "plan" and not specialist:
        written = case.anchor - timedelta(weeks=rng.randint(10, 14))
    elif case.kind == "plan":
        written = today - timedelta(days=rng.randint(30, 300))
        written = min(max(written, case.anchor + timedelta(days=7)), today)
    elif specialist and case.old_report:
        months = limit + rng.randint(1, 5)
        written = add_months(today, -months) - timedelta(days=rng.randint(0, 20))
    else:
        weeks = rng.randint(6, 24) if specialist else rng.randint(3, 10)
        earliest = add_months(today, -limit) + timedelta(days=10)
        written = min(max(case.anchor - timedelta(weeks=weeks), earliest), today)
    return _weekday_on_or_before(written)


def _report(
    rng: random.Random,
    case: _Case,
    agency: str,
    specialist: bool,
    known: list[AgencyInvolvement],
    limit: int,
    school: str,
    today: date,
    now: datetime,
) -> _Planned:
    """The report ``agency`` wrote for ``case``: on the pupil's involvement with the agency
    when the agency has seen them (``known``), else on a new involvement. A referral still
    waiting is a second one: the report comes from a visit before it."""
    info = AGENCY_INFO[agency]
    pid = case.pupil.row.id
    finding, recommendation = rng.choice(info.findings), rng.choice(info.advice)
    seen_before = [inv for inv in known if inv.seen_date is not None]
    if seen_before:  # seen, but the report was never stored
        inv = seen_before[-1]
        seen = inv.seen_date or today
        written = min(today, _weekday_on_or_after(seen + timedelta(days=rng.randint(5, 21))))
        values = _report_values(
            rng, case, agency, written, seen, inv.professional, finding, recommendation, school, now
        )
        return _Planned(pid, inv.id, values)
    written = _written_on(rng, case, limit, specialist, today)
    seen = _weekday_on_or_before(written - timedelta(days=rng.randint(5, 21)))
    referrals = [inv.referral_date for inv in known if inv.referral_date is not None]
    if referrals and seen >= min(referrals) - timedelta(days=14):
        seen = _weekday_on_or_before(min(referrals) - timedelta(days=rng.randint(14, 40)))
        written = _weekday_on_or_after(seen + timedelta(days=rng.randint(5, 10)))
    person = rng.choice(PROFESSIONALS)
    if agency == EP and rng.random() < 0.6:
        person = f"Dr {person}"
    professional = f"{person}, {info.title}"
    involvement = {
        "pupil_id": pid,
        "agency": agency,
        "professional": professional,
        "referral_date": _weekday_on_or_before(seen - timedelta(weeks=rng.randint(*info.wait))),
        "seen_date": seen,
        "advice": f"{finding} {recommendation}",
        "confidentiality": default_level(agency),
        "version": 1,
    }
    values = _report_values(
        rng, case, agency, written, seen, professional, finding, recommendation, school, now
    )
    return _Planned(pid, involvement, values)


def _work_sample(rng: random.Random, case: _Case, today: date, now: datetime) -> _Planned:
    """A piece of the pupil's writing from a few weeks before the request (a plan's: from
    a few weeks ago, for the next annual review)."""
    areas = _areas(case.pupil)
    title, heading, text, note = WORK_SAMPLES[areas[0] if areas else Area.COGNITION_LEARNING]
    anchor = case.anchor if case.kind == "request" else today
    on = _weekday_on_or_before(anchor - timedelta(weeks=rng.randint(1, 4)))
    content = work_sample_png(
        forename=case.pupil.name,
        on=on,
        heading=heading,
        text=text,
        note=note.format(words=len(text.split())),
    )
    filename = f"work-sample-{on:%Y-%m-%d}.png"
    return _Planned(case.pupil.row.id, None, _document(rng, title, filename, PNG, content, on, now))


def _evidence(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    cases: list[_Case],
    limits: dict[str, int],
    school: str,
    today: date,
) -> tuple[int, int]:
    """An educational psychologist's report, a specialist's report and a work sample for
    every case; (involvements made, documents made).

    What the graduated history already stored for the pupil stands: a psychologist's
    report for the psychologist's, any specialist's report for the specialist's (except
    where the case is to have an old report); an involvement there without a report gets
    one. Involvements, then documents, are each written in one batch.
    """
    if not cases:
        return 0, 0
    now = datetime.now(UTC)
    ids = [c.pupil.row.id for c in cases]
    existing: dict[tuple[int, str], list[AgencyInvolvement]] = defaultdict(list)
    for inv in session.scalars(
        select(AgencyInvolvement)
        .where(AgencyInvolvement.pupil_id.in_(ids))
        .order_by(AgencyInvolvement.id)
    ):
        existing[(inv.pupil_id, inv.agency)].append(inv)
    reported: set[tuple[int, str]] = set()
    for pid, agency in session.execute(
        select(AgencyInvolvement.pupil_id, AgencyInvolvement.agency)
        .join(EvidenceDocument, EvidenceDocument.involvement_id == AgencyInvolvement.id)
        .where(AgencyInvolvement.pupil_id.in_(ids))
    ):
        reported.add((pid, agency))
    with_specialist = {pid for pid, agency in reported if agency not in NOT_SPECIALISTS}
    planned: list[_Planned] = []
    for case in cases:
        pid = case.pupil.row.id
        options = [
            a
            for code in case.pupil.needs
            for a in AGENCY_BY_NEED.get(code, ())
            if a not in NOT_SPECIALISTS
        ]
        fresh = [a for a in dict.fromkeys(options) if (pid, a) not in existing]
        if case.old_report:
            fresh = fresh or [a for a in SPECIALISTS_BY_DEFAULT if (pid, a) not in existing]
        specialist = rng.choice(fresh or options or list(SPECIALISTS_BY_DEFAULT))
        wanted = [(EP, False)] if (pid, EP) not in reported else []
        if case.old_report or pid not in with_specialist:
            wanted.append((specialist, True))
        limit = limits.get(case.la, DEFAULT_REPORT_MAX_AGE_MONTHS)
        for agency, is_specialist in wanted:
            known = existing.get((pid, agency), [])
            planned.append(
                _report(rng, case, agency, is_specialist, known, limit, school, today, now)
            )
        planned.append(_work_sample(rng, case, today, now))
    made = [p for p in planned if isinstance(p.involvement, dict)]
    rows = [AgencyInvolvement(**p.involvement) for p in made if isinstance(p.involvement, dict)]
    session.add_all(rows)
    session.flush()
    for plan, row in zip(made, rows, strict=True):
        plan.involvement = row.id
        audit.record(
            "create",
            "agency_involvement",
            row.id,
            {"pupil_id": row.pupil_id, "agency": row.agency, "source": "demo"},
        )
    senco = audit.actor.user_id or None
    documents = [
        EvidenceDocument(
            pupil_id=p.pupil_id, involvement_id=p.involvement, added_by_id=senco, **p.values
        )
        for p in planned
    ]
    session.add_all(documents)
    session.flush()
    for doc in documents:
        audit.record(
            "create",
            "evidence_document",
            doc.id,
            {
                "pupil_id": doc.pupil_id,
                "involvement_id": doc.involvement_id,
                "media_type": doc.media_type,
                "size": doc.size,
                "sha256": doc.sha256,
                "source": "demo",
            },
        )
    return len(rows), len(documents)


def add_ehc_history(
    session: Session,
    audit: AuditWriter,
    *,
    seed: int,
    today: date,
    pupils: list[tuple[int, str, tuple[str, ...], date | None]],
) -> EhcSummary:
    """Write the demo school's EHC history through ``session``.

    ``pupils`` is (pupil id, provision "N"/"K"/"E", current need codes, the date the pupil
    joined the register or None) for every pupil, as
    :func:`sendesk.demo.graduated.add_graduated_history` takes it. Runs inside the
    caller's transaction and records one audit event ("create_demo_ehc") with the counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-ehc")
    school = session.execute(select(School.id, School.name, School.la_name)).first()
    school_id, school_name, la_name = school if school else (None, "", "")
    la_name = la_name or "Hertfordshire"
    profiles = _profiles(session, audit, la_name)
    limits = {p.name: p.report_max_age_months for p in _profile_data(la_name)}
    cases: list[_Case] = []
    plans, reviews, completed = _plans(
        session,
        audit,
        random.Random(rng.random()),
        _load(session, pupils, "E"),
        school_name or "",
        la_name,
        today,
        cases,
    )
    requests, exceptions = _open_requests(
        session,
        audit,
        random.Random(rng.random()),
        _load(session, pupils, "K"),
        school_name or "",
        la_name,
        today,
        cases,
    )
    involvements, documents = _evidence(
        session, audit, random.Random(rng.random()), cases, limits, school_name or "", today
    )
    summary = EhcSummary(
        profiles, plans, reviews, completed + requests, exceptions, involvements, documents
    )
    audit.record(
        "create_demo_ehc", "school", school_id, {"seed": seed, "today": today, **summary.as_dict()}
    )
    return summary


__all__ = ["NEIGHBOUR_LA", "OLD_REPORT_STAGES", "EhcSummary", "add_ehc_history", "work_sample_png"]
