"""The few steps every use case repeats, written once: find a row or say it has gone, check
the version the user opened, flush or report a concurrent save, refuse with one sentence.

Why one module: each service used to carry its own copy, and the copies drifted (one took
a missing version as "do not check", another as a conflict; one sentence-maker doubled a
full stop that another dropped). The words stay each service's own — every helper takes
the sentence to raise — so what users read does not change with the plumbing.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sendesk.errors import ConflictError, NotFoundError, SendeskError, ValidationError
from sendesk.models import Pupil, User
from sendesk.rules.sentences import sentence
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit_pupil
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = TypeVar("Row")


class _AboutAPupil(Protocol):
    @property
    def pupil_id(self) -> int: ...


Item = TypeVar("Item", bound=_AboutAPupil)
Data = TypeVar("Data", bound="DataclassInstance")

NO_PUPIL = "That pupil is not in this database."

__all__ = [
    "NO_PUPIL",
    "PUPIL_NAME_COLUMNS",
    "add_audited",
    "apply_changes",
    "check_version",
    "checked_text",
    "current_or_gone",
    "data_of",
    "flush_or_conflict",
    "get_or_gone",
    "of_known_pupils",
    "permitted_pupil",
    "pupil_or_gone",
    "refuse",
    "remove_audited",
    "save_changes",
    "sentence",
    "user_names",
]


def refuse(problems: Iterable[str]) -> None:
    """Raise a :class:`ValidationError` saying every problem in one sentence, if any."""
    found = list(problems)
    if found:
        raise ValidationError(sentence(found))


def get_or_gone(
    session: Session,
    model: type[Row],
    row_id: int,
    message: str,
    error: type[SendeskError] = ConflictError,
) -> Row:
    """The row of ``model`` with ``row_id``, or ``error(message)`` when there is none: a
    :class:`ConflictError` for a row removed since the user opened it (the default), a
    :class:`NotFoundError` for one that was never there."""
    row = session.get(model, row_id)
    if row is None:
        raise error(message)
    return row


def current_or_gone(
    session: Session, model: type[Row], row_id: int, version: int, gone: str, conflict: str
) -> Row:
    """The row of ``model`` with ``row_id`` as the user opened it (``version``), to change
    it: :func:`get_or_gone` with ``gone`` if it has been removed since, then
    :func:`check_version` with ``conflict`` if someone else has saved it since."""
    row = get_or_gone(session, model, row_id, gone)
    check_version(row.version, version, conflict)
    return row


def pupil_or_gone(session: Session, pupil_id: int) -> Pupil:
    """The pupil with ``pupil_id``, or a :class:`NotFoundError` that names no one."""
    return get_or_gone(session, Pupil, pupil_id, NO_PUPIL, NotFoundError)


def check_version(stored: int, given: int | None, message: str, *, optional: bool = False) -> None:
    """Refuse to save over someone else's change: ``given`` is the version the user opened.

    A missing version is a conflict (the caller cannot show it was current), unless
    ``optional``: then None means the caller asked for no check (scripts, the CLI).
    """
    if given is None and optional:
        return
    if given is None or stored != given:
        raise ConflictError(message)


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush, turning a concurrent save caught by a version column into ``ConflictError``."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(message) from exc


def data_of(item: object, target: type[Data], **given: object) -> Data:
    """The dataclass ``target`` filled from ``item``'s attributes of the same names (an
    item's fields, or a row's columns), with ``given`` for what ``item`` does not hold as
    it is (a count, linked ids, a computed verdict, a confidential text blanked).

    An editor starts from what was saved, and a list and a single read build the same item
    from a row: copying by the target's own field list means a field added to both is
    carried over without anyone remembering to, and one the item lacks fails loudly
    (AttributeError) instead of quietly taking its default.
    """
    names = [f.name for f in fields(target) if f.init]
    unknown = set(given).difference(names)
    if unknown:
        raise TypeError(f"{target.__name__} has no field {', '.join(sorted(unknown))}")
    return target(**{n: given[n] if n in given else getattr(item, n) for n in names})


def apply_changes(row: object, values: Mapping[str, object]) -> list[str]:
    """Set on ``row`` each of ``values`` that differs from what is stored; returns the
    changed field names, sorted: what an update's audit event lists, and empty when the
    save changes nothing (the caller then writes no event and keeps the version)."""
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    for name in changed:
        setattr(row, name, values[name])
    return changed


# --- shared by graduated/register/staff/transfer (s8-svc1) ---

PUPIL_NAME_COLUMNS = (
    Pupil.id,
    Pupil.upn,
    Pupil.legal_forename,
    Pupil.legal_surname,
    Pupil.preferred_forename,
    Pupil.preferred_surname,
)
"""What a list needs to name a pupil, read as plain columns (rows work with
``display_name``): loading whole pupils as ORM objects, hundreds at a time, is what made
the long lists slow. Select ``*PUPIL_NAME_COLUMNS`` and add what else the list shows."""


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """The display names of the given users by id, in one query (none for no ids; a None
    among them, a row nobody is recorded against, is passed over): who wrote or changed
    what, as a record's history names them."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def permitted_pupil(session: Session, actor: Actor, action: Action, pupil_id: int) -> Pupil:
    """The pupil with ``pupil_id``, once ``actor`` may do ``action`` on them: the scope is
    checked first, so an account limited to its own pupils is refused alike whether or
    not a pupil outside them exists."""
    permit_pupil(session, actor, action, pupil_id)
    return pupil_or_gone(session, pupil_id)


# --- shared by access/ehc/evidence/school/store (s8-svc2) ---
# Creating, changing and removing a row each end the same way: write, flush (a concurrent
# save caught), and one audit event of what was done. Written once so no service writes a
# row without its event, or its event before the flush that may still refuse the save.


def add_audited(
    session: Session,
    audit: AuditWriter,
    row: Any,
    entity: str,
    detail: Mapping[str, object],
    *,
    action: str = "create",
) -> int:
    """Add the new ``row``, flush for its id and write its "create" event (``entity``,
    ``detail``); returns the id. ``action`` keeps the word a service has always audited
    the addition under ("enrol", "add"): the trail a school has already kept reads on
    the same way."""
    session.add(row)
    session.flush()
    audit.record(action, entity, row.id, detail)
    return int(row.id)


def save_changes(
    session: Session,
    audit: AuditWriter,
    row: Any,
    values: Mapping[str, object],
    conflict: str,
    entity: str,
    detail: Mapping[str, object],
) -> list[str]:
    """:func:`apply_changes` and, when anything changed, flush (``conflict`` if someone
    else saved it since) and write the "update" event: ``detail`` and the changed fields.

    Returns the changed field names; empty when the save changes nothing, and then nothing
    is written and the version stays as it was."""
    changed = apply_changes(row, values)
    if changed:
        flush_or_conflict(session, conflict)
        audit.record("update", entity, row.id, {**detail, "fields": changed})
    return changed


def remove_audited(
    session: Session,
    audit: AuditWriter,
    row: Any,
    conflict: str,
    entity: str,
    detail: Mapping[str, object],
) -> None:
    """Delete ``row``, flush (``conflict`` if someone else saved it since) and write its
    "delete" event (``entity``, ``detail``)."""
    row_id = row.id
    session.delete(row)
    flush_or_conflict(session, conflict)
    audit.record("delete", entity, row_id, detail)


def checked_text(
    raw: str,
    limit: int,
    what: str,
    problems: list[str],
    *,
    lines: bool = False,
    missing: str | None = None,
) -> str:
    """``raw`` as it is stored: on one line with its spaces folded (a name, a title), or
    with ``lines`` only stripped (notes keep their paragraphs). Adds to ``problems``
    ``missing`` when given and the text is empty, else "{what} longer than {limit}
    characters" when it is too long; ``what`` carries its verb ("the task is", "the notes
    are") so the sentence agrees. Every form checks its texts this way."""
    text = raw.strip() if lines else " ".join(raw.split())
    if missing is not None and not text:
        problems.append(missing)
    elif len(text) > limit:
        problems.append(f"{what} longer than {limit:,} characters")
    return text


def of_known_pupils(
    items: Iterable[Item], noun: str, known: Container[int], problems: list[str]
) -> Iterator[tuple[str, Item]]:
    """Each item of a batch (a school's past requests, plans…) with the words that name it
    in a problem ("plan 3 (pupil 12)"); an item whose pupil is not in ``known`` (the pupils
    in this database) is not given, a problem saying so is added to ``problems`` instead.

    Why here: every batch service numbers its items the same way and must not check an
    item further whose pupil is missing (its checks would read rows that are not there).
    """
    for n, item in enumerate(items, start=1):
        where = f"{noun} {n} (pupil {item.pupil_id})"
        if item.pupil_id not in known:
            problems.append(f"{where}: the pupil is not in this database")
            continue
        yield where, item
