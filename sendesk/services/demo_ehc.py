"""EHC history for the demo school: LA profiles, requests at every stage, plans and reviews.

So that the EHC screens, "what's due" and ``sendesk deadlines`` of a demo school show
every state a SENCo meets, :func:`add_ehc_history` gives the pupils already written by
:func:`sendesk.services.demo.write_demo_school`:

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
  was asked for and when it arrived.

Everything is drawn from ``random.Random(f"{seed}-ehc")`` and anchored on ``today``, so
the same seed and day give the same history. Rows are written inside the caller's
transaction (a few per pupil: fast), and every request is checked against the service's
own order rules (:func:`sendesk.services.ehc.case_problems`) before it is written, so the
demo never shows a case the app itself would refuse.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import (
    AnnualReview,
    EhcClockException,
    EhcPlan,
    EhcRequest,
    LaProfile,
    NeedProfile,
    Pupil,
    RegisterEntry,
    School,
)
from sendesk.rules.census import Area, area_of
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER, la_rules_problems
from sendesk.rules.timeline import annual_review_due
from sendesk.services.audit import AuditWriter
from sendesk.services.ehc import CASE_FIELDS, LaProfileData, case_problems, rules_of

NEIGHBOUR_LA = "Bedford Borough"
CASEWORKERS = ("Priya Shah", "Tom Whitfield", "Grace Okafor", "Dylan Hughes", "Marta Nowak")
REVIEWS_KEPT = 6  # Years 7–11 and the transfer review from primary
MAX_YEARS_BACK = 8
ADVICE_ASKED_AFTER = timedelta(days=2)  # the LA writes to health and social care
ADVICE_TAKES = timedelta(weeks=5)  # inside the 6 weeks of reg 8
AMENDED_PLAN_TAKES = timedelta(weeks=6)  # inside the 8 weeks of reg 22
_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)

# What each area of need looks like in a plan's sections E (outcome) and F (provision).
AREA_PLAN: dict[Area, tuple[str, str]] = {
    Area.COGNITION_LEARNING: (
        "By the next annual review {name} will read a Year 6 level text aloud with 95% "
        "accuracy and write a paragraph of 100 words without adult help.",
        "Small-group literacy intervention with a trained teaching assistant, 3 × 30 minutes "
        "a week; subject vocabulary pre-taught by the teaching assistant, 1 × 20 minutes a "
        "week; a reader and 25% extra time in tests.",
    ),
    Area.COMMUNICATION_INTERACTION: (
        "By the next annual review {name} will follow a three-step spoken instruction in "
        "class without a reminder in 4 lessons out of 5, and join a structured lunchtime "
        "club at least twice a week.",
        "Speech and language programme set by the NHS therapist, delivered 1:1 by a "
        "teaching assistant, 2 × 20 minutes a week; a visual timetable checked with {him} "
        "at the start of each day; a named adult at break and lunch.",
    ),
    Area.SEMH: (
        "By the next annual review {name} will use {his} agreed calming plan, without "
        "adult prompting, in 4 out of 5 times {he} feels overwhelmed, and attend at "
        "least 95% of lessons.",
        "1:1 mentoring with the learning mentor, 1 × 30 minutes a week; a check-in with "
        "a key adult at 8:40 every morning (5 minutes); an exit card to the learning "
        "support base, agreed with all {his} teachers.",
    ),
    Area.SENSORY_PHYSICAL: (
        "By the next annual review {name} will set up and use {his} own equipment in "
        "every lesson without adult help.",
        "Specialist teacher advisory visit once each half term; radio aid or enlarged "
        "materials prepared by the teaching assistant before every lesson; a seat chosen "
        "with {him} in each classroom.",
    ),
}
GENERIC_PLAN = (
    "By the next annual review {name} will complete the work set in 4 lessons out of 5 "
    "with the agreed adjustments.",
    "Teaching assistant support in English and maths, 5 × 50 minutes a week.",
)

REVIEW_SUMMARIES = (
    "{name} has settled well and is making steady progress towards the outcomes; the "
    "provision in section F is in place and working.",
    "Good progress in reading and in friendships; attendance has improved. Outcomes for "
    "next year agreed with {name} and the family.",
    "Progress is slower than hoped in literacy; the review recommends more small-group "
    "time and updated advice from the educational psychologist.",
    "{name} has met two of the three outcomes. New outcomes agreed for the coming year, "
    "with a focus on independence and preparing for the next phase.",
)
PUPIL_VIEWS = (
    "I like art and PE best. I find reading out loud hard and I don't like it when it is "
    "noisy. It helps when Miss explains things again just to me.",
    "I want to get better at writing so my work looks like everyone else's. Break times "
    "are hard because I don't know who to play with.",
    "I like being with my friends. Maths is hard. I would like help that does not make "
    "me stand out.",
)
PARENT_VIEWS = (
    "We want {name} to be happy at school and to have the help {he} needs to keep up. "
    "Homework ends in tears most nights.",
    "{name} comes home exhausted. We are worried that {he} is falling further behind "
    "and want to know what support {he} will get in Year {year}.",
    "We have seen {name} grow in confidence this year but reading is still a big worry "
    "for the family.",
)
WHY_NOW = (
    "Two reviewed cycles of SEN support, costed at about the notional £6,000, have not "
    "closed the gap: {name}'s reading age is still more than three years behind and the "
    "educational psychologist advises a statutory assessment.",
    "Despite small-group and 1:1 support over three terms, {name}'s needs have grown and "
    "{he} is now at risk of exclusion; the school cannot meet them from its own resources.",
    "{name}'s needs are complex and long term: the speech and language therapist and the "
    "paediatrician both advise that {he} will need provision set out in a plan.",
)
HEALTH = (
    "Under the community paediatrician for an autism assessment (seen in the spring term).",
    "Glue ear as a young child; hearing now within normal limits (audiology, last year).",
    "Asthma, managed with an inhaler kept in the medical room.",
)
SOCIAL_CARE = (
    "Early help plan closed last year; no current social care involvement.",
    "Young carer for a younger sibling; supported by the young carers' service.",
)


@dataclass(frozen=True)
class EhcSummary:
    """What :func:`add_ehc_history` made (for the audit event and tests)."""

    la_profiles: int
    plans: int
    reviews: int
    requests: int
    exceptions: int

    def as_dict(self) -> dict[str, int]:
        return {
            "la_profiles": self.la_profiles,
            "plans": self.plans,
            "reviews": self.reviews,
            "requests": self.requests,
            "exceptions": self.exceptions,
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


def _profiles(session: Session, audit: AuditWriter, la_name: str) -> int:
    profiles = (
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
        meeting = _weekday_on_or_before(annual_review_due(anchor) - timedelta(rng.randint(7, 35)))
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
        "decided_to_assess": True,
        "decision_to_assess_on": received + timedelta(weeks=5, days=rng.randint(0, 6)),
        "decided_to_issue": True,
        "decision_to_issue_on": draft - timedelta(days=rng.randint(1, 8)),
        "draft_sent_on": draft,
        "draft_setting": "",
        "final_issued_on": issued,
    }
    return values | _advice(values["decision_to_assess_on"], today)


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
) -> tuple[int, int, int]:
    """Plans and reviews for the EHC pupils; returns (plans, reviews, requests) made."""
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
    for i, pupil in enumerate(pupils):
        issued = max(pupil.since, today - timedelta(days=365 * MAX_YEARS_BACK))
        plan_la = NEIGHBOUR_LA if rng.random() < 0.15 else la_name
        needs, outcomes, provision = _sections(pupil)
        plan = EhcPlan(
            pupil_id=pupil.row.id,
            issued_on=issued,
            la_name=plan_la,
            named_setting=school,
            needs=needs,
            outcomes=outcomes,
            provision=provision,
            hours_per_week=rng.choice((10.0, 12.5, 15.0, 17.5, 20.0, 25.0)),
            top_up_pence=rng.randrange(300_000, 1_400_001, 25_000),
            version=1,
        )
        admitted = pupil.row.admission_date
        recent = (today - issued).days <= 2 * 365
        if recent and (admitted is None or (issued - admitted).days > 200):
            request = _write_request(
                session, audit, pupil, _completed_request(rng, pupil, issued, plan_la, today), today
            )
            plan.request_id = request.id
            requests += 1
        session.add(plan)
        session.flush()
        audit.record("create", "ehc_plan", plan.id, {"pupil_id": pupil.row.id, "source": "demo"})
        plans += 1
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
            # Last met eleven months ago; next month's meeting is booked, invitations due.
            meetings = [m for m in meetings if m < year_ago - timedelta(days=30)]
            last = _weekday_on_or_before(year_ago + timedelta(days=30))
            meetings.append(last)
            booked = _weekday_on_or_before(annual_review_due(last) - timedelta(days=5))
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
    stages.append(("not sent", {"sent_on": None}, []))
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


def _open_requests(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    pupils: list[_Pupil],
    school: str,
    la_name: str,
    today: date,
) -> tuple[int, int]:
    """Open requests at every stage for pupils on SEN support; (requests, exceptions)."""
    stages = _open_stages(today, school)
    # Pupils who have been on the register long enough to have a story to tell.
    candidates = [
        p for p in pupils if (today - p.since).days > 365 and (p.row.year_group or 0) < 11
    ]
    candidates = candidates if len(candidates) >= len(stages) else pupils
    chosen = rng.sample(candidates, min(len(stages), len(candidates)))
    made = exceptions = 0
    for pupil, (_, dates, excs) in zip(chosen, stages, strict=False):
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
            **dates,
        }
        values["health_none_known"] = not values["health_info"] and sent is not None
        row = _write_request(session, audit, pupil, values, today)
        made += 1
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
    :func:`sendesk.services.demo_graduated.add_graduated_history` takes it. Runs inside the
    caller's transaction and records one audit event ("create_demo_ehc") with the counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-ehc")
    school = session.execute(select(School.id, School.name, School.la_name)).first()
    school_id, school_name, la_name = school if school else (None, "", "")
    la_name = la_name or "Hertfordshire"
    profiles = _profiles(session, audit, la_name)
    plans, reviews, completed = _plans(
        session,
        audit,
        random.Random(rng.random()),
        _load(session, pupils, "E"),
        school_name or "",
        la_name,
        today,
    )
    requests, exceptions = _open_requests(
        session,
        audit,
        random.Random(rng.random()),
        _load(session, pupils, "K"),
        school_name or "",
        la_name,
        today,
    )
    summary = EhcSummary(profiles, plans, reviews, completed + requests, exceptions)
    audit.record(
        "create_demo_ehc", "school", school_id, {"seed": seed, "today": today, **summary.as_dict()}
    )
    return summary


__all__ = ["NEIGHBOUR_LA", "EhcSummary", "add_ehc_history"]
