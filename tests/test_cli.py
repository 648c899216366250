"""The command line as a user meets it: messages, exit codes, files written or not."""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from sendesk.keystore import SERVICE, key_id
from tests.cli_run import run, sendesk_help


def test_help_for_every_command() -> None:
    for command in [
        "init",
        "demo",
        "import-pupils",
        "register",
        "passport",
        "backup",
        "restore",
        "verify",
        "census-check",
    ]:
        result = sendesk_help(command)
        assert result.returncode == 0, command
        assert "--db" in result.stdout


def test_init_then_refuse_second_init(tmp_path: Path, capsys, env_key: str) -> None:
    db = tmp_path / "school.db"
    code, out, _ = run(
        capsys,
        "init",
        "--db",
        str(db),
        "--school",
        "Hill School",
        "--urn",
        "123456",
        "--la",
        "Kent",
    )
    assert code == 0
    assert "Created the SENDesk database for Hill School" in out
    assert "SENDESK_DB_KEY" in out
    before = db.read_bytes()
    code, _, err = run(capsys, "init", "--db", str(db), "--school", "Other")
    assert code != 0
    assert "already exists" in err
    assert db.read_bytes() == before


def test_bad_urn_is_refused_before_anything_is_made(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "s.db"
    code, _, err = run(capsys, "init", "--db", str(db), "--school", "X", "--urn", "12AB")
    assert code != 0
    assert "URN '12AB' is not a 6-digit" in err
    assert not db.exists()


def test_commands_refuse_a_path_with_no_database(tmp_path: Path, capsys, env_key) -> None:
    typo = tmp_path / "shcool.db"
    for argv in (
        ["register", "--db", str(typo)],
        ["verify", "--db", str(typo)],
        ["backup", "--db", str(typo), "--out", str(tmp_path / "b.bak")],
    ):
        code, _, err = run(capsys, *argv)
        assert code != 0
        assert err.count("\n") == 1, err  # one sentence
        assert "does not exist" in err
    assert not typo.exists()
    assert not (tmp_path / "b.bak").exists()


def test_no_keyring_and_no_key_creates_nothing(
    tmp_path: Path, capsys, monkeypatch, cli_password: str
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    db = tmp_path / "s.db"
    code, _, err = run(capsys, "init", "--db", str(db), "--school", "X")
    assert code != 0
    assert "No system keyring" in err and "SENDESK_DB_KEY" in err
    assert not db.exists()


def test_key_goes_to_keyring_and_is_found_again(
    tmp_path: Path, capsys, memory_keyring, cli_password: str
) -> None:
    db = tmp_path / "s.db"
    code, out, _ = run(capsys, "init", "--db", str(db), "--school", "Keyring School")
    assert code == 0 and "system keyring" in out
    key = memory_keyring.store[(SERVICE, key_id(db))]
    assert key.startswith("x'") and len(key) == 67
    # the standard SQLCipher library opens the file with exactly that key
    conn = sqlcipher3.connect(str(db))
    conn.execute(f'PRAGMA key = "{key}"')
    assert conn.execute("select name from school").fetchone() == ("Keyring School",)
    code, out, _ = run(capsys, "verify", "--db", str(db))
    assert code == 0 and "All checks passed." in out


def test_wrong_key_message(tmp_path: Path, capsys, monkeypatch, env_key) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "X")[0] == 0
    monkeypatch.setenv("SENDESK_DB_KEY", "not the key")
    code, _, err = run(capsys, "register", "--db", str(db))
    assert code != 0
    assert "the key is wrong" in err


def test_sendesk_db_env_stands_for_db(tmp_path: Path, capsys, monkeypatch, env_key) -> None:
    db = tmp_path / "s.db"
    monkeypatch.setenv("SENDESK_DB", str(db))
    assert run(capsys, "init", "--school", "Env School")[0] == 0
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "All checks passed." in out


def test_backup_restore_round_trip(tmp_path: Path, capsys, env_key: str) -> None:
    db = tmp_path / "s.db"
    bak = tmp_path / "s.bak"
    assert run(capsys, "init", "--db", str(db), "--school", "Before")[0] == 0
    code, out, _ = run(capsys, "backup", "--db", str(db), "--out", str(bak))
    assert code == 0 and "encrypted with the same key" in out
    assert not bak.read_bytes().startswith(b"SQLite format 3")
    # change the live database, then restore the backup over it
    conn = sqlcipher3.connect(str(db))
    conn.execute(f'PRAGMA key = "{env_key}"')
    conn.execute("update school set name = 'After'")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "restore", "--db", str(db), str(bak))
    assert code == 0
    assert "kept in" in out
    conn = sqlcipher3.connect(str(db))
    conn.execute(f'PRAGMA key = "{env_key}"')
    assert conn.execute("select name from school").fetchone() == ("Before",)
    kept = next(tmp_path.glob("s.db.before-restore-*.bak"))
    conn = sqlcipher3.connect(str(kept))
    conn.execute(f'PRAGMA key = "{env_key}"')
    assert conn.execute("select name from school").fetchone() == ("After",)
    # a second backup to the same name is refused, not overwritten
    code, _, err = run(capsys, "backup", "--db", str(db), "--out", str(bak))
    assert code != 0 and "already exists" in err


def test_restore_refuses_a_damaged_backup(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "s.db"
    bak = tmp_path / "s.bak"
    assert run(capsys, "init", "--db", str(db), "--school", "X")[0] == 0
    assert run(capsys, "backup", "--db", str(db), "--out", str(bak))[0] == 0
    data = bytearray(bak.read_bytes())
    data[5000] ^= 0xFF  # flip bits inside a page: SQLCipher's HMAC must catch it
    bak.write_bytes(bytes(data))
    before = db.read_bytes()
    code, _, err = run(capsys, "restore", "--db", str(db), str(bak))
    assert code != 0
    assert "restored" in err and "damaged" in err
    assert db.read_bytes() == before


def test_verify_finds_a_tampered_audit_trail(tmp_path: Path, capsys, env_key: str) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "X")[0] == 0
    conn = sqlcipher3.connect(str(db))
    conn.execute(f'PRAGMA key = "{env_key}"')
    conn.execute("update audit_event set detail = '{}' where id = 1")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "verify", "--db", str(db))
    assert code == 1
    assert "FAIL  audit trail is unbroken" in out
    assert "audit event 1 was altered" in out


def test_demo_then_register_exports(tmp_path: Path, capsys, env_key) -> None:
    from openpyxl import load_workbook

    db = tmp_path / "demo.db"
    code, out, _ = run(capsys, "demo", "--db", str(db), "--pupils", "200", "--seed", "7")
    assert code == 0 and "Riverside Academy" in out and "200 pupils" in out
    out_csv = tmp_path / "register.csv"
    code, out, _ = run(capsys, "register", "--db", str(db), "--out", str(out_csv))
    assert code == 0
    text = out_csv.read_text(encoding="utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("UPN,Legal surname,Legal forename,Preferred forename,Date of birth")
    assert rows and all(line.split(",")[7] in ("K", "E") for line in rows if "," in line)
    code, out, _ = run(
        capsys,
        "register",
        "--db",
        str(db),
        "--all",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "all.xlsx"),
    )
    assert code == 0 and "Wrote 200 pupils" in out
    sheet = load_workbook(tmp_path / "all.xlsx").active
    assert sheet.max_row == 201
    assert {sheet.cell(r, 8).value for r in range(2, 202)} == {"N", "K", "E"}
    code, out, _ = run(capsys, "verify", "--db", str(db))
    assert code == 0, out


def test_demo_refuses_an_existing_file(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "d.db"
    db.write_text("mine")
    code, _, err = run(capsys, "demo", "--db", str(db), "--pupils", "10")
    assert code != 0 and "already exists" in err
    assert db.read_text() == "mine"


def test_register_as_a_named_user_without_permission(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "d.db"
    assert run(capsys, "demo", "--db", str(db), "--pupils", "30")[0] == 0
    from sendesk.db import open_database
    from sendesk.models import Role
    from sendesk.services.actor import acting_user
    from sendesk.services.staff.users import create_user, set_password

    with open_database(str(db), env_key) as database:
        senco = acting_user(database, "senco")
        create_user(database, senco, "gov", "Governor", Role.READ_ONLY, "first-password")
        set_password(database, acting_user(database, "gov"), "gov", "demo-password")
    code, _, err = run(capsys, "register", "--db", str(db), "--user", "gov")
    assert code == 3
    assert "Read-only accounts cannot see the SEND register and export it" in err


ARBOR = Path(__file__).parent / "data" / "arbor-export-sample.csv"


def test_import_pupils_all_or_nothing_then_skip_invalid(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "Arbor School")[0] == 0
    code, out, _ = run(capsys, "import-pupils", "--db", str(db), str(ARBOR))
    assert code != 0
    for line in (12, 27, 42, 57, 72):
        assert f"line {line}:" in out
    assert "Nothing was written" in out
    code, out, _ = run(capsys, "register", "--db", str(db), "--all")
    assert out.strip().splitlines()[1:] == []  # header only: nothing was imported
    code, out, _ = run(capsys, "import-pupils", "--db", str(db), "--skip-invalid", str(ARBOR))
    assert "115 new" in out
    assert code != 0  # rows were skipped: scripts must notice
    code, out, _ = run(capsys, "import-pupils", "--db", str(db), "--skip-invalid", str(ARBOR))
    assert "0 new, 0 updated" in out and "115 unchanged" in out
    code, out, _ = run(capsys, "register", "--db", str(db), "--all")
    assert len(out.strip().splitlines()) == 116


def test_import_with_a_map_for_unknown_headers(tmp_path: Path, capsys, env_key) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "Map School")[0] == 0
    export = tmp_path / "odd.csv"
    export.write_text(
        "Pupil Ref,Family,Given,Born\nH801200001001,Brown,Amy,02/03/2012\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "import-pupils", "--db", str(db), str(export))
    assert code != 0
    code, out, err = run(
        capsys,
        "import-pupils",
        "--db",
        str(db),
        "--map",
        "Pupil Ref=upn,Family=surname,Given=forename,Born=dob",
        str(export),
    )
    assert code == 0, out + err
    assert "1 new" in out
    code, _, err = run(
        capsys, "import-pupils", "--db", str(db), "--map", "Family=nonsense", str(export)
    )
    assert code != 0 and "nonsense" in err


def test_passport_pdf_for_a_demo_pupil(tmp_path: Path, capsys, env_key) -> None:
    from pypdf import PdfReader

    db = tmp_path / "d.db"
    assert run(capsys, "demo", "--db", str(db), "--pupils", "60")[0] == 0
    code, out, _ = run(capsys, "register", "--db", str(db))
    upn, surname = out.splitlines()[1].split(",")[:2]
    pdf = tmp_path / "passport.pdf"
    code, out, err = run(capsys, "passport", "--db", str(db), "--upn", upn, "--out", str(pdf))
    assert code == 0, err
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert surname in text and "What I find hard" in text
    code, _, err = run(
        capsys,
        "passport",
        "--db",
        str(db),
        "--upn",
        "H801200001001",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert code != 0 and not (tmp_path / "x.pdf").exists()
