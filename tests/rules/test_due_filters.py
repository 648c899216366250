"""What's due as the home page filters and groups it (issue 14): kinds, years, periods."""

from __future__ import annotations

from datetime import date

from sendesk.rules import due as rules
from sendesk.services.due import SOON_DAYS, DueItem
from sendesk.services.ehc import records as ehc_records
from sendesk.services.graduated.interventions_due import MEASURES_KIND, SESSIONS_KIND
from sendesk.services.graduated.support_plans import DUE_KIND, RHYTHM_KIND
from sendesk.services.transfer.ctf_import import ARRIVAL_KIND

MONDAY = date(2026, 11, 23)


def item(
    due: date | None, severity: str, kind: str, year: int | None = 9, pupil: int | None = 1
) -> DueItem:
    return DueItem(due, severity, kind, pupil, "A Pupil", "U", kind, year_group=year)


def test_every_providers_kind_is_placed_deliberately() -> None:
    """The rules name the providers' kinds as strings (no SQLAlchemy before the first
    draw): they must be the providers' own."""
    assert SOON_DAYS == rules.SOON_DAYS
    assert {DUE_KIND, RHYTHM_KIND, SESSIONS_KIND, MEASURES_KIND, ARRIVAL_KIND} <= set(
        rules.CATEGORY_OF_KIND
    )
    for name in dir(ehc_records):
        if name.startswith("KIND_"):
            assert rules.category_of(item(None, "gap", getattr(ehc_records, name))) == "ehc"
    assert rules.category_of(item(None, "gap", SESSIONS_KIND)) == "sessions"
    assert rules.category_of(item(None, "gap", MEASURES_KIND)) == "measures"
    assert rules.category_of(item(None, "gap", "access evidence")) == "access"
    for gap in ("needs", "contacts", "UPN", "register"):
        assert rules.category_of(item(None, "gap", gap)) == "gaps"


def test_groups_overdue_this_week_no_date_later() -> None:
    items = [
        item(date(2026, 11, 1), "overdue", "review"),
        item(date(2026, 11, 20), "soon", ehc_records.KIND_REQUEST),  # extended: past, not overdue
        item(date(2026, 11, 29), "soon", "review"),  # Sunday: the 7th day
        item(None, "gap", "needs"),
        item(date(2026, 11, 30), "soon", "review"),  # next Monday: later
    ]
    groups = rules.grouped(items, MONDAY)
    assert [(key, [i.due for i in group]) for key, group in groups] == [
        ("overdue", [date(2026, 11, 1)]),
        ("week", [date(2026, 11, 20), date(2026, 11, 29)]),
        ("now", [None]),
        ("later", [date(2026, 11, 30)]),
    ]


def test_filters_by_kind_year_and_period() -> None:
    items = [
        overdue := item(date(2026, 11, 1), "overdue", "review", year=7),
        week := item(date(2026, 11, 25), "soon", "access evidence", year=9),
        gap := item(None, "gap", "contacts", year=None),
        month := item(date(2026, 12, 18), "soon", "plan review", year=9),
        later := item(date(2027, 2, 1), "later", ehc_records.KIND_REVIEW, year=9),
        group := item(date(2026, 11, 24), "soon", SESSIONS_KIND, year=None, pupil=None),
    ]

    def f(**kw: object) -> list[DueItem]:
        return rules.filter_items(items, MONDAY, **kw)  # type: ignore[arg-type]

    assert f() == items
    assert f(categories={"reviews"}) == [overdue, month]
    assert f(categories={"ehc", "access"}) == [week, later]
    assert f(year=9) == [week, month, later]  # a group's sessions belong to no one year
    assert f(year=None) == [gap]  # pupils with no year recorded
    assert f(period="overdue") == [overdue]
    assert f(period="week") == [overdue, week, gap, group]
    assert f(period="four weeks") == [overdue, week, gap, month, group]
    assert f(categories={"reviews"}, year=9, period="four weeks") == [month]
