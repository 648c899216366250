"""What-works text for demo pupils: strengths, difficulties and strategies by need.

Made-up but typical of what a SENCo writes, so the pupil record's "Needs" tab and the
"what's due" gaps look like a real school's: most pupils on the register have their
primary area described, about half their secondary area too, and some have none yet.
"""

from __future__ import annotations

import random

from sendesk.demo.tables import load
from sendesk.rules.census import area_of

_TABLES = load("profiles")
"""The text tables of this module (names, phrases, advice): ``resources/demo/profiles.json``."""

# need code -> (strengths, difficulties, strategies): each a list of sentences to draw from
TEXT: dict[str, tuple[list[str], list[str], list[str]]] = {
    k: tuple(v) for k, v in _TABLES["TEXT"].items()
}
GENERIC = tuple(_TABLES["GENERIC"])


def profiles_for(rng: random.Random, needs: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """(area, strengths, difficulties, strategies) for the areas this pupil has described."""
    chosen: list[tuple[str, str, str, str]] = []
    for rank, code in enumerate(needs[:2]):
        area = area_of(code)
        if area is None or any(area.value == c[0] for c in chosen):
            continue
        if rng.random() > (0.85 if rank == 0 else 0.5):
            continue
        strengths, difficulties, strategies = TEXT.get(code, GENERIC)
        chosen.append(
            (area.value, rng.choice(strengths), rng.choice(difficulties), rng.choice(strategies))
        )
    return chosen
