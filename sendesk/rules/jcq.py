"""Exam access arrangements: the JCQ rules a SENCo applies before an arrangement is approved.

Why this module exists: an access arrangement that is put in place without the evidence
JCQ asks for is malpractice that can cost a candidate their results, and an inspector may
ask for the evidence at any time. The rules that decide what evidence is needed — two
qualifying scores in two *different* areas of speed of working, a picture of need completed
*before* the assessment, tests taken no earlier than Year 9 — are easy to misread at the
margins (is 85 below average? do two reading-speed tests make two areas?). Keeping them in
one pure place means the arrangement editor, the assessment form, the exams officer's list
and the inspection pack all give the same verdict in the same words.

Source: JCQ, *Adjustments for candidates with disabilities and learning difficulties —
Access Arrangements and Reasonable Adjustments* (AARA), 2025–26 edition, in force
1 September 2025 to 31 August 2026, as amended by JCQ in March 2026 (Introduction; §5.1 on
supervised rest breaks; more guidance on evidence for 25% extra time). Section numbers
marked "confirm" follow the layout of recent editions and were not checked against the
2025–26 text; figures marked "confirm" are named constants so a setting can override them.
The edition's dates are never a constant that switches the rules off: JCQ has said the
2025–26 edition stays in force for 2026–27, so the dates are an :class:`Edition` the
caller passes (the school's settings), and :func:`edition_notice` says in plain words when
today is past them — the rules go on applying.

What :func:`check` decides, and what it does not: a :class:`Verdict` says whether the
*standardised scores* given meet the arrangement's score rule, and why, score by score.
Arrangements with no score rule (a reader, a word processor, a practical assistant…) are
``met`` as far as scores go, and the reasons name the evidence that decides them instead.
The exception is 25% extra time for a medical, sensory, physical or emotional impairment:
it rests on a professional's evidence, so it is met only when the caller says that evidence
is recorded (``professional_evidence``) — never on no evidence. Every arrangement also
needs evidence of the candidate's normal way of working (AARA chapter 4: the arrangement is
how the candidate works in lessons, tests and mocks); no function here can see that, so
every verdict is a first step, never an approval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sendesk.rules.dates import add_months
from sendesk.rules.years import academic_year_of

# --- scores --------------------------------------------------------------------------------

# Areas of speed of working / cognitive processing that count towards extra time
# (AARA 2025–26 ch. 5, "Extra time", §5.2: confirm number): reading speed, reading
# comprehension speed, writing speed and cognitive processing speed. Cognitive processing
# is measured by different tests (rapid naming, a symbol-search processing speed test,
# visual processing speed, phonological processing): two *different* cognitive processing
# tests are two areas of speed of working; the same test twice is still one area.
READING_SPEED = "reading speed"
READING_COMPREHENSION_SPEED = "reading comprehension speed"
WRITING_SPEED = "writing speed"
COGNITIVE_PROCESSING_SPEED = "cognitive processing speed"
# Accuracy areas: used for a scribe (spelling accuracy), never for extra time.
READING_ACCURACY = "reading accuracy"
READING_COMPREHENSION = "reading comprehension"
SPELLING_ACCURACY = "spelling accuracy"

SPEED_AREAS: tuple[str, ...] = (
    READING_SPEED,
    READING_COMPREHENSION_SPEED,
    WRITING_SPEED,
    COGNITIVE_PROCESSING_SPEED,
)
"""Areas of speed of working and processing: the only areas that count for extra time."""

AREAS: tuple[str, ...] = (*SPEED_AREAS, READING_ACCURACY, READING_COMPREHENSION, SPELLING_ACCURACY)
"""Every area a Form 8 score may be recorded against, in the order the form lists them."""

SCRIBE_AREAS: tuple[str, ...] = (SPELLING_ACCURACY, WRITING_SPEED)
"""Areas whose below-average score supports a scribe or speech recognition technology."""

# Standardised scores have mean 100 and standard deviation 15; published tests report
# roughly 40–160, so anything outside that is a typing slip, not a score.
SCORE_MIN = 40
SCORE_MAX = 160

# 25% extra time, learning difficulty route (AARA ch. 5, "Extra time", §5.2: confirm number):
# two below-average scores (84 or less), or one below-average and one low-average (85–89),
# in two different areas of speed of working.
BELOW_AVERAGE_MAX = 84
LOW_AVERAGE_MAX = 89

# More than 25%, up to 50% extra time (AARA ch. 5, "Extra time", §5.2: confirm number):
# two very substantially below-average scores, or one of them and one below average
# (70–84), in two different areas of speed of working. confirm: 69 as the upper bound.
VERY_LOW_MAX = 69

# A scribe / speech recognition technology (AARA ch. 5, "Scribe": confirm number): a
# below-average score in spelling accuracy or writing speed. confirm: 84 as the bound, and
# whether spelling accuracy must also be "largely unrecognisable" on the assessor's note.
SCRIBE_MAX = 84


# --- the edition --------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """The AARA edition whose rules this module applies, and the dates it is in force.

    A setting, not a constant: JCQ amends an edition mid-year (March 2026) and has said the
    2025–26 edition stays in force for 2026–27, so a school keeps its dates in the
    ``setting`` table and the rules never lapse on a date written into the code.
    """

    name: str
    starts: date
    ends: date


EDITION_2025_26 = Edition(
    name="AARA 2025–26 (amended March 2026)",
    starts=date(2025, 9, 1),
    ends=date(2026, 8, 31),
)
"""The default edition: in force 1 September 2025 to 31 August 2026."""


def edition_notice(today: date, edition: Edition = EDITION_2025_26) -> str | None:
    """A plain warning when ``today`` is outside the edition's dates, else None.

    The rules still apply either way (an edition is not switched off by its end date): the
    warning asks the SENCo to check JCQ's current edition and update the dates in settings.
    """
    if today > edition.ends:
        return (
            f"The exam access rules SENDesk applies are from {edition.name}, in force until "
            f"{edition.ends:%d/%m/%Y}; today is after that. SENDesk still applies them: check "
            "JCQ's current edition and, once confirmed, update the edition's dates in settings."
        )
    if today < edition.starts:
        return (
            f"The exam access rules SENDesk applies are from {edition.name}, in force from "
            f"{edition.starts:%d/%m/%Y}; today is before that. Check the edition's dates in "
            "settings."
        )
    return None


@dataclass(frozen=True)
class Score:
    """One standardised score from an assessor's Form 8 (parts 2 and 3)."""

    area: str
    score: int
    taken_on: date | None = None
    test: str | None = None

    def __post_init__(self) -> None:
        if self.area not in AREAS:
            known = ", ".join(AREAS)
            raise ValueError(f"'{self.area}' is not a Form 8 score area (known areas: {known}).")
        if isinstance(self.score, bool) or not isinstance(self.score, int):
            raise ValueError(f"The {self.area} score must be a whole number, not {self.score!r}.")
        if not SCORE_MIN <= self.score <= SCORE_MAX:
            raise ValueError(
                f"A {self.area} score of {self.score} is not a plausible standardised score "
                f"(expected {SCORE_MIN} to {SCORE_MAX})."
            )


@dataclass(frozen=True)
class Verdict:
    """Whether the scores meet an arrangement's score rule, with a sentence per reason."""

    met: bool
    reasons: list[str] = field(default_factory=list)


# --- the catalogue -------------------------------------------------------------------------

DELEGATED = "delegated"
ONLINE = "online application"
AWARDING_BODY = "awarding body"

ROUTE_LABELS: dict[str, str] = {
    DELEGATED: "Decided in the centre (delegated)",
    ONLINE: "Needs an online application (AAO)",
    AWARDING_BODY: "Needs an awarding body decision",
}
"""How the screens say who approves an arrangement, by route."""

EVIDENCE_ROUTES: dict[str, str] = {
    "assessment": "Specialist assessment with standardised scores (Form 8)",
    "professional": "EHC plan or a professional's letter",
    "picture_of_need": "The SENCo's picture of need",
}
"""The kinds of evidence that can support an arrangement, and how the screens name them."""

SEPARATE_ROOM = "separate room"


@dataclass(frozen=True, kw_only=True)
class Arrangement:
    """One access arrangement: who approves it, what evidence it needs, where it is sat.

    ``called`` is how a sentence names it ("a reader"); ``room`` is the room it normally
    needs (None: the main exam room will do); ``evidence_routes`` are keys of
    :data:`EVIDENCE_ROUTES`, the usual one first. Most arrangements need no scores, give
    no extra time and are sat in the main room: those are the defaults, so an entry in the
    catalogue says only how it differs.
    """

    key: str
    name: str
    route: str
    evidence: str
    called: str
    evidence_routes: tuple[str, ...]
    needs_scores: bool = False
    extra_time_percent: int | None = None
    room: str | None = None


_NWW = "evidence that the arrangement is the candidate's normal way of working"


def _delegated(key: str, name: str, called: str, *, room: str | None = None) -> Arrangement:
    # Delegated arrangements (AARA ch. 5; JCQ delegates 19 to 21 of them to centres —
    # confirm the 2025–26 count): the SENCo decides on the normal way of working and keeps
    # a note of the decision; no online application and, in most cases, no evidence of need.
    return Arrangement(
        key=key,
        name=name,
        route=DELEGATED,
        room=room,
        evidence=f"The SENCo's decision, with {_NWW}.",
        called=called,
        evidence_routes=("picture_of_need", "professional"),
    )


def _modified(key: str, name: str, called: str) -> Arrangement:
    # Modified papers (AARA ch. 6, "Modified papers"): ordered from the awarding body
    # through Access Arrangements Online by the deadline for modified papers.
    return Arrangement(
        key=key,
        name=name,
        route=AWARDING_BODY,
        evidence=(
            f"Evidence of the need (for example a qualified teacher of the visually impaired's "
            f"report) and {_NWW}; ordered by the modified papers deadline."
        ),
        called=called,
        evidence_routes=("professional", "picture_of_need"),
    )


def _read_to(key: str, name: str, called: str, *, room: str | None) -> Arrangement:
    # A reader or computer reader (AARA ch. 5, "Computer reader/reader"): applied for online
    # on the SENCo's picture of need, no standardised scores.
    return Arrangement(
        key=key,
        name=name,
        route=ONLINE,
        room=room,
        evidence=f"The SENCo's picture of need and {_NWW}.",
        called=called,
        evidence_routes=("picture_of_need",),
    )


def _dictated(key: str, name: str, called: str) -> Arrangement:
    # A scribe or speech recognition technology (AARA ch. 5, "Scribe" and "Speech recognition
    # technology"): the same score rule (:func:`_scribe`), and the candidate dictates aloud,
    # so it is sat in a separate room.
    return Arrangement(
        key=key,
        name=name,
        route=ONLINE,
        needs_scores=True,
        room=SEPARATE_ROOM,
        evidence=(
            f"A Form 8 with spelling accuracy or writing speed of {SCRIBE_MAX} or less, or a "
            f"professional's evidence of a physical or medical need, and {_NWW}."
        ),
        called=called,
        evidence_routes=("assessment", "professional"),
    )


_CATALOGUE: tuple[Arrangement, ...] = (
    # AARA ch. 5, "Extra time", 25% for a learning difficulty (§5.2: confirm number);
    # processed through Access Arrangements Online.
    Arrangement(
        key="extra_time_25",
        name="25% extra time",
        route=ONLINE,
        needs_scores=True,
        extra_time_percent=25,
        evidence=(
            "A Form 8 with two qualifying scores in two different areas of speed of working, "
            f"Part 1 completed before the assessment, and {_NWW}."
        ),
        called="25% extra time",
        evidence_routes=("assessment",),
    ),
    # AARA 2025–26 ch. 5, "Extra time", 25% for another impairment (§5.2: confirm number):
    # needs a professional's evidence (or the EHC plan). As amended in March 2026 (§5.1),
    # supervised rest breaks "should" be considered before 25% extra time for anxiety or
    # attention needs — a should, not a must: check() recommends it, never refuses on it.
    Arrangement(
        key="extra_time_25_other",
        name="25% extra time (other impairment)",
        route=ONLINE,
        extra_time_percent=25,
        evidence=(
            "The EHC plan or a professional's letter confirming the impairment and how it "
            "slows the candidate, and "
            f"{_NWW}; for anxiety or attention needs, supervised rest breaks should be "
            "considered first."
        ),
        called="25% extra time for a medical, sensory, physical or emotional impairment",
        evidence_routes=("professional",),
    ),
    # AARA ch. 5, "Extra time", more than 25% (§5.2: confirm number); always referred to
    # the awarding body (AAO FAQ: applications for more than 25% extra time are forwarded).
    Arrangement(
        key="extra_time_50",
        name="Up to 50% extra time",
        route=AWARDING_BODY,
        needs_scores=True,
        extra_time_percent=50,
        evidence=(
            "Very substantially below-average scores (69 or less) in two different areas of "
            f"speed of working, or a professional's evidence of an exceptional need, and {_NWW}."
        ),
        called="more than 25% extra time",
        evidence_routes=("assessment", "professional"),
    ),
    # AARA ch. 5, "Computer reader/reader" (confirm number): standardised scores are no
    # longer required. confirm: whether 2025–26 still asks for an online application.
    # A human reader reads aloud, so the candidate sits apart; text-to-speech through
    # headphones can be used in the main room.
    _read_to("reader", "Reader", "a reader", room=SEPARATE_ROOM),
    _read_to("computer_reader", "Computer reader", "a computer reader", room=None),
    # AARA ch. 5, "Scribe" and "Speech recognition technology" (confirm numbers).
    _dictated("scribe", "Scribe", "a scribe"),
    _dictated(
        "speech_recognition", "Speech recognition technology", "speech recognition technology"
    ),
    _delegated("word_processor", "Word processor", "a word processor"),
    # Rest breaks are taken at the desk or outside the room under supervision, so no room
    # of their own by default.
    _delegated("rest_breaks", "Supervised rest breaks", "supervised rest breaks"),
    _delegated(
        "separate_invigilation",
        "Separate invigilation",
        "separate invigilation",
        room=SEPARATE_ROOM,
    ),
    _delegated("prompter", "Prompter", "a prompter"),
    _delegated("coloured_overlay", "Coloured overlays", "coloured overlays"),
    _delegated("coloured_paper", "Coloured paper", "papers copied onto coloured paper"),
    _delegated(
        "read_aloud",
        "Read aloud or an examination reading pen",
        "reading aloud or an examination reading pen",
        room=SEPARATE_ROOM,  # the candidate reads to themself out loud
    ),
    _delegated(
        "live_speaker",
        "Live speaker",
        "a live speaker",
        room=SEPARATE_ROOM,  # the speaker reads the listening script aloud
    ),
    # AARA 2025–26 ch. 5, "Practical assistant" (confirm number): not delegated. JCQ's
    # Access Arrangements Online FAQ: applications for "more than 25% extra time and a
    # practical assistant must be forwarded to the relevant awarding body" — so it goes
    # through the online application, never the centre's own approval.
    Arrangement(
        key="practical_assistant",
        name="Practical assistant",
        route=ONLINE,
        room=SEPARATE_ROOM,  # the candidate gives instructions aloud
        evidence=(
            "Evidence of the need (for example a professional's letter or the EHC plan) and "
            f"{_NWW}; applied for online and forwarded to the awarding body."
        ),
        called="a practical assistant",
        evidence_routes=("professional", "picture_of_need"),
    ),
    _modified("enlarged_papers", "Enlarged papers", "enlarged papers"),
    _modified("braille_papers", "Braille papers", "braille papers"),
    _modified("modified_language", "Modified language papers", "modified language papers"),
)

ARRANGEMENTS: dict[str, Arrangement] = {a.key: a for a in _CATALOGUE}
"""Every arrangement by key, in the order a SENCo meets them."""


def _arrangement(key: str) -> Arrangement:
    try:
        return ARRANGEMENTS[key]
    except KeyError:
        known = ", ".join(ARRANGEMENTS)
        raise ValueError(f"'{key}' is not a known access arrangement (known: {known}).") from None


def route_label(key: str) -> str:
    """Who approves the arrangement, in words ("Needs an online application (AAO)")."""
    return ROUTE_LABELS[_arrangement(key).route]


def evidence_route_needed(key: str) -> tuple[str, ...]:
    """Keys of :data:`EVIDENCE_ROUTES` that can support the arrangement, usual one first."""
    return _arrangement(key).evidence_routes


# --- checking scores -----------------------------------------------------------------------


def _label(area: str) -> str:
    return area[0].upper() + area[1:]


def _detail(score: Score) -> str:
    """Where the score came from, as a tail for its sentence: ' — WRAT5, taken 03/03/2025'."""
    parts = []
    if score.test:
        parts.append(score.test.strip())
    if score.taken_on is not None:
        parts.append(f"taken {score.taken_on:%d/%m/%Y}")
    return f" — {', '.join(p for p in parts if p)}" if any(parts) else ""


def _said(score: Score, verdict: str) -> str:
    """One sentence about one score, e.g. 'Writing speed 82 counts: below average (84 or less).'"""
    return f"{_label(score.area)} {score.score} {verdict}{_detail(score)}."


def _and(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _area_names(scores: list[Score], areas: tuple[str, ...]) -> list[str | None]:
    """The area each score counts in (None: not one of ``areas``).

    Cognitive processing speed is measured by different tests, and two different tests are
    two areas of speed of working (AARA 2025–26 ch. 5, §5.2: confirm number; e.g. rapid
    naming and a symbol-search processing speed test): when every cognitive processing
    score names its test, each test (ignoring case and spacing) is its own area, named
    "cognitive processing speed (Rapid naming)". The same test twice is still one area, and
    while any of them is unnamed they cannot be told apart, so they count as one.
    """
    cognitive = [s for s in scores if s.area == COGNITIVE_PROCESSING_SPEED]
    split = all(_test_name(s) for s in cognitive)
    spelling: dict[str, str] = {}
    names: list[str | None] = []
    for s in scores:
        if s.area not in areas:
            names.append(None)
        elif s.area == COGNITIVE_PROCESSING_SPEED and split:
            test = _test_name(s)
            shown = spelling.setdefault(" ".join(test.split()).casefold(), test)
            names.append(f"{s.area} ({shown})")
        else:
            names.append(s.area)
    return names


def _test_name(score: Score) -> str:
    return " ".join((score.test or "").split())


def _lowest_per_area(scores: list[Score], areas: tuple[str, ...]) -> dict[str, int]:
    """Where in ``scores`` the lowest score of each area is (the first given, on a tie),
    in the order of ``areas`` and then as given: the one score that counts for its area.
    Keys are the areas as :func:`_area_names` names them."""
    names = _area_names(scores, areas)
    lowest: dict[str, int] = {}
    for i, (s, name) in enumerate(zip(scores, names, strict=True)):
        if name is not None and (name not in lowest or s.score < scores[lowest[name]].score):
            lowest[name] = i
    return dict(sorted(lowest.items(), key=lambda kv: (areas.index(scores[kv[1]].area), kv[1])))


def _repeat(score: Score, used: Score, area: str) -> str:
    return _said(
        score,
        f"is not counted: {area} counts once, and the lowest {area} score ({used.score}) is used",
    )


def _unnamed_cognitive(scores: list[Score]) -> list[str]:
    """A sentence when several cognitive processing scores cannot be told apart."""
    cognitive = [s for s in scores if s.area == COGNITIVE_PROCESSING_SPEED]
    if len(cognitive) < 2 or all(_test_name(s) for s in cognitive):
        return []
    return [
        "Cognitive processing speed scores count as different areas only when each names "
        "its test (two different tests are two areas; the same test twice is one): name "
        "the tests to count them separately."
    ]


@dataclass(frozen=True)
class _Band:
    """A band of standardised scores that counts for extra time: its highest score, and
    how a score in it is described ("counts: below average (84 or less)")."""

    most: int
    counts: str


def _speed_of_working(
    scores: list[Score], stronger: _Band, weaker: _Band, too_high: str
) -> tuple[list[str], list[str], list[str]]:
    """The per-score reasoning both extra-time rules share.

    Each score gets one sentence: not a speed area, a repeat of an area (its lowest score
    counts, once), in the ``stronger`` band, in the ``weaker`` band (above ``stronger``), or
    ``too_high``. Returns those sentences and the areas whose counted score falls in the
    stronger and in the weaker band, in area order.
    """
    used = _lowest_per_area(scores, SPEED_AREAS)
    names = _area_names(scores, SPEED_AREAS)
    reasons: list[str] = []
    for i, (s, name) in enumerate(zip(scores, names, strict=True)):
        if name is None:
            reasons.append(
                _said(
                    s,
                    "does not count for extra time: it is not a speed of working or "
                    "processing area",
                )
            )
        elif used[name] != i:
            reasons.append(_repeat(s, scores[used[name]], name))
        elif s.score <= stronger.most:
            reasons.append(_said(s, stronger.counts))
        elif s.score <= weaker.most:
            reasons.append(_said(s, weaker.counts))
        else:
            reasons.append(_said(s, too_high))
    reasons += _unnamed_cognitive(scores)
    counted = {a: scores[i].score for a, i in used.items()}
    strong = [a for a, score in counted.items() if score <= stronger.most]
    weak = [a for a, score in counted.items() if stronger.most < score <= weaker.most]
    return reasons, strong, weak


def _two_areas(
    strong: list[str],
    weak: list[str],
    *,
    both_strong: Callable[[str], str],
    one_each: Callable[[str], str],
    only_weak: str,
) -> tuple[bool, str]:
    """The closing verdict both extra-time rules share: met by two areas in the stronger
    band, or one in each band (never by two in the weaker band alone).

    ``strong`` and ``weak`` are the areas :func:`_speed_of_working` found in each band; the
    sentences differ by rule, so the caller words them (``areas`` is the counted areas).
    """
    if len(strong) >= 2:
        return True, both_strong(_and(strong))
    if strong and weak:
        return True, one_each(_and([strong[0], weak[0]]))
    found = len(strong) + len(weak)
    if found == 0:
        return False, (
            "Two scores in two different areas of speed of working are needed; none was found."
        )
    if found == 1:
        return False, (
            "Two scores in two different areas of speed of working are needed; only one was found."
        )
    return False, only_weak


def _extra_time_25(scores: list[Score], arrangement: Arrangement) -> Verdict:
    # AARA ch. 5, "Extra time", 25% for a learning difficulty (§5.2: confirm number).
    reasons, below, low = _speed_of_working(
        scores,
        _Band(BELOW_AVERAGE_MAX, f"counts: below average ({BELOW_AVERAGE_MAX} or less)"),
        _Band(LOW_AVERAGE_MAX, f"counts: low average ({BELOW_AVERAGE_MAX + 1}–{LOW_AVERAGE_MAX})"),
        f"does not count: {LOW_AVERAGE_MAX + 1} or more is average or above, and extra time "
        f"needs {LOW_AVERAGE_MAX} or less",
    )
    met, verdict = _two_areas(
        below,
        low,
        both_strong=lambda areas: (
            f"Met: below-average scores in two different areas of speed of working ({areas})."
        ),
        one_each=lambda areas: (
            "Met: one below-average score and one low-average score in two different areas "
            f"of speed of working ({areas})."
        ),
        only_weak=(
            "Two low-average scores are not enough: at least one of the two must be below "
            f"average ({BELOW_AVERAGE_MAX} or less)."
        ),
    )
    reasons.append(verdict)
    if met:
        reasons.append(
            "The scores alone do not approve it: Form 8 Part 1 with teachers' comments, and "
            "mock papers showing the extra time used, are also needed."
        )
    return Verdict(met, reasons)


def _extra_time_50(scores: list[Score], arrangement: Arrangement) -> Verdict:
    # AARA ch. 5, "Extra time", more than 25% (§5.2: confirm number). confirm: 69 and 70–84.
    reasons, very_low, below = _speed_of_working(
        scores,
        _Band(VERY_LOW_MAX, f"counts: very substantially below average ({VERY_LOW_MAX} or less)"),
        _Band(BELOW_AVERAGE_MAX, f"counts: below average ({VERY_LOW_MAX + 1}–{BELOW_AVERAGE_MAX})"),
        "does not count for more than 25% extra time: it is not below average "
        f"({BELOW_AVERAGE_MAX} or less)",
    )
    met, verdict = _two_areas(
        very_low,
        below,
        both_strong=lambda areas: (
            f"Met: very substantially below-average scores ({VERY_LOW_MAX} or less) in two "
            f"different areas of speed of working ({areas})."
        ),
        one_each=lambda areas: (
            f"Met: one very substantially below-average score ({VERY_LOW_MAX} or less) and one "
            f"below-average score ({VERY_LOW_MAX + 1}–{BELOW_AVERAGE_MAX}) in two different "
            f"areas of speed of working ({areas})."
        ),
        only_weak=(
            f"At least one score of {VERY_LOW_MAX} or less (very substantially below "
            "average) is needed; none was found."
        ),
    )
    reasons.append(verdict)
    if not met:
        reasons.append(
            "Without such scores, more than 25% extra time needs a professional's evidence of "
            "an exceptional need."
        )
    reasons.append("The awarding body decides: apply online and the application is referred.")
    return Verdict(met, reasons)


def _scribe(scores: list[Score], arrangement: Arrangement) -> Verdict:
    # AARA ch. 5, "Scribe" / "Speech recognition technology" (confirm numbers).
    used = _lowest_per_area(scores, SCRIBE_AREAS)
    lowest = {a: scores[i] for a, i in used.items()}
    reasons: list[str] = []
    for i, s in enumerate(scores):
        if s.area not in SCRIBE_AREAS:
            reasons.append(
                _said(
                    s,
                    f"does not count for {arrangement.called}: only spelling accuracy and "
                    "writing speed are used",
                )
            )
        elif used[s.area] != i:
            reasons.append(_repeat(s, lowest[s.area], s.area))
        elif s.score <= SCRIBE_MAX:
            reasons.append(_said(s, f"counts: below average ({SCRIBE_MAX} or less)"))
        else:
            reasons.append(
                _said(s, f"does not count: {arrangement.called} needs {SCRIBE_MAX} or less")
            )
    qualifying = [a for a, s in lowest.items() if s.score <= SCRIBE_MAX]
    if qualifying:
        reasons.append(
            f"Met: {_and(qualifying)} below average ({SCRIBE_MAX} or less); {_NWW} is also needed."
        )
        return Verdict(True, reasons)
    reasons.append(
        f"No spelling accuracy or writing speed score of {SCRIBE_MAX} or less was found; "
        f"{arrangement.called} may still be granted for a physical or medical need with a "
        "professional's evidence."
    )
    return Verdict(False, reasons)


def _no_scores(scores: list[Score], arrangement: Arrangement) -> Verdict:
    reasons = [
        _said(s, f"is not used: {arrangement.called} needs no standardised scores") for s in scores
    ]
    reasons.append(
        f"No standardised scores are needed for {arrangement.called}. Needed instead: "
        f"{arrangement.evidence[0].lower()}{arrangement.evidence[1:]}"
    )
    return Verdict(True, reasons)


REST_BREAKS_FIRST = (
    "For anxiety or attention needs, supervised rest breaks should be considered before 25% "
    "extra time (AARA 2025–26 §5.1, as amended in March 2026): a recommendation, not a bar — "
    "note why rest breaks alone are not enough."
)


def _extra_time_25_other(
    scores: list[Score], arrangement: Arrangement, professional_evidence: str | None
) -> Verdict:
    # AARA 2025–26 ch. 5, "Extra time", 25% for a medical, sensory, physical or emotional
    # impairment (§5.2: confirm number): decided on a professional's evidence (or the EHC
    # plan), not on scores; rest breaks first is a "should" (§5.1, amended March 2026).
    reasons = [
        _said(s, f"is not used: {arrangement.called} is decided on a professional's evidence")
        for s in scores
    ]
    evidence = (professional_evidence or "").strip()
    if evidence:
        reasons.append(f"Met: professional evidence is recorded ({evidence}).")
    else:
        reasons.append(
            "Not met: no professional evidence is recorded. Needed: the EHC plan, or a letter "
            "or report from a professional (for example a consultant, CAMHS, an educational "
            "psychologist or a specialist teacher) confirming the impairment and how it slows "
            "the candidate's speed of working."
        )
    reasons.append(REST_BREAKS_FIRST)
    reasons.append(f"Also needed: {_NWW}.")
    return Verdict(bool(evidence), reasons)


_CHECKS = {
    "extra_time_25": _extra_time_25,
    "extra_time_50": _extra_time_50,
    "scribe": _scribe,
    "speech_recognition": _scribe,
}


def check(
    arrangement: str, scores: Iterable[Score] = (), *, professional_evidence: str | None = None
) -> Verdict:
    """Whether ``scores`` meet the arrangement's score rule, with a sentence for every score
    (counts or not, and why) and a closing sentence with the verdict.

    Several scores in one area count once: the lowest. An arrangement with no score rule is
    ``met`` as far as scores go; its reasons name the evidence that decides it — except 25%
    extra time for another impairment (``extra_time_25_other``), which is decided on a
    professional's evidence: it is met only when ``professional_evidence`` says what is
    recorded (e.g. "EHC plan issued 01/02/2024"), never on no evidence.
    """
    found = _arrangement(arrangement)
    given = list(scores)
    if arrangement == "extra_time_25_other":
        return _extra_time_25_other(given, found, professional_evidence)
    return _CHECKS.get(arrangement, _no_scores)(given, found)


# --- statuses ------------------------------------------------------------------------------

PROPOSED = "proposed"
GATHERING = "gathering evidence"
APPROVED_IN_CENTRE = "approved in centre"
APPLIED_ONLINE = "applied online"
APPROVED_BY_AB = "approved by awarding body"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"

STATUSES: tuple[str, ...] = (
    PROPOSED,
    GATHERING,
    APPROVED_IN_CENTRE,
    APPLIED_ONLINE,
    APPROVED_BY_AB,
    EXPIRED,
    WITHDRAWN,
)
"""Where an arrangement stands, in the order it usually moves through them."""

FINAL_STATUSES: tuple[str, ...] = (EXPIRED, WITHDRAWN)
"""Statuses an arrangement never leaves (a renewal is a new arrangement)."""

# A delegated arrangement is approved by the SENCo; any other is applied for through
# Access Arrangements Online and approved there or by the awarding body it is referred to.
# A refused or referred application goes back to gathering evidence.
_DELEGATED_FLOW: dict[str, tuple[str, ...]] = {
    PROPOSED: (GATHERING, APPROVED_IN_CENTRE, WITHDRAWN),
    GATHERING: (APPROVED_IN_CENTRE, WITHDRAWN),
    APPROVED_IN_CENTRE: (EXPIRED, WITHDRAWN),
}
_APPLIED_FLOW: dict[str, tuple[str, ...]] = {
    PROPOSED: (GATHERING, WITHDRAWN),
    GATHERING: (APPLIED_ONLINE, WITHDRAWN),
    APPLIED_ONLINE: (APPROVED_BY_AB, GATHERING, WITHDRAWN),
    APPROVED_BY_AB: (EXPIRED, WITHDRAWN),
    # Only an arrangement approved in the centre before its route changed (a practical
    # assistant, delegated until AARA 2025–26 was read again) is here: it can still end.
    APPROVED_IN_CENTRE: (EXPIRED, WITHDRAWN),
}


def next_statuses(key: str, status: str) -> tuple[str, ...]:
    """The statuses an arrangement of kind ``key`` may move to from ``status``.

    Withdrawn is reachable from every live status; expired and withdrawn lead nowhere; a
    status the arrangement's route never uses (a delegated one "applied online") leads
    nowhere either.
    """
    route = _arrangement(key).route
    if status not in STATUSES:
        raise ValueError(f"'{status}' is not an arrangement status (known: {', '.join(STATUSES)}).")
    flow = _DELEGATED_FLOW if route == DELEGATED else _APPLIED_FLOW
    return flow.get(status, ())


# --- approval and assessment dates -----------------------------------------------------------

# confirm: an online approval is valid for 26 months, normally covering Years 10 and 11
# (AARA ch. 8, "Access Arrangements Online": confirm number). A setting may override it.
APPROVAL_MONTHS = 26


def expires_on(approved_on: date, months: int = APPROVAL_MONTHS) -> date:
    """The day an approval lapses: ``months`` calendar months after ``approved_on``, on the
    same day of the month, or that month's last day when it is shorter (31 Dec + 2 → 28 or
    29 Feb)."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"An approval lasts a whole number of months, at least 1 (not {months}).")
    return add_months(approved_on, months)


# A school year takes the children born 1 September to 31 August (the cohort's year is the
# year of that 1 September); they start Reception 5 years later and Year 9 14 years later.
YEAR9_AFTER_YEARS = 14


def year9_start(date_of_birth: date) -> date:
    """1 September of the school year the child starts Year 9 in England.

    A school year takes children born 1 September to 31 August; those born 1 Sep 2010 to
    31 Aug 2011 start Year 9 on 1 Sep 2024.
    """
    return date(academic_year_of(date_of_birth) + YEAR9_AFTER_YEARS, 9, 1)


def assessment_problems(
    *,
    taken_on: date,
    date_of_birth: date | None,
    picture_of_need_on: date | None,
    assessor_qualification: str | None,
    today: date,
) -> list[str]:
    """What is wrong with a Form 8 assessment's dates and paperwork (empty when nothing is).

    - Tests are taken no earlier than the start of Year 9 for GCSE (AARA ch. 7, "The
      assessment": confirm number).
    - Part 1, the SENCo's picture of need, is completed before the assessment (same day is
      accepted: the form holds no time of day).
    - The centre holds proof of the assessor's qualification (Level 7 in individual
      specialist assessment or equivalent) and the head of centre's check of it.
    - The assessment has happened.
    """
    problems: list[str] = []
    when = f"{taken_on:%d/%m/%Y}"
    if taken_on > today:
        problems.append(f"The assessment date {when} is in the future.")
    if date_of_birth is None:
        problems.append(
            "The pupil's date of birth is not on file, so the Year 9 rule cannot be checked."
        )
    else:
        start = year9_start(date_of_birth)
        if taken_on < start:
            problems.append(
                f"The assessment on {when} is too early for GCSE: tests must be taken no "
                f"earlier than the start of Year 9 ({start:%d/%m/%Y} for this pupil)."
            )
    if picture_of_need_on is None:
        problems.append(
            "Form 8 Part 1 (the SENCo's picture of need) is missing: it must be completed "
            "before the assessment."
        )
    elif picture_of_need_on > taken_on:
        problems.append(
            f"Form 8 Part 1 (the SENCo's picture of need) is dated {picture_of_need_on:%d/%m/%Y}, "
            f"after the assessment on {when}: it must be completed before the assessment."
        )
    if not (assessor_qualification and assessor_qualification.strip()):
        problems.append(
            "No assessor qualification is on file: the centre must keep proof of the "
            "assessor's qualification (Level 7 in individual specialist assessment, or "
            "equivalent) and the head of centre's check of it."
        )
    return problems
