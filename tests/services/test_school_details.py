"""The school's named contact and default staff rate (the settings an LA request form and
the pack's costing read), on SQLCipher and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role
from sendesk.services.actor import Actor
from sendesk.services.school.school_details import (
    STAFF_RATE,
    SchoolDetails,
    save_school_details,
    school_details,
)
from sendesk.services.school.settings import get_setting, set_setting
from tests.factories import make_user

DETAILS = SchoolDetails(
    senco_name="Ms Priya Shah",
    senco_phone="01632 960 123 ext 4",
    senco_email="senco@school.example",
    head_teacher_name="Mr Tom Reed",
    staff_rate_per_hour_pence=2_150,
)


def test_details_are_saved_together_and_read_back(db: Database, senco: Actor) -> None:
    assert school_details(db) == SchoolDetails()  # nothing set: empty, no rate
    save_school_details(db, senco, DETAILS)
    assert school_details(db) == DETAILS
    assert get_setting(db, STAFF_RATE) == "2150"
    with db.session() as s:
        details = list(s.scalars(select(AuditEvent.detail).where(AuditEvent.entity == "setting")))
    assert len(details) == 5  # one audit event per value changed
    assert any('"senco_email"' in d and "senco@school.example" in d for d in details)
    save_school_details(db, senco, DETAILS)  # the same again: nothing to audit
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "setting")).all()
    assert len(events) == 5


def test_bad_details_name_each_field_and_save_nothing(db: Database, senco: Actor) -> None:
    bad = SchoolDetails(
        senco_name="Ms Shah",
        senco_phone="call me",
        senco_email="senco at school",
        staff_rate_per_hour_pence=200_000,
    )
    with pytest.raises(ValidationError) as caught:
        save_school_details(db, senco, bad)
    assert str(caught.value) == (
        "The SENCo's phone number 'call me' is not a phone number; the SENCo's email address "
        "'senco at school' is not an email address; the default staff rate must be between "
        "£0 and £1,000 an hour."
    )
    assert school_details(db) == SchoolDetails()  # the good name was not saved either


def test_a_rate_edited_by_hand_into_nonsense_reads_as_not_set(db: Database, senco: Actor) -> None:
    set_setting(db, senco, STAFF_RATE, "twenty pounds")
    assert school_details(db).staff_rate_per_hour_pence is None


def test_only_the_senco_changes_them(db: Database, senco: Actor) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    with pytest.raises(PermissionDeniedError):
        save_school_details(db, teacher, DETAILS)
    assert school_details(db) == SchoolDetails()


def test_the_dfe_number_is_kept_on_the_schools_row_checked_and_audited(
    db: Database, senco: Actor
) -> None:
    from dataclasses import replace

    from sendesk.models import School

    with pytest.raises(ValidationError, match="The DfE number '80/4000' is not 3 digits"):
        save_school_details(db, senco, replace(DETAILS, dfe_number="80/4000"))
    save_school_details(db, senco, replace(DETAILS, dfe_number="801 4000"))
    assert school_details(db).dfe_number == "801/4000"
    with db.session() as s:
        assert s.scalar(select(School.dfe_number)) == "801/4000"
        [event] = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "school", AuditEvent.action == "update")
        ).all()
    assert '"to": "801/4000"' in event.detail
