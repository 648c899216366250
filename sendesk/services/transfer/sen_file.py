"""A leaver's SEN file: everything the next school's SENCo needs, gathered for one PDF.

Why: the old school must send a pupil's educational record within 15 school days of their
leaving (ctf.md §1); the CTF carries only the SEN provision codes, dates and ranked needs.
The receiving SENCo needs the story behind them — register history, current needs and
provision, the latest support-plan cycles and their reviews, interventions and the
progress measured, access arrangements, the EHC plan if there is one — plus the reports
and letters the SENCo chooses to send with it. This gathers it as plain data by calling the
services that own each part: the request pack's :func:`sendesk.services.ehc.pack.gather`
(so the two documents say the same thing in the same words), the access arrangements and
the EHC plans. The file itself is written by :func:`sendesk.operations.sen_file.build_sen_file`.

Only the SENCo (the permission table's "record leavers", :data:`Action.TRANSFER_RECORDS`),
and only for a pupil recorded as leaving: the file names where it goes. The support plans
are the latest :data:`LATEST_CYCLES` cycles — the new school reviews from there, and the
file says how many earlier cycles there were. When the SENCo confirms the file was sent,
:func:`record_sen_file_sent` records the day, which clears "what's due".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import PupilAccess
from sendesk.services.actor import Actor
from sendesk.services.common import pupil_or_gone
from sendesk.services.ehc.pack import EvidenceChoice, PackData, available_evidence, gather
from sendesk.services.ehc.plans import list_plans
from sendesk.services.ehc.records import PlanItem
from sendesk.services.permissions import Action, permit
from sendesk.services.school.school import school_info
from sendesk.services.store.audit import AuditWriter
from sendesk.services.transfer.leavers import LeaverStatus, leaver_status

LATEST_CYCLES = 3
"""Support-plan cycles the file gives in full: the current one and the two before it."""

NOT_LEAVING = (
    "The pupil is not recorded as leaving: record where they are going (Leaving… in the "
    "pupil's record, or sendesk leaver) before making their SEN file."
)


@dataclass(frozen=True)
class SenFileData:
    """Everything the leaver's SEN file shows, gathered at one moment, as plain data.

    ``record`` is the request pack's data (the pupil, register history, needs, support
    plans — the latest :data:`LATEST_CYCLES` only —, interventions, attainment, agencies
    and the evidence chosen); ``earlier_cycles`` how many older cycles were left out."""

    record: PackData
    leaver: LeaverStatus
    school_dfe: str | None
    access: PupilAccess
    ehc_plans: tuple[PlanItem, ...]  # newest first
    earlier_cycles: int

    @property
    def evidence(self) -> tuple[EvidenceChoice, ...]:
        return self.record.evidence


def sen_file_evidence(db: Database, actor: Actor, pupil_id: int) -> list[EvidenceChoice]:
    """The pupil's stored documents the SENCo may tick to send with the file (oldest first,
    no contents)."""
    permit(actor, Action.TRANSFER_RECORDS)
    return available_evidence(db, actor, pupil_id)


def gather_sen_file(
    db: Database,
    actor: Actor,
    pupil_id: int,
    *,
    evidence_ids: Sequence[int] = (),
    today: date | None = None,
) -> SenFileData:
    """The leaver's SEN file's contents; ``evidence_ids`` the documents to append, in order.

    Refused in one sentence for a pupil not recorded as leaving.
    """
    permit(actor, Action.TRANSFER_RECORDS)
    today = today or date.today()
    leaver = leaver_status(db, actor, pupil_id)
    if not leaver.leaving:
        raise ValidationError(NOT_LEAVING)
    record = gather(db, actor, pupil_id, evidence_ids=list(evidence_ids), today=today)
    earlier = max(len(record.plans) - LATEST_CYCLES, 0)
    record = dataclasses.replace(record, plans=record.plans[earlier:])
    return SenFileData(
        record=record,
        leaver=leaver,
        school_dfe=school_info(db).dfe_number,
        access=pupil_access(db, actor, pupil_id, today=today),
        ehc_plans=tuple(list_plans(db, actor, pupil_id, today=today)),
        earlier_cycles=earlier,
    )


def record_sen_file_sent(db: Database, actor: Actor, pupil_id: int, on: date) -> None:
    """The SENCo confirms the leaver's SEN file went to the next school on ``on``: the
    "send the SEN file" item leaves what's due. Audited."""
    permit(actor, Action.TRANSFER_RECORDS)
    if on > date.today():
        raise ValidationError(f"The day the SEN file was sent ({on:%d/%m/%Y}) is in the future.")
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        if pupil.leaving_date is None:
            raise ValidationError(NOT_LEAVING)
        pupil.sen_file_sent_on = on
        AuditWriter(s, actor).record(
            "sen_file_sent",
            "pupil",
            pupil.id,
            {"on": on, "destination": pupil.destination_school or ""},
        )


__all__ = [
    "LATEST_CYCLES",
    "SenFileData",
    "gather_sen_file",
    "record_sen_file_sent",
    "sen_file_evidence",
]
