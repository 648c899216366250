"""How the access-arrangement screens say things: dates, subjects, evidence and verdicts.

Why a module of its own: the pupil's tab, the teacher's class list, the SENCo's gap view
and the dialogs all name the same facts (an arrangement that covers every subject, a
subject with no evidence yet, the JCQ criteria verdict). Saying them in one place keeps
the wording the same on every screen, and lets the words be tested without a window.
Nothing here touches Qt or the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from sendesk.rules import jcq
from sendesk.rules.dates import dmy

if TYPE_CHECKING:
    from sendesk.services.access.records import NwwItem

ALL_SUBJECTS = "All subjects"
NO_EVIDENCE = "none yet"


def subjects_text(subjects: Sequence[str]) -> str:
    """ "All subjects" for an arrangement with no subjects, else the subjects in order."""
    return ", ".join(subjects) if subjects else ALL_SUBJECTS


def evidence_text(by_subject: Mapping[str, date | None]) -> str:
    """The latest normal-way-of-working evidence per subject, in one line.

    ``Maths 12/01/2026; English none yet`` — subjects in alphabetical order so the same
    arrangement always reads the same way.
    """
    if not by_subject:
        return "No subjects taught on file"
    return "; ".join(
        f"{subject} {dmy(on, NO_EVIDENCE)}" for subject, on in sorted(by_subject.items())
    )


SHORT_EVIDENCE_SUBJECTS = 3
"""Up to this many subjects a table cell lists each; beyond it, the cell sums them up."""


def evidence_summary(by_subject: Mapping[str, date | None]) -> str:
    """The evidence per subject short enough for a table cell.

    Up to three subjects are listed as :func:`evidence_text` does; more become
    ``Used in 3 of 11 subjects, latest 20/11/2026`` (the full list goes in a tooltip).
    """
    if len(by_subject) <= SHORT_EVIDENCE_SUBJECTS:
        return evidence_text(by_subject)
    dates = [on for on in by_subject.values() if on is not None]
    if not dates:
        return f"None yet in {len(by_subject)} subjects"
    return f"Used in {len(dates)} of {len(by_subject)} subjects, latest {dmy(max(dates))}"


def evidence_gaps(by_subject: Mapping[str, date | None]) -> list[str]:
    """Subjects with no evidence at all, alphabetically."""
    return sorted(subject for subject, on in by_subject.items() if on is None)


def arrangement_name(key: str) -> str:
    """The arrangement's name as JCQ lists it, or the key itself for one no longer known."""
    found = jcq.ARRANGEMENTS.get(key)
    return found.name if found is not None else key


def evidence_route_text(route: str) -> str:
    """An evidence route's key in words ("The SENCo's picture of need")."""
    return jcq.EVIDENCE_ROUTES.get(route, route)


def status_text(status: str) -> str:
    """A status with a capital letter, as a table cell shows it."""
    return status[:1].upper() + status[1:]


def task_text(item: NwwItem) -> str:
    """ "Mock: Paper 1" — the kind of task, and the task when one is named."""
    kind = status_text(item.task_kind)
    return f"{kind}: {item.task}" if item.task else kind


def verdict_lines(verdict: jcq.Verdict | None, needs_scores: bool) -> list[str]:
    """The criteria verdict as lines a person reads: a headline, then each reason."""
    if verdict is None:
        if needs_scores:
            return [
                "Criteria not checked: no assessment is linked. This arrangement needs "
                "standardised scores from a specialist assessment (Form 8)."
            ]
        return []
    if not needs_scores:
        return list(verdict.reasons)  # they name the evidence that decides it instead
    headline = "Criteria met." if verdict.met else "Criteria not met."
    return [headline, *verdict.reasons]


def bullets(lines: Iterable[str]) -> str:
    """Lines as a plain-text bulleted list (one per line)."""
    return "\n".join(f"• {line}" for line in lines)


def scores_for_check(
    scores: Iterable[tuple[str, int, str]], taken_on: date | None
) -> tuple[list[jcq.Score], list[str]]:
    """(area, score, test) triples as :class:`jcq.Score`, and a sentence for each one
    the rules refuse (an unknown area, a score no test gives), so a verdict can still be
    shown for the rest."""
    good: list[jcq.Score] = []
    refused: list[str] = []
    for area, score, test in scores:
        try:
            good.append(jcq.Score(area, score, taken_on=taken_on, test=test or None))
        except ValueError as exc:
            refused.append(str(exc))
    return good, refused


__all__ = [
    "ALL_SUBJECTS",
    "NO_EVIDENCE",
    "arrangement_name",
    "bullets",
    "dmy",
    "evidence_gaps",
    "evidence_route_text",
    "evidence_summary",
    "evidence_text",
    "scores_for_check",
    "status_text",
    "subjects_text",
    "task_text",
    "verdict_lines",
]
