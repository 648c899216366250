"""What a pupil passport (one-page profile) says, read from the record.

A passport is what a teacher reads before teaching a child: who they are, what they find
hard, what helps, and what they are working towards now — on one page, in plain words,
in the pupil's own words where the school has recorded them. This module gathers that
from the record as plain data (:class:`PassportData`); :mod:`sendesk.reports.passport`
lays it out as a PDF. (Services never import reports, so writing the file lives there:
:func:`sendesk.reports.passport.passport_for`.)

Where each part comes from:

- name: the preferred names where recorded (what staff call the pupil); no photo;
- "About me": the strengths written in each area's need profile, and the pupil's own
  views from their most recent support plan that has them;
- "What I find hard" / "What helps me": the difficulties / strategies of each area;
- "My targets now": the outcomes of the latest support plan that has started. After its
  review they stay (with the date they were reviewed) until the next cycle starts: a
  teacher needs the latest targets between a review and the next plan, not a blank box;
- needs: the current ranked census needs with their DfE descriptions.

Staff who may see named pupils (SENCo, learning support, teachers) may read a passport;
each one produced is audited ("who accessed what").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError
from sendesk.models import PlanOutcome, Pupil, School, SupportPlan
from sendesk.rules.census import PROVISION_LABELS, Provision
from sendesk.rules.years import year_label
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit, permit_pupil
from sendesk.services.register.pupil_record import get_record
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class AreaText:
    """What was written for one area of need (an empty area is left out)."""

    area: str
    text: str


@dataclass(frozen=True)
class Target:
    """One outcome of the current support plan."""

    text: str
    area: str


@dataclass(frozen=True)
class PassportData:
    """Everything a passport shows, as plain data."""

    name: str
    upn: str
    year_group: int | None
    reg_group: str | None
    provision: str  # "SEN support", "Education, health and care plan", or "" when N
    needs: tuple[str, ...]  # DfE descriptions, primary first
    strengths: tuple[AreaText, ...]
    pupil_views: str
    pupil_views_on: date | None
    difficulties: tuple[AreaText, ...]
    strategies: tuple[AreaText, ...]
    targets: tuple[Target, ...]
    targets_review_due: date | None
    school_name: str
    produced_on: date
    targets_reviewed_on: date | None = None  # the plan was reviewed; no new cycle yet
    pupil_id: int | None = None  # whose passport (the export's audit event names them)

    @property
    def year_text(self) -> str:
        if self.year_group == 0:
            return "Reception"
        label = year_label(self.year_group)
        if not label:
            return ""
        return f"Year {label}" if label[0].isdigit() else f"Nursery ({label})"

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]


def passport_data(
    db: Database, actor: Actor, upn: str, *, today: date | None = None
) -> PassportData:
    """The passport of the pupil with ``upn`` (NotFoundError when there is none).

    Reads the pupil record (:func:`sendesk.services.register.pupil_record.get_record`), the pupil's
    support plans and the current plan's outcomes, and records a "passport" audit event.
    """
    permit(actor, Action.VIEW_PASSPORT)
    key = upn.replace(" ", "").upper()
    with db.session() as s:
        pupil_id = s.scalar(select(Pupil.id).where(Pupil.upn == key))
        if pupil_id is None:
            raise NotFoundError(f"There is no pupil with UPN {key} in SENDesk.")
        permit_pupil(s, actor, Action.VIEW_PASSPORT, pupil_id)
    record = get_record(db, actor, pupil_id)
    with db.transaction() as s:
        plans = s.scalars(
            select(SupportPlan)
            .where(SupportPlan.pupil_id == pupil_id)
            .order_by(SupportPlan.start_date.desc(), SupportPlan.id.desc())
        ).all()
        on = today or date.today()
        current = next((p for p in plans if p.start_date <= on), None)  # newest first
        outcomes: list[PlanOutcome] = []
        if current is not None:
            outcomes = list(
                s.scalars(
                    select(PlanOutcome)
                    .where(PlanOutcome.plan_id == current.id)
                    .order_by(PlanOutcome.position, PlanOutcome.id)
                )
            )
        views_plan = next((p for p in plans if p.pupil_views.strip()), None)
        school = s.scalar(select(School.name).order_by(School.id)) or ""
        AuditWriter(s, actor).record("passport", "pupil", pupil_id, {})
    provision = ""
    if record.provision in (Provision.K.value, Provision.E.value):
        provision = PROVISION_LABELS[Provision(record.provision)]

    def texts(attr: str) -> tuple[AreaText, ...]:
        return tuple(
            AreaText(p.area, getattr(p, attr).strip())
            for p in record.need_profiles
            if getattr(p, attr).strip()
        )

    return PassportData(
        pupil_id=record.pupil_id,
        name=record.display_name,
        upn=record.upn,
        year_group=record.year_group,
        reg_group=record.reg_group,
        provision=provision,
        needs=tuple(n.description or n.code for n in record.needs if n.code != "NSA"),
        strengths=texts("strengths"),
        pupil_views=views_plan.pupil_views.strip() if views_plan else "",
        pupil_views_on=views_plan.start_date if views_plan else None,
        difficulties=texts("difficulties"),
        strategies=texts("strategies"),
        targets=tuple(Target(o.text.strip(), o.area) for o in outcomes if o.text.strip()),
        targets_review_due=(
            current.review_due if current and current.reviewed_on is None else None
        ),
        school_name=school,
        produced_on=today or date.today(),
        targets_reviewed_on=current.reviewed_on if current else None,
    )


__all__ = ["AreaText", "PassportData", "Target", "passport_data"]
