""" "What's due": reviews, deadlines and gaps across the school, soonest first.

This issue supplies register-level items; later capabilities (support-plan reviews, access
arrangement expiry, statutory EHC milestones) add their own providers to :data:`PROVIDERS`,
so the home page stays one list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.models import Contact, NeedProfile, Pupil
from sendesk.roles import Role
from sendesk.rules import upn as upn_rules
from sendesk.rules.census import ON_REGISTER, area_of
from sendesk.rules.dates import add_months
from sendesk.rules.permissions import allowed
from sendesk.services.access.due import access_items
from sendesk.services.actor import Actor
from sendesk.services.common import PUPIL_NAME_COLUMNS
from sendesk.services.ehc.due import ehc_plan_items, ehc_request_items, pupils_with_plans
from sendesk.services.ehc.records import KIND_REVIEW
from sendesk.services.graduated.concerns import KIND_EVIDENCE, concern_items
from sendesk.services.graduated.intervention_records import display_name
from sendesk.services.graduated.interventions_due import (
    MEASURES_KIND,
    SESSIONS_KIND,
    measure_items,
    session_log_items,
)
from sendesk.services.graduated.meetings import meeting_items
from sendesk.services.graduated.support_plans import (
    DUE_KIND as PLAN_REVIEW_KIND,
)
from sendesk.services.graduated.support_plans import (
    open_plan_reviews,
    plan_review_items,
    support_rhythm_items,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.register.register import open_statuses
from sendesk.services.scope import groups_led, pupils_in_scope
from sendesk.services.transfer.ctf_import import arrival_review_items
from sendesk.services.transfer.leavers import sen_file_items

SOON_DAYS = 28


class _OfPupil(Protocol):
    @property
    def pupil_id(self) -> int: ...


Record = TypeVar("Record", bound=_OfPupil)
"""A provider's record about a pupil (:func:`with_pupils_here`)."""


@dataclass(frozen=True)
class DueItem:
    """One thing that needs doing; ``due`` is None for a gap (needs doing now).

    Most items are about a pupil. One about an intervention group as a whole (sessions
    not logged) has no pupil (``pupil_id`` None) and names its group instead; an item about
    a pupil in a group (a measure due) has both, so that it goes to whoever leads the group.
    """

    due: date | None
    severity: str  # "overdue", "soon", "later" or "gap"
    kind: str
    pupil_id: int | None
    pupil_name: str
    upn: str
    text: str
    group_id: int | None = None
    group_name: str = ""
    year_group: int | None = None  # the pupil's, filled in by due_items (for its filter)

    @property
    def who(self) -> str:
        """Whom it is about, as a list shows it: the pupil and their UPN, or the group."""
        if self.pupil_id is None:
            return f"Group: {self.group_name}"
        return f"{self.pupil_name} ({self.upn})"

    @classmethod
    def for_pupil(cls, pupil: Any, due: date, today: date, kind: str, text: str) -> DueItem:
        """An item about ``pupil`` (a Pupil, or a row with its names and UPN) due on
        ``due``, as severe as that is on ``today``: what most providers list."""
        return cls(
            due, severity_of(due, today), kind, pupil.id, display_name(pupil), pupil.upn, text
        )

    def sort_key(self) -> tuple[int, date, str]:
        order = {"overdue": 0, "soon": 1, "gap": 2, "later": 3}[self.severity]
        return (order, self.due or date.max, self.pupil_name or self.group_name)


def severity_of(due: date, today: date) -> str:
    """Overdue before today, soon within :data:`SOON_DAYS`, later after that."""
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


Provider = Callable[[Session, date, int], list[DueItem]]


def pupil_rows(session: Session, pupil_ids: Iterable[int]) -> list[Row[Any]]:
    """What providers say about pupils (names, UPN, leaving and review dates), as plain
    rows: loading whole pupils as ORM objects, hundreds at a time, was most of the time
    "what's due" took on a large school. Rows work with ``display_name``."""
    return list(
        session.execute(
            select(*PUPIL_NAME_COLUMNS, Pupil.leaving_date, Pupil.next_review_due).where(
                Pupil.id.in_(list(pupil_ids))
            )
        )
    )


def with_pupils_here(
    session: Session, records: Sequence[Record], today: date
) -> Iterator[tuple[Record, Row[Any]]]:
    """Each of ``records`` (anything with a ``pupil_id``: a row, a model) whose pupil is
    still here on ``today``, in order, with the pupil's :func:`pupil_rows` row (one query):
    a provider passes over the records of a pupil who left before today, for a pupil who
    has left needs nothing more done."""
    pupils = {
        p.id: p
        for p in pupil_rows(session, {r.pupil_id for r in records})
        if p.leaving_date is None or p.leaving_date >= today
    }
    for record in records:
        pupil = pupils.get(record.pupil_id)
        if pupil is not None:
            yield record, pupil


def register_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """Review dates, EHC annual reviews and record gaps for pupils on the register."""
    on_register = {
        pid: c for pid, c in open_statuses(session).items() if c.provision in ON_REGISTER
    }
    if not on_register:
        return []
    pupils = pupil_rows(session, on_register)
    described: dict[int, set[str]] = defaultdict(set)
    for pid, area, diff, strat in session.execute(
        select(
            NeedProfile.pupil_id, NeedProfile.area, NeedProfile.difficulties, NeedProfile.strategies
        )
    ):
        if (diff or "").strip() or (strat or "").strip():
            described[pid].add(area)
    with_pr = set(
        session.scalars(select(Contact.pupil_id).where(Contact.parental_responsibility.is_(True)))
    )
    horizon = today + timedelta(days=horizon_days)
    open_reviews = open_plan_reviews(session)
    with_ehc_plan = pupils_with_plans(session)
    items: list[DueItem] = []
    for pupil in pupils:
        status = on_register[pupil.id]
        name, upn = display_name(pupil), pupil.upn

        def add(due: date | None, severity: str, kind: str, text: str) -> None:
            items.append(DueItem(due, severity, kind, pupil.id, name, upn, text))  # noqa: B023

        entry_start = status.since
        if pupil.id in with_ehc_plan:
            pass  # the EHC plan's own annual review items say it, from the plan's dates
        elif (
            pupil.next_review_due is not None
            and open_reviews.get(pupil.id) == pupil.next_review_due
        ):
            pass  # the open support plan's own review item says it (no duplicate line)
        elif pupil.next_review_due is not None:
            if pupil.next_review_due <= horizon:
                label = "EHC plan review" if status.provision == "E" else "SEN support review"
                add(
                    pupil.next_review_due,
                    severity_of(pupil.next_review_due, today),
                    "review",
                    f"{label} due {pupil.next_review_due:%d/%m/%Y}",
                )
        elif status.provision == "E":
            due = add_months(entry_start, 12)
            if due <= horizon:
                add(
                    due,
                    severity_of(due, today),
                    "annual review",
                    f"No annual review recorded: the EHC plan began {entry_start:%d/%m/%Y}, "
                    f"so a review is due by {due:%d/%m/%Y} (at least every 12 months)",
                )
        else:
            add(None, "gap", "review", "No date set for the next SEN support review")
        if pupil.leaving_date is not None and pupil.leaving_date < today:
            add(
                None,
                "gap",
                "register",
                f"Left on {pupil.leaving_date:%d/%m/%Y} but still on the SEN register",
            )
        codes = status.codes
        area = area_of(codes[0]) if codes else None
        if area is not None and area.value not in described[pupil.id]:
            add(None, "gap", "needs", f"No description of needs in {area.value.lower()}")
        if pupil.id not in with_pr:
            add(None, "gap", "contacts", "No contact with parental responsibility recorded")
        if upn_rules.is_temporary(upn):
            add(None, "gap", "UPN", "Temporary UPN: replace it with the permanent one")
    return items


PROVIDERS: list[Provider] = [
    register_items,
    plan_review_items,
    support_rhythm_items,
    ehc_request_items,
    ehc_plan_items,
    access_items,
    session_log_items,
    measure_items,
    arrival_review_items,
    sen_file_items,
    concern_items,
    meeting_items,
]


def due_items(
    db: Database, actor: Actor, *, today: date | None = None, horizon_days: int = 90
) -> list[DueItem]:
    """Everything due across the school within ``horizon_days``, overdue first."""
    permit(actor, Action.VIEW_DUE)
    today = today or date.today()
    # EHC requests are the SENCo's only: not even read for anyone else (on a PostgreSQL
    # server their login may not read the rows at all).
    providers = [
        p
        for p in PROVIDERS
        if p is not ehc_request_items or allowed(actor.role, Action.VIEW_EHC_REQUESTS)
    ]
    with db.session() as s:
        items = [item for provider in providers for item in provider(s, today, horizon_days)]
        mine = pupils_in_scope(s, actor)
        led = groups_led(s, actor)
        items = with_year_groups(s, items)
    if mine is not None:
        # Staff see their own pupils' deadlines, of the kinds their work has (issue 13);
        # EHC requests and where a case stands are never among them. An item about a
        # group (sessions to log, measures to take) goes to whoever leads the group.
        items = for_staff(items, actor.role, mine, led or frozenset())
    return sorted(items, key=DueItem.sort_key)


def for_staff(
    items: list[DueItem], role: Role, pupils: frozenset[int], groups: frozenset[int]
) -> list[DueItem]:
    """The items a member of staff in ``role`` sees: of the kinds their work has
    (:data:`STAFF_KINDS`), about pupils they work with (``pupils``), and, when about a group
    (its sessions, its pupils' measures), a group they lead (``groups``) — a pupil in one
    assistant's group may be assigned to another, but only the leader logs the group."""
    kinds = STAFF_KINDS.get(role, frozenset())
    return [
        i
        for i in items
        if i.kind in kinds
        and (i.group_id is None or i.group_id in groups)
        and (i.pupil_id is None or i.pupil_id in pupils)
    ]


_REVIEWS = frozenset({PLAN_REVIEW_KIND, "review", "annual review", KIND_REVIEW})
STAFF_KINDS: dict[Role, frozenset[str]] = {
    # evidence due for their classes and reviews of their pupils; and, for a teacher who
    # leads an intervention group (the table lets them log it), its sessions and measures
    Role.TEACHER: _REVIEWS | {"access evidence", SESSIONS_KIND, MEASURES_KIND, KIND_EVIDENCE},
    # reviews of the pupils in their groups and assigned to them; sessions not yet logged
    # and measures due for the groups they lead
    Role.LEARNING_SUPPORT: _REVIEWS | {SESSIONS_KIND, MEASURES_KIND, KIND_EVIDENCE},
}
"""The kinds of item a member of staff's "what's due" shows, for the pupils they work
with (:func:`sendesk.services.scope.pupils_in_scope`); the SENCo sees every kind."""


def with_year_groups(session: Session, items: list[DueItem]) -> list[DueItem]:
    """``items`` with each pupil's year group filled in (one query), so that the home
    page can filter by year without each provider having to know about it."""
    ids = {i.pupil_id for i in items if i.pupil_id is not None}
    if not ids:
        return items
    rows = session.execute(select(Pupil.id, Pupil.year_group).where(Pupil.id.in_(ids)))
    years: dict[int, int | None] = {pid: year for pid, year in rows}
    return [
        replace(i, year_group=years.get(i.pupil_id)) if i.pupil_id is not None else i for i in items
    ]
