"""What a cause for concern must say, and what the SENCo may decide (pure: no database).

Why these fields: the Code of Practice (6.14–6.19) asks schools to identify needs early
and to start from high-quality teaching — so a concern says what the member of staff
sees, in which broad area of need, and what they have *already* tried in class and for
how long. A concern with nothing tried yet is not refused (a teacher may need advice
at once), but the SENCo sees "nothing tried yet" and may ask for more evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sendesk.rules.census import Area

SEEN_MAX = 5_000
TRIED_MAX = 5_000
NOTE_MAX = 5_000
WEEKS_MAX = 104

RAISED = "raised"
EVIDENCE_ASKED = "evidence asked"
EVIDENCE_ADDED = "evidence added"
MONITOR = "monitor"
ASSESS = "assess"
REGISTER = "register"
NEW = "new"

DECISIONS: dict[str, str] = {
    MONITOR: "Monitor, and look again on a date",
    ASSESS: "Assess: start the first support-plan cycle",
    REGISTER: "Add to the register at SEN support (K)",
}
"""What the SENCo may decide, with the words the app offers them."""

STATUS_WORDS: dict[str, str] = {
    NEW: "New: waiting for the SENCo",
    EVIDENCE_ASKED: "More evidence asked for",
    MONITOR: "Monitoring",
    ASSESS: "Being assessed",
    REGISTER: "Added to the register (K)",
}
STEP_WORDS: dict[str, str] = {
    RAISED: "Raised",
    EVIDENCE_ASKED: "More evidence asked for",
    EVIDENCE_ADDED: "Evidence added",
    MONITOR: "Decided: monitor",
    ASSESS: "Decided: assess",
    REGISTER: "Decided: add to the register",
}
OPEN = frozenset({NEW, EVIDENCE_ASKED})
"""Statuses that wait for the SENCo's decision (a monitored concern may be decided again)."""
DECIDABLE = frozenset({NEW, EVIDENCE_ASKED, MONITOR})
AREAS: tuple[str, ...] = tuple(a.value for a in Area)


@dataclass(frozen=True)
class ConcernDraft:
    """What a member of staff types when they raise a concern."""

    area: str
    seen: str
    tried: str
    tried_weeks: int
    raised_on: date


def draft_problems(draft: ConcernDraft, today: date) -> list[str]:
    """Every problem with ``draft``, each a clause naming the field."""
    problems: list[str] = []
    if draft.area not in AREAS:
        problems.append(f"the area of need must be one of: {', '.join(AREAS)}")
    if not draft.seen.strip():
        problems.append("say what you see (what the pupil finds hard)")
    elif len(draft.seen) > SEEN_MAX:
        problems.append(f"what you see is longer than {SEEN_MAX:,} characters")
    if len(draft.tried) > TRIED_MAX:
        problems.append(f"what you have tried is longer than {TRIED_MAX:,} characters")
    if not 0 <= draft.tried_weeks <= WEEKS_MAX:
        problems.append(f"the weeks tried must be between 0 and {WEEKS_MAX}")
    elif draft.tried_weeks and not draft.tried.strip():
        problems.append("say what you have tried for those weeks")
    if draft.raised_on > today:
        problems.append(f"the date raised {draft.raised_on:%d/%m/%Y} is in the future")
    return problems


def decision_problems(
    decision: str, on: date, review_on: date | None, need_code: str | None, raised_on: date
) -> list[str]:
    """Every problem with a decision, each a clause naming the field."""
    problems: list[str] = []
    if decision not in DECISIONS:
        problems.append(f"the decision must be one of: {', '.join(DECISIONS)}")
    if on < raised_on:
        problems.append(
            f"the decision's date {on:%d/%m/%Y} is before the concern was raised "
            f"({raised_on:%d/%m/%Y})"
        )
    if decision == MONITOR:
        if review_on is None:
            problems.append("give the date to look at it again")
        elif review_on <= on:
            problems.append("the date to look again must be after the decision")
    if decision == REGISTER and not need_code:
        problems.append("give the primary need's census code")
    return problems
