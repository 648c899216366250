"""The SEND register: reading it, and changing a pupil's SEN status or needs with history.

A change never overwrites: the open register entry (and the open needs) are closed on the
date of the change and new ones opened, each with who recorded it and why. Census rules
(reference/census.md) are checked on every change, whatever its source — the GUI, the MIS
import or the demo generator all come through :func:`apply_change`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import Need, Pupil, RegisterEntry, Role
from sendesk.rules.census import Provision, area_of, census_problems
from sendesk.services.actor import Actor
from sendesk.services.audit import AuditWriter

NAMED_READERS = (Role.SENCO, Role.LEARNING_SUPPORT, Role.TEACHER)
ON_REGISTER = (Provision.K.value, Provision.E.value)


@dataclass(frozen=True)
class RegisterRow:
    """One pupil's line on the register, as plain data for exports and the GUI."""

    pupil_id: int
    upn: str
    legal_surname: str
    legal_forename: str
    preferred_forename: str | None
    dob: date
    gender: str | None
    year_group: int | None
    reg_group: str | None
    provision: str
    needs: tuple[str, ...]
    on_register_since: date | None
    preferred_surname: str | None = None
    ehcp_since: date | None = None
    next_review_due: date | None = None

    @property
    def display_name(self) -> str:
        """Preferred names where recorded: what staff call the pupil."""
        forename = self.preferred_forename or self.legal_forename
        return f"{forename} {self.preferred_surname or self.legal_surname}"

    @property
    def primary_need(self) -> str | None:
        return self.needs[0] if self.needs else None

    @property
    def secondary_need(self) -> str | None:
        return self.needs[1] if len(self.needs) > 1 else None

    @property
    def primary_area(self) -> str | None:
        if not self.needs:
            return None
        area = area_of(self.needs[0])
        return area.value if area else None


@dataclass
class CurrentStatus:
    """A pupil's open register entry and open needs, loaded for a change."""

    entry: RegisterEntry | None
    needs: list[Need]

    @property
    def provision(self) -> str | None:
        return self.entry.provision if self.entry else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in sorted(self.needs, key=lambda n: n.rank))


def check_census(provision: str, needs: Sequence[str], *, where: str = "") -> None:
    """Raise one ValidationError naming every census rule the combination breaks."""
    problems = census_problems(provision, list(needs))
    if problems:
        prefix = f"{where}: " if where else ""
        raise ValidationError(prefix + "; ".join(problems) + ".")


def load_current(
    session: Session, pupil_ids: Sequence[int] | None = None
) -> dict[int, CurrentStatus]:
    """Open entries and needs for the given pupils (all pupils when None): two queries."""
    entries = select(RegisterEntry).where(RegisterEntry.end_date.is_(None))
    needs = select(Need).where(Need.end_date.is_(None))
    if pupil_ids is not None:
        entries = entries.where(RegisterEntry.pupil_id.in_(pupil_ids))
        needs = needs.where(Need.pupil_id.in_(pupil_ids))
    current: dict[int, CurrentStatus] = defaultdict(lambda: CurrentStatus(None, []))
    for entry in session.scalars(entries):
        current[entry.pupil_id].entry = entry
    for need in session.scalars(needs):
        current[need.pupil_id].needs.append(need)
    return dict(current)


def apply_change(
    session: Session,
    audit: AuditWriter,
    pupil_id: int,
    current: CurrentStatus,
    provision: str,
    needs: Sequence[str],
    on: date,
    reason: str,
) -> bool:
    """Move a pupil to ``provision`` with ranked ``needs`` from date ``on``; keep history.

    Returns False (and writes nothing) when nothing changes, so importing the same file
    twice is a no-op. The caller has already checked census rules and permission.
    """
    old_provision, old_needs = current.provision, current.codes
    new_needs = tuple(needs)
    if old_provision == provision and old_needs == new_needs:
        return False
    if current.entry is not None and on < current.entry.start_date:
        raise ValidationError(
            f"The change date {on:%d/%m/%Y} is before the current status began "
            f"({current.entry.start_date:%d/%m/%Y})."
        )
    user_id = audit.actor.user_id
    if old_provision != provision:
        if current.entry is not None:
            current.entry.end_date = on
        current.entry = RegisterEntry(
            pupil_id=pupil_id,
            provision=provision,
            start_date=on,
            reason=reason,
            recorded_by_id=user_id,
        )
        session.add(current.entry)
    if old_needs != new_needs:
        for need in current.needs:
            need.end_date = on
        current.needs = [
            Need(pupil_id=pupil_id, code=code, rank=rank, start_date=on, recorded_by_id=user_id)
            for rank, code in enumerate(new_needs, start=1)
        ]
        session.add_all(current.needs)
    audit.record(
        "register_change",
        "pupil",
        pupil_id,
        {
            "from": {"provision": old_provision, "needs": list(old_needs)},
            "to": {"provision": provision, "needs": list(new_needs)},
            "on": on,
            "reason": reason,
        },
    )
    return True


def change_status(
    db: Database,
    actor: Actor,
    pupil_id: int,
    provision: Provision | str,
    needs: Sequence[str],
    on: date,
    reason: str,
) -> None:
    """The SENCo changes a pupil's SEN status and/or needs, with the date and the reason."""
    actor.require(Role.SENCO, doing="change the SEND register")
    provision = Provision(provision).value
    if not reason.strip():
        raise ValidationError("Give a reason for the change to the register.")
    check_census(provision, needs)
    with db.transaction() as s:
        if s.get(Pupil, pupil_id) is None:
            raise NotFoundError("That pupil is not in this database.")
        current = load_current(s, [pupil_id]).get(pupil_id, CurrentStatus(None, []))
        apply_change(
            s, AuditWriter(s, actor), pupil_id, current, provision, needs, on, reason.strip()
        )


def _register_since(entries: Sequence[Any]) -> date | None:
    """Start of the unbroken run of K/E periods that ends with the current one."""
    since: date | None = None
    for entry in sorted(entries, key=lambda e: (e.start_date, e.id)):
        if entry.provision in ON_REGISTER:
            since = since or entry.start_date
        else:
            since = None
    return since


def register_rows(db: Database, actor: Actor, *, include_all: bool = False) -> list[RegisterRow]:
    """The register (K and E pupils), or every pupil with ``include_all``.

    Three queries whatever the number of pupils: pupils with their open entry, open needs,
    and register history (for the date each pupil joined the register).
    """
    actor.require(*NAMED_READERS, doing="see named pupil records")
    # Plain column rows, not ORM objects: the register is read whole at every start-up.
    with db.session() as s:
        stmt = (
            select(
                Pupil.id,
                Pupil.upn,
                Pupil.legal_surname,
                Pupil.legal_forename,
                Pupil.preferred_forename,
                Pupil.preferred_surname,
                Pupil.dob,
                Pupil.gender,
                Pupil.year_group,
                Pupil.reg_group,
                Pupil.next_review_due,
                RegisterEntry.provision,
            )
            .join(
                RegisterEntry,
                (RegisterEntry.pupil_id == Pupil.id) & RegisterEntry.end_date.is_(None),
                isouter=True,
            )
            .order_by(Pupil.year_group, Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
        )
        if not include_all:
            stmt = stmt.where(RegisterEntry.provision.in_(ON_REGISTER))
        pupils = s.execute(stmt).all()
        needs: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pid, rank, code in s.execute(
            select(Need.pupil_id, Need.rank, Need.code).where(Need.end_date.is_(None))
        ):
            needs[pid].append((rank, code))
        history: dict[int, list[Any]] = defaultdict(list)
        ehcp_since: dict[int, date] = {}
        for entry in s.execute(
            select(
                RegisterEntry.id,
                RegisterEntry.pupil_id,
                RegisterEntry.provision,
                RegisterEntry.start_date,
                RegisterEntry.end_date,
            )
        ):
            history[entry.pupil_id].append(entry)
            if entry.end_date is None and entry.provision == Provision.E.value:
                ehcp_since[entry.pupil_id] = entry.start_date
    rows = []
    for p in pupils:
        prov = p.provision or Provision.N.value
        rows.append(
            RegisterRow(
                pupil_id=p.id,
                upn=p.upn,
                legal_surname=p.legal_surname,
                legal_forename=p.legal_forename,
                preferred_forename=p.preferred_forename,
                dob=p.dob,
                gender=p.gender,
                year_group=p.year_group,
                reg_group=p.reg_group,
                provision=prov,
                needs=tuple(code for _, code in sorted(needs.get(p.id, []))),
                on_register_since=_register_since(history.get(p.id, []))
                if prov in ON_REGISTER
                else None,
                preferred_surname=p.preferred_surname,
                ehcp_since=ehcp_since.get(p.id),
                next_review_due=p.next_review_due,
            )
        )
    return rows
