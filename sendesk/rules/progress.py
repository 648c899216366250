"""Progress in an intervention: ratio gain, standardised-score change, and their verdicts.

Why this module exists: an EHC request panel (and a governor asking "does it work?") wants
one honest sentence per enrolment — how far the pupil moved on the intervention's measure
and whether that is much. Working it out in one pure place means the progress view, the
pack and the effectiveness report can never disagree about the arithmetic or the words.

Three kinds of measure (``Intervention.measure_kind``):

- ``age_months`` — an age-equivalent score (reading age, spelling age), stored as whole
  months: a reading age of 8 years 6 months is 102. Progress is the **ratio gain**: months
  gained on the measure ÷ months of time elapsed between the two measures. A ratio gain of
  1.0 is a pupil moving exactly as fast as the calendar; below 1 the pupil fell further
  behind their age (the gap widened).
- ``standardised`` — a standardised score (mean 100, SD 15). Progress is the change in
  points, judged against the school's bands (:class:`ScoreBands`).
- ``rating`` — a rating scale the school uses (e.g. 1–10 self-rating). Progress is the
  change, read as higher = better.

Ratio-gain bands: Greg Brooks, *What works for children and young people with literacy
difficulties? The effectiveness of intervention schemes*, 5th edition (Dyslexia-SpLD
Trust, 2016), chapter 1 ("ratio gain"): below 1.4 modest impact, 1.4–1.9 useful impact,
2.0–2.9 substantial impact, 3.0 and above remarkable impact. Brooks quotes ratio gains to
one decimal place and his bands meet at those figures, so a ratio gain is rounded to one
decimal place (half up) *before* it is banded: 1.95 reads "2.0" and is substantial.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sendesk.rules.dates import add_months

AGE_MONTHS = "age_months"
STANDARDISED = "standardised"
RATING = "rating"
MEASURE_KINDS: tuple[str, ...] = (AGE_MONTHS, STANDARDISED, RATING)

MEASURE_KIND_LABELS: dict[str, str] = {
    AGE_MONTHS: "Age in years and months (reading age, spelling age…)",
    STANDARDISED: "Standardised score (mean 100)",
    RATING: "Rating scale (higher is better)",
}

# Brooks (2016) ratio-gain bands, lowest figure of each band (after rounding to 0.1).
MODEST = "modest impact"
USEFUL = "useful impact"
SUBSTANTIAL = "substantial impact"
REMARKABLE = "remarkable impact"
RATIO_GAIN_BANDS: tuple[tuple[float, str], ...] = (
    (3.0, REMARKABLE),
    (2.0, SUBSTANTIAL),
    (1.4, USEFUL),
)

# Standardised-score change bands (the school's default setting, see ScoreBands).
SIGNIFICANT = "significant gain"
MODERATE = "moderate gain"
NO_CLEAR_CHANGE = "no clear change"
DECLINE = "decline"

# Rating-scale bands.
IMPROVED = "improved"
UNCHANGED = "no change"
DECLINED = "declined"

AVERAGE_MONTH_DAYS = 365.25 / 12
MAX_AGE_MONTHS = 300  # 25 years: beyond any age-equivalent test's ceiling
STANDARDISED_RANGE = (1.0, 199.0)  # tests report roughly 40–160; wider only to catch typos


# --- ages ---------------------------------------------------------------------------------

_AGE_COLON = re.compile(r"^(\d{1,2})\s*[:.]\s*(\d{1,2})$")
_AGE_WORDS = re.compile(
    r"^(\d{1,2})\s*(?:y|yr|yrs|year|years)\s*,?\s*(?:(\d{1,2})\s*(?:m|mo|mos|month|months))?$"
)


def parse_age(text: str) -> int:
    """An age as typed — ``"8:06"``, ``"8:6"``, ``"8.06"``, ``"8y 6m"``, ``"8 years"`` — in
    months (102). Raises ValueError with a sentence a user can act on.

    A dot is read as years.months (the way test manuals print ages), never as a decimal
    fraction of a year: ``"8.06"`` is 8 years 6 months, ``"8.6"`` is 8 years 6 months too.
    """
    cleaned = text.strip().lower()
    match = _AGE_COLON.match(cleaned) or _AGE_WORDS.match(cleaned)
    if match is None:
        raise ValueError(
            f"'{text.strip()}' is not an age: type years and months, e.g. 8:06 for 8 years "
            "6 months."
        )
    years = int(match.group(1))
    months = int(match.group(2) or 0)
    if months > 11:
        raise ValueError(f"'{text.strip()}' has {months} months: months go from 0 to 11.")
    return years * 12 + months


def format_age(months: float) -> str:
    """Months as years:months, the way test manuals print them: 102 → ``"8:06"``.

    A fractional value (an average) is rounded to the nearest month first.
    """
    if months < 0 or not math.isfinite(months):
        raise ValueError("An age cannot be negative.")
    whole = _round_half_up(months)
    return f"{whole // 12}:{whole % 12:02d}"


def _round_half_up(value: float) -> int:
    """Round to the nearest integer, halves away from zero (not Python's banker's rounding)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_ratio(value: float) -> float:
    """A ratio gain to one decimal place, halves up, as Brooks reports them."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- measures as typed ----------------------------------------------------------------------


def parse_measure(kind: str, text: str) -> float:
    """A measure value as typed for a measure kind (ages as ``8:06``, others as numbers)."""
    if kind not in MEASURE_KINDS:
        raise ValueError(f"'{kind}' is not a kind of measure.")
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("The measure is empty.")
    if kind == AGE_MONTHS:
        value = float(parse_age(cleaned))
    else:
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(f"'{cleaned}' is not a number.") from None
    problem = measure_problem(kind, value)
    if problem:
        raise ValueError(problem)
    return value


def format_measure(kind: str, value: float | None) -> str:
    """A stored measure for people: ages as years:months, scores without a needless .0."""
    if value is None:
        return ""
    if kind == AGE_MONTHS:
        return format_age(value)
    return _number(value)


def measure_problem(kind: str, value: float) -> str | None:
    """One sentence saying why ``value`` cannot be a measure of ``kind``, or None."""
    if not math.isfinite(value):
        return "The measure is not a number."
    if kind == AGE_MONTHS and not 0 < value <= MAX_AGE_MONTHS:
        return "An age-equivalent score must be between 0:01 and 25:00."
    low, high = STANDARDISED_RANGE
    if kind == STANDARDISED and not low <= value <= high:
        return f"A standardised score must be between {low:.0f} and {high:.0f}."
    return None


def _number(value: float) -> str:
    """1.0 → "1", 2.25 → "2.3" (one decimal at most; halves up)."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    return text[:-2] if text.endswith(".0") else text


def _signed(value: float) -> str:
    text = _number(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


# --- elapsed time and ratio gain -------------------------------------------------------------


def months_elapsed(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end``: whole months (same day of the month, or
    the month's last day), plus the days left over as a fraction of an average month
    (365.25 / 12 days).

    1 Sep → 1 Dec is exactly 3.0 (how a teacher counts it); 31 Jan → 29 Feb is 1.0;
    15 Sep → 1 Oct is 16 days, 0.53. Negative when ``end`` is before ``start``.
    """
    if end < start:
        return -months_elapsed(end, start)
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, whole) > end:
        whole -= 1
    return whole + (end - add_months(start, whole)).days / AVERAGE_MONTH_DAYS


def ratio_gain(
    entry_months: float, exit_months: float, entry_date: date, exit_date: date
) -> float | None:
    """Months gained on an age-equivalent measure ÷ months elapsed (unrounded).

    None when no time elapsed (both measures on one date): the ratio is undefined. Raises
    ValueError when the exit date is before the entry date. A negative result means the
    score went down.
    """
    elapsed = months_elapsed(entry_date, exit_date)
    if elapsed < 0:
        raise ValueError("The exit measure is dated before the entry measure.")
    if elapsed == 0:
        return None
    return (exit_months - entry_months) / elapsed


def ratio_gain_band(ratio: float) -> str:
    """Brooks's band for a ratio gain (rounded to one decimal place first)."""
    rounded = round_ratio(ratio)
    for lowest, band in RATIO_GAIN_BANDS:
        if rounded >= lowest:
            return band
    return MODEST


# --- standardised scores and ratings ---------------------------------------------------------


@dataclass(frozen=True)
class ScoreBands:
    """Bands for the change in a standardised score: the **school's default setting**.

    There is no national standard for this. The defaults follow a common rule of thumb in
    SEN departments: a standardised score's 90% confidence band on most reading and
    spelling tests is about ±4–6 points, so a change inside ±3 is no clear change, 4–6
    points is a moderate gain, 7 or more (about half a standard deviation) is significant,
    and a fall of 4 or more is a decline. A school may agree other figures.
    """

    significant: int = 7  # a change of this many points or more
    moderate: int = 4
    decline: int = -4  # a change of this or lower

    def __post_init__(self) -> None:
        if not self.decline < 0 < self.moderate < self.significant:
            raise ValueError("Score bands must satisfy decline < 0 < moderate < significant.")


DEFAULT_SCORE_BANDS = ScoreBands()


def score_change(entry_score: float, exit_score: float) -> float:
    """The change in a standardised score (exit − entry), in points."""
    return exit_score - entry_score


def score_change_band(change: float, bands: ScoreBands = DEFAULT_SCORE_BANDS) -> str:
    """The band of a change in standardised score; rounded to whole points first (halves
    away from zero), since tests report whole points."""
    points = _round_half_up(abs(change)) * (1 if change >= 0 else -1)
    if points >= bands.significant:
        return SIGNIFICANT
    if points >= bands.moderate:
        return MODERATE
    if points <= bands.decline:
        return DECLINE
    return NO_CLEAR_CHANGE


def rating_band(change: float) -> str:
    """Improved / no change / declined, reading a rating scale as higher = better."""
    if change > 0:
        return IMPROVED
    if change < 0:
        return DECLINED
    return UNCHANGED


# --- the verdict ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What the movement between two measures means, as a band and one sentence or two.

    ``figure`` is the ratio gain (rounded to 0.1) for age measures, or the change in points
    otherwise; ``band`` is None when progress cannot be judged (no time elapsed).
    """

    kind: str
    band: str | None
    figure: float | None
    text: str
    gap_widened: bool = False


def _months_text(months: float) -> str:
    text = _number(months)
    return f"{text} month" if text in ("1", "-1") else f"{text} months"


def verdict(
    kind: str,
    entry: float,
    exit_value: float,
    entry_date: date,
    exit_date: date,
    *,
    bands: ScoreBands = DEFAULT_SCORE_BANDS,
    unit: str = "",
) -> Verdict:
    """Judge the movement from ``entry`` (on ``entry_date``) to ``exit_value``.

    ``unit`` names the measure as the intervention records it ("words per minute"): a
    score or rating is then read by its unit ("words per minute 8 → 13"), never by the
    generic "Rating" — a panel cannot weigh a number it cannot name.

    Raises ValueError for an unknown kind, or an exit dated before the entry.
    """
    if kind not in MEASURE_KINDS:
        raise ValueError(f"'{kind}' is not a kind of measure.")
    if exit_date < entry_date:
        raise ValueError("The exit measure is dated before the entry measure.")
    if kind == AGE_MONTHS:
        return _age_verdict(entry, exit_value, entry_date, exit_date)
    change = score_change(entry, exit_value)
    movement = f"{_number(entry)} → {_number(exit_value)} ({_signed(change)})"
    if kind == STANDARDISED:
        band = score_change_band(change, bands)
        name = unit.strip() or "Standardised score"
        return Verdict(kind, band, change, f"{_capital(name)} {movement}: {band}.")
    band = rating_band(change)
    name = unit.strip() or "Rating"
    return Verdict(kind, band, change, f"{_capital(name)} {movement}: {band}.")


def _capital(text: str) -> str:
    """The first letter in capitals (a sentence starts with the unit's name)."""
    return text[:1].upper() + text[1:]


def _age_verdict(entry: float, exit_value: float, entry_date: date, exit_date: date) -> Verdict:
    gained = exit_value - entry
    elapsed = months_elapsed(entry_date, exit_date)
    ratio = ratio_gain(entry, exit_value, entry_date, exit_date)
    movement = f"{format_age(entry)} → {format_age(exit_value)}"
    if ratio is None:
        return Verdict(
            AGE_MONTHS,
            None,
            None,
            f"{movement}: the two measures are on the same date, so no ratio gain can be "
            "worked out.",
        )
    figure = round_ratio(ratio)
    band = ratio_gain_band(ratio)
    verb = "gained" if gained >= 0 else "lost"
    text = (
        f"Ratio gain {figure:.1f}: {band} (Brooks). {movement}, "
        f"{_months_text(abs(gained))} {verb} in {_months_text(elapsed)}."
    )
    widened = figure < 1.0
    if widened:
        text += " Below 1, the pupil fell further behind their age: the gap widened."
    return Verdict(AGE_MONTHS, band, figure, text, widened)
