"""The demo school sets itself up through the services, as a SENCo would: its staff
accounts (teachers for every subject's classes too), intervention catalogue and LA
profiles carry the services' own audit events, the same as the same data saved through
the same service in another school."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select

from sendesk.db import Database
from sendesk.demo import write_demo_school
from sendesk.models import AuditEvent, Intervention, LaProfile, Role, User
from sendesk.services.common import data_of
from sendesk.services.ehc.la_profiles import LaProfileData, save_la_profile
from sendesk.services.graduated.intervention_records import InterventionData
from sendesk.services.graduated.intervention_setup import add_intervention
from sendesk.services.school.school import init_school
from sendesk.services.staff.users import create_user
from sendesk.services.store.audit import chain_problems
from sendesk.services.store.row_seals import SEALED
from tests.factories import MakeDb

TODAY = date(2025, 3, 14)


def _events(db: Database, action: str, entity: str) -> dict[int, tuple[int | None, dict[str, Any]]]:
    """entity id -> (who, the detail without the row seals, which hold ids and times)."""
    with db.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
        ).all()
    found: dict[int, tuple[int | None, dict[str, Any]]] = {}
    for event in rows:
        assert event.entity_id is not None and event.entity_id not in found  # one each
        detail = json.loads(event.detail)
        detail.pop(SEALED, None)
        found[event.entity_id] = (event.user_id, detail)
    return found


def test_set_up_through_the_services_with_their_audit_events(make_db: MakeDb) -> None:
    demo = make_db()
    write_demo_school(demo, pupils=60, seed=5, today=TODAY)
    with demo.session() as s:
        senco_id = s.scalar(select(User.id).where(User.role == Role.SENCO.value))
        users = s.scalars(select(User).where(User.id != senco_id).order_by(User.id)).all()
        interventions = s.scalars(select(Intervention).order_by(Intervention.id)).all()
        profiles = s.scalars(select(LaProfile).order_by(LaProfile.id)).all()
        assert list(chain_problems(s)) == []
    user_events = _events(demo, "create", "user")
    added = _events(demo, "add", "intervention")
    saved = _events(demo, "create", "la_profile")
    assert len(interventions) == len(added) == 10
    assert len(profiles) == len(saved) == 2

    # The same data saved through the same services by the SENCo of another school.
    other = make_db()
    senco = init_school(other, "Other School", senco_username="boss", senco_name="Ms Boss")
    assert {u.role for u in users} >= {Role.LEARNING_SUPPORT.value, Role.TEACHER.value}
    for user in users:  # the staff planned with the school and the teachers added for classes
        new_id = create_user(other, senco, user.username, user.display_name, user.role)
        who, detail = user_events[user.id]
        assert who == senco_id
        assert detail == _events(other, "create", "user")[new_id][1]
    for row in interventions:
        new_id = add_intervention(other, senco, data_of(row, InterventionData))
        who, detail = added[row.id]
        assert who == senco_id
        assert detail == _events(other, "add", "intervention")[new_id][1]
    for profile in profiles:
        section_order = tuple(filter(None, profile.section_order.split(",")))
        data = data_of(profile, LaProfileData, section_order=section_order)
        new_id = save_la_profile(other, senco, None, None, data)
        who, detail = saved[profile.id]
        assert who == senco_id
        assert detail == _events(other, "create", "la_profile")[new_id][1]


def test_its_histories_go_through_the_services_batches_audited_once_each(
    make_db: MakeDb,
) -> None:
    """The intervention history, the support plans and the access arrangements are
    recorded by the services' batch calls (issue 14): one event each, by the SENCo, whose
    counts are the rows the school holds."""
    from sqlalchemy import func

    from sendesk.models import (
        AccessArrangement,
        DeliveredSession,
        SessionAttendance,
        SupportPlan,
    )

    demo = make_db()
    write_demo_school(demo, pupils=120, seed=5, today=TODAY)
    with demo.session() as s:
        senco_id = s.scalar(select(User.id).where(User.role == Role.SENCO.value))
        events = {
            action: [
                (e.user_id, json.loads(e.detail))
                for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action))
            ]
            for action in ("record_past_interventions", "record_past_plans", "record_past_access")
        }
        held = {
            model: s.scalar(select(func.count()).select_from(model))
            for model in (DeliveredSession, SessionAttendance, SupportPlan, AccessArrangement)
        }
    [(who, sessions)] = events["record_past_interventions"]
    assert who == senco_id
    assert (sessions["sessions"], sessions["session_marks"]) == (
        held[DeliveredSession],
        held[SessionAttendance],
    )
    [(who, plans)] = events["record_past_plans"]
    assert who == senco_id and plans["support_plans"] == held[SupportPlan] > 0
    [(who, access)] = events["record_past_access"]
    assert who == senco_id and access["arrangements"] == held[AccessArrangement]
