"""The pupil record: one pupil's details, contacts, needs, need profiles and register history.

Why this module exists: the pupil window shows everything SENDesk knows about one child on
one screen, and must never show a stale or half-saved picture. :func:`get_record` reads it
all in a fixed number of queries (seven, however long the history) and hands back frozen
dataclasses, so the UI holds no Session and no ORM object. The edits made on that screen
(details, contacts, per-area need profiles) come back through the functions below, each
in one transaction with its audit event, each refusing anyone but the SENCo, and each
checking the version the user opened against the stored one so a second saver is told
instead of silently overwriting the first (DESIGN.md, "optimistic locking").

SEN status and needs are changed with :func:`sendesk.services.register.register.change_status`,
never here: that is where the census rules and the dated history are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ConflictError, ValidationError
from sendesk.models import AuditEvent, Contact, Need, NeedProfile, RegisterEntry, Role
from sendesk.rules import nhs
from sendesk.rules.census import NEED_CODES, PROVISION_LABELS, Area, Provision
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    checked_text,
    data_of,
    permitted_pupil,
    pupil_or_gone,
    refuse,
    remove_audited,
    save_changes,
    user_names,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.register.pupils import (
    SCHOOL_DETAILS,
    PupilData,
    pupil_data_of,
    validate_pupil,
)
from sendesk.services.register.register_view import run_start
from sendesk.services.store.audit import AuditWriter

CONFLICT = (
    "Someone else changed this pupil's record since you opened it; reopen it to see their changes."
)

OTHER_AREA = "Other"
"""Need-profile area for codes in no broad area (OTH, DS): the school still describes them."""

AREAS: tuple[str, ...] = (*(a.value for a in Area), OTHER_AREA)
"""Every area a need profile may be kept under, in the Code of Practice order."""

PROFILE_FIELDS: tuple[str, ...] = (
    "preferred_forename",
    "preferred_surname",
    *SCHOOL_DETAILS,
    "next_review_due",
)
"""Pupil fields the SENCo may edit in SENDesk. UPN, legal names and date of birth come from
the MIS and are only changed by a re-import, so the two systems never disagree."""

_TEXT_FIELDS = ("preferred_forename", "preferred_surname", "reg_group", "nhs_number")
_BOOL_FIELDS = ("eal", "pupil_premium", "looked_after")
_DATE_FIELDS = ("admission_date", "leaving_date", "next_review_due")

CONTACT_NAME_MAX = 200
_CONTACT_SHORT = {"relationship_to_pupil": 60, "phone": 40, "preferred_contact": 40}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() \-]+$")
NEED_TEXT_MAX = 20_000  # a page or two per box: enough for a profile, not a dumping ground


# --- what get_record returns ------------------------------------------------------------


@dataclass(frozen=True)
class ContactItem:
    """One contact of the pupil, as shown in the profile tab."""

    id: int
    name: str
    relationship_to_pupil: str | None
    parental_responsibility: bool
    priority: int
    phone: str | None
    email: str | None
    address: str | None
    preferred_contact: str | None
    version: int


@dataclass(frozen=True)
class ContactData:
    """What the SENCo types for a contact (add or update); checked by the service."""

    name: str
    relationship_to_pupil: str | None = None
    parental_responsibility: bool = False
    priority: int = 1
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    preferred_contact: str | None = None


@dataclass(frozen=True)
class NeedItem:
    """One of the pupil's current ranked needs with its DfE description and broad area."""

    rank: int
    code: str
    description: str
    area: str | None


@dataclass(frozen=True)
class NeedProfileItem:
    """What the school has written about the pupil in one area of need."""

    area: str
    strengths: str
    difficulties: str
    strategies: str
    version: int


@dataclass(frozen=True)
class HistoryItem:
    """One change to the register: the SEN status or the ranked needs, from → to.

    ``before`` is empty for the first status a pupil had; needs read "none" when there were
    none. ``recorded_by`` is a display name (a user's name, never an id), so the row reads
    on its own in the UI and in a printed history.
    """

    on: date
    kind: str  # "status" | "needs"
    before: str
    after: str
    reason: str | None
    recorded_by: str
    recorded_at: datetime | None
    # A status item's register entry (the SENCo may void it); None for a needs item.
    entry_id: int | None = None
    # "voided by NAME on DATE: reason" for a voided entry, which only the SENCo sees.
    voided: str | None = None


@dataclass(frozen=True)
class PupilRecord:
    """Everything the pupil window shows, as plain data (no Session, no ORM objects)."""

    pupil_id: int
    upn: str
    legal_surname: str
    legal_forename: str
    preferred_surname: str | None
    preferred_forename: str | None
    dob: date
    gender: str | None
    year_group: int | None
    reg_group: str | None
    admission_date: date | None
    leaving_date: date | None
    eal: bool
    pupil_premium: bool
    looked_after: bool
    nhs_number: str | None
    next_review_due: date | None
    version: int
    provision: str
    provision_since: date | None
    contacts: tuple[ContactItem, ...]
    needs: tuple[NeedItem, ...]
    need_profiles: tuple[NeedProfileItem, ...]
    history: tuple[HistoryItem, ...]
    # Held where the MIS gives them (an LA's request form asks for both); shown, not edited:
    # like the UPN they come from the MIS and change by a re-import.
    home_language: str | None = None
    ethnicity: str | None = None
    # Voided status entries, newest first: shown greyed to the SENCo, never in a pack.
    voided_history: tuple[HistoryItem, ...] = ()

    @property
    def display_name(self) -> str:
        """Preferred names where recorded: what staff call the pupil."""
        forename = self.preferred_forename or self.legal_forename
        return f"{forename} {self.preferred_surname or self.legal_surname}"

    @property
    def need_codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.needs)

    def profile_values(self) -> dict[str, Any]:
        """The editable fields (:data:`PROFILE_FIELDS`) and their stored values."""
        return {name: getattr(self, name) for name in PROFILE_FIELDS}

    def profile_for(self, area: str) -> NeedProfileItem | None:
        return next((p for p in self.need_profiles if p.area == area), None)

    @property
    def areas(self) -> tuple[str, ...]:
        """Areas to describe: those of the current needs plus any already written about."""
        wanted = set(areas_for_codes(self.need_codes)) | {p.area for p in self.need_profiles}
        return tuple(a for a in AREAS if a in wanted) + tuple(sorted(wanted.difference(AREAS)))


def areas_for_codes(codes: Iterable[str]) -> list[str]:
    """The need-profile areas that ranked need codes call for, without repeats.

    OTH and DS sit in no single area but still describe a child, so they get "Other"; NSA
    (no specialist assessment) describes nothing and gets no area.
    """
    found: list[str] = []
    for code in codes:
        need = NEED_CODES.get(code)
        if need is None or code == "NSA":
            continue
        area = need.area.value if need.area else OTHER_AREA
        if area not in found:
            found.append(area)
    return found


def provision_text(code: str | None) -> str:
    """ "SEN support (K)" for a provision code; empty for None (nothing before)."""
    if code is None:
        return ""
    label = PROVISION_LABELS.get(Provision(code)) if code in Provision.__members__ else None
    return f"{label} ({code})" if label else code


def needs_text(codes: Sequence[str]) -> str:
    return ", ".join(codes) if codes else "none"


# --- reading ----------------------------------------------------------------------------


@dataclass
class _NeedSet:
    """Need rows opened together by one change (ranks 1..n, same start and end dates)."""

    start: date
    end: date | None
    codes: dict[int, str]
    recorded_by_id: int | None
    recorded_at: datetime


@dataclass
class _Audited:
    """Who recorded a register change, when and why, read from its audit event.

    One event may explain two history items (a status change that also re-codes needs), so
    each kind keeps its own "already matched" flag.
    """

    seq: int
    to_provision: str | None
    to_needs: tuple[str, ...]
    reason: str | None
    user_id: int | None
    at: datetime
    used: set[str] = dataclasses.field(default_factory=set)


def _need_sets(needs: Sequence[Need]) -> list[_NeedSet]:
    """Group need rows into the sets each change opened.

    A change closes every open need and opens ranks 1..n on one date, so rows of one set
    share start and end dates and are inserted together; a repeated rank starts the next
    set (three changes on one day leave two sets with identical dates).
    """
    sets: list[_NeedSet] = []
    for need in sorted(needs, key=lambda n: (n.start_date, n.id)):
        cur = sets[-1] if sets else None
        if (
            cur is None
            or cur.start != need.start_date
            or cur.end != need.end_date
            or need.rank in cur.codes
        ):
            cur = _NeedSet(
                need.start_date, need.end_date, {}, need.recorded_by_id, need.recorded_at
            )
            sets.append(cur)
        cur.codes[need.rank] = need.code
        cur.recorded_at = min(cur.recorded_at, need.recorded_at)
    return sets


def _audited_changes(events: Sequence[AuditEvent]) -> dict[date, list[_Audited]]:
    """The register-change audit events by date of change, oldest first."""
    by_date: dict[date, list[_Audited]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.id):
        try:
            detail = json.loads(event.detail)
            on = date.fromisoformat(detail["on"])
            to = detail.get("to") or {}
            item = _Audited(
                event.id,
                to.get("provision"),
                tuple(to.get("needs") or ()),
                detail.get("reason"),
                event.user_id,
                event.at,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # not a shape we know: the register rows still tell the story
        by_date[on].append(item)
    return by_date


def _take(
    audited: dict[date, list[_Audited]],
    on: date,
    kind: str,
    *,
    provision: str | None = None,
    needs: tuple[str, ...] | None = None,
) -> _Audited | None:
    """The first audit event of ``on`` not yet matched to a ``kind`` item that moved the
    pupil to ``provision`` (status) or ``needs`` (needs)."""
    for item in audited.get(on, []):
        if kind in item.used:
            continue
        if provision is not None and item.to_provision != provision:
            continue
        if needs is not None and item.to_needs != needs:
            continue
        item.used.add(kind)
        return item
    return None


_STATUS_FIRST = {"status": 1, "needs": 0}  # within one change, newest-first shows status on top


def _history(
    entries: Sequence[RegisterEntry],
    needs: Sequence[Need],
    audited: dict[date, list[_Audited]],
    names: dict[int, str],
) -> list[HistoryItem]:
    """Walk entries and need sets in date order into from → to items, newest first.

    Items are ordered by date of change, then by the audit event that recorded them (so the
    status and needs items of one change stay together, in the order they were made).
    """

    def who(user_id: int | None) -> str:
        return names.get(user_id, "Unknown") if user_id is not None else "Unknown"

    keyed: list[tuple[tuple[date, int, int], HistoryItem]] = []

    def add(item: HistoryItem, seq: int) -> None:
        keyed.append(((item.on, seq, _STATUS_FIRST[item.kind]), item))

    previous: str | None = None
    for entry in sorted(entries, key=lambda e: (e.start_date, e.id)):
        if entry.provision == previous:
            continue  # the same status again once a mistake between was voided: no change
        found = _take(audited, entry.start_date, "status", provision=entry.provision)
        item = HistoryItem(
            on=entry.start_date,
            kind="status",
            before=provision_text(previous),
            after=provision_text(entry.provision),
            reason=entry.reason,
            recorded_by=who(entry.recorded_by_id),
            recorded_at=entry.recorded_at,
            entry_id=entry.id,
        )
        add(item, found.seq if found else 0)
        previous = entry.provision
    status_on = {e.start_date: e for e in entries}

    def needs_change(
        on: date, before: tuple[str, ...], after: tuple[str, ...], opened: _NeedSet | None
    ) -> None:
        found = _take(audited, on, "needs", needs=after)
        entry = status_on.get(on)
        reason: str | None = None
        user_id: int | None = None
        at: datetime | None = None
        if found is not None:
            reason, user_id, at = found.reason, found.user_id, found.at
        elif opened is not None:
            reason = entry.reason if entry is not None else None
            user_id, at = opened.recorded_by_id, opened.recorded_at
        elif entry is not None:  # needs closed by a move to N: that entry says who and why
            reason, user_id, at = entry.reason, entry.recorded_by_id, entry.recorded_at
        item = HistoryItem(
            on, "needs", needs_text(before), needs_text(after), reason, who(user_id), at
        )
        add(item, found.seq if found else 0)

    codes_before: tuple[str, ...] = ()
    open_until: date | None = None
    sets = _need_sets(needs)
    for need_set in sets:
        codes = tuple(need_set.codes[r] for r in sorted(need_set.codes))
        if codes_before and open_until is not None and open_until < need_set.start:
            needs_change(open_until, codes_before, (), None)  # closed, then a time with none
            codes_before = ()
        needs_change(need_set.start, codes_before, codes, need_set)
        codes_before, open_until = codes, need_set.end
    if codes_before and open_until is not None:
        needs_change(open_until, codes_before, (), None)

    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in keyed]


def _voided_history(
    entries: Sequence[RegisterEntry], voided: Sequence[RegisterEntry], names: dict[int, str]
) -> list[HistoryItem]:
    """The voided status entries as history items, newest first, each saying who voided
    it, when and why; "before" is the effective status in force when it was recorded."""

    def who(user_id: int | None) -> str:
        return names.get(user_id, "Unknown") if user_id is not None else "Unknown"

    ordered = sorted(entries, key=lambda e: (e.start_date, e.id))
    items = []
    for entry in sorted(voided, key=lambda e: (e.start_date, e.id), reverse=True):
        earlier = [e for e in ordered if (e.start_date, e.id) < (entry.start_date, entry.id)]
        assert entry.voided_at is not None
        items.append(
            HistoryItem(
                on=entry.start_date,
                kind="status",
                before=provision_text(earlier[-1].provision if earlier else None),
                after=provision_text(entry.provision),
                reason=entry.reason,
                recorded_by=who(entry.recorded_by_id),
                recorded_at=entry.recorded_at,
                entry_id=entry.id,
                voided=f"voided by {who(entry.voided_by_id)} on "
                f"{entry.voided_at:%d/%m/%Y}: {entry.void_reason}",
            )
        )
    return items


def get_record(db: Database, actor: Actor, pupil_id: int) -> PupilRecord:
    """One pupil's record for staff who may see named pupils (not read-only accounts).

    At most seven queries whatever the length of the history: the pupil, contacts, register
    entries, needs, need profiles, the register-change audit events (for the reason of a
    change of needs alone, which no row holds) and the names of the users who recorded them.
    """
    with db.session() as s:
        pupil = permitted_pupil(s, actor, Action.VIEW_RECORD, pupil_id)
        contacts = s.scalars(
            select(Contact)
            .where(Contact.pupil_id == pupil_id)
            .order_by(Contact.priority, Contact.id)
        ).all()
        all_entries = s.scalars(
            select(RegisterEntry).where(RegisterEntry.pupil_id == pupil_id)
        ).all()
        # A voided entry leaves the effective history; so do the needs it opened, closed
        # on their own start date when it was voided (register.void_entry).
        entries = [e for e in all_entries if e.voided_at is None]
        voided = [e for e in all_entries if e.voided_at is not None]
        void_days = {e.start_date for e in voided}
        needs = [
            n
            for n in s.scalars(select(Need).where(Need.pupil_id == pupil_id))
            if not (n.end_date == n.start_date and n.start_date in void_days)
        ]
        profiles = s.scalars(select(NeedProfile).where(NeedProfile.pupil_id == pupil_id)).all()
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "register_change",
                AuditEvent.entity == "pupil",
                AuditEvent.entity_id == pupil_id,
            )
        ).all()
        user_ids = {e.recorded_by_id for e in all_entries} | {n.recorded_by_id for n in needs}
        user_ids |= {e.voided_by_id for e in voided}
        user_ids |= {e.user_id for e in events}
        names = user_names(s, user_ids)
        current = next((e for e in entries if e.end_date is None), None)
        in_force = sorted(entries, key=lambda e: (e.start_date, e.id))
        since = run_start((e.provision, e.start_date) for e in in_force) if current else None
        open_needs = sorted((n for n in needs if n.end_date is None), key=lambda n: n.rank)
        history = _history(entries, needs, _audited_changes(events), names)
        order = {area: i for i, area in enumerate(AREAS)}
        return data_of(
            pupil,
            PupilRecord,
            pupil_id=pupil.id,
            eal=bool(pupil.eal),
            pupil_premium=bool(pupil.pupil_premium),
            looked_after=bool(pupil.looked_after),
            provision=current.provision if current else Provision.N.value,
            provision_since=since,
            contacts=tuple(
                data_of(c, ContactItem, parental_responsibility=bool(c.parental_responsibility))
                for c in contacts
            ),
            needs=tuple(
                NeedItem(
                    rank=n.rank,
                    code=n.code,
                    description=NEED_CODES[n.code].description if n.code in NEED_CODES else "",
                    area=_area_name(n.code),
                )
                for n in open_needs
            ),
            need_profiles=tuple(
                NeedProfileItem(p.area, p.strengths, p.difficulties, p.strategies, p.version)
                for p in sorted(profiles, key=lambda p: (order.get(p.area, len(order)), p.area))
            ),
            history=tuple(history),
            voided_history=tuple(_voided_history(entries, voided, names))
            if actor.role is Role.SENCO
            else (),
        )


def view_record(db: Database, actor: Actor, pupil_id: int) -> PupilRecord:
    """:func:`get_record` for someone opening the pupil's record: the view is audited.

    Why: who looked at a child's record is part of the school's accountability for
    special-category data (UK GDPR Art. 5(2)); a parent's subject access request may ask.
    One "view" event per opening of the record, after it was read (a refused or missing
    record is not a view); re-reading the open record after a save is not a new view, so
    those reads call :func:`get_record`.
    """
    record = get_record(db, actor, pupil_id)
    with db.transaction() as s:
        AuditWriter(s, actor).record("view", "pupil", pupil_id, {})
    return record


def _area_name(code: str) -> str | None:
    need = NEED_CODES.get(code)
    return need.area.value if need is not None and need.area is not None else None


# --- editing the profile ----------------------------------------------------------------


def _clean(name: str, value: Any) -> Any:
    """Normalise one edited value: blank text is "not recorded", types are checked."""
    if name in _TEXT_FIELDS:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be text or None")
        value = (value or "").strip() or None
        if value is not None and name == "nhs_number":
            # A malformed number is left as typed: validate_pupil says why, in the same
            # words as adding or importing a pupil.
            with contextlib.suppress(ValueError):
                value = nhs.normalise(value)
        return value
    if name == "gender":
        if value is not None and not isinstance(value, str):
            raise TypeError("gender must be text or None")
        return (value or "").strip().upper() or None
    if name == "year_group":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError("year_group must be an int or None")
        return value
    if name in _BOOL_FIELDS:
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False")
        return value
    if name in _DATE_FIELDS:
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise TypeError(f"{name} must be a date or None")
        return value
    raise TypeError(f"{name} is not a pupil field that can be edited here")


def update_profile(db: Database, actor: Actor, pupil_id: int, version: int, **changes: Any) -> int:
    """The SENCo edits a pupil's details; returns the record's new version.

    ``version`` is the one the user opened: if anyone saved since, nothing is written and a
    ConflictError says so. Only :data:`PROFILE_FIELDS` may be changed (a TypeError for any
    other name is a programming error, not the user's). Values are checked with the same
    rules and words as adding or importing a pupil. Nothing changed → nothing written.
    """
    permit(actor, Action.EDIT_PUPILS)
    cleaned = {name: _clean(name, value) for name, value in changes.items()}
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        check_version(pupil.version, version, CONFLICT)
        changed = {k: v for k, v in cleaned.items() if getattr(pupil, k) != v}
        if not changed:
            return pupil.version
        pupil_fields = {k: v for k, v in changed.items() if k != "next_review_due"}
        data: PupilData = dataclasses.replace(pupil_data_of(pupil, None), **pupil_fields)
        problems = [p.reason for p in validate_pupil(data) if p.field in PROFILE_FIELDS]
        if why := review_problem(changed.get("next_review_due"), pupil.dob):
            problems.append(why)
        refuse(problems)
        save_changes(s, AuditWriter(s, actor), pupil, changed, CONFLICT, "pupil", {})
        return pupil.version


# --- need profiles ----------------------------------------------------------------------


def clean_need_profile(
    area: str, strengths: str, difficulties: str, strategies: str
) -> dict[str, str]:
    """A need profile's texts ready to store (stripped), or a ValidationError naming what
    is wrong: the area is not one of :data:`AREAS`, or a text is over its limit. The one
    check of a profile, whoever writes it (the SENCo's form, a past register's batch)."""
    if area not in AREAS:
        raise ValidationError(f"'{area}' is not an area of need.")
    texts = {"strengths": strengths, "difficulties": difficulties, "strategies": strategies}
    for label, text in texts.items():
        if len(text) > NEED_TEXT_MAX:
            raise ValidationError(
                f"The {label} for {area} are longer than {NEED_TEXT_MAX:,} characters."
            )
    return {k: v.strip() for k, v in texts.items()}


def review_problem(review: date | None, dob: date) -> str | None:
    """Why a pupil's next review date cannot be kept (before their date of birth); None
    when it can."""
    if review is not None and review < dob:
        return f"next review date {review:%d/%m/%Y} is before the date of birth"
    return None


def save_need_profile(
    db: Database,
    actor: Actor,
    pupil_id: int,
    area: str,
    strengths: str,
    difficulties: str,
    strategies: str,
    version: int | None,
) -> int:
    """The SENCo writes what a pupil's needs in one area mean for them; returns the version.

    ``version`` None means "there was no profile for this area when I opened the record":
    if one exists by now, someone else wrote it and the save is refused rather than
    replacing their words.
    """
    permit(actor, Action.EDIT_PUPILS)
    texts = clean_need_profile(area, strengths, difficulties, strategies)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        row = s.scalar(
            select(NeedProfile).where(NeedProfile.pupil_id == pupil_id, NeedProfile.area == area)
        )
        audit = AuditWriter(s, actor)
        if row is None:
            if version is not None:
                raise ConflictError(CONFLICT)
            row = NeedProfile(pupil_id=pupil_id, area=area, **texts)
            add_audited(s, audit, row, "need_profile", {"pupil_id": pupil_id, "area": area})
            return row.version
        check_version(row.version, version, CONFLICT)
        save_changes(
            s, audit, row, texts, CONFLICT, "need_profile", {"pupil_id": pupil_id, "area": area}
        )
        return row.version


# --- contacts ---------------------------------------------------------------------------


def clean_contact(data: ContactData) -> dict[str, Any]:
    """The contact's values ready to store, or a ValidationError naming what is wrong."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    values["name"] = checked_text(
        data.name,
        CONTACT_NAME_MAX,
        "the contact's name is",
        problems,
        lines=True,
        missing="the contact's name is missing",
    )
    for attr in ("relationship_to_pupil", "phone", "email", "address", "preferred_contact"):
        values[attr] = (getattr(data, attr) or "").strip() or None
    for attr, limit in _CONTACT_SHORT.items():
        if values[attr] and len(values[attr]) > limit:
            problems.append(f"{attr.replace('_', ' ')} is longer than {limit} characters")
    if values["phone"] and not _PHONE.match(values["phone"]):
        problems.append(f"phone number '{values['phone']}' has characters a phone number lacks")
    if values["email"] and (len(values["email"]) > 200 or not _EMAIL.match(values["email"])):
        problems.append(f"'{values['email']}' is not an email address")
    if not 1 <= data.priority <= 99:
        problems.append("contact priority must be between 1 and 99")
    values["priority"] = data.priority
    values["parental_responsibility"] = bool(data.parental_responsibility)
    refuse(problems)
    return values


def _read_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ConflictError(
            "That contact has been removed since you opened the record; reopen it to see "
            "the contacts now."
        )
    return contact


def add_contact(db: Database, actor: Actor, pupil_id: int, data: ContactData) -> int:
    """The SENCo adds a contact for a pupil; returns the new contact's id."""
    permit(actor, Action.EDIT_PUPILS)
    values = clean_contact(data)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        contact = Contact(pupil_id=pupil_id, **values)
        return add_audited(s, AuditWriter(s, actor), contact, "contact", {"pupil_id": pupil_id})


def update_contact(
    db: Database, actor: Actor, contact_id: int, version: int, data: ContactData
) -> int:
    """The SENCo corrects a contact; returns its new version (ConflictError when stale)."""
    permit(actor, Action.EDIT_PUPILS)
    values = clean_contact(data)
    with db.transaction() as s:
        contact = _read_contact(s, contact_id)
        check_version(contact.version, version, CONFLICT)
        save_changes(
            s,
            AuditWriter(s, actor),
            contact,
            values,
            CONFLICT,
            "contact",
            {"pupil_id": contact.pupil_id},
        )
        return contact.version


def remove_contact(db: Database, actor: Actor, contact_id: int, version: int) -> None:
    """The SENCo removes a contact (refused if someone changed it since it was shown)."""
    permit(actor, Action.EDIT_PUPILS)
    with db.transaction() as s:
        contact = _read_contact(s, contact_id)
        check_version(contact.version, version, CONFLICT)
        remove_audited(
            s, AuditWriter(s, actor), contact, CONFLICT, "contact", {"pupil_id": contact.pupil_id}
        )


__all__ = [
    "AREAS",
    "CONFLICT",
    "OTHER_AREA",
    "PROFILE_FIELDS",
    "ContactData",
    "ContactItem",
    "HistoryItem",
    "NeedItem",
    "NeedProfileItem",
    "PupilRecord",
    "add_contact",
    "areas_for_codes",
    "clean_contact",
    "clean_need_profile",
    "get_record",
    "needs_text",
    "provision_text",
    "remove_contact",
    "review_problem",
    "save_need_profile",
    "update_contact",
    "update_profile",
    "view_record",
]
