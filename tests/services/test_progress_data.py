"""Progress data: termly attendance, attainment snapshots, the MIS import, and over time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import AttainmentSnapshot, AuditEvent, Pupil, Role
from sendesk.services.actor import Actor
from sendesk.services.graduated.progress_data import (
    AttainmentData,
    add_attainment,
    add_attendance,
    attainment_over_time,
    attendance_last_year,
    import_attainment_csv,
    list_attainment,
    list_attendance,
    months_before,
    percentage,
    remove_attainment,
    remove_attendance,
    term_name,
)
from sendesk.services.store.audit import chain_problems
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user, works_with

TODAY = date(2025, 11, 20)


def upn_of(db: Database, pupil_id: int) -> str:
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        return pupil.upn


@pytest.fixture
def pupil(db: Database, senco: Actor) -> int:
    return add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))


# --- attendance ---------------------------------------------------------------------------


def test_percentage_rounds_half_up_to_one_place() -> None:
    assert percentage(150, 160) == 93.8  # 93.75
    assert percentage(2, 3) == 66.7
    assert percentage(0, 10) == 0.0 and percentage(10, 10) == 100.0
    assert percentage(1, 0) == 0.0


def test_term_names() -> None:
    assert term_name(2025, "Autumn") == "2025-26 autumn"
    assert term_name(2099, "summer") == "2099-00 summer"
    with pytest.raises(ValidationError):
        term_name(2025, "winter")


def test_attendance_per_term(db: Database, senco: Actor, pupil: int) -> None:
    spring = add_attendance(db, senco, pupil, "2024-25 spring", date(2025, 1, 6), 110, 99)
    autumn = add_attendance(db, senco, pupil, "2024-25 autumn", date(2024, 9, 3), 140, 126)
    add_attendance(db, senco, pupil, "2024-25 summer", date(2025, 4, 22), 120, 102)
    add_attendance(db, senco, pupil, "2025-26 autumn", date(2025, 9, 2), 88, 86)
    items = list_attendance(db, senco, pupil)
    assert [i.term for i in items] == [
        "2024-25 autumn",
        "2024-25 spring",
        "2024-25 summer",
        "2025-26 autumn",
    ]
    assert items[0].id == autumn and items[0].percentage == 90.0
    # Recording a term again replaces its figures.
    assert add_attendance(db, senco, pupil, "2024-25 spring", date(2025, 1, 6), 110, 100) == spring
    assert list_attendance(db, senco, pupil)[1].attended_sessions == 100
    # The last year: terms that started after 20/11/2024 (spring, summer, autumn 2025).
    summary = attendance_last_year(db, senco, pupil, TODAY)
    assert [t.term for t in summary.terms] == ["2024-25 spring", "2024-25 summer", "2025-26 autumn"]
    assert (summary.possible_sessions, summary.attended_sessions) == (318, 288)
    assert summary.percentage == 90.6
    remove_attendance(db, senco, autumn)
    assert len(list_attendance(db, senco, pupil)) == 3
    with db.session() as s:
        actions = [
            e.action
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == "attendance_record")
                .order_by(AuditEvent.id)
            )
        ]
        assert list(chain_problems(s)) == []
    assert actions == ["create", "create", "create", "create", "update", "delete"]


def test_attendance_is_checked(db: Database, senco: Actor, pupil: int) -> None:
    with pytest.raises(ValidationError, match=r"Attended sessions \(12\) are more than"):
        add_attendance(db, senco, pupil, "2025-26 autumn", date(2025, 9, 2), 10, 12)
    with pytest.raises(ValidationError, match="term is missing"):
        add_attendance(db, senco, pupil, "  ", date(2025, 9, 2), 10, 5)
    with pytest.raises(ValidationError, match="between 1 and"):
        add_attendance(db, senco, pupil, "2025-26 autumn", date(2025, 9, 2), 0, 0)
    with pytest.raises(NotFoundError):
        add_attendance(db, senco, 999_999, "2025-26 autumn", date(2025, 9, 2), 10, 5)
    assert attendance_last_year(db, senco, pupil, TODAY).percentage is None


# --- attainment ---------------------------------------------------------------------------


def test_attainment_snapshots(db: Database, senco: Actor, pupil: int) -> None:
    first = add_attainment(
        db,
        senco,
        pupil,
        AttainmentData("English", "Reading age", " 8y 2m ", "11y 6m", date(2024, 11, 1)),
        today=TODAY,
    )
    add_attainment(
        db, senco, pupil, AttainmentData("Maths", "Grade", "3-", "4", TODAY), today=TODAY
    )
    items = list_attainment(db, senco, pupil)
    assert [(i.subject, i.value, i.expected) for i in items] == [
        ("English", "8y 2m", "11y 6m"),
        ("Maths", "3-", "4"),
    ]
    with pytest.raises(ValidationError, match="in the future"):
        add_attainment(
            db,
            senco,
            pupil,
            AttainmentData("Maths", "Grade", "4", "", date(2026, 1, 1)),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="subject is missing; the value is missing"):
        add_attainment(db, senco, pupil, AttainmentData("", "Grade", "", "", TODAY), today=TODAY)
    remove_attainment(db, senco, first)
    assert [i.subject for i in list_attainment(db, senco, pupil)] == ["Maths"]


def test_permissions(db: Database, senco: Actor, pupil: int, tmp_path: Path) -> None:
    add_attendance(db, senco, pupil, "2025-26 autumn", date(2025, 9, 2), 10, 9)
    data = AttainmentData("Maths", "Grade", "4", "4", TODAY)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pupil)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    works_with(db, ta, pupil)
    governor = make_user(db, "governor", Role.READ_ONLY)
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("UPN,Subject,Measure,Value,Expected,Date\n", encoding="utf-8")
    for reader in (teacher, ta):
        assert len(list_attendance(db, reader, pupil)) == 1
        assert list_attainment(db, reader, pupil) == []
        with pytest.raises(PermissionDeniedError):
            add_attendance(db, reader, pupil, "2025-26 spring", date(2026, 1, 5), 10, 9)
        with pytest.raises(PermissionDeniedError):
            add_attainment(db, reader, pupil, data, today=TODAY)
        with pytest.raises(PermissionDeniedError):
            import_attainment_csv(db, reader, csv_file, today=TODAY)
    for call in (list_attendance, list_attainment):
        with pytest.raises(PermissionDeniedError):
            call(db, governor, pupil)
    with pytest.raises(PermissionDeniedError):
        attainment_over_time(db, governor, pupil, TODAY)


# --- now, 6 months ago, 12 months ago ---------------------------------------------------------


def test_months_before() -> None:
    assert months_before(date(2025, 11, 20), 6) == date(2025, 5, 20)
    assert months_before(date(2025, 11, 20), 12) == date(2024, 11, 20)
    assert months_before(date(2025, 8, 31), 6) == date(2025, 2, 28)
    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert months_before(date(2025, 1, 15), 1) == date(2024, 12, 15)


def test_attainment_now_six_and_twelve_months_ago(db: Database, senco: Actor, pupil: int) -> None:
    def add(subject: str, measure: str, value: str, expected: str, on: date) -> None:
        add_attainment(
            db, senco, pupil, AttainmentData(subject, measure, value, expected, on), today=TODAY
        )

    # Reading age, termly: the nearest to each point is chosen.
    add("English", "Reading age", "7y 2m", "10y 6m", date(2024, 7, 10))  # 16 months: too old
    add("English", "Reading age", "7y 9m", "11y 0m", date(2024, 11, 28))  # ~12 months
    add("English", "Reading age", "8y 3m", "11y 4m", date(2025, 3, 20))
    add("English", "Reading age", "8y 6m", "11y 6m", date(2025, 5, 12))  # ~6 months
    add("English", "Reading age", "9y 0m", "11y 9m", date(2025, 10, 15))  # now
    # Maths: only an old value and a recent one; no point 6 months ago within a term.
    add("maths", "grade", "2+", "3", date(2024, 12, 1))
    add("Maths", "Grade", "3-", "4-", date(2025, 11, 1))
    # Science: nothing recent enough for any point.
    add("Science", "Grade", "2", "3", date(2023, 1, 1))
    # Spelling: one snapshot stands for one point only.
    add("English", "Spelling age", "8y 0m", "11y 6m", date(2025, 8, 20))

    rows = attainment_over_time(db, senco, pupil, TODAY)
    by_key = {(r.subject, r.measure): r for r in rows}
    assert list(by_key) == [
        ("English", "Reading age"),
        ("English", "Spelling age"),
        ("Maths", "Grade"),  # matched ignoring case, shown as most recently written
    ]
    reading = by_key[("English", "Reading age")]
    assert reading.now is not None and reading.now.value == "9y 0m"
    assert reading.now.expected == "11y 9m" and reading.now.taken_on == date(2025, 10, 15)
    assert reading.six_months_ago is not None and reading.six_months_ago.value == "8y 6m"
    assert reading.twelve_months_ago is not None
    assert reading.twelve_months_ago.taken_on == date(2024, 11, 28)
    assert [p.value if p else None for p in reading.points] == ["7y 9m", "8y 6m", "9y 0m"]
    maths = by_key[("Maths", "Grade")]
    assert maths.now is not None and maths.now.value == "3-"
    assert maths.six_months_ago is None
    assert maths.twelve_months_ago is not None and maths.twelve_months_ago.value == "2+"
    spelling = by_key[("English", "Spelling age")]
    assert spelling.now is not None and spelling.now.value == "8y 0m"  # 92 days: just in
    assert spelling.six_months_ago is None  # not repeated
    # A narrower tolerance leaves more gaps rather than guessing.
    narrow = {
        (r.subject, r.measure): r
        for r in attainment_over_time(db, senco, pupil, TODAY, tolerance_days=30)
    }
    assert narrow[("English", "Reading age")].twelve_months_ago is not None
    assert ("English", "Spelling age") not in narrow


# --- the MIS import -------------------------------------------------------------------------


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_import_writes_all_and_is_idempotent(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    other = add_test_pupil(db, senco, 2)
    a, b = upn_of(db, pupil), upn_of(db, other)
    path = write_csv(
        tmp_path / "assessments.csv",
        [
            "UPN,Subject,Measure,Value,Expected,Date",
            f"{a},English,Reading age,8y 3m,11y 4m,20/03/2025",
            f"{a},Maths,Grade,3-,4,20/03/2025",
            "",
            f"{b.lower()},Maths,Grade,5,4,20/03/2025",
        ],
    )
    report = import_attainment_csv(db, senco, path, today=TODAY)
    assert report.written and report.problems == []
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert "Imported: 3 new, 0 updated, 0 unchanged." in report.format()
    again = import_attainment_csv(db, senco, path, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert count_rows(db, AttainmentSnapshot) == 3
    # A corrected value for the same pupil, subject, measure and date updates it.
    write_csv(
        path,
        [
            "upn;subject;measure;value;expected;date",  # semicolons, lower-case headers
            f"{a};English;Reading age;8y 4m;11y 4m;20/03/2025",
        ],
    )
    third = import_attainment_csv(db, senco, path, today=TODAY)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    english = [i for i in list_attainment(db, senco, pupil) if i.subject == "English"]
    assert [i.value for i in english] == ["8y 4m"]
    with db.session() as s:
        audit = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == "attainment_snapshot")
                .order_by(AuditEvent.id)
            )
        )
    assert [e.action for e in audit] == ["import", "import"]  # the unchanged run wrote none
    assert f'"pupil_ids": [{min(pupil, other)}, {max(pupil, other)}]' in audit[0].detail


def test_import_is_all_or_nothing_with_line_numbers(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    a = upn_of(db, pupil)
    path = write_csv(
        tmp_path / "bad.csv",
        [
            "UPN,Subject,Measure,Value,Expected,Date",
            f"{a},English,Reading age,8y 3m,11y 4m,20/03/2025",
            f"{a},Maths,Grade,,4,31/02/2025",
            "Z999999999999,Maths,Grade,4,4,01/03/2025",
            f"{a},English,Reading age,8y 5m,11y 4m,20/03/2025",
            f'{a},"Design, technology",Grade,4,4,01/01/2026',
        ],
    )
    report = import_attainment_csv(db, senco, path, today=TODAY)
    assert not report.written
    assert report.problem_lines == [3, 4, 5, 6]
    texts = dict(report.problems)
    assert "31/02/2025 does not exist" in " ".join(t for ln, t in report.problems if ln == 3)
    assert any(ln == 3 and "value is missing" in t for ln, t in report.problems)
    assert texts[4] == "UPN Z999999999999 is not a pupil in SENDesk"
    assert texts[5] == f"UPN {a} has the same subject, measure and date on line 2"
    assert texts[6] == "The date 01/01/2026 is in the future"
    out = report.format()
    assert "line 4: UPN Z999999999999 is not a pupil in SENDesk" in out
    assert "Nothing was written" in out
    assert count_rows(db, AttainmentSnapshot) == 0


def test_import_refuses_a_file_it_cannot_read(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "x.csv", ["UPN,Subject,Value", "A,B,C"])
    with pytest.raises(ValidationError, match="no column for Measure, Date"):
        import_attainment_csv(db, senco, path, today=TODAY)
    with pytest.raises(ValidationError, match="does not exist"):
        import_attainment_csv(db, senco, tmp_path / "missing.csv", today=TODAY)
    empty = write_csv(tmp_path / "empty.csv", [""])
    with pytest.raises(ValidationError, match="empty"):
        import_attainment_csv(db, senco, empty, today=TODAY)


def test_import_reads_windows_1252_and_a_byte_order_mark(
    db: Database, senco: Actor, pupil: int, tmp_path: Path
) -> None:
    a = upn_of(db, pupil)
    old = write_csv(
        tmp_path / "old.csv",
        ["UPN,Subject,Measure,Value,Expected,Date", f"{a},Français,Note,12,14,01/10/2025"],
        encoding="cp1252",
    )
    assert import_attainment_csv(db, senco, old, today=TODAY).created == 1
    bom = write_csv(
        tmp_path / "bom.csv",
        ["UPN,Subject,Measure,Value,Date", f"{a},Русский,Оценка,4,02/10/2025"],
        encoding="utf-8-sig",
    )
    assert import_attainment_csv(db, senco, bom, today=TODAY).created == 1  # no Expected column
    subjects = {i.subject: i.expected for i in list_attainment(db, senco, pupil)}
    assert subjects == {"Français": "14", "Русский": ""}
