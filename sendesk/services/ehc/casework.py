"""EHC needs assessment requests, EHC plans and their annual reviews, and LA profiles.

Why this module exists: once a school asks the local authority to assess, the law sets
every date that follows (the decision to assess within 6 weeks, the final plan within 20,
an annual review within the 12 months starting with the plan or the last one), but
nobody reminds the school. The SENCo
records what happened — the request, each decision as the LA's letters arrive, any
exception to a time limit the LA gave, the plan once issued and each review meeting — and
this module turns those dates into milestones (:mod:`sendesk.rules.timeline`) on the
pupil's record and on "what's due", so a late LA shows at a glance ("week 23 of 20"), late
health and social care advice (6 weeks, reg 8) is chased, an annual review is never missed
and an amended plan after a review (8 weeks from the proposed amendments, reg 22) is
watched for.

Only dates and decisions are stored; every due date is computed, so a corrected date
moves every milestone with it. The SENCo writes; learning support and teachers may read
(they are invited to reviews) but not a request's health, social care and family detail
(why now, the views, health and social care information, an exception's reason: blank for
them, and "what's due" names an exception by its kind only); read-only accounts see no
named pupil's case. Every change
is one transaction with its audit event (ids and field names, never names or views), and
saves compare the version the user opened with the stored one, so a second saver is told
rather than silently overwriting.

The order of a case is checked whole on every change (:data:`STEPS`): no decision before
the request was received, no health and social care advice asked for without a decision to
assess (and none received before it was asked for), no decision to issue without a
decision to assess, no final plan before a draft, a way-forward meeting only after a
refusal, nothing after the case was closed. A correction that would leave a later step
standing on nothing is refused with the steps to clear first.

LA profiles keep each local authority's panel rules (:class:`rules.readiness.LaRules`):
a school near a border works with several LAs, and they differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import (
    AnnualReview,
    EhcClockException,
    EhcPlan,
    EhcRequest,
    LaProfile,
    Pupil,
    Role,
)
from sendesk.rules import timeline
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER, LaRules, la_rules_problems
from sendesk.rules.timeline import (
    EXCEPTION_KINDS,
    NO_TRANSFER,
    TRANSFER_KINDS,
    CaseFacts,
    ClockException,
    Milestone,
    amended_plan_due,
    amendment_response_ends,
    annual_review_due,
    la_review_decision_due,
    rag,
    review_invitations_by,
    review_meeting_by,
    review_report_due,
    transfer_deadline,
    transfer_source,
)
from sendesk.services.actor import Actor
from sendesk.services.common import (
    check_version,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:  # types only; due.py lists this module's provider, so no import cycle
    from _typeshed import DataclassInstance

    from sendesk.services.due import DueItem

REQUESTERS: dict[str, str] = {"school": "The school", "parent": "A parent or carer"}
"""Who asked the LA to assess, and how the screens say it."""

STEPS: dict[str, str] = {
    "assess": "the decision whether to assess",
    "advice_asked": "asking for health and social care advice",
    "advice_received": "the health and social care advice received",
    "issue": "the decision whether to issue a plan",
    "draft": "the draft plan",
    "final": "the final plan",
    "way_forward": "the way-forward meeting",
    "mediation": "mediation",
    "mediation_certificate": "the mediation certificate",
    "appeal": "the appeal to the Tribunal",
    "close": "the closing of the request",
}
"""The decisions and events of a request in order (key → words for messages).

"assess" and "issue" take a yes/no ``value``; "draft" may name the setting; the rest are
dates. "advice_asked" (the LA asked health and social care for their advice, due 6 weeks
later: reg 8) follows a yes to assess, and "advice_received" follows it. "way_forward"
follows a refusal; "mediation", "mediation_certificate" and "appeal" follow a refusal or
the final plan (an appeal against its contents); "close" ends the case (withdrawn, refused
and not pursued, or done) and nothing may be recorded after it.
"""

VALUE_STEPS = ("assess", "issue")
"""Steps that record a yes/no decision."""

REQUEST_STAGES: tuple[str, ...] = ("preparing", *timeline.STAGES, "closed")
"""Every :attr:`RequestItem.stage`: the rules' stages, plus a request still being
prepared ("preparing": not sent, so no statutory clock and no dates) and one closed
without a final plan ("closed")."""

RECOMMENDATIONS: tuple[str, ...] = ("keep", "amend", "cease")
"""What an annual review may recommend, and what the LA may decide after it."""

CONFLICT = (
    "Someone else changed this EHC record since you opened it; reopen it to see their changes."
)
GONE = "That EHC record has been removed since you opened it."
PROFILE_CONFLICT = (
    "Someone else changed this LA profile since you opened it; reopen it to see their changes."
)
NAME_MAX = 120
SIGNED_BY_MAX = 120  # EhcRequest.signed_off_by
SIGNED_ROLE_MAX = 60  # EhcRequest.signed_off_role
SETTING_MAX = 200
TEXT_MAX = 20_000
HOURS_MAX = 40.0  # a whole school week is about 32.5 hours
TOP_UP_MAX_PENCE = 10_000_000  # £100,000 a year
MEETING_AHEAD = timedelta(days=366)

KIND_REQUEST = "EHC request"
KIND_REVIEW = "EHC annual review"
KIND_REVIEW_PAPERWORK = "EHC review paperwork"
KIND_REVIEW_DECISION = "EHC review decision"
KIND_PHASE_TRANSFER = "EHC phase transfer"
KIND_AMENDED_PLAN = "EHC amended plan"

_READ = "see named pupil records"
_WRITE = "change EHC records"
_WRITE_LA = "change LA profiles"


# --- what the readers return --------------------------------------------------------------

_Data = TypeVar("_Data", bound="DataclassInstance")


def _data_of(item: object, target: type[_Data]) -> _Data:
    """The input dataclass ``target`` filled from ``item``'s fields of the same names.

    An editor starts from what was saved: copying by the target's own field list means a
    field added to the input class is carried over without anyone remembering to, and one
    the item lacks fails loudly (AttributeError) instead of quietly taking its default.
    """
    return target(**{f.name: getattr(item, f.name) for f in fields(target)})


@dataclass(frozen=True)
class RequestData:
    """What the SENCo types for a request (open or update); checked by the service.

    ``received_on`` starts the statutory clock (reg 5(1): "receiving a request"); left
    empty, ``sent_on`` stands for it. Leave both empty while the request is still being
    prepared: it then has no statutory dates. ``aspirations`` ("what is important to me,
    my hopes for the future") sits beside the pupil's views on LA forms; the sign-off is
    who signed the request for the school (e.g. the head teacher), in what role, and when.
    """

    requested_by: str
    la_name: str
    sent_on: date | None
    caseworker: str = ""
    received_on: date | None = None
    consent_on: date | None = None
    young_person_consent_on: date | None = None
    why_now: str = ""
    pupil_views: str = ""
    parent_views: str = ""
    health_info: str = ""
    social_care_info: str = ""
    health_none_known: bool = False
    aspirations: str = ""
    signed_off_by: str = ""
    signed_off_role: str = ""
    signed_off_on: date | None = None


@dataclass(frozen=True)
class ExceptionItem:
    """An exception to a time limit recorded on a request."""

    id: int
    request_id: int
    kind: str
    reason: str
    recorded_on: date

    @property
    def kind_label(self) -> str:
        return EXCEPTION_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class RequestItem:
    """One request as the pupil's EHC tab shows it: every column, the milestones computed
    from them, where the case stands and the clock."""

    id: int
    pupil_id: int
    requested_by: str
    la_name: str
    caseworker: str
    sent_on: date | None
    received_on: date | None
    consent_on: date | None
    young_person_consent_on: date | None
    why_now: str
    pupil_views: str
    parent_views: str
    health_info: str
    social_care_info: str
    health_none_known: bool
    decided_to_assess: bool | None
    decision_to_assess_on: date | None
    decided_to_issue: bool | None
    decision_to_issue_on: date | None
    draft_sent_on: date | None
    draft_setting: str
    final_issued_on: date | None
    way_forward_on: date | None
    mediation_on: date | None
    mediation_certificate_on: date | None
    appeal_lodged_on: date | None
    next_steps: str
    closed_on: date | None
    created_by_id: int | None
    created_at: datetime | None
    version: int
    exceptions: tuple[ExceptionItem, ...]
    milestones: list[Milestone]
    stage: str
    clock: str
    late: bool
    advice_asked_on: date | None = None
    advice_received_on: date | None = None
    aspirations: str = ""
    signed_off_by: str = ""
    signed_off_role: str = ""
    signed_off_on: date | None = None

    @property
    def clock_start(self) -> date | None:
        """The day the statutory clock started: received, or else sent."""
        return self.received_on or self.sent_on

    @property
    def is_open(self) -> bool:
        """Neither closed nor ended by a final plan."""
        return self.closed_on is None and self.final_issued_on is None

    @property
    def requested_by_label(self) -> str:
        return REQUESTERS.get(self.requested_by, self.requested_by)

    def data(self) -> RequestData:
        """The request as the editor starts from it."""
        return _data_of(self, RequestData)


@dataclass(frozen=True)
class PlanData:
    """An issued EHC plan as the school summarises it (sections B, E and F).

    A phase transfer is recorded, never guessed from the year group (reg 18): its kind (a
    key of :data:`rules.timeline.TRANSFER_KINDS`, "" for none recorded), where the pupil
    goes and the day of the move.
    """

    issued_on: date
    la_name: str
    named_setting: str = ""
    needs: str = ""
    outcomes: str = ""
    provision: str = ""
    hours_per_week: float | None = None
    top_up_pence: int | None = None
    request_id: int | None = None
    transfer_kind: str = ""
    transfer_destination: str = ""
    transfer_on: date | None = None


@dataclass(frozen=True)
class ReviewData:
    """One annual review: the meeting (may be booked ahead), paperwork, the LA's decision."""

    meeting_on: date
    invitations_sent_on: date | None = None
    report_sent_on: date | None = None
    attendees: str = ""
    pupil_views: str = ""
    parent_views: str = ""
    summary: str = ""
    recommendation: str = ""
    la_decision: str = ""
    la_decision_on: date | None = None
    amendments_proposed_on: date | None = None
    amended_plan_on: date | None = None


@dataclass(frozen=True)
class ReviewItem:
    """One annual review with its statutory dates and their milestones.

    After an LA decision to amend: ``amendment_response_ends`` is the family's last day to
    answer the proposed amendments (15 days, reg 22(2)(c)) and ``amended_plan_due`` the day
    the final amended plan is due (8 weeks, reg 22(3)); both None until the amendments were
    proposed.
    """

    id: int
    plan_id: int
    meeting_on: date
    invitations_sent_on: date | None
    report_sent_on: date | None
    attendees: str
    pupil_views: str
    parent_views: str
    summary: str
    recommendation: str
    la_decision: str
    la_decision_on: date | None
    version: int
    invitations_by: date
    report_due: date
    la_decision_due: date
    milestones: list[Milestone]
    amendments_proposed_on: date | None = None
    amended_plan_on: date | None = None
    amendment_response_ends: date | None = None
    amended_plan_due: date | None = None

    def data(self) -> ReviewData:
        return _data_of(self, ReviewData)


@dataclass(frozen=True)
class PlanItem:
    """One EHC plan with its reviews (oldest first) and when the next review is due.

    ``next_review_due`` is the last lawful day of the next annual review (the day before
    the anniversary, CFA s44(1)); ``next_meeting_by`` the last day for its meeting, 4 weeks
    earlier so the LA's decision falls inside the 12 months (reg 20; CoP 9.176), and
    ``next_review_status`` is read against the meeting. ``transfer_deadline`` is the reg 18
    date of a recorded phase transfer (None when none is recorded, or the pupil stays on).
    """

    id: int
    pupil_id: int
    request_id: int | None
    issued_on: date
    la_name: str
    named_setting: str
    needs: str
    outcomes: str
    provision: str
    hours_per_week: float | None
    top_up_pence: int | None
    ceased_on: date | None
    version: int
    reviews: list[ReviewItem]
    next_review_due: date | None
    next_review_status: str
    next_meeting_by: date | None = None
    transfer_kind: str = ""
    transfer_destination: str = ""
    transfer_on: date | None = None
    transfer_deadline: date | None = None

    @property
    def transfer_label(self) -> str:
        return TRANSFER_KINDS.get(self.transfer_kind, "")

    def data(self) -> PlanData:
        return _data_of(self, PlanData)


@dataclass(frozen=True)
class LaProfileData:
    """One LA's panel rules as the SENCo sets them (money in pence)."""

    name: str
    reviewed_cycles: int = 2
    report_max_age_months: int = 12
    notional_threshold_pence: int = 600_000
    staff_rate_per_hour_pence: int | None = None
    weeks_per_year: int = 38
    section_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class LaProfileItem:
    """A saved LA profile, and the rules it stands for."""

    id: int
    name: str
    reviewed_cycles: int
    report_max_age_months: int
    notional_threshold_pence: int
    staff_rate_per_hour_pence: int | None
    weeks_per_year: int
    section_order: tuple[str, ...]
    version: int

    @property
    def rules(self) -> LaRules:
        return rules_of(self.data())

    def data(self) -> LaProfileData:
        return _data_of(self, LaProfileData)


# --- small helpers ------------------------------------------------------------------------


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_dates(**values: object) -> None:
    """Programming errors, not the user's: a date field given something else."""
    for name, value in values.items():
        if value is not None and not _is_date(value):
            raise TypeError(f"{name} must be a date or None")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text_problems(values: dict[str, str], labels: dict[str, str]) -> list[str]:
    return [
        f"{labels[k]} is longer than {TEXT_MAX:,} characters"
        for k, v in values.items()
        if len(v) > TEXT_MAX
    ]


# --- requests: cleaning what was typed ----------------------------------------------------

_REQUEST_TEXTS = {
    "why_now": "why the request is made now",
    "pupil_views": "the pupil's views",
    "parent_views": "the parents' views",
    "aspirations": "what is important to the pupil and their hopes for the future",
    "health_info": "the health information",
    "social_care_info": "the social care information",
}


def _clean_request(data: RequestData, today: date) -> dict[str, Any]:
    _check_dates(
        sent_on=data.sent_on,
        received_on=data.received_on,
        consent_on=data.consent_on,
        young_person_consent_on=data.young_person_consent_on,
        signed_off_on=data.signed_off_on,
    )
    problems: list[str] = []
    if data.requested_by not in REQUESTERS:
        problems.append("say who made the request: the school or a parent")
    la_name = _one_line(data.la_name)
    caseworker = _one_line(data.caseworker)
    if not la_name:
        problems.append("the local authority is missing")
    elif len(la_name) > NAME_MAX:
        problems.append(f"the local authority's name is longer than {NAME_MAX} characters")
    if len(caseworker) > NAME_MAX:
        problems.append(f"the caseworker's name is longer than {NAME_MAX} characters")
    signed_by, signed_role = _one_line(data.signed_off_by), _one_line(data.signed_off_role)
    problems += _sign_off_problems(signed_by, signed_role, data.signed_off_on)
    for label, value in (
        ("date the request was sent", data.sent_on),
        ("date the LA received the request", data.received_on),
        ("date of the parent's consent", data.consent_on),
        ("date of the young person's consent", data.young_person_consent_on),
        ("date the request was signed off", data.signed_off_on),
    ):
        if value is not None and value > today:
            problems.append(f"the {label} ({_d(value)}) is in the future")
    if data.sent_on and data.received_on and data.received_on < data.sent_on:
        problems.append(
            f"the LA cannot have received the request ({_d(data.received_on)}) before it "
            f"was sent ({_d(data.sent_on)})"
        )
    texts = {k: str(getattr(data, k)).strip() for k in _REQUEST_TEXTS}
    problems += _text_problems(texts, _REQUEST_TEXTS)
    if data.health_none_known and texts["health_info"]:
        problems.append(
            "health information is written, so it cannot also be recorded as none known"
        )
    refuse(problems)
    return {
        "requested_by": data.requested_by,
        "la_name": la_name,
        "caseworker": caseworker,
        "sent_on": data.sent_on,
        "received_on": data.received_on,
        "consent_on": data.consent_on,
        "young_person_consent_on": data.young_person_consent_on,
        "health_none_known": bool(data.health_none_known),
        "signed_off_by": signed_by,
        "signed_off_role": signed_role,
        "signed_off_on": data.signed_off_on,
        **texts,
    }


def _sign_off_problems(by: str, role: str, on: date | None) -> list[str]:
    """The sign-off is whole or absent: a role or a date says nothing without who signed."""
    problems: list[str] = []
    if len(by) > SIGNED_BY_MAX:
        problems.append(f"the name of who signed off is longer than {SIGNED_BY_MAX} characters")
    if len(role) > SIGNED_ROLE_MAX:
        problems.append(f"the sign-off role is longer than {SIGNED_ROLE_MAX} characters")
    if not by and (role or on is not None):
        problems.append("say who signed the request off (a role or date is recorded without)")
    return problems


# --- requests: the order of the steps -----------------------------------------------------

_STEP_FIELDS: dict[str, tuple[str, ...]] = {
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
_STEP_DATE = STEP_DATES
CASE_FIELDS = (
    "sent_on",
    "received_on",
    *(f for fields in _STEP_FIELDS.values() for f in fields),
    "next_steps",
)
"""The fields of a request that :func:`case_problems` reads (its dates and decisions)."""


def _case_of(row: EhcRequest) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CASE_FIELDS}


def _start(case: dict[str, Any]) -> date | None:
    return case["received_on"] or case["sent_on"]


def _recorded(step: str, case: dict[str, Any]) -> bool:
    if step in VALUE_STEPS:
        return case[_STEP_FIELDS[step][0]] is not None
    return case[_STEP_DATE[step]] is not None


def _refusal(case: dict[str, Any]) -> tuple[str, date | None] | None:
    """('assess' | 'issue', date) when the LA refused, else None."""
    if case["decided_to_assess"] is False:
        return "assess", case["decision_to_assess_on"]
    if case["decided_to_issue"] is False:
        return "issue", case["decision_to_issue_on"]
    return None


def _requirement(step: str, case: dict[str, Any]) -> str | None:
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
        floor += [(case[_STEP_DATE[s]], STEPS[s]) for s in STEPS if s != "close"]
    dated = [(d, what) for d, what in floor if d is not None]
    return max(dated, key=lambda x: x[0]) if dated else None


def _step_problems(step: str, case: dict[str, Any], today: date) -> list[str]:
    """What is wrong with ``step`` as recorded in ``case`` (it must be recorded)."""
    problems: list[str] = []
    need = _requirement(step, case)
    if need:
        problems.append(need)
    on = case[_STEP_DATE[step]]
    if step in VALUE_STEPS and on is None:
        problems.append(f"{STEPS[step]} has no date")
    if on is not None:
        if on > today:
            problems.append(f"{STEPS[step]} ({_d(on)}) is in the future")
        floor = _earliest(step, case)
        if floor is not None and on < floor[0]:
            problems.append(f"{STEPS[step]} ({_d(on)}) is before {floor[1]} ({_d(floor[0])})")
    return problems


def case_problems(case: dict[str, Any], today: date) -> list[str]:
    """Every problem with the recorded steps of a case (a dict of EhcRequest's step and
    date fields), in step order; empty when the case is consistent."""
    problems: list[str] = []
    for step in STEPS:
        if _recorded(step, case):
            problems += _step_problems(step, case, today)
    return problems


def _facts(
    row: EhcRequest, exceptions: list[EhcClockException], *, reasons: bool = True
) -> CaseFacts | None:
    """The case as the rules see it; without ``reasons`` an exception is known by its kind
    alone, so no milestone note quotes what the SENCo typed about the family."""
    start = row.received_on or row.sent_on
    if start is None:
        return None
    return CaseFacts(
        received=start,
        decided_to_assess=row.decided_to_assess,
        decision_to_assess_on=row.decision_to_assess_on,
        decided_to_issue=row.decided_to_issue,
        decision_to_issue_on=row.decision_to_issue_on,
        draft_sent_on=row.draft_sent_on,
        final_issued_on=row.final_issued_on,
        exceptions=tuple(
            ClockException(e.kind, e.reason if reasons else "", e.recorded_on) for e in exceptions
        ),
        advice_asked_on=row.advice_asked_on,
        advice_received_on=row.advice_received_on,
        way_forward_on=row.way_forward_on,
        mediation_certificate_on=row.mediation_certificate_on,
        appeal_lodged_on=row.appeal_lodged_on,
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


def _chased(mark: Milestone, decided_to_assess: bool | None) -> bool:
    """Whether ``mark`` counts towards "late" and what's due. Health and social care advice
    is only asked for once the LA agreed to assess: before that its date is a projection
    (and a summer-closure exception that excuses the decision does not excuse advice), so
    the decision to assess speaks for the case."""
    return mark.key != "advice" or decided_to_assess is True


def _request_item(
    row: EhcRequest, exceptions: list[EhcClockException], today: date, *, confidential: bool
) -> RequestItem:
    """The request as a reader sees it. Without ``confidential`` (anyone but the SENCo, and
    "what's due", which teachers read) the health, social care and family detail — why now,
    the views, health and social care information and each exception's reason — is blank:
    the exception keeps its kind, and the milestones and the clock read the same."""
    facts = _facts(row, exceptions, reasons=confidential)

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
            m.status == "red" and _chased(m, row.decided_to_assess) for m in marks
        )
    return RequestItem(
        id=row.id,
        pupil_id=row.pupil_id,
        requested_by=row.requested_by,
        la_name=row.la_name,
        caseworker=row.caseworker or "",
        sent_on=row.sent_on,
        received_on=row.received_on,
        consent_on=row.consent_on,
        young_person_consent_on=row.young_person_consent_on,
        why_now=secret(row.why_now),
        pupil_views=secret(row.pupil_views),
        parent_views=secret(row.parent_views),
        health_info=secret(row.health_info),
        social_care_info=secret(row.social_care_info),
        health_none_known=bool(row.health_none_known),
        decided_to_assess=row.decided_to_assess,
        decision_to_assess_on=row.decision_to_assess_on,
        decided_to_issue=row.decided_to_issue,
        decision_to_issue_on=row.decision_to_issue_on,
        draft_sent_on=row.draft_sent_on,
        draft_setting=row.draft_setting or "",
        final_issued_on=row.final_issued_on,
        way_forward_on=row.way_forward_on,
        mediation_on=row.mediation_on,
        mediation_certificate_on=row.mediation_certificate_on,
        appeal_lodged_on=row.appeal_lodged_on,
        next_steps=row.next_steps or "",
        closed_on=row.closed_on,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        version=row.version,
        exceptions=tuple(
            ExceptionItem(e.id, e.request_id, e.kind, secret(e.reason), e.recorded_on)
            for e in exceptions
        ),
        milestones=marks,
        stage=stage,
        clock=clock,
        late=late,
        advice_asked_on=row.advice_asked_on,
        advice_received_on=row.advice_received_on,
        aspirations=secret(row.aspirations),
        signed_off_by=row.signed_off_by or "",
        signed_off_role=row.signed_off_role or "",
        signed_off_on=row.signed_off_on,
    )


def available_steps(item: RequestItem) -> tuple[str, ...]:
    """The steps :func:`record_step` would accept next for ``item`` (dates aside), for
    the editor's menu: after the case is closed, only correcting the closing."""
    case = {name: getattr(item, name) for name in CASE_FIELDS}
    if item.closed_on is not None:
        return ("close",)
    return tuple(s for s in STEPS if _requirement(s, case) is None)


# --- requests: the use cases --------------------------------------------------------------


def _open_request_of(session: Session, pupil_id: int, but: int | None = None) -> EhcRequest | None:
    stmt = select(EhcRequest).where(
        EhcRequest.pupil_id == pupil_id,
        EhcRequest.closed_on.is_(None),
        EhcRequest.final_issued_on.is_(None),
    )
    if but is not None:
        stmt = stmt.where(EhcRequest.id != but)
    return session.scalars(stmt.order_by(EhcRequest.id)).first()


def open_request(
    db: Database, actor: Actor, pupil_id: int, data: RequestData, *, today: date | None = None
) -> int:
    """The SENCo opens an EHC needs assessment request for a pupil; returns its id.

    One open request per pupil: an earlier one must have its final plan or be closed.
    """
    permit(actor, Action.MANAGE_EHC)
    values = _clean_request(data, today or date.today())
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        earlier = _open_request_of(s, pupil_id)
        if earlier is not None:
            when = earlier.sent_on or earlier.received_on
            since = f" (sent {_d(when)})" if when else " (not sent yet)"
            raise ValidationError(
                f"This pupil already has an open EHC request{since}; close it before "
                "opening another."
            )
        row = EhcRequest(pupil_id=pupil_id, created_by_id=actor.user_id, **values)
        s.add(row)
        s.flush()
        AuditWriter(s, actor).record(
            "create",
            "ehc_request",
            row.id,
            {"pupil_id": pupil_id, "requested_by": values["requested_by"]},
        )
        return row.id


def update_request(
    db: Database,
    actor: Actor,
    request_id: int,
    version: int,
    data: RequestData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects a request's details; returns its new version.

    Moving the sent or received date is refused when a recorded decision would then be
    before it.
    """
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_request(data, today)
    with db.transaction() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        check_version(row.version, version, CONFLICT)
        case = _case_of(row) | {"sent_on": values["sent_on"], "received_on": values["received_on"]}
        refuse(case_problems(case, today))
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if not changed:
            return row.version
        for name in changed:
            setattr(row, name, values[name])
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "update", "ehc_request", row.id, {"pupil_id": row.pupil_id, "fields": changed}
        )
        return row.version


def record_step(
    db: Database,
    actor: Actor,
    request_id: int,
    version: int,
    step: str,
    on: date,
    *,
    value: bool | None = None,
    setting: str = "",
    note: str = "",
    today: date | None = None,
) -> int:
    """The SENCo records a decision or event of the case (or corrects one); returns the
    request's new version.

    ``value`` is the LA's yes/no for "assess" and "issue"; ``setting`` the setting named
    in the draft plan; a ``note`` (what happens next, why the case closed) is kept as the
    request's next steps. The whole case is checked again, so a change that would leave a
    later step out of order is refused.
    """
    permit(actor, Action.MANAGE_EHC)
    if step not in STEPS:
        raise ValueError(f"unknown EHC step {step!r}")
    _check_dates(on=on)
    if on is None:
        raise TypeError("on must be a date")
    if step not in VALUE_STEPS and value is not None:
        raise ValueError(f"the {step!r} step takes no yes/no value")
    today = today or date.today()
    problems: list[str] = []
    if step in VALUE_STEPS and not isinstance(value, bool):
        problems.append(f"say whether the LA said yes or no to {STEPS[step]}")
    setting = _one_line(setting)
    if setting and step != "draft":
        raise ValueError("only the draft plan names a setting")
    if len(setting) > SETTING_MAX:
        problems.append(f"the setting's name is longer than {SETTING_MAX} characters")
    note = note.strip()
    if len(note) > TEXT_MAX:
        problems.append(f"the note is longer than {TEXT_MAX:,} characters")
    refuse(problems)
    with db.transaction() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        check_version(row.version, version, CONFLICT)
        case = _case_of(row)
        if step != "close" and case["closed_on"] is not None:
            raise ValidationError(
                f"This request was closed on {_d(case['closed_on'])}; undo the closing "
                f"before recording {STEPS[step]}."
            )
        if step in VALUE_STEPS:
            case[_STEP_FIELDS[step][0]] = value
        if step == "draft":
            case["draft_setting"] = setting
        case[_STEP_DATE[step]] = on
        if note:
            case["next_steps"] = note
        problems = _step_problems(step, case, today)
        problems += [p for p in case_problems(case, today) if p not in problems]
        refuse(problems)
        changed = sorted(k for k, v in case.items() if getattr(row, k) != v)
        if not changed:
            return row.version
        for name in changed:
            setattr(row, name, case[name])
        flush_or_conflict(s, CONFLICT)
        detail: dict[str, Any] = {"pupil_id": row.pupil_id, "step": step, "on": on}
        if step in VALUE_STEPS:
            detail["value"] = value
        AuditWriter(s, actor).record("record_step", "ehc_request", row.id, detail)
        return row.version


def clear_step(db: Database, actor: Actor, request_id: int, version: int, step: str) -> int:
    """The SENCo undoes a step entered by mistake; returns the request's new version.

    Refused while a later step depends on it (clear those first).
    """
    permit(actor, Action.MANAGE_EHC)
    if step not in STEPS:
        raise ValueError(f"unknown EHC step {step!r}")
    with db.transaction() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        check_version(row.version, version, CONFLICT)
        case = _case_of(row)
        if not _recorded(step, case):
            return row.version
        for name in _STEP_FIELDS[step]:
            case[name] = "" if name == "draft_setting" else None
        blocked = _dependents(case)
        if blocked:
            raise ValidationError(
                f"{STEPS[step][:1].upper()}{STEPS[step][1:]} cannot be cleared while "
                f"{_and(STEPS[b] for b in blocked)} "
                f"{'depends' if len(blocked) == 1 else 'depend'} on it; clear "
                f"{'that' if len(blocked) == 1 else 'those'} first."
            )
        for name in _STEP_FIELDS[step]:
            setattr(row, name, case[name])
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "clear_step", "ehc_request", row.id, {"pupil_id": row.pupil_id, "step": step}
        )
        return row.version


def _dependents(case: dict[str, Any]) -> list[str]:
    """The recorded steps left standing on nothing in ``case``, directly or through
    another (clearing the decision to assess strands the decision to issue and the draft)."""
    left = dict(case)
    found: list[str] = []
    while stranded := [s for s in STEPS if _recorded(s, left) and _requirement(s, left)]:
        found += stranded
        for step in stranded:
            for name in _STEP_FIELDS[step]:
                left[name] = "" if name == "draft_setting" else None
    return [s for s in STEPS if s in found]


def _and(parts: Any, word: str = "and") -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def _or(parts: Any) -> str:
    return _and(parts, "or")


def add_exception(
    db: Database,
    actor: Actor,
    request_id: int,
    kind: str,
    reason: str,
    recorded_on: date,
    *,
    today: date | None = None,
) -> int:
    """The SENCo records an exception to a time limit the LA gave (regs 5(4), 8(2),
    10(4), 13(3)); the milestones it excuses show as extended, with the reason."""
    permit(actor, Action.MANAGE_EHC)
    _check_dates(recorded_on=recorded_on)
    today = today or date.today()
    problems: list[str] = []
    reason = reason.strip()
    if kind not in EXCEPTION_KINDS:
        problems.append("choose which exception to the time limits applies")
    if not reason:
        problems.append("say why the time limit cannot be met")
    elif len(reason) > TEXT_MAX:
        problems.append(f"the reason is longer than {TEXT_MAX:,} characters")
    if recorded_on is None:
        problems.append("give the date the exception was recorded")
    elif recorded_on > today:
        problems.append(f"the exception's date ({_d(recorded_on)}) is in the future")
    refuse(problems)
    with db.transaction() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        start = row.received_on or row.sent_on
        if start is None:
            raise ValidationError(
                "This request has not been sent, so no time limit is running yet."
            )
        if recorded_on < start:
            raise ValidationError(
                f"The exception's date ({_d(recorded_on)}) is before the request was "
                f"received ({_d(start)})."
            )
        exc = EhcClockException(
            request_id=row.id, kind=kind, reason=reason, recorded_on=recorded_on
        )
        s.add(exc)
        s.flush()
        AuditWriter(s, actor).record(
            "create",
            "ehc_clock_exception",
            exc.id,
            {"pupil_id": row.pupil_id, "request_id": row.id, "kind": kind},
        )
        return exc.id


def remove_exception(db: Database, actor: Actor, exception_id: int) -> None:
    """The SENCo removes an exception recorded by mistake."""
    permit(actor, Action.MANAGE_EHC)
    with db.transaction() as s:
        exc: EhcClockException = get_or_gone(s, EhcClockException, exception_id, GONE)
        request = s.get(EhcRequest, exc.request_id)
        s.delete(exc)
        s.flush()
        AuditWriter(s, actor).record(
            "delete",
            "ehc_clock_exception",
            exception_id,
            {"pupil_id": request.pupil_id if request else None, "request_id": exc.request_id},
        )


def _exceptions_by_request(
    session: Session, request_ids: list[int]
) -> dict[int, list[EhcClockException]]:
    found: dict[int, list[EhcClockException]] = defaultdict(list)
    if request_ids:
        for e in session.scalars(
            select(EhcClockException)
            .where(EhcClockException.request_id.in_(request_ids))
            .order_by(EhcClockException.recorded_on, EhcClockException.id)
        ):
            found[e.request_id].append(e)
    return found


def _confidential(actor: Actor) -> bool:
    """Whether the actor may read a request's health, social care and family detail: only
    the SENCo (DESIGN.md: teachers must not read confidential health detail)."""
    return actor.role is Role.SENCO


def list_requests(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> list[RequestItem]:
    """A pupil's requests, newest first (one still being prepared comes first).

    EHC requests, their health and social care sections and where a case stands are the
    SENCo's only (issue 13): anyone else is refused. (The confidential-detail
    blanking of :func:`_request_item` stays as a second line of defence.)
    """
    permit(actor, Action.VIEW_EHC_REQUESTS)
    today = today or date.today()
    with db.session() as s:
        pupil_or_gone(s, pupil_id)
        rows = list(s.scalars(select(EhcRequest).where(EhcRequest.pupil_id == pupil_id)))
        exceptions = _exceptions_by_request(s, [r.id for r in rows])
        items = [
            _request_item(r, exceptions[r.id], today, confidential=_confidential(actor))
            for r in rows
        ]
    return sorted(items, key=lambda i: (i.clock_start or date.max, i.id), reverse=True)


def get_request(
    db: Database, actor: Actor, request_id: int, *, today: date | None = None
) -> RequestItem:
    """One request by id (ConflictError when it has gone); the SENCo's only, as
    :func:`list_requests`."""
    permit(actor, Action.VIEW_EHC_REQUESTS)
    with db.session() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        return _request_item(
            row,
            _exceptions_by_request(s, [row.id])[row.id],
            today or date.today(),
            confidential=_confidential(actor),
        )


# --- plans --------------------------------------------------------------------------------

_PLAN_TEXTS = {
    "needs": "the needs (section B)",
    "outcomes": "the outcomes (section E)",
    "provision": "the provision (section F)",
}


def _transfer_problems(kind: str, destination: str, moves_on: date | None) -> list[str]:
    """A recorded transfer needs its kind; a real move (not staying on) needs its date, from
    which reg 18 counts."""
    if kind not in TRANSFER_KINDS and kind != "":
        return [f"'{kind}' is not a kind of phase transfer"]
    problems: list[str] = []
    if len(destination) > SETTING_MAX:
        problems.append(f"the transfer destination is longer than {SETTING_MAX} characters")
    if not kind and (destination or moves_on is not None):
        problems.append("say what kind of phase transfer the destination or date is for")
    elif kind not in ("", NO_TRANSFER) and moves_on is None:
        problems.append("the date of the phase transfer is missing (reg 18 counts from it)")
    return problems


def _clean_plan(data: PlanData, today: date) -> dict[str, Any]:
    _check_dates(issued_on=data.issued_on, transfer_on=data.transfer_on)
    problems: list[str] = []
    if data.issued_on is None:
        problems.append("the date the plan was issued is missing")
    elif data.issued_on > today:
        problems.append(f"the plan's date ({_d(data.issued_on)}) is in the future")
    la_name = _one_line(data.la_name)
    setting = _one_line(data.named_setting)
    if not la_name:
        problems.append("the local authority is missing")
    elif len(la_name) > NAME_MAX:
        problems.append(f"the local authority's name is longer than {NAME_MAX} characters")
    if len(setting) > SETTING_MAX:
        problems.append(f"the named setting is longer than {SETTING_MAX} characters")
    texts = {k: str(getattr(data, k)).strip() for k in _PLAN_TEXTS}
    problems += _text_problems(texts, _PLAN_TEXTS)
    kind = (data.transfer_kind or "").strip()
    destination = _one_line(data.transfer_destination or "")
    problems += _transfer_problems(kind, destination, data.transfer_on)
    hours = data.hours_per_week
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours != hours:
            problems.append("the hours a week must be a number")
        elif not 0 <= hours <= HOURS_MAX:
            problems.append(f"the hours a week must be from 0 to {HOURS_MAX:g} (not {hours:g})")
    top_up = data.top_up_pence
    if top_up is not None:
        if isinstance(top_up, bool) or not isinstance(top_up, int):
            problems.append("the top-up funding must be a whole number of pence")
        elif not 0 <= top_up <= TOP_UP_MAX_PENCE:
            problems.append(
                f"the top-up funding must be from £0 to £{TOP_UP_MAX_PENCE // 100:,} a year"
            )
    refuse(problems)
    return {
        "issued_on": data.issued_on,
        "la_name": la_name,
        "named_setting": setting,
        "hours_per_week": float(hours) if hours is not None else None,
        "top_up_pence": top_up,
        "request_id": data.request_id,
        "transfer_kind": kind,
        "transfer_destination": destination,
        "transfer_on": data.transfer_on,
        **texts,
    }


def _check_plan_request(session: Session, pupil_id: int, values: dict[str, Any]) -> None:
    request_id = values["request_id"]
    if request_id is None:
        return
    request = session.get(EhcRequest, request_id)
    if request is None or request.pupil_id != pupil_id:
        raise ValidationError("The plan's request is not one of this pupil's EHC requests.")
    start = request.received_on or request.sent_on
    if start is not None and values["issued_on"] < start:
        raise ValidationError(
            f"The plan's date ({_d(values['issued_on'])}) is before its request was "
            f"received ({_d(start)})."
        )


def _held(reviews: list[AnnualReview], today: date) -> list[AnnualReview]:
    return [r for r in reviews if r.meeting_on <= today]


def _next_review_due(plan: EhcPlan, reviews: list[AnnualReview], today: date) -> date | None:
    if plan.ceased_on is not None:
        return None
    held = _held(reviews, today)
    anchor = max([plan.issued_on, *(r.meeting_on for r in held)])
    return annual_review_due(anchor)


def _sync_pupil_review(
    session: Session, audit: AuditWriter, pupil_id: int, today: date, plan_id: int
) -> None:
    """Keep the pupil's next review date on the live plan's annual review (the register
    page shows it); the support-plan service leaves pupils with an EHC plan to this one."""
    pupil = pupil_or_gone(session, pupil_id)
    plans = list(
        session.scalars(
            select(EhcPlan).where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
        )
    )
    dues = [d for p in plans if (d := _next_review_due(p, list(p.reviews), today))]
    value = min(dues) if dues else None
    if value is None or pupil.next_review_due == value:
        return
    pupil.next_review_due = value
    flush_or_conflict(session, CONFLICT)
    audit.record(
        "update", "pupil", pupil.id, {"fields": ["next_review_due"], "ehc_plan_id": plan_id}
    )


def record_plan(
    db: Database, actor: Actor, pupil_id: int, data: PlanData, *, today: date | None = None
) -> int:
    """The SENCo records an issued EHC plan; returns its id. One live plan per pupil."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    _clean_plan(data, today)  # refuse bad input before opening a transaction
    with db.transaction() as s:
        return add_plan(s, AuditWriter(s, actor), pupil_id, data, today)


def add_plan(
    session: Session, audit: AuditWriter, pupil_id: int, data: PlanData, today: date
) -> int:
    """Record an issued plan inside the caller's transaction; returns its id.

    Why a function of its own: the status dialog records a plan and the change to E in one
    transaction (:func:`sendesk.services.register.register.change_status`), so neither is written
    without the other. The caller has checked the SENCo's role.
    """
    values = _clean_plan(data, today)
    pupil_or_gone(session, pupil_id)
    live = session.scalars(
        select(EhcPlan).where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
    ).first()
    if live is not None:
        raise ValidationError(
            f"This pupil already has an EHC plan (issued {_d(live.issued_on)}); record "
            "when it ceased before adding another."
        )
    _check_plan_request(session, pupil_id, values)
    row = EhcPlan(pupil_id=pupil_id, **values)
    session.add(row)
    session.flush()
    audit.record("create", "ehc_plan", row.id, {"pupil_id": pupil_id})
    _sync_pupil_review(session, audit, pupil_id, today, row.id)
    return row.id


def update_plan(
    db: Database,
    actor: Actor,
    plan_id: int,
    version: int,
    data: PlanData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects a plan (or records an amended one's summary); new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_plan(data, today)
    with db.transaction() as s:
        row: EhcPlan = get_or_gone(s, EhcPlan, plan_id, GONE)
        check_version(row.version, version, CONFLICT)
        _check_plan_request(s, row.pupil_id, values)
        first = min((r.meeting_on for r in row.reviews), default=None)
        problems: list[str] = []
        if first is not None and values["issued_on"] > first:
            problems.append(
                f"the plan's date ({_d(values['issued_on'])}) is after its first review "
                f"meeting ({_d(first)})"
            )
        if row.ceased_on is not None and values["issued_on"] > row.ceased_on:
            problems.append(
                f"the plan's date ({_d(values['issued_on'])}) is after it ceased "
                f"({_d(row.ceased_on)})"
            )
        refuse(problems)
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if not changed:
            return row.version
        for name in changed:
            setattr(row, name, values[name])
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record("update", "ehc_plan", row.id, {"pupil_id": row.pupil_id, "fields": changed})
        _sync_pupil_review(s, audit, row.pupil_id, today, row.id)
        return row.version


def cease_plan(
    db: Database, actor: Actor, plan_id: int, version: int, on: date, *, today: date | None = None
) -> int:
    """The SENCo records the day the plan ceased (the LA's decision took effect): not in the
    future, nor before the plan was issued or its last review meeting."""
    permit(actor, Action.MANAGE_EHC)
    _check_dates(on=on)
    today = today or date.today()
    with db.transaction() as s:
        row: EhcPlan = get_or_gone(s, EhcPlan, plan_id, GONE)
        check_version(row.version, version, CONFLICT)
        problems: list[str] = []
        if on is None:
            problems.append("give the date the plan ceased")
        elif on > today:
            problems.append(f"the date the plan ceased ({_d(on)}) is in the future")
        elif on < row.issued_on:
            problems.append(
                f"the plan cannot cease ({_d(on)}) before it was issued ({_d(row.issued_on)})"
            )
        # As for a new review (_review_fits_plan): no meeting after the plan ceased, a booked
        # one included.
        last = max((r.meeting_on for r in row.reviews), default=None)
        if on is not None and last is not None and on < last and on >= row.issued_on:
            problems.append(
                f"the plan cannot cease ({_d(on)}) before its last review meeting ({_d(last)}); "
                "give a later date, or correct that meeting's date first"
            )
        if row.ceased_on is not None:
            problems.append(f"the plan already ceased on {_d(row.ceased_on)}")
        refuse(problems)
        due_before = _next_review_due(row, list(row.reviews), today)
        row.ceased_on = on
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record("cease", "ehc_plan", row.id, {"pupil_id": row.pupil_id, "on": on})
        pupil = pupil_or_gone(s, row.pupil_id)
        if due_before is not None and pupil.next_review_due == due_before:
            pupil.next_review_due = None
            flush_or_conflict(s, CONFLICT)
            audit.record(
                "update", "pupil", pupil.id, {"fields": ["next_review_due"], "ehc_plan_id": row.id}
            )
        return row.version


def reinstate_plan(
    db: Database, actor: Actor, plan_id: int, version: int, *, today: date | None = None
) -> int:
    """The SENCo undoes :func:`cease_plan` (a ceasing recorded by mistake, or one the LA
    withdrew): the plan is live again and its annual review due once more. Refused while the
    pupil has another live plan (one per pupil). Returns the plan's new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    with db.transaction() as s:
        row: EhcPlan = get_or_gone(s, EhcPlan, plan_id, GONE)
        check_version(row.version, version, CONFLICT)
        if row.ceased_on is None:
            raise ValidationError("This EHC plan has not ceased, so there is nothing to undo.")
        live = s.scalars(
            select(EhcPlan).where(
                EhcPlan.pupil_id == row.pupil_id,
                EhcPlan.ceased_on.is_(None),
                EhcPlan.id != row.id,
            )
        ).first()
        if live is not None:
            raise ValidationError(
                f"This pupil has another live EHC plan (issued {_d(live.issued_on)}); record "
                "when that one ceased before reinstating this one."
            )
        ceased_on = row.ceased_on
        row.ceased_on = None
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "reinstate", "ehc_plan", row.id, {"pupil_id": row.pupil_id, "was_ceased_on": ceased_on}
        )
        _sync_pupil_review(s, audit, row.pupil_id, today, row.id)
        return row.version


# --- reviews ------------------------------------------------------------------------------

_REVIEW_TEXTS = {
    "attendees": "who attended",
    "pupil_views": "the pupil's views",
    "parent_views": "the parents' views",
    "summary": "the summary",
}


def _clean_review(data: ReviewData, today: date) -> dict[str, Any]:
    _check_dates(
        meeting_on=data.meeting_on,
        invitations_sent_on=data.invitations_sent_on,
        report_sent_on=data.report_sent_on,
        la_decision_on=data.la_decision_on,
        amendments_proposed_on=data.amendments_proposed_on,
        amended_plan_on=data.amended_plan_on,
    )
    problems: list[str] = []
    meeting = data.meeting_on
    if meeting is None:
        problems.append("the date of the review meeting is missing")
    elif meeting > today + MEETING_AHEAD:
        problems.append(f"the review meeting ({_d(meeting)}) is more than a year ahead")
    for label, value in (
        ("invitations were sent", data.invitations_sent_on),
        ("the report was sent", data.report_sent_on),
        ("of the LA's decision", data.la_decision_on),
        ("the amendments were proposed", data.amendments_proposed_on),
        ("of the amended plan", data.amended_plan_on),
    ):
        if value is not None and value > today:
            problems.append(f"the date {label} ({_d(value)}) is in the future")
    if meeting is not None:
        if data.invitations_sent_on and data.invitations_sent_on > meeting:
            problems.append(
                f"the invitations ({_d(data.invitations_sent_on)}) are after the meeting "
                f"({_d(meeting)})"
            )
        if data.report_sent_on and data.report_sent_on < meeting:
            problems.append(
                f"the report ({_d(data.report_sent_on)}) is before the meeting ({_d(meeting)})"
            )
        if data.la_decision_on and data.la_decision_on < meeting:
            problems.append(
                f"the LA's decision ({_d(data.la_decision_on)}) is before the meeting "
                f"({_d(meeting)})"
            )
    recommendation = data.recommendation.strip().lower()
    decision = data.la_decision.strip().lower()
    choices = _or(RECOMMENDATIONS)
    if recommendation and recommendation not in RECOMMENDATIONS:
        problems.append(f"the review's recommendation must be {choices}")
    if decision and decision not in RECOMMENDATIONS:
        problems.append(f"the LA's decision must be {choices}")
    if decision and data.la_decision_on is None:
        problems.append("give the date of the LA's decision")
    if data.la_decision_on is not None and not decision:
        problems.append("say what the LA decided (keep, amend or cease)")
    problems += _amendment_problems(data, decision)
    texts = {k: str(getattr(data, k)).strip() for k in _REVIEW_TEXTS}
    problems += _text_problems(texts, _REVIEW_TEXTS)
    refuse(problems)
    return {
        "meeting_on": meeting,
        "invitations_sent_on": data.invitations_sent_on,
        "report_sent_on": data.report_sent_on,
        "recommendation": recommendation,
        "la_decision": decision,
        "la_decision_on": data.la_decision_on,
        "amendments_proposed_on": data.amendments_proposed_on,
        "amended_plan_on": data.amended_plan_on,
        **texts,
    }


def _amendment_problems(data: ReviewData, decision: str) -> list[str]:
    """What is wrong with the amendment dates of a review (reg 22): they follow an LA
    decision to amend, the proposal comes with or after that decision (and the meeting),
    and the amended plan comes after the proposal."""
    proposed, amended = data.amendments_proposed_on, data.amended_plan_on
    if proposed is None and amended is None:
        return []
    if decision != "amend":
        now = (
            f"the LA's decision recorded is to {decision} it"
            if decision in RECOMMENDATIONS
            else "no decision to amend is recorded"
        )
        return [
            "the dates of proposed amendments and an amended plan only follow an LA "
            f"decision to amend the plan, and {now}"
        ]
    problems: list[str] = []
    if proposed is None:
        problems.append("give the date the amendments were proposed before the amended plan")
    else:
        floors = [(data.meeting_on, "the meeting"), (data.la_decision_on, "the LA's decision")]
        dated = [(d, what) for d, what in floors if d is not None]
        if dated:
            floor, what = max(dated, key=lambda x: x[0])
            if proposed < floor:
                problems.append(
                    f"the amendments proposed ({_d(proposed)}) are before {what} ({_d(floor)})"
                )
        if amended is not None and amended < proposed:
            problems.append(
                f"the amended plan ({_d(amended)}) is before the amendments were proposed "
                f"({_d(proposed)})"
            )
    return problems


def _review_fits_plan(plan: EhcPlan, values: dict[str, Any], review_id: int | None) -> None:
    meeting = values["meeting_on"]
    problems: list[str] = []
    if meeting < plan.issued_on:
        problems.append(
            f"the review meeting ({_d(meeting)}) is before the plan was issued "
            f"({_d(plan.issued_on)})"
        )
    if plan.ceased_on is not None and meeting > plan.ceased_on:
        problems.append(f"the plan ceased on {_d(plan.ceased_on)}, before this meeting")
    if any(r.meeting_on == meeting and r.id != review_id for r in plan.reviews):
        problems.append(f"this plan already has a review meeting on {_d(meeting)}")
    refuse(problems)


def record_review(
    db: Database, actor: Actor, plan_id: int, data: ReviewData, *, today: date | None = None
) -> int:
    """The SENCo records an annual review (a booked meeting, or one held); returns its id."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_review(data, today)
    with db.transaction() as s:
        plan: EhcPlan = get_or_gone(s, EhcPlan, plan_id, GONE)
        _review_fits_plan(plan, values, None)
        row = AnnualReview(plan_id=plan.id, **values)
        s.add(row)
        s.flush()
        audit = AuditWriter(s, actor)
        audit.record(
            "create", "annual_review", row.id, {"pupil_id": plan.pupil_id, "plan_id": plan.id}
        )
        s.refresh(plan, ["reviews"])
        _sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)
        return row.id


def update_review(
    db: Database,
    actor: Actor,
    review_id: int,
    version: int,
    data: ReviewData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo completes or corrects a review; returns its new version."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_review(data, today)
    with db.transaction() as s:
        row: AnnualReview = get_or_gone(s, AnnualReview, review_id, GONE)
        check_version(row.version, version, CONFLICT)
        plan: EhcPlan = get_or_gone(s, EhcPlan, row.plan_id, GONE)
        _review_fits_plan(plan, values, row.id)
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if not changed:
            return row.version
        for name in changed:
            setattr(row, name, values[name])
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "update",
            "annual_review",
            row.id,
            {"pupil_id": plan.pupil_id, "plan_id": plan.id, "fields": changed},
        )
        s.refresh(plan, ["reviews"])
        _sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)
        return row.version


def remove_review(
    db: Database, actor: Actor, review_id: int, version: int, *, today: date | None = None
) -> None:
    """The SENCo removes an annual review recorded by mistake (a meeting booked ahead that
    will not happen, say); the plan's next review date moves back with it."""
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    with db.transaction() as s:
        row: AnnualReview = get_or_gone(s, AnnualReview, review_id, GONE)
        check_version(row.version, version, CONFLICT)
        plan: EhcPlan = get_or_gone(s, EhcPlan, row.plan_id, GONE)
        meeting_on = row.meeting_on
        s.delete(row)
        flush_or_conflict(s, CONFLICT)
        audit = AuditWriter(s, actor)
        audit.record(
            "delete",
            "annual_review",
            review_id,
            {"pupil_id": plan.pupil_id, "plan_id": plan.id, "meeting_on": meeting_on},
        )
        s.refresh(plan, ["reviews"])
        _sync_pupil_review(s, audit, plan.pupil_id, today, plan.id)


def _join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _amendment_milestones(proposed: date, amended: date | None, today: date) -> list[Milestone]:
    """After proposed amendments (reg 22): the family's 15 days to answer them, and the
    final amended plan within 8 weeks. The 15 days are the family's, never red: over once
    they have passed or the amended plan was issued."""
    ends = amendment_response_ends(proposed)
    label = "Family's 15 days on the proposed amendments"
    note = f"comments and a named school or college by {_d(ends)}"
    if amended is not None and amended <= ends:
        response = Milestone(
            "amendment_response",
            label,
            ends,
            amended,
            "done",
            f"{note}; the amended plan was issued before the 15 days ended",
        )
    elif amended is not None or today > ends:
        response = Milestone("amendment_response", label, ends, ends, "done", note)
    else:
        response = Milestone("amendment_response", label, ends, None, rag(ends, today), note)
    due = amended_plan_due(proposed)
    return [
        response,
        Milestone(
            "amended_plan",
            "Final amended plan issued",
            due,
            amended,
            rag(due, today, amended),
            f"within 8 weeks of the amendments proposed on {_d(proposed)}",
        ),
    ]


def _review_milestones(review: AnnualReview, anchor: date, today: date) -> list[Milestone]:
    """The statutory steps of one review: invitations, the meeting, report, decision, and
    after proposed amendments the family's 15 days and the amended plan.

    ``anchor`` is the plan's issue or the last review: the meeting is due 4 weeks before
    the 12 months starting with it end, so the LA's decision fits in them (CFA s44(1))."""
    due = review_meeting_by(anchor)
    meeting = review.meeting_on
    held = meeting <= today

    def step(key: str, label: str, by: date, done: date | None, note: str = "") -> Milestone:
        if not held and key in ("report", "la_decision"):
            return Milestone(key, label, by, None, "not applicable", "after the meeting")
        return Milestone(key, label, by, done, rag(by, today, done), note)

    invitations = review_invitations_by(meeting)
    marks = [
        step(
            "invitations",
            "Invitations and advice sent",
            invitations,
            review.invitations_sent_on,
            "at least 2 weeks before the meeting",
        ),
        Milestone(
            "meeting",
            "Annual review meeting",
            due,
            meeting if held else None,
            rag(due, today, meeting if held else None),
            _join_notes(
                f"booked for {_d(meeting)}" if not held else "",
                f"the LA's decision by {_d(annual_review_due(anchor))}, within 12 months",
            ),
        ),
        step(
            "report",
            "Review report to the LA",
            review_report_due(meeting),
            review.report_sent_on,
            "within 2 weeks of the meeting",
        ),
        step(
            "la_decision",
            "LA's decision: keep, amend or cease",
            la_review_decision_due(meeting),
            review.la_decision_on,
            "within 4 weeks of the meeting",
        ),
    ]
    if review.amendments_proposed_on is not None:
        marks += _amendment_milestones(review.amendments_proposed_on, review.amended_plan_on, today)
    return marks


def _plan_item(plan: EhcPlan, reviews: list[AnnualReview], today: date) -> PlanItem:
    ordered = sorted(reviews, key=lambda r: (r.meeting_on, r.id))
    items: list[ReviewItem] = []
    anchor = plan.issued_on
    for r in ordered:
        proposed = r.amendments_proposed_on
        items.append(
            ReviewItem(
                id=r.id,
                plan_id=r.plan_id,
                meeting_on=r.meeting_on,
                invitations_sent_on=r.invitations_sent_on,
                report_sent_on=r.report_sent_on,
                attendees=r.attendees or "",
                pupil_views=r.pupil_views or "",
                parent_views=r.parent_views or "",
                summary=r.summary or "",
                recommendation=r.recommendation or "",
                la_decision=r.la_decision or "",
                la_decision_on=r.la_decision_on,
                version=r.version,
                invitations_by=review_invitations_by(r.meeting_on),
                report_due=review_report_due(r.meeting_on),
                la_decision_due=la_review_decision_due(r.meeting_on),
                milestones=_review_milestones(r, anchor, today),
                amendments_proposed_on=r.amendments_proposed_on,
                amended_plan_on=r.amended_plan_on,
                amendment_response_ends=amendment_response_ends(proposed) if proposed else None,
                amended_plan_due=amended_plan_due(proposed) if proposed else None,
            )
        )
        anchor = max(anchor, r.meeting_on)
    next_due = _next_review_due(plan, ordered, today)
    meeting_by = next_due - timedelta(weeks=timeline.REVIEW_DECISION_WEEKS) if next_due else None
    return PlanItem(
        id=plan.id,
        pupil_id=plan.pupil_id,
        request_id=plan.request_id,
        issued_on=plan.issued_on,
        la_name=plan.la_name,
        named_setting=plan.named_setting or "",
        needs=plan.needs or "",
        outcomes=plan.outcomes or "",
        provision=plan.provision or "",
        hours_per_week=plan.hours_per_week,
        top_up_pence=plan.top_up_pence,
        ceased_on=plan.ceased_on,
        version=plan.version,
        reviews=items,
        next_review_due=next_due,
        next_review_status=rag(meeting_by, today) if meeting_by else "",
        next_meeting_by=meeting_by,
        transfer_kind=plan.transfer_kind or "",
        transfer_destination=plan.transfer_destination or "",
        transfer_on=plan.transfer_on,
        transfer_deadline=transfer_deadline(plan.transfer_kind or "", plan.transfer_on),
    )


def list_plans(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> list[PlanItem]:
    """A pupil's EHC plans, newest first, each with its reviews and next review date."""
    today = today or date.today()
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_EHC_PLANS, pupil_id)
        pupil_or_gone(s, pupil_id)
        plans = list(s.scalars(select(EhcPlan).where(EhcPlan.pupil_id == pupil_id)))
        items = [_plan_item(p, list(p.reviews), today) for p in plans]
    return sorted(items, key=lambda p: (p.issued_on, p.id), reverse=True)


# --- LA profiles --------------------------------------------------------------------------


def _money(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100


def rules_of(data: LaProfileData) -> LaRules:
    """The readiness rules ``data`` stands for (pence become pounds; no order: the default)."""
    return LaRules(
        name=_one_line(data.name),
        reviewed_cycles=data.reviewed_cycles,
        report_max_age_months=data.report_max_age_months,
        notional_threshold=_money(data.notional_threshold_pence) or Decimal(0),
        staff_rate_per_hour=_money(data.staff_rate_per_hour_pence),
        weeks_per_year=data.weeks_per_year,
        section_order=tuple(data.section_order) or DEFAULT_SECTION_ORDER,
    )


def _profile_item(row: LaProfile) -> LaProfileItem:
    order = tuple(k for k in (row.section_order or "").split(",") if k)
    return LaProfileItem(
        id=row.id,
        name=row.name,
        reviewed_cycles=row.reviewed_cycles,
        report_max_age_months=row.report_max_age_months,
        notional_threshold_pence=row.notional_threshold_pence,
        staff_rate_per_hour_pence=row.staff_rate_per_hour_pence,
        weeks_per_year=row.weeks_per_year,
        section_order=order or DEFAULT_SECTION_ORDER,
        version=row.version,
    )


def _clean_profile(data: LaProfileData) -> dict[str, Any]:
    problems: list[str] = []
    for label, pence in (
        ("the notional SEN threshold", data.notional_threshold_pence),
        ("the staff rate an hour", data.staff_rate_per_hour_pence),
    ):
        if pence is not None and (isinstance(pence, bool) or not isinstance(pence, int)):
            problems.append(f"{label} must be a whole number of pence")
    if data.notional_threshold_pence is None:
        problems.append("the notional SEN threshold is missing")
    refuse(problems)
    rules = rules_of(data)
    problems = la_rules_problems(rules)
    if len(rules.name) > NAME_MAX:
        problems.append(f"the local authority's name is longer than {NAME_MAX} characters")
    refuse(problems)
    return {
        "name": rules.name,
        "reviewed_cycles": data.reviewed_cycles,
        "report_max_age_months": data.report_max_age_months,
        "notional_threshold_pence": data.notional_threshold_pence,
        "staff_rate_per_hour_pence": data.staff_rate_per_hour_pence,
        "weeks_per_year": data.weeks_per_year,
        "section_order": ",".join(rules.section_order),
    }


def _profile_named(session: Session, name: str) -> LaProfile | None:
    """The profile whose name matches ``name`` whatever its case and spacing."""
    wanted = _one_line(name).casefold()
    for row in session.scalars(select(LaProfile).order_by(LaProfile.id)):
        if _one_line(row.name).casefold() == wanted:
            return row
    return None


def la_rules_in(session: Session, la_name: str) -> LaRules:
    """:func:`la_rules` inside a session the caller holds (the pack service's)."""
    row = _profile_named(session, la_name)
    if row is None:
        return LaRules(name=_one_line(la_name))
    return _profile_item(row).rules


def la_rules(db: Database, la_name: str) -> LaRules:
    """The saved rules of the LA called ``la_name`` (any case), or the defaults under its
    name when the school has saved none."""
    with db.session() as s:
        return la_rules_in(s, la_name)


def save_la_profile(
    db: Database, actor: Actor, profile_id: int | None, version: int | None, data: LaProfileData
) -> int:
    """The SENCo adds (``profile_id`` None) or changes an LA profile; returns its id."""
    permit(actor, Action.MANAGE_EHC)
    values = _clean_profile(data)
    with db.transaction() as s:
        same = _profile_named(s, values["name"])
        if same is not None and same.id != profile_id:
            raise ValidationError(f"There is already a profile for {same.name}.")
        audit = AuditWriter(s, actor)
        if profile_id is None:
            row = LaProfile(**values)
            s.add(row)
            flush_or_conflict(s, PROFILE_CONFLICT)
            audit.record("create", "la_profile", row.id, {"name": row.name})
            return row.id
        row = get_or_gone(
            s, LaProfile, profile_id, "That LA profile has been removed since you opened it."
        )
        check_version(row.version, version, PROFILE_CONFLICT)
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            flush_or_conflict(s, PROFILE_CONFLICT)
            audit.record("update", "la_profile", row.id, {"name": row.name, "fields": changed})
        return row.id


def list_la_profiles(db: Database, actor: Actor) -> list[LaProfileItem]:
    """Every saved LA profile, by name."""
    permit(actor, Action.VIEW_EHC_REQUESTS)
    with db.session() as s:
        rows = list(s.scalars(select(LaProfile)))
        items = [_profile_item(r) for r in rows]
    return sorted(items, key=lambda p: p.name.casefold())


def remove_la_profile(db: Database, actor: Actor, profile_id: int, version: int) -> None:
    """The SENCo removes an LA profile; requests to that LA fall back to the defaults."""
    permit(actor, Action.MANAGE_EHC)
    with db.transaction() as s:
        row = get_or_gone(
            s, LaProfile, profile_id, "That LA profile has been removed since you opened it."
        )
        check_version(row.version, version, PROFILE_CONFLICT)
        name = row.name
        s.delete(row)
        flush_or_conflict(s, PROFILE_CONFLICT)
        AuditWriter(s, actor).record("delete", "la_profile", profile_id, {"name": name})


# --- what's due ---------------------------------------------------------------------------


def _severity(due: date, status: str, today: date) -> str:
    from sendesk.services.due import SOON_DAYS

    if status == "extended":
        return "soon"  # excused by a recorded exception: amber, never red
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


_OPEN = ("green", "amber", "red", "extended")


def _request_due_item(
    item: RequestItem, pupil: Pupil, today: date, horizon: date
) -> DueItem | None:
    from sendesk.services.due import DueItem

    upcoming = [
        m for m in item.milestones if m.status in _OPEN and _chased(m, item.decided_to_assess)
    ]
    if not upcoming:
        return None
    # Past its date, the latest step missed says most (week 23: the final plan, not the
    # week-16 notice); otherwise the next step to come.
    missed = [m for m in upcoming if m.due < today]
    m = missed[-1] if missed else upcoming[0]
    if m.due > horizon:
        return None
    text = f"{m.label} due {_d(m.due)} ({item.la_name}, {item.clock})"
    if m.status == "red":
        text += ": the advice is late" if m.key == "advice" else ": the LA is late"
    if m.note:
        text += f"; {m.note}"
    return DueItem(
        m.due,
        _severity(m.due, m.status, today),
        KIND_REQUEST,
        pupil.id,
        pupil.display_name,
        pupil.upn,
        text,
    )


def _plan_due_items(plan: PlanItem, pupil: Pupil, today: date, horizon: date) -> list[DueItem]:
    from sendesk.services.due import DueItem

    items: list[DueItem] = []

    def add(due: date, kind: str, text: str) -> None:
        if due <= horizon:
            items.append(
                DueItem(
                    due,
                    _severity(due, "", today),
                    kind,
                    pupil.id,
                    pupil.display_name,
                    pupil.upn,
                    text,
                )
            )

    held = [r for r in plan.reviews if r.meeting_on <= today]
    booked = [r for r in plan.reviews if r.meeting_on > today]
    due, meeting_by = plan.next_review_due, plan.next_meeting_by
    if due is not None and meeting_by is not None:
        last = (
            f"the last review on {_d(held[-1].meeting_on)}"
            if held
            else (f"the plan issued on {_d(plan.issued_on)}")
        )
        if booked and booked[0].meeting_on <= meeting_by:
            meeting = booked[0]
            if meeting.invitations_sent_on is None:
                add(
                    meeting.invitations_by,
                    KIND_REVIEW,
                    f"Annual review meeting on {_d(meeting.meeting_on)}: invitations and "
                    f"advice out by {_d(meeting.invitations_by)} (2 weeks before)",
                )
        else:
            # CFA s44(1): within the 12 months starting with the plan or last review; the
            # LA decides within 4 weeks of the meeting (reg 20), inside those 12 months.
            text = (
                f"EHC plan annual review: hold the meeting by {_d(meeting_by)}, so the LA "
                f"can decide by {_d(due)} (within 12 months of {last})"
            )
            if booked:
                text += f"; the meeting booked for {_d(booked[0].meeting_on)} is too late"
            add(meeting_by, KIND_REVIEW, text)
    transfer = plan.transfer_deadline
    # Only a recorded transfer (reg 18), and only ahead: nothing records it as done.
    if plan.ceased_on is None and transfer is not None and transfer >= today:
        to = plan.transfer_destination or "the new school or college"
        rule = transfer_source(plan.transfer_kind)
        moves = f" before the move on {_d(plan.transfer_on)}" if plan.transfer_on else ""
        add(
            transfer,
            KIND_PHASE_TRANSFER,
            f"Phase transfer: the plan must be reviewed and amended to name {to} by "
            f"{_d(transfer)}{moves} ({rule})",
        )
    if held:
        review = held[-1]
        if review.report_sent_on is None:
            add(
                review.report_due,
                KIND_REVIEW_PAPERWORK,
                f"Annual review report to the LA due {_d(review.report_due)} "
                f"(2 weeks after the meeting on {_d(review.meeting_on)})",
            )
        if not review.la_decision:
            add(
                review.la_decision_due,
                KIND_REVIEW_DECISION,
                f"LA's decision after the annual review due {_d(review.la_decision_due)} "
                f"(4 weeks after the meeting on {_d(review.meeting_on)}): keep, amend or cease",
            )
        due_amended = review.amended_plan_due
        if (
            due_amended is not None
            and review.amended_plan_on is None
            and review.amendments_proposed_on is not None
        ):
            text = (
                f"Final amended EHC plan due {_d(due_amended)} (8 weeks after the amendments "
                f"proposed on {_d(review.amendments_proposed_on)}, reg 22)"
            )
            add(
                due_amended,
                KIND_AMENDED_PLAN,
                text + (": the LA is late" if due_amended < today else ""),
            )
    return items


def ehc_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: each open request's next statutory milestone (late health and
    social care advice among them), and each live plan's annual review, review paperwork,
    the LA's decision after a review, the amended plan after proposed amendments and an
    approaching deadline for a recorded phase transfer (reg 18). A request still being
    prepared has no clock, so nothing is due for it.

    Pupils who have left the school are skipped.
    """
    return ehc_request_items(session, today, horizon_days) + ehc_plan_items(
        session, today, horizon_days
    )


def _present_pupils(session: Session, pupil_ids: set[int], today: date) -> dict[int, Pupil]:
    if not pupil_ids:
        return {}
    return {
        p.id: p
        for p in session.scalars(select(Pupil).where(Pupil.id.in_(pupil_ids)))
        if p.leaving_date is None or p.leaving_date >= today
    }


def ehc_request_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """The open requests' next statutory milestones: the SENCo's only (requests and where
    a case stands; on a PostgreSQL server nobody else may even read the rows)."""
    horizon = today + timedelta(days=horizon_days)
    requests = list(
        session.scalars(
            select(EhcRequest).where(
                EhcRequest.closed_on.is_(None), EhcRequest.final_issued_on.is_(None)
            )
        )
    )
    pupils = _present_pupils(session, {r.pupil_id for r in requests}, today)
    exceptions = _exceptions_by_request(session, [r.id for r in requests])
    items: list[DueItem] = []
    for request in requests:
        pupil = pupils.get(request.pupil_id)
        if pupil is None:
            continue
        item = _request_due_item(
            # An exception shows by its kind, never its reason.
            _request_item(request, exceptions[request.id], today, confidential=False),
            pupil,
            today,
            horizon,
        )
        if item is not None:
            items.append(item)
    return items


def ehc_plan_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """The live plans' annual reviews and what follows them (see :func:`ehc_items`): staff
    who work with the pupil see these too."""
    horizon = today + timedelta(days=horizon_days)
    plans = list(session.scalars(select(EhcPlan).where(EhcPlan.ceased_on.is_(None))))
    pupils = _present_pupils(session, {p.pupil_id for p in plans}, today)
    reviews: dict[int, list[AnnualReview]] = defaultdict(list)
    if plans:
        for review in session.scalars(
            select(AnnualReview).where(AnnualReview.plan_id.in_([p.id for p in plans]))
        ):
            reviews[review.plan_id].append(review)
    items: list[DueItem] = []
    for plan in plans:
        pupil = pupils.get(plan.pupil_id)
        if pupil is not None:
            items += _plan_due_items(
                _plan_item(plan, reviews[plan.id], today), pupil, today, horizon
            )
    return items


def pupils_with_plans(session: Session) -> set[int]:
    """Ids of pupils with a live EHC plan recorded here: their annual review comes from the
    plan's dates (:func:`ehc_items`), so the register's own review item leaves them out."""
    return set(session.scalars(select(EhcPlan.pupil_id).where(EhcPlan.ceased_on.is_(None))))


__all__ = [
    "CASE_FIELDS",
    "CONFLICT",
    "KIND_AMENDED_PLAN",
    "KIND_PHASE_TRANSFER",
    "KIND_REQUEST",
    "KIND_REVIEW",
    "KIND_REVIEW_DECISION",
    "KIND_REVIEW_PAPERWORK",
    "RECOMMENDATIONS",
    "REQUESTERS",
    "REQUEST_STAGES",
    "SIGNED_BY_MAX",
    "SIGNED_ROLE_MAX",
    "STEPS",
    "STEP_DATES",
    "VALUE_STEPS",
    "ExceptionItem",
    "LaProfileData",
    "LaProfileItem",
    "PlanData",
    "PlanItem",
    "RequestData",
    "RequestItem",
    "ReviewData",
    "ReviewItem",
    "add_exception",
    "add_plan",
    "available_steps",
    "case_problems",
    "cease_plan",
    "clear_step",
    "ehc_items",
    "get_request",
    "la_rules",
    "la_rules_in",
    "list_la_profiles",
    "list_plans",
    "list_requests",
    "open_request",
    "pupils_with_plans",
    "record_plan",
    "record_review",
    "record_step",
    "reinstate_plan",
    "remove_exception",
    "remove_la_profile",
    "remove_review",
    "rules_of",
    "save_la_profile",
    "update_plan",
    "update_request",
    "update_review",
]
