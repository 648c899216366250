"""A school's past attendance and attainment recorded in one call (issue 14): read back
through the progress service as if typed in term by term, checked by the same rules,
audited once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AttainmentSnapshot, AttendanceRecord, AuditEvent, Pupil, Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.progress_data import (
    AttainmentData,
    PastAttainment,
    PastAttendance,
    PastProgressCounts,
    add_attendance,
    attainment_over_time,
    attendance_last_year,
    import_attainment_csv,
    list_attainment,
    record_past_progress,
)
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user

TODAY = date(2025, 3, 14)
AUTUMN = PastAttendance(0, "2024-25 autumn", date(2024, 9, 4), 140, 133)
SPRING = PastAttendance(0, "2024-25  spring", date(2025, 1, 6), 90, 81)
NOW = AttainmentData("English", "Reading age", "11y 2m", "12y 6m", date(2025, 3, 14))
YEAR_AGO = AttainmentData("English", "Reading age", "10y 1m", "11y 6m", date(2024, 3, 14))


def of(pupil_id: int, item: PastAttendance) -> PastAttendance:
    return PastAttendance(
        pupil_id, item.term, item.term_start, item.possible_sessions, item.attended_sessions
    )


def record(
    db: Database,
    actor: Actor,
    attendance: list[PastAttendance],
    attainment: list[PastAttainment],
) -> PastProgressCounts:
    with db.transaction() as s:
        return record_past_progress(s, AuditWriter(s, actor), attendance, attainment, today=TODAY)


def test_past_progress_reads_back_as_if_typed_in(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1)
    counts = record(
        db,
        senco,
        [of(pupil, AUTUMN), of(pupil, SPRING)],
        [PastAttainment(pupil, NOW), PastAttainment(pupil, YEAR_AGO)],
    )
    assert counts == PastProgressCounts(2, 0, 2, 0)
    summary = attendance_last_year(db, senco, pupil, TODAY)
    assert [t.term for t in summary.terms] == ["2024-25 autumn", "2024-25 spring"]  # one space
    assert (summary.attended_sessions, summary.possible_sessions) == (214, 230)
    [trend] = attainment_over_time(db, senco, pupil, TODAY)
    assert trend.now is not None and trend.now.value == "11y 2m"
    assert trend.twelve_months_ago is not None and trend.twelve_months_ago.value == "10y 1m"
    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
        assert actions.count("record_past_progress") == 1  # once for the whole batch
        assert list(chain_problems(s)) == []


def test_a_term_or_snapshot_stored_already_is_replaced(db: Database, senco: Actor) -> None:
    """As add_attendance replaces a term recorded again, and the MIS import a snapshot."""
    pupil = add_test_pupil(db, senco, 1)
    add_attendance(db, senco, pupil, "2024-25 autumn", date(2024, 9, 4), 140, 100)
    record(db, senco, [], [PastAttainment(pupil, NOW)])
    corrected = AttainmentData("english", "reading age", "11y 3m", "12y 6m", NOW.taken_on)
    counts = record(db, senco, [of(pupil, AUTUMN)], [PastAttainment(pupil, corrected)])
    assert counts == PastProgressCounts(0, 1, 0, 1)
    assert attendance_last_year(db, senco, pupil, TODAY).attended_sessions == 133
    assert [a.value for a in list_attainment(db, senco, pupil)] == ["11y 3m"]


def test_the_import_and_the_batch_store_a_snapshot_alike(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    """One writer: a snapshot recorded in a history is the one a later import updates."""
    pupil = add_test_pupil(db, senco, 1)
    record(db, senco, [], [PastAttainment(pupil, NOW)])
    with db.session() as s:
        found = s.get(Pupil, pupil)
        assert found is not None
        upn = found.upn
    csv = tmp_path / "assessments.csv"
    csv.write_text(
        f"UPN,Subject,Measure,Value,Expected,Date\n{upn},English,Reading age,11y 2m,"
        "12y 6m,14/03/2025\n",
        encoding="utf-8",
    )
    report = import_attainment_csv(db, senco, csv, today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("attendance", "attainment", "problem"),
    [
        (
            [PastAttendance(0, "2024-25 autumn", date(2024, 9, 4), 140, 150)],
            [],
            "Pupil {p}'s attendance for 2024-25 autumn: attended sessions (150) are more "
            "than the possible sessions (140). Nothing was recorded.",
        ),
        (
            [PastAttendance(0, " ", date(2024, 9, 4), 140, 130)],
            [],
            "Pupil {p}'s attendance for a term: the term is missing. Nothing was recorded.",
        ),
        (
            [AUTUMN, PastAttendance(0, "2024-25 autumn", date(2024, 9, 4), 100, 90)],
            [],
            "Pupil {p}'s attendance for 2024-25 autumn: the term is given twice. "
            "Nothing was recorded.",
        ),
        (
            [],
            [PastAttainment(0, AttainmentData("English", "", "4", "5", date(2025, 3, 20)))],
            "Pupil {p}'s English on 20/03/2025: the measure is missing; pupil {p}'s English "
            "on 20/03/2025: the date 20/03/2025 is in the future. Nothing was recorded.",
        ),
        (
            [],
            [PastAttainment(0, NOW), PastAttainment(0, NOW)],
            "Pupil {p}'s English on 14/03/2025: the same subject, measure and date are given "
            "twice. Nothing was recorded.",
        ),
    ],
)
def test_a_bad_item_refuses_the_whole_batch(
    db: Database,
    senco: Actor,
    attendance: list[PastAttendance],
    attainment: list[PastAttainment],
    problem: str,
) -> None:
    pupil = add_test_pupil(db, senco, 1)
    good = [of(pupil, SPRING)]  # a good item beside the bad one is not written either
    with pytest.raises(ValidationError) as refused:
        record(
            db,
            senco,
            good + [of(pupil, a) for a in attendance],
            [PastAttainment(pupil, a.data) for a in attainment],
        )
    assert str(refused.value) == problem.format(p=pupil)
    assert count_rows(db, AttendanceRecord) == 0
    assert count_rows(db, AttainmentSnapshot) == 0


def test_a_pupil_not_in_the_database_is_named(db: Database, senco: Actor) -> None:
    with pytest.raises(ValidationError, match="pupil 999 is not in this database"):
        record(db, senco, [of(999, AUTUMN)], [])
    assert count_rows(db, AttendanceRecord) == 0


def test_only_the_senco_records_past_progress(db: Database, senco: Actor) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    pupil = add_test_pupil(db, senco, 1)
    with pytest.raises(PermissionDeniedError):
        record(db, teacher, [of(pupil, AUTUMN)], [])
    assert count_rows(db, AttendanceRecord) == 0
