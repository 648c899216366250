"""`sendesk census-check`: the register against the census rules, one problem a line."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from sendesk.services.actor import acting_user
from tests.cli_run import HILL_PASSWORD, run_at_hill, sendesk_help
from tests.factories import hill_school

sys.path.insert(0, str(Path(__file__).resolve().parent / "services"))
from census_school import plant_census_problems

ON = "07/12/2026"  # the next census day is Thursday 21 January 2027


def school(path: Path, key: str, *, planted: bool) -> str:
    db, senco = hill_school(str(path), key, HILL_PASSWORD)
    if planted:
        plant_census_problems(db, senco)
    db.dispose()
    return str(path)


def test_lists_each_problem_with_rule_and_fix_then_exits_1(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    path = school(tmp_path / "s.db", raw_key, planted=True)
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", path, "--on", ON
    )
    assert (code, err) == (1, "")
    assert lines[0] == (
        "z801200024002  Ben Lower  rule (number not confirmed): A UPN's letters are capitals "
        "(the check letter and a temporary UPN's last letter are never lower case) (found: UPN "
        "'z801200024002'). Fix: Correct the UPN to capitals in the MIS, then import the pupils "
        "again (the import reads it in capitals and says so)."
    )
    assert lines[1].startswith(
        "N801200024003  Cara Statement  rule 2115: SEN provision S (statement) is no longer "
        "valid: statements were replaced by EHC plans (found: SEN provision S). Fix: Change "
    )
    assert lines[2].startswith("C801200024004  Dan Noneed  rule 2170: A pupil with SEN provision")
    assert "  Gus Besd  rule (number not confirmed): SEN type BESD was replaced" in lines[3]
    assert lines[4:] == [
        "",
        "Next census day: 21/01/2027, the spring census on Thursday 21 January 2027.",
        "4 problems for 4 pupils (7 pupils on roll checked) to fix before the spring census on "
        "Thursday 21 January 2027.",
    ]


def test_csv_format(capsys, monkeypatch, tmp_path: Path, raw_key: str) -> None:
    path = school(tmp_path / "s.db", raw_key, planted=True)
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", path, "--on", ON, "--format", "csv"
    )
    assert (code, err) == (1, "")
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    assert rows[0] == ["UPN", "Pupil", "Rule number", "Number confirmed", "Rule", "Found", "Fix"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("Ben Lower", "", "no"),
        ("Cara Statement", "2115", "yes"),
        ("Dan Noneed", "2170", "yes"),
        ("Gus Besd", "", "no"),
    ]


def test_a_clean_register_exits_0(capsys, monkeypatch, tmp_path: Path, raw_key: str) -> None:
    path = school(tmp_path / "s.db", raw_key, planted=False)
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", path, "--on", "2026-09-01"
    )
    assert (code, err) == (0, "")
    assert lines == [
        "Next census day: 01/10/2026, the autumn census on Thursday 1 October 2026.",
        "No census problems: 0 pupils on roll checked for the autumn census on Thursday "
        "1 October 2026.",
    ]


def test_bad_date_non_database_and_teacher_are_refused(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    path = school(tmp_path / "s.db", raw_key, planted=True)
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", path, "--on", "31/02/2027"
    )
    assert (code, lines, err) == (1, [], "sendesk: --on 31/02/2027 does not exist.\n")
    missing = tmp_path / "typo.db"
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", str(missing)
    )
    assert code != 0 and lines == []
    assert err.startswith("sendesk: ") and err.count("\n") == 1
    assert not missing.exists()
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, "census-check", "--db", str(text))
    assert code != 0 and lines == [] and err.count("\n") == 1
    assert text.read_text() == "not a database"


def test_only_the_senco(capsys, monkeypatch, tmp_path: Path, raw_key: str) -> None:
    from sendesk.db import open_database, parse_target
    from sendesk.models import Role
    from sendesk.services.staff.users import create_user, set_password

    path = school(tmp_path / "s.db", raw_key, planted=False)
    with open_database(parse_target(path), raw_key) as db:
        create_user(db, acting_user(db, "senco"), "mr.t", "Mr T", Role.TEACHER, "first-pw1")
        set_password(db, acting_user(db, "mr.t"), "mr.t", HILL_PASSWORD)  # his own, chosen
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "census-check", "--db", path, "--user", "mr.t"
    )
    assert code == 3 and lines == []
    assert err.startswith("sendesk: Teacher accounts cannot check the register")


def test_help() -> None:
    result = sendesk_help("census-check")
    assert result.returncode == 0
    assert "--db" in result.stdout and "--format" in result.stdout
    assert "Exit status: 0 when nothing needs fixing, 1 when problems" in " ".join(
        result.stdout.split()
    )
