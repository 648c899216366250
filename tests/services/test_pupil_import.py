"""The MIS pupil import, as the SENCo sees it: the report, what is written, and the history."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Need, Pupil, RegisterEntry, Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.plans import record_plan
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.pupil_import import (
    NO_PLAN,
    ImportReport,
    import_pupils,
    validate_file,
)
from sendesk.services.register.pupils import get_pupil
from sendesk.services.register.register import change_status
from tests.db_reads import count_rows

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = date(2026, 11, 20)
TEACHER = Actor(user_id=99, username="teacher", display_name="A Teacher", role=Role.TEACHER)

SIMS = DATA / "sims-export.csv"
SIMS_UPDATED = DATA / "sims-export-updated.csv"
LUCJA, SEAN, ALENA, ORION, HUONG, NIAMH, JOSE, ZOE = (
    "L801200015001",
    "A801200015002",
    "P801200015003",
    "D801200015004",
    "T801200015005",
    "G801200015006",
    "W801200015007",
    "K801200015008",
)
DARCY = "L80120001503A"  # temporary UPN


def entries(db: Database, upn: str) -> list[tuple[str, date, date | None, str | None, int | None]]:
    """The pupil's register history: (provision, start, end, reason, recorded by)."""
    with db.session() as s:
        rows = s.execute(
            select(RegisterEntry)
            .join(Pupil, Pupil.id == RegisterEntry.pupil_id)
            .where(Pupil.upn == upn)
            .order_by(RegisterEntry.start_date, RegisterEntry.id)
        ).scalars()
        return [(e.provision, e.start_date, e.end_date, e.reason, e.recorded_by_id) for e in rows]


def needs(db: Database, upn: str) -> list[tuple[str, int, date, date | None]]:
    with db.session() as s:
        rows = s.execute(
            select(Need)
            .join(Pupil, Pupil.id == Need.pupil_id)
            .where(Pupil.upn == upn)
            .order_by(Need.start_date, Need.rank, Need.id)
        ).scalars()
        return [(n.code, n.rank, n.start_date, n.end_date) for n in rows]


def audit_events(db: Database, after: int = 0) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.id > after)))


def last_event_id(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.max(AuditEvent.id))) or 0)


def run(db: Database, actor: Actor, path: Path, **kw: object) -> ImportReport:
    return import_pupils(db, actor, path, today=TODAY, **kw)  # type: ignore[arg-type]


def give_plan(db: Database, actor: Actor, upn: str, issued_on: date) -> None:
    """Record the pupil's issued EHC plan, as the SENCo would before the MIS says E."""
    with db.session() as s:
        pid = s.scalar(select(Pupil.id).where(Pupil.upn == upn))
    assert pid is not None
    record_plan(db, actor, pid, PlanData(issued_on=issued_on, la_name="Testshire"), today=TODAY)


# --- the Arbor sample (shared/data): five bad rows at known lines ------------------------------

ARBOR = DATA / "arbor-export-sample.csv"
ARBOR_PROBLEMS = [
    (12, "upn", "UPN check letter should be 'V', not 'A'"),
    (27, "dob", "date of birth is missing"),
    (42, "dob", "date of birth 31/02/2013 does not exist"),
    (57, "upn", "UPN R919432115878 is also on line 5"),
    (72, "primary_need", "primary need 'XYZ' is not a census type-of-need code"),
]


def test_arbor_sample_all_or_nothing(db: Database, senco: Actor) -> None:
    events = last_event_id(db)
    report = run(db, senco, ARBOR)
    assert report.problems == ARBOR_PROBLEMS
    assert report.problem_lines == [12, 27, 42, 57, 72]
    assert not report.written
    assert (report.created, report.updated, report.skipped) == (0, 0, 0)
    assert count_rows(db, Pupil) == 0
    assert count_rows(db, RegisterEntry) == 0
    assert last_event_id(db) == events
    text = report.format()
    assert "5 lines with problems:\n" in text
    for line, _, reason in ARBOR_PROBLEMS:
        assert f"  line {line}: {reason}\n" in text
    assert "Nothing was written: an import is all or nothing." in text
    assert "--skip-invalid) to import the other 115 pupils." in text


def test_arbor_sample_skip_invalid_writes_the_115_good_rows(db: Database, senco: Actor) -> None:
    report = run(db, senco, ARBOR, skip_invalid=True)
    assert report.written
    assert (report.created, report.updated, report.unchanged, report.skipped) == (115, 0, 0, 5)
    assert report.problems == ARBOR_PROBLEMS
    assert count_rows(db, Pupil) == 115
    assert count_rows(db, RegisterEntry) == 115
    text = report.format()
    assert "Imported: 115 new, 0 updated" in text
    assert "Skipped 5 lines with problems (listed above): nothing from them was written." in text
    # The first of two rows with one UPN is the one imported.
    first = get_pupil(db, senco, "R919432115878")
    assert (first.legal_surname, first.legal_forename) == ("Müller", "Ewan")
    quoted = get_pupil(db, senco, "L919432115645")
    assert (quoted.legal_surname, quoted.preferred_forename) == ("Brown, Jr", "Ngo")
    with db.session() as s:
        ks = s.scalar(
            select(func.count()).select_from(RegisterEntry).where(RegisterEntry.provision == "K")
        )
    # 27 K rows in the file, one of them (line 72) bad, and the 4 E rows: no EHC plan is
    # recorded for those pupils, so the register says K and the report says why.
    assert ks == 30
    assert len([w for w in report.warnings if w[2] == NO_PLAN]) == 4
    again = run(db, senco, ARBOR, skip_invalid=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 115)


def test_validate_file_reports_without_a_database() -> None:
    rows, report = validate_file(ARBOR, today=TODAY)
    assert len(rows) == 115
    assert report.valid_rows == 115
    assert report.problems == ARBOR_PROBLEMS
    assert report.warnings == [
        (5, "upn", "UPN R919432115878 is also on line 57, which was not imported")
    ]
    assert rows[0].line == 2
    assert rows[0].data.legal_surname == "Åberg"
    assert rows[0].data.dob == date(2014, 9, 6)
    text = report.format()
    assert text.startswith("Pupil import from arbor-export-sample.csv: 120 pupils read.\n")
    assert "Columns read: Student UPN → UPN; Last name → legal surname;" in text


# --- a SIMS export, then a later one --------------------------------------------------------


def test_sims_export_creates_pupils_with_first_entries(db: Database, senco: Actor) -> None:
    report = run(db, senco, SIMS)
    assert report.written
    assert report.problems == []
    assert (report.created, report.updated, report.unchanged) == (8, 0, 0)
    # Alena's line says E, but a new pupil has no EHC plan recorded: she is on SEN support
    # until the SENCo records the plan (the register never says E without one).
    assert report.warnings == [
        (4, "sen_status", NO_PLAN),
        (7, "upn", f"UPN {DARCY} is temporary: replace it when the permanent UPN arrives"),
    ]
    assert "line 4: SEN status: the file says E (EHC plan) but no EHC plan is recorded" in (
        report.format()
    )
    assert "Columns not used" not in report.format()
    assert "Ethnicity → ethnicity" in report.format()
    # K with an SEN start date; E (as K) with two needs; N from the admission date; K without
    # a date.
    assert entries(db, SEAN) == [("K", date(2024, 1, 15), None, "MIS import", senco.user_id)]
    assert entries(db, ALENA) == [("K", date(2025, 2, 1), None, "MIS import", senco.user_id)]
    assert needs(db, ALENA) == [
        ("ASD", 1, date(2025, 2, 1), None),
        ("SLCN", 2, date(2025, 2, 1), None),
    ]
    assert entries(db, ORION) == [("N", date(2024, 9, 3), None, "MIS import", senco.user_id)]
    assert entries(db, DARCY) == [("K", TODAY, None, "MIS import", senco.user_id)]
    assert needs(db, DARCY) == [("NSA", 1, TODAY, None)]
    sean = get_pupil(db, senco, SEAN)
    assert (sean.legal_surname, sean.legal_forename, sean.year_group) == ("O'Brien, Jr", "Seán", 10)
    assert sean.nhs_number == "9434765919"
    assert (sean.eal, sean.pupil_premium, sean.looked_after) == (False, True, False)
    alena = get_pupil(db, senco, ALENA)
    assert (alena.legal_surname, alena.legal_forename, alena.dob) == (
        "Ёлкина",
        "Алёна",
        date(2014, 6, 5),
    )
    assert alena.looked_after
    assert alena.preferred_forename is None
    assert get_pupil(db, senco, HUONG).legal_forename == "Thị Hương"
    assert get_pupil(db, senco, HUONG).dob == date(2012, 9, 1)
    assert get_pupil(db, senco, LUCJA).year_group == 9
    assert get_pupil(db, senco, DARCY).preferred_surname == "Jones"
    # Ethnicity where the MIS holds it, as the MIS words it (here SIMS's DfE codes).
    assert (sean.ethnicity, alena.ethnicity) == ("WIRI", "WEUR")
    assert sean.home_language is None  # no language column: not held


def test_importing_the_same_file_twice_changes_nothing(db: Database, senco: Actor) -> None:
    run(db, senco, SIMS)
    events = last_event_id(db)
    register = count_rows(db, RegisterEntry), count_rows(db, Need)
    with db.session() as s:
        versions = dict(s.execute(select(Pupil.upn, Pupil.version)).all())
    report = run(db, senco, SIMS)
    assert report.written
    assert (report.created, report.updated, report.unchanged) == (0, 0, 8)
    assert report.register_changes == 0
    assert last_event_id(db) == events
    assert (count_rows(db, RegisterEntry), count_rows(db, Need)) == register
    with db.session() as s:
        assert dict(s.execute(select(Pupil.upn, Pupil.version)).all()) == versions
    assert "Imported: 0 new, 0 updated (0 with a change of SEN status or need), 8 unchanged." in (
        report.format()
    )


def test_a_later_export_updates_by_upn_and_keeps_history(db: Database, senco: Actor) -> None:
    run(db, senco, SIMS)
    give_plan(db, senco, SEAN, date(2026, 11, 2))  # the later export says E: he has a plan
    events = last_event_id(db)
    report = run(db, senco, SIMS_UPDATED)
    assert report.problems == []
    assert (report.created, report.updated, report.unchanged) == (1, 4, 3)
    assert report.register_changes == 3
    assert report.not_in_file == 1
    text = report.format()
    assert (
        "Imported: 1 new, 4 updated (3 with a change of SEN status or need), 3 unchanged." in text
    )
    assert "1 pupil in SENDesk is not in this file and was left as it is." in text

    by = senco.user_id
    # N -> K on the row's SEN start date (later than the current entry's start).
    assert entries(db, LUCJA) == [
        ("N", date(2024, 9, 3), date(2026, 11, 10), "MIS import", by),
        ("K", date(2026, 11, 10), None, "MIS import", by),
    ]
    assert needs(db, LUCJA) == [("SPLD", 1, date(2026, 11, 10), None)]
    # K -> E with no SEN start date: today; the need is unchanged, so not re-recorded.
    assert entries(db, SEAN) == [
        ("K", date(2024, 1, 15), TODAY, "MIS import", by),
        ("E", TODAY, None, "MIS import", by),
    ]
    assert needs(db, SEAN) == [("SPLD", 1, date(2024, 1, 15), None)]
    # Needs change only (secondary dropped): the SEN start date is not later, so today.
    assert entries(db, JOSE) == [("K", date(2025, 3, 10), None, "MIS import", by)]
    assert needs(db, JOSE) == [
        ("SEMH", 1, date(2025, 3, 10), TODAY),
        ("MLD", 2, date(2025, 3, 10), TODAY),
        ("SEMH", 1, TODAY, None),
    ]
    # Details only; Niamh (not in the file) is left alone; Zoë is new.
    alena = get_pupil(db, senco, ALENA)
    assert (alena.year_group, alena.reg_group) == (9, "9A")
    assert len(entries(db, ALENA)) == 1
    assert entries(db, NIAMH) == [("N", date(2022, 9, 3), None, "MIS import", by)]
    assert entries(db, ZOE) == [("K", date(2026, 11, 2), None, "MIS import", by)]

    new_events = audit_events(db, events)
    with db.session() as s:
        ids = dict(s.execute(select(Pupil.upn, Pupil.id)).all())
    updates = {e.entity_id: unsealed(e.detail) for e in new_events if e.action == "update"}
    assert updates == {ids[ALENA]: {"source": "MIS import", "changed": ["year_group", "reg_group"]}}
    changes = [unsealed(e.detail) for e in new_events if e.action == "register_change"]
    froms_tos = sorted(f"{c['from']['provision']}->{c['to']['provision']}" for c in changes)
    assert froms_tos == ["K->E", "K->K", "N->K", "None->K"]
    assert all(e.user_id == senco.user_id for e in new_events)
    summary = [json.loads(e.detail) for e in new_events if e.action == "import"]
    assert summary == [
        {
            "source": "MIS import",
            "file": "sims-export-updated.csv",
            "created": 1,
            "updated": 4,
            "register_changes": 3,
            "skipped": 0,
            "created_ids": [ids[ZOE]],
        }
    ]
    names = ("Алёна", "Ёлкина", "Łucja", "Zoë", "Ахмедова", "Seán")
    assert not any(name in e.detail for e in new_events for name in names)

    again = run(db, senco, SIMS_UPDATED)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert again.not_in_file == 1


def test_needs_ranked_below_the_census_two_are_kept(db: Database, senco: Actor) -> None:
    run(db, senco, SIMS)
    with db.session() as s:
        alena_id = s.scalar(select(Pupil.id).where(Pupil.upn == ALENA))
    assert alena_id is not None
    plan = PlanData(issued_on=TODAY, la_name="Testshire")
    change_status(
        db, senco, alena_id, "E", ["ASD", "SLCN", "VI"], TODAY, "EP report", plan=plan, today=TODAY
    )
    report = run(db, senco, SIMS)
    assert report.unchanged == 8
    assert get_pupil(db, senco, ALENA).needs == ("ASD", "SLCN", "VI")


def test_an_earlier_sen_start_date_does_not_rewrite_history(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    header = ["UPN", "Surname", "Forename", "DOB", "SEN Status", "Primary Need", "SEN Start Date"]
    path = tmp_path / "e.csv"
    rows = [[SEAN, "Smith", "Ann", "01/02/2013", "K", "MLD", "01/09/2025"]]
    write(path, header, rows)
    run(db, senco, path)
    give_plan(db, senco, SEAN, date(2025, 10, 6))
    rows[0][4:7] = ["E", "MLD", "01/01/2020"]
    write(path, header, rows)
    run(db, senco, path)
    assert [e[:3] for e in entries(db, SEAN)] == [
        ("K", date(2025, 9, 1), TODAY),
        ("E", TODAY, None),
    ]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


# --- bad rows, legacy codes, odd files ------------------------------------------------------


def test_bad_rows_at_known_lines(db: Database, senco: Actor) -> None:
    report = run(db, senco, DATA / "sims-export-bad.csv")
    assert [(line, key) for line, key, _ in report.problems] == [
        (3, "upn"),
        (4, "dob"),
        (5, "dob"),
        (6, "sen_status"),
        (7, "sen_status"),
        (8, "primary_need"),
        (9, "primary_need"),
        (10, "eal"),
        (11, "year"),
        (12, "secondary_need"),
        (13, "upn"),
        (14, ""),
        (15, "forename"),
        (16, "nhs_number"),
    ]
    reasons = dict((line, reason) for line, _, reason in report.problems)
    assert (
        reasons[5]
        == "date of birth 12/31/2012 does not exist (dates are read day first, dd/mm/yyyy)"
    )
    assert reasons[6] == "SEN status 'Q' is not a census code (expected N, K or E)"
    assert reasons[7] == "SEN support (K) needs at least one type of need"
    assert reasons[9] == "NSA can only be used with SEN support (K), not E"
    assert reasons[13] == "UPN Y801200015020 is also on line 2"
    assert reasons[14].startswith("the line has 20 cells but the header has 19")
    assert not report.written
    assert count_rows(db, Pupil) == 0
    skipped = run(db, senco, DATA / "sims-export-bad.csv", skip_invalid=True)
    assert (skipped.created, skipped.skipped) == (2, 14)
    assert count_rows(db, Pupil) == 2


def test_legacy_codes_are_mapped_and_reported(db: Database, senco: Actor) -> None:
    report = run(db, senco, DATA / "legacy-codes.csv")
    assert report.written and report.created == 5
    assert report.warnings == [
        (2, "sen_status", "SEN status: legacy code 'S' (statement) read as E"),
        (2, "sen_status", NO_PLAN),  # read as E, but no plan is recorded: written as K
        (3, "sen_status", "SEN status: legacy code 'A' (School Action) read as K"),
        (4, "sen_status", "SEN status: legacy code 'P' (School Action Plus) read as K"),
        (
            4,
            "primary_need",
            "primary need: legacy code 'BESD' (behaviour, emotional and social difficulty) "
            "read as SEMH",
        ),
        (
            5,
            "secondary_need",
            "secondary need: legacy code 'BESD' (behaviour, emotional and social difficulty) "
            "read as SEMH",
        ),
    ]
    assert "  line 2: SEN status: legacy code 'S' (statement) read as E\n" in report.format()
    stored = {
        upn: (p.provision, p.needs)
        for upn in ("K801200015010", "Z801200015011", "N801200015012", "C801200015013")
        for p in [get_pupil(db, senco, upn)]
    }
    assert stored == {
        "K801200015010": ("K", ("SPLD",)),
        "Z801200015011": ("K", ("MLD",)),
        "N801200015012": ("K", ("SEMH", "SLCN")),
        "C801200015013": ("K", ("SLCN", "SEMH")),
    }
    with db.session() as s:
        assert set(s.scalars(select(RegisterEntry.provision))) <= {"N", "K", "E"}
        assert "BESD" not in set(s.scalars(select(Need.code)))


def test_quoted_newline_lines_and_names(db: Database, senco: Actor) -> None:
    report = run(db, senco, DATA / "quoted-newline.csv")
    assert report.problems == [(8, "dob", "date of birth 31/04/2012 does not exist")]
    assert report.warnings == [
        (3, "surname", "legal surname has a line break or tab in it: read as a space")
    ]
    report = run(db, senco, DATA / "quoted-newline.csv", skip_invalid=True)
    assert report.created == 4
    assert get_pupil(db, senco, "V801200015016").legal_surname == "Fitz Gerald"
    assert get_pupil(db, senco, "M801200015019").legal_surname == "O'Neill, Snr"
    # No SEN status column: new pupils start with no SEN (N).
    assert get_pupil(db, senco, "M801200015019").provision == "N"


def test_windows_1252_export(db: Database, senco: Actor) -> None:
    report = run(db, senco, DATA / "cp1252-export.csv")
    assert report.created == 3
    # Detected line by line, and the lines read that way are named (issue 12).
    assert "  Lines 2, 3 and 4 are not UTF-8, so they were read as Windows-1252" in report.format()
    assert get_pupil(db, senco, "W801200015036").legal_surname == "O’Neill"
    assert get_pupil(db, senco, "G801200015035").legal_forename == "Zoë"


def bromcom_workbook(path: Path, *, bad: bool) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Students"
    sheet.append(["Student list"])  # a title row before the header: the header is row 3
    sheet.append([])
    sheet.append(
        [
            "UPN",
            "Legal Last Name",
            "Legal First Name",
            "Preferred First Name",
            "Date Of Birth",
            "Gender",
            "NC Year",
            "Tutor Group",
            "Start Date",
            "SEN Status",
            "SEN Need 1",
            "SEN Need 2",
            "EAL",
            "PP",
            "CLA",
        ]
    )
    sheet.append(
        ["H801200001001", "Trần", "Đức", "Đức", datetime(2013, 5, 1), "M", 8, "8T",
         datetime(2025, 9, 3), "K - SEN Support", "SLCN", "", "Y", "N", "N"]
    )  # fmt: skip
    sheet.append(
        ["B801200005001", "Ωρίωνας", "Ёжик", None, datetime(2012, 1, 31), "F", 9.0, "9T",
         datetime(2024, 9, 3), "EHC Plan", "ASD", "Speech, language and communication needs",
         True, False, True]
    )  # fmt: skip
    sheet.append(
        ["G80120000101A", "Smith", "Amy", None, "31/02/2013" if bad else "28/02/2013", "F",
         "Y7", "7T", datetime(2026, 9, 3), "", "", "", "N", "N", "N"]
    )  # fmt: skip
    book.create_sheet("Notes").append(["not read"])
    book.save(path)
    return path


def test_bromcom_xlsx(db: Database, senco: Actor, tmp_path: Path) -> None:
    bad = bromcom_workbook(tmp_path / "bromcom.xlsx", bad=True)
    report = run(db, senco, bad)
    assert report.problems == [(6, "dob", "date of birth 31/02/2013 does not exist")]
    assert "1 row with problems:\n  row 6: date of birth 31/02/2013 does not exist\n" in (
        report.format()
    )
    assert count_rows(db, Pupil) == 0
    good = bromcom_workbook(tmp_path / "bromcom-good.xlsx", bad=False)
    report = run(db, senco, good)
    assert report.written and report.created == 3
    tran = get_pupil(db, senco, "H801200001001")
    assert (tran.legal_surname, tran.dob, tran.year_group, tran.reg_group) == (
        "Trần",
        date(2013, 5, 1),
        8,
        "8T",
    )
    assert (tran.provision, tran.needs, tran.admission_date) == ("K", ("SLCN",), date(2025, 9, 3))
    ezhik = get_pupil(db, senco, "B801200005001")
    assert (ezhik.provision, ezhik.needs) == ("K", ("ASD", "SLCN"))  # E, but no plan yet
    assert (5, "sen_status", NO_PLAN) in report.warnings
    assert (ezhik.eal, ezhik.pupil_premium, ezhik.looked_after) == (True, False, True)
    assert ezhik.year_group == 9
    amy = get_pupil(db, senco, "G80120000101A")
    assert (amy.provision, amy.year_group, amy.dob) == ("N", 7, date(2013, 2, 28))
    assert run(db, senco, good).unchanged == 3


def test_map_for_unusual_headers(db: Database, senco: Actor, tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv",
        ["Pupil Ref", "Family", "Given", "Born", "Status", "Need"],
        [["H801200001001", "Łukasz", "Ω", "01/02/2013", "K", "SPLD"]],
    )
    with pytest.raises(ValidationError, match="no column for UPN"):
        run(db, senco, path)
    report = run(
        db,
        senco,
        path,
        mapping="Pupil Ref=upn,Family=surname,Given=forename,Born=dob,Status=sen_status,"
        "Need=primary_need",
    )
    assert report.created == 1
    assert get_pupil(db, senco, "H801200001001").needs == ("SPLD",)


def test_a_lower_case_upn_is_read_in_capitals_and_the_line_says_so(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    """The DfE format is capitals only (rules.upn.is_valid is strict); the import stores the
    capitalised UPN and notes it on that line so the MIS can be corrected before the census."""
    path = write(
        tmp_path / "e.csv",
        ["UPN", "Surname", "Forename", "DOB", "Home Language", "Ethnic Group"],
        [
            ["h801200001001", "Smith", "Ann", "01/02/2013", "English", "White - British"],
            ["B801200005001", "Nowak", "Ola", "01/03/2013", "Polish", "White - Polish"],
            ["g80120000101a", "Jones", "Tom", "01/04/2013", "", ""],
        ],
    )
    report = run(db, senco, path)
    assert report.written and report.problems == []
    assert report.warnings[:1] == [
        (
            2,
            "upn",
            "UPN h801200001001 is in lower case: read as H801200001001 (correct it in the MIS "
            "too, or the census will reject it)",
        )
    ]
    assert (
        4,
        "upn",
        "UPN g80120000101a is in lower case: read as G80120000101A (correct it "
        "in the MIS too, or the census will reject it)",
    ) in report.warnings
    assert "  line 2: UPN h801200001001 is in lower case" in report.format()
    with db.session() as s:
        stored = sorted(s.scalars(select(Pupil.upn)))
    assert stored == ["B801200005001", "G80120000101A", "H801200001001"]
    ann = get_pupil(db, senco, "H801200001001")
    assert (ann.home_language, ann.ethnicity) == ("English", "White - British")
    assert get_pupil(db, senco, "G80120000101A").home_language is None
    assert "Home Language → home language; Ethnic Group → ethnicity" in report.format()


def test_home_language_and_ethnicity_update_and_map(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    header = ["UPN", "Surname", "Forename", "DOB", "Lang", "Origin"]
    first = write(
        tmp_path / "a.csv",
        header,
        [["H801200001001", "Smith", "Ann", "01/02/2013", "Urdu", "APKN"]],
    )
    mapping = "Lang=home_language,Origin=ethnicity"
    assert run(db, senco, first, mapping=mapping).created == 1
    second = write(
        tmp_path / "b.csv",
        header,
        [["H801200001001", "Smith", "Ann", "01/02/2013", "Punjabi", "APKN"]],
    )
    before = last_event_id(db)
    assert run(db, senco, second, mapping=mapping).updated == 1
    assert get_pupil(db, senco, "H801200001001").home_language == "Punjabi"
    [update] = [e for e in audit_events(db, before) if e.action == "update"]
    assert json.loads(update.detail)["changed"] == ["home_language"]
    too_long = write(
        tmp_path / "c.csv", header, [["H801200001001", "Smith", "Ann", "01/02/2013", "x" * 61, ""]]
    )
    report = run(db, senco, too_long, mapping=mapping)
    assert report.problems == [(2, "home_language", "home language is longer than 60 characters")]


def test_file_level_errors_are_one_sentence(db: Database, senco: Actor, tmp_path: Path) -> None:
    path = tmp_path / "export.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(ValidationError, match=r"^export.pdf is not a CSV or XLSX file"):
        run(db, senco, path)
    with pytest.raises(ValidationError, match="unknown field 'birthday'"):
        run(db, senco, SIMS, mapping="DOB=birthday")


# --- permission, progress and cancel --------------------------------------------------------


def test_a_teacher_cannot_import(db: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="Teacher accounts cannot import pupils"):
        run(db, TEACHER, SIMS)
    assert count_rows(db, Pupil) == 0


def test_progress_reports_and_cancel_writes_nothing(db: Database, senco: Actor) -> None:
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    run(db, senco, SIMS, progress=progress)
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    events = last_event_id(db)

    def cancel_halfway(done: int, total: int) -> bool:
        return done < 3

    report = run(db, senco, SIMS_UPDATED, progress=cancel_halfway)
    assert report.cancelled and not report.written
    assert (report.created, report.updated) == (0, 0)
    assert report.format().rstrip().endswith("The import was cancelled: nothing was written.")
    assert last_event_id(db) == events
    assert count_rows(db, Pupil) == 8
    assert entries(db, LUCJA) == [("N", date(2024, 9, 3), None, "MIS import", senco.user_id)]


def test_the_test_data_files_are_the_shared_sample() -> None:
    shared = Path("/work/shared/data/arbor-export-sample.csv")
    if not shared.exists():
        pytest.skip("the shared sample is not on this machine")
    assert ARBOR.read_bytes() == shared.read_bytes()


def test_only_the_columns_a_file_has_are_compared(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    run(db, senco, SIMS)
    events = last_event_id(db)
    path = write(
        tmp_path / "names-only.csv",
        ["UPN", "Surname", "Forename", "DOB", "Reg"],
        [[SEAN, "O'Brien, Jr", "Seán", "02/11/2012", "10C"]],
    )
    report = run(db, senco, path)
    assert (report.updated, report.unchanged, report.register_changes) == (1, 0, 0)
    assert report.not_in_file == 7
    assert "7 pupils in SENDesk are not in this file and were left as they are." in (
        report.format()
    )
    sean = get_pupil(db, senco, SEAN)
    assert sean.reg_group == "10C"
    # No NHS, SEN or flag columns in this file: what SENDesk holds is kept.
    assert (sean.nhs_number, sean.provision, sean.needs) == ("9434765919", "K", ("SPLD",))
    assert (sean.pupil_premium, sean.preferred_forename) == (True, "Seán")
    updates = [unsealed(e.detail) for e in audit_events(db, events) if e.action == "update"]
    assert updates == [{"source": "MIS import", "changed": ["reg_group"]}]


def test_validate_file_only_reads() -> None:
    rows, report = validate_file(SIMS, "Reg=reg_group", today=TODAY)
    assert len(rows) == 8 and not report.problems and not report.written
    assert report.format().rstrip().endswith("Ready to import 8 pupils: nothing is written yet.")
    assert rows[1].data.needs == ("SPLD",) and rows[1].line == 3
    assert "nhs_number" in rows[0].supplied and "provision" in rows[0].supplied


def unsealed(detail: str) -> dict:
    """An event's detail without the row seals every pupil event carries (row_seals)."""
    values = json.loads(detail)
    assert "sealed" in values  # the pupil as written travels with the event
    values.pop("sealed")
    return values
