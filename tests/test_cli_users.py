"""Staff accounts and signing in on the command line (issue 13), as a user meets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendesk.db import create_database
from sendesk.services.school.school import init_school
from tests.cli_run import run, sendesk_help


@pytest.fixture
def school(tmp_path: Path, capsys: pytest.CaptureFixture[str], env_key: str) -> str:
    db = str(tmp_path / "school.db")
    code, out, err = run(capsys, "init", "--db", db, "--school", "Hill School", "--senco", "boss")
    assert code == 0, err
    assert "First SENCo account: boss." in out
    return db


def users(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, list[str]]:
    code, out, err = run(capsys, "users", "list", "--db", db)
    assert code == 0, err
    return {line.split()[0]: line.split() for line in out.splitlines()[1:]}


def test_init_needs_the_first_senco_password(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, env_key: str
) -> None:
    monkeypatch.delenv("SENDESK_NEW_PASSWORD")
    db = tmp_path / "s.db"
    code, out, err = run(capsys, "init", "--db", str(db), "--school", "X", "--senco", "boss")
    assert code != 0 and out == "" and err.count("\n") == 1
    assert "SENDESK_NEW_PASSWORD" in err and not db.exists()
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "short")
    code, _, err = run(capsys, "init", "--db", str(db), "--school", "X", "--senco", "boss")
    assert code != 0 and "at least 8 characters" in err and not db.exists()


def test_a_wrong_or_missing_password_reads_nothing(
    school: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDESK_PASSWORD", "not the password")
    code, out, err = run(capsys, "register", "--db", school, "--all")
    assert (code, out, err) == (1, "", "sendesk: The username or password is wrong.\n")
    monkeypatch.delenv("SENDESK_PASSWORD")
    code, out, err = run(capsys, "deadlines", "--db", school)
    assert code == 1 and out == ""
    assert err == (
        "sendesk: Give the password of boss in SENDESK_PASSWORD or at the prompt; "
        "nothing was read.\n"
    )
    monkeypatch.setenv("SENDESK_PASSWORD", "demo-password")
    code, out, _ = run(capsys, "audit", "--db", school)
    assert code == 0
    assert "sign_in_failed" in out and "sign_in " in out


def test_the_senco_manages_accounts(school: str, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "first-pass")
    code, out, err = run(
        capsys,
        "users",
        "add",
        "--db",
        school,
        "mrst",
        "--role",
        "teacher",
        "--name",
        "Mr S Teach",
        "--staff-code",
        "STE",
    )
    assert code == 0, err
    assert "Added mrst (Teacher)" in out
    listed = users(capsys, school)
    assert listed["mrst"][:5] == ["mrst", "Teacher", "yes", "to", "change"]
    assert "STE" in listed["mrst"] and listed["boss"][:4] == ["boss", "SENCo", "yes", "set"]

    # his first password works only to choose his own
    monkeypatch.setenv("SENDESK_PASSWORD", "first-pass")
    code, out, err = run(capsys, "census-check", "--db", school, "--user", "mrst")
    assert code == 1 and out == ""
    assert "must be changed first" in err and "users reset-password --user mrst mrst" in err
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "his-own-pw")
    code, out, err = run(
        capsys, "users", "reset-password", "--db", school, "--user", "mrst", "mrst"
    )
    assert (code, out) == (0, "Your password is changed.\n"), err
    monkeypatch.setenv("SENDESK_PASSWORD", "his-own-pw")
    code, out, err = run(capsys, "census-check", "--db", school, "--user", "mrst")
    assert code == 3 and err.startswith("sendesk: Teacher accounts cannot")
    monkeypatch.setenv("SENDESK_USER", "mrst")  # the same, from the environment
    code, out, err = run(capsys, "census-check", "--db", school)
    assert code == 3 and err.startswith("sendesk: Teacher accounts cannot")
    code, out, err = run(capsys, "users", "list", "--db", school)
    assert code == 3 and "Teacher accounts cannot manage staff accounts" in err
    monkeypatch.delenv("SENDESK_USER")

    monkeypatch.setenv("SENDESK_PASSWORD", "demo-password")
    assert run(capsys, "users", "set-role", "--db", school, "mrst", "exams_officer")[0] == 0
    assert users(capsys, school)["mrst"][1:3] == ["Exams", "officer"]
    code, out, _ = run(capsys, "users", "disable", "--db", school, "mrst")
    assert (code, out) == (0, "mrst can no longer sign in; their history stays.\n")
    monkeypatch.setenv("SENDESK_PASSWORD", "his-own-pw")
    code, out, err = run(capsys, "register", "--db", school, "--user", "mrst")
    assert (code, out, err) == (1, "", "sendesk: This account has been disabled: ask the SENCo.\n")
    monkeypatch.setenv("SENDESK_PASSWORD", "demo-password")
    assert run(capsys, "users", "enable", "--db", school, "mrst")[0] == 0
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "reset-pass")
    code, out, _ = run(capsys, "users", "reset-password", "--db", school, "mrst")
    assert code == 0 and "they choose their own when they next sign in" in out
    assert users(capsys, school)["mrst"][4:6] == ["to", "change"]
    code, _, err = run(capsys, "users", "set-role", "--db", school, "boss", "teacher")
    assert code == 2 and "boss is the only active SENCo" in err


def test_the_exams_officer_gets_the_list_and_nothing_else(
    school: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "first-pass")
    argv = ["users", "add", "--db", school, "exams", "--role", "exams_officer", "--name", "E O"]
    assert run(capsys, *argv)[0] == 0
    monkeypatch.setenv("SENDESK_USER", "exams")
    monkeypatch.setenv("SENDESK_PASSWORD", "first-pass")
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "exams-own-pw")
    assert run(capsys, "users", "reset-password", "--db", school, "exams")[0] == 0
    monkeypatch.setenv("SENDESK_PASSWORD", "exams-own-pw")
    out_csv = tmp_path / "list.csv"
    code, out, err = run(capsys, "access-arrangements", "--db", school, "--out", str(out_csv))
    assert code == 0, err
    assert out_csv.exists()
    code, out, err = run(capsys, "register", "--db", school)
    assert (code, out) == (3, "")
    assert (
        err == "sendesk: Exams officer accounts cannot see the SEND register and export it; "
        "ask the SENCo.\n"
    )


def test_several_sencos_need_a_user(school: str, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["users", "add", "--db", school, "deputy", "--role", "senco", "--name", "Deputy"]
    assert run(capsys, *argv)[0] == 0
    code, out, err = run(capsys, "register", "--db", school)
    assert code == 1 and out == ""
    assert "give --user NAME or set SENDESK_USER (this database has 2 active SENCo" in err
    assert run(capsys, "register", "--db", school, "--user", "boss")[0] == 0


def test_an_old_database_without_passwords(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, env_key: str
) -> None:
    """Made before passwords were required: the key holder gives the SENCo one, once."""
    path = str(tmp_path / "old.db")
    db = create_database(path, env_key)
    init_school(db, "Old School", senco_username="senco", senco_name="Ms S")
    db.dispose()
    code, out, err = run(capsys, "register", "--db", path)
    assert (code, out, err) == (1, "", "sendesk: The username or password is wrong.\n")
    code, out, err = run(capsys, "users", "reset-password", "--db", path, "senco")
    assert (code, out) == (0, "senco can now sign in with the new password.\n"), err
    assert run(capsys, "register", "--db", path)[0] == 0
    monkeypatch.setenv("SENDESK_PASSWORD", "somebody else")
    code, _, err = run(capsys, "users", "reset-password", "--db", path, "senco")
    assert (code, err) == (1, "sendesk: The username or password is wrong.\n")


def test_demo_prints_its_accounts(tmp_path: Path, capsys, env_key: str) -> None:
    code, out, err = run(capsys, "demo", "--db", str(tmp_path / "d.db"), "--pupils", "10")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == "Every demo account has the password 'demo-password':"
    accounts = [line.split(maxsplit=2) for line in lines[2:]]
    assert accounts[0][:2] == ["senco", "SENCo"]
    roles = {a[1] for a in accounts}
    assert {"SENCo", "Learning", "Teacher", "Read-only"} <= roles
    assert len(accounts) > 10


def test_users_help() -> None:

    for action in ("list", "add", "set-role", "disable", "enable", "reset-password"):
        result = sendesk_help("users", action)
        assert result.returncode == 0, action
        assert "--db" in result.stdout and "--user" in result.stdout
