"""The EHC history's writer: LA profiles, plans and reviews, open requests, then their
evidence, and one audit event with the counts. What it holds: :mod:`sendesk.demo.ehc`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendesk.demo.counts import DemoCounts
from sendesk.demo.ehc.cases import _load, _Run
from sendesk.demo.ehc.evidence import _evidence
from sendesk.demo.ehc.plans import _plans, _profile_data
from sendesk.demo.ehc.requests import _open_requests
from sendesk.models import (
    LaProfile,
    School,
)
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class EhcSummary(DemoCounts):
    """What :func:`add_ehc_history` made (for the audit event and tests)."""

    la_profiles: int
    plans: int
    reviews: int
    requests: int
    exceptions: int
    involvements: int
    documents: int


def add_ehc_history(
    session: Session,
    audit: AuditWriter,
    *,
    seed: int,
    today: date,
    pupils: list[tuple[int, str, tuple[str, ...], date | None]],
) -> EhcSummary:
    """Write the demo school's EHC history through ``session``.

    ``pupils`` is (pupil id, provision "N"/"K"/"E", current need codes, the date the pupil
    joined the register or None) for every pupil, as
    :func:`sendesk.demo.graduated.add_graduated_history` takes it. Runs inside the
    caller's transaction and records one audit event ("create_demo_ehc") with the counts.
    """
    session.flush()
    rng = random.Random(f"{seed}-ehc")
    school = session.execute(select(School.id, School.name, School.la_name)).first()
    school_id, school_name, la_name = school if school else (None, "", "")
    la_name = la_name or "Hertfordshire"
    # Saved through the service before this transaction (:func:`.plans.add_la_profiles`).
    profiles = session.scalar(select(func.count(LaProfile.id))) or 0
    limits = {p.name: p.report_max_age_months for p in _profile_data(la_name)}
    run = _Run(session, audit, school_name or "", la_name, today, [])
    plans, reviews, completed = _plans(
        run, random.Random(rng.random()), _load(session, pupils, "E")
    )
    requests, exceptions = _open_requests(
        run, random.Random(rng.random()), _load(session, pupils, "K")
    )
    involvements, documents = _evidence(run, random.Random(rng.random()), limits)
    summary = EhcSummary(
        profiles, plans, reviews, completed + requests, exceptions, involvements, documents
    )
    summary.record(audit, "create_demo_ehc", school_id, seed=seed, today=today)
    return summary
