"""A pupil leaving: where they go, and their SEN file sent on within 15 school days.

Why: when a pupil leaves for another school, the old school must send the Common Transfer
File and the pupil's educational record within 15 school days (Education (Pupil
Information) (England) Regulations 2005, reg 9; ctf.md §1). The SENCo records the leaving
date and the destination (its name and DfE number, which names the CTF file); "what's due"
then says when the SEN file must go, until :func:`sendesk.services.transfer.ctf_export` (or the
SENCo) records it sent.

School days: SENDesk knows no term dates, so it counts weekdays and says so — the SENCo
takes off any holiday. The clock is counted from the leaving date (the law's is the day the
pupil registers at the new school, which the old school rarely knows; leaving is the
earlier, safer date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import Pupil, RegisterEntry
from sendesk.rules import dfe_number
from sendesk.rules.census import ON_REGISTER
from sendesk.services.actor import Actor
from sendesk.services.common import data_of, pupil_or_gone, refuse
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

SEN_FILE_SCHOOL_DAYS = 15
SEN_FILE_KIND = "SEN file"
DESTINATION_MAX = 200
SHOWN_AFTER_LEAVING_DAYS = 365


def add_school_days(start: date, days: int) -> date:
    """``days`` weekdays after ``start`` (holidays not known: see the module docstring)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def record_leaving(
    db: Database,
    actor: Actor,
    pupil_id: int,
    on: date,
    destination_school: str,
    destination_dfe: str = "",
) -> None:
    """The SENCo records that a pupil leaves on ``on`` for ``destination_school`` (with its
    DfE number "LLL/EEEE" when known). One transaction, audited."""
    permit(actor, Action.TRANSFER_RECORDS)
    problems: list[str] = []
    name = " ".join(destination_school.split())
    if len(name) > DESTINATION_MAX:
        problems.append(f"the destination school's name is longer than {DESTINATION_MAX}")
    number: str | None = None
    if destination_dfe.strip():
        try:
            number = dfe_number.normalise(destination_dfe)
        except ValueError as exc:
            problems.append(f"the destination's {exc}")
    if on > date.today() + timedelta(days=366):
        problems.append("the leaving date is more than a year away")
    refuse(problems)
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        if pupil.admission_date is not None and on < pupil.admission_date:
            raise ValidationError(
                f"The leaving date {on:%d/%m/%Y} is before the pupil joined "
                f"({pupil.admission_date:%d/%m/%Y})."
            )
        pupil.leaving_date = on
        pupil.destination_school = name or None
        pupil.destination_dfe = number
        AuditWriter(s, actor).record(
            "leaving",
            "pupil",
            pupil.id,
            {"on": on, "destination": name, "destination_dfe": number},
        )


@dataclass(frozen=True)
class LeaverStatus:
    """Where a pupil is going and where their SEN file stands, as the pupil window shows it.

    ``sen_file_due`` is None when no SEN file is due: the pupil is not leaving, or was
    never on the register (K or E) here or before."""

    pupil_id: int
    upn: str
    leaving_date: date | None
    destination_school: str | None
    destination_dfe: str | None
    sen_file_sent_on: date | None
    has_sen_history: bool
    sen_file_due: date | None

    @property
    def leaving(self) -> bool:
        return self.leaving_date is not None

    def sentence(self) -> str:
        """One line for the pupil window: the destination, and the SEN file's state."""
        if self.leaving_date is None:
            return "Not recorded as leaving."
        where = self.destination_school or "a school not yet recorded"
        if self.destination_dfe:
            where += f" (DfE {self.destination_dfe})"
        text = f"Leaving on {self.leaving_date:%d/%m/%Y} for {where}. "
        if self.sen_file_sent_on is not None:
            return text + f"SEN file sent on {self.sen_file_sent_on:%d/%m/%Y}."
        if self.sen_file_due is None:
            return text + "No SEN history here or before: no SEN file is due."
        return text + (
            f"SEN file not sent yet: due by {self.sen_file_due:%d/%m/%Y} "
            f"({SEN_FILE_SCHOOL_DAYS} school days, weekdays counted)."
        )


def leaver_status(db: Database, actor: Actor, pupil_id: int) -> LeaverStatus:
    """The pupil's leaving details and SEN-file state (the SENCo's, as recording them is)."""
    permit(actor, Action.TRANSFER_RECORDS)
    with db.session() as s:
        pupil = pupil_or_gone(s, pupil_id)
        with_sen = (
            s.scalar(
                select(RegisterEntry.id)
                .where(
                    RegisterEntry.pupil_id == pupil_id,
                    RegisterEntry.provision.in_(ON_REGISTER),
                    RegisterEntry.voided_at.is_(None),
                )
                .limit(1)
            )
            is not None
        )
        due = (
            add_school_days(pupil.leaving_date, SEN_FILE_SCHOOL_DAYS)
            if pupil.leaving_date is not None and with_sen
            else None
        )
        return data_of(
            pupil, LeaverStatus, pupil_id=pupil.id, has_sen_history=with_sen, sen_file_due=due
        )


def mark_sen_file_sent(session: Session, pupil_ids: list[int], on: date) -> None:
    """Within the caller's transaction: the SEN file of these pupils went on ``on``."""
    for pupil in session.scalars(select(Pupil).where(Pupil.id.in_(pupil_ids))):
        if pupil.leaving_date is not None and pupil.sen_file_sent_on is None:
            pupil.sen_file_sent_on = on


def sen_file_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: each leaver with SEN history (K or E at any time) whose SEN file
    has not been recorded as sent, due 15 school days after leaving. The SENCo's."""
    from sendesk.services.due import DueItem

    leavers = {
        p.id: p
        for p in session.scalars(
            select(Pupil).where(
                Pupil.leaving_date.is_not(None),
                Pupil.sen_file_sent_on.is_(None),
                Pupil.leaving_date >= today - timedelta(days=SHOWN_AFTER_LEAVING_DAYS),
            )
        )
    }
    if not leavers:
        return []
    with_sen = set(
        session.scalars(
            select(RegisterEntry.pupil_id).where(
                RegisterEntry.pupil_id.in_(leavers),
                RegisterEntry.provision.in_(ON_REGISTER),
                RegisterEntry.voided_at.is_(None),
            )
        )
    )
    horizon = today + timedelta(days=horizon_days)
    items: list[DueItem] = []
    for pid in sorted(with_sen):
        pupil = leavers[pid]
        assert pupil.leaving_date is not None
        due = add_school_days(pupil.leaving_date, SEN_FILE_SCHOOL_DAYS)
        if due > horizon:
            continue
        where = pupil.destination_school or "their new school"
        items.append(
            DueItem.for_pupil(
                pupil,
                due,
                today,
                SEN_FILE_KIND,
                f"Left {pupil.leaving_date:%d/%m/%Y} for {where}: send the SEN file and CTF "
                f"within 15 school days (weekdays counted; take off any holiday)",
            )
        )
    return items


__all__ = [
    "SEN_FILE_KIND",
    "LeaverStatus",
    "add_school_days",
    "leaver_status",
    "mark_sen_file_sent",
    "record_leaving",
    "sen_file_items",
]
