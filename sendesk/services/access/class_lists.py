"""The teacher's class lists: each of their teaching groups with the pupils' live
arrangements, so evidence is recorded where the teacher works.

Why by group: teachers think in classes, not pupils.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.models import AccessArrangement, Pupil, Role, TeachingGroup, TeachingGroupMember, User
from sendesk.rules import jcq
from sendesk.services.access.pupil_access import latest_evidence, latest_in
from sendesk.services.access.records import (
    ArrangementBrief,
    ClassList,
    ClassListRow,
    arrangement_name,
    catalogue_order,
    covers,
    is_live,
    preferred_name,
    split_subjects,
    still_here,
)
from sendesk.services.actor import Actor
from sendesk.services.common import PUPIL_NAME_COLUMNS
from sendesk.services.permissions import Action, permit
from sendesk.services.staff.teaching_groups import fold, teacher_label


def pupil_name_rows(session: Session, pupil_ids: Any) -> dict[int, Any]:
    """Pupil id -> the columns the access lists name and sort a pupil by; one query."""
    return {
        r.id: r
        for r in session.execute(
            select(*PUPIL_NAME_COLUMNS, Pupil.year_group).where(Pupil.id.in_(pupil_ids))
        )
    }


def shown_name(row: Any) -> str:
    """The name staff know a pupil by, from a row of :func:`pupil_name_rows`."""
    return preferred_name(
        row.legal_forename, row.legal_surname, row.preferred_forename, row.preferred_surname
    )


def surname_key(row: Any) -> tuple[str, str, str]:
    """Sort key for a row of :func:`pupil_name_rows`: surname, forename (the names staff
    use), then UPN so two pupils of one name keep one order."""
    return (
        (row.preferred_surname or row.legal_surname).casefold(),
        (row.preferred_forename or row.legal_forename).casefold(),
        row.upn,
    )


def my_class_lists(db: Database, actor: Actor, *, today: date | None = None) -> list[ClassList]:
    """The acting teacher's groups (the SENCo's: every group), each with only its pupils
    who have live (or proposed) arrangements covering the group's subject and who have not
    left the school.

    Five queries whatever the size of the school: groups, members with names, those
    pupils' live arrangements, the latest evidence of each, and account names.
    """
    permit(actor, Action.RECORD_NWW)
    today = today or date.today()
    with db.session() as s:
        groups_q = select(TeachingGroup)
        if actor.role != Role.SENCO:
            groups_q = groups_q.where(TeachingGroup.teacher_id == actor.user_id)
        groups = s.scalars(groups_q).all()
        if not groups:
            return []
        member_q = select(TeachingGroupMember.group_id, TeachingGroupMember.pupil_id)
        pupil_q = select(TeachingGroupMember.pupil_id)
        if actor.role != Role.SENCO:
            mine = select(TeachingGroup.id).where(TeachingGroup.teacher_id == actor.user_id)
            member_q = member_q.where(TeachingGroupMember.group_id.in_(mine))
            pupil_q = pupil_q.where(TeachingGroupMember.group_id.in_(mine))
        arrangements = [
            r
            for r in s.scalars(
                select(AccessArrangement)
                .join(Pupil, Pupil.id == AccessArrangement.pupil_id)
                .where(AccessArrangement.pupil_id.in_(pupil_q))
                .where(AccessArrangement.status.not_in(jcq.FINAL_STATUSES))
                .where(still_here(today))  # a leaver is no longer in anyone's class
            )
            if is_live(r.status, r.expires_on, today)
        ]
        by_pupil: dict[int, list[AccessArrangement]] = defaultdict(list)
        for r in arrangements:
            by_pupil[r.pupil_id].append(r)
        members: dict[int, list[int]] = defaultdict(list)
        for group_id, pupil_id in s.execute(member_q):
            if pupil_id in by_pupil:
                members[group_id].append(pupil_id)
        people = pupil_name_rows(s, list(by_pupil)) if by_pupil else {}
        latest = latest_evidence(s, [r.id for r in arrangements]) if arrangements else {}
        names = dict(s.execute(select(User.id, User.display_name)).all())
        lists: list[ClassList] = []
        for g in groups:
            rows: list[ClassListRow] = []
            for pupil_id in members.get(g.id, ()):
                here = [
                    r for r in by_pupil[pupil_id] if covers(split_subjects(r.subjects), g.subject)
                ]
                if not here:
                    continue
                here.sort(key=lambda r: (catalogue_order(r.arrangement), r.id))
                person = people[pupil_id]
                rows.append(
                    ClassListRow(
                        pupil_id=pupil_id,
                        pupil_name=shown_name(person),
                        upn=person.upn,
                        arrangements=tuple(
                            ArrangementBrief(
                                r.id, r.arrangement, arrangement_name(r.arrangement), r.status
                            )
                            for r in here
                        ),
                        last_evidence={
                            r.id: latest_in(latest.get(r.id, {}), g.subject) for r in here
                        },
                    )
                )
            rows.sort(key=lambda row: surname_key(people[row.pupil_id]))
            lists.append(
                ClassList(
                    group_id=g.id,
                    code=g.code,
                    subject=g.subject,
                    teacher=teacher_label(g.teacher_id, g.teacher_name, names),
                    rows=rows,
                )
            )
    lists.sort(key=lambda c: (fold(c.code), c.group_id))
    return lists
