"""Enrolments and measures: putting a pupil in a group with an entry measure, recording the
exit, adding measurements, and each pupil's progress.

Why entry and exit: the graduated response asks whether an intervention worked, so a pupil's
measure before and after is kept with the enrolment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import Enrolment, Intervention, InterventionGroup, Measurement, Pupil
from sendesk.rules import progress as rules
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Scope, out_of_scope
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    check_version,
    data_of,
    flush_or_conflict,
    pupil_or_gone,
    refuse,
)
from sendesk.services.graduated.intervention_records import (
    CONFLICT,
    EnrolmentItem,
    MeasurePoint,
    Progress,
    check_measure,
    display_name,
    folded,
)
from sendesk.services.permissions import Action, permit, permit_pupil, pupils_allowed
from sendesk.services.store.audit import AuditWriter


def group_and_intervention(s: Session, group_id: int) -> tuple[InterventionGroup, Intervention]:
    """The group ``group_id`` and the intervention it runs, or the "does not exist" error."""
    row = s.execute(
        select(InterventionGroup, Intervention)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(InterventionGroup.id == group_id)
    ).first()
    if row is None:
        raise NotFoundError("That intervention group does not exist.")
    return row[0], row[1]


def _enrolment_context(
    s: Session, actor: Actor, enrolment_id: int
) -> tuple[Enrolment, Intervention]:
    """An enrolment with its intervention, once ``actor`` may record its measures: the
    SENCo or whoever leads the enrolment's group."""
    row = s.execute(
        select(Enrolment, InterventionGroup, Intervention)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .where(Enrolment.id == enrolment_id)
    ).first()
    if row is None:
        raise NotFoundError("That enrolment does not exist.")
    require_leader(actor, row[1], Action.RECORD_MEASURES)
    return row[0], row[2]


def require_leader(actor: Actor, group: InterventionGroup, action: Action) -> None:
    """The SENCo, or the member of staff who leads this group (their scope, MINE, is the
    groups they lead: checked on the group itself, which is what the session or measure
    belongs to)."""
    if permit(actor, action) is not Scope.ALL and group.staff_id != actor.user_id:
        raise PermissionDeniedError(out_of_scope(actor.role, action))


def enrol(
    db: Database,
    actor: Actor,
    group_id: int,
    pupil_id: int,
    start: date,
    planned_end: date | None,
    entry_measure: float | None,
    entry_date: date | None = None,
) -> int:
    """The SENCo enrols a pupil in a group from ``start``; returns the enrolment id.

    The entry measure is dated ``entry_date`` (the start date when not given). A pupil can
    be in a group once at a time: enrol again only after their exit.
    """
    permit(actor, Action.MANAGE_INTERVENTIONS)
    if entry_measure is not None and entry_date is None:
        entry_date = start
    with db.transaction() as s:
        group, intervention = group_and_intervention(s, group_id)
        pupil_or_gone(s, pupil_id)
        problems: list[str] = []
        if planned_end is not None and planned_end < start:
            problems.append(f"the planned end {dmy(planned_end)} is before the start {dmy(start)}")
        if start < group.start_date or (group.end_date is not None and start > group.end_date):
            problems.append(f"the start date {dmy(start)} is outside the group's dates")
        if entry_measure is None and entry_date is not None:
            problems.append("an entry date was given without an entry measure")
        check_measure(intervention.measure_kind, entry_measure, "entry", problems)
        refuse(problems)
        already = s.scalar(
            select(Enrolment.id).where(
                Enrolment.group_id == group_id,
                Enrolment.pupil_id == pupil_id,
                (Enrolment.end_date.is_(None)) | (Enrolment.start_date == start),
            )
        )
        if already is not None:
            raise ValidationError("That pupil is already enrolled in this group.")
        row = Enrolment(
            group_id=group_id,
            pupil_id=pupil_id,
            start_date=start,
            planned_end=planned_end,
            entry_measure=entry_measure,
            entry_date=entry_date,
        )
        return add_audited(
            s,
            AuditWriter(s, actor),
            row,
            "enrolment",
            {
                "group_id": group_id,
                "pupil_id": pupil_id,
                "start": start,
                "planned_end": planned_end,
                "entry_measure": entry_measure,
                "entry_date": entry_date,
            },
            action="enrol",
        )


def record_exit(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    exit_measure: float | None,
    exit_date: date,
    *,
    end_date: date | None = None,
    version: int | None = None,
) -> int:
    """Record the exit measure and end the enrolment (on ``end_date``, else the exit date).

    The SENCo, or the member of staff who leads the group (they take the scores). An exit
    with no measure still ends the enrolment (a pupil who left the school). Returns the
    enrolment's new version.
    """
    with db.transaction() as s:
        row, intervention = _enrolment_context(s, actor, enrolment_id)
        check_version(row.version, version, CONFLICT, optional=True)
        end = end_date or exit_date
        problems: list[str] = []
        if row.end_date is not None:
            problems.append("this enrolment has already ended")
        if exit_date < row.start_date or end < row.start_date:
            problems.append(f"the exit is before the enrolment began ({dmy(row.start_date)})")
        if exit_measure is not None and row.entry_date is not None and exit_date < row.entry_date:
            problems.append(
                f"the exit measure is dated before the entry measure ({dmy(row.entry_date)})"
            )
        if exit_date > date.today():
            problems.append("the exit date is in the future")
        check_measure(intervention.measure_kind, exit_measure, "exit", problems)
        refuse(problems)
        row.exit_measure = exit_measure
        row.exit_date = exit_date if exit_measure is not None else None
        row.end_date = end
        return _save_measure(
            s,
            actor,
            row,
            "exit",
            {"exit_measure": exit_measure, "exit_date": exit_date, "end_date": end},
        )


def _save_measure(
    s: Session, actor: Actor, row: Enrolment, step: str, details: dict[str, object]
) -> int:
    """Write an entry or exit measure (a conflict if someone saved the enrolment first),
    audit it as ``step``; the enrolment's new version."""
    flush_or_conflict(s, CONFLICT)
    AuditWriter(s, actor).record(step, "enrolment", row.id, details)
    return row.version


def record_entry(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    entry_measure: float,
    entry_date: date,
    *,
    version: int | None = None,
) -> int:
    """Record the entry measure of an enrolment that started without one; its new version.

    Why: the measure is often taken in the first session, after the SENCo enrolled the
    pupil, by whoever leads the group — and without it progress cannot be judged (the
    pack's readiness check says "no entry measure"). The SENCo, or the group's leader;
    only while no entry measure is recorded (a recorded one is the SENCo's to correct).
    """
    with db.transaction() as s:
        row, intervention = _enrolment_context(s, actor, enrolment_id)
        check_version(row.version, version, CONFLICT, optional=True)
        problems: list[str] = []
        if row.entry_measure is not None:
            problems.append("this enrolment already has an entry measure")
        if entry_date < row.start_date or (row.end_date is not None and entry_date > row.end_date):
            problems.append(f"{dmy(entry_date)} is outside the enrolment's dates")
        if row.exit_date is not None and entry_date > row.exit_date:
            problems.append(f"the entry is dated after the exit ({dmy(row.exit_date)})")
        if entry_date > date.today():
            problems.append("the entry date is in the future")
        check_measure(intervention.measure_kind, entry_measure, "entry", problems)
        refuse(problems)
        row.entry_measure = entry_measure
        row.entry_date = entry_date
        return _save_measure(
            s, actor, row, "entry", {"entry_measure": entry_measure, "entry_date": entry_date}
        )


def add_measurement(
    db: Database, actor: Actor, enrolment_id: int, taken_on: date, value: float
) -> int:
    """A measure taken during the enrolment (for the chart); returns its id."""
    with db.transaction() as s:
        row, intervention = _enrolment_context(s, actor, enrolment_id)
        problems: list[str] = []
        check_measure(intervention.measure_kind, value, "", problems)
        if taken_on < row.start_date or (row.end_date is not None and taken_on > row.end_date):
            problems.append(f"{dmy(taken_on)} is outside the enrolment's dates")
        if taken_on > date.today():
            problems.append("the date is in the future")
        refuse(problems)
        m = Measurement(enrolment_id=enrolment_id, taken_on=taken_on, value=float(value))
        return add_audited(
            s,
            AuditWriter(s, actor),
            m,
            "measurement",
            {"enrolment_id": enrolment_id, "on": taken_on, "value": value},
            action="add",
        )


def _enrolment_items(s: Session, stmt: Any) -> list[EnrolmentItem]:
    return [
        data_of(
            e,
            EnrolmentItem,
            pupil_name=display_name(p),
            year_group=p.year_group,
            measure=i.measure,
            measure_kind=i.measure_kind,
        )
        for e, p, i in s.execute(stmt)
    ]


def _enrolment_select() -> Any:
    return (
        select(Enrolment, Pupil, Intervention)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
    )


def list_enrolments(db: Database, actor: Actor, group_id: int) -> list[EnrolmentItem]:
    """A group's enrolments, current ones first, then by name."""
    with db.session() as s:
        allowed = pupils_allowed(s, actor, Action.VIEW_INTERVENTIONS)
        group_and_intervention(s, group_id)
        items = _enrolment_items(s, _enrolment_select().where(Enrolment.group_id == group_id))
    if allowed is not None:  # staff see the pupils they work with (issue 13)
        items = [e for e in items if e.pupil_id in allowed]
    return sorted(items, key=lambda e: (not e.current, folded(e.pupil_name), e.start_date))


def pupil_enrolments(db: Database, actor: Actor, pupil_id: int) -> list[EnrolmentItem]:
    """Every enrolment of one pupil, newest first (for the pupil's record and pack)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        items = _enrolment_items(s, _enrolment_select().where(Enrolment.pupil_id == pupil_id))
    return sorted(items, key=lambda e: (e.start_date, e.id), reverse=True)


def enrolment_progress(
    db: Database,
    actor: Actor,
    enrolment_id: int,
    *,
    bands: rules.ScoreBands = rules.DEFAULT_SCORE_BANDS,
) -> Progress:
    """Measures over time and the verdict for one enrolment (see :class:`Progress`)."""
    with db.session() as s:
        pupil_id = s.scalar(select(Enrolment.pupil_id).where(Enrolment.id == enrolment_id))
        if pupil_id is not None:
            permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        found = progress_where(s, Enrolment.id == enrolment_id, bands)
    if enrolment_id not in found:
        raise NotFoundError("That enrolment does not exist.")
    return found[enrolment_id]


def pupil_progress(
    db: Database,
    actor: Actor,
    pupil_id: int,
    *,
    bands: rules.ScoreBands = rules.DEFAULT_SCORE_BANDS,
) -> dict[int, Progress]:
    """:func:`enrolment_progress` for every enrolment of one pupil, by enrolment id, read
    together (the EHC request pack charts them all)."""
    with db.session() as s:
        permit_pupil(s, actor, Action.VIEW_INTERVENTIONS, pupil_id)
        return progress_where(s, Enrolment.pupil_id == pupil_id, bands)


def progress_where(
    s: Session, condition: ColumnElement[bool], bands: rules.ScoreBands
) -> dict[int, Progress]:
    """Progress of the enrolments matching ``condition``: two queries however many."""
    rows = s.execute(
        select(Enrolment, InterventionGroup, Intervention, Pupil)
        .join(InterventionGroup, InterventionGroup.id == Enrolment.group_id)
        .join(Intervention, Intervention.id == InterventionGroup.intervention_id)
        .join(Pupil, Pupil.id == Enrolment.pupil_id)
        .where(condition)
    ).all()
    between: dict[int, list[tuple[date, float]]] = defaultdict(list)
    if rows:
        for eid, on, value in s.execute(
            select(Measurement.enrolment_id, Measurement.taken_on, Measurement.value)
            .where(Measurement.enrolment_id.in_([e.id for e, *_ in rows]))
            .order_by(Measurement.taken_on, Measurement.id)
        ):
            between[eid].append((on, value))
    return {e.id: _progress(e, g, i, p, between.get(e.id, []), bands) for e, g, i, p in rows}


def _progress(
    e: Enrolment,
    g: InterventionGroup,
    i: Intervention,
    p: Pupil,
    between: list[tuple[date, float]],
    bands: rules.ScoreBands,
) -> Progress:
    """An enrolment's points (entry, the measures ``between``, exit) and verdict."""
    points: list[MeasurePoint] = []
    if e.entry_measure is not None and e.entry_date is not None:
        points.append(MeasurePoint(e.entry_date, e.entry_measure, "entry"))
    points.extend(MeasurePoint(on, value) for on, value in between)
    if e.exit_measure is not None and e.exit_date is not None:
        points.append(MeasurePoint(e.exit_date, e.exit_measure, "exit"))
    points.sort(key=lambda pt: (pt.on, {"entry": 0, "": 1, "exit": 2}[pt.label]))
    entry = next((pt for pt in points if pt.label == "entry"), None)
    exit_point = next((pt for pt in points if pt.label == "exit"), None)
    last = exit_point or (points[-1] if points and points[-1] is not entry else None)
    judged: rules.Verdict | None = None
    if entry is not None and last is not None and last.on >= entry.on:
        judged = rules.verdict(
            i.measure_kind, entry.value, last.value, entry.on, last.on, bands=bands, unit=i.measure
        )
    return Progress(
        enrolment_id=e.id,
        pupil_id=p.id,
        pupil_name=display_name(p),
        group_name=g.name,
        intervention_name=i.name,
        measure=i.measure,
        measure_kind=i.measure_kind,
        start_date=e.start_date,
        planned_end=e.planned_end,
        end_date=e.end_date,
        points=tuple(points),
        verdict=judged,
        final=exit_point is not None,
    )
