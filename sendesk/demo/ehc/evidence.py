"""The evidence a real EHC case has: an educational psychologist's report, a specialist's
report for the pupil's needs and a work sample, linked to the agency's involvement."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from sendesk.demo.ehc.cases import (
    _areas,
    _Case,
    _Planned,
    _Run,
    _weekday_on_or_after,
    _weekday_on_or_before,
)
from sendesk.demo.ehc.work_samples import WORK_SAMPLES, work_sample_png
from sendesk.demo.graduated.agencies import (
    AGENCY_BY_NEED,
    AGENCY_INFO,
    PROFESSIONALS,
    past_document,
    report_paragraphs,
    report_pdf,
)
from sendesk.demo.tables import load
from sendesk.models import (
    AgencyInvolvement,
    EvidenceDocument,
)
from sendesk.rules.census import Area
from sendesk.rules.confidentiality import STAFF, default_level
from sendesk.rules.readiness import (
    DEFAULT_REPORT_MAX_AGE_MONTHS,
    add_months,
)
from sendesk.services.evidence.agencies import InvolvementData
from sendesk.services.evidence.evidence import check_document, store_document
from sendesk.services.evidence.past_agencies import (
    PastDocument,
    PastInvolvement,
    record_past_involvements,
)

_TABLES = load("ehc")
"""The EHC history's text tables: ``resources/demo/ehc.json``."""

# --- the evidence a real case has ---------------------------------------------------------------

EP = "Educational psychologist"
SPECIALISTS_BY_DEFAULT = (
    "Speech and language therapy",
    "Specialist teacher (learning)",
    "Occupational therapy",
)
"""Where a specialist report comes from when the pupil's needs suggest none of their own."""
NOT_SPECIALISTS = frozenset({EP, "School nurse"})
EHC_CONCERN: dict[Area, str] = {Area(k): v for k, v in _TABLES["EHC_CONCERN"].items()}
EP_REQUEST_ADVICE = (
    " Given the needs described and the support already tried, the school and parents "
    "should consider asking the local authority for an EHC needs assessment."
)
EP_PLAN_TITLE = "Educational psychology advice for the EHC needs assessment"
EP_PLAN_ADVICE = (
    " These recommendations should be written into the outcomes and provision of the EHC "
    "plan (sections E and F)."
)


def _report_values(
    rng: random.Random,
    case: _Case,
    agency: str,
    written: date,
    seen: date,
    professional: str,
    finding: str,
    recommendation: str,
    school: str,
    now: datetime,
) -> PastDocument:
    info = AGENCY_INFO[agency]
    pupil = case.pupil.row
    title = info.document
    if agency == EP and case.kind == "plan":
        title, recommendation = EP_PLAN_TITLE, recommendation + EP_PLAN_ADVICE
    elif agency == EP:
        recommendation += EP_REQUEST_ADVICE
    areas = _areas(case.pupil)
    concern = EHC_CONCERN[areas[0]] if areas else "needs that SEN support has not met"
    content = report_pdf(
        service=info.service.format(la=case.la).strip(),
        title=title,
        name=f"{pupil.legal_forename} {pupil.legal_surname}",
        dob=pupil.dob,
        school=school,
        seen=seen,
        professional=professional,
        paragraphs=report_paragraphs(concern, finding, recommendation),
    )
    filename = f"{info.slug}-{written:%Y-%m-%d}.pdf"
    level = default_level(agency)  # as the agency's advice
    return past_document(rng, title, filename, content, written, now, level)


def _written_on(rng: random.Random, case: _Case, limit: int, specialist: bool, today: date) -> date:
    """The day a report was written. A request's: a few weeks before it was sent (the
    specialist's a few months before), within the LA's limit unless it is the case's old
    report; a plan's: the psychologist's advice during the assessment, the specialist's
    for the last annual review."""
    if case.kind == "plan" and not specialist:
        written = case.anchor - timedelta(weeks=rng.randint(10, 14))
    elif case.kind == "plan":
        written = today - timedelta(days=rng.randint(30, 300))
        written = min(max(written, case.anchor + timedelta(days=7)), today)
    elif specialist and case.old_report:
        months = limit + rng.randint(1, 5)
        written = add_months(today, -months) - timedelta(days=rng.randint(0, 20))
    else:
        weeks = rng.randint(6, 24) if specialist else rng.randint(3, 10)
        earliest = add_months(today, -limit) + timedelta(days=10)
        written = min(max(case.anchor - timedelta(weeks=weeks), earliest), today)
    return _weekday_on_or_before(written)


def _report(
    rng: random.Random,
    case: _Case,
    agency: str,
    specialist: bool,
    known: list[AgencyInvolvement],
    limit: int,
    school: str,
    today: date,
    now: datetime,
) -> _Planned:
    """The report ``agency`` wrote for ``case``: on the pupil's involvement with the agency
    when the agency has seen them (``known``), else on a new involvement. A referral still
    waiting is a second one: the report comes from a visit before it."""
    info = AGENCY_INFO[agency]
    pid = case.pupil.row.id
    finding, recommendation = rng.choice(info.findings), rng.choice(info.advice)
    seen_before = [inv for inv in known if inv.seen_date is not None]
    if seen_before:  # seen, but the report was never stored
        inv = seen_before[-1]
        seen = inv.seen_date or today
        written = min(today, _weekday_on_or_after(seen + timedelta(days=rng.randint(5, 21))))
        values = _report_values(
            rng, case, agency, written, seen, inv.professional, finding, recommendation, school, now
        )
        return _Planned(pid, inv.id, values)
    written = _written_on(rng, case, limit, specialist, today)
    seen = _weekday_on_or_before(written - timedelta(days=rng.randint(5, 21)))
    referrals = [inv.referral_date for inv in known if inv.referral_date is not None]
    if referrals and seen >= min(referrals) - timedelta(days=14):
        seen = _weekday_on_or_before(min(referrals) - timedelta(days=rng.randint(14, 40)))
        written = _weekday_on_or_after(seen + timedelta(days=rng.randint(5, 10)))
    person = rng.choice(PROFESSIONALS)
    if agency == EP and rng.random() < 0.6:
        person = f"Dr {person}"
    professional = f"{person}, {info.title}"
    involvement = InvolvementData(
        agency,
        professional,
        referral_date=_weekday_on_or_before(seen - timedelta(weeks=rng.randint(*info.wait))),
        seen_date=seen,
        advice=f"{finding} {recommendation}",
        confidentiality=default_level(agency),
    )
    values = _report_values(
        rng, case, agency, written, seen, professional, finding, recommendation, school, now
    )
    return _Planned(pid, involvement, values)


def _work_sample(rng: random.Random, case: _Case, today: date, now: datetime) -> _Planned:
    """A piece of the pupil's writing from a few weeks before the request (a plan's: from
    a few weeks ago, for the next annual review)."""
    areas = _areas(case.pupil)
    title, heading, text, note = WORK_SAMPLES[areas[0] if areas else Area.COGNITION_LEARNING]
    anchor = case.anchor if case.kind == "request" else today
    on = _weekday_on_or_before(anchor - timedelta(weeks=rng.randint(1, 4)))
    content = work_sample_png(
        forename=case.pupil.name,
        on=on,
        heading=heading,
        text=text,
        note=note.format(words=len(text.split())),
    )
    filename = f"work-sample-{on:%Y-%m-%d}.png"
    return _Planned(case.pupil.row.id, None, past_document(rng, title, filename, content, on, now))


def _evidence(run: _Run, rng: random.Random, limits: dict[str, int]) -> tuple[int, int]:
    """An educational psychologist's report, a specialist's report and a work sample for
    every case; (involvements made, documents made).

    What the graduated history already stored for the pupil stands: a psychologist's
    report for the psychologist's, any specialist's report for the specialist's (except
    where the case is to have an old report); an involvement there without a report gets
    one. Involvements, then documents, are each written in one batch.
    """
    session, audit, school, today, cases = run.session, run.audit, run.school, run.today, run.cases
    if not cases:
        return 0, 0
    now = datetime.now(UTC)
    ids = [c.pupil.row.id for c in cases]
    existing: dict[tuple[int, str], list[AgencyInvolvement]] = defaultdict(list)
    for inv in session.scalars(
        select(AgencyInvolvement)
        .where(AgencyInvolvement.pupil_id.in_(ids))
        .order_by(AgencyInvolvement.id)
    ):
        existing[(inv.pupil_id, inv.agency)].append(inv)
    reported: set[tuple[int, str]] = set()
    for pid, agency in session.execute(
        select(AgencyInvolvement.pupil_id, AgencyInvolvement.agency)
        .join(EvidenceDocument, EvidenceDocument.involvement_id == AgencyInvolvement.id)
        .where(AgencyInvolvement.pupil_id.in_(ids))
    ):
        reported.add((pid, agency))
    with_specialist = {pid for pid, agency in reported if agency not in NOT_SPECIALISTS}
    planned: list[_Planned] = []
    for case in cases:
        pid = case.pupil.row.id
        options = [
            a
            for code in case.pupil.needs
            for a in AGENCY_BY_NEED.get(code, ())
            if a not in NOT_SPECIALISTS
        ]
        fresh = [a for a in dict.fromkeys(options) if (pid, a) not in existing]
        if case.old_report:
            fresh = fresh or [a for a in SPECIALISTS_BY_DEFAULT if (pid, a) not in existing]
        specialist = rng.choice(fresh or options or list(SPECIALISTS_BY_DEFAULT))
        wanted = [(EP, False)] if (pid, EP) not in reported else []
        if case.old_report or pid not in with_specialist:
            wanted.append((specialist, True))
        limit = limits.get(case.la, DEFAULT_REPORT_MAX_AGE_MONTHS)
        for agency, is_specialist in wanted:
            known = existing.get((pid, agency), [])
            planned.append(
                _report(rng, case, agency, is_specialist, known, limit, school, today, now)
            )
        planned.append(_work_sample(rng, case, today, now))
    # New involvements with their reports in one batch; the reports on involvements the
    # graduated history stored, and the work samples, each through the evidence service's
    # own checks and audit event, as the SENCo stores one.
    made = [
        PastInvolvement(p.pupil_id, p.involvement, (p.document,))
        for p in planned
        if isinstance(p.involvement, InvolvementData)
    ]
    counts = record_past_involvements(session, audit, made, today=today)
    documents = []
    for p in planned:
        if isinstance(p.involvement, InvolvementData):
            continue
        v = p.document
        level = v.confidentiality or STAFF  # a report: as the agency's advice
        doc = check_document(
            v.content,
            v.title,
            v.document_date,
            filename=v.filename,
            today=today,
            confidentiality=level,
        )
        documents.append(
            store_document(
                session,
                audit.actor,
                p.pupil_id,
                doc,
                level,
                involvement_id=p.involvement,
                added_at=v.added_at,
            )
        )
    return counts.involvements, counts.documents + len(documents)
