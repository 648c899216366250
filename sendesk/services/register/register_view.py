"""Reading the SEND register as plain rows: the register screen, its exports and the CLI.

Why a module of its own, in plain SQL: the register is read whole at every start-up, and
this read must not wait for SQLAlchemy and the models to import (see :mod:`sendesk.db`).
It is three queries whatever the number of pupils. Changes to the register are in
:mod:`sendesk.services.register.register`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sendesk.db import Database, as_date
from sendesk.rules.census import NEED_CODES, ON_REGISTER, Provision, area_of
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, pupils_allowed_in


@dataclass(frozen=True)
class RegisterRow:
    """One pupil's line on the register, as plain data for exports and the GUI."""

    pupil_id: int
    upn: str
    legal_surname: str
    legal_forename: str
    preferred_forename: str | None
    dob: date
    gender: str | None
    year_group: int | None
    reg_group: str | None
    provision: str
    needs: tuple[str, ...]
    on_register_since: date | None
    preferred_surname: str | None = None
    ehcp_since: date | None = None
    next_review_due: date | None = None

    @property
    def display_name(self) -> str:
        """Preferred names where recorded: what staff call the pupil."""
        forename = self.preferred_forename or self.legal_forename
        return f"{forename} {self.preferred_surname or self.legal_surname}"

    @property
    def primary_need(self) -> str | None:
        return self.needs[0] if self.needs else None

    @property
    def secondary_need(self) -> str | None:
        return self.needs[1] if len(self.needs) > 1 else None

    @property
    def primary_area(self) -> str | None:
        if not self.needs or self.needs[0] not in NEED_CODES:
            return None  # a legacy or unknown code from old data: the census check lists it
        area = area_of(self.needs[0])
        return area.value if area else None


_PUPILS_SQL = """
SELECT p.id, p.upn, p.legal_surname, p.legal_forename, p.preferred_forename,
       p.preferred_surname, p.dob, p.gender, p.year_group, p.reg_group,
       p.next_review_due, e.provision
FROM pupil p
LEFT OUTER JOIN register_entry e
  ON e.pupil_id = p.id AND e.end_date IS NULL AND e.voided_at IS NULL
{where}
ORDER BY p.year_group, p.legal_surname, p.legal_forename, p.id
"""
_NEEDS_SQL = "SELECT pupil_id, rank, code FROM need WHERE end_date IS NULL{also}"
# Voided entries (a mistake the SENCo voided) are no part of the pupil's effective history.
_HISTORY_SQL = (
    "SELECT id, pupil_id, provision, start_date, end_date FROM register_entry"
    " WHERE voided_at IS NULL{also}"
)
_ON_REGISTER_NOW = (
    "pupil_id IN (SELECT pupil_id FROM register_entry WHERE end_date IS NULL"
    " AND voided_at IS NULL AND provision IN (?, ?))"
)


def run_start(entries: Iterable[tuple[str, date]]) -> date | None:
    """When the last run of entries with the same provision began: the "since" date.

    ``entries`` are one pupil's effective (not voided) entries as (provision, start date),
    in the order they were in force. Consecutive entries with the same provision are one
    spell: after a voided mistake (K, E voided, K) the pupil is "SEN support since" the
    first K, not since the correction.
    """
    since: date | None = None
    last: str | None = None
    for provision, start in entries:
        if provision != last:
            since, last = start, provision
    return since


def _register_since(entries: Iterable[tuple[int, str, date]]) -> date | None:
    """Start of the unbroken run of K/E periods that ends with the current one.

    ``entries`` are (id, provision, start date) of one pupil's register history.
    """
    since: date | None = None
    for _id, provision, start in sorted(entries, key=lambda e: (e[2], e[0])):
        if provision in ON_REGISTER:
            since = since or start
        else:
            since = None
    return since


def register_rows(db: Database, actor: Actor, *, include_all: bool = False) -> list[RegisterRow]:
    """The register (K and E pupils), or every pupil with ``include_all``.

    Three queries whatever the number of pupils: pupils with their open entry, open needs,
    and register history (for the date each pupil joined the register).
    """
    allowed = pupils_allowed_in(db, actor, Action.VIEW_REGISTER)
    # Without ``include_all`` only the pupils on the register are read, in all three.
    only = () if include_all else ON_REGISTER
    pupils_sql = _PUPILS_SQL.format(where="" if include_all else "WHERE e.provision IN (?, ?)")
    needs_sql = _NEEDS_SQL.format(also="" if include_all else " AND " + _ON_REGISTER_NOW)
    history_sql = _HISTORY_SQL.format(also="" if include_all else " AND " + _ON_REGISTER_NOW)
    with db.reading() as read:
        pupils = read.rows(pupils_sql, only)
        if allowed is not None:  # a teacher's or learning support's own pupils (issue 13)
            pupils = [row for row in pupils if row[0] in allowed]
        needs: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pid, rank, code in read.rows(needs_sql, only):
            needs[pid].append((rank, code))
        history: dict[int, list[tuple[int, str, date]]] = defaultdict(list)
        for entry_id, pid, provision, start, _end in read.rows(history_sql, only):
            started = as_date(start)
            assert started is not None  # start_date is NOT NULL
            history[pid].append((entry_id, provision, started))
    ehcp_since: dict[int, date] = {}
    for pid, entries in history.items():
        ordered = sorted(entries, key=lambda e: (e[2], e[0]))
        if ordered and ordered[-1][1] == Provision.E.value:
            since = run_start((provision, start) for _id, provision, start in ordered)
            if since is not None:
                ehcp_since[pid] = since
    rows = []
    for (
        pid,
        upn,
        surname,
        forename,
        preferred_forename,
        preferred_surname,
        dob,
        gender,
        year_group,
        reg_group,
        next_review_due,
        provision,
    ) in pupils:
        prov = provision or Provision.N.value
        born = as_date(dob)
        assert born is not None  # dob is NOT NULL
        rows.append(
            RegisterRow(
                pupil_id=pid,
                upn=upn,
                legal_surname=surname,
                legal_forename=forename,
                preferred_forename=preferred_forename,
                dob=born,
                gender=gender,
                year_group=year_group,
                reg_group=reg_group,
                provision=prov,
                needs=tuple(code for _, code in sorted(needs.get(pid, []))),
                on_register_since=_register_since(history.get(pid, []))
                if prov in ON_REGISTER
                else None,
                preferred_surname=preferred_surname,
                ehcp_since=ehcp_since.get(pid),
                next_review_due=as_date(next_review_due),
            )
        )
    return rows
