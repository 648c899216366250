"""What's due, filtered and grouped as the home page shows it (issue 14): by kind, by year
group and by when, under the headings overdue / this week / no date / later.

Why here, apart from :mod:`sendesk.services.due`: the home page builds its filters while
the window is first drawn, before SQLAlchemy may be imported (see
:mod:`sendesk.ui.home_page`), and these are pure decisions about items already worked out.
The kinds are the providers' own strings (``tests/services/test_due.py`` checks that
every one of their constants is placed deliberately).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from typing import Protocol


class DueItem(Protocol):
    """What these rules read of :class:`sendesk.services.due.DueItem` (rules import no
    service: the layers run one way, tests/test_layers.py)."""

    @property
    def kind(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def due(self) -> date | None: ...


SOON_DAYS = 28
"""As :data:`sendesk.services.due.SOON_DAYS`: "due soon" reaches four weeks ahead."""

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("concerns", "Causes for concern"),
    ("reviews", "Reviews"),
    ("ehc", "EHC"),
    ("access", "Access arrangements"),
    ("sessions", "Sessions to log"),
    ("measures", "Intervention measures"),
    ("transfers", "Joining and leaving"),
    ("gaps", "Gaps in records"),
)
"""The kinds of item a user filters "what's due" by, in the order offered, with labels.

Coarser than :attr:`DueItem.kind` (which names each provider's own kinds): a SENCo asks
for "the reviews" or "the EHC deadlines", not for "EHC review paperwork"."""

CATEGORY_OF_KIND = {
    "review": "reviews",  # the register's review date (SEN support, or E without a plan)
    "annual review": "reviews",  # an EHC pupil with no plan recorded: the 12-month review
    "plan review": "reviews",  # a support plan's review
    "parent meetings": "reviews",  # parents met fewer than three times: reviews say it
    "access arrangement": "access",
    "access evidence": "access",
    "session log": "sessions",
    "intervention measure": "measures",
    "arrival review": "transfers",  # a new arrival's SEN history from the last school (CTF)
    "SEN file": "transfers",  # a leaver's SEN file and CTF, due 15 school days on
    "concern": "concerns",  # a new cause for concern for the SENCo to decide
    "concern evidence": "concerns",  # more evidence the SENCo asked the staff for
    "concern review": "concerns",  # a monitored concern's date, or a first plan to write
    "meeting invitations": "reviews",  # an annual review's invitations, 2 weeks before
    "meeting record": "reviews",  # a review meeting held: who came and what they said
}


def category_of(item: DueItem) -> str:
    """Which of :data:`CATEGORIES` an item is in: EHC for every EHC request and plan
    deadline, gaps for the record's own gaps (needs, contacts, UPN, a leaver still on the
    register)."""
    if item.kind.startswith("EHC"):
        return "ehc"
    return CATEGORY_OF_KIND.get(item.kind, "gaps")


WEEK_DAYS = 7
""""This week" is today and the six days after it: on a Friday, next Thursday's review is
this week's work."""

OVERDUE, THIS_WEEK, NO_DATE, LATER = "overdue", "week", "now", "later"
GROUPS: tuple[tuple[str, str], ...] = (
    (OVERDUE, "Overdue"),
    (THIS_WEEK, "This week"),
    (NO_DATE, "No date: gaps to fill"),
    (LATER, "Later"),
)
"""The headings the home page groups its items under, in order."""


def group_of(item: DueItem, today: date) -> str:
    """The heading an item goes under (a key of :data:`GROUPS`): overdue as the item says
    (an EHC step whose time was extended is not), then by its date."""
    if item.severity == "overdue":
        return OVERDUE
    if item.due is None:
        return NO_DATE
    if item.due < today + timedelta(days=WEEK_DAYS):
        return THIS_WEEK
    return LATER


PERIODS: tuple[tuple[str, str, int | None], ...] = (
    ("any", "Any time", None),
    ("overdue", "Overdue only", -1),
    ("week", "By the end of this week", WEEK_DAYS - 1),
    ("four weeks", "In the next four weeks", SOON_DAYS),
)
"""The "due" filter: a key, its label and how many days ahead it reaches (None: the whole
horizon; -1: only what is overdue). Anything overdue and the gaps with no date (they need
doing now) are due by any of them but "Overdue only"."""


def in_period(item: DueItem, period: str, today: date) -> bool:
    """True when ``item`` is due within the period named ``period`` (see :data:`PERIODS`)."""
    days = next((d for key, _label, d in PERIODS if key == period), None)
    if days is None:
        return True
    if days < 0:
        return item.severity == "overdue"
    return item.due is None or item.severity == "overdue" or item.due <= today + timedelta(days)


ALL_YEARS = "all"


def filter_items(
    items: Iterable[DueItem],
    today: date,
    *,
    categories: Collection[str] | None = None,
    year: int | str | None = ALL_YEARS,
    period: str = "any",
) -> list[DueItem]:
    """The items of these ``categories`` (all when None), about a pupil in ``year`` (a year
    group, None for pupils with none recorded, :data:`ALL_YEARS` for everyone — an item
    about a whole group is about no one year, so only shown for all years), due within
    ``period``; in the order given."""
    return [
        i
        for i in items
        if (categories is None or category_of(i) in categories)
        and (year == ALL_YEARS or (i.pupil_id is not None and i.year_group == year))
        and in_period(i, period, today)
    ]


def grouped(items: Iterable[DueItem], today: date) -> list[tuple[str, list[DueItem]]]:
    """``items`` under the headings of :data:`GROUPS` (each in the order given); headings
    with nothing under them are left out."""
    by_group: dict[str, list[DueItem]] = defaultdict(list)
    for item in items:
        by_group[group_of(item, today)].append(item)
    return [(key, by_group[key]) for key, _label in GROUPS if by_group[key]]
