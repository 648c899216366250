"""Assess-plan-do-review cycles: SMART outcomes for the areas of a pupil's needs, the
provision planned, the pupil's and parents' views, and reviews of all but the current cycle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from sendesk.demo.graduated.catalogue import AGE, SPECS, _area, _Spec
from sendesk.demo.graduated.pupils import _EnrolPlan, _intervention_weights, _Pupil, _weighted_pick
from sendesk.demo.graduated.school_calendar import (
    _DAY,
    _age_text,
    _at,
    _months,
    _school_day_on_or_before,
    _weekday_on_or_before,
)
from sendesk.demo.tables import load, tuples
from sendesk.rules.census import Area
from sendesk.rules.support_plans import OutcomeDraft, PlanDraft, ProvisionDraft
from sendesk.services.graduated.past_plans import (
    PastCycles,
    PastPlan,
    PastReview,
    record_past_plans,
)
from sendesk.services.store.audit import AuditWriter

_TABLES = load("graduated")
"""The text tables of the graduated history: ``resources/demo/graduated.json``."""

# --- support plans --------------------------------------------------------------------------

# code -> templates: (text, lowest n, highest n); {name}, {he}, {his}, {month}, {n}
OUTCOMES: dict[str, tuple[tuple[str, int, int], ...]] = tuples(_TABLES["OUTCOMES"])
OUTCOMES["NSA"] = OUTCOMES["MLD"][:2] + OUTCOMES["SPLD"][:1]
OUTCOMES["DS"] = OUTCOMES["SLD"]

STRATEGIES: dict[str, tuple[str, ...]] = tuples(_TABLES["STRATEGIES"])
STRATEGIES["NSA"] = STRATEGIES["MLD"]
STRATEGIES["DS"] = STRATEGIES["SLD"]
EQUIPMENT: dict[str, tuple[str, ...]] = tuples(_TABLES["EQUIPMENT"])

PUPIL_VIEWS: dict[Area, tuple[str, ...]] = {
    Area(k): v for k, v in tuples(_TABLES["PUPIL_VIEWS"]).items()
}
PUPIL_VIEWS_ANY = tuples(_TABLES["PUPIL_VIEWS_ANY"])
PARENT_VIEWS = tuples(_TABLES["PARENT_VIEWS"])
ASSESSMENTS: dict[Area, tuple[str, ...]] = {
    Area(k): v for k, v in tuples(_TABLES["ASSESSMENTS"]).items()
}
REVIEW_COMMENTS: dict[str, tuple[str, ...]] = tuples(_TABLES["REVIEW_COMMENTS"])
NEXT_STEPS = tuples(_TABLES["NEXT_STEPS"])
OFF_REGISTER_STEPS = (
    "Outcomes met; removed from SEN support with parents' agreement. Monitor through the "
    "half-termly progress review."
)


# --- plans ------------------------------------------------------------------------------------


@dataclass
class _Cycle:
    start: date
    review_due: date
    reviewed_on: date | None
    outcomes: list[tuple[str, int, int]] = field(default_factory=list)  # code, template, n
    results: list[str] = field(default_factory=list)


def _cycles(rng: random.Random, pupil: _Pupil, today: date) -> list[_Cycle]:
    """Dates of the pupil's last few cycles, oldest first (the newest open unless a former
    pupil's)."""
    lo = pupil.since
    target = rng.choice((2, 3, 3, 4)) if pupil.current else rng.choice((1, 2, 2, 3))
    cycles: list[_Cycle] = []
    if pupil.current:
        due = pupil.next_review_due if pupil.provision == "K" else None
        if due is None or due <= lo + timedelta(days=14):
            if rng.random() < 0.12:
                due = _school_day_on_or_before(today - timedelta(days=rng.randint(3, 30)))
            else:
                due = today + timedelta(days=rng.randint(7, 85))
                due = max(_school_day_on_or_before(due), today + _DAY)
        start = min(
            due - timedelta(days=rng.randint(75, 95)), today - timedelta(rng.randint(0, 10))
        )
        start = max(_school_day_on_or_before(start), lo)
        if due <= start:
            due = _weekday_on_or_before(start + timedelta(weeks=12))
        cycles.append(_Cycle(start, due, None))
        reviewed = _school_day_on_or_before(start - timedelta(days=rng.randint(0, 4)))
    else:
        assert pupil.until is not None
        reviewed = pupil.until
    while len(cycles) < target:
        if reviewed < lo + timedelta(days=35):
            break
        start = _school_day_on_or_before(reviewed - timedelta(days=rng.randint(75, 100)))
        start = max(start, lo)
        if (reviewed - start).days < 35:
            break
        due = _weekday_on_or_before(start + timedelta(days=rng.randint(77, 91)))
        cycles.insert(0, _Cycle(start, due, reviewed))
        reviewed = _school_day_on_or_before(start - timedelta(days=rng.randint(0, 4)))
    return cycles


def _render(template: tuple[str, int, int], n: int, words: dict[str, str], month: str) -> str:
    return template[0].format(n=n, month=month, **words)


def _choose_outcomes(
    rng: random.Random, pupil: _Pupil, cycle: _Cycle, carried: list[tuple[str, int, int]]
) -> None:
    cycle.outcomes = list(carried)[:4]
    want = max(len(cycle.outcomes), rng.randint(2, 4))
    want = max(want, 2)
    codes = [c for c in pupil.needs if c in OUTCOMES] or ["NSA"]
    weights = [3 if i == 0 else 2 for i in range(len(codes))]
    used = {(code, t) for code, t, _ in cycle.outcomes}
    tries = 0
    while len(cycle.outcomes) < want and tries < 40:
        tries += 1
        code = rng.choices(codes, weights=weights)[0]
        index = rng.randrange(len(OUTCOMES[code]))
        if (code, index) in used:
            continue
        template = OUTCOMES[code][index]
        used.add((code, index))
        cycle.outcomes.append((code, index, rng.randint(template[1], template[2])))
    # Codes that share templates (NSA, DS) could still repeat a text: keep the first.
    seen: set[str] = set()
    unique = []
    for item in cycle.outcomes:
        text = OUTCOMES[item[0]][item[1]][0]
        if text not in seen:
            seen.add(text)
            unique.append(item)
    cycle.outcomes = unique


def _measure_note(e: _EnrolPlan) -> str:
    """A sentence on how the pupil did in an enrolment that has ended."""
    spec = e.spec
    if e.exit is None or e.end is None:
        return ""
    if spec.kind == AGE:
        months = _months(e.entry_date, e.end)
        ratio = (e.exit - e.entry) / months if months > 0 else 0.0
        return (
            f"{spec.name}: {spec.measure.lower()} from {_age_text(e.entry)} to "
            f"{_age_text(e.exit)} (ratio gain {ratio:.1f})."
        )
    measure = spec.measure[:1].lower() + spec.measure[1:]
    return f"{spec.name}: {measure} from {e.entry:g} to {e.exit:g}."


def _results_sentence(results: list[str]) -> str:
    """ "2 of 3 outcomes achieved, 1 partly achieved." and the like."""
    total = len(results)
    achieved, partly, missed = (results.count(r) for r in ("achieved", "partly", "not"))
    if achieved == total:
        return f"All {total} outcomes achieved."
    parts = [f"{achieved} of {total} outcomes achieved"]
    if partly:
        parts.append(f"{partly} partly achieved")
    if missed:
        parts.append(f"{missed} not achieved")
    return ", ".join(parts) + "."


def _write_plans(
    session: Session,
    audit: AuditWriter,
    rng: random.Random,
    people: list[_Pupil],
    spec_ids: dict[str, int],
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Plan each pupil's cycles, then record them through
    :func:`~sendesk.services.graduated.past_plans.record_past_plans` (checked like any
    other caller's, audited once; the SENCo recording them is each plan's author)."""
    chains: list[tuple[_Pupil, list[_Cycle]]] = []
    for pupil in people:
        chance = (0.95 if pupil.provision == "E" else 0.9) if pupil.current else 0.6
        if rng.random() >= chance:
            continue
        cycles = _cycles(rng, pupil, today)
        if not cycles:
            continue
        carried: list[tuple[str, int, int]] = []
        for i, cycle in enumerate(cycles):
            _choose_outcomes(rng, pupil, cycle, carried)
            if cycle.reviewed_on is None:
                break
            last = i == len(cycles) - 1
            weights = (80, 15, 5) if last and not pupil.current else (45, 35, 20)
            cycle.results = rng.choices(
                ("achieved", "partly", "not"), weights, k=len(cycle.outcomes)
            )
            carried = [
                o for o, r in zip(cycle.outcomes, cycle.results, strict=True) if r != "achieved"
            ]
        chains.append((pupil, cycles))

    past: list[PastCycles] = []
    for pupil, cycles in chains:
        words = pupil.words()
        plans: list[PastPlan] = []
        for level, cycle in enumerate(cycles):
            last_cycle = level == len(cycles) - 1
            month = f"{cycle.review_due:%B}"
            outcomes = [
                OutcomeDraft(_render(OUTCOMES[code][index], value, words, month), _area(code).value)
                for code, index, value in cycle.outcomes
            ]
            comments = [
                rng.choice(REVIEW_COMMENTS[result]).format(**words) for result in cycle.results
            ]
            until = cycle.reviewed_on or today
            during = [
                e for e in pupil.enrolments if e.start <= until and (e.end or today) >= cycle.start
            ]
            provisions = _provisions(rng, pupil, cycle, during, spec_ids)
            ended = [e for e in during if e.end is not None and e.end <= until]
            review: PastReview | None = None
            if cycle.reviewed_on is not None:
                parts = [_results_sentence(cycle.results)]
                parts += [_measure_note(e) for e in ended]
                if rng.random() < 0.5:
                    parts.append(
                        f"{words['name']} took part in the review with {words['his']} parents."
                    )
                if last_cycle and not pupil.current:
                    next_steps = OFF_REGISTER_STEPS
                else:
                    next_steps = " ".join(rng.sample(NEXT_STEPS, 2))
                review = PastReview(
                    reviewed_on=cycle.reviewed_on,
                    results=tuple(cycle.results),
                    comments=tuple(comments),
                    review_summary=" ".join(p for p in parts if p),
                    next_steps=next_steps,
                )
            if level == 0:
                area = _area(pupil.needs[0])
                assessment = rng.choice(ASSESSMENTS[area])
            else:
                previous = cycles[level - 1].reviewed_on
                assert previous is not None
                assessment = f"Review of the last cycle on {previous:%d/%m/%Y}."
                before = [e for e in pupil.enrolments if e.end is not None and e.end <= cycle.start]
                if before:
                    assessment += " " + _measure_note(before[-1])
            pool = list(PUPIL_VIEWS[_area(pupil.needs[0])]) + list(PUPIL_VIEWS_ANY)
            pupil_views = (
                " ".join(rng.sample(pool, rng.randint(1, 2))) if rng.random() < 0.85 else ""
            )
            parent_views = (
                " ".join(v.format(**words) for v in rng.sample(PARENT_VIEWS, rng.randint(1, 2)))
                if rng.random() < 0.8
                else ""
            )
            draft = PlanDraft(
                start_date=cycle.start,
                review_due=cycle.review_due,
                assessment=assessment,
                outcomes=tuple(outcomes),
                provisions=tuple(provisions),
                pupil_views=pupil_views,
                parent_views=parent_views,
            )
            created_at = _at(cycle.start, rng.randint(8 * 60, 17 * 60), now)
            plans.append(PastPlan(draft, created_at, review))
        past.append(PastCycles(pupil.id, tuple(plans)))
    counts = record_past_plans(session, audit, past, today=today)
    return {
        "support_plans": counts.support_plans,
        "plan_outcomes": counts.plan_outcomes,
        "planned_provisions": counts.planned_provisions,
    }


def _provisions(
    rng: random.Random,
    pupil: _Pupil,
    cycle: _Cycle,
    during: list[_EnrolPlan],
    spec_ids: dict[str, int],
) -> list[ProvisionDraft]:
    rows: list[ProvisionDraft] = []

    def add(kind: str, description: str, minutes: int | None, intervention: int | None) -> None:
        rows.append(ProvisionDraft(kind, description, minutes, intervention))

    specs: list[_Spec] = []
    for e in during:
        if e.spec not in specs:
            specs.append(e.spec)
    if not specs and rng.random() < 0.6:
        key = _weighted_pick(rng, _intervention_weights(pupil.needs), set())
        if key is not None:
            specs.append(SPECS[key])
    for spec in specs:
        weekly = spec.sessions_per_week * spec.minutes
        times = "once" if spec.sessions_per_week == 1 else f"{spec.sessions_per_week} times"
        add(
            "intervention",
            f"{spec.name}: {times} a week, {spec.minutes} minutes, "
            f"{'one-to-one' if spec.group_size == 1 else f'group of up to {spec.group_size}'}",
            weekly,
            spec_ids[spec.key],
        )
    codes = list(pupil.needs)
    strategies = [s for c in codes for s in STRATEGIES.get(c, ())]
    for text in rng.sample(strategies, min(len(strategies), rng.randint(1, 2))):
        add("strategy", text, None, None)
    equipment = [s for c in codes for s in EQUIPMENT.get(c, ())]
    if equipment and rng.random() < 0.6:
        add("equipment", rng.choice(equipment), None, None)
    if pupil.provision == "E" and rng.random() < 0.7:
        minutes = rng.choice((150, 240, 300, 450, 600))
        add("staff", "Teaching assistant support in English and maths lessons", minutes, None)
    elif rng.random() < 0.15:
        add("staff", "Key worker check-in each morning", 50, None)
    return rows
