"""A school's past register recorded in one call (issue 14): pupils with their contacts,
need profiles and dated history, read back on the pupil record as if recorded step by
step, checked by the same rules as adding a pupil, a contact or a profile."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, EhcPlan, Pupil, Role
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.past_register import (
    PastChange,
    PastProfile,
    PastPupil,
    record_past_pupils,
)
from sendesk.services.register.pupil_record import ContactData, get_record
from sendesk.services.register.pupils import PupilData
from sendesk.services.store.audit import AuditWriter
from tests.factories import make_user

TODAY = date(2025, 3, 14)
AMY, BEN = make(801, 2000, 24, 1), make(801, 2000, 24, 2)
AT = datetime(2023, 10, 2, 9, 30, tzinfo=UTC)


def amy() -> PastPupil:
    """A pupil who went on SEN support, then had an EHC plan, then came off it."""
    return PastPupil(
        data=PupilData(
            upn=AMY,
            legal_surname="Ahmed",
            legal_forename="Amy",
            dob=date(2011, 5, 4),
            year_group=9,
            reg_group="9A",
            admission_date=date(2022, 9, 1),
            provision="K",
            needs=("SPLD",),
        ),
        history=(
            PastChange(date(2022, 9, 1), "N", (), "Joined Year 7"),
            PastChange(date(2023, 10, 2), "K", ("SLCN",), "Speech assessment", AT),
            PastChange(
                date(2024, 1, 8),
                "E",
                ("SLCN",),
                "EHC plan issued",
                plan=PlanData(issued_on=date(2024, 1, 8), la_name="Testshire"),
            ),
            PastChange(date(2025, 1, 6), "K", ("SPLD",), "Plan ceased after review"),
        ),
        contacts=(
            ContactData("Mrs A Ahmed", "Mother", True, 1, " 07700 900123 ", "a@example.org"),
            ContactData("Mr B Ahmed", "Father", True, 2),
        ),
        profiles=(PastProfile("Cognition and learning", "Loves stories", "Spelling", "Overlays"),),
        next_review_due=date(2025, 6, 1),
    )


def ben() -> PastPupil:
    """A pupil with no history given: their first entry is opened as adding them would."""
    return PastPupil(
        PupilData(
            upn=BEN,
            legal_surname="Brown",
            legal_forename="Ben",
            dob=date(2012, 2, 1),
            admission_date=date(2023, 9, 1),
        )
    )


def record(db: Database, actor: Actor, pupils: list[PastPupil]) -> tuple[int, ...]:
    with db.transaction() as s:
        return record_past_pupils(s, AuditWriter(s, actor), pupils, today=TODAY).pupil_ids


def test_a_past_register_reads_back_as_if_recorded_step_by_step(db: Database, senco: Actor) -> None:
    amy_id, ben_id = record(db, senco, [amy(), ben()])
    rec = get_record(db, senco, amy_id)
    assert (rec.upn, rec.provision, rec.provision_since) == (AMY, "K", date(2025, 1, 6))
    assert [n.code for n in rec.needs] == ["SPLD"]
    assert rec.next_review_due == date(2025, 6, 1)  # the batch's, not the old plan's review
    assert [(c.name, c.priority, c.phone) for c in rec.contacts] == [
        ("Mrs A Ahmed", 1, "07700 900123"),  # cleaned as the contact form cleans it
        ("Mr B Ahmed", 2, None),
    ]
    assert [(p.area, p.strengths) for p in rec.need_profiles] == [
        ("Cognition and learning", "Loves stories")
    ]
    statuses = sorted((h.on, h.after) for h in rec.history if h.kind == "status")
    assert [after for _, after in statuses] == [
        "No special educational need (N)",
        "SEN support (K)",
        "Education, health and care plan (E)",
        "SEN support (K)",
    ]
    k = next(h for h in rec.history if h.on == date(2023, 10, 2) and h.kind == "status")
    assert k.recorded_at == AT and k.recorded_by == "Ms Senco" and k.reason == "Speech assessment"
    with db.session() as s:
        plan = s.scalars(select(EhcPlan).where(EhcPlan.pupil_id == amy_id)).one()
        assert (plan.issued_on, plan.ceased_on) == (date(2024, 1, 8), date(2025, 1, 6))
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "record_past_pupils")).one()
    detail = json.loads(event.detail)
    assert detail["pupils"] == 2 and detail["created_ids"] == [amy_id, ben_id]
    assert (detail["contacts"], detail["need_profiles"], detail["ehc_plans"]) == (2, 1, 1)
    ben_rec = get_record(db, senco, ben_id)
    assert (ben_rec.provision, ben_rec.provision_since) == ("N", date(2023, 9, 1))


def test_a_bad_pupil_is_named_and_nothing_is_recorded(db: Database, senco: Actor) -> None:
    bad = dataclasses.replace(
        amy(),
        data=dataclasses.replace(amy().data, legal_surname=""),
        contacts=(ContactData("Mrs A Ahmed", email="not an address"),),
        profiles=(PastProfile("Astrology"),),
    )
    no_plan = dataclasses.replace(
        ben(),
        data=dataclasses.replace(ben().data, provision="E", needs=("ASD",)),
        history=(PastChange(date(2024, 1, 8), "E", ("ASD",), "Came with a plan"),),
    )
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        record_past_pupils(s, AuditWriter(s, senco), [bad, no_plan], today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"Pupil 1 (UPN {AMY}): legal surname is missing")
    assert "pupil 2 (UPN " + BEN + "), the change of 08/01/2024: a change to E needs" in message
    assert "contact Mrs A Ahmed: 'not an address' is not an email address" in message
    assert "'Astrology' is not an area of need" in message
    assert message.endswith("Nothing was recorded.")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pupil)) == 0
    future = dataclasses.replace(ben(), data=dataclasses.replace(ben().data, dob=date(2030, 1, 1)))
    with pytest.raises(ValidationError, match="date of birth 01/01/2030 is in the future"):
        record(db, senco, [future])
    out_of_order = dataclasses.replace(amy(), history=tuple(reversed(amy().history)))
    with pytest.raises(ValidationError, match="before the change before it"):
        record(db, senco, [out_of_order])
    record(db, senco, [ben()])
    with pytest.raises(ValidationError, match="the UPN is already another pupil's"):
        record(db, senco, [ben()])


def test_a_past_plan_is_checked_as_the_ehc_service_checks_one(db: Database, senco: Actor) -> None:
    """A plan given with a move to E is checked before anything is written, as recording
    one would check it; so are an E pupil with no history (no plan at all) and one area's
    profile given twice: each named in the one sentence, nothing recorded."""

    def with_plan(plan: PlanData) -> PastPupil:
        changes = list(amy().history)
        changes[2] = dataclasses.replace(changes[2], plan=plan)
        return dataclasses.replace(amy(), history=tuple(changes))

    no_la = with_plan(PlanData(issued_on=date(2024, 1, 8), la_name=" "))
    no_date = with_plan(PlanData(issued_on=None, la_name="Testshire"))  # type: ignore[arg-type]
    a_request = with_plan(PlanData(date(2024, 1, 8), "Testshire", request_id=7))
    e_without = dataclasses.replace(
        ben(), data=dataclasses.replace(ben().data, provision="E", needs=("ASD",))
    )
    twice = dataclasses.replace(
        ben(),
        profiles=(
            PastProfile("Cognition and learning", "Maps"),
            PastProfile("Cognition and learning"),
        ),
    )
    cases = [
        (no_la, "the change of 08/01/2024: the local authority is missing"),
        (no_date, "the change of 08/01/2024: the date the plan was issued is missing"),
        (a_request, "the change of 08/01/2024: a new pupil's EHC plan cannot name an EHC request"),
        (e_without, "a pupil on E needs their history's change to E with its plan"),
        (twice, "the need profile for Cognition and learning is given twice"),
    ]
    for past, words in cases:
        with pytest.raises(ValidationError) as caught:
            record(db, senco, [past])
        assert words in str(caught.value)
        assert str(caught.value).endswith("Nothing was recorded.")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pupil)) == 0
        assert s.scalar(select(func.count()).select_from(EhcPlan)) == 0


def test_only_the_senco_records_a_past_register(db: Database, senco: Actor) -> None:
    teacher = make_user(db, "tpeters", Role.TEACHER, "Tom Peters")
    with pytest.raises(PermissionDeniedError):
        record(db, teacher, [ben()])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pupil)) == 0
