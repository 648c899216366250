"""A pupil's access arrangements evidence file as the report draws it.

Why gathered here: the report layer never opens a session, so everything it prints is read
in one go by the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sendesk.db import Database
from sendesk.models import AccessArrangement, School, User
from sendesk.services.access.edition import evidence_days
from sendesk.services.access.nww import nww_for_pupil
from sendesk.services.access.pupil_access import pupil_access
from sendesk.services.access.records import CURRENT_EVIDENCE_DAYS, NwwItem, PupilAccess
from sendesk.services.actor import Actor
from sendesk.services.common import data_of, pupil_or_gone
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class EvidenceFileData:
    """Everything the per-candidate evidence file shows (see
    :mod:`sendesk.reports.access_evidence`)."""

    school: str
    pupil_id: int
    name: str
    legal_name: str
    upn: str
    dob: date
    year_group: int | None
    reg_group: str | None
    access: PupilAccess
    evidence: list[NwwItem]
    approved_by: dict[int, str]  # arrangement id -> who approved it, by name
    evidence_days: int = CURRENT_EVIDENCE_DAYS  # how long evidence counts as current


def evidence_file_data(
    db: Database, actor: Actor, pupil_id: int, *, today: date | None = None
) -> EvidenceFileData:
    """The SENCo gathers a candidate's evidence file (audited: it leaves SENDesk)."""
    permit(actor, Action.MANAGE_ACCESS_ARRANGEMENTS)
    today = today or date.today()
    access = pupil_access(db, actor, pupil_id, today=today)
    evidence = nww_for_pupil(db, actor, pupil_id)
    with db.transaction() as s:
        pupil = pupil_or_gone(s, pupil_id)
        school = s.scalar(select(School.name).order_by(School.id)) or ""
        approvers = dict(
            s.execute(
                select(AccessArrangement.id, User.display_name)
                .join(User, User.id == AccessArrangement.approved_by_id)
                .where(AccessArrangement.pupil_id == pupil_id)
            ).all()
        )
        data = data_of(
            pupil,
            EvidenceFileData,
            school=school,
            pupil_id=pupil_id,
            name=pupil.display_name,
            legal_name=f"{pupil.legal_forename} {pupil.legal_surname}",
            access=access,
            evidence=evidence,
            approved_by=approvers,
            evidence_days=evidence_days(s),
        )
        AuditWriter(s, actor).record("evidence_file", "pupil", pupil_id, {})
    return data
