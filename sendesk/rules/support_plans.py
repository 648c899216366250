"""Support plans: the rules one assess–plan–do–review cycle must keep.

Why this module exists: a support plan is what a panel reads to see what the school tried
and what came of it. A plan with one vague outcome, a review date before it started, or a
review that leaves outcomes unjudged cannot show that. These pure functions say what is
wrong with a plan or a review as the SENCo types it (the editor shows the same sentences
before OK is offered) and again when the service saves it, so the two never disagree.

The rules:

- 2 to 5 outcomes, each with its text and one of the four broad areas of need it serves
  (Code of Practice 2014, 6.28–6.35); no outcome twice.
- The review is due after the plan starts, and within a year of it: a cycle is reviewed
  at least termly in practice (Code of Practice 6.65 asks for three meetings a year with
  parents), so a review more than a year out is a typing slip, not a plan.
- Provision is an intervention, an in-class strategy, equipment or staff time, each with
  a description; minutes a week, when given, are a positive number within a school week;
  only an intervention may name a programme from the catalogue.
- A review judges every outcome of the plan achieved, partly achieved or not achieved,
  is dated no earlier than the plan's start and not in the future, and says what changes
  next.
- A new cycle starts from the last review (:func:`carried_over`): the outcomes that were
  only partly achieved or not achieved become its starting outcomes, in their order.
- The SEN Support rhythm (Code of Practice 6.65: schools should meet parents at least three
  times each year): a review set more than a term (16 weeks) after the plan starts draws a
  warning, not a refusal (:func:`rhythm_warnings`); a pupil on SEN support with fewer than
  three meetings with parents in the last 12 months shows on "what's due"
  (:func:`meetings_in_last_year` counts them, whatever records them).

Problems are clauses ("outcome 2 has no area of need"); :func:`sentence` joins them for a
message box, :func:`as_sentences` lists them for an inline reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sendesk.rules.census import Area
from sendesk.rules.sentences import as_sentences, sentence

MIN_OUTCOMES = 2
MAX_OUTCOMES = 5
OUTCOME_TEXT_MAX = 2_000  # a SMART outcome is a sentence or two, not an essay
TEXT_MAX = 20_000  # assessment, views, summary, next steps: a page or two each
DESCRIPTION_MAX = 1_000
MINUTES_PER_WEEK_MAX = 60 * 40  # no more staff time than a whole school week
LONGEST_CYCLE = timedelta(days=366)
DEFAULT_CYCLE = timedelta(weeks=12)  # about a term: the usual review interval
TERM = timedelta(weeks=16)  # the longest a term runs: a review further off skips a term
MEETINGS_A_YEAR = 3  # Code of Practice 6.65: meet parents at least three times each year

AREAS: tuple[str, ...] = tuple(a.value for a in Area)
"""The four broad areas of need an outcome may serve, in the Code of Practice order."""

PROVISION_KINDS: dict[str, str] = {
    "intervention": "Intervention",
    "strategy": "In-class strategy",
    "equipment": "Equipment",
    "staff": "Staff time",
}
"""Kinds of planned provision and how the screens name them."""

RESULTS: dict[str, str] = {
    "achieved": "Achieved",
    "partly": "Partly achieved",
    "not": "Not achieved",
}
"""How a review judges an outcome, and how the screens name each judgement."""

CARRIED_RESULTS = ("partly", "not")
"""Results whose outcomes carry over into the next cycle."""


@dataclass(frozen=True)
class OutcomeDraft:
    """A SMART outcome as typed; ``id`` names the stored outcome it edits (None: new)."""

    text: str
    area: str
    id: int | None = None


@dataclass(frozen=True)
class ProvisionDraft:
    """One piece of planned provision as typed."""

    kind: str
    description: str
    minutes_per_week: int | None = None
    intervention_id: int | None = None


@dataclass(frozen=True)
class PlanDraft:
    """Everything the SENCo writes for one cycle before its review."""

    start_date: date
    review_due: date
    assessment: str = ""
    outcomes: tuple[OutcomeDraft, ...] = ()
    provisions: tuple[ProvisionDraft, ...] = ()
    pupil_views: str = ""
    parent_views: str = ""


@dataclass(frozen=True)
class PreviousOutcome:
    """An outcome of a reviewed plan as the next cycle sees it."""

    text: str
    area: str
    result: str | None


@dataclass(frozen=True)
class ReviewDraft:
    """A review as typed: a result (and comment) per outcome id, the summary, next steps."""

    reviewed_on: date
    results: Mapping[int, str]
    comments: Mapping[int, str] = field(default_factory=dict)
    review_summary: str = ""
    next_steps: str = ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def outcome_problems(outcomes: Sequence[OutcomeDraft]) -> list[str]:
    """What is wrong with a plan's outcomes (empty when nothing is)."""
    problems: list[str] = []
    n = len(outcomes)
    if n < MIN_OUTCOMES:
        problems.append(
            f"a plan needs at least {MIN_OUTCOMES} outcomes (it has {n})"
            if n
            else f"a plan needs {MIN_OUTCOMES} to {MAX_OUTCOMES} outcomes (it has none)"
        )
    elif n > MAX_OUTCOMES:
        problems.append(f"a plan has at most {MAX_OUTCOMES} outcomes (it has {n})")
    seen: dict[str, int] = {}
    for i, outcome in enumerate(outcomes, start=1):
        text = outcome.text.strip()
        if not text:
            problems.append(f"outcome {i} has no text")
        elif len(text) > OUTCOME_TEXT_MAX:
            problems.append(f"outcome {i} is longer than {OUTCOME_TEXT_MAX:,} characters")
        else:
            key = " ".join(text.casefold().split())
            if key in seen:
                problems.append(f"outcome {i} repeats outcome {seen[key]}")
            else:
                seen[key] = i
        if not outcome.area:
            problems.append(f"outcome {i} has no area of need")
        elif outcome.area not in AREAS:
            problems.append(f"outcome {i} names '{outcome.area}', which is not an area of need")
    return problems


def provision_problems(provisions: Sequence[ProvisionDraft]) -> list[str]:
    """What is wrong with a plan's provision (empty when nothing is; none at all is fine)."""
    problems: list[str] = []
    for i, item in enumerate(provisions, start=1):
        if item.kind not in PROVISION_KINDS:
            kinds = ", ".join(k.lower() for k in PROVISION_KINDS.values())
            problems.append(f"provision {i} is of no known kind (choose one of: {kinds})")
        description = item.description.strip()
        if not description:
            problems.append(f"provision {i} has no description")
        elif len(description) > DESCRIPTION_MAX:
            problems.append(f"provision {i} is longer than {DESCRIPTION_MAX:,} characters")
        minutes = item.minutes_per_week
        if minutes is not None and (
            isinstance(minutes, bool) or not 0 < minutes <= MINUTES_PER_WEEK_MAX
        ):
            problems.append(
                f"provision {i}: minutes a week must be between 1 and {MINUTES_PER_WEEK_MAX:,}"
            )
        if item.intervention_id is not None and item.kind != "intervention":
            problems.append(f"provision {i} names a catalogue intervention but is not one")
    return problems


def date_problems(
    start_date: date, review_due: date, *, not_before: date | None = None
) -> list[str]:
    """What is wrong with a cycle's dates.

    ``not_before`` is the date the previous cycle was reviewed: a new cycle starts from that
    review, so it cannot start before it.
    """
    problems: list[str] = []
    if review_due <= start_date:
        problems.append(
            f"the review is due {review_due:%d/%m/%Y}, which is not after the plan starts "
            f"({start_date:%d/%m/%Y})"
        )
    elif review_due - start_date > LONGEST_CYCLE:
        problems.append(
            f"the review is due more than a year after the plan starts "
            f"({start_date:%d/%m/%Y} to {review_due:%d/%m/%Y}); review at least once a year"
        )
    if not_before is not None and start_date < not_before:
        problems.append(
            f"the plan cannot start before the last cycle's review on {not_before:%d/%m/%Y}"
        )
    return problems


def text_problems(draft: PlanDraft) -> list[str]:
    """Texts too long to be what they say they are (a paste gone wrong)."""
    problems: list[str] = []
    for label, text in (
        ("the assessment is", draft.assessment),
        ("the pupil's views are", draft.pupil_views),
        ("the parents' views are", draft.parent_views),
    ):
        if len(text) > TEXT_MAX:
            problems.append(f"{label} longer than {TEXT_MAX:,} characters")
    return problems


def plan_problems(draft: PlanDraft, *, not_before: date | None = None) -> list[str]:
    """Every rule ``draft`` breaks, dates first then outcomes then provision."""
    return [
        *date_problems(draft.start_date, draft.review_due, not_before=not_before),
        *outcome_problems(draft.outcomes),
        *provision_problems(draft.provisions),
        *text_problems(draft),
    ]


def review_problems(
    review: ReviewDraft,
    outcome_ids: Sequence[int],
    start_date: date,
    today: date,
) -> list[str]:
    """Every rule a review breaks for a plan with ``outcome_ids`` that began ``start_date``.

    Outcomes are named by their position in the plan (1 is the first), as the user sees them.
    """
    problems: list[str] = []
    if review.reviewed_on < start_date:
        problems.append(
            f"the review date {review.reviewed_on:%d/%m/%Y} is before the plan started "
            f"({start_date:%d/%m/%Y})"
        )
    if review.reviewed_on > today:
        problems.append("the review date cannot be in the future")
    position = {oid: i for i, oid in enumerate(outcome_ids, start=1)}
    missing = [position[oid] for oid in outcome_ids if not review.results.get(oid)]
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        problems.append(
            f"say whether outcome {numbers} was achieved, partly achieved or not achieved"
            if len(missing) == 1
            else f"say whether outcomes {numbers} were achieved, partly achieved or not achieved"
        )
    for oid in outcome_ids:
        result = review.results.get(oid)
        if result and result not in RESULTS:
            problems.append(f"outcome {position[oid]} has an unknown result '{result}'")
    strangers = (set(review.results) | set(review.comments)).difference(position)
    if strangers:
        problems.append(f"the review names {_count(len(strangers), 'outcome')} not in this plan")
    for oid, comment in review.comments.items():
        if oid in position and len(comment) > OUTCOME_TEXT_MAX:
            problems.append(
                f"the comment on outcome {position[oid]} is longer than "
                f"{OUTCOME_TEXT_MAX:,} characters"
            )
    if not review.next_steps.strip():
        problems.append("say what changes next (even if it is to carry on as before)")
    for label, text in (
        ("the review summary", review.review_summary),
        ("what changes next", review.next_steps),
    ):
        if len(text) > TEXT_MAX:
            problems.append(f"{label} is longer than {TEXT_MAX:,} characters")
    return problems


def carried_over(previous: Sequence[PreviousOutcome]) -> tuple[OutcomeDraft, ...]:
    """The starting outcomes of the next cycle: those the last review found partly
    achieved or not achieved, with their text and area, in their order.

    Achieved outcomes are done; an outcome never judged (a plan not yet reviewed) is not
    carried either, because nothing says it needs more work.
    """
    return tuple(OutcomeDraft(o.text, o.area) for o in previous if o.result in CARRIED_RESULTS)


def default_review_due(start_date: date) -> date:
    """The review date offered for a new cycle: about a term (twelve weeks) on."""
    return start_date + DEFAULT_CYCLE


def rhythm_warnings(start_date: date, review_due: date) -> list[str]:
    """Warnings (not refusals) about a cycle's length: a review more than a term away.

    Code of Practice 6.65: parents of a pupil on SEN support should be met at least three
    times a year, so each cycle's review is normally termly. A longer cycle may be right for
    one pupil, so the SENCo is told, not stopped.
    """
    if review_due - start_date <= TERM:
        return []
    weeks = (review_due - start_date).days // 7
    return [
        f"the review is {weeks} weeks after the plan starts, more than a term (16 weeks): "
        "the Code of Practice (6.65) expects parents to be met at least three times a year, "
        "so a review each term"
    ]


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return date(day.year - 1, 2, 28)


def meetings_in_last_year(days: Iterable[date], today: date) -> int:
    """How many different days in the 12 months up to ``today`` parents were met.

    Fed today with support-plan reviews and plan starts with parents' views recorded; a
    meeting log can add its dates. Two records of one day (a review and the next plan
    starting) are one meeting.
    """
    since = year_before(today)
    return len({d for d in days if since < d <= today})


__all__ = [
    "AREAS",
    "CARRIED_RESULTS",
    "DEFAULT_CYCLE",
    "LONGEST_CYCLE",
    "MAX_OUTCOMES",
    "MEETINGS_A_YEAR",
    "MIN_OUTCOMES",
    "PROVISION_KINDS",
    "RESULTS",
    "TERM",
    "OutcomeDraft",
    "PlanDraft",
    "PreviousOutcome",
    "ProvisionDraft",
    "ReviewDraft",
    "as_sentences",
    "carried_over",
    "date_problems",
    "default_review_due",
    "meetings_in_last_year",
    "outcome_problems",
    "plan_problems",
    "provision_problems",
    "review_problems",
    "rhythm_warnings",
    "sentence",
    "year_before",
]
