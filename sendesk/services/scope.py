"""Which pupils a member of staff works with: the first step of least privilege's scope.

Why: a teacher needs their own pupils' deadlines, not the whole school's (issue 13:
"teachers and learning support land on the whole school's what's due"). A teacher works
with the pupils in the classes they teach (teaching groups from the MIS, linked to their
account); learning support with the pupils in the intervention groups they lead and those
assigned to them. The SENCo works with everyone (None: no limit).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.models import (
    Enrolment,
    InterventionGroup,
    PupilAssignment,
    Role,
    TeachingGroup,
    TeachingGroupMember,
)
from sendesk.services.actor import Actor


def pupils_in_scope(session: Session, actor: Actor) -> frozenset[int] | None:
    """The ids of the pupils ``actor`` works with, or None for every pupil (the SENCo).

    A teacher works with the pupils in their classes and, when they lead an intervention
    group (some schools' teachers do), its pupils; learning support with the pupils in the
    groups they lead and those assigned to them. The exams officer and read-only accounts
    work with no named pupil here (their table cells are all or nothing)."""
    if actor.role is Role.SENCO:
        return None
    found: set[int] = set()
    if actor.role is Role.TEACHER:
        taught = select(TeachingGroupMember.pupil_id).join(
            TeachingGroup, TeachingGroup.id == TeachingGroupMember.group_id
        )
        found.update(session.scalars(taught.where(TeachingGroup.teacher_id == actor.user_id)))
    if actor.role in (Role.TEACHER, Role.LEARNING_SUPPORT):
        led = select(Enrolment.pupil_id).join(
            InterventionGroup, InterventionGroup.id == Enrolment.group_id
        )
        found.update(session.scalars(led.where(InterventionGroup.staff_id == actor.user_id)))
        found.update(
            session.scalars(
                select(PupilAssignment.pupil_id).where(PupilAssignment.user_id == actor.user_id)
            )
        )
    return frozenset(found)


def groups_led(session: Session, actor: Actor) -> frozenset[int] | None:
    """The ids of the intervention groups ``actor`` leads, or None for the SENCo (who
    answers for every group). Why apart from the pupils: a pupil in one assistant's group
    may be assigned to another, but only the group's leader logs its sessions and takes its
    measures (:func:`sendesk.services.graduated.enrolments.record_exit`)."""
    if actor.role is Role.SENCO:
        return None
    led = select(InterventionGroup.id).where(InterventionGroup.staff_id == actor.user_id)
    return frozenset(session.scalars(led))


__all__ = ["groups_led", "pupils_in_scope"]
