"""Importing a pupil's SEN history from the Common Transfer File (CTF) the last school sent.

Why: a pupil's SEN history arrives in the DfE's CTF (issue 15; ../shared/reference/ctf.md),
and today the SENCo retypes it. This reads a CTF (any version from 17 on: ``Gender`` or
``Sex``, ``CTFversion`` or ``CTFVersion``), matches its pupils to the school's by UPN or
former UPN, and adds each matched pupil's SEN history — every provision entry (N/K/E) with
its dates and the ranked needs — as register history marked "from <school> (CTF)".

What it never does: overwrite history recorded here. The previous school's entries are
history *before* this school's first entry: an entry still open in the CTF, or running on
past the pupil's first entry here, is ended the day before it (the pupil left). Importing
the same file again changes nothing (an entry is known by pupil, start and provision).

Two layouts of the SEN block are read, by element name, never by position (ctf.md §6, the
CTF 17 dates' placement is unconfirmed): ``SEN`` repeated with ``StartDate``, optional
``EndDate`` and ``SENprovision``; ``SENneeds/SENneed`` with ``SENtype``, ``SENtypeRank`` and,
optionally, ``NeedStartDate``/``NeedEndDate``. Without need dates, the ranked needs belong
to the latest K or E entry.

All or nothing: every problem is one sentence naming the pupil (UPN) and the element;
``skip_invalid`` imports the pupils without problems and lists those left out. The file is
read with defusedxml (no DTD, no entity tricks) and refused over :data:`MAX_BYTES`.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import CancelledError, ValidationError
from sendesk.models import Need, Pupil, RegisterEntry, SupportPlan
from sendesk.rules import upn as upn_rules
from sendesk.rules.census import ON_REGISTER, normalise_need, normalise_provision
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter

if TYPE_CHECKING:
    from sendesk.services.due import DueItem

MAX_BYTES = 50 * 1024 * 1024
"""A CTF for a whole year group is a few megabytes; anything far larger is not one."""

CTF_MARK = "(CTF)"
"""The end of an imported entry's reason: "from Hill Primary (CTF)"."""


@dataclass(frozen=True)
class CtfEntry:
    provision: str
    start: date
    end: date | None


@dataclass(frozen=True)
class CtfNeed:
    code: str
    rank: int
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class CtfPupil:
    """One pupil's identifiers and SEN history as the CTF gives them (checked)."""

    upn: str
    former_upn: str
    surname: str
    entries: tuple[CtfEntry, ...]
    needs: tuple[CtfNeed, ...]
    notes: tuple[str, ...] = ()


@dataclass
class CtfReport:
    """What an import found and did; :meth:`lines` is the plain-text report."""

    file_name: str = ""
    source_school: str = ""
    version: str = ""
    pupils_read: int = 0
    matched: int = 0
    pupils_changed: int = 0
    entries_added: int = 0
    needs_added: int = 0
    not_on_roll: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False
    importable: int = 0
    """Pupils without problems: those an import (with ``skip_invalid``) would read."""
    left_out: list[str] = field(default_factory=list)
    """The pupils with problems, as the problems name them: "pupil 2 (A801…)"."""

    def lines(self) -> list[str]:
        out = [
            f"{self.file_name}: a CTF from {self.source_school or 'an unnamed school'}"
            + (f" (version {self.version})" if self.version else "")
            + f", {self.pupils_read} pupil(s) read, {self.matched} matched by UPN."
        ]
        if self.written:
            out.append(
                f"Added {self.entries_added} register entr"
                f"{'y' if self.entries_added == 1 else 'ies'} and {self.needs_added} "
                f"need(s) for {self.pupils_changed} pupil(s); nothing recorded here was changed."
            )
            if self.left_out:
                out.append(
                    f"Left out {len(self.left_out)} pupil(s) with problems: "
                    + ", ".join(self.left_out)
                )
        else:
            out.append("Nothing was written.")
        out += [f"Problem: {p}" for p in self.problems]
        if self.not_on_roll:
            out.append(
                "Not on roll here (import the MIS file first): " + ", ".join(self.not_on_roll)
            )
        out += [f"Note: {n}" for n in self.notes]
        return out


# --- reading the file ---------------------------------------------------------------------


def _local(tag: str) -> str:
    """An element's name without a namespace (ctf.md §8.1: tolerate one)."""
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, *names: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) in names:
            return child
    return None


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    if element is None:
        return []
    return [c for c in element if _local(c.tag) == name]


def _text(element: ET.Element | None, *names: str) -> str:
    found = _child(element, *names) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def parse_ctf_bytes(data: bytes, name: str = "the file") -> ET.Element:
    """The CTF's root element; ValidationError in one sentence when it is not a CTF."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB: not a CTF.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ValidationError(
            f"{name} declares a DTD or entities, which a CTF never does."
        ) from None
    except ET.ParseError as exc:
        raise ValidationError(f"{name} is not well-formed XML ({exc}).") from None
    if _local(root.tag) != "CTfile":
        raise ValidationError(f"{name} is not a CTF (its root element is {_local(root.tag)}).")
    return root


def _date(raw: str, where: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10]) if len(raw) >= 10 else date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{where} '{raw}' is not a real date (YYYY-MM-DD)")
        return None


def read_pupil(element: ET.Element, position: int) -> tuple[CtfPupil | None, list[str]]:
    """One ``Pupil``: its checked SEN history, or the problems (each naming the element)."""
    problems: list[str] = []
    notes: list[str] = []
    raw_upn = _text(element, "UPN")
    surname = _text(element, "Surname")
    basic = _child(element, "BasicDetails")
    former = _text(basic, "FormerUPN") if basic is not None else ""
    upn = upn_rules.normalise(raw_upn)
    who = f"pupil {position} ({upn or 'no UPN'})"
    if (problem := upn_rules.problem(upn)) is not None:
        problems.append(f"{who}: UPN: {problem}")
    history = _child(element, "SENhistory")
    entries: list[CtfEntry] = []
    needs: list[CtfNeed] = []
    for n, sen in enumerate(_children(history, "SEN"), start=1):
        where = f"{who}: SEN {n}"
        start = _date(_text(sen, "StartDate"), f"{where} StartDate", problems)
        end = _date(_text(sen, "EndDate"), f"{where} EndDate", problems)
        raw = _text(sen, "SENprovision")
        try:
            provision, note = normalise_provision(raw)
        except ValueError as exc:
            problems.append(f"{where} SENprovision: {exc}")
            continue
        if note:
            notes.append(f"{who}: {note}")
        if start is None:
            if not any(p.startswith(f"{where} StartDate") for p in problems):
                problems.append(f"{where} has no StartDate")
            continue
        if end is not None and end < start:
            problems.append(f"{where}: EndDate {end:%d/%m/%Y} is before StartDate {start:%d/%m/%Y}")
            continue
        entries.append(CtfEntry(provision.value, start, end))
    if sum(1 for e in entries if e.end is None) > 1:
        problems.append(f"{who}: SENhistory has two open entries (no EndDate)")
    ordered = sorted(entries, key=lambda e: e.start)
    for before, after in itertools.pairwise(ordered):
        if before.end is None or before.end >= after.start:
            problems.append(
                f"{who}: SEN entries starting {before.start:%d/%m/%Y} and "
                f"{after.start:%d/%m/%Y} overlap"
            )
            break
    ranks: set[int] = set()
    for n, need in enumerate(
        _children(_child(history, "SENneeds") if history is not None else None, "SENneed"), start=1
    ):
        where = f"{who}: SENneed {n}"
        try:
            code, note = normalise_need(_text(need, "SENtype"))
        except ValueError as exc:
            problems.append(f"{where} SENtype: {exc}")
            continue
        if note:
            notes.append(f"{who}: {note}")
        raw_rank = _text(need, "SENtypeRank")
        if not raw_rank.isdigit() or int(raw_rank) < 1:
            problems.append(f"{where} SENtypeRank '{raw_rank}' is not a rank (1, 2, …)")
            continue
        rank = int(raw_rank)
        if rank in ranks:
            problems.append(f"{where}: SENtypeRank {rank} appears twice")
            continue
        ranks.add(rank)
        start = _date(_text(need, "NeedStartDate"), f"{where} NeedStartDate", problems)
        end = _date(_text(need, "NeedEndDate"), f"{where} NeedEndDate", problems)
        if start and end and end < start:
            problems.append(f"{where}: NeedEndDate is before NeedStartDate")
            continue
        needs.append(CtfNeed(code, rank, start, end))
    if ranks and 1 not in ranks:
        problems.append(f"{who}: SENneeds has no primary need (SENtypeRank 1)")
    if problems:
        return None, problems
    pupil = CtfPupil(
        upn, upn_rules.normalise(former), surname, tuple(ordered), tuple(needs), tuple(notes)
    )
    return pupil, []


# --- writing ------------------------------------------------------------------------------


def _history_rows(
    pupil: CtfPupil, first_here: date | None, reason: str
) -> tuple[list[CtfEntry], list[CtfNeed]]:
    """The entries and needs to add: those before this school's first entry, the last
    ended the day before it; needs without dates go with the latest K or E entry."""
    limit = first_here - timedelta(days=1) if first_here is not None else None
    kept: list[CtfEntry] = []
    for entry in pupil.entries:
        if limit is not None:
            if entry.start > limit:
                continue
            if entry.end is None or entry.end > limit:
                entry = CtfEntry(entry.provision, entry.start, limit)
        kept.append(entry)
    on_register = [e for e in kept if e.provision in ON_REGISTER]
    needs: list[CtfNeed] = []
    if on_register:
        last = on_register[-1]
        for need in pupil.needs:
            start = need.start or last.start
            end = need.end if need.start else last.end
            if limit is not None:
                if start > limit:
                    continue
                if end is None or end > limit:
                    end = limit
            needs.append(CtfNeed(need.code, need.rank, start, end))
    return kept, needs


def _read(path: Path) -> tuple[CtfReport, list[CtfPupil]]:
    """The file's header and its pupils, checked: the report (problems listed, nothing
    written) and the pupils without problems."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    root = parse_ctf_bytes(data, path.name)
    header = _child(root, "Header")
    source = _child(header, "SourceSchool") if header is not None else None
    report = CtfReport(
        file_name=path.name,
        source_school=_text(source, "SchoolName") if source is not None else "",
        version=_text(header, "CTFversion", "CTFVersion") if header is not None else "",
    )
    if header is not None and _child(header, "CTFVersion") is not None:
        report.notes.append("the header spells CTFVersion (the DfE writes CTFversion)")
    pupils_el = _children(_child(root, "CTFpupilData"), "Pupil")
    report.pupils_read = len(pupils_el)
    good: list[CtfPupil] = []
    for position, element in enumerate(pupils_el, start=1):
        pupil, problems = read_pupil(element, position)
        report.problems += problems
        if pupil is not None:
            good.append(pupil)
            report.notes += pupil.notes
        else:
            upn = upn_rules.normalise(_text(element, "UPN"))
            report.left_out.append(f"pupil {position} ({upn or 'no UPN'})")
    report.importable = len(good)
    return report, good


def check_ctf(actor: Actor, path: Path | str) -> CtfReport:
    """What :func:`import_ctf` would find in the file, without writing anything: every
    problem (one sentence each, naming the pupil's UPN and the element) and how many
    pupils could be imported — for the app to show before the SENCo imports."""
    permit(actor, Action.TRANSFER_RECORDS)
    return _read(Path(path))[0]


def import_ctf(
    db: Database,
    actor: Actor,
    path: Path | str,
    *,
    skip_invalid: bool = False,
    progress: Callable[[int, int], bool] | None = None,
) -> CtfReport:
    """Read the CTF at ``path`` and add its pupils' SEN history (see the module docstring).

    Raises ValidationError (one sentence per problem, nothing written) unless
    ``skip_invalid``; then the pupils with problems are left out and listed.
    ``progress(done, total)`` hears of each pupil; when it returns False the import stops
    with :class:`CancelledError` and nothing is written.
    """
    permit(actor, Action.TRANSFER_RECORDS)
    path = Path(path)
    report, good = _read(path)
    if report.problems and not skip_invalid:
        raise ValidationError(
            f"{path.name} was not imported: "
            + "; ".join(report.problems[:20])
            + (f"; and {len(report.problems) - 20} more" if len(report.problems) > 20 else "")
            + "."
        )
    reason = f"from {report.source_school or 'the previous school'} {CTF_MARK}"
    with db.transaction() as s:
        audit = AuditWriter(s, actor)
        by_upn = {upn: pid for upn, pid in s.execute(select(Pupil.upn, Pupil.id))}
        for done, pupil in enumerate(good):
            if progress is not None and progress(done, len(good)) is False:
                raise CancelledError(
                    f"The import of {path.name} was cancelled: nothing was written."
                )
            pupil_id = by_upn.get(pupil.upn) or by_upn.get(pupil.former_upn)
            if pupil_id is None:
                report.not_on_roll.append(pupil.upn)
                continue
            report.matched += 1
            existing = list(
                s.scalars(select(RegisterEntry).where(RegisterEntry.pupil_id == pupil_id))
            )
            mine = [e for e in existing if e.voided_at is None and CTF_MARK not in (e.reason or "")]
            first_here = min((e.start_date for e in mine), default=None)
            known = {(e.start_date, e.provision) for e in existing}
            entries, needs = _history_rows(pupil, first_here, reason)
            new_entries = [e for e in entries if (e.start, e.provision) not in known]
            if not new_entries:
                continue
            known_needs = {
                (n.code, n.rank, n.start_date)
                for n in s.scalars(select(Need).where(Need.pupil_id == pupil_id))
            }
            new_needs = [n for n in needs if (n.code, n.rank, n.start) not in known_needs]
            for entry in new_entries:
                s.add(
                    RegisterEntry(
                        pupil_id=pupil_id,
                        provision=entry.provision,
                        start_date=entry.start,
                        end_date=entry.end,
                        reason=reason,
                        recorded_by_id=actor.user_id or None,
                    )
                )
            for need in new_needs:
                assert need.start is not None
                s.add(
                    Need(
                        pupil_id=pupil_id,
                        code=need.code,
                        rank=need.rank,
                        start_date=need.start,
                        end_date=need.end,
                        recorded_by_id=actor.user_id or None,
                    )
                )
            s.flush()
            report.pupils_changed += 1
            report.entries_added += len(new_entries)
            report.needs_added += len(new_needs)
            audit.record(
                "ctf_import",
                "pupil",
                pupil_id,
                {
                    "source": report.source_school,
                    "entries": len(new_entries),
                    "needs": len(new_needs),
                    "file": path.name,
                },
            )
        report.written = True
    return report


ARRIVAL_KIND = "arrival review"
ARRIVAL_REVIEW_DAYS = 42
"""The first half term: the previous school's provision is reviewed within six weeks."""
ARRIVALS_SHOWN_DAYS = 365
"""An arrival older than a year is not a new arrival any more."""


def arrival_review_items(session: Session, today: date, horizon_days: int) -> list[DueItem]:
    """What's-due provider: a pupil who arrived with SEN history from the previous school
    (a CTF entry on or off the register) is reviewed within the first half term — until a
    support plan starts here, or the SENCo records a register change here, after arrival.
    The SENCo's (not among any other role's kinds)."""
    from sendesk.services.due import DueItem

    imported: dict[int, list[RegisterEntry]] = {}
    own: dict[int, list[RegisterEntry]] = {}
    from_ctf = (
        select(RegisterEntry.pupil_id)
        .where(RegisterEntry.reason.like(f"%{CTF_MARK}"))
        .scalar_subquery()
    )
    for entry in session.scalars(  # only the pupils who arrived with a CTF's history
        select(RegisterEntry).where(
            RegisterEntry.voided_at.is_(None), RegisterEntry.pupil_id.in_(from_ctf)
        )
    ):
        into = imported if CTF_MARK in (entry.reason or "") else own
        into.setdefault(entry.pupil_id, []).append(entry)
    with_sen = {
        pid for pid, rows in imported.items() if any(e.provision in ON_REGISTER for e in rows)
    }
    if not with_sen:
        return []
    plans: dict[int, list[date]] = {}
    for pid, start in session.execute(
        select(SupportPlan.pupil_id, SupportPlan.start_date).where(
            SupportPlan.pupil_id.in_(with_sen)
        )
    ):
        plans.setdefault(pid, []).append(start)
    horizon = today + timedelta(days=horizon_days)
    items: list[DueItem] = []
    for pupil in session.scalars(select(Pupil).where(Pupil.id.in_(with_sen))):
        if pupil.leaving_date is not None and pupil.leaving_date < today:
            continue
        mine = sorted(own.get(pupil.id, []), key=lambda e: e.start_date)
        arrived = pupil.admission_date or (mine[0].start_date if mine else None)
        if arrived is None or arrived < today - timedelta(days=ARRIVALS_SHOWN_DAYS):
            continue
        decided = any(e.start_date > arrived for e in mine) or any(
            start >= arrived for start in plans.get(pupil.id, [])
        )
        due = arrived + timedelta(days=ARRIVAL_REVIEW_DAYS)
        if decided or due > horizon:
            continue
        last = max(imported[pupil.id], key=lambda e: e.start_date)
        source = (last.reason or "").removeprefix("from ").removesuffix(f" {CTF_MARK}")
        items.append(
            DueItem.for_pupil(
                pupil,
                due,
                today,
                ARRIVAL_KIND,
                f"Arrived {arrived:%d/%m/%Y} with SEN history from {source}: review the "
                "previous school's provision within the first half term",
            )
        )
    return items


def ctf_problems(data: bytes) -> Sequence[str]:
    """Every problem :func:`import_ctf` would name in ``data`` (for tests and previews)."""
    root = parse_ctf_bytes(data)
    found: list[str] = []
    for position, element in enumerate(_children(_child(root, "CTFpupilData"), "Pupil"), 1):
        found += read_pupil(element, position)[1]
    return found


__all__ = [
    "ARRIVAL_KIND",
    "CTF_MARK",
    "CtfReport",
    "arrival_review_items",
    "check_ctf",
    "ctf_problems",
    "import_ctf",
    "parse_ctf_bytes",
]
