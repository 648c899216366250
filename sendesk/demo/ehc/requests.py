"""Open EHC requests for pupils on SEN support, one at every stage a SENCo meets, recorded
through the requests service's batch call (its order rules and one open request a pupil)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.demo.ehc.cases import (
    _DAY,
    _WEEK,
    CASEWORKERS,
    HEALTH,
    NEIGHBOUR_LA,
    OLD_REPORT_STAGES,
    PARENT_VIEWS,
    PUPIL_VIEWS,
    REQUEST_AFTER_CYCLES,
    SOCIAL_CARE,
    WHY_NOW,
    _areas,
    _Case,
    _fill,
    _Pupil,
    _Run,
)
from sendesk.demo.ehc.plans import _advice, _extras, _past_request
from sendesk.demo.tables import load
from sendesk.models import SupportPlan
from sendesk.services.ehc.requests import PastException, PastRequest, record_past_requests

_TABLES = load("ehc")
"""The EHC history's text tables: ``resources/demo/ehc.json``."""

# --- open requests for pupils on SEN support ------------------------------------------------

Stage = Callable[[random.Random, date], dict[str, Any]]


def _summer(today: date) -> tuple[date, date]:
    """The last summer closure that began at least two weeks before ``today``."""
    year = today.year if date(today.year, 7, 22) + timedelta(days=14) <= today else today.year - 1
    return date(year, 7, 22), date(year, 9, 2)


def _decided(
    received: date, assessed: date, decided: date, today: date, *, issue: bool = True
) -> dict[str, Any]:
    """A request sent on ``received``, agreed for assessment on ``assessed`` (the advice
    asked for then), and the LA's decision whether to ``issue`` a plan on ``decided``: how
    every stage past the assessment begins."""
    return {
        "sent_on": received,
        "decided_to_assess": True,
        "decision_to_assess_on": assessed,
        **_advice(assessed, today),
        "decided_to_issue": issue,
        "decision_to_issue_on": decided,
    }


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
            _decided(received, received + 6 * w, received + 12 * w + 3 * d, today),
            [],
        )
    )
    received = today - 17 * w - 2 * d
    stages.append(
        (
            "draft plan",
            {
                **_decided(received, received + 5 * w + 6 * d, received + 13 * w, today),
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
                **_decided(received, received + 6 * w, refused, today, issue=False),
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
            _decided(received, received + 6 * w, received + 15 * w, today),
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


def _open_requests(run: _Run, rng: random.Random, pupils: list[_Pupil]) -> tuple[int, int]:
    """Open requests at every stage for pupils on SEN support; (requests, exceptions). Each
    pupil is added to ``run.cases``; those at :data:`OLD_REPORT_STAGES` have a report past
    their LA's limit."""
    session, audit, today = run.session, run.audit, run.today
    school, la_name, evidence = run.school, run.la_name, run.cases
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
    made: list[PastRequest] = []
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
        exceptions = tuple(PastException(kind, reason, on) for kind, reason, on in excs)
        made.append(_past_request(pupil, values, exceptions))
        anchor = sent or today
        evidence.append(
            _Case(pupil, "request", anchor, values["la_name"], stage in OLD_REPORT_STAGES)
        )
    # Through the requests service's checks (its order of steps, one open request a
    # pupil, the exceptions' dates), as the SENCo records each.
    record_past_requests(session, audit, made, today=today)
    return len(made), sum(len(r.exceptions) for r in made)
