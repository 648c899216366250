"""`sendesk import-classes`, `access-arrangements` and `access-evidence` as a user meets them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from sendesk.db import create_database
from sendesk.models import Role, User
from sendesk.services.access.arrangement_edits import propose_arrangement, set_arrangement_status
from sendesk.services.access.records import ArrangementData
from sendesk.services.actor import acting_user
from sendesk.services.school.school import init_school
from sendesk.services.staff.users import hash_password
from tests.cli_run import run, sendesk_help
from tests.factories import add_test_pupil

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def school(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw_key: str, cli_password: str
) -> Path:
    """A school file with six pupils, two teachers, and Amy's word processor approved."""
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    path = tmp_path / "school.db"
    db = create_database(str(path), raw_key)
    init_school(
        db,
        "Hill School",
        urn="123456",
        senco_username="senco",
        senco_name="Ms Senco",
        senco_password=cli_password,
    )
    senco = acting_user(db, "senco")
    ids = [
        add_test_pupil(db, senco, n, forename=f"P{n}", surname=f"Pupil{n}", year=11)
        for n in range(1, 7)
    ]
    with db.transaction() as s:
        s.add(
            User(
                username="ateach",
                display_name="Ada Teach",
                role=Role.TEACHER,
                password_hash=hash_password(cli_password),
            )
        )
        s.add(User(username="jsmith", display_name="John Smith", role=Role.TEACHER))
    wp = propose_arrangement(
        db, senco, ids[0], ArrangementData("word_processor", "picture_of_need", date(2025, 11, 3))
    )
    set_arrangement_status(db, senco, wp, 1, "approved in centre", date(2025, 12, 1))
    db.dispose()
    return path


def test_help_for_the_new_commands() -> None:
    for command in ("import-classes", "access-arrangements", "access-evidence"):
        result = sendesk_help(command)
        assert result.returncode == 0, command
        assert "--db" in result.stdout


def test_import_classes(school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "import-classes", "--db", str(school), str(DATA / "class-list-bad.csv")
    )
    assert code == 2 and err == ""
    assert "line 5: UPN A999999999999 is not in SENDesk (import the pupils first)." in out
    assert "Nothing was written" in out
    code, out, _ = run(
        capsys, "import-classes", "--db", str(school), str(DATA / "class-list-sims.csv")
    )
    assert code == 0
    assert "Imported: 3 new, 0 updated and 0 unchanged classes; 7 pupil places" in out
    code, out, _ = run(
        capsys, "import-classes", "--db", str(school), str(DATA / "class-list-sims.csv")
    )
    assert code == 0 and "0 new, 0 updated and 3 unchanged classes" in out
    code, _, err = run(
        capsys,
        "import-classes",
        "--db",
        str(school),
        "--user",
        "ateach",
        str(DATA / "class-list-sims.csv"),
    )
    assert (
        code == 3
        and err
        == "sendesk: Teacher accounts cannot import pupils, classes and attainment; edit classes; "
        "ask the SENCo.\n"
    )
    code, _, err = run(
        capsys,
        "import-classes",
        "--db",
        str(school),
        "--map",
        "X=room",
        str(DATA / "class-list-sims.csv"),
    )
    assert code != 0 and "unknown field 'room'" in err and err.count("\n") == 1
    code, _, err = run(capsys, "import-classes", "--db", str(school), str(DATA / "no-such.csv"))
    assert code != 0 and "does not exist" in err


def test_import_classes_with_exam_entries(
    school: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An "Entered" column records exam entries; --map names a column of another name."""
    path = tmp_path / "entries.csv"
    path.write_text(
        "Class,Subject,Teacher,UPN,Sits exam\n"
        "11X/Ma1,Mathematics,ada teach,K801200024001,yes\n"
        "11X/PE1,PE,jsmith,K801200024001,no\n"
    )
    code, out, err = run(
        capsys, "import-classes", "--db", str(school), "--map", "Sits exam=entered", str(path)
    )
    assert (code, err) == (0, "")
    assert "Sits exam → entered for the exam" in out
    assert "Exam entries: 1 added, 0 removed" in out
    result = sendesk_help("import-classes")
    assert "Entered column" in " ".join(result.stdout.split())


def test_access_arrangements_list(
    school: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "aa.csv"
    code, out, err = run(capsys, "access-arrangements", "--db", str(school), "--out", str(out_csv))
    assert code == 0, err
    assert out == f"Wrote 1 candidate with access arrangements to {out_csv}.\n"
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:5] == ["Pupil1, P1", "K801200024001", "11", "Word processor", "All subjects"]
    pdf = tmp_path / "aa.pdf"
    code, _, err = run(
        capsys, "access-arrangements", "--db", str(school), "--format", "pdf", "--out", str(pdf)
    )
    assert code == 0, err
    assert "Pupil1, P1" in PdfReader(pdf).pages[0].extract_text()
    code, _, err = run(
        capsys, "access-arrangements", "--db", str(school), "--out", str(tmp_path / "aa.txt")
    )
    assert code != 0 and "Give --format csv, xlsx or pdf" in err
    assert not (tmp_path / "aa.txt").exists()
    code, _, err = run(
        capsys,
        "access-arrangements",
        "--db",
        str(school),
        "--user",
        "ateach",
        "--out",
        str(tmp_path / "t.csv"),
    )
    assert code == 3 and "cannot see and export the exams officer's list" in err
    assert not (tmp_path / "t.csv").exists()


def test_access_evidence(school: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "evidence.pdf"
    code, out, err = run(
        capsys, "access-evidence", "--db", str(school), "--upn", "k801200024001", "--out", str(pdf)
    )
    assert code == 0, err
    assert out == f"Wrote the access arrangements evidence file to {pdf}.\n"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "P1 Pupil1" in text and "Word processor — approved in centre" in text
    assert "Approved in the centre 01/12/2025 by Ms Senco" in text
    missing = tmp_path / "nobody.pdf"
    code, _, err = run(
        capsys,
        "access-evidence",
        "--db",
        str(school),
        "--upn",
        "H801200001001",
        "--out",
        str(missing),
    )
    assert code != 0 and err == "sendesk: There is no pupil with UPN H801200001001 in SENDesk.\n"
    assert not missing.exists()
