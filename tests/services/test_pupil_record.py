"""The pupil record: what it shows, the register history it derives, and who may change it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import NeedProfile, Pupil, Role
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.pupil_record import (
    CONFLICT,
    OTHER_AREA,
    ContactData,
    add_contact,
    areas_for_codes,
    get_record,
    remove_contact,
    save_need_profile,
    update_contact,
    update_profile,
)
from sendesk.services.register.pupils import PupilData, add_pupil
from sendesk.services.register.register import change_status
from sendesk.services.store.audit import chain_problems
from tests.db_reads import audit_events, count_selects
from tests.factories import make_user, works_with

VALID_NHS = "9434765919"
ADMITTED = date(2023, 9, 4)


def make_pupil(db: Database, actor: Actor, serial: int = 1, **fields: object) -> int:
    """A pupil with no SEN, admitted in September 2023 (first register entry that day)."""
    values: dict[str, object] = {
        "upn": make(801, 2000, 23, serial),
        "legal_surname": "Lovelace",
        "legal_forename": "Augusta",
        "preferred_forename": "Ada",
        "dob": date(2012, 12, 10),
        "gender": "F",
        "year_group": 8,
        "reg_group": "8L",
        "admission_date": ADMITTED,
    }
    values.update(fields)
    return add_pupil(db, actor, PupilData(**values))  # type: ignore[arg-type]


# --- reading ------------------------------------------------------------------------------


def test_record_contents(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco, nhs_number=VALID_NHS, eal=True)
    change_status(db, senco, pid, "K", ["SPLD", "SEMH"], date(2024, 1, 8), "Dyslexia screen")
    add_contact(db, senco, pid, ContactData("Mrs Lovelace", "Mother", True, 1, "01234 567890"))
    add_contact(db, senco, pid, ContactData("Mr Byron", "Father", priority=2))
    save_need_profile(db, senco, pid, "Cognition and learning", "Oral", "Spelling", "Cards", None)

    record = get_record(db, senco, pid)

    assert record.display_name == "Ada Lovelace"
    assert (record.upn, record.year_group, record.reg_group) == (make(801, 2000, 23, 1), 8, "8L")
    assert record.nhs_number == VALID_NHS and record.eal and not record.looked_after
    assert record.version == 1
    assert (record.provision, record.provision_since) == ("K", date(2024, 1, 8))
    assert [(n.rank, n.code, n.area) for n in record.needs] == [
        (1, "SPLD", "Cognition and learning"),
        (2, "SEMH", "Social, emotional and mental health"),
    ]
    assert record.needs[0].description == "Specific learning difficulty"
    assert [c.name for c in record.contacts] == ["Mrs Lovelace", "Mr Byron"]
    assert record.contacts[0].parental_responsibility and record.contacts[0].phone
    [profile] = record.need_profiles
    assert (profile.area, profile.strengths, profile.difficulties, profile.strategies) == (
        "Cognition and learning",
        "Oral",
        "Spelling",
        "Cards",
    )
    assert record.areas == ("Cognition and learning", "Social, emotional and mental health")


def test_record_has_home_language_and_ethnicity_where_held(db: Database, senco: Actor) -> None:
    held = make_pupil(db, senco, 1, home_language="Gujarati", ethnicity="Asian - Indian")
    record = get_record(db, senco, held)
    assert (record.home_language, record.ethnicity) == ("Gujarati", "Asian - Indian")
    # From the MIS, like the UPN: shown, not among the fields the SENCo edits here.
    assert "home_language" not in record.profile_values()
    record = get_record(db, senco, make_pupil(db, senco, 2))
    assert (record.home_language, record.ethnicity) == (None, None)


def test_areas_for_codes() -> None:
    assert areas_for_codes(["ASD", "SLCN", "OTH", "NSA", "DS"]) == [
        "Communication and interaction",
        OTHER_AREA,
    ]


def test_history_from_to_with_who_and_why(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    change_status(db, senco, pid, "K", ["SPLD"], date(2024, 1, 8), "Dyslexia screen")
    change_status(db, senco, pid, "K", ["SPLD", "SLCN"], date(2024, 3, 4), "SALT report")
    issued = PlanData(issued_on=date(2024, 6, 3), la_name="Testshire")
    change_status(
        db, senco, pid, "E", ["SPLD", "SLCN"], date(2024, 6, 3), "EHC plan issued", plan=issued
    )

    history = get_record(db, senco, pid).history

    rows = [(h.on, h.kind, h.before, h.after, h.reason, h.recorded_by) for h in history]
    assert rows == [
        (
            date(2024, 6, 3),
            "status",
            "SEN support (K)",
            "Education, health and care plan (E)",
            "EHC plan issued",
            "Ms Senco",
        ),
        (date(2024, 3, 4), "needs", "SPLD", "SPLD, SLCN", "SALT report", "Ms Senco"),
        (
            date(2024, 1, 8),
            "status",
            "No special educational need (N)",
            "SEN support (K)",
            "Dyslexia screen",
            "Ms Senco",
        ),
        (date(2024, 1, 8), "needs", "none", "SPLD", "Dyslexia screen", "Ms Senco"),
        (ADMITTED, "status", "", "No special educational need (N)", "Added in SENDesk", "Ms Senco"),
    ]
    assert all(h.recorded_at is not None for h in history)


def test_history_when_needs_end_and_return(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco, provision="K", needs=("MLD",), sen_start_date=ADMITTED)
    change_status(db, senco, pid, "N", [], date(2024, 2, 1), "Made good progress")
    change_status(db, senco, pid, "K", ["SEMH"], date(2024, 5, 1), "Anxiety")

    needs = [(h.on, h.before, h.after, h.reason) for h in get_record(db, senco, pid).history]
    assert needs[:2] == [
        (date(2024, 5, 1), "No special educational need (N)", "SEN support (K)", "Anxiety"),
        (date(2024, 5, 1), "none", "SEMH", "Anxiety"),
    ]
    assert (date(2024, 2, 1), "MLD", "none", "Made good progress") in needs


def test_record_loads_in_a_fixed_number_of_queries(db: Database, senco: Actor) -> None:
    short = make_pupil(db, senco, 1)
    long = make_pupil(db, senco, 2)
    for month, codes in enumerate((["SPLD"], ["SPLD", "SLCN"], ["SLCN"], ["ASD", "SLCN"]), 2):
        change_status(db, senco, long, "K", codes, date(2024, month, 1), f"step {month}")
    add_contact(db, senco, long, ContactData("A"))
    add_contact(db, senco, long, ContactData("B"))
    with count_selects(db) as few:
        get_record(db, senco, short)
    with count_selects(db) as many:
        get_record(db, senco, long)
    assert len(few) == len(many) <= 7


# --- editing -----------------------------------------------------------------------------


def test_update_profile_and_its_audit_event(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    version = get_record(db, senco, pid).version

    new_version = update_profile(
        db,
        senco,
        pid,
        version,
        preferred_forename=" Ada ",  # unchanged once stripped
        year_group=9,
        nhs_number="943 476 5919",
        looked_after=True,
        next_review_due=date(2025, 3, 1),
    )

    record = get_record(db, senco, pid)
    assert new_version == record.version == version + 1
    assert (record.year_group, record.nhs_number, record.looked_after) == (9, VALID_NHS, True)
    assert record.next_review_due == date(2025, 3, 1)
    [audit] = [e for e in audit_events(db, "pupil") if e.action == "update"]
    assert audit.entity_id == pid and audit.user_id == senco.user_id
    detail = json.loads(audit.detail)
    sealed = detail.pop("sealed")  # the pupil as written travels with the event (row_seals)
    assert f"pupil:{pid}" in sealed and all(len(seal) == 32 for seal in sealed.values())
    assert detail == {"fields": ["looked_after", "next_review_due", "nhs_number", "year_group"]}
    # Saving what is already there writes nothing (no version bump, no audit event).
    assert update_profile(db, senco, pid, new_version, year_group=9) == new_version
    assert len([e for e in audit_events(db, "pupil") if e.action == "update"]) == 1
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_update_profile_validates(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    with pytest.raises(ValidationError, match="wrong check digit"):
        update_profile(db, senco, pid, 1, nhs_number="9434765918")
    with pytest.raises(ValidationError, match=r"(?i)leaving date .* is before the admission date"):
        update_profile(db, senco, pid, 1, leaving_date=date(2023, 1, 1))
    with pytest.raises(ValidationError, match=r"(?i)year group 20"):
        update_profile(db, senco, pid, 1, year_group=20)
    with pytest.raises(TypeError):
        update_profile(db, senco, pid, 1, upn="X")
    assert get_record(db, senco, pid).version == 1


def test_stale_version_is_a_conflict(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    mine = get_record(db, senco, pid)
    theirs = get_record(db, senco, pid)
    update_profile(db, senco, pid, theirs.version, reg_group="8B")

    with pytest.raises(ConflictError) as caught:
        update_profile(db, senco, pid, mine.version, reg_group="8C")

    assert str(caught.value) == CONFLICT
    assert get_record(db, senco, pid).reg_group == "8B"


def test_need_profile_upsert_and_conflicts(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    area = "Communication and interaction"
    v1 = save_need_profile(db, senco, pid, area, "Visual", "Noise", "Ear defenders", None)
    v2 = save_need_profile(db, senco, pid, area, "Visual", "Noise", "Quiet room", v1)
    assert v2 == v1 + 1
    assert get_record(db, senco, pid).profile_for(area).strategies == "Quiet room"  # type: ignore[union-attr]
    with pytest.raises(ConflictError):  # someone wrote this area after I opened the record
        save_need_profile(db, senco, pid, area, "a", "b", "c", None)
    with pytest.raises(ConflictError):
        save_need_profile(db, senco, pid, area, "a", "b", "c", v1)
    with pytest.raises(ValidationError, match="not an area of need"):
        save_need_profile(db, senco, pid, "Sport", "a", "b", "c", None)
    events = audit_events(db, "need_profile")
    assert [e.action for e in events] == ["create", "update"]
    assert json.loads(events[1].detail)["fields"] == ["strategies"]
    with db.session() as s:
        assert s.scalar(select(NeedProfile.strategies)) == "Quiet room"


def test_contacts_add_update_remove(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    cid = add_contact(db, senco, pid, ContactData("Mrs Lovelace", "Mother", email="a@b.org"))
    [contact] = get_record(db, senco, pid).contacts
    v2 = update_contact(db, senco, cid, contact.version, ContactData("Mrs Lovelace", "Mum"))
    assert get_record(db, senco, pid).contacts[0].relationship_to_pupil == "Mum"
    with pytest.raises(ConflictError):
        update_contact(db, senco, cid, contact.version, ContactData("Mrs L"))
    with pytest.raises(ValidationError, match="not an email address"):
        update_contact(db, senco, cid, v2, ContactData("Mrs L", email="nope"))
    with pytest.raises(ValidationError, match="name is missing"):
        add_contact(db, senco, pid, ContactData("  "))
    remove_contact(db, senco, cid, v2)
    assert get_record(db, senco, pid).contacts == ()
    assert [e.action for e in audit_events(db, "contact")] == ["create", "update", "delete"]
    with pytest.raises(ConflictError, match="removed"):
        remove_contact(db, senco, cid, v2)


# --- roles -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEACHER, Role.LEARNING_SUPPORT])
def test_staff_read_but_do_not_change(db: Database, senco: Actor, role: Role) -> None:
    pid = make_pupil(db, senco)
    cid = add_contact(db, senco, pid, ContactData("Mrs Lovelace"))
    staff = make_user(db, "staff", role)
    works_with(db, staff, pid)

    record = get_record(db, staff, pid)

    assert record.display_name == "Ada Lovelace"
    for attempt in (
        lambda: update_profile(db, staff, pid, record.version, reg_group="8Z"),
        lambda: save_need_profile(db, staff, pid, OTHER_AREA, "a", "b", "c", None),
        lambda: add_contact(db, staff, pid, ContactData("X")),
        lambda: update_contact(db, staff, cid, 1, ContactData("X")),
        lambda: remove_contact(db, staff, cid, 1),
        lambda: change_status(db, staff, pid, "K", ["SPLD"], date(2024, 1, 1), "x"),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    with db.session() as s:
        assert s.get(Pupil, pid).reg_group == "8L"  # type: ignore[union-attr]


def test_read_only_accounts_cannot_see_named_records(db: Database, senco: Actor) -> None:
    pid = make_pupil(db, senco)
    governor = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError, match="Read-only accounts cannot see a pupil's"):
        get_record(db, governor, pid)
