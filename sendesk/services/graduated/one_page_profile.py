"""The one-page profile a pupil helps write, in their own words (issue 15).

Why apart from the passport: the passport (:mod:`sendesk.services.graduated.passport`) is
written by staff from the record, for staff. A one-page profile is person-centred planning
(Code of Practice 6.2, 9.22): the pupil says, with an adult's help, "what people like and
admire about me", "what is important to me" and "how best to support me". Each part is
marked whether the words are the pupil's own, so the page can show them as the pupil's
("in my own words", in quotation marks) and never pass off an adult's summary as the
child's voice. It is kept beside the passport: the same readers (the staff who work with
the pupil), the same audited export.

One profile per pupil, rewritten as the pupil grows (``written_on`` says when it was last
written with them). The SENCo writes it; every save is audited at the version opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError
from sendesk.models import PupilProfile, School
from sendesk.rules.years import year_label
from sendesk.services.actor import Actor
from sendesk.services.common import (
    check_version,
    flush_or_conflict,
    permitted_pupil,
    pupil_or_gone,
    refuse,
)
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.store.audit import AuditWriter

CONFLICT = (
    "Someone else changed this one-page profile since you opened it; reopen it to see their "
    "changes."
)
TEXT_MAX = 2000
HEADINGS: dict[str, str] = {
    "admired": "What people like and admire about me",
    "important": "What is important to me",
    "support": "How best to support me",
}
"""The three parts, in the order the page shows them."""


@dataclass(frozen=True)
class ProfileDraft:
    """The profile as written with the pupil; ``*_own``: the words are the pupil's own."""

    admired: str
    important: str
    support: str
    written_on: date
    admired_own: bool = False
    important_own: bool = False
    support_own: bool = False


@dataclass(frozen=True)
class ProfilePart:
    heading: str
    text: str
    own_words: bool


@dataclass(frozen=True)
class ProfileData:
    """Everything the one-page profile shows (``version`` None: none written yet)."""

    pupil_id: int
    name: str
    upn: str
    year_text: str
    school_name: str
    parts: tuple[ProfilePart, ...]
    written_on: date | None
    produced_on: date
    version: int | None

    def draft(self) -> ProfileDraft:
        """The profile as the editor starts from it."""
        by = {k: p for k, p in zip(HEADINGS, self.parts, strict=True)}
        return ProfileDraft(
            admired=by["admired"].text,
            important=by["important"].text,
            support=by["support"].text,
            written_on=self.written_on or self.produced_on,
            admired_own=by["admired"].own_words,
            important_own=by["important"].own_words,
            support_own=by["support"].own_words,
        )


def _year_text(year: int | None) -> str:
    if year == 0:
        return "Reception"
    label = year_label(year)
    if not label:
        return ""
    return f"Year {label}" if label[0].isdigit() else f"Nursery ({label})"


def profile_data(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> ProfileData:
    """The pupil's one-page profile (empty parts when none is written yet)."""
    permit(actor, Action.VIEW_PASSPORT)
    today = today or date.today()
    with db.session() as s:
        pupil = permitted_pupil(s, actor, Action.VIEW_PASSPORT, pupil_id)
        row = s.scalar(select(PupilProfile).where(PupilProfile.pupil_id == pupil_id))
        parts = tuple(
            ProfilePart(
                heading,
                getattr(row, key) if row else "",
                bool(getattr(row, f"{key}_own")) if row else False,
            )
            for key, heading in HEADINGS.items()
        )
        return ProfileData(
            pupil_id=pupil_id,
            name=pupil.display_name,
            upn=pupil.upn,
            year_text=_year_text(pupil.year_group),
            school_name=s.scalar(select(School.name).order_by(School.id)) or "",
            parts=parts,
            written_on=row.written_on if row else None,
            produced_on=today,
            version=row.version if row else None,
        )


def save_profile(
    db: Database,
    actor: Actor,
    pupil_id: int,
    version: int | None,
    draft: ProfileDraft,
    *,
    today: date | None = None,
) -> int:
    """Write (``version`` None: the first time) or rewrite the pupil's one-page profile;
    returns its new version."""
    permit(actor, Action.WRITE_PROFILES)
    today = today or date.today()
    texts = {k: getattr(draft, k).strip() for k in HEADINGS}
    problems = [
        f'"{HEADINGS[k].lower()}" is longer than {TEXT_MAX:,} characters'
        for k, t in texts.items()
        if len(t) > TEXT_MAX
    ]
    if not any(texts.values()):
        problems.append("write at least one part of the profile with the pupil")
    if draft.written_on > today:
        problems.append(f"the date written ({draft.written_on:%d/%m/%Y}) is in the future")
    refuse(problems)
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        permit_pupil(s, actor, Action.WRITE_PROFILES, pupil_id)
        row = s.scalar(select(PupilProfile).where(PupilProfile.pupil_id == pupil_id))
        if row is None:
            if version is not None:
                raise NotFoundError("That one-page profile has been removed since you opened it.")
            row = PupilProfile(pupil_id=pupil_id)
            s.add(row)
            action = "create"
        else:
            if version is None:
                raise ConflictError(CONFLICT)
            check_version(row.version, version, CONFLICT)
            action = "update"
        for key, text in texts.items():
            setattr(row, key, text)
            setattr(row, f"{key}_own", bool(getattr(draft, f"{key}_own")) and bool(text))
        row.written_on = draft.written_on
        row.updated_by_id = actor.user_id or None
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            action,
            "pupil_profile",
            row.id,
            {
                "pupil_id": pupil_id,
                "own_words": [k for k in HEADINGS if getattr(row, f"{k}_own")],
            },
        )
        return row.version


__all__ = [
    "HEADINGS",
    "ProfileData",
    "ProfileDraft",
    "ProfilePart",
    "profile_data",
    "save_profile",
]
