"""What a leaver's CTF carries from SENDesk: the school, the pupils' core details and SEN.

Why: the SEN history must leave the same way it arrives (issue 15; ctf.md §9): every
provision entry oldest first with its dates (an end date on all but the current one) and
the needs ranked from 1. SENDesk does not replace the MIS's statutory CTF: this is a
CTF-shaped SEN section ("partial") for the receiving SEN office, or for checking the MIS's.

The data is read here; :mod:`sendesk.reports.ctf_xml` writes the file; the caller then
calls :func:`record_ctf_sent`, which audits the export and marks the SEN file sent (what's
due then stops asking for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError, ValidationError
from sendesk.models import Need, Pupil, RegisterEntry, School
from sendesk.rules import dfe_number
from sendesk.services.actor import Actor
from sendesk.services.graduated.provision_map import academic_year_of
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter
from sendesk.services.transfer.ctf_import import CtfEntry
from sendesk.services.transfer.leavers import mark_sen_file_sent

CTF_VERSION = "25.0"
"""The newest CTF version confirmed (ctf.md §2: CTF 26 for 2026/27 would follow the
numbering rule, but its publication is unconfirmed)."""


@dataclass(frozen=True)
class CtfOutPupil:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    dob: date
    sex: str
    entries: tuple[CtfEntry, ...]  # the same entries a CTF brings in
    needs: tuple[tuple[str, int], ...]  # (code, rank), rank 1 first


@dataclass(frozen=True)
class CtfExport:
    school_name: str
    source_dfe: str  # "801/4000"
    source_urn: str
    dest_dfe: str  # "" when unknown
    academic_year: int
    pupils: tuple[CtfOutPupil, ...]


def ctf_export_data(
    db: Database,
    actor: Actor,
    upns: list[str],
    *,
    dest: str | None = None,
    today: date | None = None,
) -> CtfExport:
    """The CTF of the pupils with ``upns``, to ``dest`` ("LLL/EEEE"; else the leavers'
    recorded destination, which must then be the same for all)."""
    permit(actor, Action.TRANSFER_RECORDS)
    today = today or date.today()
    wanted = [u.replace(" ", "").upper() for u in upns]
    if not wanted:
        raise ValidationError("Name at least one pupil (--upn).")
    with db.session() as s:
        school = s.scalar(select(School).order_by(School.id))
        if school is None or not school.dfe_number:
            raise ValidationError(
                "The school's DfE number is not set: a CTF names its sender by it "
                "(sendesk init --dfe LLL/EEEE, or File → School details…)."
            )
        pupils = {p.upn: p for p in s.scalars(select(Pupil).where(Pupil.upn.in_(wanted)))}
        missing = [u for u in wanted if u not in pupils]
        if missing:
            raise NotFoundError(f"There is no pupil with UPN {missing[0]} in SENDesk.")
        destination = dfe_number.normalise(dest) if dest else ""
        if not destination:
            recorded = {p.destination_dfe for p in pupils.values()}
            if len(recorded) != 1 or None in recorded:
                raise ValidationError(
                    "Give the destination school's DfE number (--dest LLL/EEEE): "
                    "the leavers' recorded destinations are missing or differ."
                )
            destination = recorded.pop() or ""
        ids = [p.id for p in pupils.values()]
        entries: dict[int, list[RegisterEntry]] = {}
        for entry in s.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.pupil_id.in_(ids), RegisterEntry.voided_at.is_(None))
            .order_by(RegisterEntry.start_date, RegisterEntry.id)
        ):
            entries.setdefault(entry.pupil_id, []).append(entry)
        needs: dict[int, list[Need]] = {}
        for need in s.scalars(select(Need).where(Need.pupil_id.in_(ids))):
            needs.setdefault(need.pupil_id, []).append(need)
        out = []
        for upn in wanted:
            pupil = pupils[upn]
            mine = entries.get(pupil.id, [])
            out.append(
                CtfOutPupil(
                    pupil_id=pupil.id,
                    upn=pupil.upn,
                    surname=pupil.legal_surname,
                    forename=pupil.legal_forename,
                    dob=pupil.dob,
                    sex=pupil.gender or "U",
                    entries=tuple(CtfEntry(e.provision, e.start_date, e.end_date) for e in mine),
                    needs=_ranked_needs(needs.get(pupil.id, []), pupil.leaving_date or today),
                )
            )
        return CtfExport(
            school_name=school.name,
            source_dfe=school.dfe_number,
            source_urn=school.urn or "",
            dest_dfe=destination,
            academic_year=academic_year_of(today),  # the start year (ctf.md §4)
            pupils=tuple(out),
        )


def _ranked_needs(needs: list[Need], on: date) -> tuple[tuple[str, int], ...]:
    """The needs open on ``on`` (a leaver's last day), ranked from 1 with no gaps."""
    current = sorted(
        (n for n in needs if n.start_date <= on and (n.end_date is None or n.end_date >= on)),
        key=lambda n: (n.rank, n.id),
    )
    return tuple((n.code, rank) for rank, n in enumerate(current, start=1))


def record_ctf_sent(
    db: Database, actor: Actor, data: CtfExport, path: Path, *, today: date | None = None
) -> None:
    """Audit the written CTF (pupils, file name) and mark each leaver's SEN file sent."""
    permit(actor, Action.TRANSFER_RECORDS)
    ids = [p.pupil_id for p in data.pupils]
    with db.transaction() as s:
        mark_sen_file_sent(s, ids, today or date.today())
        audit = AuditWriter(s, actor)
        for pupil_id in ids:
            audit.record(
                "export",
                "pupil",
                pupil_id,
                {"what": "CTF", "pupils": len(ids), "file": Path(path).name},
            )


__all__ = ["CTF_VERSION", "CtfExport", "ctf_export_data", "record_ctf_sent"]
