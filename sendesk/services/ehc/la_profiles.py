"""LA profiles: each local authority's panel rules (:class:`rules.readiness.LaRules`).

Why: a school near a border works with several LAs, and their forms and limits differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import LaProfile
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER, LaRules, la_rules_problems
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    data_of,
    get_or_gone,
    refuse,
    remove_audited,
    save_changes,
)
from sendesk.services.ehc.records import NAME_MAX, PROFILE_CONFLICT, one_line
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


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
        return data_of(self, LaProfileData)


def _money(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100


def rules_of(data: LaProfileData) -> LaRules:
    """The readiness rules ``data`` stands for (pence become pounds; no order: the default)."""
    return LaRules(
        name=one_line(data.name),
        reviewed_cycles=data.reviewed_cycles,
        report_max_age_months=data.report_max_age_months,
        notional_threshold=_money(data.notional_threshold_pence) or Decimal(0),
        staff_rate_per_hour=_money(data.staff_rate_per_hour_pence),
        weeks_per_year=data.weeks_per_year,
        section_order=tuple(data.section_order) or DEFAULT_SECTION_ORDER,
    )


def _profile_item(row: LaProfile) -> LaProfileItem:
    order = tuple(k for k in (row.section_order or "").split(",") if k)
    return data_of(row, LaProfileItem, section_order=order or DEFAULT_SECTION_ORDER)


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
    wanted = one_line(name).casefold()
    for row in session.scalars(select(LaProfile).order_by(LaProfile.id)):
        if one_line(row.name).casefold() == wanted:
            return row
    return None


def la_rules_in(session: Session, la_name: str) -> LaRules:
    """:func:`la_rules` inside a session the caller holds (the pack service's)."""
    row = _profile_named(session, la_name)
    if row is None:
        return LaRules(name=one_line(la_name))
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
            return add_audited(
                s, audit, LaProfile(**values), "la_profile", {"name": values["name"]}
            )
        row = get_or_gone(
            s, LaProfile, profile_id, "That LA profile has been removed since you opened it."
        )
        check_version(row.version, version, PROFILE_CONFLICT)
        save_changes(
            s, audit, row, values, PROFILE_CONFLICT, "la_profile", {"name": values["name"]}
        )
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
        remove_audited(
            s, AuditWriter(s, actor), row, PROFILE_CONFLICT, "la_profile", {"name": row.name}
        )
