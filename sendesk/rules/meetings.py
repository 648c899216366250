"""Review meetings: their kinds, what a booking must say, and the annual review's notice.

Why pure rules: the schedule dialog warns as the user picks a date, before anything is
saved, and the service checks the same words when it saves; neither should hold its own
copy of "two weeks". The statute: invitations to an EHC plan's annual review meeting (and
the advice gathered for it) go out at least two weeks before the meeting (SEND Regulations
2014, reg 20(3)–(4)). A support-plan review has no statutory notice; a week is courteous,
and nothing warns about it.

Pure: no database, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

KIND_PLAN = "support plan"
KIND_ANNUAL = "annual review"
KINDS: dict[str, str] = {
    KIND_PLAN: "Support-plan review",
    KIND_ANNUAL: "EHC plan annual review",
}
"""The kinds of meeting and how a list names them."""

NOTICE_DAYS = 14
"""Reg 20(3)–(4): an annual review's invitations go out at least 2 weeks before."""
VIEWS_DAYS_BEFORE = 5
"""The default "send us your views by": five days before the meeting, so the SENCo can
share them with everyone invited."""
AHEAD_DAYS = 400
"""A meeting further ahead than this is a typing slip (a year and a little)."""
NAME_MAX, ROLE_MAX, PLACE_MAX, TEXT_MAX = 120, 80, 200, 4000

PURPOSES: dict[str, str] = {
    KIND_PLAN: (
        "to look together at how {first} is getting on with the targets in their support "
        "plan, what has helped, and what we will do next"
    ),
    KIND_ANNUAL: (
        "to review {first}'s education, health and care (EHC) plan together: how {first} "
        "is getting on, whether the outcomes and support in the plan are still right, and "
        "what we will tell the local authority"
    ),
}
"""What the meeting is for, in plain words, as the letter says it ("The meeting is …")."""

ROLE_SUGGESTIONS = (
    "Parent",
    "Carer",
    "Class teacher",
    "Form tutor",
    "Teaching assistant",
    "SENCo",
    "Educational psychologist (EP)",
    "Speech and language therapist",
    "Local authority caseworker",
    "Pupil",
)
"""The roles offered in the schedule dialog (the user may type any other)."""


@dataclass(frozen=True)
class InviteeDraft:
    """Someone to invite: their name, their role or relationship to the pupil, and
    whether they are a parent or carer (the letter is addressed to them)."""

    name: str
    role: str
    parent: bool = False


@dataclass(frozen=True)
class MeetingDraft:
    """A meeting as the SENCo books it."""

    kind: str
    meeting_on: date
    starts_at: time
    place: str
    invitees: tuple[InviteeDraft, ...]
    purpose: str = ""  # empty: the plain words of PURPOSES
    views_by: date | None = None  # empty: VIEWS_DAYS_BEFORE before the meeting


@dataclass(frozen=True)
class AttendeeDraft:
    """Someone at (or invited to) the meeting as recorded afterwards: ``person_id`` is
    the invitee's row (None: someone who came without an invitation)."""

    name: str
    role: str
    attended: bool
    contribution: str = ""
    parent: bool = False
    person_id: int | None = None


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def long_date(day: date, *, weekday: bool = True) -> str:
    """ "Tuesday 8 December 2026": a date as a letter to a family writes it (no leading
    zero, on every platform: strftime's "%-d" is not Windows')."""
    text = f"{day.day} {day:%B %Y}"
    return f"{day:%A} {text}" if weekday else text


def invitations_by(meeting_on: date) -> date:
    """The last day an annual review's invitations may go out (reg 20)."""
    return meeting_on - timedelta(days=NOTICE_DAYS)


def default_views_by(meeting_on: date) -> date:
    return meeting_on - timedelta(days=VIEWS_DAYS_BEFORE)


def draft_problems(draft: MeetingDraft, today: date) -> list[str]:
    """What is wrong with a booking, as clauses naming the field (none: it may be saved)."""
    problems: list[str] = []
    if draft.kind not in KINDS:
        problems.append("the kind of meeting must be a support-plan review or an annual review")
    if draft.meeting_on > today + timedelta(days=AHEAD_DAYS):
        problems.append(f"the meeting date ({_d(draft.meeting_on)}) is more than a year ahead")
    place = draft.place.strip()
    if not place:
        problems.append("say where the meeting is (the place)")
    elif len(place) > PLACE_MAX:
        problems.append(f"the place is longer than {PLACE_MAX} characters")
    if len(draft.purpose.strip()) > TEXT_MAX:
        problems.append(f"what the meeting is for is longer than {TEXT_MAX:,} characters")
    if draft.views_by is not None and draft.views_by > draft.meeting_on:
        problems.append(
            f"the date for views ({_d(draft.views_by)}) is after the meeting "
            f"({_d(draft.meeting_on)})"
        )
    if not draft.invitees:
        problems.append("invite at least one person")
    for number, person in enumerate(draft.invitees, start=1):
        problems += _person_problems(f"invitee {number}", person.name, person.role)
    if draft.invitees and not any(p.parent for p in draft.invitees):
        problems.append("invite at least one parent or carer (the letter is written to them)")
    return problems


def _person_problems(label: str, name: str, role: str) -> list[str]:
    problems = []
    if not name.strip():
        problems.append(f"{label} has no name")
    elif len(name.strip()) > NAME_MAX:
        problems.append(f"{label}'s name is longer than {NAME_MAX} characters")
    if not role.strip():
        problems.append(f"say {label}'s role or relationship to the pupil")
    elif len(role.strip()) > ROLE_MAX:
        problems.append(f"{label}'s role is longer than {ROLE_MAX} characters")
    return problems


def attendance_problems(
    people: tuple[AttendeeDraft, ...], meeting_on: date, held_on: date, today: date
) -> list[str]:
    """What is wrong with a record of who came (none: it may be saved)."""
    problems: list[str] = []
    if held_on > today:
        problems.append(
            f"record who came once the meeting has happened (it is on {_d(meeting_on)})"
        )
    elif held_on < meeting_on - timedelta(days=AHEAD_DAYS):
        problems.append(f"the date held ({_d(held_on)}) is long before the meeting")
    for number, person in enumerate(people, start=1):
        problems += _person_problems(f"person {number}", person.name, person.role)
        if len(person.contribution.strip()) > TEXT_MAX:
            problems.append(f"what person {number} said is longer than {TEXT_MAX:,} characters")
        if person.contribution.strip() and not person.attended:
            problems.append(
                f"person {number} ({person.name.strip()}) did not come: tick that they came, "
                "or put their written views in the notes"
            )
    if not any(p.attended for p in people):
        problems.append("tick at least one person who came")
    return problems


def notice_warning(kind: str, meeting_on: date, sent_on: date | None, today: date) -> str | None:
    """The sentence when an annual review's 2-week notice is broken, or will be unless the
    invitations go today: by the invitation date recorded, or (none yet) by today's date.
    None when the notice is kept, or for a meeting with no statutory notice."""
    if kind != KIND_ANNUAL:
        return None
    by = invitations_by(meeting_on)
    if sent_on is not None:
        if sent_on <= by:
            return None
        days = (meeting_on - sent_on).days
        return (
            f"The invitations went out on {_d(sent_on)}, only {days} day{'s' * (days != 1)} "
            f"before the annual review meeting on {_d(meeting_on)}: the law asks for at least "
            f"2 weeks' notice (reg 20), so they were due by {_d(by)}. Consider moving the "
            f"meeting to {_d(sent_on + timedelta(days=NOTICE_DAYS))} or later."
        )
    if today <= by:
        return None
    days = (meeting_on - today).days
    when = (
        f"only {days} day{'s' * (days != 1)} away"
        if days >= 0
        else f"{-days} day{'s' * (days != -1)} ago"
    )
    return (
        f"The annual review meeting on {_d(meeting_on)} is {when}: invitations must go out "
        f"at least 2 weeks before (reg 20), by {_d(by)}. Choose "
        f"{_d(today + timedelta(days=NOTICE_DAYS))} or later."
    )


__all__ = [
    "KINDS",
    "KIND_ANNUAL",
    "KIND_PLAN",
    "NOTICE_DAYS",
    "PURPOSES",
    "ROLE_SUGGESTIONS",
    "AttendeeDraft",
    "InviteeDraft",
    "MeetingDraft",
    "attendance_problems",
    "default_views_by",
    "draft_problems",
    "invitations_by",
    "long_date",
    "notice_warning",
]
