"""Recording a school's past register in one call: pupils with their contacts, need
profiles and the dated history of their SEN status and needs.

Why a batch: the day-to-day services take one step at a time — :func:`~.pupils.add_pupil`,
then :func:`~.pupil_record.add_contact` and :func:`~.pupil_record.save_need_profile`, then
:func:`~.register.change_status` for each change over the years — a transaction and an audit
event each. A history (the demo school's pupils first; another system's register next) is
checked here with the same rules (:func:`~.pupils.validate_pupil`, the contact cleaning,
the need profile's checks, the census rules of every change), plus what a history needs:
its changes in date order, none after today, and ending at the pupil's status. Nothing is
written if anything is wrong (one ValidationError sentence). Then the pupils, contacts and
profiles are written by executemany inside the caller's transaction, and each change is
applied by :func:`~.register.apply_change` — the dated register entries and needs, with
their audit events, exactly as a change made in the app — carrying the day it was
recorded. One "record_past_pupils" audit event holds the counts and the new pupils' ids.

The register never says E without an EHC plan (:func:`~.register.plan_problem`): a change
to E brings the plan issued with it (``PastChange.plan``), recorded through the EHC service
as the status dialog records one (:func:`sendesk.services.ehc.plans.add_plan`, leaving the
pupil's next review date as the batch gives it); a change off E records the day that plan
ceased.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.errors import ValidationError
from sendesk.models import Contact, EhcPlan, NeedProfile, Pupil, utcnow
from sendesk.rules.census import Provision, census_problems
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.bulk_rows import bulk, insert_rows
from sendesk.services.ehc.records import PlanData
from sendesk.services.permissions import Action, permit
from sendesk.services.register.pupil_record import (
    ContactData,
    clean_contact,
    clean_need_profile,
    review_problem,
)
from sendesk.services.register.pupils import PupilData, first_entry_date, validate_pupil
from sendesk.services.register.register import CurrentStatus, apply_change
from sendesk.services.store.audit import AuditWriter

E = Provision.E.value


@dataclass(frozen=True)
class PastChange:
    """One dated change of a pupil's register, as the SENCo recorded it.

    ``recorded_at`` is when it was recorded (the register shows it); None for now.
    ``plan`` is the EHC plan issued, for a change to E (and only then)."""

    on: date
    provision: str
    needs: tuple[str, ...]
    reason: str
    recorded_at: datetime | None = None
    plan: PlanData | None = None


@dataclass(frozen=True)
class PastProfile:
    """What the school has written about the pupil in one area of need."""

    area: str
    strengths: str = ""
    difficulties: str = ""
    strategies: str = ""


@dataclass(frozen=True)
class PastPupil:
    """A pupil as the register holds them: their details (``data``: status and needs are
    the current ones), contacts in priority order, need profiles and the history that led
    to their status, oldest first. With no history, their first entry is opened as adding
    the pupil opens it (:func:`~.pupils.first_entry_date`)."""

    data: PupilData
    history: tuple[PastChange, ...] = ()
    contacts: tuple[ContactData, ...] = ()
    profiles: tuple[PastProfile, ...] = ()
    next_review_due: date | None = None


@dataclass(frozen=True)
class PastRegister:
    """What :func:`record_past_pupils` wrote: the new pupils' ids (in the order given) and
    the counts."""

    pupil_ids: tuple[int, ...]
    contacts: int
    need_profiles: int
    register_changes: int
    ehc_plans: int


def _plan_problems(plan: PlanData, today: date) -> list[str]:
    """What the EHC service would refuse in a plan recorded with a move to E (checked as
    :func:`sendesk.services.ehc.plans.add_plan` checks one). A new pupil has no EHC request
    yet, so their plan can name none."""
    from sendesk.services.ehc.plans import clean_plan  # ehc imports the register

    problems: list[str] = []
    try:
        clean_plan(plan, today)
    except ValidationError as exc:
        problems.append(as_clause(str(exc)))
    if plan.request_id is not None:
        problems.append("a new pupil's EHC plan cannot name an EHC request")
    return problems


def _history_problems(where: str, past: PastPupil, today: date) -> list[str]:
    problems: list[str] = []
    now = utcnow()
    held: str | None = None
    last: date | None = None
    for change in past.history:
        when = f"{where}, the change of {change.on:%d/%m/%Y}"
        problems += [f"{when}: {why}" for why in census_problems(change.provision, change.needs)]
        if not change.reason.strip():
            problems.append(f"{when}: give a reason for the change")
        if change.on > today or (last is not None and change.on < last):
            problems.append(f"{when}: it is after today or before the change before it")
        if change.recorded_at is not None and change.recorded_at > now:
            problems.append(f"{when}: it is recorded in the future")
        to_e = change.provision == E and held != E
        if change.plan is not None:
            problems += [f"{when}: {why}" for why in _plan_problems(change.plan, today)]
        if to_e and (
            change.plan is None
            or change.plan.issued_on is None
            or change.plan.issued_on > change.on
        ):
            problems.append(f"{when}: a change to E needs the EHC plan issued by then")
        elif change.plan is not None and not to_e:
            problems.append(f"{when}: an EHC plan comes only with a change to E")
        held, last = change.provision, change.on
    if not past.history and past.data.provision == E:
        problems.append(f"{where}: a pupil on E needs their history's change to E with its plan")
    final = past.history[-1] if past.history else None
    data = past.data
    if final is not None and (final.provision, final.needs) != (data.provision, data.needs):
        problems.append(f"{where}: the history does not end at the pupil's status")
    return problems


def _check(
    session: Session, pupils: Sequence[PastPupil], today: date
) -> tuple[list[str], list[list[dict[str, Any]]], list[list[dict[str, str]]]]:
    """Every problem of the batch, and each pupil's cleaned contacts and profiles."""
    problems: list[str] = []
    contacts: list[list[dict[str, Any]]] = []
    profiles: list[list[dict[str, str]]] = []
    held = set(session.scalars(select(Pupil.upn)))
    seen: set[str] = set()
    for n, past in enumerate(pupils, start=1):
        data = past.data
        where = f"pupil {n} (UPN {data.upn})"
        problems += [f"{where}: {p.reason}" for p in validate_pupil(data, today=today)]
        if data.upn in held or data.upn in seen:
            problems.append(f"{where}: the UPN is already another pupil's")
        seen.add(data.upn)
        if why := review_problem(past.next_review_due, data.dob):
            problems.append(f"{where}: {why}")
        problems += _history_problems(where, past, today)
        contacts.append([])
        for contact in past.contacts:
            try:
                contacts[-1].append(clean_contact(contact))
            except ValidationError as exc:
                problems.append(f"{where}, contact {contact.name}: {as_clause(str(exc))}")
        profiles.append([])
        areas = [profile.area for profile in past.profiles]
        if twice := sorted({a for a in areas if areas.count(a) > 1}):
            problems.append(f"{where}: the need profile for {twice[0]} is given twice")
        for profile in past.profiles:
            try:
                texts = clean_need_profile(
                    profile.area, profile.strengths, profile.difficulties, profile.strategies
                )
            except ValidationError as exc:
                problems.append(f"{where}: {as_clause(str(exc))}")
                continue
            profiles[-1].append({"area": profile.area, **texts})
    return problems, contacts, profiles


def _apply_history(
    session: Session, audit: AuditWriter, pupil_id: int, past: PastPupil, today: date
) -> tuple[int, int]:
    """Apply the pupil's history through the register service; (changes, plans) written."""
    history = past.history or (
        PastChange(
            first_entry_date(past.data, today),
            past.data.provision,
            past.data.needs,
            "Added in SENDesk",
        ),
    )
    current = CurrentStatus(None, [])
    changes = plans = 0
    for change in history:
        if change.plan is not None:
            from sendesk.services.ehc.plans import add_plan  # ehc imports the register

            # The pupil's next review date is the batch's own (PastPupil.next_review_due).
            add_plan(session, audit, pupil_id, change.plan, today, sync_review=False)
            plans += 1
        elif current.provision == E and change.provision != E:
            _cease(session, audit, pupil_id, change.on, today)
        if not apply_change(
            session,
            audit,
            pupil_id,
            current,
            change.provision,
            change.needs,
            change.on,
            change.reason.strip(),
        ):
            continue
        changes += 1
        if change.recorded_at is not None:  # as if recorded on the day, not now
            if current.entry is not None and current.entry.start_date == change.on:
                current.entry.recorded_at = change.recorded_at
            for need in current.needs:
                if need.start_date == change.on:
                    need.recorded_at = change.recorded_at
    return changes, plans


def _cease(session: Session, audit: AuditWriter, pupil_id: int, on: date, today: date) -> None:
    """The pupil's live EHC plan ceased on ``on``: they leave E (checked and recorded as
    the EHC service ends a plan, :func:`sendesk.services.ehc.plans.end_plan`)."""
    from sendesk.services.ehc.plans import end_plan  # ehc imports the register

    plan = session.scalars(
        select(EhcPlan).where(EhcPlan.pupil_id == pupil_id, EhcPlan.ceased_on.is_(None))
    ).one()
    end_plan(session, audit, plan.id, plan.version, on, today)


def _add_children(
    session: Session,
    model: type[Contact] | type[NeedProfile],
    ids: Sequence[int],
    per_pupil: Sequence[Sequence[dict[str, Any]]],
) -> int:
    """Each pupil's rows of ``model`` (their contacts, their need profiles) in one bulk
    insert, as new rows (version 1) of the pupil whose id stands at the same place; how
    many were written."""
    rows = [
        {"pupil_id": pid, **values, "version": 1}
        for pid, values_of_pupil in zip(ids, per_pupil, strict=True)
        for values in values_of_pupil
    ]
    if rows:
        session.execute(bulk(model), rows)
    return len(rows)


def record_past_pupils(
    session: Session,
    audit: AuditWriter,
    pupils: Sequence[PastPupil],
    *,
    today: date,
    progress: Callable[[int, int], object] | None = None,
) -> PastRegister:
    """Record ``pupils`` with their contacts, profiles and register history in the caller's
    transaction (``session``; ``audit`` names who records them: the SENCo).

    Checked whole first (nothing is written if anything is wrong), then written (see the
    module's docstring). ``progress(done, total)`` is called as each pupil's history is
    written; it may raise to stop, and the caller's transaction then writes nothing.
    """
    permit(audit.actor, Action.EDIT_PUPILS)
    permit(audit.actor, Action.CHANGE_REGISTER)
    problems, contacts, profiles = _check(session, pupils, today)
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")

    session.flush()
    ids = insert_rows(
        session,
        Pupil,
        [
            {
                "upn": p.data.upn,
                **p.data.pupil_values(),
                "next_review_due": p.next_review_due,
                "version": 1,
            }
            for p in pupils
        ],
        Pupil.upn,
    )
    contacts_made = _add_children(session, Contact, ids, contacts)
    profiles_made = _add_children(session, NeedProfile, ids, profiles)
    changes = plans = 0
    for done, (pid, past) in enumerate(zip(ids, pupils, strict=True), start=1):
        made, issued = _apply_history(session, audit, pid, past, today)
        changes, plans = changes + made, plans + issued
        if progress is not None:
            progress(done, len(pupils))
    session.flush()
    result = PastRegister(tuple(ids), contacts_made, profiles_made, changes, plans)
    audit.record(
        "record_past_pupils",
        "pupil",
        None,
        {
            "pupils": len(ids),
            "contacts": result.contacts,
            "need_profiles": result.need_profiles,
            "register_changes": changes,
            "ehc_plans": plans,
            "created_ids": list(ids),
            "today": today,
        },
    )
    return result


__all__ = ["PastChange", "PastProfile", "PastPupil", "PastRegister", "record_past_pupils"]
