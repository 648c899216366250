"""EHC needs assessment requests: opening, correcting, recording each step as the LA's
letters arrive, exceptions to a time limit, and reading them back.

Why: once a school asks the LA to assess, the law sets every date that follows (the
decision within 6 weeks, the final plan within 20) but nobody reminds the school. Each
change is one transaction with its audit event, checked against the version the user
opened; learning support and teachers read a request without its health, social care and
family detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import EhcClockException, EhcRequest, Pupil, Role
from sendesk.rules.dates import dmy
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.rules.timeline import EXCEPTION_KINDS
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    apply_changes,
    checked_text,
    current_or_gone,
    flush_or_conflict,
    get_or_gone,
    of_known_pupils,
    pupil_or_gone,
    refuse,
    save_changes,
)
from sendesk.services.ehc.records import (
    CONFLICT,
    GONE,
    NAME_MAX,
    REQUESTERS,
    SETTING_MAX,
    SIGNED_BY_MAX,
    SIGNED_ROLE_MAX,
    STEPS,
    TEXT_MAX,
    VALUE_STEPS,
    RequestData,
    RequestItem,
    check_date_fields,
    check_dates,
    clean_la_name,
    clean_texts,
    future_problems,
    joined,
    one_line,
)
from sendesk.services.ehc.request_steps import (
    CASE_FIELDS,
    STEP_DATES,
    STEP_FIELDS,
    case_of,
    case_problems,
    request_item,
    step_problems,
    step_recorded,
    step_requirement,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

# --- requests: cleaning what was typed ----------------------------------------------------

_REQUEST_TEXTS = {
    "why_now": "why the request is made now",
    "pupil_views": "the pupil's views",
    "parent_views": "the parents' views",
    "aspirations": "what is important to the pupil and their hopes for the future",
    "health_info": "the health information",
    "social_care_info": "the social care information",
}


def _clean_request(data: RequestData, today: date) -> dict[str, Any]:
    check_date_fields(data)
    problems: list[str] = []
    if data.requested_by not in REQUESTERS:
        problems.append("say who made the request: the school or a parent")
    la_name = clean_la_name(data.la_name, problems)
    caseworker = checked_text(data.caseworker, NAME_MAX, "the caseworker's name is", problems)
    signed_by, signed_role = one_line(data.signed_off_by), one_line(data.signed_off_role)
    problems += _sign_off_problems(signed_by, signed_role, data.signed_off_on)
    problems += future_problems(
        today,
        {
            "date the request was sent": data.sent_on,
            "date the LA received the request": data.received_on,
            "date of the parent's consent": data.consent_on,
            "date of the young person's consent": data.young_person_consent_on,
            "date the request was signed off": data.signed_off_on,
        },
    )
    if data.sent_on and data.received_on and data.received_on < data.sent_on:
        problems.append(
            f"the LA cannot have received the request ({dmy(data.received_on)}) before it "
            f"was sent ({dmy(data.sent_on)})"
        )
    texts = clean_texts(data, _REQUEST_TEXTS, problems)
    if data.health_none_known and texts["health_info"]:
        problems.append(
            "health information is written, so it cannot also be recorded as none known"
        )
    refuse(problems)
    return {
        "requested_by": data.requested_by,
        "la_name": la_name,
        "caseworker": caseworker,
        "sent_on": data.sent_on,
        "received_on": data.received_on,
        "consent_on": data.consent_on,
        "young_person_consent_on": data.young_person_consent_on,
        "health_none_known": bool(data.health_none_known),
        "signed_off_by": signed_by,
        "signed_off_role": signed_role,
        "signed_off_on": data.signed_off_on,
        **texts,
    }


def _sign_off_problems(by: str, role: str, on: date | None) -> list[str]:
    """The sign-off is whole or absent: a role or a date says nothing without who signed."""
    problems: list[str] = []
    if len(by) > SIGNED_BY_MAX:
        problems.append(f"the name of who signed off is longer than {SIGNED_BY_MAX} characters")
    if len(role) > SIGNED_ROLE_MAX:
        problems.append(f"the sign-off role is longer than {SIGNED_ROLE_MAX} characters")
    if not by and (role or on is not None):
        problems.append("say who signed the request off (a role or date is recorded without)")
    return problems


# --- requests: the use cases --------------------------------------------------------------


def _open_request_of(session: Session, pupil_id: int, but: int | None = None) -> EhcRequest | None:
    stmt = select(EhcRequest).where(
        EhcRequest.pupil_id == pupil_id,
        EhcRequest.closed_on.is_(None),
        EhcRequest.final_issued_on.is_(None),
    )
    if but is not None:
        stmt = stmt.where(EhcRequest.id != but)
    return session.scalars(stmt.order_by(EhcRequest.id)).first()


def open_request(
    db: Database, actor: Actor, pupil_id: int, data: RequestData, *, today: date | None = None
) -> int:
    """The SENCo opens an EHC needs assessment request for a pupil; returns its id.

    One open request per pupil: an earlier one must have its final plan or be closed.
    """
    permit(actor, Action.MANAGE_EHC)
    values = _clean_request(data, today or date.today())
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        earlier = _open_request_of(s, pupil_id)
        if earlier is not None:
            when = earlier.sent_on or earlier.received_on
            since = f" (sent {dmy(when)})" if when else " (not sent yet)"
            raise ValidationError(
                f"This pupil already has an open EHC request{since}; close it before "
                "opening another."
            )
        return add_audited(
            s,
            AuditWriter(s, actor),
            EhcRequest(pupil_id=pupil_id, created_by_id=actor.user_id, **values),
            "ehc_request",
            {"pupil_id": pupil_id, "requested_by": values["requested_by"]},
        )


def update_request(
    db: Database,
    actor: Actor,
    request_id: int,
    version: int,
    data: RequestData,
    *,
    today: date | None = None,
) -> int:
    """The SENCo corrects a request's details; returns its new version.

    Moving the sent or received date is refused when a recorded decision would then be
    before it.
    """
    permit(actor, Action.MANAGE_EHC)
    today = today or date.today()
    values = _clean_request(data, today)
    with db.transaction() as s:
        row: EhcRequest = current_or_gone(s, EhcRequest, request_id, version, GONE, CONFLICT)
        case = case_of(row) | {"sent_on": values["sent_on"], "received_on": values["received_on"]}
        refuse(case_problems(case, today))
        audit = AuditWriter(s, actor)
        save_changes(s, audit, row, values, CONFLICT, "ehc_request", {"pupil_id": row.pupil_id})
        return row.version


def record_step(
    db: Database,
    actor: Actor,
    request_id: int,
    version: int,
    step: str,
    on: date,
    *,
    value: bool | None = None,
    setting: str = "",
    note: str = "",
    today: date | None = None,
) -> int:
    """The SENCo records a decision or event of the case (or corrects one); returns the
    request's new version.

    ``value`` is the LA's yes/no for "assess" and "issue"; ``setting`` the setting named
    in the draft plan; a ``note`` (what happens next, why the case closed) is kept as the
    request's next steps. The whole case is checked again, so a change that would leave a
    later step out of order is refused.
    """
    permit(actor, Action.MANAGE_EHC)
    if step not in STEPS:
        raise ValueError(f"unknown EHC step {step!r}")
    check_dates(on=on)
    if on is None:
        raise TypeError("on must be a date")
    if step not in VALUE_STEPS and value is not None:
        raise ValueError(f"the {step!r} step takes no yes/no value")
    today = today or date.today()
    problems: list[str] = []
    if step in VALUE_STEPS:
        problems += _decision_problems(step, value)
    setting, note = _step_texts(setting, note, problems)
    if setting and step != "draft":
        raise ValueError("only the draft plan names a setting")
    refuse(problems)
    with db.transaction() as s:
        row: EhcRequest = current_or_gone(s, EhcRequest, request_id, version, GONE, CONFLICT)
        case = case_of(row)
        if step != "close" and case["closed_on"] is not None:
            raise ValidationError(
                f"This request was closed on {dmy(case['closed_on'])}; undo the closing "
                f"before recording {STEPS[step]}."
            )
        if step in VALUE_STEPS:
            case[STEP_FIELDS[step][0]] = value
        if step == "draft":
            case["draft_setting"] = setting
        case[STEP_DATES[step]] = on
        if note:
            case["next_steps"] = note
        problems = step_problems(step, case, today)
        problems += [p for p in case_problems(case, today) if p not in problems]
        refuse(problems)
        if not apply_changes(row, case):
            return row.version
        flush_or_conflict(s, CONFLICT)
        detail: dict[str, Any] = {"pupil_id": row.pupil_id, "step": step, "on": on}
        if step in VALUE_STEPS:
            detail["value"] = value
        AuditWriter(s, actor).record("record_step", "ehc_request", row.id, detail)
        return row.version


def clear_step(db: Database, actor: Actor, request_id: int, version: int, step: str) -> int:
    """The SENCo undoes a step entered by mistake; returns the request's new version.

    Refused while a later step depends on it (clear those first).
    """
    permit(actor, Action.MANAGE_EHC)
    if step not in STEPS:
        raise ValueError(f"unknown EHC step {step!r}")
    with db.transaction() as s:
        row: EhcRequest = current_or_gone(s, EhcRequest, request_id, version, GONE, CONFLICT)
        case = case_of(row)
        if not step_recorded(step, case):
            return row.version
        for name in STEP_FIELDS[step]:
            case[name] = "" if name == "draft_setting" else None
        blocked = _dependents(case)
        if blocked:
            raise ValidationError(
                f"{STEPS[step][:1].upper()}{STEPS[step][1:]} cannot be cleared while "
                f"{joined(STEPS[b] for b in blocked)} "
                f"{'depends' if len(blocked) == 1 else 'depend'} on it; clear "
                f"{'that' if len(blocked) == 1 else 'those'} first."
            )
        apply_changes(row, {name: case[name] for name in STEP_FIELDS[step]})
        flush_or_conflict(s, CONFLICT)
        AuditWriter(s, actor).record(
            "clear_step", "ehc_request", row.id, {"pupil_id": row.pupil_id, "step": step}
        )
        return row.version


def _decision_problems(step: str, value: object) -> list[str]:
    """A yes/no step (:data:`VALUE_STEPS`) needs the LA's yes or no."""
    if isinstance(value, bool):
        return []
    return [f"say whether the LA said yes or no to {STEPS[step]}"]


def _step_texts(setting: str, note: str, problems: list[str]) -> tuple[str, str]:
    """The draft plan's setting and the next steps as stored; too long adds a problem."""
    setting = checked_text(setting, SETTING_MAX, "the setting's name is", problems)
    note = checked_text(note, TEXT_MAX, "the note is", problems, lines=True)
    return setting, note


def _dependents(case: dict[str, Any]) -> list[str]:
    """The recorded steps left standing on nothing in ``case``, directly or through
    another (clearing the decision to assess strands the decision to issue and the draft)."""
    left = dict(case)
    found: list[str] = []
    while stranded := [s for s in STEPS if step_recorded(s, left) and step_requirement(s, left)]:
        found += stranded
        for step in stranded:
            for name in STEP_FIELDS[step]:
                left[name] = "" if name == "draft_setting" else None
    return [s for s in STEPS if s in found]


def add_exception(
    db: Database,
    actor: Actor,
    request_id: int,
    kind: str,
    reason: str,
    recorded_on: date,
    *,
    today: date | None = None,
) -> int:
    """The SENCo records an exception to a time limit the LA gave (regs 5(4), 8(2),
    10(4), 13(3)); the milestones it excuses show as extended, with the reason."""
    permit(actor, Action.MANAGE_EHC)
    problems: list[str] = []
    reason = _clean_exception(kind, reason, recorded_on, today or date.today(), problems)
    refuse(problems)
    with db.transaction() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        refuse(_exception_fits(row.received_on or row.sent_on, recorded_on))
        return add_audited(
            s,
            AuditWriter(s, actor),
            EhcClockException(request_id=row.id, kind=kind, reason=reason, recorded_on=recorded_on),
            "ehc_clock_exception",
            {"pupil_id": row.pupil_id, "request_id": row.id, "kind": kind},
        )


def _clean_exception(
    kind: str, reason: str, recorded_on: date, today: date, problems: list[str]
) -> str:
    """The exception's reason as stored; a kind not known, no reason or date, or a date in
    the future adds a problem."""
    check_dates(recorded_on=recorded_on)
    reason = reason.strip()
    if kind not in EXCEPTION_KINDS:
        problems.append("choose which exception to the time limits applies")
    if not reason:
        problems.append("say why the time limit cannot be met")
    elif len(reason) > TEXT_MAX:
        problems.append(f"the reason is longer than {TEXT_MAX:,} characters")
    if recorded_on is None:
        problems.append("give the date the exception was recorded")
    elif recorded_on > today:
        problems.append(f"the exception's date ({dmy(recorded_on)}) is in the future")
    return reason


def _exception_fits(start: date | None, recorded_on: date) -> list[str]:
    """An exception needs the request's clock running (``start``: received, else sent) and
    is not dated before it started."""
    if start is None:
        return ["this request has not been sent, so no time limit is running yet"]
    if recorded_on < start:
        return [
            f"the exception's date ({dmy(recorded_on)}) is before the request was "
            f"received ({dmy(start)})"
        ]
    return []


def remove_exception(db: Database, actor: Actor, exception_id: int) -> None:
    """The SENCo removes an exception recorded by mistake."""
    permit(actor, Action.MANAGE_EHC)
    with db.transaction() as s:
        exc: EhcClockException = get_or_gone(s, EhcClockException, exception_id, GONE)
        request = s.get(EhcRequest, exc.request_id)
        s.delete(exc)
        s.flush()
        AuditWriter(s, actor).record(
            "delete",
            "ehc_clock_exception",
            exception_id,
            {"pupil_id": request.pupil_id if request else None, "request_id": exc.request_id},
        )


def exceptions_by_request(
    session: Session, request_ids: list[int]
) -> dict[int, list[EhcClockException]]:
    """Request id -> its clock exceptions in the order recorded; one query for them all."""
    found: dict[int, list[EhcClockException]] = defaultdict(list)
    if request_ids:
        for e in session.scalars(
            select(EhcClockException)
            .where(EhcClockException.request_id.in_(request_ids))
            .order_by(EhcClockException.recorded_on, EhcClockException.id)
        ):
            found[e.request_id].append(e)
    return found


def _confidential(actor: Actor) -> bool:
    """Whether the actor may read a request's health, social care and family detail: only
    the SENCo (DESIGN.md: teachers must not read confidential health detail)."""
    return actor.role is Role.SENCO


def list_requests(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> list[RequestItem]:
    """A pupil's requests, newest first (one still being prepared comes first).

    EHC requests, their health and social care sections and where a case stands are the
    SENCo's only (issue 13): anyone else is refused. (The confidential-detail
    blanking of :func:`request_item` stays as a second line of defence.)
    """
    permit(actor, Action.VIEW_EHC_REQUESTS)
    today = today or date.today()
    with db.session() as s:
        pupil_or_gone(s, pupil_id)
        rows = list(s.scalars(select(EhcRequest).where(EhcRequest.pupil_id == pupil_id)))
        exceptions = exceptions_by_request(s, [r.id for r in rows])
        items = [
            request_item(r, exceptions[r.id], today, confidential=_confidential(actor))
            for r in rows
        ]
    return sorted(items, key=lambda i: (i.clock_start or date.max, i.id), reverse=True)


def get_request(
    db: Database, actor: Actor, request_id: int, *, today: date | None = None
) -> RequestItem:
    """One request by id (ConflictError when it has gone); the SENCo's only, as
    :func:`list_requests`."""
    permit(actor, Action.VIEW_EHC_REQUESTS)
    with db.session() as s:
        row: EhcRequest = get_or_gone(s, EhcRequest, request_id, GONE)
        return request_item(
            row,
            exceptions_by_request(s, [row.id])[row.id],
            today or date.today(),
            confidential=_confidential(actor),
        )


# --- a school's past requests in one call -------------------------------------------------


@dataclass(frozen=True)
class RequestSteps:
    """The decisions and events of a past request, as :func:`record_step` records them one
    by one (each field one of :data:`STEP_FIELDS`, and the next steps its note); a step
    left at None (a setting or note at "") was not recorded."""

    decided_to_assess: bool | None = None
    decision_to_assess_on: date | None = None
    advice_asked_on: date | None = None
    advice_received_on: date | None = None
    decided_to_issue: bool | None = None
    decision_to_issue_on: date | None = None
    draft_sent_on: date | None = None
    draft_setting: str = ""
    final_issued_on: date | None = None
    way_forward_on: date | None = None
    mediation_on: date | None = None
    mediation_certificate_on: date | None = None
    appeal_lodged_on: date | None = None
    next_steps: str = ""
    closed_on: date | None = None


@dataclass(frozen=True)
class PastException:
    """An exception to a time limit recorded on a past request (:func:`add_exception`)."""

    kind: str
    reason: str
    recorded_on: date


@dataclass(frozen=True)
class PastRequest:
    """One of a pupil's past or open requests: what the SENCo typed when opening it, the
    steps recorded since and the exceptions to its time limits."""

    pupil_id: int
    data: RequestData
    steps: RequestSteps = RequestSteps()
    exceptions: tuple[PastException, ...] = ()


def _clean_past_request(
    past: PastRequest, today: date
) -> tuple[dict[str, Any], list[EhcClockException]]:
    """The request's row and its exceptions, checked as :func:`open_request`, each
    :func:`record_step` and :func:`add_exception` check them (a setting only with the draft
    plan, the whole case in order); raises ValidationError saying every problem."""
    values = _clean_request(past.data, today)
    steps = past.steps
    check_date_fields(steps)
    problems: list[str] = []
    for step in VALUE_STEPS:
        decided, on = (getattr(steps, name) for name in STEP_FIELDS[step])
        if decided is not None or on is not None:
            problems += _decision_problems(step, decided)
    setting, note = _step_texts(steps.draft_setting, steps.next_steps, problems)
    if setting and steps.draft_sent_on is None:
        problems.append("a setting is named without the draft plan")
    case = {name: getattr(steps, name) for name in CASE_FIELDS if name not in values} | {
        "sent_on": values["sent_on"],
        "received_on": values["received_on"],
    }
    case |= {"draft_setting": setting, "next_steps": note}
    problems += case_problems(case, today)
    exceptions: list[EhcClockException] = []
    for exc in past.exceptions:
        reason = _clean_exception(exc.kind, exc.reason, exc.recorded_on, today, problems)
        if exc.recorded_on is not None:
            problems += _exception_fits(case["received_on"] or case["sent_on"], exc.recorded_on)
        exceptions.append(
            EhcClockException(kind=exc.kind, reason=reason, recorded_on=exc.recorded_on)
        )
    refuse(problems)
    return values | case, exceptions


def record_past_requests(
    session: Session, audit: AuditWriter, requests: Sequence[PastRequest], *, today: date
) -> list[int]:
    """Record pupils' past and open EHC requests, each with the steps recorded since and
    its clock exceptions, in the caller's transaction (``session``, whose writer ``audit``
    names who records them: the SENCo); returns their ids in order.

    Why a batch: :func:`open_request`, :func:`record_step` and :func:`add_exception` take
    one change a transaction. A school's history (the demo school's first) is checked here
    with their rules — a pupil keeps one open request at a time — refused whole in one
    sentence naming the first problems if anything is wrong, and audited once
    ("record_past_requests"). A past request was not opened in SENDesk, so it names no
    creator: the batch's event says who recorded it.
    """
    permit(audit.actor, Action.MANAGE_EHC)
    session.flush()
    pupil_ids = sorted({r.pupil_id for r in requests})
    known: set[int] = set()
    already_open: set[int] = set()
    for start in range(0, len(pupil_ids), 500):
        chunk = pupil_ids[start : start + 500]
        known.update(session.scalars(select(Pupil.id).where(Pupil.id.in_(chunk))))
        already_open.update(
            session.scalars(
                select(EhcRequest.pupil_id).where(
                    EhcRequest.pupil_id.in_(chunk),
                    EhcRequest.closed_on.is_(None),
                    EhcRequest.final_issued_on.is_(None),
                )
            )
        )
    problems: list[str] = []
    made: list[EhcRequest] = []
    opened: set[int] = set()
    for where, past in of_known_pupils(requests, "request", known, problems):
        try:
            values, exceptions = _clean_past_request(past, today)
        except ValidationError as exc:
            problems.append(f"{where}: {as_clause(str(exc))}")
            continue
        if values["closed_on"] is None and values["final_issued_on"] is None:
            if past.pupil_id in already_open | opened:
                problems.append(f"{where}: the pupil already has an open EHC request")
            opened.add(past.pupil_id)
        made.append(EhcRequest(pupil_id=past.pupil_id, **values, exceptions=exceptions))
    if problems:
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    session.add_all(made)
    session.flush()
    audit.record(
        "record_past_requests",
        "ehc_request",
        None,
        {
            "requests": len(made),
            "exceptions": sum(len(r.exceptions) for r in requests),
            "pupil_ids": pupil_ids,
            "today": today,
        },
    )
    return [int(row.id) for row in made]
