"""Review meetings with parents: booked, invited to, held and recorded (issue 15).

Why a service of its own: the graduated response is reviewed *with* parents (Code of
Practice 6.65: at least three times a year) and an EHC plan's annual review is a meeting
with a statutory notice (reg 20: invitations at least 2 weeks before). The SENCo books a
meeting for a pupil — a support-plan review (linked to the plan it reviews) or an EHC
annual review (linked to the live EHC plan) — with its date, time, place and invitees;
writes the invitation letter (:mod:`sendesk.operations.meeting_letter`, which records the
date the invitations went out through :func:`mark_invitations_sent`); and afterwards
records who came and what each one said (:func:`record_attendance`). The notice is
checked on booking, on moving the date and on sending: a broken notice is a warning
sentence (:func:`sendesk.rules.meetings.notice_warning`), not a refusal — the meeting may
still have to go ahead — and "what's due" asks for the invitations by their date.

The SENCo manages meetings; the staff who work with the pupil may read them. Every change
is one transaction with its audit event, at the version the user opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import (
    AnnualReview,
    Contact,
    EhcPlan,
    MeetingPerson,
    Pupil,
    ReviewMeeting,
    School,
    SupportPlan,
)
from sendesk.rules import meetings as rules
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    checked_text,
    data_of,
    flush_or_conflict,
    get_or_gone,
    pupil_or_gone,
    refuse,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.school.school_details import read_school_details
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

CONFLICT = "Someone else changed this meeting since you opened it; reopen it to see their changes."
GONE = "That meeting has been removed since you opened it."
KIND_INVITATIONS = "meeting invitations"
KIND_RECORD = "meeting record"
RECORD_WITHIN_DAYS = 7
"""How soon after a meeting "what's due" asks for who came and what they said."""


@dataclass(frozen=True)
class PersonItem:
    """Someone invited to a meeting or at it."""

    id: int
    name: str
    role: str
    parent: bool
    invited: bool
    attended: bool | None
    contribution: str


@dataclass(frozen=True)
class MeetingItem:
    """A meeting as the pupil's record lists it."""

    id: int
    pupil_id: int
    kind: str
    support_plan_id: int | None
    ehc_plan_id: int | None
    meeting_on: date
    starts_at: time
    place: str
    purpose: str
    views_by: date | None
    invitations_sent_on: date | None
    held_on: date | None
    notes: str
    people: tuple[PersonItem, ...]
    version: int

    @property
    def kind_words(self) -> str:
        return rules.KINDS.get(self.kind, self.kind)

    @property
    def time_text(self) -> str:
        """ "3:30pm": how a letter to parents says a time."""
        return time_words(self.starts_at)

    @property
    def invitations_by(self) -> date | None:
        """The last day to send the invitations (an annual review only: reg 20)."""
        return rules.invitations_by(self.meeting_on) if self.kind == rules.KIND_ANNUAL else None

    def notice_warning(self, today: date) -> str | None:
        return rules.notice_warning(self.kind, self.meeting_on, self.invitations_sent_on, today)

    @property
    def invitees(self) -> tuple[PersonItem, ...]:
        return tuple(p for p in self.people if p.invited)

    @property
    def status_words(self) -> str:
        if self.held_on is not None:
            came = sum(1 for p in self.people if p.attended)
            return f"Held: {came} came"
        if self.invitations_sent_on is not None:
            return f"Invitations sent {self.invitations_sent_on:%d/%m/%Y}"
        return "Booked: invitations not sent"


@dataclass(frozen=True)
class Scheduled:
    """What booking or moving a meeting returns: its id, version, and the notice warning
    (None when the notice is kept)."""

    meeting_id: int
    version: int
    warning: str | None


def time_words(at: time) -> str:
    """ "9am", "3:30pm": a time as a letter to a family says it."""
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    if at.hour == 12 and at.minute == 0:
        return "12 noon"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def _item(m: ReviewMeeting) -> MeetingItem:
    return data_of(
        m,
        MeetingItem,
        people=tuple(
            PersonItem(p.id, p.name, p.role, p.parent, p.invited, p.attended, p.contribution)
            for p in m.people
        ),
    )


def _linked_plan(s: Session, pupil_id: int, kind: str) -> tuple[int | None, int | None]:
    """The review the meeting is for: the pupil's latest support plan, or their live EHC
    plan; a sentence naming what is missing when there is none."""
    support = kind == rules.KIND_PLAN
    if support:
        latest = (
            select(SupportPlan.id)
            .where(SupportPlan.pupil_id == pupil_id)
            .order_by(SupportPlan.start_date.desc(), SupportPlan.id.desc())
        )
        missing = (
            "This pupil has no support plan to review yet; write their first plan, "
            "then book its review meeting."
        )
    else:
        latest = (
            select(EhcPlan.id)
            .where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
            .order_by(EhcPlan.issued_on.desc(), EhcPlan.id.desc())
        )
        missing = (
            "This pupil has no live EHC plan recorded, so there is no annual review to book; "
            "record the plan on the EHC plan tab first."
        )
    plan_id = s.scalar(latest.limit(1))
    if plan_id is None:
        raise ValidationError(missing)
    return (plan_id, None) if support else (None, plan_id)


def _clean(draft: rules.MeetingDraft, first_name: str) -> rules.MeetingDraft:
    purpose = draft.purpose.strip() or rules.PURPOSES.get(draft.kind, "").format(first=first_name)
    return rules.MeetingDraft(
        kind=draft.kind,
        meeting_on=draft.meeting_on,
        starts_at=draft.starts_at.replace(second=0, microsecond=0),
        place=draft.place.strip(),
        invitees=tuple(
            rules.InviteeDraft(p.name.strip(), p.role.strip(), p.parent) for p in draft.invitees
        ),
        purpose=purpose,
        views_by=draft.views_by or rules.default_views_by(draft.meeting_on),
    )


def _first_name(pupil: Pupil) -> str:
    return pupil.preferred_forename or pupil.legal_forename


def schedule_meeting(
    db: Database,
    actor: Actor,
    pupil_id: int,
    draft: rules.MeetingDraft,
    *,
    today: date | None = None,
) -> Scheduled:
    """Book a review meeting for a pupil; returns its id, version and any notice warning."""
    permit(actor, Action.MANAGE_MEETINGS)
    today = today or date.today()
    refuse(rules.draft_problems(draft, today))
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        permit_pupil(s, actor, Action.MANAGE_MEETINGS, pupil_id)
        plan_id, ehc_id = _linked_plan(s, pupil_id, draft.kind)
        clean = _clean(draft, _first_name(pupil))
        meeting = ReviewMeeting(
            pupil_id=pupil_id,
            kind=clean.kind,
            support_plan_id=plan_id,
            ehc_plan_id=ehc_id,
            meeting_on=clean.meeting_on,
            starts_at=clean.starts_at,
            place=clean.place,
            purpose=clean.purpose,
            views_by=clean.views_by,
            notes="",
            created_by_id=actor.user_id or None,
            people=[
                MeetingPerson(position=i, name=p.name, role=p.role, parent=p.parent, invited=True)
                for i, p in enumerate(clean.invitees)
            ],
        )
        add_audited(
            s,
            AuditWriter(s, actor),
            meeting,
            "review_meeting",
            {
                "pupil_id": pupil_id,
                "kind": clean.kind,
                "meeting_on": clean.meeting_on,
                "invitees": len(clean.invitees),
            },
        )
        warning = rules.notice_warning(clean.kind, clean.meeting_on, None, today)
        return Scheduled(meeting.id, meeting.version, warning)


def _open(s: Session, actor: Actor, action: Action, meeting_id: int) -> ReviewMeeting:
    meeting = get_or_gone(s, ReviewMeeting, meeting_id, GONE)
    permit_pupil(s, actor, action, meeting.pupil_id)
    return meeting


def move_meeting(
    db: Database,
    actor: Actor,
    meeting_id: int,
    version: int,
    draft: rules.MeetingDraft,
    *,
    today: date | None = None,
) -> Scheduled:
    """Change a booked meeting (date, time, place, invitees, what it is for). Once the
    invitations have gone, a new day, time or place means a new letter: the invitations
    are marked as not sent, and the notice is checked from today again. A meeting whose
    attendance is recorded keeps its people: correct them with :func:`record_attendance`."""
    permit(actor, Action.MANAGE_MEETINGS)
    today = today or date.today()
    refuse(rules.draft_problems(draft, today))
    with db.transaction() as s:
        meeting = _open(s, actor, Action.MANAGE_MEETINGS, meeting_id)
        check_version(meeting.version, version, CONFLICT)
        if draft.kind != meeting.kind:
            raise ValidationError(
                "A booked meeting keeps its kind; book a new meeting for the other review."
            )
        pupil = pupil_or_gone(s, meeting.pupil_id)
        clean = _clean(draft, _first_name(pupil))
        moved_from = meeting.meeting_on
        # a letter already sent names the old day, time or place: the family needs a new
        # one, so the invitations are to send again (and "what's due" says so)
        resend = meeting.invitations_sent_on is not None and (
            (meeting.meeting_on, meeting.starts_at, meeting.place)
            != (clean.meeting_on, clean.starts_at, clean.place)
        )
        if resend:
            meeting.invitations_sent_on = None
        meeting.meeting_on = clean.meeting_on
        meeting.starts_at = clean.starts_at
        meeting.place = clean.place
        meeting.purpose = clean.purpose
        meeting.views_by = clean.views_by
        if meeting.held_on is None:
            meeting.people.clear()
            s.flush()
            meeting.people.extend(
                MeetingPerson(position=i, name=p.name, role=p.role, parent=p.parent, invited=True)
                for i, p in enumerate(clean.invitees)
            )
        _save_change(
            s,
            actor,
            meeting,
            meeting_on=clean.meeting_on,
            was=moved_from,
            invitations_to_send_again=resend,
        )
        warning = rules.notice_warning(
            meeting.kind, meeting.meeting_on, meeting.invitations_sent_on, today
        )
        return Scheduled(meeting.id, meeting.version, warning)


def _save_change(session: Session, actor: Actor, meeting: ReviewMeeting, **details: object) -> None:
    """Write a change to a booked meeting (a conflict if someone saved it first) and audit
    it with what changed: moving it, sending its invitations and recording it alike."""
    flush_or_conflict(session, CONFLICT)
    AuditWriter(session, actor).record(
        "update", "review_meeting", meeting.id, {"pupil_id": meeting.pupil_id, **details}
    )


def mark_invitations_sent(
    session: Session, actor: Actor, meeting_id: int, version: int, sent_on: date, today: date
) -> tuple[int, str | None]:
    """Record, inside the caller's transaction, the day the invitations went out (the
    letter's date); returns the new version and the notice warning, if the notice is
    broken. The invitation letter's operation calls it with the letter's export."""
    permit(actor, Action.MANAGE_MEETINGS)
    meeting = _open(session, actor, Action.MANAGE_MEETINGS, meeting_id)
    check_version(meeting.version, version, CONFLICT)
    if sent_on > today:
        raise ValidationError(f"The invitation date ({sent_on:%d/%m/%Y}) is in the future.")
    if sent_on > meeting.meeting_on:
        raise ValidationError(
            f"The invitation date ({sent_on:%d/%m/%Y}) is after the meeting "
            f"({meeting.meeting_on:%d/%m/%Y})."
        )
    if meeting.held_on is not None:
        raise ValidationError("This meeting has been held; its invitations cannot change now.")
    meeting.invitations_sent_on = sent_on
    _save_change(session, actor, meeting, invitations_sent_on=sent_on)
    warning = rules.notice_warning(meeting.kind, meeting.meeting_on, sent_on, today)
    return meeting.version, warning


def record_attendance(
    db: Database,
    actor: Actor,
    meeting_id: int,
    version: int,
    people: tuple[rules.AttendeeDraft, ...],
    notes: str = "",
    *,
    held_on: date | None = None,
    today: date | None = None,
) -> int:
    """Record who came and what each one said (and what was agreed, ``notes``), with the
    review; may be corrected later. Everyone invited keeps their row (``person_id``), ticked
    as came or not; people who came uninvited are added. Returns the new version."""
    permit(actor, Action.MANAGE_MEETINGS)
    today = today or date.today()
    problems: list[str] = []
    notes = checked_text(notes, rules.TEXT_MAX, "the notes are", problems, lines=True)
    refuse(problems)
    with db.transaction() as s:
        meeting = _open(s, actor, Action.MANAGE_MEETINGS, meeting_id)
        check_version(meeting.version, version, CONFLICT)
        held = held_on or meeting.meeting_on
        refuse(rules.attendance_problems(people, meeting.meeting_on, held, today))
        rows = {p.id: p for p in meeting.people}
        given = {p.person_id for p in people if p.person_id is not None}
        unknown = given - set(rows)
        if unknown:
            raise ValidationError(
                "Someone on this list is no longer invited to the meeting; reopen it."
            )
        missing = [r.name for r in meeting.people if r.invited and r.id not in given]
        if missing:
            raise ValidationError(
                f"Say whether {', '.join(missing)} came (everyone invited is on the list)."
            )
        for row in [r for r in meeting.people if not r.invited and r.id not in given]:
            meeting.people.remove(row)  # an uninvited attendee taken off the list
        position = max((r.position for r in meeting.people), default=-1) + 1
        for person in people:
            if person.person_id is None:
                meeting.people.append(
                    MeetingPerson(
                        position=position,
                        name=person.name.strip(),
                        role=person.role.strip(),
                        parent=person.parent,
                        invited=False,
                        attended=person.attended,
                        contribution=person.contribution.strip(),
                    )
                )
                position += 1
                continue
            row = rows[person.person_id]
            row.attended = person.attended
            row.contribution = person.contribution.strip()
            if not row.invited:
                row.name, row.role, row.parent = (
                    person.name.strip(),
                    person.role.strip(),
                    person.parent,
                )
        meeting.held_on = held
        meeting.notes = notes
        _save_change(s, actor, meeting, held_on=held, attended=sum(1 for p in people if p.attended))
        return meeting.version


def _query(pupil_id: int) -> Select[tuple[ReviewMeeting]]:
    return (
        select(ReviewMeeting)
        .where(ReviewMeeting.pupil_id == pupil_id)
        .options(selectinload(ReviewMeeting.people))
        .order_by(ReviewMeeting.meeting_on.desc(), ReviewMeeting.id.desc())
    )


def list_meetings(db: Database, actor: Actor, pupil_id: int) -> list[MeetingItem]:
    """A pupil's meetings, the latest first, each with its people."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_MEETINGS, pupil_id)
        return [_item(m) for m in s.scalars(_query(pupil_id))]


def get_meeting(db: Database, actor: Actor, meeting_id: int) -> MeetingItem:
    with db.session() as s:
        meeting = _open(s, actor, Action.VIEW_MEETINGS, meeting_id)
        return _item(meeting)


def next_meeting(session: Session, pupil_id: int, today: date) -> MeetingItem | None:
    """The pupil's next meeting not yet held, on or after ``today`` (for readers that have
    checked permission: the parents' summary)."""
    meeting = session.scalars(
        select(ReviewMeeting)
        .where(
            ReviewMeeting.pupil_id == pupil_id,
            ReviewMeeting.meeting_on >= today,
            ReviewMeeting.held_on.is_(None),
        )
        .options(selectinload(ReviewMeeting.people))
        .order_by(ReviewMeeting.meeting_on, ReviewMeeting.starts_at, ReviewMeeting.id)
        .limit(1)
    ).first()
    return _item(meeting) if meeting is not None else None


def parent_days(session: Session, pupil_ids: set[int], since: date) -> dict[int, list[date]]:
    """Pupil id → the days of meetings held since ``since`` that a parent or carer came to
    (the support rhythm's count of meetings with parents)."""
    days: dict[int, list[date]] = {}
    rows = session.execute(
        select(ReviewMeeting.pupil_id, ReviewMeeting.held_on)
        .join(MeetingPerson, MeetingPerson.meeting_id == ReviewMeeting.id)
        .where(
            ReviewMeeting.pupil_id.in_(pupil_ids),
            ReviewMeeting.held_on > since,
            MeetingPerson.parent.is_(True),
            MeetingPerson.attended.is_(True),
        )
        .distinct()
    )
    for pid, held in rows:
        days.setdefault(pid, []).append(held)
    return days


# --- the invitation letter's facts ------------------------------------------------------


@dataclass(frozen=True)
class LetterData:
    """Everything the invitation letter says, as plain data."""

    meeting: MeetingItem
    pupil_name: str
    pupil_first_name: str
    upn: str
    parents: tuple[str, ...]  # whom the letter is to (the invited parents and carers)
    school_name: str
    contact_name: str
    contact_phone: str
    contact_email: str
    letter_on: date


def letter_data(
    db: Database, actor: Actor, meeting_id: int, *, letter_on: date | None = None
) -> LetterData:
    """The facts of a meeting's invitation letter, dated ``letter_on`` (today)."""
    permit(actor, Action.MANAGE_MEETINGS)
    with db.session() as s:
        meeting = _open(s, actor, Action.MANAGE_MEETINGS, meeting_id)
        item = _item(meeting)
        pupil = pupil_or_gone(s, meeting.pupil_id)
        parents = tuple(p.name for p in item.invitees if p.parent)
        if not parents:  # an older booking: the contacts with parental responsibility
            parents = tuple(
                s.scalars(
                    select(Contact.name)
                    .where(Contact.pupil_id == pupil.id, Contact.parental_responsibility)
                    .order_by(Contact.priority, Contact.id)
                )
            )
        details = read_school_details(s)
        school = s.scalar(select(School.name).order_by(School.id)) or ""
        return LetterData(
            meeting=item,
            pupil_name=pupil.display_name,
            pupil_first_name=_first_name(pupil),
            upn=pupil.upn,
            parents=parents,
            school_name=school,
            contact_name=details.senco_name,
            contact_phone=details.senco_phone,
            contact_email=details.senco_email,
            letter_on=letter_on or date.today(),
        )


# --- what's due ----------------------------------------------------------------------------


def meeting_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: an annual review meeting's invitations to send (by 2 weeks
    before: reg 20), and a meeting held whose attendance is not yet recorded."""
    from sendesk.services.due import DueItem, with_pupils_here

    horizon = today + timedelta(days=horizon_days)
    meetings = session.scalars(
        select(ReviewMeeting).where(
            ReviewMeeting.held_on.is_(None),
            ReviewMeeting.meeting_on >= today - timedelta(days=365),
        )
    ).all()
    if not meetings:
        return []
    # An annual review booked on the EHC plan tab for the same day says its own
    # invitations (sendesk.services.ehc.casework): one line, not two.
    booked = {
        (plan_id, on)
        for plan_id, on in session.execute(
            select(AnnualReview.plan_id, AnnualReview.meeting_on).where(
                AnnualReview.invitations_sent_on.is_(None)
            )
        )
    }
    items: list[DueItem] = []
    for m, pupil in with_pupils_here(session, meetings, today):
        words = rules.KINDS.get(m.kind, m.kind)
        if m.meeting_on >= today:
            if (
                m.kind != rules.KIND_ANNUAL
                or m.invitations_sent_on is not None
                or (m.ehc_plan_id, m.meeting_on) in booked
            ):
                continue
            due, kind = rules.invitations_by(m.meeting_on), KIND_INVITATIONS
            text = (
                f"{words} meeting on {m.meeting_on:%d/%m/%Y}: send the invitations by "
                f"{due:%d/%m/%Y} (at least 2 weeks before, reg 20)"
            )
        else:
            due, kind = m.meeting_on + timedelta(days=RECORD_WITHIN_DAYS), KIND_RECORD
            text = f"{words} meeting on {m.meeting_on:%d/%m/%Y}: record who came and what they said"
        if due > horizon:
            continue
        items.append(DueItem.for_pupil(pupil, due, today, kind, text))
    return items


__all__ = [
    "CONFLICT",
    "KIND_INVITATIONS",
    "KIND_RECORD",
    "LetterData",
    "MeetingItem",
    "PersonItem",
    "Scheduled",
    "get_meeting",
    "letter_data",
    "list_meetings",
    "mark_invitations_sent",
    "meeting_items",
    "move_meeting",
    "next_meeting",
    "parent_days",
    "record_attendance",
    "schedule_meeting",
    "time_words",
]
