"""Readiness of an EHC needs assessment request pack: what a panel looks for, ticked or not.

Why this module exists: a local authority decides whether to assess "on the paperwork"
(seeds/002: a multi-agency panel with no school or parent in the room). A request that
lacks the child's views, a second reviewed support plan or a dated psychologist's report is
sent back or turned down weeks later, and the child waits. These pure functions read the
facts a service gathers from the database (:class:`PackFacts`) against one LA's rules
(:class:`LaRules`) and say, item by item, what is there and what is missing, in sentences
the SENCo can act on; the pack's cover page lists the missing ones. Being pure, the check
the SENCo sees on screen and the one printed in the pack cannot disagree.

A missing item never blocks a request. The legal test for assessing (Children and Families
Act 2014 s36(8): the child has or may have SEN and may need provision through a plan) asks
for none of this; an LA's own demand for a set number of cycles or £6,000 spent is not part
of it. The check says what a panel will look for so the school can supply it, or say why
not.

What the items ask (see ``reference/records-and-funding.md`` for the LA forms they come
from), in the order of :data:`ITEM_KEYS`:

- ``consent``: a parent's consent, or the young person's own once compulsory school age has
  ended (:func:`sendesk.rules.timeline.is_young_person`, on the day of the check).
- ``pupil_views``, ``parent_views``: some text in each.
- ``needs``: a description for every area of need the pupil has a recorded need in.
- ``attendance``: a percentage, running to within about a term of the check
  (:data:`ATTENDANCE_MAX_AGE`).
- ``attainment``: a snapshot near now and one near 6 or 12 months ago; each point in time
  takes the snapshot nearest it within :data:`POINT_TOLERANCE`, a snapshot standing for
  one point only (as the pack's progress table chooses them).
- ``cycles``: at least :attr:`LaRules.reviewed_cycles` cycles that have been reviewed; a
  cycle whose review is missing or still to come does not count.
- ``interventions``: each with an entry and an exit measure, so its impact can be shown; one
  still running has no exit measure yet and is "in progress", not missing.
- ``cost``: the provision's cost a year, said against the notional SEN threshold. It is
  ticked whenever a cost is recorded, below the threshold too: the figure is what a panel
  needs, and spending £6,000 first is an LA's expectation, not part of the legal test
  (CFA 2014 s36(8)). The service works the figure out and says what it is
  (``provision_cost_basis``); this check only compares it.
- ``professional_advice``: at least one report from an outside professional, every report
  attached.
- ``report_age``: no report older than the LA's limit. "Older than 12 months" means
  more than 12 calendar months to the day: a report dated 15/03/2025 is within a 12-month
  limit up to and including 15/03/2026 and older from 16/03/2026 (:func:`current_until`;
  a date that month lacks, such as the 31st, becomes the month's last day). An undated
  report is flagged, since its age cannot be shown.
- ``health_social_care``: information where known, or a record that none is known.
- ``school_contact``: the school's named contact for the LA — the SENCo's name, a phone
  number and an email address (LA request forms ask who to ring about the request).
- ``sign_off``: who signed the request off for the school (the head teacher or the SENCo,
  with their role) and when — the forms' signature block.
- ``vague_wording``: no outcome or provision line using wording a plan cannot be held to
  (:func:`vague_phrases`), such as "regular", "access to" or "as needed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sendesk.rules.census import Area
from sendesk.rules.dates import add_months
from sendesk.rules.timeline import end_of_compulsory_school_age, is_young_person

CONSENT_OWN_AGE = 16  # the age they turn in the school year whose June ends compulsory age
DEFAULT_REVIEWED_CYCLES = 2
DEFAULT_REPORT_MAX_AGE_MONTHS = 12
DEFAULT_NOTIONAL_THRESHOLD = Decimal("6000")  # DfE notional SEN budget operational guide
DEFAULT_WEEKS_PER_YEAR = 38  # school weeks: how LAs cost weekly provision
REVIEWED_CYCLES_RANGE = (1, 6)
REPORT_MAX_AGE_RANGE = (6, 36)
WEEKS_PER_YEAR_RANGE = (1, 52)
ATTENDANCE_MAX_AGE = timedelta(days=92)  # about a term: older figures miss the latest term
POINT_TOLERANCE = timedelta(days=92)  # as the pack's "now, 6 and 12 months ago" table
ATTAINMENT_POINTS_MONTHS = (0, 6, 12)
EXCERPT_WIDTH = 70
OPENING_WIDTH = 60  # how much of the views or health text an item quotes
_PENNY = Decimal("0.01")

DEFAULT_SECTION_ORDER: tuple[str, ...] = (
    "about",
    "views",
    "needs",
    "attendance",
    "attainment",
    "graduated_response",
    "interventions",
    "provision_costs",
    "professional_advice",
    "health_social_care",
    "evidence_index",
)
"""The pack's sections in the order most LA request forms follow."""

SECTION_TITLES: dict[str, str] = {
    "about": "About the child or young person",
    "views": "Views, wishes and feelings",
    "needs": "Needs and strengths in each area",
    "attendance": "Attendance",
    "attainment": "Attainment and progress",
    "graduated_response": "The graduated response: support plans and reviews",
    "interventions": "Interventions and their impact",
    "provision_costs": "Costed provision",
    "professional_advice": "Advice from professionals",
    "health_social_care": "Health and social care",
    "evidence_index": "Index of evidence",
}
"""The heading each section of the pack shows, by section key."""

ITEM_KEYS: tuple[str, ...] = (
    "consent",
    "pupil_views",
    "parent_views",
    "needs",
    "attendance",
    "attainment",
    "cycles",
    "interventions",
    "cost",
    "professional_advice",
    "report_age",
    "health_social_care",
    "school_contact",
    "sign_off",
    "vague_wording",
)
"""The readiness items in the order :func:`readiness` returns them (the pack's order)."""


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaRules:
    """What one local authority asks of a request (defaults: what most LAs ask)."""

    name: str
    reviewed_cycles: int = DEFAULT_REVIEWED_CYCLES
    report_max_age_months: int = DEFAULT_REPORT_MAX_AGE_MONTHS
    notional_threshold: Decimal = DEFAULT_NOTIONAL_THRESHOLD
    staff_rate_per_hour: Decimal | None = None  # the LA's costing rate; None: school's costs
    weeks_per_year: int = DEFAULT_WEEKS_PER_YEAR
    section_order: tuple[str, ...] = DEFAULT_SECTION_ORDER


@dataclass(frozen=True)
class CycleFact:
    """One assess–plan–do–review cycle: when it began, its review (None: not yet), and the
    text of each outcome and each provision line as written."""

    started_on: date
    reviewed_on: date | None = None
    outcomes: tuple[str, ...] = ()
    provision: tuple[str, ...] = ()


@dataclass(frozen=True)
class InterventionFact:
    """One intervention the pupil had, whether it has an entry and an exit measure, and
    whether the pupil is still in it (``running``: no exit measure is due yet)."""

    name: str
    entry_measure: bool
    exit_measure: bool
    running: bool = False


@dataclass(frozen=True)
class ReportFact:
    """A report from an outside professional (EP, SALT, OT, CAMHS…)."""

    agency: str
    title: str = ""
    dated: date | None = None
    attached: bool = False


@dataclass(frozen=True)
class PackFacts:
    """Everything the check reads about one pupil, as plain values.

    ``need_areas`` are the areas the pupil has a recorded need in; ``need_descriptions``
    the text describing each (areas may be :class:`Area` members or their string values).
    ``attendance_to`` is the last day the attendance figure covers. ``attainment_dates``
    are the dates of attainment snapshots (repeats are fine: one date is one point in
    time). ``provision_cost_per_year`` is the yearly cost set against the notional
    threshold and ``provision_cost_basis`` what that figure is ("the full-year cost of the
    provision in place now"). ``senco_*`` are the school's named contact; ``signed_off_*``
    the request's sign-off.
    """

    date_of_birth: date
    consent_recorded_on: date | None = None  # a parent's consent
    young_person_consent_on: date | None = None
    pupil_views: str = ""
    parent_views: str = ""
    need_areas: tuple[Area, ...] = ()
    need_descriptions: Mapping[Area, str] = field(default_factory=dict)
    cycles: tuple[CycleFact, ...] = ()
    interventions: tuple[InterventionFact, ...] = ()
    attendance_percent: float | None = None
    attendance_to: date | None = None
    attainment_dates: tuple[date, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    provision_cost_per_year: Decimal | None = None
    provision_cost_basis: str = ""
    health_info: str | None = None
    health_none_known: bool = False
    senco_name: str = ""
    senco_phone: str = ""
    senco_email: str = ""
    signed_off_by: str = ""
    signed_off_role: str = ""
    signed_off_on: date | None = None


# --- outputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessItem:
    """One thing a panel looks for: ticked (``ok``) or flagged, with the reason the user
    reads and any lines naming what is missing."""

    key: str
    label: str
    ok: bool
    reason: str
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class VagueFinding:
    """A vague phrase in a text: the phrase (lower case), as written, where, and what to do."""

    phrase: str
    matched: str
    start: int
    end: int
    suggestion: str


# --- vague wording -----------------------------------------------------------------------

_HOW_OFTEN = 'with how often and for how long (e.g. "3 × 20 minutes a week")'
_WHAT_EXACTLY = (
    "with what the pupil will receive, from whom, how often and for how long "
    '(e.g. "1:1 with a teaching assistant, 3 × 20 minutes a week")'
)
_WHEN_EXACTLY = (
    'with when it happens and who decides (e.g. "at the start of every maths lesson, '
    'by the class teacher")'
)
_WHO_WHAT = (
    "with who does what, how often and for how long "
    '(e.g. "a teaching assistant reads questions aloud in every maths lesson")'
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    "thirty|forty|fifty|hundred|thousand"
)
_QUOTES = "'\"‘’“”"

VAGUE_PHRASES: dict[str, str] = {
    "regular": _HOW_OFTEN,
    "regularly": _HOW_OFTEN,
    "frequent": _HOW_OFTEN,
    "frequently": _HOW_OFTEN,
    "access to": _WHAT_EXACTLY,
    "opportunities for": _WHAT_EXACTLY,
    "opportunities to": _WHAT_EXACTLY,
    "as required": _WHEN_EXACTLY,
    "when required": _WHEN_EXACTLY,
    "if required": _WHEN_EXACTLY,
    "as needed": _WHEN_EXACTLY,
    "when needed": _WHEN_EXACTLY,
    "if needed": _WHEN_EXACTLY,
    "when necessary": _WHEN_EXACTLY,
    "if necessary": _WHEN_EXACTLY,
    "as necessary": _WHEN_EXACTLY,
    "where appropriate": _WHEN_EXACTLY,
    "as appropriate": _WHEN_EXACTLY,
    "up to": 'with the amount the pupil will get (e.g. "3 sessions a week", not "up to 3")',
    "support with": _WHO_WHAT,
    "some": 'with a number or amount (e.g. "8 of 10 words", "2 lessons a week")',
}
"""Phrases a plan cannot be held to, each with what to write instead.

"Regular access to speech therapy" promises nothing anyone can check; provision must say
who does what, how often and for how long, and an outcome what will be achieved by when.
Judged false positives are left out: "regular" as grammar or phonics ("regular verbs",
"regular and irregular words"), "access to the curriculum" (a purpose, not provision), "up
to date", "a group of up to 6" (the group's size, not what the pupil gets), and in outcomes
"up to" a number ("count up to 20" is a range, not a hedge). A phrase inside quotation
marks is being mentioned ("spell 'some' and 'come'"), not used.
"""

_NOT_AFTER: dict[str, str] = {
    "regular": (
        r"\s+(?:(?:and|or)\s+irregular|verbs?|words?|past|tense|plurals?|polygons?|shapes?"
        r"|spellings?|patterns?)(?![\w-])"
    ),
    "access to": r"\s+(?:the\s+)?(?:curriculum|learning)(?![\w-])",
    "up to": r"\s+date(?![\w-])",
}
_OUTCOME_NOT_AFTER: dict[str, str] = {
    "up to": rf"\s+(?:£|\d|(?:{_NUMBER_WORDS})(?!\w))",
}
_NOT_BEFORE: dict[str, re.Pattern[str]] = {
    "up to": re.compile(r"(?<!\w)groups?\s+(?:size\s+)?(?:of\s+)?$", re.IGNORECASE),
}


def _pattern(phrase: str, not_after: str | None) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    tail = f"(?!{not_after})" if not_after else ""
    return re.compile(rf"(?<!\w){words}(?!\w){tail}", re.IGNORECASE)


_PATTERNS: dict[str, re.Pattern[str]] = {p: _pattern(p, _NOT_AFTER.get(p)) for p in VAGUE_PHRASES}
_OUTCOME_PATTERNS: dict[str, re.Pattern[str]] = {
    p: _pattern(p, "|".join(x for x in (_NOT_AFTER.get(p), _OUTCOME_NOT_AFTER.get(p)) if x))
    for p in VAGUE_PHRASES
}


def suggestion(phrase: str) -> str:
    """What to write instead of ``phrase`` (one of :data:`VAGUE_PHRASES`), as a sentence."""
    return f'Replace "{phrase}" {VAGUE_PHRASES[phrase]}.'


def advice(phrases: Iterable[str]) -> str:
    """One sentence per kind of advice for ``phrases``, phrases sharing it named together:
    'Replace "as needed" or "where appropriate" with when it happens…'."""
    grouped: dict[str, list[str]] = {}
    for phrase in dict.fromkeys(phrases):
        grouped.setdefault(VAGUE_PHRASES[phrase], []).append(f'"{phrase}"')
    return " ".join(
        f"Replace {' or '.join(names)} {instead}." for instead, names in grouped.items()
    )


def vague_phrases(text: str, *, outcome: bool = False) -> list[VagueFinding]:
    """The vague phrases in ``text``, in the order they appear.

    Matching ignores case and takes whole words only ("upregular" and "groupup to" hold
    none); words may be split by any whitespace. ``outcome=True`` reads the text as an
    outcome, where "up to" a number is a range ("count up to 20") rather than a hedge.
    """
    patterns = _OUTCOME_PATTERNS if outcome else _PATTERNS
    found: list[VagueFinding] = []
    for phrase, pattern in patterns.items():
        for m in pattern.finditer(text):
            before = text[m.start() - 1 : m.start()]
            after = text[m.end() : m.end() + 1]
            if before and after and before in _QUOTES and after in _QUOTES:
                continue
            if (not_before := _NOT_BEFORE.get(phrase)) and not_before.search(text, 0, m.start()):
                continue
            found.append(VagueFinding(phrase, m.group(), m.start(), m.end(), suggestion(phrase)))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[VagueFinding] = []
    for f in found:
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def excerpt(text: str, start: int, end: int, width: int = EXCERPT_WIDTH) -> str:
    """About ``width`` characters of ``text`` around ``start``–``end``, cut at spaces, with
    "…" where text was left out (the whole text when it is short enough)."""
    if len(text) <= width:
        return text
    half = max(width - (end - start), 0) // 2
    left, right = max(start - half, 0), min(end + half, len(text))
    if left == 0:
        right = min(max(width, end), len(text))
    elif right == len(text):
        left = max(min(len(text) - width, start), 0)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    return head + text[left:right].strip() + tail


# --- money and dates ---------------------------------------------------------------------


def annual_cost(minutes_per_week: int, rate_per_hour: Decimal, weeks: int = 38) -> Decimal:
    """The cost a year of ``minutes_per_week`` of staff time at ``rate_per_hour`` for
    ``weeks`` weeks, to the penny (halves rounded up), as LAs cost provision."""
    if minutes_per_week < 0 or weeks < 0 or rate_per_hour < 0:
        raise ValueError("minutes, rate and weeks cannot be negative")
    return (Decimal(minutes_per_week) * rate_per_hour * weeks / 60).quantize(
        _PENNY, rounding=ROUND_HALF_UP
    )


def money(amount: Decimal) -> str:
    """ "£4,320" for whole pounds, "£4,320.50" otherwise (to the penny, halves up)."""
    pence = amount.quantize(_PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    if pence == pence.to_integral_value():
        return f"{sign}£{int(pence):,}"
    return f"{sign}£{pence:,.2f}"


def current_until(dated: date, max_age_months: int) -> date:
    """The last day a report dated ``dated`` is within a ``max_age_months`` limit."""
    return add_months(dated, max_age_months)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day`` (born 29 February: a year older on 1 March in other
    years)."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


# --- the LA's rules ----------------------------------------------------------------------


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def la_rules_problems(rules: LaRules) -> list[str]:
    """What is wrong with an LA's rules as the SENCo set them (empty when nothing is)."""
    problems: list[str] = []
    if not rules.name.strip():
        problems.append("the local authority has no name")
    for label, value, (low, high) in (
        ("reviewed cycles", rules.reviewed_cycles, REVIEWED_CYCLES_RANGE),
        ("the oldest report (in months)", rules.report_max_age_months, REPORT_MAX_AGE_RANGE),
        ("weeks a year", rules.weeks_per_year, WEEKS_PER_YEAR_RANGE),
    ):
        if not _whole(value) or not low <= value <= high:
            problems.append(f"{label} must be a whole number from {low} to {high} (not {value})")
    for label, amount in (
        ("the notional SEN threshold", rules.notional_threshold),
        ("the staff rate an hour", rules.staff_rate_per_hour),
    ):
        if amount is None:
            continue
        if not isinstance(amount, Decimal) or not amount.is_finite():
            problems.append(f"{label} is not an amount of money")
        elif amount < 0:
            problems.append(f"{label} cannot be negative ({money(amount)})")
    seen: set[str] = set()
    unknown: list[str] = []
    repeated: list[str] = []
    for key in rules.section_order:
        if key not in SECTION_TITLES:
            unknown.append(key)
        elif key in seen:
            repeated.append(key)
        seen.add(key)
    if unknown:
        problems.append(f"unknown sections in the order: {', '.join(unknown)}")
    if repeated:
        problems.append(f"sections appear twice in the order: {', '.join(repeated)}")
    left_out = [k for k in DEFAULT_SECTION_ORDER if k not in seen]
    if left_out:
        problems.append(f"the order leaves out: {', '.join(left_out)}")
    return problems


# --- the check ---------------------------------------------------------------------------


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _opening(text: str, width: int = OPENING_WIDTH) -> str:
    """The start of ``text`` up to about ``width`` characters, cut at a space, with "…"
    when some is left out."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width + 1)
    head = text[: cut if cut > 0 else width].rstrip(" ,;:.-–—")
    return head + "…"


def _consent(facts: PackFacts, today: date) -> ReadinessItem:
    # The young person's own consent from the end of compulsory school age (CFA 2014
    # s83(2), Education Act 1996 s8), not from the 16th birthday.
    if is_young_person(facts.date_of_birth, today):
        label = "Young person's consent"
        if facts.young_person_consent_on is not None:
            return ReadinessItem(
                "consent",
                label,
                True,
                f"Recorded on {_d(facts.young_person_consent_on)}.",
            )
        ended = _d(end_of_compulsory_school_age(facts.date_of_birth))
        reason = (
            f"Compulsory school age ended on {ended}, so the young person's own consent is "
            "needed, and none is recorded."
        )
        detail: tuple[str, ...] = ()
        if facts.consent_recorded_on is not None:
            detail = (
                f"A parent's consent was recorded on {_d(facts.consent_recorded_on)}; after "
                "compulsory school age the young person consents for themselves.",
            )
        return ReadinessItem("consent", label, False, reason, detail)
    label = "Parental consent"
    if facts.consent_recorded_on is not None:
        return ReadinessItem(
            "consent",
            label,
            True,
            f"Recorded on {_d(facts.consent_recorded_on)}.",
        )
    return ReadinessItem(
        "consent",
        label,
        False,
        "Not recorded; LA request forms ask for it.",
    )


def _recorded(text: str) -> str:
    """'Recorded: "The opening words…" (12 words).' for a text the check found."""
    words = text.split()
    return f'Recorded: "{_opening(" ".join(words))}" ({_count(len(words), "word")}).'


def _views(key: str, text: str, label: str, hint: str) -> ReadinessItem:
    if _blank(text):
        return ReadinessItem(key, label, False, f"None recorded; {hint}.")
    return ReadinessItem(key, label, True, _recorded(text))


def _needs(facts: PackFacts) -> ReadinessItem:
    label = "Needs described in each area"
    areas = {Area(a) for a in facts.need_areas}
    if not areas:
        return ReadinessItem("needs", label, False, "No area of need is recorded.")
    described = {Area(a) for a, text in facts.need_descriptions.items() if not _blank(text)}
    ordered = [a for a in Area if a in areas]
    lacking = [a.value for a in ordered if a not in described]
    if lacking:
        return ReadinessItem(
            "needs",
            label,
            False,
            f"No description yet for: {'; '.join(lacking)}.",
            tuple(lacking),
        )
    names = "; ".join(a.value for a in ordered)
    which = {1: "the one area", 2: "both areas"}.get(len(ordered), f"all {len(ordered)} areas")
    return ReadinessItem("needs", label, True, f"Described for {which} of need: {names}.")


def _percent(value: float) -> str:
    tenths = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{tenths}%"


def _attendance(facts: PackFacts, today: date) -> ReadinessItem:
    label = "Attendance over the last year"
    percent, to = facts.attendance_percent, facts.attendance_to
    if percent is None:
        return ReadinessItem("attendance", label, False, "No figure is recorded.")
    if to is None:
        return ReadinessItem(
            "attendance",
            label,
            False,
            f"{_percent(percent)}, but the date the figure runs to is not recorded.",
        )
    if today - to > ATTENDANCE_MAX_AGE:
        return ReadinessItem(
            "attendance",
            label,
            False,
            f"{_percent(percent)}, but only to {_d(to)}; give the figure for the year to date.",
        )
    return ReadinessItem(
        "attendance", label, True, f"{_percent(percent)} for the year to {_d(to)}."
    )


def _attainment_points(dates: Iterable[date], today: date) -> list[date | None]:
    available = sorted({d for d in dates if d <= today})
    chosen: list[date | None] = []
    for months in ATTAINMENT_POINTS_MONTHS:
        target = add_months(today, -months)
        near = [d for d in available if abs(d - target) <= POINT_TOLERANCE and d not in chosen]
        chosen.append(min(near, key=lambda d: (abs(d - target), -d.toordinal())) if near else None)
    return chosen


def _attainment(facts: PackFacts, today: date) -> ReadinessItem:
    label = "Attainment and progress"
    dates = sorted({d for d in facts.attainment_dates if d <= today})
    if not dates:
        return ReadinessItem("attainment", label, False, "No data is recorded.")
    now, six, twelve = _attainment_points(dates, today)
    if now is None:
        return ReadinessItem(
            "attainment",
            label,
            False,
            f"Nothing recent (the latest is from {_d(dates[-1])}); add where the pupil is now.",
        )
    if six is None and twelve is None:
        if len(dates) == 1:
            reason = (
                f"Only one snapshot ({_d(now)}); add data from 6 and 12 months "
                "ago to show progress."
            )
        else:
            reason = "Nothing from 6 or 12 months ago; add it to show progress over time."
        return ReadinessItem("attainment", label, False, reason)
    parts = [f"now ({_d(now)})"]
    detail: list[str] = []
    for months, point in ((6, six), (12, twelve)):
        if point is None:
            around = add_months(today, -months)
            detail.append(f"Nothing from about {months} months ago (around {_d(around)}).")
        else:
            parts.append(f"{months} months ago ({_d(point)})")
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ReadinessItem("attainment", label, True, f"Snapshots from {joined}.", tuple(detail))


def _cycles(facts: PackFacts, la: LaRules, today: date) -> ReadinessItem:
    label = "Reviewed support plans"
    expected = la.reviewed_cycles
    ordered = sorted(facts.cycles, key=lambda c: c.started_on)
    done = [c.reviewed_on is not None and c.reviewed_on <= today for c in ordered]
    n = sum(done)
    who = la.name.strip() or "the LA"
    expects = f"{who} looks for {expected}"
    if not ordered:
        found = "No support plan is recorded"
    elif n == 0:
        found = f"None of {_count(len(ordered), 'plan')} reviewed yet"
    else:
        found = f"{'Only ' if n < expected else ''}{n} of {_count(len(ordered), 'plan')} reviewed"
    detail = [
        f"The plan starting {_d(c.started_on)} is not reviewed yet, so it does not count."
        for c, reviewed in zip(ordered, done, strict=True)
        if not reviewed
    ]
    if n >= expected:
        return ReadinessItem("cycles", label, True, f"{found}; {expects}.", tuple(detail))
    detail.append(
        "An LA's own number of cycles is not part of the legal test for an assessment "
        "(Children and Families Act 2014 s36(8)); if there are fewer, say why now."
    )
    return ReadinessItem("cycles", label, False, f"{found}; {expects}.", tuple(detail))


def _interventions(facts: PackFacts) -> ReadinessItem:
    label = "Interventions with entry and exit measures"
    items = facts.interventions
    if not items:
        return ReadinessItem("interventions", label, False, "None recorded.")
    no_entry: list[str] = []
    no_exit: list[str] = []
    running: list[str] = []
    detail: list[str] = []
    for i in items:
        name = i.name.strip() or "(unnamed intervention)"
        exit_due = not i.exit_measure and not i.running  # none is due while it runs
        if not i.entry_measure:
            no_entry.append(name)
        if exit_due:
            no_exit.append(name)
        elif not i.exit_measure:
            running.append(name)
        lacking = [w for w, gone in (("entry", not i.entry_measure), ("exit", exit_due)) if gone]
        if lacking:
            detail.append(f"{name}: no {' or '.join(lacking)} measure.")
    in_progress = (
        f" In progress, with its exit measure to come when it ends: {'; '.join(running)}."
        if running
        else ""
    )
    if not detail:
        names = [i.name.strip() or "(unnamed intervention)" for i in items]
        if running:
            done = len(items) - len(running)
            text = (
                f"{_count(done, 'finished intervention')} with both, so "
                f"{'its' if done == 1 else 'their'} impact can be shown."
                if done
                else "Each has its entry measure."
            )
            return ReadinessItem("interventions", label, True, text + in_progress)
        if len(items) == 1:
            text = f"{names[0]} has both, so its impact can be shown."
        elif len(items) == 2:
            text = f"{names[0]} and {names[1]} both have them, so their impact can be shown."
        else:
            text = f"All {len(items)} have them, so their impact can be shown."
        return ReadinessItem("interventions", label, True, text)
    parts = []
    if no_exit:
        parts.append(f"No exit measure for: {'; '.join(no_exit)}.")
    if no_entry:
        parts.append(f"No entry measure for: {'; '.join(no_entry)}.")
    return ReadinessItem(
        "interventions", label, False, " ".join(parts) + in_progress, tuple(detail)
    )


def _cost(facts: PackFacts, la: LaRules) -> ReadinessItem:
    """The yearly cost against the notional threshold: stated, and ticked, whenever there
    is one — below the threshold as much as above it (CFA 2014 s36(8) asks for no sum)."""
    label = "Provision costs"
    threshold = money(la.notional_threshold)
    cost = facts.provision_cost_per_year
    if cost is None:
        return ReadinessItem("cost", label, False, "None recorded.")
    detail: list[str] = []
    if facts.provision_cost_basis.strip():
        detail.append(f"The figure is {facts.provision_cost_basis.strip()}.")
    against = f"against the notional SEN threshold of {threshold}"
    if cost < la.notional_threshold:
        reason = f"{money(cost)} a year {against}: {money(la.notional_threshold - cost)} below it."
        detail.append(
            "Many LAs expect the school to spend this first, but the legal test for an "
            "assessment (Children and Families Act 2014 s36(8)) does not require it."
        )
    elif cost == la.notional_threshold:
        reason = f"{money(cost)} a year {against}: exactly the threshold."
    else:
        reason = f"{money(cost)} a year {against}: {money(cost - la.notional_threshold)} above it."
    return ReadinessItem("cost", label, True, reason, tuple(detail))


def _report_name(r: ReportFact) -> str:
    agency = r.agency.strip() or "Unknown agency"
    return f"{agency}: {r.title.strip()}" if r.title.strip() else agency


def _professional_advice(facts: PackFacts) -> ReadinessItem:
    label = "Advice from professionals"
    reports = facts.reports
    if not reports:
        return ReadinessItem(
            "professional_advice",
            label,
            False,
            "None recorded; panels look for a report from an outside professional, such as "
            "an educational psychologist.",
        )
    loose = [_report_name(r) for r in reports if not r.attached]
    if loose:
        n = len(reports)
        verb = "is" if len(loose) == 1 else "are"
        return ReadinessItem(
            "professional_advice",
            label,
            False,
            f"{len(loose)} of {_count(n, 'report')} {verb} not attached: {'; '.join(loose)}.",
            tuple(f"{name}: not attached." for name in loose),
        )
    agencies = len({r.agency.strip().casefold() for r in reports})
    return ReadinessItem(
        "professional_advice",
        label,
        True,
        f"{_count(len(reports), 'report')} from {_count(agencies, 'agency', 'agencies')}, "
        "all attached.",
        tuple(_report_name(r) for r in reports),
    )


def _report_age(facts: PackFacts, la: LaRules, today: date) -> ReadinessItem:
    label = "Professional reports up to date"
    months = la.report_max_age_months
    limit = f"{months} months (the limit for {la.name})" if la.name.strip() else f"{months} months"
    if not facts.reports:
        return ReadinessItem("report_age", label, True, "No reports to check.")
    old: list[str] = []
    undated: list[str] = []
    for r in facts.reports:
        if r.dated is None:
            undated.append(f"{_report_name(r)}: undated.")
        elif today > current_until(r.dated, months):
            old.append(f"{_report_name(r)}, dated {_d(r.dated)}.")
    if not old and not undated:
        return ReadinessItem(
            "report_age", label, True, f"Every report is dated within the last {limit}."
        )
    parts = []
    if old:
        verb = "is" if len(old) == 1 else "are"
        parts.append(f"{_count(len(old), 'report')} {verb} older than {limit}.")
    if undated:
        verb, its = ("has", "its") if len(undated) == 1 else ("have", "their")
        parts.append(f"{_count(len(undated), 'report')} {verb} no date, so {its} age is unknown.")
    return ReadinessItem("report_age", label, False, " ".join(parts), (*old, *undated))


def _health(facts: PackFacts) -> ReadinessItem:
    label = "Health and social care"
    if not _blank(facts.health_info):
        return ReadinessItem("health_social_care", label, True, _recorded(facts.health_info or ""))
    if facts.health_none_known:
        return ReadinessItem("health_social_care", label, True, "Recorded as none known.")
    return ReadinessItem(
        "health_social_care",
        label,
        False,
        "Nothing recorded; record what is known, or that none is known.",
    )


def _school_contact(facts: PackFacts) -> ReadinessItem:
    """The school's named contact, as LA request forms ask (who to ring about it)."""
    label = "School's named contact"
    given = {
        "name": facts.senco_name.strip(),
        "phone number": facts.senco_phone.strip(),
        "email address": facts.senco_email.strip(),
    }
    lacking = [what for what, value in given.items() if not value]
    if not lacking:
        return ReadinessItem(
            "school_contact",
            label,
            True,
            f"{given['name']}, {given['phone number']}, {given['email address']}.",
        )
    which = " and ".join([", ".join(lacking[:-1]), lacking[-1]] if len(lacking) > 1 else lacking)
    return ReadinessItem(
        "school_contact",
        label,
        False,
        f"No SENCo {which} recorded; add {'it' if len(lacking) == 1 else 'them'} under "
        "File, School details.",
    )


def _sign_off(facts: PackFacts) -> ReadinessItem:
    """Who signed the request off for the school and when (the forms' signature block)."""
    label = "Signed off for the school"
    who, role, on = facts.signed_off_by.strip(), facts.signed_off_role.strip(), facts.signed_off_on
    if who and on is not None:
        return ReadinessItem(
            "sign_off", label, True, f"By {who}{f' ({role})' if role else ''} on {_d(on)}."
        )
    lacking = [w for w, gone in (("who", not who), ("the date", on is None)) if gone]
    return ReadinessItem(
        "sign_off",
        label,
        False,
        f"Not recorded ({' or '.join(lacking)}); LA forms ask for the head teacher's or the "
        "SENCo's signature and the date.",
    )


def _vague(facts: PackFacts) -> ReadinessItem:
    label = "Precise outcomes and provision"
    detail: list[str] = []
    outcomes = provisions = 0
    ordered = sorted(facts.cycles, key=lambda c: c.started_on)
    for cycle in ordered:
        lines = [("outcome", t, True) for t in cycle.outcomes]
        lines += [("provision", t, False) for t in cycle.provision]
        numbers = {"outcome": 0, "provision": 0}
        for kind, raw, is_outcome in lines:
            numbers[kind] += 1
            text = " ".join(raw.split())
            if not text:
                continue
            if is_outcome:
                outcomes += 1
            else:
                provisions += 1
            findings = vague_phrases(text, outcome=is_outcome)
            if not findings:
                continue
            first = findings[0]
            quoted = excerpt(text, first.start, first.end)
            detail.append(
                f'Plan starting {_d(cycle.started_on)}, {kind} {numbers[kind]}: "{quoted}" '
                f"— {advice(f.phrase for f in findings)}"
            )
    if not outcomes and not provisions:
        return ReadinessItem("vague_wording", label, True, "No outcomes or provision to check.")
    if not detail:
        return ReadinessItem(
            "vague_wording",
            label,
            True,
            f"No vague wording in {_count(outcomes, 'outcome')} and "
            f"{_count(provisions, 'provision line')}.",
        )
    n = len(detail)
    verb = "uses" if n == 1 else "use"
    return ReadinessItem(
        "vague_wording",
        label,
        False,
        f"{_count(n, 'line')} {verb} wording too vague for a plan; "
        "say who does what, how often and for how long.",
        tuple(detail),
    )


def readiness(facts: PackFacts, la: LaRules, today: date) -> list[ReadinessItem]:
    """Every readiness item for ``facts`` under ``la``'s rules on ``today``, in the order
    of :data:`ITEM_KEYS`."""
    return [
        _consent(facts, today),
        _views(
            "pupil_views",
            facts.pupil_views,
            "The pupil's views",
            'panels look for the child\'s own views ("all about me")',
        ),
        _views(
            "parent_views",
            facts.parent_views,
            "Parents' views",
            "panels look for what the parents or carers want for the child",
        ),
        _needs(facts),
        _attendance(facts, today),
        _attainment(facts, today),
        _cycles(facts, la, today),
        _interventions(facts),
        _cost(facts, la),
        _professional_advice(facts),
        _report_age(facts, la, today),
        _health(facts),
        _school_contact(facts),
        _sign_off(facts),
        _vague(facts),
    ]


def missing(items: Sequence[ReadinessItem]) -> list[ReadinessItem]:
    """The items not ticked, in their order: what the pack's cover page lists."""
    return [i for i in items if not i.ok]


__all__ = [
    "ATTENDANCE_MAX_AGE",
    "CONSENT_OWN_AGE",
    "DEFAULT_NOTIONAL_THRESHOLD",
    "DEFAULT_SECTION_ORDER",
    "ITEM_KEYS",
    "POINT_TOLERANCE",
    "SECTION_TITLES",
    "VAGUE_PHRASES",
    "CycleFact",
    "InterventionFact",
    "LaRules",
    "PackFacts",
    "ReadinessItem",
    "ReportFact",
    "VagueFinding",
    "add_months",
    "advice",
    "age_on",
    "annual_cost",
    "current_until",
    "excerpt",
    "la_rules_problems",
    "missing",
    "money",
    "readiness",
    "suggestion",
    "vague_phrases",
]
