"""The demo's intervention catalogue: ten interventions typical of an English secondary
school, what they measure and how, and which needs they suit (``resources/demo/graduated.json``)."""

from __future__ import annotations

from dataclasses import dataclass

from sendesk.db import Database
from sendesk.demo.tables import load, tuples
from sendesk.rules.census import Area, area_of
from sendesk.services.actor import Actor
from sendesk.services.graduated.intervention_records import InterventionData
from sendesk.services.graduated.intervention_setup import add_intervention

_TABLES = load("graduated")
"""The text tables of the graduated history: ``resources/demo/graduated.json``."""

AGE, SCORE, RATING = "age_months", "standardised", "rating"
C_L = Area.COGNITION_LEARNING
C_I = Area.COMMUNICATION_INTERACTION
SEMH = Area.SEMH
S_P = Area.SENSORY_PHYSICAL


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    key: str
    name: str
    short: str
    area: Area
    description: str
    group_size: int
    staff_role: str
    sessions_per_week: int
    minutes: int
    cost_pence: int
    measure: str
    kind: str
    # how the measure moves: entry range (for scores and ratings), change per term, ceiling
    entry: tuple[int, int] = (0, 0)
    change: tuple[int, ...] = ()
    ceiling: int = 0
    teacher_led: bool = False


TA, HLTA, TEACHER = "Teaching assistant", "HLTA", "Teacher"

CATALOGUE: tuple[_Spec, ...] = tuple(
    _Spec(**{**tuples(row), "area": Area(row["area"])}) for row in _TABLES["CATALOGUE"]
)
SPECS: dict[str, _Spec] = {s.key: s for s in CATALOGUE}

# need code -> (intervention key, weight)
NEED_INTERVENTIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "SPLD": (("reading", 3), ("spelling", 3), ("typing", 2), ("handwriting", 1)),
    "MLD": (("reading", 3), ("maths", 3), ("spelling", 1), ("language", 1)),
    "SLD": (("maths", 2), ("reading", 2), ("handwriting", 1), ("language", 1)),
    "PMLD": (("handwriting", 1), ("language", 1)),
    "SLCN": (("language", 4), ("reading", 1), ("lego", 1)),
    "ASD": (("lego", 3), ("zones", 2), ("language", 1), ("elsa", 1)),
    "SEMH": (("elsa", 3), ("mentoring", 2), ("zones", 2)),
    "HI": (("language", 2), ("reading", 1)),
    "VI": (("typing", 3),),
    "MSI": (("typing", 1), ("language", 1)),
    "PD": (("handwriting", 3), ("typing", 3)),
    "OTH": (("mentoring", 1), ("elsa", 1), ("handwriting", 1)),
    "NSA": (("reading", 2), ("maths", 2), ("mentoring", 1)),
    "DS": (("reading", 1), ("language", 1), ("maths", 1)),
}
AREA_FOR_CODE: dict[str, Area] = {"OTH": S_P, "NSA": C_L, "DS": C_L}


def _area(code: str) -> Area:
    try:
        found = area_of(code)
    except ValueError:
        found = None
    return found or AREA_FOR_CODE.get(code, C_L)


def add_catalogue(db: Database, senco: Actor) -> int:
    """Add the catalogue through the interventions service, as the SENCo sets it up on the
    Interventions page (its checks, its audit events); returns how many. Before the
    history's transaction: the groups that run them are planned from it."""
    for spec in CATALOGUE:
        add_intervention(
            db,
            senco,
            InterventionData(
                name=spec.name,
                area=spec.area.value,
                staff_role=spec.staff_role,
                measure=spec.measure,
                measure_kind=spec.kind,
                group_size=spec.group_size,
                sessions_per_week=spec.sessions_per_week,
                minutes_per_session=spec.minutes,
                cost_per_hour_pence=spec.cost_pence,
                description=spec.description,
            ),
        )
    return len(CATALOGUE)
