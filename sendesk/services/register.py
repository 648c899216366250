"""The SEND register: changing a pupil's SEN status or needs, with history.

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import Need, Pupil, RegisterEntry, Role
from sendesk.rules.census import Provision, census_problems
from sendesk.services.actor import Actor
from sendesk.services.audit import AuditWriter


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
