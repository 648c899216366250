"""The order of an EHC needs assessment request: which step may follow which, what a
step needs recorded first, and the request as the screens show it (milestones, stage, clock).

Why apart from the use cases: the order is checked whole on every change (no decision
before the request was received, nothing after it was closed), and the demo checks the
cases it invents against the same rules (:func:`case_problems`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sendesk.models import EhcClockException, EhcRequest
from sendesk.rules import timeline
from sendesk.rules.dates import dmy
from sendesk.rules.timeline import CaseFacts, ClockException, Milestone
from sendesk.services.common import data_of
from sendesk.services.ehc.records import STEPS, VALUE_STEPS, ExceptionItem, RequestItem

# --- requests: the order of the steps -----------------------------------------------------

STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "assess": ("decided_to_assess", "decision_to_assess_on"),
    "advice_asked": ("advice_asked_on",),
    "advice_received": ("advice_received_on",),
    "issue": ("decided_to_issue", "decision_to_issue_on"),
    "draft": ("draft_sent_on", "draft_setting"),
    "final": ("final_issued_on",),
    "way_forward": ("way_forward_on",),
    "mediation": ("mediation_on",),
    "mediation_certificate": ("mediation_certificate_on",),
    "appeal": ("appeal_lodged_on",),
    "close": ("closed_on",),
}
"""The request's fields each step of :data:`STEPS` records (its decision first, where it
has one)."""
STEP_DATES: dict[str, str] = {
    "assess": "decision_to_assess_on",
    "advice_asked": "advice_asked_on",
    "advice_received": "advice_received_on",
    "issue": "decision_to_issue_on",
    "draft": "draft_sent_on",
    "final": "final_issued_on",
    "way_forward": "way_forward_on",
    "mediation": "mediation_on",
    "mediation_certificate": "mediation_certificate_on",
    "appeal": "appeal_lodged_on",
    "close": "closed_on",
}
"""The request's date field that says each step of :data:`STEPS` happened (screens that
list the recorded steps read it rather than keep their own copy)."""
CASE_FIELDS = (
    "sent_on",
    "received_on",
    *(f for fields in STEP_FIELDS.values() for f in fields),
    "next_steps",
)
"""The fields of a request that :func:`case_problems` reads (its dates and decisions)."""


def case_of(row: EhcRequest) -> dict[str, Any]:
    """The fields of ``row`` the step rules read (:data:`CASE_FIELDS`), by name."""
    return {name: getattr(row, name) for name in CASE_FIELDS}


def _start(case: dict[str, Any]) -> date | None:
    return case["received_on"] or case["sent_on"]


def step_recorded(step: str, case: dict[str, Any]) -> bool:
    """Whether ``step`` is recorded in ``case``: its decision made, or its date given."""
    if step in VALUE_STEPS:
        return case[STEP_FIELDS[step][0]] is not None
    return case[STEP_DATES[step]] is not None


def _refusal(case: dict[str, Any]) -> tuple[str, date | None] | None:
    """('assess' | 'issue', date) when the LA refused, else None."""
    if case["decided_to_assess"] is False:
        return "assess", case["decision_to_assess_on"]
    if case["decided_to_issue"] is False:
        return "issue", case["decision_to_issue_on"]
    return None


def step_requirement(step: str, case: dict[str, Any]) -> str | None:
    """Why ``step`` cannot stand on what else is recorded (None when it can)."""
    if step == "close":
        return None
    if _start(case) is None:
        return f"record the date the request was sent before {STEPS[step]}"
    if step == "advice_asked":
        if case["decided_to_assess"] is None:
            return (
                "record the LA's decision to assess before asking for health and social care advice"
            )
        if case["decided_to_assess"] is False:
            return "the LA decided not to assess, so no health and social care advice is asked for"
    elif step == "advice_received" and case["advice_asked_on"] is None:
        return "record when health and social care advice was asked for before the advice received"
    elif step == "issue":
        if case["decided_to_assess"] is None:
            return "record the decision whether to assess before the decision whether to issue"
        if case["decided_to_assess"] is False:
            return "the LA decided not to assess, so there is no decision whether to issue"
    elif step == "draft":
        if case["decided_to_issue"] is None:
            return "record the LA's decision to issue a plan before the draft plan"
        if case["decided_to_issue"] is False:
            return "the LA decided not to issue a plan, so there is no draft plan"
    elif step == "final" and case["draft_sent_on"] is None:
        return "record the draft plan before the final plan"
    elif step == "way_forward" and _refusal(case) is None:
        return "a way-forward meeting follows a refusal, and the LA has not refused"
    elif (
        step in ("mediation", "mediation_certificate", "appeal")
        and _refusal(case) is None
        and case["final_issued_on"] is None
    ):
        return f"{STEPS[step]} follows a refusal or the final plan, and there is neither yet"
    return None


def _earliest(step: str, case: dict[str, Any]) -> tuple[date, str] | None:
    """The date ``step`` cannot be before, and what that date is."""
    start = _start(case)
    floor: list[tuple[date | None, str]] = [(start, "the request was received")]
    if step == "advice_asked":
        floor.append((case["decision_to_assess_on"], "the decision to assess"))
    elif step == "advice_received":
        floor.append((case["advice_asked_on"], "it was asked for"))
    elif step == "issue":
        floor.append((case["decision_to_assess_on"], "the decision to assess"))
    elif step == "draft":
        floor.append((case["decision_to_issue_on"], "the decision to issue"))
    elif step == "final":
        floor.append((case["draft_sent_on"], "the draft plan"))
    elif step in ("way_forward", "mediation", "mediation_certificate", "appeal"):
        refusal = _refusal(case)
        if refusal is not None:
            floor.append((refusal[1], "the refusal"))
        elif case["final_issued_on"] is not None:
            floor.append((case["final_issued_on"], "the final plan"))
        if step == "mediation_certificate":
            floor.append((case["mediation_on"], "mediation"))
    elif step == "close":
        floor += [(case[STEP_DATES[s]], STEPS[s]) for s in STEPS if s != "close"]
    dated = [(d, what) for d, what in floor if d is not None]
    return max(dated, key=lambda x: x[0]) if dated else None


def step_problems(step: str, case: dict[str, Any], today: date) -> list[str]:
    """What is wrong with ``step`` as recorded in ``case`` (it must be recorded)."""
    problems: list[str] = []
    need = step_requirement(step, case)
    if need:
        problems.append(need)
    on = case[STEP_DATES[step]]
    if step in VALUE_STEPS and on is None:
        problems.append(f"{STEPS[step]} has no date")
    if on is not None:
        if on > today:
            problems.append(f"{STEPS[step]} ({dmy(on)}) is in the future")
        floor = _earliest(step, case)
        if floor is not None and on < floor[0]:
            problems.append(f"{STEPS[step]} ({dmy(on)}) is before {floor[1]} ({dmy(floor[0])})")
    return problems


def case_problems(case: dict[str, Any], today: date) -> list[str]:
    """Every problem with the recorded steps of a case (a dict of EhcRequest's step and
    date fields), in step order; empty when the case is consistent."""
    problems: list[str] = []
    for step in STEPS:
        if step_recorded(step, case):
            problems += step_problems(step, case, today)
    return problems


def case_facts(
    row: EhcRequest, exceptions: list[EhcClockException], *, reasons: bool = True
) -> CaseFacts | None:
    """The case as the rules see it; without ``reasons`` an exception is known by its kind
    alone, so no milestone note quotes what the SENCo typed about the family."""
    start = row.received_on or row.sent_on
    if start is None:
        return None
    return data_of(
        row,
        CaseFacts,
        received=start,
        exceptions=tuple(
            ClockException(e.kind, e.reason if reasons else "", e.recorded_on) for e in exceptions
        ),
    )


def _clock_stop(row: EhcRequest) -> date | None:
    """The day the 20-week clock stopped: the final plan, a refusal or the closing."""
    stops = [row.final_issued_on, row.closed_on]
    if row.decided_to_assess is False:
        stops.append(row.decision_to_assess_on)
    elif row.decided_to_issue is False:
        stops.append(row.decision_to_issue_on)
    dated = [d for d in stops if d is not None]
    return min(dated) if dated else None


def chased(mark: Milestone, decided_to_assess: bool | None) -> bool:
    """Whether ``mark`` counts towards "late" and what's due. Health and social care advice
    is only asked for once the LA agreed to assess: before that its date is a projection
    (and a summer-closure exception that excuses the decision does not excuse advice), so
    the decision to assess speaks for the case."""
    return mark.key != "advice" or decided_to_assess is True


def request_item(
    row: EhcRequest, exceptions: list[EhcClockException], today: date, *, confidential: bool
) -> RequestItem:
    """The request as a reader sees it. Without ``confidential`` (anyone but the SENCo, and
    "what's due", which teachers read) the health, social care and family detail — why now,
    the views, health and social care information and each exception's reason — is blank:
    the exception keeps its kind, and the milestones and the clock read the same."""
    facts = case_facts(row, exceptions, reasons=confidential)

    def secret(text: str | None) -> str:
        return (text or "") if confidential else ""

    if facts is None:
        marks: list[Milestone] = []
        # Still being prepared: the clock starts only when the LA receives the request
        # (reg 5(1) "receiving a request"), so there is no statutory date to show.
        stage, clock, late = "preparing", "not started", False
    else:
        # A closed case is seen as it stood the day it closed: its open steps do not go red
        # for ever after.
        seen = min(today, row.closed_on) if row.closed_on else today
        marks = timeline.milestones(facts, seen)
        stage = timeline.stage(facts)
        if row.closed_on is not None and row.final_issued_on is None:
            stage = "closed"
        stop = _clock_stop(row)
        clock = timeline.clock_text(facts.received, min(stop, today) if stop else today)
        late = row.closed_on is None and any(
            m.status == "red" and chased(m, row.decided_to_assess) for m in marks
        )
    return data_of(
        row,
        RequestItem,
        caseworker=row.caseworker or "",
        why_now=secret(row.why_now),
        pupil_views=secret(row.pupil_views),
        parent_views=secret(row.parent_views),
        health_info=secret(row.health_info),
        social_care_info=secret(row.social_care_info),
        health_none_known=bool(row.health_none_known),
        draft_setting=row.draft_setting or "",
        next_steps=row.next_steps or "",
        exceptions=tuple(
            ExceptionItem(e.id, e.request_id, e.kind, secret(e.reason), e.recorded_on)
            for e in exceptions
        ),
        milestones=marks,
        stage=stage,
        clock=clock,
        late=late,
        aspirations=secret(row.aspirations),
        signed_off_by=row.signed_off_by or "",
        signed_off_role=row.signed_off_role or "",
    )


def available_steps(item: RequestItem) -> tuple[str, ...]:
    """The steps :func:`record_step` would accept next for ``item`` (dates aside), for
    the editor's menu: after the case is closed, only correcting the closing."""
    case = {name: getattr(item, name) for name in CASE_FIELDS}
    if item.closed_on is not None:
        return ("close",)
    return tuple(s for s in STEPS if step_requirement(s, case) is None)
