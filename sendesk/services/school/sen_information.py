"""What the school's annual SEN information report is drafted from (Qt-free).

Every school must publish an SEN information report each year (SEND Code of Practice
6.79–6.83; the SEND Regulations 2014, regulation 51 and schedule 1). Most of it is the
school's own prose, but parts of it are facts SENDesk already holds: how many pupils are
on SEN Support or have an EHC plan and in which areas of need, the interventions the
school offers, the access arrangements in place, the EHC needs assessments it asked for,
who the SENCo is and how to reach them, and the staff who use SENDesk by role. This
module gathers those facts in one read so that the report
(:mod:`sendesk.reports.sen_information`) only lays them out.

It publishes nothing about a named pupil: the pupil figures are
:func:`sendesk.services.school.figures.school_figures`'s, already anonymised (counts from
1 to 4 read "fewer than 5"), and the rest is about the school and its staff. So whoever
may see the school's figures may draft the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from sendesk.db import Database
from sendesk.models import School, User
from sendesk.roles import ROLE_LABELS, Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.intervention_setup import list_interventions
from sendesk.services.permissions import Action, permit
from sendesk.services.school.figures import SchoolFigures, school_figures
from sendesk.services.school.school_details import SchoolDetails, read_school_details


@dataclass(frozen=True)
class OfferedIntervention:
    """One intervention of the school's catalogue that is offered now (active)."""

    name: str
    area: str  # the broad area of need it is for, as the catalogue records it


@dataclass(frozen=True)
class SenInformation:
    """Everything the SEN information report fills in from SENDesk's records."""

    school_name: str
    la_name: str  # the school's local authority ("" when not recorded)
    details: SchoolDetails  # the SENCo's name, phone and email as the SENCo typed them
    senco_accounts: tuple[str, ...]
    """The display names of the active SENCo accounts: the SENCo's name when the school
    details do not give one."""
    interventions: tuple[OfferedIntervention, ...]  # by name
    staff_by_role: dict[str, int]
    """Active SENDesk accounts by role label, in the roles' order, roles with none left out.
    These are the staff who use SENDesk, not the school's whole staff list."""
    figures: SchoolFigures  # anonymised pupil figures for the period (its dates too)

    @property
    def senco_name(self) -> str:
        """The SENCo's name: the school details' one, else the SENCo accounts' names."""
        return self.details.senco_name or " and ".join(self.senco_accounts)


def sen_information(
    db: Database,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> SenInformation:
    """The facts for the SEN information report over [start, end]; the period's defaults
    (this academic year so far) and its checks are :func:`school_figures`'s."""
    permit(actor, Action.VIEW_SCHOOL_FIGURES)
    figures = school_figures(db, actor, start=start, end=end, today=today)
    interventions = tuple(
        OfferedIntervention(item.name, item.area)
        for item in list_interventions(db, actor, include_inactive=False)
    )
    with db.session() as s:
        details = read_school_details(s)
        school = s.execute(select(School.name, School.la_name).order_by(School.id)).first()
        accounts = s.execute(
            select(User.role, User.display_name)
            .where(User.active.is_(True))
            .order_by(User.display_name, User.id)
        ).all()
    by_role = Counter(role for role, _name in accounts)
    return SenInformation(
        school_name=school.name if school else "",
        la_name=(school.la_name or "") if school else "",
        details=details,
        senco_accounts=tuple(name for role, name in accounts if role == Role.SENCO),
        interventions=interventions,
        staff_by_role={ROLE_LABELS[r]: by_role[r] for r in Role if by_role.get(r)},
        figures=figures,
    )
