"""Setting interventions up: the school's catalogue of interventions and the groups that
run them (who leads, which weekdays, which term).

Why the SENCo's: what is on offer and who runs it is a whole-school decision; a group's
leader then logs its sessions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import Enrolment, Intervention, InterventionGroup, Role, User
from sendesk.rules import progress as rules
from sendesk.rules.dates import dmy
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    data_of,
    flush_or_conflict,
    get_or_gone,
    refuse,
)
from sendesk.services.graduated.intervention_records import (
    CONFLICT,
    GROUP_LEADERS,
    MAX_COST_PENCE,
    MAX_GROUP_SIZE,
    MAX_MINUTES,
    MAX_SESSIONS_PER_WEEK,
    NAME_MAX,
    SHORT_MAX,
    GroupData,
    GroupItem,
    InterventionData,
    InterventionItem,
    check_whole,
    clean_text,
    parse_weekdays,
    weekdays_column,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.register.pupil_record import AREAS
from sendesk.services.staff.users import active_staff
from sendesk.services.store.audit import AuditWriter

# --- the catalogue -------------------------------------------------------------------------


def _clean_intervention(data: InterventionData) -> InterventionData:
    problems: list[str] = []
    name = clean_text(data.name, "name", NAME_MAX, problems, required=True)
    area = clean_text(data.area, "area of need", SHORT_MAX, problems, required=True)
    if area and area not in AREAS:
        problems.append(f"'{area}' is not an area of need: use one of {', '.join(AREAS)}")
    staff_role = clean_text(data.staff_role, "staff role", SHORT_MAX, problems, required=True)
    measure = clean_text(data.measure, "measure", SHORT_MAX, problems, required=True)
    if data.measure_kind not in rules.MEASURE_KINDS:
        problems.append(
            f"'{data.measure_kind}' is not a kind of measure: use one of "
            + ", ".join(rules.MEASURE_KINDS)
        )
    check_whole(data.group_size, "group size", 1, MAX_GROUP_SIZE, problems)
    check_whole(data.sessions_per_week, "sessions per week", 1, MAX_SESSIONS_PER_WEEK, problems)
    check_whole(data.minutes_per_session, "minutes per session", 1, MAX_MINUTES, problems)
    check_whole(data.cost_per_hour_pence, "cost per hour (pence)", 0, MAX_COST_PENCE, problems)
    refuse(problems)
    return data_of(
        data,
        InterventionData,
        name=name,
        area=area,
        staff_role=staff_role,
        measure=measure,
        description=(data.description or "").strip(),
        active=bool(data.active),
    )


def _intervention_item(row: Intervention) -> InterventionItem:
    return data_of(row, InterventionItem)  # every field is a column of the same name


_INTERVENTION_FIELDS = tuple(InterventionData.__dataclass_fields__)


def list_interventions(
    db: Database, actor: Actor, *, include_inactive: bool = True
) -> list[InterventionItem]:
    """The catalogue, by name. It names no pupil, so every signed-in role may read it."""
    with db.session() as s:
        stmt = select(Intervention).order_by(Intervention.name, Intervention.id)
        if not include_inactive:
            stmt = stmt.where(Intervention.active.is_(True))
        return [_intervention_item(row) for row in s.scalars(stmt)]


def _name_taken(s: Session, name: str, other_than: int | None = None) -> bool:
    stmt = select(Intervention.id).where(func.lower(Intervention.name) == name.lower())
    if other_than is not None:
        stmt = stmt.where(Intervention.id != other_than)
    return s.scalar(stmt) is not None


def add_intervention(db: Database, actor: Actor, data: InterventionData) -> int:
    """The SENCo adds a programme to the catalogue; returns its id."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    clean = _clean_intervention(data)
    with db.transaction() as s:
        if _name_taken(s, clean.name):
            raise ValidationError(
                f"The catalogue already has an intervention called '{clean.name}'."
            )
        columns = {f: getattr(clean, f) for f in _INTERVENTION_FIELDS}
        row = Intervention(**columns)
        return add_audited(s, AuditWriter(s, actor), row, "intervention", columns, action="add")


def update_intervention(
    db: Database, actor: Actor, intervention_id: int, version: int, data: InterventionData
) -> int:
    """The SENCo edits a catalogue entry (retire one with ``active=False``); returns the new
    version. ``version`` is the one the SENCo opened: a later save by someone else wins
    and this one is refused with a ConflictError."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    clean = _clean_intervention(data)
    with db.transaction() as s:
        row = get_or_gone(
            s,
            Intervention,
            intervention_id,
            "That intervention is not in the catalogue.",
            NotFoundError,
        )
        check_version(row.version, version, CONFLICT, optional=True)
        if _name_taken(s, clean.name, intervention_id):
            raise ValidationError(
                f"The catalogue already has an intervention called '{clean.name}'."
            )
        changed = {
            f: {"from": getattr(row, f), "to": getattr(clean, f)}
            for f in _INTERVENTION_FIELDS
            if getattr(row, f) != getattr(clean, f)
        }
        if not changed:
            return row.version
        for f in changed:
            setattr(row, f, getattr(clean, f))
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record("update", "intervention", row.id, changed)
        return row.version


# --- groups -----------------------------------------------------------------------------------


def clean_group(s: Session, data: GroupData) -> GroupData:
    problems: list[str] = []
    name = clean_text(data.name, "group name", NAME_MAX, problems, required=True)
    days = tuple(sorted(set(data.weekdays)))
    if not days:
        problems.append("choose at least one day of the week the group meets")
    elif any(not 0 <= d <= 6 for d in days):
        problems.append("days of the week go from 0 (Monday) to 6 (Sunday)")
    if data.end_date is not None and data.end_date < data.start_date:
        problems.append(
            f"the end date {dmy(data.end_date)} is before the start date {dmy(data.start_date)}"
        )
    if s.get(Intervention, data.intervention_id) is None:
        problems.append("that intervention is not in the catalogue")
    if data.staff_id is not None:
        staff = s.get(User, data.staff_id)
        if staff is None or not staff.active:
            problems.append("the member of staff leading the group has no active account")
        elif staff.role not in {r.value for r in GROUP_LEADERS}:
            problems.append("read-only accounts cannot lead a group")
    refuse(problems)
    return GroupData(
        data.intervention_id, name, data.staff_id, days, data.start_date, data.end_date
    )


def group_columns(data: GroupData) -> dict[str, Any]:
    return {
        "intervention_id": data.intervention_id,
        "name": data.name,
        "staff_id": data.staff_id,
        "weekdays": weekdays_column(data.weekdays),
        "start_date": data.start_date,
        "end_date": data.end_date,
    }


def add_group(db: Database, actor: Actor, data: GroupData) -> int:
    """The SENCo starts a group of an intervention; returns its id."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.transaction() as s:
        clean = clean_group(s, data)
        columns = group_columns(clean)
        row = InterventionGroup(**columns)
        return add_audited(
            s, AuditWriter(s, actor), row, "intervention_group", columns, action="add"
        )


def update_group(db: Database, actor: Actor, group_id: int, data: GroupData) -> None:
    """The SENCo changes a group (leader, days, dates)."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.transaction() as s:
        row = get_or_gone(
            s, InterventionGroup, group_id, "That intervention group does not exist.", NotFoundError
        )
        clean = clean_group(s, data)
        new = group_columns(clean)
        changed = {
            k: {"from": getattr(row, k), "to": v} for k, v in new.items() if getattr(row, k) != v
        }
        if not changed:
            return
        for k in changed:
            setattr(row, k, new[k])
        AuditWriter(s, actor).record("update", "intervention_group", row.id, changed)


def list_groups(
    db: Database, actor: Actor, *, intervention_id: int | None = None
) -> list[GroupItem]:
    """Groups, newest first: all of them for the SENCo, the ones they lead for other staff."""
    permit(actor, Action.VIEW_INTERVENTIONS)
    with db.session() as s:
        enrolled = (
            select(Enrolment.group_id, func.count().label("n"))
            .where(Enrolment.end_date.is_(None))
            .group_by(Enrolment.group_id)
            .subquery()
        )
        stmt = (
            select(InterventionGroup, Intervention.name, User.display_name, enrolled.c.n)
            .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
            .join(User, User.id == InterventionGroup.staff_id, isouter=True)
            .join(enrolled, enrolled.c.group_id == InterventionGroup.id, isouter=True)
            .order_by(InterventionGroup.start_date.desc(), InterventionGroup.name)
        )
        if intervention_id is not None:
            stmt = stmt.where(InterventionGroup.intervention_id == intervention_id)
        if actor.role != Role.SENCO:
            stmt = stmt.where(InterventionGroup.staff_id == actor.user_id)
        return [
            data_of(
                g,
                GroupItem,
                weekdays=parse_weekdays(g.weekdays),
                intervention_name=iname,
                staff_name=staff,
                enrolled=n or 0,
            )
            for g, iname, staff, n in s.execute(stmt)
        ]


def group_leaders(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """(user id, name) of the active staff who may lead a group, by name, for the SENCo's
    choice."""
    permit(actor, Action.MANAGE_INTERVENTIONS)
    with db.session() as s:
        return active_staff(s, GROUP_LEADERS)
