"""The SEND register: changing a pupil's SEN status or needs, with history.

A change never overwrites: the open register entry (and the open needs) are closed on the
date of the change and new ones opened, each with who recorded it and why. Census rules
(reference/census.md) are checked on every change, whatever its source — the GUI, the MIS
import or the demo generator all come through :func:`apply_change`.

The register never says E without an EHC plan: a move to E needs a live (not ceased) plan
issued on or before the day of the change (CFA 2014 s37: the plan is what the LA issues;
census code E means "has an EHC plan"). The status dialog can record the plan and the
change in one transaction (``plan=`` on :func:`change_status`).

A mistaken entry is voided, never deleted (:func:`void_entry`): it leaves the pupil's
effective history (status, "since" date, census export, pack) but stays on file with who
voided it and why, and the void is on the audit chain.

Two SENCos changing the same pupil at the same moment (issue 12): the writer says which
state it saw (a :class:`RegisterVersion`, read with :func:`read_register`); the service
locks the pupil's open entry (:func:`lock_current`) and, when someone else changed the
register since, refuses with one sentence naming who and when (:func:`changed_since`) and
writes nothing. The database holds the rule too: the partial unique indexes
``uq_register_entry_open`` and ``uq_need_open_rank`` (migration 0006) refuse a second open
entry or need of a rank, and such a refusal reaches the user as the same sentence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, ValidationError
from sendesk.models import EhcPlan, Need, Pupil, RegisterEntry, User, utcnow
from sendesk.rules.census import PROVISION_LABELS, Provision, census_problems
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:  # ehc imports pupils, which imports this module: no import cycle at run time
    from sendesk.services.ehc.records import PlanData

E = Provision.E.value


@dataclass(frozen=True)
class RegisterVersion:
    """Which state of a pupil's register a writer saw: the ids of the open entry and of the
    open needs.

    Every change to the register closes rows and opens new ones (a change never
    overwrites), and a void re-opens an earlier entry, so any change since the writer read
    gives different ids. Derived from the rows: no version column is needed.
    """

    entry_id: int | None
    need_ids: tuple[int, ...]


@dataclass(frozen=True)
class RegisterSnapshot:
    """A pupil's current status as a writer is shown it, with its version."""

    provision: str | None
    needs: tuple[str, ...]
    version: RegisterVersion
    entry_start: date | None
    """When the open entry began: a change cannot be dated before it."""


@dataclass
class CurrentStatus:
    """A pupil's open register entry and open needs, loaded for a change."""

    entry: RegisterEntry | None
    needs: list[Need]

    @property
    def version(self) -> RegisterVersion:
        """The state these rows are (as stored: read before anything is changed)."""
        return RegisterVersion(
            self.entry.id if self.entry is not None else None,
            tuple(sorted(n.id for n in self.needs)),
        )

    @property
    def provision(self) -> str | None:
        return self.entry.provision if self.entry else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in sorted(self.needs, key=lambda n: n.rank))


def check_census(provision: str, needs: Sequence[str], *, where: str = "") -> None:
    """Raise one ValidationError naming every census rule the combination breaks."""
    problems = census_problems(provision, list(needs))
    if problems:
        prefix = f"{where}: " if where else ""
        raise ValidationError(prefix + "; ".join(problems) + ".")


def load_current(
    session: Session, pupil_ids: Sequence[int] | None = None, *, fresh: bool = False
) -> dict[int, CurrentStatus]:
    """Open entries and needs for the given pupils (all pupils when None): two queries.

    ``fresh`` re-reads rows the session already holds (after a lock was waited for, another
    writer's commit must be seen, not the session's older copy).
    """
    entries = select(RegisterEntry).where(
        RegisterEntry.end_date.is_(None), RegisterEntry.voided_at.is_(None)
    )
    needs = select(Need).where(Need.end_date.is_(None))
    if pupil_ids is not None:
        entries = entries.where(RegisterEntry.pupil_id.in_(pupil_ids))
        needs = needs.where(Need.pupil_id.in_(pupil_ids))
    if fresh:
        entries = entries.execution_options(populate_existing=True)
        needs = needs.execution_options(populate_existing=True)
    current: dict[int, CurrentStatus] = defaultdict(lambda: CurrentStatus(None, []))
    for entry in session.scalars(entries):
        current[entry.pupil_id].entry = entry
    for need in session.scalars(needs):
        current[need.pupil_id].needs.append(need)
    return dict(current)


@dataclass(frozen=True)
class OpenStatus:
    """A pupil's current SEN status as plain values: what readers that change nothing need."""

    provision: str
    since: date
    codes: tuple[str, ...]  # the open needs, primary first


def open_statuses(session: Session) -> dict[int, OpenStatus]:
    """Every pupil with an open register entry: status, since when, needs (two queries).

    Why not :func:`load_current`: "what's due" reads every pupil's status each time it is
    worked out, and building thousands of ORM objects (entries and needs) was most of its
    time on a large school; it changes nothing, so plain columns will do.
    """
    codes: dict[int, list[str]] = defaultdict(list)
    for pupil_id, code in session.execute(
        select(Need.pupil_id, Need.code).where(Need.end_date.is_(None)).order_by(Need.rank)
    ):
        codes[pupil_id].append(code)
    return {
        pupil_id: OpenStatus(provision, start, tuple(codes.get(pupil_id, ())))
        for pupil_id, provision, start in session.execute(
            select(RegisterEntry.pupil_id, RegisterEntry.provision, RegisterEntry.start_date).where(
                RegisterEntry.end_date.is_(None), RegisterEntry.voided_at.is_(None)
            )
        )
    }


def lock_current(
    session: Session, pupil_ids: Sequence[int] | None = None
) -> dict[int, CurrentStatus]:
    """:func:`load_current`, holding the pupils' open entries until the transaction ends.

    Every register writer calls this before it reads what it will change, and before its
    first audit event (the audit chain's lock comes second, always, so two writers cannot
    wait for each other). On a SQLCipher file the write transaction already holds the
    file's lock from BEGIN IMMEDIATE (:mod:`sendesk.db`): the second writer waits and then
    reads the first's change. On PostgreSQL, ``SELECT … FOR UPDATE`` on the open entries
    makes a second writer wait for the first's commit; an entry the first closed no longer
    matches, so the locks are taken again on the entries open now, until every open entry
    read is one this transaction holds.
    """
    if session.get_bind().dialect.name != "postgresql":
        return load_current(session, pupil_ids, fresh=True)
    while True:
        lock = (
            select(RegisterEntry.id)
            .where(RegisterEntry.end_date.is_(None), RegisterEntry.voided_at.is_(None))
            .order_by(RegisterEntry.id)  # one order for every writer: no deadlock
            .with_for_update()
        )
        if pupil_ids is not None:
            lock = lock.where(RegisterEntry.pupil_id.in_(pupil_ids))
        held = set(session.scalars(lock))
        current = load_current(session, pupil_ids, fresh=True)
        if {c.entry.id for c in current.values() if c.entry is not None} <= held:
            return current


def read_register(db: Database, actor: Actor, pupil_id: int) -> RegisterSnapshot:
    """The pupil's current status and needs with the :class:`RegisterVersion` a change
    says it saw (the status dialog reads this when it opens)."""
    permit(actor, Action.CHANGE_REGISTER)
    with db.session() as s:
        current = load_current(s, [pupil_id]).get(pupil_id, CurrentStatus(None, []))
        if current.entry is None and s.get(Pupil, pupil_id) is None:  # every pupil has one
            raise NotFoundError("That pupil is not in this database.")
        start = current.entry.start_date if current.entry is not None else None
        return RegisterSnapshot(current.provision, current.codes, current.version, start)


def changed_since(session: Session, pupil_id: int) -> ConflictError:
    """The one sentence for a change refused because the register moved on: who made the
    newest change to the pupil's register and when (local time), from the rows that
    record it (the open entry, the open needs, a void)."""
    # Plain columns, not ORM objects: a session's older copies must not be what is read.
    marks: list[tuple[datetime, int | None]] = []
    for end, at, by, voided_at, voided_by in session.execute(
        select(
            RegisterEntry.end_date,
            RegisterEntry.recorded_at,
            RegisterEntry.recorded_by_id,
            RegisterEntry.voided_at,
            RegisterEntry.voided_by_id,
        ).where(RegisterEntry.pupil_id == pupil_id)
    ):
        if end is None:
            marks.append((at, by))
        if voided_at is not None:
            marks.append((voided_at, voided_by))
    marks += [
        (at, by)
        for at, by in session.execute(
            select(Need.recorded_at, Need.recorded_by_id).where(
                Need.pupil_id == pupil_id, Need.end_date.is_(None)
            )
        )
    ]
    if not marks:
        return ConflictError(
            "This pupil's SEN status was changed by someone else — reload to see it; "
            "nothing was saved."
        )
    at, user_id = max(marks, key=lambda mark: mark[0])
    name = session.scalar(select(User.display_name).where(User.id == user_id)) if user_id else None
    local = at.astimezone()
    return ConflictError(
        f"This pupil's SEN status was changed by {name or 'someone else'} at "
        f"{local:%H:%M} on {local:%d/%m/%Y} — reload to see it; nothing was saved."
    )


def _check_seen(
    session: Session, pupil_id: int, current: CurrentStatus, seen: RegisterVersion | None
) -> None:
    """Refuse (ConflictError, nothing written) when the register is not what the writer
    saw; a writer that says nothing (``seen`` None) works on the state it has locked."""
    if seen is not None and current.version != seen:
        raise changed_since(session, pupil_id)


_OPEN_INDEXES = ("uq_register_entry_open", "uq_need_open_rank")
# SQLite names the columns of a broken unique index, not the index.
_OPEN_COLUMNS = ("register_entry.pupil_id", "need.pupil_id, need.rank")


def is_open_clash(exc: IntegrityError) -> bool:
    """True when the database refused a second open entry, or open need of a rank."""
    text = str(exc.orig)
    return any(name in text for name in _OPEN_INDEXES + _OPEN_COLUMNS)


def clash_conflict(db: Database, pupil_id: int) -> ConflictError:
    """The sentence for a second open entry or need refused by the database itself (a
    writer that did not say what it saw): read after the refused transaction rolled back,
    so it names the change that is there."""
    with db.session() as s:
        return changed_since(s, pupil_id)


def live_plan(session: Session, pupil_id: int) -> EhcPlan | None:
    """The pupil's EHC plan that has not ceased, if one is recorded (a ceased plan does
    not count: the pupil no longer has a plan)."""
    return session.scalars(
        select(EhcPlan)
        .where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
        .order_by(EhcPlan.issued_on.desc(), EhcPlan.id.desc())
    ).first()


def plan_problem(plan: EhcPlan | None, on: date) -> str | None:
    """Why a pupil with ``plan`` (their live plan or None) cannot be E from ``on``; None
    when they can. Census code E is "has an EHC plan" (reference/census.md)."""
    if plan is None:
        return (
            "A pupil can be recorded as E (EHC plan) only once their issued EHC plan is "
            "recorded: record the plan's issue date and local authority with the change, "
            "or in the EHC tab first"
        )
    if plan.issued_on > on:
        return (
            f"The change to E ({on:%d/%m/%Y}) is before the EHC plan was issued "
            f"({plan.issued_on:%d/%m/%Y})"
        )
    return None


def apply_change(
    session: Session,
    audit: AuditWriter,
    pupil_id: int,
    current: CurrentStatus,
    provision: str,
    needs: Sequence[str],
    on: date,
    reason: str,
    *,
    seen: RegisterVersion | None = None,
) -> bool:
    """Move a pupil to ``provision`` with ranked ``needs`` from date ``on``; keep history.

    Returns False (and writes nothing) when nothing changes, so importing the same file
    twice is a no-op. The caller has already checked census rules and permission; a move
    to E is refused here, whatever the source, unless a live plan is recorded
    (:func:`plan_problem`). ``current`` comes from :func:`lock_current` for a pupil other
    writers can reach; with ``seen`` (what the writer was shown) a register changed since
    is refused with :func:`changed_since`'s sentence.
    """
    _check_seen(session, pupil_id, current, seen)
    old_provision, old_needs = current.provision, current.codes
    new_needs = tuple(needs)
    if old_provision == provision and old_needs == new_needs:
        return False
    if current.entry is not None and on < current.entry.start_date:
        raise ValidationError(
            f"The change date {on:%d/%m/%Y} is before the current status began "
            f"({current.entry.start_date:%d/%m/%Y})."
        )
    if provision == E and old_provision != E:
        problem = plan_problem(live_plan(session, pupil_id), on)
        if problem:
            raise ValidationError(problem + ".")
    user_id = audit.actor.user_id
    if old_provision != provision:
        if current.entry is not None:
            current.entry.end_date = on
        current.entry = RegisterEntry(
            pupil_id=pupil_id,
            provision=provision,
            start_date=on,
            reason=reason,
            recorded_by_id=user_id,
        )
        session.add(current.entry)
    if old_needs != new_needs:
        for need in current.needs:
            need.end_date = on
        current.needs = [
            Need(pupil_id=pupil_id, code=code, rank=rank, start_date=on, recorded_by_id=user_id)
            for rank, code in enumerate(new_needs, start=1)
        ]
        session.add_all(current.needs)
    audit.record(
        "register_change",
        "pupil",
        pupil_id,
        {
            "from": {"provision": old_provision, "needs": list(old_needs)},
            "to": {"provision": provision, "needs": list(new_needs)},
            "on": on,
            "reason": reason,
        },
    )
    return True


def change_status(
    db: Database,
    actor: Actor,
    pupil_id: int,
    provision: Provision | str,
    needs: Sequence[str],
    on: date,
    reason: str,
    *,
    plan: PlanData | None = None,
    today: date | None = None,
    seen: RegisterVersion | None = None,
) -> None:
    """The SENCo changes a pupil's SEN status and/or needs, with the date and the reason.

    With ``plan`` (a move to E for a pupil whose plan is not yet recorded) the issued plan
    is recorded first through the EHC service's own logic, in the same transaction: both
    are written or neither. ``seen`` is the :class:`RegisterVersion` the SENCo was shown
    (:func:`read_register`): if anyone changed the register since, a ConflictError says
    who and when, and nothing is written (issue 12).
    """
    permit(actor, Action.CHANGE_REGISTER)
    provision = Provision(provision).value
    if not reason.strip():
        raise ValidationError("Give a reason for the change to the register.")
    check_census(provision, needs)
    if plan is not None and provision != E:
        raise ValidationError("An EHC plan is recorded with a change only when it is to E.")
    try:
        with db.transaction() as s:
            # Locked and checked before anything is written or audited (lock_current).
            current = lock_current(s, [pupil_id]).get(pupil_id, CurrentStatus(None, []))
            if current.entry is None and s.get(Pupil, pupil_id) is None:
                raise NotFoundError("That pupil is not in this database.")
            _check_seen(s, pupil_id, current, seen)
            audit = AuditWriter(s, actor)
            if plan is not None:
                from sendesk.services.ehc.plans import add_plan

                add_plan(s, audit, pupil_id, plan, today or date.today())
            apply_change(s, audit, pupil_id, current, provision, needs, on, reason.strip())
            s.flush()
    except IntegrityError as exc:
        if not is_open_clash(exc):
            raise
        raise clash_conflict(db, pupil_id) from None


def live_plan_issued_on(db: Database, actor: Actor, pupil_id: int) -> date | None:
    """When the pupil's live (not ceased) EHC plan was issued; None when none is recorded.
    The status dialog asks, to offer recording the plan with a change to E."""
    permit(actor, Action.CHANGE_REGISTER)
    with db.session() as s:
        plan = live_plan(s, pupil_id)
        return plan.issued_on if plan is not None else None


# --- voiding a mistaken entry -------------------------------------------------------------


def _effective(session: Session, pupil_id: int) -> list[RegisterEntry]:
    """The pupil's entries that are not voided, in the order they were in force."""
    return list(
        session.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.pupil_id == pupil_id, RegisterEntry.voided_at.is_(None))
            .order_by(RegisterEntry.start_date, RegisterEntry.id)
        )
    )


def _undo_needs_of(session: Session, entry: RegisterEntry) -> dict[str, list[str]] | None:
    """Put the needs back as they were before ``entry``'s change, when that change also
    changed the needs (need rows closed or opened on its start date); None otherwise.

    The mistaken needs are kept but closed on their own start date, so they cover no day
    (the need table has no void columns; the audit event names them).
    """
    on = entry.start_date
    rows = list(session.scalars(select(Need).where(Need.pupil_id == entry.pupil_id)))
    opened = [n for n in rows if n.end_date is None and n.start_date == on]
    closed = [n for n in rows if n.end_date == on and n.start_date < on]
    if not opened and not closed:
        return None
    for need in opened:
        need.end_date = on
    session.flush()  # the database allows one open need of each rank at any moment
    for need in closed:
        need.end_date = None
    return {"from": _codes(opened), "to": _codes(closed)}


def _codes(needs: Sequence[Need]) -> list[str]:
    return [n.code for n in sorted(needs, key=lambda n: n.rank)]


def void_entry(
    db: Database,
    actor: Actor,
    entry_id: int,
    reason: str,
    *,
    seen: RegisterVersion | None = None,
) -> None:
    """The SENCo voids a mistaken register entry, saying why.

    The entry stays on file (who voided it, when, why) but leaves the effective history.
    When it was the pupil's current entry, the entry before it is re-opened so the pupil
    has exactly one open effective entry; needs changed in the same step are put back
    (:func:`_undo_needs_of`). A voided entry in the middle of the history leaves the needs
    alone: they were changed by later steps too. The pupil's first entry cannot be voided
    (there would be no status to fall back on): record the right one as a change.

    The pupil's open entry is locked first (:func:`lock_current`), as for a change; with
    ``seen`` (the register the SENCo was shown) a register changed since is refused.
    """
    permit(actor, Action.CHANGE_REGISTER)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Give a reason for voiding the register entry.")
    pupil_id: int | None = None
    try:
        with db.transaction() as s:
            pupil_id = s.scalar(select(RegisterEntry.pupil_id).where(RegisterEntry.id == entry_id))
            if pupil_id is None:
                raise NotFoundError("That register entry is not in this database.")
            current = lock_current(s, [pupil_id]).get(pupil_id, CurrentStatus(None, []))
            entry = s.get(RegisterEntry, entry_id, populate_existing=True)
            assert entry is not None  # entries are never deleted, only voided
            if entry.voided_at is not None:
                raise ConflictError("That register entry has already been voided.")
            _check_seen(s, pupil_id, current, seen)
            _void(s, actor, entry, reason)
    except IntegrityError as exc:
        if pupil_id is None or not is_open_clash(exc):
            raise
        raise clash_conflict(db, pupil_id) from None


def _void(s: Session, actor: Actor, entry: RegisterEntry, reason: str) -> None:
    """Void ``entry`` (locked, not yet voided): see :func:`void_entry`."""
    effective = _effective(s, entry.pupil_id)
    at = effective.index(entry)
    if at == 0:
        raise ValidationError(
            "A pupil's first register entry cannot be voided: record the right status "
            "as a change instead."
        )
    previous = effective[at - 1]
    was_open = entry.end_date is None
    needs: dict[str, list[str]] | None = None
    if was_open:
        if previous.provision == E and live_plan(s, entry.pupil_id) is None:
            raise ValidationError(
                "Voiding this entry would put the pupil back on E (EHC plan), but "
                "no live EHC plan is recorded for them."
            )
        needs = _undo_needs_of(s, entry)
        s.flush()
        open_needs = select(Need).where(Need.pupil_id == entry.pupil_id, Need.end_date.is_(None))
        codes = _codes(s.scalars(open_needs).all())
        if census_problems(previous.provision, codes):
            label = PROVISION_LABELS[Provision(previous.provision)]
            raise ValidationError(
                f"Voiding this entry would put the pupil back on {label} "
                f"({previous.provision}) with needs {', '.join(codes) or 'none'}, which "
                "the census does not allow: change the needs first."
            )
        entry.end_date = entry.start_date  # covers no day; never the open entry again
        s.flush()  # closed before the one before is re-opened: one open entry at a time
        previous.end_date = None
    else:
        previous.end_date = entry.end_date  # the history stays unbroken
    # Only one of two SENCos voiding at once succeeds (the row is re-checked on write).
    done = s.execute(
        update(RegisterEntry)
        .where(RegisterEntry.id == entry.id, RegisterEntry.voided_at.is_(None))
        .values(voided_at=utcnow(), voided_by_id=actor.user_id, void_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount != 1:
        raise ConflictError("That register entry has already been voided.")
    AuditWriter(s, actor).record(
        "void",
        "register_entry",
        entry.id,
        {
            "pupil_id": entry.pupil_id,
            "provision": entry.provision,
            "start_date": entry.start_date,
            "reason": reason,
            "reopened_entry_id": previous.id if was_open else None,
            "needs": needs,
        },
    )
