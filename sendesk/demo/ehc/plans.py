"""LA profiles, and an EHC plan for every pupil with one on the register: sections B, E and
F, an annual review for each year since, and the completed request behind recent plans."""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from sendesk.db import Database
from sendesk.demo.ehc.cases import (
    _DAY,
    _WEEK,
    ADVICE_ASKED_AFTER,
    ADVICE_TAKES,
    AMENDED_PLAN_TAKES,
    AREA_PLAN,
    ASPIRATIONS,
    CASEWORKERS,
    GENERIC_PLAN,
    HEALTH,
    MAX_YEARS_BACK,
    NEIGHBOUR_LA,
    PARENT_VIEWS,
    POST16_DESTINATIONS,
    PUPIL_VIEWS,
    REVIEW_SUMMARIES,
    REVIEWS_KEPT,
    SIGNED_OFF_BY,
    SOCIAL_CARE,
    WHY_NOW,
    _areas,
    _Case,
    _fill,
    _Pupil,
    _Run,
    _weekday_on_or_before,
)
from sendesk.demo.tables import load
from sendesk.models import EhcPlan
from sendesk.rules.readiness import (
    DEFAULT_SECTION_ORDER,
)
from sendesk.rules.timeline import annual_review_due, review_meeting_by
from sendesk.services.actor import Actor
from sendesk.services.ehc.la_profiles import LaProfileData, save_la_profile
from sendesk.services.ehc.plans import PastPlan, record_past_ehc_plans
from sendesk.services.ehc.records import PlanData, RequestData, ReviewData
from sendesk.services.ehc.requests import (
    PastException,
    PastRequest,
    RequestSteps,
    record_past_requests,
)
from sendesk.services.ehc.reviews import PastReviews, record_past_reviews

_TABLES = load("ehc")
"""The EHC history's text tables: ``resources/demo/ehc.json``."""


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


def add_la_profiles(db: Database, senco: Actor, la_name: str) -> int:
    """Save the school's LA and its neighbour through the LA profiles service, as the
    SENCo would on the EHC settings page (its checks and its audit event); returns how
    many. Before the history's transaction: they depend on nothing but the LA's name."""
    profiles = _profile_data(la_name)
    for data in profiles:
        save_la_profile(db, senco, None, None, data)
    return len(profiles)


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


def _review(rng: random.Random, pupil: _Pupil, meeting: date, today: date) -> dict[str, Any]:
    """A review meeting on ``meeting`` and its paperwork (the fields of :class:`ReviewData`)."""
    report = meeting + timedelta(days=rng.randint(4, 13))
    decision_on = meeting + timedelta(days=rng.randint(12, 27))
    recommendation = rng.choices(("keep", "amend"), (3, 2))[0]
    return {
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


_REQUEST_FIELDS = frozenset(f.name for f in fields(RequestData))


def _past_request(
    pupil: _Pupil, values: dict[str, Any], exceptions: tuple[PastException, ...] = ()
) -> PastRequest:
    """A request's ``values`` (every field the demo gives it) as the requests service
    takes them: what the SENCo typed when opening it, and the steps recorded since."""
    return PastRequest(
        pupil.row.id,
        RequestData(**{k: v for k, v in values.items() if k in _REQUEST_FIELDS}),
        RequestSteps(**{k: v for k, v in values.items() if k not in _REQUEST_FIELDS}),
        exceptions,
    )


def _plans(run: _Run, rng: random.Random, pupils: list[_Pupil]) -> tuple[int, int, int]:
    """Plans and reviews for the EHC pupils; returns (plans, reviews, requests) made and
    adds each pupil to ``run.cases``, whose documents are written afterwards."""
    session, audit, today = run.session, run.audit, run.today
    school, la_name, evidence = run.school, run.la_name, run.cases
    past: list[tuple[ReviewData, ...]] = []
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
        pupil_id: (plan_id, issued_on)
        for plan_id, pupil_id, issued_on in session.execute(
            select(EhcPlan.id, EhcPlan.pupil_id, EhcPlan.issued_on).where(
                EhcPlan.pupil_id.in_([p.row.id for p in pupils]), EhcPlan.ceased_on.is_(None)
            )
        )
    }
    plans: list[PastPlan] = []
    requests: list[PastRequest] = []
    requested: dict[int, int] = {}  # plan's index -> its request's index
    for i, pupil in enumerate(pupils):
        plan_id, issued = recorded.get(
            pupil.row.id, (None, max(pupil.since, today - timedelta(days=365 * MAX_YEARS_BACK)))
        )
        plan_la = NEIGHBOUR_LA if rng.random() < 0.15 else la_name
        needs, outcomes, provision = _sections(pupil)
        data = PlanData(
            issued_on=issued,
            la_name=plan_la,
            named_setting=school,
            needs=needs,
            outcomes=outcomes,
            provision=provision,
            hours_per_week=rng.choice((10.0, 12.5, 15.0, 17.5, 20.0, 25.0)),
            top_up_pence=rng.randrange(300_000, 1_400_001, 25_000),
            **_transfer(pupil, today),
        )
        admitted = pupil.row.admission_date
        recent = (today - issued).days <= 2 * 365
        if recent and (admitted is None or (issued - admitted).days > 200):
            requested[len(plans)] = len(requests)
            requests.append(
                _past_request(pupil, _completed_request(rng, pupil, issued, plan_la, today))
            )
        plans.append(PastPlan(pupil.row.id, data, plan_id))
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
        rows = [_review(rng, pupil, m, today) for m in meetings]
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
            row = _review(rng, pupil, booked, today)
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
        past.append(tuple(ReviewData(**values) for values in rows))
    # Through the EHC services' checks, as the SENCo records each: the completed requests,
    # the plans they led to (the register's own plans completed), then their reviews, which
    # keep each pupil's next review date.
    request_ids = record_past_requests(session, audit, requests, today=today)
    plans = [
        replace(plan, data=replace(plan.data, request_id=request_ids[requested[n]]))
        if n in requested
        else plan
        for n, plan in enumerate(plans)
    ]
    plan_ids = record_past_ehc_plans(session, audit, plans, today=today)
    reviews = record_past_reviews(
        session,
        audit,
        [PastReviews(plan_id, held) for plan_id, held in zip(plan_ids, past, strict=True)],
        today=today,
    )
    return len(plans), reviews, len(requests)
