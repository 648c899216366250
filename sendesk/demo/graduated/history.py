"""The graduated history's writer: draws the plan of each part (groups and sessions,
support plans, agencies, attendance and attainment) and records one audit event with the
counts. What the history holds is told in :mod:`sendesk.demo.graduated`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.demo.counts import DemoCounts
from sendesk.demo.graduated.agencies import _write_agencies
from sendesk.demo.graduated.catalogue import CATALOGUE
from sendesk.demo.graduated.interventions import _write_groups
from sendesk.demo.graduated.progress import _write_progress
from sendesk.demo.graduated.pupils import _load_pupils
from sendesk.demo.graduated.support_plans import _write_plans
from sendesk.errors import SendeskError
from sendesk.models import (
    Intervention,
    School,
)
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class GraduatedSummary(DemoCounts):
    """What :func:`add_graduated_history` wrote, table by table."""

    interventions: int
    groups: int
    enrolments: int
    measurements: int
    sessions: int
    session_marks: int
    support_plans: int
    plan_outcomes: int
    planned_provisions: int
    involvements: int
    documents: int
    attendance_records: int
    attainment_snapshots: int


# --- the writer ---------------------------------------------------------------------------------


def add_graduated_history(
    session: Session,
    audit: AuditWriter,
    *,
    seed: int,
    today: date,
    pupils: list[tuple[int, str, tuple[str, ...], date | None]],
    staff: dict[str, list[int]],
) -> GraduatedSummary:
    """Write the demo school's graduated-response history through ``session``.

    ``pupils`` is (pupil id, provision "N"/"K"/"E", current need codes, the date the pupil
    joined the register or None) for every pupil; pupils with "N" who were on the register
    before are found from their register history. ``staff`` maps role values ("senco",
    "learning_support", "teacher") to user ids. The intervention catalogue must be there
    already (:func:`sendesk.demo.graduated.catalogue.add_catalogue`). Runs inside the
    caller's transaction and records one audit event ("create_demo_history") with the
    counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-graduated")
    now = datetime.now(UTC)
    people = _load_pupils(session, pupils, today)
    school = session.execute(select(School.id, School.name, School.la_name)).first()
    school_id, school_name, la_name = school if school else (None, "", "")

    # The catalogue, saved through the service before this transaction (add_catalogue).
    ids = {name: id_ for name, id_ in session.execute(select(Intervention.name, Intervention.id))}
    if missing := [s.name for s in CATALOGUE if s.name not in ids]:
        raise SendeskError(f"The demo's interventions are not in the catalogue: {missing}.")
    spec_ids = {s.key: ids[s.name] for s in CATALOGUE}

    counts: dict[str, int] = {"interventions": len(CATALOGUE)}
    counts.update(
        _write_groups(
            session, audit, random.Random(rng.random()), people, staff, spec_ids, today, now
        )
    )
    counts.update(
        _write_plans(session, audit, random.Random(rng.random()), people, spec_ids, today, now)
    )
    counts.update(
        _write_agencies(
            session,
            audit,
            random.Random(rng.random()),
            people,
            school_name or "",
            la_name or "",
            today,
            now,
        )
    )
    counts.update(_write_progress(session, audit, random.Random(rng.random()), people, today))
    summary = GraduatedSummary(**counts)
    summary.record(audit, "create_demo_history", school_id, seed=seed, today=today)
    return summary
