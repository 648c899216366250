"""What the EHC screens send and get back, and the words and limits every part of EHC
casework shares.

Why one module: requests, plans, reviews, LA profiles and what's due all read the same
items (a plan carries its reviews; what's due reads requests and plans), so the dataclasses
and the sentences they are checked with live once, below every use case.

An item (:class:`RequestItem`, :class:`PlanItem`, :class:`ReviewItem`) is its data class
(what the SENCo types) extended with its id, version and what is worked out from it: a
subclass rather than a second list of the same fields, so the editor's ``data()`` copy and
the item cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sendesk.rules import timeline
from sendesk.rules.dates import dmy
from sendesk.rules.timeline import (
    EXCEPTION_KINDS,
    TRANSFER_KINDS,
    Milestone,
)
from sendesk.services.common import checked_text, data_of

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


# --- what the readers return --------------------------------------------------------------


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


@dataclass(frozen=True, kw_only=True)
class RequestItem(RequestData):
    """One request as the pupil's EHC tab shows it: every column, the milestones computed
    from them, where the case stands and the clock."""

    id: int
    pupil_id: int
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
        return data_of(self, RequestData)


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


@dataclass(frozen=True, kw_only=True)
class ReviewItem(ReviewData):
    """One annual review with its statutory dates and their milestones.

    After an LA decision to amend: ``amendment_response_ends`` is the family's last day to
    answer the proposed amendments (15 days, reg 22(2)(c)) and ``amended_plan_due`` the day
    the final amended plan is due (8 weeks, reg 22(3)); both None until the amendments were
    proposed.
    """

    id: int
    plan_id: int
    version: int
    invitations_by: date
    report_due: date
    la_decision_due: date
    milestones: list[Milestone]
    amendment_response_ends: date | None = None
    amended_plan_due: date | None = None

    def data(self) -> ReviewData:
        return data_of(self, ReviewData)


@dataclass(frozen=True, kw_only=True)
class PlanItem(PlanData):
    """One EHC plan with its reviews (oldest first) and when the next review is due.

    ``next_review_due`` is the last lawful day of the next annual review (the day before
    the anniversary, CFA s44(1)); ``next_meeting_by`` the last day for its meeting, 4 weeks
    earlier so the LA's decision falls inside the 12 months (reg 20; CoP 9.176), and
    ``next_review_status`` is read against the meeting. ``transfer_deadline`` is the reg 18
    date of a recorded phase transfer (None when none is recorded, or the pupil stays on).
    """

    id: int
    pupil_id: int
    ceased_on: date | None
    version: int
    reviews: list[ReviewItem]
    next_review_due: date | None
    next_review_status: str
    next_meeting_by: date | None = None
    transfer_deadline: date | None = None

    @property
    def transfer_label(self) -> str:
        return TRANSFER_KINDS.get(self.transfer_kind, "")

    def data(self) -> PlanData:
        return data_of(self, PlanData)


# --- small helpers ------------------------------------------------------------------------


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def check_dates(**values: object) -> None:
    """Programming errors, not the user's: a date field given something else."""
    for name, value in values.items():
        if value is not None and not _is_date(value):
            raise TypeError(f"{name} must be a date or None")


def check_date_fields(data: object) -> None:
    """:func:`check_dates` for every field an input dataclass declares as a date, so a
    date field added to a form is checked without anyone listing it again."""
    check_dates(
        **{f.name: getattr(data, f.name) for f in fields(data) if str(f.type).startswith("date")}
    )


def one_line(text: str) -> str:
    """``text`` on one line, runs of spaces and line breaks made one space."""
    return " ".join(text.split())


def clean_texts(data: object, labels: dict[str, str], problems: list[str]) -> dict[str, str]:
    """The free-text fields named by ``labels`` (field → words), stripped; each one over
    :data:`TEXT_MAX` adds a problem naming it. Requests, plans and reviews check their
    texts the same way, so the limit and its sentence live here once."""
    return {
        k: checked_text(str(getattr(data, k)), TEXT_MAX, f"{label} is", problems, lines=True)
        for k, label in labels.items()
    }


def future_problems(today: date, dates: dict[str, date | None]) -> list[str]:
    """One problem for each date (label → date) after ``today``: "the {label} (…) is in
    the future"."""
    return [
        f"the {label} ({dmy(value)}) is in the future"
        for label, value in dates.items()
        if value is not None and value > today
    ]


def clean_la_name(raw: str, problems: list[str]) -> str:
    """The local authority's name on one line; missing or too long adds a problem."""
    return checked_text(
        raw,
        NAME_MAX,
        "the local authority's name is",
        problems,
        missing="the local authority is missing",
    )


def joined(parts: Any, word: str = "and") -> str:
    """ "a, b and c": ``parts`` in a sentence, joined by ``word`` before the last."""
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def joined_or(parts: Any) -> str:
    """ "a, b or c": :func:`joined` with "or"."""
    return joined(parts, "or")
