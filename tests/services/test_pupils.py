"""Pupil data checks (shared by the add-pupil form and the MIS import) and adding a pupil."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Need, Pupil, RegisterEntry, Role
from sendesk.services.actor import Actor
from sendesk.services.register.pupils import (
    Problem,
    PupilData,
    add_pupil,
    get_pupil,
    validate_pupil,
)
from tests.db_reads import count_rows

TODAY = date(2026, 11, 20)
GOOD = PupilData(
    upn=" h801200001001 ",
    legal_surname="Łukasiewicz",
    legal_forename="Ωρίων",
    dob=date(2013, 3, 14),
    preferred_forename="Ori",
    gender="M",
    year_group=9,
    reg_group="9K",
    admission_date=date(2024, 9, 3),
    nhs_number="943 476 5919",
)
TEACHER = Actor(user_id=99, username="teacher", display_name="A Teacher", role=Role.TEACHER)


def problems(**changes: object) -> list[Problem]:
    return validate_pupil(dataclasses.replace(GOOD, **changes), today=TODAY)  # type: ignore[arg-type]


def test_good_data_has_no_problems_and_upn_is_normalised() -> None:
    assert GOOD.upn == "H801200001001"
    assert validate_pupil(GOOD, today=TODAY) == []


def test_temporary_upn_is_valid() -> None:
    assert problems(upn="G80120000101A") == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"upn": "A801200001001"}, [Problem("upn", "UPN check letter should be 'H', not 'A'")]),
        ({"upn": ""}, [Problem("upn", "UPN is missing")]),
        ({"upn": "H80120000100"}, [Problem("upn", "UPN must be 13 characters (this one has 12)")]),
        ({"legal_surname": " "}, [Problem("legal_surname", "legal surname is missing")]),
        ({"legal_forename": ""}, [Problem("legal_forename", "legal forename is missing")]),
        (
            {"legal_surname": "x" * 121},
            [Problem("legal_surname", "legal surname is longer than 120 characters")],
        ),
        (
            {"preferred_forename": "A\nB"},
            [Problem("preferred_forename", "preferred forename contains a line break or tab")],
        ),
        (
            {"dob": date(2027, 1, 1), "admission_date": None},
            [Problem("dob", "date of birth 01/01/2027 is in the future")],
        ),
        (
            {"admission_date": date(2012, 1, 1)},
            [Problem("admission_date", "admission date 01/01/2012 is before the date of birth")],
        ),
        (
            {"leaving_date": date(2024, 7, 1)},
            [
                Problem(
                    "leaving_date",
                    "leaving date 01/07/2024 is before the admission date 03/09/2024",
                )
            ],
        ),
        ({"year_group": 15}, [Problem("year_group", "year group 15 is not between N1 and 14")]),
        ({"year_group": -3}, [Problem("year_group", "year group -3 is not between N1 and 14")]),
        ({"gender": "Q"}, [Problem("gender", "gender 'Q' is not M or F")]),
        (
            {"reg_group": "x" * 21},
            [Problem("reg_group", "registration group is longer than 20 characters")],
        ),
        (
            {"nhs_number": "9434765918"},
            [Problem("nhs_number", "NHS number 9434765918 has a wrong check digit")],
        ),
        (
            {"nhs_number": "12345"},
            [
                Problem(
                    "nhs_number",
                    "an NHS number must be 10 digits (spaces and hyphens are allowed)",
                )
            ],
        ),
    ],
)
def test_each_problem_has_a_field_and_a_plain_reason(
    changes: dict[str, object], expected: list[Problem]
) -> None:
    assert problems(**changes) == expected


@pytest.mark.parametrize(
    ("provision", "needs", "reason"),
    [
        ("K", (), "SEN support (K) needs at least one type of need"),
        ("E", (), "Education, health and care plan (E) needs at least one type of need"),
        ("N", ("SPLD",), "a pupil with no special educational need (N) cannot have a type"),
        ("E", ("NSA",), "NSA can only be used with SEN support (K), not E"),
        ("K", ("MLD", "MLD"), "MLD is recorded twice"),
        ("S", ("SPLD",), "SEN provision 'S' is a legacy code; record it as E"),
    ],
)
def test_census_rules(provision: str, needs: tuple[str, ...], reason: str) -> None:
    found = problems(provision=provision, needs=needs)
    assert len(found) == 1
    assert found[0].reason.startswith(reason)


def test_census_rules_allow_good_combinations() -> None:
    assert problems(provision="K", needs=("NSA",)) == []
    assert problems(provision="E", needs=("ASD", "SLCN")) == []
    assert problems(provision="K", needs=("ASD", "SLCN", "VI")) == []  # the school's own third


# --- add_pupil ----------------------------------------------------------------------------


def test_add_pupil_opens_the_register_entry_and_audits(db: Database, senco: Actor) -> None:
    data = dataclasses.replace(
        GOOD, provision="K", needs=("SPLD", "VI"), sen_start_date=date(2025, 1, 15)
    )
    events_before = count_rows(db, AuditEvent)
    pupil_id = add_pupil(db, senco, data, today=TODAY)
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        assert (pupil.upn, pupil.legal_surname, pupil.legal_forename) == (
            "H801200001001",
            "Łukasiewicz",
            "Ωρίων",
        )
        assert pupil.nhs_number == "9434765919"
        entries = s.scalars(select(RegisterEntry)).all()
        assert [(e.provision, e.start_date, e.end_date, e.recorded_by_id) for e in entries] == [
            ("K", date(2025, 1, 15), None, senco.user_id)
        ]
        needs = s.scalars(select(Need).order_by(Need.rank)).all()
        assert [(n.code, n.rank, n.start_date) for n in needs] == [
            ("SPLD", 1, date(2025, 1, 15)),
            ("VI", 2, date(2025, 1, 15)),
        ]
        events = s.scalars(select(AuditEvent).where(AuditEvent.id > events_before)).all()
        assert [(e.action, e.entity, e.entity_id, e.user_id) for e in events] == [
            ("create", "pupil", pupil_id, senco.user_id),
            ("register_change", "pupil", pupil_id, senco.user_id),
        ]
        assert not any("Łukasiewicz" in e.detail for e in events)
        change = json.loads(events[1].detail)
        assert change["from"] == {"provision": None, "needs": []}
        assert change["to"] == {"provision": "K", "needs": ["SPLD", "VI"]}


@pytest.mark.parametrize(
    ("changes", "start"),
    [
        ({}, date(2024, 9, 3)),  # N: the admission date
        ({"admission_date": None}, TODAY),
        ({"provision": "K", "needs": ("MLD",)}, TODAY),  # K without an SEN start date
    ],
)
def test_first_entry_start_date(
    db: Database, senco: Actor, changes: dict[str, object], start: date
) -> None:
    add_pupil(db, senco, dataclasses.replace(GOOD, **changes), today=TODAY)  # type: ignore[arg-type]
    with db.session() as s:
        assert s.scalar(select(RegisterEntry.start_date)) == start


def test_add_pupil_refuses_a_duplicate_upn(db: Database, senco: Actor) -> None:
    add_pupil(db, senco, GOOD, today=TODAY)
    other = dataclasses.replace(GOOD, upn="H801200001001", legal_forename="Ann")
    with pytest.raises(ValidationError, match="UPN H801200001001 already belongs to a pupil"):
        add_pupil(db, senco, other, today=TODAY)
    assert count_rows(db, Pupil) == 1
    assert count_rows(db, RegisterEntry) == 1


def test_add_pupil_refuses_bad_data_with_every_reason(db: Database, senco: Actor) -> None:
    bad = dataclasses.replace(GOOD, upn="A801200001001", provision="K")
    with pytest.raises(ValidationError) as caught:
        add_pupil(db, senco, bad, today=TODAY)
    assert str(caught.value) == (
        "UPN check letter should be 'H', not 'A'; SEN support (K) needs at least one type of need."
    )
    assert count_rows(db, Pupil) == 0


def test_only_the_senco_adds_pupils(db: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="Teacher accounts cannot add pupils"):
        add_pupil(db, TEACHER, GOOD, today=TODAY)
    assert count_rows(db, Pupil) == 0


def test_a_new_pupil_cannot_start_on_e_without_a_plan(db: Database, senco: Actor) -> None:
    # The register never says E without an issued EHC plan recorded (register.plan_problem).
    data = dataclasses.replace(
        GOOD, provision="E", needs=("ASD", "SLCN"), sen_start_date=date(2025, 2, 1)
    )
    with pytest.raises(ValidationError, match=r"recorded as E \(EHC plan\) only once their"):
        add_pupil(db, senco, data, today=TODAY)
    assert count_rows(db, Pupil) == 0


def test_get_pupil_round_trip(db: Database, senco: Actor) -> None:
    data = dataclasses.replace(
        GOOD, provision="K", needs=("ASD", "SLCN"), sen_start_date=date(2025, 2, 1)
    )
    add_pupil(db, senco, data, today=TODAY)
    assert get_pupil(db, senco, "h801200001001") == dataclasses.replace(
        data, nhs_number="9434765919"
    )
    with pytest.raises(NotFoundError, match="no pupil with UPN B801200005001"):
        get_pupil(db, senco, "B801200005001")
    reader = Actor(user_id=98, username="gov", display_name="Gov", role=Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError):
        get_pupil(db, reader, "H801200001001")
